/* Build: one leaflet through every stage in every variant and every kind
 * of output -- parse, style, layout, render (screen, print, booklet,
 * proofs), finish, write -- all or nothing: a leaflet that fails anywhere,
 * or is interrupted, keeps all its previous files (outputs.h). */
#ifndef LEAFPRESS_BUILD_H
#define LEAFPRESS_BUILD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "doc.h"
#include "layout.h"
#include "outputs.h"

typedef struct build_options {
    bool write;            /* false: check only, write nothing */
    const char *output_dir, *styles_dir, *contacts_path, *fonts_dir;
    const char *project_root; /* images must lie inside it */
    bool quiet;
    bool werror;           /* a leaflet with warnings fails and writes nothing */
    bool progress;         /* one updating progress line on stderr (a terminal, not CI) */
    size_t jobs;           /* leaflets at once; 0: one per core */
    bool one_thread;       /* finish PDFs and encode proofs on the calling thread
                            * (the other batch workers fill the cores) */
    output_switches switches;
    bool have_epoch;       /* SOURCE_DATE_EPOCH, checked by main */
    long long epoch;
    /* Set by a stop signal while leaflets are built in the calling process
     * (batch.h); build_leaflet then gives up at its next stage, before
     * anything is written, and prints nothing. NULL: never. */
    volatile sig_atomic_t *stop;
} build_options;

/* Builds (or checks) plan->leaflets[index] into the outputs the plan gives
 * it. Prints the leaflet's diagnostics and one line per variant written
 * (nothing when o->stop ended it: it returns false then).
 * When it wrote, it returns with the interrupt signals blocked
 * (output_set_commit): the caller reports, then unblocks them. */
bool build_leaflet(const build_options *o, const output_plan *plan, size_t index,
                   const contact_registry *registry, const layout_resources *res);

/* Loads every style in the styles folder, not just the ones in use, and
 * every theme in the themes folder beside it in every style, and prints
 * their problems. Run it first: build_leaflet only names a broken
 * style it needs. False on an error (or, with werror, a warning). Adds
 * the font family lists they name to families (for build_batch, which
 * checks them against the fonts). */
bool check_all_styles(const build_options *o, style_family_set *families);

#endif
