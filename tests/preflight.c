/* Preflight: what a print shop's preflight and an archive's validator look
 * at, read back from finished PDFs with qpdf.
 *
 *   preflight --output DIR      (from the repository root)
 *
 * Print PDFs (PDF/X-4): every DIR/print/ *.pdf the build wrote, and one
 * made here from a small laid-out leaflet (cover band, box, PNG and SVG
 * figures, a style colour with its own CMYK) through render_print_pdf and
 * pdf_finish_print, so the checks run even before `build` writes print
 * PDFs. Each must have: PDF 1.6; MediaBox, TrimBox and BleedBox on every
 * page, trim A5 (148 x 210 mm) or A4, bleed 3 mm on every side; the
 * cover's band filled to the bleed box; crop marks outside the bleed near
 * each corner; no DeviceRGB operator, colour space or group anywhere (every
 * content stream and XObject scanned); every colour in [0, 1] with total
 * ink <= 300 %; text pure K or a style colour's CMYK; an OutputIntent
 * GTS_PDFX with a 4-channel printer-class ICC profile; GTS_PDFXVersion and
 * Trapped in Info and XMP; no annotations; the same bytes when finished
 * twice; no text lost against the rendered PDF.
 *
 * Screen PDFs (PDF/A-2a, with PDF/UA-1): every DIR/ *.pdf and one made
 * here: an OutputIntent GTS_PDFA1 with a 3-channel sRGB profile; pdfaid
 * part 2 conformance A and pdfuaid part 1 in the XMP, with the extension
 * schema for pdfuaid; Info and XMP agreeing; a trailer /ID; /CIDToGIDMap on
 * every CIDFontType2; the print flag on every annotation.
 *
 * Every check is also run once on a copy with the one defect it looks
 * for (made with qpdf), and must fail there. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cairo.h>
#include <glob.h>
#include <math.h>
#include <qpdf/qpdf-c.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "colour_convert.h"
#include "diag.h"
#include "fonts.h"
#include "hyphenate.h"
#include "layout.h"
#include "parse.h"
#include "pdf_finish.h"
#include "pdf_print.h"
#include "render.h"
#include "style.h"
#include "textutil.h"

#include "pdf_content.h"
#include "pdf_ua_checks.h"

#define MM (72.0 / 25.4)
#define BLEED_MM 3.0
#define INK_EPS 1e-3 /* the finisher writes four decimals */

/* ---- the PDFs under test ---------------------------------------------- */

typedef struct cmyk {
    double v[4];
} cmyk;

typedef struct pdf_file {
    char *name;
    unsigned char *data;
    size_t length;
    cmyk *text_colours; /* what text may be painted in, besides pure K */
    size_t text_colour_count;
    /* made here: what render wrote, to compare text and finish again */
    rendered *raw;
    pdf_print_info *print_info;
    size_t raw_text_bytes;
} pdf_file;

static pdf_file *prints, *screens;
static size_t print_count, screen_count;
static const char *output_dir;
static const char *const PROFILE = "profiles/FOGRA39L_coated.icc";

static qpdf_data open_pdf(const pdf_file *f)
{
    qpdf_data q = qpdf_init();
    qpdf_silence_errors(q);
    qpdf_set_suppress_warnings(q, QPDF_TRUE);
    qpdf_read_memory(q, f->name, (const char *)f->data, f->length, NULL);
    if (qpdf_has_error(q))
        fail_msg("%s: qpdf cannot read it", f->name);
    return q;
}

static void close_pdf(qpdf_data q)
{
    while (qpdf_more_warnings(q))
        (void)qpdf_next_warning(q);
    qpdf_cleanup(&q);
}

static qpdf_oh key(qpdf_data q, qpdf_oh oh, const char *k)
{
    return qpdf_oh_get_key_if_dict(q, qpdf_oh_is_stream(q, oh) ? qpdf_oh_get_dict(q, oh) : oh, k);
}

static char *metadata(qpdf_data q)
{
    size_t n = 0;
    unsigned char *data = ua_stream_data(q, key(q, qpdf_get_root(q), "/Metadata"), &n);
    if (!data)
        return xstrdup("");
    char *text = xstrndup((const char *)data, n);
    free(data);
    return text;
}

static bool numbers(qpdf_data q, qpdf_oh array, double *out, int count)
{
    if (!qpdf_oh_is_array(q, array) || qpdf_oh_get_array_n_items(q, array) != count)
        return false;
    for (int i = 0; i < count; i++) {
        qpdf_oh v = qpdf_oh_get_array_item(q, array, i);
        if (!qpdf_oh_is_number(q, v))
            return false;
        out[i] = qpdf_oh_get_numeric_value(q, v);
    }
    return true;
}

/* A check: false with the reason in *why. */
#define FAIL(...)                                 \
    do {                                          \
        strbuf_printf(why, __VA_ARGS__);          \
        return false;                             \
    } while (0)

/* ---- reading what the pages paint ------------------------------------- */

typedef struct paint_colour {
    char space; /* 'K' CMYK, 'G' gray, 'R' RGB, 'I' ICC-based, 'P' pattern, '?' */
    int n;
    double v[4];
} paint_colour;

typedef struct gstate {
    double ctm[6];
    paint_colour fill, stroke;
} gstate;

typedef struct rect {
    double x0, y0, x1, y1;
} rect;

typedef struct segment {
    double x0, y0, x1, y1;
    paint_colour colour;
} segment;

typedef struct scan {
    qpdf_data q;
    qpdf_oh resources;
    int depth;             /* form nesting: 0 on the page */
    gstate gs[64];
    int level;
    /* path under construction, in default user space */
    rect rects[64];
    size_t rect_count;
    double path_x, path_y;
    segment *pending;      /* lines of the current path */
    size_t pending_count;
    /* results */
    char rgb[200];         /* the first DeviceRGB use found, or "" */
    rect *fills;
    paint_colour *fill_colours;
    size_t fill_count;
    segment *strokes;      /* page-level strokes */
    size_t stroke_count;
    paint_colour colours[256]; /* every colour set, distinct */
    size_t colour_count;
    paint_colour texts[64];    /* every colour text was shown in, distinct */
    size_t text_count;
    size_t text_bytes;
    int *forms_seen;
    size_t forms_seen_count;
} scan;

static void note_rgb(scan *s, const char *what)
{
    if (!s->rgb[0])
        snprintf(s->rgb, sizeof s->rgb, "%s", what);
}

static void add_colour(paint_colour *list, size_t *count, size_t max, paint_colour c)
{
    for (size_t i = 0; i < *count; i++)
        if (list[i].space == c.space && list[i].n == c.n &&
            memcmp(list[i].v, c.v, sizeof c.v) == 0)
            return;
    if (*count < max)
        list[(*count)++] = c;
}

static void transform(const double m[6], double x, double y, double *ox, double *oy)
{
    *ox = m[0] * x + m[2] * y + m[4];
    *oy = m[1] * x + m[3] * y + m[5];
}

static void concat(double m[6], const double by[6])
{
    /* m = by x m (by applied first) */
    double r[6] = {
        by[0] * m[0] + by[1] * m[2],         by[0] * m[1] + by[1] * m[3],
        by[2] * m[0] + by[3] * m[2],         by[2] * m[1] + by[3] * m[3],
        by[4] * m[0] + by[5] * m[2] + m[4],  by[4] * m[1] + by[5] * m[3] + m[5],
    };
    memcpy(m, r, sizeof r);
}

static char *name_of(const tk *t) /* "/DeviceRGB" -> "/DeviceRGB" as a C string */
{
    return xstrndup(t->s, t->n);
}

static char space_of(scan *s, const tk *t, int *n)
{
    char *name = name_of(t);
    char kind = '?';
    *n = 0;
    if (strcmp(name, "/DeviceRGB") == 0 || strcmp(name, "/RGB") == 0)
        kind = 'R', *n = 3;
    else if (strcmp(name, "/DeviceCMYK") == 0 || strcmp(name, "/CMYK") == 0)
        kind = 'K', *n = 4;
    else if (strcmp(name, "/DeviceGray") == 0 || strcmp(name, "/G") == 0)
        kind = 'G', *n = 1;
    else if (strcmp(name, "/Pattern") == 0)
        kind = 'P';
    else {
        qpdf_oh space = key(s->q, key(s->q, s->resources, "/ColorSpace"), name);
        if (qpdf_oh_is_name_and_equals(s->q, space, "/DeviceRGB"))
            kind = 'R', *n = 3;
        else if (qpdf_oh_is_name_and_equals(s->q, space, "/DeviceCMYK"))
            kind = 'K', *n = 4;
        else if (qpdf_oh_is_array(s->q, space) &&
                 qpdf_oh_is_name_and_equals(s->q, qpdf_oh_get_array_item(s->q, space, 0), "/ICCBased"))
            kind = 'I';
    }
    free(name);
    return kind;
}

static void scan_stream(scan *s, const unsigned char *data, size_t length);

static void do_xobject(scan *s, const tk *name_token)
{
    qpdf_data q = s->q;
    char *name = name_of(name_token);
    qpdf_oh x = key(q, key(q, s->resources, "/XObject"), name);
    free(name);
    if (!qpdf_oh_is_stream(q, x))
        return;
    if (qpdf_oh_is_name_and_equals(q, key(q, x, "/Subtype"), "/Image")) {
        qpdf_oh cs = key(q, x, "/ColorSpace");
        if (qpdf_oh_is_name_and_equals(q, cs, "/DeviceRGB"))
            note_rgb(s, "an image in /DeviceRGB");
        return;
    }
    if (!qpdf_oh_is_name_and_equals(q, key(q, x, "/Subtype"), "/Form") || s->depth > 16 ||
        s->level >= 63)
        return;
    int id = qpdf_oh_get_object_id(q, x);
    /* forms drawn twice are read twice (each place they paint), but never
     * inside themselves */
    for (size_t i = 0; i < s->forms_seen_count; i++)
        if (s->forms_seen[i] == id)
            return;
    s->forms_seen = xrealloc(s->forms_seen, (s->forms_seen_count + 1) * sizeof *s->forms_seen);
    s->forms_seen[s->forms_seen_count++] = id;
    size_t n = 0;
    unsigned char *data = ua_stream_data(q, x, &n);
    if (data) {
        qpdf_oh saved = s->resources;
        qpdf_oh own = key(q, x, "/Resources");
        if (qpdf_oh_is_dictionary(q, own))
            s->resources = own;
        gstate *g = &s->gs[s->level];
        s->gs[s->level + 1] = *g;
        s->level++;
        double m[6];
        if (numbers(q, key(q, x, "/Matrix"), m, 6))
            concat(s->gs[s->level].ctm, m);
        s->depth++;
        scan_stream(s, data, n);
        s->depth--;
        s->level--;
        s->resources = saved;
        free(data);
    }
    s->forms_seen_count--;
}

static bool all_numbers(const tk *args, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (args[i].kind != TK_NUMBER)
            return false;
    return true;
}

static void paint(scan *s, bool fill, bool stroke)
{
    gstate *g = &s->gs[s->level];
    if (fill) {
        for (size_t i = 0; i < s->rect_count; i++) {
            s->fills = xrealloc(s->fills, (s->fill_count + 1) * sizeof *s->fills);
            s->fill_colours = xrealloc(s->fill_colours, (s->fill_count + 1) * sizeof *s->fill_colours);
            s->fills[s->fill_count] = s->rects[i];
            s->fill_colours[s->fill_count++] = g->fill;
        }
    }
    if (stroke && s->depth == 0) {
        for (size_t i = 0; i < s->pending_count; i++) {
            s->strokes = xrealloc(s->strokes, (s->stroke_count + 1) * sizeof *s->strokes);
            s->pending[i].colour = g->stroke;
            s->strokes[s->stroke_count++] = s->pending[i];
        }
    }
    s->rect_count = 0;
    s->pending_count = 0;
}

static void on_op(void *context, const tk *op, const tk *args, size_t count)
{
    scan *s = context;
    gstate *g = &s->gs[s->level];
    if (op->kind == TK_INLINE_IMAGE) {
        const char *end = op->s + op->n;
        for (const char *p = op->s; p + 4 <= end; p++)
            if (memcmp(p, "/RGB", 4) == 0 || (p + 10 <= end && memcmp(p, "/DeviceRGB", 10) == 0))
                note_rgb(s, "an inline image in RGB");
        return;
    }
    if (tk_is(op, "q")) {
        if (s->level < 63) {
            s->gs[s->level + 1] = *g;
            s->level++;
        }
    } else if (tk_is(op, "Q")) {
        if (s->level > 0)
            s->level--;
    } else if (tk_is(op, "cm") && count == 6 && all_numbers(args, 6)) {
        double m[6];
        for (int i = 0; i < 6; i++)
            m[i] = args[i].number;
        concat(g->ctm, m);
    } else if ((tk_is(op, "rg") || tk_is(op, "RG"))) {
        char what[80];
        snprintf(what, sizeof what, "the operator %.*s", (int)op->n, op->s);
        note_rgb(s, what);
        paint_colour c = {'R', 3, {0}};
        for (size_t i = 0; i < count && i < 3; i++)
            c.v[i] = args[i].number;
        *(tk_is(op, "rg") ? &g->fill : &g->stroke) = c;
        add_colour(s->colours, &s->colour_count, 256, c);
    } else if (tk_is(op, "k") || tk_is(op, "K") || tk_is(op, "g") || tk_is(op, "G")) {
        bool gray = tk_is(op, "g") || tk_is(op, "G");
        paint_colour c = {gray ? 'G' : 'K', gray ? 1 : 4, {0}};
        for (size_t i = 0; i < count && i < (size_t)c.n; i++)
            c.v[i] = args[i].number;
        *(op->s[0] == 'k' || op->s[0] == 'g' ? &g->fill : &g->stroke) = c;
        add_colour(s->colours, &s->colour_count, 256, c);
    } else if ((tk_is(op, "cs") || tk_is(op, "CS")) && count == 1 && args[0].kind == TK_NAME) {
        paint_colour c = {0};
        c.space = space_of(s, &args[0], &c.n);
        if (c.space == 'R')
            note_rgb(s, "a DeviceRGB colour space selected with cs/CS");
        *(tk_is(op, "cs") ? &g->fill : &g->stroke) = c;
    } else if (tk_is(op, "sc") || tk_is(op, "scn") || tk_is(op, "SC") || tk_is(op, "SCN")) {
        paint_colour *c = op->s[0] == 's' ? &g->fill : &g->stroke;
        c->n = 0;
        for (size_t i = 0; i < count && i < 4 && args[i].kind == TK_NUMBER; i++)
            c->v[c->n++] = args[i].number;
        if (c->space == 'K' || c->space == 'G' || c->space == 'R')
            add_colour(s->colours, &s->colour_count, 256, *c);
    } else if (tk_is(op, "re") && count == 4 && all_numbers(args, 4)) {
        double x = args[0].number, y = args[1].number, w = args[2].number, h = args[3].number;
        double xs[4], ys[4];
        transform(g->ctm, x, y, &xs[0], &ys[0]);
        transform(g->ctm, x + w, y, &xs[1], &ys[1]);
        transform(g->ctm, x, y + h, &xs[2], &ys[2]);
        transform(g->ctm, x + w, y + h, &xs[3], &ys[3]);
        rect r = {xs[0], ys[0], xs[0], ys[0]};
        for (int i = 1; i < 4; i++) {
            r.x0 = fmin(r.x0, xs[i]), r.x1 = fmax(r.x1, xs[i]);
            r.y0 = fmin(r.y0, ys[i]), r.y1 = fmax(r.y1, ys[i]);
        }
        if (s->rect_count < 64)
            s->rects[s->rect_count++] = r;
    } else if (tk_is(op, "m") && count == 2 && all_numbers(args, 2)) {
        transform(g->ctm, args[0].number, args[1].number, &s->path_x, &s->path_y);
    } else if (tk_is(op, "l") && count == 2 && all_numbers(args, 2)) {
        double x, y;
        transform(g->ctm, args[0].number, args[1].number, &x, &y);
        s->pending = xrealloc(s->pending, (s->pending_count + 1) * sizeof *s->pending);
        s->pending[s->pending_count++] = (segment){s->path_x, s->path_y, x, y, {0}};
        s->path_x = x, s->path_y = y;
    } else if (tk_is(op, "f") || tk_is(op, "F") || tk_is(op, "f*")) {
        paint(s, true, false);
    } else if (tk_is(op, "B") || tk_is(op, "B*") || tk_is(op, "b") || tk_is(op, "b*")) {
        paint(s, true, true);
    } else if (tk_is(op, "S") || tk_is(op, "s")) {
        paint(s, false, true);
    } else if (tk_is(op, "n")) {
        paint(s, false, false);
    } else if (tk_is(op, "Tj") || tk_is(op, "TJ") || tk_is(op, "'") || tk_is(op, "\"")) {
        add_colour(s->texts, &s->text_count, 64, g->fill);
        for (size_t i = 0; i < count; i++)
            if (args[i].kind == TK_STRING || args[i].kind == TK_HEXSTRING) {
                unsigned char *bytes;
                s->text_bytes += tk_string_bytes(&args[i], &bytes);
                free(bytes);
            }
    } else if (tk_is(op, "Do") && count == 1 && args[0].kind == TK_NAME) {
        do_xobject(s, &args[0]);
    }
}

static void scan_stream(scan *s, const unsigned char *data, size_t length)
{
    if (!content_ops(data, length, on_op, s))
        note_rgb(s, "(a content stream this test cannot read)");
}

static void scan_free(scan *s)
{
    free(s->pending);
    free(s->fills);
    free(s->fill_colours);
    free(s->strokes);
    free(s->forms_seen);
}

/* Reads page `index` (0-based) into *s. */
static void scan_page(qpdf_data q, int index, scan *s)
{
    memset(s, 0, sizeof *s);
    s->q = q;
    qpdf_oh pg = qpdf_get_page_n(q, (size_t)index);
    s->resources = key(q, pg, "/Resources");
    const double identity[6] = {1, 0, 0, 1, 0, 0};
    memcpy(s->gs[0].ctm, identity, sizeof identity);
    unsigned char *data = NULL;
    size_t length = 0;
    if (!(qpdf_oh_get_page_content_data(q, pg, &data, &length) & QPDF_ERRORS) && data)
        scan_stream(s, data, length);
    free(data);
}

/* ---- print checks ----------------------------------------------------- */

static bool check_version(const pdf_file *f, qpdf_data q, strbuf *why)
{
    (void)q;
    if (f->length < 8 || memcmp(f->data, "%PDF-1.6", 8) != 0)
        FAIL("the header is '%.8s', not %%PDF-1.6", (const char *)f->data);
    return true;
}

static bool check_boxes(const pdf_file *f, qpdf_data q, strbuf *why)
{
    (void)f;
    int pages = qpdf_get_num_pages(q);
    if (pages < 1)
        FAIL("no pages");
    for (int i = 0; i < pages; i++) {
        qpdf_oh pg = qpdf_get_page_n(q, (size_t)i);
        double m[4], t[4], b[4];
        if (!numbers(q, key(q, pg, "/MediaBox"), m, 4))
            FAIL("page %d has no MediaBox", i + 1);
        if (!numbers(q, key(q, pg, "/TrimBox"), t, 4))
            FAIL("page %d has no TrimBox", i + 1);
        if (!numbers(q, key(q, pg, "/BleedBox"), b, 4))
            FAIL("page %d has no BleedBox", i + 1);
        double w = (t[2] - t[0]) / MM, h = (t[3] - t[1]) / MM;
        bool a5 = fabs(w - 148) < 0.1 && fabs(h - 210) < 0.1;
        bool a4 = fabs(w - 210) < 0.1 && fabs(h - 297) < 0.1;
        if (!a5 && !a4)
            FAIL("page %d: the trim is %.2f x %.2f mm, neither A5 nor A4", i + 1, w, h);
        for (int k = 0; k < 4; k++) {
            double out = (k < 2 ? t[k] - b[k] : b[k] - t[k]) / MM;
            if (fabs(out - BLEED_MM) > 0.01)
                FAIL("page %d: the bleed box is %.2f mm past the trim on side %d, not %.0f mm",
                     i + 1, out, k, BLEED_MM);
            double room = (k < 2 ? b[k] - m[k] : m[k] - b[k]) / MM;
            if (room < 5)
                FAIL("page %d: only %.2f mm between bleed and media box for the crop marks",
                     i + 1, room);
        }
    }
    return true;
}

/* The cover (page 1) has a fill (the colour band) that runs to the bleed
 * box on three sides: top, left and right. */
static bool check_bleed_fill(const pdf_file *f, qpdf_data q, strbuf *why)
{
    (void)f;
    qpdf_oh pg = qpdf_get_page_n(q, 0);
    double b[4];
    if (!numbers(q, key(q, pg, "/BleedBox"), b, 4))
        FAIL("page 1 has no BleedBox");
    scan s;
    scan_page(q, 0, &s);
    bool found = false;
    for (size_t i = 0; i < s.fill_count && !found; i++) {
        const rect *r = &s.fills[i];
        found = fabs(r->x0 - b[0]) < 0.1 && fabs(r->x1 - b[2]) < 0.1 && fabs(r->y1 - b[3]) < 0.1;
    }
    size_t fills = s.fill_count;
    scan_free(&s);
    if (!found)
        FAIL("no fill on the cover reaches the bleed box at top, left and right (%zu fills)", fills);
    return true;
}

static bool check_crop_marks(const pdf_file *f, qpdf_data q, strbuf *why)
{
    (void)f;
    int pages = qpdf_get_num_pages(q);
    for (int i = 0; i < pages; i++) {
        qpdf_oh pg = qpdf_get_page_n(q, (size_t)i);
        double t[4], b[4];
        if (!numbers(q, key(q, pg, "/TrimBox"), t, 4) ||
            !numbers(q, key(q, pg, "/BleedBox"), b, 4))
            FAIL("page %d has no trim or bleed box", i + 1);
        scan s;
        scan_page(q, i, &s);
        int corners[4][2] = {{0}}; /* per corner: horizontal, vertical marks */
        bool ok = true;
        for (size_t k = 0; k < s.stroke_count && ok; k++) {
            const segment *g = &s.strokes[k];
            bool outside = fmax(g->x0, g->x1) <= b[0] + 0.01 || fmin(g->x0, g->x1) >= b[2] - 0.01 ||
                           fmax(g->y0, g->y1) <= b[1] + 0.01 || fmin(g->y0, g->y1) >= b[3] - 0.01;
            if (!outside) {
                strbuf_printf(why, "page %d: a page-level stroke (%.1f %.1f - %.1f %.1f) runs inside the bleed",
                              i + 1, g->x0, g->y0, g->x1, g->y1);
                ok = false;
                break;
            }
            bool registration = g->colour.space == 'K' && g->colour.v[0] < INK_EPS &&
                                g->colour.v[1] < INK_EPS && g->colour.v[2] < INK_EPS &&
                                g->colour.v[3] > 1 - INK_EPS;
            for (int c = 0; c < 4; c++) {
                double cx = c & 1 ? t[2] : t[0], cy = c & 2 ? t[3] : t[1];
                bool horizontal = fabs(g->y0 - g->y1) < 0.01 && fabs(g->y0 - cy) < 0.01;
                bool vertical = fabs(g->x0 - g->x1) < 0.01 && fabs(g->x0 - cx) < 0.01;
                double near = horizontal ? fmin(fabs(g->x0 - cx), fabs(g->x1 - cx))
                                         : fmin(fabs(g->y0 - cy), fabs(g->y1 - cy));
                if ((horizontal || vertical) && registration && near < 20 * MM)
                    corners[c][horizontal ? 0 : 1]++;
            }
        }
        scan_free(&s);
        if (!ok)
            return false;
        for (int c = 0; c < 4; c++)
            if (!corners[c][0] || !corners[c][1])
                FAIL("page %d: corner %d has no crop marks in 100 %% K on the trim lines", i + 1,
                     c + 1);
    }
    return true;
}

/* Every object's dictionary (streams: their dictionaries) and every
 * content stream, for DeviceRGB in any form. */
static bool check_no_rgb(const pdf_file *f, qpdf_data q, strbuf *why)
{
    (void)f;
    qpdf_oh size = key(q, qpdf_get_trailer(q), "/Size");
    long long objects = qpdf_oh_is_integer(q, size) ? qpdf_oh_get_int_value(q, size) : 0;
    for (long long id = 1; id < objects; id++) {
        qpdf_oh oh = qpdf_get_object_by_id(q, (int)id, 0);
        if (qpdf_oh_is_null(q, oh))
            continue;
        const char *text = qpdf_oh_unparse_resolved(q, qpdf_oh_is_stream(q, oh)
                                                           ? qpdf_oh_get_dict(q, oh) : oh);
        if (text && strstr(text, "/DeviceRGB"))
            FAIL("object %lld names /DeviceRGB: %.120s", id, text);
    }
    int pages = qpdf_get_num_pages(q);
    for (int i = 0; i < pages; i++) {
        scan s;
        scan_page(q, i, &s);
        if (s.rgb[0]) {
            strbuf_printf(why, "page %d (or a form it paints) uses %s", i + 1, s.rgb);
            scan_free(&s);
            return false;
        }
        scan_free(&s);
    }
    return true;
}

static bool same_cmyk(const double *a, const double *b)
{
    for (int i = 0; i < 4; i++)
        if (fabs(a[i] - b[i]) > INK_EPS)
            return false;
    return true;
}

static bool check_colours(const pdf_file *f, qpdf_data q, strbuf *why)
{
    int pages = qpdf_get_num_pages(q);
    for (int i = 0; i < pages; i++) {
        scan s;
        scan_page(q, i, &s);
        bool ok = true;
        for (size_t k = 0; k < s.colour_count && ok; k++) {
            const paint_colour *c = &s.colours[k];
            double total = 0;
            for (int j = 0; j < c->n; j++) {
                if (c->v[j] < 0 || c->v[j] > 1) {
                    strbuf_printf(why, "page %d: a colour component is %g", i + 1, c->v[j]);
                    ok = false;
                }
                total += c->v[j];
            }
            if (ok && c->space == 'K' && total > 3 + INK_EPS) {
                strbuf_printf(why, "page %d: %g %g %g %g has %.0f %% ink (at most 300 %%)", i + 1,
                              c->v[0], c->v[1], c->v[2], c->v[3], total * 100);
                ok = false;
            }
        }
        for (size_t k = 0; k < s.text_count && ok; k++) {
            const paint_colour *c = &s.texts[k];
            bool pure_k = c->space == 'G' ||
                          (c->space == 'K' && c->v[0] < INK_EPS && c->v[1] < INK_EPS && c->v[2] < INK_EPS);
            bool from_style = false;
            for (size_t j = 0; c->space == 'K' && j < f->text_colour_count && !from_style; j++)
                from_style = same_cmyk(c->v, f->text_colours[j].v);
            if (!pure_k && !from_style) {
                strbuf_printf(why, "page %d: text in %c %g %g %g %g, neither pure K nor a style colour",
                              i + 1, c->space, c->v[0], c->v[1], c->v[2], c->v[3]);
                ok = false;
            }
        }
        scan_free(&s);
        if (!ok)
            return false;
    }
    return true;
}

static bool profile_is(const unsigned char *p, size_t n, const char *space, const char *cls,
                       int channels, strbuf *why)
{
    if (n < 128 || memcmp(p + 36, "acsp", 4) != 0)
        FAIL("the output profile is not an ICC profile");
    if (memcmp(p + 16, space, 4) != 0)
        FAIL("the output profile's colour space is '%.4s', not '%s'", (const char *)p + 16, space);
    if (memcmp(p + 12, cls, 4) != 0)
        FAIL("the output profile's class is '%.4s', not '%s'", (const char *)p + 12, cls);
    (void)channels;
    return true;
}

static bool check_intent(qpdf_data q, const char *subtype, int channels, const char *space,
                         const char *const *classes, strbuf *why)
{
    qpdf_oh intents = key(q, qpdf_get_root(q), "/OutputIntents");
    int n = qpdf_oh_is_array(q, intents) ? qpdf_oh_get_array_n_items(q, intents) : 0;
    for (int i = 0; i < n; i++) {
        qpdf_oh intent = qpdf_oh_get_array_item(q, intents, i);
        if (!qpdf_oh_is_name_and_equals(q, key(q, intent, "/S"), subtype))
            continue;
        if (!qpdf_oh_is_string(q, key(q, intent, "/OutputConditionIdentifier")))
            FAIL("the %s output intent has no OutputConditionIdentifier", subtype);
        qpdf_oh profile = key(q, intent, "/DestOutputProfile");
        qpdf_oh count = key(q, profile, "/N");
        if (!qpdf_oh_is_integer(q, count) || qpdf_oh_get_int_value(q, count) != channels)
            FAIL("the %s profile does not have /N %d", subtype, channels);
        size_t length = 0;
        unsigned char *data = ua_stream_data(q, profile, &length);
        if (!data)
            FAIL("the %s profile cannot be read", subtype);
        bool ok = false;
        for (size_t c = 0; classes[c] && !ok; c++) {
            why->length = 0;
            ok = profile_is(data, length, space, classes[c], channels, why);
        }
        free(data);
        return ok;
    }
    FAIL("no %s output intent", subtype);
}

static bool check_print_intent(const pdf_file *f, qpdf_data q, strbuf *why)
{
    (void)f;
    static const char *const printer[] = {"prtr", NULL};
    return check_intent(q, "/GTS_PDFX", 4, "CMYK", printer, why);
}

static bool check_pdfx_version(const pdf_file *f, qpdf_data q, strbuf *why)
{
    (void)f;
    qpdf_oh info = key(q, qpdf_get_trailer(q), "/Info");
    qpdf_oh version = key(q, info, "/GTS_PDFXVersion");
    if (!qpdf_oh_is_string(q, version) || strcmp(qpdf_oh_get_utf8_value(q, version), "PDF/X-4") != 0)
        FAIL("Info has no GTS_PDFXVersion (PDF/X-4)");
    if (!qpdf_oh_is_name_and_equals(q, key(q, info, "/Trapped"), "/False"))
        FAIL("Info has no /Trapped /False");
    if (!qpdf_oh_is_string(q, key(q, info, "/Title")))
        FAIL("Info has no Title (PDF/X requires one)");
    char *xmp = metadata(q);
    bool ok = strstr(xmp, "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>") &&
              strstr(xmp, "<pdf:Trapped>False</pdf:Trapped>") && strstr(xmp, "<dc:title>") &&
              strstr(xmp, "<xmpMM:DocumentID>") && strstr(xmp, "<xmpMM:VersionID>");
    free(xmp);
    if (!ok)
        FAIL("the XMP lacks pdfxid:GTS_PDFXVersion PDF/X-4, pdf:Trapped, dc:title or the xmpMM IDs");
    return true;
}

static bool check_no_annotations(const pdf_file *f, qpdf_data q, strbuf *why)
{
    (void)f;
    int pages = qpdf_get_num_pages(q);
    for (int i = 0; i < pages; i++) {
        qpdf_oh annots = key(q, qpdf_get_page_n(q, (size_t)i), "/Annots");
        if (qpdf_oh_is_array(q, annots) && qpdf_oh_get_array_n_items(q, annots) > 0)
            FAIL("page %d has annotations", i + 1);
    }
    if (qpdf_oh_has_key(q, qpdf_get_root(q), "/AcroForm"))
        FAIL("the document has a form");
    return true;
}

typedef bool (*check_fn)(const pdf_file *f, qpdf_data q, strbuf *why);

static const struct {
    const char *name;
    check_fn fn;
} print_checks[] = {
    {"version", check_version},         {"boxes", check_boxes},
    {"bleed fill", check_bleed_fill},   {"crop marks", check_crop_marks},
    {"no DeviceRGB", check_no_rgb},     {"colours", check_colours},
    {"output intent", check_print_intent}, {"PDF/X version", check_pdfx_version},
    {"no annotations", check_no_annotations},
};

/* ---- screen checks (PDF/A-2a) ----------------------------------------- */

static bool check_screen_intent(const pdf_file *f, qpdf_data q, strbuf *why)
{
    (void)f;
    static const char *const classes[] = {"mntr", "prtr", "scnr", NULL};
    return check_intent(q, "/GTS_PDFA1", 3, "RGB ", classes, why);
}

static bool check_pdfa_xmp(const pdf_file *f, qpdf_data q, strbuf *why)
{
    (void)f;
    char *xmp = metadata(q);
    const char *missing = !strstr(xmp, "<pdfaid:part>2</pdfaid:part>") ? "pdfaid:part 2"
        : !strstr(xmp, "<pdfaid:conformance>A</pdfaid:conformance>") ? "pdfaid:conformance A"
        : !strstr(xmp, "<pdfuaid:part>1</pdfuaid:part>") ? "pdfuaid:part 1"
        : !strstr(xmp, "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>")
            ? "the PDF/A extension schema for pdfuaid"
        : NULL;
    /* Info and XMP agree: the same title, producer and dates */
    qpdf_oh info = key(q, qpdf_get_trailer(q), "/Info");
    qpdf_oh title = key(q, info, "/Title"), producer = key(q, info, "/Producer");
    qpdf_oh created = key(q, info, "/CreationDate"), modified = key(q, info, "/ModDate");
    char expect[512];
    if (!missing && qpdf_oh_is_string(q, title)) {
        snprintf(expect, sizeof expect, "<rdf:li xml:lang=\"x-default\">%s</rdf:li>",
                 qpdf_oh_get_utf8_value(q, title));
        if (!strchr(expect + 30, '&') && !strstr(xmp, expect))
            missing = "dc:title equal to Info Title";
    }
    if (!missing && qpdf_oh_is_string(q, producer)) {
        snprintf(expect, sizeof expect, "<pdf:Producer>%s</pdf:Producer>",
                 qpdf_oh_get_utf8_value(q, producer));
        if (!strstr(xmp, expect))
            missing = "pdf:Producer equal to Info Producer";
    }
    if (!missing && (!qpdf_oh_is_string(q, created) || !qpdf_oh_is_string(q, modified)))
        missing = "Info CreationDate and ModDate";
    if (!missing) {
        /* D:YYYYMMDDHHmmSSZ <-> YYYY-MM-DDTHH:mm:SSZ */
        const char *d = qpdf_oh_get_utf8_value(q, created);
        if (strlen(d) >= 17) {
            snprintf(expect, sizeof expect, "<xmp:CreateDate>%.4s-%.2s-%.2sT%.2s:%.2s:%.2s%s</xmp:CreateDate>",
                     d + 2, d + 6, d + 8, d + 10, d + 12, d + 14, d[16] == 'Z' ? "Z" : "");
            if (!strstr(xmp, expect))
                missing = "xmp:CreateDate equal to Info CreationDate";
        }
    }
    free(xmp);
    if (missing)
        FAIL("the metadata lacks %s", missing);
    return true;
}

static bool check_trailer_id(const pdf_file *f, qpdf_data q, strbuf *why)
{
    (void)f;
    qpdf_oh id = key(q, qpdf_get_trailer(q), "/ID");
    if (!qpdf_oh_is_array(q, id) || qpdf_oh_get_array_n_items(q, id) != 2 ||
        !qpdf_oh_is_string(q, qpdf_oh_get_array_item(q, id, 0)))
        FAIL("the trailer has no /ID");
    return true;
}

static bool check_cid_maps(const pdf_file *f, qpdf_data q, strbuf *why)
{
    (void)f;
    qpdf_oh size = key(q, qpdf_get_trailer(q), "/Size");
    long long objects = qpdf_oh_is_integer(q, size) ? qpdf_oh_get_int_value(q, size) : 0;
    int fonts = 0;
    for (long long id = 1; id < objects; id++) {
        qpdf_oh oh = qpdf_get_object_by_id(q, (int)id, 0);
        if (!qpdf_oh_is_dictionary(q, oh) ||
            !qpdf_oh_is_name_and_equals(q, key(q, oh, "/Subtype"), "/CIDFontType2"))
            continue;
        fonts++;
        qpdf_oh map = key(q, oh, "/CIDToGIDMap");
        if (!qpdf_oh_is_name_and_equals(q, map, "/Identity") && !qpdf_oh_is_stream(q, map))
            FAIL("CIDFontType2 object %lld has no /CIDToGIDMap", id);
    }
    (void)fonts;
    return true;
}

static bool check_annotation_flags(const pdf_file *f, qpdf_data q, strbuf *why)
{
    (void)f;
    int pages = qpdf_get_num_pages(q);
    for (int i = 0; i < pages; i++) {
        qpdf_oh annots = key(q, qpdf_get_page_n(q, (size_t)i), "/Annots");
        int n = qpdf_oh_is_array(q, annots) ? qpdf_oh_get_array_n_items(q, annots) : 0;
        for (int a = 0; a < n; a++) {
            qpdf_oh flags = key(q, qpdf_oh_get_array_item(q, annots, a), "/F");
            long long v = qpdf_oh_is_integer(q, flags) ? qpdf_oh_get_int_value(q, flags) : 0;
            /* print set; invisible, hidden, no-view clear */
            if (!(v & 4) || (v & (1 | 2 | 32)))
                FAIL("page %d: annotation %d has /F %lld, not the print flag alone", i + 1, a + 1, v);
        }
    }
    return true;
}

/* PDF/UA-1 (pdf_ua_checks.h) on the real fonts and content of a build */
static bool check_ua_fonts(const pdf_file *f, qpdf_data q, strbuf *why)
{
    (void)f;
    return check_fonts(q, why);
}

static bool check_ua_marked(const pdf_file *f, qpdf_data q, strbuf *why)
{
    (void)f;
    return check_marked_content(q, why);
}

static bool check_ua_annotations(const pdf_file *f, qpdf_data q, strbuf *why)
{
    (void)f;
    return check_annotations(q, why);
}

static const struct {
    const char *name;
    check_fn fn;
} screen_checks[] = {
    {"PDF/UA fonts", check_ua_fonts},            {"PDF/UA marked content", check_ua_marked},
    {"PDF/UA annotations", check_ua_annotations},
    {"sRGB output intent", check_screen_intent}, {"PDF/A XMP", check_pdfa_xmp},
    {"trailer ID", check_trailer_id},            {"CIDToGIDMap", check_cid_maps},
    {"annotation flags", check_annotation_flags},
};

/* ---- the tests -------------------------------------------------------- */

static void run_checks(const pdf_file *f, bool print)
{
    qpdf_data q = open_pdf(f);
    strbuf failures = {0};
    size_t n = print ? sizeof print_checks / sizeof print_checks[0]
                     : sizeof screen_checks / sizeof screen_checks[0];
    for (size_t i = 0; i < n; i++) {
        strbuf why = {0};
        bool ok = print ? print_checks[i].fn(f, q, &why) : screen_checks[i].fn(f, q, &why);
        if (!ok)
            strbuf_printf(&failures, "\n  %s: %s", print ? print_checks[i].name : screen_checks[i].name,
                          why.data ? why.data : "");
        free(why.data);
    }
    close_pdf(q);
    if (failures.length) {
        print_message("%s:%s\n", f->name, failures.data);
        free(failures.data);
        fail_msg("%s fails preflight", f->name);
    }
}

static void test_print_pdf(void **state) { run_checks(*state, true); }
static void test_screen_pdf(void **state) { run_checks(*state, false); }

/* Finishing the same rendered PDF twice gives the same bytes; and the
 * finished PDF shows every byte of text the rendered one did. */
static void test_print_deterministic_and_complete(void **state)
{
    (void)state;
    pdf_file *f = &prints[0];
    assert_non_null(f->raw);
    diag_list diags;
    diag_init(&diags);
    unsigned char *again = NULL;
    size_t length = 0;
    assert_true(pdf_finish_print(f->raw, f->print_info, "again.pdf", &again, &length, &diags));
    diag_free(&diags);
    bool same = length == f->length && memcmp(again, f->data, length) == 0;
    free(again);
    assert_true(same);

    /* ... and the check can tell: another date, other bytes */
    pdf_print_info other = *f->print_info;
    other.date = "2021-03-04T05:06:07Z";
    diag_init(&diags);
    assert_true(pdf_finish_print(f->raw, &other, "other.pdf", &again, &length, &diags));
    diag_free(&diags);
    assert_false(length == f->length && memcmp(again, f->data, length) == 0);
    free(again);

    size_t finished = 0;
    qpdf_data q = open_pdf(f);
    for (int i = 0; i < qpdf_get_num_pages(q); i++) {
        scan s;
        scan_page(q, i, &s);
        finished += s.text_bytes;
        scan_free(&s);
    }
    close_pdf(q);
    assert_true(f->raw_text_bytes > 100);
    assert_int_equal(finished, f->raw_text_bytes);
}

/* The made print PDF: the teal the style gives as CMYK [92, 45, 38, 30]
 * is exactly that in the band (a fill) and the headings (text); the
 * structure tree is kept; images are ICC-based sRGB and a soft mask stays
 * DeviceGray. */
static void test_print_colours_and_images(void **state)
{
    (void)state;
    const pdf_file *f = &prints[0];
    qpdf_data q = open_pdf(f);
    const double teal[4] = {0.92, 0.45, 0.38, 0.30};
    bool band = false, heading = false;
    for (int i = 0; i < qpdf_get_num_pages(q); i++) {
        scan s;
        scan_page(q, i, &s);
        for (size_t k = 0; k < s.fill_count; k++)
            band |= s.fill_colours[k].space == 'K' && same_cmyk(s.fill_colours[k].v, teal);
        for (size_t k = 0; k < s.text_count; k++)
            heading |= s.texts[k].space == 'K' && same_cmyk(s.texts[k].v, teal);
        scan_free(&s);
    }
    assert_true(band);
    assert_true(heading);
    assert_true(qpdf_oh_is_dictionary(q, key(q, qpdf_get_root(q), "/StructTreeRoot")));
    qpdf_oh size = key(q, qpdf_get_trailer(q), "/Size");
    int images = 0, masks = 0;
    for (long long id = 1; id < qpdf_oh_get_int_value(q, size); id++) {
        qpdf_oh oh = qpdf_get_object_by_id(q, (int)id, 0);
        if (!qpdf_oh_is_stream(q, oh) ||
            !qpdf_oh_is_name_and_equals(q, key(q, oh, "/Subtype"), "/Image"))
            continue;
        qpdf_oh cs = key(q, oh, "/ColorSpace");
        if (qpdf_oh_is_name_and_equals(q, cs, "/DeviceGray")) {
            masks++;
            continue;
        }
        assert_true(qpdf_oh_is_array(q, cs));
        assert_true(qpdf_oh_is_name_and_equals(q, qpdf_oh_get_array_item(q, cs, 0), "/ICCBased"));
        assert_int_equal(qpdf_oh_get_int_value(q, key(q, qpdf_oh_get_array_item(q, cs, 1), "/N")), 3);
        images++;
        qpdf_oh mask = key(q, oh, "/SMask");
        if (qpdf_oh_is_stream(q, mask))
            assert_true(qpdf_oh_is_name_and_equals(q, key(q, mask, "/ColorSpace"), "/DeviceGray"));
    }
    close_pdf(q);
    assert_int_equal(images, 2);
    assert_int_equal(masks, 1);
}

/* ---- defects, one per check ------------------------------------------- */

static void append_to_page(qpdf_data q, int index, const char *text, bool prepend)
{
    qpdf_oh pg = qpdf_get_page_n(q, (size_t)index);
    unsigned char *data = NULL;
    size_t length = 0;
    assert_false(qpdf_oh_get_page_content_data(q, pg, &data, &length) & QPDF_ERRORS);
    strbuf b = {0};
    if (prepend)
        strbuf_puts(&b, text);
    strbuf_append(&b, (const char *)data, length);
    if (!prepend)
        strbuf_puts(&b, text);
    free(data);
    qpdf_oh stream = qpdf_oh_new_stream(q);
    qpdf_oh null = qpdf_oh_new_null(q);
    qpdf_oh_replace_stream_data(q, stream, (const unsigned char *)b.data, b.length, null, null);
    qpdf_oh_replace_key(q, pg, "/Contents", stream);
    free(b.data);
}

/* Replaces every " S\n" (stroke) in page content by " n\n" (no paint). */
static void drop_strokes(qpdf_data q, int index)
{
    qpdf_oh pg = qpdf_get_page_n(q, (size_t)index);
    unsigned char *data = NULL;
    size_t length = 0;
    assert_false(qpdf_oh_get_page_content_data(q, pg, &data, &length) & QPDF_ERRORS);
    for (size_t i = 1; i + 1 < length; i++)
        if (data[i] == 'S' && pc_space(data[i - 1]) && pc_space(data[i + 1]))
            data[i] = 'n';
    qpdf_oh stream = qpdf_oh_new_stream(q);
    qpdf_oh null = qpdf_oh_new_null(q);
    qpdf_oh_replace_stream_data(q, stream, data, length, null, null);
    qpdf_oh_replace_key(q, pg, "/Contents", stream);
    free(data);
}

/* Makes the defect; false when this PDF has nothing to break. */
typedef bool (*defect_fn)(qpdf_data q, pdf_file *copy);

static bool defect_version(qpdf_data q, pdf_file *copy) { (void)q; copy->data[7] = '4'; return true; }
static bool defect_boxes(qpdf_data q, pdf_file *copy)
{
    (void)copy;
    qpdf_oh_remove_key(q, qpdf_get_page_n(q, 1), "/TrimBox");
    return true;
}
static bool defect_bleed(qpdf_data q, pdf_file *copy)
{
    (void)copy; /* the band stops at the trim: cover it up, then paint it short */
    qpdf_oh pg = qpdf_get_page_n(q, 0);
    double t[4];
    assert_true(numbers(q, key(q, pg, "/TrimBox"), t, 4));
    unsigned char *data = NULL;
    size_t length = 0;
    assert_false(qpdf_oh_get_page_content_data(q, pg, &data, &length) & QPDF_ERRORS);
    /* every fill becomes a no-op, then one fill inside the trim */
    for (size_t i = 1; i + 1 < length; i++)
        if (data[i] == 'f' && pc_space(data[i - 1]) && pc_space(data[i + 1]))
            data[i] = 'n';
    strbuf b = {0};
    strbuf_append(&b, (const char *)data, length);
    strbuf_printf(&b, "\nq 1 0 0 1 0 0 cm %.2f %.2f %.2f %.2f re f Q\n", t[0], t[3] - 100,
                  t[2] - t[0], 100.0);
    free(data);
    qpdf_oh stream = qpdf_oh_new_stream(q);
    qpdf_oh null = qpdf_oh_new_null(q);
    qpdf_oh_replace_stream_data(q, stream, (const unsigned char *)b.data, b.length, null, null);
    qpdf_oh_replace_key(q, pg, "/Contents", stream);
    free(b.data);
    return true;
}
static bool defect_crop_marks(qpdf_data q, pdf_file *copy) { (void)copy; drop_strokes(q, 1); return true; }
static bool defect_rgb_operator(qpdf_data q, pdf_file *copy)
{
    (void)copy;
    append_to_page(q, 0, "\n1 0 0 rg\n", false);
    return true;
}
static bool defect_rgb_group(qpdf_data q, pdf_file *copy)
{
    (void)copy;
    qpdf_oh group = qpdf_oh_new_dictionary(q);
    qpdf_oh_replace_key(q, group, "/S", qpdf_oh_new_name(q, "/Transparency"));
    qpdf_oh_replace_key(q, group, "/CS", qpdf_oh_new_name(q, "/DeviceRGB"));
    qpdf_oh_replace_key(q, qpdf_get_page_n(q, 0), "/Group", group);
    return true;
}
static bool defect_ink(qpdf_data q, pdf_file *copy)
{
    (void)copy;
    append_to_page(q, 0, "\n1 1 1 0.5 k 0 0 1 1 re f\n", false);
    return true;
}
static bool defect_rich_black_text(qpdf_data q, pdf_file *copy)
{
    (void)copy;
    append_to_page(q, 0, "\nBT 0.6 0.5 0.5 1 k /F1 1 Tf (x) Tj ET\n", false);
    return true;
}
static bool defect_intent(qpdf_data q, pdf_file *copy)
{
    (void)copy;
    qpdf_oh intent = qpdf_oh_get_array_item(q, key(q, qpdf_get_root(q), "/OutputIntents"), 0);
    qpdf_oh profile = key(q, intent, "/DestOutputProfile");
    qpdf_oh_replace_key(q, qpdf_oh_get_dict(q, profile), "/N", qpdf_oh_new_integer(q, 3));
    return true;
}
static bool defect_pdfx_version(qpdf_data q, pdf_file *copy)
{
    (void)copy;
    qpdf_oh_remove_key(q, key(q, qpdf_get_trailer(q), "/Info"), "/GTS_PDFXVersion");
    return true;
}
static bool defect_annotation(qpdf_data q, pdf_file *copy)
{
    (void)copy;
    qpdf_oh annot = qpdf_oh_parse(q, "<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /F 4 >>");
    qpdf_oh annots = qpdf_oh_new_array(q);
    qpdf_oh_append_item(q, annots, annot);
    qpdf_oh_replace_key(q, qpdf_get_page_n(q, 0), "/Annots", annots);
    return true;
}
/* screen */
static bool defect_screen_intent(qpdf_data q, pdf_file *copy)
{
    (void)copy;
    qpdf_oh_remove_key(q, qpdf_get_root(q), "/OutputIntents");
    return true;
}
static bool defect_pdfa_xmp(qpdf_data q, pdf_file *copy)
{
    (void)copy;
    char *xmp = metadata(q);
    char *at = strstr(xmp, "<pdfaid:part>2");
    assert_non_null(at);
    at[13] = '1'; /* pdfaid:part 1 */
    qpdf_oh stream = key(q, qpdf_get_root(q), "/Metadata");
    qpdf_oh null = qpdf_oh_new_null(q);
    qpdf_oh_replace_stream_data(q, stream, (const unsigned char *)xmp, strlen(xmp), null, null);
    free(xmp);
    return true;
}
static bool defect_trailer_id(qpdf_data q, pdf_file *copy)
{
    (void)copy;
    qpdf_oh_remove_key(q, qpdf_get_trailer(q), "/ID");
    return true;
}
static bool defect_cid_map(qpdf_data q, pdf_file *copy)
{
    (void)copy;
    qpdf_oh size = key(q, qpdf_get_trailer(q), "/Size");
    for (long long id = 1; id < qpdf_oh_get_int_value(q, size); id++) {
        qpdf_oh oh = qpdf_get_object_by_id(q, (int)id, 0);
        if (qpdf_oh_is_dictionary(q, oh) &&
            qpdf_oh_is_name_and_equals(q, key(q, oh, "/Subtype"), "/CIDFontType2")) {
            qpdf_oh_remove_key(q, oh, "/CIDToGIDMap");
            return true;
        }
    }
    return false;
}
static bool defect_annotation_flags(qpdf_data q, pdf_file *copy)
{
    (void)copy;
    for (int i = 0; i < qpdf_get_num_pages(q); i++) {
        qpdf_oh annots = key(q, qpdf_get_page_n(q, (size_t)i), "/Annots");
        if (qpdf_oh_is_array(q, annots) && qpdf_oh_get_array_n_items(q, annots) > 0) {
            qpdf_oh_replace_key(q, qpdf_oh_get_array_item(q, annots, 0), "/F",
                                qpdf_oh_new_integer(q, 0));
            return true;
        }
    }
    return false;
}

typedef struct defect {
    const char *name;
    defect_fn make;
    check_fn check;
    bool print;
} defect;

static const defect defects[] = {
    {"header %PDF-1.4", defect_version, check_version, true},
    {"a page without TrimBox", defect_boxes, check_boxes, true},
    {"a cover band short of the bleed", defect_bleed, check_bleed_fill, true},
    {"a page without crop marks", defect_crop_marks, check_crop_marks, true},
    {"an rg operator", defect_rgb_operator, check_no_rgb, true},
    {"a DeviceRGB page group", defect_rgb_group, check_no_rgb, true},
    {"350 % ink", defect_ink, check_colours, true},
    {"rich black text", defect_rich_black_text, check_colours, true},
    {"a 3-channel output profile", defect_intent, check_print_intent, true},
    {"no GTS_PDFXVersion in Info", defect_pdfx_version, check_pdfx_version, true},
    {"a link annotation", defect_annotation, check_no_annotations, true},
    {"no sRGB output intent", defect_screen_intent, check_screen_intent, false},
    {"pdfaid:part 1", defect_pdfa_xmp, check_pdfa_xmp, false},
    {"no trailer /ID", defect_trailer_id, check_trailer_id, false},
    {"a CIDFontType2 without CIDToGIDMap", defect_cid_map, check_cid_maps, false},
    {"an annotation without the print flag", defect_annotation_flags, check_annotation_flags, false},
};

/* On the first PDF of its kind that has something to break: the check
 * passes on it, and fails once the defect is made. */
static void test_defect(void **state)
{
    const defect *d = *state;
    pdf_file *files = d->print ? prints : screens;
    size_t count = d->print ? print_count : screen_count;
    for (size_t i = 0; i < count; i++) {
        pdf_file copy = files[i];
        copy.data = xmalloc(files[i].length);
        memcpy(copy.data, files[i].data, files[i].length);
        qpdf_data q = open_pdf(&copy);
        strbuf why = {0};
        bool before = d->check(&copy, q, &why);
        if (!before)
            fail_msg("%s: '%s' fails before the defect: %s", copy.name, d->name, why.data);
        why.length = 0;
        bool made_it = d->make(q, &copy);
        bool after = made_it && d->check(&copy, q, &why);
        close_pdf(q);
        free(copy.data);
        if (!made_it) {
            free(why.data);
            continue;
        }
        if (after)
            fail_msg("%s: the check for '%s' passes a PDF that has it", files[i].name, d->name);
        print_message("  %s: %s\n", d->name, why.data ? why.data : "");
        free(why.data);
        return;
    }
    fail_msg("no PDF to make '%s' in", d->name);
}

/* ---- making PDFs here ------------------------------------------------- */

static char work[64];
static struct {
    laid_out *pages;
    style *style;
    document *doc;
    layout_resources res;
} made;

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "preflight: cannot write %s\n", path);
        exit(2);
    }
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    if (!in || !out) {
        fprintf(stderr, "preflight: cannot copy %s (run from the repository root)\n", from);
        exit(2);
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
}

static const char SOURCE[] =
    "---\ntitle: Proefdruk\nlang: nl-NL\npublisher: Testuitgever\nupdated: 2020-02\n"
    "subject: Een proef voor de drukker.\nkeywords: [proef, druk]\n---\n"
    "# Proefdruk\n\n"
    "Een alinea met een [link](https://example.nl/) en wat meer tekst, zodat er iets te "
    "drukken valt op de bladzijde.\n\n"
    "## Beelden\n\n![Een foto van de lever](lever.png)\n\n![Een schema](schema.svg)\n\n"
    "![Een doorschijnend vlak](vlak.png)\n\n"
    "> [!WARNING] Spoed\n> Bel direct bij hoge koorts.\n\n"
    "> [!TIP] Tips\n> Schrijf uw vragen op.\n\n"
    "Laatste alinea.\n";

/* The proof style: the house style with brand CMYK for the teal. */
static const char STYLE[] =
    "extends: house\nsuffix: \"-drukproef\"\n"
    "cover:\n  band_color: {rgb: \"#005a6e\", cmyk: [92, 45, 38, 30]}\n"
    "h1:\n  color: {rgb: \"#005a6e\", cmyk: [92, 45, 38, 30]}\n"
    "h2:\n  color: {rgb: \"#005a6e\", cmyk: [92, 45, 38, 30]}\n"
    "link:\n  color: {rgb: \"#005a6e\", cmyk: [92, 45, 38, 30]}\n";

/* The CMYK print gives a style colour: its own, else the profile's. */
static cmyk print_cmyk(colour_converter *cc, colour c)
{
    cmyk out;
    if (c.has_cmyk) {
        out.v[0] = c.c, out.v[1] = c.m, out.v[2] = c.y, out.v[3] = c.k;
    } else {
        colour_to_cmyk(cc, c.r, c.g, c.b, out.v);
    }
    return out;
}

static void add_style_colours(pdf_file *f, const style *s, colour_converter *cc)
{
    const text_style *texts[] = {&s->body, &s->h1, &s->h2, &s->h3, &s->colophon, &s->footer,
                                 &s->contact, &s->contact_heading, &s->cover_title,
                                 &s->cover_subtitle, &s->cover_publisher};
    colour colours[32];
    size_t n = 0;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        colours[n++] = texts[i]->color;
    colours[n++] = s->link_color;
    const box_style *boxes[] = {&s->box_note, &s->box_tip, &s->box_warning};
    for (size_t i = 0; i < 3; i++) {
        colours[n++] = boxes[i]->title_color;
        colours[n++] = boxes[i]->border;
        colours[n++] = boxes[i]->background;
    }
    f->text_colours = xrealloc(f->text_colours, (f->text_colour_count + n) * sizeof *f->text_colours);
    for (size_t i = 0; i < n; i++)
        f->text_colours[f->text_colour_count++] = print_cmyk(cc, colours[i]);
}

static size_t text_bytes_of(const unsigned char *data, size_t length)
{
    pdf_file f = {.name = "rendered", .data = (unsigned char *)data, .length = length};
    qpdf_data q = open_pdf(&f);
    size_t total = 0;
    for (int i = 0; i < qpdf_get_num_pages(q); i++) {
        scan s;
        scan_page(q, i, &s);
        total += s.text_bytes;
        scan_free(&s);
    }
    close_pdf(q);
    return total;
}

static void make_pdfs(void)
{
    strcpy(work, "/tmp/leafpress-preflight-XXXXXX");
    if (!mkdtemp(work)) {
        perror("mkdtemp");
        exit(2);
    }
    char path[512], styles[256];
    snprintf(path, sizeof path, "%s/lever.png", work);
    copy_file("tests/data/images/lever.png", path);
    snprintf(path, sizeof path, "%s/schema.svg", work);
    copy_file("tests/data/images/schema.svg", path);
    /* an image with transparency: its soft mask must stay DeviceGray */
    snprintf(path, sizeof path, "%s/vlak.png", work);
    cairo_surface_t *image = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 40, 20);
    cairo_t *cr = cairo_create(image);
    cairo_set_source_rgba(cr, 0.7, 0.2, 0.1, 0.5);
    cairo_paint(cr);
    cairo_set_source_rgba(cr, 0.1, 0.3, 0.7, 1);
    cairo_rectangle(cr, 0, 0, 20, 20);
    cairo_fill(cr);
    cairo_destroy(cr);
    if (cairo_surface_write_to_png(image, path) != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "preflight: cannot write %s\n", path);
        exit(2);
    }
    cairo_surface_destroy(image);
    snprintf(styles, sizeof styles, "%s/styles", work);
    mkdir(styles, 0777);
    snprintf(path, sizeof path, "%s/house.yaml", styles);
    copy_file("styles/house.yaml", path);
    snprintf(path, sizeof path, "%s/drukproef.yaml", styles);
    write_text(path, STYLE);
    snprintf(path, sizeof path, "%s/proef.md", work);
    write_text(path, SOURCE);

    diag_list diags;
    diag_init(&diags);
    PangoFontMap *fonts = fonts_open("fonts", &diags);
    layout_resources res = {fonts, hyphen_cache_new()};
    document *doc = parse_leaflet(path, NULL, work, &diags);
    style *s = style_load(styles, "drukproef", &diags);
    laid_out *pages = NULL;
    if (fonts && doc && s && !diags.errors) {
        pages = layout_document(doc, s, &res, &diags);
    }
    if (pages)
        layout_add_print_pages(pages, doc, s, &res, &diags);
    colour_converter *cc = colour_converter_open(PROFILE, &diags);
    if (!pages || !cc || diags.errors) {
        diag_print(&diags);
        fprintf(stderr, "preflight: cannot lay out the test leaflet\n");
        exit(2);
    }
    const char *date = "2020-02-01T00:00:00Z";
    render_options ro = {.date = date, .bleed = s->print_bleed};

    /* print */
    pdf_file *p = &prints[print_count++];
    memset(p, 0, sizeof *p);
    p->name = xstrdup("(made here) proef-drukproef print PDF");
    p->raw = xcalloc(1, sizeof *p->raw);
    p->print_info = xcalloc(1, sizeof *p->print_info);
    *p->print_info = (pdf_print_info){.title = "Proefdruk", .author = "Testuitgever",
                                      .subject = "Een proef voor de drukker.",
                                      .keywords = "proef, druk", .lang = "nl-NL", .date = date,
                                      .profile_path = PROFILE};
    if (!render_print_pdf(pages, &ro, p->raw, &diags) ||
        !pdf_finish_print(p->raw, p->print_info, "proef-print.pdf", &p->data, &p->length, &diags)) {
        diag_print(&diags);
        fprintf(stderr, "preflight: cannot make the print PDF\n");
        exit(2);
    }
    p->raw_text_bytes = text_bytes_of(p->raw->pdf, p->raw->length);
    add_style_colours(p, s, cc);

    /* screen */
    pdf_file *w = &screens[screen_count++];
    memset(w, 0, sizeof *w);
    w->name = xstrdup("(made here) proef-drukproef screen PDF");
    rendered screen;
    pdf_finish_info info = {.title = "Proefdruk", .author = "Testuitgever", .lang = "nl-NL",
                            .date = date};
    if (!render_screen_pdf(pages, &ro, &screen, &diags)) {
        diag_print(&diags);
        exit(2);
    }
    info.figure_alts = screen.figure_alts, info.figure_count = screen.figure_count;
    info.link_uris = screen.link_uris, info.link_texts = screen.link_texts;
    info.link_count = screen.link_count;
    if (!pdf_finish(screen.pdf, screen.length, &info, "proef.pdf", &w->data, &w->length, &diags)) {
        diag_print(&diags);
        exit(2);
    }
    rendered_free(&screen);
    diag_free(&diags);

    colour_converter_free(cc);
    /* the rendered PDF's alt texts borrow from the layout: kept to the end */
    made.pages = pages, made.style = s, made.doc = doc, made.res = res;
}

static void free_made(void)
{
    layout_free(made.pages);
    style_free(made.style);
    doc_free(made.doc);
    hyphen_cache_free(made.res.hyphens);
    g_object_unref(made.res.fonts);
}

static void load_dir(const char *pattern, pdf_file *list, size_t *count, size_t max)
{
    glob_t found = {0};
    if (glob(pattern, 0, NULL, &found) == 0)
        for (size_t i = 0; i < found.gl_pathc && *count < max; i++) {
            pdf_file *f = &list[*count];
            memset(f, 0, sizeof *f);
            f->data = (unsigned char *)read_file(found.gl_pathv[i], &f->length);
            if (!f->data)
                continue;
            f->name = xstrdup(found.gl_pathv[i]);
            (*count)++;
        }
    globfree(&found);
}

static void remove_work(void)
{
    const char *names[] = {"lever.png", "schema.svg", "vlak.png", "proef.md", "styles/house.yaml",
                           "styles/drukproef.yaml", "styles", NULL};
    char path[256];
    for (size_t i = 0; names[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", work, names[i]);
        (void)remove(path);
    }
    (void)rmdir(work);
}

#define MAX_PDFS 64

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "--output") == 0 || strcmp(argv[i], "-o") == 0) && i + 1 < argc)
            output_dir = argv[++i];
        else {
            fprintf(stderr, "usage: preflight --output DIR   (run from the repository root)\n");
            return 2;
        }
    }
    if (!output_dir) {
        fprintf(stderr, "usage: preflight --output DIR   (run from the repository root)\n");
        return 2;
    }
    prints = xcalloc(MAX_PDFS, sizeof *prints);
    screens = xcalloc(MAX_PDFS, sizeof *screens);
    make_pdfs();
    size_t made_prints = print_count;
    char pattern[4096];
    snprintf(pattern, sizeof pattern, "%s/print/*.pdf", output_dir);
    load_dir(pattern, prints, &print_count, MAX_PDFS);
    snprintf(pattern, sizeof pattern, "%s/*.pdf", output_dir);
    load_dir(pattern, screens, &screen_count, MAX_PDFS);
    /* the built print PDFs: text may be in any style's colours */
    if (print_count > made_prints) {
        diag_list diags;
        diag_init(&diags);
        colour_converter *cc = colour_converter_open(PROFILE, &diags);
        glob_t found = {0};
        if (cc && glob("styles/*.yaml", 0, NULL, &found) == 0)
            for (size_t i = 0; i < found.gl_pathc; i++) {
                const char *base = strrchr(found.gl_pathv[i], '/') + 1;
                char name[256];
                snprintf(name, sizeof name, "%.*s", (int)(strlen(base) - 5), base);
                style *s = style_load("styles", name, &diags);
                for (size_t k = made_prints; s && k < print_count; k++)
                    add_style_colours(&prints[k], s, cc);
                style_free(s);
            }
        globfree(&found);
        colour_converter_free(cc);
        diag_free(&diags);
    }
    printf("preflight: %zu print PDF%s, %zu screen PDF%s\n", print_count,
           print_count == 1 ? "" : "s", screen_count, screen_count == 1 ? "" : "s");

    size_t defect_count = sizeof defects / sizeof defects[0];
    size_t total = print_count + screen_count + 2 + defect_count;
    struct CMUnitTest *tests = xcalloc(total, sizeof *tests);
    char **names = xcalloc(total, sizeof *names);
    size_t n = 0;
    for (size_t i = 0; i < print_count; i++, n++) {
        strbuf b = {0};
        strbuf_printf(&b, "PDF/X-4 %s", prints[i].name);
        names[n] = strbuf_take(&b);
        tests[n] = (struct CMUnitTest){names[n], test_print_pdf, NULL, NULL, &prints[i]};
    }
    for (size_t i = 0; i < screen_count; i++, n++) {
        strbuf b = {0};
        strbuf_printf(&b, "PDF/A-2a %s", screens[i].name);
        names[n] = strbuf_take(&b);
        tests[n] = (struct CMUnitTest){names[n], test_screen_pdf, NULL, NULL, &screens[i]};
    }
    names[n] = xstrdup("print finishing is deterministic and keeps all text");
    tests[n] = (struct CMUnitTest){names[n], test_print_deterministic_and_complete, NULL, NULL, NULL};
    n++;
    names[n] = xstrdup("print colours: brand CMYK exact, images ICC-based, masks gray");
    tests[n] = (struct CMUnitTest){names[n], test_print_colours_and_images, NULL, NULL, NULL};
    n++;
    for (size_t i = 0; i < defect_count; i++, n++) {
        strbuf b = {0};
        strbuf_printf(&b, "defect caught: %s", defects[i].name);
        names[n] = strbuf_take(&b);
        tests[n] = (struct CMUnitTest){names[n], test_defect, NULL, NULL, (void *)&defects[i]};
    }
    int failed = _cmocka_run_group_tests("preflight", tests, n, NULL, NULL);

    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(tests);
    for (size_t i = 0; i < print_count; i++) {
        free(prints[i].name);
        free(prints[i].data);
        free(prints[i].text_colours);
        if (prints[i].raw)
            rendered_free(prints[i].raw);
        free(prints[i].raw);
        free(prints[i].print_info);
    }
    for (size_t i = 0; i < screen_count; i++) {
        free(screens[i].name);
        free(screens[i].data);
    }
    free(prints);
    free(screens);
    free_made();
    remove_work();
    return failed ? 1 : 0;
}
