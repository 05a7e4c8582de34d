/* Small string and file helpers shared by every stage. */
#ifndef LEAFPRESS_TEXTUTIL_H
#define LEAFPRESS_TEXTUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Reads a whole file; NUL-terminates. Returns NULL and sets errno on failure. */
char *read_file(const char *path, size_t *length);

/* Checks UTF-8; on failure stores the 1-based line and column (in characters)
 * of the first bad byte. */
bool utf8_validate(const char *text, size_t length, int *bad_line, int *bad_column);

/* Line/column (1-based) of byte `offset` in `text`, counting UTF-8 characters. */
void text_position(const char *text, size_t offset, int *line, int *column);

/* Growable string. */
typedef struct strbuf {
    char *data;
    size_t length, capacity;
} strbuf;
void strbuf_append(strbuf *b, const char *s, size_t n);
void strbuf_puts(strbuf *b, const char *s);
void strbuf_printf(strbuf *b, const char *format, ...) __attribute__((format(printf, 2, 3)));
char *strbuf_take(strbuf *b); /* returns the NUL-terminated data, resets b */

/* Value of a hexadecimal digit, or -1. */
int hex_digit(int c);
/* Decodes %XX escapes in the first n bytes of s ("figuur%201.png"); a
 * malformed escape or %00 stays as written, and so does the whole string
 * when decoding would give bad UTF-8 or a control character. Caller frees. */
char *percent_decode(const char *s, size_t n);

/* Allocation that aborts on out-of-memory: leaflets are tiny, and a
 * half-built tree is worse than a clear crash message. */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
