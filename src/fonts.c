#include "fonts.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>

static bool is_font_file(const char *name)
{
    size_t n = strlen(name);
    return n >= 5 && (strcasecmp(name + n - 4, ".ttf") == 0 || strcasecmp(name + n - 4, ".otf") == 0);
}

bool fonts_check_dir(const char *fonts_dir, diag_list *diags)
{
    DIR *dir = opendir(fonts_dir);
    if (!dir) {
        diag_report(diags, SEVERITY_ERROR, fonts_dir, 0, 0, "cannot read the fonts folder");
        return false;
    }
    bool found = false;
    struct dirent *entry;
    while (!found && (entry = readdir(dir)))
        found = is_font_file(entry->d_name);
    closedir(dir);
    if (!found)
        diag_report(diags, SEVERITY_ERROR, fonts_dir, 0, 0, "no fonts found in the fonts folder");
    return found;
}

PangoFontMap *fonts_open(const char *fonts_dir, diag_list *diags)
{
    /* An empty configuration, not FcInitLoadConfig: the system's fonts and
     * aliases must not leak into the output. */
    FcConfig *config = FcConfigCreate();
    DIR *dir = opendir(fonts_dir);
    if (!config || !dir) {
        diag_report(diags, SEVERITY_ERROR, fonts_dir, 0, 0, "cannot read the fonts folder");
        if (config)
            FcConfigDestroy(config);
        if (dir)
            closedir(dir);
        return NULL;
    }
    /* File by file rather than FcConfigAppFontAddDir, which wants to write a
     * cache next to the user's and complains where it cannot. */
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        if (!is_font_file(entry->d_name))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", fonts_dir, entry->d_name);
        FcConfigAppFontAddFile(config, (const FcChar8 *)path);
    }
    closedir(dir);
    FcFontSet *set = FcConfigGetFonts(config, FcSetApplication);
    if (!set || set->nfont == 0) {
        diag_report(diags, SEVERITY_ERROR, fonts_dir, 0, 0, "no fonts found in the fonts folder");
        FcConfigDestroy(config);
        return NULL;
    }
    /* cairo's FreeType backend resolves patterns against the current config. */
    FcConfigSetCurrent(config);
    PangoFontMap *map = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
    pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(map), config);
    FcConfigDestroy(config); /* the map and fontconfig hold their own references */
    return map;
}

PangoContext *fonts_context(PangoFontMap *map)
{
    PangoContext *context = pango_font_map_create_context(map);
    cairo_font_options_t *options = cairo_font_options_create();
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(context, options);
    cairo_font_options_destroy(options);
    pango_context_set_round_glyph_positions(context, FALSE);
    return context;
}
