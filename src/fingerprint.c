#define _DEFAULT_SOURCE /* st_mtim, clock_gettime, realpath */
#include "fingerprint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include <cairo.h>
#include <hb.h>
#include <pango/pango-features.h>
#include <qpdf/DLL.h>

#include "contacts.h"
#include "hyphenate.h"
#include "textutil.h"

#ifndef LEAFPRESS_VERSION
#define LEAFPRESS_VERSION "0.0.0"
#endif

/* What else shapes the bytes besides leafpress's own code: the libraries it
 * was compiled against. Compile-time macros, so asking costs no library load. */
#define FP_LIBRARIES "cairo " CAIRO_VERSION_STRING ", pango " PANGO_VERSION_STRING \
                     ", harfbuzz " HB_VERSION_STRING ", qpdf " QPDF_VERSION

static void digest_finish(GChecksum *sum, fp_digest *out)
{
    snprintf(out->hex, sizeof out->hex, "%s", g_checksum_get_string(sum));
    g_checksum_free(sum);
}

void fp_digest_bytes(const void *data, size_t length, fp_digest *out)
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(sum, data, (gssize)length);
    digest_finish(sum, out);
}

static void set_missing(fp_digest *out) { snprintf(out->hex, sizeof out->hex, FP_MISSING); }

/* ---- file cache --------------------------------------------------------- */

void fp_file_cache_free(fp_file_cache *cache)
{
    for (size_t i = 0; i < cache->count; i++)
        free(cache->items[i].path);
    free(cache->items);
    if (cache->index)
        g_hash_table_destroy(cache->index);
    if (cache->chains)
        g_hash_table_destroy(cache->chains);
    if (cache->contacts)
        g_hash_table_destroy(cache->contacts);
    free(cache->journal);
    memset(cache, 0, sizeof *cache);
}

/* Folders share the table under a key files cannot have (a NUL-free
 * prefix no path starts with). */
#define FOLDER_KEY "\001folder:"

void fp_file_cache_next_run(fp_file_cache *cache)
{
    for (size_t i = 0; i < cache->count; i++)
        cache->items[i].used = false;
    if (cache->chains)
        g_hash_table_remove_all(cache->chains);
    if (cache->contacts)
        g_hash_table_remove_all(cache->contacts);
}

fp_file_entry *fp_file_cache_find(fp_file_cache *cache, const char *path)
{
    if (!cache->index)
        return NULL;
    size_t at = GPOINTER_TO_SIZE(g_hash_table_lookup(cache->index, path));
    return at ? &cache->items[at - 1] : NULL;
}

static fp_file_entry *cache_slot(fp_file_cache *cache, const char *path)
{
    fp_file_entry *e = fp_file_cache_find(cache, path);
    if (e)
        return e;
    if (!cache->index)
        cache->index = g_hash_table_new(g_str_hash, g_str_equal);
    if (cache->count == cache->capacity) {
        cache->capacity = cache->capacity ? 2 * cache->capacity : 64;
        cache->items = xrealloc(cache->items, cache->capacity * sizeof *cache->items);
    }
    e = &cache->items[cache->count++];
    memset(e, 0, sizeof *e);
    e->path = xstrdup(path); /* the key: owned by the entry, which never moves it */
    set_missing(&e->digest);
    g_hash_table_insert(cache->index, e->path, GSIZE_TO_POINTER(cache->count));
    return e;
}

void fp_file_cache_put(fp_file_cache *cache, const char *path, const fp_digest *digest,
                       const fp_stat *stat, bool trusted)
{
    fp_file_entry *e = cache_slot(cache, path);
    e->digest = *digest;
    e->stat = *stat;
    e->trusted = trusted;
}

int64_t fp_clock_ns(void)
{
    /* the kernel stamps files from the coarse clock (or later, never
     * earlier), so a change after this moment gets a ctime at or past it */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void stat_of(const struct stat *st, fp_stat *out)
{
    out->size = (int64_t)st->st_size;
    out->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
    out->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000LL + st->st_ctim.tv_nsec;
    out->ino = (uint64_t)st->st_ino;
}

bool fp_stat_path(const char *path, fp_stat *out)
{
    struct stat st;
    memset(out, 0, sizeof *out);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    stat_of(&st, out);
    return true;
}

static bool same_stat(const fp_stat *a, const fp_stat *b)
{
    return a->size == b->size && a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns &&
           a->ino == b->ino;
}

bool fp_settled(const fp_stat *st, int64_t seen_ns)
{
    bool whole_seconds = st->mtime_ns % 1000000000LL == 0 && st->ctime_ns % 1000000000LL == 0;
    int64_t margin = whole_seconds ? FP_RACY_COARSE_NS : FP_RACY_NS;
    return st->ctime_ns < seen_ns - margin; /* ctime: only the clock sets it */
}

/* Hashes an open file in blocks: a font or a photo need not be in memory at once. */
static bool hash_fd(int fd, fp_digest *out)
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    unsigned char block[65536];
    for (;;) {
        ssize_t n = read(fd, block, sizeof block);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            g_checksum_free(sum);
            return false;
        }
        if (n == 0)
            break;
        g_checksum_update(sum, block, n);
    }
    digest_finish(sum, out);
    return true;
}

void fp_file_digest(fp_file_cache *cache, const char *path, fp_digest *out)
{
    fp_file_entry *e = cache_slot(cache, path);
    if (e->used) {
        *out = e->digest;
        return;
    }
    e->used = true;
    /* the clock before the stat: a change after it gets a ctime past it */
    int64_t seen = fp_clock_ns();
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (strcmp(e->digest.hex, FP_MISSING) != 0 || e->stat.size || e->stat.mtime_ns)
            cache->changed = true;
        set_missing(&e->digest);
        memset(&e->stat, 0, sizeof e->stat);
        e->trusted = false;
        *out = e->digest;
        return;
    }
    fp_stat now;
    stat_of(&st, &now);
    if (e->trusted && same_stat(&e->stat, &now) && strcmp(e->digest.hex, FP_MISSING) != 0) {
        *out = e->digest;
        return;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    fp_digest d;
    bool ok = fd >= 0 && hash_fd(fd, &d);
    struct stat after;
    fp_stat then = {0};
    /* stat again: a file that changed while it was read gets no trust */
    if (ok && fstat(fd, &after) == 0)
        stat_of(&after, &then);
    bool steady = ok && same_stat(&then, &now);
    if (fd >= 0)
        close(fd);
    if (!ok)
        set_missing(&d);
    cache->hashed++;
    /* worth saving only when the state would say something new */
    if (strcmp(e->digest.hex, d.hex) != 0 || !same_stat(&e->stat, &now) ||
        e->trusted != (steady && fp_settled(&now, seen)))
        cache->changed = true;
    if (cache->journal_count == cache->journal_capacity) {
        cache->journal_capacity = cache->journal_capacity ? 2 * cache->journal_capacity : 64;
        cache->journal = xrealloc(cache->journal, cache->journal_capacity * sizeof *cache->journal);
    }
    cache->journal[cache->journal_count++] = (size_t)(e - cache->items);
    e->digest = d;
    e->stat = now;
    e->trusted = steady && fp_settled(&now, seen);
    *out = d;
}

void fp_file_written(fp_file_cache *cache, const char *path, const fp_digest *digest,
                     const fp_stat *as_written)
{
    fp_file_entry *e = cache_slot(cache, path);
    e->used = true;
    e->digest = *digest;
    int64_t seen = fp_clock_ns();
    fp_stat now;
    bool there = fp_stat_path(path, &now);
    e->stat = now;
    /* untouched since the writer's own stat, and old enough that a later
     * change would show: its stat data stand for the bytes written */
    e->trusted = there && as_written && same_stat(as_written, &now) && fp_settled(&now, seen);
    cache->changed = true;
}

/* ---- style files, read once ----------------------------------------------- */

typedef struct input_memo {
    char *what, *value;
    struct input_memo *next;
} input_memo;

typedef struct input_file {
    fp_stat stat;
    char *text;
    size_t length;
    input_memo *memos;
} input_file;

static GHashTable *inputs; /* path -> input_file */

static void input_free(gpointer data)
{
    input_file *f = data;
    for (input_memo *m = f->memos, *next; m; m = next) {
        next = m->next;
        free(m->what);
        free(m->value);
        free(m);
    }
    free(f->text);
    free(f);
}

/* The cached bytes of path while they are still its bytes, or NULL. */
static input_file *input_current(const char *path)
{
    input_file *f = inputs ? g_hash_table_lookup(inputs, path) : NULL;
    if (!f)
        return NULL;
    fp_stat now;
    if (fp_stat_path(path, &now) && same_stat(&now, &f->stat))
        return f;
    g_hash_table_remove(inputs, path);
    return NULL;
}

char *fp_read_input(const char *path, size_t max_bytes, size_t *length, char **why)
{
    input_file *f = input_current(path);
    if (f && f->length <= max_bytes) {
        if (why)
            *why = NULL;
        *length = f->length;
        char *copy = xmalloc(f->length + 1);
        memcpy(copy, f->text, f->length + 1);
        return copy;
    }
    int64_t seen = fp_clock_ns();
    fp_stat before, after;
    bool known = fp_stat_path(path, &before);
    char *text = read_input(path, max_bytes, length, why);
    /* kept only when it had settled and did not move while it was read */
    if (text && known && fp_stat_path(path, &after) && same_stat(&before, &after) &&
        fp_settled(&before, seen)) {
        if (!inputs)
            inputs = g_hash_table_new_full(g_str_hash, g_str_equal, free, input_free);
        input_file *keep = xcalloc(1, sizeof *keep);
        keep->stat = before;
        keep->length = *length;
        keep->text = xmalloc(*length + 1);
        memcpy(keep->text, text, *length);
        keep->text[*length] = '\0';
        g_hash_table_replace(inputs, xstrdup(path), keep);
    }
    return text;
}

bool fp_recall(const char *path, const char *what, char **value)
{
    input_file *f = input_current(path);
    for (input_memo *m = f ? f->memos : NULL; m; m = m->next)
        if (strcmp(m->what, what) == 0) {
            *value = m->value ? xstrdup(m->value) : NULL;
            return true;
        }
    return false;
}

void fp_remember(const char *path, const char *what, const char *value)
{
    input_file *f = input_current(path);
    if (!f)
        return;
    input_memo *m = xcalloc(1, sizeof *m);
    m->what = xstrdup(what);
    m->value = value ? xstrdup(value) : NULL;
    m->next = f->memos;
    f->memos = m;
}

/* ---- dependency lists --------------------------------------------------- */

static const char *const KIND_NAMES[DEP_KIND_COUNT] = {"file", "dir", "contact", "value"};

const char *dep_kind_name(dep_kind kind) { return KIND_NAMES[kind]; }

bool dep_kind_parse(const char *name, dep_kind *kind)
{
    for (int k = 0; k < DEP_KIND_COUNT; k++)
        if (strcmp(name, KIND_NAMES[k]) == 0) {
            *kind = (dep_kind)k;
            return true;
        }
    return false;
}

void dep_list_free(dep_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i].name);
    free(list->items);
    memset(list, 0, sizeof *list);
}

static dep *dep_find(const dep_list *list, dep_kind kind, const char *name)
{
    for (size_t i = 0; i < list->count; i++)
        if (list->items[i].kind == kind && strcmp(list->items[i].name, name) == 0)
            return &list->items[i];
    return NULL;
}

void dep_list_add(dep_list *list, dep_kind kind, const char *name, const char *digest)
{
    if (dep_find(list, kind, name))
        return;
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? 2 * list->capacity : 16;
        list->items = xrealloc(list->items, list->capacity * sizeof *list->items);
    }
    dep *d = &list->items[list->count++];
    memset(d, 0, sizeof *d);
    d->kind = kind;
    d->name = xstrdup(name);
    if (digest) { /* no printf: a state has hundreds */
        size_t n = strnlen(digest, FP_DIGEST_LENGTH);
        memcpy(d->digest.hex, digest, n);
        d->digest.hex[n] = '\0';
    }
}

void dep_list_merge(dep_list *to, const dep_list *from)
{
    for (size_t i = 0; i < from->count; i++)
        dep_list_add(to, from->items[i].kind, from->items[i].name, from->items[i].digest.hex);
}

/* ---- contacts ------------------------------------------------------------ */

/* Each field as tag, length and bytes, absent fields as tag alone, so no two
 * different entries serialise alike ("a" + "bc" is not "ab" + "c"). */
static void put_field(GChecksum *sum, char tag, const char *value)
{
    char head[32];
    int n = value ? snprintf(head, sizeof head, "%c%zu:", tag, strlen(value))
                  : snprintf(head, sizeof head, "%c-", tag);
    g_checksum_update(sum, (const guchar *)head, n);
    if (value)
        g_checksum_update(sum, (const guchar *)value, (gssize)strlen(value));
}

void fp_contact_digest(const contact *c, fp_digest *out)
{
    if (!c) {
        set_missing(out);
        return;
    }
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    put_field(sum, 'i', c->id);
    put_field(sum, 'o', c->organisation);
    put_field(sum, 'd', c->department);
    put_field(sum, 's', c->description);
    for (size_t i = 0; i < c->phone_count; i++) {
        put_field(sum, 'p', c->phones[i]);
        put_field(sum, 'l', c->phone_labels ? c->phone_labels[i] : NULL);
    }
    put_field(sum, 'h', c->hours);
    put_field(sum, 'e', c->email);
    put_field(sum, 'w', c->website);
    put_field(sum, 'u', c->urgent ? "true" : "false");
    digest_finish(sum, out);
}

/* ---- evaluation ------------------------------------------------------------ */


/* By name, past each name's one-letter mark. */
static int compare_marked(const void *a, const void *b)
{
    return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

/* The sorted listing of a folder's regular files, each with its digest:
 * every file, not only fonts, so that nothing fonts_open might read is missed. */
static void folder_digest(fp_file_cache *cache, const char *dir, fp_digest *out)
{
    DIR *d = opendir(dir);
    if (!d) {
        set_missing(out);
        return;
    }
    char **names = NULL;
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        /* a folder or a device is no font; a link or an unknown type is stat'ed below */
        if (e->d_type != DT_REG && e->d_type != DT_LNK && e->d_type != DT_UNKNOWN)
            continue;
        names = xrealloc(names, (count + 1) * sizeof *names);
        /* a leading mark: known to be a regular file, no stat needed */
        names[count++] = xasprintf("%c%s", e->d_type == DT_REG ? 'r' : '?', e->d_name);
    }
    closedir(d);
    if (count)
        qsort(names, count, sizeof *names, compare_marked);
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    strbuf path = {0};
    for (size_t i = 0; i < count; i++) {
        path.length = 0;
        strbuf_printf(&path, "%s/%s", dir, names[i] + 1);
        struct stat st;
        if (names[i][0] == 'r' || (stat(path.data, &st) == 0 && S_ISREG(st.st_mode))) {
            fp_digest f;
            fp_file_digest(cache, path.data, &f);
            put_field(sum, 'n', names[i] + 1);
            put_field(sum, 'f', f.hex);
        }
        free(names[i]);
    }
    free(names);
    free(path.data);
    digest_finish(sum, out);
}

static void dir_digest(fp_file_cache *cache, const char *dir, fp_digest *out)
{
    strbuf key = {0};
    strbuf_printf(&key, FOLDER_KEY "%s", dir);
    fp_file_entry *memo = cache_slot(cache, key.data);
    free(key.data);
    if (memo->used) {
        *out = memo->digest;
        return;
    }
    memo->used = memo->folder = true;
    folder_digest(cache, dir, &memo->digest);
    *out = memo->digest;
}

/* The values every output depends on, by name: leafpress's version, the
 * libraries it was built against, then the environment variables that
 * change what a build makes (the dates, and where hyphenation's files are
 * read from, hyphenate.h). */
static const char *const VALUE_NAMES[] = {"leafpress", "libraries", "SOURCE_DATE_EPOCH",
                                          "LEAFPRESS_HYPHEN_DIR", "LEAFPRESS_WORDLIST_DIR"};
#define VALUE_COUNT (sizeof VALUE_NAMES / sizeof *VALUE_NAMES)

/* Its index in VALUE_NAMES, or -1 for a name this version does not know. */
static int value_index(const char *name)
{
    for (size_t i = 0; i < VALUE_COUNT; i++)
        if (strcmp(name, VALUE_NAMES[i]) == 0)
            return (int)i;
    return -1;
}

/* What value i is now: the environment's may change between runs of a test. */
static const char *value_text(int i)
{
    if (i == 0)
        return LEAFPRESS_VERSION;
    if (i == 1)
        return FP_LIBRARIES;
    const char *value = getenv(VALUE_NAMES[i]);
    return value && *value ? value : "unset";
}

/* Kept with the text it was taken from, so a value is hashed once per
 * change, not once per output. */
static void value_digest(const char *name, fp_digest *out)
{
    static struct {
        char *text;
        fp_digest digest;
    } memo[VALUE_COUNT];
    int i = value_index(name);
    if (i < 0) {
        set_missing(out); /* a value this version does not know: never equal to a real one */
        return;
    }
    const char *text = value_text(i);
    if (!memo[i].text || strcmp(memo[i].text, text) != 0) {
        free(memo[i].text);
        memo[i].text = xstrdup(text);
        fp_digest_bytes(text, strlen(text), &memo[i].digest);
    }
    *out = memo[i].digest;
}

/* One digest per contact and run: every output showing it asks. */
static void contact_digest(fp_file_cache *cache, const contact_registry *registry, const char *id,
                           fp_digest *out)
{
    if (!cache) {
        fp_contact_digest(registry ? contacts_find(registry, id) : NULL, out);
        return;
    }
    if (!cache->contacts || cache->contacts_of != registry) {
        if (!cache->contacts)
            cache->contacts = g_hash_table_new_full(g_str_hash, g_str_equal, free, free);
        g_hash_table_remove_all(cache->contacts);
        cache->contacts_of = registry;
    }
    fp_digest *known = g_hash_table_lookup(cache->contacts, id);
    if (known) {
        *out = *known;
        return;
    }
    fp_contact_digest(registry ? contacts_find(registry, id) : NULL, out);
    known = xmalloc(sizeof *known);
    *known = *out;
    g_hash_table_insert(cache->contacts, xstrdup(id), known);
}

void fp_evaluate(const fp_context *ctx, dep_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        dep *d = &list->items[i];
        switch (d->kind) {
        case DEP_FILE: fp_file_digest(ctx->files, d->name, &d->digest); break;
        case DEP_DIR: dir_digest(ctx->files, d->name, &d->digest); break;
        case DEP_CONTACT: contact_digest(ctx->files, ctx->registry, d->name, &d->digest); break;
        case DEP_VALUE: value_digest(d->name, &d->digest); break;
        case DEP_KIND_COUNT: set_missing(&d->digest); break;
        }
    }
}

static int compare_deps(const void *a, const void *b)
{
    const dep *x = *(const dep *const *)a, *y = *(const dep *const *)b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->name, y->name);
}

void fp_combine(const dep_list *list, fp_digest *out)
{
    const dep **sorted = xcalloc(list->count + 1, sizeof *sorted);
    for (size_t i = 0; i < list->count; i++)
        sorted[i] = &list->items[i];
    if (list->count > 1)
        qsort(sorted, list->count, sizeof *sorted, compare_deps);
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    for (size_t i = 0; i < list->count; i++) {
        put_field(sum, 'k', dep_kind_name(sorted[i]->kind));
        put_field(sum, 'n', sorted[i]->name);
        put_field(sum, 'd', sorted[i]->digest.hex);
    }
    free(sorted);
    digest_finish(sum, out);
}

/* ---- style chains ---------------------------------------------------------- */

/* The top-level `extends:` of a style file: a new string, or NULL (none, or
 * the file does not parse: the style loader will say so). */
static char *parse_extends(const char *bytes, size_t length)
{
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)bytes, length);
    char *result = NULL;
    int depth = 0;
    bool is_key = false, want_value = false, done = false;
    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev))
            break;
        switch (ev.type) {
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            if (depth == 1 && want_value) /* extends with a non-scalar value */
                done = true;
            if (depth == 1)
                is_key = !is_key; /* the value of a top-level key */
            depth++;
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            depth--;
            break;
        case YAML_ALIAS_EVENT:
            if (depth == 1)
                is_key = !is_key;
            done = want_value; /* extends: *alias: the loader reports it */
            break;
        case YAML_SCALAR_EVENT:
            if (depth == 1) {
                is_key = !is_key;
                const char *text = (const char *)ev.data.scalar.value;
                if (want_value) {
                    result = xstrdup(text);
                    done = true;
                } else if (is_key && strcmp(text, "extends") == 0) {
                    want_value = true;
                }
            }
            break;
        case YAML_STREAM_END_EVENT: done = true; break;
        default: break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return result;
}

static char *read_extends(const char *path)
{
    char *result;
    if (fp_recall(path, "fp-extends", &result))
        return result;
    size_t length;
    /* no limit of its own: the loader judges the size */
    char *text = fp_read_input(path, SIZE_MAX / 2, &length, NULL);
    if (!text)
        return NULL;
    result = parse_extends(text, length);
    free(text);
    fp_remember(path, "fp-extends", result);
    return result;
}

char **fp_style_chain(const char *styles_dir, const char *name, size_t *count)
{
    char **files = NULL;
    *count = 0;
    char *current = xstrdup(name);
    while (current) {
        strbuf path = {0};
        strbuf_printf(&path, "%s/%s.yaml", styles_dir, current);
        free(current);
        current = NULL;
        bool seen = false;
        for (size_t i = 0; i < *count && !seen; i++)
            seen = strcmp(files[i], path.data) == 0;
        if (seen) {
            free(path.data);
            break;
        }
        files = xrealloc(files, (*count + 1) * sizeof *files);
        files[(*count)++] = path.data;
        current = read_extends(path.data);
    }
    return files;
}

/* ---- what a variant and a document depend on ---------------------------- */

static void free_chain(gpointer chain)
{
    for (char **p = chain; *p; p++)
        free(*p);
    free(chain);
}

/* The chain of dir/NAME.yaml, read once per run. */
static char **cached_chain(fp_file_cache *cache, const char *dir, const char *name)
{
    strbuf key = {0};
    strbuf_printf(&key, "%s/%s.yaml", dir, name);
    if (!cache->chains)
        cache->chains = g_hash_table_new_full(g_str_hash, g_str_equal, free, free_chain);
    char **chain = g_hash_table_lookup(cache->chains, key.data);
    if (!chain) {
        size_t n;
        char **files = fp_style_chain(dir, name, &n);
        chain = xrealloc(files, (n + 1) * sizeof *chain);
        chain[n] = NULL;
        g_hash_table_insert(cache->chains, strbuf_take(&key), chain);
    }
    free(key.data);
    return chain;
}

void fp_variant_deps(dep_list *list, fp_file_cache *cache, const char *source,
                     const char *styles_dir, const char *style_name, const char *fonts_dir,
                     const char *profile)
{
    dep_list_add(list, DEP_FILE, source, NULL);
    for (char **p = cached_chain(cache, styles_dir, style_name); *p; p++)
        dep_list_add(list, DEP_FILE, *p, NULL);
    dep_list_add(list, DEP_DIR, fonts_dir, NULL);
    if (profile)
        dep_list_add(list, DEP_FILE, profile, NULL);
    for (size_t i = 0; i < VALUE_COUNT; i++)
        dep_list_add(list, DEP_VALUE, VALUE_NAMES[i], NULL);
}

void fp_theme_deps(dep_list *list, fp_file_cache *cache, const char *themes_dir,
                   const char *theme)
{
    if (!theme)
        return;
    for (char **p = cached_chain(cache, themes_dir, theme); *p; p++)
        dep_list_add(list, DEP_FILE, *p, NULL);
}

static void add_file_dep(void *list, const char *path)
{
    dep_list_add(list, DEP_FILE, path, NULL);
}

/* The parser gives an image as its real path; inside the working folder
 * (the project root) it is kept relative, so that a state file stays valid
 * for a project checked out elsewhere (CI caches). */
static char *project_relative(const char *path)
{
    char *here = realpath(".", NULL);
    size_t n = here ? strlen(here) : 0;
    char *result = here && strncmp(path, here, n) == 0 && path[n] == '/' && path[n + 1]
                       ? xstrdup(path + n + 1)
                       : xstrdup(path);
    free(here);
    return result;
}

void fp_image_dep(dep_list *list, const char *real_path)
{
    char *relative = project_relative(real_path);
    dep_list_add(list, DEP_FILE, relative, NULL);
    free(relative);
}

static bool in_list(char **urls, size_t count, const char *url)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(urls[i], url) == 0)
            return true;
    return false;
}

void fp_document_deps(dep_list *list, const document *doc, const contact_registry *registry)
{
    dep_list_add(list, DEP_FILE, doc->source_path, NULL);
    for (size_t i = 0; i < doc->meta.contact_count; i++)
        dep_list_add(list, DEP_CONTACT, doc->meta.contact_ids[i], NULL);
    hyphenator_files(doc->meta.lang, add_file_dep, list);
    if (doc->meta.cover_image)
        fp_image_dep(list, doc->meta.cover_image);
    char **urls = NULL;
    size_t url_count = 0;
    doc_walker w;
    doc_walker_init(&w, doc->root);
    while (doc_walker_next(&w)) {
        const doc_node *node = w.current;
        if (w.event != WALK_ENTER || !node->url)
            continue;
        if (node->type == NODE_IMAGE) {
            fp_image_dep(list, node->url);
        } else if (node->type == NODE_LINK) {
            urls = xrealloc(urls, (url_count + 1) * sizeof *urls);
            urls[url_count++] = node->url;
        }
    }
    /* A contact reference has become a tel:, mailto: or https: link by now:
     * every contact that one of the links could have come from counts as
     * shown. A link written out by hand to the same number also counts,
     * which costs a rebuild, never a wrong skip. */
    for (size_t c = 0; registry && url_count && c < registry->count; c++) {
        const contact *k = &registry->items[c];
        bool shown = false;
        for (size_t p = 0; p < k->phone_count && !shown; p++) {
            char *tel = phone_tel_uri(k->phones[p]);
            shown = tel && in_list(urls, url_count, tel);
            free(tel);
        }
        if (!shown && k->email) {
            strbuf mail = {0};
            strbuf_printf(&mail, "mailto:%s", k->email);
            shown = in_list(urls, url_count, mail.data);
            free(mail.data);
        }
        if (!shown && k->website)
            shown = in_list(urls, url_count, k->website);
        if (shown)
            dep_list_add(list, DEP_CONTACT, k->id, NULL);
    }
    free(urls);
}

/* ---- explaining a difference -------------------------------------------- */

static void describe(strbuf *b, const dep *d)
{
    switch (d->kind) {
    case DEP_CONTACT: strbuf_printf(b, "contact '%s'", d->name); break;
    case DEP_VALUE:
        if (strcmp(d->name, "leafpress") == 0)
            strbuf_puts(b, "the leafpress version");
        else if (strcmp(d->name, "libraries") == 0)
            strbuf_puts(b, "the library versions");
        else
            strbuf_puts(b, d->name);
        break;
    case DEP_DIR: strbuf_printf(b, "folder %s", d->name); break;
    default: strbuf_puts(b, d->name); break;
    }
}

char *fp_explain(const dep_list *before, const dep_list *now)
{
    strbuf b = {0};
    for (size_t i = 0; i < now->count && !b.length; i++) {
        const dep *d = &now->items[i];
        const dep *old = dep_find(before, d->kind, d->name);
        if (!old) {
            describe(&b, d);
            strbuf_puts(&b, " is a new input");
        } else if (strcmp(old->digest.hex, d->digest.hex) != 0) {
            describe(&b, d);
            if (strcmp(d->digest.hex, FP_MISSING) == 0)
                strbuf_puts(&b, d->kind == DEP_CONTACT ? " is gone from the registry" : " is missing");
            else if (strcmp(old->digest.hex, FP_MISSING) == 0)
                strbuf_puts(&b, d->kind == DEP_CONTACT ? " is back in the registry" : " appeared");
            else
                strbuf_puts(&b, " changed");
        }
    }
    for (size_t i = 0; i < before->count && !b.length; i++) {
        const dep *d = &before->items[i];
        if (!dep_find(now, d->kind, d->name)) {
            describe(&b, d);
            strbuf_puts(&b, " is no longer an input");
        }
    }
    return b.length ? strbuf_take(&b) : NULL;
}
