/* pdf_finish: a tagged PDF made here with cairo, finished, then read back
 * with qpdf's C API; the PDF/UA rules finishing is responsible for (fonts,
 * marked content, annotations, span languages), each also shown to fail
 * on a PDF with its defect; colour conversion and recolouring for print. */
#if !defined(_XOPEN_SOURCE) && !defined(_GNU_SOURCE)
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw (scratch_dir.h) */
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <qpdf/qpdf-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scratch_dir.h"
#include "colour_convert.h"
#include "diag.h"
#include "pdf_finish.h"
#include "pdf_marking.h"
#include "pdf_xref.h"
#include "textutil.h"

#include "pdf_content.h"
#include "pdf_ua_checks.h"

#if __has_include(<poppler.h>) /* with pkg-config poppler-glib's flags */
#include <poppler.h>
#define HAVE_POPPLER 1
#endif

/* Finishes a PDF into a file: what build does through outputs.c, without
 * its all-or-nothing commit, which has tests of its own (outputs.sh). */
static bool pdf_finish_write(const unsigned char *pdf, size_t length, const pdf_finish_info *info,
                             const char *out_path, diag_list *diags)
{
    unsigned char *out = NULL;
    size_t out_length = 0;
    bool ok = pdf_finish(pdf, length, info, out_path, &out, &out_length, diags);
    if (ok) {
        FILE *file = fopen(out_path, "wb");
        ok = file && fwrite(out, 1, out_length, file) == out_length;
        ok = (file && fclose(file) == 0) && ok;
        if (!ok)
            diag_report(diags, SEVERITY_ERROR, out_path, 0, 0, "cannot write the PDF");
    }
    free(out);
    return ok;
}

/* ---- making the input ------------------------------------------------- */

static cairo_status_t to_strbuf(void *closure, const unsigned char *data, unsigned int length)
{
    strbuf_append(closure, (const char *)data, length);
    return CAIRO_STATUS_SUCCESS;
}

static void text_at(cairo_t *cr, double x, double y, const char *text)
{
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, text);
}

static void tagged_link(cairo_t *cr, const char *attributes, double y, const char *text)
{
    cairo_tag_begin(cr, "P", NULL);
    cairo_tag_begin(cr, CAIRO_TAG_LINK, attributes);
    text_at(cr, 72, y, text);
    cairo_tag_end(cr, CAIRO_TAG_LINK);
    cairo_tag_end(cr, "P");
}

/* Two pages: page 1 has text, a figure, four links (tel, mailto, https and
 * one to a destination on page 2) and an artifact; page 2 has text and a
 * second figure, and no links. `creation_date` stands in for cairo's clock. */
static unsigned char *make_pdf(size_t *length, const char *creation_date)
{
    strbuf out = {0};
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(to_strbuf, &out, 595, 842);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, creation_date);
    cairo_t *cr = cairo_create(surface);
    cairo_set_font_size(cr, 12);

    cairo_tag_begin(cr, "Document", NULL);
    cairo_tag_begin(cr, "P", NULL);
    text_at(cr, 72, 72, "Koorts bij kinderen");
    cairo_tag_end(cr, "P");
    cairo_tag_begin(cr, "Figure", NULL);
    cairo_rectangle(cr, 72, 90, 40, 40);
    cairo_fill(cr);
    text_at(cr, 72, 150, "thermometer");
    cairo_tag_end(cr, "Figure");
    tagged_link(cr, "uri='tel:+31204444444'", 200, "020 444 44 44");
    tagged_link(cr, "uri='mailto:info@example.nl'", 220, "info@example.nl");
    tagged_link(cr, "uri='https://www.example.nl/koorts'", 240, "www.example.nl/koorts");
    tagged_link(cr, "dest='page2'", 260, "Zie pagina 2");
    cairo_tag_begin(cr, "Artifact", NULL);
    text_at(cr, 72, 800, "1");
    cairo_tag_end(cr, "Artifact");
    cairo_show_page(cr);

    cairo_tag_begin(cr, CAIRO_TAG_DEST, "name='page2'");
    cairo_tag_begin(cr, "P", NULL);
    text_at(cr, 72, 72, "Pagina twee");
    cairo_tag_end(cr, "P");
    cairo_tag_end(cr, CAIRO_TAG_DEST);
    cairo_tag_begin(cr, "Figure", NULL);
    text_at(cr, 72, 120, "grafiek");
    cairo_tag_end(cr, "Figure");
    cairo_tag_end(cr, "Document");

    cairo_destroy(cr);
    cairo_surface_finish(surface);
    assert_int_equal(cairo_surface_status(surface), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(surface);
    *length = out.length;
    return (unsigned char *)strbuf_take(&out);
}

static const char *const alts[] = {"Een thermometer", "Grafiek: koorts & tijd <°C>"};

static pdf_finish_info dutch_info(void)
{
    return (pdf_finish_info){
        .title = "Koorts — wat doe je? <A&B>",
        .author = "Team Kinderzorg",
        .subject = "Wat te doen bij koorts",
        .keywords = "koorts, kinderen",
        .lang = "nl-NL",
        .date = "2017-05-01T00:00:00Z",
        .figure_alts = alts,
        .figure_count = 2,
    };
}

/* ---- fixtures --------------------------------------------------------- */

typedef struct fixture {
    char dir[512];
    unsigned char *pdf;
    size_t length;
    diag_list diags;
} fixture;

static int setup(void **state)
{
    fixture *f = xcalloc(1, sizeof *f);
    if (!scratch_make(f->dir, sizeof f->dir, "pdf_finish"))
        return -1;
    f->pdf = make_pdf(&f->length, "2001-01-01T00:00:00Z");
    diag_init(&f->diags);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    scratch_remove(f->dir);
    free(f->pdf);
    diag_free(&f->diags);
    free(f);
    return 0;
}

static char *path_in(const fixture *f, const char *name)
{
    strbuf b = {0};
    strbuf_printf(&b, "%s/%s", f->dir, name);
    return strbuf_take(&b);
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static bool has_error_for(const diag_list *diags, const char *file)
{
    for (size_t i = 0; i < diags->count; i++)
        if (diags->items[i].level == SEVERITY_ERROR && diags->items[i].file &&
            strcmp(diags->items[i].file, file) == 0)
            return true;
    return false;
}

/* ---- reading the output back ------------------------------------------ */

static qpdf_data open_pdf(const char *path)
{
    qpdf_data q = qpdf_init();
    qpdf_silence_errors(q);
    qpdf_set_suppress_warnings(q, QPDF_TRUE);
    assert_int_equal(qpdf_read(q, path, NULL), QPDF_SUCCESS);
    return q;
}

static qpdf_oh get(qpdf_data q, qpdf_oh oh, const char *key)
{
    return qpdf_oh_get_key_if_dict(q, oh, key);
}

static void assert_text(qpdf_data q, qpdf_oh oh, const char *expected)
{
    assert_true(qpdf_oh_is_string(q, oh));
    assert_string_equal(qpdf_oh_get_utf8_value(q, oh), expected);
}

static char *stream_text(qpdf_data q, qpdf_oh stream)
{
    unsigned char *data = NULL;
    size_t length = 0;
    QPDF_BOOL filtered = QPDF_FALSE;
    assert_true(qpdf_oh_is_stream(q, stream));
    assert_int_equal(qpdf_oh_get_stream_data(q, stream, qpdf_dl_all, &filtered, &data, &length),
                     QPDF_SUCCESS);
    char *text = xstrndup((const char *)data, length);
    free(data);
    return text;
}

static void collect_figures(qpdf_data q, qpdf_oh node, strbuf *alts_seen, int depth)
{
    assert_true(depth < 64);
    if (qpdf_oh_is_array(q, node)) {
        int n = qpdf_oh_get_array_n_items(q, node);
        for (int i = 0; i < n; i++)
            collect_figures(q, qpdf_oh_get_array_item(q, node, i), alts_seen, depth + 1);
        return;
    }
    if (!qpdf_oh_is_dictionary(q, node) || qpdf_oh_has_key(q, node, "/Obj") ||
        qpdf_oh_has_key(q, node, "/MCID"))
        return;
    if (qpdf_oh_is_name_and_equals(q, get(q, node, "/S"), "/Figure")) {
        qpdf_oh alt = get(q, node, "/Alt");
        strbuf_printf(alts_seen, "[%s]",
                      qpdf_oh_is_string(q, alt) ? qpdf_oh_get_utf8_value(q, alt) : "(none)");
    }
    collect_figures(q, get(q, node, "/K"), alts_seen, depth + 1);
}

/* Link annotations' /Contents on page `index`, as "[a][b]". */
static char *link_contents(qpdf_data q, size_t index)
{
    strbuf b = {0};
    qpdf_oh annots = get(q, qpdf_get_page_n(q, index), "/Annots");
    int n = qpdf_oh_is_array(q, annots) ? qpdf_oh_get_array_n_items(q, annots) : 0;
    for (int i = 0; i < n; i++) {
        qpdf_oh annot = qpdf_oh_get_array_item(q, annots, i);
        if (!qpdf_oh_is_name_and_equals(q, get(q, annot, "/Subtype"), "/Link"))
            continue;
        qpdf_oh contents = get(q, annot, "/Contents");
        strbuf_printf(&b, "[%s]",
                      qpdf_oh_is_string(q, contents) ? qpdf_oh_get_utf8_value(q, contents)
                                                     : "(none)");
        /* Printable, and cairo's /StructParent kept. */
        assert_int_equal(qpdf_oh_get_int_value(q, get(q, annot, "/F")) & 4, 4);
        assert_true(qpdf_oh_is_integer(q, get(q, annot, "/StructParent")));
    }
    return strbuf_take(&b);
}

static bool finish(fixture *f, const pdf_finish_info *info, const char *path)
{
    return pdf_finish_write(f->pdf, f->length, info, path, &f->diags);
}

/* ---- tests ------------------------------------------------------------ */

static void test_catalog_and_metadata(void **state)
{
    fixture *f = *state;
    pdf_finish_info info = dutch_info();
    char *out = path_in(f, "out.pdf");
    assert_true(finish(f, &info, out));
    assert_int_equal(f->diags.errors, 0);

    qpdf_data q = open_pdf(out);
    qpdf_oh root = qpdf_get_root(q);
    assert_text(q, get(q, root, "/Lang"), "nl-NL");
    qpdf_oh display = get(q, get(q, root, "/ViewerPreferences"), "/DisplayDocTitle");
    assert_true(qpdf_oh_is_bool(q, display) && qpdf_oh_get_bool_value(q, display));
    qpdf_oh marked = get(q, get(q, root, "/MarkInfo"), "/Marked");
    assert_true(qpdf_oh_is_bool(q, marked) && qpdf_oh_get_bool_value(q, marked));

    qpdf_oh metadata = get(q, root, "/Metadata");
    qpdf_oh dict = qpdf_oh_get_dict(q, metadata);
    assert_true(qpdf_oh_is_name_and_equals(q, get(q, dict, "/Type"), "/Metadata"));
    assert_true(qpdf_oh_is_name_and_equals(q, get(q, dict, "/Subtype"), "/XML"));
    assert_false(qpdf_oh_has_key(q, dict, "/Filter"));
    char *xmp = stream_text(q, metadata);
    assert_non_null(strstr(xmp, "<pdfuaid:part>1</pdfuaid:part>"));
    assert_non_null(strstr(xmp, "xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\""));
    assert_non_null(strstr(xmp, "<rdf:li xml:lang=\"x-default\">Koorts — wat doe je? "
                                "&lt;A&amp;B&gt;</rdf:li>"));
    assert_null(strstr(xmp, "<A&B>"));
    assert_non_null(strstr(xmp, "<dc:creator><rdf:Seq><rdf:li>Team Kinderzorg</rdf:li>"));
    assert_non_null(strstr(xmp, "Wat te doen bij koorts</rdf:li>"));
    assert_non_null(strstr(xmp, "<pdf:Keywords>koorts, kinderen</pdf:Keywords>"));
    assert_non_null(strstr(xmp, "<xmp:CreateDate>2017-05-01T00:00:00Z</xmp:CreateDate>"));
    assert_non_null(strstr(xmp, "<xmp:ModifyDate>2017-05-01T00:00:00Z</xmp:ModifyDate>"));
    assert_non_null(strstr(xmp, "<xmp:MetadataDate>2017-05-01T00:00:00Z</xmp:MetadataDate>"));
    assert_non_null(strstr(xmp, "<dc:language><rdf:Bag><rdf:li>nl-NL</rdf:li>"));
    assert_non_null(strstr(xmp, "<dc:format>application/pdf</dc:format>"));
    assert_non_null(strstr(xmp, "<pdf:Producer>leafpress"));
    assert_null(strstr(xmp, "InstanceID"));
    free(xmp);

    qpdf_oh info_dict = get(q, qpdf_get_trailer(q), "/Info");
    assert_text(q, get(q, info_dict, "/Title"), info.title);
    assert_text(q, get(q, info_dict, "/Author"), "Team Kinderzorg");
    assert_text(q, get(q, info_dict, "/Subject"), "Wat te doen bij koorts");
    assert_text(q, get(q, info_dict, "/Keywords"), "koorts, kinderen");
    assert_text(q, get(q, info_dict, "/CreationDate"), "D:20170501000000Z");
    assert_text(q, get(q, info_dict, "/ModDate"), "D:20170501000000Z");
    assert_non_null(strstr(qpdf_oh_get_utf8_value(q, get(q, info_dict, "/Producer")),
                           "leafpress"));
    assert_non_null(strstr(qpdf_oh_get_utf8_value(q, get(q, info_dict, "/Creator")),
                           "leafpress"));
    /* "—" is not in PDFDocEncoding: the title must be UTF-16BE with a BOM. */
    size_t raw_length = 0;
    const char *raw =
        qpdf_oh_get_binary_string_value(q, get(q, info_dict, "/Title"), &raw_length);
    assert_true(raw_length > 2 && (unsigned char)raw[0] == 0xFE && (unsigned char)raw[1] == 0xFF);

    /* The file passes qpdf's own check without a warning. */
    assert_int_equal(qpdf_check_pdf(q), QPDF_SUCCESS);
    qpdf_cleanup(&q);

    /* The XMP is stored uncompressed, so tools that scan the bytes find it. */
    size_t length = 0;
    char *bytes = read_file(out, &length);
    assert_non_null(bytes);
    bool found = false;
    const char *needle = "<pdfuaid:part>1</pdfuaid:part>";
    for (size_t i = 0; !found && i + strlen(needle) <= length; i++)
        found = memcmp(bytes + i, needle, strlen(needle)) == 0;
    assert_true(found);
    free(bytes);
    /* No temporary file is left beside the output. */
    assert_int_equal(count_entries(f->dir), 1);
    free(out);
}

static void test_pages_links_and_figures(void **state)
{
    fixture *f = *state;
    pdf_finish_info info = dutch_info();
    char *out = path_in(f, "out.pdf");
    assert_true(finish(f, &info, out));
    assert_int_equal(f->diags.count, 0); /* no warnings either: two figures, two alts */

    qpdf_data q = open_pdf(out);
    assert_int_equal(qpdf_get_num_pages(q), 2);
    qpdf_oh page1 = qpdf_get_page_n(q, 0), page2 = qpdf_get_page_n(q, 1);
    assert_true(qpdf_oh_is_name_and_equals(q, get(q, page1, "/Tabs"), "/S"));
    assert_false(qpdf_oh_has_key(q, page2, "/Annots"));
    assert_false(qpdf_oh_has_key(q, page2, "/Tabs"));

    char *contents = link_contents(q, 0);
    assert_string_equal(contents, "[Bel +31204444444][E-mail naar info@example.nl]"
                                  "[Website www.example.nl/koorts][Ga naar pagina 2]");
    free(contents);

    strbuf seen = {0};
    collect_figures(q, get(q, get(q, qpdf_get_root(q), "/StructTreeRoot"), "/K"), &seen, 0);
    char *figures = strbuf_take(&seen);
    assert_string_equal(figures, "[Een thermometer][Grafiek: koorts & tijd <°C>]");
    free(figures);
    qpdf_cleanup(&q);
    free(out);
}

static void test_english_and_missing_alt(void **state)
{
    fixture *f = *state;
    pdf_finish_info info = dutch_info();
    info.lang = "en-GB";
    info.figure_count = 1; /* the second figure has none */
    char *out = path_in(f, "en.pdf");
    assert_true(finish(f, &info, out));
    assert_int_equal(f->diags.errors, 0);
    size_t warnings = 0;
    for (size_t i = 0; i < f->diags.count; i++)
        warnings += f->diags.items[i].level == SEVERITY_WARNING;
    assert_true(warnings >= 1);

    qpdf_data q = open_pdf(out);
    char *contents = link_contents(q, 0);
    assert_string_equal(contents, "[Call +31204444444][Email info@example.nl]"
                                  "[Website www.example.nl/koorts][Go to page 2]");
    free(contents);
    strbuf seen = {0};
    collect_figures(q, get(q, get(q, qpdf_get_root(q), "/StructTreeRoot"), "/K"), &seen, 0);
    char *figures = strbuf_take(&seen);
    assert_string_equal(figures, "[Een thermometer][(none)]");
    free(figures);
    qpdf_cleanup(&q);
    free(out);
}

static void test_deterministic(void **state)
{
    fixture *f = *state;
    pdf_finish_info info = dutch_info();
    char *a = path_in(f, "a.pdf"), *b = path_in(f, "b.pdf"), *c = path_in(f, "c.pdf");
    assert_true(finish(f, &info, a));
    assert_true(finish(f, &info, b));

    /* Cairo's output as it would be at another time: another CreationDate
     * (and so another /ID) in the input must not reach the output. */
    size_t other_length = 0;
    unsigned char *other = make_pdf(&other_length, "2024-12-31T23:59:59Z");
    assert_false(other_length == f->length && memcmp(other, f->pdf, f->length) == 0);
    assert_true(pdf_finish_write(other, other_length, &info, c, &f->diags));
    free(other);

    size_t la = 0, lb = 0, lc = 0;
    char *da = read_file(a, &la), *db = read_file(b, &lb), *dc = read_file(c, &lc);
    assert_non_null(da);
    assert_non_null(db);
    assert_non_null(dc);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, la);
    assert_int_equal(la, lc);
    assert_memory_equal(da, dc, la);
    free(da);
    free(db);
    free(dc);
    free(a);
    free(b);
    free(c);
}

static void test_replaces_existing_file(void **state)
{
    fixture *f = *state;
    pdf_finish_info info = dutch_info();
    char *out = path_in(f, "out.pdf");
    FILE *old = fopen(out, "w");
    assert_non_null(old);
    fputs("old contents", old);
    fclose(old);
    assert_true(finish(f, &info, out));
    size_t length = 0;
    char *bytes = read_file(out, &length);
    assert_non_null(bytes);
    assert_true(length > 1000 && memcmp(bytes, "%PDF-", 5) == 0);
    free(bytes);
    assert_int_equal(count_entries(f->dir), 1);
    free(out);
}

static void test_missing_directory(void **state)
{
    fixture *f = *state;
    pdf_finish_info info = dutch_info();
    char *missing = path_in(f, "no-such-dir");
    char *out = path_in(f, "no-such-dir/out.pdf");
    assert_false(finish(f, &info, out));
    assert_true(has_error_for(&f->diags, out));
    struct stat st;
    assert_int_equal(stat(missing, &st), -1);
    assert_int_equal(count_entries(f->dir), 0);
    free(missing);
    free(out);
}

static void test_garbage_keeps_existing_file(void **state)
{
    fixture *f = *state;
    pdf_finish_info info = dutch_info();
    char *out = path_in(f, "out.pdf");
    assert_true(finish(f, &info, out));
    size_t before_length = 0;
    char *before = read_file(out, &before_length);
    assert_non_null(before);

    /* qpdf must not print anything: its errors become diagnostics. */
    char *err_path = path_in(f, "stderr.txt");
    fflush(stderr);
    int saved = dup(2);
    int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && err >= 0);
    dup2(err, 2);
    close(err);
    static const unsigned char garbage[] = "this is not a PDF at all\n%%EOF\n";
    bool ok = pdf_finish_write(garbage, sizeof garbage - 1, &info, out, &f->diags);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    assert_false(ok);
    assert_true(has_error_for(&f->diags, out));

    size_t err_length = 1;
    char *err_text = read_file(err_path, &err_length);
    assert_non_null(err_text);
    assert_int_equal(err_length, 0);
    free(err_text);
    unlink(err_path);
    free(err_path);

    size_t after_length = 0;
    char *after = read_file(out, &after_length);
    assert_non_null(after);
    assert_int_equal(before_length, after_length);
    assert_memory_equal(before, after, before_length);
    free(before);
    free(after);
    assert_int_equal(count_entries(f->dir), 1);
    free(out);
}

static void test_bad_date_writes_nothing(void **state)
{
    fixture *f = *state;
    pdf_finish_info info = dutch_info();
    info.date = "1 mei 2017";
    char *out = path_in(f, "out.pdf");
    assert_false(finish(f, &info, out));
    assert_true(has_error_for(&f->diags, out));
    assert_int_equal(count_entries(f->dir), 0);
    free(out);
}

static void test_date_forms(void **state)
{
    fixture *f = *state;
    static const struct { const char *iso, *pdf; } cases[] = {
        {"2017-05-01", "D:20170501"},
        {"2017-05-01T09:30+02:00", "D:20170501093000+02'00'"},
        {"2017-05-01T09:30:15.25-05:30", "D:20170501093015-05'30'"},
        {"2017-05-01T09:30:15", "D:20170501093015"},
    };
    char *out = path_in(f, "date.pdf");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pdf_finish_info info = dutch_info();
        info.date = cases[i].iso;
        assert_true(finish(f, &info, out));
        qpdf_data q = open_pdf(out);
        assert_text(q, get(q, get(q, qpdf_get_trailer(q), "/Info"), "/CreationDate"),
                    cases[i].pdf);
        qpdf_cleanup(&q);
    }
    static const char *const bad[] = {"2017-13-01", "2017-02-30", "2017-05-01T25:00Z",
                                      "2017-05-01T10:00Zjunk", "17-05-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pdf_finish_info info = dutch_info();
        info.date = bad[i];
        size_t errors = f->diags.errors;
        assert_false(finish(f, &info, out));
        assert_int_equal(f->diags.errors, errors + 1);
    }
    free(out);
}

/* A minimal PDF with a given trailer /ID and no structure tree (qpdf
 * rebuilds the missing xref table). */
static char *tiny_pdf(const char *id)
{
    strbuf b = {0};
    strbuf_printf(&b, "%%PDF-1.7\n"
                      "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                      "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
                      "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >> endobj\n"
                      "trailer << /Root 1 0 R /Size 4 /ID [<%s> <%s>] >>\n%%%%EOF\n",
                  id, id);
    return strbuf_take(&b);
}

/* qpdf keeps the first half of an input /ID; the output must not. */
static void test_input_id_ignored(void **state)
{
    fixture *f = *state;
    pdf_finish_info info = dutch_info();
    char *a = path_in(f, "a.pdf"), *b = path_in(f, "b.pdf");
    char *one = tiny_pdf("0123456789abcdef0123456789abcdef");
    char *two = tiny_pdf("fedcba9876543210fedcba9876543210");
    assert_true(pdf_finish_write((unsigned char *)one, strlen(one), &info, a, &f->diags));
    assert_true(pdf_finish_write((unsigned char *)two, strlen(two), &info, b, &f->diags));
    /* No structure tree and no figures: warnings, not errors. */
    assert_int_equal(f->diags.errors, 0);
    assert_true(f->diags.count >= 2);
    size_t la = 0, lb = 0;
    char *da = read_file(a, &la), *db = read_file(b, &lb);
    assert_non_null(da);
    assert_non_null(db);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, la);
    free(da);
    free(db);
    free(one);
    free(two);
    free(a);
    free(b);
}


/* ---- marking unmarked content ----------------------------------------- */

/* An independent, simple reading of a content stream for the checks below:
 * strings (nested, escaped), hex strings, dictionaries, arrays, names,
 * comments; no inline images (cairo writes none in page content). Each
 * operator is checked against the innermost marked-content tag, and no
 * BMC/BDC may come inside a path object. */
typedef struct seen_content {
    int unmarked;          /* painting operators at depth 0 */
    int fills_not_artifact;
    int artifact_fills;    /* f / S inside /Artifact */
    int figure_dos, artifact_dos, texts;
    strbuf mcids;          /* "Tag:MCID " for each BDC, in order */
    long figure_mcids[8];
    int figure_mcid_count;
} seen_content;

static bool is_op(const char *word, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(word, *list) == 0)
            return true;
    return false;
}

static void scan_content(const char *s, size_t n, seen_content *seen)
{
    static const char *const paints[] = {"f", "F", "f*", "B", "B*", "b", "b*", "S", "s",
                                         "sh", "Do", "Tj", "TJ", "'", "\"", NULL};
    char tags[32][32];
    long tag_mcid[32];
    int depth = 0;
    bool in_path = false;
    char operands[8][64];
    int count = 0;
    memset(seen, 0, sizeof *seen);
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (strchr(" \t\r\n\f", c) || c == '\0') {
            i++;
            continue;
        }
        if (c == '%') {
            while (i < n && s[i] != '\n' && s[i] != '\r')
                i++;
            continue;
        }
        size_t start = i;
        bool operand = true;
        if (c == '(') {
            int nest = 0;
            for (; i < n; i++) {
                if (s[i] == '\\')
                    i++;
                else if (s[i] == '(')
                    nest++;
                else if (s[i] == ')' && --nest == 0)
                    break;
            }
            assert_true(i < n);
            i++;
        } else if ((c == '<' || c == '>') && i + 1 < n && s[i + 1] == c) {
            i += 2;
        } else if (c == '<') {
            i = (size_t)((const char *)memchr(s + i, '>', n - i) - s) + 1;
        } else if (c == '[' || c == ']') {
            i++;
        } else {
            i++;
            while (i < n && !strchr(" \t\r\n\f()<>[]{}/%", s[i]) && s[i] != '\0')
                i++;
            operand = c == '/' || c == '-' || c == '.' || (c >= '0' && c <= '9');
        }
        char word[64];
        snprintf(word, sizeof word, "%.*s", (int)(i - start), s + start);
        if (operand) {
            if (count < 8)
                strcpy(operands[count++], word);
            continue;
        }
        static const char *const path_ops[] = {"m", "l", "c", "v", "y", "h", "re", "W", "W*",
                                               NULL};
        if (is_op(word, path_ops))
            in_path = true;
        else if (is_op(word, paints) || strcmp(word, "n") == 0)
            in_path = false;
        if (strcmp(word, "BMC") == 0 || strcmp(word, "BDC") == 0) {
            assert_false(in_path); /* marked content must not split a path object */
            assert_true(depth < 32);
            strcpy(tags[depth], operands[0]);
            tag_mcid[depth] = -1;
            for (int k = 1; k + 1 < count; k++)
                if (strcmp(operands[k], "/MCID") == 0)
                    tag_mcid[depth] = atol(operands[k + 1]);
            if (tag_mcid[depth] >= 0)
                strbuf_printf(&seen->mcids, "%s:%ld ", tags[depth], tag_mcid[depth]);
            depth++;
        } else if (strcmp(word, "EMC") == 0) {
            assert_true(depth > 0);
            depth--;
        } else if (is_op(word, paints)) {
            const char *tag = depth ? tags[depth - 1] : "";
            if (depth == 0)
                seen->unmarked++;
            bool fill = strcmp(word, "f") == 0 || strcmp(word, "S") == 0;
            if (fill && strcmp(tag, "/Artifact") == 0)
                seen->artifact_fills++;
            else if (fill)
                seen->fills_not_artifact++;
            if (strcmp(word, "Do") == 0 && strcmp(tag, "/Figure") == 0) {
                seen->figure_dos++;
                assert_true(seen->figure_mcid_count < 8);
                seen->figure_mcids[seen->figure_mcid_count++] = tag_mcid[depth - 1];
            } else if (strcmp(word, "Do") == 0 && strcmp(tag, "/Artifact") == 0) {
                seen->artifact_dos++;
            } else if (strcmp(word, "Tj") == 0 || strcmp(word, "TJ") == 0) {
                seen->texts++;
            }
        }
        count = 0;
    }
    assert_int_equal(depth, 0);
}

static char *page_content(qpdf_data q, size_t index, size_t *length)
{
    unsigned char *data = NULL;
    assert_false(qpdf_oh_get_page_content_data(q, qpdf_get_page_n(q, index), &data, length) &
                 QPDF_ERRORS);
    return (char *)data;
}

static void fill_image(cairo_surface_t *image, double r, double g, double b)
{
    cairo_t *cr = cairo_create(image);
    cairo_set_source_rgb(cr, r, g, b);
    cairo_paint(cr);
    cairo_destroy(cr);
}

static void draw_image(cairo_t *cr, cairo_surface_t *image, double x, double y, double scale)
{
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, scale, scale);
    cairo_set_source_surface(cr, image, 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
}

/* As leafpress's renderer draws: colour band and rules in Artifact tags at
 * the top level, a link underline in an Artifact inside a Link, images
 * alone in Figure tags. Page 1: band, text, link, figure; page 2: figure,
 * rule; page 3: text, a decorative image (Artifact) and a rule. */
static unsigned char *make_marking_pdf(size_t *length)
{
    strbuf out = {0};
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(to_strbuf, &out, 595, 842);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE,
                                   "2001-01-01T00:00:00Z");
    cairo_surface_t *red = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 8, 8);
    cairo_surface_t *blue = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 6, 4);
    fill_image(red, 0.8, 0.1, 0.1);
    fill_image(blue, 0.1, 0.2, 0.9);
    cairo_t *cr = cairo_create(surface);
    cairo_set_font_size(cr, 12);

    cairo_tag_begin(cr, "Document", NULL);
    cairo_tag_begin(cr, "Artifact", NULL);
    cairo_set_source_rgb(cr, 0.9, 0.5, 0.1);
    cairo_rectangle(cr, 0, 0, 595, 40);
    cairo_fill(cr);
    cairo_tag_end(cr, "Artifact");
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_tag_begin(cr, "P", NULL);
    text_at(cr, 72, 72, "Koorts (38 \\ re f) bij kinderen");
    cairo_tag_end(cr, "P");
    cairo_tag_begin(cr, "P", NULL);
    cairo_tag_begin(cr, CAIRO_TAG_LINK, "uri='https://www.example.nl/'");
    text_at(cr, 72, 100, "www.example.nl");
    cairo_tag_begin(cr, "Artifact", NULL);
    cairo_rectangle(cr, 72, 102, 90, 1);
    cairo_fill(cr);
    cairo_tag_end(cr, "Artifact");
    cairo_tag_end(cr, CAIRO_TAG_LINK);
    cairo_tag_end(cr, "P");
    cairo_tag_begin(cr, "Figure", NULL);
    draw_image(cr, red, 72, 120, 10);
    cairo_tag_end(cr, "Figure");
    cairo_show_page(cr);

    cairo_tag_begin(cr, "Figure", NULL);
    draw_image(cr, blue, 72, 72, 20);
    cairo_tag_end(cr, "Figure");
    cairo_tag_begin(cr, "Artifact", NULL);
    cairo_move_to(cr, 72, 300);
    cairo_line_to(cr, 523, 300);
    cairo_stroke(cr);
    cairo_tag_end(cr, "Artifact");
    cairo_show_page(cr);

    cairo_tag_begin(cr, "P", NULL);
    text_at(cr, 72, 72, "Pagina drie");
    cairo_tag_end(cr, "P");
    cairo_tag_begin(cr, "Artifact", NULL);
    draw_image(cr, red, 500, 780, 4);
    cairo_move_to(cr, 72, 800);
    cairo_line_to(cr, 523, 800);
    cairo_stroke(cr);
    cairo_tag_end(cr, "Artifact");
    cairo_tag_end(cr, "Document");

    cairo_destroy(cr);
    cairo_surface_finish(surface);
    assert_int_equal(cairo_surface_status(surface), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(surface);
    cairo_surface_destroy(red);
    cairo_surface_destroy(blue);
    *length = out.length;
    return (unsigned char *)strbuf_take(&out);
}

static const char *const marking_alts[] = {"Een rood vierkant", "Een blauwe rechthoek"};

static pdf_finish_info marking_info(void)
{
    pdf_finish_info info = dutch_info();
    info.figure_alts = marking_alts;
    info.figure_count = 2;
    return info;
}

/* The Figure elements in structure order. */
static void find_figures(qpdf_data q, qpdf_oh node, qpdf_oh *figures, int *count, int depth)
{
    assert_true(depth < 64);
    if (qpdf_oh_is_array(q, node)) {
        int n = qpdf_oh_get_array_n_items(q, node);
        for (int i = 0; i < n; i++)
            find_figures(q, qpdf_oh_get_array_item(q, node, i), figures, count, depth + 1);
        return;
    }
    if (!qpdf_oh_is_dictionary(q, node) || qpdf_oh_has_key(q, node, "/Obj"))
        return;
    if (qpdf_oh_is_name_and_equals(q, get(q, node, "/S"), "/Figure")) {
        assert_true(*count < 8);
        figures[(*count)++] = node;
    }
    find_figures(q, get(q, node, "/K"), figures, count, depth + 1);
}

/* The page's entry in a flat parent tree. */
static qpdf_oh parent_array(qpdf_data q, qpdf_oh page)
{
    qpdf_oh tree = get(q, get(q, qpdf_get_root(q), "/StructTreeRoot"), "/ParentTree");
    qpdf_oh nums = get(q, tree, "/Nums");
    long long number = qpdf_oh_get_int_value(q, get(q, page, "/StructParents"));
    int n = qpdf_oh_get_array_n_items(q, nums);
    for (int i = 0; i + 1 < n; i += 2)
        if (qpdf_oh_get_int_value(q, qpdf_oh_get_array_item(q, nums, i)) == number)
            return qpdf_oh_get_array_item(q, nums, i + 1);
    fail_msg("no parent tree entry for /StructParents %lld", number);
    return 0;
}

static void test_marks_unmarked_content(void **state)
{
    fixture *f = *state;
    size_t length = 0;
    unsigned char *pdf = make_marking_pdf(&length);
    pdf_finish_info info = marking_info();
    char *out = path_in(f, "marked.pdf");
    assert_true(pdf_finish_write(pdf, length, &info, out, &f->diags));
    assert_int_equal(f->diags.count, 0);

    /* Cairo's own output, for comparison: unmarked painting on each page. */
    qpdf_data in = qpdf_init();
    qpdf_silence_errors(in);
    qpdf_set_suppress_warnings(in, QPDF_TRUE);
    assert_false(qpdf_read_memory(in, "cairo", (const char *)pdf, length, NULL) & QPDF_ERRORS);
    qpdf_data q = open_pdf(out);
    assert_int_equal(qpdf_get_num_pages(q), 3);
    /* Per page: figure Dos, artifact Dos, artifact fills and strokes. */
    static const int figure_dos[] = {1, 1, 0}, artifact_dos[] = {0, 0, 1};
    static const int artifact_fills[] = {2, 1, 1};
    for (size_t p = 0; p < 3; p++) {
        size_t before_length = 0, after_length = 0;
        char *before = page_content(in, p, &before_length);
        char *after = page_content(q, p, &after_length);
        seen_content old, now;
        scan_content(before, before_length, &old);
        scan_content(after, after_length, &now);
        assert_true(old.unmarked > 0); /* what this is about */
        assert_int_equal(now.unmarked, 0);
        assert_int_equal(now.fills_not_artifact, 0);
        assert_int_equal(now.artifact_fills, artifact_fills[p]);
        assert_int_equal(now.figure_dos, figure_dos[p]);
        assert_int_equal(now.artifact_dos, artifact_dos[p]);
        assert_int_equal(now.texts, old.texts);
        /* Text MCIDs as cairo wrote them; the figure's follows them. */
        char *old_mcids = strbuf_take(&old.mcids), *new_mcids = strbuf_take(&now.mcids);
        static const char *const expected[] = {"/P:0 /Link:1 /Figure:2 ", "/Figure:0 ",
                                               "/P:0 "};
        assert_string_equal(new_mcids, expected[p]);
        assert_int_equal(strncmp(new_mcids, old_mcids, strlen(old_mcids)), 0);
        free(old_mcids);
        free(new_mcids);
        free(before);
        free(after);

        /* Each figure MCID maps back to its Figure, which points at it. */
        qpdf_oh page = qpdf_get_page_n(q, p);
        qpdf_oh parents = parent_array(q, page);
        for (int k = 0; k < now.figure_mcid_count; k++) {
            long mcid = now.figure_mcids[k];
            assert_true(mcid >= 0 && mcid < qpdf_oh_get_array_n_items(q, parents));
            qpdf_oh figure = qpdf_oh_get_array_item(q, parents, (int)mcid);
            assert_true(qpdf_oh_is_name_and_equals(q, get(q, figure, "/S"), "/Figure"));
            qpdf_oh k_value = get(q, figure, "/K");
            assert_true(qpdf_oh_is_integer(q, k_value));
            assert_int_equal(qpdf_oh_get_int_value(q, k_value), mcid);
            assert_int_equal(qpdf_oh_get_object_id(q, get(q, figure, "/Pg")),
                             qpdf_oh_get_object_id(q, page));
        }
    }
    qpdf_oh figures[8];
    int count = 0;
    find_figures(q, get(q, get(q, qpdf_get_root(q), "/StructTreeRoot"), "/K"), figures, &count,
                 0);
    assert_int_equal(count, 2);
    assert_text(q, get(q, figures[0], "/Alt"), "Een rood vierkant");
    assert_int_equal(qpdf_oh_get_int_value(q, get(q, figures[0], "/K")), 2);
    assert_int_equal(qpdf_oh_get_int_value(q, get(q, figures[1], "/K")), 0);
    assert_int_equal(qpdf_check_pdf(q), QPDF_SUCCESS);
    qpdf_cleanup(&q);
    qpdf_cleanup(&in);

    /* Still deterministic. */
    char *again = path_in(f, "again.pdf");
    assert_true(pdf_finish_write(pdf, length, &info, again, &f->diags));
    size_t la = 0, lb = 0;
    char *da = read_file(out, &la), *db = read_file(again, &lb);
    assert_non_null(da);
    assert_non_null(db);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, la);
    free(da);
    free(db);
    free(again);
    free(out);
    free(pdf);
}

/* The older fixture: a Figure with a fill and a caption (cairo puts that
 * fill inside the caption's marked content), an Artifact page number.
 * Nothing is left unmarked, nothing already marked changes. */
static void test_marks_fixture_pages(void **state)
{
    fixture *f = *state;
    pdf_finish_info info = dutch_info();
    char *out = path_in(f, "out.pdf");
    assert_true(finish(f, &info, out));
    qpdf_data q = open_pdf(out);
    for (size_t p = 0; p < 2; p++) {
        size_t n = 0;
        char *content = page_content(q, p, &n);
        seen_content seen;
        scan_content(content, n, &seen);
        assert_int_equal(seen.unmarked, 0);
        assert_true(seen.texts > 0);
        char *mcids = strbuf_take(&seen.mcids);
        assert_string_equal(mcids, p == 0 ? "/P:0 /Figure:1 /Link:2 /Link:3 /Link:4 /Link:5 "
                                          : "/P:0 /Figure:1 ");
        free(mcids);
        free(content);
    }
    qpdf_cleanup(&q);
    free(out);
}

typedef struct calls {
    strbuf names;
    long next;
} calls;

static long record_xobject(void *context, const char *name)
{
    calls *c = context;
    strbuf_printf(&c->names, "[%s]", name);
    return c->next < 0 ? -1 : c->next++;
}

/* Runs pdf_mark_content; returns the output ("" if unchanged). */
static char *mark(const char *in, pdf_mark_result expected, calls *c)
{
    strbuf out = {0};
    assert_int_equal(pdf_mark_content((const unsigned char *)in, strlen(in), record_xobject, c,
                                      &out),
                     expected);
    if (expected != PDF_MARK_CHANGED)
        assert_int_equal(out.length, 0);
    strbuf_puts(&out, "");
    return strbuf_take(&out);
}

static void expect_marked(const char *in, const char *expected)
{
    calls c = {.next = -1};
    char *out = mark(in, PDF_MARK_CHANGED, &c);
    assert_string_equal(out, expected);
    free(out);
    free(strbuf_take(&c.names));
}

static void test_mark_content_lexing(void **state)
{
    (void)state;
    /* The stream from cairo in the report, as marked. */
    expect_marked("1 0 0 -1 0 200 cm\nq\n0 0 0 rg /a0 gs\n0 0 50 50 re f\n"
                  "/P << /MCID 0 >> BDC\nBT\n10 0 0 -10 10 100 Tm\n/f-0-0 1 Tf\n(Hello)Tj\n"
                  "ET\nEMC\n0 120 50 2 re f\n100 100 50 50 re f\nQ\n",
                  "1 0 0 -1 0 200 cm\nq\n0 0 0 rg /a0 gs\n/Artifact BMC\n0 0 50 50 re f\nEMC\n"
                  "/P << /MCID 0 >> BDC\nBT\n10 0 0 -10 10 100 Tm\n/f-0-0 1 Tf\n(Hello)Tj\n"
                  "ET\nEMC\n/Artifact BMC\n0 120 50 2 re f\nEMC\n/Artifact BMC\n"
                  "100 100 50 50 re f\nEMC\nQ\n");
    /* Graphics state inside the run stays outside; BMC never splits a path;
     * a clip-and-fill is painted; a stroke with no white space after it. */
    expect_marked("2 w 0 0 m 10 10 l 5 5 10 10 20 20 c h W f*\n1 0 0 RG 0 0 m 1 1 l S",
                  "2 w \n/Artifact BMC\n0 0 m 10 10 l 5 5 10 10 20 20 c h W f*\nEMC\n"
                  "1 0 0 RG \n/Artifact BMC\n0 0 m 1 1 l S\nEMC");
    /* Strings with parentheses, escapes and operator-like text; hex
     * strings; a comment that looks like painting: all left alone, the
     * unmarked text object wrapped whole. */
    expect_marked("% 0 0 1 1 re f\nBT /F1 1 Tf ((a\\) re f) \\( 0 0 1 1 re f\\\\)Tj "
                  "[<0041> -20 (EMC \\051)] TJ ET",
                  "% 0 0 1 1 re f\n/Artifact BMC\nBT /F1 1 Tf ((a\\) re f) \\( 0 0 1 1 re "
                  "f\\\\)Tj [<0041> -20 (EMC \\051)] TJ ET\nEMC");
    /* Marked content inside a text object: only the unmarked show. */
    expect_marked("BT /Span <</MCID 3 /ActualText (x\\)) >> BDC (a) Tj EMC (b) Tj ET",
                  "BT /Span <</MCID 3 /ActualText (x\\)) >> BDC (a) Tj EMC \n/Artifact BMC\n"
                  "(b) Tj\nEMC ET");
    /* A shading, and an inline image whose data holds "EI", parentheses and
     * "EMC" without white space around them; the stream ends right after. */
    expect_marked("q /Sh0 sh Q BI /W 2 /H 2 /BPC 8 /CS /G ID (EI)EMCx\nEI",
                  "q \n/Artifact BMC\n/Sh0 sh\nEMC Q \n/Artifact BMC\n"
                  "BI /W 2 /H 2 /BPC 8 /CS /G ID (EI)EMCx\nEI\nEMC");
    /* Inline image with /L: its data may contain " EI ". */
    expect_marked("BI /W 1 /H 1 /L 6 ID  EI ab\nEI Q",
                  "/Artifact BMC\nBI /W 1 /H 1 /L 6 ID  EI ab\nEI\nEMC Q");

    /* XObjects: the callback decides, in content order, names decoded. */
    calls c = {.next = 4};
    char *out = mark("q /Im#201 Do Q /Artifact BMC /Im2 Do EMC /Fm3 Do", PDF_MARK_CHANGED, &c);
    assert_string_equal(out, "q \n/Figure <</MCID 4>> BDC\n/Im#201 Do\nEMC Q /Artifact BMC "
                             "/Im2 Do EMC \n/Figure <</MCID 5>> BDC\n/Fm3 Do\nEMC");
    char *names = strbuf_take(&c.names);
    assert_string_equal(names, "[/Im 1][/Fm3]");
    free(names);
    free(out);

    /* Nothing to do: clip-only paths, marked content, state only. */
    static const char *const unchanged[] = {
        "q 0 0 10 10 re W n Q", "/Artifact BMC 0 0 1 1 re f EMC",
        "/P <</MCID 0>> BDC BT (a) Tj ET EMC", "BT /F1 1 Tf ET", "", "q 1 0 0 1 0 0 cm Q",
    };
    for (size_t i = 0; i < sizeof unchanged / sizeof unchanged[0]; i++) {
        calls none = {.next = 0};
        free(mark(unchanged[i], PDF_MARK_UNCHANGED, &none));
        assert_null(none.names.data);
    }
    /* Malformed: never rewritten, the callback never called. */
    static const char *const bad[] = {
        "/x Do (unterminated", "/x Do <4142", "/x Do ) f", "/x Do BI /W 1 ID xx",
        "/x Do 1 2 ID",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        calls none = {.next = 0};
        free(mark(bad[i], PDF_MARK_UNPARSABLE, &none));
        assert_null(none.names.data);
    }

    static const char mcids[] = "/P <</MCID 7>> BDC EMC /Span << /ActualText (/MCID 99) "
                                "/MCID 12 >> BDC EMC /Artifact BMC EMC";
    assert_int_equal(pdf_content_max_mcid((const unsigned char *)mcids, strlen(mcids)), 12);
    assert_int_equal(pdf_content_max_mcid((const unsigned char *)"q Q", 3), -1);
}


static void add_stream(strbuf *b, int id, const char *dict, const char *data)
{
    strbuf_printf(b, "%d 0 obj << %s /Length %zu >> stream\n%s\nendstream endobj\n", id, dict,
                  strlen(data), data);
}

/* Not cairo's shape: inherited resources, a /Contents array, a parent tree
 * with /Kids, a page without /StructParents, a Figure with /K []. */
static void test_marks_other_structures(void **state)
{
    fixture *f = *state;
    strbuf b = {0};
    strbuf_puts(&b, "%PDF-1.7\n"
        "1 0 obj << /Type /Catalog /Pages 2 0 R /StructTreeRoot 5 0 R "
        "/MarkInfo << /Marked true >> >> endobj\n"
        "2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 "
        "/Resources << /XObject << /Im0 9 0 R >> >> >> endobj\n"
        "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /StructParents 0 "
        "/Contents [10 0 R 11 0 R] >> endobj\n"
        "4 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 12 0 R >> "
        "endobj\n"
        "5 0 obj << /Type /StructTreeRoot /K [6 0 R 7 0 R 8 0 R] /ParentTree 13 0 R "
        "/ParentTreeNextKey 1 >> endobj\n"
        "6 0 obj << /Type /StructElem /S /P /P 5 0 R /Pg 3 0 R /K 0 >> endobj\n"
        "7 0 obj << /Type /StructElem /S /Figure /P 5 0 R >> endobj\n"
        "8 0 obj << /Type /StructElem /S /Figure /P 5 0 R /K [] >> endobj\n"
        "13 0 obj << /Kids [14 0 R] >> endobj\n"
        "14 0 obj << /Limits [0 0] /Nums [0 15 0 R] >> endobj\n"
        "15 0 obj [6 0 R] endobj\n");
    add_stream(&b, 9, "/Type /XObject /Subtype /Image /Width 1 /Height 1 "
                      "/ColorSpace /DeviceGray /BitsPerComponent 8", "X");
    add_stream(&b, 10, "", "/P <</MCID 0>> BDC 0 0 1 1 re f EMC");
    add_stream(&b, 11, "", "q 10 0 0 10 0 0 cm /Im0 Do Q");
    add_stream(&b, 12, "", "q /Im0 Do Q 0 0 m 1 1 l S");
    strbuf_puts(&b, "trailer << /Root 1 0 R /Size 16 >>\n%%EOF\n");
    char *pdf = strbuf_take(&b);
    pdf_finish_info info = dutch_info();
    char *out = path_in(f, "other.pdf");
    assert_true(pdf_finish_write((unsigned char *)pdf, strlen(pdf), &info, out, &f->diags));
    assert_int_equal(f->diags.count, 0);

    qpdf_data q = open_pdf(out);
    qpdf_oh page1 = qpdf_get_page_n(q, 0), page2 = qpdf_get_page_n(q, 1);
    static const char *const expected[] = {"/P:0 /Figure:1 ", "/Figure:0 "};
    for (size_t p = 0; p < 2; p++) {
        size_t n = 0;
        char *content = page_content(q, p, &n);
        seen_content seen;
        scan_content(content, n, &seen);
        assert_int_equal(seen.unmarked, 0);
        assert_int_equal(seen.figure_dos, 1);
        assert_int_equal(seen.artifact_fills, (int)p);
        char *mcids = strbuf_take(&seen.mcids);
        assert_string_equal(mcids, expected[p]);
        free(mcids);
        free(content);
    }
    qpdf_oh tree = get(q, qpdf_get_root(q), "/StructTreeRoot");
    qpdf_oh kids = get(q, tree, "/K");
    qpdf_oh one = qpdf_oh_get_array_item(q, kids, 1), two = qpdf_oh_get_array_item(q, kids, 2);
    assert_int_equal(qpdf_oh_get_int_value(q, get(q, one, "/K")), 1);
    assert_int_equal(qpdf_oh_get_int_value(q, get(q, two, "/K")), 0);
    assert_int_equal(qpdf_oh_get_object_id(q, get(q, two, "/Pg")),
                     qpdf_oh_get_object_id(q, page2));
    /* Page 1's array grew; page 2 got the next key, in the leaf. */
    qpdf_oh leaf = qpdf_oh_get_array_item(q, get(q, get(q, tree, "/ParentTree"), "/Kids"), 0);
    assert_string_equal(qpdf_oh_unparse(q, get(q, leaf, "/Limits")), "[ 0 1 ]");
    qpdf_oh nums = get(q, leaf, "/Nums");
    assert_int_equal(qpdf_oh_get_array_n_items(q, nums), 4);
    qpdf_oh first = qpdf_oh_get_array_item(q, nums, 1), second = qpdf_oh_get_array_item(q, nums, 3);
    assert_int_equal(qpdf_oh_get_array_n_items(q, first), 2);
    assert_int_equal(qpdf_oh_get_object_id(q, qpdf_oh_get_array_item(q, first, 1)),
                     qpdf_oh_get_object_id(q, one));
    assert_int_equal(qpdf_oh_get_object_id(q, qpdf_oh_get_array_item(q, second, 0)),
                     qpdf_oh_get_object_id(q, two));
    assert_int_equal(qpdf_oh_get_int_value(q, get(q, page2, "/StructParents")), 1);
    assert_int_equal(qpdf_oh_get_int_value(q, get(q, tree, "/ParentTreeNextKey")), 2);
    assert_true(qpdf_oh_is_stream(q, get(q, page1, "/Contents")));
    assert_int_equal(qpdf_check_pdf(q), QPDF_SUCCESS);
    qpdf_cleanup(&q);
    free(out);
    free(pdf);
}

#ifdef HAVE_POPPLER
static void find_poppler_figures(PopplerStructureElementIter *iter, strbuf *seen, int depth)
{
    assert_true(depth < 32);
    do {
        PopplerStructureElement *element = poppler_structure_element_iter_get_element(iter);
        PopplerStructureElementIter *child = poppler_structure_element_iter_get_child(iter);
        if (poppler_structure_element_get_kind(element) == POPPLER_STRUCTURE_ELEMENT_FIGURE) {
            gchar *alt = poppler_structure_element_get_alt_text(element);
            /* Its content: an MCID child on the figure's page. */
            bool content = false;
            if (child) {
                PopplerStructureElement *inner = poppler_structure_element_iter_get_element(child);
                content = poppler_structure_element_is_content(inner);
                g_object_unref(inner);
            }
            strbuf_printf(seen, "[%s p%d %s]", alt ? alt : "(none)",
                          poppler_structure_element_get_page(element),
                          content ? "content" : "empty");
            g_free(alt);
        } else if (child) {
            find_poppler_figures(child, seen, depth + 1);
        }
        if (child)
            poppler_structure_element_iter_free(child);
        g_object_unref(element);
    } while (poppler_structure_element_iter_next(iter));
}

static void test_poppler_sees_figures(void **state)
{
    fixture *f = *state;
    size_t length = 0;
    unsigned char *pdf = make_marking_pdf(&length);
    pdf_finish_info info = marking_info();
    char *out = path_in(f, "marked.pdf");
    assert_true(pdf_finish_write(pdf, length, &info, out, &f->diags));
    gchar *uri = g_filename_to_uri(out, NULL, NULL);
    assert_non_null(uri);
    GError *error = NULL;
    PopplerDocument *document = poppler_document_new_from_file(uri, NULL, &error);
    assert_non_null(document);
    PopplerStructureElementIter *iter = poppler_structure_element_iter_new(document);
    assert_non_null(iter);
    strbuf seen = {0};
    find_poppler_figures(iter, &seen, 0);
    poppler_structure_element_iter_free(iter);
    char *figures = strbuf_take(&seen);
    assert_string_equal(figures, "[Een rood vierkant p0 content][Een blauwe rechthoek p1 content]");
    free(figures);
    g_object_unref(document);
    g_free(uri);
    free(out);
    free(pdf);
}
#endif

/* ---- PDF/UA-1 rules that live in finishing ---------------------------- */
/* The checks of pdf_ua_checks.h on a finished PDF, on the unfinished one,
 * and on copies of the finished one with each defect alone (made with
 * qpdf). */

/* Two pages of text (with glyphs outside Latin-1, so cairo makes a CID
 * font), a link on each, a figure drawn with a fill, an artifact. */
static unsigned char *make_ua_pdf(size_t *length)
{
    strbuf out = {0};
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(to_strbuf, &out, 420, 595);
    cairo_t *cr = cairo_create(surface);
    cairo_set_font_size(cr, 12);
    cairo_tag_begin(cr, "Document", NULL);
    for (int page = 0; page < 2; page++) {
        cairo_tag_begin(cr, "P", NULL);
        text_at(cr, 40, 60, page ? "Pagina twee → klaar" : "Koorts ≥ 38,5 °C — bel ons");
        cairo_tag_end(cr, "P");
        tagged_link(cr, page ? "uri='https://example.nl/'" : "uri='tel:+31204444444'", 100,
                    page ? "example.nl" : "020 444 44 44");
        cairo_tag_begin(cr, "Figure", NULL);
        cairo_rectangle(cr, 40, 140, 30, 30);
        cairo_fill(cr);
        cairo_tag_end(cr, "Figure");
        cairo_tag_begin(cr, "Artifact", NULL);
        cairo_rectangle(cr, 40, 560, 300, 1);
        cairo_fill(cr);
        cairo_tag_end(cr, "Artifact");
        if (!page)
            cairo_show_page(cr);
    }
    cairo_tag_end(cr, "Document");
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    assert_int_equal(cairo_surface_status(surface), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(surface);
    *length = out.length;
    return (unsigned char *)strbuf_take(&out);
}

static const char *const ua_alts[] = {"Een zwart vierkant", "Nog een zwart vierkant"};

static unsigned char *finished_ua_pdf(size_t *length)
{
    size_t raw_length;
    unsigned char *raw = make_ua_pdf(&raw_length);
    pdf_finish_info info = {.title = "Koorts", .lang = "nl-NL", .date = "2020-01-01T00:00:00Z",
                            .figure_alts = ua_alts, .figure_count = 2};
    diag_list diags;
    diag_init(&diags);
    unsigned char *out = NULL;
    assert_true(pdf_finish(raw, raw_length, &info, "ua.pdf", &out, length, &diags));
    assert_int_equal(diags.errors, 0);
    diag_free(&diags);
    free(raw);
    return out;
}

static qpdf_data read_memory(const unsigned char *data, size_t length)
{
    qpdf_data q = qpdf_init();
    qpdf_silence_errors(q);
    qpdf_set_suppress_warnings(q, QPDF_TRUE);
    assert_int_equal(qpdf_read_memory(q, "mem", (const char *)data, length, NULL) & QPDF_ERRORS, 0);
    return q;
}

static void replace_content(qpdf_data q, int index, const char *data, size_t length)
{
    qpdf_oh stream = qpdf_oh_new_stream(q);
    qpdf_oh null = qpdf_oh_new_null(q);
    qpdf_oh_replace_stream_data(q, stream, (const unsigned char *)data, length, null, null);
    qpdf_oh_replace_key(q, qpdf_get_page_n(q, (size_t)index), "/Contents", stream);
}

static void append_content(qpdf_data q, int index, const char *text)
{
    unsigned char *data = NULL;
    size_t length = 0;
    assert_false(qpdf_oh_get_page_content_data(q, qpdf_get_page_n(q, (size_t)index), &data, &length) &
                 QPDF_ERRORS);
    strbuf b = {0};
    strbuf_append(&b, (const char *)data, length);
    strbuf_puts(&b, text);
    replace_content(q, index, b.data, b.length);
    free(b.data);
    free(data);
}

static qpdf_oh first_font(qpdf_data q, const char *subtype)
{
    qpdf_oh fonts = get(q, get(q, qpdf_get_page_n(q, 0), "/Resources"), "/Font");
    qpdf_oh_begin_dict_key_iter(q, fonts);
    char names[16][64];
    int n = 0;
    while (qpdf_oh_dict_more_keys(q) && n < 16)
        snprintf(names[n++], 64, "%s", qpdf_oh_dict_next_key(q));
    for (int i = 0; i < n; i++) {
        qpdf_oh font = get(q, fonts, names[i]);
        if (qpdf_oh_is_name_and_equals(q, get(q, font, "/Subtype"), subtype))
            return font;
    }
    fail_msg("no %s font on page 1", subtype);
    return 0;
}

static qpdf_oh first_annot(qpdf_data q)
{
    return qpdf_oh_get_array_item(q, get(q, qpdf_get_page_n(q, 0), "/Annots"), 0);
}

/* Drops the ToUnicode line of the first code the CID font shows. */
static void defect_to_unicode(qpdf_data q)
{
    qpdf_oh font = first_font(q, "/Type0");
    qpdf_oh stream = get(q, font, "/ToUnicode");
    size_t n = 0;
    unsigned char *data = ua_stream_data(q, stream, &n);
    assert_non_null(data);
    char *text = xstrndup((const char *)data, n);
    free(data);
    /* every bfchar line "<XXXX> <...>" of a 2-byte code goes */
    strbuf b = {0};
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '<' && strlen(line) > 6 && line[5] == '>')
            continue;
        strbuf_printf(&b, "%s\n", line);
    }
    free(text);
    qpdf_oh null = qpdf_oh_new_null(q);
    qpdf_oh_replace_stream_data(q, stream, (const unsigned char *)b.data, b.length, null, null);
    free(b.data);
}

typedef enum { RULE_FONTS, RULE_MARKED, RULE_ANNOTS } ua_rule;

static void ua_defect(qpdf_data q, int which)
{
    switch (which) {
    case 0:
        qpdf_oh_remove_key(q, qpdf_oh_get_array_item(q, get(q, first_font(q, "/Type0"), "/DescendantFonts"), 0),
                           "/CIDToGIDMap");
        break;
    case 1:
        defect_to_unicode(q);
        break;
    case 2:
        qpdf_oh_remove_key(q, qpdf_oh_get_array_item(q, get(q, first_font(q, "/Type0"), "/DescendantFonts"), 0),
                           "/W");
        break;
    case 3:
        qpdf_oh_remove_key(q, first_font(q, "/TrueType"), "/Widths");
        break;
    case 4:
        append_content(q, 0, "\n0 0 10 10 re f\n");
        break;
    case 5:
        append_content(q, 0, "\n/P <</MCID 999>> BDC EMC\n");
        break;
    case 6:
        append_content(q, 0, "\n/Artifact BMC\n");
        break;
    case 7:
        qpdf_oh_remove_key(q, first_annot(q), "/Contents");
        break;
    case 8:
        qpdf_oh_replace_key(q, first_annot(q), "/F", qpdf_oh_new_integer(q, 0));
        break;
    case 9:
        qpdf_oh_remove_key(q, first_annot(q), "/StructParent");
        break;
    case 10: {
        /* the Link element keeps its text but loses the OBJR */
        qpdf_oh annot = first_annot(q);
        qpdf_oh tree = get(q, get(q, qpdf_get_root(q), "/StructTreeRoot"), "/ParentTree");
        qpdf_oh elem = parent_tree_get(q, tree, qpdf_oh_get_int_value(q, get(q, annot, "/StructParent")), 0);
        qpdf_oh k = get(q, elem, "/K");
        qpdf_oh kept = qpdf_oh_new_array(q);
        int n = qpdf_oh_is_array(q, k) ? qpdf_oh_get_array_n_items(q, k) : 1;
        for (int i = 0; i < n; i++) {
            qpdf_oh kid = qpdf_oh_is_array(q, k) ? qpdf_oh_get_array_item(q, k, i) : k;
            if (!qpdf_oh_is_name_and_equals(q, get(q, kid, "/Type"), "/OBJR"))
                qpdf_oh_append_item(q, kept, kid);
        }
        qpdf_oh_replace_key(q, elem, "/K", kept);
        break;
    }
    case 11:
        qpdf_oh_remove_key(q, qpdf_get_page_n(q, 0), "/Tabs");
        break;
    }
}

static const struct {
    const char *what;
    ua_rule rule;
    const char *reason; /* part of the failure message */
} ua_defects[] = {
    {"CIDFontType2 without CIDToGIDMap", RULE_FONTS, "CIDToGIDMap"},
    {"glyphs without ToUnicode", RULE_FONTS, "Unicode"},
    {"CID font without /W", RULE_FONTS, "/W"},
    {"simple font without /Widths", RULE_FONTS, "/Widths"},
    {"a fill outside marked content", RULE_MARKED, "paints outside"},
    {"an MCID not in the parent tree", RULE_MARKED, "MCID 999"},
    {"an unclosed BMC", RULE_MARKED, "balance"},
    {"a link without /Contents", RULE_ANNOTS, "/Contents"},
    {"a link without the print flag", RULE_ANNOTS, "/F 0"},
    {"a link without /StructParent", RULE_ANNOTS, "/StructParent"},
    {"a Link element without OBJR", RULE_ANNOTS, "OBJR"},
    {"annotations without /Tabs /S", RULE_ANNOTS, "/Tabs"},
};

static bool run_rule(qpdf_data q, ua_rule rule, strbuf *why)
{
    switch (rule) {
    case RULE_FONTS: return check_fonts(q, why);
    case RULE_MARKED: return check_marked_content(q, why);
    case RULE_ANNOTS: return check_annotations(q, why);
    }
    return false;
}

static void test_ua_rules_hold(void **state)
{
    (void)state;
    size_t length;
    unsigned char *pdf = finished_ua_pdf(&length);
    qpdf_data q = read_memory(pdf, length);
    /* the fixture does exercise both kinds of font, and has links */
    (void)first_font(q, "/Type0");
    (void)first_font(q, "/TrueType");
    assert_true(qpdf_oh_is_dictionary(q, first_annot(q)));
    for (int rule = RULE_FONTS; rule <= RULE_ANNOTS; rule++) {
        strbuf why = {0};
        bool ok = run_rule(q, (ua_rule)rule, &why);
        if (!ok)
            fail_msg("rule %d fails on the finished PDF: %s", rule, why.data);
        free(why.data);
    }
    qpdf_cleanup(&q);
    free(pdf);
}

/* The same checks fail on the unfinished PDF (no CIDToGIDMap, nothing
 * marked but glyphs, no /Contents or print flag), and on a finished one
 * with each defect alone. */
static void test_ua_rules_catch_defects(void **state)
{
    (void)state;
    size_t raw_length;
    unsigned char *raw = make_ua_pdf(&raw_length);
    qpdf_data q = read_memory(raw, raw_length);
    strbuf why = {0};
    assert_false(check_fonts(q, &why));
    why.length = 0;
    assert_false(check_marked_content(q, &why));
    why.length = 0;
    assert_false(check_annotations(q, &why));
    free(why.data);
    qpdf_cleanup(&q);
    free(raw);

    size_t length;
    unsigned char *pdf = finished_ua_pdf(&length);
    for (size_t d = 0; d < sizeof ua_defects / sizeof ua_defects[0]; d++) {
        q = read_memory(pdf, length);
        ua_defect(q, (int)d);
        strbuf reason = {0};
        bool ok = run_rule(q, ua_defects[d].rule, &reason);
        if (ok)
            fail_msg("the check passes a PDF with %s", ua_defects[d].what);
        if (!strstr(reason.data, ua_defects[d].reason))
            fail_msg("%s: failed for another reason: %s", ua_defects[d].what, reason.data);
        print_message("  %s: %s\n", ua_defects[d].what, reason.data);
        free(reason.data);
        qpdf_cleanup(&q);
    }
    free(pdf);
}

/* ---- span languages --------------------------------------------------- */

static void test_span_languages(void **state)
{
    (void)state;
    strbuf out = {0};
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(to_strbuf, &out, 300, 300);
    cairo_t *cr = cairo_create(surface);
    cairo_set_font_size(cr, 12);
    cairo_tag_begin(cr, "P", NULL);
    text_at(cr, 20, 40, "Bij ");
    cairo_tag_begin(cr, "Span", NULL);
    text_at(cr, 50, 40, "cancer of unknown primary");
    cairo_tag_end(cr, "Span");
    cairo_tag_begin(cr, "Span", NULL);
    text_at(cr, 20, 60, "zonder taal");
    cairo_tag_end(cr, "Span");
    cairo_tag_begin(cr, "Span", NULL);
    text_at(cr, 20, 80, "follow up");
    cairo_tag_end(cr, "Span");
    cairo_tag_end(cr, "P");
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    cairo_surface_destroy(surface);

    const char *const langs[] = {"en", NULL, "en-GB"};
    pdf_finish_info info = {.title = "Taal", .lang = "nl-NL", .date = "2020-01-01",
                            .span_langs = langs, .span_count = 3};
    diag_list diags;
    diag_init(&diags);
    unsigned char *pdf = NULL;
    size_t length = 0;
    assert_true(pdf_finish((unsigned char *)out.data, out.length, &info, "taal.pdf", &pdf, &length,
                           &diags));
    diag_free(&diags);
    free(out.data);

    qpdf_data q = read_memory(pdf, length);
    /* Document-less tree: the P's kids are the three spans, in order */
    qpdf_oh k = get(q, get(q, qpdf_get_root(q), "/StructTreeRoot"), "/K");
    qpdf_oh p = qpdf_oh_is_array(q, k) ? qpdf_oh_get_array_item(q, k, 0) : k;
    if (qpdf_oh_is_name_and_equals(q, get(q, p, "/S"), "/Document")) {
        qpdf_oh dk = get(q, p, "/K");
        p = qpdf_oh_is_array(q, dk) ? qpdf_oh_get_array_item(q, dk, 0) : dk;
    }
    assert_true(qpdf_oh_is_name_and_equals(q, get(q, p, "/S"), "/P"));
    qpdf_oh kids = get(q, p, "/K");
    strbuf seen = {0};
    int n = qpdf_oh_is_array(q, kids) ? qpdf_oh_get_array_n_items(q, kids) : 0;
    for (int i = 0; i < n; i++) {
        qpdf_oh kid = qpdf_oh_get_array_item(q, kids, i);
        if (!qpdf_oh_is_name_and_equals(q, get(q, kid, "/S"), "/Span"))
            continue;
        qpdf_oh lang = get(q, kid, "/Lang");
        strbuf_printf(&seen, "[%s]", qpdf_oh_is_string(q, lang) ? qpdf_oh_get_utf8_value(q, lang) : "-");
    }
    assert_string_equal(seen.data, "[en][-][en-GB]");
    free(seen.data);
    qpdf_cleanup(&q);
    free(pdf);
}

/* ---- colour conversion and recolouring (print) ------------------------ */

static void test_colour_convert(void **state)
{
    (void)state;
    diag_list diags;
    diag_init(&diags);
    colour_converter *cc = colour_converter_open("profiles/FOGRA39L_coated.icc", &diags);
    assert_non_null(cc);
    assert_string_equal(colour_profile_description(cc), "FOGRA39L Coated");
    double v[4];
    colour_to_cmyk(cc, 0, 0, 0, v);
    assert_true(v[0] == 0 && v[1] == 0 && v[2] == 0 && v[3] == 1);
    colour_to_cmyk(cc, 1, 1, 1, v);
    assert_true(v[0] == 0 && v[1] == 0 && v[2] == 0 && v[3] == 0);
    /* greys: K only, darker grey more K */
    double last_k = -1;
    for (int g = 250; g >= 5; g -= 35) {
        colour_to_cmyk(cc, g / 255.0, g / 255.0, g / 255.0, v);
        assert_true(v[0] == 0 && v[1] == 0 && v[2] == 0);
        assert_true(v[3] > last_k);
        last_k = v[3];
    }
    /* colours: within 300 %, and roughly the right inks */
    const double samples[][3] = {{0, 0, 1}, {1, 0, 0}, {0, 0.35, 0.43}, {0.2, 0, 0.1}, {0.1, 0.05, 0}};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        colour_to_cmyk(cc, samples[i][0], samples[i][1], samples[i][2], v);
        double total = v[0] + v[1] + v[2] + v[3];
        assert_true(total <= COLOUR_MAX_INK + 1e-9);
        for (int k = 0; k < 4; k++)
            assert_true(v[k] >= 0 && v[k] <= 1);
    }
    colour_to_cmyk(cc, 0, 0, 1, v); /* blue: cyan and magenta, little yellow */
    assert_true(v[0] > 0.7 && v[1] > 0.6 && v[2] < 0.2);
    colour_to_cmyk(cc, 1, 0, 0, v); /* red: magenta and yellow */
    assert_true(v[1] > 0.7 && v[2] > 0.7 && v[0] < 0.1);
    colour_converter_free(cc);

    /* not a profile, not CMYK */
    assert_null(colour_converter_open("no/such.icc", &diags));
    assert_null(colour_converter_open("styles/house.yaml", &diags));
    size_t n = 0;
    unsigned char *srgb = colour_srgb_profile(&n);
    assert_non_null(srgb);
    char path[] = "/tmp/unit_pdf_finish_srgb.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, srgb, n), (ssize_t)n);
    close(fd);
    assert_null(colour_converter_open(path, &diags)); /* an RGB monitor profile */
    unlink(path);
    assert_int_equal(diags.errors, 3);
    diag_free(&diags);
    /* the sRGB profile: RGB, monitor class, version 2, the same bytes every time */
    assert_memory_equal(srgb + 12, "mntrRGB XYZ ", 12);
    assert_int_equal(srgb[8], 2);
    size_t m = 0;
    unsigned char *again = colour_srgb_profile(&m);
    assert_int_equal(m, n);
    assert_memory_equal(again, srgb, n);
    free(again);
    free(srgb);
}

static void fake_cmyk(void *context, const double rgb[3], double cmyk[4])
{
    (void)context;
    cmyk[0] = rgb[0], cmyk[1] = rgb[1], cmyk[2] = rgb[2], cmyk[3] = 0.5;
}

static bool rgb_named(void *context, const char *name)
{
    (void)context;
    return strcmp(name, "CS0") == 0;
}

static char *recoloured(const char *in, pdf_mark_result expected, bool *srgb)
{
    strbuf out = {0};
    pdf_recolour r = {.to_cmyk = fake_cmyk, .is_rgb_space = rgb_named};
    assert_int_equal(pdf_recolour_content((const unsigned char *)in, strlen(in), &r, &out), expected);
    if (srgb)
        *srgb = r.used_srgb_resource;
    return out.data ? out.data : xstrdup(in);
}

static void test_recolour_content(void **state)
{
    (void)state;
    char *s = recoloured("q 0.1 0.2 0.3 rg 1 0 0 RG 0 0 m 1 1 l S Q", PDF_MARK_CHANGED, NULL);
    assert_string_equal(s, "q 0.1 0.2 0.3 0.5 k 1 0 0 0.5 K 0 0 m 1 1 l S Q");
    free(s);
    /* cs by name or through a resource; sc follows the space, q/Q restore it */
    s = recoloured("/DeviceRGB cs 1 0.5 0 sc q /DeviceGray cs 0.5 sc Q 0 1 0 scn /CS0 CS 1 1 1 SC",
                   PDF_MARK_CHANGED, NULL);
    assert_string_equal(s, "/DeviceCMYK cs 1 0.5 0 0.5 sc q /DeviceGray cs 0.5 sc Q 0 1 0 0.5 sc "
                           "/DeviceCMYK CS 1 1 1 0.5 SC");
    free(s);
    /* strings, CMYK and grey are left as they are */
    s = recoloured("BT (1 0 0 rg) Tj ET 0 0 0 1 k 0.5 g", PDF_MARK_UNCHANGED, NULL);
    assert_string_equal(s, "BT (1 0 0 rg) Tj ET 0 0 0 1 k 0.5 g");
    free(s);
    bool srgb = false;
    s = recoloured("BI /W 1 /H 1 /CS /RGB /BPC 8 ID \x01\x02\x03 EI", PDF_MARK_CHANGED, &srgb);
    assert_string_equal(s, "BI /W 1 /H 1 /CS /" PDF_SRGB_RESOURCE " /BPC 8 ID \x01\x02\x03 EI");
    assert_true(srgb);
    free(s);
    s = recoloured("(unclosed", PDF_MARK_UNPARSABLE, NULL);
    free(s);
}

/* ---- cairo's stale xref entries (pdf_xref.h) --------------------------- */

/* Reads a PDF with qpdf as finishing does; the number of warnings qpdf
 * gave (a rebuilt xref table is one), or -1 when it could not read it. */
static int qpdf_read_warnings(const unsigned char *pdf, size_t length, int *pages)
{
    qpdf_data q = qpdf_init();
    qpdf_silence_errors(q);
    qpdf_set_suppress_warnings(q, QPDF_TRUE);
    qpdf_read_memory(q, "test", (const char *)pdf, length, NULL);
    qpdf_oh root = qpdf_get_root(q);
    int n = qpdf_get_num_pages(q);
    /* every object, so that a wrong offset for any of them is seen */
    qpdf_oh trailer = qpdf_get_trailer(q);
    (void)trailer;
    bool ok = !qpdf_has_error(q) && qpdf_oh_is_dictionary(q, root) && n >= 0;
    if (ok) {
        qpdf_init_write_memory(q);
        qpdf_write(q);
        ok = !qpdf_has_error(q);
    }
    int warnings = 0;
    while (qpdf_more_warnings(q)) {
        (void)qpdf_next_warning(q);
        warnings++;
    }
    if (pages)
        *pages = n;
    qpdf_cleanup(&q);
    return ok ? warnings : -1;
}

static void test_xref_repair(void **state)
{
    (void)state;
    size_t length;
    unsigned char *pdf = make_pdf(&length, "2017-05-01T00:00:00Z"); /* has an Artifact */
    int pages_before = 0, pages_after = 0;
    /* the premise: qpdf has to rebuild cairo's table */
    assert_true(qpdf_read_warnings(pdf, length, &pages_before) > 0);
    strbuf out = {0};
    assert_true(pdf_xref_repair(pdf, length, &out));
    /* an incremental update: cairo's bytes first, unchanged */
    assert_true(out.length > length);
    assert_memory_equal(out.data, pdf, length);
    assert_int_equal(qpdf_read_warnings((const unsigned char *)out.data, out.length, &pages_after), 0);
    assert_int_equal(pages_after, pages_before);
    assert_int_equal(pages_after, 2);
    /* finishing either gives the same bytes */
    pdf_finish_info info = dutch_info();
    diag_list diags;
    diag_init(&diags);
    unsigned char *a = NULL, *b = NULL;
    size_t a_length = 0, b_length = 0;
    assert_true(pdf_finish(pdf, length, &info, "a.pdf", &a, &a_length, &diags));
    assert_true(pdf_finish((const unsigned char *)out.data, out.length, &info, "b.pdf", &b, &b_length,
                           &diags));
    assert_int_equal(a_length, b_length);
    assert_memory_equal(a, b, a_length);
    free(a);
    free(b);
    diag_free(&diags);
    /* once repaired, nothing more to do (and an update is not cairo's shape) */
    strbuf again = {0};
    assert_false(pdf_xref_repair((const unsigned char *)out.data, out.length, &again));
    assert_null(again.data);
    free(out.data);

    /* a PDF without stale entries is left alone */
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(to_strbuf, &again, 200, 200);
    cairo_t *cr = cairo_create(surface);
    cairo_rectangle(cr, 10, 10, 50, 50);
    cairo_fill(cr);
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    cairo_surface_destroy(surface);
    assert_int_equal(qpdf_read_warnings((const unsigned char *)again.data, again.length, NULL), 0);
    strbuf none = {0};
    assert_false(pdf_xref_repair((const unsigned char *)again.data, again.length, &none));
    assert_null(none.data);
    free(again.data);

    /* what it does not understand, it leaves alone, and it reads nothing
     * outside the buffer (every prefix; every byte of the xref stream's
     * dictionary and data changed) */
    assert_false(pdf_xref_repair(NULL, 0, &none));
    assert_false(pdf_xref_repair((const unsigned char *)"%PDF-1.7\nstartxref\n9\n%%EOF\n", 28, &none));
    size_t startxref = length;
    while (startxref > 0 && memcmp(pdf + startxref - 1, "startxref", 9) != 0)
        startxref--;
    assert_true(startxref > 0);
    for (size_t n = 0; n < length; n += n < length - 2048 ? 97 : 1) {
        unsigned char *prefix = xmalloc(n ? n : 1);
        memcpy(prefix, pdf, n);
        strbuf cut = {0};
        bool repaired = pdf_xref_repair(prefix, n, &cut);
        if (n < startxref + 9) /* no whole "startxref" */
            assert_false(repaired);
        if (repaired)
            assert_memory_equal(cut.data, prefix, n);
        free(cut.data);
        free(prefix);
    }
    size_t xref = length;
    for (size_t i = length; i-- > 0;)
        if (memcmp(pdf + i, "/XRef", 5) == 0) {
            xref = i;
            break;
        }
    assert_true(xref < length);
    while (xref > 0 && pdf[xref - 1] != '\n')
        xref--;
    for (size_t i = xref; i < length; i++)
        for (int bit = 0; bit < 8; bit += 3) {
            unsigned char *changed = xmalloc(length);
            memcpy(changed, pdf, length);
            changed[i] ^= (unsigned char)(1u << bit);
            strbuf result = {0};
            if (pdf_xref_repair(changed, length, &result))
                assert_memory_equal(result.data, changed, length);
            free(result.data);
            free(changed);
        }
    free(pdf);
}

/* Fontconfig (loaded by cairo) keeps caches until FcFini; declared weak so
 * the test needs no fontconfig flags of its own. */
extern void FcFini(void) __attribute__((weak));

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_catalog_and_metadata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pages_links_and_figures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_english_and_missing_alt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replaces_existing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_keeps_existing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_date_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_date_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_input_id_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_marks_unmarked_content, setup, teardown),
        cmocka_unit_test_setup_teardown(test_marks_fixture_pages, setup, teardown),
        cmocka_unit_test(test_mark_content_lexing),
        cmocka_unit_test_setup_teardown(test_marks_other_structures, setup, teardown),
        cmocka_unit_test(test_ua_rules_hold),
        cmocka_unit_test(test_ua_rules_catch_defects),
        cmocka_unit_test(test_span_languages),
        cmocka_unit_test(test_colour_convert),
        cmocka_unit_test(test_recolour_content),
        cmocka_unit_test_setup_teardown(test_xref_repair, setup, teardown),
#ifdef HAVE_POPPLER
        cmocka_unit_test_setup_teardown(test_poppler_sees_figures, setup, teardown),
#endif
    };
    int failed = cmocka_run_group_tests_name("pdf_finish", tests, NULL, NULL);
    cairo_debug_reset_static_data();
    if (FcFini)
        FcFini();
    return failed;
}
