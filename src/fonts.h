/* Fonts: a private fontconfig configuration that sees the project's fonts/
 * folder and nothing else, so output is the same on every machine. */
#ifndef LEAFPRESS_FONTS_H
#define LEAFPRESS_FONTS_H

#include <fontconfig/fontconfig.h>
#include <pango/pango.h>
#include <stdbool.h>
#include "diag.h"

/* A Pango font map over fonts_dir's .ttf and .otf files only, with hinting
 * off (PDF output wants unhinted, scalable metrics). What each file holds
 * comes from a cache (XDG_CACHE_HOME/leafpress, fonts.c) while the file is
 * unchanged, else from FreeType: the same patterns either way. NULL after
 * reporting when the folder has no usable fonts. Unref with g_object_unref. */
PangoFontMap *fonts_open(const char *fonts_dir, diag_list *diags);

/* fonts_open in two steps. fonts_config: the folder's fonts as a fontconfig
 * configuration (no Pango, no thread: safe to make before a fork), NULL
 * after reporting; destroy with FcConfigDestroy. fonts_map: the Pango map
 * over it (which takes its own reference), and makes it fontconfig's
 * current configuration. */
FcConfig *fonts_config(const char *fonts_dir, diag_list *diags);
PangoFontMap *fonts_map(FcConfig *config);

/* Checks, without fontconfig, that fonts_dir holds font files: the batch
 * reports a bad folder once, before its workers start. */
bool fonts_check_dir(const char *fonts_dir, diag_list *diags);

/* Checks a font family list ("A, B, C", as a style writes it, at file
 * line:column) against the families of config's fonts: each name must be one of
 * them (compared as fontconfig does, ignoring case and spaces), or the
 * text would silently be set in the next family of the list. Reports each
 * unknown name as an error, with the closest family when one is close;
 * returns how many there were. fonts_dir only names the folder. */
size_t fonts_check_family_list(FcConfig *config, const char *fonts_dir, const char *list,
                               const char *file, int line, int column, diag_list *diags);

/* A context for laying out text with that map. */
PangoContext *fonts_context(PangoFontMap *map);

#endif
