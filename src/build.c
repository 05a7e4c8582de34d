#define _DEFAULT_SOURCE /* timegm, gmtime_r */
#include "build.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "diag.h"
#include "hyphenate.h"
#include "parse.h"
#include "pdf_finish.h"
#include "readability.h"
#include "render.h"
#include "review.h"
#include "style.h"
#include "suggest.h"
#include "textutil.h"
#include "wording.h"

static long long source_epoch(const leaflet_meta *meta)
{
    const char *env = getenv("SOURCE_DATE_EPOCH");
    if (env && *env) {
        char *end;
        long long v = strtoll(env, &end, 10);
        if (*end == '\0' && v >= 0)
            return v;
    }
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

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Style names in the folder, sorted, for "did you mean". */
static char **style_names(const char *dir, size_t *count)
{
    char **names = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > 5 && strcmp(e->d_name + n - 5, ".yaml") == 0) {
            names = xrealloc(names, (*count + 1) * sizeof *names);
            names[(*count)++] = xstrndup(e->d_name, n - 5);
        }
    }
    closedir(d);
    /* directory order varies between file systems; suggestions must not */
    if (names)
        qsort(names, *count, sizeof *names, compare_names);
    return names;
}

static void free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

static bool style_known(const build_options *o, const document *doc, const char *name,
                        diag_list *diags)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.yaml", o->styles_dir, name);
    if (file_exists(path))
        return true;
    size_t count;
    char **names = style_names(o->styles_dir, &count);
    const char *close = suggest_closest(name, (const char *const *)names, count);
    diag_report(diags, SEVERITY_ERROR, doc->source_path, doc->meta.style_line,
                doc->meta.style_column, "unknown style '%s'%s%s%s", name,
                close ? "; did you mean '" : "", close ? close : "", close ? "'?" : "");
    free_names(names, count);
    return false;
}

typedef struct output_plan {
    style *style;              /* owned by the first plan that names it */
    bool owns_style;
    bool contact_sheet;
    char *path;
} output_plan;

/* One variant on its way to disk: rendered by the main thread, finished
 * (qpdf) on a thread of its own while the next variant is laid out. */
typedef struct finish_job {
    pthread_t thread;
    bool running;
    const char *path;
    rendered screen;
    unsigned char *finished;
    size_t finished_length;
    pdf_finish_info info;
    char *author, *keywords;
    char date[32];
    size_t pages;
    diag_list diags;
    bool ok;
} finish_job;

static void *finish_thread(void *arg)
{
    finish_job *job = arg;
    job->ok = pdf_finish(job->screen.pdf, job->screen.length, &job->info, job->path, &job->finished,
                         &job->finished_length, &job->diags);
    return NULL;
}

/* Renders a laid-out variant and starts finishing it. False when rendering failed. */
static bool start_finishing(finish_job *job, const document *doc, const laid_out *pages,
                            const char *path, const char *title_override, bool serial,
                            diag_list *diags)
{
    const leaflet_meta *m = &doc->meta;
    memset(job, 0, sizeof *job);
    time_t t = (time_t)source_epoch(m);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(job->date, sizeof job->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    render_options ro = {.date = job->date};
    diag_init(&job->diags);
    job->path = path;
    job->pages = pages->leaflet_page_count;
    if (!render_screen_pdf(pages, &ro, &job->screen, diags))
        return false;
    job->author = m->author_count ? join(m->authors, m->author_count, ", ") : xstrdup(m->publisher);
    job->keywords = join(m->keywords, m->keyword_count, ", ");
    const rendered *r = &job->screen;
    job->info = (pdf_finish_info){.title = title_override ? title_override : m->title,
                                  .author = job->author,
                                  .subject = m->subject, .keywords = job->keywords,
                                  .lang = m->lang, .date = job->date,
                                  .figure_alts = r->figure_alts, .figure_count = r->figure_count,
                                  .link_uris = r->link_uris, .link_texts = r->link_texts,
                                  .link_count = r->link_count};
    /* without a thread, finish here: slower, never wrong */
    job->running = !serial && pthread_create(&job->thread, NULL, finish_thread, job) == 0;
    if (!job->running)
        finish_thread(job);
    return true;
}

/* Waits for a job and moves its diagnostics into diags. */
static bool finish_wait(finish_job *job, diag_list *diags)
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

static void finish_job_free(finish_job *job)
{
    rendered_free(&job->screen);
    free(job->finished);
    free(job->author);
    free(job->keywords);
}

/* check only: plain-language figures and the review date (readability.h,
 * review.h). readability.yaml sits at the project root, the current folder. */
static void check_authoring(const build_options *o, const document *doc, diag_list *diags)
{
    readability_config cfg;
    readability_config_load("readability.yaml", &cfg, diags);
    cfg.notes = !o->quiet;
    readability_report(doc, &cfg, diags);
    readability_config_free(&cfg);
    review_report(doc, review_now(), diags);
}

bool build_leaflet(const build_options *o, const char *path, const contact_registry *registry,
                            const layout_resources *res)
{
    diag_list diags;
    diag_init(&diags);
    document *doc = parse_leaflet(path, registry, ".", &diags);
    output_plan plans[16];
    size_t plan_count = 0;
    bool ok = doc && diags.errors == 0;
    if (ok && !o->write)
        check_authoring(o, doc, &diags);
    ok = ok && diags.errors == 0;
    if (ok)
        hyphen_cache_prefetch(res->hyphens, doc->meta.lang);
    if (ok) {
        const char *base = doc->meta.style ? doc->meta.style : "house";
        if (style_known(o, doc, base, &diags)) {
            size_t variant_count = 0;
            char **variants = style_variants(o->styles_dir, base, &variant_count, &diags);
            for (size_t v = 0; v <= variant_count && plan_count < 15; v++) {
                const char *name_of_style = v == 0 ? base : variants[v - 1];
                /* check_all_styles has printed each broken style's problems once;
                 * here a leaflet only says which style stops it */
                diag_list style_diags;
                diag_init(&style_diags);
                style *s = style_load(o->styles_dir, name_of_style, &style_diags);
                if (!s || style_diags.errors) {
                    diag_report(&diags, SEVERITY_ERROR, path, doc->meta.style_line,
                                doc->meta.style_column, "style '%s' has errors (reported above)",
                                name_of_style);
                    style_free(s);
                    s = NULL;
                }
                diag_free(&style_diags);
                if (!s)
                    continue;
                strbuf name = {0};
                strbuf_printf(&name, "%s/%s%s.pdf", o->output_dir, doc->meta.slug,
                              s->suffix ? s->suffix : "");
                plans[plan_count++] = (output_plan){s, true, false, strbuf_take(&name)};
                if (v == 0 && doc->meta.contact_sheet) {
                    strbuf_printf(&name, "%s/%s%s.pdf", o->output_dir, doc->meta.slug,
                                  wording(doc->meta.lang, "contact_sheet_suffix"));
                    plans[plan_count++] = (output_plan){s, false, true, strbuf_take(&name)};
                }
            }
            free_names(variants, variant_count);
        }
    }
    /* Write nothing until every variant is laid out, rendered and finished,
     * so a leaflet that fails anywhere keeps all its previous PDFs. */
    laid_out *pages[16] = {0};
    finish_job jobs[16];
    bool started[16] = {false};
    if (diags.errors == 0 && doc) {
        /* variants without hyphenation first: the patterns load meanwhile */
        size_t order[16], n = 0;
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < plan_count; i++)
                if (plans[i].style->hyphenate == (pass == 1))
                    order[n++] = i;
        /* stop at the first failing variant: the next would report the same problems */
        for (size_t k = 0; k < n && diags.errors == 0; k++) {
            size_t i = order[k];
            style_apply(plans[i].style, doc);
            pages[i] = plans[i].contact_sheet
                ? layout_contact_sheet(doc, plans[i].style, res, &diags)
                : layout_document(doc, plans[i].style, res, &diags);
            /* one finishing thread at a time: two cores, two busy threads */
            if (k > 0 && started[order[k - 1]] && !finish_wait(&jobs[order[k - 1]], &diags))
                break;
            if (pages[i] && o->write)
                started[i] = start_finishing(&jobs[i], doc, pages[i], plans[i].path,
                                             plans[i].contact_sheet ? doc->meta.contact_sheet : NULL,
                                             o->serial_finish, &diags);
        }
        if (n > 0 && started[order[n - 1]])
            finish_wait(&jobs[order[n - 1]], &diags);
    }
    ok = diags.errors == 0 && doc;
    for (size_t i = 0; i < plan_count && ok && o->write; i++) {
        ok = write_file_atomically(jobs[i].finished, jobs[i].finished_length, plans[i].path, &diags);
        if (ok && !o->quiet)
            printf("wrote %s (%zu %s, %zu KiB)\n", plans[i].path, jobs[i].pages,
                   jobs[i].pages == 1 ? "page" : "pages", (jobs[i].finished_length + 1023) / 1024);
    }
    for (size_t i = 0; i < plan_count; i++)
        if (started[i]) {
            if (jobs[i].running)
                finish_wait(&jobs[i], &diags);
            finish_job_free(&jobs[i]);
        }
    for (size_t i = 0; i < plan_count; i++) {
        layout_free(pages[i]);
        if (plans[i].owns_style)
            style_free(plans[i].style);
        free(plans[i].path);
    }
    if (!doc && diags.count == 0)
        diag_report(&diags, SEVERITY_ERROR, path, 0, 0, "cannot read: %s", strerror(errno));
    diag_print(&diags);
    ok = ok && diags.errors == 0;
    diag_free(&diags);
    doc_free(doc);
    return ok;
}

bool check_all_styles(const build_options *o)
{
    size_t count;
    char **names = style_names(o->styles_dir, &count);
    bool ok = true;
    diag_list all;
    diag_init(&all);
    for (size_t i = 0; i < count; i++) {
        diag_list diags;
        diag_init(&diags);
        style *s = style_load(o->styles_dir, names[i], &diags);
        ok = ok && s && diags.errors == 0;
        style_free(s);
        /* a variant reloads its parent: report each problem once */
        for (size_t k = 0; k < diags.count; k++) {
            const diag *d = &diags.items[k];
            bool seen = false;
            for (size_t j = 0; j < all.count && !seen; j++) {
                const diag *e = &all.items[j];
                seen = e->line == d->line && e->column == d->column &&
                       strcmp(e->message, d->message) == 0 &&
                       (e->file == d->file || (e->file && d->file && strcmp(e->file, d->file) == 0));
            }
            if (!seen)
                diag_report(&all, d->level, d->file, d->line, d->column, "%s", d->message);
        }
        diag_free(&diags);
    }
    diag_print(&all);
    diag_free(&all);
    free_names(names, count);
    return ok;
}
