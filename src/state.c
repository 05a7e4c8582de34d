#include "state.h"

#include <errno.h>
#include <stdint.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "textutil.h"

#define STATE_MAGIC "leafpress-state"

char *state_path(const char *output_dir)
{
    strbuf b = {0};
    strbuf_printf(&b, "%s/%s", output_dir, STATE_FILE_NAME);
    return strbuf_take(&b);
}

/* ---- entries --------------------------------------------------------------- */

void state_output_free(state_output *out)
{
    free(out->path);
    free(out->kind);
    free(out->source);
    free(out->variant);
    for (size_t i = 0; i < out->file_count; i++)
        free(out->files[i].path);
    free(out->files);
    dep_list_free(&out->deps);
    memset(out, 0, sizeof *out);
}

void state_output_add_file(state_output *out, const char *path, const fp_digest *digest,
                           long long bytes)
{
    out->files = xrealloc(out->files, (out->file_count + 1) * sizeof *out->files);
    out->files[out->file_count++] = (state_written){xstrdup(path), *digest, bytes};
}

void state_free(leaf_state *st)
{
    for (size_t i = 0; i < st->count; i++)
        state_output_free(&st->outputs[i]);
    free(st->outputs);
    if (st->index)
        g_hash_table_destroy(st->index);
    fp_file_cache_free(&st->files);
    memset(st, 0, sizeof *st);
}

/* The index holds each entry's own path string as its key. */
static void reindex(leaf_state *st)
{
    if (st->index)
        g_hash_table_remove_all(st->index);
    else
        st->index = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < st->count; i++)
        g_hash_table_insert(st->index, st->outputs[i].path, GSIZE_TO_POINTER(i + 1));
}

state_output *state_find(const leaf_state *st, const char *path)
{
    if (!st->index)
        return NULL;
    size_t at = GPOINTER_TO_SIZE(g_hash_table_lookup(st->index, path));
    return at ? &st->outputs[at - 1] : NULL;
}

void state_put(leaf_state *st, state_output *out)
{
    state_output *old = state_find(st, out->path);
    if (old) {
        /* the table's key is the old entry's own path: out before it is freed */
        g_hash_table_remove(st->index, old->path);
        state_output_free(old);
        *old = *out;
        g_hash_table_insert(st->index, old->path, GSIZE_TO_POINTER(old - st->outputs + 1));
    } else {
        if (st->count == st->capacity) {
            st->capacity = st->capacity ? 2 * st->capacity : 32;
            st->outputs = xrealloc(st->outputs, st->capacity * sizeof *st->outputs);
        }
        st->outputs[st->count++] = *out;
        if (!st->index)
            st->index = g_hash_table_new(g_str_hash, g_str_equal);
        g_hash_table_insert(st->index, st->outputs[st->count - 1].path, GSIZE_TO_POINTER(st->count));
    }
    memset(out, 0, sizeof *out);
}

void state_retain(leaf_state *st, bool (*keep)(const state_output *, void *), void *data)
{
    size_t n = 0;
    for (size_t i = 0; i < st->count; i++) {
        if (keep(&st->outputs[i], data))
            st->outputs[n++] = st->outputs[i];
        else
            state_output_free(&st->outputs[i]);
    }
    st->count = n;
    reindex(st);
}

/* ---- text format ------------------------------------------------------------ */

void state_escape(strbuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= 0x20 || *p == 0x7f || *p == '%')
            strbuf_printf(b, "%%%02X", *p);
        else
            strbuf_append(b, (const char *)p, 1);
    }
    if (!*s)
        strbuf_puts(b, "%"); /* a lone % is the empty string: a field is never blank */
}

/* Decodes a field in place; false when it is malformed. */
bool state_unescape(char *s)
{
    if (strcmp(s, "%") == 0) {
        *s = '\0';
        return true;
    }
    char *out = s;
    for (char *p = s; *p; p++) {
        if (*p != '%') {
            *out++ = *p;
            continue;
        }
        int hi = hex_digit((unsigned char)p[1]), lo = hi < 0 ? -1 : hex_digit((unsigned char)p[2]);
        if (lo < 0 || (hi == 0 && lo == 0))
            return false;
        *out++ = (char)(hi * 16 + lo);
        p += 2;
    }
    *out = '\0';
    return true;
}

static bool digest_ok(const char *s)
{
    if (s[0] == '-' && !s[1])
        return true; /* FP_MISSING */
    /* lower-case hex only, as fp_digest writes it: a table, as a state has hundreds */
    static const char HEX[256] = {['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
                                  ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
                                  ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1};
    size_t n = 0;
    while (n < FP_DIGEST_LENGTH && HEX[(unsigned char)s[n]])
        n++;
    return n == FP_DIGEST_LENGTH && !s[n];
}

/* A checked digest field into d (no printf: a state has hundreds). */
static void digest_set(fp_digest *d, const char *s)
{
    size_t n = strlen(s);
    memcpy(d->hex, s, n + 1);
}

static bool unsigned_ok(const char *s, unsigned long long *value)
{
    if (!*s || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno)
        return false;
    *value = v;
    return true;
}

static bool number_ok(const char *s, long long *value)
{
    if (!*s)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno || v < 0)
        return false;
    *value = v;
    return true;
}

void state_checksum(const void *data, size_t length, char hex[STATE_CHECKSUM_LENGTH + 1])
{
    /* each step (xor a word, multiply by an odd constant, fold the top half
     * down) is a bijection of the running value: a change to any one word
     * always changes the result, and two or more are missed 1 time in 2^64 */
    const unsigned char *p = data;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)length;
    size_t i = 0;
    for (; i + 8 <= length; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    uint64_t tail = 0;
    memcpy(&tail, p + i, length - i);
    h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
    snprintf(hex, STATE_CHECKSUM_LENGTH + 1, "%016llx", (unsigned long long)h);
}

static bool same_deps(const dep_list *a, const dep_list *b)
{
    bool same = a->count == b->count;
    for (size_t i = 0; i < a->count && same; i++)
        same = a->items[i].kind == b->items[i].kind &&
               strcmp(a->items[i].name, b->items[i].name) == 0 &&
               strcmp(a->items[i].digest.hex, b->items[i].digest.hex) == 0;
    return same;
}

/* A copy of a list that has no two alike. */
static void copy_deps(dep_list *to, const dep_list *from)
{
    to->capacity = from->count + 1;
    to->items = xcalloc(to->capacity, sizeof *to->items);
    for (size_t i = 0; i < from->count; i++) {
        to->items[i] = from->items[i];
        to->items[i].name = xstrdup(from->items[i].name);
    }
    to->count = from->count;
}

char *state_format(const leaf_state *st)
{
    strbuf b = {0};
    strbuf_printf(&b, STATE_MAGIC " %d\n", STATE_FORMAT_VERSION);
    strbuf_puts(&b, "# written by leafpress; delete it to rebuild everything\n");
    /* only cache entries someone will ask for again: looked at in this run,
     * or named by an output that is kept */
    bool *wanted = xcalloc(st->files.count + 1, sizeof *wanted);
    fp_file_cache *files = (fp_file_cache *)&st->files; /* lookups only */
    for (size_t k = 0; k < st->count; k++) {
        const state_output *o = &st->outputs[k];
        for (size_t f = 0; f < o->file_count; f++) {
            fp_file_entry *e = fp_file_cache_find(files, o->files[f].path);
            if (e)
                wanted[e - files->items] = true;
        }
        for (size_t d = 0; d < o->deps.count; d++) {
            fp_file_entry *e = o->deps.items[d].kind == DEP_FILE
                                   ? fp_file_cache_find(files, o->deps.items[d].name)
                                   : NULL;
            if (e)
                wanted[e - files->items] = true;
        }
    }
    for (size_t i = 0; i < st->files.count; i++) {
        const fp_file_entry *e = &st->files.items[i];
        if (!(wanted[i] || e->used) || e->folder || strcmp(e->digest.hex, FP_MISSING) == 0)
            continue;
        strbuf_printf(&b, "file %s %lld %lld %lld %llu %d ", e->digest.hex,
                      (long long)e->stat.size, (long long)e->stat.mtime_ns,
                      (long long)e->stat.ctime_ns, (unsigned long long)e->stat.ino,
                      e->trusted ? 1 : 0);
        state_escape(&b, e->path);
        strbuf_puts(&b, "\n");
    }
    free(wanted);
    for (size_t i = 0; i < st->count; i++) {
        const state_output *o = &st->outputs[i];
        strbuf_puts(&b, "output ");
        state_escape(&b, o->kind);
        strbuf_puts(&b, " ");
        state_escape(&b, o->path);
        strbuf_puts(&b, "\nsource ");
        state_escape(&b, o->source);
        strbuf_puts(&b, "\nvariant ");
        state_escape(&b, o->variant);
        strbuf_printf(&b, "\nfingerprint %s\npages %lld\ntime_ms %lld\n", o->fingerprint.hex,
                      o->pages, (long long)(o->time_ms + 0.5));
        for (size_t f = 0; f < o->file_count; f++) {
            strbuf_printf(&b, "wrote %s %lld ", o->files[f].digest.hex, o->files[f].bytes);
            state_escape(&b, o->files[f].path);
            strbuf_puts(&b, "\n");
        }
        /* the kinds of one variant mostly share their inputs: said once */
        const state_output *like = NULL;
        for (size_t k = i; k-- > 0 && i - k <= 8 && !like;)
            if (same_deps(&st->outputs[k].deps, &o->deps))
                like = &st->outputs[k];
        if (like) {
            strbuf_puts(&b, "deps-like ");
            state_escape(&b, like->path);
            strbuf_puts(&b, "\n");
        }
        for (size_t d = 0; d < o->deps.count && !like; d++) {
            strbuf_printf(&b, "dep %s %s ", dep_kind_name(o->deps.items[d].kind),
                          o->deps.items[d].digest.hex);
            state_escape(&b, o->deps.items[d].name);
            strbuf_puts(&b, "\n");
        }
        strbuf_puts(&b, "end\n");
    }
    char sum[STATE_CHECKSUM_LENGTH + 1];
    state_checksum(b.data, b.length, sum);
    strbuf_printf(&b, "checksum %s\n", sum);
    return strbuf_take(&b);
}

/* Splits a line into at most `max` space-separated fields; false when the
 * count is not `want`. */
static bool split(char *line, char **fields, size_t want)
{
    size_t n = 0;
    for (char *p = line; *p;) {
        if (n == want)
            return false;
        fields[n++] = p;
        char *space = strchr(p, ' ');
        if (!space)
            break;
        *space = '\0';
        p = space + 1;
        if (!*p)
            return false; /* a trailing space */
    }
    return n == want;
}

static bool corrupt(char **problem, int line, const char *what)
{
    if (problem) {
        strbuf b = {0};
        strbuf_printf(&b, "state file is corrupt at line %d (%s)", line, what);
        *problem = strbuf_take(&b);
    }
    return false;
}

bool state_parse(leaf_state *st, const char *text, size_t length, char **problem)
{
    state_free(st);
    if (problem)
        *problem = NULL;
    if (memchr(text, '\0', length))
        return corrupt(problem, 0, "a NUL byte");
    /* the checksum line first: nothing else is read from a state that fails it */
    const char *tail = length ? text + length - 1 : text;
    if (length == 0 || *tail != '\n')
        return corrupt(problem, 0, "it does not end with a complete line");
    const char *last = tail;
    while (last > text && last[-1] != '\n')
        last--;
    size_t prefix = (size_t)(last - text);
    char sum_line[128];
    size_t last_length = (size_t)(tail - last);
    if (last_length >= sizeof sum_line || strncmp(last, "checksum ", 9) != 0)
        return corrupt(problem, 0, "no checksum at the end: truncated?");
    memcpy(sum_line, last + 9, last_length - 9);
    sum_line[last_length - 9] = '\0';
    char sum[STATE_CHECKSUM_LENGTH + 1];
    state_checksum(text, prefix, sum);
    if (strcmp(sum, sum_line) != 0)
        return corrupt(problem, 0, "the checksum does not match: edited or damaged");

    char *copy = xstrndup(text, prefix);
    char *fields[8];
    state_output cur = {0};
    bool in_output = false, ok = true;
    int line_number = 0;
    const char *why = NULL;
    for (char *line = copy, *next; ok && line && *line; line = next) {
        line_number++;
        char *nl = strchr(line, '\n');
        *nl = '\0';
        next = nl + 1;
        if (line_number == 1) {
            char magic[32];
            int version = 0;
            char extra;
            if (sscanf(line, "%31s %d%c", magic, &version, &extra) != 2 ||
                strcmp(magic, STATE_MAGIC) != 0) {
                ok = false, why = "not a leafpress state file";
            } else if (version != STATE_FORMAT_VERSION) {
                ok = false, why = "another format version";
            }
            continue;
        }
        if (line[0] == '#')
            continue;
        char *space = strchr(line, ' ');
        const char *word = line;
        char *rest = space ? space + 1 : line + strlen(line);
        if (space)
            *space = '\0';
        long long a = 0, b = 0, c = 0;
        unsigned long long i = 0;
        if (!in_output && strcmp(word, "file") == 0) {
            if (!(ok = split(rest, fields, 7) && digest_ok(fields[0]) && number_ok(fields[1], &a) &&
                       number_ok(fields[2], &b) && number_ok(fields[3], &c) &&
                       unsigned_ok(fields[4], &i) &&
                       (strcmp(fields[5], "0") == 0 || strcmp(fields[5], "1") == 0) &&
                       state_unescape(fields[6])))
                why = "bad file line";
            else {
                fp_digest d;
                digest_set(&d, fields[0]);
                fp_stat at = {a, b, c, i};
                fp_file_cache_put(&st->files, fields[6], &d, &at, fields[5][0] == '1');
            }
        } else if (!in_output && strcmp(word, "output") == 0) {
            if (!(ok = split(rest, fields, 2) && state_unescape(fields[0]) && state_unescape(fields[1]))) {
                why = "bad output line";
            } else {
                in_output = true;
                cur.kind = xstrdup(fields[0]);
                cur.path = xstrdup(fields[1]);
            }
        } else if (in_output && strcmp(word, "source") == 0 && !cur.source) {
            ok = split(rest, fields, 1) && state_unescape(fields[0]);
            if (ok)
                cur.source = xstrdup(fields[0]);
        } else if (in_output && strcmp(word, "variant") == 0 && !cur.variant) {
            ok = split(rest, fields, 1) && state_unescape(fields[0]);
            if (ok)
                cur.variant = xstrdup(fields[0]);
        } else if (in_output && strcmp(word, "fingerprint") == 0) {
            ok = split(rest, fields, 1) && digest_ok(fields[0]) && strcmp(fields[0], FP_MISSING);
            if (ok)
                digest_set(&cur.fingerprint, fields[0]);
        } else if (in_output && strcmp(word, "pages") == 0) {
            ok = split(rest, fields, 1) && number_ok(fields[0], &cur.pages);
        } else if (in_output && strcmp(word, "time_ms") == 0) {
            ok = split(rest, fields, 1) && number_ok(fields[0], &a);
            cur.time_ms = (double)a;
        } else if (in_output && strcmp(word, "wrote") == 0) {
            ok = split(rest, fields, 3) && digest_ok(fields[0]) && strcmp(fields[0], FP_MISSING) &&
                 number_ok(fields[1], &a) && state_unescape(fields[2]);
            if (ok) {
                fp_digest d;
                digest_set(&d, fields[0]);
                state_output_add_file(&cur, fields[2], &d, a);
            }
        } else if (in_output && strcmp(word, "dep") == 0) {
            dep_kind kind;
            ok = split(rest, fields, 3) && dep_kind_parse(fields[0], &kind) &&
                 digest_ok(fields[1]) && state_unescape(fields[2]);
            if (ok)
                dep_list_add(&cur.deps, kind, fields[2], fields[1]);
        } else if (in_output && strcmp(word, "deps-like") == 0 && !cur.deps.count) {
            const state_output *like = NULL;
            ok = split(rest, fields, 1) && state_unescape(fields[0]) &&
                 (like = state_find(st, fields[0])) != NULL;
            if (ok)
                copy_deps(&cur.deps, &like->deps);
        } else if (in_output && strcmp(word, "end") == 0 && !*rest) {
            /* complete entries only; the first file is the output itself */
            ok = cur.source && cur.variant && cur.fingerprint.hex[0] && cur.file_count &&
                 strcmp(cur.files[0].path, cur.path) == 0 && cur.deps.count &&
                 !state_find(st, cur.path);
            if (ok) {
                state_put(st, &cur);
                in_output = false;
            } else {
                why = "incomplete output entry";
            }
        } else {
            ok = false;
        }
        if (!ok && !why)
            why = "unexpected line";
    }
    if (ok && in_output)
        ok = false, why = "an output entry without end";
    if (ok && line_number == 0)
        ok = false, why = "empty";
    state_output_free(&cur);
    free(copy);
    if (!ok) {
        state_free(st);
        return corrupt(problem, line_number, why);
    }
    /* the file list's mtimes were trusted when written; nothing is "used" yet */
    st->files.changed = false;
    return true;
}

void state_load(leaf_state *st, const char *path, char **problem)
{
    memset(st, 0, sizeof *st);
    if (problem)
        *problem = NULL;
    size_t length;
    char *text = read_file(path, &length);
    if (!text) {
        if (problem) {
            strbuf b = {0};
            if (errno == ENOENT)
                strbuf_puts(&b, "no state file yet");
            else
                strbuf_printf(&b, "cannot read the state file: %s", strerror(errno));
            *problem = strbuf_take(&b);
        }
        return;
    }
    state_parse(st, text, length, problem);
    free(text);
}

bool state_save(const leaf_state *st, const char *path, diag_list *diags)
{
    char *text = state_format(st);
    bool ok = state_save_text(text, path, diags);
    free(text);
    return ok;
}

bool state_save_text(const char *text, const char *path, diag_list *diags)
{
    /* no fsync: a state lost in a crash is a corrupt or missing state, which rebuilds */
    int error = write_text_atomically(path, text);
    if (error)
        diag_report(diags, SEVERITY_WARNING, path, 0, 0,
                    "cannot write the build state (%s); the next build redoes everything",
                    strerror(error));
    return !error;
}

/* ---- up to date? ------------------------------------------------------------- */

bool state_check(const leaf_state *st, const fp_context *ctx, const char *path,
                 const dep_list *fresh, char **why)
{
    *why = NULL;
    const state_output *o = state_find(st, path);
    strbuf b = {0};
    if (!o) {
        *why = xstrdup("not built yet");
        return false;
    }
    for (size_t f = 0; f < o->file_count; f++) {
        fp_digest now;
        fp_file_digest(ctx->files, o->files[f].path, &now);
        if (strcmp(now.hex, FP_MISSING) == 0) {
            strbuf_printf(&b, "%s is missing", o->files[f].path);
            *why = strbuf_take(&b);
            return false;
        }
        if (strcmp(now.hex, o->files[f].digest.hex) != 0) {
            strbuf_printf(&b, "%s was changed after leafpress wrote it", o->files[f].path);
            *why = strbuf_take(&b);
            return false;
        }
    }
    /* the common case first, with nothing copied: every recorded input has
     * its recorded digest now, and the plan's are all among them */
    bool quick = true;
    for (size_t i = 0; i < o->deps.count && quick; i++) {
        dep one = o->deps.items[i]; /* shares its name: evaluated, never freed */
        dep_list view = {&one, 1, 1};
        fp_evaluate(ctx, &view);
        quick = strcmp(one.digest.hex, o->deps.items[i].digest.hex) == 0;
    }
    for (size_t i = 0; i < fresh->count && quick; i++) {
        bool found = false;
        for (size_t k = 0; k < o->deps.count && !found; k++)
            found = o->deps.items[k].kind == fresh->items[i].kind &&
                    strcmp(o->deps.items[k].name, fresh->items[i].name) == 0;
        quick = found;
    }
    if (quick)
        return true;
    /* the recorded list has no two alike (state_parse): copied as it is */
    dep_list now = {0};
    copy_deps(&now, &o->deps);
    dep_list_merge(&now, fresh);
    fp_evaluate(ctx, &now);
    /* the same names with the same digests: the same fingerprint, without
     * hashing the list (a thousand leaflets' no-op build does this for each output) */
    bool same = now.count == o->deps.count;
    for (size_t i = 0; i < now.count && same; i++)
        same = strcmp(now.items[i].digest.hex, o->deps.items[i].digest.hex) == 0 &&
               now.items[i].kind == o->deps.items[i].kind &&
               strcmp(now.items[i].name, o->deps.items[i].name) == 0;
    if (!same) {
        fp_digest fp;
        fp_combine(&now, &fp);
        same = strcmp(fp.hex, o->fingerprint.hex) == 0;
    }
    if (!same) {
        *why = fp_explain(&o->deps, &now);
        if (!*why) /* the recorded list does not add up to its fingerprint */
            *why = xstrdup("its recorded inputs do not match their fingerprint");
    }
    dep_list_free(&now);
    return same;
}
