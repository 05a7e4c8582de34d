/* readback: reads every typeset PDF back and checks it against its source,
 * with the project's own parser as the oracle.
 *
 *   readback --output DIR      (run from the repository root; ctest does)
 *
 * DIR holds what `leafpress build -o DIR` wrote. For every sources/NAME.md
 * the house PDF <slug>.pdf, the large-print <slug>-grote-letter.pdf and,
 * with contact_sheet:, <slug>-telefoonnummers.pdf are checked. One cmocka
 * test per PDF and property; every problem is printed with the file, the
 * page and what differs, then the test fails:
 *
 *   text        the visible text (poppler, reading order, footer zone apart)
 *               is the source's words and the generated ones (cover band,
 *               contact block, colophon), in order, nothing lost, nothing
 *               extra, nothing doubled; the footer zone holds exactly the
 *               running footer; large print breaks no word with a hyphen
 *   structure   one Document root; H1-H3 = source headings + generated ones,
 *               no level skipped; L > LI > (Lbl, LBody), one LI per item,
 *               labels as drawn; alerts and contacts as Divs holding P; the
 *               structure tree's text is the source's text in logical order;
 *               every glyph is tagged or an Artifact, every MCID owned by
 *               exactly one element, Artifacts hold only the running footer
 *   links       link annotations (reading order) = source links + contact
 *               links; each Link element tags exactly its text and owns
 *               annotations to its URI
 *   fonts       embedded, subset, Atkinson Hyperlegible Next or DejaVu Sans,
 *               no Type 3
 *   page size   A5 house, A4 large print, A4 one-page contact sheet
 *   font sizes  large print nothing under 16 pt; house body text 10.5 pt
 *   glyphs      no U+FFFD, control, private-use or unmapped glyph codes
 *   bookmarks   = headings, nested by level, each to its heading's page
 *   metadata    Title, Subject, Keywords; XMP pdfuaid:part 1 and dc:title
 *   catalog     /Lang, DisplayDocTitle, /MarkInfo, /StructTreeRoot; /Tabs /S
 *               and /Contents + /StructParent on every link annotation
 *   hyphenation soft hyphens in the longest house PDF, none in large print
 *
 * Why qpdf for the structure text: poppler-glib 22.12 cannot give it here.
 * poppler_structure_element_get_text stops at the first nested marked-
 * content sequence (cairo writes every zero-glyph cluster, such as an
 * unbroken soft hyphen or a wrapped line's space, as an empty
 * /Span <</ActualText ...>> BDC EMC inside the element's MCID) and decodes
 * its UTF-8 as PDFDocEncoding. poppler's own reading of the tree's shape
 * is still compared with ours. */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <glob.h>
#include <math.h>
#include <poppler.h>
#include <qpdf/qpdf-c.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contacts.h"
#include "diag.h"
#include "doc.h"
#include "parse.h"
#include "style.h"
#include "textutil.h"

/* ==== small helpers ===================================================== */

#define MAX_REPORTS 12 /* per test: the first problems in full, then a count */

typedef struct checker {
    const char *file;   /* PDF base name, for messages */
    const char *what;   /* the property */
    int problems;
} checker;

static void problem(checker *ck, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void problem(checker *ck, const char *format, ...)
{
    ck->problems++;
    if (ck->problems > MAX_REPORTS) {
        if (ck->problems == MAX_REPORTS + 1)
            printf("  %s: %s: (further problems not shown)\n", ck->file, ck->what);
        return;
    }
    va_list args;
    va_start(args, format);
    printf("  %s: %s: ", ck->file, ck->what);
    vprintf(format, args);
    printf("\n");
    va_end(args);
}

/* READBACK_VERBOSE=1: say what each check compared, even when it passes. */
static void note(const checker *ck, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void note(const checker *ck, const char *format, ...)
{
    if (!getenv("READBACK_VERBOSE"))
        return;
    va_list args;
    va_start(args, format);
    printf("  %s: %s: compared ", ck->file, ck->what);
    vprintf(format, args);
    printf("\n");
    va_end(args);
}

/* A growable array of strings (owned). */
typedef struct strvec {
    char **items;
    size_t count, capacity;
} strvec;

static void strvec_push(strvec *v, char *owned)
{
    if (v->count == v->capacity) {
        v->capacity = v->capacity ? v->capacity * 2 : 16;
        v->items = xrealloc(v->items, v->capacity * sizeof *v->items);
    }
    v->items[v->count++] = owned;
}

static void strvec_free(strvec *v)
{
    for (size_t i = 0; i < v->count; i++)
        free(v->items[i]);
    free(v->items);
    *v = (strvec){0};
}

/* Shortens text for a message: the first `max` characters, on one line. */
static char *excerpt(const char *text, size_t max)
{
    strbuf b = {0};
    size_t n = 0;
    for (const char *p = text ? text : ""; *p && n < max; p = g_utf8_next_char(p), n++) {
        gunichar c = g_utf8_get_char(p);
        if (c == '\n')
            strbuf_puts(&b, "⏎");
        else if (c < 0x20 || c == 0xFFFD || c == 0xAD)
            strbuf_printf(&b, "<U+%04X>", (unsigned)c);
        else
            strbuf_append(&b, p, (size_t)(g_utf8_next_char(p) - p));
    }
    if (text && *text && n >= max)
        strbuf_puts(&b, "…");
    if (!b.data)
        strbuf_puts(&b, "");
    return strbuf_take(&b);
}

/* ==== words ============================================================== */

/* A text as a sequence of words. Both sides (source and PDF) go through the
 * same normalisation: Unicode NFC; a soft hyphen U+00AD is dropped, and when
 * it ends a line the two halves of the word are joined; no-break and other
 * fixed spaces count as spaces. Punctuation and quotes are kept. */
typedef struct word {
    char *text;
    bool line_end;     /* a line break (not just a space) follows */
    int page;          /* 0-based page, -1 when not from a page */
    int unit;          /* expected side: index of the text unit it comes from */
    bool footer;       /* PDF side: accounted for as running-footer text */
    bool matched;      /* PDF side: matched by an expected word */
    char *canonical;   /* PDF side: the expected word it matched (borrowed), else text */
} word;

typedef struct wordlist {
    word *items;
    size_t count, capacity;
} wordlist;

static void wordlist_push(wordlist *l, word w)
{
    if (l->count == l->capacity) {
        l->capacity = l->capacity ? l->capacity * 2 : 64;
        l->items = xrealloc(l->items, l->capacity * sizeof *l->items);
    }
    l->items[l->count++] = w;
}

static void wordlist_free(wordlist *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i].text);
    free(l->items);
    *l = (wordlist){0};
}

static bool is_space_char(gunichar c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v' ||
           c == 0xA0 || c == 0x202F || c == 0x2007 || c == 0x2009 || c == 0x200A ||
           c == 0x2002 || c == 0x2003 || c == 0x3000 || c == 0x2028 || c == 0x2029;
}

/* NFC; soft hyphens out (joining across a line break after one). */
static char *normalize_text(const char *raw)
{
    if (!raw)
        return xstrdup("");
    gchar *valid = g_utf8_make_valid(raw, -1);
    gchar *nfc = g_utf8_normalize(valid, -1, G_NORMALIZE_NFC);
    g_free(valid);
    if (!nfc)
        return xstrdup("");
    strbuf out = {0};
    for (const char *p = nfc; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c == 0xAD) {
            const char *q = g_utf8_next_char(p);
            while (*q == ' ')
                q++;
            if (*q == '\n')
                p = q; /* the loop steps over the line break: halves joined */
            continue;
        }
        strbuf_append(&out, p, (size_t)(g_utf8_next_char(p) - p));
    }
    g_free(nfc);
    if (!out.data)
        strbuf_puts(&out, "");
    return strbuf_take(&out);
}

/* List labels (bullets, "3.") are generated and placed beside the text, so
 * where a text extractor puts them is its own business: they are checked on
 * the Lbl elements instead and left out of word sequences on both sides. */
static const char *label_bullets[8];
static size_t label_bullet_count;

static bool is_label_word(const char *w)
{
    for (size_t i = 0; i < label_bullet_count; i++)
        if (strcmp(w, label_bullets[i]) == 0)
            return true;
    size_t n = strlen(w);
    if (n < 2 || w[n - 1] != '.')
        return false;
    for (size_t i = 0; i + 1 < n; i++)
        if (w[i] < '0' || w[i] > '9')
            return false;
    return true;
}

static void add_words(wordlist *out, const char *raw, int page, int unit)
{
    char *text = normalize_text(raw);
    const char *p = text;
    while (*p) {
        while (*p && is_space_char(g_utf8_get_char(p)))
            p = g_utf8_next_char(p);
        if (!*p)
            break;
        const char *start = p;
        while (*p && !is_space_char(g_utf8_get_char(p)))
            p = g_utf8_next_char(p);
        char *w = xstrndup(start, (size_t)(p - start));
        bool line_end = *p == '\0';
        for (const char *q = p; *q && is_space_char(g_utf8_get_char(q)); q = g_utf8_next_char(q))
            if (*q == '\n')
                line_end = true;
        if (is_label_word(w)) {
            free(w);
            if (line_end && out->count)
                out->items[out->count - 1].line_end = true;
            continue;
        }
        wordlist_push(out, (word){.text = w, .line_end = line_end, .page = page, .unit = unit});
    }
    free(text);
}

static char *words_joined(const wordlist *l, size_t from, size_t to)
{
    strbuf b = {0};
    for (size_t i = from; i < to && i < l->count; i++)
        strbuf_printf(&b, "%s%s", i == from ? "" : " ", l->items[i].text);
    if (!b.data)
        strbuf_puts(&b, "");
    return strbuf_take(&b);
}

static char *normalized_words_string(const char *raw)
{
    wordlist l = {0};
    add_words(&l, raw, -1, -1);
    char *s = words_joined(&l, 0, l.count);
    wordlist_free(&l);
    return s;
}

/* ==== what a PDF should say: built from the parsed source ================ */

typedef enum { UNIT_BODY, UNIT_GENERATED } unit_kind;

typedef struct unit {
    char *text;
    unit_kind kind;
    bool band;             /* in the colour band at the top of page 1 */
    char *origin;          /* "sources/pto.md:12" or "generated: colophon" */
} unit;

typedef struct heading {
    int level;
    char *text;
} heading;

typedef struct expected_link {
    char *uri;
    char *text;
} expected_link;

typedef struct expected_div {
    char *what;            /* "alert at sources/x.md:12", "contact block", ... */
    size_t first_unit, unit_count;
} expected_div;

typedef struct expectation {
    unit *units;
    size_t unit_count, unit_capacity;
    heading *headings;
    size_t heading_count;
    expected_link *links;
    size_t link_count;
    expected_div *divs;
    size_t div_count;
    strvec labels;         /* list labels in reading order */
    size_t item_count;     /* NODE_ITEM, all levels */
    size_t list_count;     /* NODE_LIST, all levels */
    size_t figure_count;
} expectation;

static size_t add_unit(expectation *e, const char *text, unit_kind kind, const char *origin)
{
    if (e->unit_count == e->unit_capacity) {
        e->unit_capacity = e->unit_capacity ? e->unit_capacity * 2 : 32;
        e->units = xrealloc(e->units, e->unit_capacity * sizeof *e->units);
    }
    e->units[e->unit_count] = (unit){xstrdup(text ? text : ""), kind, false, xstrdup(origin)};
    return e->unit_count++;
}

static void add_heading(expectation *e, int level, const char *text)
{
    e->headings = xrealloc(e->headings, (e->heading_count + 1) * sizeof *e->headings);
    e->headings[e->heading_count++] = (heading){level, normalized_words_string(text)};
}

static void add_link(expectation *e, const char *uri, const char *text)
{
    e->links = xrealloc(e->links, (e->link_count + 1) * sizeof *e->links);
    e->links[e->link_count++] = (expected_link){xstrdup(uri ? uri : ""), normalized_words_string(text)};
}

static size_t add_div(expectation *e, const char *what)
{
    e->divs = xrealloc(e->divs, (e->div_count + 1) * sizeof *e->divs);
    e->divs[e->div_count] = (expected_div){xstrdup(what), e->unit_count, 0};
    return e->div_count++;
}

static void close_div(expectation *e, size_t div)
{
    e->divs[div].unit_count = e->unit_count - e->divs[div].first_unit;
}

static void expectation_free(expectation *e)
{
    for (size_t i = 0; i < e->unit_count; i++) {
        free(e->units[i].text);
        free(e->units[i].origin);
    }
    free(e->units);
    for (size_t i = 0; i < e->heading_count; i++)
        free(e->headings[i].text);
    free(e->headings);
    for (size_t i = 0; i < e->link_count; i++) {
        free(e->links[i].uri);
        free(e->links[i].text);
    }
    free(e->links);
    for (size_t i = 0; i < e->div_count; i++)
        free(e->divs[i].what);
    free(e->divs);
    strvec_free(&e->labels);
    *e = (expectation){0};
}

static char *origin_of(const document *doc, const doc_node *n)
{
    strbuf b = {0};
    strbuf_printf(&b, "%s:%d", doc->source_path, n ? n->line : 0);
    return strbuf_take(&b);
}

/* Links inside inline content, in order. */
static void collect_links(expectation *e, const doc_node *first, const doc_node *end)
{
    for (const doc_node *n = first; n && n != end; n = n->next) {
        if (n->type == NODE_LINK) {
            char *text = doc_plain_text(n);
            add_link(e, n->url, text);
            free(text);
        } else if (n->first_child) {
            collect_links(e, n->first_child, NULL);
        }
    }
}

static char *inline_text(const doc_node *first, const doc_node *end)
{
    strbuf b = {0};
    for (const doc_node *n = first; n && n != end; n = n->next) {
        char *t = doc_plain_text(n);
        strbuf_puts(&b, t);
        free(t);
    }
    if (!b.data)
        strbuf_puts(&b, "");
    return strbuf_take(&b);
}

static void expect_blocks(expectation *e, const document *doc, const doc_node *first,
                          const char *const *bullets, int depth);

static void expect_list(expectation *e, const document *doc, const doc_node *list,
                        const char *const *bullets, int depth)
{
    e->list_count++;
    int number = list->start;
    for (const doc_node *item = list->first_child; item; item = item->next, number++) {
        if (item->type != NODE_ITEM)
            continue;
        e->item_count++;
        char label[32];
        if (list->ordered)
            snprintf(label, sizeof label, "%d.", number);
        else
            snprintf(label, sizeof label, "%s", bullets[depth % 3] ? bullets[depth % 3] : "");
        strvec_push(&e->labels, xstrdup(label));
        expect_blocks(e, doc, item->first_child, bullets, depth + 1);
    }
}

/* Mirrors what a reader gets from the body: every block's inline text, in
 * order; an alert's title before its body. */
static void expect_blocks(expectation *e, const document *doc, const doc_node *first,
                          const char *const *bullets, int depth)
{
    for (const doc_node *n = first; n;) {
        if (!node_is_block(n)) {
            const doc_node *end = n;
            while (end && !node_is_block(end))
                end = end->next;
            char *text = inline_text(n, end);
            char *origin = origin_of(doc, n);
            add_unit(e, text, UNIT_BODY, origin);
            collect_links(e, n, end);
            free(origin);
            free(text);
            n = end;
            continue;
        }
        char *origin = origin_of(doc, n);
        switch (n->type) {
        case NODE_HEADING: {
            char *text = doc_plain_text(n);
            add_unit(e, text, UNIT_BODY, origin);
            add_heading(e, n->level, text);
            collect_links(e, n->first_child, NULL);
            free(text);
            break;
        }
        case NODE_PARAGRAPH: {
            char *text = doc_plain_text(n);
            add_unit(e, text, UNIT_BODY, origin);
            collect_links(e, n->first_child, NULL);
            free(text);
            break;
        }
        case NODE_LIST:
            expect_list(e, doc, n, bullets, depth);
            break;
        case NODE_ALERT: {
            strbuf what = {0};
            strbuf_printf(&what, "%s box at %s", alert_kind_name(n->alert), origin);
            char *w = strbuf_take(&what);
            size_t div = add_div(e, w);
            free(w);
            if (n->title)
                add_unit(e, n->title, UNIT_BODY, origin);
            expect_blocks(e, doc, n->first_child, bullets, 0);
            close_div(e, div);
            break;
        }
        case NODE_IMAGE:
            e->figure_count++;
            break;
        case NODE_ITEM:
            expect_blocks(e, doc, n->first_child, bullets, depth);
            break;
        default:
            break;
        }
        free(origin);
        n = n->next;
    }
}

/* The generated words: src/layout_generated.c (labels) and
 * README-sources.md (colophon order). Dutch only: every source is nl. */
static const char *const months_nl[] = {"januari", "februari", "maart", "april", "mei", "juni",
                                        "juli", "augustus", "september", "oktober",
                                        "november", "december"};
#define LABEL_CONTACTS "Contactgegevens"
#define LABEL_COLOPHON "Over deze folder"

static char *website_shown(const char *url)
{
    const char *s = url;
    if (strncmp(s, "https://", 8) == 0)
        s += 8;
    else if (strncmp(s, "http://", 7) == 0)
        s += 7;
    char *shown = xstrdup(s);
    size_t n = strlen(shown);
    if (n && shown[n - 1] == '/')
        shown[n - 1] = '\0';
    return shown;
}

static void expect_contact(expectation *e, const contact *c)
{
    strbuf what = {0};
    strbuf_printf(&what, "contact entry '%s'", c->id);
    char *w = strbuf_take(&what);
    size_t div = add_div(e, w);
    strbuf b = {0};
    strbuf_puts(&b, c->organisation);
    if (c->department)
        strbuf_printf(&b, ", %s", c->department);
    char *text = strbuf_take(&b);
    add_unit(e, text, UNIT_GENERATED, w);
    free(text);
    if (c->description)
        add_unit(e, c->description, UNIT_GENERATED, w);
    for (size_t i = 0; i < c->phone_count; i++) {
        if (c->phone_labels && c->phone_labels[i])
            strbuf_printf(&b, "%s: ", c->phone_labels[i]);
        strbuf_puts(&b, c->phones[i]);
        text = strbuf_take(&b);
        add_unit(e, text, UNIT_GENERATED, w);
        free(text);
        char *uri = phone_tel_uri(c->phones[i]);
        add_link(e, uri, c->phones[i]);
        free(uri);
    }
    if (c->hours)
        add_unit(e, c->hours, UNIT_GENERATED, w);
    if (c->email) {
        strbuf_printf(&b, "E-mail: %s", c->email);
        text = strbuf_take(&b);
        add_unit(e, text, UNIT_GENERATED, w);
        free(text);
        strbuf_printf(&b, "mailto:%s", c->email);
        char *uri = strbuf_take(&b);
        add_link(e, uri, c->email);
        free(uri);
    }
    if (c->website) {
        char *shown = website_shown(c->website);
        add_unit(e, shown, UNIT_GENERATED, w);
        add_link(e, c->website, shown);
        free(shown);
    }
    close_div(e, div);
    free(w);
}

/* The contact block: urgent lines first, then in the order the leaflet names them. */
static void expect_contacts(expectation *e, const leaflet_meta *m, bool with_heading)
{
    if (with_heading) {
        add_unit(e, LABEL_CONTACTS, UNIT_GENERATED, "generated: contact block heading");
        add_heading(e, 2, LABEL_CONTACTS);
    }
    size_t block = add_div(e, "contact block");
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < m->contact_count; i++)
            if (m->contacts[i] && m->contacts[i]->urgent == (pass == 0))
                expect_contact(e, m->contacts[i]);
    close_div(e, block);
}

static void expect_colophon(expectation *e, const leaflet_meta *m)
{
    const char *origin = "generated: colophon";
    const char *colophon_heading = m->colophon_title ? m->colophon_title : LABEL_COLOPHON;
    add_unit(e, colophon_heading, UNIT_GENERATED, origin);
    add_heading(e, 2, colophon_heading);
    strbuf b = {0};
    char *text;
    if (m->review_note)
        add_unit(e, m->review_note, UNIT_GENERATED, origin);
    if (m->updated_month >= 1 && m->updated_month <= 12) {
        strbuf_puts(&b, "Laatste update: ");
        if (m->updated_day)
            strbuf_printf(&b, "%d ", m->updated_day);
        strbuf_printf(&b, "%s %d", months_nl[m->updated_month - 1], m->updated_year);
        text = strbuf_take(&b);
        add_unit(e, text, UNIT_GENERATED, origin);
        free(text);
    }
    if (m->author_count) {
        strbuf_puts(&b, "Dit artikel is geschreven door ");
        for (size_t i = 0; i < m->author_count; i++)
            strbuf_printf(&b, "%s%s", i == 0 ? "" : i + 1 == m->author_count ? " en " : ", ",
                          m->authors[i]);
        strbuf_puts(&b, ".");
        text = strbuf_take(&b);
        add_unit(e, text, UNIT_GENERATED, origin);
        free(text);
    }
    if (m->reviewer_count) {
        strbuf_puts(&b, "Met medewerking van ");
        for (size_t i = 0; i < m->reviewer_count; i++)
            strbuf_printf(&b, "%s%s", i == 0 ? "" : "; ", m->reviewers[i]);
        text = strbuf_take(&b);
        add_unit(e, text, UNIT_GENERATED, origin);
        free(text);
    }
    if (m->publisher) {
        strbuf_printf(&b, "Uitgave: %s", m->publisher);
        text = strbuf_take(&b);
        add_unit(e, text, UNIT_GENERATED, origin);
        free(text);
    }
}

static void build_leaflet_expectation(expectation *e, const document *doc,
                                      const char *const *bullets)
{
    const leaflet_meta *m = &doc->meta;
    const doc_node *first = doc->root ? doc->root->first_child : NULL;
    const doc_node *title =
        first && first->type == NODE_HEADING && first->level == 1 ? first : NULL;
    /* the cover: title, subtitle, publisher, and, without a cover photo, the
     * subject sentence (every seed's fits) */
    char *title_text = title ? doc_plain_text(title) : xstrdup(m->title);
    char *origin = origin_of(doc, title);
    add_unit(e, title_text, title ? UNIT_BODY : UNIT_GENERATED, origin);
    add_heading(e, 1, title_text);
    if (title)
        collect_links(e, title->first_child, NULL);
    free(origin);
    free(title_text);
    if (m->subtitle)
        add_unit(e, m->subtitle, UNIT_GENERATED, "generated: cover subtitle");
    if (m->publisher)
        add_unit(e, m->publisher, UNIT_GENERATED, "generated: cover publisher");
    if (m->subject && !m->cover_image)
        add_unit(e, m->subject, UNIT_GENERATED, "generated: cover subject");
    for (size_t i = 0; i < e->unit_count; i++)
        e->units[i].band = true;
    expect_blocks(e, doc, title ? title->next : first, bullets, 0);
    if (m->contact_count)
        expect_contacts(e, m, true);
    expect_colophon(e, m);
}

static void build_sheet_expectation(expectation *e, const document *doc)
{
    const leaflet_meta *m = &doc->meta;
    /* the band: title, the leaflet's title as subtitle, publisher; then the contacts */
    add_unit(e, m->contact_sheet, UNIT_GENERATED, "generated: contact sheet title");
    add_heading(e, 1, m->contact_sheet);
    add_unit(e, m->title, UNIT_GENERATED, "generated: contact sheet subtitle");
    if (m->publisher)
        add_unit(e, m->publisher, UNIT_GENERATED, "generated: contact sheet publisher");
    for (size_t i = 0; i < e->unit_count; i++)
        e->units[i].band = true;
    expect_contacts(e, m, false);
}

static void expectation_words(const expectation *e, wordlist *out)
{
    for (size_t i = 0; i < e->unit_count; i++)
        add_words(out, e->units[i].text, -1, (int)i);
}

/* ==== tagged content, read with qpdf ====================================
 *
 * poppler-glib 22.12 cannot give the text of structure elements here:
 * poppler_structure_element_get_text stops at the first nested marked-
 * content sequence (cairo writes every zero-glyph cluster, such as an
 * unbroken soft hyphen or a wrapped line's space, as an empty
 * /Span <</ActualText ...>> BDC EMC inside the element's MCID), and it
 * decodes its UTF-8 as PDFDocEncoding (a no-break space reads "Â€").
 * So the logical text is read here from the content streams: a small
 * lexer, the fonts' ToUnicode CMaps, ActualText, MCIDs, and the structure
 * tree's /K references. This is also what makes "no text outside the
 * structure" exact: every glyph is in a tagged MCID or in an Artifact. */

typedef enum { PO_EOF, PO_NUM, PO_STR, PO_NAME, PO_OP, PO_ARRAY, PO_DICT, PO_END_ARRAY, PO_END_DICT } po_type;

typedef struct pobj {
    po_type type;
    double num;
    char *data;              /* STR: raw bytes; NAME: without '/'; OP: keyword */
    size_t len;
    struct pobj *items;      /* ARRAY; DICT as key, value, key, value… */
    size_t n;
} pobj;

typedef struct lexer {
    const unsigned char *p, *end;
} lexer;

static void pobj_free(pobj *o)
{
    free(o->data);
    for (size_t i = 0; i < o->n; i++)
        pobj_free(&o->items[i]);
    free(o->items);
    *o = (pobj){0};
}

static bool pdf_space(int c) { return c == 0 || c == 9 || c == 10 || c == 12 || c == 13 || c == 32; }
static bool pdf_delim(int c) { return c && strchr("()<>[]{}/%", c) != NULL; }

static void lex_skip_space(lexer *lx)
{
    while (lx->p < lx->end) {
        if (pdf_space(*lx->p)) {
            lx->p++;
        } else if (*lx->p == '%') {
            while (lx->p < lx->end && *lx->p != '\n' && *lx->p != '\r')
                lx->p++;
        } else {
            break;
        }
    }
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void pobj_append(pobj *o, pobj item)
{
    o->items = xrealloc(o->items, (o->n + 1) * sizeof *o->items);
    o->items[o->n++] = item;
}

static pobj lex_next(lexer *lx, int depth);

static pobj lex_container(lexer *lx, po_type type, po_type end, int depth)
{
    pobj o = {.type = type};
    for (;;) {
        pobj item = lex_next(lx, depth + 1);
        if (item.type == end || item.type == PO_EOF)
            break;
        pobj_append(&o, item);
    }
    return o;
}

static pobj lex_next(lexer *lx, int depth)
{
    lex_skip_space(lx);
    if (lx->p >= lx->end || depth > 32)
        return (pobj){.type = PO_EOF};
    int c = *lx->p;
    strbuf b = {0};
    if (c == '(') {
        int nesting = 1;
        lx->p++;
        while (lx->p < lx->end) {
            int ch = *lx->p++;
            if (ch == '\\' && lx->p < lx->end) {
                int e = *lx->p++;
                char out = 0;
                switch (e) {
                case 'n': out = '\n'; break;
                case 'r': out = '\r'; break;
                case 't': out = '\t'; break;
                case 'b': out = '\b'; break;
                case 'f': out = '\f'; break;
                case '\r':
                    if (lx->p < lx->end && *lx->p == '\n')
                        lx->p++;
                    continue;
                case '\n':
                    continue;
                default:
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int k = 0; k < 2 && lx->p < lx->end && *lx->p >= '0' && *lx->p <= '7'; k++)
                            v = v * 8 + (*lx->p++ - '0');
                        out = (char)v;
                    } else {
                        out = (char)e;
                    }
                }
                strbuf_append(&b, &out, 1);
                continue;
            }
            if (ch == '(')
                nesting++;
            else if (ch == ')' && --nesting == 0)
                break;
            char cc = (char)ch;
            strbuf_append(&b, &cc, 1);
        }
        pobj o = {.type = PO_STR, .len = b.length};
        o.data = b.data ? strbuf_take(&b) : xstrdup("");
        return o;
    }
    if (c == '<') {
        if (lx->p + 1 < lx->end && lx->p[1] == '<') {
            lx->p += 2;
            return lex_container(lx, PO_DICT, PO_END_DICT, depth);
        }
        lx->p++;
        int high = -1;
        while (lx->p < lx->end && *lx->p != '>') {
            int v = hex_value(*lx->p++);
            if (v < 0)
                continue;
            if (high < 0) {
                high = v;
            } else {
                char byte = (char)(high * 16 + v);
                strbuf_append(&b, &byte, 1);
                high = -1;
            }
        }
        if (high >= 0) {
            char byte = (char)(high * 16);
            strbuf_append(&b, &byte, 1);
        }
        if (lx->p < lx->end)
            lx->p++;
        pobj o = {.type = PO_STR, .len = b.length};
        o.data = b.data ? strbuf_take(&b) : xstrdup("");
        return o;
    }
    if (c == '>') {
        lx->p += lx->p + 1 < lx->end && lx->p[1] == '>' ? 2 : 1;
        return (pobj){.type = PO_END_DICT};
    }
    if (c == '[') {
        lx->p++;
        return lex_container(lx, PO_ARRAY, PO_END_ARRAY, depth);
    }
    if (c == ']') {
        lx->p++;
        return (pobj){.type = PO_END_ARRAY};
    }
    if (c == '{' || c == '}' || c == ')') {
        lx->p++;
        return (pobj){.type = PO_OP, .data = xstrdup(c == '{' ? "{" : c == '}' ? "}" : ")"), .len = 1};
    }
    if (c == '/') {
        lx->p++;
        while (lx->p < lx->end && !pdf_space(*lx->p) && !pdf_delim(*lx->p)) {
            char ch = (char)*lx->p++;
            if (ch == '#' && lx->p + 1 < lx->end && hex_value(lx->p[0]) >= 0 && hex_value(lx->p[1]) >= 0) {
                ch = (char)(hex_value(lx->p[0]) * 16 + hex_value(lx->p[1]));
                lx->p += 2;
            }
            strbuf_append(&b, &ch, 1);
        }
        pobj o = {.type = PO_NAME, .len = b.length};
        o.data = b.data ? strbuf_take(&b) : xstrdup("");
        return o;
    }
    const unsigned char *start = lx->p;
    while (lx->p < lx->end && !pdf_space(*lx->p) && !pdf_delim(*lx->p))
        lx->p++;
    strbuf_append(&b, (const char *)start, (size_t)(lx->p - start));
    char *token = strbuf_take(&b);
    char *endp;
    double v = strtod(token, &endp);
    if (*token && *endp == '\0' && (isdigit((unsigned char)token[0]) || strchr("+-.", token[0]))) {
        free(token);
        return (pobj){.type = PO_NUM, .num = v};
    }
    return (pobj){.type = PO_OP, .data = token, .len = strlen(token)};
}

static const pobj *pdict_get(const pobj *dict, const char *key)
{
    if (!dict || dict->type != PO_DICT)
        return NULL;
    for (size_t i = 0; i + 1 < dict->n; i += 2)
        if (dict->items[i].type == PO_NAME && strcmp(dict->items[i].data, key) == 0)
            return &dict->items[i + 1];
    return NULL;
}

/* A PDF text string (UTF-16BE with BOM, or PDFDocEncoding ~ Latin-1) -> UTF-8. */
static char *pdf_text_string(const char *s, size_t n)
{
    if (n >= 2 && (unsigned char)s[0] == 0xFE && (unsigned char)s[1] == 0xFF) {
        char *u = g_convert(s + 2, (gssize)(n - 2), "UTF-8", "UTF-16BE", NULL, NULL, NULL);
        char *r = xstrdup(u ? u : "\uFFFD");
        g_free(u);
        return r;
    }
    char *u = g_convert(s, (gssize)n, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
    char *r = xstrdup(u ? u : "");
    g_free(u);
    return r;
}

/* ToUnicode destinations: UTF-16BE without a BOM. */
static char *pdf_text_string_utf16(const char *s, size_t n)
{
    char *u = g_convert(s, (gssize)n, "UTF-8", "UTF-16BE", NULL, NULL, NULL);
    char *r = xstrdup(u ? u : "\uFFFD");
    g_free(u);
    return r;
}

/* ---- fonts: ToUnicode ---- */

typedef struct font_map {
    GHashTable *codes;       /* code -> UTF-8 (owned) */
    int bytes;               /* code length */
    bool has_tounicode;
    char *name;              /* BaseFont, for messages */
} font_map;

static void font_map_free(gpointer p)
{
    font_map *f = p;
    if (f->codes)
        g_hash_table_destroy(f->codes);
    free(f->name);
    free(f);
}

static guint code_of(const char *s, size_t n)
{
    guint v = 0;
    for (size_t i = 0; i < n && i < 4; i++)
        v = v << 8 | (unsigned char)s[i];
    return v;
}

static void cmap_parse(font_map *f, const unsigned char *data, size_t length)
{
    lexer lx = {data, data + length};
    for (;;) {
        pobj o = lex_next(&lx, 0);
        if (o.type == PO_EOF)
            break;
        if (o.type == PO_OP && strcmp(o.data, "begincodespacerange") == 0) {
            pobj lo = lex_next(&lx, 0);
            if (lo.type == PO_STR && lo.len)
                f->bytes = (int)lo.len;
            pobj_free(&lo);
        } else if (o.type == PO_OP && strcmp(o.data, "beginbfchar") == 0) {
            for (;;) {
                pobj src = lex_next(&lx, 0);
                if (src.type != PO_STR) {
                    pobj_free(&src);
                    break;
                }
                pobj dst = lex_next(&lx, 0);
                if (dst.type == PO_STR)
                    g_hash_table_insert(f->codes, GUINT_TO_POINTER(code_of(src.data, src.len)),
                                        pdf_text_string_utf16(dst.data, dst.len));
                pobj_free(&src);
                pobj_free(&dst);
            }
        } else if (o.type == PO_OP && strcmp(o.data, "beginbfrange") == 0) {
            for (;;) {
                pobj lo = lex_next(&lx, 0);
                if (lo.type != PO_STR) {
                    pobj_free(&lo);
                    break;
                }
                pobj hi = lex_next(&lx, 0), dst = lex_next(&lx, 0);
                guint a = code_of(lo.data, lo.len), z = code_of(hi.data, hi.len);
                for (guint code = a; code <= z && code - a < 65536; code++) {
                    char *u = NULL;
                    if (dst.type == PO_ARRAY && code - a < dst.n && dst.items[code - a].type == PO_STR)
                        u = pdf_text_string_utf16(dst.items[code - a].data, dst.items[code - a].len);
                    else if (dst.type == PO_STR && dst.len >= 2) {
                        char *copy = xmalloc(dst.len);
                        memcpy(copy, dst.data, dst.len);
                        unsigned last = ((unsigned char)copy[dst.len - 2] << 8 | (unsigned char)copy[dst.len - 1]) + (code - a);
                        copy[dst.len - 2] = (char)(last >> 8);
                        copy[dst.len - 1] = (char)(last & 0xFF);
                        u = pdf_text_string_utf16(copy, dst.len);
                        free(copy);
                    }
                    if (u)
                        g_hash_table_insert(f->codes, GUINT_TO_POINTER(code), u);
                }
                pobj_free(&lo);
                pobj_free(&hi);
                pobj_free(&dst);
            }
        }
        pobj_free(&o);
    }
}

/* ---- the model ---- */

typedef struct snode {
    char *role;              /* standard structure type, after /RoleMap */
    int parent;              /* index, -1 for a child of the StructTreeRoot */
    int page;                /* 0-based: /Pg, or the page of its first content; -1 */
    GArray *children;        /* int */
    GString *text;           /* logical text of the subtree; blocks separated by '\n' */
    GPtrArray *uris;         /* Link: /URI of each annotation it owns (OBJR) */
    char *alt;
    bool has_content;        /* owns marked content directly */
} snode;

typedef struct page_marks {
    GHashTable *mcid_text;   /* MCID -> GString */
    GHashTable *mcid_refs;   /* MCID -> times the structure tree refers to it */
    GString *artifact;       /* text in Artifacts: only the running footer may be */
    GString *untagged;       /* text neither tagged nor an artifact */
    size_t unmapped;         /* glyph codes without Unicode */
    char *unmapped_example;
} page_marks;

typedef struct tagged {
    snode *nodes;
    size_t count, capacity;
    page_marks *pages;
    int page_count;
    strvec problems;         /* found while reading */
    char *error;             /* could not be read at all */
} tagged;

static void note_problem(tagged *t, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void note_problem(tagged *t, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *s = g_strdup_vprintf(format, args);
    va_end(args);
    strvec_push(&t->problems, xstrdup(s));
    g_free(s);
}

static void gstring_free_value(gpointer p) { g_string_free(p, TRUE); }

static void tagged_free(tagged *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->count; i++) {
        free(t->nodes[i].role);
        free(t->nodes[i].alt);
        g_array_free(t->nodes[i].children, TRUE);
        g_string_free(t->nodes[i].text, TRUE);
        g_ptr_array_free(t->nodes[i].uris, TRUE);
    }
    free(t->nodes);
    for (int p = 0; p < t->page_count; p++) {
        page_marks *pm = &t->pages[p];
        g_hash_table_destroy(pm->mcid_text);
        g_hash_table_destroy(pm->mcid_refs);
        g_string_free(pm->artifact, TRUE);
        g_string_free(pm->untagged, TRUE);
        free(pm->unmapped_example);
    }
    free(t->pages);
    strvec_free(&t->problems);
    free(t->error);
    free(t);
}

/* ---- reading one page's content ---- */

typedef struct mc_entry {
    int mcid;                /* -1: none */
    bool artifact;
    bool has_actual;
    char *actual;
    size_t shown_before;     /* r->shown when it began: an ActualText span must show something */
} mc_entry;

typedef struct page_reader {
    qpdf_data q;
    qpdf_oh resources;
    GHashTable *fonts;       /* object id (or -name hash) -> font_map */
    font_map *font;
    mc_entry stack[64];
    int depth;
    page_marks *pm;
    tagged *t;
    int page;
    size_t shown;            /* non-empty strings shown so far */
    size_t empty_spans;      /* ActualText spans that showed nothing */
} page_reader;

static qpdf_oh resources_of(qpdf_data q, qpdf_oh page)
{
    for (int hops = 0; hops < 32; hops++) {
        qpdf_oh r = qpdf_oh_get_key(q, page, "/Resources");
        if (qpdf_oh_is_dictionary(q, r))
            return r;
        page = qpdf_oh_get_key(q, page, "/Parent");
        if (!qpdf_oh_is_dictionary(q, page))
            break;
    }
    return qpdf_oh_new_dictionary(q);
}

static font_map *font_for(page_reader *r, const char *name)
{
    char key[256];
    snprintf(key, sizeof key, "/%s", name);
    qpdf_oh fonts = qpdf_oh_get_key(r->q, r->resources, "/Font");
    qpdf_oh f = qpdf_oh_get_key_if_dict(r->q, fonts, key);
    if (!qpdf_oh_is_dictionary(r->q, f)) {
        note_problem(r->t, "page %d: the font /%s is not in the page's resources", r->page + 1, name);
        return NULL;
    }
    int id = qpdf_oh_get_object_id(r->q, f);
    gpointer cache_key = GINT_TO_POINTER(id ? id : -(int)g_str_hash(key));
    font_map *fm = g_hash_table_lookup(r->fonts, cache_key);
    if (fm)
        return fm;
    fm = xcalloc(1, sizeof *fm);
    fm->codes = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free);
    bool type0 = qpdf_oh_is_name_and_equals(r->q, qpdf_oh_get_key(r->q, f, "/Subtype"), "/Type0");
    fm->bytes = type0 ? 2 : 1;
    qpdf_oh base = qpdf_oh_get_key(r->q, f, "/BaseFont");
    fm->name = xstrdup(qpdf_oh_is_name(r->q, base) ? qpdf_oh_get_name(r->q, base) : key);
    qpdf_oh tu = qpdf_oh_get_key(r->q, f, "/ToUnicode");
    if (qpdf_oh_is_stream(r->q, tu)) {
        unsigned char *data = NULL;
        size_t len = 0;
        QPDF_BOOL filtered = QPDF_FALSE;
        if (!(qpdf_oh_get_stream_data(r->q, tu, qpdf_dl_generalized, &filtered, &data, &len) & QPDF_ERRORS) &&
            data) {
            cmap_parse(fm, data, len);
            fm->has_tounicode = true;
        }
        free(data);
    }
    if (!fm->has_tounicode)
        note_problem(r->t, "font %s has no ToUnicode map: its text cannot be extracted reliably", fm->name);
    g_hash_table_insert(r->fonts, cache_key, fm);
    return fm;
}

static GString *destination(page_reader *r)
{
    for (int i = r->depth - 1; i >= 0; i--) {
        if (r->stack[i].artifact)
            return r->pm->artifact;
        if (r->stack[i].mcid >= 0) {
            GString *s = g_hash_table_lookup(r->pm->mcid_text, GINT_TO_POINTER(r->stack[i].mcid));
            if (!s) {
                s = g_string_new(NULL);
                g_hash_table_insert(r->pm->mcid_text, GINT_TO_POINTER(r->stack[i].mcid), s);
            }
            return s;
        }
    }
    return r->pm->untagged;
}

static void show_string(page_reader *r, const pobj *s)
{
    if (s->type != PO_STR)
        return;
    if (s->len)
        r->shown++;
    for (int i = 0; i < r->depth; i++)
        if (r->stack[i].has_actual)
            return; /* replaced by the span's ActualText */
    GString *out = destination(r);
    if (!r->font) {
        g_string_append(out, "\uFFFD");
        r->pm->unmapped++;
        return;
    }
    int bytes = r->font->bytes > 0 && r->font->bytes <= 4 ? r->font->bytes : 1;
    for (size_t i = 0; i + (size_t)bytes <= s->len; i += (size_t)bytes) {
        guint code = code_of(s->data + i, (size_t)bytes);
        const char *u = g_hash_table_lookup(r->font->codes, GUINT_TO_POINTER(code));
        if (!u && !r->font->has_tounicode && bytes == 1 && code >= 0x20 && code < 0x7F) {
            char ascii[2] = {(char)code, 0};
            g_string_append(out, ascii);
            continue;
        }
        if (!u) {
            if (r->pm->unmapped++ == 0) {
                char ex[128];
                snprintf(ex, sizeof ex, "code 0x%X in font %s", code, r->font->name);
                r->pm->unmapped_example = xstrdup(ex);
            }
            g_string_append(out, "\uFFFD");
            continue;
        }
        g_string_append(out, u);
    }
}

static void skip_inline_image(lexer *lx)
{
    /* BI <dict> ID <data> EI */
    for (;;) {
        pobj o = lex_next(lx, 0);
        bool id = o.type == PO_OP && strcmp(o.data, "ID") == 0;
        bool eof = o.type == PO_EOF;
        pobj_free(&o);
        if (eof)
            return;
        if (id)
            break;
    }
    while (lx->p + 2 < lx->end) {
        if (pdf_space(lx->p[0]) && lx->p[1] == 'E' && lx->p[2] == 'I' &&
            (lx->p + 3 >= lx->end || pdf_space(lx->p[3]))) {
            lx->p += 3;
            return;
        }
        lx->p++;
    }
    lx->p = lx->end;
}

static void read_page_content(tagged *t, qpdf_data q, qpdf_oh page, int index, GHashTable *fonts)
{
    page_marks *pm = &t->pages[index];
    unsigned char *data = NULL;
    size_t len = 0;
    if ((qpdf_oh_get_page_content_data(q, page, &data, &len) & QPDF_ERRORS) || !data) {
        note_problem(t, "page %d: cannot read the content stream", index + 1);
        free(data);
        return;
    }
    page_reader r = {.q = q, .resources = resources_of(q, page), .fonts = fonts, .pm = pm, .t = t,
                     .page = index};
    lexer lx = {data, data + len};
    pobj operands[16];
    int n = 0;
    for (;;) {
        pobj o = lex_next(&lx, 0);
        if (o.type == PO_EOF)
            break;
        if (o.type != PO_OP) {
            if (n < 16)
                operands[n++] = o;
            else
                pobj_free(&o);
            continue;
        }
        const char *op = o.data;
        if (strcmp(op, "Tf") == 0 && n >= 2 && operands[0].type == PO_NAME) {
            r.font = font_for(&r, operands[0].data);
        } else if ((strcmp(op, "Tj") == 0 || strcmp(op, "'") == 0 || strcmp(op, "\"") == 0) && n >= 1) {
            show_string(&r, &operands[n - 1]);
        } else if (strcmp(op, "TJ") == 0 && n >= 1 && operands[n - 1].type == PO_ARRAY) {
            for (size_t i = 0; i < operands[n - 1].n; i++)
                show_string(&r, &operands[n - 1].items[i]);
        } else if ((strcmp(op, "BDC") == 0 || strcmp(op, "BMC") == 0) && n >= 1) {
            mc_entry e = {.mcid = -1, .shown_before = r.shown};
            e.artifact = operands[0].type == PO_NAME && strcmp(operands[0].data, "Artifact") == 0;
            const pobj *props = n >= 2 && strcmp(op, "BDC") == 0 ? &operands[1] : NULL;
            const pobj *mcid = pdict_get(props, "MCID");
            if (mcid && mcid->type == PO_NUM)
                e.mcid = (int)mcid->num;
            const pobj *actual = pdict_get(props, "ActualText");
            if (actual && actual->type == PO_STR) {
                e.has_actual = true;
                e.actual = pdf_text_string(actual->data, actual->len);
            }
            if (props && props->type == PO_NAME)
                note_problem(t, "page %d: marked content with named properties /%s (not read)",
                             index + 1, props->data);
            /* separate artifacts (page number, running title) are separate words */
            if (e.artifact && pm->artifact->len)
                g_string_append_c(pm->artifact, '\n');
            if (r.depth < 64)
                r.stack[r.depth++] = e;
            else
                free(e.actual);
        } else if (strcmp(op, "EMC") == 0) {
            if (r.depth == 0) {
                note_problem(t, "page %d: EMC without BMC/BDC", index + 1);
            } else {
                mc_entry e = r.stack[--r.depth];
                if (e.has_actual && r.shown == e.shown_before)
                    r.empty_spans++;
                if (e.has_actual) {
                    bool outer_actual = false;
                    for (int i = 0; i < r.depth; i++)
                        outer_actual |= r.stack[i].has_actual;
                    if (!outer_actual)
                        g_string_append(destination(&r), e.actual);
                }
                free(e.actual);
            }
        } else if (strcmp(op, "BI") == 0) {
            skip_inline_image(&lx);
        }
        for (int i = 0; i < n; i++)
            pobj_free(&operands[i]);
        n = 0;
        pobj_free(&o);
    }
    for (int i = 0; i < n; i++)
        pobj_free(&operands[i]);
    if (r.depth)
        note_problem(t, "page %d: %d marked-content sequences are not closed", index + 1, r.depth);
    /* Issue 6: an unused soft hyphen or a line-final space became such a
     * span, and poppler's structure text stopped each paragraph there. */
    if (r.empty_spans)
        note_problem(t, "page %d: %zu empty ActualText spans (marked content that shows no glyph)",
                     index + 1, r.empty_spans);
    for (int i = 0; i < r.depth; i++)
        free(r.stack[i].actual);
    free(data);
}

/* ---- the structure tree ---- */

static const char *const standard_roles[] = {
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index",
    "NonStruct", "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl",
    "LBody", "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot", "Span", "Quote", "Note",
    "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby", "RB", "RT", "RP", "Warichu", "WT",
    "WP", "Figure", "Formula", "Form", NULL};

static bool is_standard_role(const char *role)
{
    for (size_t i = 0; standard_roles[i]; i++)
        if (strcmp(role, standard_roles[i]) == 0)
            return true;
    return false;
}

static bool inline_role(const char *role)
{
    return strcmp(role, "Link") == 0 || strcmp(role, "Span") == 0 || strcmp(role, "Quote") == 0 ||
           strcmp(role, "Reference") == 0 || strcmp(role, "Code") == 0 || strcmp(role, "Annot") == 0;
}

typedef struct tree_reader {
    qpdf_data q;
    tagged *t;
    qpdf_oh role_map;
    int *page_ids;           /* object id of each page */
} tree_reader;

static int page_index_of(tree_reader *tr, qpdf_oh pg)
{
    if (!qpdf_oh_is_dictionary(tr->q, pg))
        return -1;
    int id = qpdf_oh_get_object_id(tr->q, pg);
    for (int i = 0; i < tr->t->page_count; i++)
        if (tr->page_ids[i] == id)
            return i;
    return -1;
}

static void take_mcid(tree_reader *tr, size_t node, int page, int mcid)
{
    tagged *t = tr->t;
    if (page < 0 || page >= t->page_count) {
        note_problem(t, "a %s element refers to MCID %d without a valid page", t->nodes[node].role, mcid);
        return;
    }
    page_marks *pm = &t->pages[page];
    intptr_t refs = (intptr_t)g_hash_table_lookup(pm->mcid_refs, GINT_TO_POINTER(mcid));
    g_hash_table_insert(pm->mcid_refs, GINT_TO_POINTER(mcid), (gpointer)(refs + 1));
    GString *s = g_hash_table_lookup(pm->mcid_text, GINT_TO_POINTER(mcid));
    if (!s) {
        note_problem(t, "page %d: a %s element refers to MCID %d, which the page does not have",
                     page + 1, t->nodes[node].role, mcid);
        return;
    }
    if (t->nodes[node].page < 0)
        t->nodes[node].page = page;
    t->nodes[node].has_content = true;
    g_string_append(t->nodes[node].text, s->str);
}

static int read_element(tree_reader *tr, qpdf_oh elem, int parent, int page, int depth);

static void read_kid(tree_reader *tr, size_t node, qpdf_oh kid, int page, int depth)
{
    qpdf_data q = tr->q;
    tagged *t = tr->t;
    if (qpdf_oh_is_integer(q, kid)) {
        take_mcid(tr, node, page, qpdf_oh_get_int_value_as_int(q, kid));
    } else if (qpdf_oh_is_dictionary(q, kid)) {
        qpdf_oh type = qpdf_oh_get_key(q, kid, "/Type");
        if (qpdf_oh_is_name_and_equals(q, type, "/MCR")) {
            qpdf_oh pg = qpdf_oh_get_key(q, kid, "/Pg");
            int p = qpdf_oh_is_dictionary(q, pg) ? page_index_of(tr, pg) : page;
            take_mcid(tr, node, p, qpdf_oh_get_int_value_as_int(q, qpdf_oh_get_key(q, kid, "/MCID")));
        } else if (qpdf_oh_is_name_and_equals(q, type, "/OBJR")) {
            qpdf_oh obj = qpdf_oh_get_key(q, kid, "/Obj");
            qpdf_oh a = qpdf_oh_get_key_if_dict(q, obj, "/A");
            qpdf_oh uri = qpdf_oh_get_key_if_dict(q, a, "/URI");
            if (qpdf_oh_is_string(q, uri))
                g_ptr_array_add(t->nodes[node].uris, xstrdup(qpdf_oh_get_utf8_value(q, uri)));
            else
                g_ptr_array_add(t->nodes[node].uris, xstrdup("(annotation without /URI)"));
        } else {
            int child = read_element(tr, kid, (int)node, page, depth + 1);
            if (child >= 0) {
                g_array_append_val(t->nodes[node].children, child);
                bool block = !inline_role(t->nodes[child].role);
                if (block)
                    g_string_append_c(t->nodes[node].text, '\n');
                g_string_append(t->nodes[node].text, t->nodes[child].text->str);
                if (block)
                    g_string_append_c(t->nodes[node].text, '\n');
                if (t->nodes[node].page < 0)
                    t->nodes[node].page = t->nodes[child].page;
            }
        }
    }
}

static int read_element(tree_reader *tr, qpdf_oh elem, int parent, int page, int depth)
{
    qpdf_data q = tr->q;
    tagged *t = tr->t;
    if (depth > 64) {
        note_problem(t, "the structure tree is deeper than 64 levels (a cycle?)");
        return -1;
    }
    qpdf_oh s = qpdf_oh_get_key(q, elem, "/S");
    if (!qpdf_oh_is_name(q, s)) {
        note_problem(t, "a structure element has no /S");
        return -1;
    }
    const char *role = qpdf_oh_get_name(q, s) + 1;
    char *mapped = xstrdup(role);
    for (int hops = 0; hops < 8 && !is_standard_role(mapped); hops++) {
        char key[256];
        snprintf(key, sizeof key, "/%s", mapped);
        qpdf_oh to = qpdf_oh_get_key_if_dict(q, tr->role_map, key);
        if (!qpdf_oh_is_name(q, to))
            break;
        free(mapped);
        mapped = xstrdup(qpdf_oh_get_name(q, to) + 1);
    }
    if (!is_standard_role(mapped))
        note_problem(t, "structure type /%s is not standard and not role-mapped", role);
    qpdf_oh pg = qpdf_oh_get_key(q, elem, "/Pg");
    if (qpdf_oh_is_dictionary(q, pg))
        page = page_index_of(tr, pg);
    if (t->count == t->capacity) {
        t->capacity = t->capacity ? t->capacity * 2 : 128;
        t->nodes = xrealloc(t->nodes, t->capacity * sizeof *t->nodes);
    }
    size_t index = t->count++;
    t->nodes[index] = (snode){.role = mapped, .parent = parent, .page = -1,
                              .children = g_array_new(FALSE, FALSE, sizeof(int)),
                              .text = g_string_new(NULL), .uris = g_ptr_array_new_with_free_func(free)};
    qpdf_oh alt = qpdf_oh_get_key(q, elem, "/Alt");
    if (qpdf_oh_is_string(q, alt))
        t->nodes[index].alt = xstrdup(qpdf_oh_get_utf8_value(q, alt));
    qpdf_oh k = qpdf_oh_get_key(q, elem, "/K");
    if (qpdf_oh_is_array(q, k)) {
        int n = qpdf_oh_get_array_n_items(q, k);
        for (int i = 0; i < n; i++)
            read_kid(tr, index, qpdf_oh_get_array_item(q, k, i), page, depth);
    } else if (!qpdf_oh_is_null(q, k)) {
        read_kid(tr, index, k, page, depth);
    }
    if (t->nodes[index].page < 0)
        t->nodes[index].page = page;
    return (int)index;
}

static void mcid_key_sort(GPtrArray *out, GHashTable *table)
{
    GList *keys = g_hash_table_get_keys(table);
    for (GList *l = keys; l; l = l->next)
        g_ptr_array_add(out, l->data);
    g_list_free(keys);
}

static tagged *tagged_read(const char *path)
{
    tagged *t = xcalloc(1, sizeof *t);
    qpdf_data q = qpdf_init();
    qpdf_silence_errors(q);
    qpdf_set_suppress_warnings(q, QPDF_TRUE);
    if (qpdf_read(q, path, NULL) & QPDF_ERRORS) {
        t->error = xstrdup("qpdf cannot read the file");
        qpdf_cleanup(&q);
        return t;
    }
    t->page_count = qpdf_get_num_pages(q);
    if (t->page_count < 0)
        t->page_count = 0;
    t->pages = xcalloc((size_t)t->page_count + 1, sizeof *t->pages);
    tree_reader tr = {.q = q, .t = t, .page_ids = xcalloc((size_t)t->page_count + 1, sizeof(int))};
    GHashTable *fonts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, font_map_free);
    for (int p = 0; p < t->page_count; p++) {
        page_marks *pm = &t->pages[p];
        pm->mcid_text = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, gstring_free_value);
        pm->mcid_refs = g_hash_table_new(g_direct_hash, g_direct_equal);
        pm->artifact = g_string_new(NULL);
        pm->untagged = g_string_new(NULL);
        qpdf_oh page = qpdf_get_page_n(q, (size_t)p);
        tr.page_ids[p] = qpdf_oh_get_object_id(q, page);
        g_hash_table_remove_all(fonts); /* font names are per page resources */
        read_page_content(t, q, page, p, fonts);
    }
    g_hash_table_destroy(fonts);

    qpdf_oh root = qpdf_oh_get_key(q, qpdf_get_root(q), "/StructTreeRoot");
    if (!qpdf_oh_is_dictionary(q, root)) {
        note_problem(t, "the PDF has no /StructTreeRoot");
    } else {
        tr.role_map = qpdf_oh_get_key(q, root, "/RoleMap");
        qpdf_oh k = qpdf_oh_get_key(q, root, "/K");
        if (qpdf_oh_is_array(q, k)) {
            int n = qpdf_oh_get_array_n_items(q, k);
            for (int i = 0; i < n; i++)
                read_element(&tr, qpdf_oh_get_array_item(q, k, i), -1, -1, 0);
        } else if (qpdf_oh_is_dictionary(q, k)) {
            read_element(&tr, k, -1, -1, 0);
        }
    }
    /* every MCID on a page belongs to exactly one element */
    for (int p = 0; p < t->page_count; p++) {
        page_marks *pm = &t->pages[p];
        GPtrArray *keys = g_ptr_array_new();
        mcid_key_sort(keys, pm->mcid_text);
        for (guint i = 0; i < keys->len; i++) {
            intptr_t refs = (intptr_t)g_hash_table_lookup(pm->mcid_refs, keys->pdata[i]);
            if (refs == 1)
                continue;
            GString *s = g_hash_table_lookup(pm->mcid_text, keys->pdata[i]);
            char *x = excerpt(s->str, 60);
            note_problem(t, "page %d: marked content MCID %d (“%s”) is referred to by %d structure "
                            "elements; exactly one must own it",
                         p + 1, GPOINTER_TO_INT(keys->pdata[i]), x, (int)refs);
            free(x);
        }
        g_ptr_array_free(keys, TRUE);
        if (pm->untagged->len) {
            char *x = excerpt(pm->untagged->str, 80);
            note_problem(t, "page %d: text drawn outside any tagged element or artifact: “%s”", p + 1, x);
            free(x);
        }
    }
    free(tr.page_ids);
    qpdf_cleanup(&q);
    return t;
}

/* ==== the cases ========================================================= */

typedef enum { PDF_HOUSE, PDF_LARGE, PDF_SHEET } pdf_kind;

typedef struct leaflet {
    char *source;
    document *doc;           /* NULL when it did not parse */
    char *parse_errors;      /* formatted diagnostics, or NULL */
    size_t body_words;
} leaflet;

typedef struct pdf_case {
    leaflet *lf;
    pdf_kind kind;
    char *path, *name;
    expectation expect;
    bool loaded;
    char *load_error;
    PopplerDocument *pdf;
    int page_count;
    char **page_text;        /* raw, from poppler_page_get_text */
    char **page_body;        /* the same without the footer zone (bottom margin) */
    char **page_footer;      /* what is in the footer zone */
    tagged *tags;            /* marked content and structure tree (qpdf) */
} pdf_case;

static const char *output_dir;
static leaflet *leaflets;
static size_t leaflet_count;
static pdf_case *cases;
static size_t case_count;
static const leaflet *longest_leaflet;
static contact_registry registry;
static const char *house_bullets[3], *large_bullets[3];
static style *house_style, *large_style;

static const char *kind_name(pdf_kind k)
{
    return k == PDF_HOUSE ? "house" : k == PDF_LARGE ? "grote-letter" : "contact sheet";
}

/* The bottom margin: the running footer sits in it, and nothing else may. */
static double footer_zone_top(const pdf_case *c, double page_height)
{
    const style *s = c->kind == PDF_LARGE ? large_style : house_style;
    double margin = s ? s->margin_bottom : (c->kind == PDF_LARGE ? 28 : 20) * 72 / 25.4;
    return page_height - margin;
}

/* Splits a page's text into what is above the footer zone and what is in it,
 * by where poppler saw each character. */
static void split_page_text(pdf_case *c, int p, PopplerPage *page)
{
    const char *text = c->page_text[p];
    double w, h;
    poppler_page_get_size(page, &w, &h);
    double zone = footer_zone_top(c, h);
    PopplerRectangle *rects = NULL;
    guint n_rects = 0;
    strbuf body = {0}, footer = {0};
    if (poppler_page_get_text_layout(page, &rects, &n_rects)) {
        guint i = 0;
        for (const char *q = text; *q; q = g_utf8_next_char(q), i++) {
            size_t len = (size_t)(g_utf8_next_char(q) - q);
            bool in_footer = i < n_rects && (rects[i].y1 + rects[i].y2) / 2 > zone;
            strbuf_append(in_footer ? &footer : &body, q, len);
        }
    } else {
        strbuf_puts(&body, text);
    }
    g_free(rects);
    c->page_body[p] = body.data ? strbuf_take(&body) : xstrdup("");
    c->page_footer[p] = footer.data ? strbuf_take(&footer) : xstrdup("");
}

/* Opens the PDF once; every test of the case shares it. */
static bool load_case(pdf_case *c, checker *ck)
{
    if (!c->lf->doc) {
        problem(ck, "the source %s did not parse, so nothing to compare with:\n%s",
                c->lf->source, c->lf->parse_errors ? c->lf->parse_errors : "");
        return false;
    }
    if (!c->loaded) {
        c->loaded = true;
        GError *error = NULL;
        char *absolute = g_canonicalize_filename(c->path, NULL);
        char *uri = g_filename_to_uri(absolute, NULL, &error);
        if (uri)
            c->pdf = poppler_document_new_from_file(uri, NULL, &error);
        if (!c->pdf) {
            strbuf b = {0};
            strbuf_printf(&b, "cannot open %s: %s", c->path, error ? error->message : "?");
            c->load_error = strbuf_take(&b);
        } else {
            c->page_count = poppler_document_get_n_pages(c->pdf);
            c->page_text = xcalloc((size_t)c->page_count + 1, sizeof *c->page_text);
            c->page_body = xcalloc((size_t)c->page_count + 1, sizeof *c->page_body);
            c->page_footer = xcalloc((size_t)c->page_count + 1, sizeof *c->page_footer);
            for (int i = 0; i < c->page_count; i++) {
                PopplerPage *page = poppler_document_get_page(c->pdf, i);
                char *t = page ? poppler_page_get_text(page) : NULL;
                c->page_text[i] = xstrdup(t ? t : "");
                g_free(t);
                if (page) {
                    split_page_text(c, i, page);
                    g_object_unref(page);
                } else {
                    c->page_body[i] = xstrdup("");
                    c->page_footer[i] = xstrdup("");
                }
            }
            c->tags = tagged_read(c->path);
        }
        if (error)
            g_error_free(error);
        g_free(uri);
        g_free(absolute);
    }
    if (c->load_error) {
        problem(ck, "%s", c->load_error);
        return false;
    }
    if (c->page_count < 1) {
        problem(ck, "the PDF has no pages");
        return false;
    }
    return true;
}

static void unload_case(pdf_case *c)
{
    for (int i = 0; i < c->page_count; i++) {
        if (c->page_text)
            free(c->page_text[i]);
        if (c->page_body)
            free(c->page_body[i]);
        if (c->page_footer)
            free(c->page_footer[i]);
    }
    free(c->page_text);
    free(c->page_body);
    free(c->page_footer);
    tagged_free(c->tags);
    if (c->pdf)
        g_object_unref(c->pdf);
    free(c->load_error);
    expectation_free(&c->expect);
    free(c->path);
    free(c->name);
}

static const char *footer_title(const pdf_case *c)
{
    const leaflet_meta *m = &c->lf->doc->meta;
    return m->short_title ? m->short_title : m->title;
}

/* The running footer of page p (0-based): short title and page number on
 * every page but the cover; none on the one-page contact sheet. */
static void footer_words_of_page(const pdf_case *c, int p, wordlist *out)
{
    if (c->kind == PDF_SHEET || p == 0)
        return;
    add_words(out, footer_title(c), p, -1);
    char number[16];
    snprintf(number, sizeof number, "%d", p + 1);
    add_words(out, number, p, -1);
}

/* Multiset difference a - b of word texts; results are borrowed strings. */
static void bag_difference(const wordlist *a, const wordlist *b, GPtrArray *only_a, GPtrArray *only_b)
{
    GHashTable *counts = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < a->count; i++) {
        intptr_t n = (intptr_t)g_hash_table_lookup(counts, a->items[i].text);
        g_hash_table_insert(counts, a->items[i].text, (gpointer)(n + 1));
    }
    for (size_t i = 0; i < b->count; i++) {
        intptr_t n = (intptr_t)g_hash_table_lookup(counts, b->items[i].text);
        if (n > 0)
            g_hash_table_insert(counts, b->items[i].text, (gpointer)(n - 1));
        else if (only_b)
            g_ptr_array_add(only_b, b->items[i].text);
    }
    if (only_a)
        for (size_t i = 0; i < a->count; i++) {
            intptr_t n = (intptr_t)g_hash_table_lookup(counts, a->items[i].text);
            if (n > 0) {
                g_ptr_array_add(only_a, a->items[i].text);
                g_hash_table_insert(counts, a->items[i].text, (gpointer)(n - 1));
            }
        }
    g_hash_table_destroy(counts);
}

static char *ptr_array_joined(GPtrArray *a, size_t max)
{
    strbuf b = {0};
    for (guint i = 0; i < a->len && i < max; i++)
        strbuf_printf(&b, "%s'%s'", i ? " " : "", (const char *)g_ptr_array_index(a, i));
    if (a->len > max)
        strbuf_printf(&b, " … (%u in all)", a->len);
    if (!b.data)
        strbuf_puts(&b, "");
    return strbuf_take(&b);
}

/* ==== 1. text ============================================================ */

static bool ends_with_hyphen(const char *s, size_t *stem)
{
    size_t n = strlen(s);
    if (n >= 2 && s[n - 1] == '-') { *stem = n - 1; return true; }
    if (n >= 4 && strcmp(s + n - 3, "\u2010") == 0) { *stem = n - 3; return true; }
    return false;
}

/* Does `want` equal PDF words k, k+1[, k+2] joined across line ends, each
 * line-final piece either kept whole (a source hyphen, or a break inside a
 * long address) or without the hyphen the layout drew? */
static bool pieces_match(const char *want, const wordlist *pdf, size_t k, size_t pieces,
                         bool *dropped)
{
    const char *piece = pdf->items[k].text;
    size_t n = strlen(piece);
    if (pieces == 1)
        return strcmp(want, piece) == 0;
    if (!pdf->items[k].line_end || k + 1 >= pdf->count)
        return false;
    if (strncmp(want, piece, n) == 0 && pieces_match(want + n, pdf, k + 1, pieces - 1, dropped))
        return true;
    size_t stem;
    if (ends_with_hyphen(piece, &stem) && strncmp(want, piece, stem) == 0 &&
        pieces_match(want + stem, pdf, k + 1, pieces - 1, dropped)) {
        *dropped = true;
        return true;
    }
    return false;
}

/* How many PDF words from k make up `want`: 1..3, or 0. */
static size_t match_len(const char *want, const wordlist *pdf, size_t k, bool *dropped)
{
    *dropped = false;
    if (strcmp(want, pdf->items[k].text) == 0)
        return 1;
    for (size_t pieces = 2; pieces <= 3 && k + pieces <= pdf->count; pieces++) {
        bool d = false;
        if (pieces_match(want, pdf, k, pieces, &d)) {
            *dropped = d;
            return pieces;
        }
    }
    return 0;
}

typedef struct alignment {
    bool *exp_matched;       /* per expected word */
    bool *pdf_matched;       /* per PDF word */
    const char **pdf_canonical; /* per PDF word: the expected word a group starts, else NULL */
    size_t joined;           /* expected words matched by 2-3 PDF words (broken at a line end) */
    size_t hyphen_dropped;   /* ...of which across a hyphen the source does not have */
    char *first_dropped;
} alignment;

static void alignment_free(alignment *a)
{
    free(a->exp_matched);
    free(a->pdf_matched);
    free(a->pdf_canonical);
    free(a->first_dropped);
}

/* Longest common subsequence of expected words and PDF words, where one
 * expected word may match up to three PDF words broken across lines.
 * Words before exp_from / pdf_from are left alone. */
static bool align_words(const wordlist *exp, size_t exp_from, const wordlist *pdf, size_t pdf_from,
                        alignment *a)
{
    a->exp_matched = xcalloc(exp->count + 1, sizeof *a->exp_matched);
    a->pdf_matched = xcalloc(pdf->count + 1, sizeof *a->pdf_matched);
    a->pdf_canonical = xcalloc(pdf->count + 1, sizeof *a->pdf_canonical);
    size_t n = exp->count - exp_from, m = pdf->count - pdf_from;
    if ((double)(n + 1) * (double)(m + 1) > 80e6)
        return false;
    uint32_t *t = xcalloc((n + 1) * (m + 1), sizeof *t);
#define T(i, k) t[(size_t)(i) * (m + 1) + (k)]
    for (size_t i = n; i-- > 0;) {
        const char *want = exp->items[exp_from + i].text;
        for (size_t k = m; k-- > 0;) {
            uint32_t best = T(i + 1, k) >= T(i, k + 1) ? T(i + 1, k) : T(i, k + 1);
            bool dropped;
            size_t len = match_len(want, pdf, pdf_from + k, &dropped);
            if (len && k + len <= m && T(i + 1, k + len) + 1 > best)
                best = T(i + 1, k + len) + 1;
            T(i, k) = best;
        }
    }
    size_t i = 0, k = 0;
    while (i < n && k < m) {
        const char *want = exp->items[exp_from + i].text;
        bool dropped;
        size_t len = match_len(want, pdf, pdf_from + k, &dropped);
        if (len && k + len <= m && T(i, k) == T(i + 1, k + len) + 1) {
            a->exp_matched[exp_from + i] = true;
            for (size_t q = 0; q < len; q++)
                a->pdf_matched[pdf_from + k + q] = true;
            a->pdf_canonical[pdf_from + k] = want;
            a->joined += len > 1;
            if (dropped && a->hyphen_dropped++ == 0) {
                strbuf b = {0};
                strbuf_printf(&b, "'%s' drawn as '%s' + '%s' (page %d)", want,
                              pdf->items[pdf_from + k].text, pdf->items[pdf_from + k + 1].text,
                              pdf->items[pdf_from + k].page + 1);
                a->first_dropped = strbuf_take(&b);
            }
            i++;
            k += len;
        } else if (T(i + 1, k) >= T(i, k + 1)) {
            i++;
        } else {
            k++;
        }
    }
#undef T
    free(t);
    return true;
}

static void page_context(const wordlist *pdf, size_t at, char **before, char **after)
{
    size_t from = at > 10 ? at - 10 : 0;
    *before = words_joined(pdf, from, at);
    *after = words_joined(pdf, at, at + 10);
}

/* Count occurrences of exp[from, from+len) as a contiguous run in hay. */
static size_t count_runs(char *const *hay, size_t hay_count, const wordlist *exp, size_t from,
                         size_t len)
{
    size_t n = 0;
    for (size_t s = 0; s + len <= hay_count; s++) {
        size_t k = 0;
        while (k < len && strcmp(hay[s + k], exp->items[from + k].text) == 0)
            k++;
        if (k == len)
            n++;
    }
    return n;
}

/* The body text of every page (footer zone left out). A word hyphenated at
 * the foot of a page (U+00AD, then the page's end) is joined with its
 * second half at the top of the next page. */
static void pdf_words(const pdf_case *c, wordlist *out)
{
    char *carry = NULL;
    for (int p = 0; p < c->page_count; p++) {
        strbuf b = {0};
        if (carry) {
            strbuf_puts(&b, carry);
            free(carry);
            carry = NULL;
        }
        strbuf_puts(&b, c->page_body[p]);
        char *text = b.data ? strbuf_take(&b) : xstrdup("");
        size_t n = strlen(text);
        while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
            n--;
        if (p + 1 < c->page_count && n >= 2 && (unsigned char)text[n - 2] == 0xC2 &&
            (unsigned char)text[n - 1] == 0xAD) {
            size_t start = n - 2;
            while (start && !is_space_char((unsigned char)text[start - 1]))
                start--;
            carry = xstrndup(text + start, n - 2 - start);
            text[start] = '\0';
        }
        add_words(out, text, p, -1);
        free(text);
    }
    free(carry);
}

/* Reports the runs of words one side has and the other not. */
static void report_runs(checker *ck, const pdf_case *c, const char *what, const wordlist *exp,
                        const bool *in_exp, const wordlist *pdf, const bool *in_pdf,
                        const char *const *canon, size_t skip_exp, size_t skip_pdf)
{
    /* walk both in step along the alignment */
    size_t i = skip_exp, k = skip_pdf;
    while (i < exp->count || k < pdf->count) {
        if (i < exp->count && k < pdf->count && in_exp[i] && in_pdf[k]) {
            /* one expected word, one PDF word or a group re-joined across lines */
            i++, k++;
            while (k < pdf->count && in_pdf[k] && !canon[k])
                k++;
            continue;
        }
        if (i < exp->count && !in_exp[i]) {
            size_t end = i;
            while (end < exp->count && !in_exp[end])
                end++;
            const unit *u = &c->expect.units[exp->items[i].unit];
            char *missing = words_joined(exp, i, end < i + 25 ? end : i + 25);
            char *before, *after;
            page_context(pdf, k, &before, &after);
            int page = k < pdf->count ? pdf->items[k].page + 1 : pdf->count ? pdf->items[pdf->count - 1].page + 1 : 0;
            problem(ck, "%zu source word%s missing from the %s (from %s): “%s%s”\n"
                        "      where it (p.%d) reads: …%s ⟨here⟩ %s…",
                    end - i, end - i == 1 ? "" : "s", what, u->origin, missing, end > i + 25 ? " …" : "",
                    page, before, after);
            free(missing);
            free(before);
            free(after);
            i = end;
            continue;
        }
        if (k < pdf->count && !in_pdf[k]) {
            size_t end = k;
            while (end < pdf->count && !in_pdf[end])
                end++;
            char *extra = words_joined(pdf, k, end < k + 25 ? end : k + 25);
            char *before = words_joined(pdf, k > 8 ? k - 8 : 0, k);
            char *after = words_joined(pdf, end, end + 8);
            problem(ck, "%zu word%s in the %s (p.%d) that the source does not have there: “%s%s”\n"
                        "      context: …%s ⟨%s⟩ %s…",
                    end - k, end - k == 1 ? "" : "s", what, pdf->items[k].page + 1, extra,
                    end > k + 25 ? " …" : "", before, extra, after);
            free(extra);
            free(before);
            free(after);
            k = end;
            continue;
        }
        /* one side is exhausted and the other word is matched: cannot happen */
        if (i < exp->count) i++;
        if (k < pdf->count) k++;
    }
}

static void check_text(pdf_case *c, checker *ck)
{
    wordlist exp = {0}, pdf = {0};
    expectation_words(&c->expect, &exp);
    pdf_words(c, &pdf);

    /* The colour band at the top of page 1 (title, subtitle, publisher) is
     * laid out by position, not in reading order: compare it as a set. The
     * structure test checks its logical order. */
    size_t band = 0;
    while (band < exp.count && c->expect.units[exp.items[band].unit].band)
        band++;
    size_t band_pdf = band < pdf.count ? band : pdf.count;
    wordlist band_exp = {.items = exp.items, .count = band}, band_got = {.items = pdf.items, .count = band_pdf};
    GPtrArray *only_exp = g_ptr_array_new(), *only_pdf = g_ptr_array_new();
    bag_difference(&band_exp, &band_got, only_exp, only_pdf);
    if (only_exp->len || only_pdf->len) {
        char *a = ptr_array_joined(only_exp, 20), *b = ptr_array_joined(only_pdf, 20);
        char *got = words_joined(&pdf, 0, band_pdf);
        char *want = words_joined(&exp, 0, band);
        problem(ck, "the cover band (first %zu words on page 1) reads “%s”; expected the words of “%s” "
                    "in any order (missing: %s; extra: %s)",
                band, got, want, a, b);
        free(a), free(b), free(got), free(want);
    }
    g_ptr_array_free(only_exp, TRUE);
    g_ptr_array_free(only_pdf, TRUE);

    /* the rest in order: nothing lost, nothing extra */
    alignment al = {0};
    if (!align_words(&exp, band, &pdf, band_pdf, &al)) {
        problem(ck, "texts too long to align (%zu and %zu words)", exp.count, pdf.count);
    } else {
        for (size_t i = 0; i < band; i++)
            al.exp_matched[i] = true;
        for (size_t k = 0; k < band_pdf; k++)
            al.pdf_matched[k] = true;
        size_t missing = 0, extra = 0;
        for (size_t i = 0; i < exp.count; i++)
            missing += !al.exp_matched[i];
        for (size_t k = 0; k < pdf.count; k++)
            extra += !al.pdf_matched[k];
        report_runs(ck, c, "PDF text", &exp, al.exp_matched, &pdf, al.pdf_matched, al.pdf_canonical, band, band_pdf);
        if (missing || extra)
            problem(ck, "in all: %zu of %zu source words missing or out of place, %zu PDF words extra "
                        "or out of place",
                    missing, exp.count, extra);
    }

    /* the footer zone: the running footer, and nothing else */
    for (int p = 0; p < c->page_count; p++) {
        wordlist want = {0}, got = {0};
        footer_words_of_page(c, p, &want);
        add_words(&got, c->page_footer[p], p, -1);
        GPtrArray *a = g_ptr_array_new(), *b = g_ptr_array_new();
        bag_difference(&want, &got, a, b);
        if (a->len || b->len) {
            char *x = excerpt(c->page_footer[p], 80);
            char *w = words_joined(&want, 0, want.count);
            problem(ck, "page %d: the footer zone (bottom margin) reads “%s”; expected “%s”%s", p + 1,
                    x, w, p == 0 ? " (no footer on the cover)" : c->kind == PDF_SHEET ? " (no footer on the contact sheet)" : "");
            free(x);
            free(w);
        }
        g_ptr_array_free(a, TRUE);
        g_ptr_array_free(b, TRUE);
        wordlist_free(&want);
        wordlist_free(&got);
    }

    /* Nothing doubled: each text unit of 4+ words occurs as often in the PDF
     * as in the source (once, unless the source repeats it). */
    char **exp_texts = xmalloc((exp.count + 1) * sizeof *exp_texts);
    for (size_t i = 0; i < exp.count; i++)
        exp_texts[i] = exp.items[i].text;
    /* the PDF's words with broken words re-joined, as the alignment found them */
    char **pdf_texts = xmalloc((pdf.count + 1) * sizeof *pdf_texts);
    size_t pdf_n = 0;
    for (size_t k = 0; k < pdf.count; k++) {
        if (al.pdf_canonical && al.pdf_canonical[k])
            pdf_texts[pdf_n++] = (char *)al.pdf_canonical[k];
        else if (!al.pdf_matched || !al.pdf_matched[k] || k < band_pdf)
            pdf_texts[pdf_n++] = pdf.items[k].text;
    }
    size_t start = 0;
    for (size_t u = 0; u < c->expect.unit_count; u++) {
        size_t end = start;
        while (end < exp.count && exp.items[end].unit == (int)u)
            end++;
        size_t len = end - start;
        if (len >= 4 && !c->expect.units[u].band) {
            size_t want = count_runs(exp_texts, exp.count, &exp, start, len);
            size_t got = count_runs(pdf_texts, pdf_n, &exp, start, len);
            if (got != want) {
                char *t = excerpt(c->expect.units[u].text, 80);
                problem(ck, "the text “%s” (%s, %zu words) occurs %zu times in the PDF, expected %zu",
                        t, c->expect.units[u].origin, len, got, want);
                free(t);
            }
        }
        start = end;
    }
    free(exp_texts);
    free(pdf_texts);
    if (c->kind == PDF_LARGE && al.hyphen_dropped)
        problem(ck, "large print must not hyphenate, but %zu words are broken with a hyphen the "
                    "source does not have, e.g. %s",
                al.hyphen_dropped, al.first_dropped);

    note(ck, "%zu source words (%zu in the cover band) with %zu PDF words on %d pages; %zu words "
             "found broken at a line end (%zu at a hyphen the source does not have)",
         exp.count, band, pdf.count, c->page_count, al.joined, al.hyphen_dropped);
    alignment_free(&al);
    wordlist_free(&exp);
    wordlist_free(&pdf);
}

/* ==== 2. structure tree ================================================= */

static int role_heading_level(const char *role)
{
    if (role[0] == 'H' && role[1] >= '1' && role[1] <= '6' && role[2] == '\0')
        return role[1] - '0';
    if (strcmp(role, "H") == 0)
        return 9;
    return 0;
}

/* A box's or contact card's title: a heading that is its Div's first child. */
static bool is_box_title(const snode *nodes, size_t i)
{
    int up = nodes[i].parent;
    return role_heading_level(nodes[i].role) && up >= 0 && strcmp(nodes[up].role, "Div") == 0 &&
           nodes[up].children->len > 0 && g_array_index(nodes[up].children, int, 0) == (int)i;
}

static bool role_is(const snode *n, const char *role) { return strcmp(n->role, role) == 0; }

static char *node_words(const snode *n)
{
    return normalized_words_string(n->text->str);
}

/* poppler's own reading of the tree, as standard type names, pre-order. */
static const char *poppler_kind_role(PopplerStructureElementKind k)
{
    switch (k) {
    case POPPLER_STRUCTURE_ELEMENT_DOCUMENT: return "Document";
    case POPPLER_STRUCTURE_ELEMENT_PART: return "Part";
    case POPPLER_STRUCTURE_ELEMENT_ARTICLE: return "Art";
    case POPPLER_STRUCTURE_ELEMENT_SECTION: return "Sect";
    case POPPLER_STRUCTURE_ELEMENT_DIV: return "Div";
    case POPPLER_STRUCTURE_ELEMENT_SPAN: return "Span";
    case POPPLER_STRUCTURE_ELEMENT_QUOTE: return "Quote";
    case POPPLER_STRUCTURE_ELEMENT_NOTE: return "Note";
    case POPPLER_STRUCTURE_ELEMENT_REFERENCE: return "Reference";
    case POPPLER_STRUCTURE_ELEMENT_BIBENTRY: return "BibEntry";
    case POPPLER_STRUCTURE_ELEMENT_CODE: return "Code";
    case POPPLER_STRUCTURE_ELEMENT_LINK: return "Link";
    case POPPLER_STRUCTURE_ELEMENT_ANNOT: return "Annot";
    case POPPLER_STRUCTURE_ELEMENT_BLOCKQUOTE: return "BlockQuote";
    case POPPLER_STRUCTURE_ELEMENT_CAPTION: return "Caption";
    case POPPLER_STRUCTURE_ELEMENT_NONSTRUCT: return "NonStruct";
    case POPPLER_STRUCTURE_ELEMENT_TOC: return "TOC";
    case POPPLER_STRUCTURE_ELEMENT_TOC_ITEM: return "TOCI";
    case POPPLER_STRUCTURE_ELEMENT_INDEX: return "Index";
    case POPPLER_STRUCTURE_ELEMENT_PRIVATE: return "Private";
    case POPPLER_STRUCTURE_ELEMENT_PARAGRAPH: return "P";
    case POPPLER_STRUCTURE_ELEMENT_HEADING: return "H";
    case POPPLER_STRUCTURE_ELEMENT_HEADING_1: return "H1";
    case POPPLER_STRUCTURE_ELEMENT_HEADING_2: return "H2";
    case POPPLER_STRUCTURE_ELEMENT_HEADING_3: return "H3";
    case POPPLER_STRUCTURE_ELEMENT_HEADING_4: return "H4";
    case POPPLER_STRUCTURE_ELEMENT_HEADING_5: return "H5";
    case POPPLER_STRUCTURE_ELEMENT_HEADING_6: return "H6";
    case POPPLER_STRUCTURE_ELEMENT_LIST: return "L";
    case POPPLER_STRUCTURE_ELEMENT_LIST_ITEM: return "LI";
    case POPPLER_STRUCTURE_ELEMENT_LIST_LABEL: return "Lbl";
    case POPPLER_STRUCTURE_ELEMENT_LIST_BODY: return "LBody";
    case POPPLER_STRUCTURE_ELEMENT_TABLE: return "Table";
    case POPPLER_STRUCTURE_ELEMENT_TABLE_ROW: return "TR";
    case POPPLER_STRUCTURE_ELEMENT_TABLE_HEADING: return "TH";
    case POPPLER_STRUCTURE_ELEMENT_TABLE_DATA: return "TD";
    case POPPLER_STRUCTURE_ELEMENT_TABLE_HEADER: return "THead";
    case POPPLER_STRUCTURE_ELEMENT_TABLE_FOOTER: return "TFoot";
    case POPPLER_STRUCTURE_ELEMENT_TABLE_BODY: return "TBody";
    case POPPLER_STRUCTURE_ELEMENT_RUBY: return "Ruby";
    case POPPLER_STRUCTURE_ELEMENT_FIGURE: return "Figure";
    case POPPLER_STRUCTURE_ELEMENT_FORMULA: return "Formula";
    case POPPLER_STRUCTURE_ELEMENT_FORM: return "Form";
    default: return NULL; /* content, object reference, … */
    }
}

static void poppler_roles(PopplerStructureElementIter *it, GPtrArray *out)
{
    do {
        PopplerStructureElement *e = poppler_structure_element_iter_get_element(it);
        const char *role = e ? poppler_kind_role(poppler_structure_element_get_kind(e)) : NULL;
        if (role)
            g_ptr_array_add(out, (gpointer)role);
        if (e)
            g_object_unref(e);
        PopplerStructureElementIter *child = poppler_structure_element_iter_get_child(it);
        if (child) {
            poppler_roles(child, out);
            poppler_structure_element_iter_free(child);
        }
    } while (poppler_structure_element_iter_next(it));
}

/* The text poppler gives each P element, in reading order. */
static void poppler_paragraph_texts(PopplerStructureElementIter *it, GPtrArray *out)
{
    do {
        PopplerStructureElement *e = poppler_structure_element_iter_get_element(it);
        if (e && poppler_structure_element_get_kind(e) == POPPLER_STRUCTURE_ELEMENT_PARAGRAPH)
            g_ptr_array_add(out, poppler_structure_element_get_text(
                                     e, POPPLER_STRUCTURE_GET_TEXT_RECURSIVE));
        if (e)
            g_object_unref(e);
        PopplerStructureElementIter *child = poppler_structure_element_iter_get_child(it);
        if (child) {
            poppler_paragraph_texts(child, out);
            poppler_structure_element_iter_free(child);
        }
    } while (poppler_structure_element_iter_next(it));
}

/* Compares two word sequences; reports the first difference with context. */
static bool same_words(checker *ck, const char *what, const wordlist *want, const wordlist *got)
{
    size_t i = 0;
    while (i < want->count && i < got->count && strcmp(want->items[i].text, got->items[i].text) == 0)
        i++;
    if (i == want->count && i == got->count)
        return true;
    size_t from = i > 8 ? i - 8 : 0;
    char *before = words_joined(want, from, i);
    char *want_after = words_joined(want, i, i + 8);
    char *got_after = words_joined(got, i, i + 8);
    problem(ck, "%s differs from the source at word %zu (of %zu expected, %zu found):\n"
                "      common:   …%s\n"
                "      expected: %s…\n"
                "      found:    %s…",
            what, i + 1, want->count, got->count, before, want_after, got_after);
    free(before);
    free(want_after);
    free(got_after);
    return false;
}

static void check_structure(pdf_case *c, checker *ck)
{
    const expectation *e = &c->expect;
    tagged *t = c->tags;
    if (!t || t->error) {
        problem(ck, "%s", t && t->error ? t->error : "cannot read the structure");
        return;
    }
    for (size_t i = 0; i < t->problems.count; i++)
        problem(ck, "%s", t->problems.items[i]);
    if (t->count == 0) {
        problem(ck, "the structure tree is empty");
        return;
    }

    /* poppler reads the same tree */
    GPtrArray *pr = g_ptr_array_new();
    PopplerStructureElementIter *it = poppler_structure_element_iter_new(c->pdf);
    if (it) {
        poppler_roles(it, pr);
        poppler_structure_element_iter_free(it);
    }
    size_t k = 0;
    while (k < pr->len && k < t->count && strcmp(pr->pdata[k], t->nodes[k].role) == 0)
        k++;
    if (k < pr->len || k < t->count)
        problem(ck, "poppler and qpdf read the structure tree differently at element %zu: %s vs %s "
                    "(%u vs %zu elements)",
                k + 1, k < pr->len ? (const char *)pr->pdata[k] : "(end)",
                k < t->count ? t->nodes[k].role : "(end)", pr->len, t->count);
    g_ptr_array_free(pr, TRUE);

    /* what assistive technology reads: poppler's text of each paragraph is
     * the whole paragraph, and no line end reads as two spaces */
    GPtrArray *ptexts = g_ptr_array_new_with_free_func(g_free);
    it = poppler_structure_element_iter_new(c->pdf);
    if (it) {
        poppler_paragraph_texts(it, ptexts);
        poppler_structure_element_iter_free(it);
    }
    size_t para = 0;
    int cut_reported = 0, double_reported = 0;
    for (size_t i = 0; i < t->count && para < ptexts->len; i++) {
        if (!role_is(&t->nodes[i], "P"))
            continue;
        const char *raw = ptexts->pdata[para++];
        raw = raw ? raw : "";
        /* poppler-glib's text of an element is not always valid UTF-8 here:
         * compare the ASCII letters and digits only */
        const char *want_raw = t->nodes[i].text->str;
        GString *want = g_string_new(NULL), *got = g_string_new(NULL);
        for (const char *q = want_raw; *q; q++)
            if (g_ascii_isalnum(*q))
                g_string_append_c(want, *q);
        for (const char *q = raw; *q; q++)
            if (g_ascii_isalnum(*q))
                g_string_append_c(got, *q);
        bool has_link = false; /* poppler reads a Link child's text apart from its paragraph */
        for (guint j = 0; j < t->nodes[i].children->len; j++)
            has_link |= role_is(&t->nodes[g_array_index(t->nodes[i].children, int, j)], "Link");
        if (!has_link && strcmp(want->str, got->str) != 0) {
            if (cut_reported++ < 3) {
                char *x = excerpt(want_raw, 70);
                problem(ck, "poppler's structure text of paragraph %zu (page %d) is not the whole "
                            "paragraph “%s” (%zu of %zu letters)",
                        para, t->nodes[i].page + 1, x, got->len, want->len);
                free(x);
            }
        }
        const char *two = strstr(raw, "  ");
        if (two && double_reported++ < 3) {
            size_t at = (size_t)(two - raw);
            char *x = excerpt(raw + (at > 30 ? at - 30 : 0), 50);
            problem(ck, "poppler's structure text of paragraph %zu (page %d) reads two spaces: “%s”",
                    para, t->nodes[i].page + 1, x);
            free(x);
        }
        g_string_free(want, TRUE);
        g_string_free(got, TRUE);
    }
    g_ptr_array_free(ptexts, TRUE);

    /* one root, Document */
    size_t roots = 0;
    for (size_t i = 0; i < t->count; i++)
        roots += t->nodes[i].parent < 0;
    if (roots != 1 || !role_is(&t->nodes[0], "Document"))
        problem(ck, "the structure tree should have one root element, Document; it has %zu, the "
                    "first a %s",
                roots, t->nodes[0].role);

    /* headings: the source's, then the generated ones; no level skipped */
    size_t h = 0;
    int previous = 0;
    for (size_t i = 0; i < t->count; i++) {
        int level = role_heading_level(t->nodes[i].role);
        if (!level)
            continue;
        char *text = node_words(&t->nodes[i]);
        int page = t->nodes[i].page + 1;
        /* A box's or contact card's title: the Div's first child, a heading
         * one level below the section it sits in (issue 6), so heading
         * navigation finds it and no level is skipped. */
        if (is_box_title(t->nodes, i)) {
            if (level != previous + 1)
                problem(ck, "the title '%s' of a box on page %d is H%d; expected H%d, one level "
                            "below its section",
                        text, page, level, previous + 1);
            free(text);
            continue;
        }
        if (level > 3)
            problem(ck, "heading '%s' on page %d is a %s; only H1, H2 and H3 are expected", text,
                    page, t->nodes[i].role);
        else if (level > previous + 1)
            problem(ck, "heading '%s' on page %d is H%d after %s%d: a level is skipped", text, page,
                    level, previous ? "H" : "level ", previous);
        previous = level;
        if (h < e->heading_count) {
            if (level != e->headings[h].level || strcmp(text, e->headings[h].text) != 0)
                problem(ck, "heading %zu is H%d '%s' (page %d); expected H%d '%s'", h + 1, level,
                        text, page, e->headings[h].level, e->headings[h].text);
        } else {
            problem(ck, "extra heading H%d '%s' on page %d", level, text, page);
        }
        h++;
        free(text);
    }
    for (size_t j = h; j < e->heading_count; j++)
        problem(ck, "heading H%d '%s' is missing from the structure tree", e->headings[j].level,
                e->headings[j].text);

    /* lists: L > LI > (Lbl, LBody); one LI per source item; the labels drawn */
    size_t li = 0, lists = 0, labels = 0, figures = 0;
    for (size_t i = 0; i < t->count; i++) {
        const snode *n = &t->nodes[i];
        const snode *parent = n->parent >= 0 ? &t->nodes[n->parent] : NULL;
        int page = n->page + 1;
        if (role_is(n, "Figure")) {
            figures++;
            if (!n->alt || !*n->alt)
                problem(ck, "the Figure on page %d has no /Alt text", page);
        } else if (role_is(n, "L")) {
            lists++;
            for (guint j = 0; j < n->children->len; j++) {
                const snode *ch = &t->nodes[g_array_index(n->children, int, j)];
                if (!role_is(ch, "LI"))
                    problem(ck, "an L on page %d has a %s child; only LI may be", page, ch->role);
            }
        } else if (role_is(n, "LI")) {
            li++;
            if (!parent || !role_is(parent, "L"))
                problem(ck, "an LI on page %d is not inside an L", page);
            guint m = n->children->len;
            const char *first = m > 0 ? t->nodes[g_array_index(n->children, int, 0)].role : "-";
            const char *second = m > 1 ? t->nodes[g_array_index(n->children, int, 1)].role : "-";
            if (m != 2 || strcmp(first, "Lbl") != 0 || strcmp(second, "LBody") != 0) {
                char *text = node_words(n);
                char *x = excerpt(text, 60);
                problem(ck, "the LI “%s” on page %d has %u children (%s, %s…); expected Lbl then LBody",
                        x, page, m, first, second);
                free(x);
                free(text);
            }
        } else if (role_is(n, "Lbl") || role_is(n, "LBody")) {
            if (!parent || !role_is(parent, "LI"))
                problem(ck, "a %s on page %d is not inside an LI", n->role, page);
            if (role_is(n, "Lbl")) {
                char *text = normalize_text(n->text->str);
                g_strstrip(text);
                if (labels < e->labels.count && strcmp(text, e->labels.items[labels]) != 0)
                    problem(ck, "list label %zu (page %d) is '%s'; expected '%s'", labels + 1, page,
                            text, e->labels.items[labels]);
                labels++;
                free(text);
            }
        }
    }
    if (li != e->item_count)
        problem(ck, "%zu LI elements; the source has %zu list items", li, e->item_count);
    if (lists != e->list_count)
        problem(ck, "%zu L elements; the source has %zu lists", lists, e->list_count);
    if (labels != e->labels.count)
        problem(ck, "%zu Lbl elements; expected %zu", labels, e->labels.count);
    if (figures != e->figure_count)
        problem(ck, "%zu Figure elements; the source has %zu images", figures, e->figure_count);

    /* alerts and the contact block: Div elements holding their paragraphs */
    size_t d = 0;
    for (size_t i = 0; i < t->count; i++) {
        const snode *n = &t->nodes[i];
        if (!role_is(n, "Div"))
            continue;
        int page = n->page + 1;
        if (d >= e->div_count) {
            char *text = node_words(n);
            char *x = excerpt(text, 60);
            problem(ck, "unexpected Div on page %d: “%s”", page, x);
            free(x);
            free(text);
            d++;
            continue;
        }
        const expected_div *want = &e->divs[d];
        wordlist got = {0}, exp = {0};
        add_words(&got, n->text->str, -1, -1);
        for (size_t u = want->first_unit; u < want->first_unit + want->unit_count; u++)
            add_words(&exp, e->units[u].text, -1, (int)u);
        char what[300];
        snprintf(what, sizeof what, "the Div on page %d for the %s", page, want->what);
        same_words(ck, what, &exp, &got);
        bool has_p = false;
        for (guint j = 0; j < n->children->len; j++) {
            const snode *ch = &t->nodes[g_array_index(n->children, int, j)];
            has_p |= role_is(ch, "P") || role_is(ch, "Div");
            bool title = j == 0 && role_heading_level(ch->role) > 0; /* checked with the headings */
            has_p |= title;
            if (!title && !role_is(ch, "P") && !role_is(ch, "L") && !role_is(ch, "Div") &&
                !role_is(ch, "Figure"))
                problem(ck, "the Div on page %d for the %s has a %s child; expected P, L or Div", page,
                        want->what, ch->role);
        }
        if (!has_p)
            problem(ck, "the Div on page %d for the %s holds no paragraph", page, want->what);
        wordlist_free(&got);
        wordlist_free(&exp);
        d++;
    }
    for (size_t j = d; j < e->div_count; j++)
        problem(ck, "no Div for the %s", e->divs[j].what);

    /* all the text, in logical order, is the source's: nothing lost, nothing extra */
    wordlist exp = {0}, got = {0};
    expectation_words(e, &exp);
    /* reading units: the outermost elements that hold text (P, H1-H3, Lbl, or
     * any element with marked content of its own), each with its page */
    bool *reading_unit = xcalloc(t->count + 1, sizeof *reading_unit);
    for (size_t i = 0; i < t->count; i++) {
        const snode *n = &t->nodes[i];
        bool text_holder = n->has_content || role_is(n, "P") || role_is(n, "Lbl") ||
                           role_heading_level(n->role) > 0;
        bool inside = false;
        for (int q = n->parent; q >= 0 && !inside; q = t->nodes[q].parent)
            inside = reading_unit[q];
        reading_unit[i] = text_holder && !inside;
        if (reading_unit[i])
            add_words(&got, n->text->str, n->page, -1);
    }
    free(reading_unit);
    alignment al = {0};
    if (!align_words(&exp, 0, &got, 0, &al)) {
        same_words(ck, "the text of the structure tree (in logical order)", &exp, &got);
    } else {
        size_t missing = 0, extra = 0;
        for (size_t i = 0; i < exp.count; i++)
            missing += !al.exp_matched[i];
        for (size_t g = 0; g < got.count; g++)
            extra += !al.pdf_matched[g];
        report_runs(ck, c, "structure tree's text (logical order)", &exp, al.exp_matched, &got,
                    al.pdf_matched, al.pdf_canonical, 0, 0);
        if (missing || extra || al.hyphen_dropped)
            problem(ck, "the text of the structure tree differs from the source: %zu of %zu words "
                        "missing or out of place, %zu extra%s%s",
                    missing, exp.count, extra, al.hyphen_dropped ? "; words split across lines: " : "",
                    al.hyphen_dropped ? al.first_dropped : "");
    }
    alignment_free(&al);
    wordlist_free(&exp);
    wordlist_free(&got);

    note(ck, "%zu elements, %zu headings, %zu L, %zu LI, %zu Lbl, %zu Divs, %zu figures",
         t->count, h, lists, li, labels, d, figures);

    /* artifacts: the running footer, and no other text hidden from readers */
    for (int p = 0; p < t->page_count; p++) {
        wordlist want = {0}, art = {0};
        footer_words_of_page(c, p, &want);
        add_words(&art, t->pages[p].artifact->str, p, -1);
        GPtrArray *a = g_ptr_array_new(), *b = g_ptr_array_new();
        bag_difference(&want, &art, a, b);
        if (a->len || b->len) {
            char *x = excerpt(t->pages[p].artifact->str, 80);
            char *w = words_joined(&want, 0, want.count);
            problem(ck, "page %d: the text marked as Artifact is “%s”; only the running footer “%s” "
                        "should be",
                    p + 1, x, w);
            free(x);
            free(w);
        }
        g_ptr_array_free(a, TRUE);
        g_ptr_array_free(b, TRUE);
        wordlist_free(&want);
        wordlist_free(&art);
    }
}

/* ==== 2b. links ========================================================= */

typedef struct found_link {
    char *uri;
    int page;
    double top, left;
} found_link;

static int compare_links(const void *a, const void *b)
{
    const found_link *x = a, *y = b;
    if (x->page != y->page)
        return x->page - y->page;
    if (fabs(x->top - y->top) > 2)
        return x->top < y->top ? -1 : 1;
    return x->left < y->left ? -1 : x->left > y->left;
}

static void check_links(pdf_case *c, checker *ck)
{
    const expectation *e = &c->expect;
    /* link annotations, in reading order */
    found_link *found = NULL;
    size_t count = 0;
    for (int p = 0; p < c->page_count; p++) {
        PopplerPage *page = poppler_document_get_page(c->pdf, p);
        double w, h;
        poppler_page_get_size(page, &w, &h);
        GList *map = poppler_page_get_link_mapping(page);
        for (GList *l = map; l; l = l->next) {
            PopplerLinkMapping *m = l->data;
            found = xrealloc(found, (count + 1) * sizeof *found);
            const char *uri = NULL;
            if (m->action && m->action->type == POPPLER_ACTION_URI)
                uri = m->action->uri.uri;
            char kind[64];
            snprintf(kind, sizeof kind, "<action type %d>", m->action ? (int)m->action->type : -1);
            /* poppler-glib gives areas with the origin bottom-left */
            found[count++] = (found_link){xstrdup(uri ? uri : kind), p, h - fmax(m->area.y1, m->area.y2),
                                          fmin(m->area.x1, m->area.x2)};
        }
        poppler_page_free_link_mapping(map);
        g_object_unref(page);
    }
    if (count)
        qsort(found, count, sizeof *found, compare_links);
    /* a link broken across pages is one annotation per page: merge repeats */
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (n && strcmp(found[n - 1].uri, found[i].uri) == 0) {
            free(found[i].uri);
            continue;
        }
        found[n++] = found[i];
    }
    strvec want = {0};
    for (size_t i = 0; i < e->link_count; i++)
        if (!want.count || strcmp(want.items[want.count - 1], e->links[i].uri) != 0)
            strvec_push(&want, xstrdup(e->links[i].uri));
    size_t i = 0;
    while (i < want.count && i < n && strcmp(want.items[i], found[i].uri) == 0)
        i++;
    if (i < want.count || i < n)
        problem(ck, "link %zu: the link annotations (in reading order, repeats merged) differ from "
                    "the source's links: expected %s, found %s (page %d); %zu expected, %zu found",
                i + 1, i < want.count ? want.items[i] : "(no more)", i < n ? found[i].uri : "(no more)",
                i < n ? found[i].page + 1 : 0, want.count, n);
    for (size_t j = 0; j < n; j++)
        free(found[j].uri);
    free(found);
    strvec_free(&want);

    /* Link structure elements: one per source link, tagging exactly its text,
     * owning its annotations (OBJR) */
    tagged *t = c->tags;
    if (!t || t->error) {
        problem(ck, "%s", t && t->error ? t->error : "cannot read the structure");
        return;
    }
    size_t k = 0;
    for (size_t s = 0; s < t->count; s++) {
        const snode *node = &t->nodes[s];
        if (!role_is(node, "Link"))
            continue;
        char *text = node_words(node);
        int page = node->page + 1;
        if (k >= e->link_count) {
            problem(ck, "extra Link element on page %d: '%s'", page, text);
        } else {
            const expected_link *want_link = &e->links[k];
            if (strcmp(text, want_link->text) != 0)
                problem(ck, "Link element %zu (page %d) tags '%s'; the link to %s reads '%s'", k + 1,
                        page, text, want_link->uri, want_link->text);
            if (node->uris->len == 0)
                problem(ck, "Link element %zu '%s' (page %d) owns no link annotation (no OBJR)", k + 1,
                        text, page);
            for (guint j = 0; j < node->uris->len; j++)
                if (strcmp(node->uris->pdata[j], want_link->uri) != 0)
                    problem(ck, "Link element %zu '%s' (page %d) owns an annotation to %s; expected %s",
                            k + 1, text, page, (const char *)node->uris->pdata[j], want_link->uri);
        }
        free(text);
        k++;
    }
    if (k < e->link_count)
        problem(ck, "%zu Link elements; the source has %zu links (first missing: '%s' → %s)", k,
                e->link_count, e->links[k].text, e->links[k].uri);
    note(ck, "%zu link annotations (%zu after merging repeats), %zu Link elements, %zu links expected",
         count, n, k, e->link_count);
}

/* ==== 3. fonts ========================================================== */

static void check_fonts(pdf_case *c, checker *ck)
{
    PopplerFontInfo *info = poppler_font_info_new(c->pdf);
    PopplerFontsIter *it = NULL;
    size_t fonts = 0;
    bool more;
    do {
        more = poppler_font_info_scan(info, c->page_count, &it);
        if (!it)
            break;
        do {
            fonts++;
            const char *full = poppler_fonts_iter_get_full_name(it);
            const char *name = full ? full : "";
            bool has_tag = strlen(name) > 7 && name[6] == '+';
            for (int i = 0; has_tag && i < 6; i++)
                has_tag = name[i] >= 'A' && name[i] <= 'Z';
            const char *base = has_tag ? name + 7 : name;
            if (!poppler_fonts_iter_is_embedded(it))
                problem(ck, "font '%s' is not embedded", name);
            if (!poppler_fonts_iter_is_subset(it) || !has_tag)
                problem(ck, "font '%s' is not a subset (no ABCDEF+ tag)", name);
            if (strncmp(base, "AtkinsonHyperlegibleNext", 24) != 0 && strncmp(base, "DejaVuSans", 10) != 0)
                problem(ck, "font '%s' is not one of the bundled families (AtkinsonHyperlegibleNext, "
                            "DejaVuSans)",
                        name);
            PopplerFontType type = poppler_fonts_iter_get_font_type(it);
            if (type == POPPLER_FONT_TYPE_TYPE3)
                problem(ck, "font '%s' is a Type 3 font", name);
        } while (poppler_fonts_iter_next(it));
        poppler_fonts_iter_free(it);
        it = NULL;
    } while (more);
    poppler_font_info_free(info);
    if (fonts == 0)
        problem(ck, "the PDF uses no fonts at all");
}

/* ==== 4. page size ====================================================== */

/* House: A5 brochure. Large print: A4. Contact sheet: one A4 page, for the
 * fridge door (README.md, "Outputs"; the sheet was A5 before 32f0b41). */
#define A5_W 419.53
#define A5_H 595.28
#define A4_W 595.28
#define A4_H 841.89
#define SHEET_W A4_W
#define SHEET_H A4_H

static void check_page_size(pdf_case *c, checker *ck)
{
    double want_w = c->kind == PDF_HOUSE ? A5_W : c->kind == PDF_LARGE ? A4_W : SHEET_W;
    double want_h = c->kind == PDF_HOUSE ? A5_H : c->kind == PDF_LARGE ? A4_H : SHEET_H;
    const char *name = fabs(want_w - A5_W) < 1 ? "A5" : "A4";
    for (int p = 0; p < c->page_count; p++) {
        PopplerPage *page = poppler_document_get_page(c->pdf, p);
        double w, h;
        poppler_page_get_size(page, &w, &h);
        g_object_unref(page);
        if (fabs(w - want_w) > 0.5 || fabs(h - want_h) > 0.5)
            problem(ck, "page %d is %.2f x %.2f pt; %s is %.2f x %.2f", p + 1, w, h, name, want_w, want_h);
    }
    if (c->kind == PDF_SHEET && c->page_count != 1)
        problem(ck, "the contact sheet has %d pages; it must be exactly one", c->page_count);
    if (c->kind != PDF_SHEET && c->page_count < 2)
        problem(ck, "%d page(s): a leaflet has a cover and at least one page of text", c->page_count);
}

/* ==== 5. font sizes ===================================================== */

typedef struct size_count {
    double size;
    long chars;
} size_count;

static void check_font_sizes(pdf_case *c, checker *ck)
{
    double smallest = 1e9;
    int smallest_page = 0;
    char *smallest_text = NULL;
    size_count *sizes = NULL;
    size_t size_n = 0;
    for (int p = 0; p < c->page_count; p++) {
        PopplerPage *page = poppler_document_get_page(c->pdf, p);
        GList *attrs = poppler_page_get_text_attributes(page);
        const char *text = c->page_text[p];
        long text_len = g_utf8_strlen(text, -1);
        for (GList *l = attrs; l; l = l->next) {
            PopplerTextAttributes *a = l->data;
            long chars = (long)a->end_index - a->start_index + 1;
            /* only ranges with something visible in them */
            bool visible = false;
            for (long i = a->start_index; i <= a->end_index && i < text_len; i++) {
                const char *q = g_utf8_offset_to_pointer(text, i);
                if (!is_space_char(g_utf8_get_char(q))) {
                    visible = true;
                    break;
                }
            }
            if (!visible)
                continue;
            if (a->font_size < smallest) {
                smallest = a->font_size;
                smallest_page = p + 1;
                free(smallest_text);
                long from = a->start_index < text_len ? a->start_index : 0;
                long to = a->end_index < text_len ? a->end_index + 1 : text_len;
                const char *s = g_utf8_offset_to_pointer(text, from);
                const char *e = g_utf8_offset_to_pointer(text, to);
                char *piece = xstrndup(s, (size_t)(e - s));
                smallest_text = excerpt(piece, 50);
                free(piece);
            }
            size_t k = 0;
            while (k < size_n && fabs(sizes[k].size - a->font_size) > 0.01)
                k++;
            if (k == size_n) {
                sizes = xrealloc(sizes, (size_n + 1) * sizeof *sizes);
                sizes[size_n++] = (size_count){a->font_size, 0};
            }
            sizes[k].chars += chars;
        }
        poppler_page_free_text_attributes(attrs);
        g_object_unref(page);
    }
    if (size_n == 0) {
        problem(ck, "no text with a font size found");
    } else if (c->kind == PDF_LARGE) {
        if (smallest < 16.0 - 0.01)
            problem(ck, "large print: text at %.2f pt on page %d (“%s”); nothing may be below 16 pt",
                    smallest, smallest_page, smallest_text ? smallest_text : "");
    } else if (c->kind == PDF_HOUSE) {
        size_t mode = 0;
        for (size_t k = 1; k < size_n; k++)
            if (sizes[k].chars > sizes[mode].chars)
                mode = k;
        if (fabs(sizes[mode].size - 10.5) > 0.1) {
            strbuf b = {0};
            for (size_t k = 0; k < size_n; k++)
                strbuf_printf(&b, "%s%.2f pt: %ld", k ? ", " : "", sizes[k].size, sizes[k].chars);
            problem(ck, "the most common text size is %.2f pt; body text is 10.5 pt (sizes and "
                        "characters: %s)",
                    sizes[mode].size, b.data);
            free(b.data);
        }
    }
    free(sizes);
    free(smallest_text);
}

/* ==== 6. glyphs ========================================================= */

static void check_glyphs(pdf_case *c, checker *ck)
{
    for (int p = 0; p < c->page_count; p++) {
        const char *text = c->page_text[p];
        size_t length = strlen(text);
        /* poppler returns a C string: a NUL inside would cut it short */
        if (!g_utf8_validate(text, (gssize)length, NULL))
            problem(ck, "page %d: extracted text is not valid UTF-8", p + 1);
        for (const char *q = text; *q; q = g_utf8_next_char(q)) {
            gunichar ch = g_utf8_get_char_validated(q, -1);
            const char *what = NULL;
            if (ch == (gunichar)-1 || ch == (gunichar)-2)
                break;
            if (ch == 0xFFFD)
                what = "U+FFFD (a glyph without text: .notdef or a missing ToUnicode entry)";
            else if ((ch < 0x20 && ch != '\n') || (ch >= 0x7F && ch < 0xA0))
                what = "a control character";
            else if ((ch >= 0xE000 && ch <= 0xF8FF) || ch >= 0xF0000)
                what = "a private-use character (a glyph mapped to no real text)";
            else if (ch == 0xFEFF || ch == 0xFFFE || ch == 0xFFFF)
                what = "a non-character";
            if (what) {
                size_t at = (size_t)(q - text);
                char *ctx = excerpt(text + (at > 30 ? at - 30 : 0), 60);
                problem(ck, "page %d: U+%04X, %s, in “%s”", p + 1, (unsigned)ch, what, ctx);
                free(ctx);
            }
        }
        /* a glyph with text "\0" would end the string early: compare with the layout's count */
        PopplerPage *page = poppler_document_get_page(c->pdf, p);
        PopplerRectangle *rects = NULL;
        guint n_rects = 0;
        if (poppler_page_get_text_layout(page, &rects, &n_rects)) {
            glong chars = g_utf8_strlen(text, -1);
            if ((glong)n_rects != chars)
                problem(ck, "page %d: the text layout has %u characters but the text %ld (NUL or "
                            "lost characters?)",
                        p + 1, n_rects, chars);
        }
        g_free(rects);
        g_object_unref(page);
        /* glyph codes the fonts' ToUnicode maps do not cover (read with qpdf) */
        if (c->tags && p < c->tags->page_count && c->tags->pages[p].unmapped)
            problem(ck, "page %d: %zu glyph codes have no Unicode mapping, e.g. %s", p + 1,
                    c->tags->pages[p].unmapped,
                    c->tags->pages[p].unmapped_example ? c->tags->pages[p].unmapped_example : "?");
    }
}

/* ==== 7. bookmarks ====================================================== */

typedef struct bookmark {
    char *title;
    int depth;
    int page;   /* 1-based, 0 unknown */
} bookmark;

static void collect_bookmarks(PopplerDocument *pdf, PopplerIndexIter *it, int depth, bookmark **out,
                              size_t *count)
{
    do {
        PopplerAction *a = poppler_index_iter_get_action(it);
        const char *title = a && a->any.title ? a->any.title : "";
        int page = 0;
        if (a && a->type == POPPLER_ACTION_GOTO_DEST && a->goto_dest.dest) {
            PopplerDest *d = a->goto_dest.dest;
            if (d->type == POPPLER_DEST_NAMED) {
                PopplerDest *named = poppler_document_find_dest(pdf, d->named_dest);
                if (named) {
                    page = named->page_num;
                    poppler_dest_free(named);
                }
            } else {
                page = d->page_num;
            }
        }
        *out = xrealloc(*out, (*count + 1) * sizeof **out);
        (*out)[(*count)++] = (bookmark){normalized_words_string(title), depth, page};
        if (a)
            poppler_action_free(a);
        PopplerIndexIter *child = poppler_index_iter_get_child(it);
        if (child) {
            collect_bookmarks(pdf, child, depth + 1, out, count);
            poppler_index_iter_free(child);
        }
    } while (poppler_index_iter_next(it));
}

static void check_bookmarks(pdf_case *c, checker *ck)
{
    const expectation *e = &c->expect;
    bookmark *marks = NULL;
    size_t count = 0;
    PopplerIndexIter *it = poppler_index_iter_new(c->pdf);
    if (it) {
        collect_bookmarks(c->pdf, it, 0, &marks, &count);
        poppler_index_iter_free(it);
    }
    /* the pages the headings are on, from the structure tree */
    int *heading_pages = xcalloc(e->heading_count + 1, sizeof *heading_pages);
    size_t h = 0;
    for (size_t i = 0; c->tags && i < c->tags->count && h < e->heading_count; i++)
        if (role_heading_level(c->tags->nodes[i].role) && !is_box_title(c->tags->nodes, i))
            heading_pages[h++] = c->tags->nodes[i].page + 1;

    /* expected nesting: H1 at the top, H2 under the H1, H3 under the preceding H2 */
    for (size_t i = 0; i < count || i < e->heading_count; i++) {
        if (i >= count) {
            problem(ck, "bookmark %zu missing: '%s' (H%d)", i + 1, e->headings[i].text,
                    e->headings[i].level);
            continue;
        }
        if (i >= e->heading_count) {
            problem(ck, "extra bookmark %zu: '%s' at depth %d", i + 1, marks[i].title, marks[i].depth);
            continue;
        }
        int want_depth = e->headings[i].level - 1;
        if (strcmp(marks[i].title, e->headings[i].text) != 0 || marks[i].depth != want_depth)
            problem(ck, "bookmark %zu is '%s' at depth %d; expected '%s' at depth %d (H%d)", i + 1,
                    marks[i].title, marks[i].depth, e->headings[i].text, want_depth,
                    e->headings[i].level);
        else if (heading_pages[i] && marks[i].page != heading_pages[i])
            problem(ck, "bookmark '%s' goes to page %d; the heading is on page %d", marks[i].title,
                    marks[i].page, heading_pages[i]);
    }
    note(ck, "%zu bookmarks with %zu headings", count, e->heading_count);
    for (size_t i = 0; i < count; i++)
        free(marks[i].title);
    free(marks);
    free(heading_pages);
}

/* ==== 8. metadata ======================================================= */

static void check_metadata(pdf_case *c, checker *ck)
{
    const leaflet_meta *m = &c->lf->doc->meta;
    const char *want_title = c->kind == PDF_SHEET ? m->contact_sheet : m->title;
    char *title = poppler_document_get_title(c->pdf);
    if (!title || strcmp(title, want_title) != 0)
        problem(ck, "Title is '%s'; expected '%s'", title ? title : "(none)", want_title);
    g_free(title);
    char *subject = poppler_document_get_subject(c->pdf);
    if (m->subject && (!subject || strcmp(subject, m->subject) != 0))
        problem(ck, "Subject is '%s'; expected '%s'", subject ? subject : "(none)", m->subject);
    g_free(subject);
    char *keywords = poppler_document_get_keywords(c->pdf);
    for (size_t i = 0; i < m->keyword_count; i++)
        if (!keywords || !strstr(keywords, m->keywords[i])) {
            problem(ck, "Keywords '%s' lack '%s'", keywords ? keywords : "(none)", m->keywords[i]);
            break;
        }
    g_free(keywords);
    char *xmp = poppler_document_get_metadata(c->pdf);
    if (!xmp)
        problem(ck, "no XMP metadata stream");
    else {
        if (!strstr(xmp, "pdfuaid:part>1<") && !strstr(xmp, "pdfuaid:part=\"1\"") &&
            !strstr(xmp, "pdfuaid:part='1'"))
            problem(ck, "the XMP metadata does not declare PDF/UA-1 (pdfuaid:part 1)");
        gchar *escaped = g_markup_escape_text(want_title, -1);
        if (!strstr(xmp, "dc:title") || !strstr(xmp, escaped))
            problem(ck, "the XMP metadata has no dc:title '%s'", want_title);
        g_free(escaped);
    }
    g_free(xmp);
}

/* ==== 8b. catalog and annotations (qpdf) ================================= */

static void check_catalog(pdf_case *c, checker *ck)
{
    const leaflet_meta *m = &c->lf->doc->meta;
    qpdf_data q = qpdf_init();
    qpdf_silence_errors(q);
    qpdf_set_suppress_warnings(q, QPDF_TRUE);
    if (qpdf_read(q, c->path, NULL) & QPDF_ERRORS) {
        problem(ck, "qpdf cannot read %s", c->path);
        qpdf_cleanup(&q);
        return;
    }
    qpdf_oh root = qpdf_get_root(q);
    qpdf_oh lang = qpdf_oh_get_key(q, root, "/Lang");
    if (!qpdf_oh_is_string(q, lang))
        problem(ck, "the catalog has no /Lang");
    else if (strcmp(qpdf_oh_get_utf8_value(q, lang), m->lang) != 0)
        problem(ck, "/Lang is '%s'; the source says '%s'", qpdf_oh_get_utf8_value(q, lang), m->lang);
    qpdf_oh prefs = qpdf_oh_get_key(q, root, "/ViewerPreferences");
    qpdf_oh ddt = qpdf_oh_get_key_if_dict(q, prefs, "/DisplayDocTitle");
    if (!qpdf_oh_is_bool(q, ddt) || !qpdf_oh_get_bool_value(q, ddt))
        problem(ck, "/ViewerPreferences /DisplayDocTitle is not true");
    qpdf_oh mark = qpdf_oh_get_key_if_dict(q, qpdf_oh_get_key(q, root, "/MarkInfo"), "/Marked");
    if (!qpdf_oh_is_bool(q, mark) || !qpdf_oh_get_bool_value(q, mark))
        problem(ck, "/MarkInfo /Marked is not true");
    if (!qpdf_oh_is_dictionary(q, qpdf_oh_get_key(q, root, "/StructTreeRoot")))
        problem(ck, "no /StructTreeRoot");
    int pages = qpdf_get_num_pages(q);
    for (int p = 0; p < pages; p++) {
        qpdf_oh page = qpdf_get_page_n(q, (size_t)p);
        qpdf_oh annots = qpdf_oh_get_key(q, page, "/Annots");
        if (!qpdf_oh_is_array(q, annots) || qpdf_oh_get_array_n_items(q, annots) == 0)
            continue;
        if (!qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, page, "/Tabs"), "/S"))
            problem(ck, "page %d has annotations but no /Tabs /S", p + 1);
        int n = qpdf_oh_get_array_n_items(q, annots);
        for (int i = 0; i < n; i++) {
            qpdf_oh a = qpdf_oh_get_array_item(q, annots, i);
            if (!qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, a, "/Subtype"), "/Link"))
                continue;
            qpdf_oh contents = qpdf_oh_get_key(q, a, "/Contents");
            /* qpdf's C API reuses one buffer for returned strings: copy */
            char *uri = NULL;
            qpdf_oh action = qpdf_oh_get_key(q, a, "/A");
            qpdf_oh u = qpdf_oh_get_key_if_dict(q, action, "/URI");
            uri = g_strdup(qpdf_oh_is_string(q, u) ? qpdf_oh_get_utf8_value(q, u) : "");
            if (!qpdf_oh_is_string(q, contents) || !*qpdf_oh_get_utf8_value(q, contents)) {
                problem(ck, "page %d: link annotation %d (%s) has no /Contents text", p + 1, i + 1, uri);
            } else if (strncmp(uri, "tel:", 4) == 0) {
                /* a phone link is described by the number as the page shows it */
                const char *text = qpdf_oh_get_utf8_value(q, contents);
                char *shown = p < c->page_count ? g_strdup(c->page_text[p]) : g_strdup("");
                for (char *nb; (nb = strstr(shown, "\u00A0"));)
                    memmove(nb, nb + 1, strlen(nb + 1) + 1), *nb = ' ';
                if (strncmp(text, "Bel ", 4) != 0 || !strstr(shown, text + 4))
                    problem(ck, "page %d: phone link %s is described as '%s', not 'Bel' and the "
                            "number the page shows", p + 1, uri, text);
                g_free(shown);
            }
            if (!qpdf_oh_is_integer(q, qpdf_oh_get_key(q, a, "/StructParent")))
                problem(ck, "page %d: link annotation %d (%s) has no /StructParent (not tagged)",
                        p + 1, i + 1, uri);
            g_free(uri);
        }
    }
    qpdf_cleanup(&q);
}

/* ==== 9. hyphenation ==================================================== */

static size_t count_soft_hyphens(const pdf_case *c, int *first_page, char **example)
{
    size_t n = 0;
    for (int p = 0; p < c->page_count; p++)
        for (const char *q = c->page_text[p]; (q = strstr(q, "\u00AD")); q += 2) {
            if (n++ == 0) {
                *first_page = p + 1;
                size_t at = (size_t)(q - c->page_text[p]);
                *example = excerpt(c->page_text[p] + (at > 25 ? at - 25 : 0), 45);
            }
        }
    return n;
}

static void check_hyphenation(pdf_case *c, checker *ck)
{
    int page = 0;
    char *example = NULL;
    size_t n = count_soft_hyphens(c, &page, &example);
    if (c->kind == PDF_LARGE && n)
        problem(ck, "large print has %zu soft hyphens (U+00AD) in its text, e.g. page %d “%s”; it "
                    "must not hyphenate",
                n, page, example);
    if (c->kind == PDF_HOUSE && c->lf == longest_leaflet && n == 0)
        problem(ck, "the longest leaflet's house PDF has no hyphenated line break (no U+00AD in "
                    "its text); the house style hyphenates");
    free(example);

    for (int p = 0; p < c->page_count; p++) {
        const char *body = c->page_body[p];
        /* pdftotext reads a line ending in '-' as hyphenation and drops the
         * hyphen: "internist-" + "oncoloog" would come back as one word */
        for (const char *nl = strchr(body, '\n'); nl; nl = strchr(nl + 1, '\n')) {
            if (nl - body < 2 || nl[-1] != '-' || !g_unichar_isalpha(g_utf8_get_char(
                                                      g_utf8_prev_char(nl - 1))))
                continue;
            if (!g_unichar_isalpha(g_utf8_get_char(nl + 1)))
                continue;
            const char *start = nl - 1;
            while (start > body && !is_space_char((unsigned char)start[-1]))
                start--;
            char *broken = xstrndup(start, (size_t)(nl - start));
            problem(ck, "page %d: a line ends after the hard hyphen of '%s'; extracted text "
                        "would lose the hyphen",
                    p + 1, broken);
            free(broken);
        }
        /* a hyphenated word never straddles two pages */
        size_t len = strlen(body);
        while (len && (body[len - 1] == '\n' || body[len - 1] == ' '))
            len--;
        if (p + 1 < c->page_count && len >= 2 && (unsigned char)body[len - 2] == 0xC2 &&
            (unsigned char)body[len - 1] == 0xAD)
            problem(ck, "page %d ends with a hyphenated word", p + 1);
    }
}

/* ==== cmocka glue ======================================================= */

typedef void (*check_fn)(pdf_case *, checker *);

typedef struct test_spec {
    pdf_case *c;
    check_fn fn;
    const char *what;
} test_spec;

static void run_check(void **state)
{
    test_spec *t = *state;
    checker ck = {t->c->name, t->what, 0};
    if (load_case(t->c, &ck))
        t->fn(t->c, &ck);
    fflush(stdout);
    if (ck.problems)
        fail_msg("%s: %s: %d problem%s (listed above)", t->c->name, t->what, ck.problems,
                 ck.problems == 1 ? "" : "s");
}

static void run_parse_check(void **state)
{
    leaflet *lf = *state;
    if (!lf->doc)
        fail_msg("%s does not parse:\n%s", lf->source, lf->parse_errors ? lf->parse_errors : "");
}

static const struct {
    check_fn fn;
    const char *what;
} checks[] = {
    {check_text, "text"},
    {check_structure, "structure"},
    {check_links, "links"},
    {check_fonts, "fonts"},
    {check_page_size, "page size"},
    {check_font_sizes, "font sizes"},
    {check_glyphs, "glyphs"},
    {check_bookmarks, "bookmarks"},
    {check_metadata, "metadata"},
    {check_catalog, "catalog"},
    {check_hyphenation, "hyphenation"},
};

static size_t count_body_words(const document *doc)
{
    size_t n = 0;
    doc_walker w;
    doc_walker_init(&w, doc->root);
    while (doc_walker_next(&w))
        if (w.event == WALK_ENTER && w.current->type == NODE_TEXT && w.current->text) {
            wordlist l = {0};
            add_words(&l, w.current->text, -1, -1);
            n += l.count;
            wordlist_free(&l);
        }
    return n;
}

static void add_case(leaflet *lf, pdf_kind kind, const char *suffix)
{
    pdf_case *c = &cases[case_count++];
    *c = (pdf_case){.lf = lf, .kind = kind};
    strbuf b = {0};
    const char *slug = lf->doc && lf->doc->meta.slug ? lf->doc->meta.slug : NULL;
    char *base = NULL;
    if (!slug) {
        const char *s = strrchr(lf->source, '/');
        s = s ? s + 1 : lf->source;
        base = xstrndup(s, strlen(s) - (strlen(s) > 3 ? 3 : 0));
        slug = base;
    }
    strbuf_printf(&b, "%s%s.pdf", slug, suffix);
    c->name = strbuf_take(&b);
    strbuf_printf(&b, "%s/%s", output_dir, c->name);
    c->path = strbuf_take(&b);
    free(base);
    if (lf->doc) {
        if (kind == PDF_SHEET)
            build_sheet_expectation(&c->expect, lf->doc);
        else
            build_leaflet_expectation(&c->expect, lf->doc,
                                      kind == PDF_LARGE ? large_bullets : house_bullets);
    }
}

static void load_styles(void)
{
    diag_list diags;
    diag_init(&diags);
    house_style = style_load("styles", "house", &diags);
    large_style = style_load("styles", "grote-letter", &diags);
    diag_print(&diags);
    diag_free(&diags);
    static const char *const fallback[3] = {"•", "–", "◦"};
    for (int i = 0; i < 3; i++) {
        house_bullets[i] = house_style && house_style->bullets[i] ? house_style->bullets[i] : fallback[i];
        large_bullets[i] = large_style && large_style->bullets[i] ? large_style->bullets[i] : fallback[i];
        label_bullets[label_bullet_count++] = house_bullets[i];
        label_bullets[label_bullet_count++] = large_bullets[i];
    }
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "--output") == 0 || strcmp(argv[i], "-o") == 0) && i + 1 < argc)
            output_dir = argv[++i];
        else if (strncmp(argv[i], "--output=", 9) == 0)
            output_dir = argv[i] + 9;
        else {
            fprintf(stderr, "usage: readback --output DIR   (run from the repository root)\n");
            return 2;
        }
    }
    if (!output_dir) {
        fprintf(stderr, "usage: readback --output DIR   (run from the repository root)\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    load_styles();

    diag_list diags;
    diag_init(&diags);
    bool contacts_ok = contacts_load("sources/contacts.yaml", &registry, &diags);
    diag_print(&diags);
    diag_free(&diags);
    if (!contacts_ok)
        fprintf(stderr, "readback: sources/contacts.yaml did not load; contact references will fail\n");

    glob_t found = {0};
    if (glob("sources/*.md", 0, NULL, &found) != 0 || found.gl_pathc == 0) {
        fprintf(stderr, "readback: no sources/*.md (run from the repository root)\n");
        globfree(&found);
        contacts_free(&registry);
        return 2;
    }
    leaflet_count = found.gl_pathc;
    leaflets = xcalloc(leaflet_count, sizeof *leaflets);
    cases = xcalloc(leaflet_count * 3, sizeof *cases);
    for (size_t i = 0; i < leaflet_count; i++) {
        leaflet *lf = &leaflets[i];
        lf->source = xstrdup(found.gl_pathv[i]);
        diag_init(&diags);
        lf->doc = parse_leaflet(lf->source, &registry, ".", &diags);
        if (diags.errors || !lf->doc) {
            strbuf b = {0};
            for (size_t d = 0; d < diags.count; d++) {
                char *line = diag_format(&diags.items[d]);
                strbuf_printf(&b, "    %s\n", line);
                free(line);
            }
            if (!lf->doc)
                strbuf_printf(&b, "    %s: cannot be read\n", lf->source);
            lf->parse_errors = strbuf_take(&b);
            doc_free(lf->doc);
            lf->doc = NULL;
        }
        diag_free(&diags);
        if (lf->doc) {
            lf->body_words = count_body_words(lf->doc);
            if (!longest_leaflet || lf->body_words > longest_leaflet->body_words)
                longest_leaflet = lf;
        }
        add_case(lf, PDF_HOUSE, house_style && house_style->suffix ? house_style->suffix : "");
        add_case(lf, PDF_LARGE,
                 large_style && large_style->suffix ? large_style->suffix : "-grote-letter");
        if (lf->doc && lf->doc->meta.contact_sheet)
            add_case(lf, PDF_SHEET, "-telefoonnummers");
    }
    globfree(&found);

    size_t n_checks = sizeof checks / sizeof *checks;
    size_t test_count = leaflet_count + case_count * n_checks;
    struct CMUnitTest *tests = xcalloc(test_count, sizeof *tests);
    test_spec *specs = xcalloc(case_count * n_checks, sizeof *specs);
    strvec names = {0};
    size_t t = 0;
    for (size_t i = 0; i < leaflet_count; i++) {
        strbuf b = {0};
        strbuf_printf(&b, "%s: parses", leaflets[i].source);
        strvec_push(&names, strbuf_take(&b));
        tests[t++] = (struct CMUnitTest){names.items[names.count - 1], run_parse_check, NULL, NULL,
                                         &leaflets[i]};
    }
    for (size_t c = 0; c < case_count; c++)
        for (size_t k = 0; k < n_checks; k++) {
            test_spec *s = &specs[c * n_checks + k];
            *s = (test_spec){&cases[c], checks[k].fn, checks[k].what};
            strbuf b = {0};
            strbuf_printf(&b, "%s (%s): %s", cases[c].name, kind_name(cases[c].kind), checks[k].what);
            strvec_push(&names, strbuf_take(&b));
            tests[t++] = (struct CMUnitTest){names.items[names.count - 1], run_check, NULL, NULL, s};
        }
    int failed = _cmocka_run_group_tests("readback", tests, t, NULL, NULL);

    for (size_t c = 0; c < case_count; c++)
        unload_case(&cases[c]);
    for (size_t i = 0; i < leaflet_count; i++) {
        doc_free(leaflets[i].doc);
        free(leaflets[i].source);
        free(leaflets[i].parse_errors);
    }
    free(leaflets);
    free(cases);
    free(tests);
    free(specs);
    strvec_free(&names);
    contacts_free(&registry);
    style_free(house_style);
    style_free(large_style);
    return failed ? 1 : 0;
}
