/* Inline content -> one Pango paragraph, with hyphenation, protected
 * breaks, emphasis, link ranges and a check for characters no font has. */
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout_internal.h"
#include "textutil.h"

typedef struct text_origin {
    int start;                 /* byte offset in the paragraph text */
    int line, column;
} text_origin;

typedef struct inline_builder {
    layout_context *ctx;
    strbuf text;
    PangoAttrList *attrs;
    link_range *links;
    size_t link_count, link_capacity;
    text_origin *origins;
    size_t origin_count, origin_capacity;
    struct_elem *elem;
    bool hyphenate;
} inline_builder;

static PangoFontDescription *font_for(const text_style *ts)
{
    PangoFontDescription *desc = pango_font_description_new();
    pango_font_description_set_family(desc, ts->font_family);
    pango_font_description_set_absolute_size(desc, ts->size * PANGO_SCALE);
    pango_font_description_set_weight(desc, (PangoWeight)ts->weight);
    pango_font_description_set_style(desc, ts->italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
    return desc;
}

static void add_attr(PangoAttrList *list, PangoAttribute *attr, size_t start, size_t end)
{
    attr->start_index = (guint)start;
    attr->end_index = (guint)end;
    pango_attr_list_insert(list, attr);
}

static void note_origin(inline_builder *b, const doc_node *node)
{
    if (b->origin_count == b->origin_capacity) {
        b->origin_capacity = b->origin_capacity ? b->origin_capacity * 2 : 8;
        b->origins = xrealloc(b->origins, b->origin_capacity * sizeof *b->origins);
    }
    b->origins[b->origin_count++] =
        (text_origin){(int)b->text.length, node->line, node->column};
}

static void append_text(inline_builder *b, const char *text)
{
    char *hyphenated = b->hyphenate ? hyphenate_text(b->ctx->hyphens, text) : xstrdup(text);
    char *protected = protect_breaks(hyphenated);
    strbuf_puts(&b->text, protected);
    free(protected);
    free(hyphenated);
}

static void build_inline(inline_builder *b, const doc_node *node, bool strong, bool emphasis)
{
    size_t start = b->text.length;
    switch (node->type) {
    case NODE_TEXT:
        note_origin(b, node);
        append_text(b, node->text ? node->text : "");
        break;
    case NODE_LINE_BREAK:
        strbuf_puts(&b->text, "\n");
        break;
    case NODE_STRONG:
    case NODE_EMPHASIS:
    case NODE_LINK:
    case NODE_SPAN: /* transparent until layout tags it with its /Lang */
        for (const doc_node *child = node->first_child; child; child = child->next)
            build_inline(b, child, strong || node->type == NODE_STRONG,
                         emphasis || node->type == NODE_EMPHASIS);
        break;
    default:
        break; /* blocks never appear inside inlines: parse guarantees it */
    }
    size_t end = b->text.length;
    if (end == start)
        return;
    const style *s = b->ctx->style;
    if (node->type == NODE_STRONG || (node->type == NODE_EMPHASIS && s->emphasis_bold)) {
        add_attr(b->attrs, pango_attr_weight_new(PANGO_WEIGHT_BOLD), start, end);
    } else if (node->type == NODE_EMPHASIS) {
        add_attr(b->attrs, pango_attr_style_new(PANGO_STYLE_ITALIC), start, end);
    } else if (node->type == NODE_LINK) {
        /* A distinct colour also makes Pango end a run at the link's edges,
         * which is what lets the renderer tag exactly the link's glyphs. */
        colour c = s->link_color;
        add_attr(b->attrs,
                 pango_attr_foreground_new((guint16)(c.r * 65535), (guint16)(c.g * 65535),
                                           (guint16)(c.b * 65535)),
                 start, end);
        if (b->link_count == b->link_capacity) {
            b->link_capacity = b->link_capacity ? b->link_capacity * 2 : 4;
            b->links = xrealloc(b->links, b->link_capacity * sizeof *b->links);
        }
        struct_elem *link = elem_new(b->ctx, ROLE_LINK, b->elem);
        link->uri = xstrdup(node->url ? node->url : "");
        b->links[b->link_count++] = (link_range){(int)start, (int)end, link};
    }
}

static const text_origin *origin_of(const inline_builder *b, int offset)
{
    const text_origin *found = b->origin_count ? &b->origins[0] : NULL;
    for (size_t i = 0; i < b->origin_count && b->origins[i].start <= offset; i++)
        found = &b->origins[i];
    return found;
}

/* Pango draws a hex box for a character no font covers; we refuse instead,
 * naming where the character is in the source. */
static void report_unknown_glyphs(inline_builder *b, PangoLayout *layout, int line, int column)
{
    if (pango_layout_get_unknown_glyphs_count(layout) == 0)
        return;
    const char *text = pango_layout_get_text(layout);
    gunichar reported = 0;
    for (GSList *l = pango_layout_get_lines_readonly(layout); l; l = l->next) {
        for (GSList *r = ((PangoLayoutLine *)l->data)->runs; r; r = r->next) {
            PangoGlyphItem *run = r->data;
            for (int g = 0; g < run->glyphs->num_glyphs; g++) {
                if (!(run->glyphs->glyphs[g].glyph & PANGO_GLYPH_UNKNOWN_FLAG))
                    continue;
                int offset = run->item->offset + run->glyphs->log_clusters[g];
                gunichar c = g_utf8_get_char(text + offset);
                if (c == reported || c == '\n' || c == 0xAD || c == 0xA0)
                    continue;
                reported = c;
                const text_origin *o = origin_of(b, offset);
                char utf8[8] = {0};
                g_unichar_to_utf8(c, utf8);
                diag_report(b->ctx->diags, SEVERITY_ERROR, b->ctx->source_path,
                            o ? o->line : line, o ? o->column : column,
                            "no bundled font has the character U+%04X '%s'", (unsigned)c, utf8);
            }
        }
    }
}

/* pdftotext, like most extractors, reads a line ending in '-' as a
 * hyphenated word and drops the hyphen, so "internist-oncoloog" broken
 * after its hyphen would come back as "internistoncoloog". Lines may break
 * at soft hyphens only, never after a hard one inside a word. */
static void keep_hard_hyphens(PangoAttrList *attrs, const char *text)
{
    for (const char *c = text; *c; c++) {
        if (*c != '-' || c == text || !g_unichar_isalnum(g_utf8_get_char(g_utf8_prev_char(c))))
            continue;
        gunichar next = g_utf8_get_char(c + 1);
        if (!g_unichar_isalnum(next))
            continue;
        size_t start = (size_t)(c - text);
        add_attr(attrs, pango_attr_allow_breaks_new(FALSE), start,
                 start + 1 + (size_t)g_unichar_to_utf8(next, NULL));
    }
}

char *visible_text(const char *text, size_t start, size_t end)
{
    strbuf out = {0};
    for (size_t i = start; i < end; i++) {
        unsigned char c = (unsigned char)text[i], next = (unsigned char)text[i + 1];
        if (c == 0xC2 && next == 0xAD) {
            i++;
        } else if (c == 0xC2 && next == 0xA0) {
            strbuf_puts(&out, " ");
            i++;
        } else {
            strbuf_append(&out, c == '\n' ? " " : text + i, 1);
        }
    }
    return strbuf_take(&out);
}

static paragraph *finish_paragraph(inline_builder *b, const text_style *ts, double width,
                                   int line, int column)
{
    const style *s = b->ctx->style;
    paragraph *p = xcalloc(1, sizeof *p);
    p->text = strbuf_take(&b->text);
    for (size_t i = 0; i < b->link_count; i++)
        b->links[i].elem->title = visible_text(p->text, (size_t)b->links[i].start, (size_t)b->links[i].end);
    p->links = b->links;
    p->link_count = b->link_count;
    p->color = ts->color;
    p->link_color = s->link_color;
    p->link_underline = s->link_underline;
    p->size = ts->size;
    p->pitch = ts->size * ts->line_height;

    PangoLayout *layout = pango_layout_new(b->ctx->pango);
    PangoFontDescription *desc = font_for(ts);
    pango_layout_set_font_description(layout, desc);
    pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    const char *lang = b->ctx->doc ? b->ctx->doc->meta.lang : NULL;
    if (lang)
        add_attr(b->attrs, pango_attr_language_new(pango_language_from_string(lang)), 0,
                 PANGO_ATTR_INDEX_TO_TEXT_END);
    if (!b->hyphenate)
        add_attr(b->attrs, pango_attr_insert_hyphens_new(FALSE), 0, PANGO_ATTR_INDEX_TO_TEXT_END);
    keep_hard_hyphens(b->attrs, p->text);
    pango_layout_set_text(layout, p->text, -1);
    pango_layout_set_attributes(layout, b->attrs);
    if (b->link_count) {
        /* Pango draws nothing for the space a line breaks at. Inside one
         * element readers infer it from the line break; where a link ends
         * the line, the next element would run on without it. */
        p->space = pango_layout_new(b->ctx->pango);
        pango_layout_set_font_description(p->space, desc);
        pango_layout_set_text(p->space, " ", 1);
    }
    pango_attr_list_unref(b->attrs);
    pango_font_description_free(desc);
    p->layout = layout;
    report_unknown_glyphs(b, layout, line, column);
    free(b->origins);
    g_ptr_array_add(b->ctx->out->layouts, p);
    return p;
}

static void builder_init(inline_builder *b, layout_context *ctx, struct_elem *elem, bool hyphenate)
{
    memset(b, 0, sizeof *b);
    b->ctx = ctx;
    b->attrs = pango_attr_list_new();
    b->elem = elem;
    b->hyphenate = hyphenate && ctx->hyphens;
}

paragraph *paragraph_from_inlines(layout_context *ctx, const doc_node *first, const doc_node *end,
                                  const text_style *ts, double width, struct_elem *elem,
                                  bool hyphenate)
{
    inline_builder b;
    builder_init(&b, ctx, elem, hyphenate);
    for (const doc_node *n = first; n && n != end; n = n->next)
        build_inline(&b, n, false, false);
    return finish_paragraph(&b, ts, width, first ? first->line : 0, first ? first->column : 0);
}

paragraph *paragraph_from_text(layout_context *ctx, const char *text, const text_style *ts,
                               double width, bool bold, struct_elem *elem, const char *link_url)
{
    inline_builder b;
    builder_init(&b, ctx, elem, false);
    doc_node text_node = {.type = NODE_TEXT, .text = (char *)text};
    doc_node wrapper = {.type = link_url ? NODE_LINK : NODE_STRONG, .url = (char *)link_url,
                        .first_child = &text_node, .last_child = &text_node};
    if (link_url || bold)
        build_inline(&b, &wrapper, false, false);
    else
        build_inline(&b, &text_node, false, false);
    if (bold && link_url)
        add_attr(b.attrs, pango_attr_weight_new(PANGO_WEIGHT_BOLD), 0, b.text.length);
    return finish_paragraph(&b, ts, width, 0, 0);
}

void paragraph_free(paragraph *p)
{
    if (!p)
        return;
    g_object_unref(p->layout);
    if (p->space)
        g_object_unref(p->space);
    free((char *)p->text);
    free(p->links);
    free(p);
}
