#define _DEFAULT_SOURCE /* timegm, gmtime_r */
#include "build.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "finish_module.h"
#include "hyphenate.h"
#include "impose.h"
#include "incremental.h"
#include "pdf_print.h"
#include "parse.h"
#include "pdf_finish.h"
#include "readability.h"
#include "render.h"
#include "review.h"
#include "style.h"
#include "textutil.h"
#include "wording.h"

static long long source_epoch(const build_options *o, const leaflet_meta *meta)
{
    if (o->have_epoch)
        return o->epoch;
    struct tm tm = {.tm_year = meta->updated_year - 1900, .tm_mon = meta->updated_month - 1,
                    .tm_mday = meta->updated_day ? meta->updated_day : 1};
    return (long long)timegm(&tm);
}

static char *join(char *const *items, size_t count, const char *sep)
{
    strbuf b = {0};
    for (size_t i = 0; i < count; i++)
        strbuf_printf(&b, "%s%s", i ? sep : "", items[i]);
    return strbuf_take(&b);
}

static size_t warning_count(const diag_list *diags)
{
    size_t n = 0;
    for (size_t i = 0; i < diags->count; i++)
        n += diags->items[i].level == SEVERITY_WARNING;
    return n;
}

/* One variant on its way to disk: rendered by the main thread, its PDFs
 * finished (qpdf) on a thread of its own. The thread starts before the
 * rendering and loads the finishing module meanwhile; it finishes the
 * screen PDF while the print PDF is rendered, and the print PDF while the
 * next variant is laid out. */
typedef enum {
    JOB_RENDERING,             /* nothing to finish yet */
    JOB_SCREEN_READY,          /* screen rendered; print (if any) still rendering */
    JOB_ALL_READY,             /* everything rendered */
    JOB_CANCELLED,             /* rendering failed or was stopped: finish nothing */
} job_stage;

typedef struct variant_job {
    pthread_t thread;
    bool running;
    pthread_mutex_t lock;
    pthread_cond_t advanced;
    job_stage stage;           /* under lock */
    const planned_variant *v;
    char *screen_path, *print_path;
    rendered screen, print;
    bool has_print;
    unsigned char *screen_bytes, *print_bytes;
    size_t screen_length, print_length;
    pdf_finish_info info;
    pdf_print_info print_info;
    char *author, *keywords;
    char *profile;             /* the print profile's path, resolved */
    char date[32];
    size_t pages;
    diag_list diags;
    bool ok;
} variant_job;

/* Moves the job on to `stage` (main thread), waking its thread. The lock
 * is taken with or without a thread: the thread may run before main has
 * even recorded that it started one. */
static void job_advance(variant_job *job, job_stage stage)
{
    pthread_mutex_lock(&job->lock);
    job->stage = stage;
    pthread_cond_signal(&job->advanced);
    pthread_mutex_unlock(&job->lock);
}

/* Waits until the job is at least at `stage` or cancelled; false when cancelled. */
static bool job_reached(variant_job *job, job_stage stage)
{
    pthread_mutex_lock(&job->lock);
    while (job->stage < stage)
        pthread_cond_wait(&job->advanced, &job->lock);
    bool go = job->stage != JOB_CANCELLED;
    pthread_mutex_unlock(&job->lock);
    return go;
}

static void *finish_thread(void *arg)
{
    variant_job *job = arg;
    /* the module loads (a few milliseconds) while the main thread renders;
     * pdf_finish reports it if it cannot */
    (void)finish_module_get(NULL);
    if (!job_reached(job, JOB_SCREEN_READY))
        return NULL;
    job->ok = pdf_finish(job->screen.pdf, job->screen.length, &job->info, job->screen_path,
                         &job->screen_bytes, &job->screen_length, &job->diags);
    if (!job_reached(job, JOB_ALL_READY))
        job->ok = false;
    else if (job->ok && job->has_print)
        job->ok = pdf_finish_print(&job->print, &job->print_info, job->print_path,
                                   &job->print_bytes, &job->print_length, &job->diags);
    return NULL;
}

/* A relative profile path is the project's own file when it has one, else
 * the one bundled with leafpress (a leaflet repository need not copy it). */
static char *profile_path(const char *path)
{
    if (path[0] == '/' || access(path, F_OK) == 0)
        return xstrdup(path);
    strbuf b = {0};
    strbuf_printf(&b, "%s/%s", LEAFPRESS_DATA_DIR, path);
    char *bundled = strbuf_take(&b);
    if (access(bundled, F_OK) == 0)
        return bundled;
    free(bundled);
    return xstrdup(path); /* reported as missing, under the name the style gave */
}

static bool render_variant(variant_job *job, const planned_variant *v, const document *doc,
                           laid_out *pages, const layout_resources *res, diag_list *diags);

/* Starts the variant's finishing thread, renders its screen PDF, pads the
 * pages for print and renders the print PDF, each finished as soon as it
 * is rendered. False when rendering failed. */
static bool start_finishing(variant_job *job, const build_options *o, const output_plan *plan,
                            const planned_variant *v, const document *doc, laid_out *pages,
                            const layout_resources *res, diag_list *diags)
{
    const leaflet_meta *m = &doc->meta;
    memset(job, 0, sizeof *job);
    pthread_mutex_init(&job->lock, NULL);
    pthread_cond_init(&job->advanced, NULL);
    diag_init(&job->diags);
    job->v = v;
    time_t t = (time_t)source_epoch(o, m);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) { /* main checks SOURCE_DATE_EPOCH; a source date is 4 digits */
        diag_report(diags, SEVERITY_ERROR, doc->source_path, 0, 0, "internal error: no date");
        return false;
    }
    strftime(job->date, sizeof job->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    job->screen_path = output_path(plan, v, KIND_SCREEN, 0);
    job->print_path = output_path(plan, v, KIND_PRINT, 0);
    job->pages = pages->leaflet_page_count;
    /* without a thread, finish here: slower, never wrong */
    job->running = !o->one_thread && pthread_create(&job->thread, NULL, finish_thread, job) == 0;
    bool all_rendered = render_variant(job, v, doc, pages, res, diags);
    job_advance(job, all_rendered ? JOB_ALL_READY : JOB_CANCELLED);
    if (all_rendered && !job->running)
        finish_thread(job);
    return all_rendered;
}

/* The rendering half of start_finishing: the screen PDF (handed to the
 * job's thread as soon as it is done), then the print pages and PDF. */
static bool render_variant(variant_job *job, const planned_variant *v, const document *doc,
                           laid_out *pages, const layout_resources *res, diag_list *diags)
{
    const leaflet_meta *m = &doc->meta;
    render_options ro = {.date = job->date};
    /* the screen PDF first: it shows the leaflet's own pages, unpadded */
    if (!render_screen_pdf(pages, &ro, &job->screen, diags))
        return false;
    job->author = m->author_count ? join(m->authors, m->author_count, ", ") : xstrdup(m->publisher);
    job->keywords = join(m->keywords, m->keyword_count, ", ");
    const char *title = v->contact_sheet ? m->contact_sheet : m->title;
    const rendered *r = &job->screen;
    job->info = (pdf_finish_info){.title = title, .author = job->author,
                                  .subject = m->subject, .keywords = job->keywords,
                                  .lang = m->lang, .right_to_left = pages->right_bound,
                                  .date = job->date, .figure_alts = r->figure_alts, .figure_count = r->figure_count,
                                  .link_uris = r->link_uris, .link_texts = r->link_texts,
                                  .link_count = r->link_count, .span_langs = r->span_langs,
                                  .span_count = r->span_count};
    if (v->kinds[KIND_PRINT])
        job->has_print = true; /* (read by the thread only once all is rendered) */
    job_advance(job, JOB_SCREEN_READY);
    if (v->kinds[KIND_PRINT] || v->kinds[KIND_BOOKLET] || v->kinds[KIND_PROOFS])
        if (!layout_add_print_pages(pages, doc, v->style, res, diags))
            return false;
    if (v->kinds[KIND_PRINT]) {
        render_options po = {.date = job->date, .bleed = v->style->print_bleed};
        if (!render_print_pdf(pages, &po, &job->print, diags))
            return false;
        job->profile = profile_path(v->style->print_profile);
        job->print_info = (pdf_print_info){.title = title, .author = job->author,
                                           .subject = m->subject, .keywords = job->keywords,
                                           .lang = m->lang, .date = job->date,
                                           .profile_path = job->profile};
    }
    return true;
}

/* Waits for a job and moves its diagnostics into diags. */
static bool finish_wait(variant_job *job, diag_list *diags)
{
    if (job->running)
        pthread_join(job->thread, NULL);
    job->running = false;
    for (size_t i = 0; i < job->diags.count; i++) {
        const diag *d = &job->diags.items[i];
        diag_report(diags, d->level, d->file, d->line, d->column, "%s", d->message);
    }
    diag_free(&job->diags);
    return job->ok;
}

static void variant_job_free(variant_job *job)
{
    pthread_cond_destroy(&job->advanced);
    pthread_mutex_destroy(&job->lock);
    rendered_free(&job->screen);
    rendered_free(&job->print);
    free(job->screen_bytes);
    free(job->print_bytes);
    free(job->screen_path);
    free(job->print_path);
    free(job->author);
    free(job->keywords);
    free(job->profile);
}

/* check only: plain-language figures and the review date (readability.h,
 * review.h). readability.yaml sits at the project root, the current folder. */
static void check_authoring(const build_options *o, const document *doc, diag_list *diags)
{
    readability_config cfg;
    (void)o;
    readability_config_load("readability.yaml", &cfg, diags); /* main chdir'd to the root */
    cfg.notes = !o->quiet;
    readability_report(doc, &cfg, diags);
    readability_config_free(&cfg);
    review_report(doc, review_now(), diags);
}

/* What one variant adds to the leaflet's files, and its "wrote" line. */
typedef struct variant_files {
    size_t booklet_sides;      /* 0: none */
    size_t proofs;             /* PNG files, overview included */
    size_t print_pages;
} variant_files;

static bool stopping(const build_options *o)
{
    return o->stop && *o->stop;
}

/* The booklet and the proofs, drawn on the main thread while the job
 * finishes. False on an error, or when o->stop ends it. */
static bool render_extras(const build_options *o, const output_plan *plan,
                          const planned_variant *v, const document *doc, const laid_out *pages,
                          const char *date, output_set *set, variant_files *vf, diag_list *diags)
{
    if (v->kinds[KIND_BOOKLET]) {
        rendered b;
        size_t before = diags->count;
        render_options bo = {.date = date, .title = doc->meta.title};
        if (render_booklet_pdf(pages, &bo, &b, diags)) {
            vf->booklet_sides = b.page_count;
            output_set_add(set, output_path(plan, v, KIND_BOOKLET, 0), b.pdf, b.length);
            b.pdf = NULL;
            rendered_free(&b);
        } else if (diags->count == before) {
            /* A5 and A4 pages fit a common sheet, and layout pads them to a
             * multiple of 4: no booklet then is a bug. Other sizes get none. */
            const char *sheet = impose_sheet_name(2 * pages->width, pages->height);
            if (sheet) {
                diag_report(diags, SEVERITY_ERROR, doc->source_path, 0, 0,
                            "internal error: no booklet on %s for %zu print pages", sheet,
                            pages->page_count);
                return false;
            }
        } else {
            return false;
        }
    }
    if (v->kinds[KIND_PROOFS]) {
        proof_image *images = NULL, overview = {0};
        size_t count = 0;
        if (!render_proofs(pages, !o->one_thread, o->stop, &images, &count, &overview, diags)) {
            proof_images_free(images, count);
            free(images);
            proof_images_free(&overview, 1);
            return false;
        }
        output_set_add(set, output_path(plan, v, KIND_PROOFS, 0), overview.data, overview.length);
        for (size_t i = 0; i < count; i++) {
            output_set_add(set, output_path(plan, v, KIND_PROOFS, i + 1), images[i].data,
                           images[i].length);
            images[i].data = NULL;
        }
        free(images);
        output_set_prune_proofs(set, plan, v, count);
        vf->proofs = count + 1;
    }
    return true;
}

bool build_leaflet(const build_options *o, const output_plan *plan, size_t index,
                   const contact_registry *registry, const layout_resources *res)
{
    const planned_leaflet *l = &plan->leaflets[index];
    const char *path = l->source;
    diag_list diags;
    diag_init(&diags);
    incremental_leaflet_begin(plan, index);
    document *doc = parse_leaflet(path, registry, o->project_root, &diags);
    incremental_leaflet_parsed(doc, registry);
    bool ok = doc && diags.errors == 0;
    if (ok) {
        for (size_t i = 0; i < l->diags.count; i++) {
            const diag *d = &l->diags.items[i];
            diag_report(&diags, d->level, d->file, d->line, d->column, "%s", d->message);
        }
        if (diags.errors == 0 && l->variant_count == 0)
            diag_report(&diags, SEVERITY_ERROR, path, 0, 0, "internal error: no outputs planned");
    }
    if (ok && diags.errors == 0 && !o->write)
        check_authoring(o, doc, &diags);
    if (ok && diags.errors == 0)
        hyphen_cache_prefetch(res->hyphens, doc->meta.lang);
    size_t n = l->variant_count;
    /* Write nothing until every variant is laid out, rendered and finished,
     * so a leaflet that fails anywhere keeps all its previous files. */
    laid_out **pages = xcalloc(n + 1, sizeof *pages);
    variant_job *jobs = xcalloc(n + 1, sizeof *jobs);
    variant_files *vf = xcalloc(n + 1, sizeof *vf);
    bool *started = xcalloc(n + 1, sizeof *started);
    size_t *order = xcalloc(n + 1, sizeof *order);
    output_set set = {0};
    if (diags.errors == 0 && doc) {
        /* variants without hyphenation first: the patterns load meanwhile */
        size_t k = 0;
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < n; i++)
                if (l->variants[i].style->hyphenate == (pass == 1))
                    order[k++] = i;
        /* stop at the first failing variant: the next would report the same problems */
        for (k = 0; k < n && diags.errors == 0 && !stopping(o); k++) {
            size_t i = order[k];
            const planned_variant *v = &l->variants[i];
            pages[i] = v->contact_sheet ? layout_contact_sheet(doc, v->style, res, &diags)
                                        : layout_document(doc, v->style, res, &diags);
            if (stopping(o))
                break;
            /* one finishing thread at a time: two cores, two busy threads */
            if (k > 0 && started[order[k - 1]] && !finish_wait(&jobs[order[k - 1]], &diags))
                break;
            if (!pages[i])
                break;
            if (!o->write) {
                if (v->kinds[KIND_PRINT] || v->kinds[KIND_BOOKLET] || v->kinds[KIND_PROOFS])
                    layout_add_print_pages(pages[i], doc, v->style, res, &diags);
                continue;
            }
            started[i] = true; /* (freed whatever happens) */
            if (!start_finishing(&jobs[i], o, plan, v, doc, pages[i], res, &diags) ||
                stopping(o) ||
                !render_extras(o, plan, v, doc, pages[i], jobs[i].date, &set, &vf[i], &diags))
                break;
            vf[i].print_pages = pages[i]->page_count;
        }
        for (size_t i = 0; i < n; i++)
            if (started[i] && jobs[i].running)
                finish_wait(&jobs[i], &diags);
    }
    size_t warnings = warning_count(&diags);
    bool stopped = stopping(o);
    ok = diags.errors == 0 && doc && !(o->werror && warnings) && !stopped;
    if (ok && o->write) {
        /* the screen and print PDFs first, in variant order, then the rest */
        output_set all = {0};
        for (size_t i = 0; i < n; i++) {
            output_set_add(&all, jobs[i].screen_path, jobs[i].screen_bytes, jobs[i].screen_length);
            jobs[i].screen_path = NULL;
            jobs[i].screen_bytes = NULL;
            if (jobs[i].has_print) {
                output_set_add(&all, jobs[i].print_path, jobs[i].print_bytes,
                               jobs[i].print_length);
                jobs[i].print_path = NULL;
                jobs[i].print_bytes = NULL;
            }
        }
        for (size_t i = 0; i < set.count; i++)
            output_set_add(&all, set.files[i].path, set.files[i].data, set.files[i].length);
        free(set.files);
        all.stale = set.stale;
        all.stale_count = set.stale_count;
        set = all;
        size_t first_file = 0;
        incremental_before_commit(&set); /* files with the bytes on disk stay as they are */
        ok = output_set_commit(&set, &diags);
        incremental_after_commit(&set);
        for (size_t i = 0; i < n && ok; i++)
            incremental_variant_written(&l->variants[i], jobs[i].pages, vf[i].print_pages,
                                        vf[i].booklet_sides, vf[i].proofs);
        for (size_t i = 0; i < n && ok && !o->quiet; i++) {
            const output_file *screen = &set.files[first_file];
            strbuf line = {0};
            strbuf_printf(&line, "wrote %s (%zu %s, %zu KiB)", screen->path, jobs[i].pages,
                          jobs[i].pages == 1 ? "page" : "pages", (screen->length + 1023) / 1024);
            first_file += 1 + jobs[i].has_print;
            if (jobs[i].has_print)
                strbuf_printf(&line, ", print (%zu %s)", vf[i].print_pages,
                              vf[i].print_pages == 1 ? "page" : "pages");
            if (vf[i].booklet_sides)
                strbuf_printf(&line, ", booklet (%zu %s)", (vf[i].booklet_sides + 1) / 2,
                              vf[i].booklet_sides <= 2 ? "sheet" : "sheets");
            if (vf[i].proofs)
                strbuf_printf(&line, ", %zu proofs", vf[i].proofs);
            printf("%s\n", line.data);
            free(line.data);
        }
    }
    if (doc && diags.errors == 0 && o->werror && warnings && !stopped)
        diag_report(&diags, SEVERITY_ERROR, path, 0, 0,
                    "%zu %s, and --werror makes %s; nothing of this leaflet was written",
                    warnings, warnings == 1 ? "warning" : "warnings", warnings == 1 ? "it an error" : "them errors");
    for (size_t i = 0; i < n; i++) {
        if (started[i])
            variant_job_free(&jobs[i]);
        layout_free(pages[i]);
    }
    output_set_free(&set);
    free(pages);
    free(jobs);
    free(vf);
    free(started);
    free(order);
    if (!doc && diags.count == 0)
        diag_report(&diags, SEVERITY_ERROR, path, 0, 0, "cannot read: %s", strerror(errno));
    if (!stopped)
        diag_print(&diags);
    ok = ok && diags.errors == 0;
    incremental_leaflet_end(ok);
    diag_free(&diags);
    doc_free(doc);
    return ok;
}

/* Adds each of diags to all unless all has it already: a variant reloads
 * its parent, and every theme is checked with every variant. */
static void add_unique(diag_list *all, const diag_list *diags)
{
    for (size_t k = 0; k < diags->count; k++) {
        const diag *d = &diags->items[k];
        bool seen = false;
        for (size_t j = 0; j < all->count && !seen; j++) {
            const diag *e = &all->items[j];
            seen = e->line == d->line && e->column == d->column &&
                   strcmp(e->message, d->message) == 0 &&
                   (e->file == d->file || (e->file && d->file && strcmp(e->file, d->file) == 0));
        }
        if (!seen)
            diag_report(all, d->level, d->file, d->line, d->column, "%s", d->message);
    }
}

bool check_all_styles(const build_options *o, style_family_set *families)
{
    size_t count;
    char **names = style_names(o->styles_dir, &count);
    char *themes_dir = style_themes_dir(o->styles_dir);
    size_t theme_count;
    char **themes = style_names(themes_dir, &theme_count);
    bool ok = true;
    diag_list all;
    diag_init(&all);
    /* every style alone, then every theme in every style: a theme is only
     * complete over a root style, and a variant's rules judge it */
    for (size_t t = 0; t <= theme_count; t++)
        for (size_t i = 0; i < count; i++) {
            diag_list diags;
            diag_init(&diags);
            style *s = style_load_themed(o->styles_dir, names[i], themes_dir,
                                         t ? themes[t - 1] : NULL, &diags);
            ok = ok && s && diags.errors == 0;
            for (size_t k = 0; s && k < s->families.count; k++)
                style_family_set_add(families, &s->families.items[k]);
            style_free(s);
            add_unique(&all, &diags);
            diag_free(&diags);
        }
    diag_print(&all);
    size_t warnings = warning_count(&all);
    if (o->werror && warnings) {
        fprintf(stderr, "leafpress: %zu %s in the styles, and --werror makes %s\n", warnings,
                warnings == 1 ? "warning" : "warnings", warnings == 1 ? "it an error" : "them errors");
        ok = false;
    }
    diag_free(&all);
    free_names(names, count);
    free_names(themes, theme_count);
    free(themes_dir);
    return ok;
}
