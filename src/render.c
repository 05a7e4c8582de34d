/* Render: boxes -> tagged PDF through cairo. The structure tree follows
 * the struct elements boxes name: between two boxes, tags are closed and
 * opened just enough to move from one element's path to the next (the
 * cmark walker's enter/exit, recovered from box order). */
#include "render.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <librsvg/rsvg.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>

#include "textutil.h"

#define MAX_DEPTH 64

static const char *tag_name(struct_role role)
{
    switch (role) {
    case ROLE_DOCUMENT: return "Document";
    case ROLE_H1: return "H1";
    case ROLE_H2: return "H2";
    case ROLE_H3: return "H3";
    case ROLE_H4: return "H4";
    case ROLE_H5: return "H5";
    case ROLE_H6: return "H6";
    case ROLE_P: return "P";
    case ROLE_LIST: return "L";
    case ROLE_LIST_ITEM: return "LI";
    case ROLE_LABEL: return "Lbl";
    case ROLE_LIST_BODY: return "LBody";
    case ROLE_LINK: return CAIRO_TAG_LINK;
    case ROLE_FIGURE: return "Figure";
    case ROLE_BOX: return "Div";
    }
    return "Span";
}

typedef struct tag_state {
    cairo_t *cr;
    const struct_elem *open[MAX_DEPTH];
    int depth;
    const page *page;
} tag_state;

/* cairo's attribute strings quote with '...' and escape with a backslash. */
static void append_quoted(strbuf *b, const char *s)
{
    strbuf_puts(b, "'");
    for (; *s; s++) {
        if (*s == '\'' || *s == '\\')
            strbuf_puts(b, "\\");
        strbuf_append(b, s, 1);
    }
    strbuf_puts(b, "'");
}

/* A link's clickable area: one rectangle per glyph run of it on this page,
 * not the union, which would cover the text between two lines. */
static char *link_attributes(const struct_elem *link, const page *pg)
{
    strbuf b = {0};
    strbuf_puts(&b, "uri=");
    append_quoted(&b, link->uri ? link->uri : "");
    strbuf_puts(&b, " rect=[");
    bool any = false;
    for (size_t i = 0; i < pg->count; i++) {
        const box *bx = &pg->boxes[i];
        if (bx->kind != BOX_GLYPHS || bx->elem != link)
            continue;
        strbuf_printf(&b, "%s%.2f %.2f %.2f %.2f", any ? " " : "", bx->x, bx->y - bx->height * 0.75,
                      bx->width, bx->height);
        any = true;
    }
    strbuf_puts(&b, "]");
    if (!any) { /* cannot happen for a drawn link; keep cairo's own extents */
        free(b.data);
        b = (strbuf){0};
        strbuf_puts(&b, "uri=");
        append_quoted(&b, link->uri ? link->uri : "");
    }
    return strbuf_take(&b);
}

static void open_elem(tag_state *t, const struct_elem *e)
{
    if (e->role == ROLE_LINK) {
        char *attributes = link_attributes(e, t->page);
        cairo_tag_begin(t->cr, CAIRO_TAG_LINK, attributes);
        free(attributes);
    } else {
        cairo_tag_begin(t->cr, tag_name(e->role), NULL);
    }
    t->open[t->depth++] = e;
}

static void close_to(tag_state *t, int depth)
{
    while (t->depth > depth) {
        const struct_elem *e = t->open[--t->depth];
        cairo_tag_end(t->cr, tag_name(e->role));
    }
}

static void enter(tag_state *t, const struct_elem *e)
{
    const struct_elem *path[MAX_DEPTH];
    int n = 0;
    for (const struct_elem *p = e; p && n < MAX_DEPTH; p = p->parent)
        path[n++] = p;
    /* path is leaf-first; compare root-first with what is open */
    int common = 0;
    while (common < t->depth && common < n && t->open[common] == path[n - 1 - common])
        common++;
    close_to(t, common);
    for (int k = n - 1 - common; k >= 0; k--)
        open_elem(t, path[k]);
}

static void draw_image(cairo_t *cr, const box *b)
{
    size_t n = strlen(b->image_path);
    if (n > 4 && strcmp(b->image_path + n - 4, ".svg") == 0) {
        RsvgHandle *svg = rsvg_handle_new_from_file(b->image_path, NULL);
        if (!svg)
            return;
        RsvgRectangle viewport = {b->x, b->y, b->width, b->height};
        /* Drawn as one group so the PDF holds it as a single XObject, which
         * finishing can mark as the Figure's content; loose paths could
         * only become artifacts. */
        cairo_push_group(cr);
        rsvg_handle_render_document(svg, cr, &viewport, NULL);
        cairo_pop_group_to_source(cr);
        cairo_paint(cr);
        g_object_unref(svg);
        return;
    }
    cairo_surface_t *png = cairo_image_surface_create_from_png(b->image_path);
    if (cairo_surface_status(png) == CAIRO_STATUS_SUCCESS) {
        cairo_save(cr);
        cairo_translate(cr, b->x, b->y);
        cairo_scale(cr, b->width / cairo_image_surface_get_width(png),
                    b->height / cairo_image_surface_get_height(png));
        cairo_set_source_surface(cr, png, 0, 0);
        cairo_paint(cr);
        cairo_restore(cr);
    }
    cairo_surface_destroy(png);
}

static void draw_box(cairo_t *cr, const box *b, double bleed)
{
    cairo_set_source_rgb(cr, b->color.r, b->color.g, b->color.b);
    switch (b->kind) {
    case BOX_GLYPHS:
        cairo_move_to(cr, b->x, b->y);
        pango_cairo_show_glyph_item(cr, b->text, b->run);
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
        draw_image(cr, b);
        break;
    }
}

static cairo_status_t append_output(void *closure, const unsigned char *data, unsigned int length)
{
    strbuf_append(closure, (const char *)data, length);
    return CAIRO_STATUS_SUCCESS;
}

static void add_outline(cairo_surface_t *surface, const laid_out *pages)
{
    int parents[4] = {CAIRO_PDF_OUTLINE_ROOT, CAIRO_PDF_OUTLINE_ROOT, CAIRO_PDF_OUTLINE_ROOT,
                      CAIRO_PDF_OUTLINE_ROOT};
    for (size_t i = 0; i < pages->outline_count; i++) {
        const outline_entry *o = &pages->outline[i];
        int level = o->level < 1 ? 1 : o->level > 3 ? 3 : o->level;
        char target[64];
        snprintf(target, sizeof target, "page=%d pos=[0 %.2f]", o->page + 1, o->y);
        int id = cairo_pdf_surface_add_outline(surface, parents[level - 1], o->title, target,
                                               CAIRO_PDF_OUTLINE_FLAG_OPEN);
        /* deeper levels hang under the latest heading above them */
        for (int k = level; k < 4; k++)
            parents[k] = id;
    }
}

bool render_pdf(const laid_out *pages, const leaflet_meta *meta, const render_options *options,
                unsigned char **pdf, size_t *length, diag_list *diags)
{
    strbuf out = {0};
    double bleed = options->bleed;
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(
        append_output, &out, pages->width + 2 * bleed, pages->height + 2 * bleed);
    cairo_pdf_surface_restrict_to_version(surface, CAIRO_PDF_VERSION_1_7);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, meta->title);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR,
                                   meta->author_count ? meta->authors[0] : meta->publisher);
    if (meta->subject)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT, meta->subject);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "leafpress");
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, options->date);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, options->date);

    cairo_t *cr = cairo_create(surface);
    tag_state tags = {.cr = cr};
    for (size_t p = 0; p < pages->page_count; p++) {
        const page *pg = &pages->pages[p];
        tags.page = pg;
        cairo_save(cr);
        cairo_translate(cr, bleed, bleed);
        for (size_t i = 0; i < pg->count; i++) {
            const box *b = &pg->boxes[i];
            if (b->elem) {
                enter(&tags, b->elem);
                draw_box(cr, b, bleed);
            } else {
                cairo_tag_begin(cr, "Artifact", NULL);
                draw_box(cr, b, bleed);
                cairo_tag_end(cr, "Artifact");
            }
        }
        cairo_restore(cr);
        if (p + 1 == pages->page_count)
            close_to(&tags, 0); /* after the last show_page it would open a blank page */
        cairo_show_page(cr);
    }
    add_outline(surface, pages);
    cairo_status_t status = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        diag_report(diags, SEVERITY_ERROR, NULL, 0, 0, "cairo could not write the PDF: %s",
                    cairo_status_to_string(status));
        free(out.data);
        return false;
    }
    *length = out.length;
    *pdf = (unsigned char *)strbuf_take(&out);
    return true;
}
