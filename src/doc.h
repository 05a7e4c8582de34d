/* The document tree: what a leaflet says, not how it looks.
 *
 * parse builds it from a source file and validate checks it; layout reads
 * it together with a style (style.h), which it never writes into the tree,
 * so one parsed document serves every variant. Nodes own their children and strings;
 * doc_free releases everything. Walk it with doc_walk (cmark-style
 * enter/exit events), which every consumer shares. */
#ifndef LEAFPRESS_DOC_H
#define LEAFPRESS_DOC_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    /* blocks */
    NODE_DOCUMENT,
    NODE_HEADING,   /* level 1..3 */
    NODE_PARAGRAPH,
    NODE_LIST,      /* ordered, start */
    NODE_ITEM,      /* children: blocks (paragraphs, nested lists) */
    NODE_ALERT,     /* GitHub alert block quote; alert kind; children: blocks */
    NODE_IMAGE,     /* an image standing alone in its paragraph; url = path, alt */
    /* inlines */
    NODE_TEXT,      /* text */
    NODE_EMPHASIS,
    NODE_STRONG,
    NODE_LINK,      /* url; children: inlines */
    NODE_LINE_BREAK,/* hard break */
    NODE_SPAN       /* [text]{lang=en}: lang; children: inlines */
} node_type;

typedef enum { ALERT_NOTE, ALERT_TIP, ALERT_IMPORTANT, ALERT_WARNING, ALERT_CAUTION } alert_kind;


/* Where a piece of a NODE_TEXT's text came from. Between one segment's
 * offset and the next, each character of the text stands for one character
 * of the source, on one line; a new segment starts wherever that breaks (a
 * joined line, an entity, an escape, an ellipsis made of three dots), and
 * at least every 64 bytes, so that a lookup never counts far. */
typedef struct doc_text_segment {
    size_t offset;             /* byte offset in the node's text */
    int line, column;          /* source position of that byte's character, 1-based */
    bool literal;              /* its first character was an escape ("\*") or an entity: not markup */
} doc_text_segment;

typedef struct doc_node {
    node_type type;
    struct doc_node *parent, *first_child, *last_child, *next;
    int line, column;          /* where it starts in the source file, 1-based */

    int level;                 /* NODE_HEADING */
    bool ordered;              /* NODE_LIST */
    int start;                 /* NODE_LIST, ordered: first number */
    alert_kind alert;          /* NODE_ALERT */
    char *text;                /* NODE_TEXT: UTF-8, typographic quotes already applied */
    char *url;                 /* NODE_LINK: destination; NODE_IMAGE: resolved file path */
    char *alt;                 /* NODE_IMAGE: alt text */
    double width_share;        /* NODE_IMAGE {width=60%}: share of the text width; 0: none */
    double width_mm;           /* NODE_IMAGE {width=50mm}; 0: none */
    char *caption;             /* NODE_IMAGE: the *caption* paragraph after it; may be NULL */
    char *title;               /* NODE_ALERT: optional title after [!KIND] (may be NULL) */
    char *lang;                /* NODE_SPAN: BCP 47 tag of its text, e.g. "en" (NULL after an error) */
    doc_text_segment *segments; /* NODE_TEXT from a source: in offset order, the first at 0; */
    size_t segment_count;      /* 0 for generated text (then line/column is all there is) */

} doc_node;

/* One entry of sources/contacts.yaml. */
typedef struct contact {
    char *id;
    char *organisation;
    char *department;          /* may be NULL */
    char *description;         /* what to call about; may be NULL */
    char **phones;             /* display form, e.g. "020 444 44 44" */
    char **phone_labels;       /* parallel to phones; entries may be NULL */
    size_t phone_count;
    char *hours;               /* opening hours, free text; may be NULL */
    char *email;               /* may be NULL */
    char *website;             /* https URL; may be NULL */
    bool urgent;               /* the urgent line: drawn highlighted, listed first */
    int line, column;          /* where it is defined in contacts.yaml */
} contact;

typedef struct contact_registry {
    char *path;
    contact *items;
    size_t count;
    const char **ids;          /* items[i].id, NULL-terminated: for contacts_ids */
    const contact **by_id;     /* items sorted by id: contacts_find is a binary search */
} contact_registry;

/* Everything in the front matter. Strings are UTF-8 and owned. */
typedef struct leaflet_meta {
    char *title;
    char *subtitle;            /* may be NULL */
    char *short_title;         /* running footer; defaults to title */
    char *lang;                /* BCP 47, e.g. "nl-NL" */
    char *publisher;
    char **authors;      size_t author_count;
    char **reviewers;    size_t reviewer_count;
    char *review_note;         /* e.g. who checked the text; may be NULL */
    int updated_year, updated_month, updated_day; /* day 0 when only year-month given */
    int updated_line, updated_column; /* where updated is, for review.h's warning */
    /* review_by: when the text must be reviewed again (review.h); year 0 when not given */
    int review_year, review_month, review_day;
    int review_line, review_column; /* where review_by is, for its warning; 0 when absent */
    char *subject;             /* one-sentence description, PDF Subject */
    char **keywords;     size_t keyword_count;
    char **contact_ids;  size_t contact_count;    /* as named in the front matter */
    const contact **contacts;                      /* resolved against the registry */
    char *slug;                /* output base name; defaults to the source file's base name */
    char *contact_sheet;       /* title of an extra one-page contact sheet; may be NULL */
    char *colophon_title;      /* heading above the colophon; NULL: the language's default */
    char *code, *version;      /* document code ("CARD-012") and version; may be NULL */
    char *publisher_website;   /* https URL for the back cover; may be NULL */
    char *publisher_address;   /* postal address for the back cover; may be NULL */
    /* cover_image: a photo for the cover. As written, where, and (after
     * parsing) its real path inside the project; NULL when not given */
    char *cover_image_src, *cover_image, *cover_image_alt;
    int cover_image_line, cover_image_column;
    char *style;               /* style name; defaults to "house" */
    int style_line, style_column; /* where the style value is, for "unknown style"; 0 when defaulted */
    char *theme;               /* theme name (themes/NAME.yaml); NULL: the root style's look */
    int theme_line, theme_column; /* where the theme value is; 0 when absent */
} leaflet_meta;

typedef struct document {
    char *source_path;         /* as given on the command line */
    leaflet_meta meta;
    doc_node *root;            /* NODE_DOCUMENT */
} document;

doc_node *doc_node_new(node_type type, int line, int column);
void doc_node_append(doc_node *parent, doc_node *child);
void doc_free(document *doc);  /* frees tree, meta and strings; not the registry */
void doc_node_free(doc_node *node);

/* Walker. ENTER for every node, EXIT for every node that can have children. */
typedef enum { WALK_ENTER, WALK_EXIT } walk_event;
typedef struct doc_walker {
    doc_node *root, *current;
    walk_event event;
    bool started;
} doc_walker;
void doc_walker_init(doc_walker *w, doc_node *root);
/* Advances; returns false when done. Read w->current and w->event. */
bool doc_walker_next(doc_walker *w);

/* The source line and column of the character at byte_offset of a
 * NODE_TEXT's text (joined soft line breaks included: a paragraph's second
 * line maps to the second source line). For text without segments, the
 * node's own position plus the characters before byte_offset. */
void doc_text_position(const doc_node *text_node, size_t byte_offset, int *line, int *column);

/* Whether the character at byte_offset of a NODE_TEXT's text was written
 * as an escape or an entity ("\[", "&lsqb;"): text, never markup. */
bool doc_text_literal_at(const doc_node *text_node, size_t byte_offset);

/* Concatenated text of a node's inline descendants (caller frees). */
char *doc_plain_text(const doc_node *node);

bool node_is_block(const doc_node *node);
const char *alert_kind_name(alert_kind kind); /* "tip", "warning", ... */

#endif
