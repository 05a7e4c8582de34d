/* Layout: styled document -> pages of positioned boxes.
 *
 * Coordinates are points in trim space (origin top-left of the trimmed
 * page, y down). Layout knows nothing of PDF: renderers (screen PDF, print
 * PDF with bleed, PNG proofs) only draw these boxes. Each box names the
 * logical structure element it belongs to, or none when it is decoration
 * (an artifact: footer, page number, colour band, rule). */
#ifndef LEAFPRESS_LAYOUT_H
#define LEAFPRESS_LAYOUT_H

#include <pango/pango.h>
#include <stdbool.h>
#include "diag.h"
#include "doc.h"
#include "style.h"

/* Logical roles; renderers map them to their own vocabulary (PDF tags). */
typedef enum {
    ROLE_DOCUMENT, ROLE_H1, ROLE_H2, ROLE_H3, ROLE_P,
    ROLE_LIST, ROLE_LIST_ITEM, ROLE_LABEL, ROLE_LIST_BODY,
    ROLE_LINK, ROLE_FIGURE, ROLE_BOX,          /* ROLE_BOX: highlighted box, contact block */
    /* Box and contact-card titles: one level below the section they sit
     * in, so heading navigation finds them and no level is skipped. */
    ROLE_H4, ROLE_H5, ROLE_H6,
    ROLE_SPAN                                  /* a phrase in another language: lang */
} struct_role;

typedef struct struct_elem {
    struct_role role;
    struct struct_elem *parent;
    char *uri;                 /* ROLE_LINK */
    char *alt;                 /* ROLE_FIGURE */
    char *title;               /* ROLE_BOX: e.g. "Tip"; ROLE_LINK: the text shown; may be NULL */
    char *lang;                /* ROLE_SPAN: BCP 47 */
} struct_elem;

typedef enum {
    BOX_GLYPHS,                /* one glyph run of one line */
    BOX_FILL,                  /* filled rectangle */
    BOX_IMAGE                  /* PNG or SVG file scaled into the box */
} box_kind;

enum { EDGE_TOP = 1, EDGE_RIGHT = 2, EDGE_BOTTOM = 4, EDGE_LEFT = 8 };

typedef struct box {
    box_kind kind;
    double x, y, width, height;    /* BOX_GLYPHS: x = pen start, y = baseline */
    struct_elem *elem;             /* NULL: artifact */
    colour color;
    /* BOX_GLYPHS */
    PangoGlyphItem *run;           /* owned by a PangoLayout the page list keeps alive */
    const char *text;              /* the layout's text, which run indexes into */
    /* BOX_FILL, and BOX_IMAGE with crop: edges lying on the trim edge; a
     * print renderer extends them into the bleed */
    unsigned bleed_edges;
    /* BOX_IMAGE */
    const char *image_path;
    bool crop;                     /* fill the box (and its bleed), keeping the aspect
                                    * ratio, centred; what sticks out is cut off */
} box;

typedef struct page {
    box *boxes;
    size_t count, capacity;
} page;

typedef struct outline_entry {
    char *title;
    int level;                     /* 1..3 */
    int page;                      /* 0-based */
    double y;                      /* top of the heading */
} outline_entry;

typedef struct laid_out {
    double width, height;          /* trim size, pt */
    page *pages;
    size_t page_count;
    size_t leaflet_page_count;     /* the leaflet's own pages; beyond them, print padding
                                    * (notes pages, back cover: layout_add_print_pages) */
    struct_elem **elems;           /* every element, parents before children, reading order */
    size_t elem_count, elem_capacity;
    outline_entry *outline;
    size_t outline_count;
    GPtrArray *layouts;            /* PangoLayouts the boxes borrow from */
    bool right_bound;              /* a right-to-left leaflet: each page mirrored, bound on
                                    * the right, so imposition reads spreads right to left */
} laid_out;

/* What every layout of a run shares, opened once. */
struct hyphen_cache;
typedef struct layout_resources {
    PangoFontMap *fonts;          /* fonts.h: only the bundled fonts */
    struct hyphen_cache *hyphens; /* hyphenate.h */
} layout_resources;

/* Lays out a styled document. Page breaks keep a heading with the two
 * lines after it, a lead-in line ("...:") with its list's first item, a
 * box or contact card that fits a page whole, and the colophon whole.
 * Errors, with source line and column: each character no bundled font
 * has; text narrower than 40 mm (nesting too deep). Warnings: a word
 * wider than the line (broken with a hyphen), a title too long for the
 * running footer (shortened with an ellipsis). NULL on error. */
laid_out *layout_document(const document *doc, const style *s, const layout_resources *res,
                          diag_list *diags);
/* The one-page contact sheet: the contacts the leaflet uses, under the
 * leaflet's contact_sheet title. NULL, with an error, when they do not fit
 * one page. */
laid_out *layout_contact_sheet(const document *doc, const style *s, const layout_resources *res,
                               diag_list *diags);
/* Print padding (layout_print.c): appends notes pages and a back cover so
 * that the page count is a multiple of 4, as a saddle-stitched booklet
 * needs; the screen PDF still shows only leaflet_page_count pages. A
 * one-page output (the contact sheet) is left as it is. */
bool layout_add_print_pages(laid_out *pages, const document *doc, const style *s,
                            const layout_resources *res, diag_list *diags);
void layout_free(laid_out *pages);

#endif
