#include "shard.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "textutil.h"

bool shard_parse(const char *spec, size_t *k, size_t *n)
{
    char *end;
    if (!spec || !(*spec >= '0' && *spec <= '9'))
        return false;
    unsigned long a = strtoul(spec, &end, 10);
    if (*end != '/' || !(end[1] >= '0' && end[1] <= '9'))
        return false;
    unsigned long b = strtoul(end + 1, &end, 10);
    if (*end || a < 1 || b < 1 || a > b || b > SHARD_MAX)
        return false;
    *k = a;
    *n = b;
    return true;
}

static char *const *sort_base;

static int by_path(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    int c = strcmp(sort_base[a], sort_base[b]);
    /* equal paths (named twice): input order, so the sort is total */
    return c ? c : (a < b ? -1 : a > b);
}

void shard_assign(char *const *sources, const uint64_t *sizes, size_t count, size_t n,
                  size_t *shard_of)
{
    size_t *order = xcalloc(count + 1, sizeof *order);
    for (size_t i = 0; i < count; i++)
        order[i] = i;
    sort_base = sources;
    qsort(order, count, sizeof *order, by_path);
    uint64_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += sizes[i] + SHARD_FIXED_COST;
    /* midpoint m = before + w/2 lies in shard floor(m * n / total); doubled
     * to stay in integers: (2 before + w) * n / (2 total) */
    uint64_t before = 0;
    for (size_t j = 0; j < count; j++) {
        size_t i = order[j];
        uint64_t w = sizes[i] + SHARD_FIXED_COST;
        uint64_t s = ((2 * before + w) * (uint64_t)n) / (2 * total);
        shard_of[i] = s < n ? (size_t)s : n - 1;
        before += w;
    }
    free(order);
}

size_t shard_select(char **sources, size_t count, size_t k, size_t n)
{
    uint64_t *sizes = xcalloc(count + 1, sizeof *sizes);
    size_t *shard_of = xcalloc(count + 1, sizeof *shard_of);
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        sizes[i] = stat(sources[i], &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
    }
    shard_assign(sources, sizes, count, n, shard_of);
    size_t kept = 0;
    for (size_t i = 0; i < count; i++)
        if (shard_of[i] == k - 1)
            sources[kept++] = sources[i];
    free(sizes);
    free(shard_of);
    return kept;
}
