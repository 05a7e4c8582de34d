/* Draws tests/data/cover/photo.jpg, the cover-photo fixture: a landscape
 * (sky, sun, two hills) of 1500 x 1000 px (3:2, as a camera takes it),
 * small enough to keep in git (30 KB); below 300 dpi on a cover, so it
 * also draws the dpi warning. Not built with the project; to make it again:
 *   cc make-photo.c $(pkg-config --cflags --libs cairo gdk-pixbuf-2.0) && ./a.out */
#include <cairo.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <stdint.h>

int main(void)
{
    const int w = 1500, h = 1000;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(s);
    cairo_scale(cr, w / 2600.0, h / 1300.0);
    cairo_pattern_t *sky = cairo_pattern_create_linear(0, 0, 0, 1300);
    cairo_pattern_add_color_stop_rgb(sky, 0, 0.55, 0.75, 0.88);
    cairo_pattern_add_color_stop_rgb(sky, 1, 0.93, 0.90, 0.80);
    cairo_set_source(cr, sky);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0.98, 0.80, 0.35);
    cairo_arc(cr, 1900, 420, 180, 0, 6.2832);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.36, 0.58, 0.40);
    cairo_move_to(cr, 0, 900);
    cairo_curve_to(cr, 700, 600, 1300, 700, 2600, 1000);
    cairo_line_to(cr, 2600, 1300);
    cairo_line_to(cr, 0, 1300);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.24, 0.45, 0.30);
    cairo_move_to(cr, 0, 1150);
    cairo_curve_to(cr, 900, 900, 1800, 1000, 2600, 1200);
    cairo_line_to(cr, 2600, 1300);
    cairo_line_to(cr, 0, 1300);
    cairo_fill(cr);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    GdkPixbuf *p = gdk_pixbuf_new(GDK_COLORSPACE_RGB, FALSE, 8, w, h);
    const unsigned char *in = cairo_image_surface_get_data(s);
    int in_stride = cairo_image_surface_get_stride(s), stride = gdk_pixbuf_get_rowstride(p);
    guchar *out = gdk_pixbuf_get_pixels(p);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            guint32 v = *(const guint32 *)(in + y * in_stride + x * 4);
            guchar *o = out + y * stride + x * 3;
            o[0] = v >> 16 & 0xff, o[1] = v >> 8 & 0xff, o[2] = v & 0xff;
        }
    gboolean ok = gdk_pixbuf_save(p, "photo.jpg", "jpeg", NULL, "quality", "60", NULL);
    g_object_unref(p);
    cairo_surface_destroy(s);
    return ok ? 0 : 1;
}
