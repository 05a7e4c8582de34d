#include "doc.h"

#include <stdlib.h>
#include <string.h>

#include "frontmatter.h"
#include "textutil.h"

doc_node *doc_node_new(node_type type, int line, int column)
{
    doc_node *node = xcalloc(1, sizeof *node);
    node->type = type;
    node->line = line;
    node->column = column;
    return node;
}

void doc_node_append(doc_node *parent, doc_node *child)
{
    child->parent = parent;
    child->next = NULL;
    if (parent->last_child)
        parent->last_child->next = child;
    else
        parent->first_child = child;
    parent->last_child = child;
}

void doc_node_free(doc_node *node)
{
    /* Iterative over siblings, recursive over depth: depth is bounded by
     * parse's nesting limit, sibling chains are not. */
    while (node) {
        doc_node *next = node->next;
        doc_node_free(node->first_child);
        free(node->text);
        free(node->url);
        free(node->alt);
        free(node->caption);
        free(node->title);
        free(node->lang);
        free(node->segments);
        free(node);
        node = next;
    }
}

void doc_free(document *doc)
{
    if (!doc)
        return;
    doc_node_free(doc->root);
    meta_free(&doc->meta);
    free(doc->source_path);
    free(doc);
}

bool node_is_block(const doc_node *node)
{
    switch (node->type) {
    case NODE_DOCUMENT: case NODE_HEADING: case NODE_PARAGRAPH: case NODE_LIST:
    case NODE_ITEM: case NODE_ALERT: case NODE_IMAGE:
        return true;

    default:
        return false;
    }
}

static bool can_have_children(const doc_node *node)
{
    switch (node->type) {
    case NODE_TEXT: case NODE_LINE_BREAK: case NODE_IMAGE:
        return false;
    default:
        return true;
    }
}

void doc_walker_init(doc_walker *w, doc_node *root)
{
    w->root = root;
    w->current = root;
    w->event = WALK_ENTER;
    w->started = false;
}

bool doc_walker_next(doc_walker *w)
{
    if (!w->root)
        return false;
    if (!w->started) {
        w->started = true;
        return true;
    }
    doc_node *node = w->current;
    if (w->event == WALK_ENTER && can_have_children(node)) {
        if (node->first_child) {
            w->current = node->first_child;
            w->event = WALK_ENTER;
        } else {
            w->event = WALK_EXIT;
        }
        return true;
    }
    if (node == w->root)
        return false;
    if (node->next) {
        w->current = node->next;
        w->event = WALK_ENTER;
        return true;
    }
    w->current = node->parent;
    w->event = WALK_EXIT;
    return true;
}

void doc_text_position(const doc_node *text_node, size_t byte_offset, int *line, int *column)
{
    const char *text = text_node->text ? text_node->text : "";
    size_t from = 0;
    int l = text_node->line, c = text_node->column;
    if (text_node->segment_count) {
        /* the last segment that starts at or before byte_offset */
        size_t lo = 0, hi = text_node->segment_count;
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (text_node->segments[mid].offset <= byte_offset)
                lo = mid;
            else
                hi = mid;
        }
        const doc_text_segment *s = &text_node->segments[lo];
        from = s->offset <= byte_offset ? s->offset : byte_offset;
        l = s->line;
        c = s->column;
    }
    for (size_t i = from; i < byte_offset && text[i]; i++) /* parse keeps segments short */
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            c++;
    *line = l;
    *column = c;
}

bool doc_text_literal_at(const doc_node *text_node, size_t byte_offset)
{
    size_t lo = 0, hi = text_node->segment_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (text_node->segments[mid].offset < byte_offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    const doc_text_segment *s = lo < text_node->segment_count ? &text_node->segments[lo] : NULL;
    return s && s->offset == byte_offset && s->literal;
}

char *doc_plain_text(const doc_node *node)
{
    strbuf out = {0};
    doc_walker w;
    doc_walker_init(&w, (doc_node *)node);
    while (doc_walker_next(&w)) {
        if (w.event != WALK_ENTER)
            continue;
        if (w.current->type == NODE_TEXT && w.current->text)
            strbuf_puts(&out, w.current->text);
        else if (w.current->type == NODE_LINE_BREAK)
            strbuf_puts(&out, " ");
    }
    return strbuf_take(&out);
}

const char *alert_kind_name(alert_kind kind)
{
    static const char *const names[] = {"note", "tip", "important", "warning", "caution"};
    return names[kind];
}
