/* Draw core: one page's boxes on any cairo_t, under whatever transform the
 * caller set (trim origin at 0,0, points, y down). Every output draws
 * pages through draw_page; none draws a box itself. */
#ifndef LEAFPRESS_DRAW_H
#define LEAFPRESS_DRAW_H

#include <cairo.h>
#include "layout.h"

typedef struct draw_hooks {
    void *context;
    /* Around every box, in page order: the tagged screen PDF opens and
     * closes structure tags here. Either may be NULL. */
    void (*box_begin)(void *context, const box *b);
    void (*box_end)(void *context, const box *b);
} draw_hooks;

/* bleed: how far fills that touch the trim edge run past it (0 on screen).
 * hooks may be NULL. */
void draw_page(cairo_t *cr, const page *pg, double bleed, const draw_hooks *hooks);

#endif
