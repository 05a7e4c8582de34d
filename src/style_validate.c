/* Checks on the merged style: required values, page geometry, the variant
 * suffix and WCAG AA contrast. Runs after the whole `extends` chain is
 * applied, so a variant is judged by what it inherits too. */
#define _DEFAULT_SOURCE /* realpath */
#include "style_internal.h"

#include <stdlib.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "input_limits.h"
#include "images.h"
#include "textutil.h"

#define MM(pt) ((pt) * 25.4 / 72.0)

static void copy_value(value *to, const value *from)
{
    *to = *from;
    for (int i = 0; i < 3; i++)
        to->text[i] = from->text[i] ? xstrdup(from->text[i]) : NULL;
}

static bool resolve(style_ctx *c, int index, int depth)
{
    slot *s = &c->slots[index];
    const field *f = &c->fields[index];
    if (s->set)
        return true;
    if (f->from) {
        int source = style_field_index(c, f->from);
        if (source < 0 || depth > 8 || !resolve(c, source, depth + 1))
            return false;
        const slot *src = &c->slots[source];
        copy_value(&s->v, &src->v);
        /* Keep the source's position: a contrast error on a defaulted
         * colour must point at the value that has to change. */
        s->file = src->file;
        s->line = src->line;
        s->column = src->column;
        s->seq = src->seq;
        s->origin = src->origin;
        s->from = source;
        s->set = true;
        return true;
    }
    if (f->fallback && style_default_value(f, &s->v)) {
        s->set = true;
        return true;
    }
    return false;
}

static const section_pos *find_section(const style_ctx *c, const char *path)
{
    for (size_t i = 0; i < c->section_count; i++)
        if (strcmp(c->sections[i].path, path) == 0)
            return &c->sections[i];
    return NULL;
}

bool style_resolve_defaults(style_ctx *c)
{
    bool ok = true;
    for (size_t i = 0; i < c->field_count; i++) {
        const field *f = &c->fields[i];
        if (resolve(c, (int)i, 0) || f->from)
            continue; /* an unset `from` source is reported once, for itself */
        ok = false;
        /* Report in the most derived file that has the section, else the
         * requested style without a line. */
        char section[FIELD_PATH_MAX];
        snprintf(section, sizeof section, "%s", f->path);
        char *dot = strrchr(section, '.');
        const char *key = dot ? dot + 1 : f->path;
        if (dot)
            *dot = '\0';
        const section_pos *at = dot ? find_section(c, section) : NULL;
        if (at) {
            diag_report(c->diags, SEVERITY_ERROR, at->file, at->line, at->column,
                        "'%s' needs '%s' (it has no default)", dot ? section : "style", key);
        } else {
            /* No section anywhere in the chain: it is to be added to the requested file, so
             * point at its start, or at its `extends` when the parent should supply it. */
            bool via = c->extends_file != NULL;
            diag_report(c->diags, SEVERITY_ERROR, via ? c->extends_file : c->top_file,
                        via ? c->extends_line : 1, via ? c->extends_column : 1,
                        "'%s' needs '%s' (it has no default); add a '%s:' section with it",
                        dot ? section : "style", key, dot ? section : key);
        }
    }
    return ok;
}

void style_color_hex(colour c, char buf[8])
{
    snprintf(buf, 8, "#%02x%02x%02x", (int)lround(c.r * 255), (int)lround(c.g * 255),
             (int)lround(c.b * 255));
}

static const slot *get(const style_ctx *c, const char *path)
{
    return &c->slots[style_field_index(c, path)];
}

/* Reports at whichever of two values was set last: that is the change
 * which broke the rule. */
static void report_latest(style_ctx *c, const slot *a, const slot *b, const char *format, ...)
    __attribute__((format(printf, 4, 5)));
static void report_latest(style_ctx *c, const slot *a, const slot *b, const char *format, ...)
{
    const slot *at = !b || (a && a->seq >= b->seq) ? a : b;
    va_list args;
    va_start(args, format);
    diag_vreport(c->diags, SEVERITY_ERROR, at->file ? at->file : c->top_file, at->line,
                 at->column, format, args);
    va_end(args);
}

static bool check_contrast(style_ctx *c, const char *fg_path, const char *bg_path)
{
    const slot *fg = get(c, fg_path);
    const slot *bg = bg_path ? get(c, bg_path) : NULL;
    colour back = bg ? bg->v.color : (colour){.r = 1, .g = 1, .b = 1};
    double ratio = contrast_ratio(fg->v.color, back);
    if (ratio >= 4.5)
        return true;
    /* Two decimals, but never shown as 4.50 when it fails. */
    double shown = round(ratio * 100) / 100;
    if (shown >= 4.5)
        shown = 4.49;
    char fg_hex[8], bg_hex[8], via[FIELD_PATH_MAX + 32] = "";
    style_color_hex(fg->v.color, fg_hex);
    style_color_hex(back, bg_hex);
    if (fg->from >= 0)
        snprintf(via, sizeof via, " (defaults to %s)", c->fields[fg->from].path);
    report_latest(c, fg, bg,
                  "contrast of %s %s%s on %s %s is %.2f:1; WCAG AA needs at least 4.5:1",
                  fg_path, fg_hex, via, bg_path ? bg_path : "white", bg_hex, shown);
    return false;
}

static bool check_contrasts(style_ctx *c)
{
    bool ok = true;
    static const char *const ON_WHITE[] = {
        "body.color", "h1.color", "h2.color", "h3.color", "colophon.color", "footer.color",
        "link.color",
    };
    for (size_t i = 0; i < sizeof ON_WHITE / sizeof *ON_WHITE; i++)
        ok &= check_contrast(c, ON_WHITE[i], NULL);

    static const char *const CONTACT_BG[] = {"contact.background", "contact.urgent_background"};
    static const char *const CONTACT_FG[] = {"contact.color", "contact_heading.color", "link.color"};
    for (size_t b = 0; b < 2; b++)
        for (size_t f = 0; f < 3; f++)
            ok &= check_contrast(c, CONTACT_FG[f], CONTACT_BG[b]);

    static const char *const COVER_FG[] = {
        "cover_title.color", "cover_subtitle.color", "cover_publisher.color",
    };
    for (size_t f = 0; f < 3; f++)
        ok &= check_contrast(c, COVER_FG[f], "cover.band_color");

    static const char *const BOXES[] = {"note", "tip", "warning"};
    for (size_t b = 0; b < 3; b++) {
        char bg[FIELD_PATH_MAX], title[FIELD_PATH_MAX];
        snprintf(bg, sizeof bg, "box.%s.background", BOXES[b]);
        snprintf(title, sizeof title, "box.%s.title_color", BOXES[b]);
        ok &= check_contrast(c, "body.color", bg);
        ok &= check_contrast(c, title, bg);
        ok &= check_contrast(c, "link.color", bg);
    }
    return ok;
}

/* Margins must leave at least half the page each way for text: anything
 * less is a typo (e.g. 160mm for 16mm), not a design. */
static bool check_page(style_ctx *c)
{
    bool ok = true;
    const slot *size = get(c, "page.size");
    double width = size->v.number[0], height = size->v.number[1];
    if (width <= 0 || height <= 0) {
        report_latest(c, size, NULL, "page size must be more than 0 in both directions");
        return false;
    }
    static const struct { const char *a, *b, *what; int dim; } AXES[] = {
        {"page.margin_inner", "page.margin_outer", "width", 0},
        {"page.margin_top", "page.margin_bottom", "height", 1},
    };
    for (size_t i = 0; i < 2; i++) {
        const slot *a = get(c, AXES[i].a), *b = get(c, AXES[i].b);
        double full = size->v.number[AXES[i].dim];
        double left = full - a->v.number[0] - b->v.number[0];
        if (left >= full / 2)
            continue;
        const slot *latest = a->seq >= b->seq ? a : b;
        report_latest(c, latest, size,
                      "margins leave %.1fmm of the %.1fmm page %s for text; keep at least half",
                      MM(left), MM(full), AXES[i].what);
        ok = false;
    }
    const slot *offset = get(c, "footer.offset"), *bottom = get(c, "page.margin_bottom");
    if (offset->v.number[0] >= bottom->v.number[0]) {
        report_latest(c, offset, bottom,
                      "footer.offset (%.1fmm) must be less than page.margin_bottom (%.1fmm): "
                      "the footer sits in the bottom margin",
                      MM(offset->v.number[0]), MM(bottom->v.number[0]));
        ok = false;
    }
    const slot *band = get(c, "cover.band_height");
    if (band->v.number[0] > height) {
        report_latest(c, band, size, "cover.band_height (%.1fmm) is taller than the page (%.1fmm)",
                      MM(band->v.number[0]), MM(height));
        ok = false;
    }
    return ok;
}

/* ---- rules ------------------------------------------------------------------ */

static void format_value(const field *f, const value *v, char *buf, size_t n)
{
    switch (f->kind) {
    case V_SIZE: case V_LENGTH:
        snprintf(buf, n, "%gpt", round(v->number[0] * 100) / 100);
        break;
    case V_RATIO:
        snprintf(buf, n, "%g", round(v->number[0] * 100) / 100);
        break;
    case V_EMPHASIS:
        snprintf(buf, n, "%s", v->flag ? "bold" : "italic");
        break;
    default:
        snprintf(buf, n, "%s", v->flag ? "true" : "false");
        break;
    }
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

/* Puts `want` in place of a value that breaks the rule at `rule`. A theme's
 * value gets a warning, a value from the variant's own files an error (the
 * variant contradicts itself); the root's values and built-in defaults
 * are simply replaced, and so are values defaulted from another key, whose
 * source is judged itself. */
static bool impose(style_ctx *c, int index, const value *want, int rule)
{
    slot *s = &c->slots[index];
    const field *f = &c->fields[index];
    const slot *r = &c->slots[rule];
    const char *rule_key = c->fields[rule].path + strlen("rules.");
    char was[32], now[32], says[32];
    format_value(f, &s->v, was, sizeof was);
    format_value(f, want, now, sizeof now);
    format_value(&c->fields[rule], &r->v, says, sizeof says);
    bool ok = true;
    if (s->line && s->from < 0 && s->origin == ORIGIN_THEME)
        diag_report(c->diags, SEVERITY_WARNING, s->file, s->line, s->column,
                    "%s: %s does not hold in variant '%s', whose rules (%s:%d:%d) say %s: %s; "
                    "it uses %s there", f->path, was, c->name, r->file, r->line, r->column,
                    rule_key, says, now);
    else if (s->line && s->from < 0 && s->origin == ORIGIN_VARIANT) {
        diag_report(c->diags, SEVERITY_ERROR, s->file, s->line, s->column,
                    "%s: %s breaks the rules of variant '%s' (%s: %s at %s:%d:%d); make it %s",
                    f->path, was, c->name, rule_key, says, r->file, r->line, r->column, now);
        ok = false;
    }
    s->v.number[0] = want->number[0];
    s->v.flag = want->flag;
    return ok;
}

bool style_apply_rules(style_ctx *c)
{
    int min_size = style_field_index(c, "rules.min_size");
    int min_line = style_field_index(c, "rules.min_line_height");
    int italics = style_field_index(c, "rules.italics");
    int hyphenate = style_field_index(c, "rules.hyphenate");
    const slot *size_rule = &c->slots[min_size];
    if (size_rule->v.number[0] > LIMIT_FONT_SIZE_MAX_PT) {
        diag_report(c->diags, SEVERITY_ERROR, size_rule->file, size_rule->line,
                    size_rule->column, "'min_size' must be at most %gpt, not %gpt",
                    LIMIT_FONT_SIZE_MAX_PT, size_rule->v.number[0]);
        return false;
    }
    double least = size_rule->v.number[0], least_line = c->slots[min_line].v.number[0];
    bool no_italics = !c->slots[italics].v.flag, no_hyphens = !c->slots[hyphenate].v.flag;
    bool ok = true;
    for (size_t i = 0; i < c->field_count; i++) {
        const field *f = &c->fields[i];
        const value *v = &c->slots[i].v;
        value want = *v;
        int rule = -1;
        if (f->kind == V_SIZE && v->number[0] < least) {
            want.number[0] = least;
            rule = min_size;
        } else if (f->kind == V_RATIO && ends_with(f->path, ".line_height") &&
                   v->number[0] < least_line) {
            want.number[0] = least_line;
            rule = min_line;
        } else if (no_italics && f->kind == V_BOOL && ends_with(f->path, ".italic") && v->flag) {
            want.flag = false;
            rule = italics;
        } else if (no_italics && f->kind == V_EMPHASIS && !v->flag) {
            want.flag = true; /* emphasis drawn bold */
            rule = italics;
        } else if (no_hyphens && strcmp(f->path, "text.hyphenate") == 0 && v->flag) {
            want.flag = false;
            rule = hyphenate;
        }
        if (rule >= 0)
            ok &= impose(c, (int)i, &want, rule);
    }
    return ok;
}

/* A variant that inherited its parent's suffix would overwrite the parent's
 * output files, so it must name its own. */
static bool check_suffix(style_ctx *c)
{
    if (!c->parent)
        return true;
    const slot *suffix = get(c, "suffix");
    if (suffix->file == c->top_file && suffix->v.text[0][0])
        return true;
    diag_report(c->diags, SEVERITY_ERROR, c->extends_file, c->extends_line, c->extends_column,
                "a style that extends '%s' needs its own non-empty 'suffix' "
                "(as in suffix: \"-grote-letter\"), or its output would overwrite the parent's",
                c->parent);
    return false;
}

/* cover.logo names an image like a leaflet's: relative to the project root
 * (the folder above the style file's folder, which holds styles/ or
 * themes/), inside it, and usable (images.h). The slot then holds the
 * real path, for layout and for the build's dependencies. */
static bool check_logo(style_ctx *c)
{
    slot *logo = &c->slots[style_field_index(c, "cover.logo")];
    if (!logo->v.text[0] || !logo->v.text[0][0] || !logo->file)
        return true;
    char *file = realpath(logo->file, NULL);
    char *root = file ? xstrdup(file) : NULL;
    for (int up = 0; root && up < 2; up++) {
        char *slash = strrchr(root, '/');
        if (slash && slash != root)
            *slash = '\0';
        else
            strcpy(root, "/");
    }
    char *real = NULL;
    image_path_result r = root ? image_resolve(logo->v.text[0], root, root, &real)
                               : IMAGE_PATH_MISSING;
    image_info info;
    const char *why = NULL;
    bool ok = r == IMAGE_PATH_OK && image_read_info(real, &info, &why);
    if (r != IMAGE_PATH_OK)
        diag_report(c->diags, SEVERITY_ERROR, logo->file, logo->line, logo->column,
                    "cover.logo '%s' %s (the path is relative to %s)", logo->v.text[0],
                    image_path_problem(r), root ? root : "the project");
    else if (!ok)
        diag_report(c->diags, SEVERITY_ERROR, logo->file, logo->line, logo->column,
                    "cannot use cover.logo '%s': %s", logo->v.text[0], why);
    if (ok) {
        free(logo->v.text[0]);
        logo->v.text[0] = real;
        real = NULL;
    }
    free(real);
    free(root);
    free(file);
    return ok;
}

bool style_validate(style_ctx *c)
{
    bool ok = check_suffix(c);
    ok &= check_logo(c);
    ok &= check_page(c);
    ok &= check_contrasts(c);
    return ok;
}
