#define _DEFAULT_SOURCE
#include "images.h"

#include <stdint.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

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
