#include "readability.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "suggest.h"
#include "textutil.h"
#include "yaml_util.h"

/* --- characters ---------------------------------------------------------- */

/* Decodes one UTF-8 character (the tree holds validated UTF-8). */
static uint32_t decode(const char *s, size_t *len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) { *len = 1; return u[0]; }
    if ((u[0] & 0xE0) == 0xC0 && u[1]) { *len = 2; return ((u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu); }
    if ((u[0] & 0xF0) == 0xE0 && u[1] && u[2]) {
        *len = 3;
        return ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
    }
    if ((u[0] & 0xF8) == 0xF0 && u[1] && u[2] && u[3]) {
        *len = 4;
        return ((u[0] & 0x07u) << 18) | ((u[1] & 0x3Fu) << 12) | ((u[2] & 0x3Fu) << 6) | (u[3] & 0x3Fu);
    }
    *len = 1;
    return 0xFFFD;
}

static void encode(strbuf *b, uint32_t c)
{
    char u[4];
    size_t n;
    if (c < 0x80) { u[0] = (char)c; n = 1; }
    else if (c < 0x800) { u[0] = (char)(0xC0 | (c >> 6)); u[1] = (char)(0x80 | (c & 0x3F)); n = 2; }
    else if (c < 0x10000) {
        u[0] = (char)(0xE0 | (c >> 12)); u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        u[2] = (char)(0x80 | (c & 0x3F)); n = 3;
    } else {
        u[0] = (char)(0xF0 | (c >> 18)); u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((c >> 6) & 0x3F)); u[3] = (char)(0x80 | (c & 0x3F)); n = 4;
    }
    strbuf_append(b, u, n);
}

static bool is_space(uint32_t c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == 0xA0 || c == 0x202F ||
           c == 0x2009;
}

/* Letters of the scripts leaflets are written in: Latin (with the Turkish
 * and Latin-1 letters), Greek, Cyrillic, Arabic. Marks count as letters so
 * an Arabic word with its vowel signs stays one word. */
static bool is_letter(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (c == 0xD7 || c == 0xF7)
        return false;
    return (c >= 0xC0 && c <= 0x24F) || (c >= 0x370 && c <= 0x52F) ||
           (c >= 0x610 && c <= 0x61A) || (c >= 0x620 && c <= 0x65F) || /* letters, vowel signs */
           (c >= 0x670 && c <= 0x6D3) || (c >= 0x6D5 && c <= 0x6EF) ||
           (c >= 0xFB50 && c <= 0xFDFF) || (c >= 0xFE70 && c <= 0xFEFF);
}

static bool is_lower(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xFF && c != 0xF7) ||
           (c >= 0x100 && c <= 0x17F && (c & 1) && c != 0x130) || c == 0x131;
}

/* Lower case for the Latin letters a leaflet uses; enough to compare words
 * and find vowels. Turkish İ and I both become vowels, so counting does not
 * depend on their casing (which is language-specific: I is ı in Turkish). */
static uint32_t lower(uint32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        return c + 32;
    if (c == 0x130) /* İ */
        return 'i';
    if (c >= 0x100 && c <= 0x17F && !(c & 1) && c != 0x138)
        return c + 1;
    return c;
}

/* --- syllables ------------------------------------------------------------ */

typedef enum { RULES_NONE, RULES_NL, RULES_EN, RULES_TR } rules;

static rules rules_for(const char *lang)
{
    if (!lang)
        return RULES_NONE;
    size_t n = strcspn(lang, "-_");
    if (n == 2 && strncmp(lang, "nl", 2) == 0)
        return RULES_NL;
    if (n == 2 && strncmp(lang, "en", 2) == 0)
        return RULES_EN;
    if (n == 2 && strncmp(lang, "tr", 2) == 0)
        return RULES_TR;
    return RULES_NONE;
}

/* The vowel with its accent removed ('é' -> 'e'), or 0 for a consonant. */
static char base_vowel(uint32_t c)
{
    static const char *const latin1 = /* 0xE0..0xFF */
        "aaaaaaaceeeeiiii" "\0nooooo\0ouuuuy\0y";
    if (c < 0x80)
        return strchr("aeiouy", (int)c) && c ? (char)c : 0;
    if (c >= 0xE0 && c <= 0xFF)
        return latin1[c - 0xE0] && strchr("aeiouy", latin1[c - 0xE0]) ? latin1[c - 0xE0] : 0;
    if (c == 0x131) /* ı */
        return 'i';
    return 0;
}

static bool has_diaeresis(uint32_t c)
{
    return c == 0xE4 || c == 0xEB || c == 0xEF || c == 0xF6 || c == 0xFC || c == 0xFF;
}

typedef struct exception { const char *word; int syllables; } exception;

/* Loanwords a Dutch leaflet uses whose spelling the rules misread. */
static const exception nl_exceptions[] = {
    {"online", 2}, {"website", 2}, {"websites", 2}, {"care", 1}, {"update", 2},
    {"software", 2}, {"homecare", 2}, {"service", 2}, {"team", 1}, {"teams", 1},
    {"live", 1}, {"case", 1}, {"cases", 2}, {"time-out", 2}, {"timeout", 2}, {"apps", 1},
    {"museum", 3}, {"petroleum", 4},
};

static const exception en_exceptions[] = {
    {"every", 2}, {"everyone", 3}, {"everything", 3}, {"business", 2}, {"area", 3},
    {"idea", 3}, {"create", 2}, {"being", 2}, {"doing", 2}, {"going", 2}, {"science", 2},
    {"quiet", 2}, {"someone", 2}, {"something", 2}, {"sometimes", 2}, {"whenever", 3},
};

static int dutch_syllables(const uint32_t *w, size_t n)
{
    static const char *const trigraphs[] = {"aai", "ooi", "oei", "eeu", "ieu", "eau"};
    static const char *const digraphs[] = {"aa", "ee", "oo", "uu", "ie", "oe", "eu", "ui",
                                           "ei", "ij", "ou", "au", "ai", "ay", "ey", "oy", "uy"};
    int count = 0;
    size_t i = 0;
    while (i < n) {
        char v = base_vowel(w[i]);
        if (!v || (v == 'u' && i > 0 && w[i - 1] == 'q')) {
            i++;
            continue;
        }
        /* the longest unit here; a diaeresis never joins the one before it */
        char next[3] = {v, 0, 0};
        for (size_t k = 1; k < 3 && i + k < n; k++) {
            uint32_t c = w[i + k];
            char b = c == 'j' && k == 1 && v == 'i' ? 'j' : base_vowel(c);
            if (!b || has_diaeresis(c))
                break;
            next[k] = b;
        }
        size_t len = 1;
        for (size_t t = 0; t < sizeof trigraphs / sizeof *trigraphs && len == 1; t++)
            if (next[2] && strncmp(next, trigraphs[t], 3) == 0)
                len = 3;
        for (size_t t = 0; t < sizeof digraphs / sizeof *digraphs && len == 1; t++)
            if (next[1] && strncmp(next, digraphs[t], 2) == 0)
                len = 2;
        count++;
        i += len;
    }
    return count;
}

static bool english_vowel(const uint32_t *w, size_t n, size_t i)
{
    char v = base_vowel(w[i]);
    if (!v)
        return false;
    if (v == 'y' && i == 0 && n > 1 && base_vowel(w[1])) /* "you", "yes": a consonant */
        return false;
    if (v == 'u' && i > 0 && w[i - 1] == 'q')
        return false;
    return true;
}

static int english_syllables(const uint32_t *w, size_t n)
{
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        if (!english_vowel(w, n, i))
            continue;
        bool start = i == 0 || !english_vowel(w, n, i - 1);
        if (!start) {
            /* two vowels heard apart: radio, medium, usual; not -tion, -sion, -cial, language */
            uint32_t a = w[i - 1], b = w[i], before = i >= 2 ? w[i - 2] : 0;
            bool split = (a == 'i' && (b == 'a' || b == 'o' || b == 'u')) || (a == 'u' && b == 'a');
            if (split && before && strchr("tscxgq", (int)(before < 0x80 ? before : '#')))
                split = false;
            if (!split)
                continue;
        }
        count++;
    }
    if (n >= 3 && count > 1) {
        uint32_t last = w[n - 1], prev = w[n - 2], prev2 = w[n - 3];
        bool prev_consonant = !base_vowel(prev);
        if (last == 'e' && prev_consonant && !(prev == 'l' && !base_vowel(prev2)))
            count--; /* come, before; not table */
        else if (last == 'd' && prev == 'e' && prev2 != 't' && prev2 != 'd')
            count--; /* called; not needed */
        else if (last == 's' && prev == 'e' && !strchr("sxzcg", (int)(prev2 < 0x80 ? prev2 : '#')) &&
                 !(prev2 == 'h' && n >= 4 && (w[n - 4] == 's' || w[n - 4] == 'c')) &&
                 !base_vowel(prev2))
            count--; /* takes; not places, wishes */
    }
    return count > 0 ? count : 1;
}

static int turkish_syllables(const uint32_t *w, size_t n)
{
    int count = 0;
    for (size_t i = 0; i < n; i++)
        if (base_vowel(w[i]) && w[i] != 'y')
            count++;
    return count;
}

/* The word lower-cased into code points; returns the count (at most cap). */
static size_t to_points(const char *word, size_t n, uint32_t *out, size_t cap)
{
    size_t count = 0;
    for (size_t i = 0; i < n && count < cap;) {
        size_t len;
        out[count++] = lower(decode(word + i, &len));
        i += len;
    }
    return count;
}

static int exception_syllables(const exception *list, size_t count, const char *word, size_t n)
{
    char low[64];
    uint32_t points[64];
    size_t k = to_points(word, n, points, sizeof points / sizeof *points);
    if (k >= sizeof low)
        return -1;
    for (size_t i = 0; i < k; i++) {
        if (points[i] > 0x7F)
            return -1;
        low[i] = (char)points[i];
    }
    low[k] = '\0';
    for (size_t i = 0; i < count; i++)
        if (strcmp(list[i].word, low) == 0)
            return list[i].syllables;
    return -1;
}

/* Syllables of one run of letters. */
static int run_syllables(rules r, const char *word, size_t n)
{
    uint32_t points[128];
    size_t k = to_points(word, n, points, sizeof points / sizeof *points);
    switch (r) {
    case RULES_NL: return dutch_syllables(points, k);
    case RULES_EN: return english_syllables(points, k);
    case RULES_TR: return turkish_syllables(points, k);
    default: return 0;
    }
}

static int rules_syllables(rules r, const char *word, size_t n)
{
    if (r == RULES_NONE)
        return 0;
    int listed = r == RULES_NL ? exception_syllables(nl_exceptions, sizeof nl_exceptions / sizeof *nl_exceptions, word, n)
               : r == RULES_EN ? exception_syllables(en_exceptions, sizeof en_exceptions / sizeof *en_exceptions, word, n)
               : -1;
    if (listed >= 0)
        return listed;
    /* each run of letters on its own: neuro-endocrien, e-mail; an apostrophe
     * stays inside the word (you're, Amsterdam UMC'ye) */
    int total = 0;
    size_t i = 0;
    while (i < n) {
        size_t len, start = i;
        uint32_t c;
        while (i < n && (is_letter(c = decode(word + i, &len)) || c == '\'' || c == 0x2019))
            i += len;
        if (i > start)
            total += run_syllables(r, word + start, i - start);
        while (i < n && !(is_letter(c = decode(word + i, &len))))
            i += len;
    }
    return total;
}

int readability_syllables(const char *lang, const char *word, size_t n)
{
    return rules_syllables(rules_for(lang), word, n);
}

/* --- configuration ------------------------------------------------------- */

void readability_config_defaults(readability_config *cfg)
{
    *cfg = (readability_config){.min_score = 60, .max_share_over_15 = 0.30,
                                .max_share_over_20 = 0.10, .max_sentence_words = 25,
                                .long_word_syllables = 4, .max_long_words = 5,
                                .longest_shown = 3};
}

void readability_config_free(readability_config *cfg)
{
    for (size_t i = 0; i < cfg->allow_count; i++)
        free(cfg->allow[i]);
    free(cfg->allow);
    cfg->allow = NULL;
    cfg->allow_count = 0;
}

/* The word lower-cased, as UTF-8 (caller frees). */
static char *lower_word(const char *word, size_t n)
{
    strbuf b = {0};
    for (size_t i = 0; i < n;) {
        size_t len;
        encode(&b, lower(decode(word + i, &len)));
        i += len;
    }
    if (!b.data)
        return xstrdup("");
    return strbuf_take(&b);
}

static const char *const config_keys[] = {
    "min_score", "max_share_over_15", "max_share_over_20", "max_sentence_words",
    "long_word_syllables", "max_long_words", "warn_long_words", "longest_shown", "allow",
};

/* A number, or a percentage "30%" when percent_ok (as a share 0..1). */
static bool config_number(const yaml_checker *c, const char *key, const yaml_node_t *v,
                          bool percent_ok, double lo, double hi, double *out)
{
    if (v->type != YAML_SCALAR_NODE || v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        yaml_error_at(c, v->start_mark, "'%s' must be a number, not %s", key,
                      v->type == YAML_SCALAR_NODE ? "a quoted string" : yaml_node_kind(v));
        return false;
    }
    const char *s = (const char *)v->data.scalar.value;
    char *end;
    double x = strtod(s, &end);
    bool percent = percent_ok && *end == '%' && end[1] == '\0';
    if (end == s || (*end && !percent)) {
        yaml_error_at(c, v->start_mark, "'%s' must be a number%s, not '%s'", key,
                      percent_ok ? " (a share such as 0.1 or 10%)" : "", s);
        return false;
    }
    if (percent)
        x /= 100;
    if (!(x >= lo && x <= hi)) {
        yaml_error_at(c, v->start_mark, "'%s' must be from %g to %g, not '%s'", key,
                      percent ? lo * 100 : lo, percent ? hi * 100 : hi, s);
        return false;
    }
    *out = x;
    return true;
}

static void config_pair(const yaml_checker *c, const char *key, const yaml_node_t *v,
                        readability_config *cfg)
{
    double x;
    if (!strcmp(key, "min_score")) {
        if (config_number(c, key, v, false, -1000, 1000, &x))
            cfg->min_score = x;
    } else if (!strcmp(key, "max_share_over_15")) {
        if (config_number(c, key, v, true, 0, 1, &x))
            cfg->max_share_over_15 = x;
    } else if (!strcmp(key, "max_share_over_20")) {
        if (config_number(c, key, v, true, 0, 1, &x))
            cfg->max_share_over_20 = x;
    } else if (!strcmp(key, "max_sentence_words")) {
        if (config_number(c, key, v, false, 0, 1000, &x))
            cfg->max_sentence_words = (int)x;
    } else if (!strcmp(key, "long_word_syllables")) {
        if (config_number(c, key, v, false, 1, 100, &x))
            cfg->long_word_syllables = (int)x;
    } else if (!strcmp(key, "max_long_words")) {
        if (config_number(c, key, v, false, 0, 100000, &x))
            cfg->max_long_words = (int)x;
    } else if (!strcmp(key, "longest_shown")) {
        if (config_number(c, key, v, false, 0, 100, &x))
            cfg->longest_shown = (size_t)x;
    } else if (!strcmp(key, "warn_long_words")) {
        const char *s = v->type == YAML_SCALAR_NODE && v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
                        ? (const char *)v->data.scalar.value : "";
        if (!strcmp(s, "true") || !strcmp(s, "false"))
            cfg->warn_long_words = !strcmp(s, "true");
        else
            yaml_error_at(c, v->start_mark, "'%s' must be true or false", key);
    } else if (!strcmp(key, "allow")) {
        if (v->type != YAML_SEQUENCE_NODE) {
            yaml_error_at(c, v->start_mark, "'allow' must be a list of words, not %s",
                          yaml_node_kind(v));
            return;
        }
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
            yaml_node_t *item = yaml_document_get_node(c->doc, *it);
            if (item->type != YAML_SCALAR_NODE || yaml_node_is_null(item)) {
                yaml_error_at(c, item->start_mark, "each item of 'allow' must be a word");
                continue;
            }
            char *text = yaml_scalar_text(item);
            cfg->allow = xrealloc(cfg->allow, (cfg->allow_count + 1) * sizeof *cfg->allow);
            cfg->allow[cfg->allow_count++] = lower_word(text, strlen(text));
            free(text);
        }
    }
}

bool readability_config_load(const char *path, readability_config *cfg, diag_list *diags)
{
    readability_config_defaults(cfg);
    size_t length;
    char *text = read_file(path, &length);
    if (!text)
        return true; /* no file: the defaults */
    size_t errors = diags->errors;
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_checker c = {.path = path, .doc = &doc, .diags = diags, .line_offset = 0};
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, length);
    if (!yaml_parser_load(&parser, &doc)) {
        yaml_error_at(&c, parser.problem_mark, "invalid YAML: %s",
                      parser.problem ? parser.problem : "cannot be parsed");
        yaml_parser_delete(&parser);
        free(text);
        return false;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root && root->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(&doc, p->key);
            yaml_node_t *v = yaml_document_get_node(&doc, p->value);
            const char *key = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
            size_t known = sizeof config_keys / sizeof *config_keys, i = 0;
            while (i < known && strcmp(config_keys[i], key))
                i++;
            if (i == known) {
                const char *close = suggest_closest(key, config_keys, known);
                yaml_error_at(&c, k->start_mark, "unknown key '%s'%s%s%s", key,
                              close ? "; did you mean '" : "", close ? close : "", close ? "'?" : "");
                continue;
            }
            config_pair(&c, key, v, cfg);
        }
    } else if (root && !(root->type == YAML_SCALAR_NODE && yaml_node_is_null(root))) {
        yaml_error_at(&c, root->start_mark, "the file must be 'key: value' lines, not %s",
                      yaml_node_kind(root));
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    free(text);
    return diags->errors == errors;
}

/* --- measuring ----------------------------------------------------------- */

/* The text of one paragraph; for every byte, where its text node starts in
 * the source (a byte offset). Positions inside a node are found again in
 * the source (source_position), because soft line breaks, markup and
 * contact references make the tree's text differ from the source's. */
typedef struct span_text {
    strbuf text;
    size_t *hints;             /* parallel to text.data */
    size_t capacity;
} span_text;

static void span_put(span_text *s, const char *bytes, size_t n, size_t hint)
{
    if (s->text.length + n > s->capacity) {
        s->capacity = (s->text.length + n) * 2 + 64;
        s->hints = xrealloc(s->hints, s->capacity * sizeof *s->hints);
    }
    for (size_t i = 0; i < n; i++)
        s->hints[s->text.length + i] = hint;
    strbuf_append(&s->text, bytes, n);
}

/* The source, split into lines for node positions. */
typedef struct source_text {
    char *text;
    size_t length;
    size_t end;                /* its first NUL (text_position stops there), or length */
    size_t *line_starts;
    size_t line_count;
} source_text;

/* Line and column of byte `offset`, as text_position counts them, but from
 * the line's start, not the source's: a word's position costs its line,
 * not everything before it. */
static void source_line_column(const source_text *src, size_t offset, int *line, int *column)
{
    if (offset > src->end)
        offset = src->end;
    size_t lo = 0, hi = src->line_count; /* the last line starting at or before offset */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (src->line_starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    int c = 1;
    for (size_t i = src->line_starts[lo]; i < offset; i++)
        if (((unsigned char)src->text[i] & 0xC0) != 0x80)
            c++;
    *line = (int)lo + 1;
    *column = c;
}

/* Byte offset of a 1-based line and column (in characters). */
static size_t source_offset(const source_text *src, int line, int column)
{
    if (!src->text || line < 1 || (size_t)line > src->line_count)
        return 0;
    size_t at = src->line_starts[line - 1];
    for (int c = 1; c < column && at < src->length && src->text[at] != '\n'; c++) {
        size_t len;
        decode(src->text + at, &len);
        at += len;
    }
    return at;
}

static void span_inlines(span_text *s, const doc_node *n, const source_text *src)
{
    for (const doc_node *c = n->first_child; c; c = c->next) {
        size_t hint = source_offset(src, c->line, c->column);
        if (c->type == NODE_TEXT && c->text) {
            for (const char *p = c->text; *p; p++) /* a soft line break is a space */
                span_put(s, *p == '\n' ? " " : p, 1, hint);
        } else if (c->type == NODE_LINE_BREAK) {
            span_put(s, " ", 1, hint);
        } else if (!node_is_block(c)) {
            span_inlines(s, c, src);
        }
    }
}

typedef struct counter {
    const readability_config *cfg;
    const source_text *src;
    size_t cursor;               /* source offset after the last word found */
    rules rules;
    readability *r;
    readability_sentence *all;   /* every sentence, for the longest */
    size_t all_count;
    /* the sentence being read */
    size_t words;
    int line, column;
    size_t start, end;           /* bytes of the sentence in the current span */
} counter;

static bool is_closing(uint32_t c)
{
    return c == ')' || c == ']' || c == '"' || c == '\'' || c == 0x2019 || c == 0x201D ||
           c == 0xBB || c == 0x203A;
}

static bool ends_sentence_mark(uint32_t c)
{
    return c == '.' || c == '!' || c == '?' || c == 0x2026 || c == 0x61F || c == 0x6D4;
}

static const char *const abbreviations[] = {
    "bijv", "bv", "dr", "drs", "prof", "mr", "mw", "mevr", "dhr", "ir", "ing", "nr", "tel",
    "ca", "evt", "enz", "etc", "vs", "resp", "incl", "excl", "max", "min", "jl", "a.u.b",
    "e.g", "i.e", "mrs", "ms", "st", "no",
};

/* True when the token (ending in '.') is an abbreviation, not a sentence end. */
static bool is_abbreviation(const char *token, size_t n)
{
    if (n == 0 || token[n - 1] != '.')
        return false;
    size_t body = n - 1, letters = 0;
    for (size_t i = 0; i < body; i++) {
        if (token[i] == '.')
            return true; /* o.a., z.s.m. */
        letters++;
    }
    if (letters == 1)
        return true; /* an initial: M. */
    char *low = lower_word(token, body);
    bool found = false;
    for (size_t i = 0; i < sizeof abbreviations / sizeof *abbreviations && !found; i++)
        found = strcmp(low, abbreviations[i]) == 0;
    free(low);
    return found;
}

static void finish_sentence(counter *k, const span_text *s)
{
    if (k->words == 0)
        return;
    readability *r = k->r;
    r->sentences++;
    if (k->words > 15)
        r->over_15++;
    if (k->words > 20)
        r->over_20++;
    k->all = xrealloc(k->all, (k->all_count + 1) * sizeof *k->all);
    /* the sentence as shown: about 60 characters, cut at a character boundary */
    strbuf shown = {0};
    size_t chars = 0, i = k->start;
    while (i < k->end && chars < 60) {
        size_t len;
        decode(s->text.data + i, &len);
        strbuf_append(&shown, s->text.data + i, len);
        i += len;
        chars++;
    }
    if (i < k->end)
        strbuf_puts(&shown, "\xE2\x80\xA6");
    k->all[k->all_count++] = (readability_sentence){k->line, k->column, k->words,
                                                    shown.data ? strbuf_take(&shown) : xstrdup("")};
    k->words = 0;
}

static bool allowed(const readability_config *cfg, const char *word, size_t n)
{
    char *low = lower_word(word, n);
    bool found = false;
    for (size_t i = 0; i < cfg->allow_count && !found; i++)
        found = strcmp(cfg->allow[i], low) == 0;
    free(low);
    return found;
}

/* The word without leading and trailing punctuation. */
static void trim_word(const char *token, size_t n, size_t *from, size_t *to)
{
    size_t a = 0, b = n, len;
    while (a < b && !is_letter(decode(token + a, &len)))
        a += len;
    while (b > a) {
        size_t k = b - 1;
        while (k > a && ((unsigned char)token[k] & 0xC0) == 0x80)
            k--;
        if (is_letter(decode(token + k, &len)))
            break;
        b = k;
    }
    *from = a;
    *to = b;
}

/* Where the word starts in the source: its next occurrence at or after both
 * the last word found and its text node's start, looked for in the next
 * 8 KiB (words come in source order). Not found: the node's start. */
static void source_position(counter *k, size_t hint, const char *word, size_t n, int *line,
                            int *column)
{
    const source_text *src = k->src;
    *line = 0;
    *column = 0;
    if (!src->text)
        return;
    size_t from = hint > k->cursor ? hint : k->cursor, found = hint;
    size_t stop = from + 8192 < src->length ? from + 8192 : src->length;
    for (size_t i = from; i + n <= stop; i++)
        if (memcmp(src->text + i, word, n) == 0) {
            found = i;
            k->cursor = i + n;
            break;
        }
    source_line_column(src, found, line, column);
}

static void count_word(counter *k, const span_text *s, size_t at, size_t n)
{
    readability *r = k->r;
    const char *token = s->text.data + at;
    size_t from, to;
    trim_word(token, n, &from, &to);
    if (from >= to)
        return; /* no letter: a number, a dash */
    int line, column;
    source_position(k, s->hints[at], token + from, to - from, &line, &column);
    if (k->words == 0) {
        k->line = line;
        k->column = column;
        k->start = at;
    }
    k->end = at + n;
    k->words++;
    r->words++;
    int syllables = rules_syllables(k->rules, token + from, to - from);
    r->syllables += (size_t)syllables;
    /* Turkish builds words with suffixes, so a word's syllables say little
     * about how common it is: long words are for Dutch and English only */
    if ((k->rules != RULES_NL && k->rules != RULES_EN) || syllables <= k->cfg->long_word_syllables ||
        allowed(k->cfg, token + from, to - from))
        return;
    char *low = lower_word(token + from, to - from);
    for (size_t i = 0; i < r->long_word_count; i++) {
        char *other = lower_word(r->long_words[i].word, strlen(r->long_words[i].word));
        bool same = strcmp(other, low) == 0;
        free(other);
        if (same) {
            r->long_words[i].uses++;
            free(low);
            return;
        }
    }
    free(low);
    r->long_words = xrealloc(r->long_words, (r->long_word_count + 1) * sizeof *r->long_words);
    r->long_words[r->long_word_count++] = (readability_word){
        xstrndup(token + from, to - from), syllables, line, column, 1};
}

static void count_span(counter *k, const span_text *s)
{
    const char *t = s->text.data;
    size_t n = s->text.length, i = 0, len;
    k->words = 0;
    while (i < n) {
        while (i < n && is_space(decode(t + i, &len)))
            i += len;
        size_t start = i;
        while (i < n && !is_space(decode(t + i, &len)))
            i += len;
        if (i == start)
            break;
        count_word(k, s, start, i - start);
        /* does the token end a sentence? its last mark before closing quotes */
        size_t e = i;
        uint32_t c = 0;
        while (e > start) {
            size_t k2 = e - 1;
            while (k2 > start && ((unsigned char)t[k2] & 0xC0) == 0x80)
                k2--;
            c = decode(t + k2, &len);
            if (!is_closing(c))
                break;
            e = k2;
        }
        if (!ends_sentence_mark(c))
            continue;
        if (c == '.' && is_abbreviation(t + start, e - start))
            continue;
        /* the next word must not start with a small letter: "bijv. de" goes on */
        size_t j = i;
        while (j < n && is_space(decode(t + j, &len)))
            j += len;
        while (j < n && !is_letter(decode(t + j, &len)) && !is_space(decode(t + j, &len)) &&
               !(t[j] >= '0' && t[j] <= '9'))
            j += len;
        if (j < n && is_lower(decode(t + j, &len)))
            continue;
        finish_sentence(k, s);
    }
    finish_sentence(k, s); /* a paragraph or list item ends one */
}

static int by_length(const void *a, const void *b)
{
    const readability_sentence *x = a, *y = b;
    if (x->words != y->words)
        return x->words < y->words ? 1 : -1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return (x->column > y->column) - (x->column < y->column);
}

void readability_measure(const document *doc, const readability_config *cfg, readability *out)
{
    memset(out, 0, sizeof *out);
    counter k = {.cfg = cfg, .rules = rules_for(doc->meta.lang), .r = out};
    out->measure = k.rules == RULES_NL ? "Flesch-Douma"
                 : k.rules == RULES_EN ? "Flesch reading ease"
                 : k.rules == RULES_TR ? "Ateşman" : NULL;
    source_text src = {0};
    src.text = doc->source_path ? read_file(doc->source_path, &src.length) : NULL;
    size_t line_capacity = 0;
    src.end = src.text ? strlen(src.text) : 0;
    for (size_t i = 0; src.text && i <= src.length; i++)
        if (i == 0 || src.text[i - 1] == '\n') {
            if (src.line_count == line_capacity) {
                line_capacity = line_capacity ? line_capacity * 2 : 256;
                src.line_starts = xrealloc(src.line_starts, line_capacity * sizeof *src.line_starts);
            }
            src.line_starts[src.line_count++] = i;
        }
    k.src = &src;
    doc_walker w;
    doc_walker_init(&w, doc->root);
    while (doc_walker_next(&w)) {
        const doc_node *n = w.current;
        if (w.event != WALK_ENTER || n->type != NODE_PARAGRAPH)
            continue;
        span_text s = {0};
        span_inlines(&s, n, &src);
        if (s.text.length)
            count_span(&k, &s);
        free(s.text.data);
        free(s.hints);
    }
    free(src.text);
    free(src.line_starts);
    if (out->sentences) {
        out->share_over_15 = (double)out->over_15 / (double)out->sentences;
        out->share_over_20 = (double)out->over_20 / (double)out->sentences;
    }
    if (out->measure && out->words && out->sentences) {
        double asl = (double)out->words / (double)out->sentences;
        double asw = (double)out->syllables / (double)out->words;
        out->score = k.rules == RULES_NL ? 206.835 - 0.93 * asl - 77 * asw
                   : k.rules == RULES_EN ? 206.835 - 1.015 * asl - 84.6 * asw
                   : 198.825 - 2.610 * asl - 40.175 * asw;
    }
    /* the longest, longest first; qsort is not stable, so ties go by position */
    if (k.all_count)
        qsort(k.all, k.all_count, sizeof *k.all, by_length);
    size_t keep = k.all_count < cfg->longest_shown ? k.all_count : cfg->longest_shown;
    out->longest = keep ? xcalloc(keep, sizeof *out->longest) : NULL;
    out->longest_count = keep;
    for (size_t i = 0; i < k.all_count; i++) {
        if (i < keep)
            out->longest[i] = k.all[i];
        else
            free(k.all[i].text);
    }
    free(k.all);
}

void readability_free(readability *r)
{
    for (size_t i = 0; i < r->longest_count; i++)
        free(r->longest[i].text);
    free(r->longest);
    for (size_t i = 0; i < r->long_word_count; i++)
        free(r->long_words[i].word);
    free(r->long_words);
    memset(r, 0, sizeof *r);
}

/* --- reporting ----------------------------------------------------------- */

/* Where figures about the whole text are reported: the H1, else line 1. */
static void title_position(const document *doc, int *line, int *column)
{
    *line = 1;
    *column = 1;
    for (const doc_node *n = doc->root ? doc->root->first_child : NULL; n; n = n->next)
        if (n->type == NODE_HEADING && n->level == 1) {
            *line = n->line;
            *column = n->column;
            return;
        }
}

void readability_report(const document *doc, const readability_config *cfg, diag_list *diags)
{
    readability r;
    /* every sentence over the limit gets a warning, so keep them all */
    readability_config all = *cfg;
    all.longest_shown = (size_t)-1;
    readability_measure(doc, &all, &r);
    const char *path = doc->source_path;
    int line, column;
    title_position(doc, &line, &column);
    if (r.measure && r.words && r.score < cfg->min_score)
        diag_report(diags, SEVERITY_WARNING, path, line, column,
                    "readability: %s score %.1f is below %g; use shorter sentences and words",
                    r.measure, r.score, cfg->min_score);
    if (r.sentences && r.share_over_15 > cfg->max_share_over_15)
        diag_report(diags, SEVERITY_WARNING, path, line, column,
                    "readability: %.0f%% of the sentences have more than 15 words (at most %.0f%%)",
                    r.share_over_15 * 100, cfg->max_share_over_15 * 100);
    if (r.sentences && r.share_over_20 > cfg->max_share_over_20)
        diag_report(diags, SEVERITY_WARNING, path, line, column,
                    "readability: %.0f%% of the sentences have more than 20 words (at most %.0f%%)",
                    r.share_over_20 * 100, cfg->max_share_over_20 * 100);
    if (cfg->max_sentence_words > 0) {
        /* in source order, like every other diagnostic */
        readability_sentence *over = NULL;
        size_t count = 0;
        for (size_t i = 0; i < r.longest_count; i++)
            if (r.longest[i].words > (size_t)cfg->max_sentence_words) {
                over = xrealloc(over, (count + 1) * sizeof *over);
                over[count++] = r.longest[i];
            }
        for (size_t i = 1; i < count; i++) /* insertion sort by position */
            for (size_t j = i; j > 0 && (over[j].line < over[j - 1].line ||
                                         (over[j].line == over[j - 1].line &&
                                          over[j].column < over[j - 1].column)); j--) {
                readability_sentence t = over[j];
                over[j] = over[j - 1];
                over[j - 1] = t;
            }
        for (size_t i = 0; i < count; i++)
            diag_report(diags, SEVERITY_WARNING, path, over[i].line, over[i].column,
                        "readability: sentence of %zu words (at most %d): %s", over[i].words,
                        cfg->max_sentence_words, over[i].text);
        free(over);
    }
    if (r.long_word_count > (size_t)cfg->max_long_words) {
        strbuf b = {0};
        for (size_t i = 0; i < r.long_word_count && i < 10; i++)
            strbuf_printf(&b, "%s%s (line %d)", i ? ", " : "", r.long_words[i].word,
                          r.long_words[i].line);
        if (r.long_word_count > 10)
            strbuf_printf(&b, " and %zu more", r.long_word_count - 10);
        char *list = strbuf_take(&b);
        diag_report(diags, SEVERITY_WARNING, path, r.long_words[0].line, r.long_words[0].column,
                    "readability: %zu words of more than %d syllables (at most %d): %s; use "
                    "shorter words, or add the ones readers must know to 'allow' in "
                    "readability.yaml", r.long_word_count, cfg->long_word_syllables,
                    cfg->max_long_words, list);
        free(list);
    }
    if (cfg->warn_long_words)
        for (size_t i = 0; i < r.long_word_count; i++)
            diag_report(diags, SEVERITY_WARNING, path, r.long_words[i].line, r.long_words[i].column,
                        "readability: '%s' has %d syllables; use a shorter word, or add it to "
                        "'allow' in readability.yaml", r.long_words[i].word, r.long_words[i].syllables);
    if (cfg->notes) {
        strbuf b = {0};
        if (r.measure)
            strbuf_printf(&b, "readability: %s %.1f; ", r.measure, r.score);
        else
            strbuf_puts(&b, "readability: no score for this language; ");
        strbuf_printf(&b, "%zu sentences, %zu words, %.1f words a sentence; %.0f%% over 15 words, "
                      "%.0f%% over 20; %zu long words", r.sentences, r.words,
                      r.sentences ? (double)r.words / (double)r.sentences : 0.0,
                      r.share_over_15 * 100, r.share_over_20 * 100, r.long_word_count);
        size_t shown = r.longest_count < cfg->longest_shown ? r.longest_count : cfg->longest_shown;
        for (size_t i = 0; i < shown; i++)
            strbuf_printf(&b, "%s line %d (%zu words)", i ? "," : "; longest:", r.longest[i].line,
                          r.longest[i].words);
        char *text = strbuf_take(&b);
        /* the figures are a report, not a problem: stdout, like "wrote ..." */
        (void)line, (void)column;
        printf("%s: %s\n", path, text);
        free(text);
    }
    readability_free(&r);
}
