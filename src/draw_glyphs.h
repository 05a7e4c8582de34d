/* One run of shaped text on a cairo_t, with text that extracts as what it
 * is: a hyphen that hyphenation put at a line end reads as a soft hyphen
 * (U+00AD) and every hard hyphen as "-", with no ActualText span. */
#ifndef LEAFPRESS_DRAW_GLYPHS_H
#define LEAFPRESS_DRAW_GLYPHS_H

#include <pango/pangocairo.h>
#include <stdbool.h>

/* Draws `run` (a run of a line of the layout whose text is `text`) with its
 * baseline's left end at the current point, as pango_cairo_show_glyph_item
 * does, but without the soft hyphens no line ends at (see below). */
void draw_glyph_run(cairo_t *cr, const char *text, PangoGlyphItem *run);

/* A run as cairo gets it: its own text (item.offset 0) and glyphs. */
typedef struct drawn_run {
    char *text;
    PangoItem item;
    PangoGlyphString glyphs;
    PangoGlyphItem run;
} drawn_run;

/* A paragraph's layout keeps every soft hyphen hyphenation put in (each
 * shapes to an empty glyph of no width, so the line breaks are the
 * layout's), but cairo would write each one no line ends at as an empty
 * ActualText span, where structure-text readers stop. When `run` has such
 * soft hyphens, fills *out with the run without them (their bytes, their
 * empty glyphs) and returns true; drawn_run_clear frees it. Otherwise
 * returns false, *out untouched. The result is what shaping the text
 * without them gives (HarfBuzz skips default-ignorable characters in
 * kerning and ligatures), so the PDF is the same as if layout had removed
 * them; unit_layout checks that on every shipped leaflet. */
bool glyph_run_without_unused_soft_hyphens(const char *text, const PangoGlyphItem *run,
                                           drawn_run *out);
void drawn_run_clear(drawn_run *r);

#endif
