/* Modules: the code that needs large libraries most runs never use is
 * built as shared modules beside the executable and loaded on first use,
 * so `--version`, `check` and builds without such needs do not pay for
 * loading them (glibc loads every linked library at start-up):
 *   leafpress-finish.so  PDF finishing (libqpdf, lcms2), see finish_module.h
 *   leafpress-svg.so     SVG (librsvg) and JPEG decoding (gdk-pixbuf), see svg_module.h
 * They are read from $LEAFPRESS_LIB_DIR when set, else from the folder of
 * the running executable. Built with LEAFPRESS_STATIC_MODULES (the fuzz
 * build), the same code is linked in and nothing is loaded. */
#ifndef LEAFPRESS_MODULES_H
#define LEAFPRESS_MODULES_H

#include <stddef.h>

/* The folder modules and compiled data (hyphenation) are read from;
 * "" when it cannot be found out. Computed once; thread-safe. */
const char *module_dir(void);

/* Loads file (e.g. "leafpress-finish.so") from module_dir() and returns
 * its symbol, a table whose first members are `unsigned abi; const char
 * *version;`, checked against abi and this build's version. NULL on any
 * failure, with the reason in error. Not thread-safe by itself: callers
 * load each module once (pthread_once). Never unloaded. */
const void *module_load(const char *file, const char *symbol, unsigned abi, char *error,
                        size_t error_size);

#endif
