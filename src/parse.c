/* Parse: a leaflet source -> document tree.
 *
 * md4c reports structure through callbacks but no source positions, so
 * positions come from its text pointers into the body buffer: a block or
 * span takes the position of its first text (adjusted back to its marker,
 * e.g. the '#' of a heading), and constructs without text (a horizontal
 * rule, an empty item) take the next line not yet consumed by text. Every
 * construct the renderer cannot draw is reported, never dropped; nodes are
 * still built around errors so one run lists every problem. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* realpath */
#endif
#include "parse.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <md4c.h>

#include "contacts.h"
#include "frontmatter.h"
#include "images.h"
#include "input_limits.h"
#include "suggest.h"
#include "textutil.h"
#include "validate.h"

/* --- limits ------------------------------------------------------------ */

/* Lists and alerts inside each other: a leaflet needs three levels at most,
 * 8 leaves room and keeps the text width well above zero (layout indents
 * every level; at about 19 the width goes negative). Deeper content is not
 * built at all, so 10,000 levels cost no more than 9. */
#define MAX_NESTING 8
/* Language spans inside each other ("[a [b]{lang=fr} c]{lang=en}"): one
 * level is already rare; deeper would only make recursion deep downstream. */
#define MAX_SPAN_NESTING 3
/* Emphasis, strong and links inside each other: a leaflet needs 3 at most
 * (**[*x*](url)**). Deeper is not built: 20,000 nested emphases would make
 * every recursive walk of the tree (and layout's) a stack overflow. */
#define MAX_INLINE_NESTING 8

/* --- entities ---------------------------------------------------------- */

/* HTML 4's named entities (and &apos;), sorted for bsearch. md4c passes
 * entities through undecoded and has no table of its own. */
static const struct entity {
    const char *name;
    unsigned cp;
} entities[] = {
    {"AElig", 0xC6}, {"Aacute", 0xC1}, {"Acirc", 0xC2}, {"Agrave", 0xC0}, {"Alpha", 0x391},
    {"Aring", 0xC5}, {"Atilde", 0xC3}, {"Auml", 0xC4}, {"Beta", 0x392}, {"Ccedil", 0xC7},
    {"Chi", 0x3A7}, {"Dagger", 0x2021}, {"Delta", 0x394}, {"ETH", 0xD0}, {"Eacute", 0xC9},
    {"Ecirc", 0xCA}, {"Egrave", 0xC8}, {"Epsilon", 0x395}, {"Eta", 0x397}, {"Euml", 0xCB},
    {"Gamma", 0x393}, {"Iacute", 0xCD}, {"Icirc", 0xCE}, {"Igrave", 0xCC}, {"Iota", 0x399},
    {"Iuml", 0xCF}, {"Kappa", 0x39A}, {"Lambda", 0x39B}, {"Mu", 0x39C}, {"Ntilde", 0xD1},
    {"Nu", 0x39D}, {"OElig", 0x152}, {"Oacute", 0xD3}, {"Ocirc", 0xD4}, {"Ograve", 0xD2},
    {"Omega", 0x3A9}, {"Omicron", 0x39F}, {"Oslash", 0xD8}, {"Otilde", 0xD5}, {"Ouml", 0xD6},
    {"Phi", 0x3A6}, {"Pi", 0x3A0}, {"Prime", 0x2033}, {"Psi", 0x3A8}, {"Rho", 0x3A1},
    {"Scaron", 0x160}, {"Sigma", 0x3A3}, {"THORN", 0xDE}, {"Tau", 0x3A4}, {"Theta", 0x398},
    {"Uacute", 0xDA}, {"Ucirc", 0xDB}, {"Ugrave", 0xD9}, {"Upsilon", 0x3A5}, {"Uuml", 0xDC},
    {"Xi", 0x39E}, {"Yacute", 0xDD}, {"Yuml", 0x178}, {"Zeta", 0x396}, {"aacute", 0xE1},
    {"acirc", 0xE2}, {"acute", 0xB4}, {"aelig", 0xE6}, {"agrave", 0xE0}, {"alefsym", 0x2135},
    {"alpha", 0x3B1}, {"amp", 0x26}, {"and", 0x2227}, {"ang", 0x2220}, {"apos", 0x27},
    {"aring", 0xE5}, {"asymp", 0x2248}, {"atilde", 0xE3}, {"auml", 0xE4}, {"bdquo", 0x201E},
    {"beta", 0x3B2}, {"brvbar", 0xA6}, {"bull", 0x2022}, {"cap", 0x2229}, {"ccedil", 0xE7},
    {"cedil", 0xB8}, {"cent", 0xA2}, {"chi", 0x3C7}, {"circ", 0x2C6}, {"clubs", 0x2663},
    {"cong", 0x2245}, {"copy", 0xA9}, {"crarr", 0x21B5}, {"cup", 0x222A}, {"curren", 0xA4},
    {"dArr", 0x21D3}, {"dagger", 0x2020}, {"darr", 0x2193}, {"deg", 0xB0}, {"delta", 0x3B4},
    {"diams", 0x2666}, {"divide", 0xF7}, {"eacute", 0xE9}, {"ecirc", 0xEA}, {"egrave", 0xE8},
    {"empty", 0x2205}, {"emsp", 0x2003}, {"ensp", 0x2002}, {"epsilon", 0x3B5}, {"equiv", 0x2261},
    {"eta", 0x3B7}, {"eth", 0xF0}, {"euml", 0xEB}, {"euro", 0x20AC}, {"exist", 0x2203},
    {"fnof", 0x192}, {"forall", 0x2200}, {"frac12", 0xBD}, {"frac14", 0xBC}, {"frac34", 0xBE},
    {"frasl", 0x2044}, {"gamma", 0x3B3}, {"ge", 0x2265}, {"gt", 0x3E}, {"hArr", 0x21D4},
    {"harr", 0x2194}, {"hearts", 0x2665}, {"hellip", 0x2026}, {"iacute", 0xED}, {"icirc", 0xEE},
    {"iexcl", 0xA1}, {"igrave", 0xEC}, {"image", 0x2111}, {"infin", 0x221E}, {"int", 0x222B},
    {"iota", 0x3B9}, {"iquest", 0xBF}, {"isin", 0x2208}, {"iuml", 0xEF}, {"kappa", 0x3BA},
    {"lArr", 0x21D0}, {"lambda", 0x3BB}, {"lang", 0x2329}, {"laquo", 0xAB}, {"larr", 0x2190},
    {"lceil", 0x2308}, {"ldquo", 0x201C}, {"le", 0x2264}, {"lfloor", 0x230A}, {"lowast", 0x2217},
    {"loz", 0x25CA}, {"lrm", 0x200E}, {"lsaquo", 0x2039}, {"lsquo", 0x2018}, {"lt", 0x3C},
    {"macr", 0xAF}, {"mdash", 0x2014}, {"micro", 0xB5}, {"middot", 0xB7}, {"minus", 0x2212},
    {"mu", 0x3BC}, {"nabla", 0x2207}, {"nbsp", 0xA0}, {"ndash", 0x2013}, {"ne", 0x2260},
    {"ni", 0x220B}, {"not", 0xAC}, {"notin", 0x2209}, {"nsub", 0x2284}, {"ntilde", 0xF1},
    {"nu", 0x3BD}, {"oacute", 0xF3}, {"ocirc", 0xF4}, {"oelig", 0x153}, {"ograve", 0xF2},
    {"oline", 0x203E}, {"omega", 0x3C9}, {"omicron", 0x3BF}, {"oplus", 0x2295}, {"or", 0x2228},
    {"ordf", 0xAA}, {"ordm", 0xBA}, {"oslash", 0xF8}, {"otilde", 0xF5}, {"otimes", 0x2297},
    {"ouml", 0xF6}, {"para", 0xB6}, {"part", 0x2202}, {"permil", 0x2030}, {"perp", 0x22A5},
    {"phi", 0x3C6}, {"pi", 0x3C0}, {"piv", 0x3D6}, {"plusmn", 0xB1}, {"pound", 0xA3},
    {"prime", 0x2032}, {"prod", 0x220F}, {"prop", 0x221D}, {"psi", 0x3C8}, {"quot", 0x22},
    {"rArr", 0x21D2}, {"radic", 0x221A}, {"rang", 0x232A}, {"raquo", 0xBB}, {"rarr", 0x2192},
    {"rceil", 0x2309}, {"rdquo", 0x201D}, {"real", 0x211C}, {"reg", 0xAE}, {"rfloor", 0x230B},
    {"rho", 0x3C1}, {"rlm", 0x200F}, {"rsaquo", 0x203A}, {"rsquo", 0x2019}, {"sbquo", 0x201A},
    {"scaron", 0x161}, {"sdot", 0x22C5}, {"sect", 0xA7}, {"shy", 0xAD}, {"sigma", 0x3C3},
    {"sigmaf", 0x3C2}, {"sim", 0x223C}, {"spades", 0x2660}, {"sub", 0x2282}, {"sube", 0x2286},
    {"sum", 0x2211}, {"sup", 0x2283}, {"sup1", 0xB9}, {"sup2", 0xB2}, {"sup3", 0xB3},
    {"supe", 0x2287}, {"szlig", 0xDF}, {"tau", 0x3C4}, {"there4", 0x2234}, {"theta", 0x3B8},
    {"thetasym", 0x3D1}, {"thinsp", 0x2009}, {"thorn", 0xFE}, {"tilde", 0x2DC}, {"times", 0xD7},
    {"trade", 0x2122}, {"uArr", 0x21D1}, {"uacute", 0xFA}, {"uarr", 0x2191}, {"ucirc", 0xFB},
    {"ugrave", 0xF9}, {"uml", 0xA8}, {"upsih", 0x3D2}, {"upsilon", 0x3C5}, {"uuml", 0xFC},
    {"weierp", 0x2118}, {"xi", 0x3BE}, {"yacute", 0xFD}, {"yen", 0xA5}, {"yuml", 0xFF},
    {"zeta", 0x3B6}, {"zwj", 0x200D}, {"zwnj", 0x200C},
};

static int entity_compare(const void *key, const void *item)
{
    return strcmp(key, ((const struct entity *)item)->name);
}

/* "&amp;", "&#233;", "&#xE9;" -> code point. False when unknown or malformed. */
static bool decode_entity(const char *s, size_t n, unsigned long *cp)
{
    if (n < 3 || s[0] != '&' || s[n - 1] != ';')
        return false;
    if (s[1] == '#') {
        bool hex = s[2] == 'x' || s[2] == 'X';
        size_t i = hex ? 3 : 2;
        if (i >= n - 1)
            return false;
        unsigned long v = 0;
        for (; i < n - 1; i++) {
            int d;
            char c = s[i];
            if (c >= '0' && c <= '9') d = c - '0';
            else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
            else return false;
            v = v * (hex ? 16 : 10) + (unsigned long)d;
            if (v > 0x10FFFF)
                v = 0x110000; /* saturate: still reported as invalid */
        }
        *cp = v;
        return true;
    }
    char name[64];
    if (n - 2 >= sizeof name)
        return false;
    memcpy(name, s + 1, n - 2);
    name[n - 2] = '\0';
    const struct entity *e = bsearch(name, entities, sizeof entities / sizeof *entities,
                                     sizeof *entities, entity_compare);
    if (!e)
        return false;
    *cp = e->cp;
    return true;
}

static void put_utf8(strbuf *b, unsigned long cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) { u[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { u[0] = (char)(0xC0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    strbuf_append(b, u, n);
}

static bool is_control(unsigned long cp)
{
    return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || (cp >= 0x7F && cp <= 0x9F);
}

static bool is_valid_char(unsigned long cp)
{
    return cp > 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
}

/* An attribute (link destination, image source) as a string, entities decoded. */
static char *attribute_text(const MD_ATTRIBUTE *a)
{
    strbuf b = {0};
    strbuf_append(&b, "", 0);
    for (size_t i = 0; a->substr_offsets && a->substr_offsets[i] < a->size; i++) {
        const char *s = a->text + a->substr_offsets[i];
        size_t n = a->substr_offsets[i + 1] - a->substr_offsets[i];
        unsigned long cp;
        if (a->substr_types[i] == MD_TEXT_NULLCHAR)
            strbuf_puts(&b, "\xEF\xBF\xBD");
        else if (a->substr_types[i] == MD_TEXT_ENTITY && decode_entity(s, n, &cp) &&
                 is_valid_char(cp) && !is_control(cp))
            put_utf8(&b, cp);
        else
            strbuf_append(&b, s, n);
    }
    return strbuf_take(&b);
}

/* --- the builder ------------------------------------------------------- */

/* How a construct's start is found from its first text. */
typedef enum {
    AT_TEXT,          /* the text itself */
    AT_HEADING,       /* the '#' of an ATX heading on that line */
    AT_FENCE,         /* the opening fence, on the line before */
    AT_LINE,          /* the first non-blank character of the line (tables) */
    AT_QUOTE,         /* the '>' on that line */
    AT_BACKTICKS,     /* back over a code span's backticks */
    AT_TILDES,        /* back over strikethrough tildes */
    AT_EMPHASIS,      /* back over '*' or '_' */
    AT_LINK,          /* back over '[' or '<' */
    AT_IMAGE,         /* back over "![" */
    AT_RULE,          /* horizontal rule: the rule character */
    AT_ITEM           /* list and item: back to the bullet or number */
} anchor;

typedef struct frame {
    bool span;
    int type;                  /* MD_BLOCKTYPE or MD_SPANTYPE */
    doc_node *node;            /* the node this frame opened, or NULL */
    doc_node *implicit;        /* LI of a tight list: the paragraph md4c does not announce */
    char *problems[2];         /* reported once the construct's position is known */
    anchor anchor;
    bool positioned;
    int line, column;
    size_t start;              /* body offset of that position */
    bool ignore;               /* unsupported block or span: content makes no nodes */
    bool quote_awaiting;       /* QUOTE: no child block seen yet */
    bool alert_marker;         /* P: first block of a quote, carries "[!KIND]" */
    char fence;                /* CODE: fence character, 0 when indented */
    bool href_in_body;         /* A, IMG: href offset is valid */
    size_t href_offset;
    bool html_block;           /* HTML block to judge when it ends: comments are dropped */
    strbuf html;               /* its text */
} frame;

typedef struct builder {
    const char *path;
    const char *body;
    size_t body_length;
    int body_line;
    const contact_registry *contacts;
    char *root_real;           /* realpath of the project root, or NULL */
    char *source_dir;          /* realpath of the source's folder */
    diag_list *diags;
    document *doc;

    frame *frames;
    size_t depth, capacity;
    size_t placed;             /* frames[0..placed) have their positions: saw_text starts
                                * there, or deep nesting would cost depth x texts */

    size_t consumed;           /* start of the first line no text has reached */
    size_t last_end;           /* just after the last text seen */
    size_t cache_offset;       /* body_position's resume point */
    size_t cache_line_start;   /* start of its line */
    int cache_line, cache_column;

    int quote_depth, list_depth;
    bool seen_block;
    int last_level;            /* of the last top-level heading */
    doc_node *first_h1;
    int inline_depth;          /* open emphasis, strong and link nodes */
    int image_depth;           /* inside ![...]: text is alt text */
    strbuf alt;

    bool html_open;            /* inside inline raw HTML (md4c gives it line by line) */
    bool html_comment;         /* ... and it is a comment */
    char html_tail[3];         /* its last three characters, to see where it ends */
    bool after_comment;        /* an inline comment was just dropped */

    doc_node *open_text;       /* the text node add_text last grew, */
    size_t open_length;        /* its length and allocated size: md4c hands */
    size_t open_capacity;      /* a paragraph over in many small pieces */
} builder;

static void error_at(builder *b, int line, int column, const char *format, ...)
    __attribute__((format(printf, 4, 5)));
static void error_at(builder *b, int line, int column, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    diag_vreport(b->diags, SEVERITY_ERROR, b->path, line, column, format, args);
    va_end(args);
}

/* File line and column of a body offset. Callers mostly move forward (or
 * a few characters back, to a construct's marker), so resume from the last
 * answer instead of rescanning the body: linear over the whole parse. */
static void body_position(builder *b, size_t offset, int *line, int *column)
{
    if (offset > b->body_length)
        offset = b->body_length;
    if (offset < b->cache_offset && offset >= b->cache_line_start) {
        /* back on the same line */
        int c = b->cache_column;
        for (size_t i = offset; i < b->cache_offset; i++)
            if (((unsigned char)b->body[i] & 0xC0) != 0x80)
                c--;
        b->cache_offset = offset;
        *line = b->cache_line;
        b->cache_column = *column = c;
        return;
    }
    if (offset < b->cache_offset) {
        b->cache_offset = 0;
        b->cache_line_start = 0;
        b->cache_line = b->body_line;
        b->cache_column = 1;
    }
    int l = b->cache_line, c = b->cache_column;
    for (size_t i = b->cache_offset; i < offset; i++) {
        unsigned char ch = (unsigned char)b->body[i];
        if (ch == '\n') {
            l++;
            c = 1;
            b->cache_line_start = i + 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    b->cache_offset = offset;
    b->cache_line = *line = l;
    b->cache_column = *column = c;
}

/* Offset of a pointer into the body, or SIZE_MAX for md4c's own buffers. */
static size_t body_offset(const builder *b, const char *p)
{
    if (p >= b->body && p <= b->body + b->body_length)
        return (size_t)(p - b->body);
    return SIZE_MAX;
}

static size_t line_start(builder *b, size_t offset)
{
    if (offset >= b->cache_line_start) { /* body_position knows, without a scan back */
        int line, column;
        body_position(b, offset, &line, &column);
        return b->cache_line_start;
    }
    while (offset > 0 && b->body[offset - 1] != '\n')
        offset--;
    return offset;
}

static size_t next_line(const builder *b, size_t offset)
{
    while (offset < b->body_length && b->body[offset] != '\n')
        offset++;
    return offset < b->body_length ? offset + 1 : offset;
}

static size_t first_nonblank(const builder *b, size_t start)
{
    while (start < b->body_length && (b->body[start] == ' ' || b->body[start] == '\t'))
        start++;
    return start;
}

/* Where the construct of frame f starts, given its first text at `offset`. */
static size_t anchor_offset(builder *b, const frame *f, size_t offset)
{
    const char *s = b->body;
    size_t ls = line_start(b, offset), p;
    switch (f->anchor) {
    case AT_HEADING: {
        /* back over the blanks and '#'s before the text ("- ## Kop" too) */
        for (p = offset; p > ls && s[p - 1] == ' '; p--) {}
        size_t q = p;
        while (q > ls && s[q - 1] == '#')
            q--;
        return q < p ? q : offset;
    }
    case AT_LINE:
        return first_nonblank(b, ls);
    case AT_QUOTE:
        for (p = ls; p < offset; p++)
            if (s[p] == '>')
                return p;
        return offset;
    case AT_FENCE:
        if (ls == 0)
            return offset;
        p = line_start(b, ls - 1);
        for (size_t q = p; q < ls; q++)
            if (s[q] == f->fence)
                return q;
        return first_nonblank(b, p);
    case AT_BACKTICKS:
        p = offset;
        if (p > ls && s[p - 1] == ' ' && p - 1 > ls && s[p - 2] == '`')
            p--;
        while (p > ls && s[p - 1] == '`')
            p--;
        return p;
    case AT_TILDES:
        for (p = offset; p > ls && s[p - 1] == '~'; p--) {}
        return p;
    case AT_EMPHASIS:
        for (p = offset; p > ls && (s[p - 1] == '*' || s[p - 1] == '_'); p--) {}
        return p;
    case AT_LINK:
        return offset > ls && (s[offset - 1] == '[' || s[offset - 1] == '<') ? offset - 1 : offset;
    case AT_IMAGE:
        return offset >= ls + 2 && s[offset - 1] == '[' && s[offset - 2] == '!' ? offset - 2 : offset;
    case AT_ITEM:
        p = offset;
        while (p > ls && strchr("[<*_", s[p - 1]))
            p--;
        while (p > ls && s[p - 1] == ' ')
            p--;
        if (p > ls && strchr("-+*", s[p - 1]))
            return p - 1;
        if (p > ls && (s[p - 1] == '.' || s[p - 1] == ')')) {
            size_t q = p - 1;
            while (q > ls && s[q - 1] >= '0' && s[q - 1] <= '9')
                q--;
            if (q < p - 1)
                return q;
        }
        return offset;
    case AT_TEXT:
    case AT_RULE:
        break;
    }
    return offset;
}

/* Gives frame f its position: its node's, and its pending problems are reported there. */
static void place(builder *b, frame *f, size_t start, int line, int column)
{
    f->positioned = true;
    f->start = start;
    f->line = line;
    f->column = column;
    if (f->node && f->node->line == 0) {
        f->node->line = line;
        f->node->column = column;
    }
    for (int i = 0; i < 2; i++) {
        if (f->problems[i]) {
            error_at(b, line, column, "%s", f->problems[i]);
            free(f->problems[i]);
            f->problems[i] = NULL;
        }
    }
}

static void problem(builder *b, frame *f, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(builder *b, frame *f, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    if (f->positioned) {
        diag_vreport(b->diags, SEVERITY_ERROR, b->path, f->line, f->column, format, args);
    } else {
        va_list copy;
        va_copy(copy, args);
        int n = vsnprintf(NULL, 0, format, copy);
        va_end(copy);
        int slot = f->problems[0] ? 1 : 0;
        free(f->problems[slot]);
        f->problems[slot] = xmalloc((size_t)n + 1);
        vsnprintf(f->problems[slot], (size_t)n + 1, format, args);
    }
    va_end(args);
}

/* Content of an unsupported or too deep construct: nothing needs its
 * position, and finding it for thousands of nested frames would be quadratic. */
static bool unplaced(const frame *f)
{
    return f->ignore && !f->node && !f->html_block && !f->problems[0];
}

/* A text at `offset` was seen: every open construct still without a position starts there. */
/* The next list marker ("-", "+", "*", "1.", "1)") at or after *cursor on
 * its line, before `limit`; moves *cursor past it. SIZE_MAX when none. */
static size_t next_bullet(const builder *b, size_t *cursor, size_t limit)
{
    const char *s = b->body;
    size_t p = *cursor;
    while (p < limit && (s[p] == ' ' || s[p] == '\t' || s[p] == '>'))
        p++;
    size_t q = p;
    while (q < limit && s[q] >= '0' && s[q] <= '9')
        q++;
    if (q > p && q < limit && (s[q] == '.' || s[q] == ')'))
        q++;
    else if (q == p && p < limit && strchr("-+*", s[p]))
        q = p + 1;
    else
        return SIZE_MAX;
    if (q < limit && s[q] != ' ' && s[q] != '\t')
        return SIZE_MAX;
    *cursor = q;
    return p;
}

static bool is_list_frame(const frame *f)
{
    return !f->span && (f->type == MD_BLOCK_UL || f->type == MD_BLOCK_OL);
}

static void saw_text(builder *b, size_t offset, size_t size)
{
    /* Lists nested on one line ("- - x") each take the next marker on it,
     * from the left; one list (the usual case) takes the one before its text. */
    size_t lists = 0;
    for (size_t i = b->placed; i < b->depth; i++)
        lists += !b->frames[i].positioned && !unplaced(&b->frames[i]) &&
                 is_list_frame(&b->frames[i]);
    size_t cursor = lists > 1 ? line_start(b, offset) : SIZE_MAX, bullet = SIZE_MAX;
    size_t quotes = 0; /* the same for quotes: "> > x" */
    for (size_t i = b->placed; i < b->depth; i++)
        quotes += !b->frames[i].positioned && !unplaced(&b->frames[i]) &&
                  b->frames[i].anchor == AT_QUOTE;
    size_t quote_cursor = quotes > 1 ? line_start(b, offset) : SIZE_MAX;
    for (size_t i = b->placed; i < b->depth; i++) {
        frame *f = &b->frames[i];
        if (f->implicit && f->implicit->line == 0)
            body_position(b, offset, &f->implicit->line, &f->implicit->column);
        if (f->positioned || unplaced(f))
            continue;
        int line, column;
        if (cursor != SIZE_MAX && is_list_frame(f))
            bullet = next_bullet(b, &cursor, offset);
        size_t at = cursor != SIZE_MAX && f->anchor == AT_ITEM && bullet != SIZE_MAX
                        ? bullet
                        : anchor_offset(b, f, offset);
        if (quote_cursor != SIZE_MAX && f->anchor == AT_QUOTE) {
            while (quote_cursor < offset && b->body[quote_cursor] != '>')
                quote_cursor++;
            if (quote_cursor < offset)
                at = quote_cursor++;
        }
        body_position(b, at, &line, &column);
        place(b, f, at, line, column);
    }
    b->placed = b->depth;
    size_t end = offset + size;
    if (end > b->last_end)
        b->last_end = end;
    /* consumed is a line start: text before it cannot move it (and scanning
     * to the line end for each of thousands of pieces of one line would be quadratic) */
    size_t last = size ? end - 1 : offset;
    if (last >= b->consumed)
        b->consumed = next_line(b, last);
}

/* Lines no block starts on: blank ones (with quote marks, unless quotes
 * are what we look for) and link reference definitions, which md4c
 * consumes without a callback. */
static bool skippable_line(const builder *b, size_t start, bool quote_marks)
{
    size_t p = first_nonblank(b, start);
    if (p - start <= 3 && p < b->body_length && b->body[p] == '[') {
        size_t q = p + 1;
        while (q < b->body_length && b->body[q] != ']' && b->body[q] != '\n')
            q++;
        if (q + 1 < b->body_length && q > p + 1 && b->body[q] == ']' && b->body[q + 1] == ':')
            return true;
    }
    for (; p < b->body_length && b->body[p] != '\n'; p++)
        if (!strchr(quote_marks ? " \t\r>" : " \t\r", b->body[p]))
            return false;
    return true;
}

/* Position for a block no text reached: the next non-blank line not yet
 * consumed, which it then consumes (consecutive rules get their own lines). */
static void place_by_line(builder *b, frame *f)
{
    size_t p = b->consumed;
    bool quote = !f->span && f->type == MD_BLOCK_QUOTE;
    while (p < b->body_length && skippable_line(b, p, !quote))
        p = next_line(b, p);
    size_t at = first_nonblank(b, p);
    while (!quote && at < b->body_length && b->body[at] == '>')
        at = first_nonblank(b, at + 1);
    if (f->anchor == AT_RULE)
        for (size_t q = at; q < b->body_length && b->body[q] != '\n'; q++)
            if (strchr("-*_", b->body[q])) {
                at = q;
                break;
            }
    if (p < b->body_length)
        b->consumed = next_line(b, p);
    int line, column;
    body_position(b, at, &line, &column);
    place(b, f, at, line, column);
}

static void place_span_fallback(builder *b, frame *f)
{
    size_t at = b->last_end;
    /* "[](dest)" and "![](src)": the destination sits right after the empty brackets */
    if (f->href_in_body) {
        size_t h = f->href_offset, back = f->type == MD_SPAN_IMG ? 4 : 3;
        if (h >= back && !memcmp(b->body + h - 3, "[](", 3) &&
            (f->type != MD_SPAN_IMG || b->body[h - 4] == '!'))
            at = h - back;
        else if (h >= 1 && b->body[h - 1] == '<')
            at = h - 1;
    }
    int line, column;
    body_position(b, at, &line, &column);
    place(b, f, at, line, column);
}

static frame *top(builder *b) { return &b->frames[b->depth - 1]; }

static frame *push(builder *b, bool span, int type)
{
    if (b->depth == b->capacity) {
        b->capacity = b->capacity ? b->capacity * 2 : 16;
        b->frames = xrealloc(b->frames, b->capacity * sizeof *b->frames);
    }
    frame *f = &b->frames[b->depth++];
    memset(f, 0, sizeof *f);
    f->span = span;
    f->type = type;
    if (b->depth > 1)
        f->ignore = b->frames[b->depth - 2].ignore;
    return f;
}

/* The innermost open node: where the next child goes. */
static doc_node *container(builder *b)
{
    for (size_t i = b->depth; i-- > 0;) {
        frame *f = &b->frames[i];
        if (f->implicit)
            return f->implicit;
        if (f->node)
            return f->node;
    }
    return b->doc->root;
}

static bool holds_inlines(const doc_node *n)
{
    switch (n->type) {
    case NODE_PARAGRAPH: case NODE_HEADING: case NODE_EMPHASIS: case NODE_STRONG: case NODE_LINK:
        return true;
    default:
        return false;
    }
}

/* Where inline content goes; opens the paragraph a tight list item implies. */
static doc_node *inline_container(builder *b, int line, int column)
{
    doc_node *c = container(b);
    if (holds_inlines(c))
        return c;
    frame *f = top(b);
    while (f > b->frames && f->node != c) /* a span frame just pushed sits above the block */
        f--;
    f->implicit = doc_node_new(NODE_PARAGRAPH, line, column);
    if (line == 0 && b->placed > (size_t)(f - b->frames)) /* saw_text gives it one */
        b->placed = (size_t)(f - b->frames);
    doc_node_append(c, f->implicit);
    return f->implicit;
}

static void remove_child(doc_node *parent, doc_node *child)
{
    doc_node *prev = NULL;
    for (doc_node *n = parent->first_child; n && n != child; n = n->next)
        prev = n;
    if (prev)
        prev->next = child->next;
    else
        parent->first_child = child->next;
    if (parent->last_child == child)
        parent->last_child = prev;
    child->next = NULL;
    child->parent = NULL;
}

static void replace_child(doc_node *parent, doc_node *old, doc_node *replacement)
{
    replacement->parent = parent;
    replacement->next = old->next;
    if (parent->first_child == old) {
        parent->first_child = replacement;
    } else {
        doc_node *prev = parent->first_child;
        while (prev->next != old)
            prev = prev->next;
        prev->next = replacement;
    }
    if (parent->last_child == old)
        parent->last_child = replacement;
    old->next = NULL;
    old->parent = NULL;
}

/* --- text segments ------------------------------------------------------ */

static void segment_push(doc_node *t, size_t offset, int line, int column, bool literal)
{
    if (t->segment_count && t->segments[t->segment_count - 1].offset == offset) {
        t->segments[t->segment_count - 1] = (doc_text_segment){offset, line, column, literal};
        return;
    }
    /* capacity doubles at powers of two, so appends stay linear */
    size_t n = t->segment_count;
    if (n == 0 || (n & (n - 1)) == 0)
        t->segments = xrealloc(t->segments, (n ? n * 2 : 1) * sizeof *t->segments);
    t->segments[t->segment_count++] = (doc_text_segment){offset, line, column, literal};
}

/* Gives t the segments of from's text[start..end), shifted back by
 * `delta` bytes (a segment cut by `start` starts there, its column moved on
 * by the characters cut off). Finds the first by bisection, so taking a
 * text apart piece by piece stays linear. */
static void segments_take(doc_node *t, const doc_node *from, size_t start, size_t end,
                          size_t delta)
{
    size_t lo = 0, hi = from->segment_count;
    while (hi - lo > 1) { /* the last segment starting at or before `start` */
        size_t mid = lo + (hi - lo) / 2;
        if (from->segments[mid].offset <= start)
            lo = mid;
        else
            hi = mid;
    }
    for (size_t i = lo; i < from->segment_count && from->segments[i].offset < end; i++) {
        doc_text_segment sg = from->segments[i];
        if (sg.offset < start) {
            for (size_t k = sg.offset; k < start; k++)
                if (((unsigned char)from->text[k] & 0xC0) != 0x80)
                    sg.column++;
            sg.offset = start;
            sg.literal = false;
        }
        segment_push(t, sg.offset - delta, sg.line, sg.column, sg.literal);
    }
}

/* Removes the first n bytes of a text node's text, keeping its segments true. */
static void text_drop_prefix(doc_node *t, size_t n)
{
    size_t length = strlen(t->text);
    if (n > length)
        n = length;
    doc_node tmp = *t;
    t->segments = NULL;
    t->segment_count = 0;
    segments_take(t, &tmp, n, length ? length : 1, n);
    free(tmp.segments);
    memmove(t->text, t->text + n, length - n + 1);
    if (t->segment_count) {
        t->line = t->segments[0].line;
        t->column = t->segments[0].column;
    }
}

/* A new text node with t->text[from..to) and its segments. */
static doc_node *text_piece(const doc_node *t, size_t from, size_t to)
{
    doc_node *piece = doc_node_new(NODE_TEXT, t->line, t->column);
    piece->text = xstrndup(t->text + from, to - from);
    segments_take(piece, t, from, to, from);
    if (piece->segment_count) {
        piece->line = piece->segments[0].line;
        piece->column = piece->segments[0].column;
    }
    return piece;
}

/* A dropped inline comment leaves the spaces on both sides: keep one.
 * length: the text's length, updated. */
static void trim_before_comment(doc_node *last, const char *s, size_t *length)
{
    if (!last || last->type != NODE_TEXT || (s[0] != ' ' && s[0] != '\n'))
        return;
    size_t n = *length;
    while (n > 0 && last->text[n - 1] == ' ')
        n--;
    last->text[n] = '\0';
    *length = n;
    while (last->segment_count > 1 && last->segments[last->segment_count - 1].offset >= n)
        last->segment_count--;
}

/* Segments for the piece of t->text from `at` on, which starts at
 * line:column: one, and another every SEGMENT_SPAN bytes, so that
 * doc_text_position never counts more than that. */
#define SEGMENT_SPAN 64
static void segments_for(doc_node *t, size_t at, int line, int column, bool literal)
{
    segment_push(t, at, line, column, literal);
    const char *s = t->text;
    size_t last = at;
    for (size_t i = at; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80)
            continue;
        if (i - last >= SEGMENT_SPAN) {
            segment_push(t, i, line, column, false);
            last = i;
        }
        column++;
    }
}

static void add_text(builder *b, const char *s, size_t n, size_t offset, bool literal)
{
    int line, column;
    body_position(b, offset == SIZE_MAX ? b->last_end : offset, &line, &column);
    doc_node *c = inline_container(b, line, column);
    doc_node *last = c->last_child;
    if (b->after_comment && last && last->type == NODE_TEXT) {
        if (last != b->open_text) {
            b->open_text = last;
            b->open_length = strlen(last->text);
            b->open_capacity = b->open_length + 1;
        }
        trim_before_comment(last, s, &b->open_length);
    }
    b->after_comment = false;
    if (last && last->type == NODE_TEXT) {
        /* md4c splits text at entities and other marks; one node per run is
         * simpler downstream. Grown by doubling, so appending stays linear. */
        if (last != b->open_text) {
            b->open_text = last;
            b->open_length = strlen(last->text);
            b->open_capacity = b->open_length + 1;
        }
        size_t old = b->open_length;
        if (old + n + 1 > b->open_capacity) {
            while (old + n + 1 > b->open_capacity)
                b->open_capacity *= 2;
            last->text = xrealloc(last->text, b->open_capacity);
        }
        memcpy(last->text + old, s, n);
        last->text[old + n] = '\0';
        b->open_length = old + n;
        segments_for(last, old, line, column, literal);
        return;
    }
    doc_node *t = doc_node_new(NODE_TEXT, line, column);
    t->text = xstrndup(s, n);
    segments_for(t, 0, line, column, literal);
    doc_node_append(c, t);
    b->open_text = t;
    b->open_length = n;
    b->open_capacity = n + 1;
}

/* --- language spans: [text]{lang=en} ------------------------------------ */

static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool all_alpha(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_alpha(s[i]))
            return false;
    return true;
}

static bool all_digit(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return false;
    return true;
}

/* Well-formed BCP 47 (RFC 5646): language (2-3 letters, ISO 639; the
 * registered 5-8 letter form is refused, "english" is a typo, not a tag),
 * up to three extlangs, script, region, variants, extensions, private use. */
static bool valid_language_tag(const char *tag)
{
    const char *sub[64];
    size_t len[64], count = 0;
    for (const char *p = tag;;) {
        const char *e = p;
        while (is_alpha(*e) || is_digit(*e))
            e++;
        if (e == p || e - p > 8 || count == 64 || (*e && *e != '-'))
            return false;
        sub[count] = p;
        len[count++] = (size_t)(e - p);
        if (!*e)
            break;
        p = e + 1;
    }
    if (len[0] < 2 || len[0] > 3 || !all_alpha(sub[0], len[0]))
        return false;
    size_t i = 1;
    for (int k = 0; k < 3 && i < count && len[i] == 3 && all_alpha(sub[i], 3); k++)
        i++; /* extlang */
    if (i < count && len[i] == 4 && all_alpha(sub[i], 4))
        i++; /* script */
    if (i < count && ((len[i] == 2 && all_alpha(sub[i], 2)) || (len[i] == 3 && all_digit(sub[i], 3))))
        i++; /* region */
    while (i < count && (len[i] >= 5 || (len[i] == 4 && is_digit(sub[i][0]))))
        i++; /* variants */
    while (i < count && len[i] == 1) {
        bool private_use = (sub[i][0] | 0x20) == 'x';
        size_t first = ++i;
        while (i < count && (private_use || len[i] >= 2))
            i++;
        if (i == first)
            return false;
    }
    return i == count;
}

/* Reads the attribute list "{lang=en}" whose '{' is at t->text[at];
 * returns the index just after its '}', or 0 when there is none in this
 * text. *lang gets the tag (NULL when missing or wrong, reported). */
static size_t span_attributes(builder *b, const doc_node *t, size_t at, char **lang)
{
    const char *s = t->text;
    size_t close = at + 1;
    while (s[close] && s[close] != '}' && s[close] != '{')
        close++;
    if (s[close] != '}')
        return 0;
    *lang = NULL;
    bool reported = false;
    for (size_t p = at + 1; p < close;) {
        if (strchr(" \t\n", s[p])) {
            p++;
            continue;
        }
        size_t start = p, key_end, value = 0, value_end = 0;
        while (p < close && !strchr(" \t\n=", s[p]))
            p++;
        key_end = p;
        if (p < close && s[p] == '=') {
            p++;
            if (p < close && s[p] == '"') {
                value = ++p;
                while (p < close && s[p] != '"')
                    p++;
                value_end = p;
                if (p < close)
                    p++;
            } else {
                value = p;
                while (p < close && !strchr(" \t\n", s[p]))
                    p++;
                value_end = p;
            }
        }
        int line, column;
        doc_text_position(t, start, &line, &column);
        reported = true;
        if (key_end - start == 4 && !memcmp(s + start, "lang", 4) && value) {
            char *tag = xstrndup(s + value, value_end - value);
            if (*lang) {
                error_at(b, line, column, "'lang' is given twice in one span");
                free(tag);
            } else if (!valid_language_tag(tag)) {
                doc_text_position(t, value, &line, &column);
                error_at(b, line, column,
                         "'%s' is not a language tag; use a code like 'en', 'en-GB' or 'fr'", tag);
                free(tag);
            } else {
                *lang = tag;
                reported = false;
            }
        } else {
            error_at(b, line, column,
                     "unknown span attribute '%.*s'; a span only takes a language, like "
                     "'[cancer of unknown primary]{lang=en}'",
                     (int)(p - start), s + start);
        }
    }
    if (!*lang && !reported) {
        int line, column;
        doc_text_position(t, at, &line, &column);
        error_at(b, line, column,
                 "this span has no language; write it like '[cancer of unknown primary]{lang=en}'");
    }
    return close + 1;
}

/* Pandoc's bracketed spans, "[text]{lang=en}" with any inlines as text,
 * become NODE_SPAN. md4c leaves the brackets as text: pair them up among
 * the texts of one inline level (a stack: innermost first), then rebuild
 * that level once, so a paragraph of many spans costs no more than its
 * length. */
typedef struct span_cut {
    size_t node;               /* index of the text among the level's children */
    size_t at, skip;           /* where the cut is in that text, how many bytes it removes */
    size_t span;               /* which span it opens or closes */
    bool open;
} span_cut;

static int cut_compare(const void *a, const void *b)
{
    const span_cut *x = a, *y = b;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static void find_spans(builder *b, doc_node *parent)
{
    for (doc_node *c = parent->first_child; c; c = c->next)
        if (c->type == NODE_EMPHASIS || c->type == NODE_STRONG || c->type == NODE_LINK)
            find_spans(b, c);

    struct opener {
        const doc_node *node;
        size_t index, at;
    } *open = NULL;
    size_t depth = 0, open_capacity = 0;
    span_cut *cuts = NULL;
    size_t cut_count = 0, cut_capacity = 0;
    doc_node **spans = NULL;   /* made here, placed in the rebuild */
    size_t span_count = 0;
    size_t index = 0;
    for (doc_node *c = parent->first_child; c; c = c->next, index++) {
        if (c->type != NODE_TEXT)
            continue;
        for (size_t i = 0; c->text[i]; i++) {
            char ch = c->text[i];
            if ((ch != '[' && ch != ']') || doc_text_literal_at(c, i))
                continue;
            if (ch == '[') {
                if (depth == open_capacity) {
                    open_capacity = open_capacity ? open_capacity * 2 : 8;
                    open = xrealloc(open, open_capacity * sizeof *open);
                }
                open[depth++] = (struct opener){c, index, i};
                continue;
            }
            if (!depth)
                continue;
            struct opener o = open[--depth];
            if (c->text[i + 1] != '{' || doc_text_literal_at(c, i + 1))
                continue;
            char *lang = NULL;
            size_t after = span_attributes(b, c, i + 1, &lang);
            if (!after)
                continue;
            int line, column;
            doc_text_position(o.node, o.at, &line, &column);
            doc_node *span = doc_node_new(NODE_SPAN, line, column);
            span->lang = lang;
            if (cut_count + 2 > cut_capacity) { /* two cuts per span */
                cut_capacity = cut_capacity ? cut_capacity * 2 : 8;
                cuts = xrealloc(cuts, cut_capacity * sizeof *cuts);
                spans = xrealloc(spans, cut_capacity / 2 * sizeof *spans);
            }
            spans[span_count] = span;
            cuts[cut_count++] = (span_cut){o.index, o.at, 1, span_count, true};
            cuts[cut_count++] = (span_cut){index, i, after - i, span_count, false};
            span_count++;
            i = after - 1; /* go on after the '}' */
        }
    }
    free(open);
    if (!span_count) {
        free(spans);
        return;
    }

    /* Rebuild the level: texts are cut where the marks were, spans open
     * and close around what lies between. */
    qsort(cuts, cut_count, sizeof *cuts, cut_compare);
    doc_node **stack = xmalloc((MAX_SPAN_NESTING + 1) * sizeof *stack);
    bool *flat = xcalloc(span_count, sizeof *flat);
    size_t top_index = 0, next_cut = 0;
    bool too_deep = false;
    stack[0] = parent;
    doc_node *c = parent->first_child;
    parent->first_child = parent->last_child = NULL;
    for (index = 0; c; index++) {
        doc_node *next = c->next;
        c->next = NULL;
        if (next_cut >= cut_count || cuts[next_cut].node != index) {
            doc_node_append(stack[top_index], c);
            c = next;
            continue;
        }
        size_t from = 0;
        for (; next_cut < cut_count && cuts[next_cut].node == index; next_cut++) {
            const span_cut *k = &cuts[next_cut];
            if (k->at > from)
                doc_node_append(stack[top_index], text_piece(c, from, k->at));
            from = k->at + k->skip;
            doc_node *span = spans[k->span];
            if (k->open && top_index == MAX_SPAN_NESTING) {
                /* one report for the block; the inner spans' text stays, unmarked */
                if (!too_deep)
                    error_at(b, span->line, span->column,
                             "language spans are nested more than %d deep; mark each phrase once",
                             MAX_SPAN_NESTING);
                too_deep = true;
                flat[k->span] = true;
            } else if (k->open) {
                doc_node_append(stack[top_index], span);
                stack[++top_index] = span;
            } else if (!flat[k->span]) {
                top_index--;
            }
        }
        size_t length = strlen(c->text);
        if (from < length)
            doc_node_append(stack[top_index], text_piece(c, from, length));
        doc_node_free(c);
        c = next;
    }
    for (size_t i = 0; i < span_count; i++)
        if (flat[i])
            doc_node_free(spans[i]);
    free(flat);
    free(stack);
    free(spans);
    free(cuts);
}

/* --- finishing blocks -------------------------------------------------- */

/* Every NODE_TEXT under n in reading order (and line breaks, as NULL separators). */
static void collect_texts(doc_node *n, doc_node ***items, size_t *count, size_t *capacity)
{
    for (doc_node *c = n->first_child; c; c = c->next) {
        if (c->type == NODE_TEXT || c->type == NODE_LINE_BREAK) {
            if (*count == *capacity) {
                *capacity = *capacity ? *capacity * 2 : 16;
                *items = xrealloc(*items, *capacity * sizeof **items);
            }
            (*items)[(*count)++] = c;
        } else {
            collect_texts(c, items, count, capacity);
        }
    }
}

/* Autolinks and expanded contacts show an address: never curl its quotes. */
static bool shows_address(const doc_node *t)
{
    const doc_node *p = t->parent;
    if (!p || p->type != NODE_LINK || !p->url)
        return false;
    return !strcmp(p->url, t->text) || !strncmp(p->url, "tel:", 4) ||
           (!strncmp(p->url, "mailto:", 7) && !strcmp(p->url + 7, t->text));
}

static size_t utf8_length(unsigned char lead)
{
    return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

/* Typography changed t->text into `changed`: every character maps to one,
 * except "..." to an ellipsis, after which a new segment starts (its
 * source column is two further on than counting would say). */
static void remap_segments(doc_node *t, const char *changed)
{
    const char *old = t->text;
    size_t old_length = strlen(old), new_length = strlen(changed);
    doc_text_segment *segments = t->segments;
    size_t count = t->segment_count, next = 0;
    t->segments = NULL;
    t->segment_count = 0;
    size_t oi = 0, ni = 0;
    int line = t->line, column = t->column;
    while (oi < old_length && ni < new_length) {
        while (next < count && segments[next].offset <= oi) {
            line = segments[next].line;
            column = segments[next].column;
            segment_push(t, ni, line, column, segments[next].literal);
            next++;
        }
        size_t on = utf8_length((unsigned char)old[oi]);
        size_t nn = utf8_length((unsigned char)changed[ni]);
        if (old[oi] == '.' && !strncmp(old + oi, "...", 3) && !strncmp(changed + ni, "\xE2\x80\xA6", 3)) {
            oi += 3;
            ni += 3;
            column += 3;
            if (ni < new_length && !(next < count && segments[next].offset <= oi))
                segment_push(t, ni, line, column, false);
            continue;
        }
        oi += on;
        ni += nn;
        column++;
    }
    if (!t->segment_count && count) /* empty text: keep where it was */
        segment_push(t, 0, segments[0].line, segments[0].column, false);
    free(segments);
}

/* Soft breaks (kept as "\n" until now) become spaces; quotes are curled
 * across the whole block so a quote after *emphasis* sees the 'e'. */
static void finish_text(doc_node *block)
{
    doc_node **items = NULL;
    size_t count = 0, capacity = 0;
    collect_texts(block, &items, &count, &capacity);
    strbuf all = {0};
    size_t *bounds = xmalloc((count + 1) * sizeof *bounds);
    bool *verbatim = xcalloc(count ? count : 1, sizeof *verbatim);
    for (size_t i = 0; i < count; i++) {
        bounds[i] = all.length;
        if (items[i]->type == NODE_LINE_BREAK) {
            strbuf_puts(&all, "\n");
            continue;
        }
        for (char *p = items[i]->text; *p; p++)
            if (*p == '\n')
                *p = ' ';
        strbuf_puts(&all, items[i]->text);
        verbatim[i] = shows_address(items[i]);
    }
    bounds[count] = all.length;
    char **out = xcalloc(count ? count : 1, sizeof *out);
    bool open_double = false, open_single = false;
    if (count)
        typography_segments(all.data, all.length, bounds, count, verbatim, out, &open_double,
                            &open_single);
    for (size_t i = 0; i < count; i++) {
        if (items[i]->type == NODE_TEXT) {
            remap_segments(items[i], out[i]);
            free(items[i]->text);
            items[i]->text = out[i];
        } else {
            free(out[i]);
        }
    }
    free(out);
    free(verbatim);
    free(bounds);
    free(all.data);
    free(items);
}

static void find_images(doc_node *n, doc_node ***items, size_t *count)
{
    for (doc_node *c = n->first_child; c; c = c->next) {
        if (c->type == NODE_IMAGE) {
            *items = xrealloc(*items, (*count + 1) * sizeof **items);
            (*items)[(*count)++] = c;
        } else {
            find_images(c, items, count);
        }
    }
}

/* Images inside running text (or headings, or links) are reported and removed. */
static void reject_inline_images(builder *b, doc_node *block)
{
    doc_node **images = NULL;
    size_t count = 0;
    find_images(block, &images, &count);
    for (size_t i = 0; i < count; i++) {
        error_at(b, images[i]->line, images[i]->column,
                 "images must stand alone in their own paragraph");
        remove_child(images[i]->parent, images[i]);
        doc_node_free(images[i]);
    }
    free(images);
}

static const char *const alert_names[] = {"NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"};

/* Takes "[!KIND] title" off the first paragraph of a quote. */
static void take_alert_marker(builder *b, doc_node *alert, doc_node *para, size_t para_start)
{
    doc_node *first = para->first_child;
    const char *s = first && first->type == NODE_TEXT ? first->text : "";
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = 0;
    if (s[0] == '[' && s[1] == '!')
        while ((s[2 + n] >= 'A' && s[2 + n] <= 'Z') || (s[2 + n] >= 'a' && s[2 + n] <= 'z'))
            n++;
    if (!n || s[2 + n] != ']') {
        error_at(b, alert->line, alert->column, "block quotes must be alerts like '> [!TIP]'");
        return;
    }
    char kind[16] = "";
    if (n < sizeof kind)
        for (size_t i = 0; i < n; i++)
            kind[i] = (char)(s[2 + i] >= 'a' ? s[2 + i] - 'a' + 'A' : s[2 + i]);
    size_t k = 0;
    while (k < 5 && strcmp(kind, alert_names[k]))
        k++;
    if (k == 5) {
        char *written = xstrndup(s + 2, n);
        const char *close = suggest_closest(n < sizeof kind ? kind : written, alert_names, 5);
        if (close)
            error_at(b, alert->line, alert->column, "unknown alert '[!%s]'; did you mean '[!%s]'?",
                     written, close);
        else
            error_at(b, alert->line, alert->column,
                     "unknown alert '[!%s]'; use [!NOTE], [!TIP], [!IMPORTANT], [!WARNING] or [!CAUTION]",
                     written);
        free(written);
        k = ALERT_NOTE;
    }
    alert->alert = (alert_kind)k;

    text_drop_prefix(first, (size_t)(s + 3 + n - first->text));

    /* The title is the rest of the marker's line; the paragraph keeps what follows. */
    strbuf title = {0};
    for (doc_node *c = para->first_child, *next; c; c = next) {
        next = c->next;
        if (c->type == NODE_TEXT) {
            char *nl = strchr(c->text, '\n');
            if (nl) {
                strbuf_append(&title, c->text, (size_t)(nl - c->text));
                text_drop_prefix(c, (size_t)(nl + 1 - c->text));
                if (!*c->text) {
                    remove_child(para, c);
                    doc_node_free(c);
                } else if (c == para->first_child) {
                    /* the paragraph now starts on the line after the marker */
                    size_t at = first_nonblank(b, next_line(b, para_start));
                    while (at < b->body_length && b->body[at] == '>')
                        at = first_nonblank(b, at + 1);
                    body_position(b, at, &c->line, &c->column);
                    para->line = c->line;
                    para->column = c->column;
                }
                break;
            }
            strbuf_puts(&title, c->text);
        } else if (c->type != NODE_LINE_BREAK) {
            char *plain = doc_plain_text(c);
            strbuf_puts(&title, plain);
            free(plain);
        }
        bool line_end = c->type == NODE_LINE_BREAK;
        remove_child(para, c);
        doc_node_free(c);
        if (line_end)
            break;
    }
    char *t = strbuf_take(&title);
    for (char *p = t; *p; p++)
        if (*p == '\n')
            *p = ' ';
    char *start = t, *end = t + strlen(t);
    while (*start == ' ' || *start == '\t')
        start++;
    while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *end = '\0';
    if (*start) {
        bool od = false, os = false;
        alert->title = typography_quotes(start, &od, &os);
    }
    free(t);
}

static bool only_blank_text(const doc_node *para)
{
    for (const doc_node *c = para->first_child; c; c = c->next) {
        if (c->type != NODE_TEXT)
            return false;
        for (const char *p = c->text; *p; p++)
            if (!strchr(" \t\n", *p))
                return false;
    }
    return true;
}

/* A block that ends in a dropped comment ends in the space before it. */
static void trim_after_last_comment(builder *b, doc_node *block)
{
    if (!b->after_comment)
        return;
    b->after_comment = false;
    doc_node *last = block->last_child;
    if (last && last->type == NODE_TEXT) {
        size_t n = strlen(last->text);
        trim_before_comment(last, " ", &n);
        if (last == b->open_text)
            b->open_length = n;
    }
}

/* Pandoc's image attributes, "![alt](photo.jpg){width=60%}" or
 * "{width=50mm}", standing right after the image: read into the image
 * node and dropped from the text. Anything else in braces is an error. */
static void image_attributes(builder *b, doc_node *image)
{
    doc_node *t = image->next;
    if (!t || t->type != NODE_TEXT || !t->text || t->text[0] != '{')
        return;
    const char *s = t->text;
    const char *close = strchr(s, '}');
    int line, column;
    doc_text_position(t, 0, &line, &column);
    if (!close) {
        error_at(b, line, column, "image attributes are not closed; write them like '{width=60%%}'");
        return;
    }
    for (const char *rest = close + 1; *rest; rest++)
        if (!strchr(" \t\n", *rest))
            return; /* text after the braces: the image is not alone, reported as such */
    char *inner = xstrndup(s + 1, (size_t)(close - s - 1));
    char *value = NULL;
    double number = 0;
    char unit[8] = "";
    int used = 0;
    if (strncmp(inner, "width=", 6) == 0)
        value = inner + 6;
    if (!value || sscanf(value, "%lf%7[%a-z]%n", &number, unit, &used) != 2 ||
        value[used] != '\0') {
        error_at(b, line, column,
                 "unknown image attribute '{%s}'; an image takes a width, like '{width=60%%}' "
                 "(of the text width) or '{width=50mm}'", inner);
    } else if (strcmp(unit, "%") == 0 && number > 0 && number <= 100) {
        image->width_share = number / 100;
    } else if (strcmp(unit, "mm") == 0 && number > 0 && number <= 1000) {
        image->width_mm = number;
    } else {
        error_at(b, line, column,
                 "image width '%s' must be a share from 1%% to 100%% of the text width, or a "
                 "length in mm, like '60%%' or '50mm'", value);
    }
    free(inner);
    remove_child(t->parent, t);
    doc_node_free(t);
}

/* "*caption*" alone in the paragraph right after an image: its caption. */
static bool take_caption(doc_node *para)
{
    doc_node *before = NULL;
    for (doc_node *c = para->parent ? para->parent->first_child : NULL; c && c != para; c = c->next)
        before = c;
    doc_node *only = para->first_child;
    if (!before || before->type != NODE_IMAGE || before->caption || !only || only->next ||
        only->type != NODE_EMPHASIS)
        return false;
    before->caption = doc_plain_text(only);
    return true;
}

static void finish_paragraph(builder *b, doc_node *para, doc_node *alert, size_t start)
{
    trim_after_last_comment(b, para);
    doc_node *parent = para->parent;
    if (alert)
        take_alert_marker(b, alert, para, start);
    if (only_blank_text(para)) { /* e.g. nothing but the alert marker */
        remove_child(parent, para);
        doc_node_free(para);
        return;
    }
    if (para->first_child && para->first_child->type == NODE_IMAGE)
        image_attributes(b, para->first_child);
    find_spans(b, para);
    finish_text(para);
    if (!alert && take_caption(para)) {
        remove_child(parent, para);
        doc_node_free(para);
        return;
    }
    doc_node *only = para->first_child;
    if (only && !only->next && only->type == NODE_IMAGE) {
        remove_child(para, only);
        replace_child(parent, para, only);
        doc_node_free(para);
        return;
    }
    reject_inline_images(b, para);
}

static void finish_heading(builder *b, doc_node *heading)
{
    trim_after_last_comment(b, heading);
    find_spans(b, heading);
    finish_text(heading);
    reject_inline_images(b, heading);
    char *text = doc_plain_text(heading);
    bool empty = true;
    for (const char *p = text; *p; p++)
        empty &= *p == ' ';
    if (empty)
        error_at(b, heading->line, heading->column, "heading has no text");
    free(text);
}

static void close_implicit(builder *b)
{
    frame *f = top(b);
    if (!f->implicit)
        return;
    doc_node *para = f->implicit;
    f->implicit = NULL;
    finish_paragraph(b, para, NULL, 0);
}

/* --- links and images -------------------------------------------------- */

/* Lowercased scheme of a URL ("https"), or "" when there is none. */
static void url_scheme(const char *url, char *scheme, size_t size)
{
    size_t n = 0;
    scheme[0] = '\0';
    if (!((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z')))
        return;
    while (url[n] && url[n] != ':' && n + 1 < size) {
        char c = url[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '-' || c == '.')) {
            scheme[0] = '\0';
            return;
        }
        scheme[n] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        n++;
    }
    if (url[n] != ':')
        n = 0;
    scheme[n] = '\0';
}

static char *website_display(const char *url)
{
    const char *s = !strncmp(url, "https://", 8) ? url + 8 : url;
    size_t n = strlen(s);
    if (n > 1 && s[n - 1] == '/')
        n--;
    return xstrndup(s, n);
}

/* [](contact:ID), [](contact:ID#phone|#email|#website) -> a link showing that detail. */
static void expand_contact(builder *b, frame *f, doc_node *link)
{
    const char *spec = link->url + strlen("contact:");
    const char *hash = strchr(spec, '#');
    char *id = xstrndup(spec, hash ? (size_t)(hash - spec) : strlen(spec));
    const char *detail = hash ? hash + 1 : "phone";
    if (link->first_child) {
        error_at(b, f->line, f->column,
                 "a contact link must have empty text, like '[](contact:%s)'", id);
        free(id);
        return;
    }
    const contact *c = b->contacts ? contacts_find(b->contacts, id) : NULL;
    if (!c) {
        const char *close = b->contacts ? suggest_closest(id, contacts_ids(b->contacts),
                                                          b->contacts->count) : NULL;
        if (!*id)
            error_at(b, f->line, f->column, "contact link has no contact id, like '[](contact:ID)'");
        else if (close)
            error_at(b, f->line, f->column, "unknown contact '%s'; did you mean '%s'?", id, close);
        else
            error_at(b, f->line, f->column, "unknown contact '%s'", id);
        free(id);
        return;
    }
    char *url = NULL, *text = NULL;
    if (!strcmp(detail, "phone")) {
        if (c->phone_count) {
            url = phone_tel_uri(c->phones[0]);
            text = xstrdup(c->phones[0]);
        } else {
            error_at(b, f->line, f->column, "contact '%s' has no phone number", id);
        }
    } else if (!strcmp(detail, "email")) {
        if (c->email) {
            strbuf u = {0};
            strbuf_printf(&u, "mailto:%s", c->email);
            url = strbuf_take(&u);
            text = xstrdup(c->email);
        } else {
            error_at(b, f->line, f->column, "contact '%s' has no e-mail address", id);
        }
    } else if (!strcmp(detail, "website")) {
        if (c->website) {
            url = xstrdup(c->website);
            text = website_display(c->website);
        } else {
            error_at(b, f->line, f->column, "contact '%s' has no website", id);
        }
    } else {
        static const char *const details[] = {"phone", "email", "website"};
        const char *close = suggest_closest(detail, details, 3);
        if (close)
            error_at(b, f->line, f->column, "unknown contact detail '#%s'; did you mean '#%s'?",
                     detail, close);
        else
            error_at(b, f->line, f->column,
                     "unknown contact detail '#%s'; use #phone, #email or #website", detail);
    }
    if (url) {
        free(link->url);
        link->url = url;
        doc_node *t = doc_node_new(NODE_TEXT, f->line, f->column);
        t->text = text;
        doc_node_append(link, t);
    }
    free(id);
}

static void finish_link(builder *b, frame *f)
{
    doc_node *link = f->node;
    char scheme[16];
    url_scheme(link->url, scheme, sizeof scheme);
    doc_node *first = link->first_child;
    if (first && first->type == NODE_TEXT && first->text[0] == '^') {
        error_at(b, f->line, f->column, "footnotes are not supported");
    } else if (!strcmp(scheme, "contact")) {
        expand_contact(b, f, link);
    } else if (!*link->url) {
        error_at(b, f->line, f->column, "link has no address");
    } else if (strcmp(scheme, "https") && strcmp(scheme, "http") && strcmp(scheme, "mailto") &&
               strcmp(scheme, "tel")) {
        error_at(b, f->line, f->column,
                 "link '%s' is not allowed; use an https:, http:, mailto:, tel: or contact: address",
                 link->url);
    } else if (!first) {
        error_at(b, f->line, f->column, "link to '%s' has no text", link->url);
    }
}
/* The real path of an image the source names (relative to the source's
 * folder, inside the project), or NULL after an error naming `shown`. */
static char *resolve_image(builder *b, const char *path, const char *shown, int line, int column)
{
    char *real = NULL;
    image_path_result r = image_resolve(path, b->source_dir, b->root_real, &real);
    if (r != IMAGE_PATH_OK)
        error_at(b, line, column, "image '%s' %s", shown, image_path_problem(r));
    return real;
}

static void finish_image(builder *b, frame *f)
{
    doc_node *image = f->node;
    char *alt = strbuf_take(&b->alt);
    char *start = alt, *end = alt + strlen(alt);
    while (*start == ' ')
        start++;
    while (end > start && end[-1] == ' ')
        *--end = '\0';
    if (*start) {
        bool od = false, os = false;
        image->alt = typography_quotes(start, &od, &os);
    }
    free(alt);

    char *src = image->url;
    image->url = NULL;
    char scheme[16];
    url_scheme(src, scheme, sizeof scheme);
    if (!*src) {
        error_at(b, f->line, f->column, "image has no file name");
    } else if (*scheme || !strncmp(src, "//", 2)) {
        error_at(b, f->line, f->column, "image '%s' must be a file in the project, not a web address",
                 src);
    } else {
        char *decoded = percent_decode(src, strlen(src));
        image->url = resolve_image(b, decoded, src, f->line, f->column);
        free(decoded);
    }
    if (!image->alt)
        error_at(b, f->line, f->column,
                 "image '%s' has no alt text; describe what it shows, like '![description](%s)'",
                 src, src);
    free(src);
}

/* --- md4c callbacks ---------------------------------------------------- */

static void check_top_level(builder *b, frame *f, MD_BLOCKTYPE type, unsigned level)
{
    if (!b->seen_block) {
        b->seen_block = true;
        if (type != MD_BLOCK_H || level != 1)
            problem(b, f, "the body must start with a level-1 heading like '# Title'");
        b->last_level = 1;
    }
    if (type != MD_BLOCK_H)
        return;
    static const char *const hashes[] = {"", "#", "##", "###", "####", "#####", "######"};
    if (level > 3) {
        problem(b, f, "heading level %u is not supported; use '#', '##' or '###'", level);
    } else if (level == 1 && b->first_h1) {
        problem(b, f, "only one level-1 heading is allowed; the first is on line %d",
                b->first_h1->line);
    } else if ((int)level > b->last_level + 1) {
        problem(b, f, "skipped heading level: '%s' after '%s'", hashes[level],
                hashes[b->last_level]);
    }
    if (level <= 3)
        b->last_level = (int)level;
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
    builder *b = userdata;
    if (b->depth)
        close_implicit(b);
    frame *f = push(b, false, type);
    if (type == MD_BLOCK_DOC) {
        f->node = b->doc->root;
        place(b, f, 0, b->body_line, 1);
        return 0;
    }
    if (f->ignore)
        return 0;
    frame *parent = &b->frames[b->depth - 2];
    unsigned level = type == MD_BLOCK_H ? ((MD_BLOCK_H_DETAIL *)detail)->level : 0;
    if (parent->type == MD_BLOCK_DOC && !parent->span)
        check_top_level(b, f, type, level);
    bool alert_first = false;
    if (!parent->span && parent->type == MD_BLOCK_QUOTE && parent->quote_awaiting) {
        parent->quote_awaiting = false;
        if (type == MD_BLOCK_P)
            alert_first = true;
        else
            problem(b, parent, "block quotes must be alerts like '> [!TIP]'");
    }
    doc_node *c = container(b);
    switch (type) {
    case MD_BLOCK_QUOTE:
        f->node = doc_node_new(NODE_ALERT, 0, 0);
        f->anchor = AT_QUOTE;
        f->quote_awaiting = true;
        if (b->quote_depth || b->list_depth) {
            /* one error for the whole nest: what is inside is not built */
            problem(b, f, "alerts cannot be inside a list or another alert");
            f->ignore = true;
            break;
        }
        b->quote_depth++;
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        if (b->list_depth + b->quote_depth >= MAX_NESTING) {
            f->anchor = AT_ITEM;
            f->ignore = true;
            problem(b, f, "lists are nested more than %d levels deep; move the deeper items "
                          "up to the level above",
                    MAX_NESTING);
            break;
        }
        f->node = doc_node_new(NODE_LIST, 0, 0);
        if (type == MD_BLOCK_OL) {
            f->node->ordered = true;
            unsigned start = ((MD_BLOCK_OL_DETAIL *)detail)->start;
            f->node->start = start > INT_MAX ? INT_MAX : (int)start;
        }
        f->anchor = AT_ITEM;
        b->list_depth++;
        break;
    case MD_BLOCK_LI: {
        f->node = doc_node_new(NODE_ITEM, 0, 0);
        f->anchor = AT_ITEM;
        MD_BLOCK_LI_DETAIL *li = detail;
        if (li->is_task) {
            int line, column;
            body_position(b, li->task_mark_offset ? li->task_mark_offset - 1 : 0, &line, &column);
            error_at(b, line, column, "task lists are not supported");
        }
        break;
    }
    case MD_BLOCK_HR:
        f->anchor = AT_RULE;
        problem(b, f, "horizontal rules are not supported");
        break;
    case MD_BLOCK_H:
        f->node = doc_node_new(NODE_HEADING, 0, 0);
        f->node->level = (int)level;
        f->anchor = AT_HEADING;
        if (!(parent->type == MD_BLOCK_DOC && !parent->span))
            problem(b, f, "headings cannot be inside a list or alert");
        else if (level == 1 && !b->first_h1)
            b->first_h1 = f->node;
        break;
    case MD_BLOCK_CODE:
        f->ignore = true;
        f->fence = ((MD_BLOCK_CODE_DETAIL *)detail)->fence_char;
        f->anchor = f->fence ? AT_FENCE : AT_TEXT;
        problem(b, f, "code blocks are not supported");
        break;
    case MD_BLOCK_HTML:
        f->ignore = true;
        f->html_block = true; /* judged in leave_block: comments are fine */
        break;
    case MD_BLOCK_P:
        f->node = doc_node_new(NODE_PARAGRAPH, 0, 0);
        f->alert_marker = alert_first;
        break;
    case MD_BLOCK_TABLE:
        f->ignore = true;
        f->anchor = AT_LINE;
        problem(b, f, "tables are not supported");
        break;
    default:
        break;
    }
    if (f->node)
        doc_node_append(c, f->node);
    return 0;
}

/* Moves `consumed` past a closing code fence or a setext underline, which no text reaches. */
static void consume_marker_line(builder *b, const char *chars)
{
    size_t p = b->consumed;
    while (p < b->body_length && skippable_line(b, p, true))
        p = next_line(b, p);
    size_t at = first_nonblank(b, p);
    while (at < b->body_length && b->body[at] == '>')
        at = first_nonblank(b, at + 1);
    if (at < b->body_length && strchr(chars, b->body[at]))
        b->consumed = next_line(b, p);
}

/* NULL when an HTML block is nothing but comments (editorial notes,
 * dropped); otherwise what is wrong with it. */
static const char *html_block_problem(const char *s)
{
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        if (!*s)
            return NULL;
        if (strncmp(s, "<!--", 4))
            return "raw HTML is not supported";
        const char *end = strstr(s + 4, "-->");
        if (!end)
            return "this comment has no end: close it with '-->', or everything after it is dropped";
        s = end + 3;
        while (*s == ' ' || *s == '\t' || *s == '\r')
            s++;
        if (*s && *s != '\n' && strncmp(s, "<!--", 4))
            return "text after a comment on the same line is dropped with the comment; "
                   "start the text on a line of its own";
    }
}

static void pop(builder *b)
{
    frame *f = top(b);
    free(f->problems[0]);
    free(f->problems[1]);
    free(f->html.data);
    b->depth--;
    if (b->placed > b->depth)
        b->placed = b->depth;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
    (void)detail;
    builder *b = userdata;
    /* md4c 0.4.8 can leave spans unbalanced on odd input ("![]([)]()"):
     * drop span frames it never closed, and ignore leaves that match nothing. */
    while (b->depth && top(b)->span) {
        if (top(b)->type == MD_SPAN_IMG)
            b->image_depth = 0;
        pop(b);
    }
    b->inline_depth = 0; /* spans never outlive their block */
    if (!b->depth || top(b)->type != (int)type)
        return 0;
    if (type == MD_BLOCK_LI)
        close_implicit(b);
    frame *f = top(b);
    if (!f->positioned && !unplaced(f))
        place_by_line(b, f);
    if (f->html_block) {
        const char *why = html_block_problem(f->html.data ? f->html.data : "");
        if (why)
            error_at(b, f->line, f->column, "%s", why);
    }
    if (!f->ignore || type == MD_BLOCK_CODE) {
        switch (type) {
        case MD_BLOCK_P: {
            frame *parent = &b->frames[b->depth - 2];
            finish_paragraph(b, f->node, f->alert_marker ? parent->node : NULL, f->start);
            break;
        }
        case MD_BLOCK_H: {
            finish_heading(b, f->node);
            if (f->node == b->first_h1 && b->doc->meta.title) {
                /* the cover and PDF title come from the front matter: they should agree */
                char *text = doc_plain_text(f->node);
                if (strcmp(text, b->doc->meta.title))
                    diag_report(b->diags, SEVERITY_WARNING, b->path, f->line, f->column,
                                "the level-1 heading differs from the front matter title '%s'",
                                b->doc->meta.title);
                free(text);
            }
            /* a setext heading does not start with '#'; its underline follows the text */
            if (f->start < b->body_length && b->body[f->start] != '#')
                consume_marker_line(b, "=-");
            break;
        }
        case MD_BLOCK_QUOTE:
            if (f->quote_awaiting)
                error_at(b, f->line, f->column, "block quotes must be alerts like '> [!TIP]'");
            b->quote_depth--;
            break;
        case MD_BLOCK_UL:
        case MD_BLOCK_OL:
            b->list_depth--;
            break;
        case MD_BLOCK_CODE:
            if (f->fence)
                consume_marker_line(b, f->fence == '`' ? "`" : "~");
            break;
        default:
            break;
        }
    }
    pop(b);
    return 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *userdata)
{
    builder *b = userdata;
    frame *f = push(b, true, type);
    if (f->ignore)
        return 0;
    if (b->image_depth) {
        /* spans inside alt text only contribute their text */
        if (type == MD_SPAN_IMG)
            b->image_depth++;
        f->positioned = true;
        return 0;
    }
    if ((type == MD_SPAN_EM || type == MD_SPAN_STRONG || type == MD_SPAN_A) &&
        b->inline_depth >= MAX_INLINE_NESTING) {
        f->ignore = true; /* its content too: one report for the whole nest */
        f->anchor = type == MD_SPAN_A ? AT_LINK : AT_EMPHASIS;
        problem(b, f, "emphasis and links are nested more than %d deep; take the inner ones out",
                MAX_INLINE_NESTING);
        return 0;
    }
    doc_node *c = inline_container(b, 0, 0); /* placed by the first text */
    switch (type) {
    case MD_SPAN_EM:
    case MD_SPAN_STRONG:
        f->node = doc_node_new(type == MD_SPAN_EM ? NODE_EMPHASIS : NODE_STRONG, 0, 0);
        f->anchor = AT_EMPHASIS;
        break;
    case MD_SPAN_A:
    case MD_SPAN_IMG: {
        /* MD_SPAN_IMG_DETAIL starts like MD_SPAN_A_DETAIL: src where href is */
        const MD_ATTRIBUTE *href = type == MD_SPAN_A ? &((MD_SPAN_A_DETAIL *)detail)->href
                                                     : &((MD_SPAN_IMG_DETAIL *)detail)->src;
        f->node = doc_node_new(type == MD_SPAN_A ? NODE_LINK : NODE_IMAGE, 0, 0);
        f->node->url = attribute_text(href);
        size_t offset = body_offset(b, href->text);
        f->href_in_body = offset != SIZE_MAX && href->size;
        f->href_offset = offset;
        f->anchor = type == MD_SPAN_A ? AT_LINK : AT_IMAGE;
        if (type == MD_SPAN_IMG) {
            b->image_depth = 1;
            free(strbuf_take(&b->alt));
        }
        break;
    }
    case MD_SPAN_CODE:
        f->ignore = true;
        f->anchor = AT_BACKTICKS;
        problem(b, f, "code is not supported");
        break;
    case MD_SPAN_DEL:
        f->anchor = AT_TILDES;
        problem(b, f, "strikethrough is not supported");
        break;
    default:
        f->ignore = true;
        problem(b, f, "this markup is not supported");
        break;
    }
    if (f->node)
        doc_node_append(c, f->node);
    if (f->node && f->node->type != NODE_IMAGE)
        b->inline_depth++;
    return 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *userdata)
{
    (void)detail;
    builder *b = userdata;
    if (!b->depth || !top(b)->span || top(b)->type != (int)type)
        return 0; /* unbalanced (see leave_block) */
    frame *f = top(b);
    if (!f->positioned)
        place_span_fallback(b, f);
    if (f->node && f->node->type != NODE_IMAGE && !f->ignore)
        b->inline_depth--;
    if (!f->ignore) {
        if (type == MD_SPAN_IMG && b->image_depth) {
            if (--b->image_depth == 0 && f->node)
                finish_image(b, f);
        } else if (type == MD_SPAN_A && f->node) {
            finish_link(b, f);
        }
    }
    pop(b);
    return 0;
}

/* Inline raw HTML, which md4c hands over a line at a time: a comment
 * ("<!-- TODO -->", on one line or several) is an editorial note and
 * dropped; any other tag is reported once, where it starts. */
static void inline_html(builder *b, const char *text, size_t size, size_t offset)
{
    if (!b->html_open) {
        b->html_open = true;
        b->html_comment = size >= 4 && !memcmp(text, "<!--", 4);
        memset(b->html_tail, 0, sizeof b->html_tail);
        if (!b->html_comment) {
            int line, column;
            body_position(b, offset == SIZE_MAX ? b->last_end : offset, &line, &column);
            error_at(b, line, column, "raw HTML is not supported");
        }
        /* "<!--" itself must not count as the end of "-->" */
        if (b->html_comment) {
            text += 4;
            size -= 4;
        }
    }
    for (size_t i = 0; i < size; i++) {
        b->html_tail[0] = b->html_tail[1];
        b->html_tail[1] = b->html_tail[2];
        b->html_tail[2] = text[i];
    }
    if (b->html_comment ? !memcmp(b->html_tail, "-->", 3) : b->html_tail[2] == '>') {
        b->html_open = false;
        b->after_comment = b->html_comment;
    }
}

/* "[^1]" left as text (no definition): a footnote reference the reader would see raw. */
static void check_footnote(builder *b, const char *text, size_t size, size_t offset)
{
    for (size_t i = 0; i + 3 < size; i++) {
        if (text[i] != '[' || text[i + 1] != '^')
            continue;
        size_t j = i + 2;
        while (j < size && text[j] != ']' && text[j] != ' ')
            j++;
        if (j < size && text[j] == ']' && j > i + 2) {
            /* "[^1]: ..." opening a line is a definition: check_footnote_definitions has it */
            if (j + 1 < size && text[j + 1] == ':' && offset != SIZE_MAX &&
                first_nonblank(b, line_start(b, offset + i)) == offset + i)
                return;
            int line, column;
            body_position(b, offset + i, &line, &column);
            error_at(b, line, column, "footnotes are not supported");
            return;
        }
    }
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *userdata)
{
    builder *b = userdata;
    if (!b->depth)
        return 0;
    size_t offset = body_offset(b, text);
    if (offset != SIZE_MAX && offset + size > b->body_length)
        offset = SIZE_MAX;
    if (offset != SIZE_MAX && type != MD_TEXT_BR && type != MD_TEXT_SOFTBR)
        saw_text(b, offset, size);
    if (top(b)->html_block) {
        strbuf_append(&top(b)->html, text, size);
        return 0;
    }
    if (top(b)->ignore)
        return 0;
    if (type != MD_TEXT_HTML)
        b->html_open = false;
    strbuf decoded = {0};
    const char *s = text;
    size_t n = size;
    if (type == MD_TEXT_ENTITY) {
        unsigned long cp;
        int line, column;
        body_position(b, offset == SIZE_MAX ? b->last_end : offset, &line, &column);
        if (!decode_entity(text, size, &cp)) {
            error_at(b, line, column, "unknown entity '%.*s'", (int)size, text);
        } else if (!is_valid_char(cp)) {
            error_at(b, line, column, "entity '%.*s' is not a valid character", (int)size, text);
        } else if (is_control(cp)) {
            error_at(b, line, column, "entity '%.*s' produces a control character", (int)size, text);
        } else {
            put_utf8(&decoded, cp);
        }
        if (!decoded.data)
            return 0;
        s = decoded.data;
        n = decoded.length;
    }
    if (b->image_depth) {
        if (type == MD_TEXT_NORMAL || type == MD_TEXT_ENTITY)
            strbuf_append(&b->alt, s, n);
        else if (type == MD_TEXT_BR || type == MD_TEXT_SOFTBR)
            strbuf_puts(&b->alt, " ");
        free(decoded.data);
        return 0;
    }
    switch (type) {
    case MD_TEXT_NORMAL:
        check_footnote(b, text, size, offset == SIZE_MAX ? b->last_end : offset);
        /* md4c hands over a backslash-escaped character as a text of its own */
        add_text(b, s, n, offset,
                 offset != SIZE_MAX && offset > 0 && b->body[offset - 1] == '\\' &&
                     strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", text[0]));
        break;
    case MD_TEXT_ENTITY:
        add_text(b, s, n, offset, true);
        break;
    case MD_TEXT_NULLCHAR:
        add_text(b, "\xEF\xBF\xBD", 3, offset, false);
        break;
    case MD_TEXT_SOFTBR: {
        /* a space in the end; alert titles need the line ends until then */
        size_t eol = b->last_end;
        while (eol < b->body_length && b->body[eol] != '\n')
            eol++;
        add_text(b, "\n", 1, eol, false);
        break;
    }
    case MD_TEXT_BR: {
        int line, column;
        body_position(b, b->last_end, &line, &column);
        doc_node_append(inline_container(b, line, column),
                        doc_node_new(NODE_LINE_BREAK, line, column));
        break;
    }
    case MD_TEXT_HTML:
        inline_html(b, text, size, offset);
        break;
    default:
        break;
    }
    free(decoded.data);
    return 0;
}

/* --- the whole file ---------------------------------------------------- */

/* Footnote definitions ("[^1]: ...") are swallowed by CommonMark as link
 * reference definitions, so look for them in the source lines. */
static void check_footnote_definitions(builder *b)
{
    for (size_t p = 0; p < b->body_length; p = next_line(b, p)) {
        size_t q = first_nonblank(b, p);
        if (q - p > 3 || q + 2 >= b->body_length || b->body[q] != '[' || b->body[q + 1] != '^')
            continue;
        size_t e = q + 2;
        while (e < b->body_length && b->body[e] != ']' && b->body[e] != '\n')
            e++;
        if (e + 1 < b->body_length && b->body[e] == ']' && b->body[e + 1] == ':' && e > q + 2) {
            int line, column;
            body_position(b, q, &line, &column);
            error_at(b, line, column, "footnotes are not supported");
        }
    }
}

static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

static void parse_body(const char *path, const char *body, size_t length, int body_line,
                       const contact_registry *contacts, const char *project_root,
                       document *doc, diag_list *diags)
{
    builder b = {
        .path = path, .body = body, .body_length = length, .body_line = body_line,
        .contacts = contacts, .diags = diags, .doc = doc,
        .cache_line = body_line, .cache_column = 1,
    };
    char *folder = folder_of(path);
    b.source_dir = realpath(folder, NULL);
    if (!b.source_dir)
        b.source_dir = folder;
    else
        free(folder);
    b.root_real = project_root ? realpath(project_root, NULL) : NULL;
    const leaflet_meta *m = &doc->meta;
    if (m->cover_image_src) {
        image_path_result r = image_resolve(m->cover_image_src, b.source_dir, b.root_real,
                                            &doc->meta.cover_image);
        if (r != IMAGE_PATH_OK)
            diag_report(diags, SEVERITY_ERROR, path, m->cover_image_line, m->cover_image_column,
                        "cover_image '%s' %s", m->cover_image_src, image_path_problem(r));
    }

    MD_PARSER parser = {
        .abi_version = 0,
        /* Tables, strikethrough and task lists are recognised only to be reported. */
        .flags = MD_DIALECT_COMMONMARK | MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS,
        .enter_block = enter_block,
        .leave_block = leave_block,
        .enter_span = enter_span,
        .leave_span = leave_span,
        .text = on_text,
    };
    if (md_parse(body, (MD_SIZE)length, &parser, &b) != 0)
        error_at(&b, body_line, 1, "cannot parse the Markdown body");
    check_footnote_definitions(&b);
    if (!b.seen_block)
        error_at(&b, body_line, 1, "the body must start with a level-1 heading like '# Title'");

    for (size_t i = 0; i < b.depth; i++) { /* only after an aborted parse */
        free(b.frames[i].problems[0]);
        free(b.frames[i].problems[1]);
        free(b.frames[i].html.data);
    }
    free(b.frames);
    free(b.alt.data);
    free(b.source_dir);
    free(b.root_real);
}

static bool only_whitespace(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (!strchr(" \t\r\n", text[i]))
            return false;
    return true;
}

/* Control characters (other than tab and line ends) are invisible in an
 * editor and undrawable in a PDF; report the first one. */
static bool check_controls(const char *path, const char *text, size_t length, diag_list *diags)
{
    const unsigned char *u = (const unsigned char *)text;
    for (size_t i = 0; i < length; i++) {
        unsigned long cp = u[i];
        if (cp >= 0x80) { /* only U+0080..U+009F (C2 80..C2 9F) matter among multibyte characters */
            if (cp != 0xC2 || i + 1 >= length)
                continue;
            cp = u[i + 1];
        }
        if (is_control(cp)) {
            int line, column;
            text_position(text, i, &line, &column);
            diag_report(diags, SEVERITY_ERROR, path, line, column,
                        "control character U+%04lX is not allowed", cp);
            return false;
        }
    }
    return true;
}

document *parse_leaflet(const char *path, const contact_registry *contacts,
                        const char *project_root, diag_list *diags)
{
    size_t length;
    char *why;
    char *text = read_input(path, LIMIT_SOURCE_BYTES, &length, &why);
    if (!text) {
        diag_report(diags, SEVERITY_ERROR, path, 0, 0, "cannot read file: %s", why);
        free(why);
        return NULL;
    }
    document *doc = xcalloc(1, sizeof *doc);
    doc->source_path = xstrdup(path);
    doc->root = doc_node_new(NODE_DOCUMENT, 1, 1);

    int line, column;
    const char *yaml, *body;
    size_t yaml_length;
    int body_line;
    if (only_whitespace(text, length)) {
        diag_report(diags, SEVERITY_ERROR, path, 1, 1, "empty file");
    } else if (!utf8_validate(text, length, &line, &column)) {
        diag_report(diags, SEVERITY_ERROR, path, line, column, "invalid UTF-8");
    } else if (check_controls(path, text, length, diags) &&
               frontmatter_split(path, text, length, &yaml, &yaml_length, &body, &body_line, diags)) {
        frontmatter_parse(path, yaml, yaml_length, contacts, &doc->meta, diags);
        doc->root->line = body_line;
        parse_body(path, body, length - (size_t)(body - text), body_line, contacts, project_root,
                   doc, diags);
        validate_document(doc, text, length, diags);
    }
    free(text);
    return doc;
}
