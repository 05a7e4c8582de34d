/* Shared by layout*.c only: the flow of line-sized items that page
 * breaking works on. Nothing outside layout sees these. */
#ifndef LEAFPRESS_LAYOUT_INTERNAL_H
#define LEAFPRESS_LAYOUT_INTERNAL_H

#include "hyphenate.h"
#include "layout.h"

/* A link's byte range in its paragraph's text. */
typedef struct link_range {
    int start, end;
    struct_elem *elem;
} link_range;

/* One laid-out paragraph: the Pango layout plus what rendering its runs needs. */
typedef struct paragraph {
    PangoLayout *layout;
    const char *text;          /* the layout's: with every soft hyphen that hyphenation
                                * kept, also those no line ends at (drawing leaves them out) */
    link_range *links;
    size_t link_count;
    colour color, link_color;
    bool link_underline;
    double size;               /* pt, for underline geometry */
    double pitch;              /* baseline-to-baseline, pt */
    PangoLayout *space;        /* a lone space, drawn at a line break with no space glyph */
    GPtrArray *trimmed;        /* line-final runs with a real space glyph (emit_line) */
    double *line_x;            /* each line's x in the layout (Pango's alignment), or NULL
                                * until emit_line first needs it */
} paragraph;

typedef enum { ITEM_LINE, ITEM_SPACE, ITEM_IMAGE } item_kind;

typedef struct flow_item {
    item_kind kind;
    double height;
    double space_before;       /* collapses, and is dropped at the top of a page */
    bool keep_with_previous;   /* no page break may fall before this item */
    bool page_break_before;    /* always start a new page */
    double x;                  /* offset from the content area's left edge */
    struct_elem *elem;
    int region;                /* index+1 into the flow's regions, 0 = none */
    /* ITEM_LINE */
    paragraph *para;
    int line_index;
    double ascent;             /* item top to baseline */
    paragraph *label;          /* list label drawn at this line, or NULL */
    double label_x;
    struct_elem *label_elem;
    const char *outline_title; /* heading: bookmark */
    int outline_level;
    /* ITEM_IMAGE */
    const char *image_path;
    double width;
} flow_item;

/* A highlighted area (alert box, contact entry) drawn behind its items. */
typedef struct flow_region {
    colour background, border;
    double border_width;
    double x, width;           /* relative to the content area */
} flow_region;

typedef struct flow {
    flow_item *items;
    size_t count, capacity;
    flow_region *regions;
    size_t region_count, region_capacity;
    paragraph **paragraphs;
    size_t paragraph_count, paragraph_capacity;
    int glue_remaining;        /* lines still to keep with a heading above */
    double pending_space;      /* space_after of the previous block */
    paragraph *pending_label;  /* list label waiting for its item's first line */
    struct_elem *pending_label_elem;
    double pending_label_x;
} flow;

typedef struct layout_context {
    const document *doc;
    const style *style;
    PangoContext *pango;
    const hyphenator *hyphens; /* NULL: no hyphenation */
    laid_out *out;
    diag_list *diags;
    flow flow;
    double content_width;
    const char *source_path;
    size_t errors_before;      /* diags->errors when this layout began */
    int section_level;         /* level of the last heading laid out: 1 on the cover */
    bool reported_narrow;      /* the text-too-narrow error was given */
    bool rtl;                  /* the leaflet's lang is written right to left: every
                                * paragraph is right-to-left and aligned right, and the
                                * page is mirrored (column_left, column_x) */
} layout_context;

struct_elem *elem_new(layout_context *ctx, struct_role role, struct_elem *parent);
/* A warning about the source, given once however many variants lay it out. */
void warn_once(layout_context *ctx, int line, int column, const char *format, ...)
    __attribute__((format(printf, 4, 5)));
/* ROLE_H1..ROLE_H6 for level 1..6 (clamped). */
struct_role heading_role(int level);
/* Page-breaking rules for a block that must not split where it fits a
 * page (alert box): items [first, end) of the flow. A block that fits a
 * page gets no break inside; a longer one may break only before one of
 * its paragraphs, list items or images, with at least two lines on
 * either side. */
void keep_block_together(layout_context *ctx, size_t first, size_t end);
/* Space items (box padding) stay with a heading above when its glue is pending. */
bool glue_pending(const flow *f);

/* A warning when an SVG drawn `scale` times its natural size has text
 * smaller than the variant's smallest text size (images.h says which SVG
 * text sizes are understood). */
void check_image_text(layout_context *ctx, const char *path, double scale, int line, int column);

/* layout_text.c: inline content -> paragraph. Inline siblings from
 * `first` up to (not including) `end`; links become ROLE_LINK children of elem. */
paragraph *paragraph_from_inlines(layout_context *ctx, const doc_node *first, const doc_node *end,
                                  const text_style *ts, double width, struct_elem *elem,
                                  bool hyphenate);
paragraph *paragraph_from_text(layout_context *ctx, const char *text, const text_style *ts,
                               double width, bool bold, struct_elem *elem, const char *link_url);
void paragraph_free(paragraph *p);
/* x of line i's logical box within p's layout width: 0 for a left-aligned
 * line, the room left over for a right-aligned (right-to-left) one. */
double paragraph_line_x(paragraph *p, int i);
/* True when lang (BCP 47) is written right to left: ar, he, fa, ur and
 * the other Arabic- and Hebrew-script languages. */
bool lang_is_rtl(const char *lang);
/* text[start, end) as a reader sees it: no soft hyphens, and no-break
 * spaces and line breaks as plain spaces. Caller frees. */
char *visible_text(const char *text, size_t start, size_t end);

/* layout.c: flow building */
void flow_add_paragraph(layout_context *ctx, paragraph *p, const text_style *ts, double x,
                        struct_elem *elem, int region, bool heading, int widows_orphans);
flow_item *flow_push(flow *f);
int flow_add_region(flow *f, flow_region r);

/* layout.c: placing */
page *page_at(laid_out *out, size_t index);
box *page_add(page *pg, box b);
/* Left edge of the text column of a left-bound page (odd page numbers
 * have the binding on the left). */
double content_left(const style *s, size_t page_index);
/* Left edge of the text column as ctx's direction binds the page: for a
 * right-to-left leaflet the binding is on the right, so odd and even
 * pages swap their inner and outer margins. */
double column_left(const layout_context *ctx, size_t page_index);
/* Left edge, on the page, of something `width` wide that starts `offset`
 * from the text column's start edge: the left edge left to right, the
 * right edge right to left (the page is mirrored). */
double column_x(const layout_context *ctx, size_t page_index, double offset, double width);
/* One line's boxes: its layout box's left edge at x (the line itself at
 * x + its Pango alignment offset), a list label's pen at label_x. Runs
 * are emitted in logical order, each at its visual place. */
void emit_line(page *pg, const flow_item *item, double x, double label_x, double top);
/* Draws every line of p from `top` on one page, its layout box's left
 * edge at `left`; returns the height used. */
double place_paragraph(page *pg, paragraph *p, double left, double top,
                       struct_elem *elem);
/* A bookmark for a heading; title may hold soft hyphens and no-break spaces. */
void add_outline(laid_out *out, const char *title, int level, size_t pg, double y);
size_t layout_place_flow(layout_context *ctx, size_t first_page, double first_top);
/* A context that lays out into `out` (layout_begin makes a new one). */
void layout_context_init(layout_context *ctx, laid_out *out, const document *doc, const style *s,
                         diag_list *diags, const layout_resources *res);
laid_out *layout_begin(layout_context *ctx, const document *doc, const style *s, diag_list *diags,
                       const layout_resources *res);
laid_out *layout_end(layout_context *ctx);

/* layout_generated.c: what the leaflet shows beyond its body */
void layout_cover(layout_context *ctx, struct_elem *document_elem, const doc_node *title);
void layout_contacts(layout_context *ctx, struct_elem *parent, const contact *const *contacts,
                     size_t count, bool with_heading);
void layout_colophon(layout_context *ctx, struct_elem *parent);
void layout_footer(layout_context *ctx, page *pg, int number);

#endif
