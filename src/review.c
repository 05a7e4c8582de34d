#define _DEFAULT_SOURCE /* timegm, gmtime_r */
#include "review.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "frontmatter.h"
#include "input_limits.h"
#include "textutil.h"

long long review_now(void)
{
    const char *env = getenv("SOURCE_DATE_EPOCH");
    if (env && *env) {
        char *end;
        long long v = strtoll(env, &end, 10);
        if (*end == '\0' && v >= 0)
            return v;
    }
    return (long long)time(NULL);
}

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return days[m - 1] + (m == 2 && leap(y));
}

/* Midnight UTC at the start of the day after y-m-d: the first moment it is past. */
static long long day_after(int y, int m, int d)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + 1}; /* timegm normalises */
    return (long long)timegm(&tm);
}

review_status review_check(const leaflet_meta *meta, long long now)
{
    review_status r = {.state = REVIEW_CURRENT};
    if (meta->review_year > 0) {
        r.due_year = meta->review_year;
        r.due_month = meta->review_month;
        r.due_day = meta->review_day ? meta->review_day : days_in_month(r.due_year, r.due_month);
    } else if (meta->updated_year > 0 && meta->updated_month > 0) {
        r.due_year = meta->updated_year + REVIEW_MAX_AGE_YEARS;
        r.due_month = meta->updated_month;
        int last = days_in_month(r.due_year, r.due_month);
        r.due_day = meta->updated_day ? meta->updated_day : last;
        if (r.due_day > last) /* 29 February, three years on */
            r.due_day = last;
    } else {
        return r;
    }
    long long past = day_after(r.due_year, r.due_month, r.due_day);
    if (now >= past) {
        r.state = meta->review_year > 0 ? REVIEW_PASSED : REVIEW_STALE;
        r.days_over = (now - past) / 86400 + 1;
    }
    return r;
}

/* "2017-05" or "2017-05-12", as the front matter wrote it. */
static void format_date(char *out, size_t size, int y, int m, int d)
{
    if (d)
        snprintf(out, size, "%04d-%02d-%02d", y, m, d);
    else
        snprintf(out, size, "%04d-%02d", y, m);
}

void review_report(const document *doc, long long now, diag_list *diags)
{
    const leaflet_meta *m = &doc->meta;
    review_status r = review_check(m, now);
    if (r.state == REVIEW_CURRENT)
        return;
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    char today[16], date[16];
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    if (r.state == REVIEW_PASSED) {
        format_date(date, sizeof date, m->review_year, m->review_month, m->review_day);
        diag_report(diags, SEVERITY_WARNING, doc->source_path, m->review_line, m->review_column,
                    "review date %s has passed (today is %s); review the text and set a new "
                    "'review_by'", date, today);
    } else {
        format_date(date, sizeof date, m->updated_year, m->updated_month, m->updated_day);
        diag_report(diags, SEVERITY_WARNING, doc->source_path, m->updated_line, m->updated_column,
                    "'updated' %s is more than %d years ago (today is %s) and there is no "
                    "'review_by'; review the text, or set 'review_by' to when it is due",
                    date, REVIEW_MAX_AGE_YEARS, today);
    }
}

/* The dates of one source's front matter; false when it has none usable. */
static bool read_dates(const char *path, leaflet_meta *meta)
{
    size_t length;
    char *text = read_input(path, LIMIT_SOURCE_BYTES, &length, NULL);
    if (!text)
        return false;
    diag_list scratch; /* check and build report these in full */
    diag_init(&scratch);
    const char *yaml, *body;
    size_t yaml_length;
    int body_line;
    /* no registry: contact ids are not looked at here, only their errors would be */
    bool ok = frontmatter_split(path, text, length, &yaml, &yaml_length, &body, &body_line,
                                &scratch);
    if (ok)
        frontmatter_parse(path, yaml, yaml_length, NULL, meta, &scratch);
    /* an error in the dates themselves leaves them unset (year 0): not due */
    diag_free(&scratch);
    free(text);
    return ok;
}

size_t review_list(const char *const *sources, size_t count, long long now, bool quiet,
                   FILE *out)
{
    size_t due = 0;
    for (size_t i = 0; i < count; i++) {
        leaflet_meta m = {0};
        if (!read_dates(sources[i], &m)) {
            meta_free(&m);
            continue;
        }
        review_status r = review_check(&m, now);
        if (r.state != REVIEW_CURRENT) {
            if (!due++ && !quiet)
                fprintf(out, "Due for review:\n");
            char date[16];
            if (r.state == REVIEW_PASSED) {
                format_date(date, sizeof date, m.review_year, m.review_month, m.review_day);
                fprintf(out, "  %-44s review_by %s has passed, %lld %s ago\n", sources[i], date,
                        r.days_over, r.days_over == 1 ? "day" : "days");
            } else {
                format_date(date, sizeof date, m.updated_year, m.updated_month, m.updated_day);
                fprintf(out, "  %-44s updated %s, more than %d years ago, and no review_by\n",
                        sources[i], date, REVIEW_MAX_AGE_YEARS);
            }
        }
        meta_free(&m);
    }
    if (due && !quiet)
        fprintf(out, "leafpress: %zu of %zu %s due for review; review the text, then set "
                     "'updated' and 'review_by'\n", due, count, count == 1 ? "leaflet" : "leaflets");
    return due;
}
