/* Outputs: the plan of every file a run writes, worked out before anything
 * is written, and the all-or-nothing commit of one leaflet's files.
 *
 * For each source the plan holds its variants: the base style, every style
 * whose `extends` chain reaches it (grandchildren too: a style that extends
 * grote-letter is a variant of the leaflet as well), and the contact sheet.
 * Each variant has a name (SLUG + the style's suffix) and the kinds it
 * makes. With front matter `theme: NAME` every variant is built in that
 * theme (style_load_themed) and keeps its name: a theme adds no suffix. A
 * leaflet whose `style:` names a style that extends another is an error
 * that says how to make it a theme. Its paths are
 *
 *   screen   OUT/NAME.pdf
 *   print    OUT/print/NAME.pdf
 *   booklet  OUT/booklet/NAME.pdf
 *   proofs   OUT/proofs/NAME.png (overview), OUT/proofs/NAME-NN.png (page NN, from 01)
 *
 * Two outputs of a run with one path are an error naming both (source,
 * slug, style, suffix with their positions), found in an order that does
 * not depend on -j; so is the overview of one variant named like a page
 * proof of another (NAME-01.png). The plan is made in the main process and
 * read by the workers it forks, so every leaflet writes what was checked.
 *
 * Room for incremental builds and a run report: the plan names every
 * output before any work (so a state file can say which are current and
 * skip their leaflets), and an output_set holds each file's bytes just
 * before its commit (where sizes and hashes for a report can be taken). */
#ifndef LEAFPRESS_OUTPUTS_H
#define LEAFPRESS_OUTPUTS_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "doc.h"
#include "style.h"

/* A leaflet's base style and its variants, together. */
#define OUTPUTS_MAX_VARIANTS 64

typedef enum { KIND_SCREEN, KIND_PRINT, KIND_BOOKLET, KIND_PROOFS, KIND_COUNT } output_kind;

typedef struct output_switches {
    bool off[KIND_COUNT];      /* turned off on the command line (--no-print, ...) */
} output_switches;

typedef struct planned_variant {
    const char *style_name;    /* owned by the plan */
    const char *theme_name;    /* the leaflet's theme, owned by the plan; NULL: none */
    const style *style;        /* the variant in that theme; shared, owned by the plan */
    bool contact_sheet;
    char *name;                /* SLUG + suffix: the base of every path */
    bool kinds[KIND_COUNT];
    /* where the name comes from, for messages (line 0: defaulted) */
    const char *suffix_file;   /* the style file that sets the suffix; NULL: none */
    int suffix_line, suffix_column;
} planned_variant;

typedef struct planned_leaflet {
    const char *source;        /* as given */
    char *slug;
    int slug_line, slug_column; /* 0: the file's base name */
    char *lang;                /* the front matter's language; NULL when unreadable */
    planned_variant *variants;
    size_t variant_count;
    diag_list diags;           /* problems found while planning, for the leaflet's own report */
} planned_leaflet;

typedef struct style_entry style_entry;

typedef struct output_plan {
    const char *output_dir, *styles_dir;
    char *themes_dir;          /* beside styles_dir (style_themes_dir); owned */
    planned_leaflet *leaflets;
    size_t count;
    style_entry *styles;       /* every style loaded, once */
    size_t style_count;
    size_t collisions;         /* paths planned twice (reported) */
} output_plan;

/* Plans every source. Problems that stop one leaflet go to its own diags;
 * collisions between outputs go to `diags` (their count in ->collisions). */
void output_plan_make(output_plan *plan, const char *output_dir, const char *styles_dir,
                      const output_switches *switches, char *const *sources, size_t count,
                      const contact_registry *registry, diag_list *diags);
void output_plan_free(output_plan *plan);

/* A path of the plan. page: 0 for the overview proof, else the page (1-based). Caller frees. */
char *output_path(const output_plan *plan, const planned_variant *v, output_kind kind,
                  size_t page);

/* Style names in a folder (NAME.yaml), sorted. Caller frees each and the array. */
char **style_names(const char *dir, size_t *count);
void free_names(char **names, size_t count);

/* One leaflet's files, written together or not at all. */
typedef struct output_file {
    char *path;
    unsigned char *data;       /* owned */
    size_t length;
} output_file;

typedef struct output_set {
    output_file *files;
    size_t count;
    char **stale;              /* existing files to remove with the commit (old page proofs) */
    size_t stale_count;
} output_set;

void output_set_add(output_set *set, char *path, unsigned char *data, size_t length);
/* Marks for removal the page proofs OUT/proofs/NAME-NN.png with NN > pages. */
void output_set_prune_proofs(output_set *set, const output_plan *plan, const planned_variant *v,
                             size_t pages);
/* Creates the folders, checks that nothing but a file is in the way,
 * writes every file to a hidden temporary beside its target and syncs it,
 * then renames them all into place, keeping a hard link to each file
 * replaced so that a failing rename rolls back every one before it. On
 * failure every target is as it was and no temporary is left.
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT are blocked from the first
 * temporary on: the function returns with them blocked, and the caller
 * unblocks them (outputs_unblock_signals) once it has reported what was
 * written, so an interrupt never leaves a temporary or a half-told story. */
bool output_set_commit(output_set *set, diag_list *diags);
void output_set_free(output_set *set);
void outputs_unblock_signals(void);
/* True from the first temporary until outputs_unblock_signals: a signal
 * handler on another thread (one that has the signals unblocked, such as
 * a library's) must then defer, not end the process. Async-signal-safe. */
bool outputs_committing(void);

/* mkdir -p. False (errno set) when a part is not a folder or cannot be made. */
bool make_folders(const char *path);

#endif
