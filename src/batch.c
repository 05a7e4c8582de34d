#define _GNU_SOURCE /* pread, sigaction, prctl */
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pango/pangocairo.h>

#include "diag.h"
#include "fonts.h"
#include "hyphenate.h"
#include "textutil.h"

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
    if (!stop_signal)
        stop_signal = sig;
}

static const int STOP_SIGNALS[] = {SIGINT, SIGTERM, SIGHUP};

/* A worker's stop signal: ends it at once (nothing of a leaflet is on disk
 * before its commit, so nothing is left half-written), unless it comes
 * during a commit, on whatever thread: then it waits for the commit and
 * the report (run_worker). */
static volatile sig_atomic_t worker_pending;

static void on_worker_stop(int sig)
{
    if (outputs_committing())
        worker_pending = sig;
    else
        _exit(128 + sig);
}

/* restart: whether interrupted system calls go on (a worker's, during a
 * commit) or return EINTR (the main process's poll and waitpid) */
static void set_stop_handlers(void (*handler)(int), bool restart)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = restart ? SA_RESTART : 0;
    for (size_t i = 0; i < sizeof STOP_SIGNALS / sizeof *STOP_SIGNALS; i++)
        sigaction(STOP_SIGNALS[i], &sa, NULL);
}

/* What a worker tells the main process after each leaflet: fixed size,
 * well under PIPE_BUF, so each write lands whole. */
typedef struct done_record {
    uint32_t leaflet, worker;
    uint8_t ok, wrote;
    uint32_t warnings;         /* printed while building this leaflet */
    uint64_t out_offset, out_length, err_offset, err_length;
} done_record;

typedef struct shared_state {
    atomic_size_t next;        /* index into order[] of the next leaflet to take */
} shared_state;

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static bool write_whole(int fd, const void *data, size_t length)
{
    const char *p = data;
    while (length > 0) {
        ssize_t n = write(fd, p, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        length -= (size_t)n;
    }
    return true;
}

/* Copies length bytes at offset of capture file `from` to fd `to`. */
static void replay(int from, uint64_t offset, uint64_t length, int to)
{
    char chunk[8192];
    while (length > 0) {
        ssize_t n = pread(from, chunk, length < sizeof chunk ? (size_t)length : sizeof chunk,
                          (off_t)offset);
        if (n <= 0)
            break;
        write_whole(to, chunk, (size_t)n);
        offset += (uint64_t)n;
        length -= (uint64_t)n;
    }
}

/* The patterns of the languages the plan hyphenates (the first few) start
 * loading on threads of their own, so that they are ready when the first
 * leaflet is laid out instead of being waited for then. */
static void prefetch_hyphenation(hyphen_cache *cache, const output_plan *plan)
{
    size_t started = 0;
    for (size_t i = 0; i < plan->count && started < 4; i++) {
        const planned_leaflet *l = &plan->leaflets[i];
        bool hyphenated = false;
        for (size_t k = 0; k < l->variant_count && !hyphenated; k++)
            hyphenated = l->variants[k].style->hyphenate;
        if (hyphenated)
            started += hyphen_cache_prefetch(cache, l->lang);
    }
}

/* Typesets leaflets in order[] taken from the shared counter, with fonts
 * and hyphenation opened once. report_fd < 0: in the main process, output
 * straight through, stopping between leaflets on a signal. */
static void run_worker(const build_options *o, const output_plan *plan, const size_t *order,
                       shared_state *shared, const contact_registry *registry, uint32_t worker,
                       int report_fd, batch_result *direct, FcConfig *opened)
{
    diag_list setup;
    diag_init(&setup);
    layout_resources res = {NULL, hyphen_cache_new()};
    prefetch_hyphenation(res.hyphens, plan);
    PangoFontMap *fonts = opened ? fonts_map(opened) : fonts_open(o->fonts_dir, &setup);
    /* librsvg sets an SVG's text with the thread's default font map: make
     * it this one, or it would make a map of its own (one more fontconfig
     * cache, kept to the end of the process) */
    if (fonts)
        pango_cairo_font_map_set_default(PANGO_CAIRO_FONT_MAP(fonts));
    diag_print(&setup);
    diag_free(&setup);
    res.fonts = fonts;
    for (;;) {
        if (report_fd < 0 && stop_signal)
            break;
        size_t k = atomic_fetch_add(&shared->next, 1);
        if (k >= plan->count)
            break;
        size_t i = order[k];
        fflush(stdout);
        fflush(stderr);
        done_record r = {.leaflet = (uint32_t)i, .worker = worker};
        r.out_offset = (uint64_t)lseek(STDOUT_FILENO, 0, SEEK_CUR);
        r.err_offset = (uint64_t)lseek(STDERR_FILENO, 0, SEEK_CUR);
        size_t warnings_before = diag_warnings_printed();
        r.ok = fonts && build_leaflet(o, plan, i, registry, &res);
        r.warnings = (uint32_t)(diag_warnings_printed() - warnings_before);
        r.wrote = r.ok && o->write;
        fflush(stdout);
        fflush(stderr);
        r.out_length = (uint64_t)lseek(STDOUT_FILENO, 0, SEEK_CUR) - r.out_offset;
        r.err_length = (uint64_t)lseek(STDERR_FILENO, 0, SEEK_CUR) - r.err_offset;
        if (report_fd >= 0) {
            write_whole(report_fd, &r, sizeof r);
        } else {
            direct->done++;
            direct->warnings += r.warnings;
            direct->failed += !r.ok;
            direct->written += r.wrote;
        }
        /* a signal that came during the commit is delivered now, after the report */
        outputs_unblock_signals();
        if (worker_pending && report_fd >= 0)
            _exit(128 + worker_pending);
    }
    if (fonts) {
        pango_cairo_font_map_set_default(NULL);
        g_object_unref(fonts);
    }
    hyphen_cache_free(res.hyphens);
}

/* Removes what a worker killed in the middle of a commit left: its hidden
 * temporaries and the extra links it kept for undoing (".NAME.tmp-PID-N",
 * ".NAME.old-PID-N", outputs.c). */
static void remove_leftovers(const char *output_dir, pid_t pid)
{
    static const char *const folders[] = {"", "/print", "/booklet", "/proofs"};
    char tmp_mark[48], old_mark[48];
    snprintf(tmp_mark, sizeof tmp_mark, ".tmp-%ld-", (long)pid);
    snprintf(old_mark, sizeof old_mark, ".old-%ld-", (long)pid);
    for (size_t f = 0; f < sizeof folders / sizeof *folders; f++) {
        strbuf dir = {0};
        strbuf_printf(&dir, "%s%s", output_dir, folders[f]);
        DIR *d = opendir(dir.data);
        struct dirent *e;
        while (d && (e = readdir(d)))
            if (e->d_name[0] == '.' && (strstr(e->d_name, tmp_mark) || strstr(e->d_name, old_mark))) {
                strbuf path = {0};
                strbuf_printf(&path, "%s/%s", dir.data, e->d_name);
                unlink(path.data);
                free(path.data);
            }
        if (d)
            closedir(d);
        free(dir.data);
    }
}

static int compare_by_size(const void *a, const void *b, void *sizes_)
{
    const off_t *sizes = sizes_;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (sizes[x] != sizes[y])
        return sizes[x] > sizes[y] ? -1 : 1; /* largest first */
    return x < y ? -1 : x > y;
}

static void progress_clear(const build_options *o)
{
    if (o->progress)
        write_whole(STDERR_FILENO, "\r\033[K", 4);
}

static void progress_show(const build_options *o, size_t done, size_t count)
{
    if (!o->progress)
        return;
    char line[96];
    int n = snprintf(line, sizeof line, "\r\033[Kleafpress: %zu of %zu leaflets %s", done, count,
                     o->write ? "built" : "checked");
    if (n > 0)
        write_whole(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* Every family list of the styles folder, each place once. The number of
 * unknown names. */
static size_t check_families(const style_family_set *lists, FcConfig *fonts, const char *fonts_dir)
{
    size_t unknown = 0;
    diag_list diags;
    diag_init(&diags);
    for (size_t k = 0; k < lists->count; k++) {
        const style_family_list *l = &lists->items[k];
        unknown += fonts_check_family_list(fonts, fonts_dir, l->list, l->file, l->line, l->column,
                                           &diags);
    }
    diag_print(&diags);
    diag_free(&diags);
    return unknown;
}

void build_batch(const build_options *o, const output_plan *plan, const off_t *sizes,
                 const contact_registry *registry, const style_family_set *families,
                 batch_result *result)
{
    memset(result, 0, sizeof *result);
    size_t count = plan->count;
    if (count == 0)
        return;
    /* The fonts' configuration, made here once for the check (fontconfig
     * only: no Pango, whose threads must not be running at a fork), and
     * kept for a build in this process. A folder it cannot be made from is
     * left for the workers to report, as it always was. */
    diag_list quiet;
    diag_init(&quiet);
    FcConfig *fonts = fonts_config(o->fonts_dir, &quiet);
    diag_free(&quiet);
    if (fonts && (result->unknown_families = check_families(families, fonts, o->fonts_dir)) > 0) {
        result->failed = count;
        FcConfigDestroy(fonts);
        return;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t workers = o->jobs ? o->jobs : cores > 0 ? (size_t)cores : 1;
    if (workers > count)
        workers = count;
    /* the largest first: sizes stand in for work; one sort, no more stat */
    size_t *order = xmalloc(count * sizeof *order);
    for (size_t i = 0; i < count; i++)
        order[i] = i;
    qsort_r(order, count, sizeof *order, compare_by_size, (void *)sizes);

    stop_signal = 0;
    set_stop_handlers(on_stop, false);
    shared_state *shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE,
                                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int pipe_fds[2] = {-1, -1};
    FILE **out = xcalloc(workers, sizeof *out), **err = xcalloc(workers, sizeof *err);
    pid_t *pids = xcalloc(workers, sizeof *pids);
    size_t started = 0;
    bool mapped = shared != MAP_FAILED;
    if (!mapped)
        shared = xcalloc(1, sizeof *shared);
    /* One worker: no process of its own. Forking buys nothing then, and
     * costs the copy-on-write faults and a second exit (a few ms, much of
     * a short run); build_leaflet stops at its next stage instead. */
    bool ready = mapped && workers > 1 && pipe(pipe_fds) == 0;
    if (ready) {
        atomic_init(&shared->next, 0);
        fflush(stdout);
        fflush(stderr);
        pid_t parent = getpid();
        for (size_t w = 0; w < workers; w++) {
            if (!(out[w] = tmpfile()) || !(err[w] = tmpfile()))
                break;
            pids[w] = fork();
            if (pids[w] < 0)
                break;
            if (pids[w] == 0) {
                /* die with the parent, whatever kills it; SIGTERM, which a
                 * worker takes only between commits */
                prctl(PR_SET_PDEATHSIG, SIGTERM);
                if (getppid() != parent)
                    _exit(1);
                set_stop_handlers(on_worker_stop, true);
                close(pipe_fds[0]);
                dup2(fileno(out[w]), STDOUT_FILENO);
                dup2(fileno(err[w]), STDERR_FILENO);
                build_options wo = *o;
                wo.one_thread = workers > 1; /* the other workers fill the cores */
                wo.progress = false;
                run_worker(&wo, plan, order, shared, registry, (uint32_t)w, pipe_fds[1], NULL, NULL);
                /* exit, not _exit: the sanitizer build checks each worker for leaks */
                exit(0);
            }
            started++;
        }
        close(pipe_fds[1]);
    }

    done_record *records = xcalloc(count, sizeof *records);
    bool *have = xcalloc(count, sizeof *have);
    size_t shown = 0;
    if (started == 0) {
        /* no process to spare: all of it here */
        if (pipe_fds[0] >= 0)
            close(pipe_fds[0]);
        atomic_store(&shared->next, 0);
        build_options here = *o;
        here.stop = &stop_signal;
        run_worker(&here, plan, order, shared, registry, 0, -1, result, fonts);
        result->signal = stop_signal;
    } else {
        char buffer[64 * sizeof(done_record)];
        size_t buffered = 0;
        bool killed = false, eof = false;
        double killed_at = 0, shown_at = 0;
        while (!eof) {
            if (stop_signal && !killed) {
                for (size_t w = 0; w < started; w++)
                    kill(pids[w], SIGTERM);
                killed = true;
                killed_at = now_seconds();
            } else if (killed && now_seconds() - killed_at > 1.0) {
                for (size_t w = 0; w < started; w++)
                    kill(pids[w], SIGKILL); /* (a reaped pid is still ours: not waited yet) */
                killed_at = 1e300;
            }
            struct pollfd p = {.fd = pipe_fds[0], .events = POLLIN};
            int ready_fds = poll(&p, 1, 100);
            if (ready_fds < 0 && errno == EINTR)
                continue;
            if (ready_fds <= 0)
                continue;
            ssize_t n = read(pipe_fds[0], buffer + buffered, sizeof buffer - buffered);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                eof = true;
                break;
            }
            buffered += (size_t)n;
            size_t whole = buffered / sizeof(done_record);
            for (size_t k = 0; k < whole; k++) {
                done_record r;
                memcpy(&r, buffer + k * sizeof r, sizeof r);
                if (r.leaflet < count && r.worker < started && !have[r.leaflet]) {
                    records[r.leaflet] = r;
                    have[r.leaflet] = true;
                    result->done++;
                    result->warnings += r.warnings;
                    result->failed += !r.ok;
                    result->written += r.wrote;
                }
            }
            memmove(buffer, buffer + whole * sizeof(done_record),
                    buffered - whole * sizeof(done_record));
            buffered -= whole * sizeof(done_record);
            /* in input order, as soon as the leaflets before are done */
            bool cleared = false;
            while (shown < count && have[shown]) {
                if (!cleared)
                    progress_clear(o);
                cleared = true;
                fflush(stdout);
                fflush(stderr);
                const done_record *r = &records[shown++];
                replay(fileno(out[r->worker]), r->out_offset, r->out_length, STDOUT_FILENO);
                replay(fileno(err[r->worker]), r->err_offset, r->err_length, STDERR_FILENO);
            }
            double t = now_seconds();
            if (cleared || t - shown_at > 0.1) {
                progress_show(o, result->done, count);
                shown_at = t;
            }
        }
        close(pipe_fds[0]);
        int crash = 0;
        int *statuses = xcalloc(started, sizeof *statuses);
        for (size_t w = 0; w < started; w++) {
            int status = 0;
            while (waitpid(pids[w], &status, 0) < 0 && errno == EINTR)
                ;
            statuses[w] = status;
            if (WIFSIGNALED(status) && o->write)
                remove_leftovers(o->output_dir, pids[w]);
            if (WIFSIGNALED(status) && !stop_signal)
                crash = WTERMSIG(status);
            else if (WIFEXITED(status) && WEXITSTATUS(status) != 0 && !stop_signal)
                crash = -WEXITSTATUS(status);
        }
        progress_clear(o);
        fflush(stdout);
        fflush(stderr);
        /* an interrupted run: what was done, still in input order */
        for (size_t i = shown; i < count; i++)
            if (have[i]) {
                replay(fileno(out[records[i].worker]), records[i].out_offset,
                       records[i].out_length, STDOUT_FILENO);
                replay(fileno(err[records[i].worker]), records[i].err_offset,
                       records[i].err_length, STDERR_FILENO);
            }
        result->signal = stop_signal;
        /* What a worker printed after its last leaflet (a crash report, the
         * sanitizers' leak report) would be lost with its capture file: it
         * is shown, and a worker that ended badly fails the run even when
         * every leaflet was reported. */
        bool all_reported = true;
        for (size_t i = 0; i < count; i++)
            all_reported = all_reported && have[i];
        for (size_t w = 0; w < started && !stop_signal; w++) {
            int status = statuses[w];
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                continue;
            uint64_t tail = 0;
            for (size_t i = 0; i < count; i++)
                if (have[i] && records[i].worker == w &&
                    records[i].err_offset + records[i].err_length > tail)
                    tail = records[i].err_offset + records[i].err_length;
            off_t end = lseek(fileno(err[w]), 0, SEEK_END);
            if (end > 0 && (uint64_t)end > tail)
                replay(fileno(err[w]), tail, (uint64_t)end - tail, STDERR_FILENO);
            result->worker_failures++;
            if (!all_reported)
                continue; /* said below, for each leaflet it left */
            if (WIFSIGNALED(status))
                fprintf(stderr, "leafpress: a worker crashed (%s) after its last leaflet\n",
                        strsignal(WTERMSIG(status)));
            else
                fprintf(stderr, "leafpress: a worker ended with exit status %d after its last leaflet\n",
                        WEXITSTATUS(status));
        }
        free(statuses);
        if (!stop_signal)
            for (size_t i = 0; i < count; i++)
                if (!have[i]) {
                    if (crash > 0)
                        fprintf(stderr, "leafpress: %s: not built: its worker crashed (%s)\n",
                                plan->leaflets[i].source, strsignal(crash));
                    else
                        fprintf(stderr, "leafpress: %s: not built: its worker stopped early\n",
                                plan->leaflets[i].source);
                    result->failed++;
                }
    }
    set_stop_handlers(SIG_DFL, false);
    for (size_t w = 0; w < workers; w++) {
        if (out[w])
            fclose(out[w]);
        if (err[w])
            fclose(err[w]);
    }
    if (mapped)
        munmap(shared, sizeof *shared);
    else
        free(shared);
    free(records);
    free(have);
    free(out);
    free(err);
    free(pids);
    free(order);
    if (fonts)
        FcConfigDestroy(fonts);
}
