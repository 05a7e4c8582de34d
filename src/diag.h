/* Diagnostics: every problem found, with where it is and how bad.
 * Stages report into a diag_list instead of printing, so `check` can
 * list every problem and `build` can stop a leaflet on the first error. */
#ifndef LEAFPRESS_DIAG_H
#define LEAFPRESS_DIAG_H

#include <stdarg.h>
#include <stddef.h>

typedef enum { SEVERITY_NOTE, SEVERITY_WARNING, SEVERITY_ERROR } severity;

typedef struct diag {
    severity level;
    char *file;    /* as the user named it; may be NULL */
    int line;      /* 1-based; 0 when unknown */
    int column;    /* 1-based; 0 when unknown */
    char *message; /* no trailing newline */
} diag;

typedef struct diag_list {
    diag *items;
    size_t count, capacity;
    size_t errors;
} diag_list;

void diag_init(diag_list *list);
void diag_free(diag_list *list);

void diag_report(diag_list *list, severity level, const char *file, int line, int column,
                 const char *format, ...) __attribute__((format(printf, 6, 7)));
void diag_vreport(diag_list *list, severity level, const char *file, int line, int column,
                  const char *format, va_list args);

/* Reporting stores the message and file name with control characters, bidi
 * controls, line feeds and bytes that are not UTF-8 written out ("\x1b",
 * "U+202E", "\xff"), so a diagnostic is always safe to print. */
char *diag_escape(const char *text); /* caller frees */

/* Formats one diagnostic as "file:line:col: error: message" (GCC style). Caller frees. */
char *diag_format(const diag *d);
/* Prints every diagnostic to stderr in order of reporting (GCC style), or
 * hands the list to the hook when one is set. */
/* Warnings diag_print has printed in this process, for a run's verdict. */
size_t diag_warnings_printed(void);
void diag_print(const diag_list *list);
/* Another way to print (or collect) diagnostics: --diagnostics-format. NULL: GCC style. */
void diag_set_print_hook(void (*hook)(const diag_list *list));

#endif
