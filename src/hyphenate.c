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

struct hyphenator {
    HyphenDict *dict;
    bool latin1; /* Debian's Dutch patterns are ISO-8859-1 */
};

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
    return h;
}

void hyphenator_close(hyphenator *h)
{
    if (!h)
        return;
    hnj_hyphen_free(h->dict);
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
    size_t copied = 0;
    for (size_t k = (size_t)min_left - 1; k + (size_t)min_right < chars; k++) {
        /* odd: break after character k; skip non-standard breaks that would
         * change the spelling, which a soft hyphen cannot express */
        if ((hyphens[k] & 1) && !(rep && rep[k])) {
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
