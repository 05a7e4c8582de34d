/* leafpress: the command line. `build` and `check` over the leaflets
 * named (default: every Markdown file in the project's sources/); the
 * outputs are planned in outputs.c, one leaflet is built in build.c, many
 * at once in batch.c. Every message that is not a file:line:col
 * diagnostic starts with "leafpress:". Exit status: 0 success, 1 a leaflet
 * (or the run) failed, 2 usage error, 128 + N interrupted by signal N. */
#define _GNU_SOURCE /* sigabbrev_np */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairo.h>

#include "batch.h"
#include "build.h"
#include "contacts.h"
#include "diag.h"
#include "fonts.h"
#include "incremental.h"
#include "outputs.h"
#include "project.h"
#include "review.h"
#include "report.h"
#include "shard.h"
#include "textutil.h"

#ifndef LEAFPRESS_VERSION
#define LEAFPRESS_VERSION "0.0.0"
#endif

/* 9999-12-31T23:59:59Z: a PDF date has four digits for the year */
#define EPOCH_MAX 253402300799LL

static void usage(FILE *to, const char *command)
{
    if (!command) {
        fputs("usage: leafpress build [options] [FILE...]\n"
              "       leafpress check [options] [FILE...]\n"
              "       leafpress status [options] [FILE...]\n"
              "       leafpress help [build|check|status]\n"
              "\n"
              "build  typeset each leaflet (default: every sources/*.md) in every style\n"
              "       variant: screen PDF, print PDF, booklet and PNG proofs\n"
              "check  validate sources and styles and report every problem; write nothing\n"
              "status list the outputs that are out of date and why (exit 1 when any is)\n"
              "\n"
              "Run anywhere inside a project (the nearest folder above with sources/ and\n"
              "styles/). `leafpress build --help` lists every option.\n"
              "  -h, --help           show this help\n"
              "  -V, --version        show the version\n",
              to);
        return;
    }
    bool build = strcmp(command, "build") == 0;
    fprintf(to, "usage: leafpress %s [options] [FILE...]\n\n", command);
    if (build)
        fputs("Typesets each leaflet (default: every sources/*.md of the project) in its\n"
              "style and every style that extends it, and writes, per variant NAME\n"
              "(the slug, plus the style's suffix):\n"
              "  OUT/NAME.pdf              screen PDF (tagged, PDF/UA-1)\n"
              "  OUT/print/NAME.pdf        print PDF for the print shop (PDF/X-4)\n"
              "  OUT/booklet/NAME.pdf      booklet for the office printer (not for the\n"
              "                            one-page contact sheet)\n"
              "  OUT/proofs/NAME.png       overview proof; OUT/proofs/NAME-NN.png each page\n"
              "A leaflet's files are replaced all together or, when anything fails or the\n"
              "run is interrupted, not at all. Two outputs with one path are an error and\n"
              "nothing is written.\n",
              to);
    else if (strcmp(command, "status") == 0)
        fputs("Lists every output (of every sources/*.md, or of each FILE) that a build\n"
              "would rebuild, and why: a changed source, image, style, contact, font,\n"
              "print profile, SOURCE_DATE_EPOCH or leafpress version; an output missing\n"
              "or changed by hand; never built. Then, under \"Due for review:\", each leaflet\n"
              "whose review_by has passed, or with none, whose updated is more than 3\n"
              "years old (today: SOURCE_DATE_EPOCH when set). Builds and writes nothing.\n"
              "Exit status 1 when anything is out of date (with --werror, also when a\n"
              "leaflet is due for review), 0 when all is current.\n",
              to);
    else
        fputs("Validates each leaflet (default: every sources/*.md of the project) and\n"
              "every style, lays the leaflets out in every variant and reports every\n"
              "problem, including outputs that would overwrite each other. Writes nothing.\n",
              to);
    fputs("\noptions:\n", to);
    fputs(build ? "  -o, --output DIR     where outputs go (default: output); missing folders\n"
                  "                       are created\n"
                : "  -o, --output DIR     where build would write (default: output)\n",
          to);
    fputs("      --styles DIR     style folder (default: styles)\n"
          "      --contacts FILE  contact registry (default: sources/contacts.yaml)\n"
          "      --fonts DIR      the only fonts used (default: fonts)\n"
          "  -j, --jobs N         leaflets at once, 1 to 64 (default: one per core)\n"
          "      --werror         treat warnings as errors (for CI): a leaflet with\n"
          "                       warnings fails",
          to);
    fputs(build ? " and writes nothing\n" : "\n", to);
    fputs("      --no-print       write no print PDFs\n"
              "      --no-booklet     write no booklets\n"
              "      --no-proofs      write no PNG proofs\n"
              "      --screen-only    only the screen PDFs (all three above)\n"
              "                       A style turns them off for its variant with\n"
              "                       output: {print: false, booklet: false, proofs: false}\n",
              to);
    if (!build)
        fputs("                       (check and status take them too: they look at the\n"
              "                       outputs that build with the same options would write)\n",
              to);
    if (build)
        fputs("      --force          rebuild every output, even those that are up to date\n"
              "                       (without it only outputs whose inputs changed are\n"
              "                       rebuilt; see OUT/.leafpress-state)\n"
              "      --depfile FILE   write make rules: each output and what it depends on\n",
              to);
    fputs("      --report FILE    write a JSON report of the run (docs/report.schema.json)\n"
          "      --diagnostics-format=gcc|github|sarif\n"
          "                       how problems are shown: gcc (file:line:col: error: ...),\n"
          "                       github (workflow commands; the default when\n"
          "                       GITHUB_ACTIONS=true), sarif (a SARIF 2.1.0 log on stdout)\n"
          "      --shard K/N      only the K-th of N parts of the sources (1 <= K <= N), cut\n"
          "                       by path and balanced by size: N CI jobs build it all once\n",
          to);
    fputs("  -q, --quiet          print problems only\n"
          "  -h, --help           show this help\n"
          "  -V, --version        show the version\n"
          "\n"
          "Paths given are relative to the current folder; the defaults, to the project root.\n"
          "Dates in the PDFs come from each source's 'updated' date, or from\n"
          "SOURCE_DATE_EPOCH (seconds since 1970, up to the end of 9999) when it is set.\n"
          "On a terminal a long run shows its progress on one line (not with CI=true).\n"
          "Exit status: 0 success, 1 a leaflet failed, 2 usage error, 130 / 143\n"
          "interrupted (SIGINT / SIGTERM): the leaflets written are listed, the others\n"
          "keep their previous files.\n",
          to);
}

static bool is_ci(void)
{
    const char *ci = getenv("CI");
    return ci && *ci && strcmp(ci, "false") != 0 && strcmp(ci, "0") != 0;
}

/* SOURCE_DATE_EPOCH: unset or empty, or a whole number 0..EPOCH_MAX. */
static bool read_epoch(build_options *o)
{
    const char *env = getenv("SOURCE_DATE_EPOCH");
    if (!env || !*env)
        return true;
    long long v = 0;
    bool ok = true;
    for (const char *p = env; *p && ok; p++) {
        ok = *p >= '0' && *p <= '9' && p - env < 13;
        if (ok)
            v = v * 10 + (*p - '0');
    }
    if (!ok || v > EPOCH_MAX) {
        fprintf(stderr,
                "leafpress: SOURCE_DATE_EPOCH must be a whole number of seconds from 0 to %lld "
                "(the end of the year 9999), not '%s'\n",
                EPOCH_MAX, env);
        return false;
    }
    o->have_epoch = true;
    o->epoch = v;
    return true;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int main(int argc, char **argv)
{
    build_options o = {.output_dir = "output", .styles_dir = "styles",
                       .contacts_path = "sources/contacts.yaml", .fonts_dir = "fonts",
                       .project_root = "."};
    bool given_output = false, given_styles = false, given_contacts = false, given_fonts = false;
    enum { OPT_STYLES = 256, OPT_CONTACTS, OPT_FONTS, OPT_WERROR, OPT_NO_PRINT, OPT_NO_BOOKLET,
           OPT_NO_PROOFS, OPT_SCREEN_ONLY, OPT_FORCE, OPT_REPORT, OPT_FORMAT, OPT_SHARD, OPT_DEPFILE };
    incremental_options io = {.format = diag_format_default()};
    size_t shard_k = 0, shard_n = 0;
    static const struct option long_options[] = {
        {"output", required_argument, NULL, 'o'},
        {"styles", required_argument, NULL, OPT_STYLES},
        {"contacts", required_argument, NULL, OPT_CONTACTS},
        {"fonts", required_argument, NULL, OPT_FONTS},
        {"quiet", no_argument, NULL, 'q'},
        {"jobs", required_argument, NULL, 'j'},
        {"werror", no_argument, NULL, OPT_WERROR},
        {"no-print", no_argument, NULL, OPT_NO_PRINT},
        {"no-booklet", no_argument, NULL, OPT_NO_BOOKLET},
        {"no-proofs", no_argument, NULL, OPT_NO_PROOFS},
        {"screen-only", no_argument, NULL, OPT_SCREEN_ONLY},
        {"force", no_argument, NULL, OPT_FORCE},
        {"report", required_argument, NULL, OPT_REPORT},
        {"diagnostics-format", required_argument, NULL, OPT_FORMAT},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"depfile", required_argument, NULL, OPT_DEPFILE},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {0, 0, 0, 0},
    };
    /* the command, wherever it is: GNU getopt permutes, so options may
     * come before or after it, and --help is the command's help */
    const char *command = NULL;
    for (int i = 1; i < argc && !command; i++) {
        if (argv[i][0] != '-') {
            const char *prev = argv[i - 1];
            bool is_value = i > 1 && (!strcmp(prev, "-o") || !strcmp(prev, "-j") ||
                                      !strcmp(prev, "--output") || !strcmp(prev, "--styles") ||
                                      !strcmp(prev, "--contacts") || !strcmp(prev, "--fonts") ||
                                      !strcmp(prev, "--jobs") || !strcmp(prev, "--report") ||
                                      !strcmp(prev, "--diagnostics-format") ||
                                      !strcmp(prev, "--shard") || !strcmp(prev, "--depfile"));
            if (!is_value)
                command = argv[i];
        } else if (!strcmp(argv[i], "--")) {
            break;
        }
    }
    if (command && strcmp(command, "build") && strcmp(command, "check") && strcmp(command, "help") &&
        strcmp(command, "status"))
        command = NULL; /* reported below */
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:j:qhV", long_options, NULL)) != -1) {
        switch (c) {
        case 'j': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || end == optarg || n < 1 || n > 64) {
                fprintf(stderr, "leafpress: --jobs takes a number from 1 to 64, not '%s'\n", optarg);
                return 2;
            }
            o.jobs = (size_t)n;
            break;
        }
        case 'o': o.output_dir = optarg; given_output = true; break;
        case OPT_STYLES: o.styles_dir = optarg; given_styles = true; break;
        case OPT_CONTACTS: o.contacts_path = optarg; given_contacts = true; break;
        case OPT_FONTS: o.fonts_dir = optarg; given_fonts = true; break;
        case OPT_WERROR: o.werror = true; break;
        case OPT_NO_PRINT: o.switches.off[KIND_PRINT] = true; break;
        case OPT_NO_BOOKLET: o.switches.off[KIND_BOOKLET] = true; break;
        case OPT_NO_PROOFS: o.switches.off[KIND_PROOFS] = true; break;
        case OPT_SCREEN_ONLY:
            o.switches.off[KIND_PRINT] = o.switches.off[KIND_BOOKLET] =
                o.switches.off[KIND_PROOFS] = true;
            break;
        case OPT_FORCE: io.force = true; break;
        case OPT_REPORT: io.report_path = optarg; break;
        case OPT_DEPFILE: io.depfile_path = optarg; break;
        case OPT_FORMAT:
            if (!diag_format_parse(optarg, &io.format)) {
                fprintf(stderr, "leafpress: --diagnostics-format is gcc, github or sarif, not '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case OPT_SHARD:
            if (!shard_parse(optarg, &shard_k, &shard_n)) {
                fprintf(stderr, "leafpress: --shard takes K/N with 1 <= K <= N <= %d, as in 2/4, not "
                                "'%s'\n", SHARD_MAX, optarg);
                return 2;
            }
            break;
        case 'q': o.quiet = true; break;
        case 'h':
            usage(stdout, command && strcmp(command, "help") ? command : NULL);
            return 0;
        case 'V': printf("leafpress %s (cairo %s)\n", LEAFPRESS_VERSION, cairo_version_string()); return 0;
        case ':':
            fprintf(stderr, "leafpress: %s needs a value\n", argv[optind - 1]);
            return 2;
        default:
            if (optopt)
                fprintf(stderr, "leafpress: unknown option '-%c'\n", optopt);
            else
                fprintf(stderr, "leafpress: unknown option '%s'\n", argv[optind - 1]);
            fputs("leafpress: `leafpress help` lists the commands and options\n", stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr, NULL);
        return 2;
    }
    command = argv[optind++];
    if (strcmp(command, "help") == 0) {
        const char *about = optind < argc ? argv[optind] : NULL;
        if (about && strcmp(about, "build") && strcmp(about, "check") && strcmp(about, "status")) {
            fprintf(stderr, "leafpress: no help for '%s': the commands are build, check and status\n",
                    about);
            return 2;
        }
        usage(stdout, about);
        return 0;
    }
    if (strcmp(command, "build") == 0) {
        o.write = true;
    } else if (strcmp(command, "check") != 0 && strcmp(command, "status") != 0) {
        fprintf(stderr, "leafpress: unknown command '%s'; the commands are build, check, status "
                        "and help\n", command);
        return 2;
    }
    if ((io.force || io.depfile_path) && !o.write) {
        fprintf(stderr, "leafpress: %s is for build\n", io.force ? "--force" : "--depfile");
        return 2;
    }
    /* before the first diagnostic: it decides how they are printed */
    io.command = command;
    incremental_setup(&io);
    if (io.format == DIAG_FORMAT_SARIF)
        o.quiet = true; /* stdout is the SARIF log */
    /* past ulimit -f a write fails (EFBIG) and the leaflet keeps its files,
     * rather than the process dying with temporaries left */
    signal(SIGXFSZ, SIG_IGN);
    if (!read_epoch(&o))
        return 2;
    if (given_output && !*o.output_dir) {
        fputs("leafpress: -o needs a folder name, not an empty string\n", stderr);
        return 2;
    }
    o.progress = !o.quiet && isatty(STDERR_FILENO) && !is_ci();

    /* the project: defaults live at its root, and the run works there */
    char *below = NULL;
    char *root = project_find(&below);
    bool named_files = optind < argc;
    if (!root && (!named_files || !given_styles)) {
        fputs("leafpress: no leafpress project here or above (a folder with sources/ and styles/)\n",
              stderr);
        return 2;
    }
    char **owned = NULL; /* user paths made relative to the root */
    size_t owned_count = 0;
#define REBASE(p) (owned = xrealloc(owned, (owned_count + 1) * sizeof *owned), \
                   owned[owned_count++] = project_rebase(below, (p)))
    int status = 0;
    char **files = NULL;
    size_t file_count = 0;
    glob_t found = {0};
    if (root && below && *below) {
        if (given_output) o.output_dir = REBASE(o.output_dir);
        if (given_styles) o.styles_dir = REBASE(o.styles_dir);
        if (given_contacts) o.contacts_path = REBASE(o.contacts_path);
        if (given_fonts) o.fonts_dir = REBASE(o.fonts_dir);
        if (chdir(root) != 0) {
            fprintf(stderr, "leafpress: cannot enter the project folder %s: %s\n", root,
                    strerror(errno));
            status = 2;
            goto done;
        }
    }
    struct stat st;
    if (given_output && stat(o.output_dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "leafpress: -o: '%s' is a file, not a folder\n", o.output_dir);
        status = 2;
        goto done;
    }
    if (!is_dir(o.styles_dir)) {
        fprintf(stderr, "leafpress: --styles: no folder '%s'\n", o.styles_dir);
        status = 2;
        goto done;
    }
    if (given_contacts && (stat(o.contacts_path, &st) != 0 || !S_ISREG(st.st_mode))) {
        fprintf(stderr, "leafpress: --contacts: no file '%s'\n", o.contacts_path);
        status = 2;
        goto done;
    }

    /* the sources: each stat'ed once; only regular files are read */
    bool globbed = !named_files;
    if (named_files) {
        for (int i = optind; i < argc; i++)
            REBASE(argv[i]);
        files = owned + owned_count - (size_t)(argc - optind);
        file_count = (size_t)(argc - optind);
    } else if (glob("sources/*.md", 0, NULL, &found) == 0) {
        files = found.gl_pathv;
        file_count = found.gl_pathc;
        qsort(files, file_count, sizeof *files, compare_strings);
    }
    diag_list setup;
    diag_init(&setup);
    char **kept = xcalloc(file_count + 1, sizeof *kept);
    off_t *sizes = xcalloc(file_count + 1, sizeof *sizes);
    dev_t *devs = xcalloc(file_count + 1, sizeof *devs);
    ino_t *inos = xcalloc(file_count + 1, sizeof *inos);
    size_t kept_count = 0, unreadable = 0, twice = 0;
    for (size_t i = 0; i < file_count; i++) {
        if (stat(files[i], &st) != 0) {
            diag_report(&setup, SEVERITY_ERROR, files[i], 0, 0, "cannot read: %s", strerror(errno));
            unreadable++;
            continue;
        }
        if (!S_ISREG(st.st_mode)) {
            /* a named pipe would block the run; a folder is no leaflet */
            const char *what = S_ISFIFO(st.st_mode) ? "a named pipe"
                             : S_ISDIR(st.st_mode)  ? "a folder"
                                                    : "not a regular file";
            if (globbed) {
                diag_report(&setup, SEVERITY_WARNING, files[i], 0, 0, "%s, not a leaflet: skipped",
                            what);
            } else {
                diag_report(&setup, SEVERITY_ERROR, files[i], 0, 0, "%s, not a leaflet", what);
                unreadable++;
            }
            continue;
        }
        size_t same = kept_count;
        for (size_t k = 0; k < kept_count && same == kept_count; k++)
            if (devs[k] == st.st_dev && inos[k] == st.st_ino)
                same = k;
        if (same < kept_count) {
            diag_report(&setup, SEVERITY_ERROR, files[i], 0, 0,
                        "the same file as %s, given twice: its outputs would be written twice",
                        kept[same]);
            twice++;
            continue;
        }
        devs[kept_count] = st.st_dev;
        inos[kept_count] = st.st_ino;
        sizes[kept_count] = st.st_size;
        kept[kept_count++] = files[i];
    }
    free(devs);
    free(inos);
    if (shard_n) {
        uint64_t *weights = xcalloc(kept_count + 1, sizeof *weights);
        size_t *shard_of = xcalloc(kept_count + 1, sizeof *shard_of);
        for (size_t i = 0; i < kept_count; i++)
            weights[i] = (uint64_t)sizes[i];
        shard_assign(kept, weights, kept_count, shard_n, shard_of);
        size_t in = 0;
        for (size_t i = 0; i < kept_count; i++)
            if (shard_of[i] == shard_k - 1) {
                kept[in] = kept[i];
                sizes[in++] = sizes[i];
            }
        kept_count = in;
        free(weights);
        free(shard_of);
    }
    if (file_count == 0) {
        fprintf(stderr, "leafpress: no sources given and none found in sources/\n");
        status = 2;
    }

    contact_registry registry = {0};
    if (status == 0) {
        if (stat(o.contacts_path, &st) == 0)
            contacts_load(o.contacts_path, &registry, &setup);
        /* a leaflet repository need not copy the fonts: without a fonts/
         * of its own it gets the ones bundled with leafpress */
        if (!given_fonts && !(stat(o.fonts_dir, &st) == 0 && S_ISDIR(st.st_mode)))
            o.fonts_dir = LEAFPRESS_DATA_DIR "/fonts";
        fonts_check_dir(o.fonts_dir, &setup);
        if (o.write && setup.errors == unreadable + twice && !make_folders(o.output_dir))
            diag_report(&setup, SEVERITY_ERROR, o.output_dir, 0, 0,
                        "cannot create the output folder: %s", strerror(errno));
    }
    diag_print(&setup);
    size_t setup_warnings = 0;
    for (size_t i = 0; i < setup.count; i++)
        setup_warnings += setup.items[i].level == SEVERITY_WARNING;
    if (status == 0 && setup.errors > unreadable + twice) {
        status = 1;
    } else if (status == 0) {
        /* every style once, so a broken one is reported once, not per leaflet;
         * one that cannot be read might be any leaflet's variant, so a build
         * then writes nothing rather than a set of outputs that may be short */
        style_family_set families = {0};
        bool styles_ok = check_all_styles(&o, &families);
        if (!styles_ok) {
            status = 1;
            o.write = false; /* every leaflet is still checked, and said so below */
        }
        diag_list clashes;
        diag_init(&clashes);
        output_plan plan;
        output_plan_make(&plan, o.output_dir, o.styles_dir, &o.switches, kept, kept_count,
                         &registry, &clashes);
        diag_print(&clashes);
        size_t collisions = plan.collisions + twice;
        diag_free(&clashes);
        batch_result r = {0};
        if (collisions && o.write) {
            fprintf(stderr, "leafpress: nothing written: %zu %s would be written twice\n",
                    collisions, collisions == 1 ? "output" : "outputs");
            status = 1;
        } else {
            output_plan todo;
            off_t *todo_sizes;
            incremental *inc = incremental_prepare(&o, &plan, sizes, &registry, &todo, &todo_sizes);
            if (strcmp(command, "status") == 0) {
                int stale = incremental_status(inc);
                /* a leaflet due for review is a fact about its text, not its
                 * outputs: listed, but fails only with --werror */
                size_t due = review_list((const char *const *)kept, kept_count, review_now(),
                                         o.quiet, stdout);
                status = status ? status : stale ? stale : o.werror && due ? 1 : 0;
                kept_count = 0; /* nothing was built: no verdict below */
            } else {
                build_batch(&o, &todo, todo_sizes, &registry, &families, &r);
            }
            size_t failed = r.failed + unreadable;
            size_t total = kept_count + unreadable;
            if (r.signal) {
                if (o.write)
                    fprintf(stderr,
                            "leafpress: interrupted (SIG%s): %zu of %zu %s written; the others keep "
                            "their previous files\n",
                            sigabbrev_np(r.signal) ? sigabbrev_np(r.signal) : "?", r.written,
                            total, total == 1 ? "leaflet" : "leaflets");
                else
                    fprintf(stderr, "leafpress: interrupted (SIG%s): %zu of %zu leaflets checked\n",
                            sigabbrev_np(r.signal) ? sigabbrev_np(r.signal) : "?", r.done, total);
                status = 128 + r.signal;
            } else if (failed) {
                fprintf(stderr, "leafpress: %zu of %zu %s failed\n", failed, total,
                        total == 1 ? "leaflet" : "leaflets");
                status = 1;
            } else if (r.worker_failures) {
                status = 1; /* (batch said which) */
            } else if (collisions) {
                status = 1;
            } else if (o.werror && setup_warnings) {
                fprintf(stderr, "leafpress: %zu %s, and --werror makes %s\n", setup_warnings,
                        setup_warnings == 1 ? "warning" : "warnings",
                        setup_warnings == 1 ? "it an error" : "them errors");
                status = 1;
            } else if (!o.write && !o.quiet && status == 0 && strcmp(command, "check") == 0) {
                size_t warnings = setup_warnings + r.warnings;
                if (warnings)
                    printf("leafpress: %zu %s and the styles in %s: no errors, %zu %s\n",
                           kept_count, kept_count == 1 ? "leaflet" : "leaflets", o.styles_dir,
                           warnings, warnings == 1 ? "warning" : "warnings");
                else
                    printf("leafpress: %zu %s and the styles in %s: no problems\n", kept_count,
                           kept_count == 1 ? "leaflet" : "leaflets", o.styles_dir);
            }
            if (!styles_ok)
                fprintf(stderr, "leafpress: nothing is built while a style or theme has errors: fix "
                                "them, or move a file no leaflet uses out of its folder\n");
            else if (r.unknown_families)
                fprintf(stderr, "leafpress: nothing is built while a style names a font family "
                                "that no font in %s%s has: correct the name, or add the font's "
                                "files there\n", o.fonts_dir,
                        *o.fonts_dir && o.fonts_dir[strlen(o.fonts_dir) - 1] == '/' ? "" : "/");
            incremental_finish(inc, &todo, &r, &status); /* state, report, depfile, SARIF */
            incremental_plan_view_free(&todo);
            free(todo_sizes);
            incremental_free(inc);
        }
        output_plan_free(&plan);
        style_family_set_free(&families);
    }
    incremental_finish(NULL, NULL, NULL, &status); /* a run that stopped early: its report */
    diag_free(&setup);
    contacts_free(&registry);
    free(kept);
    free(sizes);
done:
    globfree(&found);
    for (size_t i = 0; i < owned_count; i++)
        free(owned[i]);
    free(owned);
    free(root);
    free(below);
    return status;
}
