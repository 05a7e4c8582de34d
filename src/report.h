/* Report: what a run did, for machines.
 *
 * - The JSON report (--report FILE), schema docs/report.schema.json,
 *   format version REPORT_VERSION: each output with its source, variant,
 *   kind, path, status (built, unchanged, failed), pages, bytes, SHA-256,
 *   time and why it was built or failed; every diagnostic with file, line,
 *   column, severity and message; totals. Fields are only ever added
 *   within a version; a change in meaning gets a new version.
 * - SARIF 2.1.0 (--diagnostics-format=sarif): one result per diagnostic,
 *   for GitHub code scanning and GitLab.
 * - GitHub Actions workflow commands (::error file=F,line=L,col=C::M), the
 *   default when GITHUB_ACTIONS=true, escaped as the runner requires.
 *
 * Every string is valid UTF-8 JSON: a byte that is not UTF-8 becomes
 * U+FFFD, control characters are escaped. */
#ifndef LEAFPRESS_REPORT_H
#define LEAFPRESS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "diag.h"
#include "fingerprint.h"
#include "textutil.h"

#define REPORT_VERSION 1

/* out-of-date: only `status` says it (it builds nothing) */
typedef enum { STATUS_BUILT, STATUS_UNCHANGED, STATUS_FAILED, STATUS_OUT_OF_DATE } output_status;

typedef struct report_file {
    char *path;
    long long bytes;
    fp_digest sha256;
} report_file;

typedef struct report_output {
    char *source, *variant, *kind, *path;
    output_status status;
    long long pages, bytes;    /* -1: unknown (failed) */
    fp_digest sha256;          /* of the file at path; "" when failed */
    double time_ms;            /* building it; 0 when unchanged */
    char *reason;              /* why it was built, or why not up to date; may be NULL */
    char *theme;               /* the theme file it is built in (themes/NAME.yaml); NULL: none */
    report_file *files;        /* every file it consists of (proofs: one per page) */
    size_t file_count;
} report_output;

typedef struct report_diag {
    diag d;                    /* owned copy */
    char *source;              /* the leaflet it belongs to; NULL: the run */
} report_diag;

typedef struct run_report {
    const char *command;       /* "build", "check", "status" */
    report_output *outputs;
    size_t output_count;
    report_diag *diags;
    size_t diag_count;
    size_t leaflets, leaflets_failed;
    double time_ms;
} run_report;

void report_free(run_report *r);
/* Takes over *o (memset to 0 after). */
void report_add_output(run_report *r, report_output *o);
void report_add_diag(run_report *r, const diag *d, const char *source);
void report_output_free(report_output *o);
void report_output_add_file(report_output *o, const char *path, long long bytes,
                            const fp_digest *sha256);
const char *output_status_name(output_status s);

/* Appends s as a JSON string, quotes included. */
void json_string(strbuf *b, const char *s);

/* The JSON report. Caller frees. */
char *report_json(const run_report *r);
/* A SARIF 2.1.0 log of the diagnostics. cwd: the root relative paths are
 * resolved against (file URI base); may be NULL. Caller frees. */
char *report_sarif(const run_report *r, const char *cwd);
/* One GitHub Actions workflow command (no newline). Caller frees. */
char *diag_github_command(const diag *d);

typedef enum { DIAG_FORMAT_GCC, DIAG_FORMAT_GITHUB, DIAG_FORMAT_SARIF } diag_format_kind;
/* "gcc", "github", "sarif"; false for anything else. */
bool diag_format_parse(const char *name, diag_format_kind *kind);
/* The default: github when GITHUB_ACTIONS=true, else gcc. */
diag_format_kind diag_format_default(void);

/* Writes text to path atomically: a temporary beside it, then rename; no
 * fsync (a report or state lost in a crash is redone). 0, or the errno. */
int write_text_atomically(const char *path, const char *text);
/* The same, reporting a failure as an error naming path. */
bool report_write_file(const char *path, const char *text, diag_list *diags);

#endif
