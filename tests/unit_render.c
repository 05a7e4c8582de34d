/* The print-side targets, read back as a reader and a printer would: the
 * padded page count with notes pages before a real back cover; the
 * booklet's sheet order, found by reading the pages back from each half of
 * each sheet with poppler; the print PDF's media box; the PNG proofs
 * decoded with cairo's PNG reader (pixel size, not blank, the overview's
 * spreads); all of it deterministic.
 *
 * Run from the repository root: it typesets the real seed leaflets with the
 * real styles and fonts. LEAFPRESS_KEEP=DIR keeps what it made there, to look at. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <poppler.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contacts.h"
#include "diag.h"
#include "fonts.h"
#include "hyphenate.h"
#include "impose.h"
#include "layout.h"
#include "parse.h"
#include "render.h"
#include "style.h"
#include "textutil.h"

#define MM (72.0 / 25.4)

static PangoFontMap *fonts;
static layout_resources res;
static contact_registry registry;
static style *house, *large;

typedef struct leaflet {
    document *doc;
    laid_out *pages;
} leaflet;

static int setup(void **state)
{
    (void)state;
    diag_list d;
    diag_init(&d);
    fonts = fonts_open("fonts", &d);
    res = (layout_resources){fonts, hyphen_cache_new()};
    contacts_load("sources/contacts.yaml", &registry, &d);
    house = style_load("styles", "house", &d);
    large = style_load("styles", "grote-letter", &d);
    diag_print(&d);
    bool ok = fonts && house && large && d.errors == 0;
    diag_free(&d);
    return ok ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    style_free(house);
    style_free(large);
    contacts_free(&registry);
    hyphen_cache_free(res.hyphens);
    g_object_unref(fonts);
    return 0;
}

static leaflet typeset(const char *source, const style *s, bool padded)
{
    diag_list d;
    diag_init(&d);
    leaflet l = {parse_leaflet(source, &registry, ".", &d), NULL};
    assert_non_null(l.doc);
    l.pages = layout_document(l.doc, s, &res, &d);
    assert_non_null(l.pages);
    if (padded)
        assert_true(layout_add_print_pages(l.pages, l.doc, s, &res, &d));
    diag_print(&d);
    assert_int_equal(d.errors, 0);
    diag_free(&d);
    return l;
}

static void leaflet_free(leaflet *l)
{
    layout_free(l->pages);
    doc_free(l->doc);
}

static void keep(const char *name, const unsigned char *data, size_t length)
{
    const char *dir = getenv("LEAFPRESS_KEEP");
    if (!dir)
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, length, f);
        fclose(f);
    }
}

/* All the text of one page, as poppler reads it. */
static char *page_text(const laid_out *pages, size_t index)
{
    strbuf b = {0};
    const page *pg = &pages->pages[index];
    for (size_t i = 0; i < pg->count; i++)
        if (pg->boxes[i].kind == BOX_GLYPHS) {
            const box *bx = &pg->boxes[i];
            strbuf_append(&b, bx->text + bx->run->item->offset, (size_t)bx->run->item->length);
        }
    return strbuf_take(&b);
}

static bool contains(const char *haystack, const char *needle)
{
    return haystack && strstr(haystack, needle) != NULL;
}

/* ---- padding ---- */

static void check_padding(const char *source, const style *s)
{
    leaflet l = typeset(source, s, true);
    size_t n = l.pages->leaflet_page_count, total = l.pages->page_count;
    assert_true(total % 4 == 0);
    assert_true(total > n && total - n <= 4); /* the back cover and at most 3 notes pages */
    for (size_t p = n; p + 1 < total; p++) {
        char *text = page_text(l.pages, p);
        if (!contains(text, "Aantekeningen") || !contains(text, "Ruimte voor uw vragen"))
            fail_msg("%s: page %zu of %zu is not a notes page: '%s'", source, p + 1, total, text);
        free(text);
    }
    char *back = page_text(l.pages, total - 1);
    if (!contains(back, l.doc->meta.publisher) || !contains(back, "Laatste update"))
        fail_msg("%s: the last page is not a back cover: '%s'", source, back);
    free(back);
    /* the screen PDF still shows only the leaflet's own pages */
    diag_list d;
    diag_init(&d);
    rendered r;
    assert_true(render_screen_pdf(l.pages, &(render_options){.date = "2020-02-01T00:00:00Z"}, &r, &d));
    assert_int_equal(r.page_count, n);
    rendered_free(&r);
    diag_free(&d);
    leaflet_free(&l);
}

static void test_padding_house(void **state)
{
    (void)state;
    check_padding("sources/levermetastasen.md", house); /* 10 pages: 1 notes page, back */
    check_padding("sources/net.md", house);             /* 3 pages: back cover only */
    check_padding("sources/behandeling-uitzaaiingen.md", house);
}

static void test_padding_large(void **state)
{
    (void)state;
    check_padding("sources/levermetastasen.md", large);
    check_padding("sources/pto.md", large);
}

/* Print: no text closer than 5 mm to the trim, on any page, padding included. */
static void check_safe_area(const char *source, const style *s)
{
    leaflet l = typeset(source, s, true);
    double safe = 5 * MM, w = l.pages->width, h = l.pages->height;
    for (size_t p = 0; p < l.pages->page_count; p++) {
        const page *pg = &l.pages->pages[p];
        for (size_t i = 0; i < pg->count; i++) {
            const box *b = &pg->boxes[i];
            if (b->kind != BOX_GLYPHS || b->width == 0)
                continue;
            if (b->x < safe || b->x + b->width > w - safe || b->y - b->height < safe ||
                b->y > h - safe)
                fail_msg("%s: text on page %zu at (%.1f, %.1f) mm is within 5 mm of the trim",
                         source, p + 1, b->x / MM, b->y / MM);
        }
    }
    leaflet_free(&l);
}

static void test_text_inside_safe_area(void **state)
{
    (void)state;
    const char *sources[] = {"sources/pto.md", "sources/behandeling-uitzaaiingen.md",
                             "sources/net.md", "sources/levermetastasen.md"};
    for (size_t i = 0; i < 4; i++) {
        check_safe_area(sources[i], house);
        check_safe_area(sources[i], large);
    }
}

static void test_back_cover_code(void **state)
{
    (void)state;
    leaflet l = typeset("sources/net.md", house, false);
    l.doc->meta.code = xstrdup("NET-001");
    l.doc->meta.publisher_website = xstrdup("https://www.example.nl");
    diag_list d;
    diag_init(&d);
    assert_true(layout_add_print_pages(l.pages, l.doc, house, &res, &d));
    char *back = page_text(l.pages, l.pages->page_count - 1);
    assert_true(contains(back, "Documentcode: NET-001"));
    assert_true(contains(back, "www.example.nl"));
    free(back);
    diag_free(&d);
    leaflet_free(&l);
}

/* ---- booklet ---- */

/* Which page of the leaflet a half-sheet shows: its footer number, or the
 * cover (the title), or the back cover (the publisher's imprint). */
static int page_shown(PopplerPage *sheet, bool right, const leaflet *l)
{
    double w, h;
    poppler_page_get_size(sheet, &w, &h);
    /* the characters whose boxes lie in that half, from poppler's text layout */
    char *all = poppler_page_get_text(sheet);
    PopplerRectangle *rects = NULL;
    guint count = 0;
    poppler_page_get_text_layout(sheet, &rects, &count);
    strbuf half = {0};
    guint k = 0;
    for (const char *c = all; *c && k < count; k = k + 1) {
        const char *next = g_utf8_next_char(c);
        double mid = (rects[k].x1 + rects[k].x2) / 2;
        if (*c == '\n' || (right ? mid >= w / 2 : mid < w / 2))
            strbuf_append(&half, c, (size_t)(next - c));
        c = next;
    }
    g_free(rects);
    g_free(all);
    char *text = strbuf_take(&half);
    /* the running footer: a line that is only the page number, among the
     * last lines of the half (the short title is a line of its own) */
    int number = 0, lines_from_end = 0;
    for (const char *end = text + strlen(text); end > text && lines_from_end < 4;) {
        const char *start = end;
        while (start > text && start[-1] != '\n')
            start--;
        char *line = xstrndup(start, (size_t)(end - start));
        g_strstrip(line);
        if (*line) {
            lines_from_end++;
            char *tail;
            long v = strtol(line, &tail, 10);
            if (*tail == '\0' && v > 1 && v < (long)l->pages->page_count && number == 0)
                number = (int)v;
        }
        free(line);
        end = start > text ? start - 1 : text;
    }
    if (number == 0 && contains(text, "Laatste update"))
        number = (int)l->pages->page_count;
    else if (number == 0 && contains(text, l->doc->meta.publisher))
        number = 1;
    free(text);
    return number;
}

static void check_booklet(const char *source, const style *s, const char *keep_as)
{
    leaflet l = typeset(source, s, true);
    diag_list d;
    diag_init(&d);
    rendered r;
    render_options o = {.date = "2020-02-01T00:00:00Z", .title = l.doc->meta.title};
    assert_true(render_booklet_pdf(l.pages, &o, &r, &d));
    keep(keep_as, r.pdf, r.length);
    size_t n = l.pages->page_count;
    assert_int_equal(r.page_count, n / 2);
    GError *error = NULL;
    GBytes *bytes = g_bytes_new(r.pdf, r.length);
    PopplerDocument *pdf = poppler_document_new_from_bytes(bytes, NULL, &error);
    assert_non_null(pdf);
    assert_int_equal(poppler_document_get_n_pages(pdf), (int)(n / 2));
    for (int k = 0; k < (int)(n / 2); k++) {
        PopplerPage *sheet = poppler_document_get_page(pdf, k);
        double w, h;
        poppler_page_get_size(sheet, &w, &h);
        /* landscape, twice the page: A5 on A4 (297 x 210), A4 on A3 */
        assert_true(fabs(w - 2 * l.pages->width) < 2 * MM && fabs(h - l.pages->height) < 1 * MM);
        /* saddle stitch: sheet j front [N-2j, 2j+1], back [2j+2, N-2j-1] */
        int j = k / 2;
        int want_left = k % 2 == 0 ? (int)n - 2 * j : 2 * j + 2;
        int want_right = k % 2 == 0 ? 2 * j + 1 : (int)n - 2 * j - 1;
        int left = page_shown(sheet, false, &l), right = page_shown(sheet, true, &l);
        if (left != want_left || right != want_right)
            fail_msg("%s: sheet side %d shows pages %d and %d, not %d and %d", source, k + 1, left,
                     right, want_left, want_right);
        g_object_unref(sheet);
    }
    g_object_unref(pdf);
    g_bytes_unref(bytes);
    /* deterministic */
    rendered again;
    assert_true(render_booklet_pdf(l.pages, &o, &again, &d));
    assert_int_equal(again.length, r.length);
    assert_memory_equal(again.pdf, r.pdf, r.length);
    rendered_free(&again);
    rendered_free(&r);
    diag_free(&d);
    leaflet_free(&l);
}

static void test_booklet_order(void **state)
{
    (void)state;
    check_booklet("sources/levermetastasen.md", house, "levermetastasen-booklet.pdf");
    check_booklet("sources/pto.md", house, "pto-booklet.pdf");
    check_booklet("sources/net.md", large, "net-grote-letter-booklet.pdf");
}

static void test_impose_booklet(void **state)
{
    (void)state;
    imposition imp;
    /* 8 A5 pages: fronts [8,1] [6,3], backs [2,7] [4,5] */
    assert_true(impose_booklet(8, 148 * MM, 210 * MM, &imp));
    const size_t want[4][2] = {{7, 0}, {1, 6}, {5, 2}, {3, 4}};
    assert_int_equal(imp.count, 4);
    for (size_t k = 0; k < 4; k++) {
        assert_int_equal(imp.sheets[k].slot_count, 2);
        assert_int_equal(imp.sheets[k].slots[0].page, want[k][0]);
        assert_int_equal(imp.sheets[k].slots[1].page, want[k][1]);
        assert_true(fabs(imp.sheets[k].width - 297 * MM) < 0.01);
        assert_true(fabs(imp.sheets[k].height - 210 * MM) < 0.01);
    }
    imposition_free(&imp);
    assert_false(impose_booklet(6, 148 * MM, 210 * MM, &imp)); /* not a multiple of 4 */
    imposition_free(&imp);
    assert_false(impose_booklet(8, 150 * MM, 150 * MM, &imp)); /* no common sheet */
    imposition_free(&imp);
    assert_true(impose_booklet(4, 210 * MM, 297 * MM, &imp)); /* A4 on A3 */
    assert_true(fabs(imp.sheets[0].width - 420 * MM) < 0.01);
    imposition_free(&imp);
}

/* A right-bound booklet (a right-to-left leaflet): every sheet mirrored */
static void test_impose_mirror(void **state)
{
    (void)state;
    imposition imp;
    assert_true(impose_booklet(8, 148 * MM, 210 * MM, &imp));
    impose_mirror(&imp);
    /* fronts [1,8] [3,6], backs [7,2] [5,4], left to right on the sheet */
    const size_t want[4][2] = {{0, 7}, {6, 1}, {2, 5}, {4, 3}};
    for (size_t k = 0; k < 4; k++) {
        const impose_sheet *sh = &imp.sheets[k];
        size_t left = sh->slots[0].x < sh->slots[1].x ? 0 : 1;
        assert_int_equal(sh->slots[left].page, want[k][0]);
        assert_int_equal(sh->slots[1 - left].page, want[k][1]);
        /* still centred, the pages meeting at the fold */
        assert_true(fabs(sh->slots[left].x + 148 * MM - sh->width / 2) < 0.01);
        assert_true(fabs(sh->slots[1 - left].x - sh->width / 2) < 0.01);
    }
    imposition_free(&imp);
    /* the overview: the cover a left-hand page, right of the spread 3-2 */
    assert_true(impose_overview(8, 100, 140, 10, &imp));
    impose_mirror(&imp);
    assert_true(imp.sheets[1].slots[1].x < imp.sheets[1].slots[0].x); /* page 3 left of 2 */
    assert_true(imp.sheets[0].slots[0].x > imp.sheets[1].slots[0].x); /* the cover right of them */
    imposition_free(&imp);
}

/* ---- print PDF ---- */

static void test_print_media_box(void **state)
{
    (void)state;
    leaflet l = typeset("sources/net.md", house, true);
    diag_list d;
    diag_init(&d);
    rendered r;
    render_options o = {.date = "2020-02-01T00:00:00Z", .bleed = house->print_bleed};
    assert_true(render_print_pdf(l.pages, &o, &r, &d));
    keep("net-print-raw.pdf", r.pdf, r.length);
    assert_int_equal(r.page_count, l.pages->page_count);
    assert_true(fabs(r.bleed - 3 * MM) < 0.001);
    assert_true(r.mark_room > r.bleed);
    GError *error = NULL;
    GBytes *bytes = g_bytes_new(r.pdf, r.length);
    PopplerDocument *pdf = poppler_document_new_from_bytes(bytes, NULL, &error);
    assert_non_null(pdf);
    for (int p = 0; p < poppler_document_get_n_pages(pdf); p++) {
        PopplerPage *pg = poppler_document_get_page(pdf, p);
        double w, h;
        poppler_page_get_size(pg, &w, &h);
        assert_true(fabs(w - (148 * MM + 2 * (r.bleed + r.mark_room))) < 0.01);
        assert_true(fabs(h - (210 * MM + 2 * (r.bleed + r.mark_room))) < 0.01);
        g_object_unref(pg);
    }
    /* the palette holds every style colour a box uses, and black for the marks */
    bool band = false, black = false;
    for (size_t i = 0; i < r.palette_count; i++) {
        colour c = r.palette[i];
        band |= c.r == house->cover_band_color.r && c.g == house->cover_band_color.g &&
                c.b == house->cover_band_color.b;
        black |= c.r == 0 && c.g == 0 && c.b == 0;
    }
    assert_true(band && black);
    /* no link annotations in print */
    assert_null(strstr((const char *)r.pdf, "/Annots"));
    g_object_unref(pdf);
    g_bytes_unref(bytes);
    rendered_free(&r);
    diag_free(&d);
    leaflet_free(&l);
}

/* ---- proofs ---- */

typedef struct reader { const proof_image *image; size_t at; } reader;

static cairo_status_t read_png(void *closure, unsigned char *data, unsigned int length)
{
    reader *r = closure;
    if (r->at + length > r->image->length)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(data, r->image->data + r->at, length);
    r->at += length;
    return CAIRO_STATUS_SUCCESS;
}

/* Decodes a proof; returns the share of pixels that are not white. */
static double ink_share(const proof_image *image, int *w, int *h)
{
    reader r = {image, 0};
    cairo_surface_t *s = cairo_image_surface_create_from_png_stream(read_png, &r);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    *w = cairo_image_surface_get_width(s);
    *h = cairo_image_surface_get_height(s);
    const unsigned char *data = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    size_t inked = 0;
    for (int y = 0; y < *h; y++)
        for (int x = 0; x < *w; x++)
            inked += (((const uint32_t *)(data + (size_t)y * stride))[x] & 0xffffff) != 0xffffff;
    cairo_surface_destroy(s);
    return (double)inked / ((double)*w * *h);
}

static void test_proofs(void **state)
{
    (void)state;
    leaflet l = typeset("sources/levermetastasen.md", house, true);
    diag_list d;
    diag_init(&d);
    proof_image *images, overview;
    size_t count;
    assert_true(render_proofs(l.pages, false, NULL, &images, &count, &overview, &d));
    assert_int_equal(count, l.pages->page_count);
    for (size_t p = 0; p < count; p++) {
        int w, h;
        double ink = ink_share(&images[p], &w, &h);
        /* A5 at 150 dpi */
        assert_int_equal(w, (int)lround(148 / 25.4 * PROOF_DPI));
        assert_int_equal(h, (int)lround(210 / 25.4 * PROOF_DPI));
        assert_int_equal(images[p].width, w);
        if (ink < 0.003)
            fail_msg("page %zu proof is blank (%.4f inked)", p + 1, ink);
        char name[64];
        snprintf(name, sizeof name, "levermetastasen-%02zu.png", p + 1);
        keep(name, images[p].data, images[p].length);
    }
    /* the cover is mostly the colour band */
    int w, h;
    assert_true(ink_share(&images[0], &w, &h) > 0.4);
    /* the overview: grey around the pages, and wider than tall */
    double ink = ink_share(&overview, &w, &h);
    keep("levermetastasen.png", overview.data, overview.length);
    assert_true(w > h);
    assert_true(ink > 0.2 && ink < 0.95);
    /* deterministic, and the same bytes when encoded on a thread beside
     * the drawing */
    proof_image *again, overview2;
    size_t count2;
    assert_true(render_proofs(l.pages, true, NULL, &again, &count2, &overview2, &d));
    assert_int_equal(count2, count);
    for (size_t p = 0; p < count; p++) {
        assert_int_equal(again[p].length, images[p].length);
        assert_memory_equal(again[p].data, images[p].data, images[p].length);
    }
    assert_int_equal(overview2.length, overview.length);
    assert_memory_equal(overview2.data, overview.data, overview.length);
    proof_images_free(again, count2);
    free(again);
    proof_images_free(&overview2, 1);
    proof_images_free(images, count);
    free(images);
    proof_images_free(&overview, 1);
    diag_free(&d);
    leaflet_free(&l);
}

/* The overview tints the empty part of a leaflet page whose text ends in
 * its top third, and nothing on a full page, nor on padding pages. */
static void test_overview_marks_empty_pages(void **state)
{
    (void)state;
    struct_elem text = {.role = ROLE_P};
    page pages[4] = {{0}};
    box full = {.kind = BOX_FILL, .x = 20, .y = 20, .width = 100, .height = 330, .elem = &text,
                .color = {.r = 0.2, .g = 0.2, .b = 0.2}};
    box little = full;
    little.height = 30; /* ends at 50 pt of 400: nearly empty */
    box *contents[4] = {&full, &little, &full, &full};
    for (int i = 0; i < 4; i++) {
        pages[i].boxes = contents[i];
        pages[i].count = pages[i].capacity = 1;
    }
    laid_out l = {.width = 280, .height = 400, .pages = pages, .page_count = 4,
                  .leaflet_page_count = 4};
    diag_list d;
    diag_init(&d);
    proof_image *images, overview;
    size_t count;
    assert_true(render_proofs(&l, false, NULL, &images, &count, &overview, &d));
    reader r = {&overview, 0};
    cairo_surface_t *png = cairo_image_surface_create_from_png_stream(read_png, &r);
    assert_int_equal(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
    imposition imp;
    assert_true(impose_overview(4, 280, 400, 8 * MM, &imp));
    double scale = cairo_image_surface_get_width(png) / imp.sheets[0].width;
    const unsigned char *data = cairo_image_surface_get_data(png);
    int stride = cairo_image_surface_get_stride(png);
    /* the pixel in the middle of each page's lower half */
    for (size_t k = 0; k < imp.count; k++)
        for (size_t i = 0; i < imp.sheets[k].slot_count; i++) {
            const impose_slot *slot = &imp.sheets[k].slots[i];
            int x = (int)((slot->x + 200) * scale), y = (int)((slot->y + 300) * scale);
            uint32_t px = ((const uint32_t *)(data + (size_t)y * stride))[x] & 0xffffff;
            bool tinted = px != 0xffffff && (px >> 16) > (px & 0xff); /* orange on white */
            if (slot->page == 1 && !tinted)
                fail_msg("the nearly empty page 2 is not tinted (%06x)", px);
            if (slot->page != 1 && px != 0xffffff)
                fail_msg("page %zu is tinted (%06x)", slot->page + 1, px);
        }
    /* the same page as padding (beyond the leaflet's pages) is not marked */
    l.leaflet_page_count = 1;
    proof_image *images2, overview2;
    size_t count2;
    assert_true(render_proofs(&l, false, NULL, &images2, &count2, &overview2, &d));
    assert_true(overview2.length != overview.length ||
                memcmp(overview2.data, overview.data, overview.length) != 0);
    proof_images_free(images2, count2);
    free(images2);
    proof_images_free(&overview2, 1);
    cairo_surface_destroy(png);
    imposition_free(&imp);
    proof_images_free(images, count);
    free(images);
    proof_images_free(&overview, 1);
    diag_free(&d);
}

/* The booklet's fold marks: short vertical ticks at the middle of each
 * sheet's top and bottom edge, in the margin, not across the pages. */
static void test_booklet_fold_marks(void **state)
{
    (void)state;
    page pages[4] = {{0}};
    laid_out l = {.width = 148 * MM, .height = 210 * MM, .pages = pages, .page_count = 4,
                  .leaflet_page_count = 4};
    diag_list d;
    diag_init(&d);
    rendered r;
    assert_true(render_booklet_pdf(&l, &(render_options){.date = "2020-02-01T00:00:00Z"}, &r, &d));
    /* empty pages: the only ink on a sheet is the fold marks */
    GBytes *bytes = g_bytes_new(r.pdf, r.length);
    GError *error = NULL;
    PopplerDocument *pdf = poppler_document_new_from_bytes(bytes, NULL, &error);
    assert_non_null(pdf);
    PopplerPage *sheet = poppler_document_get_page(pdf, 0);
    double w, h;
    poppler_page_get_size(sheet, &w, &h);
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)w * 2, (int)h * 2);
    cairo_t *cr = cairo_create(img);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, 2, 2);
    poppler_page_render_for_printing(sheet, cr);
    cairo_destroy(cr);
    cairo_surface_flush(img);
    const unsigned char *data = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img), iw = (int)w * 2, ih = (int)h * 2;
    size_t at_fold = 0, elsewhere = 0;
    for (int y = 0; y < ih; y++)
        for (int x = 0; x < iw; x++) {
            uint32_t px = ((const uint32_t *)(data + (size_t)y * stride))[x] & 0xffffff;
            if (px == 0xffffff)
                continue;
            bool fold = abs(x - iw / 2) <= 2 && (y < 5 * MM * 2 || y > ih - 5 * MM * 2);
            fold ? at_fold++ : elsewhere++;
        }
    assert_true(at_fold > 10);
    assert_int_equal(elsewhere, 0);
    cairo_surface_destroy(img);
    g_object_unref(sheet);
    g_object_unref(pdf);
    g_bytes_unref(bytes);
    rendered_free(&r);
    diag_free(&d);
}

static void test_impose_overview(void **state)
{
    (void)state;
    imposition imp;
    /* 8 pages: [1], [2 3], [4 5], [6 7], [8] */
    assert_true(impose_overview(8, 100, 140, 10, &imp));
    assert_int_equal(imp.count, 5);
    const size_t slots[5] = {1, 2, 2, 2, 1};
    size_t next = 0;
    for (size_t k = 0; k < imp.count; k++) {
        assert_int_equal(imp.sheets[k].slot_count, slots[k]);
        for (size_t i = 0; i < imp.sheets[k].slot_count; i++)
            assert_int_equal(imp.sheets[k].slots[i].page, next++);
        if (slots[k] == 2) /* a spread: the pages touch at the spine */
            assert_true(fabs(imp.sheets[k].slots[1].x - imp.sheets[k].slots[0].x - 100) < 1e-9);
    }
    /* the cover is a right-hand page, the back cover a left-hand one */
    assert_true(imp.sheets[0].slots[0].x > imp.sheets[4].slots[0].x - 1e-9 ||
                imp.sheets[0].slots[0].x >= 100);
    imposition_free(&imp);
    /* one page (the contact sheet): the page alone */
    assert_true(impose_overview(1, 100, 140, 10, &imp));
    assert_int_equal(imp.count, 1);
    assert_int_equal(imp.sheets[0].slot_count, 1);
    assert_true(imp.sheets[0].width == 120 && imp.sheets[0].slots[0].x == 10);
    imposition_free(&imp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_impose_booklet),
        cmocka_unit_test(test_impose_overview),
        cmocka_unit_test(test_impose_mirror),
        cmocka_unit_test(test_padding_house),
        cmocka_unit_test(test_padding_large),
        cmocka_unit_test(test_back_cover_code),
        cmocka_unit_test(test_text_inside_safe_area),
        cmocka_unit_test(test_booklet_order),
        cmocka_unit_test(test_print_media_box),
        cmocka_unit_test(test_proofs),
        cmocka_unit_test(test_overview_marks_empty_pages),
        cmocka_unit_test(test_booklet_fold_marks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
