/* Draw core: a page's boxes on a cairo_t. Colour comes from the box in its
 * sRGB form; print finishing maps it to the box colour's CMYK afterwards
 * (cairo has no CMYK), so nothing here knows which target it draws for. */
#include "draw.h"

#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "draw_glyphs.h"
#include "images.h"
#include "svg_module.h"

/* The box, run on by `bleed` past each trim edge it touches. */
static void bleed_rect(const box *b, double bleed, double *x0, double *y0, double *x1, double *y1)
{
    *x0 = b->x - (b->bleed_edges & EDGE_LEFT ? bleed : 0);
    *y0 = b->y - (b->bleed_edges & EDGE_TOP ? bleed : 0);
    *x1 = b->x + b->width + (b->bleed_edges & EDGE_RIGHT ? bleed : 0);
    *y1 = b->y + b->height + (b->bleed_edges & EDGE_BOTTOM ? bleed : 0);
}

/* Where an image is drawn: its box, or for a cropped one (the cover photo)
 * the natural aspect ratio scaled to cover the box and its bleed, centred,
 * with the clip set to that area. */
static void image_area(cairo_t *cr, const box *b, double bleed, double natural_w,
                       double natural_h, double *x, double *y, double *w, double *h)
{
    *x = b->x, *y = b->y, *w = b->width, *h = b->height;
    if (!b->crop || natural_w <= 0 || natural_h <= 0)
        return;
    double x0, y0, x1, y1;
    bleed_rect(b, bleed, &x0, &y0, &x1, &y1);
    cairo_rectangle(cr, x0, y0, x1 - x0, y1 - y0);
    cairo_clip(cr);
    double scale = fmax((x1 - x0) / natural_w, (y1 - y0) / natural_h);
    *w = natural_w * scale;
    *h = natural_h * scale;
    *x = (x0 + x1 - *w) / 2;
    *y = (y0 + y1 - *h) / 2;
}

static void draw_svg(cairo_t *cr, const box *b, double bleed)
{
    /* librsvg is a module (svg_module.h); layout has loaded it already */
    const svg_module *m = svg_module_get(NULL);
    if (!m)
        return;
    double nw = 0, nh = 0;
    if (m->svg_size(b->image_path, &nw, &nh) < 0)
        return;
    double x, y, w, h;
    cairo_save(cr);
    image_area(cr, b, bleed, nw, nh, &x, &y, &w, &h);
    m->svg_draw(cr, b->image_path, x, y, w, h);
    cairo_restore(cr);
}

static void draw_bitmap(cairo_t *cr, const box *b, double bleed)
{
    cairo_surface_t *image = image_surface_load(b->image_path);
    if (!image)
        return;
    double pw = cairo_image_surface_get_width(image), ph = cairo_image_surface_get_height(image);
    double x, y, w, h;
    cairo_save(cr);
    image_area(cr, b, bleed, pw, ph, &x, &y, &w, &h);
    cairo_translate(cr, x, y);
    cairo_scale(cr, w / pw, h / ph);
    cairo_set_source_surface(cr, image, 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(image);
}

static void draw_box(cairo_t *cr, const box *b, double bleed)
{
    cairo_set_source_rgb(cr, b->color.r, b->color.g, b->color.b);
    switch (b->kind) {
    case BOX_GLYPHS:
        cairo_move_to(cr, b->x, b->y);
        draw_glyph_run(cr, b->text, b->run);
        break;
    case BOX_FILL: {
        /* colour touching the trim edge runs on into the bleed */
        double x0, y0, x1, y1;
        bleed_rect(b, bleed, &x0, &y0, &x1, &y1);
        cairo_rectangle(cr, x0, y0, x1 - x0, y1 - y0);
        cairo_fill(cr);
        break;
    }
    case BOX_IMAGE:
        if (image_kind_of(b->image_path) == IMAGE_SVG)
            draw_svg(cr, b, bleed);
        else
            draw_bitmap(cr, b, bleed);
        break;
    }
}

void draw_page(cairo_t *cr, const page *pg, double bleed, const draw_hooks *hooks)
{
    for (size_t i = 0; i < pg->count; i++) {
        const box *b = &pg->boxes[i];
        if (hooks && hooks->box_begin)
            hooks->box_begin(hooks->context, b);
        draw_box(cr, b, bleed);
        if (hooks && hooks->box_end)
            hooks->box_end(hooks->context, b);
    }
}
