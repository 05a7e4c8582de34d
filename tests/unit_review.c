/* Unit tests for the review cycle (src/review.c), with a fixed
 * SOURCE_DATE_EPOCH: review_by passed or not (a YYYY-MM date counts to the
 * end of its month), no review_by and updated more than three years ago,
 * 29 February three years on, the warning's position in the source (from a
 * real parse), and that review_now follows SOURCE_DATE_EPOCH. */
#define _POSIX_C_SOURCE 200809L /* setenv, mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "review.h"

/* Midnight UTC, computed with Python's calendar.timegm. */
#define DEC_1_2026 1796083200LL
#define SEP_30_2028 1853884800LL
#define OCT_1_2028 1853971200LL
#define FEB_28_2023 1677542400LL
#define MAR_1_2023 1677628800LL
#define DAY 86400LL

static leaflet_meta meta(int uy, int um, int ud, int ry, int rm, int rd)
{
    return (leaflet_meta){.updated_year = uy, .updated_month = um, .updated_day = ud,
                          .review_year = ry, .review_month = rm, .review_day = rd};
}

static void review_by_month_counts_to_its_end(void **state)
{
    (void)state;
    leaflet_meta m = meta(2026, 9, 0, 2028, 9, 0);
    /* the last second of 30 September 2028 is still current */
    review_status r = review_check(&m, OCT_1_2028 - 1);
    assert_int_equal(r.state, REVIEW_CURRENT);
    assert_int_equal(r.due_day, 30);
    r = review_check(&m, SEP_30_2028);
    assert_int_equal(r.state, REVIEW_CURRENT);
    r = review_check(&m, OCT_1_2028);
    assert_int_equal(r.state, REVIEW_PASSED);
    assert_int_equal(r.days_over, 1);
    r = review_check(&m, OCT_1_2028 + 10 * DAY);
    assert_int_equal(r.days_over, 11);
}

static void review_by_day(void **state)
{
    (void)state;
    leaflet_meta m = meta(2020, 2, 0, 2028, 9, 15);
    assert_int_equal(review_check(&m, SEP_30_2028 - 15 * DAY).state, REVIEW_CURRENT); /* 15 Sep */
    assert_int_equal(review_check(&m, SEP_30_2028 - 14 * DAY).state, REVIEW_PASSED);  /* 16 Sep */
    /* review_by wins over an old updated date */
    assert_int_equal(review_check(&m, SEP_30_2028 - 20 * DAY).state, REVIEW_CURRENT);
}

static void updated_three_years(void **state)
{
    (void)state;
    /* updated 2017-05, no review_by: stale from 1 June 2020 on */
    leaflet_meta m = meta(2017, 5, 0, 0, 0, 0);
    assert_int_equal(review_check(&m, DEC_1_2026).state, REVIEW_STALE);
    /* updated 2026-11: current on 1 December 2026 */
    m = meta(2026, 11, 0, 0, 0, 0);
    assert_int_equal(review_check(&m, DEC_1_2026).state, REVIEW_CURRENT);
    /* 29 February 2020 + 3 years: due 28 February 2023 */
    m = meta(2020, 2, 29, 0, 0, 0);
    review_status r = review_check(&m, FEB_28_2023);
    assert_int_equal(r.state, REVIEW_CURRENT);
    assert_int_equal(r.due_month, 2);
    assert_int_equal(r.due_day, 28);
    assert_int_equal(review_check(&m, MAR_1_2023).state, REVIEW_STALE);
    /* no valid date at all: nothing to say */
    m = meta(0, 0, 0, 0, 0, 0);
    assert_int_equal(review_check(&m, DEC_1_2026).state, REVIEW_CURRENT);
}

static void now_from_source_date_epoch(void **state)
{
    (void)state;
    setenv("SOURCE_DATE_EPOCH", "1796083200", 1);
    assert_int_equal(review_now(), DEC_1_2026);
    setenv("SOURCE_DATE_EPOCH", "not a number", 1);
    long long now = review_now();
    assert_true(now > DEC_1_2026 - 400 * DAY); /* the clock, not 0 */
    unsetenv("SOURCE_DATE_EPOCH");
}

/* Parses a leaflet with this front matter and returns review_report's diagnostics. */
static void report_for(const char *front, diag_list *diags)
{
    char dir[] = "/tmp/unit_review.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/folder.md", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "---\ntitle: Folder\nlang: nl-NL\npublisher: X\n%s---\n# Folder\n\nTekst.\n", front);
    fclose(f);
    diag_list parse_diags;
    diag_init(&parse_diags);
    document *doc = parse_leaflet(path, NULL, dir, &parse_diags);
    assert_non_null(doc);
    assert_int_equal(parse_diags.errors, 0);
    diag_free(&parse_diags);
    setenv("SOURCE_DATE_EPOCH", "1796083200", 1); /* 2026-12-01 */
    review_report(doc, review_now(), diags);
    unsetenv("SOURCE_DATE_EPOCH");
    doc_free(doc);
    unlink(path);
    rmdir(dir);
}

static void warnings_in_the_source(void **state)
{
    (void)state;
    diag_list d;
    diag_init(&d);
    report_for("updated: 2026-01\nreview_by: 2026-11\n", &d);
    assert_int_equal(d.count, 1);
    assert_int_equal(d.items[0].level, SEVERITY_WARNING);
    assert_int_equal(d.items[0].line, 6);
    assert_int_equal(d.items[0].column, 12);
    assert_string_equal(d.items[0].message, "review date 2026-11 has passed (today is 2026-12-01); "
                                            "review the text and set a new 'review_by'");
    diag_free(&d);

    diag_init(&d);
    report_for("updated: 2017-05\n", &d);
    assert_int_equal(d.count, 1);
    assert_int_equal(d.items[0].line, 5);
    assert_int_equal(d.items[0].column, 10);
    assert_non_null(strstr(d.items[0].message, "'updated' 2017-05 is more than 3 years ago"));
    diag_free(&d);

    diag_init(&d);
    report_for("updated: 2017-05\nreview_by: 2026-12-01\n", &d); /* due today: still fine */
    assert_int_equal(d.count, 0);
    report_for("updated: 2024-01-31\n", &d);
    assert_int_equal(d.count, 0);
    diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(review_by_month_counts_to_its_end),
        cmocka_unit_test(review_by_day),
        cmocka_unit_test(updated_three_years),
        cmocka_unit_test(now_from_source_date_epoch),
        cmocka_unit_test(warnings_in_the_source),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
