#include "diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textutil.h"

void diag_init(diag_list *list) { memset(list, 0, sizeof *list); }

void diag_free(diag_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].file);
        free(list->items[i].message);
    }
    free(list->items);
    memset(list, 0, sizeof *list);
}

/* Messages quote inputs (keys, values, file names), and they go to a
 * terminal: anything that could steer it (ESC, CR, BEL, ...) or reorder what
 * it shows (bidi controls) is written out instead, as is any byte that is
 * not UTF-8 and a line feed, which could fake a line of output. Escaping
 * only produces printable ASCII, so escaping twice changes nothing. */
char *diag_escape(const char *text)
{
    strbuf out = {0};
    size_t n = strlen(text);
    for (size_t i = 0; i < n;) {
        unsigned long cp;
        size_t len = utf8_decode(text + i, n - i, &cp);
        if (len == 0) {
            strbuf_printf(&out, "\\x%02x", (unsigned char)text[i]);
            i++;
            continue;
        }
        if (cp < 0x80 && (char_is_unsafe(cp) || cp == '\n'))
            strbuf_printf(&out, "\\x%02lx", cp);
        else if (char_is_unsafe(cp))
            strbuf_printf(&out, "U+%04lX", cp);
        else
            strbuf_append(&out, text + i, len);
        i += len;
    }
    return strbuf_take(&out);
}

void diag_vreport(diag_list *list, severity level, const char *file, int line, int column,
                  const char *format, va_list args)
{
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 8;
        list->items = xrealloc(list->items, list->capacity * sizeof *list->items);
    }
    va_list copy;
    va_copy(copy, args);
    int n = vsnprintf(NULL, 0, format, copy);
    va_end(copy);
    char *raw = xmalloc((size_t)n + 1);
    vsnprintf(raw, (size_t)n + 1, format, args);
    char *text = diag_escape(raw);
    free(raw);
    list->items[list->count++] = (diag){
        .level = level, .file = file ? diag_escape(file) : NULL,
        .line = line, .column = column, .message = text,
    };
    if (level == SEVERITY_ERROR)
        list->errors++;
}

void diag_report(diag_list *list, severity level, const char *file, int line, int column,
                 const char *format, ...)
{
    va_list args;
    va_start(args, format);
    diag_vreport(list, level, file, line, column, format, args);
    va_end(args);
}

static const char *severity_name(severity level)
{
    switch (level) {
    case SEVERITY_NOTE: return "note";
    case SEVERITY_WARNING: return "warning";
    case SEVERITY_ERROR: break;
    }
    return "error";
}

char *diag_format(const diag *d)
{
    strbuf out = {0};
    if (d->file) {
        strbuf_puts(&out, d->file);
        if (d->line > 0) {
            strbuf_printf(&out, ":%d", d->line);
            if (d->column > 0)
                strbuf_printf(&out, ":%d", d->column);
        }
        strbuf_puts(&out, ": ");
    } else {
        strbuf_puts(&out, "leafpress: ");
    }
    strbuf_printf(&out, "%s: %s", severity_name(d->level), d->message);
    return strbuf_take(&out);
}

static void (*print_hook)(const diag_list *list);

void diag_set_print_hook(void (*hook)(const diag_list *list)) { print_hook = hook; }

static size_t warnings_printed;

size_t diag_warnings_printed(void) { return warnings_printed; }

void diag_print(const diag_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        warnings_printed += list->items[i].level == SEVERITY_WARNING;
    if (print_hook) {
        print_hook(list);
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        char *line = diag_format(&list->items[i]);
        fprintf(stderr, "%s\n", line);
        free(line);
    }
}
