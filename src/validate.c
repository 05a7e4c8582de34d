/* Validate: a second pass over the parsed leaflet (see validate.h).
 *
 * The tree is walked once in reading order. A block (paragraph, heading)
 * resets the state that runs across its inline nodes: where a source line
 * starts (a text segment on a new line), the word being counted, the
 * previous character. Every check is linear in the text. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#endif
#include "validate.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "textutil.h"

/* --- limits -------------------------------------------------------------- */

/* Combining marks on one base character: Dutch needs one (ë), Vietnamese
 * two; more is a copy-paste accident or an attack on the shaper (100,000
 * marks on one letter took minutes in layout). */
#define MAX_COMBINING_MARKS 4
/* Characters in a word without a space: the longest Dutch words and web
 * addresses in leaflets stay under 60; a line cannot hold more than about
 * 70 characters anyway, and layout time grows with unbreakable text. */
#define MAX_WORD_LENGTH 100
/* The title is set on the cover in large type: 200 characters already fill it. */
#define MAX_TITLE_LENGTH 200
/* The running footer holds short_title on one line beside the page number.
 * A count, not a measure: layout checks the measured fit. */
#define MAX_SHORT_TITLE_LENGTH 60

typedef struct validator {
    const document *doc;
    const char *path;
    const char *source;
    size_t length;
    diag_list *diags;

    /* within one block */
    bool block_start;          /* nothing of the block seen yet */
    int last_line;             /* source line of the previous character */
    gunichar previous;         /* the previous character, 0 at the start */
    size_t word_chars;         /* characters of the current word so far */
    const doc_node *word_node; /* where the current word starts */
    size_t word_offset;
    bool word_reported;
    int marks;                 /* combining marks on the current character */
    unsigned reported;         /* rules already reported in this block (one report each) */
} validator;

/* One report per rule and block: the first place shows the mistake, and a
 * hostile paragraph of 100,000 of them does not print 100,000 lines. */
enum {
    RULE_BULLET = 1 << 0, RULE_MARKS = 1 << 1, RULE_WORD = 1 << 2, RULE_DEGREE = 1 << 3,
    RULE_LINK = 1 << 4, RULE_SPAN = 1 << 5, RULE_COMMENT = 1 << 6, RULE_DELIMITER = 1 << 7,
};

static bool first_time(validator *v, unsigned rule)
{
    if (v->reported & rule)
        return false;
    v->reported |= rule;
    return true;
}

static void report(validator *v, severity level, const doc_node *t, size_t offset,
                   const char *format, ...) __attribute__((format(printf, 5, 6)));
static void report(validator *v, severity level, const doc_node *t, size_t offset,
                   const char *format, ...)
{
    int line, column;
    doc_text_position(t, offset, &line, &column);
    va_list args;
    va_start(args, format);
    diag_vreport(v->diags, level, v->path, line, column, format, args);
    va_end(args);
}

static void block_reset(validator *v)
{
    v->block_start = true;
    v->last_line = 0;
    v->previous = 0;
    v->word_chars = 0;
    v->word_reported = false;
    v->marks = 0;
    v->reported = 0;
}

/* Bullets Word and friends leave at the start of a pasted list line. */
static bool is_pasted_bullet(gunichar c)
{
    switch (c) {
    case 0x2022: /* • */
    case 0x25E6: /* ◦ */
    case 0x25AA: /* ▪ */
    case 0x2013: /* – */
    case 0x25CF: /* ● */
    case 0x25A0: /* ■ */
    case 0x2023: /* ‣ */
    case 0xF0B7: /* Symbol-font bullet, as Word pastes it */
        return true;
    default:
        return false;
    }
}

static bool is_space(gunichar c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == 0x200B;
}

/* Flanking as CommonMark means it: a delimiter touching a word on one side only. */
static bool is_wordish(gunichar c)
{
    return c && g_unichar_isalnum(c);
}

/* "](" left as text: a link md4c could not make; says why when it can. */
static void leaked_link(validator *v, const doc_node *t, size_t close)
{
    if (!first_time(v, RULE_LINK)) /* before the scans: once per block keeps this linear */
        return;
    const char *s = t->text;
    size_t open = close;
    while (open > 0 && !(s[open - 1] == '[' && !doc_text_literal_at(t, open - 1)))
        open--;
    size_t at = open > 0 ? open - 1 : close;
    const char *dest = s + close + 2;
    const char *end = strchr(dest, ')');
    size_t n = end ? (size_t)(end - dest) : strlen(dest);
    if (end && memchr(dest, ' ', n)) {
        if (!strncmp(dest, "tel:", 4)) {
            strbuf digits = {0};
            for (size_t i = 4; i < n; i++)
                if ((dest[i] >= '0' && dest[i] <= '9') || (dest[i] == '+' && i == 4))
                    strbuf_append(&digits, dest + i, 1);
            char *d = strbuf_take(&digits);
            report(v, SEVERITY_ERROR, t, at,
                   "this link was not made: a link address cannot contain spaces; write "
                   "'tel:%s', or put the address in angle brackets: '(<%.*s>)'",
                   d ? d : "", (int)n, dest);
            free(d);
        } else {
            report(v, SEVERITY_ERROR, t, at,
                   "this link was not made: a link address cannot contain spaces; remove them, "
                   "or put the address in angle brackets: '(<%.*s>)'",
                   (int)n, dest);
        }
    } else {
        report(v, SEVERITY_ERROR, t, at,
               "this link was not made and would be printed as text; check its brackets and "
               "parentheses, like '[text](https://example.nl)'");
    }
}

/* Markup characters that survived parsing at text[i]; returns how many
 * bytes to skip (0: nothing there). */
static size_t leaked_markup(validator *v, const doc_node *t, size_t i, gunichar before)
{
    const char *s = t->text;
    char c = s[i];
    if (doc_text_literal_at(t, i))
        return 0;
    if (c == ']' && s[i + 1] == '(') {
        leaked_link(v, t, i);
        return 2;
    }
    if (c == ']' && s[i + 1] == '{') {
        if (first_time(v, RULE_SPAN))
            report(v, SEVERITY_ERROR, t, i,
                   "this language span was not made and would be printed as text; write it "
                   "like '[cancer of unknown primary]{lang=en}'");
        return 2;
    }
    if (c == '<' && !strncmp(s + i, "<!--", 4)) {
        if (first_time(v, RULE_COMMENT))
            report(v, SEVERITY_ERROR, t, i, "this comment has no end: close it with '-->'");
        return 4;
    }
    if ((c == '*' || c == '_') && s[i + 1] == c && !doc_text_literal_at(t, i + 1)) {
        if (first_time(v, RULE_DELIMITER))
            report(v, SEVERITY_ERROR, t, i,
                   "unmatched '%c%c' would be printed as text: close it, like '%c%cword%c%c', "
                   "or write '\\%c\\%c' for the characters themselves",
                   c, c, c, c, c, c, c, c);
        size_t n = 2;
        while (s[i + n] == c)
            n++;
        return n;
    }
    if (c == '*' || c == '_') {
        size_t next_at = i + 1;
        gunichar after = s[next_at] ? g_utf8_get_char(s + next_at) : 0;
        bool left = is_wordish(after) && !is_wordish(before);
        bool right = is_wordish(before) && !is_wordish(after);
        if ((left || right) && first_time(v, RULE_DELIMITER))
            report(v, SEVERITY_ERROR, t, i,
                   "unmatched '%c' would be printed as text: close the emphasis, like "
                   "'%cword%c', or write '\\%c' for the character itself",
                   c, c, c, c);
        return left || right ? 1 : 0;
    }
    return 0;
}

/* --- handlers per node type ---------------------------------------------- */

static void check_text(validator *v, const doc_node *t)
{
    const char *s = t->text ? t->text : "";
    size_t segment = 0, skip = 0;
    for (size_t i = 0; s[i];) {
        gunichar c = g_utf8_get_char(s + i);
        size_t next = (size_t)(g_utf8_next_char(s + i) - s);

        bool line_start = v->block_start;
        while (segment < t->segment_count && t->segments[segment].offset <= i) {
            if (t->segments[segment].line != v->last_line && v->last_line)
                line_start = true;
            v->last_line = t->segments[segment].line;
            segment++;
        }
        if (!v->last_line)
            v->last_line = t->line;
        v->block_start = false;

        if (line_start && is_pasted_bullet(c) && (s[next] == '\t' || s[next] == ' ') &&
            first_time(v, RULE_BULLET)) {
            char shown[8] = "";
            g_unichar_to_utf8(c, shown);
            report(v, SEVERITY_ERROR, t, i,
                   "this line starts with '%s', pasted from a word processor: it would run on "
                   "in one paragraph; use '- ' for a list item",
                   c == 0xF0B7 ? "U+F0B7" : shown);
        }

        if (g_unichar_ismark(c)) {
            if (++v->marks == MAX_COMBINING_MARKS + 1 && first_time(v, RULE_MARKS))
                report(v, SEVERITY_ERROR, t, i,
                       "more than %d combining marks on one character; remove the extra accents",
                       MAX_COMBINING_MARKS);
            i = next;
            continue; /* part of the character before: neither a word character nor context */
        }
        v->marks = 0;

        if (is_space(c)) {
            v->word_chars = 0;
            v->word_reported = false;
        } else {
            if (v->word_chars++ == 0) {
                v->word_node = t;
                v->word_offset = i;
            }
            if (v->word_chars == MAX_WORD_LENGTH + 1 && !v->word_reported &&
                first_time(v, RULE_WORD)) {
                v->word_reported = true;
                report(v, SEVERITY_ERROR, v->word_node, v->word_offset,
                       "a word of more than %d characters without a space; no line can hold "
                       "it: add spaces or split it",
                       MAX_WORD_LENGTH);
            }
        }

        if (c == 0x2070 && v->previous >= '0' && v->previous <= '9' && first_time(v, RULE_DEGREE))
            report(v, SEVERITY_WARNING, t, i,
                   "'\xE2\x81\xB0' is a superscript zero; for degrees write '\xC2\xB0', like "
                   "'38\xC2\xB0' or '20 \xC2\xB0" "C'");

        if (skip) {
            skip--;
        } else if (c < 0x80 && strchr("]*_<", (int)c)) {
            skip = leaked_markup(v, t, i, v->previous);
            if (skip)
                skip--; /* this character is the first of those it covers */
        }

        v->previous = c;
        i = next;
    }
}

static void check_span(validator *v, const doc_node *span)
{
    char *text = doc_plain_text(span);
    bool empty = true;
    for (const char *p = text; *p; p++)
        empty &= *p == ' ';
    if (empty)
        diag_report(v->diags, SEVERITY_ERROR, v->path, span->line, span->column,
                    "this language span has no text");
    free(text);
}

typedef void (*node_handler)(validator *v, const doc_node *node);

static void enter_block(validator *v, const doc_node *node)
{
    (void)node;
    block_reset(v);
}

static void hard_break(validator *v, const doc_node *node)
{
    (void)node;
    v->word_chars = 0;
    v->word_reported = false;
    v->previous = '\n';
}

/* On entering each node, by type; NULL: nothing to check. */
static const node_handler handlers[] = {
    [NODE_DOCUMENT] = NULL,
    [NODE_HEADING] = enter_block,
    [NODE_PARAGRAPH] = enter_block,
    [NODE_LIST] = NULL,
    [NODE_ITEM] = NULL,
    [NODE_ALERT] = NULL,
    [NODE_IMAGE] = enter_block,
    [NODE_TEXT] = check_text,
    [NODE_EMPHASIS] = NULL,
    [NODE_STRONG] = NULL,
    [NODE_LINK] = NULL,
    [NODE_LINE_BREAK] = hard_break,
    [NODE_SPAN] = check_span,
};

/* --- the body as written ------------------------------------------------- */

/* Bidi overrides and isolates anywhere in the body (comments and link
 * addresses included: they mislead whoever reads the source); the first on
 * each line. */
static void check_bidi(validator *v, int body_line)
{
    const unsigned char *u = (const unsigned char *)v->source;
    int line = 1, reported_line = 0;
    size_t line_start = 0;
    for (size_t i = 0; i < v->length; i++) {
        if (u[i] == '\n') {
            line++;
            line_start = i + 1;
            continue;
        }
        if (line < body_line || u[i] != 0xE2 || i + 2 >= v->length)
            continue;
        unsigned cp = ((unsigned)(u[i] & 0x0F) << 12) | ((unsigned)(u[i + 1] & 0x3F) << 6) |
                      (u[i + 2] & 0x3F);
        if (!((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) ||
            reported_line == line)
            continue;
        reported_line = line;
        int column = 1;
        for (size_t k = line_start; k < i; k++)
            if ((u[k] & 0xC0) != 0x80)
                column++;
        diag_report(v->diags, SEVERITY_ERROR, v->path, line, column,
                    "bidirectional control character U+%04X is not allowed: it makes text show "
                    "in another order than the source says; remove it",
                    cp);
    }
}

/* --- front matter -------------------------------------------------------- */

/* Where the value of a top-level front-matter key is (its key when the
 * value is on the next lines). False when the key is not there. */
static bool find_key(const validator *v, const char *key, int *line, int *column)
{
    size_t n = strlen(key);
    int l = 1;
    for (size_t p = 0; p < v->length; l++) {
        size_t e = p;
        while (e < v->length && v->source[e] != '\n')
            e++;
        if (l > 1 && e - p >= 3 && (!strncmp(v->source + p, "---", 3) ||
                                     !strncmp(v->source + p, "...", 3)))
            return false;
        if (e - p > n && !strncmp(v->source + p, key, n)) {
            size_t q = p + n;
            while (q < e && v->source[q] == ' ')
                q++;
            if (q < e && v->source[q] == ':') {
                size_t value = q + 1;
                while (value < e && (v->source[value] == ' ' || v->source[value] == '\t'))
                    value++;
                if (value >= e || v->source[value] == '\r' || v->source[value] == '#')
                    value = p;
                *line = l;
                *column = 1;
                for (size_t k = p; k < value; k++)
                    if (((unsigned char)v->source[k] & 0xC0) != 0x80)
                        (*column)++;
                return true;
            }
        }
        p = e + 1;
    }
    return false;
}

static void report_key(validator *v, severity level, const char *key, const char *format, ...)
    __attribute__((format(printf, 4, 5)));
static void report_key(validator *v, severity level, const char *key, const char *format, ...)
{
    int line = 0, column = 0;
    find_key(v, key, &line, &column);
    va_list args;
    va_start(args, format);
    diag_vreport(v->diags, level, v->path, line, column, format, args);
    va_end(args);
}

/* Today as SOURCE_DATE_EPOCH says (reproducible builds), else the clock. */
static bool today(int *year, int *month, int *day)
{
    time_t now = time(NULL);
    const char *env = getenv("SOURCE_DATE_EPOCH");
    if (env && *env) {
        char *end;
        long long value = strtoll(env, &end, 10);
        if (*end == '\0' && value >= 0)
            now = (time_t)value;
    }
    struct tm tm;
    if (!gmtime_r(&now, &tm))
        return false;
    *year = tm.tm_year + 1900;
    *month = tm.tm_mon + 1;
    *day = tm.tm_mday;
    return true;
}

static void check_meta(validator *v)
{
    const leaflet_meta *m = &v->doc->meta;
    int line, column;
    if (m->contact_sheet && m->contact_count == 0)
        report_key(v, SEVERITY_ERROR, "contact_sheet",
                   "'contact_sheet' has no contacts to show; list them under 'contacts:', or "
                   "remove 'contact_sheet'");

    bool title_too_long = false;
    if (m->title && g_utf8_strlen(m->title, -1) > MAX_TITLE_LENGTH) {
        title_too_long = true;
        report_key(v, SEVERITY_ERROR, "title",
                   "the title has more than %d characters; shorten it (the subtitle can say more)",
                   MAX_TITLE_LENGTH);
    }
    bool own_short = find_key(v, "short_title", &line, &column);
    if (m->short_title && g_utf8_strlen(m->short_title, -1) > MAX_SHORT_TITLE_LENGTH) {
        if (own_short)
            report_key(v, SEVERITY_ERROR, "short_title",
                       "'short_title' has more than %d characters; it must fit the running "
                       "footer",
                       MAX_SHORT_TITLE_LENGTH);
        else if (!title_too_long)
            report_key(v, SEVERITY_ERROR, "title",
                       "the title has more than %d characters and stands in for the running "
                       "footer's; add a shorter 'short_title'",
                       MAX_SHORT_TITLE_LENGTH);
    }

    int year, month, day;
    if (m->updated_year && today(&year, &month, &day)) {
        long updated = m->updated_year * 10000L + m->updated_month * 100L + m->updated_day;
        long now = year * 10000L + month * 100L + (m->updated_day ? day : 0);
        if (updated > now)
            report_key(v, SEVERITY_WARNING, "updated",
                       "'updated' is after today (%04d-%02d-%02d); check the date", year, month,
                       day);
    }
}

void validate_document(const document *doc, const char *source, size_t length, diag_list *diags)
{
    validator v = {.doc = doc, .path = doc->source_path, .source = source, .length = length,
                   .diags = diags};
    block_reset(&v);
    check_meta(&v);
    doc_walker w;
    doc_walker_init(&w, doc->root);
    while (doc_walker_next(&w)) {
        if (w.event != WALK_ENTER)
            continue;
        const doc_node *n = w.current;
        if ((size_t)n->type < sizeof handlers / sizeof *handlers && handlers[n->type])
            handlers[n->type](&v, n);
    }
    check_bidi(&v, doc->root->line);
}
