/* tests/pdf_probe.c: reads a PDF back with poppler-glib for the shell tests
 * (tests/cover.sh, images.sh, themes.sh), which parse what it prints. They
 * run it as BUILDDIR/pdf_probe (tests/lib/common.sh: test_tool);
 * CMake builds it with the tests when poppler-glib is found.
 *
 *   pdf_probe page1 PDF    page 1: "page<TAB>W H" (its size), then
 *                          "figure<TAB>ALT" for each Figure of the structure
 *                          tree on page 1, then "image<TAB>X1 Y1 X2 Y2" for
 *                          each image drawn on it (from the top-left corner);
 *                          in pt, one decimal; no figure line for a PDF
 *                          without a structure tree
 *   pdf_probe figures PDF  "PAGE<TAB>ALT" for each Figure (PAGE 1-based)
 *   pdf_probe sizes PDF    "MIN MODE": the smallest font size of visible
 *                          (not white-space) text and the most common one,
 *                          by characters, in pt with two decimals
 *
 * Figures come in the structure tree's order (depth first); ALT is
 * "(none)" for one without alt text. Exit status 0; 1, with
 * "pdf_probe: PDF: why" on stderr, when the PDF cannot be read (figures:
 * also when it has no structure tree); 2, with the usage, for wrong
 * arguments. Everything it allocates is freed (the sanitizer build runs
 * the tests).
 */
#include <poppler.h>
#include <stdio.h>
#include <string.h>

typedef void figure_fn(PopplerStructureElement *figure, void *data);

/* visit(figure, data) for each Figure below and after iter, depth first */
static void walk_figures(PopplerStructureElementIter *iter, figure_fn *visit, void *data)
{
    do {
        PopplerStructureElement *e = poppler_structure_element_iter_get_element(iter);
        if (poppler_structure_element_get_kind(e) == POPPLER_STRUCTURE_ELEMENT_FIGURE)
            visit(e, data);
        g_object_unref(e);
        PopplerStructureElementIter *child = poppler_structure_element_iter_get_child(iter);
        if (child) {
            walk_figures(child, visit, data);
            poppler_structure_element_iter_free(child);
        }
    } while (poppler_structure_element_iter_next(iter));
}

/* walk_figures over doc's whole structure tree; false when it has none */
static gboolean each_figure(PopplerDocument *doc, figure_fn *visit, void *data)
{
    PopplerStructureElementIter *iter = poppler_structure_element_iter_new(doc);
    if (!iter)
        return FALSE;
    walk_figures(iter, visit, data);
    poppler_structure_element_iter_free(iter);
    return TRUE;
}

/* prints "PREFIX<TAB>ALT" */
static void print_alt(const char *prefix, PopplerStructureElement *figure)
{
    gchar *alt = poppler_structure_element_get_alt_text(figure);
    printf("%s\t%s\n", prefix, alt ? alt : "(none)");
    g_free(alt);
}

/* --- page1 ----------------------------------------------------------------------- */

static void page1_figure(PopplerStructureElement *figure, void *data)
{
    (void)data;
    if (poppler_structure_element_get_page(figure) == 0)
        print_alt("figure", figure);
}

static int page1(PopplerDocument *doc, const char *path)
{
    PopplerPage *page = poppler_document_get_n_pages(doc) > 0 ? poppler_document_get_page(doc, 0) : NULL;
    if (!page) {
        fprintf(stderr, "pdf_probe: %s: no page 1\n", path);
        return 1;
    }
    double w, h;
    poppler_page_get_size(page, &w, &h);
    printf("page\t%.1f %.1f\n", w, h);
    each_figure(doc, page1_figure, NULL);
    GList *images = poppler_page_get_image_mapping(page);
    for (GList *l = images; l; l = l->next) {
        const PopplerImageMapping *m = l->data;
        printf("image\t%.1f %.1f %.1f %.1f\n", m->area.x1, m->area.y1, m->area.x2, m->area.y2);
    }
    poppler_page_free_image_mapping(images);
    g_object_unref(page);
    return 0;
}

/* --- figures ----------------------------------------------------------------------- */

static void figures_figure(PopplerStructureElement *figure, void *data)
{
    (void)data;
    char page[16];
    snprintf(page, sizeof page, "%d", poppler_structure_element_get_page(figure) + 1);
    print_alt(page, figure);
}

static int figures(PopplerDocument *doc, const char *path)
{
    if (!each_figure(doc, figures_figure, NULL)) {
        fprintf(stderr, "pdf_probe: %s: no structure tree\n", path);
        return 1;
    }
    return 0;
}

/* --- sizes ----------------------------------------------------------------------- */

enum { MAX_SIZES = 64 }; /* distinct font sizes counted; more are only in MIN */

static int sizes(PopplerDocument *doc, const char *path)
{
    (void)path;
    double least = 1e9, size[MAX_SIZES] = {0};
    long count[MAX_SIZES] = {0}; /* visible characters at size[k] */
    int kinds = 0;
    for (int p = 0; p < poppler_document_get_n_pages(doc); p++) {
        PopplerPage *page = poppler_document_get_page(doc, p);
        char *text = poppler_page_get_text(page);
        long length = text ? g_utf8_strlen(text, -1) : 0;
        GList *attrs = poppler_page_get_text_attributes(page);
        for (GList *l = attrs; l; l = l->next) {
            const PopplerTextAttributes *a = l->data;
            long visible = 0;
            for (long i = a->start_index; i <= a->end_index && i < length; i++)
                visible += !g_unichar_isspace(g_utf8_get_char(g_utf8_offset_to_pointer(text, i)));
            if (!visible)
                continue;
            if (a->font_size < least)
                least = a->font_size;
            int k = 0;
            while (k < kinds && (size[k] - a->font_size > 0.01 || a->font_size - size[k] > 0.01))
                k++;
            if (k == kinds && kinds < MAX_SIZES)
                size[kinds++] = a->font_size;
            if (k < MAX_SIZES)
                count[k] += visible;
        }
        poppler_page_free_text_attributes(attrs);
        g_free(text);
        g_object_unref(page);
    }
    int mode = 0;
    for (int k = 1; k < kinds; k++)
        if (count[k] > count[mode])
            mode = k;
    printf("%.2f %.2f\n", least, size[mode]);
    return 0;
}

/* --- main ----------------------------------------------------------------------- */

static const struct command {
    const char *name;
    int (*run)(PopplerDocument *doc, const char *path);
} commands[] = {
    {"page1", page1},
    {"figures", figures},
    {"sizes", sizes},
};

static int usage(void)
{
    fputs("usage: pdf_probe page1 PDF      page 1's size, Figures and image rectangles\n"
          "       pdf_probe figures PDF    page and alt text of each Figure\n"
          "       pdf_probe sizes PDF      smallest and most common font size of visible text\n",
          stderr);
    return 2;
}

static PopplerDocument *open_pdf(const char *path)
{
    GError *error = NULL;
    gchar *absolute = g_canonicalize_filename(path, NULL); /* a URI needs an absolute path */
    gchar *uri = g_filename_to_uri(absolute, NULL, &error);
    g_free(absolute);
    PopplerDocument *doc = uri ? poppler_document_new_from_file(uri, NULL, &error) : NULL;
    g_free(uri);
    if (!doc)
        fprintf(stderr, "pdf_probe: %s: %s\n", path, error ? error->message : "cannot open");
    g_clear_error(&error);
    return doc;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return usage();
    const struct command *command = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            command = &commands[i];
    if (!command)
        return usage();
    PopplerDocument *doc = open_pdf(argv[2]);
    if (!doc)
        return 1;
    int status = command->run(doc, argv[2]);
    g_object_unref(doc);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("pdf_probe: stdout");
        return 1;
    }
    return status;
}
