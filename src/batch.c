#define _DEFAULT_SOURCE
#include "batch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "fonts.h"
#include "hyphenate.h"
#include "textutil.h"

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
static size_t run_worker(const build_options *o, char **files, size_t count, const size_t *assigned,
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
        if (!fonts || !build_leaflet(o, files[i], registry, &res))
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
size_t build_batch(const build_options *o, char **files, size_t count,
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
            build_options worker_options = *o;
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
