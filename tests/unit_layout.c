/* Unit tests for layout (src/layout*.c): the page breaker (orphans,
 * widows, headings kept with what follows), the cover and running footer,
 * margins, list labels, hyphenation per style, characters no bundled font
 * has, determinism and the outline.
 *
 * Sources are written into a fresh mkdtemp directory and parsed with
 * parse_leaflet; the real styles/ and fonts/ are used, so the tests run
 * from the repository root. Exact metrics depend on the fonts, so the page
 * breaker tests search for the filler counts that put a paragraph or a
 * heading at the foot of a page, and compute from the laid-out boxes
 * where the break would have fallen without the rules. */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw (scratch_dir.h) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scratch_dir.h"
#include "contacts.h"
#include "diag.h"
#include "doc.h"
#include "draw_glyphs.h"
#include "fonts.h"
#include "hyphenate.h"
#include "layout.h"
#include "layout_internal.h"
#include "parse.h"
#include "style.h"
#include "textutil.h"

#define SHY "\xC2\xAD"
#define EPS 0.01

/* cmocka 1.1 compares only floats; lengths need doubles. */
#undef assert_double_equal
#define assert_double_equal(a, b, eps)                                                   \
    do {                                                                                 \
        double a_ = (a), b_ = (b);                                                       \
        if (!(fabs(a_ - b_) <= (eps)))                                                   \
            fail_msg("%s = %.12g, expected %.12g (within %g)", #a, a_, b_, (double)(eps)); \
    } while (0)

/* Front matter of every test source: the body starts on line 9. */
#define FM                                                                                 \
    "---\ntitle: Proef\nlang: nl-NL\npublisher: Testuitgever\nupdated: 2020-02\n"          \
    "subject: Een proef.\nkeywords: [proef]\n---\n"
#define BODY_LINE 9

static char work_dir[512];
static PangoFontMap *fonts;
static layout_resources res;
static style *house, *large;

static const char LONG_TEXT[] =
    "Bij ongeveer 3 tot 5 procent van alle mensen met kanker worden uitzaaiingen gevonden, "
    "maar blijft onduidelijk waar de kanker is begonnen. Na uitgebreid weefselonderzoek "
    "bespreekt uw behandelend arts met u de mogelijkheden voor behandeling. De "
    "patiëntenorganisatie beïnvloedt het beleid van ziekenhuizen en onderzoeksinstellingen, "
    "organiseert lotgenotencontact en voorlichtingsbijeenkomsten, en denkt mee over "
    "verbeteringen in de zorg voor patiënten en hun naasten. Veel mensen vinden het prettig "
    "om hun ervaringen te delen met anderen die hetzelfde hebben meegemaakt, omdat "
    "herkenning en erkenning helpen bij het verwerken van de diagnose en de behandeling.";

/* ---- helpers ---- */

static char *source_path(const char *name)
{
    char *path = xmalloc(strlen(work_dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", work_dir, name);
    return path;
}

/* Writes FM + body to work_dir/NAME and parses it; no errors allowed. */
static document *parse_named(const char *name, const char *body, diag_list *diags)
{
    char *path = source_path(name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(FM, f);
    fputs(body, f);
    fclose(f);
    document *doc = parse_leaflet(path, NULL, work_dir, diags);
    free(path);
    return doc;
}

static document *parse_ok(const char *body)
{
    diag_list diags;
    diag_init(&diags);
    document *doc = parse_named("t.md", body, &diags);
    if (!doc || diags.errors) {
        diag_print(&diags);
        fail_msg("the test source does not parse");
    }
    diag_free(&diags);
    return doc;
}

static laid_out *lay(document *doc, const style *s)
{
    diag_list diags;
    diag_init(&diags);
    laid_out *out = layout_document(doc, s, &res, &diags);
    if (!out || diags.errors) {
        diag_print(&diags);
        fail_msg("layout_document failed");
    }
    diag_free(&diags);
    return out;
}

static bool is_heading(struct_role r) { return r == ROLE_H1 || r == ROLE_H2 || r == ROLE_H3; }

/* The element a glyph box counts for: links belong to their paragraph. */
static const struct_elem *owner(const box *b)
{
    const struct_elem *e = b->elem;
    while (e && e->role == ROLE_LINK)
        e = e->parent;
    return e;
}

/* Distinct baselines of elem's glyph boxes on page pg. */
static int lines_on_page(const laid_out *out, size_t pg, const struct_elem *elem)
{
    double ys[512];
    int n = 0;
    if (pg >= out->page_count)
        return 0;
    const page *p = &out->pages[pg];
    for (size_t i = 0; i < p->count; i++) {
        const box *b = &p->boxes[i];
        if (b->kind != BOX_GLYPHS || owner(b) != elem)
            continue;
        bool seen = false;
        for (int k = 0; k < n && !seen; k++)
            seen = fabs(ys[k] - b->y) < EPS;
        if (!seen && n < 512)
            ys[n++] = b->y;
    }
    return n;
}

/* First and last baseline of elem on page pg; false when it has none there. */
static bool elem_extent(const laid_out *out, size_t pg, const struct_elem *elem, double *first,
                        double *last)
{
    bool found = false;
    const page *p = &out->pages[pg];
    for (size_t i = 0; i < p->count; i++) {
        const box *b = &p->boxes[i];
        if (b->kind != BOX_GLYPHS || owner(b) != elem)
            continue;
        if (!found || b->y < *first)
            *first = b->y;
        if (!found || b->y > *last)
            *last = b->y;
        found = true;
    }
    return found;
}

static double pitch_of(const laid_out *out, const struct_elem *elem)
{
    for (size_t pg = 0; pg < out->page_count; pg++)
        for (size_t i = 0; i < out->pages[pg].count; i++)
            if (out->pages[pg].boxes[i].kind == BOX_GLYPHS && owner(&out->pages[pg].boxes[i]) == elem)
                return out->pages[pg].boxes[i].height;
    fail_msg("element has no glyphs");
    return 0;
}

/* Does a paragraph's text start with prefix, its soft hyphens aside? (The
 * layout keeps every soft hyphen hyphenation put in.) */
static bool starts_visibly(const char *text, const char *prefix)
{
    char *shown = visible_text(text, 0, strlen(text));
    bool yes = strncmp(shown, prefix, strlen(prefix)) == 0;
    free(shown);
    return yes;
}

/* The paragraph element whose text starts with prefix. */
static const struct_elem *elem_with_text(const laid_out *out, const char *prefix)
{
    for (size_t pg = 0; pg < out->page_count; pg++)
        for (size_t i = 0; i < out->pages[pg].count; i++) {
            const box *b = &out->pages[pg].boxes[i];
            if (b->kind == BOX_GLYPHS && b->elem && b->text && starts_visibly(b->text, prefix))
                return owner(b);
        }
    fail_msg("no element with text '%s'", prefix);
    return NULL;
}

static bool line_ends_hyphenated(const paragraph *p, int i);
static int check_hyphen_rules(const laid_out *out, const style *s, const char *what);

/* The paragraph elem's glyph boxes on page pg draw (the box text is the
 * paragraph's text). */
static const paragraph *paragraph_of(const laid_out *out, size_t pg, const struct_elem *elem)
{
    const page *p = &out->pages[pg];
    for (size_t i = 0; i < p->count; i++) {
        const box *b = &p->boxes[i];
        if (b->kind != BOX_GLYPHS || b->elem != elem)
            continue;
        for (guint k = 0; k < out->layouts->len; k++) {
            const paragraph *para = g_ptr_array_index(out->layouts, k);
            if (para->text == b->text)
                return para;
        }
    }
    return NULL;
}

/* Every paragraph or heading split over pages keeps at least `orphans`
 * lines on the first page and `widows` on the last. */
static void check_widows_orphans(const laid_out *out, const style *s, const char *what)
{
    for (size_t e = 0; e < out->elem_count; e++) {
        const struct_elem *elem = out->elems[e];
        if (elem->role != ROLE_P && !is_heading(elem->role))
            continue;
        for (size_t pg = 0; pg + 1 < out->page_count; pg++) {
            int here = lines_on_page(out, pg, elem), next = lines_on_page(out, pg + 1, elem);
            if (here == 0 || next == 0)
                continue;
            if (is_heading(elem->role))
                fail_msg("%s: a heading is split over pages %zu and %zu", what, pg + 1, pg + 2);
            if (here < s->orphans || next < s->widows)
                fail_msg("%s: a paragraph has %d line(s) on page %zu and %d on page %zu "
                         "(orphans %d, widows %d)",
                         what, here, pg + 1, next, pg + 2, s->orphans, s->widows);
            /* and the page does not end in a hyphenated word */
            int before = 0;
            for (size_t k = 0; k <= pg; k++)
                before += lines_on_page(out, k, elem);
            const paragraph *para = paragraph_of(out, pg, elem);
            if (para && line_ends_hyphenated(para, before - 1))
                fail_msg("%s: page %zu ends with a hyphenated line", what, pg + 1);
        }
    }
}

/* A heading is never the last thing on a body page, and at least
 * keep_with_next lines of what follows share its page. */
static void check_headings_kept(const laid_out *out, const style *s, const char *what)
{
    for (size_t pg = 1; pg < out->page_count; pg++) {
        const page *p = &out->pages[pg];
        for (size_t i = 0; i < p->count; i++) {
            const box *b = &p->boxes[i];
            if (b->kind != BOX_GLYPHS || !b->elem || !is_heading(b->elem->role))
                continue;
            double heading_last = b->y, unused;
            elem_extent(out, pg, b->elem, &unused, &heading_last);
            double ys[256];
            int below = 0;
            for (size_t k = 0; k < p->count; k++) {
                const box *o = &p->boxes[k];
                if (o->kind != BOX_GLYPHS || !o->elem || o->y <= heading_last + EPS)
                    continue;
                bool seen = false;
                for (int j = 0; j < below && !seen; j++)
                    seen = fabs(ys[j] - o->y) < EPS;
                if (!seen && below < 256)
                    ys[below++] = o->y;
            }
            if (below < s->keep_with_next)
                fail_msg("%s: heading '%.30s' on page %zu has %d line(s) after it on its page "
                         "(keep_with_next %d)",
                         what, b->text, pg + 1, below, s->keep_with_next);
        }
    }
}

/* Every glyph box lies on its page; body text keeps inside the margins. */
static void check_geometry(const laid_out *out, const style *s, const char *what)
{
    for (size_t pg = 0; pg < out->page_count; pg++) {
        const page *p = &out->pages[pg];
        double left = pg % 2 == 0 ? s->margin_inner : s->margin_outer;
        double right = out->width - (pg % 2 == 0 ? s->margin_outer : s->margin_inner);
        for (size_t i = 0; i < p->count; i++) {
            const box *b = &p->boxes[i];
            if (b->kind != BOX_GLYPHS)
                continue;
            if (b->x < 0 || b->x + b->width > out->width || b->y <= 0 || b->y > out->height)
                fail_msg("%s: glyph box '%.20s' at (%g, %g) width %g off page %zu", what,
                         b->text + b->run->item->offset, b->x, b->y, b->width, pg + 1);
            if (!b->elem)
                continue;
            /* (a space box where a line ends at a link's edge may pass the
             * right margin: it is invisible and only there for extraction) */
            bool space = b->run->item->length == 1 && b->text[b->run->item->offset] == ' ';
            if (b->x < left - EPS || b->x + b->width > right + (space ? b->width : 0.5))
                fail_msg("%s: text '%.20s' x %g..%g outside the margins %g..%g on page %zu",
                         what, b->text + b->run->item->offset, b->x, b->x + b->width, left,
                         right, pg + 1);
            if (pg > 0 && (b->y < s->margin_top || b->y > out->height - s->margin_bottom))
                fail_msg("%s: text '%.20s' baseline %g outside %g..%g on page %zu", what,
                         b->text + b->run->item->offset, b->y, s->margin_top,
                         out->height - s->margin_bottom, pg + 1);
        }
    }
}

static bool has_shy(const laid_out *out)
{
    for (guint i = 0; i < out->layouts->len; i++) {
        const paragraph *p = g_ptr_array_index(out->layouts, i);
        if (p->text && strstr(p->text, SHY))
            return true;
    }
    return false;
}

/* ---- orphans and widows ---- */

/* The paragraph (out->layouts) whose text starts with prefix. */
static const paragraph *paragraph_with_text(const laid_out *out, const char *prefix)
{
    for (guint i = 0; i < out->layouts->len; i++) {
        const paragraph *p = g_ptr_array_index(out->layouts, i);
        if (p->text && starts_visibly(p->text, prefix))
            return p;
    }
    fail_msg("no paragraph with text '%s'", prefix);
    return NULL;
}

/* Whether line i of p ends with a soft hyphen (Pango draws a hyphen there). */
static bool line_ends_hyphenated(const paragraph *p, int i)
{
    PangoLayoutLine *line = pango_layout_get_line_readonly(p->layout, i);
    int end = line->start_index + line->length;
    return end >= 2 && strncmp(p->text + end - 2, SHY, 2) == 0;
}

/* The baseline of the last line of elem, and its page. */
static void last_line(const laid_out *out, const struct_elem *elem, size_t *pg, double *y)
{
    double unused;
    bool found = false;
    for (size_t k = 0; k < out->page_count; k++)
        if (elem_extent(out, k, elem, &unused, y)) {
            *pg = k;
            found = true;
        }
    assert_true(found);
}

/* Body text's ascent (line top to baseline): a filler alone at the top of
 * the first body page. */
static double body_ascent(const style *s)
{
    document *doc = parse_ok("# Proef\n\nVul 1.\n");
    laid_out *out = lay(doc, s);
    double first, last;
    assert_true(elem_extent(out, 1, elem_with_text(out, "Vul 1."), &first, &last));
    double ascent = first - s->margin_top;
    assert_true(ascent > 0 && ascent < s->body.size * s->body.line_height);
    layout_free(out);
    doc_free(doc);
    return ascent;
}

/* "# Proef", `items` one-line list items, `count` one-line fillers ("Vul 1.",
 * short words that are never hyphenated), then tail. The list items move
 * the fillers by a different step, so that together they reach every
 * position on the page. Caller frees. */
static char *with_fillers(int items, int count, const char *tail)
{
    strbuf b = {0};
    strbuf_puts(&b, "# Proef\n\n");
    for (int i = 0; i < items; i++)
        strbuf_printf(&b, "- Punt %d.\n", i + 1);
    if (items)
        strbuf_puts(&b, "\n");
    for (int i = 0; i < count; i++)
        strbuf_printf(&b, "Vul %d.\n\n", i + 1);
    strbuf_puts(&b, tail);
    return strbuf_take(&b);
}

/* No line of body text reaches into the bottom margin: a line's box runs
 * from its baseline - ascent to that + pitch. */
static void check_body_bottoms(const laid_out *out, const style *s, double ascent,
                               const char *what)
{
    double pitch = s->body.size * s->body.line_height;
    double bottom = s->page_height - s->margin_bottom;
    for (size_t pg = 1; pg < out->page_count; pg++)
        for (size_t i = 0; i < out->pages[pg].count; i++) {
            const box *b = &out->pages[pg].boxes[i];
            if (b->kind != BOX_GLYPHS || !b->elem || fabs(b->height - pitch) > 1e-9)
                continue;
            if (b->y - ascent + pitch > bottom + 1e-6)
                fail_msg("%s: a line on page %zu ends at %g, below the text area (%g)", what,
                         pg + 1, b->y - ascent + pitch, bottom);
        }
}

typedef struct split_search {
    int whole, free, orphan, widow, hyphen;
} split_search;

/* Lays out fillers + a long paragraph for many filler counts, checks every
 * layout, and compares each break with the rules applied to where the
 * paragraph's lines would naturally fall. */
static split_search search_paragraph_breaks(const style *s)
{
    split_search found = {0};
    double ascent = body_ascent(s);
    char *tail = xmalloc(strlen(LONG_TEXT) + 16);
    sprintf(tail, "Lang: %s\n", LONG_TEXT);
    for (int items = 0; items < 7; items++) {
        for (int k = 1; k < 32; k++) {
            char *body = with_fillers(items, k, tail);
            document *doc = parse_ok(body);
            free(body);
            laid_out *out = lay(doc, s);
            char what[80];
            snprintf(what, sizeof what, "%s, %d list items, %d fillers", s->name, items, k);
            check_widows_orphans(out, s, what);
            check_headings_kept(out, s, what);
            check_geometry(out, s, what);
            check_body_bottoms(out, s, ascent, what);

            const struct_elem *lang = elem_with_text(out, "Lang:");
            const paragraph *para = paragraph_with_text(out, "Lang:");
            int n = pango_layout_get_line_count(para->layout);
            assert_true(n >= s->orphans + s->widows + 3); /* long enough to split freely */
            double pitch = pitch_of(out, lang);
            assert_double_equal(pitch, s->body.size * s->body.line_height, 1e-9);

            /* where the paragraph would start: right under the last filler */
            char filler[32];
            snprintf(filler, sizeof filler, "Vul %d.", k);
            size_t filler_page = 0;
            double filler_y = 0;
            last_line(out, elem_with_text(out, filler), &filler_page, &filler_y);
            double top = filler_y - ascent + pitch + fmax(s->body.space_after, s->body.space_before);
            double bottom = s->page_height - s->margin_bottom;
            int fit = (int)floor((bottom - top) / pitch + 1e-6);
            if (fit < 0)
                fit = 0;
            /* the last break at or before `fit` the rules allow; 0: the whole
             * paragraph moves to the next page */
            int expected = fit;
            if (fit < n) {
                while (expected > 0 && (expected < s->orphans || n - expected < s->widows ||
                                        line_ends_hyphenated(para, expected - 1)))
                    expected--;
                if (fit > 0 && fit < s->orphans)
                    found.orphan++;
                else if (fit > 0 && n - fit < s->widows)
                    found.widow++;
                else if (fit > 0 && line_ends_hyphenated(para, fit - 1))
                    found.hyphen++;
                else if (fit > 0)
                    found.free++;
            } else {
                expected = n;
                found.whole++;
            }
            int here = lines_on_page(out, filler_page, lang);
            int next = lines_on_page(out, filler_page + 1, lang);
            if (here != expected || next != n - expected)
                fail_msg("%s: %d of %d lines fit under the fillers on page %zu, so %d|%d "
                         "expected, laid out %d|%d", what, fit, n, filler_page + 1, expected,
                         n - expected, here, next);
            layout_free(out);
            doc_free(doc);
        }
    }
    free(tail);
    return found;
}

static void test_orphans_widows(void **state)
{
    (void)state;
    const style *styles[] = {house, large};
    for (size_t i = 0; i < 2; i++) {
        const style *s = styles[i];
        assert_int_equal(s->orphans, 2);
        assert_int_equal(s->widows, 2);
        split_search found = search_paragraph_breaks(s);
        print_message("%s: paragraph breaks met: whole %d, free %d, orphan %d, widow %d, "
                      "after a hyphen %d\n", s->name, found.whole, found.free, found.orphan,
                      found.widow, found.hyphen);
        /* every kind of break was met */
        if (!found.whole || !found.free || !found.orphan || !found.widow)
            fail_msg("%s: whole %d, free %d, orphan %d, widow %d, hyphen %d", s->name,
                     found.whole, found.free, found.orphan, found.widow, found.hyphen);
        if (s->hyphenate && !found.hyphen)
            fail_msg("%s: no break fell after a hyphenated line", s->name);
    }
}

/* ---- keep with next ---- */

static void test_keep_with_next(void **state)
{
    (void)state;
    const style *styles[] = {house, large};
    for (size_t si = 0; si < 2; si++) {
        const style *s = styles[si];
        assert_int_equal(s->keep_with_next, 2);
        double ascent = body_ascent(s);
        int stranded = 0, one_line = 0, kept = 0;
        for (int items = 0; items < 7; items++) {
            for (int k = 1; k < 32; k++) {
                char *body = with_fillers(items, k, "## Tussenkop over de behandeling\n\n"
                                     "Na de kop: dit is de tekst onder de tussenkop, lang genoeg "
                                     "voor een aantal regels op de pagina zodat de kop en de eerste "
                                     "regels samen moeten blijven als de pagina bijna vol is, en "
                                     "dat is precies wat deze proef nagaat.\n");
                document *doc = parse_ok(body);
                free(body);
                laid_out *out = lay(doc, s);
                char what[80];
                snprintf(what, sizeof what, "%s, %d list items, %d fillers", s->name, items, k);
                check_headings_kept(out, s, what);
                check_widows_orphans(out, s, what);
                check_body_bottoms(out, s, ascent, what);

                const struct_elem *heading = elem_with_text(out, "Tussenkop");
                const struct_elem *after = elem_with_text(out, "Na de kop:");
                double body_pitch = pitch_of(out, after), heading_pitch = pitch_of(out, heading);
                assert_int_equal(pango_layout_get_line_count(
                                     paragraph_with_text(out, "Tussenkop")->layout), 1);
                size_t heading_page = 0;
                double heading_y = 0;
                last_line(out, heading, &heading_page, &heading_y);
                char filler[32];
                snprintf(filler, sizeof filler, "Vul %d.", k);
                size_t filler_page = 0;
                double filler_y = 0;
                last_line(out, elem_with_text(out, filler), &filler_page, &filler_y);
                /* where the heading and the text after it would naturally go */
                double bottom = s->page_height - s->margin_bottom;
                double heading_top = filler_y - ascent + body_pitch +
                                     fmax(s->body.space_after, s->h2.space_before);
                double after_top = heading_top + heading_pitch +
                                   fmax(s->h2.space_after, s->body.space_before);
                bool heading_fits = heading_top + heading_pitch <= bottom;
                int lines_fit = (int)floor((bottom - after_top) / body_pitch + 1e-6);
                if (heading_fits && lines_fit < s->keep_with_next) {
                    if (lines_fit <= 0)
                        stranded++;
                    else
                        one_line++;
                    if (heading_page != filler_page + 1)
                        fail_msg("%s: the heading would end page %zu with %d line(s) after it, "
                                 "but stays on page %zu", what, filler_page + 1, lines_fit,
                                 heading_page + 1);
                    assert_true(lines_on_page(out, heading_page, after) >= s->keep_with_next);
                } else if (heading_fits) {
                    kept++;
                    if (heading_page != filler_page)
                        fail_msg("%s: heading and %d lines fit on page %zu, but the heading is "
                                 "on page %zu", what, lines_fit, filler_page + 1, heading_page + 1);
                }
                layout_free(out);
                doc_free(doc);
            }
        }
        print_message("%s: headings met: stranded %d, with one line %d, kept in place %d\n",
                      s->name, stranded, one_line, kept);
        if (!stranded || !one_line || !kept)
            fail_msg("%s: stranded %d, one line %d, kept %d", s->name, stranded, one_line, kept);
    }
}

/* ---- cover, footer, margins ---- */

static const char RICH[] =
    "# Proef\n\n"
    "Inleiding met *nadruk* en **vet**, een [koppeling](https://www.kanker.nl/pto) en een "
    "telefoonnummer 020 444 44 44.\n\n"
    "## Eerste kop\n\n%s\n\n"
    "- Een opsommingsteken met een lange tekst die over meerdere regels doorloopt, zodat de "
    "hangende inspringing zichtbaar wordt in de opmaak van de lijst.\n"
    "- Kort punt.\n\n"
    "> [!TIP] Tips voor patiënten\n> %s\n\n"
    "### Derde niveau\n\n%s\n\n%s\n\n## Tweede kop\n\n%s\n";

static char *rich_body(void)
{
    size_t n = sizeof RICH + 5 * sizeof LONG_TEXT;
    char *body = xmalloc(n);
    snprintf(body, n, RICH, LONG_TEXT, LONG_TEXT, LONG_TEXT, LONG_TEXT, LONG_TEXT);
    return body;
}

static void check_cover_and_footers(const laid_out *out, const style *s, const document *doc,
                                    const char *what)
{
    assert_true(out->page_count >= 2);
    assert_double_equal(out->width, s->page_width, EPS);
    assert_double_equal(out->height, s->page_height, EPS);
    /* the cover: the colour band and the H1 */
    const page *cover = &out->pages[0];
    const box *band = NULL;
    for (size_t i = 0; i < cover->count; i++) {
        const box *b = &cover->boxes[i];
        if (b->kind == BOX_FILL && b->x == 0 && b->y == 0 && fabs(b->width - out->width) < EPS)
            band = b;
    }
    if (!band)
        fail_msg("%s: no colour band on the cover", what);
    /* without a photo the band runs down to the logo row, or without a
     * logo to the bottom edge: no blank part; then it bleeds there too */
    bool to_bottom = fabs(band->height - out->height) < EPS;
    if (!doc->meta.cover_image && !(s->cover_logo && *s->cover_logo) && !to_bottom)
        fail_msg("%s: the band ends %.1f pt above the foot of a cover with no photo and no logo",
                 what, out->height - band->height);
    assert_int_equal(band->bleed_edges,
                     EDGE_TOP | EDGE_LEFT | EDGE_RIGHT | (to_bottom ? EDGE_BOTTOM : 0));
    assert_null(band->elem);
    assert_true(band->height >= s->cover_band_height - EPS);
    assert_double_equal(band->color.r, s->cover_band_color.r, 1e-9);
    assert_double_equal(band->color.g, s->cover_band_color.g, 1e-9);
    assert_double_equal(band->color.b, s->cover_band_color.b, 1e-9);
    int h1_boxes = 0;
    for (size_t pg = 0; pg < out->page_count; pg++)
        for (size_t i = 0; i < out->pages[pg].count; i++) {
            const box *b = &out->pages[pg].boxes[i];
            if (b->kind == BOX_GLYPHS && b->elem && b->elem->role == ROLE_H1) {
                if (pg != 0)
                    fail_msg("%s: H1 text on page %zu", what, pg + 1);
                assert_true(b->y < band->height); /* drawn on the band */
                h1_boxes++;
            }
        }
    assert_true(h1_boxes > 0);
    /* the body pages: page number and short title, as artifacts, below the text */
    const char *short_title = doc->meta.short_title ? doc->meta.short_title : doc->meta.title;
    for (size_t pg = 1; pg < out->page_count; pg++) {
        char number[32];
        snprintf(number, sizeof number, "%zu", pg + 1);
        bool has_number = false, has_title = false;
        for (size_t i = 0; i < out->pages[pg].count; i++) {
            const box *b = &out->pages[pg].boxes[i];
            if (b->kind != BOX_GLYPHS || b->elem)
                continue;
            assert_true(b->y > out->height - s->margin_bottom);
            has_number |= strcmp(b->text, number) == 0;
            has_title |= strcmp(b->text, short_title) == 0;
        }
        if (!has_number || !has_title)
            fail_msg("%s: page %zu lacks its footer (number %d, title %d)", what, pg + 1,
                     has_number, has_title);
    }
    /* no footer on the cover */
    for (size_t i = 0; i < cover->count; i++)
        if (cover->boxes[i].kind == BOX_GLYPHS && !cover->boxes[i].elem)
            fail_msg("%s: an artifact glyph box on the cover", what);
}

static void test_cover_footer_margins(void **state)
{
    (void)state;
    char *body = rich_body();
    document *doc = parse_ok(body);
    free(body);
    const style *styles[] = {house, large};
    for (size_t i = 0; i < 2; i++) {
        laid_out *out = lay(doc, styles[i]);
        assert_true(out->page_count >= 3);
        check_cover_and_footers(out, styles[i], doc, styles[i]->name);
        check_geometry(out, styles[i], styles[i]->name);
        check_widows_orphans(out, styles[i], styles[i]->name);
        check_headings_kept(out, styles[i], styles[i]->name);
        layout_free(out);
    }
    doc_free(doc);
}

/* The shipped leaflets, in every shipped style, keep every rule too. */
static void check_page_rules(const laid_out *out, const style *s, const char *what);

/* Every rule on real leaflets: the seeds, and the two heart-clinic leaflets
 * written as a leaflet team would (tests/data/clinic, with their registry). */
static void check_real_leaflets(const char *pattern, const char *contacts)
{
    contact_registry registry = {0};
    diag_list diags;
    diag_init(&diags);
    assert_true(contacts_load(contacts, &registry, &diags));
    glob_t found;
    assert_int_equal(glob(pattern, 0, NULL, &found), 0);
    assert_true(found.gl_pathc >= 2);
    for (size_t f = 0; f < found.gl_pathc; f++) {
        document *doc = parse_leaflet(found.gl_pathv[f], &registry, ".", &diags);
        if (!doc || diags.errors) {
            diag_print(&diags);
            fail_msg("%s does not parse", found.gl_pathv[f]);
        }
        const style *styles[] = {house, large};
        for (size_t i = 0; i < 2; i++) {
            char what[160];
            snprintf(what, sizeof what, "%s (%s)", found.gl_pathv[f], styles[i]->name);
            laid_out *out = lay(doc, styles[i]);
            check_cover_and_footers(out, styles[i], doc, what);
            check_geometry(out, styles[i], what);
            check_widows_orphans(out, styles[i], what);
            check_headings_kept(out, styles[i], what);
            check_hyphen_rules(out, styles[i], what);
            check_page_rules(out, styles[i], what);
            layout_free(out);
        }
        doc_free(doc);
    }
    globfree(&found);
    diag_free(&diags);
    contacts_free(&registry);
}

static void test_real_leaflets(void **state)
{
    (void)state;
    check_real_leaflets("sources/*.md", "sources/contacts.yaml");
    check_real_leaflets("tests/data/clinic/sources/*.md", "tests/data/clinic/sources/contacts.yaml");
}

/* The language samples: English hyphenates with its own patterns, Turkish
 * and Arabic (right to left) not at all; each drawn as laid out without
 * its unused soft hyphens too. */
static void test_language_samples_drawn(void **state)
{
    (void)state;
    contact_registry registry = {0};
    diag_list diags;
    diag_init(&diags);
    assert_true(contacts_load("tests/data/languages/contacts.yaml", &registry, &diags));
    glob_t found;
    assert_int_equal(glob("tests/data/languages/*.md", 0, NULL, &found), 0);
    assert_true(found.gl_pathc >= 3);
    int hyphenated = 0; /* samples with soft hyphens */
    for (size_t f = 0; f < found.gl_pathc; f++) {
        document *doc = parse_leaflet(found.gl_pathv[f], &registry, ".", &diags);
        if (!doc || diags.errors) {
            diag_print(&diags);
            fail_msg("%s does not parse", found.gl_pathv[f]);
        }
        laid_out *out = lay(doc, house);
        check_hyphen_rules(out, house, found.gl_pathv[f]);
        hyphenated += has_shy(out);
        layout_free(out);
        doc_free(doc);
    }
    assert_true(hyphenated >= 1); /* English (no Turkish patterns are installed) */
    globfree(&found);
    diag_free(&diags);
    contacts_free(&registry);
}

/* ---- lists ---- */

static void test_lists(void **state)
{
    (void)state;
    strbuf b = {0};
    strbuf_puts(&b, "# Proef\n\nEen genummerde lijst:\n\n");
    for (int i = 1; i <= 11; i++)
        strbuf_printf(&b, "%d. Punt %d: uw arts bespreekt met u welke behandeling het best past "
                          "bij uw situatie en wat u daarvan kunt verwachten.\n", i, i);
    strbuf_puts(&b, "\nEn een opsomming:\n\n"
                    "- Eerste punt met een lange tekst die over meerdere regels doorloopt, "
                    "zodat de hangende inspringing te zien is.\n"
                    "  - Een genest punt, ook met een lange tekst die over meerdere regels "
                    "doorloopt in de opmaak.\n"
                    "  - Nog een genest punt.\n"
                    "- Tweede punt.\n\n"
                    "- **Een los punt**\n\n"
                    "  Met een tweede alinea die ook over meerdere regels doorloopt, zodat ook "
                    "die de inspringing van het punt volgt.\n");
    char *body = strbuf_take(&b);
    document *doc = parse_ok(body);
    free(body);
    const style *styles[] = {house, large};
    for (size_t si = 0; si < 2; si++) {
        const style *s = styles[si];
        laid_out *out = lay(doc, s);
        int lists = 0, multi_line_items = 0;
        bool label_widths_differ = false;
        for (size_t e = 0; e < out->elem_count; e++) {
            const struct_elem *list = out->elems[e];
            if (list->role != ROLE_LIST)
                continue;
            lists++;
            double right = NAN, first_label_x = NAN;
            for (size_t pg = 0; pg < out->page_count; pg++) {
                const page *p = &out->pages[pg];
                for (size_t i = 0; i < p->count; i++) {
                    const box *label = &p->boxes[i];
                    if (label->kind != BOX_GLYPHS || !label->elem ||
                        label->elem->role != ROLE_LABEL || label->elem->parent->parent != list)
                        continue;
                    const struct_elem *item = label->elem->parent;
                    /* labels of one list: one right edge (per page side) */
                    double r = label->x + label->width - (pg % 2 == 0 ? s->margin_inner : s->margin_outer);
                    if (isnan(right))
                        right = r, first_label_x = label->x;
                    if (fabs(r - right) > EPS)
                        fail_msg("%s: list labels end at %g and %g", s->name, right, r);
                    if (fabs(label->x - first_label_x) > EPS)
                        label_widths_differ = true;
                    /* the item's body: every line at one x, past the label */
                    double body_x = NAN;
                    int lines = 0;
                    for (size_t k = 0; k < p->count; k++) {
                        const box *t = &p->boxes[k];
                        const struct_elem *o = owner(t);
                        if (t->kind != BOX_GLYPHS || !o || o->role != ROLE_P ||
                            !o->parent || o->parent->role != ROLE_LIST_BODY ||
                            o->parent->parent != item)
                            continue;
                        /* the first box of its line */
                        bool line_start = true;
                        for (size_t j = 0; j < p->count; j++)
                            if (p->boxes[j].kind == BOX_GLYPHS && owner(&p->boxes[j]) == o &&
                                fabs(p->boxes[j].y - t->y) < EPS && p->boxes[j].x < t->x - EPS)
                                line_start = false;
                        if (!line_start)
                            continue;
                        lines++;
                        if (isnan(body_x))
                            body_x = t->x;
                        if (fabs(t->x - body_x) > EPS)
                            fail_msg("%s: lines of one item start at %g and %g", s->name, body_x,
                                     t->x);
                    }
                    if (lines == 0)
                        fail_msg("%s: a list item without body lines", s->name);
                    if (lines > 1)
                        multi_line_items++;
                    assert_true(body_x > label->x + label->width);
                    assert_double_equal(body_x - (label->x + label->width), s->list_label_gap,
                                        EPS);
                }
            }
            assert_false(isnan(right));
        }
        assert_int_equal(lists, 3); /* numbered, bullets (the last item loose), nested */
        assert_true(label_widths_differ); /* "9." and "10." */
        assert_true(multi_line_items >= 5);
        layout_free(out);
    }
    doc_free(doc);
}

/* ---- hyphenation per style ---- */

static void test_hyphenation_per_style(void **state)
{
    (void)state;
    char *body = rich_body();
    document *doc = parse_ok(body);
    free(body);
    assert_true(house->hyphenate);
    assert_false(large->hyphenate);
    laid_out *out = lay(doc, house);
    assert_true(has_shy(out));
    layout_free(out);
    out = lay(doc, large);
    assert_false(has_shy(out));
    layout_free(out);
    /* and house again: the large print did not change the document */
    out = lay(doc, house);
    assert_true(has_shy(out));
    layout_free(out);
    doc_free(doc);
}

/* ---- characters no font has ---- */

static void expect_missing_glyph(const char *body, unsigned codepoint, const char *utf8, int line,
                                 int column)
{
    diag_list diags;
    diag_init(&diags);
    document *doc = parse_named("glyph.md", body, &diags);
    assert_non_null(doc);
    assert_int_equal(diags.errors, 0);
    laid_out *out = layout_document(doc, house, &res, &diags);
    assert_null(out);
    assert_int_equal(diags.errors, 1);
    char expected[128];
    snprintf(expected, sizeof expected, "no bundled font has the character U+%04X '%s'",
             codepoint, utf8);
    const diag *d = &diags.items[diags.count - 1];
    assert_int_equal(d->level, SEVERITY_ERROR);
    assert_string_equal(d->message, expected);
    char *path = source_path("glyph.md");
    assert_string_equal(d->file, path);
    free(path);
    assert_int_equal(d->line, line);
    assert_int_equal(d->column, column);
    doc_free(doc);
    diag_free(&diags);
}

static void test_missing_glyph(void **state)
{
    (void)state;
    /* Linear B: in no bundled font */
    /* the character's own column, not its paragraph's */
    expect_missing_glyph("# Proef\n\nEen teken \xF0\x90\x80\x80 zonder lettertype.\n", 0x10000,
                         "\xF0\x90\x80\x80", BODY_LINE + 2, 11);
    /* in a later text node of the paragraph */
    expect_missing_glyph("# Proef\n\nEerst **vet** en dan \xF0\x9F\x9A\x80 een raket.\n", 0x1F680,
                         "\xF0\x9F\x9A\x80", BODY_LINE + 2, 22);
    expect_missing_glyph("# Proef\n\n## Kop met \xF0\x90\x80\x81\n", 0x10001,
                         "\xF0\x90\x80\x81", BODY_LINE + 2, 12);
    /* after hyphenation added soft hyphens before it: still the source column */
    expect_missing_glyph("# Proef\n\nOnderzoeksresultaten verpleegkundigen \xF0\x90\x80\x80.\n",
                         0x10000, "\xF0\x90\x80\x80", BODY_LINE + 2, 39);
    /* every occurrence, each at its own column */
    {
        diag_list diags;
        diag_init(&diags);
        document *doc = parse_named("glyph.md", "# Proef\n\nEen \xF0\x90\x80\x80 en nog \xF0\x90\x80\x80 en "
                                                "\xF0\x9F\x9A\x80.\n", &diags);
        assert_non_null(doc);
        assert_null(layout_document(doc, house, &res, &diags));
        assert_int_equal(diags.errors, 3);
        int columns[] = {5, 14, 19};
        for (int i = 0; i < 3; i++) {
            assert_int_equal(diags.items[diags.count - 3 + (size_t)i].line, BODY_LINE + 2);
            assert_int_equal(diags.items[diags.count - 3 + (size_t)i].column, columns[i]);
        }
        doc_free(doc);
        diag_free(&diags);
    }

    /* U+1F600 is in DejaVu Sans, and ⁰ (Atkinson lacks it) too: no error */
    document *doc = parse_ok("# Proef\n\nLachen \xF0\x9F\x98\x80 helpt bij 38,5⁰ C.\n");
    laid_out *out = lay(doc, house);
    layout_free(out);
    doc_free(doc);
}

/* ---- determinism ---- */

static void test_deterministic(void **state)
{
    (void)state;
    char *body = rich_body();
    document *doc = parse_ok(body);
    free(body);
    laid_out *a = lay(doc, house);
    document *again = parse_ok(body = rich_body());
    free(body);
    laid_out *b = lay(again, house);
    assert_int_equal(a->page_count, b->page_count);
    assert_int_equal(a->elem_count, b->elem_count);
    for (size_t e = 0; e < a->elem_count; e++)
        assert_int_equal(a->elems[e]->role, b->elems[e]->role);
    for (size_t pg = 0; pg < a->page_count; pg++) {
        const page *pa = &a->pages[pg], *pb = &b->pages[pg];
        assert_int_equal(pa->count, pb->count);
        for (size_t i = 0; i < pa->count; i++) {
            const box *x = &pa->boxes[i], *y = &pb->boxes[i];
            assert_int_equal(x->kind, y->kind);
            if (x->x != y->x || x->y != y->y || x->width != y->width || x->height != y->height)
                fail_msg("page %zu box %zu: (%.17g %.17g %.17g %.17g) vs (%.17g %.17g %.17g %.17g)",
                         pg + 1, i, x->x, x->y, x->width, x->height, y->x, y->y, y->width,
                         y->height);
            assert_int_equal(!x->elem, !y->elem);
            if (x->elem)
                assert_int_equal(x->elem->role, y->elem->role);
            if (x->kind == BOX_GLYPHS) {
                assert_int_equal(x->run->glyphs->num_glyphs, y->run->glyphs->num_glyphs);
                assert_int_equal(x->run->item->offset, y->run->item->offset);
                assert_int_equal(x->run->item->length, y->run->item->length);
                assert_memory_equal(x->text + x->run->item->offset, y->text + y->run->item->offset,
                                    (size_t)x->run->item->length);
            }
        }
    }
    assert_int_equal(a->outline_count, b->outline_count);
    layout_free(a);
    layout_free(b);
    doc_free(again);
    doc_free(doc);
}

/* ---- outline ---- */

static void test_outline(void **state)
{
    (void)state;
    char *body = rich_body();
    strbuf b = {0};
    strbuf_puts(&b, body);
    strbuf_printf(&b, "\n### Na 30 minuten\n\n%s\n", LONG_TEXT);
    free(body);
    body = strbuf_take(&b);
    document *doc = parse_ok(body);
    free(body);
    laid_out *out = lay(doc, house);
    static const struct { const char *title; int level; } expected[] = {
        {"Proef", 1}, {"Eerste kop", 2}, {"Derde niveau", 3}, {"Tweede kop", 2},
        {"Na 30 minuten", 3}, {"Over deze folder", 2},
    };
    size_t n = sizeof expected / sizeof *expected;
    assert_int_equal(out->outline_count, n);
    /* one entry per heading element, in reading order */
    size_t h = 0;
    for (size_t e = 0; e < out->elem_count; e++) {
        const struct_elem *elem = out->elems[e];
        if (!is_heading(elem->role) || (elem->parent && elem->parent->role == ROLE_BOX))
            continue; /* box titles are headings without a bookmark */
        assert_true(h < n);
        assert_int_equal(out->outline[h].level, elem->role == ROLE_H1 ? 1 : elem->role == ROLE_H2 ? 2 : 3);
        /* on the page of its heading, at its top */
        double first, last;
        if (!elem_extent(out, (size_t)out->outline[h].page, elem, &first, &last))
            fail_msg("outline entry '%s' points at page %d, where its heading is not",
                     out->outline[h].title, out->outline[h].page + 1);
        assert_true(out->outline[h].y < first);
        assert_true(first - out->outline[h].y < pitch_of(out, elem));
        h++;
    }
    assert_int_equal(h, n);
    int previous_page = 0;
    double previous_y = -1;
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(out->outline[i].title, expected[i].title); /* NBSP became a space */
        assert_int_equal(out->outline[i].level, expected[i].level);
        assert_true(out->outline[i].page > previous_page ||
                    (out->outline[i].page == previous_page && out->outline[i].y > previous_y));
        previous_page = out->outline[i].page;
        previous_y = out->outline[i].y;
    }
    assert_int_equal(out->outline[0].page, 0);
    assert_true(out->outline[n - 1].page >= 2);
    layout_free(out);
    doc_free(doc);
}

/* ---- set-up ---- */


/* ---- hyphenation rules in laid-out text ---- */

/* Whether byte i of p's text is a soft hyphen a line (not the last) ends at. */
static bool line_ends_at_shy(const paragraph *p, size_t i)
{
    int n = pango_layout_get_line_count(p->layout);
    for (int l = 0; l + 1 < n; l++) {
        PangoLayoutLine *line = pango_layout_get_line_readonly(p->layout, l);
        if ((size_t)(line->start_index + line->length) == i + 2)
            return true;
    }
    return false;
}

static bool same_glyphs(const PangoGlyphString *a, const PangoGlyphString *b)
{
    if (a->num_glyphs != b->num_glyphs)
        return false;
    for (int g = 0; g < a->num_glyphs; g++) {
        const PangoGlyphInfo *x = &a->glyphs[g], *y = &b->glyphs[g];
        if (x->glyph != y->glyph || x->geometry.width != y->geometry.width ||
            x->geometry.x_offset != y->geometry.x_offset ||
            x->geometry.y_offset != y->geometry.y_offset ||
            x->attr.is_cluster_start != y->attr.is_cluster_start ||
            a->log_clusters[g] != b->log_clusters[g])
            return false;
    }
    return true;
}

/* What the renderer draws of p is what a layout of p's text without its
 * unused soft hyphens (those no line ends at) would draw: the same line
 * breaks, and run for run the same text and the same glyphs where they
 * were (this is what keeps the PDFs the same bytes as when layout removed
 * them and laid the paragraph out again); and the drawn text of a run has
 * a soft hyphen only at its end, where a line ends (cairo would write any
 * other as an empty ActualText span). */
static void check_drawn_runs(const paragraph *p, const char *what)
{
    const char *t = p->text;
    size_t len = strlen(t);
    GString *kept = g_string_new(t);
    PangoAttrList *attrs = pango_layout_get_attributes(p->layout);
    attrs = attrs ? pango_attr_list_copy(attrs) : pango_attr_list_new();
    for (size_t i = len; i-- > 0;)
        if (i + 1 < len && strncmp(t + i, SHY, 2) == 0 && !line_ends_at_shy(p, i)) {
            g_string_erase(kept, (gssize)i, 2);
            pango_attr_list_update(attrs, (int)i, 2, 0);
        }
    PangoLayout *without = pango_layout_copy(p->layout);
    pango_layout_set_text(without, kept->str, (int)kept->len);
    pango_layout_set_attributes(without, attrs);
    pango_attr_list_unref(attrs);
    int n = pango_layout_get_line_count(p->layout);
    if (pango_layout_get_line_count(without) != n)
        fail_msg("%s: “%.60s” has %d lines without its unused soft hyphens, %d with them", what,
                 kept->str, pango_layout_get_line_count(without), n);
    for (int l = 0; l < n; l++) {
        GSList *r = pango_layout_get_line_readonly(p->layout, l)->runs;
        GSList *o = pango_layout_get_line_readonly(without, l)->runs;
        for (; r && o; r = r->next, o = o->next) {
            PangoGlyphItem *run = r->data, *old = o->data;
            drawn_run d;
            bool filtered = glyph_run_without_unused_soft_hyphens(t, run, &d);
            const PangoGlyphItem *drawn = filtered ? &d.run : run;
            const char *text = filtered ? d.text : t;
            const PangoItem *item = drawn->item;
            if (item->length != old->item->length || item->num_chars != old->item->num_chars ||
                memcmp(text + item->offset, kept->str + old->item->offset, (size_t)item->length) != 0 ||
                !same_glyphs(drawn->glyphs, old->glyphs))
                fail_msg("%s: line %d of “%.60s” draws “%.*s” (%d glyphs), not the “%.*s” (%d glyphs) "
                         "it had", what, l + 1, kept->str, item->length, text + item->offset,
                         drawn->glyphs->num_glyphs, old->item->length, kept->str + old->item->offset,
                         old->glyphs->num_glyphs);
            for (int i = 0; i + 1 < item->length; i++)
                if (strncmp(text + item->offset + i, SHY, 2) == 0 &&
                    !(i + 2 == item->length && line_ends_at_shy(p, (size_t)(run->item->offset + run->item->length - 2))))
                    fail_msg("%s: a soft hyphen drawn where no line breaks, at byte %d of “%.*s”",
                             what, i, item->length, text + item->offset);
            if (filtered)
                drawn_run_clear(&d);
        }
        if (r || o)
            fail_msg("%s: line %d of “%.60s” has other runs without its unused soft hyphens", what,
                     l + 1, kept->str);
    }
    g_object_unref(without);
    g_string_free(kept, TRUE);
}

/* Every paragraph: drawn as without its unused soft hyphens (above), at
 * most max_run hyphenated lines in a row, and never the last word split.
 * Returns the hyphenated lines. */
static int check_hyphen_rules(const laid_out *out, const style *s, const char *what)
{
    int hyphenated = 0;
    for (guint k = 0; k < out->layouts->len; k++) {
        const paragraph *p = out->layouts->pdata[k];
        int n = pango_layout_get_line_count(p->layout);
        check_drawn_runs(p, what);
        int run = 0;
        for (int l = 0; l + 1 < n; l++) {
            if (!line_ends_hyphenated(p, l)) {
                run = 0;
                continue;
            }
            hyphenated++;
            if (++run > s->hyphenate_max_run)
                fail_msg("%s: %d hyphenated lines in a row in “%.60s”", what, run, p->text);
        }
        if (n >= 2 && line_ends_hyphenated(p, n - 2)) {
            PangoLayoutLine *last = pango_layout_get_line_readonly(p->layout, n - 1);
            bool space = false;
            for (int i = last->start_index; i < last->start_index + last->length; i++)
                space |= p->text[i] == ' ';
            if (!space)
                fail_msg("%s: the last word of “%.60s” is hyphenated", what, p->text);
        }
    }
    return hyphenated;
}

/* Soft hyphens the author wrote where the layout puts them in runs of
 * their own (between two bold words, as all of a link's or a span's
 * text), inside a link, between letters that kern or could join in a
 * ligature, in a word wider than the line; house and large print (which
 * hyphenates nothing itself). */
static void test_soft_hyphen_edges(void **state)
{
    (void)state;
    document *doc = parse_ok(
        "# Proef\n\n**vet**&shy;**vet** en *schuin*&shy;*schrift* en [een link met "
           "of&shy;fice er&shy;in](https://example.org), AV A&shy;V To T&shy;o Wa W&shy;a "
           "ef&shy;fi&shy;ci&euml;nt waf&shy;fel f&shy;f f&shy;i f&shy;l; een link van niets "
           "[&shy;](https://example.org/a), [a](https://example.org/b)[&shy;&shy;](https://example.org/c)"
           "[&shy;]{lang=en}b.\n\n"
           "Een on&shy;afgebroken&shy;woordzonderspaties&shy;datlangerisdanderegelbreed"
           "&shy;en&shy;nogveellangerdanditookwelisgeweest en dan verder met gewone "
           "woorden als behandelingsmogelijkheden en ziekenhuisopnames.\n");
    const style *styles[] = {house, large};
    for (size_t i = 0; i < 2; i++) {
        diag_list diags;
        diag_init(&diags);
        laid_out *out = layout_document(doc, styles[i], &res, &diags);
        assert_non_null(out);
        assert_true(has_shy(out));
        check_hyphen_rules(out, styles[i], styles[i]->name);
        layout_free(out);
        diag_free(&diags);
    }
    doc_free(doc);
}

static const char COMPOUNDS[] =
    "Patiëntenorganisaties, voorlichtingsbijeenkomsten, ziekenhuisopnames, "
    "verpleegkundigen, behandeltrajecten, weefselonderzoeken, pacemakerpassen, "
    "spijsverteringsorganen, leverpuncties, lotgenotencontacten, onderzoeksresultaten, "
    "multidisciplinaire overleggen, uitzaaiingsonderzoeken, bloedstollingsfactoren, "
    "chemotherapiebehandelingen, doorverwijzingsmogelijkheden en informatiebijeenkomsten "
    "over kwaliteitsverbeteringen";

static void test_hyphenation_rules(void **state)
{
    (void)state;
    strbuf b = {0};
    strbuf_puts(&b, "# Proef\n\n");
    for (int i = 0; i < 6; i++)
        strbuf_printf(&b, "%s %s.\n\n%s\n\n", COMPOUNDS, i % 2 ? "zijn besproken" : "tenslotte",
                      LONG_TEXT);
    strbuf_puts(&b, "- " );
    strbuf_puts(&b, COMPOUNDS);
    strbuf_puts(&b, ".\n  - ");
    strbuf_puts(&b, COMPOUNDS);
    strbuf_puts(&b, " eindigt met een samengesteld woord: kwaliteitsverbeteringsprogramma.\n");
    char *body = strbuf_take(&b);
    document *doc = parse_ok(body);
    free(body);
    laid_out *out = lay(doc, house);
    int lines = check_hyphen_rules(out, house, "house");
    assert_true(lines > 10); /* the text does hyphenate */
    layout_free(out);
    /* the style's own limit */
    style one = *house;
    one.hyphenate_max_run = 1;
    out = lay(doc, &one);
    int fewer = check_hyphen_rules(out, &one, "at most one hyphenated line in a row");
    assert_true(fewer > 0 && fewer <= lines);
    layout_free(out);
    /* the minimums from the style */
    style wide = *house;
    wide.hyphenate_min_left = 5;
    wide.hyphenate_min_right = 5;
    out = lay(doc, &wide);
    for (guint k = 0; k < out->layouts->len; k++) {
        const paragraph *p = out->layouts->pdata[k];
        for (int l = 0; l + 1 < pango_layout_get_line_count(p->layout); l++) {
            if (!line_ends_hyphenated(p, l))
                continue;
            PangoLayoutLine *line = pango_layout_get_line_readonly(p->layout, l);
            int end = line->start_index + line->length - 2, start = end, after = end + 2;
            int before = 0, rest = 0;
            /* letters, past the soft hyphens where no line breaks */
            gunichar c;
            while (start > 0 && ((c = g_utf8_get_char(g_utf8_prev_char(p->text + start))) == 0xAD ||
                                 g_unichar_isalpha(c))) {
                start = (int)(g_utf8_prev_char(p->text + start) - p->text);
                before += c != 0xAD;
            }
            while (p->text[after] &&
                   ((c = g_utf8_get_char(p->text + after)) == 0xAD || g_unichar_isalpha(c))) {
                after = (int)(g_utf8_next_char(p->text + after) - p->text);
                rest += c != 0xAD;
            }
            if (before < 5 || rest < 5)
                fail_msg("a break leaves %d letters before and %d after in “%.60s”", before, rest,
                         p->text);
        }
    }
    layout_free(out);
    doc_free(doc);
}

/* ---- page-breaking rules of issue 6, at every position near a page end ---- */

/* One line of the laid-out body: the glyph boxes (and images) that share a
 * page and a baseline, with the elements they belong to. */
typedef struct body_line {
    size_t page;
    double y, pitch;           /* baseline (image: top), line pitch (image: height) */
    const struct_elem *elems[8];
    int elem_count;
} body_line;

typedef struct body_lines {
    body_line *lines;
    size_t count;
} body_lines;

static body_lines collect_lines(const laid_out *out)
{
    body_lines l = {0};
    size_t capacity = 0;
    for (size_t pg = 1; pg < out->page_count; pg++) {
        const page *p = &out->pages[pg];
        for (size_t i = 0; i < p->count; i++) {
            const box *b = &p->boxes[i];
            if (!b->elem || (b->kind != BOX_GLYPHS && b->kind != BOX_IMAGE))
                continue;
            body_line *last = l.count ? &l.lines[l.count - 1] : NULL;
            if (!last || last->page != pg || fabs(last->y - b->y) > EPS) {
                if (l.count == capacity) {
                    capacity = capacity ? capacity * 2 : 256;
                    l.lines = xrealloc(l.lines, capacity * sizeof *l.lines);
                }
                last = &l.lines[l.count++];
                memset(last, 0, sizeof *last);
                last->page = pg;
                last->y = b->y;
                last->pitch = b->height;
            }
            const struct_elem *e = owner(b);
            bool known = false;
            for (int k = 0; k < last->elem_count; k++)
                known |= last->elems[k] == e;
            if (!known && last->elem_count < 8)
                last->elems[last->elem_count++] = e;
        }
    }
    return l;
}

static bool is_contact_block(const struct_elem *e)
{
    return e->role == ROLE_BOX && e->title && e->parent && e->parent->role == ROLE_DOCUMENT &&
           strcmp(e->title, "Contactgegevens") == 0;
}

static bool any_heading(struct_role r) { return is_heading(r) || r == ROLE_H4 || r == ROLE_H5 || r == ROLE_H6; }

static bool within(const struct_elem *e, const struct_elem *ancestor)
{
    for (; e; e = e->parent)
        if (e == ancestor)
            return true;
    return false;
}

static bool line_has(const body_line *l, const struct_elem *ancestor)
{
    for (int k = 0; k < l->elem_count; k++)
        if (within(l->elems[k], ancestor))
            return true;
    return false;
}

static const struct_elem *line_heading(const body_line *l)
{
    for (int k = 0; k < l->elem_count; k++)
        if (any_heading(l->elems[k]->role))
            return l->elems[k];
    return NULL;
}

/* The block a line starts: a box or contact card it is in, else the
 * element just under the document (a paragraph, heading or list). */
static const struct_elem *unit_of(const struct_elem *e)
{
    const struct_elem *found = NULL;
    for (const struct_elem *a = e; a; a = a->parent)
        if (a->role == ROLE_BOX && a->parent && a->parent->role == ROLE_BOX)
            return a; /* a contact card */
        else if (a->role == ROLE_BOX && !found && !is_contact_block(a))
            found = a;
    if (found)
        return found;
    while (e->parent && e->parent->role != ROLE_DOCUMENT)
        e = e->parent;
    return e;
}

static void check_page_rules(const laid_out *out, const style *s, const char *what)
{
    body_lines bl = collect_lines(out);
    const body_line *L = bl.lines;
    double content = s->page_height - s->margin_top - s->margin_bottom;
    double bottom = s->page_height - s->margin_bottom;

    /* A heading is never the last thing on a page: its last line shares a
     * page with the two lines that follow it, whatever they are. */
    for (size_t i = 0; i < bl.count; i++) {
        const struct_elem *h = line_heading(&L[i]);
        if (!h || (i + 1 < bl.count && line_has(&L[i + 1], h)))
            continue;
        for (size_t k = i + 1; k <= i + 2 && k < bl.count; k++)
            if (L[k].page != L[i].page)
                fail_msg("%s: a heading ends page %zu, %zu line%s of what follows it on page %zu", what,
                         L[i].page + 1, k - i - 1, k - i - 1 == 1 ? "" : "s", L[k].page + 1);
    }

    /* Boxes and contact cards that fit a page are whole; a longer box
     * breaks only before a paragraph or list item, two lines either side. */
    for (size_t e = 0; e < out->elem_count; e++) {
        const struct_elem *bx = out->elems[e];
        if (bx->role != ROLE_BOX || is_contact_block(bx) || unit_of(bx) != bx)
            continue;
        size_t first = SIZE_MAX, last = 0;
        for (size_t i = 0; i < bl.count; i++)
            if (line_has(&L[i], bx)) {
                if (first == SIZE_MAX)
                    first = i;
                last = i;
            }
        if (first == SIZE_MAX || L[first].page == L[last].page)
            continue;
        double height = 0;
        for (size_t i = first; i <= last; i++)
            height += L[i].pitch;
        if (height <= content * 0.9)
            fail_msg("%s: a box of %.0f pt (the page holds %.0f) is split over pages %zu and %zu", what,
                     height, content, L[first].page + 1, L[last].page + 1);
        for (size_t i = first + 1; i <= last; i++) {
            if (L[i].page == L[i - 1].page)
                continue;
            size_t before = 0, after = 0;
            for (size_t k = first; k <= last; k++)
                before += L[k].page == L[i - 1].page, after += L[k].page == L[i].page;
            if (before < 2 || after < 2)
                fail_msg("%s: a long box breaks with %zu line(s) before and %zu after", what, before, after);
            /* the first line after the break starts a paragraph */
            for (int k = 0; k < L[i].elem_count; k++)
                if (L[i].elems[k]->role == ROLE_P && line_has(&L[i - 1], L[i].elems[k]))
                    fail_msg("%s: a long box breaks inside a paragraph (page %zu)", what, L[i].page + 1);
        }
    }

    /* No page but the last more than two-thirds empty, unless what follows
     * is larger than the space left. */
    for (size_t i = 0; i + 1 < bl.count; i++) {
        if (L[i + 1].page == L[i].page)
            continue;
        double used_to = L[i].y + L[i].pitch * 0.35; /* about the line's bottom */
        double left = bottom - used_to;
        if (left < content * 2 / 3)
            continue;
        /* what follows: the block the next page starts with, and, after a
         * heading, the block that heading introduces */
        const struct_elem *u = unit_of(L[i + 1].elems[0]);
        size_t k = i + 1;
        while (k + 1 < bl.count && L[k + 1].page == L[i + 1].page) {
            if (!line_has(&L[k + 1], u)) {
                if (!line_heading(&L[k]))
                    break;
                u = unit_of(L[k + 1].elems[0]); /* the block the heading introduces */
            }
            k++;
        }
        /* to the bottom of its last line, or of a box background around it */
        double end = L[k].y + L[k].pitch * 0.35;
        const page *next = &out->pages[L[i + 1].page];
        for (size_t b = 0; b < next->count; b++) {
            const box *f = &next->boxes[b];
            if (f->kind == BOX_FILL && !f->elem && f->y <= L[k].y && f->y + f->height >= L[k].y)
                end = fmax(end, f->y + f->height);
        }
        double follows = end - s->margin_top;
        /* slack: the space above the block, which the page top drops */
        if (follows < left - L[i].pitch - s->h2.space_before)
            fail_msg("%s: page %zu is %.0f%% empty, and the %.0f pt that open page %zu would have fit",
                     what, L[i].page + 1, 100 * left / content, follows, L[i + 1].page + 1);
    }

    /* The colophon is whole, on the last page; it moved there only when
     * the page before had no room for it. */
    size_t colophon = SIZE_MAX;
    for (size_t i = 0; i < bl.count; i++) {
        const struct_elem *h = line_heading(&L[i]);
        if (h && h->role == ROLE_H2 && h->title == NULL) {
            colophon = i; /* the last H2 is the colophon's */
        }
    }
    assert_true(colophon != SIZE_MAX);
    for (size_t i = colophon; i < bl.count; i++)
        if (L[i].page != L[colophon].page)
            fail_msg("%s: the colophon is split over pages %zu and %zu", what, L[colophon].page + 1,
                     L[i].page + 1);
    assert_int_equal(L[bl.count - 1].page, out->page_count - 1);
    free(bl.lines);
}

static char *leaflet_source(const char *contacts, int fillers, int step_lines, const char *subject)
{
    strbuf b = {0};
    strbuf_puts(&b, "---\ntitle: Proef\nlang: nl-NL\npublisher: Testuitgever\nupdated: 2020-02\n"
                    "subject: Een proef.\nkeywords: [proef]\n"
                    /* a colophon of several lines, which could split */
                    "authors: [A. Arts, B. Verpleegkundige]\nreviewers: [C. Deskundige]\n"
                    "review_note: Getoetst door medisch specialisten en andere deskundigen.\n");
    if (contacts)
        strbuf_printf(&b, "contacts: [%s]\n", contacts);
    strbuf_puts(&b, "---\n# Proef\n\n");
    for (int i = 0; i < step_lines; i++)
        strbuf_printf(&b, "- Punt %d.\n", i + 1);
    if (step_lines)
        strbuf_puts(&b, "\n");
    for (int i = 0; i < fillers; i++)
        strbuf_printf(&b, "Vul %d.\n\n", i + 1);
    strbuf_puts(&b, subject);
    return strbuf_take(&b);
}

static const char SHORT_TEXT[] =
    "Bel direct als u koorts hebt boven 38,5 graden, als de wond gaat bloeden of als u veel pijn "
    "hebt die niet overgaat met de pijnstillers die u hebt gekregen.";

static void test_page_rules(void **state)
{
    (void)state;
    contact_registry registry = {0};
    diag_list diags;
    diag_init(&diags);
    assert_true(contacts_load("sources/contacts.yaml", &registry, &diags));
    char long_box[8192] = "## Lange kop\n\n> [!NOTE] Een lange toelichting\n";
    for (int i = 0; i < 9; i++) {
        strcat(long_box, "> ");
        strcat(long_box, LONG_TEXT);
        strcat(long_box, "\n>\n");
    }
    strcat(long_box, "> - Eerste punt van de lijst in het kader.\n> - Tweede punt.\n\nNa het kader.\n");
    char subjects[10][4096];
    snprintf(subjects[0], sizeof subjects[0], "## Een kop\n\n%s\n\n%s\n", SHORT_TEXT, LONG_TEXT);
    snprintf(subjects[1], sizeof subjects[1], "## Een kop\n\n- %s\n- Tweede punt.\n\n%s\n", SHORT_TEXT,
             SHORT_TEXT);
    snprintf(subjects[2], sizeof subjects[2],
             "## Een kop\n\n> [!WARNING] Wanneer belt u direct?\n> %s\n>\n> - Bij koorts.\n> - Bij "
             "bloedingen.\n\n%s\n", SHORT_TEXT, SHORT_TEXT);
    snprintf(subjects[3], sizeof subjects[3],
             "De eerste 24 uur:\n\n- Rust goed uit en til niets zwaars.\n  - Niet douchen.\n"
             "  - Niet fietsen.\n- Neem contact op bij koorts.\n\n%s\n", SHORT_TEXT);
    snprintf(subjects[4], sizeof subjects[4], "> [!TIP] Tips voor patiënten\n> %s\n>\n> %s\n\n%s\n",
             SHORT_TEXT, SHORT_TEXT, SHORT_TEXT);
    snprintf(subjects[5], sizeof subjects[5], "## Een kop\n\n### Kop onder kop\n\n%s\n", SHORT_TEXT);
    snprintf(subjects[6], sizeof subjects[6], "%s\n", SHORT_TEXT); /* contacts follow */
    /* a heading above an image */
    {
        FILE *in = fopen("tests/data/logo.png", "rb");
        char *dest = source_path("logo.png");
        FILE *out = fopen(dest, "wb");
        assert_non_null(in);
        assert_non_null(out);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, in)) > 0)
            fwrite(buf, 1, n, out);
        fclose(in);
        fclose(out);
        free(dest);
    }
    snprintf(subjects[9], sizeof subjects[9], "## Een kop\n\n![Het logo van het ziekenhuis](logo.png)\n\n%s\n",
             SHORT_TEXT);
    /* a box that fits a page but not what is left of it: it moves whole */
    snprintf(subjects[8], sizeof subjects[8], "## Een kop\n\n> [!NOTE] Goed om te weten\n> %s\n>\n> %s\n\n%s\n",
             LONG_TEXT, LONG_TEXT, SHORT_TEXT);
    const char *contacts[10] = {NULL, NULL, NULL, NULL, NULL, NULL,
                               "vumc-algemeen, vumc-afsprakenlijn, vumc-verpleegkundig-spreekuur, alarmnummer", NULL, NULL, NULL};
    const style *styles[] = {house, large};
    int checked = 0;
    for (size_t st = 0; st < 2; st++)
        for (int subject = 0; subject < 10; subject++) {
            /* one-line fillers move the subject a line and a paragraph
             * space at a time, a list item by less: from well up the first
             * body page to past its end */
            const style *sty = styles[st];
            double step = sty->body.size * sty->body.line_height + sty->body.space_after;
            int per_page = (int)((sty->page_height - sty->margin_top - sty->margin_bottom) / step);
            int from = per_page > 14 ? per_page - 14 : 0;
            for (int n = 0; n < 2 * (per_page + 2); n++) {
                if (n < 2 * from && n % 4 != 0)
                    continue; /* higher up the page, a coarser step will do */
                char *src = leaflet_source(subject == 7 ? NULL : contacts[subject], n / 2, n % 2,
                                           subject == 7 ? long_box : subjects[subject]);
                char *path = source_path("rules.md");
                FILE *f = fopen(path, "w");
                assert_non_null(f);
                fputs(src, f);
                fclose(f);
                free(src);
                document *doc = parse_leaflet(path, &registry, work_dir, &diags);
                free(path);
                if (!doc || diags.errors) {
                    diag_print(&diags);
                    fail_msg("test source %d does not parse", subject);
                }
                laid_out *out = lay(doc, styles[st]);
                char what[96];
                snprintf(what, sizeof what, "%s, subject %d after %d fillers", styles[st]->name, subject, n);
                check_page_rules(out, styles[st], what);
                check_widows_orphans(out, styles[st], what);
                if (subject == 9) {
                    bool image = false;
                    for (size_t pg = 0; pg < out->page_count; pg++)
                        for (size_t i = 0; i < out->pages[pg].count; i++)
                            image |= out->pages[pg].boxes[i].kind == BOX_IMAGE;
                    assert_true(image);
                }
                if (subject == 3) {
                    /* the lead-in line shares a page with its list's first item */
                    const struct_elem *lead = elem_with_text(out, "De eerste 24");
                    const struct_elem *item = elem_with_text(out, "Rust goed uit");
                    size_t lead_page = 0, item_page = 0;
                    double y;
                    last_line(out, lead, &lead_page, &y);
                    for (size_t pg = 0; pg < out->page_count && !item_page; pg++) {
                        double a, z;
                        if (elem_extent(out, pg, item, &a, &z))
                            item_page = pg;
                    }
                    if (lead_page != item_page)
                        fail_msg("%s: the lead-in line is on page %zu, its list on page %zu", what,
                                 lead_page + 1, item_page + 1);
                }
                layout_free(out);
                doc_free(doc);
                checked++;
            }
        }
    print_message("page rules: %d layouts checked\n", checked);
    contacts_free(&registry);
    diag_free(&diags);
}

/* ---- what layout refuses or warns about ---- */

/* Writes a whole source (front matter included) to work_dir/NAME and parses it. */
static document *parse_source(const char *name, const char *source, const contact_registry *registry,
                              diag_list *diags)
{
    char *path = source_path(name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(source, f);
    fclose(f);
    document *doc = parse_leaflet(path, registry, work_dir, diags);
    free(path);
    if (!doc || diags->errors) {
        diag_print(diags);
        fail_msg("%s does not parse", name);
    }
    return doc;
}

static const diag *only_diag(const diag_list *d, severity level)
{
    const diag *found = NULL;
    int n = 0;
    for (size_t i = 0; i < d->count; i++)
        if (d->items[i].level == level) {
            found = &d->items[i];
            n++;
        }
    if (n != 1) {
        diag_print((diag_list *)d);
        fail_msg("expected one diagnostic of level %d, got %d", (int)level, n);
    }
    return found;
}

static void test_long_word(void **state)
{
    (void)state;
    /* a word wider than the line, in both variants: a visible hyphen where
     * it breaks, and one warning at the word's own column */
    const char *word = "Ditiseenheelergdoorlopendlangwoordzonderenigespatieofafbreekmogelijkheidnergens";
    char body[512];
    snprintf(body, sizeof body, "# Proef\n\nEen woord dat te lang is: %s en verder.\n", word);
    diag_list diags;
    diag_init(&diags);
    document *doc = parse_named("long.md", body, &diags);
    assert_int_equal(diags.errors, 0);
    const style *styles[] = {house, large};
    for (size_t st = 0; st < 2; st++) {
        laid_out *out = layout_document(doc, styles[st], &res, &diags);
        assert_non_null(out);
        /* the line that breaks inside the word draws one glyph more than it has characters: the hyphen */
        bool found = false;
        for (guint k = 0; k < out->layouts->len && !found; k++) {
            const paragraph *p = out->layouts->pdata[k];
            char *shown = visible_text(p->text, 0, strlen(p->text));
            bool wanted = strstr(shown, "Ditiseen") != NULL;
            free(shown);
            if (!wanted)
                continue;
            found = true;
            int n = pango_layout_get_line_count(p->layout);
            assert_true(n >= 2);
            bool hyphen_drawn = false;
            for (int l = 0; l + 1 < n; l++) {
                PangoLayoutLine *line = pango_layout_get_line_readonly(p->layout, l);
                int end = line->start_index + line->length;
                if (p->text[end - 1] == ' ')
                    continue;
                long chars = g_utf8_strlen(p->text + line->start_index, line->length);
                int glyphs = 0;
                for (GSList *r = line->runs; r; r = r->next)
                    glyphs += ((PangoGlyphItem *)r->data)->glyphs->num_glyphs;
                bool shy = end >= 2 && (unsigned char)p->text[end - 2] == 0xC2;
                hyphen_drawn |= shy || glyphs > chars;
            }
            if (!hyphen_drawn)
                fail_msg("%s: the long word breaks without a hyphen", styles[st]->name);
        }
        assert_true(found);
        layout_free(out);
    }
    /* once for both variants; at the word's column: after "Een woord dat te lang is: " */
    const diag *d = only_diag(&diags, SEVERITY_WARNING);
    if (strcmp(styles[0]->name, "house") == 0 && !strstr(d->message, "Ditiseenheel"))
        fail_msg("unexpected warning: %s", d->message);
    assert_int_equal(d->line, BODY_LINE + 2);
    assert_int_equal(d->column, 27);
    assert_non_null(strstr(d->message, "wider than the line"));
    doc_free(doc);
    diag_free(&diags);
}

static void test_long_short_title(void **state)
{
    (void)state;
    diag_list diags;
    diag_init(&diags);
    document *doc = parse_source(
        "footer.md",
        /* 57 characters: within the parser's 60, too wide for the large-print footer */
        "---\ntitle: Proef\nshort_title: Een heel lange korte titel die niet in de voettekst past"
        "\nlang: nl-NL\npublisher: T\n"
        "updated: 2020-02\nsubject: Een proef.\nkeywords: [proef]\n---\n# Proef\n\nTekst.\n",
        NULL, &diags);
    laid_out *out = layout_document(doc, large, &res, &diags);
    assert_non_null(out);
    /* the footer is one line on every page: its glyphs share one baseline */
    for (size_t pg = 1; pg < out->page_count; pg++) {
        double y = -1;
        for (size_t i = 0; i < out->pages[pg].count; i++) {
            const box *b = &out->pages[pg].boxes[i];
            if (b->kind != BOX_GLYPHS || b->elem)
                continue;
            if (y < 0)
                y = b->y;
            assert_double_equal(b->y, y, EPS);
        }
    }
    const diag *d = only_diag(&diags, SEVERITY_WARNING);
    assert_int_equal(d->line, 3);
    assert_non_null(strstr(d->message, "short_title is too long for the running footer"));
    layout_free(out);
    doc_free(doc);
    diag_free(&diags);
}

static void test_too_narrow(void **state)
{
    (void)state;
    /* lists nested so deep that the text would have less than 40 mm; built
     * as a tree here, as the parser may cap nesting before layout sees it */
    document *doc = parse_ok("# Proef\n\n- Niveau 1\n");
    doc_node *list = doc->root->last_child;
    assert_int_equal(list->type, NODE_LIST);
    for (int depth = 1; depth < 40; depth++) {
        doc_node *item = list->first_child;
        doc_node *inner = doc_node_new(NODE_LIST, BODY_LINE + 2 + depth, 3 + 2 * depth);
        doc_node *li = doc_node_new(NODE_ITEM, BODY_LINE + 2 + depth, 3 + 2 * depth);
        doc_node *p = doc_node_new(NODE_PARAGRAPH, BODY_LINE + 2 + depth, 5 + 2 * depth);
        doc_node *t = doc_node_new(NODE_TEXT, BODY_LINE + 2 + depth, 5 + 2 * depth);
        t->text = xstrdup("Bel 112.");
        doc_node_append(p, t);
        doc_node_append(li, p);
        doc_node_append(inner, li);
        doc_node_append(item, inner);
        list = inner;
    }
    const style *styles[] = {house, large};
    for (size_t st = 0; st < 2; st++) {
        diag_list d2;
        diag_init(&d2);
        assert_null(layout_document(doc, styles[st], &res, &d2));
        const diag *d = only_diag(&d2, SEVERITY_ERROR);
        if (!strstr(d->message, "less than the 40 mm it needs"))
            fail_msg("unexpected: %s", d->message);
        /* at the list that would be too narrow: deeper than the first */
        assert_true(d->line > BODY_LINE + 3);
        assert_int_equal(d->column, 3 + 2 * (d->line - BODY_LINE - 2));
        diag_free(&d2);
    }
    doc_free(doc);
}

static void test_contact_sheet_one_page(void **state)
{
    (void)state;
    /* a registry of 24 contacts, each of a few lines */
    char *yaml = source_path("contacts.yaml");
    FILE *f = fopen(yaml, "w");
    assert_non_null(f);
    for (int i = 0; i < 24; i++)
        fprintf(f, "c%d:\n  organisation: Ziekenhuis %d\n  department: Polikliniek Cardiologie\n"
                   "  description: Voor vragen over uw behandeling en uw afspraken\n"
                   "  phones:\n    - \"030 799 12 %02d\"\n  hours: maandag tot en met vrijdag van 8 tot 17 uur\n",
                i, i, i);
    fclose(f);
    contact_registry registry = {0};
    diag_list diags;
    diag_init(&diags);
    bool loaded = contacts_load(yaml, &registry, &diags);
    if (!loaded)
        diag_print(&diags);
    assert_true(loaded);
    free(yaml);
    /* few contacts: one page, no error; many: an error naming the count */
    for (int many = 0; many < 2; many++) {
        strbuf b = {0};
        strbuf_puts(&b, "---\ntitle: Proef\nlang: nl-NL\npublisher: T\nupdated: 2020-02\n"
                        "subject: Een proef.\nkeywords: [proef]\ncontact_sheet: Telefoonnummers\ncontacts: [");
        int n = many ? 24 : 3;
        for (int i = 0; i < n; i++)
            strbuf_printf(&b, "%sc%d", i ? ", " : "", i);
        strbuf_puts(&b, "]\n---\n# Proef\n\nTekst.\n");
        char *src = strbuf_take(&b);
        diag_list d2;
        diag_init(&d2);
        document *doc = parse_source("sheet.md", src, &registry, &d2);
        free(src);
        laid_out *out = layout_contact_sheet(doc, house, &res, &d2);
        if (!many) {
            assert_non_null(out);
            assert_int_equal(out->page_count, 1);
            assert_int_equal(d2.errors, 0);
        } else {
            assert_null(out);
            const diag *d = only_diag(&d2, SEVERITY_ERROR);
            assert_int_equal(d->line, 8);
            if (!strstr(d->message, "24 contacts do not fit one page"))
                fail_msg("unexpected: %s", d->message);
        }
        layout_free(out);
        doc_free(doc);
        diag_free(&d2);
    }
    contacts_free(&registry);
    diag_free(&diags);
}

static int setup_all(void **state)
{
    (void)state;
    if (!scratch_make(work_dir, sizeof work_dir, "layout"))
        return -1;
    diag_list diags;
    diag_init(&diags);
    fonts = fonts_open("fonts", &diags);
    house = style_load("styles", "house", &diags);
    large = style_load("styles", "grote-letter", &diags);
    diag_print(&diags);
    bool ok = fonts && house && large && diags.errors == 0;
    diag_free(&diags);
    res = (layout_resources){fonts, hyphen_cache_new()};
    return ok ? 0 : -1;
}

static int teardown_all(void **state)
{
    (void)state;
    scratch_remove(work_dir);
    hyphen_cache_free(res.hyphens);
    if (fonts)
        g_object_unref(fonts);
    style_free(house);
    style_free(large);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orphans_widows),
        cmocka_unit_test(test_keep_with_next),
        cmocka_unit_test(test_cover_footer_margins),
        cmocka_unit_test(test_real_leaflets),
        cmocka_unit_test(test_language_samples_drawn),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_hyphenation_per_style),
        cmocka_unit_test(test_missing_glyph),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_outline),
        cmocka_unit_test(test_page_rules),
        cmocka_unit_test(test_hyphenation_rules),
        cmocka_unit_test(test_soft_hyphen_edges),
        cmocka_unit_test(test_long_word),
        cmocka_unit_test(test_long_short_title),
        cmocka_unit_test(test_too_narrow),
        cmocka_unit_test(test_contact_sheet_one_page),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
