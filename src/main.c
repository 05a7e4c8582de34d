#define _DEFAULT_SOURCE /* timegm, gmtime_r */
/* leafpress: the command line. Runs each leaflet through
 * parse -> style -> layout -> render -> finish, one variant at a time; one
 * failing leaflet does not stop the others. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cairo.h>

#include "contacts.h"
#include "diag.h"
#include "fonts.h"
#include "hyphenate.h"
#include "layout.h"
#include "parse.h"
#include "pdf_finish.h"
#include "render.h"
#include "style.h"
#include "suggest.h"
#include "textutil.h"

#ifndef LEAFPRESS_VERSION
#define LEAFPRESS_VERSION "0.0.0"
#endif

typedef struct options {
    bool build;            /* false: check */
    const char *output_dir, *styles_dir, *contacts_path, *fonts_dir;
    bool quiet;
    size_t jobs;           /* leaflets at once; 0: one per core */
    bool serial_finish;    /* finish PDFs on the main thread (batch workers fill the cores) */
} options;

static void usage(FILE *to)
{
    fputs("usage: leafpress build [options] [FILE...]\n"
          "       leafpress check [options] [FILE...]\n"
          "\n"
          "build  typeset each leaflet (default: every sources/*.md) in every style\n"
          "       variant into PDFs; a leaflet with errors keeps its previous PDFs\n"
          "check  validate sources and styles and report every problem; write nothing\n"
          "\n"
          "options:\n"
          "  -o, --output DIR     where PDFs go (default: output)\n"
          "      --styles DIR     style folder (default: styles)\n"
          "      --contacts FILE  contact registry (default: sources/contacts.yaml)\n"
          "      --fonts DIR      the only fonts used (default: fonts)\n"
          "  -j, --jobs N         leaflets typeset at once (default: one per core)\n"
          "  -q, --quiet          print problems only\n"
          "  -h, --help           show this help\n"
          "  -V, --version        show the version\n"
          "\n"
          "Dates in the PDFs come from each source's 'updated' date, or from\n"
          "SOURCE_DATE_EPOCH when it is set. Exit status: 0 success, 1 a leaflet\n"
          "failed, 2 usage error.\n",
          to);
}

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

/* Style names in the folder, for "did you mean". */
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
    return names;
}

static void free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

static bool style_known(const options *o, const document *doc, const char *name, diag_list *diags)
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
    unsigned char *pdf, *finished;
    size_t length, finished_length;
    pdf_finish_info info;
    char *author, *keywords;
    const char **alts, **link_uris, **link_texts;
    char date[32];
    size_t pages;
    diag_list diags;
    bool ok;
} finish_job;

static void *finish_thread(void *arg)
{
    finish_job *job = arg;
    job->ok = pdf_finish(job->pdf, job->length, &job->info, job->path, &job->finished,
                         &job->finished_length, &job->diags);
    return NULL;
}

/* Renders a laid-out variant and starts finishing it. False when rendering failed. */
static bool start_finishing(finish_job *job, const document *doc, const laid_out *pages,
                            const char *path, const char *title_override, bool serial,
                            diag_list *diags)
{
    const leaflet_meta *m = &doc->meta;
    leaflet_meta shown = *m;
    if (title_override)
        shown.title = (char *)title_override;
    render_options ro = {.bleed = 0, .crop_marks = false, .epoch = source_epoch(m)};
    memset(job, 0, sizeof *job);
    diag_init(&job->diags);
    job->path = path;
    job->pages = pages->page_count;
    if (!render_pdf(pages, &shown, &ro, &job->pdf, &job->length, diags))
        return false;
    job->alts = xcalloc(pages->elem_count, sizeof *job->alts);
    job->link_uris = xcalloc(pages->elem_count, sizeof *job->link_uris);
    job->link_texts = xcalloc(pages->elem_count, sizeof *job->link_texts);
    size_t figures = 0, links = 0;
    for (size_t i = 0; i < pages->elem_count; i++) {
        const struct_elem *e = pages->elems[i];
        if (e->role == ROLE_FIGURE)
            job->alts[figures++] = e->alt;
        if (e->role == ROLE_LINK && e->uri && e->title) {
            job->link_uris[links] = e->uri;
            job->link_texts[links++] = e->title;
        }
    }
    time_t t = (time_t)ro.epoch;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(job->date, sizeof job->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    job->author = m->author_count ? join(m->authors, m->author_count, ", ") : xstrdup(m->publisher);
    job->keywords = join(m->keywords, m->keyword_count, ", ");
    job->info = (pdf_finish_info){.title = shown.title, .author = job->author,
                                  .subject = m->subject, .keywords = job->keywords,
                                  .lang = m->lang, .date = job->date,
                                  .figure_alts = job->alts, .figure_count = figures,
                                  .link_uris = job->link_uris, .link_texts = job->link_texts,
                                  .link_count = links};
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
    free(job->pdf);
    free(job->finished);
    free(job->author);
    free(job->keywords);
    free(job->alts);
    free(job->link_uris);
    free(job->link_texts);
}

/* One leaflet, every variant. Returns false when anything failed. */
static bool process_leaflet(const options *o, const char *path, const contact_registry *registry,
                            const layout_resources *res)
{
    diag_list diags;
    diag_init(&diags);
    document *doc = parse_leaflet(path, registry, ".", &diags);
    output_plan plans[16];
    size_t plan_count = 0;
    bool ok = doc && diags.errors == 0;
    if (ok)
        hyphen_cache_prefetch(res->hyphens, doc->meta.lang);
    if (ok) {
        const char *base = doc->meta.style ? doc->meta.style : "house";
        if (style_known(o, doc, base, &diags)) {
            size_t variant_count = 0;
            char **variants = style_variants(o->styles_dir, base, &variant_count, &diags);
            for (size_t v = 0; v <= variant_count && plan_count < 15; v++) {
                style *s = style_load(o->styles_dir, v == 0 ? base : variants[v - 1], &diags);
                if (!s)
                    continue;
                strbuf name = {0};
                strbuf_printf(&name, "%s/%s%s.pdf", o->output_dir, doc->meta.slug,
                              s->suffix ? s->suffix : "");
                plans[plan_count++] = (output_plan){s, true, false, strbuf_take(&name)};
                if (v == 0 && doc->meta.contact_sheet) {
                    strbuf_printf(&name, "%s/%s-telefoonnummers.pdf", o->output_dir, doc->meta.slug);
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
            if (pages[i] && o->build)
                started[i] = start_finishing(&jobs[i], doc, pages[i], plans[i].path,
                                             plans[i].contact_sheet ? doc->meta.contact_sheet : NULL,
                                             o->serial_finish, &diags);
        }
        if (n > 0 && started[order[n - 1]])
            finish_wait(&jobs[order[n - 1]], &diags);
    }
    ok = diags.errors == 0 && doc;
    for (size_t i = 0; i < plan_count && ok && o->build; i++) {
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

/* Copies what a worker wrote to a capture file onto `to`, then closes it. */
static void replay(FILE *capture, FILE *to)
{
    rewind(capture);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, capture)) > 0)
        fwrite(chunk, 1, n, to);
    fclose(capture);
    fflush(to);
}

/* Typesets the leaflets assigned to `worker` (all of them when there is one
 * worker), with fonts and hyphenation opened once. With capture files, each
 * leaflet's output goes to its own pair. Returns how many failed. */
static size_t run_worker(const options *o, char **files, size_t count, const size_t *assigned,
                         size_t worker, const contact_registry *registry, FILE **out, FILE **err)
{
    diag_list setup;
    diag_init(&setup);
    PangoFontMap *fonts = fonts_open(o->fonts_dir, &setup);
    diag_print(&setup);
    diag_free(&setup);
    layout_resources res = {fonts, hyphen_cache_new()};
    size_t failed = 0;
    for (size_t i = 0; i < count; i++) {
        if (assigned[i] != worker)
            continue;
        if (out) {
            fflush(stdout);
            fflush(stderr);
            dup2(fileno(out[i]), STDOUT_FILENO);
            dup2(fileno(err[i]), STDERR_FILENO);
        }
        if (!fonts || !process_leaflet(o, files[i], registry, &res))
            failed++;
    }
    fflush(stdout);
    fflush(stderr);
    if (fonts)
        g_object_unref(fonts);
    hyphen_cache_free(res.hyphens);
    return failed;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* Leaflets are independent, so a batch runs on every core: worker processes
 * forked before any font or Pango call (Pango keeps a fontconfig thread,
 * which a fork would not carry over), the largest leaflets spread first.
 * Output is captured per leaflet and replayed in input order, so it reads
 * as a sequential run would. Returns how many leaflets failed. */
static size_t run_leaflets(const options *o, char **files, size_t count,
                           const contact_registry *registry)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t workers = o->jobs ? o->jobs : cores > 0 ? (size_t)cores : 1;
    if (workers > count)
        workers = count;
    size_t *assigned = xcalloc(count, sizeof *assigned);
    if (workers < 2) {
        size_t failed = run_worker(o, files, count, assigned, 0, registry, NULL, NULL);
        free(assigned);
        return failed;
    }
    /* longest first, each to the least loaded worker; source size stands in for work */
    long *load = xcalloc(workers, sizeof *load);
    bool *placed = xcalloc(count, sizeof *placed);
    for (size_t n = 0; n < count; n++) {
        size_t largest = 0;
        for (size_t i = 0, best = 0; i < count; i++)
            if (!placed[i] && (best++ == 0 || file_size(files[i]) > file_size(files[largest])))
                largest = i;
        size_t lightest = 0;
        for (size_t w = 1; w < workers; w++)
            if (load[w] < load[lightest])
                lightest = w;
        placed[largest] = true;
        assigned[largest] = lightest;
        load[lightest] += file_size(files[largest]) + 1;
    }
    free(placed);
    free(load);
    FILE **out = xcalloc(count, sizeof *out), **err = xcalloc(count, sizeof *err);
    bool captured = true;
    for (size_t i = 0; i < count; i++)
        captured = captured && (out[i] = tmpfile()) && (err[i] = tmpfile());
    pid_t *pids = xcalloc(workers, sizeof *pids);
    fflush(stdout);
    fflush(stderr);
    for (size_t w = 0; captured && w < workers; w++) {
        pids[w] = fork();
        if (pids[w] == 0) {
            options worker_options = *o;
            worker_options.serial_finish = true;
            size_t failed = run_worker(&worker_options, files, count, assigned, w, registry, out, err);
            /* exit, not _exit: the sanitizer build checks each worker for leaks */
            exit(failed > 255 ? 255 : (int)failed);
        }
    }
    size_t failed = 0;
    for (size_t w = 0; w < workers; w++) {
        int status = 0;
        if (pids[w] > 0) {
            while (waitpid(pids[w], &status, 0) < 0 && errno == EINTR)
                ;
        }
        if (pids[w] <= 0 || !captured) { /* no process to spare: do its share here */
            for (size_t i = 0; i < count; i++)
                if (assigned[i] == w && out[i]) {
                    fclose(out[i]);
                    out[i] = NULL;
                }
            failed += run_worker(o, files, count, assigned, w, registry, NULL, NULL);
        } else if (WIFEXITED(status)) {
            failed += (size_t)WEXITSTATUS(status);
        } else {
            fprintf(stderr, "leafpress: error: a worker crashed (signal %d)\n", WTERMSIG(status));
            for (size_t i = 0; i < count; i++)
                failed += assigned[i] == w;
        }
    }
    for (size_t i = 0; i < count; i++) {
        if (out[i])
            replay(out[i], stdout);
        if (err[i])
            replay(err[i], stderr);
    }
    free(out);
    free(err);
    free(pids);
    free(assigned);
    return failed;
}

/* check: every style in the folder must load, not just the ones in use. */
static bool check_styles(const options *o)
{
    size_t count;
    char **names = style_names(o->styles_dir, &count);
    bool ok = true;
    for (size_t i = 0; i < count; i++) {
        diag_list diags;
        diag_init(&diags);
        style *s = style_load(o->styles_dir, names[i], &diags);
        diag_print(&diags);
        ok = ok && s && diags.errors == 0;
        style_free(s);
        diag_free(&diags);
    }
    free_names(names, count);
    return ok;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    options o = {.output_dir = "output", .styles_dir = "styles",
                 .contacts_path = "sources/contacts.yaml", .fonts_dir = "fonts"};
    enum { OPT_STYLES = 256, OPT_CONTACTS, OPT_FONTS };
    static const struct option long_options[] = {
        {"output", required_argument, NULL, 'o'},
        {"styles", required_argument, NULL, OPT_STYLES},
        {"contacts", required_argument, NULL, OPT_CONTACTS},
        {"fonts", required_argument, NULL, OPT_FONTS},
        {"quiet", no_argument, NULL, 'q'},
        {"jobs", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {0, 0, 0, 0},
    };
    int c;
    /* GNU getopt permutes: options may come before or after the command. */
    while ((c = getopt_long(argc, argv, "o:j:qhV", long_options, NULL)) != -1) {
        switch (c) {
        case 'j': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 64) {
                fprintf(stderr, "leafpress: --jobs takes a number from 1 to 64, not '%s'\n", optarg);
                return 2;
            }
            o.jobs = (size_t)n;
            break;
        }
        case 'o': o.output_dir = optarg; break;
        case OPT_STYLES: o.styles_dir = optarg; break;
        case OPT_CONTACTS: o.contacts_path = optarg; break;
        case OPT_FONTS: o.fonts_dir = optarg; break;
        case 'q': o.quiet = true; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("leafpress %s (cairo %s)\n", LEAFPRESS_VERSION, cairo_version_string()); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    const char *command = argv[optind++];
    if (strcmp(command, "build") == 0) {
        o.build = true;
    } else if (strcmp(command, "check") != 0) {
        fprintf(stderr, "leafpress: unknown command '%s'\n", command);
        usage(stderr);
        return 2;
    }

    char **files = NULL;
    size_t file_count = 0;
    glob_t found = {0};
    if (optind < argc) {
        files = argv + optind;
        file_count = (size_t)(argc - optind);
    } else if (glob("sources/*.md", 0, NULL, &found) == 0) {
        files = found.gl_pathv;
        file_count = found.gl_pathc;
        qsort(files, file_count, sizeof *files, compare_strings);
    }
    if (file_count == 0) {
        fprintf(stderr, "leafpress: no sources given and none found in sources/\n");
        globfree(&found);
        return 2;
    }

    int status = 0;
    diag_list setup;
    diag_init(&setup);
    contact_registry registry = {0};
    if (file_exists(o.contacts_path))
        contacts_load(o.contacts_path, &registry, &setup);
    fonts_check_dir(o.fonts_dir, &setup);
    if (o.build && setup.errors == 0 && mkdir(o.output_dir, 0777) != 0 && errno != EEXIST)
        diag_report(&setup, SEVERITY_ERROR, o.output_dir, 0, 0, "cannot create the output folder: %s",
                    strerror(errno));
    diag_print(&setup);
    if (setup.errors) {
        status = 1;
    } else {
        if (!o.build && !check_styles(&o))
            status = 1;
        size_t failed = run_leaflets(&o, files, file_count, &registry);
        if (failed) {
            fprintf(stderr, "leafpress: %zu of %zu leaflets failed\n", failed, file_count);
            status = 1;
        } else if (!o.build && !o.quiet && status == 0) {
            printf("leafpress: %zu %s and the styles in %s: no problems\n", file_count,
                   file_count == 1 ? "leaflet" : "leaflets", o.styles_dir);
        }
    }
    diag_free(&setup);
    contacts_free(&registry);
    globfree(&found);
    return status;
}
