#define _DEFAULT_SOURCE
#include "images.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "input_limits.h"
#include "svg_module.h"
#include "textutil.h"

#define JPEG_MAX_BYTES (50L * 1024 * 1024)
/* A leaflet's diagrams have hundreds of elements; these stop a bomb. */
#define SVG_MAX_ELEMENTS 20000
#define SVG_MAX_USES 200

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && strcasecmp(s + n - k, suffix) == 0;
}

image_kind image_kind_of(const char *path)
{
    unsigned char head[8] = {0};
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    if (n >= 8 && memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0)
        return IMAGE_PNG;
    if (n >= 3 && head[0] == 0xff && head[1] == 0xd8 && head[2] == 0xff)
        return IMAGE_JPEG;
    if (ends_with(path, ".svg"))
        return IMAGE_SVG;
    return IMAGE_UNKNOWN;
}

static long be16(const unsigned char *p) { return (long)p[0] << 8 | p[1]; }
static long be32(const unsigned char *p)
{
    return (long)p[0] << 24 | (long)p[1] << 16 | (long)p[2] << 8 | p[3];
}

/* PNG: the signature, then the IHDR chunk (length, type, width, height). */
static bool png_header(FILE *f, long *w, long *h)
{
    unsigned char b[24];
    if (fread(b, 1, sizeof b, f) != sizeof b || memcmp(b + 12, "IHDR", 4) != 0)
        return false;
    *w = be32(b + 16);
    *h = be32(b + 20);
    return true;
}

/* JPEG: walk the markers to the first start-of-frame. */
static bool jpeg_header(FILE *f, long *w, long *h)
{
    unsigned char b[8];
    if (fread(b, 1, 2, f) != 2)
        return false;
    for (int markers = 0; markers < 4096; markers++) {
        int c;
        while ((c = fgetc(f)) != EOF && c != 0xff)
            ;
        while (c == 0xff)
            c = fgetc(f);
        if (c == EOF)
            return false;
        if (c == 0xd8 || (c >= 0xd0 && c <= 0xd7) || c == 0x01)
            continue; /* markers without a length */
        if (fread(b, 1, 2, f) != 2)
            return false;
        long length = be16(b);
        if (length < 2)
            return false;
        bool frame = c >= 0xc0 && c <= 0xcf && c != 0xc4 && c != 0xc8 && c != 0xcc;
        if (frame) {
            if (fread(b, 1, 5, f) != 5)
                return false;
            *h = be16(b + 1);
            *w = be16(b + 3);
            return true;
        }
        if (fseek(f, length - 2, SEEK_CUR) != 0)
            return false;
    }
    return false;
}

/* The first bytes of a base64 payload, decoded: enough for a header. */
static size_t base64_head(const char *b64, unsigned char *out, size_t max)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned bits = 0, count = 0;
    size_t n = 0;
    for (const char *p = b64; *p && n < max; p++) {
        const char *at = strchr(alphabet, *p);
        if (*p == '=' || *p == '"' || *p == '\'' || *p == ')')
            break;
        if (!at || !*p)
            continue; /* white space inside the attribute */
        bits = bits << 6 | (unsigned)(at - alphabet);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out[n++] = (unsigned char)(bits >> count);
        }
    }
    return n;
}

/* An SVG is a program for librsvg: before it runs, refuse what would make
 * it take time or memory out of proportion to the file (many elements,
 * <use> chains that multiply them) and embedded bitmaps other than PNG
 * and JPEG, or larger than a bitmap file may be. */
static bool svg_within_limits(const char *path, const char **why)
{
    size_t length;
    char *text = read_file(path, &length);
    *why = "cannot be read";
    if (!text)
        return false;
    bool ok = true;
    size_t elements = 0, uses = 0;
    for (const char *p = text; ok && (p = strchr(p, '<')); p++) {
        elements++;
        if (strncmp(p, "<use", 4) == 0 && (p[4] == ' ' || p[4] == '\t' || p[4] == '\n'))
            uses++;
    }
    if (elements > SVG_MAX_ELEMENTS || uses > SVG_MAX_USES) {
        *why = "it is too complex to draw (over 20,000 elements or 200 <use> references)";
        ok = false;
    }
    for (const char *p = text; ok && (p = strstr(p, "data:")); p += 5) {
        const char *mime = p + 5;
        bool png = strncmp(mime, "image/png;base64,", 17) == 0;
        bool jpeg = strncmp(mime, "image/jpeg;base64,", 18) == 0;
        if (!png && !jpeg) {
            *why = "it embeds data other than a base64 PNG or JPEG image";
            ok = false;
            break;
        }
        unsigned char head[64];
        size_t n = base64_head(strchr(mime, ',') + 1, head, sizeof head);
        long w = 0, h = 0;
        if (png && n >= 24 && memcmp(head + 12, "IHDR", 4) == 0) {
            w = be32(head + 16);
            h = be32(head + 20);
        } else if (jpeg) {
            /* a JPEG's frame header can come late; the SVG's file size limit bounds it */
            w = h = 1;
        }
        if (w <= 0 || h <= 0 || w > IMAGE_MAX_PIXELS / h) {
            *why = "it embeds an image that is damaged or has more than 40 million pixels";
            ok = false;
        }
    }
    free(text);
    return ok;
}

bool image_read_info(const char *path, image_info *info, const char **why)
{
    memset(info, 0, sizeof *info);
    info->kind = image_kind_of(path);
    *why = "not a PNG, JPEG or SVG file";
    if (info->kind == IMAGE_UNKNOWN)
        return false;
    if (info->kind == IMAGE_SVG) {
        if (!svg_within_limits(path, why))
            return false;
        /* librsvg is a module, loaded only now (svg_module.h) */
        const svg_module *m = svg_module_get(why);
        if (!m)
            return false;
        double w = 0, h = 0;
        int got = m->svg_size(path, &w, &h);
        *why = "not a readable SVG file";
        if (got < 0)
            return false;
        bool ok = got > 0;
        info->width = w * 0.75; /* CSS pixels -> pt */
        info->height = h * 0.75;
        *why = "the SVG has no size (give it width and height)";
        return ok && w > 0 && h > 0;
    }
    FILE *f = fopen(path, "rb");
    *why = "cannot be opened";
    if (!f)
        return false;
    long w = 0, h = 0;
    bool ok = info->kind == IMAGE_PNG ? png_header(f, &w, &h) : jpeg_header(f, &w, &h);
    fclose(f);
    *why = "its header is damaged";
    if (!ok || w <= 0 || h <= 0)
        return false;
    *why = "it has more than 40 million pixels; scale it down";
    if (w > IMAGE_MAX_PIXELS / h)
        return false;
    info->pixel_width = w;
    info->pixel_height = h;
    info->width = w * 0.75;
    info->height = h * 0.75;
    return true;
}

static cairo_surface_t *jpeg_surface(const char *path)
{
    size_t length;
    char *data = read_file(path, &length);
    if (!data || length > JPEG_MAX_BYTES) {
        free(data);
        return NULL;
    }
    /* gdk-pixbuf is a module, loaded only now (svg_module.h) */
    const svg_module *m = svg_module_get(NULL);
    cairo_surface_t *s = m ? m->bitmap_decode(path) : NULL;
    if (!s) {
        free(data);
        return NULL;
    }
    /* cairo's PDF embeds these bytes as a DCT stream; the decoded pixels
     * serve the PNG proofs */
    cairo_surface_set_mime_data(s, CAIRO_MIME_TYPE_JPEG, (unsigned char *)data, length, free, data);
    return s;
}

cairo_surface_t *image_surface_load(const char *path)
{
    image_info info;
    const char *why;
    if (!image_read_info(path, &info, &why) || info.kind == IMAGE_SVG)
        return NULL;
    if (info.kind == IMAGE_JPEG)
        return jpeg_surface(path);
    cairo_surface_t *png = cairo_image_surface_create_from_png(path);
    if (cairo_surface_status(png) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(png);
        return NULL;
    }
    return png;
}

/* ---- where an image is ---------------------------------------------------- */

/* Resolves "." and ".." in an absolute path without touching the disk, so a
 * path that leaves the project is caught even when the file does not exist. */
static char *normalize_path(const char *path)
{
    size_t n = strlen(path);
    char *out = xmalloc(n + 2);
    size_t len = 0;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        const char *e = p;
        while (*e && *e != '/')
            e++;
        size_t seg = (size_t)(e - p);
        if (seg == 0 || (seg == 1 && p[0] == '.')) {
        } else if (seg == 2 && p[0] == '.' && p[1] == '.') {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--;
        } else {
            out[len++] = '/';
            memcpy(out + len, p, seg);
            len += seg;
        }
        p = e;
    }
    if (len == 0)
        out[len++] = '/';
    out[len] = '\0';
    return out;
}

static bool inside(const char *path, const char *root)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/')
        return true;
    return !strncmp(path, root, n) && (path[n] == '/' || path[n] == '\0');
}

image_path_result image_resolve(const char *path, const char *base_dir, const char *root,
                                char **real_out)
{
    *real_out = NULL;
    strbuf joined = {0};
    if (path[0] != '/')
        strbuf_printf(&joined, "%s/", base_dir);
    strbuf_puts(&joined, path);
    char *full = strbuf_take(&joined);
    char *lexical = normalize_path(full);
    char *real = NULL;
    struct stat st;
    image_path_result r = IMAGE_PATH_OK;
    if (root && !inside(lexical, root))
        r = IMAGE_PATH_OUTSIDE;
    else if (!(real = realpath(full, NULL)) || stat(real, &st) != 0)
        r = IMAGE_PATH_MISSING;
    else if (root && !inside(real, root))
        r = IMAGE_PATH_OUTSIDE;
    else if (!S_ISREG(st.st_mode))
        r = IMAGE_PATH_NOT_FILE;
    else if (!ends_with(real, ".png") && !ends_with(real, ".svg") && !ends_with(real, ".jpg") &&
             !ends_with(real, ".jpeg"))
        r = IMAGE_PATH_BAD_TYPE;
    else if (st.st_size > (off_t)LIMIT_IMAGE_BYTES)
        r = IMAGE_PATH_TOO_LARGE;
    if (r == IMAGE_PATH_OK) {
        *real_out = real;
        real = NULL;
    }
    free(real);
    free(lexical);
    free(full);
    return r;
}

const char *image_path_problem(image_path_result r)
{
    switch (r) {
    case IMAGE_PATH_OK: return "is usable";
    case IMAGE_PATH_OUTSIDE: return "is outside the project";
    case IMAGE_PATH_MISSING: return "not found";
    case IMAGE_PATH_NOT_FILE: return "is not a file";
    case IMAGE_PATH_TOO_LARGE: return "is larger than 20 MiB; make it smaller";
    case IMAGE_PATH_BAD_TYPE: return "must be a .jpg, .png or .svg file";
    }
    return "cannot be used";
}

/* ---- text sizes in an SVG ------------------------------------------------- */

/* Deeper nesting than this inherits from the deepest level kept. */
#define SVG_SCAN_DEPTH 256
#define SVG_SCAN_RULES 1000

typedef struct css_rule {
    char selector[64];     /* ".name", "name" or "*" */
    char size[32];         /* the font-size value as written */
} css_rule;

typedef struct svg_scan {
    css_rule *rules;
    size_t rule_count;
} svg_scan;

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == ':' || c == '.';
}

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* The font size in a CSS declaration block [p, end): font-size, or the
 * size in the font shorthand ("bold 12px/1.2 sans-serif"). Copied into
 * out; false when there is none. The last declaration wins, as in CSS. */
static bool declared_size(const char *p, const char *end, char *out, size_t size)
{
    bool found = false;
    while (p < end) {
        p = skip_space(p, end);
        const char *name = p;
        while (p < end && *p != ':' && *p != ';')
            p++;
        if (p >= end || *p == ';') {
            p++;
            continue;
        }
        const char *name_end = p;
        while (name_end > name && (name_end[-1] == ' ' || name_end[-1] == '\t'))
            name_end--;
        const char *value = skip_space(p + 1, end), *value_end = value;
        while (value_end < end && *value_end != ';')
            value_end++;
        p = value_end + 1;
        size_t n = (size_t)(name_end - name);
        if (n == 9 && !strncasecmp(name, "font-size", 9)) {
            snprintf(out, size, "%.*s", (int)(value_end - value), value);
            found = true;
        } else if (n == 4 && !strncasecmp(name, "font", 4)) {
            /* the size is the first word that starts with a digit, a point or a size keyword */
            for (const char *w = value; w < value_end;) {
                w = skip_space(w, value_end);
                const char *we = w;
                while (we < value_end && *we != ' ' && *we != '/' && *we != '\t')
                    we++;
                bool digit = w < we && ((*w >= '0' && *w <= '9') || *w == '.');
                bool keyword = we - w >= 5 && (!strncasecmp(w, "small", 5) || !strncasecmp(w, "medium", 6) ||
                                               !strncasecmp(w, "large", 5) || !strncasecmp(w, "x-", 2) ||
                                               !strncasecmp(w, "xx-", 3));
                if (digit || keyword) {
                    snprintf(out, size, "%.*s", (int)(we - w), w);
                    found = true;
                    break;
                }
                while (we < value_end && *we != ' ' && *we != '\t')
                    we++; /* past a "/line-height" */
                w = we;
            }
        }
    }
    return found;
}

/* A font-size value in CSS px, given the inherited size. Anything not
 * understood is the inherited size. */
static double resolve_size(const char *v, double inherited)
{
    static const struct { const char *word; double px; } KEYWORDS[] = {
        {"xx-small", 9}, {"x-small", 10}, {"small", 13}, {"medium", 16},
        {"large", 18}, {"x-large", 24}, {"xx-large", 32},
    };
    while (*v == ' ')
        v++;
    for (size_t i = 0; i < sizeof KEYWORDS / sizeof *KEYWORDS; i++)
        if (!strncasecmp(v, KEYWORDS[i].word, strlen(KEYWORDS[i].word)) &&
            !is_name_char(v[strlen(KEYWORDS[i].word)]))
            return KEYWORDS[i].px;
    if (!strncasecmp(v, "larger", 6))
        return inherited * 1.2;
    if (!strncasecmp(v, "smaller", 7))
        return inherited / 1.2;
    /* a plain decimal, without strtod (its decimal point follows the locale) */
    double number = 0, scale = 1;
    int digits = 0;
    const char *p = v;
    for (; *p >= '0' && *p <= '9' && digits < 15; p++, digits++)
        number = number * 10 + (*p - '0');
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9' && digits < 15; p++, digits++) {
            number = number * 10 + (*p - '0');
            scale *= 10;
        }
    if (digits == 0)
        return inherited;
    number /= scale;
    static const struct { const char *unit; double px; } UNITS[] = {
        {"px", 1}, {"pt", 96.0 / 72}, {"pc", 16}, {"mm", 96 / 25.4}, {"cm", 960 / 25.4},
        {"in", 96}, {"q", 96 / 101.6},
    };
    if (*p == '\0' || *p == ' ' || *p == '!' || *p == ';')
        return number;
    if (*p == '%')
        return number * inherited / 100;
    if (!strncasecmp(p, "em", 2))
        return number * inherited;
    if (!strncasecmp(p, "ex", 2))
        return number * inherited / 2;
    for (size_t i = 0; i < sizeof UNITS / sizeof *UNITS; i++)
        if (!strncasecmp(p, UNITS[i].unit, strlen(UNITS[i].unit)))
            return number * UNITS[i].px;
    return inherited;
}

/* Up to six numbers of a transform function's argument list. */
static int transform_numbers(const char *p, const char *end, double *out)
{
    int n = 0;
    while (p < end && *p != ')' && n < 6) {
        while (p < end && (*p == ' ' || *p == ',' || *p == '\t' || *p == '\n'))
            p++;
        bool negative = p < end && *p == '-';
        if (p < end && (*p == '-' || *p == '+'))
            p++;
        double number = 0, scale = 1;
        int digits = 0;
        for (; p < end && *p >= '0' && *p <= '9' && digits < 15; p++, digits++)
            number = number * 10 + (*p - '0');
        if (p < end && *p == '.')
            for (p++; p < end && *p >= '0' && *p <= '9' && digits < 15; p++, digits++) {
                number = number * 10 + (*p - '0');
                scale *= 10;
            }
        if (p < end && (*p == 'e' || *p == 'E')) {
            int sign = 1, exponent = 0;
            p++;
            if (p < end && (*p == '-' || *p == '+'))
                sign = *p++ == '-' ? -1 : 1;
            for (; p < end && *p >= '0' && *p <= '9'; p++)
                exponent = exponent < 100 ? exponent * 10 + (*p - '0') : exponent;
            for (int i = 0; i < exponent; i++)
                scale = sign < 0 ? scale * 10 : scale / 10;
        }
        if (digits == 0)
            break;
        out[n++] = (negative ? -number : number) / scale;
    }
    return n;
}

/* How much a transform attribute scales lengths: the square root of its
 * determinant (a rotation or translation is 1). */
static double transform_scale(const char *p, const char *end)
{
    double factor = 1;
    while (p < end) {
        const char *name = p;
        while (p < end && *p != '(')
            p++;
        if (p >= end)
            break;
        const char *name_end = p;
        while (name < name_end && !is_name_char(*name))
            name++;
        double v[6];
        int n = transform_numbers(p + 1, end, v);
        size_t k = (size_t)(name_end - name);
        if (k == 5 && !strncmp(name, "scale", 5) && n >= 1)
            factor *= sqrt(fabs(v[0] * (n >= 2 ? v[1] : v[0])));
        else if (k == 6 && !strncmp(name, "matrix", 6) && n == 6)
            factor *= sqrt(fabs(v[0] * v[3] - v[1] * v[2]));
        while (p < end && *p != ')')
            p++;
        p++;
    }
    return factor;
}

/* The value of attribute `name` in the tag [p, end), or NULL. */
static const char *attribute(const char *p, const char *end, const char *name, size_t *length)
{
    size_t want = strlen(name);
    while (p < end && is_name_char(*p))
        p++; /* the element's name */
    while (p < end) {
        p = skip_space(p, end);
        const char *a = p;
        while (p < end && is_name_char(*p))
            p++;
        size_t n = (size_t)(p - a);
        if (n == 0) {
            p++;
            continue;
        }
        p = skip_space(p, end);
        if (p >= end || *p != '=')
            continue;
        p = skip_space(p + 1, end);
        if (p >= end || (*p != '"' && *p != '\''))
            continue;
        char quote = *p++;
        const char *value = p;
        while (p < end && *p != quote)
            p++;
        if (n == want && !strncmp(a, name, n)) {
            *length = (size_t)(p - value);
            return value;
        }
        p++;
    }
    return NULL;
}

static void add_rules(svg_scan *scan, const char *p, const char *end)
{
    while (p < end && scan->rule_count < SVG_SCAN_RULES) {
        p = skip_space(p, end);
        if (p + 1 < end && p[0] == '/' && p[1] == '*') {
            const char *close = p + 2;
            while (close + 1 < end && !(close[0] == '*' && close[1] == '/'))
                close++;
            p = close + 2;
            continue;
        }
        if (p + 9 <= end && !strncmp(p, "<![CDATA[", 9)) {
            p += 9;
            continue;
        }
        if (p + 3 <= end && !strncmp(p, "]]>", 3)) {
            p += 3;
            continue;
        }
        const char *open = p;
        while (open < end && *open != '{' && *open != ';')
            open++;
        if (open >= end)
            break;
        if (*open == ';') { /* an @import and the like */
            p = open + 1;
            continue;
        }
        int depth = 0;
        const char *close = open;
        for (; close < end; close++) {
            depth += *close == '{';
            depth -= *close == '}';
            if (depth == 0)
                break;
        }
        char size[32];
        if (*p != '@' && declared_size(open + 1, close, size, sizeof size)) {
            for (const char *s = p; s < open && scan->rule_count < SVG_SCAN_RULES;) {
                s = skip_space(s, open);
                const char *e = s;
                while (e < open && *e != ',')
                    e++;
                const char *t = e;
                while (t > s && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\n' || t[-1] == '\r'))
                    t--;
                bool simple = t > s && (size_t)(t - s) < sizeof scan->rules->selector;
                for (const char *c = *s == '.' ? s + 1 : s; simple && c < t; c++)
                    simple = is_name_char(*c) || (c == s && *c == '*' && t - s == 1);
                if (simple) {
                    css_rule *r = &scan->rules[scan->rule_count++];
                    snprintf(r->selector, sizeof r->selector, "%.*s", (int)(t - s), s);
                    snprintf(r->size, sizeof r->size, "%s", size);
                }
                s = e + 1;
            }
        }
        p = close + 1;
    }
}

static bool has_class(const char *classes, size_t n, const char *name)
{
    size_t k = strlen(name);
    for (const char *p = classes, *end = classes + n; p < end;) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n'))
            p++;
        const char *e = p;
        while (e < end && *e != ' ' && *e != '\t' && *e != '\n')
            e++;
        if ((size_t)(e - p) == k && !strncmp(p, name, k))
            return true;
        p = e;
    }
    return false;
}

typedef struct svg_level {
    double px;       /* computed font size, CSS px in user units */
    double scale;    /* user units -> the root's user units */
    bool text;       /* text, tspan or textPath: its characters are drawn */
} svg_level;

/* The font size of the element whose tag is [tag, end), named name[0, n). */
static double element_size(const svg_scan *scan, const char *tag, const char *end,
                           const char *name, size_t n, double inherited)
{
    size_t length;
    const char *value;
    char buf[64];
    double px = inherited;
    if ((value = attribute(tag, end, "font-size", &length))) {
        snprintf(buf, sizeof buf, "%.*s", (int)length, value);
        px = resolve_size(buf, inherited);
    }
    /* sheet rules beat the attribute; a class beats an element name beats * */
    size_t class_length = 0;
    const char *classes = attribute(tag, end, "class", &class_length);
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < scan->rule_count; i++) {
            const char *sel = scan->rules[i].selector;
            bool match = pass == 0 ? !strcmp(sel, "*")
                       : pass == 1 ? sel[0] != '.' && strlen(sel) == n && !strncmp(sel, name, n)
                                   : sel[0] == '.' && classes && has_class(classes, class_length, sel + 1);
            if (match)
                px = resolve_size(scan->rules[i].size, inherited);
        }
    if ((value = attribute(tag, end, "style", &length)) && declared_size(value, value + length, buf, sizeof buf))
        px = resolve_size(buf, inherited);
    return px;
}

/* The characters of [p, end) hold something other than white space. */
static bool has_characters(const char *p, const char *end)
{
    return skip_space(p, end) < end;
}

bool image_svg_smallest_text(const char *path, double *pt)
{
    size_t length;
    char *why = NULL;
    char *text = read_input(path, LIMIT_IMAGE_BYTES, &length, &why);
    free(why);
    if (!text)
        return false;
    /* the root's user unit in CSS px: its size over its viewBox ("meet") */
    double root_scale = 1;
    const svg_module *m = svg_module_get(NULL);
    double pw = 0, ph = 0, bw = 0, bh = 0;
    if (m && m->svg_viewbox(path, &bw, &bh) == 1 && bw > 0 && bh > 0 &&
        m->svg_size(path, &pw, &ph) == 1)
        root_scale = fmin(pw / bw, ph / bh);
    svg_scan scan = {.rules = xcalloc(SVG_SCAN_RULES, sizeof(css_rule))};
    const char *end = text + length;
    for (const char *p = text; (p = strstr(p, "<style")) && scan.rule_count < SVG_SCAN_RULES;) {
        const char *open = strchr(p, '>');
        if (!open)
            break;
        const char *close = strstr(open, "</style");
        if (!close)
            close = end;
        if (open[-1] != '/')
            add_rules(&scan, open + 1, close);
        p = close;
        if (p >= end)
            break;
        p++;
    }
    svg_level *stack = xcalloc(SVG_SCAN_DEPTH, sizeof *stack);
    size_t depth = 0; /* levels open; stack[min(depth, SVG_SCAN_DEPTH) - 1] is the innermost kept */
    svg_level root = {.px = 16, .scale = 1}; /* CSS "medium" */
    double smallest = 0;
    bool found = false;
    const char *p = text;
    while (p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        const char *chars_end = lt ? lt : end;
        const svg_level *top = depth ? &stack[(depth < SVG_SCAN_DEPTH ? depth : SVG_SCAN_DEPTH) - 1] : &root;
        bool cdata = lt && end - lt >= 9 && !strncmp(lt, "<![CDATA[", 9);
        const char *cdata_end = cdata ? strstr(lt + 9, "]]>") : NULL;
        if (top->text && (has_characters(p, chars_end) || (cdata && cdata_end && has_characters(lt + 9, cdata_end)))) {
            double size = top->px * top->scale * root_scale * 0.75;
            if (!found || size < smallest)
                smallest = size;
            found = true;
        }
        if (!lt)
            break;
        if (cdata) {
            p = cdata_end ? cdata_end + 3 : end;
            continue;
        }
        if (end - lt >= 4 && !strncmp(lt, "<!--", 4)) {
            const char *close = strstr(lt + 4, "-->");
            p = close ? close + 3 : end;
            continue;
        }
        const char *gt = lt + 1;
        char quote = 0;
        for (; gt < end && (quote || *gt != '>'); gt++)
            if (*gt == '"' || *gt == '\'')
                quote = quote == *gt ? 0 : quote ? quote : *gt;
        if (gt >= end)
            break;
        p = gt + 1;
        if (lt[1] == '?' || lt[1] == '!')
            continue; /* declarations; a DOCTYPE's internal subset is not drawn */
        if (lt[1] == '/') {
            if (depth)
                depth--;
            continue;
        }
        const char *name = lt + 1, *name_end = name;
        while (name_end < gt && is_name_char(*name_end))
            name_end++;
        size_t n = (size_t)(name_end - name);
        bool empty = gt[-1] == '/';
        svg_level level = *top;
        level.px = element_size(&scan, name, empty ? gt - 1 : gt, name, n, top->px);
        size_t t_length;
        const char *t = attribute(name, gt, "transform", &t_length);
        if (t)
            level.scale *= transform_scale(t, t + t_length);
        level.text = (n == 4 && !strncmp(name, "text", 4)) || (n == 5 && !strncmp(name, "tspan", 5)) ||
                     (n == 8 && !strncmp(name, "textPath", 8));
        if (empty)
            continue;
        if (depth < SVG_SCAN_DEPTH)
            stack[depth] = level;
        depth++;
    }
    free(stack);
    free(scan.rules);
    free(text);
    *pt = smallest;
    return found;
}
