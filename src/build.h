/* Build: one leaflet through every stage in every variant --
 * parse, style, layout, render, finish, write -- all or nothing: a leaflet
 * that fails anywhere keeps all its previous PDFs. */
#ifndef LEAFPRESS_BUILD_H
#define LEAFPRESS_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "doc.h"
#include "layout.h"

typedef struct build_options {
    bool write;            /* false: check only, write nothing */
    const char *output_dir, *styles_dir, *contacts_path, *fonts_dir;
    bool quiet;
    size_t jobs;           /* leaflets at once; 0: one per core */
    bool serial_finish;    /* finish PDFs on the calling thread (batch workers fill the cores) */
} build_options;

/* Prints the leaflet's diagnostics and one line per PDF written. */
bool build_leaflet(const build_options *o, const char *path, const contact_registry *registry,
                   const layout_resources *res);

/* Loads every style in the styles folder, not just the ones in use, and
 * prints their problems. Run it first: build_leaflet only names a broken
 * style it needs. */
bool check_all_styles(const build_options *o);

#endif
