#define _POSIX_C_SOURCE 200809L /* st_mtim, mmap */
#include "hyphenate.h"

#include <ctype.h>
#include <fcntl.h>
#include <hyphen.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modules.h"
#include "textutil.h"

#define SOFT_HYPHEN "\xC2\xAD"
#define NO_BREAK_SPACE "\xC2\xA0"
#define MIN_WORD 6   /* shorter words are never worth a hyphen */

/* Words of the language (Debian's wordlist packages), to find the parts
 * of compounds: a set of 64-bit hashes of the lower-case words in the
 * patterns' encoding (a false "known" is about 1 in 10^13 lookups). */
typedef struct word_set {
    uint64_t *slots;           /* 0: empty; a hash h starts looking at h >> shift */
    size_t mask;
    int shift;
} word_set;

struct hyphenator {
    HyphenDict *dict;
    bool latin1; /* Debian's Dutch patterns are ISO-8859-1 */
    word_set words;            /* empty when no word list is installed */
    /* From a compiled file (see "Compiled patterns" below): dict lives in
     * arena, words.slots in the mapping; else both are malloc'd. */
    void *arena;
    void *map;
    size_t map_length;
};

#define PART_MIN 3        /* a compound's part has at least this many letters */
#define PART_MIN_LEFT 3   /* inside a part, a break leaves this many of its letters before */
#define PART_MIN_RIGHT 4  /* ... and this many after: never pacema-kerpas */

/* FNV-1a, one byte at a time: hash_step extends the hash of a string by
 * one byte, so the hashes of all prefixes of a string cost one pass. */
#define HASH_START 14695981039346656037u
static uint64_t hash_step(uint64_t h, unsigned char c) { return (h ^ c) * 1099511628211u; }
static uint64_t hash_final(uint64_t h) { return h ? h : 1; } /* 0 marks an empty slot */

static uint64_t hash_bytes(const unsigned char *s, size_t n)
{
    uint64_t h = HASH_START;
    for (size_t i = 0; i < n; i++)
        h = hash_step(h, s[i]);
    return hash_final(h);
}

/* Is the word with hash h (hash_bytes) in the set? */
static bool hash_known(const word_set *w, uint64_t h)
{
    if (!w->slots)
        return false;
    /* at most every slot once: a damaged compiled table may have no empty one */
    size_t i = (size_t)(h >> w->shift);
    for (size_t probes = 0; probes <= w->mask; probes++, i = (i + 1) & w->mask) {
        if (w->slots[i] == h)
            return true;
        if (!w->slots[i])
            return false;
    }
    return false;
}

/* Sorts hashes, least significant 16 bits first. */
static void radix_sort(uint64_t *a, size_t n)
{
    uint64_t *tmp = xmalloc(n * sizeof *tmp);
    size_t *count = xmalloc(65536 * sizeof *count);
    for (int pass = 0; pass < 4; pass++) {
        int bits = pass * 16;
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(a[i] >> bits) & 0xFFFF]++;
        size_t total = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = total;
            total += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(a[i] >> bits) & 0xFFFF]++] = a[i];
        memcpy(a, tmp, n * sizeof *a);
    }
    free(count);
    free(tmp);
}

/* Reads a UTF-8 word list, one word a line; keeps the lower-case words of
 * letters only that the patterns' encoding can hold. Hashes are sorted
 * first, so that filling the table (indexed by a hash's top bits) walks
 * it in order: loading 400,000 words costs a few milliseconds, not the
 * tens that random inserts would. */
static void word_set_load(word_set *w, const char *path, bool latin1)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    strbuf data = {0};
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && data.length < (64u << 20))
        strbuf_append(&data, chunk, got);
    fclose(f);
    size_t count = 0, capacity = data.length / 8 + 16;
    uint64_t *hashes = xmalloc(capacity * sizeof *hashes);
    const unsigned char *p = (const unsigned char *)data.data, *end = p + data.length;
    while (p < end) {
        unsigned char word[256];
        size_t n = 0;
        bool ok = true;
        for (; p < end && *p != '\n'; p++) {
            if (!ok)
                continue;
            uint32_t cp = *p;
            if (cp >= 0x80) { /* two-byte UTF-8 only: Latin-1 letters */
                if ((cp & 0xE0) != 0xC0 || p + 1 >= end) {
                    ok = false;
                    continue;
                }
                cp = ((cp & 0x1Fu) << 6) | (p[1] & 0x3Fu);
                p++;
            }
            bool lower = (cp >= 'a' && cp <= 'z') || (latin1 && cp >= 0xDF && cp <= 0xFF && cp != 0xF7);
            if (!lower || n == sizeof word)
                ok = false;
            else
                word[n++] = (unsigned char)cp;
        }
        p++;
        if (ok && n >= PART_MIN) {
            if (count == capacity)
                hashes = xrealloc(hashes, (capacity *= 2) * sizeof *hashes);
            hashes[count++] = hash_bytes(word, n);
        }
    }
    free(data.data);
    if (!count) {
        free(hashes);
        return;
    }
    radix_sort(hashes, count);
    int bits = 1;
    while (((size_t)1 << bits) < count * 2)
        bits++;
    w->slots = xcalloc((size_t)1 << bits, sizeof *w->slots);
    w->mask = ((size_t)1 << bits) - 1;
    w->shift = 64 - bits;
    for (size_t k = 0; k < count; k++) {
        if (k && hashes[k] == hashes[k - 1])
            continue;
        size_t i = (size_t)(hashes[k] >> w->shift);
        while (w->slots[i])
            i = (i + 1) & w->mask;
        w->slots[i] = hashes[k];
    }
    free(hashes);
}

static const char *word_list_dir(void)
{
    const char *dir = getenv("LEAFPRESS_WORDLIST_DIR");
    return dir && *dir ? dir : "/usr/share/dict";
}

static const char *hyphen_dirs(void)
{
    const char *dir = getenv("LEAFPRESS_HYPHEN_DIR");
    return dir && *dir ? dir : "/usr/share/hyphen";
}

/* ---- Compiled patterns ----------------------------------------------------
 * libhyphen parses its text patterns in every process (for Dutch, with the
 * word list, most of a `check`). The build compiles them once
 * (hyphen_compile, run by src/tools/hyphen_compile.c) into
 * MODULE_DIR/hyphen/NAME.lph: the loaded HyphenDict levels as flat records
 * and the word list's hash table as it is in memory. hyphenator_open takes
 * that file only when it was made from the very files it would read (their
 * device, inode, size and mtime) and it checks out (magic, version, sizes,
 * every index and string in range, no fallback cycle, a checksum over the
 * patterns); anything else reads the text, so the hyphenation is the same
 * either way. Layout (host byte order; the reader checks the marker):
 *   header  magic[8] "LPHYPH1\n", u32 version, u32 0x01020304, identity of
 *           the .dic and of the word list (5 x u64 each: dev, ino, size,
 *           mtime s, mtime ns; all 0: no list), u32 latin1, u32 levels,
 *           u64 patterns_length, u64 checksum (of the patterns, checksum_of),
 *           u64 slot_count (0 or a power of two), u64 slots_offset
 *   patterns, per level: i32 lhmin rhmin clhmin crhmin nohyphenl num_states
 *           utf8 nohyphen(string offset or -1) num_trans strings_length,
 *           cset[20]; num_states x (i32 match, repl (offset or -1),
 *           replindex, replcut, fallback_state, num_trans, first_trans);
 *           num_trans x (i32 ch, new_state); the strings
 *   slots   at slots_offset (8-aligned), slot_count x u64, mapped as is */

#define LPH_MAGIC "LPHYPH1\n"
#define LPH_VERSION 1u
#define LPH_ENDIAN 0x01020304u
#define LPH_MAX_LEVELS 4
#define LPH_HEADER (8 + 4 + 4 + 10 * 8 + 4 + 4 + 4 * 8)

typedef struct file_id { uint64_t v[5]; } file_id;

static file_id id_of(const struct stat *st)
{
    return (file_id){{(uint64_t)st->st_dev, (uint64_t)st->st_ino, (uint64_t)st->st_size,
                      (uint64_t)st->st_mtim.tv_sec, (uint64_t)st->st_mtim.tv_nsec}};
}

/* FNV-1a over 8-byte words (the tail zero-padded): 8 times faster than
 * bytes, and as good at catching a damaged or truncated file. */
static uint64_t checksum_of(const unsigned char *p, size_t n)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t w = 0;
        memcpy(&w, p + i, n - i < 8 ? n - i : 8);
        h = (h ^ w) * 1099511628211u;
    }
    return h ^ n;
}

static void put32(strbuf *b, int64_t v)
{
    uint32_t u = (uint32_t)v;
    strbuf_append(b, (const char *)&u, 4);
}
static void put64(strbuf *b, uint64_t v) { strbuf_append(b, (const char *)&v, 8); }

/* Appends s to the string pool; its offset, or -1 for NULL. */
static int64_t pool_add(strbuf *pool, const char *s)
{
    if (!s)
        return -1;
    int64_t at = (int64_t)pool->length;
    strbuf_append(pool, s, strlen(s) + 1);
    return at;
}

static void put_level(strbuf *b, const HyphenDict *d)
{
    strbuf pool = {0};
    size_t trans = 0;
    for (int i = 0; i < d->num_states; i++)
        trans += (size_t)d->states[i].num_trans;
    int64_t nohyphen = pool_add(&pool, d->nohyphen);
    strbuf records = {0};
    size_t first = 0;
    for (int i = 0; i < d->num_states; i++) {
        const HyphenState *st = &d->states[i];
        put32(&records, pool_add(&pool, st->match));
        put32(&records, pool_add(&pool, st->repl));
        /* libhyphen leaves these unset without a replacement, and reads
         * them only with one: 0, so the file depends on the patterns only */
        put32(&records, st->repl ? st->replindex : 0);
        put32(&records, st->repl ? st->replcut : 0);
        put32(&records, st->fallback_state);
        put32(&records, st->num_trans);
        put32(&records, (int64_t)first);
        first += (size_t)st->num_trans;
    }
    for (int i = 0; i < d->num_states; i++)
        for (int k = 0; k < d->states[i].num_trans; k++) {
            put32(&records, (unsigned char)d->states[i].trans[k].ch);
            put32(&records, d->states[i].trans[k].new_state);
        }
    put32(b, d->lhmin);
    put32(b, d->rhmin);
    put32(b, d->clhmin);
    put32(b, d->crhmin);
    put32(b, d->nohyphenl);
    put32(b, d->num_states);
    put32(b, d->utf8);
    put32(b, nohyphen);
    put32(b, (int64_t)trans);
    put32(b, (int64_t)pool.length);
    char cset[sizeof d->cset] = {0}; /* what follows the name's NUL is not set either */
    memcpy(cset, d->cset, strnlen(d->cset, sizeof cset - 1));
    strbuf_append(b, cset, sizeof cset);
    strbuf_append(b, records.data ? records.data : "", records.length);
    strbuf_append(b, pool.data ? pool.data : "", pool.length);
    free(records.data);
    free(pool.data);
}

/* A reader over the patterns that fails (once, for good) on running out. */
typedef struct reader { const unsigned char *p, *end; bool bad; } reader;

static int32_t get32(reader *r)
{
    if (r->bad || r->end - r->p < 4) {
        r->bad = true;
        return 0;
    }
    uint32_t u;
    memcpy(&u, r->p, 4);
    r->p += 4;
    return (int32_t)u;
}
static uint64_t get64(reader *r)
{
    if (r->bad || r->end - r->p < 8) {
        r->bad = true;
        return 0;
    }
    uint64_t u;
    memcpy(&u, r->p, 8);
    r->p += 8;
    return u;
}

/* Sizes of one level, read ahead so the arena can be allocated at once. */
typedef struct level_shape { int32_t states, trans, pool; } level_shape;

static bool shape_levels(reader r, uint32_t levels, level_shape *shape)
{
    for (uint32_t l = 0; l < levels; l++) {
        for (int k = 0; k < 5; k++)
            get32(&r);
        shape[l].states = get32(&r);
        get32(&r);
        get32(&r);
        shape[l].trans = get32(&r);
        shape[l].pool = get32(&r);
        if (r.bad || shape[l].states <= 0 || shape[l].trans < 0 || shape[l].pool < 0 ||
            shape[l].states > (1 << 24) || shape[l].trans > (1 << 24) || shape[l].pool > (1 << 26))
            return false;
        size_t skip = MAX_NAME + (size_t)shape[l].states * 28 + (size_t)shape[l].trans * 8 +
                      (size_t)shape[l].pool;
        if ((size_t)(r.end - r.p) < skip)
            return false;
        r.p += skip;
    }
    return r.p == r.end;
}

/* A string of the pool at offset (or NULL for -1); false when out of range
 * or not terminated inside the pool. */
static bool pool_string(char *pool, int32_t size, int32_t offset, char **out)
{
    if (offset == -1) {
        *out = NULL;
        return true;
    }
    if (offset < 0 || offset >= size || !memchr(pool + offset, '\0', (size_t)(size - offset)))
        return false;
    *out = pool + offset;
    return true;
}

/* A level's string pool in the arena, padded so that the next level's
 * states start aligned (libhyphen's structs hold pointers). */
static size_t pool_span(int32_t pool)
{
    size_t align = _Alignof(max_align_t);
    return ((size_t)pool + align - 1) / align * align;
}

/* Rebuilds the levels into one arena (freed with free()); NULL if anything
 * is out of range. The level structs come first: the arena is levels[0]. */
static void *read_levels(reader r, uint32_t levels)
{
    level_shape shape[LPH_MAX_LEVELS];
    if (levels == 0 || levels > LPH_MAX_LEVELS || !shape_levels(r, levels, shape))
        return NULL;
    size_t size = levels * sizeof(HyphenDict);
    for (uint32_t l = 0; l < levels; l++)
        size += (size_t)shape[l].states * sizeof(HyphenState) +
                (size_t)shape[l].trans * sizeof(HyphenTrans) + pool_span(shape[l].pool);
    unsigned char *arena = xcalloc(1, size);
    HyphenDict *dicts = (HyphenDict *)arena;
    unsigned char *next = arena + levels * sizeof(HyphenDict);
    bool ok = true;
    int *depth = NULL;
    for (uint32_t l = 0; ok && l < levels; l++) {
        HyphenDict *d = &dicts[l];
        d->lhmin = (char)get32(&r);
        d->rhmin = (char)get32(&r);
        d->clhmin = (char)get32(&r);
        d->crhmin = (char)get32(&r);
        d->nohyphenl = get32(&r);
        d->num_states = get32(&r);
        d->utf8 = get32(&r);
        int32_t nohyphen = get32(&r);
        get32(&r);
        get32(&r);
        memcpy(d->cset, r.p, sizeof d->cset);
        d->cset[sizeof d->cset - 1] = '\0';
        r.p += sizeof d->cset;
        d->states = (HyphenState *)next;
        next += (size_t)shape[l].states * sizeof(HyphenState);
        HyphenTrans *trans = (HyphenTrans *)next;
        next += (size_t)shape[l].trans * sizeof(HyphenTrans);
        char *pool = (char *)next;
        next += pool_span(shape[l].pool);
        const unsigned char *records = r.p;
        r.p += (size_t)shape[l].states * 28 + (size_t)shape[l].trans * 8;
        memcpy(pool, r.p, (size_t)shape[l].pool);
        r.p += shape[l].pool;
        reader rec = {records, records + (size_t)shape[l].states * 28 + (size_t)shape[l].trans * 8, false};
        ok = pool_string(pool, shape[l].pool, nohyphen, &d->nohyphen) && d->nohyphenl >= 0;
        int64_t trans_seen = 0;
        for (int i = 0; ok && i < d->num_states; i++) {
            HyphenState *st = &d->states[i];
            int32_t match = get32(&rec), repl = get32(&rec);
            int32_t replindex = get32(&rec), replcut = get32(&rec);
            st->fallback_state = get32(&rec);
            st->num_trans = get32(&rec);
            int32_t first = get32(&rec);
            ok = pool_string(pool, shape[l].pool, match, &st->match) &&
                 pool_string(pool, shape[l].pool, repl, &st->repl) &&
                 replindex >= -128 && replindex <= 127 && replcut >= -128 && replcut <= 127 &&
                 st->fallback_state >= -1 && st->fallback_state < d->num_states &&
                 st->num_trans >= 0 && first == trans_seen &&
                 (int64_t)first + st->num_trans <= shape[l].trans;
            st->replindex = (signed char)replindex;
            st->replcut = (signed char)replcut;
            st->trans = ok && st->num_trans ? trans + first : NULL;
            trans_seen += ok ? st->num_trans : 0;
        }
        ok = ok && trans_seen == shape[l].trans;
        for (int32_t k = 0; ok && k < shape[l].trans; k++) {
            int32_t ch = get32(&rec);
            trans[k].ch = (char)ch;
            trans[k].new_state = get32(&rec);
            ok = ch >= 0 && ch <= 255 && trans[k].new_state >= 0 &&
                 trans[k].new_state < d->num_states;
        }
        /* libhyphen follows fallbacks until -1 and writes a state's match
         * ending at the current letter: every state reached from state 0,
         * each fallback shorter than its state (so no cycle), no match or
         * replacement longer than the letters that lead to its state (+1,
         * as libhyphen makes them) */
        depth = ok ? xrealloc(depth, (size_t)d->num_states * sizeof *depth) : depth;
        int *queue = ok ? xmalloc((size_t)d->num_states * sizeof *queue) : NULL;
        for (int i = 0; ok && i < d->num_states; i++)
            depth[i] = -1;
        size_t head = 0, tail = 0;
        if (ok) {
            depth[0] = 0;
            queue[tail++] = 0;
        }
        while (ok && head < tail) { /* the letters that lead to each state */
            int i = queue[head++];
            for (int k = 0; k < d->states[i].num_trans; k++) {
                int to = d->states[i].trans[k].new_state;
                if (depth[to] < 0) {
                    depth[to] = depth[i] + 1;
                    queue[tail++] = to;
                }
            }
        }
        free(queue);
        for (int i = 0; ok && i < d->num_states; i++) {
            const HyphenState *st = &d->states[i];
            ok = depth[i] >= 0 &&
                 (st->fallback_state < 0 || depth[st->fallback_state] < depth[i]) &&
                 (!st->match || strlen(st->match) <= (size_t)depth[i] + 1) &&
                 (!st->repl || (st->replindex >= 0 && st->replcut >= 0 &&
                                (size_t)st->replindex + (size_t)st->replcut <= (size_t)depth[i] + 1));
        }
        d->nextlevel = l + 1 < levels ? &dicts[l + 1] : NULL;
        ok = ok && !rec.bad && rec.p == rec.end;
    }
    free(depth);
    if (!ok || r.bad) {
        free(arena);
        return NULL;
    }
    return arena;
}

static bool compiled_path(const char *dic_path, char *out, size_t size)
{
    const char *dir = module_dir();
    const char *base = strrchr(dic_path, '/');
    base = base ? base + 1 : dic_path;
    size_t n = strlen(base);
    if (!*dir || n < 5 || strcmp(base + n - 4, ".dic") != 0)
        return false;
    return snprintf(out, size, "%s/hyphen/%.*s.lph", dir, (int)(n - 4), base) < (int)size;
}

/* The compiled form of dic (stat dic_st) with the word list words (NULL:
 * none installed), or NULL when there is none that fits and checks out. */
static hyphenator *open_compiled(const char *dic, const struct stat *dic_st, const char *words)
{
    char path[1024];
    if (!compiled_path(dic, path, sizeof path))
        return NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st, words_st;
    void *map = MAP_FAILED;
    if (fstat(fd, &st) == 0 && st.st_size >= LPH_HEADER)
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return NULL;
    size_t length = (size_t)st.st_size;
    reader r = {map, (const unsigned char *)map + length, false};
    r.p += 8;
    bool ok = memcmp(map, LPH_MAGIC, 8) == 0 && (uint32_t)get32(&r) == LPH_VERSION &&
              (uint32_t)get32(&r) == LPH_ENDIAN;
    file_id want_dic = id_of(dic_st), want_words = {{0}};
    if (words && stat(words, &words_st) == 0)
        want_words = id_of(&words_st);
    for (int k = 0; k < 5; k++)
        ok = get64(&r) == want_dic.v[k] && ok;
    for (int k = 0; k < 5; k++)
        ok = get64(&r) == want_words.v[k] && ok;
    uint32_t latin1 = (uint32_t)get32(&r), levels = (uint32_t)get32(&r);
    uint64_t patterns = get64(&r), checksum = get64(&r);
    uint64_t slots = get64(&r), slots_at = get64(&r);
    ok = ok && !r.bad && latin1 <= 1 && patterns <= length - LPH_HEADER &&
         (slots == 0 || (slots >= 2 && (slots & (slots - 1)) == 0 && slots <= (1u << 28))) &&
         slots_at % 8 == 0 && slots_at >= LPH_HEADER + patterns && slots_at <= length &&
         slots * 8 == length - slots_at &&
         checksum_of(r.p, (size_t)patterns) == checksum;
    void *arena = ok ? read_levels((reader){r.p, r.p + patterns, false}, levels) : NULL;
    if (!arena) {
        munmap(map, length);
        return NULL;
    }
    hyphenator *h = xcalloc(1, sizeof *h);
    h->arena = arena;
    h->dict = arena;
    h->latin1 = latin1;
    h->map = map;
    h->map_length = length;
    if (slots) {
        int bits = 0;
        while (((uint64_t)1 << bits) < slots)
            bits++;
        h->words.slots = (uint64_t *)((unsigned char *)map + slots_at);
        h->words.mask = (size_t)slots - 1;
        h->words.shift = 64 - bits;
    }
    return h;
}

/* Writes h's compiled form for dic (with the word list words, NULL: none)
 * to path, atomically (a temporary file renamed). */
static bool write_compiled(const hyphenator *h, const struct stat *dic_st, const char *words,
                           const char *path)
{
    strbuf patterns = {0};
    uint32_t levels = 0;
    for (const HyphenDict *d = h->dict; d && levels < LPH_MAX_LEVELS; d = d->nextlevel, levels++)
        put_level(&patterns, d);
    struct stat words_st;
    file_id dic_id = id_of(dic_st), words_id = {{0}};
    if (h->words.slots && words && stat(words, &words_st) == 0)
        words_id = id_of(&words_st);
    uint64_t slots = h->words.slots ? h->words.mask + 1 : 0;
    strbuf b = {0};
    strbuf_append(&b, LPH_MAGIC, 8);
    put32(&b, LPH_VERSION);
    put32(&b, LPH_ENDIAN);
    for (int k = 0; k < 5; k++)
        put64(&b, dic_id.v[k]);
    for (int k = 0; k < 5; k++)
        put64(&b, words_id.v[k]);
    put32(&b, h->latin1);
    put32(&b, levels);
    put64(&b, patterns.length);
    put64(&b, checksum_of((const unsigned char *)(patterns.data ? patterns.data : ""), patterns.length));
    uint64_t slots_at = (LPH_HEADER + patterns.length + 7) / 8 * 8;
    put64(&b, slots);
    put64(&b, slots_at);
    strbuf_append(&b, patterns.data ? patterns.data : "", patterns.length);
    while (b.length < slots_at)
        strbuf_append(&b, "", 1);
    free(patterns.data);
    char temp[1100];
    snprintf(temp, sizeof temp, "%s.tmp-%ld", path, (long)getpid());
    FILE *f = fopen(temp, "wb");
    bool ok = f && fwrite(b.data, 1, b.length, f) == b.length &&
              (!slots || fwrite(h->words.slots, 8, (size_t)slots, f) == slots);
    ok = f && fclose(f) == 0 && ok;
    ok = ok && rename(temp, path) == 0;
    if (!ok)
        unlink(temp);
    free(b.data);
    return ok;
}

/* ---- Opening -------------------------------------------------------------- */

typedef struct lang_files {
    char dic[2][512];       /* the pattern files to try, in order */
    int dics;
    char words[512];        /* the word list, or "" when the language has none */
} lang_files;

static bool files_for(const char *lang, lang_files *files)
{
    memset(files, 0, sizeof *files);
    if (!lang || strlen(lang) < 2)
        return false;
    char language[4] = {0}, region[4] = {0};
    size_t i = 0;
    for (; i < 3 && isalpha((unsigned char)lang[i]); i++)
        language[i] = (char)tolower((unsigned char)lang[i]);
    if (lang[i] == '-' || lang[i] == '_')
        for (size_t k = 0; k < 2 && isalpha((unsigned char)lang[i + 1 + k]); k++)
            region[k] = (char)toupper((unsigned char)lang[i + 1 + k]);
    if (region[0])
        snprintf(files->dic[files->dics++], sizeof files->dic[0], "%s/hyph_%s_%s.dic",
                 hyphen_dirs(), language, region);
    snprintf(files->dic[files->dics++], sizeof files->dic[0], "%s/hyph_%s.dic", hyphen_dirs(),
             language);
    /* Debian names its word lists by language name */
    static const struct { const char *code, *file; } lists[] = {{"nl", "dutch"}};
    for (size_t k = 0; k < sizeof lists / sizeof *lists; k++)
        if (strcmp(language, lists[k].code) == 0)
            snprintf(files->words, sizeof files->words, "%s/%s", word_list_dir(), lists[k].file);
    return true;
}

void hyphenator_files(const char *lang, void (*each)(void *context, const char *path),
                      void *context)
{
    lang_files files;
    if (!files_for(lang, &files))
        return;
    for (int i = 0; i < files.dics; i++)
        each(context, files.dic[i]);
    if (*files.words)
        each(context, files.words);
}

/* From the text files: dic's patterns and the word list. */
static hyphenator *open_text(const char *dic, const char *words)
{
    HyphenDict *dict = hnj_hyphen_load(dic);
    if (!dict)
        return NULL;
    hyphenator *h = xcalloc(1, sizeof *h);
    h->dict = dict;
    h->latin1 = !dict->utf8;
    if (*words)
        word_set_load(&h->words, words, h->latin1);
    return h;
}

hyphenator *hyphenator_open(const char *lang)
{
    lang_files files;
    if (!files_for(lang, &files))
        return NULL;
    for (int i = 0; i < files.dics; i++) {
        struct stat st;
        if (stat(files.dic[i], &st) != 0)
            continue; /* what hnj_hyphen_load would fail on */
        hyphenator *h = open_compiled(files.dic[i], &st, *files.words ? files.words : NULL);
        if (!h)
            h = open_text(files.dic[i], files.words);
        if (h)
            return h;
    }
    return NULL;
}

bool hyphen_compile(const char *lang, const char *out_dir, char *written, size_t written_size)
{
    lang_files files;
    if (!files_for(lang, &files))
        return false;
    for (int i = 0; i < files.dics; i++) {
        struct stat st;
        if (stat(files.dic[i], &st) != 0)
            continue;
        hyphenator *h = open_text(files.dic[i], files.words);
        if (!h)
            continue;
        const char *base = strrchr(files.dic[i], '/');
        base = base ? base + 1 : files.dic[i];
        snprintf(written, written_size, "%s/%.*s.lph", out_dir, (int)(strlen(base) - 4), base);
        bool ok = write_compiled(h, &st, *files.words ? files.words : NULL, written);
        hyphenator_close(h);
        return ok;
    }
    return false;
}

void hyphenator_close(hyphenator *h)
{
    if (!h)
        return;
    if (h->arena)
        free(h->arena);
    else
        hnj_hyphen_free(h->dict);
    if (h->map)
        munmap(h->map, h->map_length);
    else
        free(h->words.slots);
    free(h);
}

enum { CACHED_LANGUAGES = 8 };

typedef struct cache_entry {
    char *lang;
    hyphenator *dict;
    pthread_t loader;
    bool loading;              /* loader is running or not yet joined */
} cache_entry;

struct hyphen_cache {
    cache_entry entries[CACHED_LANGUAGES];
    size_t count;
};

hyphen_cache *hyphen_cache_new(void) { return xcalloc(1, sizeof(hyphen_cache)); }

static void *load_patterns(void *arg)
{
    cache_entry *e = arg;
    e->dict = hyphenator_open(e->lang);
    return NULL;
}

static cache_entry *cache_find(hyphen_cache *cache, const char *lang)
{
    for (size_t i = 0; i < cache->count; i++)
        if (strcmp(cache->entries[i].lang, lang) == 0)
            return &cache->entries[i];
    return NULL;
}

/* A new entry, or NULL when the cache is full (then callers load uncached). */
static cache_entry *cache_add(hyphen_cache *cache, const char *lang)
{
    if (cache->count == CACHED_LANGUAGES)
        return NULL;
    cache_entry *e = &cache->entries[cache->count++];
    e->lang = xstrdup(lang);
    return e;
}

bool hyphen_cache_prefetch(hyphen_cache *cache, const char *lang)
{
    if (!lang || cache_find(cache, lang))
        return false;
    cache_entry *e = cache_add(cache, lang);
    if (!e)
        return false;
    /* without a thread, load now: slower, never wrong */
    e->loading = pthread_create(&e->loader, NULL, load_patterns, e) == 0;
    if (!e->loading)
        e->dict = hyphenator_open(lang);
    return true;
}

const hyphenator *hyphen_cache_get(hyphen_cache *cache, const char *lang)
{
    if (!lang)
        return NULL;
    cache_entry *e = cache_find(cache, lang);
    if (!e) {
        e = cache_add(cache, lang);
        if (!e)
            return NULL; /* more languages than a run ever has: go without hyphenation */
        e->dict = hyphenator_open(lang);
    }
    if (e->loading) {
        pthread_join(e->loader, NULL);
        e->loading = false;
    }
    return e->dict;
}

void hyphen_cache_free(hyphen_cache *cache)
{
    if (!cache)
        return;
    for (size_t i = 0; i < cache->count; i++) {
        cache_entry *e = &cache->entries[i];
        if (e->loading)
            pthread_join(e->loader, NULL);
        free(e->lang);
        hyphenator_close(e->dict);
    }
    free(cache);
}

/* Decodes one UTF-8 character (input is already validated). */
static uint32_t next_char(const char *s, size_t *len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) { *len = 1; return u[0]; }
    if ((u[0] & 0xE0) == 0xC0) { *len = 2; return ((u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu); }
    if ((u[0] & 0xF0) == 0xE0) {
        *len = 3;
        return ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
    }
    *len = 4;
    return ((u[0] & 0x07u) << 18) | ((u[1] & 0x3Fu) << 12) | ((u[2] & 0x3Fu) << 6) | (u[3] & 0x3Fu);
}

static bool is_letter(uint32_t c)
{
    return (c < 0x80 && isalpha((int)c)) || (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}

static bool is_space(uint32_t c) { return c == ' ' || c == '\n' || c == '\t' || c == 0xA0; }

/* Words inside these chunks must never be split: a hyphen in an address or
 * a number changes what the reader types or dials. */
static bool chunk_is_protected(const char *chunk, size_t n)
{
    bool has_dot_letter = false;
    for (size_t i = 0; i < n; i++) {
        char c = chunk[i];
        if (c == '@' || c == '/' || c == ':' || isdigit((unsigned char)c))
            return true;
        if (c == '.' && i + 1 < n && isalpha((unsigned char)chunk[i + 1]))
            has_dot_letter = true;
    }
    return has_dot_letter; /* a domain such as kanker.nl */
}

/* Splits a lower-case word (the patterns' encoding) into the fewest
 * known words of PART_MIN letters or more, a linking s allowed after a
 * part ("voorlichting-s-bijeenkomsten"). True when it has two parts or
 * more; then for each character i, [part_start[i], part_end[i]) is the
 * part it belongs to. */
static bool compound_parts(const hyphenator *h, const char *w, size_t n, size_t *part_start,
                           size_t *part_end)
{
    if (!h->words.slots || n < 2 * PART_MIN || n >= 128)
        return false;
    int best[128];   /* fewest parts for w[0, i); -1: none */
    size_t from[128];
    best[0] = 0;
    for (size_t i = 1; i <= n; i++)
        best[i] = -1;
    /* Forward: best[j] is final once every shorter start was tried, and
     * the parts starting at j are hashed in one pass over w[j, n). For
     * each end i the first j with the fewest parts wins. */
    for (size_t j = 0; j + PART_MIN <= n; j++) {
        if (best[j] < 0)
            continue;
        uint64_t hash = HASH_START, before = 0; /* w[j, i) and w[j, i - 1) */
        for (size_t i = j + 1; i <= n; i++) {
            before = hash;
            hash = hash_step(hash, (unsigned char)w[i - 1]);
            /* the whole word is no part of itself: a listed compound still splits */
            if (i - j < PART_MIN || (i == n && j == 0) ||
                (best[i] >= 0 && best[j] + 1 >= best[i]))
                continue;
            bool known = hash_known(&h->words, hash_final(hash)) ||
                         (i - j > PART_MIN && w[i - 1] == 's' && hash_known(&h->words, hash_final(before)));
            if (known) {
                best[i] = best[j] + 1;
                from[i] = j;
            }
        }
    }
    if (best[n] < 2)
        return false;
    for (size_t end = n; end > 0;) {
        size_t start = from[end];
        for (size_t i = start; i < end; i++) {
            part_start[i] = start;
            part_end[i] = end;
        }
        end = start;
    }
    return true;
}

/* Hyphenates one word of letters (UTF-8 bytes [word, word+n)) into out. */
static void hyphenate_word(const hyphenator *h, const char *word, size_t n, int min_left,
                           int min_right, strbuf *out)
{
    /* Map to the dictionary's encoding, one byte per character. */
    char encoded[128];
    size_t offsets[128]; /* byte offset in word of each character */
    size_t chars = 0, i = 0;
    bool all_upper = true;
    while (i < n) {
        size_t len;
        uint32_t c = next_char(word + i, &len);
        if (chars >= sizeof encoded - 1 || (h->latin1 && c > 0xFF) || (!h->latin1 && c > 0x7F)) {
            strbuf_append(out, word, n); /* outside the patterns' alphabet: leave whole */
            return;
        }
        if (!(c < 0x80 ? isupper((int)c) : (c >= 0xC0 && c <= 0xDE)))
            all_upper = false;
        if (c < 0x80)
            c = (uint32_t)tolower((int)c);
        else if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
            c += 0x20;
        encoded[chars] = (char)c;
        offsets[chars] = i;
        chars++;
        i += len;
    }
    if (chars < MIN_WORD || all_upper) { /* short words and acronyms stay whole */
        strbuf_append(out, word, n);
        return;
    }
    encoded[chars] = '\0';
    char hyphens[sizeof encoded + 5];
    char **rep = NULL;
    int *pos = NULL, *cut = NULL;
    if (hnj_hyphen_hyphenate2(h->dict, encoded, (int)chars, hyphens, NULL, &rep, &pos, &cut) != 0) {
        strbuf_append(out, word, n);
        return;
    }
    /* A compound breaks between its parts; inside a part only where it
     * leaves PART_MIN_LEFT/RIGHT of the part's letters on either side. */
    size_t part_start[sizeof encoded], part_end[sizeof encoded];
    bool compound = compound_parts(h, encoded, chars, part_start, part_end);
    size_t copied = 0;
    for (size_t k = (size_t)min_left - 1; k + (size_t)min_right < chars; k++) {
        /* odd: break after character k; skip non-standard breaks that would
         * change the spelling, which a soft hyphen cannot express */
        bool allowed = !compound || part_end[k] == k + 1 ||
                       (k + 1 >= part_start[k] + PART_MIN_LEFT && part_end[k] >= k + 1 + PART_MIN_RIGHT);
        if ((hyphens[k] & 1) && !(rep && rep[k]) && allowed) {
            size_t end = offsets[k + 1];
            strbuf_append(out, word + copied, end - copied);
            strbuf_puts(out, SOFT_HYPHEN);
            copied = end;
        }
    }
    strbuf_append(out, word + copied, n - copied);
    if (rep) {
        for (size_t k = 0; k < chars; k++)
            free(rep[k]);
        free(rep);
    }
    free(pos);
    free(cut);
}

char *hyphenate_text(const hyphenator *h, const char *text)
{
    return hyphenate_text_min(h, text, 2, 3);
}

char *hyphenate_text_min(const hyphenator *h, const char *text, int min_left, int min_right)
{
    if (min_left < 1)
        min_left = 1;
    if (min_right < 1)
        min_right = 1;
    if (!h)
        return xstrdup(text);
    strbuf out = {0};
    size_t i = 0, n = strlen(text);
    while (i < n) {
        /* one whitespace-delimited chunk at a time */
        size_t start = i, len;
        while (i < n && is_space(next_char(text + i, &len)))
            i += len;
        strbuf_append(&out, text + start, i - start);
        size_t chunk = i;
        while (i < n && !is_space(next_char(text + i, &len)))
            i += len;
        /* an author's own soft hyphens say where this word may break: keep them alone */
        bool has_soft_hyphen = false;
        for (size_t k = chunk; k + 1 < i && !has_soft_hyphen; k++)
            has_soft_hyphen = (unsigned char)text[k] == 0xC2 && (unsigned char)text[k + 1] == 0xAD;
        if (chunk_is_protected(text + chunk, i - chunk) || has_soft_hyphen) {
            strbuf_append(&out, text + chunk, i - chunk);
            continue;
        }
        size_t j = chunk;
        while (j < i) {
            size_t word = j;
            while (j < i && is_letter(next_char(text + j, &len)))
                j += len;
            if (j > word)
                hyphenate_word(h, text + word, j - word, min_left, min_right, &out);
            size_t other = j;
            while (j < i && !is_letter(next_char(text + j, &len)))
                j += len;
            strbuf_append(&out, text + other, j - other);
        }
    }
    return strbuf_take(&out);
}

static const char *const units[] = {
    "uur", "minuten", "minuut", "min", "seconden", "dagen", "dag", "weken", "week",
    "maanden", "maand", "jaar", "jaren", "kilo", "kg", "g", "mg", "ml", "l", "mm", "cm",
    "m", "km", "%", "procent", "graden", "\xE2\x81\xB0", "\xC2\xB0", ("\xC2\xB0" "C"), "C",
};

/* Length of a unit word at s, or 0. */
static size_t unit_at(const char *s)
{
    for (size_t u = 0; u < sizeof units / sizeof *units; u++) {
        size_t len = strlen(units[u]);
        if (strncmp(s, units[u], len) == 0) {
            const char *after = s + len;
            /* the unit must end there: punctuation, a space or a closing quote may follow */
            if (*after == '\0' || strchr(" .,;:?!)\n", *after) ||
                strncmp(after, "\xE2\x80\xA6", 3) == 0 ||  /* … */
                strncmp(after, "\xE2\x80\x99", 3) == 0 ||  /* ’ */
                strncmp(after, "\xE2\x80\x9D", 3) == 0 ||  /* ” */
                strncmp(after, "\xC2\xA0", 2) == 0)         /* no-break space */
                return len;
        }
    }
    return 0;
}

static size_t digit_run(const char *s)
{
    size_t k = 0;
    while (isdigit((unsigned char)s[k]))
        k++;
    return k;
}

char *protect_breaks(const char *text)
{
    strbuf out = {0};
    size_t i = 0;
    while (text[i]) {
        bool word_start = i == 0 || !isalnum((unsigned char)text[i - 1]);
        size_t d = word_start ? digit_run(text + i) : 0;
        if (d == 0) {
            strbuf_append(&out, text + i, 1);
            i++;
            continue;
        }
        /* A phone number: a group starting with 0 (or after +) followed by
         * more digit groups separated by single spaces. */
        bool phone = text[i] == '0' || (i > 0 && text[i - 1] == '+');
        size_t j = i + d;
        if (phone) {
            while (text[j] == ' ' && digit_run(text + j + 1) > 0) {
                strbuf_append(&out, text + i, j - i);
                strbuf_puts(&out, NO_BREAK_SPACE);
                i = j + 1;
                j = i + digit_run(text + i);
            }
        }
        /* decimals such as 38,5 belong to the number */
        if ((text[j] == ',' || text[j] == '.') && digit_run(text + j + 1) > 0)
            j += 1 + digit_run(text + j + 1);
        /* a degree sign belongs to its number too: 38,5⁰ C */
        if (strncmp(text + j, "\xE2\x81\xB0", 3) == 0)
            j += 3;
        else if (strncmp(text + j, "\xC2\xB0", 2) == 0)
            j += 2;
        strbuf_append(&out, text + i, j - i);
        i = j;
        if (text[i] == ' ' && unit_at(text + i + 1)) {
            strbuf_puts(&out, NO_BREAK_SPACE);
            i++;
        }
    }
    return strbuf_take(&out);
}
