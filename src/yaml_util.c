#include "yaml_util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "textutil.h"

const char *yaml_node_kind(const yaml_node_t *node)
{
    switch (node->type) {
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "a string";
    }
}

bool yaml_node_is_null(const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *v = (const char *)node->data.scalar.value;
    return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL");
}

void yaml_error_at(const yaml_checker *c, yaml_mark_t mark, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    diag_vreport(c->diags, SEVERITY_ERROR, c->path, (int)mark.line + 1 + c->line_offset,
                 (int)mark.column + 1, format, args);
    va_end(args);
}

/* Walks forward through the YAML source by characters (libyaml's mark.index
 * counts characters, not bytes), resetting only when asked to go back, so
 * locating every reported scalar stays linear in the source. */
typedef struct cursor {
    const char *text;
    size_t length, byte, chars;
} cursor;

static size_t cursor_seek(cursor *k, size_t chars)
{
    if (chars < k->chars)
        k->byte = k->chars = 0;
    while (k->chars < chars && k->byte < k->length) {
        k->byte++;
        while (k->byte < k->length && ((unsigned char)k->text[k->byte] & 0xC0) == 0x80)
            k->byte++;
        k->chars++;
    }
    return k->byte;
}

/* The character a double-quoted escape at s (just after the backslash) stands
 * for, or -1 when it is a line continuation or not an escape we judge. */
static long escaped_char(const char *s, size_t n)
{
    if (n == 0)
        return -1;
    static const char simple[] = "0abtnvfre N_LP";
    static const long value[] = {0, 7, 8, 9, 10, 11, 12, 13, 27, ' ', 0x85, 0xA0, 0x2028, 0x2029};
    const char *hit = memchr(simple, s[0], sizeof simple - 1);
    if (hit)
        return value[hit - simple];
    size_t digits = s[0] == 'x' ? 2 : s[0] == 'u' ? 4 : s[0] == 'U' ? 8 : 0;
    if (!digits || n < digits + 1)
        return -1;
    long v = 0;
    for (size_t i = 1; i <= digits; i++) {
        int d = hex_digit((unsigned char)s[i]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Byte offset of the first bad character or escape in text[from, to), or `from`. */
static size_t find_bad(const char *text, size_t from, size_t to, bool double_quoted)
{
    for (size_t i = from; i < to;) {
        if (double_quoted && text[i] == '\\' && i + 1 < to) {
            long cp = escaped_char(text + i + 1, to - i - 1);
            if (cp >= 0 && (cp == 0 || char_is_unsafe((unsigned long)cp)))
                return i;
            i += 2; /* also skips an escaped quote or backslash */
            continue;
        }
        unsigned long cp;
        size_t len = utf8_decode(text + i, to - i, &cp);
        if (len == 0)
            return i;
        if (cp == 0 || (char_is_unsafe(cp) && cp != '\r'))
            return i;
        i += len;
    }
    return from;
}

bool yaml_check_strings(const yaml_checker *c)
{
    bool ok = true;
    cursor k = {.text = c->text, .length = c->length};
    /* libyaml drops a byte-order mark before it counts characters */
    size_t bom = c->text && c->length >= 3 && !memcmp(c->text, "\xEF\xBB\xBF", 3) ? 3 : 0;
    k.text += bom;
    k.length -= bom;
    for (yaml_node_t *node = c->doc->nodes.start; node < c->doc->nodes.top; node++) {
        if (node->type != YAML_SCALAR_NODE)
            continue;
        const char *v = (const char *)node->data.scalar.value;
        size_t n = node->data.scalar.length;
        unsigned long bad = 0;
        bool found = false;
        for (size_t i = 0; i < n && !found;) {
            unsigned long cp;
            size_t len = utf8_decode(v + i, n - i, &cp);
            if (len == 0)
                break; /* the source was validated; only escapes add characters */
            if (cp == 0 || char_is_unsafe(cp)) {
                bad = cp;
                found = true;
            }
            i += len;
        }
        if (!found)
            continue;
        ok = false;
        int line = (int)node->start_mark.line + 1, column = (int)node->start_mark.column + 1;
        if (c->text) {
            size_t from = cursor_seek(&k, node->start_mark.index);
            size_t to = cursor_seek(&k, node->end_mark.index);
            size_t at = find_bad(k.text, from, to,
                                 node->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE);
            text_position(k.text + from, at - from, &line, &column);
            if (line == 1)
                column += (int)node->start_mark.column;
            line += (int)node->start_mark.line;
        }
        line += c->line_offset;
        if (bad == 0)
            diag_report(c->diags, SEVERITY_ERROR, c->path, line, column,
                        "NUL character (\\0) in a string; it would cut the text short here");
        else if (char_is_bidi_control(bad))
            diag_report(c->diags, SEVERITY_ERROR, c->path, line, column,
                        "bidirectional control character U+%04lX is not allowed: it makes text "
                        "show in another order than it is written", bad);
        else
            diag_report(c->diags, SEVERITY_ERROR, c->path, line, column,
                        "control character U+%04lX is not allowed", bad);
    }
    return ok;
}

char *yaml_scalar_text(const yaml_node_t *node)
{
    const char *v = (const char *)node->data.scalar.value;
    size_t n = node->data.scalar.length;
    while (n && strchr(" \t\r\n", v[n - 1]))
        n--;
    while (n && strchr(" \t\r\n", *v)) {
        v++;
        n--;
    }
    char *s = xstrndup(v, n);
    for (char *q = s; *q; q++)
        if (*q == '\n' || *q == '\r')
            *q = ' ';
    return s;
}

char *yaml_want_string(const yaml_checker *c, const char *key, const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE) {
        yaml_error_at(c, node->start_mark, "'%s' must be a string, not %s", key, yaml_node_kind(node));
        return NULL;
    }
    char *s = yaml_node_is_null(node) ? NULL : yaml_scalar_text(node);
    if (!s || !*s) {
        free(s);
        yaml_error_at(c, node->start_mark, "'%s' is empty; give it a value or remove it", key);
        return NULL;
    }
    return s;
}

bool is_plain_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    return true;
}
