/* Freeing cairo's stale cross-reference entries. See pdf_xref.h.
 *
 * Only the shape cairo writes is understood: one xref stream (/W, /Size,
 * optional /Index, /FlateDecode or no filter, no predictor, no /Prev) that
 * "startxref" names. Anything else is left for qpdf to read as before. */
#include "pdf_xref.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Far above what a leaflet has (a few hundred objects); a bound on what a
 * damaged /Size could make this allocate. */
#define MAX_ENTRIES (1u << 22)

typedef struct span {
    const unsigned char *p, *end;
} span;

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}

static bool is_delimiter(unsigned char c)
{
    return is_space(c) || strchr("()<>[]{}/%", c);
}

static void skip_space(span *s)
{
    while (s->p < s->end && is_space(*s->p))
        s->p++;
}

/* A non-negative decimal integer (at most 18 digits, so no overflow). */
static bool read_uint(span *s, uint64_t *value)
{
    skip_space(s);
    const unsigned char *start = s->p;
    uint64_t v = 0;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9' && s->p - start < 18)
        v = v * 10 + (uint64_t)(*s->p++ - '0');
    if (s->p == start || (s->p < s->end && !is_delimiter(*s->p)))
        return false;
    *value = v;
    return true;
}

/* A keyword or name (which a regular character may not follow), or a
 * delimiter such as "[" (which anything may follow). */
static bool read_word(span *s, const char *word)
{
    skip_space(s);
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0 ||
        (!is_delimiter((unsigned char)word[n - 1]) && s->p + n < s->end && !is_delimiter(s->p[n])))
        return false;
    s->p += n;
    return true;
}

/* The value after key `name` (e.g. "/W") at the dictionary's top level, or
 * an empty span. Cairo's xref dictionary holds names, numbers, references
 * and arrays of those (and hex strings in /ID), never a nested dictionary. */
static span dict_value(span dict, const char *name)
{
    size_t n = strlen(name);
    int depth = 0;
    for (const unsigned char *p = dict.p; p < dict.end; p++) {
        if (*p == '[')
            depth++;
        else if (*p == ']')
            depth--;
        else if (depth == 0 && *p == '/' && (size_t)(dict.end - p) > n && memcmp(p, name, n) == 0 &&
                 is_delimiter(p[n]))
            return (span){p + n, dict.end};
    }
    return (span){NULL, NULL};
}

/* An indirect reference "N G R" as text, for copying into the update. */
static bool read_ref(span value, char *text, size_t size)
{
    uint64_t number, generation;
    if (!value.p || !read_uint(&value, &number) || !read_uint(&value, &generation) ||
        !read_word(&value, "R"))
        return false;
    snprintf(text, size, "%llu %llu R", (unsigned long long)number, (unsigned long long)generation);
    return true;
}

/* Does "number generation obj" start at offset? */
static bool object_at(const unsigned char *pdf, size_t length, uint64_t offset, uint64_t number,
                      uint64_t generation)
{
    if (offset >= length)
        return false;
    span s = {pdf + offset, pdf + length};
    uint64_t n, g;
    return s.p < s.end && *s.p >= '0' && *s.p <= '9' && read_uint(&s, &n) && n == number &&
           read_uint(&s, &g) && g == generation && read_word(&s, "obj");
}

static uint64_t field(const unsigned char *row, int width)
{
    uint64_t v = 0;
    for (int i = 0; i < width; i++)
        v = v << 8 | row[i];
    return v;
}

static void put_field(strbuf *b, uint64_t v, int width)
{
    unsigned char bytes[8];
    for (int i = width - 1; i >= 0; i--, v >>= 8)
        bytes[i] = (unsigned char)v;
    strbuf_append(b, (const char *)bytes, (size_t)width);
}

/* Where the last "startxref" says the cross-reference section is. */
static bool find_startxref(const unsigned char *pdf, size_t length, uint64_t *offset)
{
    static const char key[] = "startxref";
    size_t from = length > 1024 ? length - 1024 : 0;
    for (size_t i = length >= sizeof key - 1 ? length - (sizeof key - 1) + 1 : 0; i-- > from;) {
        if (memcmp(pdf + i, key, sizeof key - 1) == 0) {
            span s = {pdf + i + sizeof key - 1, pdf + length};
            return read_uint(&s, offset) && *offset < length;
        }
    }
    return false;
}

bool pdf_xref_repair(const unsigned char *pdf, size_t length, strbuf *out)
{
    uint64_t xref_offset, xref_number, xref_generation;
    if (!pdf || !find_startxref(pdf, length, &xref_offset))
        return false;
    span s = {pdf + xref_offset, pdf + length};
    if (!read_uint(&s, &xref_number) || !read_uint(&s, &xref_generation) || !read_word(&s, "obj"))
        return false;
    skip_space(&s);
    if (s.end - s.p < 2 || memcmp(s.p, "<<", 2) != 0)
        return false;
    /* the dictionary ends at the ">>" before the stream keyword */
    const unsigned char *keyword = NULL;
    for (const unsigned char *p = s.p + 2; p + 6 <= s.end && !keyword; p++)
        if (memcmp(p, "stream", 6) == 0 && is_space(p[-1]))
            keyword = p;
    if (!keyword)
        return false;
    const unsigned char *close = keyword;
    while (close > s.p + 2 && is_space(close[-1]))
        close--;
    if (close - s.p < 4 || memcmp(close - 2, ">>", 2) != 0)
        return false;
    span dict = {s.p + 2, close - 2};

    span type = dict_value(dict, "/Type");
    if (!type.p || !read_word(&type, "/XRef") || dict_value(dict, "/Prev").p ||
        dict_value(dict, "/DecodeParms").p)
        return false;
    span filter = dict_value(dict, "/Filter");
    bool flate = false;
    if (filter.p) {
        if (!read_word(&filter, "/FlateDecode"))
            return false;
        flate = true;
    }
    uint64_t size, stream_length, w[3];
    span v = dict_value(dict, "/Size");
    if (!v.p || !read_uint(&v, &size) || size == 0 || size > MAX_ENTRIES)
        return false;
    v = dict_value(dict, "/Length");
    /* a direct length only: "/Length 12 0 R" is not what cairo writes */
    if (!v.p || !read_uint(&v, &stream_length))
        return false;
    {
        span after = v;
        uint64_t generation;
        if (read_uint(&after, &generation) && read_word(&after, "R"))
            return false;
    }
    v = dict_value(dict, "/W");
    if (!v.p || !read_word(&v, "["))
        return false;
    for (int i = 0; i < 3; i++)
        if (!read_uint(&v, &w[i]) || w[i] > 8)
            return false;
    if (!read_word(&v, "]") || w[1] == 0)
        return false;
    /* the subsections: /Index [first count ...], default [0 Size] */
    uint64_t index[64];
    size_t index_count = 0;
    v = dict_value(dict, "/Index");
    if (v.p) {
        if (!read_word(&v, "["))
            return false;
        while (!read_word(&v, "]")) {
            if (index_count == sizeof index / sizeof *index || !read_uint(&v, &index[index_count]))
                return false;
            index_count++;
        }
        if (index_count % 2)
            return false;
    } else {
        index[0] = 0;
        index[1] = size;
        index_count = 2;
    }
    uint64_t entries = 0;
    for (size_t i = 0; i < index_count; i += 2) {
        if (index[i] > size || index[i + 1] > size - index[i])
            return false;
        entries += index[i + 1];
    }
    if (entries > MAX_ENTRIES)
        return false;
    char root[48], info[48] = "";
    if (!read_ref(dict_value(dict, "/Root"), root, sizeof root))
        return false;
    span info_value = dict_value(dict, "/Info");
    if (info_value.p && !read_ref(info_value, info, sizeof info))
        return false;
    /* /ID is copied as written: an array of two hex strings */
    span id = dict_value(dict, "/ID");
    if (id.p) {
        skip_space(&id);
        const unsigned char *end = memchr(id.p, ']', (size_t)(id.end - id.p));
        if (!end || *id.p != '[')
            return false;
        id.end = end + 1;
    }

    const unsigned char *data = keyword + 6;
    if (data < pdf + length && *data == '\r')
        data++;
    if (data >= pdf + length || *data != '\n')
        return false;
    data++;
    if (stream_length > (uint64_t)(pdf + length - data))
        return false;
    size_t row = (size_t)(w[0] + w[1] + w[2]);
    size_t table_length = (size_t)entries * row;
    unsigned char *table = xmalloc(table_length + 1);
    if (flate) {
        uLongf got = (uLongf)table_length + 1;
        if (uncompress(table, &got, data, (uLong)stream_length) != Z_OK || got != table_length) {
            free(table);
            return false;
        }
    } else if (stream_length == table_length) {
        memcpy(table, data, table_length);
    } else {
        free(table);
        return false;
    }

    /* the in-use entries whose object is not where they say */
    uint64_t *stale = NULL;
    size_t stale_count = 0, stale_capacity = 0;
    const unsigned char *r = table;
    for (size_t i = 0; i < index_count; i += 2)
        for (uint64_t k = 0; k < index[i + 1]; k++, r += row) {
            uint64_t number = index[i] + k;
            uint64_t kind = w[0] ? field(r, (int)w[0]) : 1;
            uint64_t offset = field(r + w[0], (int)w[1]), generation = field(r + w[0] + w[1], (int)w[2]);
            if (kind != 1 || object_at(pdf, length, offset, number, generation))
                continue;
            if (stale_count == stale_capacity) {
                stale_capacity = stale_capacity ? 2 * stale_capacity : 64;
                stale = xrealloc(stale, stale_capacity * sizeof *stale);
            }
            stale[stale_count++] = number;
        }
    free(table);
    if (!stale_count)
        return false;

    /* the update: one uncompressed xref stream, object number `size` */
    bool newline = pdf[length - 1] == '\n' || pdf[length - 1] == '\r';
    uint64_t update_offset = length + (newline ? 0 : 1);
    int offset_width = 1;
    while (offset_width < 8 && (update_offset >> (8 * offset_width)) != 0)
        offset_width++;
    strbuf body = {0}, subsections = {0};
    for (size_t i = 0; i < stale_count;) {
        size_t run = 1;
        while (i + run < stale_count && stale[i + run] == stale[i] + run)
            run++;
        strbuf_printf(&subsections, "%llu %zu ", (unsigned long long)stale[i], run);
        for (size_t k = 0; k < run; k++) {
            put_field(&body, 0, 1); /* free: next free object 0, generation 0 */
            put_field(&body, 0, offset_width);
            put_field(&body, 0, 2);
        }
        i += run;
    }
    strbuf_printf(&subsections, "%llu 1", (unsigned long long)size);
    put_field(&body, 1, 1);
    put_field(&body, update_offset, offset_width);
    put_field(&body, 0, 2);
    free(stale);

    strbuf_append(out, (const char *)pdf, length);
    if (!newline)
        strbuf_puts(out, "\n");
    strbuf_printf(out, "%llu 0 obj\n<< /Type /XRef /Size %llu /W [1 %d 2] /Index [%s] /Prev %llu /Root %s",
                  (unsigned long long)size, (unsigned long long)size + 1, offset_width,
                  subsections.data, (unsigned long long)xref_offset, root);
    if (*info)
        strbuf_printf(out, " /Info %s", info);
    if (id.p) {
        strbuf_puts(out, " /ID ");
        strbuf_append(out, (const char *)id.p, (size_t)(id.end - id.p));
    }
    strbuf_printf(out, " /Length %zu >>\nstream\n", body.length);
    strbuf_append(out, body.data, body.length);
    strbuf_printf(out, "\nendstream\nendobj\nstartxref\n%llu\n%%%%EOF\n",
                  (unsigned long long)update_offset);
    free(body.data);
    free(subsections.data);
    return true;
}
