#include "hyphenate.h"

#include <ctype.h>
#include <hyphen.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
};

#define PART_MIN 3        /* a compound's part has at least this many letters */
#define PART_MIN_LEFT 3   /* inside a part, a break leaves this many of its letters before */
#define PART_MIN_RIGHT 4  /* ... and this many after: never pacema-kerpas */

static uint64_t hash_bytes(const unsigned char *s, size_t n)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211u;
    return h ? h : 1;
}

static bool word_known(const word_set *w, const char *s, size_t n)
{
    if (!w->slots || n == 0)
        return false;
    uint64_t h = hash_bytes((const unsigned char *)s, n);
    for (size_t i = (size_t)(h >> w->shift);; i = (i + 1) & w->mask) {
        if (w->slots[i] == h)
            return true;
        if (!w->slots[i])
            return false;
    }
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

hyphenator *hyphenator_open(const char *lang)
{
    if (!lang || strlen(lang) < 2)
        return NULL;
    char language[4] = {0}, region[4] = {0};
    size_t i = 0;
    for (; i < 3 && isalpha((unsigned char)lang[i]); i++)
        language[i] = (char)tolower((unsigned char)lang[i]);
    if (lang[i] == '-' || lang[i] == '_')
        for (size_t k = 0; k < 2 && isalpha((unsigned char)lang[i + 1 + k]); k++)
            region[k] = (char)toupper((unsigned char)lang[i + 1 + k]);
    char path[512];
    HyphenDict *dict = NULL;
    if (region[0]) {
        snprintf(path, sizeof path, "%s/hyph_%s_%s.dic", hyphen_dirs(), language, region);
        dict = hnj_hyphen_load(path);
    }
    if (!dict) {
        snprintf(path, sizeof path, "%s/hyph_%s.dic", hyphen_dirs(), language);
        dict = hnj_hyphen_load(path);
    }
    if (!dict)
        return NULL;
    hyphenator *h = xcalloc(1, sizeof *h);
    h->dict = dict;
    h->latin1 = !dict->utf8;
    /* Debian names its word lists by language name */
    static const struct { const char *code, *file; } lists[] = {{"nl", "dutch"}};
    for (size_t k = 0; k < sizeof lists / sizeof *lists; k++)
        if (strcmp(language, lists[k].code) == 0) {
            snprintf(path, sizeof path, "%s/%s", word_list_dir(), lists[k].file);
            word_set_load(&h->words, path, h->latin1);
        }
    return h;
}

void hyphenator_close(hyphenator *h)
{
    if (!h)
        return;
    hnj_hyphen_free(h->dict);
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

void hyphen_cache_prefetch(hyphen_cache *cache, const char *lang)
{
    if (!lang || cache_find(cache, lang))
        return;
    cache_entry *e = cache_add(cache, lang);
    if (!e)
        return;
    /* without a thread, load now: slower, never wrong */
    e->loading = pthread_create(&e->loader, NULL, load_patterns, e) == 0;
    if (!e->loading)
        e->dict = hyphenator_open(lang);
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
    for (size_t i = 1; i <= n; i++) {
        best[i] = -1;
        /* the whole word is no part of itself: a listed compound still splits */
        for (size_t j = i == n ? PART_MIN : 0; j + PART_MIN <= i; j++) {
            if (best[j] < 0 || (best[i] >= 0 && best[j] + 1 >= best[i]))
                continue;
            bool known = word_known(&h->words, w + j, i - j) ||
                         (i - j > PART_MIN && w[i - 1] == 's' && word_known(&h->words, w + j, i - j - 1));
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
    "m", "km", "%", "procent", "graden", "\xE2\x81\xB0", "\xC2\xB0", "\xC2\xB0" "C", "C",
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
