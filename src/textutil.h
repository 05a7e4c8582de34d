/* Small string and file helpers shared by every stage. */
#ifndef LEAFPRESS_TEXTUTIL_H
#define LEAFPRESS_TEXTUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Reads a whole regular file of at most max_bytes (see limits.h) and
 * NUL-terminates it. FIFOs, devices, folders and /proc or /sys files are
 * refused without blocking. On failure returns NULL, sets errno (EFBIG when
 * too large) and, when why is not NULL, stores a sentence saying why for
 * "cannot read FILE: WHY" (caller frees). */
char *read_input(const char *path, size_t max_bytes, size_t *length, char **why);
/* read_input with LIMIT_OTHER_BYTES and no sentence. */
char *read_file(const char *path, size_t *length);

/* Checks UTF-8; on failure stores the 1-based line and column (in characters)
 * of the first bad byte. */
bool utf8_validate(const char *text, size_t length, int *bad_line, int *bad_column);

/* Decodes the UTF-8 character at s (n bytes available): its length, or 0
 * when the bytes there are not valid UTF-8. */
size_t utf8_decode(const char *s, size_t n, unsigned long *cp);

/* Characters that must not reach a terminal or a PDF unnoticed: C0
 * controls except tab and line feed, DEL, C1 controls, and the bidi
 * embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069),
 * which make text show in another order than it is stored. */
bool char_is_unsafe(unsigned long cp);
bool char_is_bidi_control(unsigned long cp);

/* Characters (not bytes) of a UTF-8 string. */
size_t utf8_chars(const char *s);

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
/* A formatted string, malloc'd (aborts on out of memory, like xmalloc). */
char *xasprintf(const char *format, ...) __attribute__((format(printf, 1, 2)));
char *xstrndup(const char *s, size_t n);

#endif
