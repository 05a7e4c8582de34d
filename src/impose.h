/* Imposition: output sheets -> slots, each holding one laid-out page at an
 * offset. Layout knows nothing of sheets; renderers draw each slot's page
 * with the draw core, translated to its place. */
#ifndef LEAFPRESS_IMPOSE_H
#define LEAFPRESS_IMPOSE_H

#include <stdbool.h>
#include <stddef.h>

#define IMPOSE_BLANK ((size_t)-1)

typedef struct impose_slot {
    size_t page;             /* 0-based page index, or IMPOSE_BLANK */
    double x, y;             /* where the page's trim origin lies on the sheet, pt */
} impose_slot;

typedef struct impose_sheet {
    double width, height;    /* pt */
    impose_slot slots[2];
    size_t slot_count;
} impose_sheet;

typedef struct imposition {
    impose_sheet *sheets;    /* sheet sides, in output order */
    size_t count;
    double page_width, page_height;
} imposition;

/* Print: one page a sheet, the trim inset by `inset` (bleed + mark room). */
bool impose_print(size_t pages, double page_width, double page_height, double inset,
                  imposition *out);
/* Booklet: two pages side by side on a landscape sheet twice the page
 * (A5 on A4, A4 on A3, within 1.5 mm), in saddle-stitch order for duplex
 * printing with short-edge flip: for N pages (a multiple of 4) sheet 1
 * front [N, 1], back [2, N-1], and so on. False when pages is not a
 * multiple of 4 or no common sheet fits. */
bool impose_booklet(size_t pages, double page_width, double page_height, imposition *out);
/* Proof overview: the cover alone, spreads (2-3, 4-5, ...), the back
 * cover alone (when the count is even), all on one sheet: one row per
 * spread-width, `gap` between pages and around them. */
bool impose_overview(size_t pages, double page_width, double page_height, double gap,
                     imposition *out);
/* A right-bound (right-to-left) booklet: every sheet mirrored left to
 * right, so the booklet's front is [1, N] and its back [N-1, 2], and the
 * overview's spreads read right to left ([3, 2], the cover on the left
 * of its spread, the first spread on the right of the top row). */
void impose_mirror(imposition *i);
void imposition_free(imposition *i);

/* The common sheet names, for messages: "A4" for 297 x 210 mm. */
const char *impose_sheet_name(double width, double height);

#endif
