#define _GNU_SOURCE /* memmem */
/* Fuzzes the whole pipeline on one source: parse, the style it names (from
 * the shipped styles/), layout, render_screen_pdf and pdf_finish, all in memory;
 * the finished PDF must start with %PDF- and end with %%EOF. Nothing is
 * written but the source itself (parse reads a file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contacts.h"
#include "doc.h"
#include "fonts.h"
#include "fuzz.h"
#include "hyphenate.h"
#include "layout.h"
#include "parse.h"
#include "pdf_finish.h"
#include "render.h"
#include "style.h"

static contact_registry registry;
static layout_resources res;

/* As batch.c does: the font map's caches go with it, so LeakSanitizer sees none. */
static void release(void)
{
    g_object_unref(res.fonts);
    hyphen_cache_free(res.hyphens);
    contacts_free(&registry);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    diag_list d;
    diag_init(&d);
    if (!contacts_load(LEAFPRESS_SOURCE_DIR "/sources/contacts.yaml", &registry, &d))
        abort();
    res.fonts = fonts_open(LEAFPRESS_SOURCE_DIR "/fonts", &d);
    if (!res.fonts)
        abort();
    res.hyphens = hyphen_cache_new();
    atexit(release);
    diag_free(&d);
    fuzz_copy("fuzz/assets/logo.png", "logo.png");
    return 0;
}

static void finish(const document *doc, const laid_out *pages, diag_list *d)
{
    const leaflet_meta *m = &doc->meta;
    render_options ro = {.date = "2020-01-01T00:00:00Z"};
    rendered r;
    unsigned char *out = NULL;
    size_t out_length = 0;
    if (!render_screen_pdf(pages, &ro, &r, d))
        return;
    pdf_finish_info info = {.title = m->title, .author = m->publisher, .subject = m->subject,
                            .lang = m->lang, .date = ro.date, .figure_alts = r.figure_alts,
                            .figure_count = r.figure_count, .link_uris = r.link_uris,
                            .link_texts = r.link_texts, .link_count = r.link_count,
                            .span_langs = r.span_langs, .span_count = r.span_count};
    if (pdf_finish(r.pdf, r.length, &info, "fuzz.pdf", &out, &out_length, d)) {
        if (out_length < 16 || memcmp(out, "%PDF-", 5) != 0 ||
            !memmem(out + out_length - 16, 16, "%%EOF", 5))
            abort();
        if (getenv("FUZZ_VERBOSE"))
            fprintf(stderr, "finished a PDF of %zu pages, %zu bytes\n", pages->page_count, out_length);
    }
    rendered_free(&r);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("leaflet.md", data, size);
    diag_list d;
    diag_init(&d);
    document *doc = parse_leaflet(path, &registry, fuzz_scratch(), &d);
    if (doc && d.errors == 0) {
        style *s = style_load(LEAFPRESS_SOURCE_DIR "/styles", doc->meta.style, &d);
        if (s) {
            laid_out *pages = layout_document(doc, s, &res, &d);
            if (pages && d.errors == 0)
                finish(doc, pages, &d);
            layout_free(pages);
            style_free(s);
        }
    }
    fuzz_check_diags(&d);
    doc_free(doc);
    diag_free(&d);
    return 0;
}
