/* Fonts: a private fontconfig configuration that sees the project's fonts/
 * folder and nothing else, so output is the same on every machine. */
#ifndef LEAFPRESS_FONTS_H
#define LEAFPRESS_FONTS_H

#include <pango/pango.h>
#include <stdbool.h>
#include "diag.h"

/* A Pango font map over fonts_dir's .ttf and .otf files only, with hinting
 * off (PDF output wants unhinted, scalable metrics). What each file holds
 * comes from a cache (XDG_CACHE_HOME/leafpress, fonts.c) while the file is
 * unchanged, else from FreeType: the same patterns either way. NULL after
 * reporting when the folder has no usable fonts. Unref with g_object_unref. */
PangoFontMap *fonts_open(const char *fonts_dir, diag_list *diags);

/* Checks, without fontconfig, that fonts_dir holds font files: the batch
 * reports a bad folder once, before its workers start. */
bool fonts_check_dir(const char *fonts_dir, diag_list *diags);

/* A context for laying out text with that map. */
PangoContext *fonts_context(PangoFontMap *map);

#endif
