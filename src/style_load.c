/* Style loading: YAML -> slots (with positions) -> struct style.
 *
 * The `extends` parent is applied first into the same slots, so a variant's
 * values simply overwrite; defaults are filled in only after the whole chain
 * is read, so a variant that changes body.color also moves every element
 * colour that defaults to it. */
#include "style_internal.h"
#include "fingerprint.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "input_limits.h"
#include "suggest.h"
#include "textutil.h"
#include "yaml_util.h"

/* ---- the schema ---------------------------------------------------------- */

static const struct { const char *name; size_t offset; } ELEMENTS[] = {
    {"body", offsetof(style, body)},
    {"h1", offsetof(style, h1)},
    {"h2", offsetof(style, h2)},
    {"h3", offsetof(style, h3)},
    {"colophon", offsetof(style, colophon)},
    {"footer", offsetof(style, footer)},
    {"contact", offsetof(style, contact)},
    {"contact_heading", offsetof(style, contact_heading)},
    {"cover_title", offsetof(style, cover_title)},
    {"cover_subtitle", offsetof(style, cover_subtitle)},
    {"cover_publisher", offsetof(style, cover_publisher)},
};

static const struct { const char *name; size_t offset; } BOXES[] = {
    {"note", offsetof(style, box_note)},
    {"tip", offsetof(style, box_tip)},
    {"warning", offsetof(style, box_warning)},
};

static void add(style_ctx *c, const char *path, value_kind kind, size_t offset,
                const char *unit, const char *fallback, const char *from)
{
    c->fields = xrealloc(c->fields, (c->field_count + 1) * sizeof *c->fields);
    field *f = &c->fields[c->field_count++];
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", path);
    f->kind = kind;
    f->offset = offset;
    f->unit = unit;
    f->fallback = fallback;
    f->from = from;
}

static void build_fields_once(style_ctx *c)
{
    char p[FIELD_PATH_MAX];
    add(c, "suffix", V_SUFFIX, offsetof(style, suffix), NULL, "", NULL);

    add(c, "page.size", V_PAGE_SIZE, offsetof(style, page_width), "mm", NULL, NULL);
    add(c, "page.margin_top", V_LENGTH, offsetof(style, margin_top), "mm", NULL, NULL);
    add(c, "page.margin_bottom", V_LENGTH, offsetof(style, margin_bottom), "mm", NULL, NULL);
    add(c, "page.margin_inner", V_LENGTH, offsetof(style, margin_inner), "mm", NULL, NULL);
    add(c, "page.margin_outer", V_LENGTH, offsetof(style, margin_outer), "mm", NULL, NULL);

    add(c, "text.hyphenate", V_BOOL, offsetof(style, hyphenate), NULL, "false", NULL);
    /* Dutch practice: 2 letters before a break, 3 after, 2 such lines in a row */
    add(c, "text.hyphenate_min_left", V_COUNT, offsetof(style, hyphenate_min_left), NULL, "2", NULL);
    c->fields[c->field_count - 1].min = 1;
    add(c, "text.hyphenate_min_right", V_COUNT, offsetof(style, hyphenate_min_right), NULL, "3", NULL);
    c->fields[c->field_count - 1].min = 1;
    add(c, "text.hyphenate_max_lines", V_COUNT, offsetof(style, hyphenate_max_run), NULL, "2", NULL);
    c->fields[c->field_count - 1].min = 1;
    add(c, "text.emphasis", V_EMPHASIS, offsetof(style, emphasis_bold), NULL, "italic", NULL);
    add(c, "text.widows", V_COUNT, offsetof(style, widows), NULL, "2", NULL);
    c->fields[c->field_count - 1].min = 1;
    add(c, "text.orphans", V_COUNT, offsetof(style, orphans), NULL, "2", NULL);
    c->fields[c->field_count - 1].min = 1;
    add(c, "text.keep_with_next", V_COUNT, offsetof(style, keep_with_next), NULL, "2", NULL);

    add(c, "fonts.family", V_FAMILY, NO_OFFSET, NULL, NULL, NULL);

    for (size_t i = 0; i < sizeof ELEMENTS / sizeof *ELEMENTS; i++) {
        const char *e = ELEMENTS[i].name;
        size_t base = ELEMENTS[i].offset;
        bool body = i == 0;
#define ELEM(key, kind, member, unit, fallback, from)                                       \
        snprintf(p, sizeof p, "%s." key, e);                                                \
        add(c, p, kind, base + offsetof(text_style, member), unit, fallback, from)
        ELEM("family", V_FAMILY, font_family, NULL, NULL, "fonts.family");
        ELEM("size", V_SIZE, size, "pt", NULL, NULL);
        ELEM("line_height", V_RATIO, line_height, NULL, NULL, body ? NULL : "body.line_height");
        ELEM("weight", V_WEIGHT, weight, NULL, "regular", NULL);
        ELEM("italic", V_BOOL, italic, NULL, "false", NULL);
        ELEM("color", V_COLOR, color, NULL, NULL, body ? NULL : "body.color");
        ELEM("space_before", V_LENGTH, space_before, "pt", "0pt", NULL);
        ELEM("space_after", V_LENGTH, space_after, "pt", "0pt", NULL);
#undef ELEM
    }

    add(c, "link.color", V_COLOR, offsetof(style, link_color), NULL, NULL, NULL);
    add(c, "link.underline", V_BOOL, offsetof(style, link_underline), NULL, "true", NULL);

    add(c, "list.indent", V_LENGTH, offsetof(style, list_indent), "mm", "6mm", NULL);
    add(c, "list.label_gap", V_LENGTH, offsetof(style, list_label_gap), "mm", "2mm", NULL);
    add(c, "list.item_space", V_LENGTH, offsetof(style, list_item_space), "pt", "2pt", NULL);
    add(c, "list.bullets", V_BULLETS, offsetof(style, bullets), NULL, "\xe2\x80\xa2 \xe2\x80\x93 \xe2\x97\xa6", NULL);

    /* Box-wide defaults, overridable per kind. */
    add(c, "box.border_width", V_LENGTH, NO_OFFSET, "pt", "3pt", NULL);
    add(c, "box.padding", V_LENGTH, NO_OFFSET, "mm", "4mm", NULL);
    for (size_t i = 0; i < sizeof BOXES / sizeof *BOXES; i++) {
        size_t base = BOXES[i].offset;
#define BOX(key, kind, member, unit, from)                                                  \
        snprintf(p, sizeof p, "box.%s." key, BOXES[i].name);                                \
        add(c, p, kind, base + offsetof(box_style, member), unit, NULL, from)
        BOX("background", V_COLOR, background, NULL, NULL);
        BOX("border", V_COLOR, border, NULL, NULL);
        BOX("title_color", V_COLOR, title_color, NULL, NULL);
        BOX("border_width", V_LENGTH, border_width, "pt", "box.border_width");
        BOX("padding", V_LENGTH, padding, "mm", "box.padding");
#undef BOX
    }

    add(c, "contact.background", V_COLOR, offsetof(style, contact_background), NULL, NULL, NULL);
    add(c, "contact.urgent_background", V_COLOR, offsetof(style, contact_urgent_background),
        NULL, NULL, NULL);
    add(c, "contact.rule", V_COLOR, offsetof(style, contact_rule), NULL, NULL, NULL);
    add(c, "contact.padding", V_LENGTH, offsetof(style, contact_padding), "mm", "4mm", NULL);

    add(c, "cover.band_color", V_COLOR, offsetof(style, cover_band_color), NULL, NULL, NULL);
    add(c, "cover.band_height", V_LENGTH, offsetof(style, cover_band_height), "mm", NULL, NULL);
    add(c, "cover.logo", V_OPTIONAL, offsetof(style, cover_logo), NULL, "", NULL);
    add(c, "cover.logo_height", V_LENGTH, offsetof(style, cover_logo_height), "mm", "12mm", NULL);
    add(c, "cover.logo_alt", V_OPTIONAL, offsetof(style, cover_logo_alt), NULL, "", NULL);

    add(c, "footer.rule_color", V_COLOR, offsetof(style, footer_rule_color), NULL, NULL, NULL);
    add(c, "footer.offset", V_LENGTH, offsetof(style, footer_offset), "mm", "10mm", NULL);

    add(c, "images.scale", V_RATIO, offsetof(style, image_scale), NULL, "1", NULL);

    add(c, "print.bleed", V_LENGTH, offsetof(style, print_bleed), "mm", "3mm", NULL);
    add(c, "print.profile", V_FAMILY, offsetof(style, print_profile), NULL,
        "profiles/FOGRA39L_coated.icc", NULL);
    add(c, "output.print", V_BOOL, offsetof(style, output_print), NULL, "true", NULL);
    add(c, "output.booklet", V_BOOL, offsetof(style, output_booklet), NULL, "true", NULL);
    add(c, "output.proofs", V_BOOL, offsetof(style, output_proofs), NULL, "true", NULL);

    /* A variant's rules, imposed after the theme (style_apply_rules); the
     * defaults impose nothing. */
    add(c, "rules.min_size", V_LENGTH, offsetof(style, rule_min_size), "pt", "0pt", NULL);
    add(c, "rules.min_line_height", V_RATIO, offsetof(style, rule_min_line_height), NULL, "1",
        NULL);
    add(c, "rules.italics", V_BOOL, offsetof(style, rule_italics), NULL, "true", NULL);
    add(c, "rules.hyphenate", V_BOOL, offsetof(style, rule_hyphenate), NULL, "true", NULL);
}

bool style_key_variant_only(const char *path)
{
    static const char *const WHOLE[] = {"suffix", "page.size"};
    static const char *const SECTIONS[] = {"output", "rules"};
    for (size_t i = 0; i < sizeof WHOLE / sizeof *WHOLE; i++)
        if (strcmp(path, WHOLE[i]) == 0)
            return true;
    for (size_t i = 0; i < sizeof SECTIONS / sizeof *SECTIONS; i++) {
        size_t n = strlen(SECTIONS[i]);
        if (strncmp(path, SECTIONS[i], n) == 0 && (path[n] == '\0' || path[n] == '.'))
            return true;
    }
    return false;
}

/* Why a theme may not set a variant-only key, and what to do instead. */
static const char *variant_only_hint(const char *path)
{
    if (strcmp(path, "suffix") == 0)
        return "a leaflet in a theme keeps its file names (SLUG.pdf, SLUG-grote-letter.pdf); "
               "remove it";
    if (strcmp(path, "page.size") == 0)
        return "the page format is what a variant is for (the brochure A5, large print A4); "
               "remove it, or make a variant in styles/";
    if (strncmp(path, "output", 6) == 0)
        return "turn a kind of output off in the variant's style file, or with --no-print, "
               "--no-booklet or --no-proofs";
    return "a variant's rules (large print: 16 pt and up, no italics, no hyphenation) hold "
           "whatever a theme says; remove them";
}

/* The table is the same for every style: built once, with an index by
 * path (a style file's every key is looked up in it). */
static style_ctx table;
static int *by_path;

static const field *sorting; /* for the qsort below only */

static int compare_by_path(const void *a, const void *b)
{
    return strcmp(sorting[*(const int *)a].path, sorting[*(const int *)b].path);
}

static void build_fields(style_ctx *c)
{
    if (!table.fields) {
        build_fields_once(&table);
        by_path = xmalloc(table.field_count * sizeof *by_path);
        for (size_t i = 0; i < table.field_count; i++)
            by_path[i] = (int)i;
        sorting = table.fields;
        qsort(by_path, table.field_count, sizeof *by_path, compare_by_path);
    }
    c->fields = table.fields;
    c->field_count = table.field_count;
}

int style_field_index(const style_ctx *c, const char *path)
{
    if (c->fields != table.fields) { /* not from build_fields: search it all */
        for (size_t i = 0; i < c->field_count; i++)
            if (strcmp(c->fields[i].path, path) == 0)
                return (int)i;
        return -1;
    }
    size_t lo = 0, hi = table.field_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int k = by_path[mid], cmp = strcmp(table.fields[k].path, path);
        if (cmp == 0)
            return k;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* True when `path` is a mapping of further keys ("box", "box.tip"). */
static bool is_section(const style_ctx *c, const char *path)
{
    size_t n = strlen(path);
    if (c->fields != table.fields || n + 2 > FIELD_PATH_MAX) {
        for (size_t i = 0; i < c->field_count; i++)
            if (strncmp(c->fields[i].path, path, n) == 0 && c->fields[i].path[n] == '.')
                return true;
        return false;
    }
    /* the first field at or past "path.", by the index: it starts so or none does */
    char dotted[FIELD_PATH_MAX];
    memcpy(dotted, path, n);
    dotted[n] = '.';
    dotted[n + 1] = '\0';
    size_t lo = 0, hi = table.field_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(table.fields[by_path[mid]].path, dotted) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < table.field_count && strncmp(table.fields[by_path[lo]].path, dotted, n + 1) == 0;
}

void style_slot_free(slot *s)
{
    for (int i = 0; i < 3; i++)
        free(s->v.text[i]);
    memset(s, 0, sizeof *s);
    s->from = -1;
}

/* ---- values --------------------------------------------------------------- */

#define MM_TO_PT(mm) ((mm) * 72.0 / 25.4)

/* Decimal number without strtod, whose decimal point follows the locale
 * (Pango-using programs may have called setlocale). Returns the end, or
 * NULL when there is no number. One division keeps "10.5" exact. */
static const char *parse_decimal(const char *s, double *out)
{
    const char *p = s;
    bool negative = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    double mantissa = 0, scale = 1;
    int digits = 0;
    for (; isdigit((unsigned char)*p); p++, digits++)
        mantissa = mantissa * 10 + (*p - '0');
    if (*p == '.' && isdigit((unsigned char)p[1]))
        for (p++; isdigit((unsigned char)*p); p++, digits++) {
            mantissa = mantissa * 10 + (*p - '0');
            scale *= 10;
        }
    if (digits == 0 || digits > 15)
        return NULL;
    *out = (negative ? -mantissa : mantissa) / scale;
    return p;
}

static bool is_null(const char *text, bool plain)
{
    return plain && (!*text || strcmp(text, "~") == 0 || strcasecmp(text, "null") == 0);
}

static char *convert_length(const field *f, const char *key, const char *text, double *pt)
{
    double number;
    const char *end = parse_decimal(text, &number);
    if (!end)
        return xasprintf("'%s' must be a length such as '12%s', not '%s'", key, f->unit, text);
    const char *unit = end;
    while (*unit == ' ')
        unit++;
    if (!*unit)
        return xasprintf("'%s' needs a unit (mm, pt, cm, in), as in '%.*s%s'",
                            key, (int)(end - text), text, f->unit);
    static const struct { const char *name; double points; } UNITS[] = {
        {"pt", 1.0}, {"mm", 72.0 / 25.4}, {"cm", 720.0 / 25.4}, {"in", 72.0},
    };
    for (size_t i = 0; i < sizeof UNITS / sizeof *UNITS; i++) {
        if (strcmp(unit, UNITS[i].name) != 0)
            continue;
        if (number < 0)
            return xasprintf("'%s' must not be negative, not '%s'", key, text);
        if ((f->kind == V_SIZE || f->kind == V_PAGE_SIZE) && number == 0)
            return xasprintf("'%s' must be more than 0, not '%s'", key, text);
        /* pt and in are exact; mm and cm divide once by 25.4 so 25.4mm == 72pt. */
        double points = i == 1 ? number * 72.0 / 25.4
                      : i == 2 ? number * 720.0 / 25.4 : number * UNITS[i].points;
        /* Ranges keep layout's arithmetic (and its float-to-int casts) in bounds. */
        if (f->kind == V_SIZE && (points < LIMIT_FONT_SIZE_MIN_PT || points > LIMIT_FONT_SIZE_MAX_PT))
            return xasprintf("'%s' must be from %gpt to %gpt, not '%s'", key,
                                LIMIT_FONT_SIZE_MIN_PT, LIMIT_FONT_SIZE_MAX_PT, text);
        if (f->kind == V_PAGE_SIZE && (points < MM_TO_PT(LIMIT_PAGE_MIN_MM) ||
                                       points > MM_TO_PT(LIMIT_PAGE_MAX_MM)))
            return xasprintf("'%s' sides must be from %gmm to %gmm, not '%s'", key,
                                LIMIT_PAGE_MIN_MM, LIMIT_PAGE_MAX_MM, text);
        if (f->kind == V_LENGTH && points > MM_TO_PT(LIMIT_LENGTH_MAX_MM))
            return xasprintf("'%s' must be at most %gmm, not '%s'", key, LIMIT_LENGTH_MAX_MM,
                                text);
        *pt = points;
        return NULL;
    }
    return xasprintf("unknown unit '%s' in '%s'; use mm, pt, cm or in", unit, text);
}

static bool parse_color(const char *text, colour *out)
{
    size_t n = strlen(text);
    if (text[0] != '#' || (n != 4 && n != 7))
        return false;
    int d[6];
    for (size_t i = 1; i < n; i++)
        if ((d[i - 1] = hex_digit(text[i])) < 0)
            return false;
    double channel[3];
    for (int i = 0; i < 3; i++)
        channel[i] = n == 4 ? d[i] * 17 / 255.0 : (d[2 * i] * 16 + d[2 * i + 1]) / 255.0;
    out->r = channel[0], out->g = channel[1], out->b = channel[2];
    return true;
}

/* Converts one scalar; returns an error message (caller frees) or NULL.
 * `plain` is false for quoted scalars: "true" in quotes is text, not a bool. */
static char *convert_scalar(const field *f, const char *key, const char *text, bool plain,
                            value *v)
{
    if (f->kind == V_COLOR) {
        if (is_null(text, plain))
            return xasprintf("bad colour ''; use #rrggbb, in quotes (\"#1a1a1a\"): "
                                "an unquoted # starts a YAML comment");
        if (!parse_color(text, &v->color))
            return xasprintf("bad colour '%s'; use #rrggbb", text);
        return NULL;
    }
    if (f->kind == V_SUFFIX) {
        if (is_null(text, plain))
            text = "";
        for (const char *p = text; *p; p++)
            if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
                return xasprintf("'%s' may only hold letters, digits, '-', '_' and '.', not '%s'",
                                    key, text);
        if (strlen(text) > LIMIT_SUFFIX_BYTES)
            return xasprintf("'%s' is longer than %d characters", key, LIMIT_SUFFIX_BYTES);
        v->text[0] = xstrdup(text);
        return NULL;
    }
    if (f->kind == V_OPTIONAL) {
        if (is_null(text, plain))
            text = "";
        if (strlen(text) > LIMIT_META_STRING_CHARS)
            return xasprintf("'%s' is longer than %d bytes", key, LIMIT_META_STRING_CHARS);
        v->text[0] = xstrdup(text);
        return NULL;
    }
    if (is_null(text, plain))
        return xasprintf("'%s' has no value", key);

    switch (f->kind) {
    case V_LENGTH:
    case V_SIZE:
        return convert_length(f, key, text, &v->number[0]);
    case V_RATIO: {
        double number;
        const char *end = parse_decimal(text, &number);
        if (!end || *end)
            return xasprintf("'%s' must be a plain number (a multiple of the font size) "
                                "such as 1.4, not '%s'", key, text);
        if (number < 1 || number > LIMIT_LINE_HEIGHT_MAX)
            return xasprintf("'%s' must be from 1 to %g, not '%s'", key, LIMIT_LINE_HEIGHT_MAX,
                                text);
        v->number[0] = number;
        return NULL;
    }
    case V_COUNT: {
        char *end;
        long n = isdigit((unsigned char)text[0]) ? strtol(text, &end, 10) : -1;
        if (n < 0 || *end || n > 100)
            return xasprintf("'%s' must be a whole number such as 2, not '%s'", key, text);
        if (n < f->min)
            return xasprintf("'%s' must be at least %d, not '%s'", key, f->min, text);
        v->integer = (int)n;
        return NULL;
    }
    case V_BOOL:
        if (plain && strcmp(text, "true") == 0)
            v->flag = true;
        else if (plain && strcmp(text, "false") == 0)
            v->flag = false;
        else
            return xasprintf("'%s' must be true or false, not '%s'", key, text);
        return NULL;
    case V_FAMILY: {
        size_t bytes = strlen(text), names = 1;
        for (const char *p = text; *p; p++)
            names += *p == ',';
        /* print.profile is a V_FAMILY too (a file name): only family lists are counted */
        bool family = strstr(f->path, "family") != NULL;
        if (bytes > LIMIT_FAMILY_BYTES)
            return xasprintf("'%s' is %zu bytes long; at most %d are allowed", key, bytes,
                                LIMIT_FAMILY_BYTES);
        if (family && names > LIMIT_FAMILY_NAMES)
            return xasprintf("'%s' lists %zu fonts; at most %d are allowed", key, names,
                                LIMIT_FAMILY_NAMES);
        v->text[0] = xstrdup(text);
        return NULL;
    }
    case V_WEIGHT: {
        static const struct { const char *name; int weight; } WEIGHTS[] = {
            {"regular", 400}, {"semibold", 600}, {"bold", 700},
            {"400", 400}, {"600", 600}, {"700", 700},
        };
        for (size_t i = 0; i < sizeof WEIGHTS / sizeof *WEIGHTS; i++)
            if (strcmp(text, WEIGHTS[i].name) == 0) {
                v->integer = WEIGHTS[i].weight;
                return NULL;
            }
        return xasprintf("'%s' must be regular, semibold or bold (or 400, 600, 700), not '%s'",
                            key, text);
    }
    case V_EMPHASIS:
        if (strcmp(text, "italic") == 0 || strcmp(text, "bold") == 0) {
            v->flag = text[0] == 'b';
            return NULL;
        }
        return xasprintf("'%s' must be italic or bold, not '%s'", key, text);
    case V_PAGE_SIZE: {
        static const struct { const char *name; double w, h; } SIZES[] = {
            {"A3", 297, 420}, {"A4", 210, 297}, {"A5", 148, 210}, {"A6", 105, 148},
        };
        for (size_t i = 0; i < sizeof SIZES / sizeof *SIZES; i++)
            if (strcasecmp(text, SIZES[i].name) == 0) {
                v->number[0] = SIZES[i].w * 72.0 / 25.4;
                v->number[1] = SIZES[i].h * 72.0 / 25.4;
                return NULL;
            }
        return xasprintf("unknown page size '%s'; use A3, A4, A5, A6 or [width, height] "
                            "as in [148mm, 210mm]", text);
    }
    case V_BULLETS: /* the built-in default: space-separated */
        for (int i = 0; i < 3; i++) {
            size_t n = strcspn(text, " ");
            v->text[i] = xstrndup(text, n);
            text += n + (text[n] == ' ');
        }
        return NULL;
    default:
        return NULL;
    }
}

bool style_default_value(const field *f, value *v)
{
    char *err = convert_scalar(f, f->path, f->fallback, true, v);
    free(err); /* built-in defaults are fixed and tested; an error here is a bug */
    return err == NULL;
}

/* ---- reading YAML ---------------------------------------------------------- */

static void report_at(style_ctx *c, const char *file, const yaml_node_t *node, const char *format,
                      ...) __attribute__((format(printf, 4, 5)));
static void report_at(style_ctx *c, const char *file, const yaml_node_t *node, const char *format,
                      ...)
{
    va_list args;
    va_start(args, format);
    diag_vreport(c->diags, SEVERITY_ERROR, file, node ? (int)node->start_mark.line + 1 : 0,
                 node ? (int)node->start_mark.column + 1 : 0, format, args);
    va_end(args);
}

static const char *node_kind_name(const yaml_node_t *node)
{
    return node->type == YAML_MAPPING_NODE ? "a mapping" : node->type == YAML_SEQUENCE_NODE
               ? "a list" : "a single value";
}

static const char *scalar(const yaml_node_t *node)
{
    return node && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value : NULL;
}

static bool is_plain(const yaml_node_t *node)
{
    return node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static void set_slot(style_ctx *c, int index, value *v, const char *file, const yaml_node_t *node)
{
    slot *s = &c->slots[index];
    style_slot_free(s);
    s->set = true;
    s->v = *v;
    s->file = file;
    s->line = (int)node->start_mark.line + 1;
    s->column = (int)node->start_mark.column + 1;
    s->seq = ++c->seq;
    s->origin = c->origin;
}

static void free_value(value *v)
{
    for (int i = 0; i < 3; i++)
        free(v->text[i]);
}

/* {rgb: "#0b5563", cmyk: [92, 45, 38, 30]}: a brand colour with the CMYK
 * values its manual gives for print, in percent. */
static char *convert_colour_pair(yaml_document_t *doc, const char *key, yaml_node_t *node,
                                 colour *out, yaml_node_t **at)
{
    bool have_rgb = false;
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key), *v = yaml_document_get_node(doc, p->value);
        const char *name = scalar(k);
        *at = k;
        if (name && strcmp(name, "rgb") == 0) {
            *at = v;
            if (!scalar(v) || !parse_color(scalar(v), out))
                return xasprintf("'%s.rgb' must be a colour such as \"#1a5f7a\"", key);
            have_rgb = true;
        } else if (name && strcmp(name, "cmyk") == 0) {
            *at = v;
            yaml_node_item_t *items = v->type == YAML_SEQUENCE_NODE ? v->data.sequence.items.start : NULL;
            if (!items || v->data.sequence.items.top - items != 4)
                return xasprintf("'%s.cmyk' must be four percentages [C, M, Y, K], as in [92, 45, 38, 30]", key);
            double ink[4], total = 0;
            for (int i = 0; i < 4; i++) {
                yaml_node_t *item = yaml_document_get_node(doc, items[i]);
                const char *text = scalar(item), *end = text ? parse_decimal(text, &ink[i]) : NULL;
                *at = item;
                if (!end || *end || ink[i] < 0 || ink[i] > 100)
                    return xasprintf("'%s.cmyk' values are percentages from 0 to 100, not '%s'",
                                        key, text ? text : "a list");
                total += ink[i];
            }
            *at = v;
            if (total > 300)
                return xasprintf("'%s.cmyk' has a total ink of %g%%; print allows at most 300%%",
                                    key, total);
            out->has_cmyk = true;
            out->c = ink[0] / 100, out->m = ink[1] / 100, out->y = ink[2] / 100, out->k = ink[3] / 100;
        } else {
            return xasprintf("unknown key '%s' in colour '%s'; a colour mapping has 'rgb' and 'cmyk'",
                                name ? name : "?", key);
        }
    }
    *at = node;
    if (!have_rgb)
        return xasprintf("colour '%s' needs 'rgb' beside 'cmyk', as in {rgb: \"#0b5563\", cmyk: [92, 45, 38, 30]}", key);
    return NULL;
}

static void apply_value(style_ctx *c, const char *file, yaml_document_t *doc, int index,
                        const char *key, yaml_node_t *node)
{
    const field *f = &c->fields[index];
    value v = {0};
    char *err = NULL;
    yaml_node_t *at = node;

    if (f->kind == V_PAGE_SIZE && node->type == YAML_SEQUENCE_NODE) {
        yaml_node_item_t *items = node->data.sequence.items.start;
        size_t n = (size_t)(node->data.sequence.items.top - items);
        if (n != 2) {
            err = xasprintf("'%s' must be A3, A4, A5, A6 or [width, height], as in [148mm, 210mm]", key);
        } else {
            field length = *f; /* each side a length, within the page range */
            for (size_t i = 0; i < 2 && !err; i++) {
                at = yaml_document_get_node(doc, items[i]);
                if (!scalar(at))
                    err = xasprintf("'%s' must be a length such as '148mm', not %s", key,
                                       node_kind_name(at));
                else if (is_null(scalar(at), is_plain(at)))
                    err = xasprintf("'%s' has an empty dimension", key);
                else
                    err = convert_length(&length, key, scalar(at), &v.number[i]);
            }
        }
    } else if (f->kind == V_BULLETS) {
        yaml_node_item_t *items = node->type == YAML_SEQUENCE_NODE ? node->data.sequence.items.start : NULL;
        size_t n = items ? (size_t)(node->data.sequence.items.top - items) : 0;
        if (!items || n < 1 || n > 3) {
            err = xasprintf("'%s' must be a list of 1 to 3 labels, one per nesting level, "
                               "as in [\"\xe2\x80\xa2\", \"\xe2\x80\x93\", \"\xe2\x97\xa6\"]", key);
        } else {
            for (size_t i = 0; i < 3 && !err; i++) {
                /* Fewer than three: deeper levels repeat the last label. */
                yaml_node_t *item = yaml_document_get_node(doc, items[i < n ? i : n - 1]);
                if (!scalar(item) || !*scalar(item)) {
                    at = item;
                    err = xasprintf("'%s' labels must be non-empty text", key);
                } else if (utf8_chars(scalar(item)) > LIMIT_BULLET_CHARS) {
                    at = item;
                    err = xasprintf("'%s' labels may be at most %d characters", key,
                                       LIMIT_BULLET_CHARS);
                } else {
                    v.text[i] = xstrdup(scalar(item));
                }
            }
        }
    } else if (f->kind == V_COLOR && node->type == YAML_MAPPING_NODE) {
        err = convert_colour_pair(doc, key, node, &v.color, &at);
    } else if (node->type != YAML_SCALAR_NODE) {
        err = xasprintf("'%s' must be a single value, not %s", key, node_kind_name(node));
    } else {
        err = convert_scalar(f, key, scalar(node), is_plain(node), &v);
    }

    if (err) {
        report_at(c, file, at, "%s", err);
        free(err);
        free_value(&v);
        return;
    }
    set_slot(c, index, &v, file, node);
}

static void record_section(style_ctx *c, const char *path, const char *file, const yaml_node_t *key)
{
    section_pos *s = NULL;
    for (size_t i = 0; i < c->section_count; i++)
        if (strcmp(c->sections[i].path, path) == 0)
            s = &c->sections[i];
    if (!s) {
        c->sections = xrealloc(c->sections, (c->section_count + 1) * sizeof *c->sections);
        s = &c->sections[c->section_count++];
        snprintf(s->path, sizeof s->path, "%s", path);
    }
    s->file = file;
    s->line = (int)key->start_mark.line + 1;
    s->column = (int)key->start_mark.column + 1;
}

static void report_unknown_key(style_ctx *c, const char *file, const yaml_node_t *node,
                               const char *key, const char *prefix)
{
    /* The keys allowed here: the next path component of every field under prefix. */
    const char **names = xmalloc((c->field_count + 1) * sizeof *names);
    char (*copies)[FIELD_PATH_MAX] = xmalloc((c->field_count + 1) * sizeof *copies);
    size_t count = 0, skip = prefix ? strlen(prefix) + 1 : 0;
    if (!prefix) {
        snprintf(copies[count], FIELD_PATH_MAX, "extends");
        names[count] = copies[count];
        count++;
    }
    for (size_t i = 0; i < c->field_count; i++) {
        const char *path = c->fields[i].path;
        if (prefix && (strncmp(path, prefix, skip - 1) != 0 || path[skip - 1] != '.'))
            continue;
        size_t n = strcspn(path + skip, ".");
        bool seen = false;
        for (size_t j = 0; j < count && !seen; j++)
            seen = strlen(names[j]) == n && strncmp(names[j], path + skip, n) == 0;
        if (seen)
            continue;
        snprintf(copies[count], FIELD_PATH_MAX, "%.*s", (int)n, path + skip);
        names[count] = copies[count];
        count++;
    }
    const char *hint = suggest_closest(key, names, count);
    strbuf msg = {0};
    strbuf_printf(&msg, "unknown key '%s'", key);
    if (prefix)
        strbuf_printf(&msg, " in '%s'", prefix);
    if (hint)
        strbuf_printf(&msg, "; did you mean '%s'?", hint);
    char *text = strbuf_take(&msg);
    report_at(c, file, node, "%s", text);
    free(text);
    free(names);
    free(copies);
}

static void apply_mapping(style_ctx *c, const char *file, yaml_document_t *doc, yaml_node_t *map,
                          const char *prefix)
{
    yaml_node_pair_t *start = map->data.mapping.pairs.start;
    for (yaml_node_pair_t *pair = start; pair < map->data.mapping.pairs.top; pair++) {
        yaml_node_t *k = yaml_document_get_node(doc, pair->key);
        yaml_node_t *v = yaml_document_get_node(doc, pair->value);
        const char *key = scalar(k);
        if (!key) {
            report_at(c, file, k, "keys must be plain names, not %s", node_kind_name(k));
            continue;
        }
        bool duplicate = false;
        for (yaml_node_pair_t *prev = start; prev < pair && !duplicate; prev++) {
            const char *other = scalar(yaml_document_get_node(doc, prev->key));
            duplicate = other && strcmp(other, key) == 0;
        }
        if (duplicate) {
            report_at(c, file, k, "duplicate key '%s'", key);
            continue;
        }
        if (!prefix && strcmp(key, "extends") == 0)
            continue; /* handled before the parent was loaded */

        char path[FIELD_PATH_MAX];
        int n = snprintf(path, sizeof path, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key);
        bool fits = n > 0 && (size_t)n < sizeof path && !strchr(key, '.');
        int index = fits ? style_field_index(c, path) : -1;
        if (c->in_theme && fits && (index >= 0 || is_section(c, path)) &&
            style_key_variant_only(path)) {
            report_at(c, file, k, "'%s' belongs to a variant (a style in styles/), not to a "
                      "theme: %s", path, variant_only_hint(path));
            continue;
        }
        if (index >= 0) {
            apply_value(c, file, doc, index, key, v);
        } else if (fits && is_section(c, path)) {
            if (v->type != YAML_MAPPING_NODE) {
                const char *text = scalar(v);
                if (text && is_null(text, is_plain(v)))
                    continue; /* an empty section sets nothing */
                report_at(c, file, v, "'%s' must be a mapping of keys, not %s", key,
                          node_kind_name(v));
                continue;
            }
            record_section(c, path, file, k);
            apply_mapping(c, file, doc, v, path);
        } else {
            report_unknown_key(c, file, k, key, prefix);
        }
    }
}

/* The key past LIMIT_STYLE_KEYS (counting nested mappings, in the order
 * libyaml built them), or NULL. Checked before any per-key work. */
static const yaml_node_t *key_past_limit(yaml_document_t *doc)
{
    size_t keys = 0;
    for (yaml_node_t *node = doc->nodes.start; node < doc->nodes.top; node++) {
        if (node->type != YAML_MAPPING_NODE)
            continue;
        size_t n = (size_t)(node->data.mapping.pairs.top - node->data.mapping.pairs.start);
        if (keys + n > LIMIT_STYLE_KEYS)
            return yaml_document_get_node(doc, node->data.mapping.pairs.start[LIMIT_STYLE_KEYS - keys].key);
        keys += n;
    }
    return NULL;
}

static yaml_node_t *find_key(yaml_document_t *doc, yaml_node_t *map, const char *key,
                             yaml_node_t **key_node)
{
    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
         pair < map->data.mapping.pairs.top; pair++) {
        yaml_node_t *k = yaml_document_get_node(doc, pair->key);
        if (scalar(k) && strcmp(scalar(k), key) == 0) {
            if (key_node)
                *key_node = k;
            return yaml_document_get_node(doc, pair->value);
        }
    }
    return NULL;
}

void style_report_yaml_error(diag_list *diags, const char *path, const char *text,
                             const yaml_parser_t *parser)
{
    int line = (int)parser->problem_mark.line + 1, column = (int)parser->problem_mark.column + 1;
    if (parser->error == YAML_READER_ERROR)
        text_position(text, parser->problem_offset, &line, &column);
    diag_report(diags, SEVERITY_ERROR, path, line, column, "bad YAML: %s%s%s%s",
                parser->problem ? parser->problem : "cannot parse",
                parser->context ? " (" : "", parser->context ? parser->context : "",
                parser->context ? ")" : "");
}

char *style_path(const char *dir, const char *name)
{
    return xasprintf("%s/%s.yaml", dir, name);
}

typedef enum { LOAD_OK, LOAD_MISSING, LOAD_FAILED } load_status;

typedef struct chain_link {
    const char *name;
    const struct chain_link *child;  /* the style that extends this one */
    int depth;                       /* 1 for the requested style */
} chain_link;

/* "a -> b -> c": the chain from the requested style down to `link`, or
 * only from the first `from` when that is on it (a cycle). Caller frees. */
static char *chain_text(const chain_link *link, const char *from)
{
    size_t n = (size_t)link->depth;
    const char **names = xmalloc(n * sizeof *names);
    for (size_t i = 0; i < n && link; i++, link = link->child)
        names[i] = link->name;
    /* names runs from this style up to the requested one; print it the other way. */
    size_t first = n - 1;
    for (size_t i = 0; from && i < n; i++)
        if (strcmp(names[i], from) == 0)
            first = i;
    strbuf msg = {0};
    for (size_t i = first + 1; i-- > 0;)
        strbuf_printf(&msg, "%s%s", names[i], i ? " -> " : "");
    free(names);
    return strbuf_take(&msg);
}

static void report_cycle(style_ctx *c, const char *file, const yaml_node_t *at, const char *parent,
                         const chain_link *link)
{
    char *text = chain_text(link, parent);
    report_at(c, file, at, "'extends' makes a cycle: %s -> %s", text, parent);
    free(text);
}

static void report_unknown_style(style_ctx *c, const char *file, const yaml_node_t *at,
                                 const char *name)
{
    size_t count = 0;
    char **names = style_list_names(c->dir, &count);
    const char *hint = suggest_closest(name, (const char *const *)names, count);
    if (hint)
        report_at(c, file, at, "unknown style '%s'; did you mean '%s'?", name, hint);
    else
        report_at(c, file, at, "unknown style '%s'", name);
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

static void report_unknown_theme(style_ctx *c, const char *file, const yaml_node_t *at,
                                 const char *name)
{
    char *style_file = style_path(c->dir, name);
    FILE *f = fopen(style_file, "r");
    if (f)
        fclose(f);
    if (f && at) {
        /* a style moved to themes/ with its `extends: house` kept */
        report_at(c, file, at, "a theme's 'extends' names another theme in %s, and '%s' is a "
                  "style; every theme is laid over the root style already: remove this line",
                  c->themes_dir, name);
        free(style_file);
        return;
    }
    size_t count = 0;
    char **names = style_list_names(c->themes_dir, &count);
    const char *hint = suggest_closest(name, (const char *const *)names, count);
    strbuf msg = {0};
    strbuf_printf(&msg, "unknown theme '%s' (no %s/%s.yaml)", name, c->themes_dir, name);
    if (hint)
        strbuf_printf(&msg, "; did you mean '%s'?", hint);
    else if (f)
        strbuf_printf(&msg, "; %s is a style: move it to %s/ without its 'extends' and "
                      "'suffix'", style_file, c->themes_dir);
    char *text = strbuf_take(&msg);
    report_at(c, file, at, "%s", text);
    free(text);
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    free(style_file);
}

/* Reads one file of a chain, its parent first. theme: a file of the
 * theme's chain (themes_dir); else of the variant's, and then right after
 * the root of that chain the whole theme chain is applied. */
/* Each style file parsed once per process (a theme's root is read by every
 * variant): the document is kept with the bytes it came from and the stat
 * data they had, and used again while the file still has them. Only a
 * file that had settled when read (fingerprint.h) is kept. */
typedef struct parsed_file {
    char *path;
    fp_stat stat;
    char *text;
    size_t length;
    yaml_document_t doc;
} parsed_file;

static parsed_file **parsed; /* each on its own: a document in use never moves */
static size_t parsed_count;

static yaml_document_t *parsed_find(const char *path, const char **text, size_t *length)
{
    for (size_t i = parsed_count; i-- > 0;) { /* the newest entry for a path is its own */
        parsed_file *f = parsed[i];
        if (strcmp(f->path, path) != 0)
            continue;
        fp_stat now;
        if (!fp_stat_path(path, &now) || memcmp(&now, &f->stat, sizeof now) != 0)
            return NULL; /* changed: parsed afresh and kept in its place */
        *text = f->text;
        *length = f->length;
        return &f->doc;
    }
    return NULL;
}

/* A file of the chain read: the context owns its path (slots point at it). */
static void note_file(style_ctx *c, char *path, const chain_link *child, bool theme)
{
    c->files = xrealloc(c->files, (c->file_count + 1) * sizeof *c->files);
    c->files[c->file_count++] = path;
    if (!child && !theme)
        c->top_file = path;
    if (!child && theme)
        c->theme_file = path;
}

/* Takes over text and *doc. An older entry for the path is left in place
 * (a load up the chain may still be reading it) and found no more. */
static yaml_document_t *parsed_keep(const char *path, const fp_stat *stat, char *text,
                                    size_t length, yaml_document_t *doc)
{
    parsed = xrealloc(parsed, (parsed_count + 1) * sizeof *parsed);
    parsed_file *f = parsed[parsed_count++] = xcalloc(1, sizeof *f);
    f->path = xstrdup(path);
    f->stat = *stat;
    f->text = text;
    f->length = length;
    f->doc = *doc;
    return &f->doc;
}

static load_status load_file(style_ctx *c, const char *name, const chain_link *child, bool theme)
{
    if (!*name || strchr(name, '/'))
        return LOAD_MISSING;
    char *path = style_path(theme ? c->themes_dir : c->dir, name);
    size_t length;
    const char *text;
    yaml_document_t *doc = parsed_find(path, &text, &length);
    yaml_document_t own_doc;
    char *own_text = NULL;
    if (!doc) {
        char *why;
        int64_t seen = fp_clock_ns();
        fp_stat before, after;
        bool known = fp_stat_path(path, &before);
        own_text = fp_read_input(path, LIMIT_STYLE_BYTES, &length, &why);
        if (!own_text) {
            int error = errno;
            if (error != ENOENT)
                diag_report(c->diags, SEVERITY_ERROR, path, 0, 0, "cannot read style: %s", why);
            free(why);
            free(path);
            return error == ENOENT ? LOAD_MISSING : LOAD_FAILED;
        }
        text = own_text;
        note_file(c, path, child, theme);
        yaml_parser_t parser;
        yaml_parser_initialize(&parser);
        yaml_parser_set_input_string(&parser, (const unsigned char *)text, length);
        if (!yaml_parser_load(&parser, &own_doc)) {
            style_report_yaml_error(c->diags, path, text, &parser);
            yaml_parser_delete(&parser);
            free(own_text);
            return LOAD_FAILED;
        }
        yaml_parser_delete(&parser);
        doc = &own_doc;
        /* settled and steady while read: parsed once for the process */
        if (known && fp_stat_path(path, &after) && memcmp(&before, &after, sizeof before) == 0 &&
            fp_settled(&before, seen)) {
            doc = parsed_keep(path, &before, own_text, length, &own_doc);
            own_text = NULL;
        }
    } else {
        note_file(c, path, child, theme);
    }

    load_status status = LOAD_OK;
    yaml_node_t *root = yaml_document_get_root_node(doc);
    const yaml_node_t *too_many = key_past_limit(doc);
    if (too_many) {
        report_at(c, path, too_many, "more than %d keys in one style file; a style has about 170",
                  LIMIT_STYLE_KEYS);
        status = LOAD_FAILED;
    } else if (!yaml_check_strings(&(yaml_checker){.path = path, .doc = doc, .diags = c->diags,
                                                   .text = text, .length = length})) {
        status = LOAD_FAILED;
    } else if (root && root->type != YAML_MAPPING_NODE) {
        const char *s = scalar(root);
        if (!s || !is_null(s, is_plain(root))) {
            report_at(c, path, root, "a style file must be a mapping of sections such as "
                      "'page:' and 'body:', not %s", node_kind_name(root));
            status = LOAD_FAILED;
        }
    } else if (root) {
        yaml_node_t *key = NULL;
        yaml_node_t *ext = find_key(doc, root, "extends", &key);
        if (ext) {
            const char *parent = scalar(ext);
            if (!child && !theme) {
                c->extends_file = path;
                c->extends_line = (int)ext->start_mark.line + 1;
                c->extends_column = (int)ext->start_mark.column + 1;
            }
            chain_link link = {name, child, child ? child->depth + 1 : 1};
            bool cycle = false;
            for (const chain_link *l = &link; parent && l && !cycle; l = l->child)
                cycle = strcmp(l->name, parent) == 0;
            if (!parent || is_null(parent, is_plain(ext))) {
                report_at(c, path, ext, "'extends' must name a style, as in 'extends: house'");
                status = LOAD_FAILED;
            } else if (cycle) {
                report_cycle(c, path, ext, parent, &link);
                status = LOAD_FAILED;
            } else if (link.depth >= LIMIT_EXTENDS_DEPTH) {
                /* Also bounds the recursion and the work per style: a chain is read once per style in it. */
                char *chain = chain_text(&link, NULL);
                report_at(c, path, ext, "'extends' chain is too deep: %s -> %s goes past %d styles; "
                          "at most %d may extend one another", chain, parent, LIMIT_EXTENDS_DEPTH,
                          LIMIT_EXTENDS_DEPTH);
                free(chain);
                status = LOAD_FAILED;
            } else {
                if (!child && !theme)
                    c->parent = xstrdup(parent);
                load_status up = load_file(c, parent, &link, theme);
                if (up == LOAD_MISSING && theme)
                    report_unknown_theme(c, path, ext, parent);
                else if (up == LOAD_MISSING)
                    report_unknown_style(c, path, ext, parent);
                if (up != LOAD_OK)
                    status = LOAD_FAILED;
            }
        }
        /* Applied even when the parent failed, so every problem is listed at once. */
        c->origin = theme ? ORIGIN_THEME : ext ? ORIGIN_VARIANT : ORIGIN_ROOT;
        c->in_theme = theme;
        apply_mapping(c, path, doc, root, NULL);
        if (!theme && !ext && c->theme && !c->theme_done) {
            /* the root of the variant's chain is in: the theme goes on top of it */
            c->theme_done = true;
            load_status t = load_file(c, c->theme, NULL, true);
            if (t == LOAD_MISSING)
                report_unknown_theme(c, NULL, NULL, c->theme);
            if (t != LOAD_OK)
                status = LOAD_FAILED;
        }
    }
    if (doc == &own_doc)
        yaml_document_delete(&own_doc);
    free(own_text);
    return status;
}

/* ---- struct style ----------------------------------------------------------- */

static bool ends_with_family(const char *path)
{
    size_t n = strlen(path);
    return n > 7 && strcmp(path + n - 7, ".family") == 0;
}

/* Records the family list of field i where it was written: a value
 * defaulted from another field (h1.family from fonts.family) is where that
 * one was written. Once per place. */
static void add_family_list(const style_ctx *c, style *s, size_t i)
{
    const slot *at = &c->slots[i];
    for (int hops = 0; at->line == 0 && at->from >= 0 && hops < 8; hops++)
        at = &c->slots[at->from];
    style_family_list here = {.list = c->slots[i].v.text[0],
                              .file = at->line ? (char *)at->file : NULL,
                              .line = at->line, .column = at->column};
    style_family_set_add(&s->families, &here);
}

static style *emit(const style_ctx *c, const char *name)
{
    style *s = xcalloc(1, sizeof *s);
    s->name = xstrdup(name);
    s->path = xstrdup(c->top_file);
    s->extends = c->parent ? xstrdup(c->parent) : NULL;
    s->theme = c->theme ? xstrdup(c->theme) : NULL;
    for (size_t i = 0; i < c->field_count; i++) {
        const field *f = &c->fields[i];
        const value *v = &c->slots[i].v;
        if (f->offset == NO_OFFSET)
            continue;
        void *at = (char *)s + f->offset;
        switch (f->kind) {
        case V_LENGTH: case V_SIZE: case V_RATIO:
            *(double *)at = v->number[0];
            break;
        case V_COUNT: case V_WEIGHT:
            *(int *)at = v->integer;
            break;
        case V_BOOL: case V_EMPHASIS:
            *(bool *)at = v->flag;
            break;
        case V_COLOR:
            *(colour *)at = v->color;
            break;
        case V_FAMILY: case V_SUFFIX: case V_OPTIONAL:
            *(char **)at = xstrdup(v->text[0]);
            if (f->kind == V_FAMILY && ends_with_family(f->path))
                add_family_list(c, s, i);
            break;
        case V_PAGE_SIZE:
            s->page_width = v->number[0];
            s->page_height = v->number[1];
            break;
        case V_BULLETS:
            for (int j = 0; j < 3; j++)
                s->bullets[j] = xstrdup(v->text[j]);
            break;
        }
    }
    return s;
}

static void ctx_free(style_ctx *c)
{
    for (size_t i = 0; i < c->field_count; i++)
        style_slot_free(&c->slots[i]);
    for (size_t i = 0; i < c->file_count; i++)
        free(c->files[i]);
    free(c->files);
    free(c->slots);
    free(c->sections); /* the fields are the shared table */
    free(c->parent);
}

style *style_load(const char *styles_dir, const char *name, diag_list *diags)
{
    return style_load_themed(styles_dir, name, NULL, NULL, diags);
}

char *style_themes_dir(const char *styles_dir)
{
    size_t n = strlen(styles_dir);
    while (n > 1 && styles_dir[n - 1] == '/')
        n--;
    while (n > 0 && styles_dir[n - 1] != '/')
        n--;
    return xasprintf("%.*sthemes", (int)n, styles_dir);
}

/* ---- one load per style and run ----------------------------------------------- */

/* A run asks for the same style more than once (every style is checked
 * once, then planned; each leaflet in it). A load that succeeded is kept
 * with what it said and the stat data of every file it read, and handed
 * out again while each of those files is as it was: the same size, mtime,
 * ctime and inode, and settled when it was read (fingerprint.h), so that
 * a file rewritten since, even within the same clock tick, is read again.
 * A load that failed is not kept: it is reported once and rare. */
typedef struct memo_file {
    char *path;
    fp_stat stat;
} memo_file;

typedef struct style_memo {
    char *key;                 /* styles_dir, name, themes_dir, theme */
    style *style;
    diag_list said;            /* its warnings and notes */
    memo_file *files;
    size_t file_count;
} style_memo;

static style_memo *memos;
static size_t memo_count;

static char *memo_key(const char *styles_dir, const char *name, const char *themes_dir,
                      const char *theme)
{
    /* \n cannot be in a file name the loader accepts as a style's */
    return xasprintf("%s\n%s\n%s\n%s", styles_dir, name, themes_dir ? themes_dir : "",
                     theme ? theme : "\n");
}

static void memo_clear(style_memo *m)
{
    free(m->key);
    style_free(m->style);
    diag_free(&m->said);
    for (size_t i = 0; i < m->file_count; i++)
        free(m->files[i].path);
    free(m->files);
    memset(m, 0, sizeof *m);
}

static char *copy_text(const char *s) { return s ? xstrdup(s) : NULL; }

/* A deep copy: every string a style owns is one emit() made. */
static style *style_copy(const style *from)
{
    style *s = xmalloc(sizeof *s);
    *s = *from;
    s->name = copy_text(from->name);
    s->path = copy_text(from->path);
    s->extends = copy_text(from->extends);
    s->theme = copy_text(from->theme);
    style_ctx c = {0};
    build_fields(&c);
    for (size_t i = 0; i < c.field_count; i++) {
        const field *f = &c.fields[i];
        if (f->offset == NO_OFFSET)
            continue;
        if (f->kind == V_FAMILY || f->kind == V_SUFFIX || f->kind == V_OPTIONAL) {
            char **at = (char **)((char *)s + f->offset);
            *at = copy_text(*at);
        }
    }
    for (int j = 0; j < 3; j++)
        s->bullets[j] = copy_text(from->bullets[j]);
    s->families = (style_family_set){0};
    for (size_t k = 0; k < from->families.count; k++)
        style_family_set_add(&s->families, &from->families.items[k]);
    return s;
}

static style *memo_hand_out(const style_memo *m, diag_list *diags)
{
    for (size_t i = 0; i < m->said.count; i++) {
        const diag *d = &m->said.items[i];
        diag_report(diags, d->level, d->file, d->line, d->column, "%s", d->message);
    }
    return style_copy(m->style);
}

static bool memo_current(const style_memo *m)
{
    for (size_t i = 0; i < m->file_count; i++) {
        fp_stat now;
        if (!fp_stat_path(m->files[i].path, &now) || memcmp(&now, &m->files[i].stat, sizeof now))
            return false;
    }
    return true;
}

static style *load_themed(const char *styles_dir, const char *name, const char *themes_dir,
                          const char *theme, diag_list *diags, style_memo *memo)
{
    style_ctx c = {.dir = styles_dir, .diags = diags, .name = name};
    c.themes_dir = themes_dir;
    c.theme = theme;
    build_fields(&c);
    c.slots = xcalloc(c.field_count, sizeof *c.slots);
    for (size_t i = 0; i < c.field_count; i++)
        c.slots[i].from = -1;

    size_t errors = diags->errors, said = diags->count;
    /* the files' stat data before they are read: a change after shows */
    int64_t seen = fp_clock_ns();
    style *s = NULL;
    load_status status = load_file(&c, name, NULL, false);
    if (status == LOAD_MISSING)
        report_unknown_style(&c, NULL, NULL, name);
    else if (status == LOAD_OK && diags->errors == errors && style_resolve_defaults(&c)
             && style_apply_rules(&c) && style_validate(&c))
        s = emit(&c, name);
    bool keep = s != NULL;
    for (size_t i = 0; keep && i < c.file_count; i++) {
        memo->files = xrealloc(memo->files, (memo->file_count + 1) * sizeof *memo->files);
        memo_file *f = &memo->files[memo->file_count++];
        f->path = xstrdup(c.files[i]);
        keep = fp_stat_path(c.files[i], &f->stat) && fp_settled(&f->stat, seen);
    }
    if (keep) {
        memo->style = style_copy(s);
        diag_init(&memo->said);
        for (size_t i = said; i < diags->count; i++) {
            const diag *d = &diags->items[i];
            diag_report(&memo->said, d->level, d->file, d->line, d->column, "%s", d->message);
        }
    }
    ctx_free(&c);
    return s;
}

style *style_load_themed(const char *styles_dir, const char *name, const char *themes_dir,
                         const char *theme, diag_list *diags)
{
    char *own_themes = NULL;
    if (theme && !themes_dir)
        themes_dir = own_themes = style_themes_dir(styles_dir);
    char *key = memo_key(styles_dir, name, themes_dir, theme);
    style_memo *m = NULL;
    for (size_t i = 0; i < memo_count && !m; i++)
        if (strcmp(memos[i].key, key) == 0)
            m = &memos[i];
    style *s;
    if (m && m->style && memo_current(m)) {
        s = memo_hand_out(m, diags);
        free(key);
    } else {
        if (!m) {
            memos = xrealloc(memos, (memo_count + 1) * sizeof *memos);
            m = &memos[memo_count++];
            memset(m, 0, sizeof *m);
        }
        memo_clear(m);
        m->key = key;
        s = load_themed(styles_dir, name, themes_dir, theme, diags, m);
    }
    free(own_themes);
    return s;
}
