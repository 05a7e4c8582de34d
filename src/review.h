/* Review cycle: is a leaflet due for review?
 *
 * A leaflet is due when its front matter's review_by date has passed, or,
 * without review_by, when updated is more than REVIEW_MAX_AGE_YEARS old.
 * A date given as YYYY-MM counts to the end of that month. "Now" comes
 * from review_now(): SOURCE_DATE_EPOCH when it is set (so tests and CI
 * runs are reproducible), else the clock. */
#ifndef LEAFPRESS_REVIEW_H
#define LEAFPRESS_REVIEW_H

#include <stdio.h>

#include "diag.h"
#include "doc.h"

enum { REVIEW_MAX_AGE_YEARS = 3 };

typedef enum {
    REVIEW_CURRENT,  /* not due */
    REVIEW_PASSED,   /* review_by has passed */
    REVIEW_STALE,    /* no review_by, and updated is more than three years old */
} review_state;

typedef struct review_status {
    review_state state;
    int due_year, due_month, due_day; /* the last day it is current (day always set) */
    long long days_over;              /* whole days since then; 0 when current */
} review_status;

/* Seconds since 1970 (UTC): SOURCE_DATE_EPOCH when it is a valid number, else time(). */
long long review_now(void);

/* The status of meta at now. A meta without a valid updated date is current. */
review_status review_check(const leaflet_meta *meta, long long now);

/* A warning in diags when the leaflet is due: at review_by's position, or
 * at updated's when there is no review_by. Nothing when it is current. */
void review_report(const document *doc, long long now, diag_list *diags);

/* For `leafpress status`: reads the front matter of each source (a source
 * that cannot be read or has errors in its front matter is skipped: check
 * and build report it) and prints to out, under "Due for review:", a line
 * per leaflet that is due, with why; then, unless quiet, a count. Prints
 * nothing when none is due. Returns how many are due. */
size_t review_list(const char *const *sources, size_t count, long long now, bool quiet,
                   FILE *out);

#endif
