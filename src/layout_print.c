/* Print padding: a saddle-stitched booklet needs a multiple of 4 pages.
 * Notes pages (a title and ruled lines: patients write their questions
 * there) fill the gap before a back cover that names the publisher, its
 * address or web site, the leaflet's date and its document code. Laid out
 * like any other page, in the variant's style; only the print outputs
 * show them (laid_out.leaflet_page_count ends before them). */
#include <math.h>
#include <string.h>

#include "layout_internal.h"
#include "textutil.h"
#include "wording.h"

#define MM (72.0 / 25.4)

static struct_elem *document_elem(laid_out *pages)
{
    for (size_t i = 0; i < pages->elem_count; i++)
        if (pages->elems[i]->role == ROLE_DOCUMENT)
            return pages->elems[i];
    return NULL;
}

static void notes_page(layout_context *ctx, struct_elem *root, size_t index)
{
    const style *s = ctx->style;
    const char *lang = ctx->doc->meta.lang;
    page *pg = page_at(ctx->out, index);
    double left = column_left(ctx, index), width = ctx->content_width;
    struct_elem *h = elem_new(ctx, ROLE_H2, root);
    paragraph *title = paragraph_from_text(ctx, wording(lang, "notes_title"), &s->h2, width,
                                           false, h, NULL);
    double y = s->margin_top;
    y += place_paragraph(pg, title, left, y, h);
    struct_elem *p = elem_new(ctx, ROLE_P, root);
    paragraph *sub = paragraph_from_text(ctx, wording(lang, "notes_subtitle"), &s->body, width,
                                         false, p, NULL);
    y += s->h2.space_after;
    y += place_paragraph(pg, sub, left, y, p);
    /* writing lines, 8 mm apart at least, wider in large print */
    double pitch = fmax(8 * MM, s->body.size * s->body.line_height * 1.6);
    double bottom = s->page_height - s->margin_bottom;
    for (double line = y + pitch; line <= bottom; line += pitch)
        page_add(pg, (box){.kind = BOX_FILL, .x = left, .y = line, .width = width, .height = 0.5,
                           .color = s->footer_rule_color});
    layout_footer(ctx, pg, (int)index + 1);
}

static void back_line(layout_context *ctx, struct_elem *root, page *pg, const char *text,
                      const text_style *ts, bool bold, double left, double *y)
{
    struct_elem *p = elem_new(ctx, ROLE_P, root);
    paragraph *para = paragraph_from_text(ctx, text, ts, ctx->content_width, bold, p, NULL);
    *y += place_paragraph(pg, para, left, *y, p) + ts->space_after;
}

static void back_cover(layout_context *ctx, struct_elem *root, size_t index)
{
    const style *s = ctx->style;
    const leaflet_meta *m = &ctx->doc->meta;
    page *pg = page_at(ctx->out, index);
    double left = column_left(ctx, index);
    /* the front cover's colour, as a band along the foot of the back */
    double band = fmin(s->cover_band_height * 0.2, 30 * MM);
    page_add(pg, (box){.kind = BOX_FILL, .x = 0, .y = s->page_height - band, .width = s->page_width,
                       .height = band, .color = s->cover_band_color,
                       .bleed_edges = EDGE_BOTTOM | EDGE_LEFT | EDGE_RIGHT});
    /* the imprint sits above the band, as on a printed brochure's back */
    size_t lines = 2 + !!m->publisher_address + !!m->publisher_website + 1 + !!m->code + !!m->version;
    double line_h = fmax(s->colophon.size, s->body.size) * 1.6;
    double y = s->page_height - band - s->margin_bottom * 0.5 - lines * line_h - s->h3.size;
    back_line(ctx, root, pg, m->title, &s->colophon, false, left, &y);
    back_line(ctx, root, pg, m->publisher, &s->h3, false, left, &y);
    if (m->publisher_address)
        back_line(ctx, root, pg, m->publisher_address, &s->colophon, false, left, &y);
    if (m->publisher_website) {
        const char *shown = m->publisher_website + strlen("https://");
        back_line(ctx, root, pg, shown, &s->colophon, false, left, &y);
    }
    strbuf b = {0};
    strbuf_printf(&b, "%s %s %d", wording(m->lang, "updated"), wording_month(m->lang, m->updated_month),
                  m->updated_year);
    char *text = strbuf_take(&b);
    back_line(ctx, root, pg, text, &s->colophon, false, left, &y);
    free(text);
    if (m->code) {
        strbuf_printf(&b, "%s %s", wording(m->lang, "document_code"), m->code);
        text = strbuf_take(&b);
        back_line(ctx, root, pg, text, &s->colophon, false, left, &y);
        free(text);
    }
    if (m->version) {
        strbuf_printf(&b, "%s %s", wording(m->lang, "version"), m->version);
        text = strbuf_take(&b);
        back_line(ctx, root, pg, text, &s->colophon, false, left, &y);
        free(text);
    }
}

bool layout_add_print_pages(laid_out *pages, const document *doc, const style *s,
                            const layout_resources *res, diag_list *diags)
{
    if (pages->page_count <= 1 || pages->page_count != pages->leaflet_page_count)
        return true; /* a one-page sheet, or padded already */
    layout_context ctx;
    layout_context_init(&ctx, pages, doc, s, diags, res); /* appends to the pages */
    struct_elem *root = document_elem(pages);
    size_t n = pages->page_count;
    size_t notes = (4 - (n + 1) % 4) % 4;
    for (size_t i = 0; i < notes; i++)
        notes_page(&ctx, root, n + i);
    back_cover(&ctx, root, n + notes);
    g_object_unref(ctx.pango);
    return diags->errors == ctx.errors_before;
}
