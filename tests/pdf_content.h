/* A small, independent PDF content-stream reader for the tests
 * (preflight.c, unit_pdf_finish.c): operators with their operands, so a
 * test can follow colours, marked content, text and paths. Written apart
 * from src/pdf_marking.c on purpose, so the checks do not share the
 * finisher's mistakes. Header-only: each test includes it once. */
#ifndef LEAFPRESS_TESTS_PDF_CONTENT_H
#define LEAFPRESS_TESTS_PDF_CONTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    TK_NUMBER, TK_NAME, TK_STRING, TK_HEXSTRING, TK_OPEN_ARRAY, TK_CLOSE_ARRAY,
    TK_OPEN_DICT, TK_CLOSE_DICT, TK_WORD, /* true, false, null */
    TK_OPERATOR, TK_INLINE_IMAGE,
} tk_kind;

typedef struct tk {
    tk_kind kind;
    const char *s; /* the token's bytes in the stream */
    size_t n;
    double number; /* TK_NUMBER */
} tk;

typedef void (*content_op_fn)(void *context, const tk *op, const tk *args, size_t count);

static bool pc_space(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}

static bool pc_delim(unsigned char c)
{
    return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' ||
           c == '}' || c == '/' || c == '%';
}

static bool tk_is(const tk *t, const char *word)
{
    return t->n == strlen(word) && memcmp(t->s, word, t->n) == 0;
}

/* Calls fn for every operator (and every inline image, as an operator
 * token of kind TK_INLINE_IMAGE covering BI ... EI). False if malformed. */
static bool content_ops(const unsigned char *s, size_t n, content_op_fn fn, void *context)
{
    tk *args = NULL;
    size_t count = 0, capacity = 0;
    size_t i = 0;
    bool ok = true;
    while (i < n && ok) {
        unsigned char c = s[i];
        if (pc_space(c)) {
            i++;
            continue;
        }
        if (c == '%') {
            while (i < n && s[i] != '\n' && s[i] != '\r')
                i++;
            continue;
        }
        tk t = {.s = (const char *)s + i};
        size_t start = i;
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
            if (i >= n) {
                ok = false;
                break;
            }
            i++;
            t.kind = TK_STRING;
        } else if (c == '<' && i + 1 < n && s[i + 1] == '<') {
            i += 2;
            t.kind = TK_OPEN_DICT;
        } else if (c == '>' && i + 1 < n && s[i + 1] == '>') {
            i += 2;
            t.kind = TK_CLOSE_DICT;
        } else if (c == '<') {
            while (i < n && s[i] != '>')
                i++;
            if (i >= n) {
                ok = false;
                break;
            }
            i++;
            t.kind = TK_HEXSTRING;
        } else if (c == '[' || c == ']') {
            i++;
            t.kind = c == '[' ? TK_OPEN_ARRAY : TK_CLOSE_ARRAY;
        } else if (c == '/') {
            i++;
            while (i < n && !pc_space(s[i]) && !pc_delim(s[i]))
                i++;
            t.kind = TK_NAME;
        } else if (c == ')' || c == '>' || c == '{' || c == '}') {
            ok = false;
            break;
        } else {
            while (i < n && !pc_space(s[i]) && !pc_delim(s[i]))
                i++;
            t.n = i - start;
            if (c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9')) {
                char text[64];
                size_t m = t.n < sizeof text - 1 ? t.n : sizeof text - 1;
                memcpy(text, t.s, m);
                text[m] = '\0';
                char *end;
                t.number = strtod(text, &end);
                t.kind = TK_NUMBER;
                if (*end)
                    ok = false;
            } else if (tk_is(&t, "true") || tk_is(&t, "false") || tk_is(&t, "null")) {
                t.kind = TK_WORD;
            } else {
                t.kind = TK_OPERATOR;
            }
        }
        t.n = i - start;
        if (t.kind == TK_OPERATOR && tk_is(&t, "BI")) {
            /* up to " ID", then the data up to an EI between white space */
            size_t p = i;
            while (p + 3 <= n && !(pc_space(s[p]) && s[p + 1] == 'I' && s[p + 2] == 'D' &&
                                   (p + 3 == n || pc_space(s[p + 3]))))
                p++;
            size_t q = p + 3;
            while (q + 2 <= n && !(pc_space(s[q - 1]) && s[q] == 'E' && s[q + 1] == 'I' &&
                                   (q + 2 == n || pc_space(s[q + 2]))))
                q++;
            if (q + 2 > n) {
                ok = false;
                break;
            }
            i = q + 2;
            t.kind = TK_INLINE_IMAGE;
            t.n = i - start;
        }
        if (t.kind == TK_OPERATOR || t.kind == TK_INLINE_IMAGE) {
            fn(context, &t, args, count);
            count = 0;
            continue;
        }
        if (count == capacity) {
            capacity = capacity ? capacity * 2 : 16;
            args = realloc(args, capacity * sizeof *args);
            if (!args)
                abort();
        }
        args[count++] = t;
    }
    free(args);
    return ok;
}

/* The bytes of a string token (literal or hex), escapes decoded, in *out
 * (malloc'd); returns the length. */
static size_t tk_string_bytes(const tk *t, unsigned char **out)
{
    unsigned char *o = malloc(t->n + 1);
    size_t m = 0;
    if (!o)
        abort();
    if (t->kind == TK_HEXSTRING) {
        int high = -1;
        for (size_t i = 1; i + 1 < t->n; i++) {
            int c = (unsigned char)t->s[i], v;
            if (c >= '0' && c <= '9') v = c - '0';
            else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
            else continue;
            if (high < 0) high = v;
            else { o[m++] = (unsigned char)(high << 4 | v); high = -1; }
        }
        if (high >= 0)
            o[m++] = (unsigned char)(high << 4);
    } else {
        for (size_t i = 1; i + 1 < t->n; i++) {
            unsigned char c = (unsigned char)t->s[i];
            if (c != '\\') {
                o[m++] = c;
                continue;
            }
            c = (unsigned char)t->s[++i];
            switch (c) {
            case 'n': o[m++] = '\n'; break;
            case 'r': o[m++] = '\r'; break;
            case 't': o[m++] = '\t'; break;
            case 'b': o[m++] = '\b'; break;
            case 'f': o[m++] = '\f'; break;
            case '\r': if (i + 2 < t->n && t->s[i + 1] == '\n') i++; break;
            case '\n': break;
            default:
                if (c >= '0' && c <= '7') {
                    int v = c - '0';
                    for (int k = 0; k < 2 && i + 2 < t->n && t->s[i + 1] >= '0' && t->s[i + 1] <= '7'; k++)
                        v = v * 8 + (t->s[++i] - '0');
                    o[m++] = (unsigned char)v;
                } else {
                    o[m++] = c;
                }
            }
        }
    }
    *out = o;
    return m;
}

#endif
