/* Incremental builds, reports and CI output, between the command line and
 * the batch: main plans every output (outputs.h), then
 *
 *   incremental_prepare   loads the state (state.h), checks every planned
 *                         output (fingerprint.h) and gives the plan of what
 *                         is out of date: a leaflet with no such output is
 *                         left out, a leaflet with some keeps only those
 *                         variants. Leaflets the planner found errors in
 *                         always stay, so that their build reports them.
 *   build_batch           builds that plan; build.c tells this module, in
 *                         whichever worker process, what each leaflet
 *                         depended on and wrote (the incremental_leaflet_*
 *                         hooks), through one record file per leaflet
 *   incremental_finish    reads the records, updates and saves the state,
 *                         writes --report, --depfile and the SARIF log
 *
 * or, for `status`, incremental_status lists what is out of date and why.
 *
 * A variant is rebuilt whole (its kinds share their inputs but for the
 * print profile); a file whose new bytes equal the bytes already on disk
 * is not rewritten, so an unchanged output keeps its mtime. A build with
 * nothing to do writes nothing: no record folder, and the state file only
 * when its text would change (what it learnt of the files' stat data). */
#ifndef LEAFPRESS_INCREMENTAL_H
#define LEAFPRESS_INCREMENTAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "batch.h"
#include "build.h"
#include "diag.h"
#include "outputs.h"
#include "report.h"

typedef struct incremental_options {
    const char *command;           /* "build", "check", "status" */
    bool force;                    /* everything is out of date */
    const char *report_path;       /* --report; NULL: none */
    const char *depfile_path;      /* --depfile; NULL: none */
    diag_format_kind format;       /* --diagnostics-format */
} incremental_options;

/* Call once the options are known, before any diagnostic is printed:
 * sets the diagnostics format and starts the run's clock. */
void incremental_setup(const incremental_options *io);

typedef struct incremental incremental;

/* Checks every output of plan against the state in o->output_dir and fills
 * *todo (a view of plan: free it with incremental_plan_view_free, never
 * output_plan_free) and *todo_sizes (caller frees) with what to build.
 * For `check`, todo is all of plan. */
incremental *incremental_prepare(const build_options *o, const output_plan *plan,
                                 const off_t *sizes, const contact_registry *registry,
                                 output_plan *todo, off_t **todo_sizes);
void incremental_plan_view_free(output_plan *todo);

/* `status`: one line per output that is out of date, with why; a summary.
 * Returns the exit status: 0 all up to date, 1 anything is not. */
int incremental_status(incremental *inc);

/* After build_batch(todo): state, report, depfile, SARIF. With inc NULL
 * (a run that stopped before planning: setup errors, collisions), the
 * report and SARIF of its diagnostics only. May set *status to 1 when a
 * report cannot be written. Once per run. */
void incremental_finish(incremental *inc, const output_plan *todo, const batch_result *r,
                        int *status);
void incremental_free(incremental *inc);

/* ---- hooks for build.c: no-ops outside a prepared build --------------- */

void incremental_leaflet_begin(const output_plan *plan, size_t index);
void incremental_leaflet_parsed(const document *doc, const contact_registry *registry);
/* Just before output_set_commit: records each file's digest and takes out
 * of the set every file whose bytes are those already on disk ... */
void incremental_before_commit(output_set *set);
/* ... and right after it (whatever it returned), puts them back in place. */
void incremental_after_commit(output_set *set);
/* After a successful commit, per variant built: its page counts. */
void incremental_variant_written(const planned_variant *v, size_t pages, size_t print_pages,
                                 size_t booklet_sides, size_t proofs);
/* After the leaflet has printed its diagnostics (they are recorded as printed). */
void incremental_leaflet_end(bool ok);

#endif
