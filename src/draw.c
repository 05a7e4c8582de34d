/* Draw core: a page's boxes on a cairo_t. Colour comes from the box in its
 * sRGB form; print finishing maps it to the box colour's CMYK afterwards
 * (cairo has no CMYK), so nothing here knows which target it draws for. */
#include "draw.h"

#include <pango/pangocairo.h>
#include <string.h>

#include "draw_glyphs.h"
#include "images.h"
#include "svg_module.h"

static void draw_svg(cairo_t *cr, const box *b)
{
    /* librsvg is a module (svg_module.h); layout has loaded it already */
    const svg_module *m = svg_module_get(NULL);
    if (m)
        m->svg_draw(cr, b->image_path, b->x, b->y, b->width, b->height);
}

static void draw_bitmap(cairo_t *cr, const box *b)
{
    cairo_surface_t *image = image_surface_load(b->image_path);
    if (!image)
        return;
    cairo_save(cr);
    cairo_translate(cr, b->x, b->y);
    cairo_scale(cr, b->width / cairo_image_surface_get_width(image),
                b->height / cairo_image_surface_get_height(image));
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
        double x0 = b->x, y0 = b->y, x1 = b->x + b->width, y1 = b->y + b->height;
        if (b->bleed_edges & EDGE_LEFT) x0 -= bleed;
        if (b->bleed_edges & EDGE_TOP) y0 -= bleed;
        if (b->bleed_edges & EDGE_RIGHT) x1 += bleed;
        if (b->bleed_edges & EDGE_BOTTOM) y1 += bleed;
        cairo_rectangle(cr, x0, y0, x1 - x0, y1 - y0);
        cairo_fill(cr);
        break;
    }
    case BOX_IMAGE:
        if (image_kind_of(b->image_path) == IMAGE_SVG)
            draw_svg(cr, b);
        else
            draw_bitmap(cr, b);
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
