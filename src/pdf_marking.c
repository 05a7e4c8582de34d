/* Marking unmarked painting in content streams. See pdf_marking.h.
 *
 * Why: cairo 1.18's tag API only emits BDC/EMC around glyphs
 * (cairo-pdf-interchange.c calls _cairo_pdf_interchange_add_content from
 * show_glyphs alone), so every fill, stroke, paint and image lands outside
 * marked content, which PDF/UA-1 forbids.
 *
 * How: the stream is lexed completely first (so a stream we cannot read is
 * left alone and the callback is never called for it), then one pass over
 * the tokens tracks the marked-content depth and records insertions at
 * token boundaries; the output is the input with those insertions. */
#include "pdf_marking.h"
#include "textutil.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- lexing ----------------------------------------------------------- */

enum { TOKEN_OPERAND, TOKEN_OPERATOR, TOKEN_INLINE_IMAGE };

typedef enum {
    OP_OTHER, OP_BMC, OP_BDC, OP_EMC, OP_BT, OP_ET, OP_SHOW,
    OP_PATH_START, OP_PATH, OP_CLIP, OP_PAINT, OP_NO_PAINT, OP_SH, OP_DO,
} op_kind;

typedef struct token {
    unsigned char kind;
    unsigned char op; /* op_kind, for operators */
    size_t start, end;
} token;

typedef struct token_list {
    token *items;
    size_t count, capacity;
} token_list;

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}

static bool is_delimiter(unsigned char c)
{
    return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' ||
           c == '}' || c == '/' || c == '%';
}

static bool is_regular(unsigned char c) { return !is_space(c) && !is_delimiter(c); }

static bool token_is(const unsigned char *s, const token *t, const char *word)
{
    size_t n = strlen(word);
    return t->end - t->start == n && memcmp(s + t->start, word, n) == 0;
}

static op_kind classify(const unsigned char *s, const token *t)
{
    static const struct { const char *word; op_kind op; } ops[] = {
        {"BMC", OP_BMC},  {"BDC", OP_BDC},       {"EMC", OP_EMC},   {"BT", OP_BT},
        {"ET", OP_ET},    {"Tj", OP_SHOW},       {"TJ", OP_SHOW},   {"'", OP_SHOW},
        {"\"", OP_SHOW},  {"m", OP_PATH_START},  {"re", OP_PATH_START},
        {"l", OP_PATH},   {"c", OP_PATH},        {"v", OP_PATH},    {"y", OP_PATH},
        {"h", OP_PATH},   {"W", OP_CLIP},        {"W*", OP_CLIP},   {"f", OP_PAINT},
        {"F", OP_PAINT},  {"f*", OP_PAINT},      {"B", OP_PAINT},   {"B*", OP_PAINT},
        {"b", OP_PAINT},  {"b*", OP_PAINT},      {"S", OP_PAINT},   {"s", OP_PAINT},
        {"n", OP_NO_PAINT}, {"sh", OP_SH},       {"Do", OP_DO},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (token_is(s, t, ops[i].word))
            return ops[i].op;
    return OP_OTHER;
}

static void push_token(token_list *list, token t)
{
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 256;
        list->items = xrealloc(list->items, list->capacity * sizeof *list->items);
    }
    list->items[list->count++] = t;
}

/* The integer value of a number token, or -1 if it is not a non-negative
 * integer. */
static long integer_value(const unsigned char *s, const token *t)
{
    long v = 0;
    size_t i = t->start;
    if (i < t->end && s[i] == '+')
        i++;
    if (i == t->end)
        return -1;
    for (; i < t->end; i++) {
        if (s[i] < '0' || s[i] > '9' || v > (LONG_MAX - 9) / 10)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Finds the end (just past "EI") of an inline image whose data starts at
 * `data`; `dict_first`..`dict_last` are the tokens of its dictionary. Uses
 * /L or /Length when given and confirmed by an EI after it; otherwise the
 * first "EI" with white space before it and white space, a delimiter or
 * the end after it. Returns 0 if there is none. */
static size_t inline_image_end(const unsigned char *s, size_t n, size_t data,
                               const token_list *list, size_t dict_first)
{
    for (size_t i = dict_first; i + 1 < list->count; i++) {
        const token *k = &list->items[i];
        if (!token_is(s, k, "/L") && !token_is(s, k, "/Length"))
            continue;
        long length = integer_value(s, &list->items[i + 1]);
        if (length < 0 || (size_t)length > n - data)
            break;
        size_t p = data + (size_t)length;
        while (p < n && is_space(s[p]))
            p++;
        if (p + 2 <= n && s[p] == 'E' && s[p + 1] == 'I' && (p + 2 == n || !is_regular(s[p + 2])))
            return p + 2;
        break;
    }
    for (size_t p = data; p + 2 <= n; p++)
        if (s[p] == 'E' && s[p + 1] == 'I' && p > 0 && is_space(s[p - 1]) &&
            (p + 2 == n || !is_regular(s[p + 2])))
            return p + 2;
    return 0;
}

/* Splits a content stream into tokens; comments are skipped, strings,
 * dictionaries and arrays are operands, a whole BI ... ID ... EI is one
 * token. False if the stream is malformed. */
static bool lex(const unsigned char *s, size_t n, token_list *list)
{
    size_t i = 0, operands_from = 0; /* first token of the current operand run */
    while (i < n) {
        unsigned char c = s[i];
        if (is_space(c)) {
            i++;
            continue;
        }
        if (c == '%') {
            while (i < n && s[i] != '\n' && s[i] != '\r')
                i++;
            continue;
        }
        token t = {.kind = TOKEN_OPERAND, .start = i};
        if (c == '(') {
            int depth = 0;
            for (; i < n; i++) {
                if (s[i] == '\\')
                    i++;
                else if (s[i] == '(')
                    depth++;
                else if (s[i] == ')' && --depth == 0)
                    break;
            }
            if (i >= n)
                return false;
            i++;
        } else if (c == '<' && i + 1 < n && s[i + 1] == '<') {
            i += 2;
        } else if (c == '>' && i + 1 < n && s[i + 1] == '>') {
            i += 2;
        } else if (c == '<') {
            while (i < n && s[i] != '>')
                i++;
            if (i >= n)
                return false;
            i++;
        } else if (c == '[' || c == ']' || c == '{' || c == '}') {
            i++;
        } else if (c == '/') {
            i++;
            while (i < n && is_regular(s[i]))
                i++;
        } else if (c == ')' || c == '>') {
            return false;
        } else {
            while (i < n && is_regular(s[i]))
                i++;
            bool number = c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9');
            if (!number && !token_is(s, &(token){.start = t.start, .end = i}, "true") &&
                !token_is(s, &(token){.start = t.start, .end = i}, "false") &&
                !token_is(s, &(token){.start = t.start, .end = i}, "null"))
                t.kind = TOKEN_OPERATOR;
        }
        t.end = i;
        if (t.kind == TOKEN_OPERATOR && token_is(s, &t, "ID")) {
            /* The image data: after one white-space byte, up to EI. */
            size_t first = operands_from;
            if (first == 0 || list->items[first - 1].kind != TOKEN_OPERATOR ||
                !token_is(s, &list->items[first - 1], "BI") || i >= n)
                return false;
            size_t end = inline_image_end(s, n, i + 1, list, first);
            if (!end)
                return false;
            token image = {.kind = TOKEN_INLINE_IMAGE, .start = list->items[first - 1].start,
                           .end = end};
            list->count = first - 1; /* BI and its dictionary become part of it */
            push_token(list, image);
            operands_from = list->count;
            i = end;
            continue;
        }
        if (t.kind == TOKEN_OPERATOR)
            t.op = (unsigned char)classify(s, &t);
        push_token(list, t);
        if (t.kind != TOKEN_OPERAND)
            operands_from = list->count;
    }
    return true;
}

/* ---- marking ---------------------------------------------------------- */

typedef struct edit {
    size_t offset;
    bool close;  /* EMC, else BMC/BDC */
    long mcid;   /* >= 0: /Figure BDC */
} edit;

typedef struct edit_list {
    edit *items;
    size_t count, capacity;
} edit_list;

static void push_edit(edit_list *list, size_t offset, bool close, long mcid)
{
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 32;
        list->items = xrealloc(list->items, list->capacity * sizeof *list->items);
    }
    list->items[list->count++] = (edit){offset, close, mcid};
}

static void wrap(edit_list *edits, size_t start, size_t end, long mcid)
{
    push_edit(edits, start, false, mcid);
    push_edit(edits, end, true, -1);
}

/* True if the text object starting at token `bt` shows text and has no
 * marked content inside (then it is wrapped whole). */
static bool wrap_text_whole(const token_list *list, size_t bt)
{
    bool shows = false;
    for (size_t i = bt + 1; i < list->count; i++) {
        const token *t = &list->items[i];
        if (t->kind != TOKEN_OPERATOR)
            continue;
        if (t->op == OP_ET)
            break;
        if (t->op == OP_BMC || t->op == OP_BDC || t->op == OP_EMC)
            return false;
        shows |= t->op == OP_SHOW;
    }
    return shows;
}

/* A name token's value with '#xx' escapes decoded, NUL-terminated. */
static char *name_value(const unsigned char *s, const token *t)
{
    char *out = xmalloc(t->end - t->start + 1), *o = out;
    for (size_t i = t->start; i < t->end; i++) {
        int hi, lo;
        if (s[i] == '#' && i + 2 < t->end && (hi = hex_digit(s[i + 1])) >= 0 &&
            (lo = hex_digit(s[i + 2])) >= 0) {
            *o++ = (char)(hi << 4 | lo);
            i += 2;
        } else {
            *o++ = (char)s[i];
        }
    }
    *o = '\0';
    return out;
}

static void render(const unsigned char *s, size_t n, const edit_list *edits, strbuf *out)
{
    size_t copied = 0;
    for (size_t e = 0; e < edits->count; e++) {
        const edit *ed = &edits->items[e];
        strbuf_append(out, (const char *)s + copied, ed->offset - copied);
        copied = ed->offset;
        if (ed->close) {
            strbuf_puts(out, "\nEMC");
            bool next_here = e + 1 < edits->count && edits->items[e + 1].offset == copied;
            if (next_here || (copied < n && !is_space(s[copied])))
                strbuf_puts(out, "\n");
            continue;
        }
        /* BMC/BDC starts a line of its own. */
        if (out->length && out->data[out->length - 1] != '\n' &&
            out->data[out->length - 1] != '\r')
            strbuf_puts(out, "\n");
        if (ed->mcid >= 0) {
            strbuf_printf(out, "/Figure <</MCID %ld>> BDC\n", ed->mcid);
        } else {
            strbuf_puts(out, "/Artifact BMC\n");
        }
    }
    strbuf_append(out, (const char *)s + copied, n - copied);
}

pdf_mark_result pdf_mark_content(const unsigned char *s, size_t n, pdf_mark_xobject_fn xobject,
                                 void *context, strbuf *out)
{
    token_list list = {0};
    if (!lex(s, n, &list)) {
        free(list.items);
        return PDF_MARK_UNPARSABLE;
    }
    edit_list edits = {0};
    size_t depth = 0;          /* marked-content depth, ours included */
    size_t run = SIZE_MAX;     /* start of the pending operands */
    bool in_path = false, whole_text = false;
    size_t path_start = 0, path_depth = 0;
    for (size_t i = 0; i < list.count; i++) {
        const token *t = &list.items[i];
        if (t->kind == TOKEN_OPERAND) {
            if (run == SIZE_MAX)
                run = t->start;
            continue;
        }
        size_t start = run == SIZE_MAX ? t->start : run;
        run = SIZE_MAX;
        if (t->kind == TOKEN_INLINE_IMAGE) {
            in_path = false;
            if (depth == 0)
                wrap(&edits, t->start, t->end, -1);
            continue;
        }
        switch ((op_kind)t->op) {
        case OP_PATH_START:
        case OP_PATH:
            /* A path object begins with m or re (a stray l, c, ... too);
             * BMC goes before it, never inside it. */
            if (!in_path) {
                in_path = true;
                path_start = start;
                path_depth = depth;
            }
            break;
        case OP_CLIP:
            break;
        case OP_PAINT:
            if (in_path && depth == 0 && path_depth == 0)
                wrap(&edits, path_start, t->end, -1);
            in_path = false;
            break;
        case OP_NO_PAINT: /* `W n` clips and paints nothing */
            in_path = false;
            break;
        case OP_OTHER: /* graphics state and the like stay outside */
            break;
        default:
            /* Anything else ends a (malformed, unfinished) path without
             * marking it, so insertions stay in stream order. */
            in_path = false;
            switch ((op_kind)t->op) {
            case OP_BMC:
            case OP_BDC:
                depth++;
                break;
            case OP_EMC:
                if (depth > 0)
                    depth--;
                break;
            case OP_BT:
                if (depth == 0 && wrap_text_whole(&list, i)) {
                    push_edit(&edits, t->start, false, -1);
                    depth++;
                    whole_text = true;
                }
                break;
            case OP_ET:
                if (whole_text) {
                    push_edit(&edits, t->end, true, -1);
                    depth--;
                    whole_text = false;
                }
                break;
            case OP_SHOW: /* in a text object that also has marked content */
            case OP_SH:
                if (depth == 0)
                    wrap(&edits, start, t->end, -1);
                break;
            case OP_DO:
                if (depth == 0) {
                    long mcid = -1;
                    const token *operand = i > 0 ? &list.items[i - 1] : NULL;
                    if (xobject && operand && operand->kind == TOKEN_OPERAND &&
                        s[operand->start] == '/') {
                        char *name = name_value(s, operand);
                        mcid = xobject(context, name);
                        free(name);
                    }
                    wrap(&edits, start, t->end, mcid < 0 ? -1 : mcid);
                }
                break;
            default:
                break;
            }
        }
    }
    pdf_mark_result result = PDF_MARK_UNCHANGED;
    if (edits.count) {
        render(s, n, &edits, out);
        result = PDF_MARK_CHANGED;
    }
    free(edits.items);
    free(list.items);
    return result;
}

long pdf_content_max_mcid(const unsigned char *s, size_t n)
{
    token_list list = {0};
    long max = -1;
    if (lex(s, n, &list)) {
        size_t from = 0;
        for (size_t i = 0; i < list.count; i++) {
            const token *t = &list.items[i];
            if (t->kind == TOKEN_OPERAND)
                continue;
            if (t->kind == TOKEN_OPERATOR && t->op == OP_BDC)
                for (size_t k = from; k + 1 < i; k++)
                    if (token_is(s, &list.items[k], "/MCID")) {
                        long v = integer_value(s, &list.items[k + 1]);
                        if (v > max)
                            max = v;
                    }
            from = i + 1;
        }
    }
    free(list.items);
    return max;
}

/* ---- print: colour operators ------------------------------------------ */

typedef struct replacement {
    size_t start, end;
    char *text;
} replacement;

typedef struct replacement_list {
    replacement *items;
    size_t count, capacity;
} replacement_list;

static void replace(replacement_list *list, size_t start, size_t end, char *text)
{
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 32;
        list->items = xrealloc(list->items, list->capacity * sizeof *list->items);
    }
    list->items[list->count++] = (replacement){start, end, text};
}

static bool number_value(const unsigned char *s, const token *t, double *value)
{
    char text[64];
    size_t n = t->end - t->start;
    if (t->kind != TOKEN_OPERAND || n == 0 || n >= sizeof text)
        return false;
    memcpy(text, s + t->start, n);
    text[n] = '\0';
    unsigned char c = (unsigned char)text[0];
    if (!(c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9')))
        return false;
    char *end;
    *value = strtod(text, &end);
    return *end == '\0';
}

/* "0.92 0.45 0.38 0.3" with no trailing zeros: short, and the same
 * digits for the same colour everywhere. */
static void put_number(strbuf *b, double v)
{
    char text[32];
    snprintf(text, sizeof text, "%.4f", v < 0 ? 0 : v > 1 ? 1 : v);
    size_t n = strlen(text);
    while (n > 1 && text[n - 1] == '0')
        n--;
    if (text[n - 1] == '.')
        n--;
    strbuf_append(b, text, n);
}

static char *cmyk_operator(pdf_recolour *r, const double rgb[3], const char *op)
{
    double cmyk[4];
    r->to_cmyk(r->context, rgb, cmyk);
    strbuf b = {0};
    for (int i = 0; i < 4; i++) {
        put_number(&b, cmyk[i]);
        strbuf_puts(&b, " ");
    }
    strbuf_puts(&b, op);
    return strbuf_take(&b);
}

/* The value token after /CS or /ColorSpace in an inline image's
 * dictionary, if it is /RGB or /DeviceRGB: its offsets in *start, *end. */
static bool inline_image_rgb(const unsigned char *s, const token *t, size_t *start, size_t *end)
{
    size_t i = t->start + 2; /* past BI */
    while (i < t->end) {
        while (i < t->end && is_space(s[i]))
            i++;
        if (i + 2 <= t->end && s[i] == 'I' && s[i + 1] == 'D' &&
            (i + 2 == t->end || is_space(s[i + 2])))
            return false;
        size_t word = i;
        if (s[i] == '/')
            i++;
        while (i < t->end && is_regular(s[i]))
            i++;
        if (i == word)
            i++; /* a delimiter such as [ */
        size_t n = i - word;
        bool is_cs = (n == 3 && memcmp(s + word, "/CS", 3) == 0) ||
                     (n == 11 && memcmp(s + word, "/ColorSpace", 11) == 0);
        if (!is_cs)
            continue;
        while (i < t->end && is_space(s[i]))
            i++;
        size_t value = i;
        if (i < t->end && s[i] == '/')
            i++;
        while (i < t->end && is_regular(s[i]))
            i++;
        n = i - value;
        if ((n == 4 && memcmp(s + value, "/RGB", 4) == 0) ||
            (n == 10 && memcmp(s + value, "/DeviceRGB", 10) == 0)) {
            *start = value;
            *end = i;
            return true;
        }
        return false;
    }
    return false;
}

#define MAX_SAVE 64

pdf_mark_result pdf_recolour_content(const unsigned char *s, size_t n, pdf_recolour *r,
                                     strbuf *out)
{
    token_list list = {0};
    if (!lex(s, n, &list)) {
        free(list.items);
        return PDF_MARK_UNPARSABLE;
    }
    replacement_list edits = {0};
    /* Whether the current fill / stroke space is one we turned to CMYK,
     * saved and restored with q / Q as the graphics state is. */
    bool fill_rgb = false, stroke_rgb = false;
    bool saved[MAX_SAVE][2];
    size_t depth = 0;
    size_t first = 0; /* first operand of the current operator */
    for (size_t i = 0; i < list.count; i++) {
        const token *t = &list.items[i];
        if (t->kind == TOKEN_OPERAND)
            continue;
        size_t operands = i - first;
        const token *args = &list.items[first];
        first = i + 1;
        if (t->kind == TOKEN_INLINE_IMAGE) {
            size_t start, end;
            if (inline_image_rgb(s, t, &start, &end)) {
                replace(&edits, start, end, xstrdup("/" PDF_SRGB_RESOURCE));
                r->used_srgb_resource = true;
            }
            continue;
        }
        bool stroke = false;
        if (token_is(s, t, "q")) {
            if (depth < MAX_SAVE) {
                saved[depth][0] = fill_rgb;
                saved[depth][1] = stroke_rgb;
            }
            depth++;
        } else if (token_is(s, t, "Q")) {
            if (depth > 0 && --depth < MAX_SAVE) {
                fill_rgb = saved[depth][0];
                stroke_rgb = saved[depth][1];
            }
        } else if (token_is(s, t, "rg") || (stroke = token_is(s, t, "RG"))) {
            double rgb[3];
            if (operands == 3 && number_value(s, &args[0], &rgb[0]) &&
                number_value(s, &args[1], &rgb[1]) && number_value(s, &args[2], &rgb[2]))
                replace(&edits, args[0].start, t->end, cmyk_operator(r, rgb, stroke ? "K" : "k"));
            *(stroke ? &stroke_rgb : &fill_rgb) = false;
        } else if (token_is(s, t, "cs") || (stroke = token_is(s, t, "CS"))) {
            bool rgb = false;
            if (operands == 1 && s[args[0].start] == '/') {
                char *name = name_value(s, &args[0]);
                rgb = strcmp(name, "/DeviceRGB") == 0 ||
                      (r->is_rgb_space && r->is_rgb_space(r->context, name + 1));
                free(name);
            }
            if (rgb)
                replace(&edits, args[0].start, t->end,
                        xstrdup(stroke ? "/DeviceCMYK CS" : "/DeviceCMYK cs"));
            *(stroke ? &stroke_rgb : &fill_rgb) = rgb;
        } else if (token_is(s, t, "sc") || token_is(s, t, "scn") ||
                   (stroke = token_is(s, t, "SC") || token_is(s, t, "SCN"))) {
            double rgb[3];
            if ((stroke ? stroke_rgb : fill_rgb) && operands == 3 &&
                number_value(s, &args[0], &rgb[0]) && number_value(s, &args[1], &rgb[1]) &&
                number_value(s, &args[2], &rgb[2]))
                replace(&edits, args[0].start, t->end, cmyk_operator(r, rgb, stroke ? "SC" : "sc"));
        } else if (token_is(s, t, "k") || token_is(s, t, "g")) {
            fill_rgb = false;
        } else if (token_is(s, t, "K") || token_is(s, t, "G")) {
            stroke_rgb = false;
        }
    }
    pdf_mark_result result = PDF_MARK_UNCHANGED;
    if (edits.count) {
        size_t copied = 0;
        for (size_t e = 0; e < edits.count; e++) {
            const replacement *ed = &edits.items[e];
            strbuf_append(out, (const char *)s + copied, ed->start - copied);
            strbuf_puts(out, ed->text);
            copied = ed->end;
            free(ed->text);
        }
        strbuf_append(out, (const char *)s + copied, n - copied);
        result = PDF_MARK_CHANGED;
    }
    free(edits.items);
    free(list.items);
    return result;
}
