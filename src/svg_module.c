/* leafpress-svg.so: librsvg and gdk-pixbuf behind the table of
 * svg_module.h. Only the calls into those libraries live here; the checks
 * before them (sizes, limits) stay in images.c. */
#include "svg_module.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <librsvg/rsvg.h>
#include <stdint.h>

#ifndef LEAFPRESS_VERSION
#define LEAFPRESS_VERSION "unknown"
#endif

static int svg_size(const char *path, double *width, double *height)
{
    RsvgHandle *svg = rsvg_handle_new_from_file(path, NULL);
    if (!svg)
        return -1;
    gdouble w = 0, h = 0;
    gboolean ok = rsvg_handle_get_intrinsic_size_in_pixels(svg, &w, &h);
    g_object_unref(svg);
    *width = w;
    *height = h;
    return ok ? 1 : 0;
}

static int svg_viewbox(const char *path, double *width, double *height)
{
    RsvgHandle *svg = rsvg_handle_new_from_file(path, NULL);
    if (!svg)
        return -1;
    gboolean has_w, has_h, has_box;
    RsvgLength w, h;
    RsvgRectangle box = {0};
    rsvg_handle_get_intrinsic_dimensions(svg, &has_w, &w, &has_h, &h, &has_box, &box);
    g_object_unref(svg);
    *width = box.width;
    *height = box.height;
    return has_box ? 1 : 0;
}

static void svg_draw(cairo_t *cr, const char *path, double x, double y, double width,
                     double height)
{
    RsvgHandle *svg = rsvg_handle_new_from_file(path, NULL);
    if (!svg)
        return;
    RsvgRectangle viewport = {x, y, width, height};
    /* One group, so the PDF holds it as a single XObject that finishing can
     * mark as the Figure's content; loose paths could only be artifacts. */
    cairo_push_group(cr);
    rsvg_handle_render_document(svg, cr, &viewport, NULL);
    cairo_pop_group_to_source(cr);
    cairo_paint(cr);
    g_object_unref(svg);
}

static cairo_surface_t *bitmap_decode(const char *path)
{
    GdkPixbuf *pixbuf = gdk_pixbuf_new_from_file(path, NULL);
    if (!pixbuf)
        return NULL;
    int w = gdk_pixbuf_get_width(pixbuf), h = gdk_pixbuf_get_height(pixbuf);
    int channels = gdk_pixbuf_get_n_channels(pixbuf), stride = gdk_pixbuf_get_rowstride(pixbuf);
    const guchar *pixels = gdk_pixbuf_read_pixels(pixbuf);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    unsigned char *out = cairo_image_surface_get_data(s);
    int out_stride = cairo_image_surface_get_stride(s);
    cairo_surface_flush(s);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const guchar *p = pixels + (size_t)y * stride + (size_t)x * channels;
            unsigned char g = p[0];
            uint32_t rgb = channels >= 3 ? (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]
                                         : (uint32_t)g << 16 | (uint32_t)g << 8 | g;
            ((uint32_t *)(out + (size_t)y * out_stride))[x] = rgb;
        }
    cairo_surface_mark_dirty(s);
    g_object_unref(pixbuf);
    return s;
}

__attribute__((visibility("default"))) const svg_module leafpress_svg_module = {
    .abi = SVG_MODULE_ABI,
    .version = LEAFPRESS_VERSION,
    .svg_size = svg_size,
    .svg_viewbox = svg_viewbox,
    .svg_draw = svg_draw,
    .bitmap_decode = bitmap_decode,
};
