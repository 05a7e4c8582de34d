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
    const style *s = b->ctx->style;
    char *hyphenated = b->hyphenate ? hyphenate_text_min(b->ctx->hyphens, text, s->hyphenate_min_left,
                                                         s->hyphenate_min_right)
                                    : xstrdup(text);
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
    case NODE_SPAN: /* its children, then a Span element with /Lang below */
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
    } else if (node->type == NODE_SPAN && node->lang) {
        /* The language shapes and hyphenates the phrase as what it is, and
         * makes Pango end a run at the span's edges, so that the renderer
         * can tag exactly its glyphs as a Span with /Lang. */
        add_attr(b->attrs, pango_attr_language_new(pango_language_from_string(node->lang)), start,
                 end);
        if (b->link_count == b->link_capacity) {
            b->link_capacity = b->link_capacity ? b->link_capacity * 2 : 4;
            b->links = xrealloc(b->links, b->link_capacity * sizeof *b->links);
        }
        struct_elem *span = elem_new(b->ctx, ROLE_SPAN, b->elem);
        span->lang = xstrdup(node->lang);
        b->links[b->link_count++] = (link_range){(int)start, (int)end, span};
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
    /* origins ascend by start: binary search for the last one at or before offset */
    size_t lo = 0, hi = b->origin_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (b->origins[mid].start <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? &b->origins[lo - 1] : b->origin_count ? &b->origins[0] : NULL;
}

/* Source line and column of the character at byte `offset` of the
 * paragraph text: its text node's position plus the characters before it
 * in that node, not counting the soft hyphens hyphenation added.
 * TODO: exact only while the node's text is a verbatim copy of one source
 * line; entities, escapes and soft line breaks shift it (the parser's
 * doc_text_position will give the exact column). */
static void position_of(const inline_builder *b, const char *text, int offset, int fallback_line,
                        int fallback_column, int *line, int *column)
{
    const text_origin *o = origin_of(b, offset);
    if (!o) {
        *line = fallback_line;
        *column = fallback_column;
        return;
    }
    *line = o->line;
    *column = o->column;
    for (int i = o->start; i < offset && text[i];) {
        unsigned char c = (unsigned char)text[i];
        if (!(c == 0xC2 && (unsigned char)text[i + 1] == 0xAD)) {
            if (c == '\n') {
                (*line)++;
                *column = 1;
            } else {
                (*column)++;
            }
        }
        i = (int)(g_utf8_next_char(text + i) - text);
    }
}

/* Pango draws a hex box for a character no font covers; we refuse instead,
 * naming where each such character is in the source. */
static void report_unknown_glyphs(inline_builder *b, PangoLayout *layout, int line, int column)
{
    if (pango_layout_get_unknown_glyphs_count(layout) == 0)
        return;
    const char *text = pango_layout_get_text(layout);
    int last_offset = -1;
    for (GSList *l = pango_layout_get_lines_readonly(layout); l; l = l->next) {
        for (GSList *r = ((PangoLayoutLine *)l->data)->runs; r; r = r->next) {
            PangoGlyphItem *run = r->data;
            for (int g = 0; g < run->glyphs->num_glyphs; g++) {
                if (!(run->glyphs->glyphs[g].glyph & PANGO_GLYPH_UNKNOWN_FLAG))
                    continue;
                int offset = run->item->offset + run->glyphs->log_clusters[g];
                gunichar c = g_utf8_get_char(text + offset);
                /* one report per character, even when it shapes to several glyphs */
                if (offset == last_offset || c == '\n' || c == 0xAD || c == 0xA0)
                    continue;
                last_offset = offset;
                int at_line, at_column;
                position_of(b, text, offset, line, column, &at_line, &at_column);
                char utf8[8] = {0};
                g_unichar_to_utf8(c, utf8);
                diag_report(b->ctx->diags, SEVERITY_ERROR, b->ctx->source_path, at_line, at_column,
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

static bool is_shy(const char *text, size_t i)
{
    return (unsigned char)text[i] == 0xC2 && (unsigned char)text[i + 1] == 0xAD;
}

/* Removes bytes [pos, pos+len) of the paragraph text, moving everything
 * that indexes into it: attributes, links and source origins. */
static void remove_bytes(inline_builder *b, size_t pos, size_t len)
{
    strbuf *t = &b->text;
    memmove(t->data + pos, t->data + pos + len, t->length - pos - len + 1);
    t->length -= len;
    pango_attr_list_update(b->attrs, (int)pos, (int)len, 0);
    for (size_t i = 0; i < b->link_count; i++) {
        link_range *l = &b->links[i];
        if (l->start > (int)pos)
            l->start = l->start >= (int)(pos + len) ? l->start - (int)len : (int)pos;
        if (l->end > (int)pos)
            l->end = l->end >= (int)(pos + len) ? l->end - (int)len : (int)pos;
    }
    for (size_t i = 0; i < b->origin_count; i++) {
        text_origin *o = &b->origins[i];
        if (o->start > (int)pos)
            o->start = o->start >= (int)(pos + len) ? o->start - (int)len : (int)pos;
    }
}

/* Where byte `offset` goes once the soft hyphens at drop[0..count)
 * (ascending) are removed. */
static size_t shifted(const size_t *drop, size_t count, size_t offset)
{
    size_t lo = 0, hi = count; /* how many start before offset */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (drop[mid] < offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t at = offset - 2 * lo;
    /* inside a removed soft hyphen: where it was */
    if (lo > 0 && drop[lo - 1] + 2 > offset)
        at = drop[lo - 1] - 2 * (lo - 1);
    return at;
}

/* Removes the soft hyphens at drop[0..count) (ascending byte offsets) in
 * one pass, moving attributes, links and origins with the text. */
static void remove_soft_hyphens(inline_builder *b, const size_t *drop, size_t count)
{
    if (!count)
        return;
    strbuf *t = &b->text;
    size_t out = 0, k = 0;
    for (size_t i = 0; i < t->length;) {
        if (k < count && drop[k] == i) {
            i += 2;
            k++;
            continue;
        }
        t->data[out++] = t->data[i++];
    }
    t->length = out;
    t->data[out] = '\0';
    PangoAttrList *moved = pango_attr_list_new();
    GSList *attrs = pango_attr_list_get_attributes(b->attrs);
    for (GSList *l = attrs; l; l = l->next) {
        PangoAttribute *a = l->data;
        a->start_index = (guint)shifted(drop, count, a->start_index);
        if (a->end_index != PANGO_ATTR_INDEX_TO_TEXT_END)
            a->end_index = (guint)shifted(drop, count, a->end_index);
        pango_attr_list_insert(moved, a);
    }
    g_slist_free(attrs);
    pango_attr_list_unref(b->attrs);
    b->attrs = moved;
    for (size_t i = 0; i < b->link_count; i++) {
        b->links[i].start = (int)shifted(drop, count, (size_t)b->links[i].start);
        b->links[i].end = (int)shifted(drop, count, (size_t)b->links[i].end);
    }
    for (size_t i = 0; i < b->origin_count; i++)
        b->origins[i].start = (int)shifted(drop, count, (size_t)b->origins[i].start);
}

static void set_layout_text(PangoLayout *layout, const inline_builder *b)
{
    pango_layout_set_text(layout, b->text.data ? b->text.data : "", (int)b->text.length);
    /* a copy: the layout must not see the list change under it */
    PangoAttrList *copy = pango_attr_list_copy(b->attrs);
    pango_layout_set_attributes(layout, copy);
    pango_attr_list_unref(copy);
}

/* Does a word end before byte i? A space, a line break or a no-break space ends at i. */
static bool space_before(const char *text, size_t i)
{
    return i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\n' ||
                     (i > 1 && (unsigned char)text[i - 2] == 0xC2 && (unsigned char)text[i - 1] == 0xA0));
}

/* Byte where line i ends (one past its last byte). */
static size_t line_end(PangoLayout *layout, int i)
{
    PangoLayoutLine *line = pango_layout_get_line_readonly(layout, i);
    return (size_t)(line->start_index + line->length);
}

/* Never the last word of a paragraph: its halves would end the paragraph
 * on a fragment. Drops the soft hyphens after the last space. */
static void keep_last_word(inline_builder *b)
{
    const char *t = b->text.data;
    size_t n = b->text.length;
    while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\n'))
        n--;
    size_t word = n;
    while (word > 0 && !space_before(t, word))
        word--;
    for (size_t i = n; i-- > word;)
        if (i + 1 < n && is_shy(b->text.data, i))
            remove_bytes(b, i, 2);
}

/* Soft hyphens of the word that line i ends in, on line i. */
static void unhyphenate_line_end(inline_builder *b, size_t start, size_t end)
{
    size_t word = end;
    while (word > start && !space_before(b->text.data, word))
        word--;
    for (size_t i = end; i-- > word;)
        if (i + 1 < end && is_shy(b->text.data, i))
            remove_bytes(b, i, 2);
}

/* Hyphenation rules Pango cannot be told: at most max_run hyphenated lines
 * in a row. Pango breaks lines first-fit, so removing a line's hyphen and
 * laying out again changes nothing above it. */
static void limit_hyphen_runs(inline_builder *b, PangoLayout *layout, int max_run)
{
    for (int round = 0; round < 10000; round++) {
        int n = pango_layout_get_line_count(layout), run = 0;
        bool changed = false;
        for (int i = 0; i + 1 < n && !changed; i++) {
            size_t end = line_end(layout, i);
            if (end >= 2 && is_shy(b->text.data, end - 2)) {
                if (++run > max_run) {
                    PangoLayoutLine *line = pango_layout_get_line_readonly(layout, i);
                    unhyphenate_line_end(b, (size_t)line->start_index, end);
                    changed = true;
                }
            } else {
                run = 0;
            }
        }
        if (!changed)
            return;
        set_layout_text(layout, b);
    }
}

static int by_offset(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return (a > b) - (a < b);
}

/* The layout keeps the soft hyphens no line ends at, and drawing leaves
 * them out (draw_glyphs.h). But a run of nothing else (one the author put
 * between two differently styled words, or as all of a link's text) would
 * then draw nothing and still open its link or span in the PDF's
 * structure: those soft hyphens go, and the paragraph is laid out again. */
static void drop_lone_soft_hyphens(inline_builder *b, PangoLayout *layout)
{
    size_t *drop = NULL, count = 0, capacity = 0;
    const char *t = b->text.data;
    for (GSList *l = pango_layout_get_lines_readonly(layout); l; l = l->next)
        for (GSList *r = ((PangoLayoutLine *)l->data)->runs; r; r = r->next) {
            const PangoItem *item = ((PangoGlyphItem *)r->data)->item;
            bool lone = item->length > 0 && !(item->analysis.flags & PANGO_ANALYSIS_FLAG_NEED_HYPHEN);
            for (int i = 0; lone && i < item->length; i += 2)
                lone = i + 1 < item->length && is_shy(t, (size_t)(item->offset + i));
            for (int i = 0; lone && i < item->length; i += 2) {
                if (count == capacity) {
                    capacity = capacity ? capacity * 2 : 8;
                    drop = xrealloc(drop, capacity * sizeof *drop);
                }
                drop[count++] = (size_t)(item->offset + i);
            }
        }
    if (!count)
        return;
    qsort(drop, count, sizeof *drop, by_offset); /* runs come left to right */
    remove_soft_hyphens(b, drop, count);
    free(drop);
    set_layout_text(layout, b);
}

/* A word wider than the line: Pango breaks it where it must (with a
 * hyphen, or at a soft hyphen); the author should know. Once per word. */
static void report_long_words(inline_builder *b, PangoLayout *layout, int line, int column)
{
    const char *t = b->text.data;
    int n = pango_layout_get_line_count(layout);
    size_t reported_end = 0;
    for (int i = 0; i + 1 < n; i++) {
        PangoLayoutLine *l = pango_layout_get_line_readonly(layout, i);
        size_t start = (size_t)l->start_index, end = line_end(layout, i);
        bool has_space = false;
        for (size_t k = start; k + 1 < end && !has_space; k++)
            has_space = space_before(t, k + 1);
        bool at_space = space_before(t, end) || t[end] == '\n';
        if (has_space || at_space || start < reported_end)
            continue;
        /* the word: back to its start, on to its end */
        size_t word = start, word_end = end;
        while (word > 0 && !space_before(t, word))
            word--;
        while (t[word_end] && t[word_end] != ' ' && t[word_end] != '\n' && !space_before(t, word_end + 1))
            word_end++;
        if (t[word_end] && !(t[word_end] == ' ' || t[word_end] == '\n'))
            word_end++; /* up to a no-break space's first byte */
        reported_end = word_end;
        char *shown = visible_text(t, word, word_end);
        char excerpt[64];
        size_t len = strlen(shown);
        if (len > 40) {
            size_t cut = 37;
            while (cut > 0 && ((unsigned char)shown[cut] & 0xC0) == 0x80)
                cut--;
            snprintf(excerpt, sizeof excerpt, "%.*s...", (int)cut, shown);
        } else {
            snprintf(excerpt, sizeof excerpt, "%s", shown);
        }
        free(shown);
        int at_line, at_column;
        position_of(b, t, (int)word, line, column, &at_line, &at_column);
        warn_once(b->ctx, at_line, at_column,
                    "the word '%s' is wider than the line and is broken with a hyphen; add a "
                    "soft hyphen (&shy;) where it may break, or a space", excerpt);
    }
}

static paragraph *finish_paragraph(inline_builder *b, const text_style *ts, double width,
                                   int line, int column)
{
    const style *s = b->ctx->style;
    paragraph *p = xcalloc(1, sizeof *p);
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
    /* A paragraph's direction is the leaflet's (the context's base
     * direction), not guessed from its first letter: a line of Latin
     * letters or digits in an Arabic leaflet (a phone number, "Amsterdam
     * UMC") is still aligned right, and Arabic quoted in a Dutch leaflet
     * still left. Pango aligns "left" literally unless it guesses. */
    pango_layout_set_auto_dir(layout, FALSE);
    if (b->ctx->rtl)
        pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT);
    const char *lang = b->ctx->doc ? b->ctx->doc->meta.lang : NULL;
    if (lang) { /* before the spans' own languages, which override it */
        PangoAttribute *a = pango_attr_language_new(pango_language_from_string(lang));
        a->start_index = 0;
        a->end_index = PANGO_ATTR_INDEX_TO_TEXT_END;
        pango_attr_list_insert_before(b->attrs, a);
    }
    if (!b->text.data)
        strbuf_puts(&b->text, "");
    keep_hard_hyphens(b->attrs, b->text.data);
    if (b->hyphenate)
        keep_last_word(b);
    set_layout_text(layout, b);
    if (b->hyphenate)
        limit_hyphen_runs(b, layout, s->hyphenate_max_run > 0 ? s->hyphenate_max_run : 2);
    drop_lone_soft_hyphens(b, layout);
    report_long_words(b, layout, line, column);

    p->text = strbuf_take(&b->text);
    for (size_t i = 0; i < b->link_count; i++)
        if (b->links[i].elem->role == ROLE_LINK)
            b->links[i].elem->title = visible_text(p->text, (size_t)b->links[i].start,
                                                   (size_t)b->links[i].end);
    p->links = b->links;
    p->link_count = b->link_count;
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

double paragraph_line_x(paragraph *p, int i)
{
    if (!p->line_x) {
        /* once for all lines: Pango's iterator walks the layout from its top */
        int n = pango_layout_get_line_count(p->layout);
        p->line_x = xcalloc(n > 0 ? (size_t)n : 1, sizeof *p->line_x);
        PangoLayoutIter *iter = pango_layout_get_iter(p->layout);
        int k = 0;
        do {
            PangoRectangle logical;
            pango_layout_iter_get_line_extents(iter, NULL, &logical);
            if (k < n)
                p->line_x[k++] = logical.x / (double)PANGO_SCALE;
        } while (pango_layout_iter_next_line(iter));
        pango_layout_iter_free(iter);
    }
    return p->line_x[i];
}

bool lang_is_rtl(const char *lang)
{
    /* the primary subtag; a script subtag could say otherwise (az-Arab),
     * but no bundled font covers those */
    static const char *const rtl[] = {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks",
                                      "ps", "sd", "ug", "ur", "yi"};
    if (!lang)
        return false;
    size_t n = strcspn(lang, "-_");
    for (size_t i = 0; i < sizeof rtl / sizeof *rtl; i++)
        if (strlen(rtl[i]) == n && g_ascii_strncasecmp(lang, rtl[i], n) == 0)
            return true;
    return false;
}

void paragraph_free(paragraph *p)
{
    if (!p)
        return;
    free(p->line_x);
    g_object_unref(p->layout);
    if (p->space)
        g_object_unref(p->space);
    if (p->trimmed)
        g_ptr_array_free(p->trimmed, TRUE);
    free((char *)p->text);
    free(p->links);
    free(p);
}
