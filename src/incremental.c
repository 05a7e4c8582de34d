#define _DEFAULT_SOURCE /* mkdtemp */
#include "incremental.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "depfile.h"
#include "fingerprint.h"
#include "state.h"
#include "textutil.h"

static const char *const KIND_WORDS[KIND_COUNT] = {"screen", "print", "booklet", "proof"};

/* One planned output: a kind of a variant of a leaflet. */
typedef struct planned_output {
    size_t leaflet, variant;   /* in the plan */
    output_kind kind;
    char *path;
    dep_list fresh;            /* fp_variant_deps, evaluated before anything was built */
    bool todo;                 /* out of date (or the run builds everything) */
    char *why;                 /* why it is out of date */
} planned_output;

struct incremental {
    const build_options *o;
    const output_plan *plan;
    const contact_registry *registry;
    leaf_state state;
    char *state_file;
    char *state_problem;       /* why the state could not be used; NULL: it could */
    char *state_text;          /* the state file as loaded (NULL: none) */
    size_t state_length;
    bool state_existed;        /* there was a state file (usable or not) */
    planned_output *outputs;
    size_t count;
    bool checks;               /* build and status compare with the state; check does not */
    size_t *todo_leaflets;     /* todo's leaflet k is plan leaflet todo_leaflets[k] */
};

/* What the run has gathered; in a worker, only the current leaflet matters. */
static struct {
    incremental_options io;
    struct timespec start;
    bool active;               /* a prepared build or check: hooks record */
    char *record_dir;
    int record_lock;           /* with record_dir: it, open and flock'd while the run lives (or -1) */
    incremental *inc;          /* main's; a worker reads its copy */
    const output_plan *todo;
    bool in_leaflet;
    size_t leaflet;
    struct timespec leaflet_start;
    size_t journal_start;      /* the cache's journal when the leaflet began */
    strbuf record;
    output_file *held;         /* files kept out of a commit: bytes already on disk */
    size_t *held_at;
    size_t held_count;
    run_report report;         /* main: the diagnostics printed outside a leaflet */
    bool finished;
} g;

static double ms_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) * 1e3 + (double)(now.tv_nsec - t->tv_nsec) / 1e6;
}

/* ---- diagnostics ---------------------------------------------------------- */

static void record_diag(const diag *d)
{
    strbuf_printf(&g.record, "diag %d %d %d %d ", (int)d->level, d->line, d->column, d->file != NULL);
    state_escape(&g.record, d->file ? d->file : "");
    strbuf_puts(&g.record, " ");
    state_escape(&g.record, d->message ? d->message : "");
    strbuf_puts(&g.record, "\n");
}

static void print_diags(const diag_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        const diag *d = &list->items[i];
        /* workflow commands on stdout, where the runner looks for them; with
         * SARIF (on stdout at the end) the log keeps the plain lines */
        if (g.io.format == DIAG_FORMAT_GITHUB) {
            char *command = diag_github_command(d);
            fflush(stderr);
            printf("%s\n", command);
            fflush(stdout);
            free(command);
        } else {
            char *line = diag_format(d);
            fprintf(stderr, "%s\n", line);
            free(line);
        }
        if (g.in_leaflet)
            record_diag(d);
        else
            report_add_diag(&g.report, d, NULL);
    }
}

void incremental_setup(const incremental_options *io)
{
    g.io = *io;
    clock_gettime(CLOCK_MONOTONIC, &g.start);
    g.report.command = io->command;
    diag_set_print_hook(print_diags);
}


/* A run's record folder (TMPDIR/leafpress-run-XXXXXX) is removed at its
 * end; a run killed with SIGKILL cannot, so each run removes those of
 * runs that are gone: folders of this user whose lock (flock, released
 * by the kernel when the run and its workers die) it can take, and older
 * than a few seconds (a new run takes its lock just after making it). */
static void remove_dead_record_dirs(const char *tmp)
{
    DIR *d = opendir(tmp);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "leafpress-run-", 14) != 0)
            continue;
        int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0)
            continue;
        if (fstat(fd, &st) == 0 && st.st_uid == getuid() && time(NULL) - st.st_mtime > 5 &&
            flock(fd, LOCK_EX | LOCK_NB) == 0) {
            int list_fd = dup(fd);
            DIR *records = list_fd >= 0 ? fdopendir(list_fd) : NULL;
            if (!records && list_fd >= 0)
                close(list_fd);
            for (struct dirent *r; records && (r = readdir(records));)
                if (strcmp(r->d_name, ".") != 0 && strcmp(r->d_name, "..") != 0)
                    unlinkat(fd, r->d_name, 0);
            if (records)
                closedir(records);
            unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
        }
        close(fd);
    }
    closedir(d);
}

/* ---- prepare ---------------------------------------------------------------- */

static void add_output(incremental *inc, size_t li, size_t vi, output_kind kind)
{
    const planned_leaflet *l = &inc->plan->leaflets[li];
    const planned_variant *v = &l->variants[vi];
    inc->outputs = xrealloc(inc->outputs, (inc->count + 1) * sizeof *inc->outputs);
    planned_output *p = &inc->outputs[inc->count++];
    memset(p, 0, sizeof *p);
    p->leaflet = li;
    p->variant = vi;
    p->kind = kind;
    p->path = output_path(inc->plan, v, kind, 0);
    /* the print PDF alone carries the output profile */
    const char *profile = kind == KIND_PRINT && v->style ? v->style->print_profile : NULL;
    fp_variant_deps(&p->fresh, &inc->state.files, l->source, inc->plan->styles_dir,
                    v->style_name, inc->o->fonts_dir, profile);
    /* the theme's files too: a changed colour rebuilds every variant in it */
    fp_theme_deps(&p->fresh, &inc->state.files, inc->plan->themes_dir, v->theme_name);
    if (v->style && v->style->cover_logo && *v->style->cover_logo) /* on the cover */
        fp_image_dep(&p->fresh, v->style->cover_logo);
}

/* A page proof NAME-NN.png past a current output's last page (left by an
 * earlier, longer version, or put there by hand) is removed only when its
 * variant is built (output_set_prune_proofs): so it makes the variant out
 * of date. The folder is read once for all variants. */
static void find_stale_proofs(incremental *inc)
{
    GHashTable *proofs = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < inc->count; i++)
        if (inc->outputs[i].kind == KIND_PROOFS && !inc->outputs[i].todo)
            g_hash_table_insert(proofs, inc->outputs[i].path, &inc->outputs[i]);
    strbuf dir = {0};
    strbuf_printf(&dir, "%s/proofs", inc->plan->output_dir);
    DIR *d = g_hash_table_size(proofs) ? opendir(dir.data) : NULL;
    struct dirent *e;
    strbuf overview = {0};
    while (d && (e = readdir(d))) {
        const char *f = e->d_name, *dash = strrchr(f, '-');
        size_t n = strlen(f);
        if (!dash || n < 4 || strcmp(f + n - 4, ".png") != 0)
            continue;
        size_t digits = (size_t)(f + n - 4 - (dash + 1)), number = 0;
        bool all = digits >= 2 && digits < 9;
        for (const char *c = dash + 1; all && c < f + n - 4; c++) {
            all = *c >= '0' && *c <= '9';
            number = number * 10 + (size_t)(*c - '0');
        }
        if (!all)
            continue;
        overview.length = 0;
        strbuf_printf(&overview, "%s/", dir.data);
        strbuf_append(&overview, f, (size_t)(dash - f));
        strbuf_puts(&overview, ".png");
        planned_output *p = g_hash_table_lookup(proofs, overview.data);
        const state_output *s = p ? state_find(&inc->state, p->path) : NULL;
        if (s && number > (size_t)s->pages) {
            p->todo = true;
            free(p->why);
            strbuf why = {0};
            strbuf_printf(&why, "%s/%s is past its last page", dir.data, f);
            p->why = strbuf_take(&why);
            g_hash_table_remove(proofs, p->path);
        }
    }
    if (d)
        closedir(d);
    free(overview.data);
    free(dir.data);
    g_hash_table_destroy(proofs);
}

static bool leaflet_must_build(const planned_leaflet *l)
{
    /* its build reports what the planner found */
    return l->variant_count == 0 || l->diags.errors > 0;
}

incremental *incremental_prepare(const build_options *o, const output_plan *plan,
                                 const off_t *sizes, const contact_registry *registry,
                                 output_plan *todo, off_t **todo_sizes)
{
    incremental *inc = xcalloc(1, sizeof *inc);
    inc->o = o;
    inc->plan = plan;
    inc->registry = registry;
    inc->checks = strcmp(g.io.command, "check") != 0;
    inc->state_file = state_path(o->output_dir);
    if (inc->checks) {
        struct stat st;
        inc->state_existed = lstat(inc->state_file, &st) == 0;
        /* state_load, keeping the text: a run rewrites it only when it changed */
        inc->state_text = read_file(inc->state_file, &inc->state_length);
        if (inc->state_text)
            state_parse(&inc->state, inc->state_text, inc->state_length, &inc->state_problem);
        else
            state_load(&inc->state, inc->state_file, &inc->state_problem);
    }
    fp_context ctx = {&inc->state.files, registry};
    for (size_t li = 0; li < plan->count; li++) {
        const planned_leaflet *l = &plan->leaflets[li];
        for (size_t vi = 0; vi < l->variant_count; vi++)
            for (int k = 0; k < KIND_COUNT; k++)
                if (l->variants[vi].kinds[k])
                    add_output(inc, li, vi, (output_kind)k);
    }
    for (size_t i = 0; i < inc->count; i++) {
        planned_output *p = &inc->outputs[i];
        const planned_leaflet *l = &plan->leaflets[p->leaflet];
        /* evaluated now, before the build reads anything (check records nothing) */
        if (inc->checks)
            fp_evaluate(&ctx, &p->fresh);
        if (!inc->checks) {
            p->todo = true;
        } else if (g.io.force) {
            p->todo = true;
            p->why = xstrdup("--force");
        } else if (leaflet_must_build(l)) {
            p->todo = true;
            p->why = xstrdup("its source or style has errors");
        } else if (inc->state_problem && !inc->state.count) {
            p->todo = true;
            p->why = xstrdup(inc->state_problem);
        } else {
            p->todo = !state_check(&inc->state, &ctx, p->path, &p->fresh, &p->why);
        }
    }

    if (inc->checks)
        find_stale_proofs(inc);

    /* the view: leaflets with something to do, with only those variants */
    memset(todo, 0, sizeof *todo);
    todo->output_dir = plan->output_dir;
    todo->styles_dir = plan->styles_dir;
    todo->themes_dir = plan->themes_dir; /* the plan's: the view frees none of it */
    todo->styles = plan->styles;
    todo->style_count = plan->style_count;
    todo->leaflets = xcalloc(plan->count + 1, sizeof *todo->leaflets);
    *todo_sizes = xcalloc(plan->count + 1, sizeof **todo_sizes);
    inc->todo_leaflets = xcalloc(plan->count + 1, sizeof *inc->todo_leaflets);
    for (size_t li = 0; li < plan->count; li++) {
        const planned_leaflet *l = &plan->leaflets[li];
        bool *wanted = xcalloc(l->variant_count + 1, sizeof *wanted);
        bool any = leaflet_must_build(l);
        for (size_t i = 0; i < inc->count; i++)
            if (inc->outputs[i].leaflet == li && inc->outputs[i].todo)
                any = wanted[inc->outputs[i].variant] = true;
        if (any) {
            planned_leaflet *t = &todo->leaflets[todo->count];
            *t = *l; /* shares every string with the plan */
            t->variants = xcalloc(l->variant_count + 1, sizeof *t->variants);
            t->variant_count = 0;
            for (size_t vi = 0; vi < l->variant_count; vi++)
                if (wanted[vi] || leaflet_must_build(l))
                    t->variants[t->variant_count++] = l->variants[vi];
            inc->todo_leaflets[todo->count] = li;
            (*todo_sizes)[todo->count] = sizes[li];
            todo->count++;
        }
        free(wanted);
    }

    if (strcmp(g.io.command, "status") != 0) {
        g.active = true;
        g.inc = inc;
        g.todo = todo;
    }
    /* records only come from leaflets built: a run that builds none needs no folder */
    if (strcmp(g.io.command, "status") != 0 && todo->count > 0) {
        char templ[] = "/tmp/leafpress-run-XXXXXX";
        const char *tmp = getenv("TMPDIR");
        tmp = tmp && *tmp ? tmp : "/tmp";
        remove_dead_record_dirs(tmp);
        if (strcmp(tmp, "/tmp") != 0)
            remove_dead_record_dirs("/tmp");
        strbuf dir = {0};
        strbuf_printf(&dir, "%s/leafpress-run-XXXXXX", tmp);
        if (mkdtemp(dir.data)) {
            g.record_dir = strbuf_take(&dir);
        } else if (mkdtemp(templ)) {
            g.record_dir = xstrdup(templ);
            free(dir.data);
        } else {
            free(dir.data); /* no records: the report and state miss this run's builds */
            fprintf(stderr, "leafpress: warning: no temporary folder (%s): the build state and "
                            "report will not include this run\n", strerror(errno));
        }
        /* held until the end, so no other run takes it for a dead one's */
        g.record_lock = g.record_dir ? open(g.record_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (g.record_lock >= 0)
            flock(g.record_lock, LOCK_EX);
    }
    bool unusable = inc->state_problem && !inc->state.count;
    if (strcmp(g.io.command, "build") == 0 && unusable && inc->state_existed && !g.io.force)
        fprintf(stderr, "leafpress: warning: %s: %s; building everything\n", inc->state_file,
                inc->state_problem);
    bool partial = false;
    for (size_t i = 0; i < inc->count && !partial; i++)
        partial = !inc->outputs[i].todo;
    if (!o->quiet && strcmp(g.io.command, "build") == 0 && partial) {
        /* a partial build says why, once per leaflet rebuilt */
        for (size_t k = 0; k < todo->count; k++) {
            size_t li = inc->todo_leaflets[k];
            for (size_t i = 0; i < inc->count; i++)
                if (inc->outputs[i].leaflet == li && inc->outputs[i].todo && inc->outputs[i].why) {
                    printf("leafpress: building %s: %s\n", plan->leaflets[li].source,
                           inc->outputs[i].why);
                    break;
                }
        }
        fflush(stdout);
    }
    return inc;
}

void incremental_plan_view_free(output_plan *todo)
{
    for (size_t i = 0; i < todo->count; i++)
        free(todo->leaflets[i].variants);
    free(todo->leaflets);
    memset(todo, 0, sizeof *todo);
}

/* ---- status ------------------------------------------------------------------- */

/* The theme file a variant is built in, for the report; NULL: none. */
static char *theme_file(const incremental *inc, const planned_variant *v)
{
    return v->theme_name ? xasprintf("%s/%s.yaml", inc->plan->themes_dir, v->theme_name) : NULL;
}

/* A run without --report or SARIF builds no report: a no-op need not
 * list its outputs to nobody. */
static bool report_wanted(void)
{
    return g.io.report_path || g.io.format == DIAG_FORMAT_SARIF;
}

static void report_from_state(run_report *r, const incremental *inc, const planned_output *p,
                              output_status status, const char *reason)
{
    if (!report_wanted())
        return;
    const planned_leaflet *l = &inc->plan->leaflets[p->leaflet];
    const planned_variant *v = &l->variants[p->variant];
    report_output o = {.source = xstrdup(l->source), .variant = xstrdup(v->name),
                       .kind = xstrdup(KIND_WORDS[p->kind]), .path = xstrdup(p->path),
                       .status = status, .pages = -1, .bytes = -1,
                       .reason = reason ? xstrdup(reason) : NULL,
                       .theme = theme_file(inc, v)};
    const state_output *s = state_find(&inc->state, p->path);
    if (s && status != STATUS_FAILED) {
        o.pages = s->pages;
        o.bytes = 0;
        for (size_t f = 0; f < s->file_count; f++) {
            report_output_add_file(&o, s->files[f].path, s->files[f].bytes, &s->files[f].digest);
            o.bytes += s->files[f].bytes;
        }
        if (s->file_count)
            o.sha256 = s->files[0].digest;
    }
    report_add_output(r, &o);
}

static void write_report_files(int *status);

int incremental_status(incremental *inc)
{
    size_t stale = 0;
    for (size_t i = 0; i < inc->count; i++) {
        const planned_output *p = &inc->outputs[i];
        if (p->todo) {
            if (!stale++ && !inc->o->quiet)
                printf("Out of date:\n");
            printf("  %-44s %s\n", p->path, p->why ? p->why : "");
        }
        report_from_state(&g.report, inc, p, p->todo ? STATUS_OUT_OF_DATE : STATUS_UNCHANGED,
                          p->why);
    }
    for (size_t li = 0; li < inc->plan->count; li++)
        if (inc->plan->leaflets[li].variant_count == 0) {
            if (!stale++ && !inc->o->quiet)
                printf("Out of date:\n");
            printf("  %-44s cannot be planned: run `leafpress check %s`\n",
                   inc->plan->leaflets[li].source, inc->plan->leaflets[li].source);
        }
    if (!inc->o->quiet) {
        if (stale)
            printf("leafpress: %zu of %zu outputs out of date; `leafpress build` brings them up "
                   "to date\n", stale, inc->count);
        else
            printf("leafpress: all %zu outputs up to date\n", inc->count);
    }
    g.report.leaflets = inc->plan->count;
    int status = stale ? 1 : 0;
    write_report_files(&status);
    g.finished = true;
    return status;
}

/* ---- hooks (any process) ---------------------------------------------------- */

void incremental_leaflet_begin(const output_plan *plan, size_t index)
{
    if (!g.active || plan != g.todo)
        return;
    g.in_leaflet = true;
    g.leaflet = index;
    g.record.length = 0;
    if (g.record.data)
        g.record.data[0] = '\0';
    strbuf_printf(&g.record, "leaflet %zu\n", index);
    g.journal_start = g.inc->state.files.journal_count;
    clock_gettime(CLOCK_MONOTONIC, &g.leaflet_start);
}

void incremental_leaflet_parsed(const document *doc, const contact_registry *registry)
{
    if (!g.in_leaflet || !doc || !g.inc->checks) /* check records no inputs */
        return;
    dep_list deps = {0};
    fp_document_deps(&deps, doc, registry);
    fp_context ctx = {&g.inc->state.files, registry};
    fp_evaluate(&ctx, &deps);
    for (size_t i = 0; i < deps.count; i++) {
        strbuf_printf(&g.record, "dep %s %s ", dep_kind_name(deps.items[i].kind),
                      deps.items[i].digest.hex);
        state_escape(&g.record, deps.items[i].name);
        strbuf_puts(&g.record, "\n");
    }
    dep_list_free(&deps);
}

void incremental_before_commit(output_set *set)
{
    g.held_count = 0;
    if (!g.in_leaflet)
        return;
    size_t kept = 0;
    g.held = xrealloc(g.held, (set->count + 1) * sizeof *g.held);
    g.held_at = xrealloc(g.held_at, (set->count + 1) * sizeof *g.held_at);
    for (size_t i = 0; i < set->count; i++) {
        output_file *f = &set->files[i];
        fp_digest now, on_disk;
        fp_digest_bytes(f->data, f->length, &now);
        fp_file_digest(&g.inc->state.files, f->path, &on_disk);
        bool same = strcmp(now.hex, on_disk.hex) == 0;
        strbuf_printf(&g.record, "file %s %zu %d ", now.hex, f->length, same);
        state_escape(&g.record, f->path);
        strbuf_puts(&g.record, "\n");
        if (same) { /* deterministic output: the file on disk is this file */
            g.held_at[g.held_count] = i;
            g.held[g.held_count++] = *f;
        } else {
            set->files[kept++] = *f;
        }
    }
    set->count = kept;
}

void incremental_after_commit(output_set *set)
{
    if (!g.in_leaflet)
        return;
    /* what the files written look like right after: main trusts its own
     * later stat only when nobody has touched them in between */
    for (size_t i = 0; i < set->count; i++) {
        fp_stat st;
        if (!fp_stat_path(set->files[i].path, &st))
            continue;
        strbuf_printf(&g.record, "stat %lld %lld %lld %llu ", (long long)st.size,
                      (long long)st.mtime_ns, (long long)st.ctime_ns, (unsigned long long)st.ino);
        state_escape(&g.record, set->files[i].path);
        strbuf_puts(&g.record, "\n");
    }
    if (!g.held_count)
        return;
    /* back where they were, for the caller's own bookkeeping */
    size_t total = set->count + g.held_count;
    output_file *all = xcalloc(total + 1, sizeof *all);
    for (size_t i = 0, h = 0, s = 0; i < total; i++)
        all[i] = h < g.held_count && g.held_at[h] == i ? g.held[h++] : set->files[s++];
    free(set->files);
    set->files = all;
    set->count = total;
    g.held_count = 0;
}

void incremental_variant_written(const planned_variant *v, size_t pages, size_t print_pages,
                                 size_t booklet_sides, size_t proofs)
{
    if (!g.in_leaflet)
        return;
    strbuf_puts(&g.record, "variant ");
    state_escape(&g.record, v->name);
    strbuf_printf(&g.record, " %zu %zu %zu %zu\n", pages, print_pages, booklet_sides, proofs);
}

void incremental_leaflet_end(bool ok)
{
    if (!g.in_leaflet)
        return;
    g.in_leaflet = false;
    /* what this leaflet hashed, so that main need not hash it again */
    const fp_file_cache *c = &g.inc->state.files;
    for (size_t j = g.journal_start; j < c->journal_count; j++) {
        const fp_file_entry *e = &c->items[c->journal[j]];
        if (e->folder || strcmp(e->digest.hex, FP_MISSING) == 0)
            continue;
        strbuf_printf(&g.record, "cache %s %lld %lld %lld %llu %d ", e->digest.hex,
                      (long long)e->stat.size, (long long)e->stat.mtime_ns,
                      (long long)e->stat.ctime_ns, (unsigned long long)e->stat.ino, e->trusted);
        state_escape(&g.record, e->path);
        strbuf_puts(&g.record, "\n");
    }
    strbuf_printf(&g.record, "end %d %.0f\n", ok, ms_since(&g.leaflet_start));
    if (!g.record_dir)
        return;
    strbuf path = {0};
    strbuf_printf(&path, "%s/%zu", g.record_dir, g.leaflet);
    int error = write_text_atomically(path.data, g.record.data);
    if (error)
        fprintf(stderr, "leafpress: warning: cannot record the build of leaflet %zu: %s\n",
                g.leaflet, strerror(error));
    free(path.data);
}

/* ---- finish (main) ---------------------------------------------------------- */

typedef struct record_variant {
    char *name;
    long long pages, print_pages, booklet_sides, proofs;
} record_variant;

typedef struct record_file {
    char *path;
    fp_digest digest;
    long long bytes;
    bool kept;
} record_file;

typedef struct record_stat {
    char *path;
    fp_stat stat;              /* right after the worker wrote it */
} record_stat;

typedef struct leaflet_record {
    bool present, ok;
    record_stat *stats;
    size_t stat_count;
    double time_ms;
    dep_list deps;
    record_file *files;
    size_t file_count;
    record_variant *variants;
    size_t variant_count;
    char *first_error;
} leaflet_record;

static void record_free(leaflet_record *r)
{
    dep_list_free(&r->deps);
    for (size_t i = 0; i < r->file_count; i++)
        free(r->files[i].path);
    free(r->files);
    for (size_t i = 0; i < r->variant_count; i++)
        free(r->variants[i].name);
    free(r->variants);
    for (size_t i = 0; i < r->stat_count; i++)
        free(r->stats[i].path);
    free(r->stats);
    free(r->first_error);
}

static bool digest_field(const char *s, fp_digest *d)
{
    if (strlen(s) != FP_DIGEST_LENGTH && strcmp(s, FP_MISSING) != 0)
        return false;
    snprintf(d->hex, sizeof d->hex, "%s", s);
    return true;
}

/* Reads leaflet k's record; its diagnostics go into the report. A record
 * that does not parse counts as no record: the leaflet is not recorded
 * as built, so the next run builds it again. */
static void read_record(incremental *inc, size_t k, leaflet_record *r)
{
    memset(r, 0, sizeof *r);
    if (!g.record_dir)
        return;
    strbuf path = {0};
    strbuf_printf(&path, "%s/%zu", g.record_dir, k);
    size_t length;
    char *text = read_file(path.data, &length);
    unlink(path.data);
    free(path.data);
    if (!text)
        return;
    const char *source = inc->plan->leaflets[inc->todo_leaflets[k]].source;
    bool good = true, ended = false;
    for (char *line = text, *next; good && line && *line; line = next) {
        char *nl = strchr(line, '\n');
        if (!nl)
            break;
        *nl = '\0';
        next = nl + 1;
        char *f[8] = {0};
        size_t n = 0;
        for (char *p = line; p && n < 8; n++) {
            f[n] = p;
            p = strchr(p, ' ');
            if (p)
                *p++ = '\0';
        }
        if (!strcmp(f[0], "leaflet")) {
            good = n == 2;
        } else if (!strcmp(f[0], "dep") && n == 4) {
            dep_kind kind;
            fp_digest d;
            good = dep_kind_parse(f[1], &kind) && digest_field(f[2], &d) && state_unescape(f[3]);
            if (good)
                dep_list_add(&r->deps, kind, f[3], d.hex);
        } else if (!strcmp(f[0], "file") && n == 5) {
            r->files = xrealloc(r->files, (r->file_count + 1) * sizeof *r->files);
            record_file *rf = &r->files[r->file_count];
            good = digest_field(f[1], &rf->digest) && state_unescape(f[4]);
            if (good) {
                rf->bytes = atoll(f[2]);
                rf->kept = f[3][0] == '1';
                rf->path = xstrdup(f[4]);
                r->file_count++;
            }
        } else if (!strcmp(f[0], "variant") && n == 6) {
            good = state_unescape(f[1]);
            if (good) {
                r->variants = xrealloc(r->variants, (r->variant_count + 1) * sizeof *r->variants);
                r->variants[r->variant_count++] =
                    (record_variant){xstrdup(f[1]), atoll(f[2]), atoll(f[3]), atoll(f[4]), atoll(f[5])};
            }
        } else if (!strcmp(f[0], "diag") && n == 7) {
            good = state_unescape(f[5]) && state_unescape(f[6]);
            if (good) {
                int level = atoi(f[1]);
                diag d = {.level = level >= SEVERITY_NOTE && level <= SEVERITY_ERROR
                                       ? (severity)level : SEVERITY_ERROR,
                          .line = atoi(f[2]), .column = atoi(f[3]),
                          .file = f[4][0] == '1' ? f[5] : NULL, .message = f[6]};
                report_add_diag(&g.report, &d, source);
                if (d.level == SEVERITY_ERROR && !r->first_error)
                    r->first_error = diag_format(&d);
            }
        } else if (!strcmp(f[0], "cache") && n == 8) {
            fp_digest d;
            good = digest_field(f[1], &d) && state_unescape(f[7]);
            fp_file_entry *mine = good ? fp_file_cache_find(&inc->state.files, f[7]) : NULL;
            /* main's own look came first and is what the fingerprints used */
            if (good && !(mine && mine->used)) {
                fp_stat at = {atoll(f[2]), atoll(f[3]), atoll(f[4]), strtoull(f[5], NULL, 10)};
                fp_file_cache_put(&inc->state.files, f[7], &d, &at, f[6][0] == '1');
                fp_file_cache_find(&inc->state.files, f[7])->used = true;
                inc->state.files.changed = true;
            }
        } else if (!strcmp(f[0], "stat") && n == 6) {
            good = state_unescape(f[5]);
            if (good) {
                r->stats = xrealloc(r->stats, (r->stat_count + 1) * sizeof *r->stats);
                r->stats[r->stat_count].path = xstrdup(f[5]);
                r->stats[r->stat_count++].stat =
                    (fp_stat){atoll(f[1]), atoll(f[2]), atoll(f[3]), strtoull(f[4], NULL, 10)};
            }
        } else if (!strcmp(f[0], "end") && n == 3) {
            r->ok = f[1][0] == '1';
            r->time_ms = atof(f[2]);
            ended = true;
        } else {
            good = false;
        }
    }
    free(text);
    r->present = good && ended;
}

static const record_file *record_find_file(const leaflet_record *r, const char *path)
{
    for (size_t i = 0; i < r->file_count; i++)
        if (!strcmp(r->files[i].path, path))
            return &r->files[i];
    return NULL;
}

static const fp_stat *record_find_stat(const leaflet_record *r, const char *path)
{
    for (size_t i = 0; i < r->stat_count; i++)
        if (!strcmp(r->stats[i].path, path))
            return &r->stats[i].stat;
    return NULL;
}

static const record_variant *record_find_variant(const leaflet_record *r, const char *name)
{
    for (size_t i = 0; i < r->variant_count; i++)
        if (!strcmp(r->variants[i].name, name))
            return &r->variants[i];
    return NULL;
}

/* The state entry of one built output from its leaflet's record; false
 * when the record does not have all of its files. */
static bool entry_from_record(incremental *inc, const planned_output *p, const leaflet_record *r,
                              state_output *out)
{
    const planned_leaflet *l = &inc->plan->leaflets[p->leaflet];
    const planned_variant *v = &l->variants[p->variant];
    const record_variant *rv = record_find_variant(r, v->name);
    if (!rv)
        return false;
    memset(out, 0, sizeof *out);
    out->path = xstrdup(p->path);
    out->kind = xstrdup(KIND_WORDS[p->kind]);
    out->source = xstrdup(l->source);
    out->variant = xstrdup(v->name);
    out->time_ms = r->time_ms;
    size_t files = 1;
    switch (p->kind) {
    case KIND_SCREEN: out->pages = rv->pages; break;
    case KIND_PRINT: out->pages = rv->print_pages; break;
    case KIND_BOOKLET: out->pages = rv->booklet_sides; break;
    default:
        out->pages = rv->proofs > 0 ? rv->proofs - 1 : 0;
        files = rv->proofs > 0 ? (size_t)rv->proofs : 1;
        break;
    }
    for (size_t n = 0; n < files; n++) {
        char *path = output_path(inc->plan, v, p->kind, n);
        const record_file *f = record_find_file(r, path);
        if (f) {
            state_output_add_file(out, path, &f->digest, f->bytes);
            /* its stat now, so that the next run can trust it once settled */
            fp_file_entry *e = fp_file_cache_find(&inc->state.files, path);
            if (!e || !e->used || strcmp(e->digest.hex, f->digest.hex))
                fp_file_written(&inc->state.files, path, &f->digest, record_find_stat(r, path));
        }
        free(path);
        if (!f) {
            state_output_free(out);
            return false;
        }
    }
    dep_list_merge(&out->deps, &p->fresh);
    dep_list_merge(&out->deps, &r->deps);
    fp_combine(&out->deps, &out->fingerprint);
    return true;
}

static bool source_exists(const state_output *o, void *data)
{
    /* a source this run looked at is known to be there; others are stat'ed */
    const fp_file_entry *e = fp_file_cache_find(data, o->source);
    if (e && e->used && strcmp(e->digest.hex, FP_MISSING) != 0)
        return true;
    struct stat st;
    return stat(o->source, &st) == 0;
}

static void write_report_files(int *status)
{
    g.report.time_ms = ms_since(&g.start);
    diag_list problems;
    diag_init(&problems);
    if (g.io.report_path) {
        char *json = report_json(&g.report);
        if (!report_write_file(g.io.report_path, json, &problems))
            *status = *status ? *status : 1;
        free(json);
    }
    if (g.io.format == DIAG_FORMAT_SARIF) {
        char cwd[4096];
        char *sarif = report_sarif(&g.report, getcwd(cwd, sizeof cwd) ? cwd : NULL);
        fputs(sarif, stdout);
        fflush(stdout);
        free(sarif);
    }
    for (size_t i = 0; i < problems.count; i++) {
        char *line = diag_format(&problems.items[i]);
        fprintf(stderr, "%s\n", line);
        free(line);
    }
    diag_free(&problems);
}

void incremental_finish(incremental *inc, const output_plan *todo, const batch_result *r,
                        int *status)
{
    if (g.finished)
        return;
    g.finished = true;
    g.active = false;
    if (!inc) {
        write_report_files(status);
        report_free(&g.report);
        return;
    }
    g.report.leaflets = inc->plan->count;
    leaflet_record *records = xcalloc(todo->count + 1, sizeof *records);
    for (size_t k = 0; k < todo->count; k++)
        read_record(inc, k, &records[k]);
    /* plan leaflet -> its todo record */
    leaflet_record **of = xcalloc(inc->plan->count + 1, sizeof *of);
    for (size_t k = 0; k < todo->count; k++)
        of[inc->todo_leaflets[k]] = &records[k];
    bool writing = inc->o->write;
    bool state_changed = false;
    size_t built = 0, unchanged = 0, failed = 0;
    depfile df = {0};
    for (size_t i = 0; i < inc->count; i++) {
        planned_output *p = &inc->outputs[i];
        const planned_leaflet *l = &inc->plan->leaflets[p->leaflet];
        const leaflet_record *rec = of[p->leaflet];
        if (!writing) { /* check: nothing built, nothing to list */
            continue;
        }
        if (!p->todo) {
            report_from_state(&g.report, inc, p, STATUS_UNCHANGED, NULL);
            unchanged++;
        } else {
            state_output entry;
            if (rec && rec->present && rec->ok && entry_from_record(inc, p, rec, &entry)) {
                bool all_kept = true;
                for (size_t f = 0; f < entry.file_count; f++) {
                    const record_file *rf = record_find_file(rec, entry.files[f].path);
                    all_kept = all_kept && rf && rf->kept;
                }
                strbuf reason = {0};
                strbuf_puts(&reason, p->why ? p->why : "");
                if (all_kept) /* deterministic: rebuilt to the same bytes */
                    strbuf_printf(&reason, "%sthe same bytes as before: the file was left as it was",
                                  p->why ? "; " : "");
                report_output o = {.source = xstrdup(l->source),
                                   .variant = xstrdup(entry.variant),
                                   .kind = xstrdup(entry.kind), .path = xstrdup(entry.path),
                                   .status = STATUS_BUILT, .pages = entry.pages,
                                   .time_ms = entry.time_ms,
                                   .reason = reason.length ? strbuf_take(&reason) : NULL,
                                   .theme = theme_file(inc, &l->variants[p->variant])};
                free(reason.data);
                o.bytes = 0;
                for (size_t f = 0; f < entry.file_count; f++) {
                    report_output_add_file(&o, entry.files[f].path, entry.files[f].bytes,
                                           &entry.files[f].digest);
                    o.bytes += entry.files[f].bytes;
                }
                o.sha256 = entry.files[0].digest;
                report_add_output(&g.report, &o);
                state_put(&inc->state, &entry);
                state_changed = true;
                built++;
            } else {
                /* its old entry, if any, still describes the files on disk */
                const char *why = rec && rec->first_error ? rec->first_error
                                : rec && rec->present && rec->ok ? "its files were not all recorded"
                                : r && r->signal ? "not built: the run was interrupted"
                                : rec && rec->present ? "the leaflet failed"
                                : "not built";
                report_from_state(&g.report, inc, p, STATUS_FAILED, why);
                failed++;
            }
        }
        const state_output *s = state_find(&inc->state, p->path);
        if (s && g.io.depfile_path) {
            char **targets = xcalloc(s->file_count + 1, sizeof *targets);
            for (size_t f = 0; f < s->file_count; f++)
                targets[f] = s->files[f].path;
            depfile_add(&df, targets, s->file_count, &s->deps, inc->o->contacts_path);
            free(targets);
        }
    }
    for (size_t k = 0; k < todo->count; k++)
        if (records[k].present && !records[k].ok)
            g.report.leaflets_failed++;
    if (writing) {
        size_t before = inc->state.count;
        state_retain(&inc->state, source_exists, &inc->state.files);
        state_changed = state_changed || inc->state.count != before;
        diag_list problems;
        diag_init(&problems);
        /* A run that built nothing creates no state file and, when a
         * leaflet failed, leaves it alone (a failed build writes nothing);
         * a clean no-op saves what it learnt about the files' mtimes. */
        bool learnt = inc->state.files.changed && !failed && inc->state_existed;
        if (state_changed || learnt) {
            /* written only when it says something new: a no-op writes nothing */
            char *text = state_format(&inc->state);
            bool same = inc->state_text && !inc->state_problem &&
                        strlen(text) == inc->state_length &&
                        memcmp(text, inc->state_text, inc->state_length) == 0;
            if (!same && !state_save_text(text, inc->state_file, &problems))
                print_diags(&problems);
            free(text);
        }
        diag_free(&problems);
        /* a partial build says what it kept; a full one says no more than before */
        if (!inc->o->quiet && unchanged) {
            if (built || failed)
                printf("leafpress: %zu %s built, %zu up to date\n", built,
                       built == 1 ? "output" : "outputs", unchanged);
            else
                printf("leafpress: all %zu outputs up to date\n", unchanged);
        }
    }
    if (g.io.depfile_path) {
        char *text = depfile_take(&df);
        diag_list problems;
        diag_init(&problems);
        if (!report_write_file(g.io.depfile_path, text, &problems)) {
            print_diags(&problems);
            *status = *status ? *status : 1;
        }
        diag_free(&problems);
        free(text);
    } else {
        free(depfile_take(&df));
    }
    write_report_files(status);
    for (size_t k = 0; k < todo->count; k++)
        record_free(&records[k]);
    free(records);
    free(of);
    if (g.record_dir) {
        rmdir(g.record_dir);
        free(g.record_dir);
        g.record_dir = NULL;
        if (g.record_lock >= 0)
            close(g.record_lock);
    }
}

void incremental_free(incremental *inc)
{
    if (inc) {
        for (size_t i = 0; i < inc->count; i++) {
            free(inc->outputs[i].path);
            free(inc->outputs[i].why);
            dep_list_free(&inc->outputs[i].fresh);
        }
        free(inc->outputs);
        state_free(&inc->state);
        free(inc->state_file);
        free(inc->state_problem);
        free(inc->state_text);
        free(inc->todo_leaflets);
        free(inc);
    }
    report_free(&g.report);
    free(g.record.data);
    g.record = (strbuf){0};
    free(g.held);
    free(g.held_at);
    g.held = NULL;
    g.held_at = NULL;
    g.inc = NULL;
    g.active = false;
}
