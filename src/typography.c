/* Dutch typographic quotes and ellipses.
 *
 * Whether a straight quote opens or closes depends on its neighbours,
 * which may sit in another text node (a quote just after *emphasis*), so
 * the core works on a run of segments that share context; the public
 * typography_quotes is the one-segment case. */
#include "parse.h"

#include <string.h>

#include "textutil.h"

#define LDQUO "\xE2\x80\x9C" /* “ */
#define RDQUO "\xE2\x80\x9D" /* ” */
#define LSQUO "\xE2\x80\x98" /* ‘ */
#define RSQUO "\xE2\x80\x99" /* ’ (also the apostrophe) */
#define HELLIP "\xE2\x80\xA6" /* … */

/* Decodes the code point at s[*i] (valid UTF-8) and advances *i. */
static unsigned decode(const char *s, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s + *i;
    unsigned cp;
    size_t n;
    if (u[0] < 0x80) { cp = u[0]; n = 1; }
    else if ((u[0] & 0xE0) == 0xC0) { cp = u[0] & 0x1F; n = 2; }
    else if ((u[0] & 0xF0) == 0xE0) { cp = u[0] & 0x0F; n = 3; }
    else { cp = u[0] & 0x07; n = 4; }
    for (size_t k = 1; k < n; k++) {
        if ((u[k] & 0xC0) != 0x80) { n = k; break; } /* defensive: never read past a bad tail */
        cp = (cp << 6) | (u[k] & 0x3F);
    }
    *i += n;
    return cp;
}

/* The code point that ends just before byte `i` (0 at the start). */
static unsigned previous(const char *s, size_t i)
{
    if (i == 0)
        return 0;
    size_t j = i - 1;
    while (j > 0 && ((unsigned char)s[j] & 0xC0) == 0x80)
        j--;
    return decode(s, &j);
}

static unsigned next_at(const char *s, size_t length, size_t i)
{
    return i < length ? decode(s, &i) : 0;
}

static bool is_word(unsigned c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (c == 0xA0 || c == 0xD7 || c == 0xF7 || c < 0xC0)
        return false;
    if (c >= 0x2000 && c <= 0x2BFF) /* punctuation, symbols, arrows */
        return false;
    return !(c >= 0x3000 && c <= 0x303F);
}

/* After these a quote opens: nothing, space, opening brackets and quotes, dashes. */
static bool opens_after(unsigned c)
{
    switch (c) {
    case ' ': case '\t': case '\n': case 0xA0: case '(': case '[': case '{': case '/':
    case '-': case 0x2013: case 0x2014: case 0x201C: case 0x2018: case 0x201E:
        return true;
    default:
        return false;
    }
}

/* After these a quote closes whatever the state says. */
static bool closes_after(unsigned c)
{
    return is_word(c) || (c && strchr(".,;!?)]}%", (int)c)) || c == 0x2026;
}

/* Dutch elisions and years written with a leading apostrophe: 's, 't, 'n, 'k, 'm, 'r, '80. */
static bool leading_apostrophe(const char *s, size_t length, size_t after)
{
    size_t i = after;
    unsigned c = next_at(s, length, i);
    if (c && strchr("stnkmr", (int)c) && c < 0x80) {
        i++;
        return !is_word(next_at(s, length, i));
    }
    if (c >= '0' && c <= '9') {
        i++;
        unsigned d = next_at(s, length, i);
        return d >= '0' && d <= '9' && !is_word(next_at(s, length, i + 1));
    }
    return false;
}

void typography_segments(const char *all, size_t length, const size_t *bounds, size_t count,
                         const bool *verbatim, char **out, bool *open_double, bool *open_single)
{
    for (size_t seg = 0; seg < count; seg++) {
        strbuf b = {0};
        size_t i = bounds[seg], end = bounds[seg + 1];
        while (i < end) {
            size_t at = i;
            unsigned c = decode(all, &i);
            if (verbatim && verbatim[seg]) {
                strbuf_append(&b, all + at, i - at);
                continue;
            }
            /* Context comes from the whole run, but an unknown start (0) defers to the state. */
            unsigned before = previous(all, at);
            unsigned after = next_at(all, length, i);
            if (c == '"') {
                bool opening;
                if (before == 0) opening = !*open_double;
                else if (opens_after(before)) opening = true;
                else if (closes_after(before)) opening = false;
                else opening = !*open_double;
                strbuf_puts(&b, opening ? LDQUO : RDQUO);
                *open_double = opening;
            } else if (c == '\'') {
                if (is_word(before)) {
                    /* zo'n, auto's, or the end of a quote: all the same glyph */
                    if (!is_word(after) && *open_single)
                        *open_single = false;
                    strbuf_puts(&b, RSQUO);
                } else if ((before == 0 || opens_after(before)) &&
                           leading_apostrophe(all, length, i)) {
                    strbuf_puts(&b, RSQUO);
                } else if (before != 0 && opens_after(before)) {
                    strbuf_puts(&b, LSQUO);
                    *open_single = true;
                } else if (*open_single) {
                    strbuf_puts(&b, RSQUO);
                    *open_single = false;
                } else {
                    strbuf_puts(&b, LSQUO);
                    *open_single = true;
                }
            } else if (c == '.' && i + 1 < end && all[i] == '.' && all[i + 1] == '.') {
                strbuf_puts(&b, HELLIP);
                i += 2;
            } else {
                if (c == 0x201C) *open_double = true;
                else if (c == 0x201D) *open_double = false;
                else if (c == 0x2018) *open_single = true;
                else if (c == 0x2019 && *open_single && !is_word(after)) *open_single = false;
                strbuf_append(&b, all + at, i - at);
            }
        }
        out[seg] = strbuf_take(&b);
    }
}

char *typography_quotes(const char *text, bool *open_double, bool *open_single)
{
    size_t bounds[2] = {0, strlen(text)};
    char *out;
    typography_segments(text, bounds[1], bounds, 1, NULL, &out, open_double, open_single);
    return out;
}
