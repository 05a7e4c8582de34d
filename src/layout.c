/* Layout: the document's blocks become a flow of line-sized items; page
 * breaking cuts the flow into pages (widows, orphans, headings kept with
 * what follows); each placed item becomes positioned boxes. */
#include <cairo.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fonts.h"
#include "images.h"
#include "layout_internal.h"
#include "textutil.h"

#define MM (72.0 / 25.4)

struct_elem *elem_new(layout_context *ctx, struct_role role, struct_elem *parent)
{
    laid_out *out = ctx->out;
    if (out->elem_count == out->elem_capacity) {
        out->elem_capacity = out->elem_capacity ? out->elem_capacity * 2 : 64;
        out->elems = xrealloc(out->elems, out->elem_capacity * sizeof *out->elems);
    }
    struct_elem *e = xcalloc(1, sizeof *e);
    e->role = role;
    e->parent = parent;
    out->elems[out->elem_count++] = e;
    return e;
}

flow_item *flow_push(flow *f)
{
    if (f->count == f->capacity) {
        f->capacity = f->capacity ? f->capacity * 2 : 128;
        f->items = xrealloc(f->items, f->capacity * sizeof *f->items);
    }
    flow_item *item = &f->items[f->count++];
    memset(item, 0, sizeof *item);
    return item;
}

int flow_add_region(flow *f, flow_region r)
{
    if (f->region_count == f->region_capacity) {
        f->region_capacity = f->region_capacity ? f->region_capacity * 2 : 8;
        f->regions = xrealloc(f->regions, f->region_capacity * sizeof *f->regions);
    }
    f->regions[f->region_count++] = r;
    return (int)f->region_count;
}

/* Top of a line's slot to its baseline: the line's natural height centred
 * in the style's pitch. */
static double line_ascent(const paragraph *p, int index)
{
    PangoRectangle logical;
    pango_layout_line_get_extents(pango_layout_get_line_readonly(p->layout, index), NULL, &logical);
    return -logical.y / (double)PANGO_SCALE + (p->pitch - logical.height / (double)PANGO_SCALE) / 2;
}

void warn_once(layout_context *ctx, int line, int column, const char *format, ...)
{
    char message[512];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    const diag_list *d = ctx->diags;
    for (size_t i = 0; i < d->count; i++)
        if (d->items[i].level == SEVERITY_WARNING && d->items[i].line == line &&
            d->items[i].column == column && strcmp(d->items[i].message, message) == 0 &&
            d->items[i].file && ctx->source_path && strcmp(d->items[i].file, ctx->source_path) == 0)
            return;
    diag_report(ctx->diags, SEVERITY_WARNING, ctx->source_path, line, column, "%s", message);
}

struct_role heading_role(int level)
{
    static const struct_role roles[] = {ROLE_H1, ROLE_H2, ROLE_H3, ROLE_H4, ROLE_H5, ROLE_H6};
    return roles[level < 1 ? 0 : level > 6 ? 5 : level - 1];
}

bool glue_pending(const flow *f) { return f->glue_remaining > 0; }

void keep_block_together(layout_context *ctx, size_t first, size_t end)
{
    flow *f = &ctx->flow;
    const style *s = ctx->style;
    if (end <= first + 1)
        return;
    double content = s->page_height - s->margin_top - s->margin_bottom, height = 0;
    int lines = 0;
    for (size_t i = first; i < end; i++) {
        height += (i > first ? f->items[i].space_before : 0) + f->items[i].height;
        lines += f->items[i].kind == ITEM_LINE ? 1 : f->items[i].kind == ITEM_IMAGE ? 2 : 0;
    }
    bool fits = height <= content;
    int before = 0;
    for (size_t i = first; i < end; i++) {
        flow_item *item = &f->items[i];
        bool starts_block = item->kind == ITEM_IMAGE || (item->kind == ITEM_LINE && item->line_index == 0);
        bool may_break = !fits && i > first && starts_block && !item->keep_with_previous &&
                         before >= 2 && lines - before >= 2;
        if (i > first && !may_break)
            item->keep_with_previous = true;
        before += item->kind == ITEM_LINE ? 1 : item->kind == ITEM_IMAGE ? 2 : 0;
    }
}

/* Glue applies to the next lines whatever block they are in: a heading
 * keeps `keep_with_next` lines of what follows. */
static bool take_glue(flow *f)
{
    if (f->glue_remaining <= 0)
        return false;
    f->glue_remaining--;
    return true;
}

void flow_add_paragraph(layout_context *ctx, paragraph *p, const text_style *ts, double x,
                        struct_elem *elem, int region, bool heading, int heading_level)
{
    flow *f = &ctx->flow;
    const style *s = ctx->style;
    int n = pango_layout_get_line_count(p->layout);
    for (int i = 0; i < n; i++) {
        flow_item *item = flow_push(f);
        item->kind = ITEM_LINE;
        item->para = p;
        item->line_index = i;
        item->height = p->pitch;
        item->ascent = line_ascent(p, i);
        item->x = x;
        item->elem = elem;
        item->region = region;
        bool glued = take_glue(f);
        if (i == 0) {
            item->space_before = fmax(f->pending_space, ts->space_before);
            item->keep_with_previous = glued;
            if (f->pending_label) {
                item->label = f->pending_label;
                item->label_x = f->pending_label_x;
                item->label_elem = f->pending_label_elem;
                f->pending_label = NULL;
            }
            if (heading) {
                item->outline_title = p->text;
                item->outline_level = heading_level;
            }
        } else {
            bool orphan_or_widow = i < s->orphans || n - i < s->widows;
            /* no hyphen on the last line of a page: the word's halves would
             * be pages apart, and extracted text would split it */
            PangoLayoutLine *above = pango_layout_get_line_readonly(p->layout, i - 1);
            int end = above->start_index + above->length;
            bool hyphenated = end >= 2 && (unsigned char)p->text[end - 2] == 0xC2 &&
                              (unsigned char)p->text[end - 1] == 0xAD;
            item->keep_with_previous = heading || glued || orphan_or_widow || hyphenated;
        }
    }
    f->pending_space = ts->space_after;
    if (heading)
        f->glue_remaining = s->keep_with_next;
}

static void layout_blocks(layout_context *ctx, const doc_node *first, double x, double width,
                          struct_elem *parent, int region, int list_depth);

void check_image_text(layout_context *ctx, const char *path, double scale, int line, int column)
{
    const style *s = ctx->style;
    const text_style *texts[] = {&s->body, &s->h1, &s->h2, &s->h3, &s->colophon, &s->footer,
                                 &s->contact, &s->contact_heading, &s->cover_title,
                                 &s->cover_subtitle, &s->cover_publisher};
    double least = texts[0]->size, found;
    for (size_t i = 1; i < sizeof texts / sizeof *texts; i++)
        least = fmin(least, texts[i]->size);
    if (image_kind_of(path) != IMAGE_SVG || !image_svg_smallest_text(path, &found) || found <= 0)
        return;
    double printed = found * scale;
    if (printed < least - 0.05)
        diag_report(ctx->diags, SEVERITY_WARNING, ctx->source_path, line, column,
                    "image '%s' has text of %.1f pt at its printed size; this variant's smallest "
                    "text is %.1f pt: draw the image %.2f times as large, or make its text larger",
                    path, printed, least, least / printed);
}

static void layout_image(layout_context *ctx, const doc_node *node, double x, double width,
                         struct_elem *parent, int region)
{
    image_info info;
    const char *why;
    if (!image_read_info(node->url, &info, &why)) {
        diag_report(ctx->diags, SEVERITY_ERROR, ctx->source_path, node->line, node->column,
                    "cannot use image '%s': %s", node->url, why);
        return;
    }
    double w = info.width, h = info.height;
    const style *s = ctx->style;
    double max_h = (s->page_height - s->margin_top - s->margin_bottom) * 0.6;
    /* {width=60%} is a share of this variant's text width, so it grows with
     * large print by itself; {width=50mm} is what it says; without either,
     * the natural size times the style's images.scale (large print sets it,
     * so that text in a figure grows with the text around it) */
    double wanted = node->width_share > 0 ? width * node->width_share
                    : node->width_mm > 0  ? node->width_mm * MM
                                          : w * s->image_scale;
    double scale = fmin(wanted / w, fmin(width / w, max_h / h));
    struct_elem *figure = elem_new(ctx, ROLE_FIGURE, parent);
    figure->alt = xstrdup(node->alt ? node->alt : "");
    flow_item *item = flow_push(&ctx->flow);
    item->kind = ITEM_IMAGE;
    item->x = x;
    item->width = w * scale;
    item->height = h * scale;
    item->space_before = fmax(ctx->flow.pending_space, s->body.space_before);
    item->keep_with_previous = take_glue(&ctx->flow);
    item->elem = figure;
    item->region = region;
    item->image_path = node->url;
    ctx->flow.pending_space = s->body.space_after;
    /* print needs 300 dpi at the placed size; a screen is content with less */
    if (info.pixel_width > 0) {
        double dpi = info.pixel_width / (item->width / 72.0);
        if (dpi < 299.5)
            diag_report(ctx->diags, SEVERITY_WARNING, ctx->source_path, node->line, node->column,
                        "image '%s' has %.0f dpi at its printed size (%.0f x %.0f mm); print "
                        "needs 300 dpi", node->url, dpi, item->width * 25.4 / 72,
                        item->height * 25.4 / 72);
    }
    check_image_text(ctx, node->url, scale, node->line, node->column);
    if (node->caption) {
        /* below the image, kept with it: a caption alone on the next page
         * would describe nothing */
        struct_elem *caption = elem_new(ctx, ROLE_P, parent);
        paragraph *p = paragraph_from_text(ctx, node->caption, &s->colophon, width, false,
                                           caption, NULL);
        ctx->flow.pending_space = s->colophon.space_after;
        ctx->flow.glue_remaining = pango_layout_get_line_count(p->layout);
        flow_add_paragraph(ctx, p, &s->colophon, x, caption, region, false, 0);
        ctx->flow.glue_remaining = 0;
        ctx->flow.pending_space = s->body.space_after;
    }
}

static const box_style *box_style_for(const style *s, alert_kind kind)
{
    switch (kind) {
    case ALERT_TIP: return &s->box_tip;
    case ALERT_WARNING: case ALERT_CAUTION: return &s->box_warning;
    default: return &s->box_note;
    }
}

/* Text narrower than this cannot be set: deeply nested lists and boxes
 * would push it to nothing, or past the page's edge. */
#define MIN_TEXT_WIDTH (40 * MM)

/* False, with an error (once per layout), when width leaves too little room for text. */
static bool room_for_text(layout_context *ctx, const doc_node *node, double width, const char *what)
{
    if (width >= MIN_TEXT_WIDTH)
        return true;
    if (!ctx->reported_narrow) {
        ctx->reported_narrow = true;
        diag_report(ctx->diags, SEVERITY_ERROR, ctx->source_path, node->line, node->column,
                    "%s nested this deep leaves %.0f mm for the text, less than the %.0f mm it "
                    "needs; nest fewer levels",
                    what, width / MM, MIN_TEXT_WIDTH / MM);
    }
    return false;
}

static void add_space(layout_context *ctx, double height, int region, bool keep)
{
    flow_item *item = flow_push(&ctx->flow);
    item->kind = ITEM_SPACE;
    item->height = height;
    item->region = region;
    /* a box's top padding stays with a heading above it */
    item->keep_with_previous = keep || glue_pending(&ctx->flow);
    if (!keep)
        item->space_before = ctx->flow.pending_space;
    ctx->flow.pending_space = 0;
}

static void layout_alert(layout_context *ctx, const doc_node *node, double x, double width,
                         struct_elem *parent)
{
    const style *s = ctx->style;
    const box_style *bs = box_style_for(s, node->alert);
    if (!room_for_text(ctx, node, width - bs->border_width - 2 * bs->padding, "a box"))
        return;
    struct_elem *box_elem = elem_new(ctx, ROLE_BOX, parent);
    box_elem->title = node->title ? xstrdup(node->title) : NULL;
    int region = flow_add_region(&ctx->flow, (flow_region){bs->background, bs->border, bs->border_width,
                                                      x, width});
    size_t first = ctx->flow.count;
    add_space(ctx, bs->padding, region, false);
    ctx->flow.glue_remaining = ctx->flow.glue_remaining > 1 ? ctx->flow.glue_remaining : 1;
    double inner_x = x + bs->border_width + bs->padding;
    double inner_w = width - bs->border_width - 2 * bs->padding;
    if (node->title) {
        /* a heading one level below the section the box sits in */
        struct_elem *title = elem_new(ctx, heading_role(ctx->section_level + 1), box_elem);
        text_style ts = s->body;
        ts.color = bs->title_color;
        ts.space_before = 0;
        paragraph *p = paragraph_from_text(ctx, node->title, &ts, inner_w, true, title, NULL);
        flow_add_paragraph(ctx, p, &ts, inner_x, title, region, false, 0);
        /* the title belongs with the box's first lines */
        ctx->flow.glue_remaining = s->keep_with_next;
    }
    int section = ctx->section_level;
    layout_blocks(ctx, node->first_child, inner_x, inner_w, box_elem, region, 0);
    ctx->section_level = section;
    add_space(ctx, bs->padding, region, true);
    keep_block_together(ctx, first, ctx->flow.count);
    ctx->flow.pending_space = s->body.space_after;
}

static void layout_list(layout_context *ctx, const doc_node *list, double x, double width,
                        struct_elem *parent, int region, int depth)
{
    const style *s = ctx->style;
    if (!room_for_text(ctx, list, width - s->list_indent, "a list"))
        return;
    struct_elem *list_elem = elem_new(ctx, ROLE_LIST, parent);
    int number = list->start;
    for (const doc_node *item = list->first_child; item; item = item->next, number++) {
        struct_elem *li = elem_new(ctx, ROLE_LIST_ITEM, list_elem);
        struct_elem *label = elem_new(ctx, ROLE_LABEL, li);
        struct_elem *body = elem_new(ctx, ROLE_LIST_BODY, li);
        char label_text[32];
        if (list->ordered)
            snprintf(label_text, sizeof label_text, "%d.", number);
        else
            snprintf(label_text, sizeof label_text, "%s", s->bullets[depth % 3]);
        double label_room = s->list_indent - s->list_label_gap;
        paragraph *lp = paragraph_from_text(ctx, label_text, &s->body, label_room * 4, false, label, NULL);
        PangoRectangle logical;
        pango_layout_get_extents(lp->layout, NULL, &logical);
        ctx->flow.pending_label = lp;
        ctx->flow.pending_label_elem = label;
        ctx->flow.pending_label_x = x + label_room - logical.width / (double)PANGO_SCALE;
        if (item != list->first_child)
            ctx->flow.pending_space = fmax(ctx->flow.pending_space, s->list_item_space);
        layout_blocks(ctx, item->first_child, x + s->list_indent, width - s->list_indent, body,
                      region, depth + 1);
        ctx->flow.pending_label = NULL;
        ctx->flow.pending_space = s->list_item_space;
    }
    ctx->flow.pending_space = s->body.space_after;
}

/* A paragraph ending in ':' right before a list introduces it: it stays
 * with the list's first item (whose first lines widows and orphans keep). */
static void keep_lead_in(layout_context *ctx, const paragraph *p, const doc_node *next)
{
    if (!next || next->type != NODE_LIST)
        return;
    size_t n = strlen(p->text);
    while (n > 0 && (p->text[n - 1] == ' ' || p->text[n - 1] == '\n'))
        n--;
    if (n > 0 && p->text[n - 1] == ':' && ctx->flow.glue_remaining < 1)
        ctx->flow.glue_remaining = 1;
}

static void layout_blocks(layout_context *ctx, const doc_node *first, double x, double width,
                          struct_elem *parent, int region, int list_depth)
{
    const style *s = ctx->style;
    bool in_list = list_depth > 0;
    for (const doc_node *node = first; node;) {
        if (!node_is_block(node)) {
            /* tight list items hold their inlines directly */
            const doc_node *end = node;
            while (end && !node_is_block(end))
                end = end->next;
            struct_elem *p_elem = elem_new(ctx, ROLE_P, parent);
            paragraph *p = paragraph_from_inlines(ctx, node, end, &s->body, width, p_elem, s->hyphenate);
            flow_add_paragraph(ctx, p, &s->body, x, p_elem, region, false, 0);
            keep_lead_in(ctx, p, end);
            if (in_list)
                ctx->flow.pending_space = s->list_item_space;
            node = end;
            continue;
        }
        switch (node->type) {
        case NODE_HEADING: {
            const text_style *ts = node->level <= 1 ? &s->h1 : node->level == 2 ? &s->h2 : &s->h3;
            struct_role role = node->level <= 1 ? ROLE_H1 : node->level == 2 ? ROLE_H2 : ROLE_H3;
            struct_elem *h = elem_new(ctx, role, parent);
            ctx->section_level = node->level < 3 ? node->level : 3;
            paragraph *p = paragraph_from_inlines(ctx, node->first_child, NULL, ts, width, h, false);
            flow_add_paragraph(ctx, p, ts, x, h, region, true, node->level);
            break;
        }
        case NODE_PARAGRAPH: {
            struct_elem *p_elem = elem_new(ctx, ROLE_P, parent);
            paragraph *p = paragraph_from_inlines(ctx, node->first_child, NULL, &s->body, width,
                                                  p_elem, s->hyphenate);
            flow_add_paragraph(ctx, p, &s->body, x, p_elem, region, false, 0);
            keep_lead_in(ctx, p, node->next);
            if (in_list)
                ctx->flow.pending_space = s->list_item_space;
            break;
        }
        case NODE_LIST:
            layout_list(ctx, node, x, width, parent, region, list_depth);
            break;
        case NODE_ALERT:
            layout_alert(ctx, node, x, width, parent);
            break;
        case NODE_IMAGE:
            layout_image(ctx, node, x, width, parent, region);
            break;
        default:
            break;
        }
        node = node->next;
    }
}

/* ---- pagination ---- */

page *page_at(laid_out *out, size_t index)
{
    while (out->page_count <= index) {
        out->pages = xrealloc(out->pages, (out->page_count + 1) * sizeof *out->pages);
        memset(&out->pages[out->page_count], 0, sizeof *out->pages);
        out->page_count++;
    }
    return &out->pages[index];
}

box *page_add(page *pg, box b)
{
    if (pg->count == pg->capacity) {
        pg->capacity = pg->capacity ? pg->capacity * 2 : 64;
        pg->boxes = xrealloc(pg->boxes, pg->capacity * sizeof *pg->boxes);
    }
    pg->boxes[pg->count] = b;
    return &pg->boxes[pg->count++];
}

double content_left(const style *s, size_t page_index)
{
    /* Recto pages (odd page numbers) are bound on the left. */
    return page_index % 2 == 0 ? s->margin_inner : s->margin_outer;
}

double column_left(const layout_context *ctx, size_t page_index)
{
    const style *s = ctx->style;
    /* right-bound: each page the mirror image of its left-bound self */
    return ctx->rtl ? s->page_width - content_left(s, page_index) - ctx->content_width
                    : content_left(s, page_index);
}

double column_x(const layout_context *ctx, size_t page_index, double offset, double width)
{
    double left = column_left(ctx, page_index);
    return ctx->rtl ? left + ctx->content_width - offset - width : left + offset;
}

typedef struct placement {
    size_t page;
    double top;
} placement;

/* Assigns every flow item a page and a top; returns one past the last page. */
static size_t paginate(layout_context *ctx, placement *at, size_t first_page, double first_top)
{
    const style *s = ctx->style;
    flow *f = &ctx->flow;
    double bottom = s->page_height - s->margin_bottom;
    size_t pg = first_page, start = 0;
    double y = first_top;
    for (size_t i = 0; i < f->count;) {
        flow_item *item = &f->items[i];
        if (item->page_break_before && i != start) {
            pg++, start = i, y = s->margin_top;
        }
        double gap = i == start ? 0 : item->space_before;
        if (i == start || y + gap + item->height <= bottom) {
            at[i] = (placement){pg, y + gap};
            y += gap + item->height;
            i++;
            continue;
        }
        /* Does not fit: break before the last item on this page that allows it. */
        size_t b = i;
        while (b > start && f->items[b].keep_with_previous)
            b--;
        if (b == start)
            b = i; /* an unbreakable run taller than a page: break where we are */
        pg++;
        start = b;
        i = b;
        y = s->margin_top;
    }
    return f->count ? pg + 1 : first_page;
}

/* Pango keeps the space a line breaks at as an empty glyph; cairo writes
 * that as an empty ActualText span, which structure-text readers take for
 * the paragraph's end. Returns a copy of the run (the paragraph owns it)
 * that shows the font's real space glyph there, with no width, or run
 * itself when it does not end in such a space. The line's logical end is
 * the run's last glyph left to right, its first right to left. */
static PangoGlyphItem *with_final_space(paragraph *p, PangoGlyphItem *run, int line_end)
{
    PangoGlyphString *g = run->glyphs;
    int n = g->num_glyphs;
    bool rtl = run->item->analysis.level % 2 != 0;
    int last = rtl ? 0 : n - 1;
    if (n < 1 || run->item->offset + run->item->length != line_end ||
        g->glyphs[last].glyph != PANGO_GLYPH_EMPTY ||
        p->text[run->item->offset + g->log_clusters[last]] != ' ')
        return run;
    hb_codepoint_t space;
    hb_font_t *font = pango_font_get_hb_font(run->item->analysis.font);
    if (!font || !hb_font_get_nominal_glyph(font, ' ', &space))
        return run;
    PangoGlyphItem *copy = pango_glyph_item_copy(run);
    copy->glyphs->glyphs[last].glyph = space;
    copy->glyphs->glyphs[last].geometry.width = 0;
    if (!p->trimmed)
        p->trimmed = g_ptr_array_new_with_free_func((GDestroyNotify)pango_glyph_item_free);
    g_ptr_array_add(p->trimmed, copy);
    return copy;
}

typedef struct placed_run {
    PangoGlyphItem *run;
    double x, width;
} placed_run;

void emit_line(page *pg, const flow_item *item, double x, double label_x, double top)
{
    double baseline = top + item->ascent;
    if (item->label) {
        PangoLayoutLine *label_line = pango_layout_get_line_readonly(item->label->layout, 0);
        double pen = label_x;
        for (GSList *r = label_line->runs; r; r = r->next) {
            PangoGlyphItem *run = r->data;
            double w = pango_glyph_string_get_width(run->glyphs) / (double)PANGO_SCALE;
            page_add(pg, (box){.kind = BOX_GLYPHS, .x = pen, .y = baseline, .width = w,
                               .height = item->height, .elem = item->label_elem,
                               .color = item->label->color, .run = run, .text = item->label->text});
            pen += w;
        }
    }
    paragraph *p = item->para;
    PangoLayoutLine *line = pango_layout_get_line_readonly(p->layout, item->line_index);
    int end = line->start_index + line->length;
    /* Pango's runs come left to right; each is placed there, but emitted
     * in reading order, which is the order of the page's content that
     * structure readers and text extraction follow. Left to right the two
     * orders are one. */
    size_t count = g_slist_length(line->runs);
    placed_run *runs = xmalloc((count ? count : 1) * sizeof *runs);
    double start = x + paragraph_line_x(p, item->line_index), pen = start;
    bool spaced = false;
    size_t k = 0;
    for (GSList *r = line->runs; r; r = r->next, k++) {
        PangoGlyphItem *run = r->data, *fixed = with_final_space(p, run, end);
        spaced = spaced || fixed != run;
        run = fixed;
        double w = pango_glyph_string_get_width(run->glyphs) / (double)PANGO_SCALE;
        runs[k] = (placed_run){run, pen, w};
        pen += w;
    }
    for (size_t i = 1; i < count; i++) /* insertion sort: a line has a few runs */
        for (size_t j = i; j > 0 && runs[j - 1].run->item->offset > runs[j].run->item->offset; j--) {
            placed_run t = runs[j];
            runs[j] = runs[j - 1];
            runs[j - 1] = t;
        }
    for (size_t i = 0; i < count; i++) {
        PangoGlyphItem *run = runs[i].run;
        double w = runs[i].width;
        /* the innermost range holding the run: a link, or a language span */
        const link_range *range = NULL, *link = NULL;
        for (size_t l = 0; l < p->link_count; l++)
            if (run->item->offset >= p->links[l].start && run->item->offset < p->links[l].end) {
                range = &p->links[l];
                if (range->elem->role == ROLE_LINK)
                    link = range;
            }
        if (run->glyphs->num_glyphs > 0) {
            page_add(pg, (box){.kind = BOX_GLYPHS, .x = runs[i].x, .y = baseline, .width = w,
                               .height = item->height, .elem = range ? range->elem : item->elem,
                               .color = link ? p->link_color : p->color, .run = run,
                               .text = p->text});
            if (link && p->link_underline)
                page_add(pg, (box){.kind = BOX_FILL, .x = runs[i].x, .y = baseline + p->size * 0.14,
                                   .width = w, .height = fmax(0.4, p->size * 0.06),
                                   .color = p->link_color});
        }
    }
    free(runs);
    bool breaks_at_space = end > 0 && (p->text[end - 1] == ' ' || p->text[end] == '\n');
    if (!spaced && breaks_at_space && item->line_index + 1 < pango_layout_get_line_count(p->layout)) {
        /* A line break or a space Pango drew no glyph for: readers of the
         * structure would join the lines without it. */
        if (!p->space) {
            p->space = pango_layout_new(pango_layout_get_context(p->layout));
            pango_layout_set_font_description(p->space, pango_layout_get_font_description(p->layout));
            pango_layout_set_text(p->space, " ", 1);
        }
        PangoLayoutLine *space_line = pango_layout_get_line_readonly(p->space, 0);
        if (space_line->runs) {
            PangoGlyphItem *run = space_line->runs->data;
            /* zero width: it draws no ink, and the box stays inside the
             * margin; at the line's logical end (its left, right to left) */
            double at = line->resolved_dir == PANGO_DIRECTION_RTL ? start : pen;
            page_add(pg, (box){.kind = BOX_GLYPHS, .x = at, .y = baseline, .width = 0,
                               .height = item->height, .elem = item->elem, .color = p->color,
                               .run = run, .text = " "});
        }
    }
}

void add_outline(laid_out *out, const char *title, int level, size_t pg, double y)
{
    out->outline = xrealloc(out->outline, (out->outline_count + 1) * sizeof *out->outline);
    out->outline[out->outline_count++] =
        (outline_entry){visible_text(title, 0, strlen(title)), level, (int)pg, y};
}

/* Places the flow from (first_page, first_top) on; returns the page count. */
size_t layout_place_flow(layout_context *ctx, size_t first_page, double first_top)
{
    flow *f = &ctx->flow;
    laid_out *out = ctx->out;
    placement *at = xcalloc(f->count ? f->count : 1, sizeof *at);
    size_t end = paginate(ctx, at, first_page, first_top);
    page_at(out, end ? end - 1 : 0);

    /* Region backgrounds first, so text is drawn over them: one rectangle
     * per region per page it touches, in region order, then page order.
     * One pass over the items: a region's items come in flow order, so
     * their pages never decrease. */
    typedef struct extent { size_t region, page; double top, bottom; } extent;
    extent *extents = NULL;
    size_t extent_count = 0, extent_capacity = 0;
    size_t *last = xcalloc(f->region_count ? f->region_count : 1, sizeof *last); /* index+1 */
    size_t *first_of = xcalloc(f->region_count ? f->region_count : 1, sizeof *first_of);
    size_t *next = NULL;
    for (size_t i = 0; i < f->count; i++) {
        int r = f->items[i].region;
        if (r <= 0)
            continue;
        size_t rr = (size_t)r - 1;
        extent *e = last[rr] ? &extents[last[rr] - 1] : NULL;
        if (!e || e->page != at[i].page) {
            if (extent_count == extent_capacity) {
                extent_capacity = extent_capacity ? extent_capacity * 2 : 16;
                extents = xrealloc(extents, extent_capacity * sizeof *extents);
                next = xrealloc(next, extent_capacity * sizeof *next);
            }
            extents[extent_count] = (extent){rr, at[i].page, INFINITY, -INFINITY};
            next[extent_count] = 0;
            if (last[rr])
                next[last[rr] - 1] = extent_count + 1;
            else
                first_of[rr] = extent_count + 1;
            last[rr] = ++extent_count;
            e = &extents[extent_count - 1];
        }
        e->top = fmin(e->top, at[i].top);
        e->bottom = fmax(e->bottom, at[i].top + f->items[i].height);
    }
    for (size_t r = 0; r < f->region_count; r++) {
        const flow_region *rg = &f->regions[r];
        for (size_t k = first_of[r]; k; k = next[k - 1]) {
            const extent *e = &extents[k - 1];
            double left = column_x(ctx, e->page, rg->x, rg->width);
            page *p = page_at(out, e->page);
            page_add(p, (box){.kind = BOX_FILL, .x = left, .y = e->top, .width = rg->width,
                              .height = e->bottom - e->top, .color = rg->background});
            /* the rule on the start edge: the right one, right to left */
            if (rg->border_width > 0)
                page_add(p, (box){.kind = BOX_FILL,
                                  .x = ctx->rtl ? left + rg->width - rg->border_width : left,
                                  .y = e->top,
                                  .width = rg->border_width, .height = e->bottom - e->top,
                                  .color = rg->border});
        }
    }
    free(extents);
    free(next);
    free(last);
    free(first_of);
    for (size_t i = 0; i < f->count; i++) {
        const flow_item *item = &f->items[i];
        page *pg = page_at(out, at[i].page);
        if (item->kind == ITEM_LINE) {
            double width = pango_layout_get_width(item->para->layout) / (double)PANGO_SCALE;
            double label_x = 0;
            if (item->label) {
                PangoRectangle logical;
                pango_layout_get_extents(item->label->layout, NULL, &logical);
                label_x = column_x(ctx, at[i].page, item->label_x, logical.width / (double)PANGO_SCALE);
            }
            emit_line(pg, item, column_x(ctx, at[i].page, item->x, width), label_x, at[i].top);
            if (item->outline_title)
                add_outline(out, item->outline_title, item->outline_level, at[i].page, at[i].top);
        } else if (item->kind == ITEM_IMAGE) {
            page_add(pg, (box){.kind = BOX_IMAGE,
                               .x = column_x(ctx, at[i].page, item->x, item->width), .y = at[i].top,
                               .width = item->width, .height = item->height, .elem = item->elem,
                               .image_path = item->image_path});
        }
    }
    free(at);
    return end;
}

double place_paragraph(page *pg, paragraph *p, double left, double top,
                       struct_elem *elem)
{
    int n = pango_layout_get_line_count(p->layout);
    double y = top;
    for (int i = 0; i < n; i++) {
        flow_item item = {.kind = ITEM_LINE, .para = p, .line_index = i, .height = p->pitch,
                          .elem = elem, .ascent = line_ascent(p, i)};
        emit_line(pg, &item, left, left, y);
        y += p->pitch;
    }
    return y - top;
}

static void flow_reset(flow *f)
{
    free(f->items);
    free(f->regions);
    memset(f, 0, sizeof *f);
}

void layout_context_init(layout_context *ctx, laid_out *out, const document *doc, const style *s,
                         diag_list *diags, const layout_resources *res)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->errors_before = diags->errors;
    ctx->doc = doc;
    ctx->style = s;
    ctx->diags = diags;
    ctx->source_path = doc->source_path;
    ctx->pango = fonts_context(res->fonts);
    ctx->rtl = lang_is_rtl(doc->meta.lang);
    /* a strong direction: every paragraph is right to left, whatever its
     * first letter (left to right keeps Pango's default) */
    if (ctx->rtl)
        pango_context_set_base_dir(ctx->pango, PANGO_DIRECTION_RTL);
    ctx->hyphens = s->hyphenate ? hyphen_cache_get(res->hyphens, doc->meta.lang) : NULL;
    ctx->content_width = s->page_width - s->margin_inner - s->margin_outer;
    ctx->section_level = 1; /* under the cover's title */
    ctx->out = out;
}

laid_out *layout_begin(layout_context *ctx, const document *doc, const style *s, diag_list *diags,
                       const layout_resources *res)
{
    laid_out *out = xcalloc(1, sizeof *out);
    out->width = s->page_width;
    out->height = s->page_height;
    out->layouts = g_ptr_array_new_with_free_func((GDestroyNotify)paragraph_free);
    layout_context_init(ctx, out, doc, s, diags, res);
    return out;
}

laid_out *layout_end(layout_context *ctx)
{
    flow_reset(&ctx->flow);
    g_object_unref(ctx->pango);
    if (ctx->diags->errors > ctx->errors_before) {
        layout_free(ctx->out);
        return NULL;
    }
    ctx->out->leaflet_page_count = ctx->out->page_count;
    ctx->out->right_bound = ctx->rtl;
    return ctx->out;
}

laid_out *layout_document(const document *doc, const style *s, const layout_resources *res,
                          diag_list *diags)
{
    layout_context ctx;
    laid_out *out = layout_begin(&ctx, doc, s, diags, res);
    struct_elem *document_elem = elem_new(&ctx, ROLE_DOCUMENT, NULL);
    const doc_node *first = doc->root->first_child;
    const doc_node *title = first && first->type == NODE_HEADING && first->level == 1 ? first : NULL;
    layout_cover(&ctx, document_elem, title);
    layout_blocks(&ctx, title ? title->next : first, 0, ctx.content_width, document_elem, 0, 0);
    if (doc->meta.contact_count)
        layout_contacts(&ctx, document_elem, doc->meta.contacts, doc->meta.contact_count, true);
    layout_colophon(&ctx, document_elem);
    size_t pages = layout_place_flow(&ctx, 1, s->margin_top);
    for (size_t pg = 1; pg < pages; pg++)
        layout_footer(&ctx, page_at(out, pg), (int)pg + 1);
    return layout_end(&ctx);
}

void layout_free(laid_out *out)
{
    if (!out)
        return;
    for (size_t i = 0; i < out->page_count; i++)
        free(out->pages[i].boxes);
    free(out->pages);
    for (size_t i = 0; i < out->elem_count; i++) {
        free(out->elems[i]->uri);
        free(out->elems[i]->alt);
        free(out->elems[i]->title);
        free(out->elems[i]->lang);
        free(out->elems[i]);
    }
    free(out->elems);
    for (size_t i = 0; i < out->outline_count; i++)
        free(out->outline[i].title);
    free(out->outline);
    if (out->layouts)
        g_ptr_array_free(out->layouts, TRUE);
    free(out);
}
