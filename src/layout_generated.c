/* What a leaflet shows beyond its body: the cover, the contact block, the
 * colophon, the running footer, and the one-page contact sheet. Generated
 * words come from wording.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contacts.h"
#include "images.h"
#include "layout_internal.h"
#include "textutil.h"
#include "wording.h"

#define MM (72.0 / 25.4)

/* Line of `key:` in the source's front matter, for messages about a
 * value laid out from it; 1 when it cannot be found. */
static int front_matter_line(const char *path, const char *key)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f)
        return 1;
    char buf[4096];
    size_t key_len = strlen(key);
    int line = 0, found = 1, dashes = 0;
    while (fgets(buf, sizeof buf, f)) {
        line++;
        if (strncmp(buf, "---", 3) == 0 && ++dashes == 2)
            break;
        if (strncmp(buf, key, key_len) == 0 && buf[key_len] == ':') {
            found = line;
            break;
        }
    }
    fclose(f);
    return found;
}

/* A band of colour from the top trim edge: the publisher at its head, the
 * heading and subtitle at its foot. The colour runs on down to fill_to
 * when that is lower (the cover without a photo). Drawn in reading order
 * (heading, subtitle, publisher) whatever the positions. Returns the
 * height of the band's text part. */
static double draw_band(layout_context *ctx, page *pg, struct_elem *heading_elem,
                        const doc_node *heading_node, const char *heading_text,
                        const char *subtitle, struct_elem *parent, double min_height,
                        double fill_to)
{
    const style *s = ctx->style;
    const leaflet_meta *meta = &ctx->doc->meta;
    double left = column_left(ctx, 0);
    double width = ctx->content_width;
    paragraph *title = heading_node
        ? paragraph_from_inlines(ctx, heading_node->first_child, NULL, &s->cover_title, width,
                                 heading_elem, false)
        : paragraph_from_text(ctx, heading_text, &s->cover_title, width, false, heading_elem, NULL);
    paragraph *sub = NULL, *publisher = NULL;
    struct_elem *sub_elem = NULL, *publisher_elem = NULL;
    if (subtitle) {
        sub_elem = elem_new(ctx, ROLE_P, parent);
        sub = paragraph_from_text(ctx, subtitle, &s->cover_subtitle, width, false, sub_elem, NULL);
    }
    if (meta->publisher) {
        publisher_elem = elem_new(ctx, ROLE_P, parent);
        publisher = paragraph_from_text(ctx, meta->publisher, &s->cover_publisher, width, false,
                                        publisher_elem, NULL);
    }
    double title_h = pango_layout_get_line_count(title->layout) * title->pitch;
    double sub_h = sub ? s->cover_subtitle.space_before +
                             pango_layout_get_line_count(sub->layout) * sub->pitch
                       : 0;
    double publisher_h = publisher
        ? pango_layout_get_line_count(publisher->layout) * publisher->pitch + s->margin_top
        : 0;
    /* a long title makes the band grow rather than overflow */
    double band = fmax(min_height, s->margin_top * 2 + publisher_h + title_h + sub_h);
    double fill = fmin(fmax(band, fill_to), s->page_height);
    page_add(pg, (box){.kind = BOX_FILL, .x = 0, .y = 0, .width = s->page_width, .height = fill,
                       .color = s->cover_band_color,
                       .bleed_edges = EDGE_TOP | EDGE_LEFT | EDGE_RIGHT |
                                      (fill >= s->page_height - 0.01 ? EDGE_BOTTOM : 0)});
    double top = band - s->margin_top - title_h - sub_h;
    place_paragraph(pg, title, left, top, heading_elem);
    add_outline(ctx->out, title->text, 1, 0, top);
    if (sub)
        place_paragraph(pg, sub, left, top + title_h + s->cover_subtitle.space_before, sub_elem);
    if (publisher)
        place_paragraph(pg, publisher, left, s->margin_top, publisher_elem);
    return band;
}

/* An image on the cover as a Figure with alt text; NULL (after a message)
 * when it cannot be used. */
static box *cover_image_box(layout_context *ctx, page *pg, struct_elem *parent, const char *path,
                            const char *alt, box b)
{
    struct_elem *figure = elem_new(ctx, ROLE_FIGURE, parent);
    figure->alt = xstrdup(alt);
    b.kind = BOX_IMAGE;
    b.image_path = path;
    b.elem = figure;
    return page_add(pg, b);
}

/* The cover fills its page: the colour band with the title, then either
 * the leaflet's cover photo (cover_image) down to the logo row, or, with
 * no photo, the band itself, with the subject sentence under the title;
 * at the foot, on white, the theme's logo (cover.logo). Without a logo the
 * band or the photo runs to the bottom trim edge. Whatever touches a trim
 * edge runs on into the print bleed. */
void layout_cover(layout_context *ctx, struct_elem *document_elem, const doc_node *title)
{
    const style *s = ctx->style;
    const leaflet_meta *meta = &ctx->doc->meta;
    page *cover = page_at(ctx->out, 0);
    struct_elem *h1 = elem_new(ctx, ROLE_H1, document_elem);
    double left = column_left(ctx, 0), width = ctx->content_width;

    /* the logo row: the logo at its natural aspect ratio, logo_height high
     * (lower when it would be wider than the text), on white */
    const char *logo = s->cover_logo && *s->cover_logo ? s->cover_logo : NULL;
    double logo_w = 0, logo_h = 0, pad = s->margin_outer / 2, row = 0;
    image_info info;
    const char *why;
    if (logo && image_read_info(logo, &info, &why)) {
        logo_h = s->cover_logo_height;
        logo_w = info.width * logo_h / info.height;
        if (logo_w > width) {
            logo_h *= width / logo_w;
            logo_w = width;
        }
        row = logo_h + 2 * pad;
    } else {
        logo = NULL; /* checked with the style; unreadable now means changed since */
    }

    const char *photo = meta->cover_image;
    image_info photo_info;
    if (photo && !image_read_info(photo, &photo_info, &why)) {
        diag_report(ctx->diags, SEVERITY_ERROR, ctx->source_path, meta->cover_image_line,
                    meta->cover_image_column, "cannot use cover_image '%s': %s", photo, why);
        photo = NULL;
    }
    double bottom = s->page_height - row; /* where the band or the photo ends */
    /* a photo shorter than this is a strip no one can make out */
    const double min_photo = 25 * MM;
    double band = draw_band(ctx, cover, h1, title, meta->title, meta->subtitle, document_elem,
                            s->cover_band_height, photo ? 0 : bottom);
    if (photo && bottom - band < min_photo) {
        diag_report(ctx->diags, SEVERITY_WARNING, ctx->source_path, meta->cover_image_line,
                    meta->cover_image_column,
                    "the cover has no room for cover_image '%s' (%.0f mm under the title; it needs "
                    "%.0f): shorten the title or the subtitle", meta->cover_image_src,
                    fmax(0, bottom - band) / MM, min_photo / MM);
        photo = NULL;
        page_add(cover, (box){.kind = BOX_FILL, .x = 0, .y = band, .width = s->page_width,
                              .height = fmax(0, bottom - band), .color = s->cover_band_color,
                              .bleed_edges = EDGE_LEFT | EDGE_RIGHT | (row ? 0 : EDGE_BOTTOM)});
    }
    if (photo) {
        /* the photo covers the whole space, cropped (centred) to its shape */
        double h = bottom - band;
        cover_image_box(ctx, cover, document_elem, photo, meta->cover_image_alt,
                        (box){.x = 0, .y = band, .width = s->page_width, .height = h, .crop = true,
                              .bleed_edges = EDGE_LEFT | EDGE_RIGHT | (row ? 0 : EDGE_BOTTOM)});
        double scale = fmax(s->page_width / photo_info.width, h / photo_info.height);
        if (photo_info.pixel_width > 0) {
            double dpi = photo_info.pixel_width / (photo_info.width * scale / 72.0);
            if (dpi < 299.5)
                diag_report(ctx->diags, SEVERITY_WARNING, ctx->source_path,
                            meta->cover_image_line, meta->cover_image_column,
                            "cover_image '%s' has %.0f dpi at its printed size (%.0f x %.0f mm); "
                            "print needs 300 dpi", photo, dpi, s->page_width / MM, h / MM);
        }
        check_image_text(ctx, photo, scale, meta->cover_image_line, meta->cover_image_column);
    } else if (meta->subject) {
        /* the subject sentence under the title, where it fits inside the band */
        paragraph *p = paragraph_from_text(ctx, meta->subject, &s->cover_subtitle, width, false,
                                           NULL, NULL);
        double h = pango_layout_get_line_count(p->layout) * p->pitch;
        double top = band - s->margin_top + 1.5 * s->cover_subtitle.size; /* under the title */
        if (top + h <= bottom - s->margin_top)
            place_paragraph(cover, p, left, top, elem_new(ctx, ROLE_P, document_elem));
    }
    if (logo) {
        const char *alt = *s->cover_logo_alt ? s->cover_logo_alt : meta->publisher;
        cover_image_box(ctx, cover, document_elem, logo, alt ? alt : "",
                        (box){.x = left, .y = bottom + pad, .width = logo_w, .height = logo_h});
    }
    /* the body starts on the next page */
    ctx->flow.pending_space = 0;
}

/* Builds "label number" with the number as a link, from temporary nodes. */
static paragraph *labelled_link(layout_context *ctx, const char *prefix, const char *shown,
                                const char *url, const text_style *ts, double width,
                                struct_elem *elem)
{
    doc_node link_text = {.type = NODE_TEXT, .text = (char *)shown};
    doc_node link = {.type = NODE_LINK, .url = (char *)url, .first_child = &link_text,
                     .last_child = &link_text};
    doc_node before = {.type = NODE_TEXT, .text = (char *)prefix, .next = &link};
    return paragraph_from_inlines(ctx, prefix ? &before : &link, NULL, ts, width, elem, false);
}

static void add_line_as(layout_context *ctx, struct_role role, struct_elem *parent,
                        const char *prefix, const char *shown, const char *url,
                        const text_style *ts, bool bold, double x, double width, int region)
{
    struct_elem *p_elem = elem_new(ctx, role, parent);
    paragraph *p = url ? labelled_link(ctx, prefix, shown, url, ts, width, p_elem)
                       : paragraph_from_text(ctx, shown, ts, width, bold, p_elem, NULL);
    text_style tight = *ts;
    tight.space_before = 0;
    tight.space_after = 0;
    flow_add_paragraph(ctx, p, &tight, x, p_elem, region, false, 0);
}

static void add_line(layout_context *ctx, struct_elem *parent, const char *prefix,
                     const char *shown, const char *url, const text_style *ts, bool bold,
                     double x, double width, int region)
{
    add_line_as(ctx, ROLE_P, parent, prefix, shown, url, ts, bold, x, width, region);
}

static char *website_shown(const char *url)
{
    const char *s = url;
    if (strncmp(s, "https://", 8) == 0) s += 8;
    else if (strncmp(s, "http://", 7) == 0) s += 7;
    char *shown = xstrdup(s);
    size_t n = strlen(shown);
    if (n && shown[n - 1] == '/')
        shown[n - 1] = '\0';
    return shown;
}

static void layout_one_contact(layout_context *ctx, struct_elem *parent, const contact *c)
{
    const style *s = ctx->style;
    const char *lang = ctx->doc->meta.lang;
    double width = ctx->content_width;
    int region = flow_add_region(&ctx->flow,
        (flow_region){c->urgent ? s->contact_urgent_background : s->contact_background,
                 s->contact_rule, c->urgent ? 3 : 0, 0, width});
    double pad = s->contact_padding;
    double x = pad + (c->urgent ? 3 : 0);
    double w = width - x - pad;
    struct_elem *entry = elem_new(ctx, ROLE_BOX, parent);
    ctx->flow.pending_space = fmax(ctx->flow.pending_space, s->body.space_after);
    flow_item *top = flow_push(&ctx->flow);
    top->kind = ITEM_SPACE;
    top->height = pad;
    top->region = region;
    top->space_before = ctx->flow.pending_space;
    top->keep_with_previous = glue_pending(&ctx->flow); /* with the heading above */
    ctx->flow.glue_remaining = 100; /* an entry never splits */
    strbuf name = {0};
    strbuf_puts(&name, c->organisation);
    if (c->department)
        strbuf_printf(&name, ", %s", c->department);
    char *heading = strbuf_take(&name);
    /* the card's title: a heading one level below the section it sits in */
    add_line_as(ctx, heading_role(ctx->section_level + 1), entry, NULL, heading, NULL,
                &s->contact_heading, false, x, w, region);
    free(heading);
    if (c->description)
        add_line(ctx, entry, NULL, c->description, NULL, &s->contact, false, x, w, region);
    for (size_t i = 0; i < c->phone_count; i++) {
        char *uri = phone_tel_uri(c->phones[i]);
        char *prefix = NULL;
        if (c->phone_labels && c->phone_labels[i]) {
            size_t n = strlen(c->phone_labels[i]) + 3;
            prefix = xmalloc(n);
            snprintf(prefix, n, "%s: ", c->phone_labels[i]);
        }
        add_line(ctx, entry, prefix, c->phones[i], uri, &s->contact_heading, true, x, w, region);
        free(prefix);
        free(uri);
    }
    if (c->hours)
        add_line(ctx, entry, NULL, c->hours, NULL, &s->contact, false, x, w, region);
    if (c->email) {
        char *uri = xmalloc(strlen(c->email) + 8);
        sprintf(uri, "mailto:%s", c->email);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "%s ", wording(lang, "email"));
        add_line(ctx, entry, prefix, c->email, uri, &s->contact, false, x, w, region);
        free(uri);
    }
    if (c->website) {
        char *shown = website_shown(c->website);
        add_line(ctx, entry, NULL, shown, c->website, &s->contact, false, x, w, region);
        free(shown);
    }
    ctx->flow.glue_remaining = 1;
    flow_item *bottom = flow_push(&ctx->flow);
    bottom->kind = ITEM_SPACE;
    bottom->height = pad;
    bottom->region = region;
    bottom->keep_with_previous = true;
    ctx->flow.glue_remaining = 0;
    ctx->flow.pending_space = s->list_item_space;
}

void layout_contacts(layout_context *ctx, struct_elem *parent, const contact *const *contacts,
                     size_t count, bool with_heading)
{
    const style *s = ctx->style;
    if (with_heading) {
        struct_elem *h = elem_new(ctx, ROLE_H2, parent);
        paragraph *p = paragraph_from_text(ctx, wording(ctx->doc->meta.lang, "contacts"),
                                           &s->h2, ctx->content_width, false, h, NULL);
        flow_add_paragraph(ctx, p, &s->h2, 0, h, 0, true, 2);
        ctx->section_level = 2;
    }
    struct_elem *block = elem_new(ctx, ROLE_BOX, parent);
    block->title = xstrdup(wording(ctx->doc->meta.lang, "contacts"));
    /* urgent lines first, otherwise in the order the leaflet names them */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < count; i++)
            if (contacts[i] && contacts[i]->urgent == (pass == 0))
                layout_one_contact(ctx, block, contacts[i]);
    ctx->flow.pending_space = s->body.space_after;
}

void layout_colophon(layout_context *ctx, struct_elem *parent)
{
    const style *s = ctx->style;
    const leaflet_meta *m = &ctx->doc->meta;
    const char *lang = m->lang;
    double width = ctx->content_width;
    struct_elem *h = elem_new(ctx, ROLE_H2, parent);
    const char *heading = m->colophon_title ? m->colophon_title : wording(lang, "colophon");
    paragraph *hp = paragraph_from_text(ctx, heading, &s->h2, width, false, h, NULL);
    flow_add_paragraph(ctx, hp, &s->h2, 0, h, 0, true, 2);
    /* a few short lines: never split, so the colophon joins the last page
     * whole when it fits, and goes whole to a new one when not */
    ctx->flow.glue_remaining = 1000;

    strbuf line = {0};
    char *text;
    if (m->review_note) {
        add_line(ctx, parent, NULL, m->review_note, NULL, &s->colophon, false, 0, width, 0);
    }
    if (m->updated_month >= 1 && m->updated_month <= 12) {
        const char *month = wording_month(lang, m->updated_month);
        strbuf_printf(&line, "%s ", wording(lang, "updated"));
        if (m->updated_day)
            strbuf_printf(&line, "%d ", m->updated_day);
        strbuf_printf(&line, "%s %d", month, m->updated_year);
        text = strbuf_take(&line);
        add_line(ctx, parent, NULL, text, NULL, &s->colophon, false, 0, width, 0);
        free(text);
    }
    if (m->author_count) {
        strbuf_printf(&line, "%s ", wording(lang, "written_by"));
        for (size_t i = 0; i < m->author_count; i++)
            strbuf_printf(&line, "%s%s%s%s", i == 0 ? "" : i + 1 == m->author_count ? " " : ", ",
                          i > 0 && i + 1 == m->author_count ? wording(lang, "and") : "",
                          i > 0 && i + 1 == m->author_count ? " " : "", m->authors[i]);
        strbuf_puts(&line, ".");
        text = strbuf_take(&line);
        add_line(ctx, parent, NULL, text, NULL, &s->colophon, false, 0, width, 0);
        free(text);
    }
    if (m->reviewer_count) {
        strbuf_printf(&line, "%s ", wording(lang, "with_help"));
        for (size_t i = 0; i < m->reviewer_count; i++)
            strbuf_printf(&line, "%s%s", i == 0 ? "" : "; ", m->reviewers[i]);
        text = strbuf_take(&line);
        add_line(ctx, parent, NULL, text, NULL, &s->colophon, false, 0, width, 0);
        free(text);
    }
    if (m->publisher) {
        strbuf_printf(&line, "%s %s", wording(lang, "publisher"), m->publisher);
        text = strbuf_take(&line);
        add_line(ctx, parent, NULL, text, NULL, &s->colophon, false, 0, width, 0);
        free(text);
    }
    ctx->flow.glue_remaining = 0;
}

/* Places a one-line paragraph so that its line starts at x (whatever
 * its alignment in its layout width). */
static void place_line_at(page *pg, paragraph *p, double x, double top)
{
    place_paragraph(pg, p, x - paragraph_line_x(p, 0), top, NULL);
}

void layout_footer(layout_context *ctx, page *pg, int number)
{
    const style *s = ctx->style;
    const leaflet_meta *m = &ctx->doc->meta;
    size_t index = (size_t)number - 1;
    /* positions as on a left-bound page; a right-bound (right-to-left)
     * page shows their mirror image */
    double left = content_left(s, index);
    double width = ctx->content_width;
    double baseline_top = s->page_height - s->footer_offset - s->footer.size * s->footer.line_height;
    page_add(pg, (box){.kind = BOX_FILL, .x = column_left(ctx, index),
                       .y = baseline_top - s->footer.size * 0.6,
                       .width = width, .height = 0.5, .color = s->footer_rule_color});
    const char *title = m->short_title ? m->short_title : m->title;
    paragraph *t = paragraph_from_text(ctx, title, &s->footer, width * 0.75, false, NULL, NULL);
    if (pango_layout_get_line_count(t->layout) > 1) {
        /* the running footer is one line: shorten the title, and say so once */
        pango_layout_set_ellipsize(t->layout, PANGO_ELLIPSIZE_END);
        pango_layout_set_height(t->layout, -1); /* one line */
        if (number == 2) {
            const char *key = m->short_title ? "short_title" : "title";
            warn_once(ctx, front_matter_line(ctx->source_path, key), 1,
                        "%s is too long for the running footer and is shortened with '\xE2\x80\xA6'; "
                        "give a shorter short_title", key);
        }
    }
    char num[16];
    snprintf(num, sizeof num, "%d", number);
    paragraph *n = paragraph_from_text(ctx, num, &s->footer, width, false, NULL, NULL);
    PangoRectangle logical;
    pango_layout_get_extents(n->layout, NULL, &logical);
    double num_width = logical.width / (double)PANGO_SCALE;
    pango_layout_get_extents(t->layout, NULL, &logical);
    double title_width = logical.width / (double)PANGO_SCALE;
    /* page numbers on the outer edge, the title towards the spine */
    bool recto = index % 2 == 0;
    double title_x = recto ? left : left + width - title_width;
    double num_x = recto ? left + width - num_width : left;
    if (ctx->rtl) {
        title_x = s->page_width - title_x - title_width;
        num_x = s->page_width - num_x - num_width;
    }
    if (recto) {
        place_line_at(pg, t, title_x, baseline_top);
        place_line_at(pg, n, num_x, baseline_top);
    } else {
        place_line_at(pg, n, num_x, baseline_top);
        place_line_at(pg, t, title_x, baseline_top);
    }
}

laid_out *layout_contact_sheet(const document *doc, const style *s, const layout_resources *res,
                               diag_list *diags)
{
    /* The sheet is meant for the fridge door or the notice board: a full A4
     * page in the house style, so every number fits on one sheet. */
    style sheet = *s;
    sheet.page_width = 210 * MM;
    sheet.page_height = 297 * MM;
    s = &sheet;
    layout_context ctx;
    laid_out *out = layout_begin(&ctx, doc, s, diags, res);
    struct_elem *document_elem = elem_new(&ctx, ROLE_DOCUMENT, NULL);
    struct_elem *h1 = elem_new(&ctx, ROLE_H1, document_elem);
    page *pg = page_at(out, 0);
    double band = draw_band(&ctx, pg, h1, NULL, doc->meta.contact_sheet, doc->meta.title,
                            document_elem, 0, 0);
    ctx.flow.pending_space = 0;
    layout_contacts(&ctx, document_elem, doc->meta.contacts, doc->meta.contact_count, false);
    size_t pages = layout_place_flow(&ctx, 0, band + s->margin_top);
    if (pages > 1) {
        size_t fit = 0; /* contacts on the first page */
        for (size_t e = 0; e < out->elem_count; e++) {
            const struct_elem *card = out->elems[e];
            if (card->role != ROLE_BOX || !card->parent || card->parent->role != ROLE_BOX)
                continue;
            bool on_first = false;
            for (size_t i = 0; i < out->pages[0].count && !on_first; i++)
                for (const struct_elem *a = out->pages[0].boxes[i].elem; a && !on_first; a = a->parent)
                    on_first = a == card;
            fit += on_first;
        }
        diag_report(diags, SEVERITY_ERROR, ctx.source_path,
                    front_matter_line(ctx.source_path, "contact_sheet"), 1,
                    "%zu contacts do not fit one page; the contact sheet holds %zu of them: list "
                    "fewer contacts, or leave contact_sheet out",
                    doc->meta.contact_count, fit);
    }
    return layout_end(&ctx);
}
