/* One run of shaped text on a cairo_t, with text that extracts as what it
 * is: a hyphen that hyphenation put at a line end reads as a soft hyphen
 * (U+00AD) and every hard hyphen as "-", with no ActualText span. */
#ifndef LEAFPRESS_DRAW_GLYPHS_H
#define LEAFPRESS_DRAW_GLYPHS_H

#include <pango/pangocairo.h>

/* Draws `run` (a run of a line of the layout whose text is `text`) with its
 * baseline's left end at the current point, as pango_cairo_show_glyph_item
 * does. */
void draw_glyph_run(cairo_t *cr, const char *text, PangoGlyphItem *run);

#endif
