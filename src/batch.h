/* Batch: many leaflets at once, in worker processes (one per core, or -j),
 * that take the largest leaflets first from a shared counter. Each
 * worker's output is captured and replayed in input order as soon as the
 * leaflets before it are done, so it reads as a sequential run would,
 * whatever -j.
 *
 * Interrupts: SIGINT, SIGTERM or SIGHUP to the main process stop every
 * worker at once (SIGTERM, SIGKILL a second later); a worker dies only
 * between two leaflets' commits (outputs.h), so every leaflet is written
 * whole or not at all, and no temporary file is left. A worker dies with
 * its parent whatever signal kills the parent (PR_SET_PDEATHSIG).
 *
 * With one worker (one leaflet, or -j 1) the leaflets are built in the
 * calling process instead: a stop signal then ends the run at the next
 * stage of the leaflet in hand (after a variant's layout, before its
 * commit), with the same guarantees. */
#ifndef LEAFPRESS_BATCH_H
#define LEAFPRESS_BATCH_H

#include <stddef.h>
#include <sys/types.h>

#include "build.h"
#include "outputs.h"

typedef struct batch_result {
    size_t failed;     /* leaflets that failed, or were not built because a worker died */
    size_t written;    /* leaflets whose files were written */
    size_t done;       /* leaflets finished, failed or not */
    size_t warnings;   /* warnings printed for the leaflets */
    int signal;        /* the signal that interrupted the run; 0: none */
    size_t worker_failures; /* workers that crashed or exited non-zero (the run fails) */
    size_t unknown_families; /* font families a style names that the fonts lack: nothing was built */
} batch_result;

/* Builds (or checks) every leaflet of the plan; sizes[i] (bytes of each
 * source, from the one stat main made) orders the work. First, once, every
 * font family list of families (check_all_styles: those of every style and
 * theme in the styles folder, used or not, so those of the plan's variants
 * too) is checked against the fonts (fonts.h): when one is missing, that is
 * reported and nothing is laid out (every leaflet counts as failed).
 * Nothing is checked when the plan is empty. */
void build_batch(const build_options *o, const output_plan *plan, const off_t *sizes,
                 const contact_registry *registry, const style_family_set *families,
                 batch_result *result);

#endif
