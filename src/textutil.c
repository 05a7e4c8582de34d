#define _DEFAULT_SOURCE /* open flags, fstatfs */
#include "textutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/magic.h>
#include <sys/vfs.h>
#endif

#include "input_limits.h"

static void out_of_memory(void)
{
    fputs("leafpress: out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) out_of_memory();
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) out_of_memory();
    return p;
}

void *xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p) out_of_memory();
    return p;
}

char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

char *xstrndup(const char *s, size_t n)
{
    char *copy = xmalloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

/* "1 MiB", "256 KiB", "1234 bytes": sizes as the limits are written. */
static void size_text(size_t n, char *buf, size_t size)
{
    if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
        snprintf(buf, size, "%zu MiB", n / (1024 * 1024));
    else if (n >= 1024 && n % 1024 == 0)
        snprintf(buf, size, "%zu KiB", n / 1024);
    else
        snprintf(buf, size, "%zu bytes", n);
}

static char *fail(char **why, int error, const char *text)
{
    if (why)
        *why = xstrdup(text ? text : strerror(error));
    errno = error;
    return NULL;
}

static const char *file_kind(mode_t mode)
{
    return S_ISDIR(mode) ? "a folder" : S_ISFIFO(mode) ? "a named pipe"
         : S_ISCHR(mode) ? "a character device" : S_ISBLK(mode) ? "a block device"
         : S_ISSOCK(mode) ? "a socket" : "not a regular file";
}

char *read_input(const char *path, size_t max_bytes, size_t *length, char **why)
{
    if (why)
        *why = NULL;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return fail(why, errno, NULL);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int error = errno;
        close(fd);
        return fail(why, error, NULL);
    }
    char text[128];
    if (!S_ISREG(st.st_mode)) {
        snprintf(text, sizeof text, "it is %s, not a regular file", file_kind(st.st_mode));
        close(fd);
        return fail(why, S_ISDIR(st.st_mode) ? EISDIR : EINVAL, text);
    }
#ifdef __linux__
    /* /proc and /sys files look regular (size 0) but are generated without end. */
    struct statfs fs;
    if (fstatfs(fd, &fs) == 0 && (fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC)) {
        close(fd);
        return fail(why, EINVAL, "it is a kernel file (/proc or /sys), not a regular file");
    }
#endif
    char limit[32];
    size_text(max_bytes, limit, sizeof limit);
    snprintf(text, sizeof text, "it is larger than %s, the most this kind of file may be", limit);
    if ((uintmax_t)st.st_size > max_bytes) {
        close(fd);
        return fail(why, EFBIG, text);
    }
    /* Read to the end, not to st_size: the file may have grown; but never past the limit. */
    size_t capacity = (size_t)st.st_size + 1, used = 0;
    char *data = xmalloc(capacity + 1);
    for (;;) {
        if (used == capacity) {
            if (capacity > max_bytes) {
                free(data);
                close(fd);
                return fail(why, EFBIG, text);
            }
            capacity = capacity * 2 > max_bytes + 1 ? max_bytes + 1 : capacity * 2;
            data = xrealloc(data, capacity + 1);
        }
        ssize_t n = read(fd, data + used, capacity - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int error = errno;
            free(data);
            close(fd);
            return fail(why, error, NULL);
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    close(fd);
    if (used > max_bytes) {
        free(data);
        return fail(why, EFBIG, text);
    }
    data[used] = '\0';
    if (length)
        *length = used;
    return data;
}

char *read_file(const char *path, size_t *length)
{
    return read_input(path, LIMIT_OTHER_BYTES, length, NULL);
}

void text_position(const char *text, size_t offset, int *line, int *column)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < offset && text[i]; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *column = c;
}

size_t utf8_decode(const char *text, size_t n, unsigned long *cp)
{
    const unsigned char *s = (const unsigned char *)text;
    if (n == 0)
        return 0;
    unsigned char c = s[0];
    size_t need;
    unsigned long min, v;
    if (c < 0x80) { *cp = c; return 1; }
    else if ((c & 0xE0) == 0xC0) { need = 1; min = 0x80; v = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { need = 2; min = 0x800; v = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { need = 3; min = 0x10000; v = c & 0x07; }
    else return 0;
    if (need >= n)
        return 0;
    for (size_t k = 1; k <= need; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return need + 1;
}

size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

bool char_is_bidi_control(unsigned long cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool char_is_unsafe(unsigned long cp)
{
    return (cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp <= 0x9F) ||
           char_is_bidi_control(cp);
}

bool utf8_validate(const char *text, size_t length, int *bad_line, int *bad_column)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < length) {
        unsigned char c = s[i];
        size_t need;
        uint32_t min, cp;
        if (c < 0x80) { i++; continue; }
        else if ((c & 0xE0) == 0xC0) { need = 1; min = 0x80; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { need = 2; min = 0x800; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { need = 3; min = 0x10000; cp = c & 0x07; }
        else goto bad;
        for (size_t k = 1; k <= need; k++) {
            if (i + k >= length || (s[i + k] & 0xC0) != 0x80)
                goto bad;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad;
        i += need + 1;
    }
    return true;
bad:
    text_position(text, i, bad_line, bad_column);
    return false;
}

int hex_digit(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char *percent_decode(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = hex_digit((unsigned char)s[i + 1])) >= 0 &&
            (lo = hex_digit((unsigned char)s[i + 2])) >= 0 && (hi || lo)) {
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    /* decoding must not smuggle in bad UTF-8 or control characters */
    int line, column;
    bool printable = utf8_validate(out, o, &line, &column);
    for (size_t i = 0; printable && i < o; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7F)
            printable = false;
    if (!printable) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

void strbuf_append(strbuf *b, const char *s, size_t n)
{
    if (b->length + n + 1 > b->capacity) {
        size_t cap = b->capacity ? b->capacity : 64;
        while (cap < b->length + n + 1)
            cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->capacity = cap;
    }
    memcpy(b->data + b->length, s, n);
    b->length += n;
    b->data[b->length] = '\0';
}

void strbuf_puts(strbuf *b, const char *s) { strbuf_append(b, s, strlen(s)); }

void strbuf_printf(strbuf *b, const char *format, ...)
{
    va_list args, copy;
    va_start(args, format);
    va_copy(copy, args);
    int n = vsnprintf(NULL, 0, format, copy);
    va_end(copy);
    if (n > 0) {
        char *tmp = xmalloc((size_t)n + 1);
        vsnprintf(tmp, (size_t)n + 1, format, args);
        strbuf_append(b, tmp, (size_t)n);
        free(tmp);
    }
    va_end(args);
}

char *xasprintf(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = vsnprintf(NULL, 0, format, args);
    va_end(args);
    char *text = xmalloc((size_t)(n > 0 ? n : 0) + 1);
    va_start(args, format);
    vsnprintf(text, (size_t)(n > 0 ? n : 0) + 1, format, args);
    va_end(args);
    return text;
}

char *strbuf_take(strbuf *b)
{
    char *data = b->data ? b->data : xstrdup("");
    b->data = NULL;
    b->length = b->capacity = 0;
    return data;
}
