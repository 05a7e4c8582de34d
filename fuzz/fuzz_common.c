/* The scratch folder and diagnostic checks of fuzz.h. */
#define _DEFAULT_SOURCE
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "textutil.h"

static char scratch[128];
static char *written[64];
static size_t written_count;
static char *folders[16];
static size_t folder_count;

static void remove_scratch(void)
{
    for (size_t i = 0; i < written_count; i++) {
        remove(written[i]);
        free(written[i]);
    }
    for (size_t i = folder_count; i-- > 0;) {
        rmdir(folders[i]);
        free(folders[i]);
    }
    rmdir(scratch);
}

const char *fuzz_scratch(void)
{
    if (!scratch[0]) {
        struct stat st;
        const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
        snprintf(scratch, sizeof scratch, "%s/leafpress-fuzz-XXXXXX", base);
        if (!mkdtemp(scratch)) {
            perror(scratch);
            abort();
        }
        atexit(remove_scratch);
    }
    return scratch;
}

static const char *remember(char **list, size_t *count, size_t max, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", fuzz_scratch(), name);
    for (size_t i = 0; i < *count; i++)
        if (strcmp(list[i], path) == 0)
            return list[i];
    if (*count == max)
        abort(); /* a harness names more files than it said it would */
    list[*count] = xstrdup(path);
    return list[(*count)++];
}

const char *fuzz_write(const char *name, const void *data, size_t size)
{
    const char *path = remember(written, &written_count, 64, name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror(path);
        abort();
    }
    return path;
}

void fuzz_copy(const char *repo_path, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", LEAFPRESS_SOURCE_DIR, repo_path);
    size_t length;
    char *text = read_file(path, &length);
    if (!text) {
        perror(path);
        abort();
    }
    fuzz_write(name, text, length);
    free(text);
}

const char *fuzz_mkdir(const char *name)
{
    const char *path = remember(folders, &folder_count, 16, name);
    mkdir(path, 0700);
    return path;
}

static void check_printable(const char *s)
{
    for (size_t i = 0; s && s[i];) {
        unsigned long cp;
        size_t n = utf8_decode(s + i, strlen(s + i), &cp);
        if (n == 0 || cp == '\n' || char_is_unsafe(cp)) {
            fprintf(stderr, "unescaped character at byte %zu of a diagnostic: %s\n", i, s);
            abort();
        }
        i += n;
    }
}

void fuzz_check_diags(const diag_list *diags)
{
    if (getenv("FUZZ_VERBOSE")) /* to see what a seed reaches */
        diag_print(diags);
    size_t errors = 0;
    for (size_t i = 0; i < diags->count; i++) {
        const diag *d = &diags->items[i];
        check_printable(d->message);
        check_printable(d->file);
        char *line = diag_format(d);
        check_printable(line);
        free(line);
        errors += d->level == SEVERITY_ERROR;
    }
    if (errors != diags->errors)
        abort();
}
