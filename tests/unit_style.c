/* Unit tests for the style stage: the shipped styles, the extends cascade,
 * units, colours, contrast, every error message with its position, and
 * style_variants. Run from the repository root (reads styles/).
 * Fixture styles are written into a fresh mkdtemp directory. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "doc.h"
#include "input_limits.h"
#include "style.h"
#include "textutil.h"

#define MM(x) ((x) * 72.0 / 25.4)
#define EPS 1e-9

/* cmocka 1.1 compares only floats; lengths need doubles. */
#define assert_double_equal(a, b, eps)                                                   \
    do {                                                                                 \
        double a_ = (a), b_ = (b);                                                       \
        if (!(fabs(a_ - b_) <= (eps)))                                                   \
            fail_msg("%s = %.12g, expected %.12g (within %g)", #a, a_, b_, (double)(eps)); \
    } while (0)

static char fixture_dir[96];

/* A complete root style, written so that line/column positions in the
 * variants below are easy to count. Every required key, nothing else. */
static const char BASE[] =
    "page:\n"
    "  size: A5\n"
    "  margin_top: 16mm\n"
    "  margin_bottom: 20mm\n"
    "  margin_inner: 16mm\n"
    "  margin_outer: 16mm\n"
    "fonts:\n"
    "  family: \"Test Sans\"\n"
    "body:\n"
    "  size: 10pt\n"
    "  line_height: 1.4\n"
    "  color: \"#1a1a1a\"\n"
    "  space_after: 5pt\n"
    "h1: { size: 20pt, weight: bold }\n"
    "h2: { size: 14pt }\n"
    "h3: { size: 12pt }\n"
    "colophon: { size: 8pt }\n"
    "footer: { size: 8pt, rule_color: \"#cccccc\" }\n"
    "contact:\n"
    "  size: 9pt\n"
    "  background: \"#eef4f5\"\n"
    "  urgent_background: \"#f9dccb\"\n"
    "  rule: \"#005a6e\"\n"
    "contact_heading: { size: 10pt }\n"
    "cover: { band_color: \"#005a6e\", band_height: 60mm }\n"
    "cover_title: { size: 24pt, color: \"#ffffff\" }\n"
    "cover_subtitle: { size: 12pt, color: \"#ffffff\" }\n"
    "cover_publisher: { size: 10pt, color: \"#ffffff\" }\n"
    "link: { color: \"#005a6e\" }\n"
    "box:\n"
    "  note: { background: \"#eef1f5\", border: \"#2c4a6e\", title_color: \"#2c4a6e\" }\n"
    "  tip: { background: \"#e6f1f3\", border: \"#005a6e\", title_color: \"#005a6e\" }\n"
    "  warning: { background: \"#fdf0e6\", border: \"#b33a00\", title_color: \"#9c2a00\" }\n";

static void write_style(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s.yaml", fixture_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(fixture_dir, sizeof fixture_dir, "/tmp/leafpress-style-XXXXXX");
    if (!mkdtemp(fixture_dir))
        return -1;
    write_style("base", BASE);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", fixture_dir);
    return system(command) == 0 ? 0 : -1;
}

static colour hex(unsigned v)
{
    return (colour){.r = ((v >> 16) & 0xff) / 255.0, .g = ((v >> 8) & 0xff) / 255.0, .b = (v & 0xff) / 255.0};
}

static void assert_color(colour got, unsigned want)
{
    colour w = hex(want);
    assert_double_equal(got.r, w.r, EPS);
    assert_double_equal(got.g, w.g, EPS);
    assert_double_equal(got.b, w.b, EPS);
}

static bool same_color(colour a, colour b) { return a.r == b.r && a.g == b.g && a.b == b.b; }

static void assert_same_text_style(const text_style *a, const text_style *b)
{
    assert_string_equal(a->font_family, b->font_family);
    assert_double_equal(a->size, b->size, 0);
    assert_double_equal(a->line_height, b->line_height, 0);
    assert_int_equal(a->weight, b->weight);
    assert_int_equal(a->italic, b->italic);
    assert_true(same_color(a->color, b->color));
    assert_double_equal(a->space_before, b->space_before, 0);
    assert_double_equal(a->space_after, b->space_after, 0);
}

/* Loads a fixture that must fail; returns the first diagnostic, formatted. */
static char *first_error(const char *name, diag_list *d)
{
    diag_init(d);
    style *s = style_load(fixture_dir, name, d);
    assert_null(s);
    assert_true(d->errors > 0);
    return diag_format(&d->items[0]);
}

/* Writes `text` as NAME.yaml, loads it, and checks the first error is
 * "DIR/NAME.yaml:WHERE: error: MESSAGE". */
static void expect_error(const char *name, const char *text, const char *where, const char *message)
{
    write_style(name, text);
    diag_list d;
    char *got = first_error(name, &d);
    char want[1024];
    snprintf(want, sizeof want, "%s/%s.yaml:%s: error: %s", fixture_dir, name, where, message);
    assert_string_equal(got, want);
    free(got);
    diag_free(&d);
}

static style *load_ok(const char *dir, const char *name)
{
    diag_list d;
    diag_init(&d);
    style *s = style_load(dir, name, &d);
    if (!s || d.count)
        diag_print(&d);
    assert_non_null(s);
    assert_int_equal(d.count, 0);
    diag_free(&d);
    return s;
}

static const text_style *all_texts(const style *s, size_t i)
{
    const text_style *texts[] = {
        &s->body, &s->h1, &s->h2, &s->h3, &s->colophon, &s->footer, &s->contact,
        &s->contact_heading, &s->cover_title, &s->cover_subtitle, &s->cover_publisher,
    };
    return i < sizeof texts / sizeof *texts ? texts[i] : NULL;
}

/* ---- the shipped styles --------------------------------------------------- */

static void test_house(void **state)
{
    (void)state;
    style *s = load_ok("styles", "house");
    assert_string_equal(s->name, "house");
    assert_string_equal(s->path, "styles/house.yaml");
    assert_null(s->extends);
    assert_string_equal(s->suffix, "");
    assert_double_equal(s->page_width, MM(148), EPS);
    assert_double_equal(s->page_height, MM(210), EPS);
    double margins[] = {s->margin_top, s->margin_bottom, s->margin_inner, s->margin_outer};
    for (size_t i = 0; i < 4; i++) {
        assert_true(margins[i] >= MM(15) - EPS);
        assert_true(margins[i] <= MM(20) + EPS);
    }
    assert_true(s->margin_inner >= s->margin_outer);
    assert_true(s->hyphenate);
    assert_false(s->emphasis_bold);
    assert_string_equal(s->body.font_family, "Atkinson Hyperlegible Next, Noto Naskh Arabic, DejaVu Sans");
    assert_double_equal(s->body.size, 10.5, 0);
    assert_double_equal(s->body.line_height, 1.4, 0);
    assert_int_equal(s->body.weight, 400);
    assert_double_equal(s->h1.size, 22, 0);
    assert_int_equal(s->h1.weight, 700);
    assert_double_equal(s->h2.size, 14, 0);
    assert_int_equal(s->h2.weight, 700);
    assert_true(same_color(s->h2.color, s->cover_band_color)); /* accent */
    assert_double_equal(s->h3.size, 11.5, 0);
    assert_int_equal(s->h3.weight, 600);
    assert_double_equal(s->footer.size, 8, 0);
    assert_color(s->body.color, 0x1a1a1a);
    assert_string_equal(s->bullets[0], "\xe2\x80\xa2");
    assert_true(s->link_underline);
    for (size_t i = 0; all_texts(s, i); i++) {
        assert_string_equal(all_texts(s, i)->font_family, s->body.font_family);
        assert_false(all_texts(s, i)->italic);
    }
    /* The footer baseline sits inside the bottom margin. */
    assert_true(s->footer_offset < s->margin_bottom);
    style_free(s);
}

static void test_grote_letter(void **state)
{
    (void)state;
    style *s = load_ok("styles", "grote-letter");
    assert_string_equal(s->name, "grote-letter");
    assert_string_equal(s->extends, "house");
    assert_string_equal(s->suffix, "-grote-letter");
    assert_double_equal(s->page_width, MM(210), EPS);
    assert_double_equal(s->page_height, MM(297), EPS);
    assert_double_equal(s->body.size, 16, 0);
    assert_true(s->h1.size >= 28 && s->h2.size >= 20 && s->h3.size >= 17);
    assert_false(s->hyphenate);
    assert_true(s->emphasis_bold);
    assert_true(s->margin_inner >= MM(22) && s->margin_outer >= MM(22));
    style_free(s);
}

/* The read-back test of the PDF checks this too; here it fails early and
 * names the element. */
static void test_grote_letter_large_everywhere(void **state)
{
    (void)state;
    style *s = load_ok("styles", "grote-letter");
    static const char *const names[] = {
        "body", "h1", "h2", "h3", "colophon", "footer", "contact", "contact_heading",
        "cover_title", "cover_subtitle", "cover_publisher",
    };
    for (size_t i = 0; all_texts(s, i); i++) {
        const text_style *t = all_texts(s, i);
        if (t->size < 16 || t->italic || t->line_height < 1.5)
            fail_msg("grote-letter %s: %.1fpt, line height %.2f, italic %d", names[i], t->size,
                     t->line_height, t->italic);
    }
    assert_true(s->emphasis_bold);
    style_free(s);
}

static void test_cascade_shipped(void **state)
{
    (void)state;
    style *house = load_ok("styles", "house");
    style *large = load_ok("styles", "grote-letter");
    /* Inherited: colours, family, weights, page-break rules, boxes' colours. */
    for (size_t i = 0; all_texts(house, i); i++) {
        assert_string_equal(all_texts(large, i)->font_family, all_texts(house, i)->font_family);
        assert_int_equal(all_texts(large, i)->weight, all_texts(house, i)->weight);
        assert_true(same_color(all_texts(large, i)->color, all_texts(house, i)->color));
    }
    assert_int_equal(large->widows, house->widows);
    assert_int_equal(large->orphans, house->orphans);
    assert_int_equal(large->keep_with_next, house->keep_with_next);
    assert_true(same_color(large->link_color, house->link_color));
    assert_int_equal(large->link_underline, house->link_underline);
    const box_style *hb[] = {&house->box_note, &house->box_tip, &house->box_warning};
    const box_style *lb[] = {&large->box_note, &large->box_tip, &large->box_warning};
    for (size_t i = 0; i < 3; i++) {
        assert_true(same_color(lb[i]->background, hb[i]->background));
        assert_true(same_color(lb[i]->border, hb[i]->border));
        assert_true(same_color(lb[i]->title_color, hb[i]->title_color));
    }
    assert_true(same_color(large->contact_background, house->contact_background));
    assert_true(same_color(large->contact_urgent_background, house->contact_urgent_background));
    assert_true(same_color(large->cover_band_color, house->cover_band_color));
    for (int i = 0; i < 3; i++)
        assert_string_equal(large->bullets[i], house->bullets[i]);
    /* Overridden. */
    assert_true(large->body.size > house->body.size);
    assert_true(large->box_tip.border_width > house->box_tip.border_width);
    style_free(house);
    style_free(large);
}

/* ---- cascade and defaults on fixtures ---------------------------------------- */

static void test_cascade_only_what_is_set(void **state)
{
    (void)state;
    write_style("cascade-child",
                "extends: \"base\"\n"
                "suffix: -child\n"
                "body: { color: \"#333333\" }\n"
                "h2: { size: 15pt }\n"
                "box: { padding: 5mm, tip: { padding: 2mm } }\n");
    style *base = load_ok(fixture_dir, "base");
    style *child = load_ok(fixture_dir, "cascade-child");
    /* Set here. */
    assert_color(child->body.color, 0x333333);
    assert_double_equal(child->h2.size, 15, 0);
    /* Kept from the parent, in the same section. */
    assert_double_equal(child->body.size, base->body.size, 0);
    assert_double_equal(child->body.space_after, base->body.space_after, 0);
    assert_double_equal(child->body.line_height, base->body.line_height, 0);
    assert_same_text_style(&child->cover_title, &base->cover_title);
    assert_double_equal(child->h1.size, base->h1.size, 0);
    assert_int_equal(child->h1.weight, base->h1.weight);
    assert_double_equal(child->margin_top, base->margin_top, 0);
    /* Defaults resolve after merging: colours defaulting to body.color follow
     * the child's body.color; the parent's explicit ones stay. */
    assert_color(child->h3.color, 0x333333);
    assert_color(child->contact.color, 0x333333);
    assert_color(child->cover_title.color, 0xffffff);
    /* Box-wide padding feeds kinds that do not set their own. */
    assert_double_equal(child->box_note.padding, MM(5), EPS);
    assert_double_equal(child->box_warning.padding, MM(5), EPS);
    assert_double_equal(child->box_tip.padding, MM(2), EPS);
    style_free(base);
    style_free(child);
}

static void test_defaults(void **state)
{
    (void)state;
    style *s = load_ok(fixture_dir, "base");
    assert_string_equal(s->suffix, "");
    assert_false(s->hyphenate);
    assert_false(s->emphasis_bold);
    assert_int_equal(s->widows, 2);
    assert_int_equal(s->orphans, 2);
    assert_int_equal(s->keep_with_next, 2);
    for (size_t i = 0; all_texts(s, i); i++)
        assert_string_equal(all_texts(s, i)->font_family, "Test Sans");
    assert_int_equal(s->h2.weight, 400);
    assert_int_equal(s->h1.weight, 700);
    assert_double_equal(s->h2.line_height, 1.4, 0);
    assert_double_equal(s->h2.space_before, 0, 0);
    assert_true(s->link_underline);
    assert_double_equal(s->list_indent, MM(6), EPS);
    assert_double_equal(s->list_label_gap, MM(2), EPS);
    assert_double_equal(s->list_item_space, 2, 0);
    assert_string_equal(s->bullets[0], "\xe2\x80\xa2");
    assert_string_equal(s->bullets[1], "\xe2\x80\x93");
    assert_string_equal(s->bullets[2], "\xe2\x97\xa6");
    assert_double_equal(s->box_tip.border_width, 3, 0);
    assert_double_equal(s->box_tip.padding, MM(4), EPS);
    assert_double_equal(s->contact_padding, MM(4), EPS);
    assert_double_equal(s->footer_offset, MM(10), EPS);
    style_free(s);
}

static void test_bullets_repeat_last(void **state)
{
    (void)state;
    write_style("bullets", "extends: base\nsuffix: -b\nlist: { bullets: [\"-\", \"+\"] }\n");
    style *s = load_ok(fixture_dir, "bullets");
    assert_string_equal(s->bullets[0], "-");
    assert_string_equal(s->bullets[1], "+");
    assert_string_equal(s->bullets[2], "+");
    style_free(s);
}

/* ---- units and colours ------------------------------------------------------- */

static void test_units(void **state)
{
    (void)state;
    write_style("units",
                "extends: base\n"
                "suffix: -units\n"
                "page: { size: [148mm, 21cm], margin_top: 25.4mm, margin_bottom: 2.54cm,\n"
                "        margin_inner: 1in, margin_outer: 72pt }\n"
                "body: { size: 10.5pt, space_after: 0.5in }\n"
                "h1: { space_before: 3 mm }\n");
    style *s = load_ok(fixture_dir, "units");
    assert_double_equal(s->margin_top, 72, EPS);
    assert_double_equal(s->margin_bottom, 72, EPS);
    assert_true(s->margin_inner == 72.0);  /* in and pt are exact */
    assert_true(s->margin_outer == 72.0);
    assert_true(s->body.size == 10.5);
    assert_true(s->body.space_after == 36.0);
    assert_double_equal(s->page_width, 148 * 72 / 25.4, EPS);
    assert_double_equal(s->page_height, 210 * 72 / 25.4, EPS);
    assert_double_equal(s->h1.space_before, 3 * 72 / 25.4, EPS);
    style_free(s);
}

static void test_colours(void **state)
{
    (void)state;
    write_style("colours",
                "extends: base\n"
                "suffix: -c\n"
                "body: { color: \"#123\" }\n"
                "h1: { color: \"#0A5b6C\" }\n");
    style *s = load_ok(fixture_dir, "colours");
    assert_color(s->body.color, 0x112233);
    assert_color(s->h1.color, 0x0a5b6c);
    style_free(s);
}

static void test_contrast_ratio(void **state)
{
    (void)state;
    colour black = {.r = 0}, white = {.r = 1, .g = 1, .b = 1};
    assert_double_equal(contrast_ratio(black, white), 21, EPS);
    assert_double_equal(contrast_ratio(white, black), 21, EPS);
    assert_double_equal(contrast_ratio(white, white), 1, EPS);
    assert_double_equal(contrast_ratio(hex(0x777777), white), 4.478, 0.001);
    assert_true(contrast_ratio(hex(0x767676), white) >= 4.5); /* the lightest AA grey */
    assert_double_equal(contrast_ratio(hex(0xff0000), white), 3.998, 0.001);
}

/* The shipped colour pairs pass with some margin, not by a hair. */
static void test_shipped_contrast(void **state)
{
    (void)state;
    style *s = load_ok("styles", "house");
    colour white = {.r = 1, .g = 1, .b = 1};
    assert_true(contrast_ratio(s->body.color, white) >= 7);
    assert_true(contrast_ratio(s->cover_title.color, s->cover_band_color) >= 7);
    assert_true(contrast_ratio(s->box_warning.title_color, s->box_warning.background) >= 4.5);
    assert_true(contrast_ratio(s->link_color, s->contact_urgent_background) >= 4.5);
    style_free(s);
}

/* ---- errors, each with its exact text and position ------------------------------- */

static void test_error_bare_number(void **state)
{
    (void)state;
    expect_error("bare", "extends: base\nsuffix: -x\npage:\n  margin_top: 16\n", "4:15",
                 "'margin_top' needs a unit (mm, pt, cm, in), as in '16mm'");
    expect_error("bare-size", "extends: base\nsuffix: -x\nbody: { size: 10.5 }\n", "3:15",
                 "'size' needs a unit (mm, pt, cm, in), as in '10.5pt'");
}

static void test_error_unknown_unit(void **state)
{
    (void)state;
    expect_error("unit", "extends: base\nsuffix: -x\npage:\n  margin_top: 12px\n", "4:15",
                 "unknown unit 'px' in '12px'; use mm, pt, cm or in");
    expect_error("not-length", "extends: base\nsuffix: -x\nh1:\n  space_after: lots\n", "4:16",
                 "'space_after' must be a length such as '12pt', not 'lots'");
    expect_error("negative", "extends: base\nsuffix: -x\nh1:\n  space_after: -2pt\n", "4:16",
                 "'space_after' must not be negative, not '-2pt'");
    expect_error("zero-size", "extends: base\nsuffix: -x\nh1:\n  size: 0pt\n", "4:9",
                 "'size' must be more than 0, not '0pt'");
}

static void test_error_colour(void **state)
{
    (void)state;
    expect_error("colour-name", "extends: base\nsuffix: -x\nh1:\n  color: red\n", "4:10",
                 "bad colour 'red'; use #rrggbb");
    expect_error("colour-short", "extends: base\nsuffix: -x\nh1:\n  color: \"#12345\"\n", "4:10",
                 "bad colour '#12345'; use #rrggbb");
    expect_error("colour-hex", "extends: base\nsuffix: -x\nh1:\n  color: \"#ggg\"\n", "4:10",
                 "bad colour '#ggg'; use #rrggbb");
    /* Unquoted, the # starts a comment and the value is empty. */
    expect_error("colour-unquoted", "extends: base\nsuffix: -x\nh1:\n  color: #123456\n", "4:9",
                 "bad colour ''; use #rrggbb, in quotes (\"#1a1a1a\"): "
                 "an unquoted # starts a YAML comment");
}

static void test_error_unknown_key(void **state)
{
    (void)state;
    expect_error("key-nested", "extends: base\nsuffix: -x\nbody:\n  colour: \"#000000\"\n", "4:3",
                 "unknown key 'colour' in 'body'; did you mean 'color'?");
    expect_error("key-top", "extends: base\nsuffix: -x\npagee: { size: A4 }\n", "3:1",
                 "unknown key 'pagee'; did you mean 'page'?");
    expect_error("key-box", "extends: base\nsuffix: -x\nbox:\n  tip:\n    backgrund: \"#fff\"\n",
                 "5:5", "unknown key 'backgrund' in 'box.tip'; did you mean 'background'?");
    expect_error("key-extends", "extend: base\n", "1:1",
                 "unknown key 'extend'; did you mean 'extends'?");
    expect_error("key-none", "extends: base\nsuffix: -x\nh1:\n  xyzzy: 1\n", "4:3",
                 "unknown key 'xyzzy' in 'h1'");
}

static void test_error_wrong_type(void **state)
{
    (void)state;
    expect_error("type-section", "extends: base\nsuffix: -x\nbody: 12pt\n", "3:7",
                 "'body' must be a mapping of keys, not a single value");
    expect_error("type-list", "extends: base\nsuffix: -x\nh1:\n  size: [12pt]\n", "4:9",
                 "'size' must be a single value, not a list");
    expect_error("type-bool", "extends: base\nsuffix: -x\ntext:\n  hyphenate: yes\n", "4:14",
                 "'hyphenate' must be true or false, not 'yes'");
    expect_error("type-bool-quoted", "extends: base\nsuffix: -x\ntext:\n  hyphenate: \"true\"\n",
                 "4:14", "'hyphenate' must be true or false, not 'true'");
    expect_error("type-count", "extends: base\nsuffix: -x\ntext:\n  widows: two\n", "4:11",
                 "'widows' must be a whole number such as 2, not 'two'");
    expect_error("type-count-min", "extends: base\nsuffix: -x\ntext:\n  orphans: 0\n", "4:12",
                 "'orphans' must be at least 1, not '0'");
    expect_error("type-lh", "extends: base\nsuffix: -x\nh1:\n  line_height: 14pt\n", "4:16",
                 "'line_height' must be a plain number (a multiple of the font size) such as 1.4, "
                 "not '14pt'");
    expect_error("type-lh-min", "extends: base\nsuffix: -x\nh1:\n  line_height: 0.9\n", "4:16",
                 "'line_height' must be from 1 to 5, not '0.9'");
    expect_error("type-weight", "extends: base\nsuffix: -x\nh1:\n  weight: heavy\n", "4:11",
                 "'weight' must be regular, semibold or bold (or 400, 600, 700), not 'heavy'");
    expect_error("type-emphasis", "extends: base\nsuffix: -x\ntext: { emphasis: underline }\n",
                 "3:19", "'emphasis' must be italic or bold, not 'underline'");
    expect_error("type-page", "extends: base\nsuffix: -x\npage: { size: B5 }\n", "3:15",
                 "unknown page size 'B5'; use A3, A4, A5, A6 or [width, height] as in [148mm, 210mm]");
    expect_error("type-page-dim", "extends: base\nsuffix: -x\npage: { size: [148mm, 210] }\n",
                 "3:23", "'size' needs a unit (mm, pt, cm, in), as in '210mm'");
    expect_error("type-bullets", "extends: base\nsuffix: -x\nlist: { bullets: [a, b, c, d] }\n",
                 "3:18", "'bullets' must be a list of 1 to 3 labels, one per nesting level, "
                 "as in [\"\xe2\x80\xa2\", \"\xe2\x80\x93\", \"\xe2\x97\xa6\"]");
    expect_error("type-suffix", "extends: base\nsuffix: \"a b\"\n", "2:9",
                 "'suffix' may only hold letters, digits, '-', '_' and '.', not 'a b'");
    expect_error("type-root", "- a\n- b\n", "1:1",
                 "a style file must be a mapping of sections such as 'page:' and 'body:', not a list");
    expect_error("type-empty", "extends: base\nsuffix: -x\nh1:\n  size:\n", "4:8",
                 "'size' has no value");
}

static void test_error_duplicate_and_syntax(void **state)
{
    (void)state;
    expect_error("dup", "extends: base\nsuffix: -x\nh1:\n  size: 11pt\n  size: 12pt\n", "5:3",
                 "duplicate key 'size'");
    expect_error("syntax", "extends: base\nh1:\n  size: 11pt\n bad\n", "4:2",
                 "bad YAML: did not find expected key (while parsing a block mapping)");
}

static void test_every_error_listed(void **state)
{
    (void)state;
    write_style("many", "extends: base\nsuffix: -x\nh1: { size: 3, color: red }\nh9: {}\n");
    diag_list d;
    char *first = first_error("many", &d);
    free(first);
    assert_int_equal(d.errors, 3);
    assert_int_equal(d.items[1].line, 3);
    assert_int_equal(d.items[1].column, 23);
    assert_int_equal(d.items[2].line, 4);
    diag_free(&d);
}

static void test_error_missing_style(void **state)
{
    (void)state;
    diag_list d;
    char *got = first_error("nope", &d);
    assert_string_equal(got, "leafpress: error: unknown style 'nope'");
    free(got);
    diag_free(&d);
    got = first_error("bace", &d);
    assert_string_equal(got, "leafpress: error: unknown style 'bace'; did you mean 'base'?");
    free(got);
    diag_free(&d);
}

static void test_error_missing_parent(void **state)
{
    (void)state;
    expect_error("orphan", "suffix: -o\nextends: bse\n", "2:10",
                 "unknown style 'bse'; did you mean 'base'?");
    expect_error("orphan2", "extends: zzzzzzzz\n", "1:10", "unknown style 'zzzzzzzz'");
    expect_error("orphan3", "extends: [base]\n", "1:10",
                 "'extends' must name a style, as in 'extends: house'");
}

static void test_error_cycle(void **state)
{
    (void)state;
    write_style("cycle-b", "extends: cycle-a\nsuffix: -b\n");
    write_style("cycle-a", "suffix: -a\nextends: cycle-b\n");
    /* cycle-a -> cycle-b -> cycle-a: reported where the cycle closes, in cycle-b. */
    char want[256];
    diag_list d;
    char *got = first_error("cycle-a", &d);
    snprintf(want, sizeof want, "%s/cycle-b.yaml:1:10: error: "
             "'extends' makes a cycle: cycle-a -> cycle-b -> cycle-a", fixture_dir);
    assert_string_equal(got, want);
    free(got);
    diag_free(&d);
    expect_error("cycle-self", "extends: cycle-self\n", "1:10",
                 "'extends' makes a cycle: cycle-self -> cycle-self");
}

static void test_error_missing_required(void **state)
{
    (void)state;
    /* A root style without body.color: reported at its body section. */
    char text[sizeof BASE];
    snprintf(text, sizeof text, "%s", BASE);
    char *line = strstr(text, "  color: \"#1a1a1a\"\n");
    assert_non_null(line);
    memmove(line, line + strlen("  color: \"#1a1a1a\"\n"),
            strlen(line + strlen("  color: \"#1a1a1a\"\n")) + 1);
    expect_error("no-color", text, "9:1", "'body' needs 'color' (it has no default)");
}

/* No section to point at: the start of the file (it had no position once). */
static void test_error_missing_section(void **state)
{
    (void)state;
    static const char *const names[] = {"bare-root", "empty-file"};
    write_style("bare-root", "fonts: { family: x }\n");
    write_style("empty-file", "");
    for (size_t i = 0; i < 2; i++) {
        diag_list d;
        char *got = first_error(names[i], &d);
        char want[256];
        snprintf(want, sizeof want, "%s/%s.yaml:1:1: error: 'page' needs 'size' (it has no "
                 "default); add a 'page:' section with it", fixture_dir, names[i]);
        assert_string_equal(got, want);
        free(got);
        diag_free(&d);
    }
}

static void test_error_suffix_needed(void **state)
{
    (void)state;
    expect_error("no-suffix", "extends: base\nh1: { size: 30pt }\n", "1:10",
                 "a style that extends 'base' needs its own non-empty 'suffix' "
                 "(as in suffix: \"-grote-letter\"), or its output would overwrite the parent's");
}

static void test_error_contrast(void **state)
{
    (void)state;
    expect_error("low-h2", "extends: base\nsuffix: -x\nh2:\n  color: \"#7fb3bf\"\n", "4:10",
                 "contrast of h2.color #7fb3bf on white #ffffff is 2.31:1; "
                 "WCAG AA needs at least 4.5:1");
    expect_error("low-grey", "extends: base\nsuffix: -x\nfooter: { color: \"#777\" }\n", "3:18",
                 "contrast of footer.color #777777 on white #ffffff is 4.48:1; "
                 "WCAG AA needs at least 4.5:1");
    /* The background was set last: the error points at it. */
    expect_error("low-box", "extends: base\nsuffix: -x\nbox:\n  tip:\n    background: \"#005a6e\"\n",
                 "5:17", "contrast of body.color #1a1a1a on box.tip.background #005a6e is 2.23:1; "
                 "WCAG AA needs at least 4.5:1");
    /* A defaulted colour says where it comes from and points there. */
    expect_error("low-body",
                 "extends: base\nsuffix: -x\nbody: { color: \"#999999\" }\nh1: { color: \"#000000\" }\n"
                 "link: { color: \"#000000\" }\n",
                 "3:16", "contrast of body.color #999999 on white #ffffff is 2.85:1; "
                 "WCAG AA needs at least 4.5:1");
    diag_list d;
    char *first = first_error("low-body", &d);
    free(first);
    bool found = false;
    for (size_t i = 0; i < d.count; i++) {
        if (strstr(d.items[i].message, "contrast of h2.color #999999 (defaults to body.color) "
                                       "on white #ffffff is 2.85:1") == d.items[i].message) {
            found = true;
            assert_int_equal(d.items[i].line, 3);
            assert_int_equal(d.items[i].column, 16);
        }
        assert_null(strstr(d.items[i].message, "h1.color"));
    }
    assert_true(found);
    diag_free(&d);
    expect_error("low-cover", "extends: base\nsuffix: -x\ncover: { band_color: \"#9fc5cf\" }\n",
                 "3:22", "contrast of cover_title.color #ffffff on cover.band_color #9fc5cf is "
                 "1.85:1; WCAG AA needs at least 4.5:1");
    expect_error("low-urgent", "extends: base\nsuffix: -x\ncontact: { urgent_background: \"#333333\" }\n",
                 "3:31", "contrast of contact.color #1a1a1a (defaults to body.color) on "
                 "contact.urgent_background #333333 is 1.38:1; WCAG AA needs at least 4.5:1");
}

static void test_error_page(void **state)
{
    (void)state;
    expect_error("wide-margins", "extends: base\nsuffix: -x\npage: { margin_inner: 60mm }\n",
                 "3:23", "margins leave 72.0mm of the 148.0mm page width for text; keep at least half");
    expect_error("footer-low", "extends: base\nsuffix: -x\nfooter: { offset: 20mm }\n", "3:19",
                 "footer.offset (20.0mm) must be less than page.margin_bottom (20.0mm): "
                 "the footer sits in the bottom margin");
    expect_error("band-tall", "extends: base\nsuffix: -x\ncover: { band_height: 300mm }\n", "3:23",
                 "cover.band_height (300.0mm) is taller than the page (210.0mm)");
}

/* ---- hostile styles ------------------------------------------------------------ */

/* 20,000 styles each extending the one before overflowed the stack (one
 * recursion per link); now the chain stops at LIMIT_EXTENDS_DEPTH with an
 * error at the `extends` that goes too deep. */
static void test_extends_too_deep(void **state)
{
    (void)state;
    char text[128];
    write_style("deep0", "extends: base\nsuffix: -d\n");
    for (int i = 1; i < 20000; i++) {
        snprintf(text, sizeof text, "suffix: -d%d\nextends: deep%d\n", i, i - 1);
        snprintf(text + 64, 64, "deep%d", i);
        write_style(text + 64, text);
    }
    diag_list d;
    char *got = first_error("deep19999", &d);
    /* the 16th style of the chain (deep19984) would extend a 17th */
    char want[1024];
    strbuf chain = {0};
    for (int i = 19999; i >= 19984; i--)
        strbuf_printf(&chain, "deep%d -> ", i);
    snprintf(want, sizeof want, "%s/deep19984.yaml:2:10: error: 'extends' chain is too deep: "
             "%sdeep19983 goes past 16 styles; at most 16 may extend one another",
             fixture_dir, chain.data);
    assert_string_equal(got, want);
    assert_int_equal(d.count, 1);
    free(chain.data);
    free(got);
    diag_free(&d);
    /* 16 deep is fine: deep14 -> ... -> deep0 -> base */
    style *s = load_ok(fixture_dir, "deep14");
    assert_string_equal(s->suffix, "-d14");
    style_free(s);
}

/* A cycle of 65 styles indexed past a 64-entry array (and printed stack
 * bytes); now the depth limit stops it with a message of style names only,
 * and a cycle within the limit is shown whole. */
static void test_extends_long_cycle(void **state)
{
    (void)state;
    char text[128], name[32];
    for (int i = 0; i < 65; i++) {
        snprintf(text, sizeof text, "extends: ring%d\nsuffix: -r%d\n", (i + 1) % 65, i);
        snprintf(name, sizeof name, "ring%d", i);
        write_style(name, text);
    }
    diag_list d;
    char *got = first_error("ring0", &d);
    assert_int_equal(d.count, 1);
    assert_non_null(strstr(got, "'extends' chain is too deep: ring0 -> ring1 -> "));
    for (const char *p = got; *p; p++)
        assert_true(*p >= 0x20 && *p < 0x7f);
    free(got);
    diag_free(&d);

    for (int i = 0; i < 16; i++) {
        snprintf(text, sizeof text, "extends: loop%d\nsuffix: -l%d\n", (i + 1) % 16, i);
        snprintf(name, sizeof name, "loop%d", i);
        write_style(name, text);
    }
    got = first_error("loop0", &d);
    strbuf want = {0};
    strbuf_printf(&want, "%s/loop15.yaml:1:10: error: 'extends' makes a cycle: ", fixture_dir);
    for (int i = 0; i < 16; i++)
        strbuf_printf(&want, "loop%d -> ", i);
    strbuf_puts(&want, "loop0");
    assert_string_equal(got, want.data);
    free(want.data);
    free(got);
    diag_free(&d);
}

/* Values layout cannot draw were accepted once (17 blank pages, UB in a
 * float-to-int cast); now each is an error at the value, with the range. */
static void test_error_extreme_values(void **state)
{
    (void)state;
    expect_error("huge-body", "extends: base\nsuffix: -x\nbody: { size: 99999999999999pt }\n",
                 "3:15", "'size' must be from 4pt to 200pt, not '99999999999999pt'");
    expect_error("tiny-body", "extends: base\nsuffix: -x\nbody: { size: 3.9pt }\n",
                 "3:15", "'size' must be from 4pt to 200pt, not '3.9pt'");
    expect_error("huge-page", "extends: base\nsuffix: -x\npage: { size: [99999999mm, 210mm] }\n",
                 "3:16", "'size' sides must be from 50mm to 1200mm, not '99999999mm'");
    expect_error("small-page", "extends: base\nsuffix: -x\npage: { size: [148mm, 49mm] }\n",
                 "3:23", "'size' sides must be from 50mm to 1200mm, not '49mm'");
    expect_error("huge-margin", "extends: base\nsuffix: -x\npage: { margin_top: 99999999mm }\n",
                 "3:21", "'margin_top' must be at most 1200mm, not '99999999mm'");
    /* margins that leave no text width at all */
    expect_error("no-width", "extends: base\nsuffix: -x\npage: { margin_inner: 80mm, margin_outer: 80mm }\n",
                 "3:43", "margins leave -12.0mm of the 148.0mm page width for text; keep at least half");
    expect_error("long-suffix", "extends: base\nsuffix: -abcdefghijklmnopqrstuvwxyz0123456\n",
                 "2:9", "'suffix' is longer than 32 characters");
    expect_error("long-bullet", "extends: base\nsuffix: -x\nlist: { bullets: [\"123456789\"] }\n",
                 "3:19", "'bullets' labels may be at most 8 characters");
    expect_error("tall-lines", "extends: base\nsuffix: -x\nbody: { line_height: 6 }\n",
                 "3:22", "'line_height' must be from 1 to 5, not '6'");
    /* the edges of each range are fine */
    write_style("edges", "extends: base\nsuffix: -e\n"
                "page: { size: [50mm, 1200mm], margin_inner: 5mm, margin_outer: 5mm }\n"
                "footer: { size: 4pt }\nh1: { size: 200pt, line_height: 5 }\n");
    style *s = load_ok(fixture_dir, "edges");
    assert_double_equal(s->page_width, MM(50), 1e-9);
    assert_double_equal(s->h1.size, 200, 0);
    style_free(s);
}

/* 50,000 keys took 20 s and a family of 50,000 names over 60 s; now each is
 * one error, found before any per-key work. (bench/hostile-inputs.sh times them.) */
static void test_error_style_sizes(void **state)
{
    (void)state;
    strbuf b = {0};
    strbuf_puts(&b, "extends: base\nsuffix: -x\n");
    for (int i = 0; i < 20000; i++) /* 50,000 would pass LIMIT_STYLE_BYTES */
        strbuf_printf(&b, "k%d: 1\n", i);
    expect_error("many-keys", b.data, "1001:1",
                 "more than 1000 keys in one style file; a style has about 170");
    free(b.data);

    b = (strbuf){0};
    strbuf_puts(&b, "extends: base\nsuffix: -x\nfonts:\n  family: \"A");
    for (int i = 1; i < 17; i++)
        strbuf_puts(&b, ", A");
    strbuf_puts(&b, "\"\n");
    expect_error("many-fonts", b.data, "4:11", "'family' lists 17 fonts; at most 16 are allowed");
    free(b.data);
    b = (strbuf){0};
    strbuf_puts(&b, "extends: base\nsuffix: -x\nh1:\n  family: \"");
    for (int i = 0; i < 513; i++)
        strbuf_puts(&b, "a");
    strbuf_puts(&b, "\"\n");
    expect_error("long-font", b.data, "4:11", "'family' is 513 bytes long; at most 512 are allowed");
    free(b.data);

    /* a style file bigger than LIMIT_STYLE_BYTES */
    b = (strbuf){0};
    strbuf_puts(&b, "extends: base\nsuffix: -x\n");
    while (b.length <= 256 * 1024)
        strbuf_puts(&b, "# a comment line that makes the file large\n");
    write_style("too-big", b.data);
    free(b.data);
    diag_list d;
    char *got = first_error("too-big", &d);
    char want[512];
    snprintf(want, sizeof want, "%s/too-big.yaml: error: cannot read style: it is larger than "
             "256 KiB, the most this kind of file may be", fixture_dir);
    assert_string_equal(got, want);
    free(got);
    diag_free(&d);

    /* a named pipe in styles/ blocked forever */
    char path[256];
    snprintf(path, sizeof path, "%s/pipe.yaml", fixture_dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    got = first_error("pipe", &d);
    snprintf(want, sizeof want, "%s: error: cannot read style: it is a named pipe, not a regular "
             "file", path);
    assert_string_equal(got, want);
    free(got);
    diag_free(&d);
    remove(path);
}

static void test_error_style_strings(void **state)
{
    (void)state;
    expect_error("nul-family", "extends: base\nsuffix: -x\nfonts: { family: \"Test\\0Sans\" }\n",
                 "3:23", "NUL character (\\0) in a string; it would cut the text short here");
    expect_error("esc-key", "extends: base\nsuffix: -x\n\"h1\\e[2K\": { size: 10pt }\n",
                 "3:4", "control character U+001B is not allowed");
    expect_error("bidi-bullet", "extends: base\nsuffix: -x\nlist: { bullets: [\"\xe2\x80\xae-\"] }\n",
                 "3:20", "bidirectional control character U+202E is not allowed: it makes text "
                 "show in another order than it is written");
}

/* More than LIMIT_VARIANTS styles extending one: an error, not a silent cut. */
static void test_error_too_many_variants(void **state)
{
    (void)state;
    char dir[160], path[256];
    snprintf(dir, sizeof dir, "%.90s/many-variants", fixture_dir);
    assert_int_equal(mkdir(dir, 0777), 0);
    snprintf(path, sizeof path, "%s/base.yaml", dir);
    FILE *f = fopen(path, "w");
    fputs(BASE, f);
    fclose(f);
    for (int i = 0; i < LIMIT_VARIANTS + 1; i++) {
        snprintf(path, sizeof path, "%s/v%d.yaml", dir, i);
        f = fopen(path, "w");
        fprintf(f, "extends: base\nsuffix: -v%d\n", i);
        fclose(f);
    }
    diag_list d;
    diag_init(&d);
    size_t count = 99;
    char **names = style_variants(dir, "base", &count, &d);
    assert_null(names);
    assert_int_equal(count, 0);
    assert_int_equal(d.errors, 1);
    char *got = diag_format(&d.items[0]);
    char want[512];
    /* sorted by name (v0, v1, v10, ...), the first one past the limit is v9 */
    snprintf(want, sizeof want, "%s/v9.yaml: error: %d styles extend 'base'; at most %d variants "
             "of one style are allowed", dir, LIMIT_VARIANTS + 1, LIMIT_VARIANTS);
    assert_string_equal(got, want);
    free(got);
    diag_free(&d);
    /* at the limit is fine */
    snprintf(path, sizeof path, "%s/v9.yaml", dir);
    remove(path);
    diag_init(&d);
    names = style_variants(dir, "base", &count, &d);
    assert_int_equal(count, LIMIT_VARIANTS);
    assert_int_equal(d.count, 0);
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    diag_free(&d);
}

/* ---- themes ------------------------------------------------------------------------ */

static char themes_dir[128];

static void write_theme(const char *name, const char *text)
{
    snprintf(themes_dir, sizeof themes_dir, "%.90s/themes", fixture_dir);
    mkdir(themes_dir, 0777);
    char path[192];
    snprintf(path, sizeof path, "%s/%s.yaml", themes_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Loads NAME in THEME; every diagnostic formatted, one a line, into *all. */
static style *load_themed(const char *name, const char *theme, char **all, size_t *errors)
{
    diag_list d;
    diag_init(&d);
    style *s = style_load_themed(fixture_dir, name, themes_dir, theme, &d);
    strbuf b = {0};
    strbuf_puts(&b, "");
    for (size_t i = 0; i < d.count; i++) {
        char *line = diag_format(&d.items[i]);
        strbuf_printf(&b, "%s\n", line);
        free(line);
    }
    *all = strbuf_take(&b);
    *errors = d.errors;
    diag_free(&d);
    return s;
}

/* house (root) -> theme -> the variant's own keys: the variant's sizes win,
 * the theme's colours stay, and the variant keeps its suffix. */
static void test_theme_merge_order(void **state)
{
    (void)state;
    write_style("big", "extends: base\nsuffix: -big\nbody: { size: 16pt }\n");
    write_theme("red", "body:\n  size: 9pt\nh1:\n  color: \"#8c1c2e\"\n"
                       "cover:\n  band_color: {rgb: \"#8c1c2e\", cmyk: [10, 95, 70, 40]}\n");
    char *all;
    size_t errors;
    style *s = load_themed("base", "red", &all, &errors);
    assert_string_equal(all, "");
    assert_non_null(s);
    assert_string_equal(s->theme, "red");
    assert_string_equal(s->suffix, "");
    assert_double_equal(s->body.size, 9, 0);          /* the theme over the root */
    assert_color(s->h1.color, 0x8c1c2e);
    assert_color(s->cover_band_color, 0x8c1c2e);
    assert_true(s->cover_band_color.has_cmyk);
    assert_double_equal(s->cover_band_color.m, 0.95, EPS);
    assert_color(s->h2.color, 0x1a1a1a);             /* untouched: still the root's */
    style_free(s);
    free(all);

    s = load_themed("big", "red", &all, &errors);
    assert_string_equal(all, "");
    assert_non_null(s);
    assert_string_equal(s->suffix, "-big");
    assert_double_equal(s->body.size, 16, 0);         /* the variant over the theme */
    assert_color(s->h1.color, 0x8c1c2e);
    assert_color(s->cover_band_color, 0x8c1c2e);
    style_free(s);
    free(all);

    /* without a theme, as before */
    s = load_ok(fixture_dir, "big");
    assert_null(s->theme);
    assert_color(s->h1.color, 0x1a1a1a);
    style_free(s);
}

/* A variant's rules hold whatever the theme says: each theme value they
 * override is a warning at the theme's position; the root's are silent. */
static void test_theme_rules(void **state)
{
    (void)state;
    write_style("lp", "extends: base\nsuffix: -lp\n"
                      "rules: {min_size: 16pt, min_line_height: 1.5, italics: false, hyphenate: false}\n");
    write_theme("loud", "h3:\n  italic: true\n  size: 11pt\ntext: {hyphenate: true, emphasis: italic}\n"
                        "body: { line_height: 1.2 }\n");
    char *all;
    size_t errors;
    style *s = load_themed("lp", "loud", &all, &errors);
    assert_non_null(s);
    assert_int_equal(errors, 0);
    char want[4096];
    /* in the order of the style keys (README, "Styles") */
    snprintf(want, sizeof want,
             "%1$s/loud.yaml:4:19: warning: text.hyphenate: true does not hold in variant 'lp', "
             "whose rules (%2$s/lp.yaml:3:74) say hyphenate: false; it uses false there\n"
             "%1$s/loud.yaml:4:35: warning: text.emphasis: italic does not hold in variant 'lp', "
             "whose rules (%2$s/lp.yaml:3:56) say italics: false; it uses bold there\n"
             "%1$s/loud.yaml:5:22: warning: body.line_height: 1.2 does not hold in variant 'lp', "
             "whose rules (%2$s/lp.yaml:3:42) say min_line_height: 1.5; it uses 1.5 there\n"
             "%1$s/loud.yaml:3:9: warning: h3.size: 11pt does not hold in variant 'lp', whose "
             "rules (%2$s/lp.yaml:3:19) say min_size: 16pt; it uses 16pt there\n"
             "%1$s/loud.yaml:2:11: warning: h3.italic: true does not hold in variant 'lp', whose "
             "rules (%2$s/lp.yaml:3:56) say italics: false; it uses false there\n",
             themes_dir, fixture_dir);
    assert_string_equal(all, want);
    for (size_t i = 0; all_texts(s, i); i++) {
        assert_true(all_texts(s, i)->size >= 16);
        assert_true(all_texts(s, i)->line_height >= 1.5);
        assert_false(all_texts(s, i)->italic);
    }
    assert_true(s->emphasis_bold);
    assert_false(s->hyphenate);
    assert_double_equal(s->rule_min_size, 16, 0);
    assert_false(s->rule_italics);
    style_free(s);
    free(all);

    /* the brochure in the same theme takes it all */
    s = load_themed("base", "loud", &all, &errors);
    assert_string_equal(all, "");
    assert_true(s->h3.italic);
    assert_double_equal(s->h3.size, 11, 0);
    assert_true(s->hyphenate);
    assert_false(s->emphasis_bold);
    style_free(s);
    free(all);
}

/* A variant whose own value breaks its own rules contradicts itself: an
 * error at that value. A variant of it inherits the rules. */
static void test_rules_broken_by_variant(void **state)
{
    (void)state;
    char message[512];
    snprintf(message, sizeof message, "body.size: 12pt breaks the rules of variant 'lp2' "
             "(min_size: 16pt at %s/lp2.yaml:4:13); make it 16pt", fixture_dir);
    expect_error("lp2", "extends: base\nsuffix: -lp2\nrules:\n  min_size: 16pt\nbody:\n  size: 12pt\n",
                 "6:9", message);
    write_style("lp3", "extends: lp2\nsuffix: -lp3\nbody:\n  size: 18pt\n");
    diag_list d;
    diag_init(&d);
    style *s = style_load(fixture_dir, "lp3", &d);
    assert_non_null(s);
    assert_int_equal(d.count, 0);
    assert_double_equal(s->body.size, 18, 0);
    assert_double_equal(s->h3.size, 16, 0);      /* base's 12pt, raised by lp2's rules */
    assert_double_equal(s->rule_min_size, 16, 0);
    style_free(s);
    diag_free(&d);
    expect_error("huge-rule", "extends: base\nsuffix: -h\nrules: { min_size: 300pt }\n", "3:20",
                 "'min_size' must be at most 200pt, not 300pt");
}

/* suffix, page.size, rules and output are what a variant is for: a theme
 * setting one is an error with a hint, each at its key; every other key,
 * margins too, is the theme's to set. */
static void test_theme_variant_only_keys(void **state)
{
    (void)state;
    write_theme("wrong", "suffix: -x\npage: { size: A4, margin_top: 30mm }\nrules: { italics: true }\n"
                         "output: { print: false }\n");
    char *all;
    size_t errors;
    style *s = load_themed("base", "wrong", &all, &errors);
    assert_null(s);
    assert_int_equal(errors, 4);
    char want[2048];
    snprintf(want, sizeof want,
             "%1$s/wrong.yaml:1:1: error: 'suffix' belongs to a variant (a style in styles/), not to "
             "a theme: a leaflet in a theme keeps its file names (SLUG.pdf, SLUG-grote-letter.pdf); "
             "remove it\n"
             "%1$s/wrong.yaml:2:9: error: 'page.size' belongs to a variant (a style in styles/), not "
             "to a theme: the page format is what a variant is for (the brochure A5, large print "
             "A4); remove it, or make a variant in styles/\n"
             "%1$s/wrong.yaml:3:1: error: 'rules' belongs to a variant (a style in styles/), not to "
             "a theme: a variant's rules (large print: 16 pt and up, no italics, no hyphenation) "
             "hold whatever a theme says; remove them\n"
             "%1$s/wrong.yaml:4:1: error: 'output' belongs to a variant (a style in styles/), not "
             "to a theme: turn a kind of output off in the variant's style file, or with "
             "--no-print, --no-booklet or --no-proofs\n", themes_dir);
    assert_string_equal(all, want);
    free(all);

    assert_true(style_key_variant_only("suffix"));
    assert_true(style_key_variant_only("page.size"));
    assert_true(style_key_variant_only("output.booklet"));
    assert_true(style_key_variant_only("rules.min_size"));
    assert_false(style_key_variant_only("page.margin_top"));
    assert_false(style_key_variant_only("cover.band_color"));
    assert_false(style_key_variant_only("outputs"));

    write_theme("margins", "page: { margin_top: 30mm }\nunknown_key: 1\n");
    s = load_themed("base", "margins", &all, &errors);
    assert_null(s);
    char unknown[512];
    snprintf(unknown, sizeof unknown, "%s/margins.yaml:2:1: error: unknown key 'unknown_key'",
             themes_dir);
    assert_true(strncmp(all, unknown, strlen(unknown)) == 0); /* only the unknown key */
    assert_int_equal(errors, 1);
    free(all);
}

/* A theme may extend another theme (themes/); the chain goes on top of the
 * root in order. `extends: house` (a style) is a migration left-over: a
 * hint. A cycle is an error, and so is an unknown theme. */
static void test_theme_chain(void **state)
{
    (void)state;
    write_theme("hospital", "h1: { color: \"#2c4a6e\" }\nh2: { color: \"#2c4a6e\" }\n");
    write_theme("dept", "extends: hospital\nh2: { color: \"#8c1c2e\" }\n");
    char *all;
    size_t errors;
    style *s = load_themed("base", "dept", &all, &errors);
    assert_string_equal(all, "");
    assert_color(s->h1.color, 0x2c4a6e);
    assert_color(s->h2.color, 0x8c1c2e);
    style_free(s);
    free(all);

    write_theme("old", "extends: base\nsuffix: -old\n");
    s = load_themed("base", "old", &all, &errors);
    assert_null(s);
    char want[1024];
    snprintf(want, sizeof want,
             "%1$s/old.yaml:1:10: error: a theme's 'extends' names another theme in %1$s, and 'base' "
             "is a style; every theme is laid over the root style already: remove this line\n"
             "%1$s/old.yaml:2:1: error: 'suffix' belongs to a variant (a style in styles/), not to "
             "a theme: a leaflet in a theme keeps its file names (SLUG.pdf, SLUG-grote-letter.pdf); "
             "remove it\n", themes_dir);
    assert_string_equal(all, want);
    free(all);

    write_theme("ping", "extends: pong\n");
    write_theme("pong", "extends: ping\n");
    s = load_themed("base", "ping", &all, &errors);
    assert_null(s);
    snprintf(want, sizeof want, "%s/pong.yaml:1:10: error: 'extends' makes a cycle: ping -> pong -> ping\n",
             themes_dir);
    assert_string_equal(all, want);
    free(all);

    s = load_themed("base", "nope", &all, &errors);
    assert_null(s);
    snprintf(want, sizeof want, "error: unknown theme 'nope' (no %s/nope.yaml)", themes_dir);
    assert_non_null(strstr(all, want));
    free(all);
}

static void test_themes_dir(void **state)
{
    (void)state;
    static const char *const CASES[][2] = {
        {"styles", "themes"}, {"a/b/styles", "a/b/themes"}, {"a/styles/", "a/themes"},
        {"/x/styles", "/x/themes"}, {"tests/data/clinic/styles", "tests/data/clinic/themes"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
        char *got = style_themes_dir(CASES[i][0]);
        assert_string_equal(got, CASES[i][1]);
        free(got);
    }
}

/* The cardiology example: every shipped variant in it is valid and keeps
 * its sizes, with the department's colours. */
static void test_cardio_example(void **state)
{
    (void)state;
    const char *variants[] = {"house", "grote-letter"};
    for (size_t i = 0; i < 2; i++) {
        diag_list d;
        diag_init(&d);
        style *s = style_load_themed("tests/data/clinic/styles", variants[i],
                                     "tests/data/clinic/themes", "cardio", &d);
        if (d.count)
            diag_print(&d);
        assert_non_null(s);
        assert_int_equal(d.count, 0);
        assert_color(s->cover_band_color, 0x8c1c2e);
        assert_true(s->cover_band_color.has_cmyk);
        assert_color(s->h1.color, 0x8c1c2e);
        assert_color(s->h2.color, 0x8c1c2e);
        assert_color(s->body.color, 0x1a1a1a);
        assert_double_equal(s->body.size, i ? 16 : 10.5, 0);
        assert_double_equal(s->page_width, MM(i ? 210 : 148), EPS);
        assert_double_equal(s->rule_min_size, i ? 16 : 0, 0);
        assert_true(s->rule_italics == !i && s->rule_hyphenate == !i);
        style_free(s);
        diag_free(&d);
    }
}

/* ---- style_variants -------------------------------------------------------------- */

static void test_variants(void **state)
{
    (void)state;
    char dir[128];
    snprintf(dir, sizeof dir, "%.90s/variants", fixture_dir);
    char saved[96];
    snprintf(saved, sizeof saved, "%s", fixture_dir);
    char command[160];
    snprintf(command, sizeof command, "mkdir -p '%.128s'", dir);
    assert_int_equal(system(command), 0);
    snprintf(fixture_dir, sizeof fixture_dir, "%.95s", dir);
    write_style("base", BASE);
    write_style("zz-large", "# comment\nsuffix: -z\nextends: base\n");
    write_style("aa-print", "page: { size: A4, extends: nope }\nextends: base\n");
    write_style("mm-other", "extends: other\n");
    write_style("nested", "body: { extends: base }\n");
    write_style("listed", "extends: [base]\n");
    snprintf(fixture_dir, sizeof fixture_dir, "%s", saved);

    diag_list d;
    diag_init(&d);
    size_t count = 99;
    char **names = style_variants(dir, "base", &count, &d);
    assert_int_equal(d.count, 0);
    assert_int_equal(count, 2);
    assert_string_equal(names[0], "aa-print");
    assert_string_equal(names[1], "zz-large");
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);

    names = style_variants(dir, "zz-large", &count, &d);
    assert_int_equal(count, 0);
    free(names);

    /* The shipped set. */
    names = style_variants("styles", "house", &count, &d);
    assert_int_equal(d.count, 0);
    assert_int_equal(count, 1);
    assert_string_equal(names[0], "grote-letter");
    free(names[0]);
    free(names);
    diag_free(&d);
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_house),
        cmocka_unit_test(test_grote_letter),
        cmocka_unit_test(test_grote_letter_large_everywhere),
        cmocka_unit_test(test_cascade_shipped),
        cmocka_unit_test(test_cascade_only_what_is_set),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_bullets_repeat_last),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_colours),
        cmocka_unit_test(test_contrast_ratio),
        cmocka_unit_test(test_shipped_contrast),
        cmocka_unit_test(test_error_bare_number),
        cmocka_unit_test(test_error_unknown_unit),
        cmocka_unit_test(test_error_colour),
        cmocka_unit_test(test_error_unknown_key),
        cmocka_unit_test(test_error_wrong_type),
        cmocka_unit_test(test_error_duplicate_and_syntax),
        cmocka_unit_test(test_every_error_listed),
        cmocka_unit_test(test_error_missing_style),
        cmocka_unit_test(test_error_missing_parent),
        cmocka_unit_test(test_error_cycle),
        cmocka_unit_test(test_error_missing_required),
        cmocka_unit_test(test_error_missing_section),
        cmocka_unit_test(test_error_suffix_needed),
        cmocka_unit_test(test_error_contrast),
        cmocka_unit_test(test_error_page),
        cmocka_unit_test(test_extends_too_deep),
        cmocka_unit_test(test_extends_long_cycle),
        cmocka_unit_test(test_error_extreme_values),
        cmocka_unit_test(test_error_style_sizes),
        cmocka_unit_test(test_error_style_strings),
        cmocka_unit_test(test_error_too_many_variants),
        cmocka_unit_test(test_variants),
        cmocka_unit_test(test_theme_merge_order),
        cmocka_unit_test(test_theme_rules),
        cmocka_unit_test(test_rules_broken_by_variant),
        cmocka_unit_test(test_theme_variant_only_keys),
        cmocka_unit_test(test_theme_chain),
        cmocka_unit_test(test_themes_dir),
        cmocka_unit_test(test_cardio_example),
    };
    return cmocka_run_group_tests_name("style", tests, setup, teardown);
}
