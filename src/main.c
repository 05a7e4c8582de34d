/* leafpress: the command line. `build` and `check` over the leaflets
 * named (default: every Markdown file in sources/); the work is in build.c (one
 * leaflet) and batch.c (many at once). */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cairo.h>

#include "batch.h"
#include "build.h"
#include "contacts.h"
#include "diag.h"
#include "fonts.h"

#ifndef LEAFPRESS_VERSION
#define LEAFPRESS_VERSION "0.0.0"
#endif

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

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    build_options o = {.output_dir = "output", .styles_dir = "styles",
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
        o.write = true;
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
    struct stat contacts_stat;
    if (stat(o.contacts_path, &contacts_stat) == 0)
        contacts_load(o.contacts_path, &registry, &setup);
    fonts_check_dir(o.fonts_dir, &setup);
    if (o.write && setup.errors == 0 && mkdir(o.output_dir, 0777) != 0 && errno != EEXIST)
        diag_report(&setup, SEVERITY_ERROR, o.output_dir, 0, 0, "cannot create the output folder: %s",
                    strerror(errno));
    diag_print(&setup);
    if (setup.errors) {
        status = 1;
    } else {
        /* every style once, so a broken one is reported once, not per leaflet */
        if (!check_all_styles(&o))
            status = 1;
        size_t failed = build_batch(&o, files, file_count, &registry);
        if (failed) {
            fprintf(stderr, "leafpress: %zu of %zu leaflets failed\n", failed, file_count);
            status = 1;
        } else if (!o.write && !o.quiet && status == 0) {
            printf("leafpress: %zu %s and the styles in %s: no problems\n", file_count,
                   file_count == 1 ? "leaflet" : "leaflets", o.styles_dir);
        }
    }
    diag_free(&setup);
    contacts_free(&registry);
    globfree(&found);
    return status;
}
