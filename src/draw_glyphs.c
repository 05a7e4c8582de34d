/* Why the soft hyphen is drawn on its own: a PDF font maps each glyph to one
 * text, and the fonts have one hyphen glyph for both "-" and the hyphen that
 * a line break at a soft hyphen shows. cairo then writes one of the two
 * uses as an ActualText span nested in the paragraph's marked content, and
 * readers that follow the structure (poppler's included) stop reading the
 * paragraph there. So the line-end hyphen is drawn from a second instance of
 * the same font file, a font of its own in the PDF whose one glyph means
 * U+00AD. It looks the same and measures the same. */
#include "draw_glyphs.h"

#include <cairo-ft.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangofc-font.h>
#include <stdbool.h>
#include <string.h>

#include FT_FREETYPE_H

#define SOFT_HYPHEN "\xC2\xAD"

/* The second instances, one per font file, for the life of the process
 * (a handful: the bundled fonts). */
typedef struct {
    char *file;
    int index;
    cairo_font_face_t *face;
} hyphen_face;

static FT_Library library;
static hyphen_face faces[16];
static size_t face_count;
static const cairo_user_data_key_t ft_face_key;

static void done_face(void *face) { FT_Done_Face(face); }

/* NULL when the font is not a plain file fontconfig found as it is (a
 * synthetic bold or slant would not match): the hyphen is then drawn in
 * the run, as before. */
static cairo_font_face_t *hyphen_face_for(PangoFont *font)
{
    if (!PANGO_IS_FC_FONT(font))
        return NULL;
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS
    FcPattern *pattern = pango_fc_font_get_pattern(PANGO_FC_FONT(font));
    G_GNUC_END_IGNORE_DEPRECATIONS
    FcChar8 *file = NULL;
    int index = 0;
    FcBool embolden = FcFalse;
    FcMatrix *matrix = NULL;
    if (!pattern || FcPatternGetString(pattern, FC_FILE, 0, &file) != FcResultMatch)
        return NULL;
    FcPatternGetInteger(pattern, FC_INDEX, 0, &index);
    FcPatternGetBool(pattern, FC_EMBOLDEN, 0, &embolden);
    FcPatternGetMatrix(pattern, FC_MATRIX, 0, &matrix);
    if (embolden || (matrix && (matrix->xx != 1 || matrix->xy != 0 || matrix->yx != 0 ||
                                matrix->yy != 1)))
        return NULL;
    for (size_t i = 0; i < face_count; i++)
        if (faces[i].index == index && strcmp(faces[i].file, (const char *)file) == 0)
            return faces[i].face;
    if (face_count == sizeof faces / sizeof *faces)
        return NULL;
    if (!library && FT_Init_FreeType(&library) != 0)
        return NULL;
    FT_Face ft;
    if (FT_New_Face(library, (const char *)file, index, &ft) != 0)
        return NULL;
    cairo_font_face_t *face = cairo_ft_font_face_create_for_ft_face(ft, 0);
    if (cairo_font_face_set_user_data(face, &ft_face_key, ft, done_face) != CAIRO_STATUS_SUCCESS) {
        cairo_font_face_destroy(face);
        FT_Done_Face(ft);
        return NULL;
    }
    faces[face_count++] = (hyphen_face){g_strdup((const char *)file), index, face};
    return face;
}

/* How many glyphs at the end of the run show the soft hyphen a line ends
 * at (Pango gives it an empty glyph, then the hyphen), or 0. */
static int shown_soft_hyphen_glyphs(const char *text, const PangoGlyphItem *run)
{
    const PangoItem *item = run->item;
    const PangoGlyphString *glyphs = run->glyphs;
    int last = glyphs->num_glyphs - 1, cluster = item->length - 2;
    if (item->analysis.level % 2 != 0 || last < 0 || cluster < 0 ||
        memcmp(text + item->offset + cluster, SOFT_HYPHEN, 2) != 0 ||
        glyphs->log_clusters[last] != cluster ||
        (glyphs->glyphs[last].glyph & PANGO_GLYPH_UNKNOWN_FLAG) ||
        glyphs->glyphs[last].glyph == PANGO_GLYPH_EMPTY)
        return 0;
    int first = last;
    while (first > 0 && glyphs->log_clusters[first - 1] == cluster) {
        if (glyphs->glyphs[first - 1].glyph != PANGO_GLYPH_EMPTY)
            return 0;
        first--;
    }
    return last - first + 1;
}

/* Whether the soft hyphen at byte `at` of the run's text is one a line
 * ends at: Pango then shapes a hyphen after it (NEED_HYPHEN). */
static bool shows_hyphen(const PangoItem *item, int at)
{
    return at == item->length - 2 && (item->analysis.flags & PANGO_ANALYSIS_FLAG_NEED_HYPHEN);
}

/* Where byte `offset` of the run goes once the soft hyphens that start at
 * drop[0..count) (ascending, relative to the item) are gone. */
static int shifted(const int *drop, int count, int offset)
{
    int before = 0;
    while (before < count && drop[before] < offset)
        before++;
    return offset - 2 * before;
}

bool glyph_run_without_unused_soft_hyphens(const char *text, const PangoGlyphItem *run,
                                           drawn_run *out)
{
    const PangoItem *item = run->item;
    const PangoGlyphString *glyphs = run->glyphs;
    const char *t = text + item->offset;
    int *drop = NULL, count = 0;
    /* glyph i is the empty glyph of a dropped soft hyphen */
    bool *gone = NULL;
    for (int i = 0; i + 1 < item->length; i++) {
        if (!((unsigned char)t[i] == 0xC2 && (unsigned char)t[i + 1] == 0xAD) || shows_hyphen(item, i))
            continue;
        /* its empty glyph: the cluster that holds it, which is its own
         * unless a ligature or a mark joined it to its neighbours */
        int cluster = -1, empty = -1;
        for (int g = 0; g < glyphs->num_glyphs; g++)
            if (glyphs->log_clusters[g] <= i && glyphs->log_clusters[g] > cluster)
                cluster = glyphs->log_clusters[g];
        for (int g = 0; g < glyphs->num_glyphs && empty < 0; g++)
            if (glyphs->log_clusters[g] == cluster && glyphs->glyphs[g].glyph == PANGO_GLYPH_EMPTY &&
                glyphs->glyphs[g].geometry.width == 0 && (!gone || !gone[g]))
                empty = g;
        if (empty < 0)
            continue; /* shaped to something visible: leave it as it is */
        if (!drop) {
            drop = g_new(int, item->length / 2 + 1);
            gone = g_new0(bool, glyphs->num_glyphs);
        }
        drop[count++] = i;
        gone[empty] = true;
        i++;
    }
    if (!count)
        return false;

    char *kept = g_malloc((size_t)item->length - 2 * (size_t)count + 1);
    for (int i = 0, k = 0, n = 0; i < item->length; i++) {
        if (k < count && drop[k] == i) {
            i++;
            k++;
            continue;
        }
        kept[n++] = t[i];
    }
    kept[item->length - 2 * count] = '\0';
    out->text = kept;
    out->item = *item;
    out->item.offset = 0;
    out->item.length -= 2 * count;
    out->item.num_chars -= count;
    out->glyphs.num_glyphs = glyphs->num_glyphs - count;
    out->glyphs.space = out->glyphs.num_glyphs;
    out->glyphs.glyphs = g_new(PangoGlyphInfo, (size_t)out->glyphs.num_glyphs + 1);
    out->glyphs.log_clusters = g_new(int, (size_t)out->glyphs.num_glyphs + 1);
    for (int g = 0, n = 0; g < glyphs->num_glyphs; g++) {
        if (gone[g])
            continue;
        out->glyphs.glyphs[n] = glyphs->glyphs[g];
        out->glyphs.log_clusters[n] = shifted(drop, count, glyphs->log_clusters[g]);
        n++;
    }
    out->run = *run;
    out->run.item = &out->item;
    out->run.glyphs = &out->glyphs;
    g_free(drop);
    g_free(gone);
    return true;
}

void drawn_run_clear(drawn_run *r)
{
    g_free(r->text);
    g_free(r->glyphs.glyphs);
    g_free(r->glyphs.log_clusters);
    memset(r, 0, sizeof *r);
}

void draw_glyph_run(cairo_t *cr, const char *text, PangoGlyphItem *run)
{
    /* the soft hyphens no line ends at, left out */
    drawn_run filtered;
    bool is_filtered = glyph_run_without_unused_soft_hyphens(text, run, &filtered);
    if (is_filtered) {
        if (filtered.glyphs.num_glyphs == 0) { /* a run of soft hyphens only */
            drawn_run_clear(&filtered);
            return;
        }
        text = filtered.text;
        run = &filtered.run;
    }
    int tail = shown_soft_hyphen_glyphs(text, run);
    cairo_font_face_t *face = tail ? hyphen_face_for(run->item->analysis.font) : NULL;
    if (!face) {
        pango_cairo_show_glyph_item(cr, text, run);
        if (is_filtered)
            drawn_run_clear(&filtered);
        return;
    }
    /* the run without its last character and the glyphs that show it */
    PangoItem head_item = *run->item;
    head_item.length -= 2;
    head_item.num_chars -= 1;
    PangoGlyphString head_glyphs = *run->glyphs;
    head_glyphs.num_glyphs -= tail;
    PangoGlyphItem head = *run;
    head.item = &head_item;
    head.glyphs = &head_glyphs;
    double x, y;
    cairo_get_current_point(cr, &x, &y);
    if (head_glyphs.num_glyphs > 0)
        pango_cairo_show_glyph_item(cr, text, &head);

    /* then the hyphen where Pango put it, in the same size */
    const PangoGlyphInfo *info = &run->glyphs->glyphs[run->glyphs->num_glyphs - 1];
    int advance = 0;
    for (int i = 0; i + 1 < run->glyphs->num_glyphs; i++)
        advance += run->glyphs->glyphs[i].geometry.width;
    cairo_scaled_font_t *scaled =
        pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(run->item->analysis.font));
    cairo_matrix_t font_matrix;
    cairo_font_options_t *options = cairo_font_options_create();
    cairo_scaled_font_get_font_matrix(scaled, &font_matrix);
    cairo_scaled_font_get_font_options(scaled, options);
    cairo_save(cr);
    cairo_set_font_face(cr, face);
    cairo_set_font_matrix(cr, &font_matrix);
    cairo_set_font_options(cr, options);
    cairo_glyph_t glyph = {
        .index = info->glyph,
        .x = x + (double)(advance + info->geometry.x_offset) / PANGO_SCALE,
        .y = y + (double)(info->geometry.y_offset) / PANGO_SCALE,
    };
    cairo_text_cluster_t cluster = {.num_bytes = 2, .num_glyphs = 1};
    cairo_show_text_glyphs(cr, SOFT_HYPHEN, 2, &glyph, 1, &cluster, 1, 0);
    cairo_restore(cr);
    cairo_font_options_destroy(options);
    if (is_filtered)
        drawn_run_clear(&filtered);
}
