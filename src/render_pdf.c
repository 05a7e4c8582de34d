/* The screen and print PDFs: the draw core under cairo's tagged PDF. The
 * structure tree follows the struct elements boxes name: between two
 * boxes, tags are closed and opened just enough to move from one
 * element's path to the next (the cmark walker's enter/exit, recovered
 * from box order). The print PDF keeps the structure but shows links as
 * plain spans (PDF/X allows no annotations inside the trim) and adds crop
 * marks and the bleed. */
#include "render.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "render_internal.h"
#include "textutil.h"

#define MM (72.0 / 25.4)
#define MAX_DEPTH 64
/* Crop marks: 0.25 pt hairlines, starting 1 mm outside the bleed, 5 mm long. */
#define MARK_GAP (1 * MM)
#define MARK_LENGTH (5 * MM)
#define MARK_ROOM (MARK_GAP + MARK_LENGTH + 2 * MM)

static const char *tag_name(struct_role role, bool print)
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
    case ROLE_LINK: return print ? "Span" : CAIRO_TAG_LINK;
    case ROLE_FIGURE: return "Figure";
    case ROLE_BOX: return "Div";
    case ROLE_SPAN: return "Span";
    }
    return "Span";
}

typedef struct tag_state {
    cairo_t *cr;
    const struct_elem *open[MAX_DEPTH];
    int depth;
    const page *page;
    bool print;
    rendered *out;
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

/* What finishing needs of an element, in the order the elements are written. */
static void note_elem(rendered *r, const struct_elem *e, bool print)
{
    if (e->role == ROLE_FIGURE) {
        r->figure_alts = xrealloc(r->figure_alts, (r->figure_count + 1) * sizeof *r->figure_alts);
        r->figure_alts[r->figure_count++] = e->alt;
    }
    /* every element written as /Span, with its language or none, so that
     * finishing puts each /Lang on the right one (print writes links as Span) */
    if (e->role == ROLE_SPAN || (e->role == ROLE_LINK && print)) {
        r->span_langs = xrealloc(r->span_langs, (r->span_count + 1) * sizeof *r->span_langs);
        r->span_langs[r->span_count++] = e->role == ROLE_SPAN ? e->lang : NULL;
    }
    if (e->role == ROLE_LINK && !print && e->uri && e->title) {
        r->link_uris = xrealloc(r->link_uris, (r->link_count + 1) * sizeof *r->link_uris);
        r->link_texts = xrealloc(r->link_texts, (r->link_count + 1) * sizeof *r->link_texts);
        r->link_uris[r->link_count] = e->uri;
        r->link_texts[r->link_count++] = e->title;
    }
}

static void open_elem(tag_state *t, const struct_elem *e)
{
    if (e->role == ROLE_LINK && !t->print) {
        char *attributes = link_attributes(e, t->page);
        cairo_tag_begin(t->cr, CAIRO_TAG_LINK, attributes);
        free(attributes);
    } else {
        cairo_tag_begin(t->cr, tag_name(e->role, t->print), NULL);
    }
    note_elem(t->out, e, t->print);
    t->open[t->depth++] = e;
}

static void close_to(tag_state *t, int depth)
{
    while (t->depth > depth) {
        const struct_elem *e = t->open[--t->depth];
        cairo_tag_end(t->cr, tag_name(e->role, t->print));
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

static void box_begin(void *context, const box *b)
{
    tag_state *t = context;
    if (b->elem)
        enter(t, b->elem);
    else
        cairo_tag_begin(t->cr, "Artifact", NULL);
}

static void box_end(void *context, const box *b)
{
    tag_state *t = context;
    if (!b->elem)
        cairo_tag_end(t->cr, "Artifact");
}

static void add_outline(cairo_surface_t *surface, const laid_out *pages, size_t page_count)
{
    int parents[4] = {CAIRO_PDF_OUTLINE_ROOT, CAIRO_PDF_OUTLINE_ROOT, CAIRO_PDF_OUTLINE_ROOT,
                      CAIRO_PDF_OUTLINE_ROOT};
    for (size_t i = 0; i < pages->outline_count; i++) {
        const outline_entry *o = &pages->outline[i];
        if ((size_t)o->page >= page_count)
            continue;
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

/* Corner marks on the trim lines, outside the bleed, in 100 % K (pure
 * black here; print finishing maps it to 0 0 0 1 k). */
static void draw_crop_marks(cairo_t *cr, double w, double h, double bleed)
{
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.25);
    double near = bleed + MARK_GAP, far = near + MARK_LENGTH;
    const double xs[2] = {0, w}, ys[2] = {0, h};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            double x = xs[i], y = ys[j], sx = i ? 1 : -1, sy = j ? 1 : -1;
            cairo_move_to(cr, x + sx * near, y);        /* horizontal, on the trim line */
            cairo_line_to(cr, x + sx * far, y);
            cairo_move_to(cr, x, y + sy * near);        /* vertical */
            cairo_line_to(cr, x, y + sy * far);
        }
    cairo_stroke(cr);
    cairo_restore(cr);
}

static void add_to_palette(rendered *r, colour c)
{
    for (size_t i = 0; i < r->palette_count; i++) {
        const colour *p = &r->palette[i];
        if (p->r == c.r && p->g == c.g && p->b == c.b && p->has_cmyk == c.has_cmyk &&
            (!c.has_cmyk || (p->c == c.c && p->m == c.m && p->y == c.y && p->k == c.k)))
            return;
    }
    r->palette = xrealloc(r->palette, (r->palette_count + 1) * sizeof *r->palette);
    r->palette[r->palette_count++] = c;
}

static bool render_tagged(const laid_out *pages, const render_options *o, bool print,
                          rendered *out, diag_list *diags)
{
    memset(out, 0, sizeof *out);
    strbuf bytes = {0};
    double inset = print ? o->bleed + MARK_ROOM : 0;
    size_t page_count = print ? pages->page_count
                              : pages->leaflet_page_count ? pages->leaflet_page_count
                                                          : pages->page_count;
    /* finishing writes every metadata field but the date */
    cairo_surface_t *surface = render_pdf_surface(&bytes, pages->width + 2 * inset,
                                                  pages->height + 2 * inset,
                                                  print ? CAIRO_PDF_VERSION_1_6
                                                        : CAIRO_PDF_VERSION_1_7, o->date);
    cairo_t *cr = cairo_create(surface);
    tag_state tags = {.cr = cr, .print = print, .out = out};
    draw_hooks hooks = {&tags, box_begin, box_end};
    for (size_t p = 0; p < page_count; p++) {
        const page *pg = &pages->pages[p];
        tags.page = pg;
        cairo_save(cr);
        cairo_translate(cr, inset, inset);
        draw_page(cr, pg, print ? o->bleed : 0, &hooks);
        if (print) {
            /* an artifact may sit inside open structure, like the footer */
            cairo_tag_begin(cr, "Artifact", NULL);
            draw_crop_marks(cr, pages->width, pages->height, o->bleed);
            cairo_tag_end(cr, "Artifact");
            for (size_t i = 0; i < pg->count; i++)
                add_to_palette(out, pg->boxes[i].color);
        }
        cairo_restore(cr);
        if (p + 1 == page_count)
            close_to(&tags, 0); /* after the last show_page it would open a blank page */
        cairo_show_page(cr);
    }
    if (print)
        add_to_palette(out, (colour){.r = 0});
    add_outline(surface, pages, page_count);
    if (!render_pdf_close(cr, surface, &bytes, print ? "the print PDF" : "the PDF", out, diags)) {
        rendered_free(out);
        return false;
    }
    out->page_count = page_count;
    out->trim_width = pages->width;
    out->trim_height = pages->height;
    out->bleed = print ? o->bleed : 0;
    out->mark_room = print ? MARK_ROOM : 0;
    return true;
}

bool render_screen_pdf(const laid_out *pages, const render_options *o, rendered *out,
                       diag_list *diags)
{
    return render_tagged(pages, o, false, out, diags);
}

bool render_print_pdf(const laid_out *pages, const render_options *o, rendered *out,
                      diag_list *diags)
{
    return render_tagged(pages, o, true, out, diags);
}

void rendered_free(rendered *r)
{
    free(r->pdf);
    free(r->figure_alts);
    free(r->link_uris);
    free(r->link_texts);
    free(r->span_langs);
    free(r->palette);
    memset(r, 0, sizeof *r);
}
