/* The floor: the least a program can do to typeset a leaflet's text with
 * the libraries leafpress uses. Reads a leaflet source, drops the front
 * matter and the Markdown marks, sets every block as a plain paragraph
 * (Atkinson Hyperlegible Next 10.5 pt, leading 1.4, ragged right, no
 * hyphenation) on A5 pages with the house margins, with only the fonts in
 * fonts/ (a private fontconfig configuration, as leafpress has), and
 * writes a PDF with cairo. No structure tags, no finishing, no styles.
 *
 *   floor SOURCE.md OUT.pdf [FONTS_DIR]
 *   floor --version        start-up only: the libraries load, nothing is set
 *
 * Built by bench/run.sh against the same cairo as leafpress. */
#define _DEFAULT_SOURCE
#include <cairo-pdf.h>
#include <cairo.h>
#include <dirent.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MM (72.0 / 25.4)

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    if (!text || fread(text, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(text);
        return NULL;
    }
    text[n] = '\0';
    fclose(f);
    return text;
}

/* One block's text without Markdown marks: leading #, -, >, 1., list and
 * quote markers, ** and *, and [](contact:...) references. */
static void strip_marks(char *s)
{
    char *out = s;
    for (char *p = s; *p;) {
        if (p == s || p[-1] == '\n') {
            while (*p == '>' || *p == ' ')
                p++;
            while (*p == '#')
                p++;
            if ((*p == '-' || *p == '*') && p[1] == ' ')
                p += 2;
            while (*p == ' ')
                p++;
        }
        if (*p == '*') {
            p++;
        } else if (strncmp(p, "[](contact:", 11) == 0) {
            char *end = strchr(p, ')');
            p = end ? end + 1 : p + 1;
        } else if (*p == '\n' || *p == '\\') {
            *out++ = ' ';
            p++;
        } else {
            *out++ = *p++;
        }
    }
    *out = '\0';
}

static PangoFontMap *open_fonts(const char *dir_path)
{
    FcConfig *config = FcConfigCreate();
    DIR *dir = opendir(dir_path);
    if (!dir)
        return NULL;
    struct dirent *e;
    while ((e = readdir(dir))) {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcmp(e->d_name + n - 4, ".ttf") == 0) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir_path, e->d_name);
            FcConfigAppFontAddFile(config, (const FcChar8 *)path);
        }
    }
    closedir(dir);
    FcConfigSetCurrent(config);
    PangoFontMap *map = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
    pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(map), config);
    FcConfigDestroy(config);
    return map;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("floor (cairo %s, pango %s)\n", cairo_version_string(), pango_version_string());
        return 0;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: floor SOURCE.md OUT.pdf [FONTS_DIR] | floor --version\n");
        return 2;
    }
    char *text = slurp(argv[1]);
    if (!text) {
        perror(argv[1]);
        return 1;
    }
    char *body = text;
    if (strncmp(text, "---\n", 4) == 0) {
        char *end = strstr(text + 4, "\n---\n");
        body = end ? end + 5 : text;
    }
    PangoFontMap *map = open_fonts(argc > 3 ? argv[3] : "fonts");
    if (!map) {
        fprintf(stderr, "no fonts\n");
        return 1;
    }
    const double width = 148 * MM, height = 210 * MM;
    const double left = 18 * MM, right = 15 * MM, top = 16 * MM, bottom = 20 * MM;
    cairo_surface_t *surface = cairo_pdf_surface_create(argv[2], width, height);
    cairo_t *cr = cairo_create(surface);
    PangoContext *context = pango_font_map_create_context(map);
    pango_cairo_update_context(cr, context);
    PangoFontDescription *font = pango_font_description_from_string("Atkinson Hyperlegible Next 10.5");
    double y = top;
    int pages = 1;
    for (char *block = body; block && *block;) {
        char *next = strstr(block, "\n\n");
        if (next) {
            *next = '\0';
            next += 2;
        }
        strip_marks(block);
        if (*block) {
            PangoLayout *layout = pango_layout_new(context);
            pango_layout_set_font_description(layout, font);
            pango_layout_set_width(layout, (int)((width - left - right) * PANGO_SCALE));
            pango_layout_set_wrap(layout, PANGO_WRAP_WORD);
            pango_layout_set_line_spacing(layout, 1.4f);
            pango_layout_set_text(layout, block, -1);
            PangoLayoutIter *it = pango_layout_get_iter(layout);
            int base = 0;
            do {
                PangoRectangle logical;
                pango_layout_iter_get_line_extents(it, NULL, &logical);
                double line_top = (double)(logical.y - base) / PANGO_SCALE;
                double line_height = (double)logical.height / PANGO_SCALE;
                if (y + line_top + line_height > height - bottom) {
                    cairo_show_page(cr);
                    pages++;
                    y = top;
                    base = logical.y;
                    line_top = 0;
                }
                cairo_move_to(cr, left, y + line_top +
                                            (double)(pango_layout_iter_get_baseline(it) - logical.y) /
                                                PANGO_SCALE);
                pango_cairo_show_layout_line(cr, pango_layout_iter_get_line_readonly(it));
            } while (pango_layout_iter_next_line(it));
            PangoRectangle ink, logical;
            pango_layout_get_extents(layout, &ink, &logical);
            y += (double)(logical.height - base) / PANGO_SCALE + 5; /* space_after 5pt */
            pango_layout_iter_free(it);
            g_object_unref(layout);
        }
        block = next;
    }
    pango_font_description_free(font);
    g_object_unref(context);
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    int status = cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS ? 0 : 1;
    cairo_surface_destroy(surface);
    g_object_unref(map);
    free(text);
    fprintf(stderr, "floor: %d pages\n", pages);
    return status;
}
