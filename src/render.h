/* Render: laid-out pages -> the bytes of every output kind, all through
 * one draw core (draw.h) and one imposition stage (impose.h):
 *
 *   screen PDF   tagged (structure tree, links, bookmarks), trim size,
 *                the leaflet's own pages; finishing makes it PDF/UA-1 and
 *                PDF/A-2a
 *   print PDF    trim + bleed + room for crop marks, every page of the
 *                padded booklet, structure kept but no link annotations;
 *                finishing (pdf_print.h) makes it CMYK and PDF/X-4
 *   booklet PDF  imposed sheets (two pages a side, saddle-stitch order)
 *   PNG proofs   each page at 150 dpi, and one overview of the spreads
 *
 * Render writes no metadata that finishing sets; what finishing needs of
 * the structure (figure alt texts, span languages, what a link shows) it
 * gets from here, in the order render wrote the elements. */
#ifndef LEAFPRESS_RENDER_H
#define LEAFPRESS_RENDER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include "diag.h"
#include "layout.h"

typedef struct render_options {
    const char *date;    /* ISO 8601 creation date, from the source or SOURCE_DATE_EPOCH */
    const char *title;   /* booklet only: it is not finished, so render names it */
    double bleed;        /* print: pt past the trim (style print.bleed) */
} render_options;

/* A rendered PDF and what finishing needs to know of it. */
typedef struct rendered {
    unsigned char *pdf;
    size_t length;
    size_t page_count;
    /* structure, in the order the elements were written */
    const char **figure_alts;  size_t figure_count;
    const char **link_uris, **link_texts; size_t link_count; /* screen only */
    const char **span_langs;   size_t span_count;            /* ROLE_SPAN, if layout makes any */
    /* print: every colour a box uses, to map cairo's RGB back to its CMYK */
    colour *palette;           size_t palette_count;
    /* print geometry, pt: trim size; the trim's offset from the media
     * box's corner is bleed + mark_room on every side */
    double trim_width, trim_height, bleed, mark_room;
} rendered;

bool render_screen_pdf(const laid_out *pages, const render_options *o, rendered *out,
                       diag_list *diags);
bool render_print_pdf(const laid_out *pages, const render_options *o, rendered *out,
                      diag_list *diags);
/* False without a report when the pages fit no common sheet (see impose.h). */
bool render_booklet_pdf(const laid_out *pages, const render_options *o, rendered *out,
                        diag_list *diags);
void rendered_free(rendered *r);

/* PNG proofs, RGB, deterministic. */
typedef struct proof_image {
    unsigned char *data;
    size_t length;
    int width, height;         /* pixels */
} proof_image;
#define PROOF_DPI 150
/* *pages gets one image per page (of every page, padding included); the
 * overview shows the cover alone, then spreads, then the back cover.
 * threaded: encode the pages on threads of their own (one a core) while
 * the next are drawn (for cores that would idle; the bytes are the same).
 * When *stop becomes non-zero (a signal; stop may be NULL) it gives up
 * before its next page: false, with nothing made and nothing reported. */
bool render_proofs(const laid_out *pages, bool threaded, volatile sig_atomic_t *stop,
                   proof_image **page_images, size_t *page_count, proof_image *overview,
                   diag_list *diags);
/* Frees each image's data, not the array. */
void proof_images_free(proof_image *images, size_t count);

#endif
