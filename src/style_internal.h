/* Shared between the style loader and its validator; not a stage contract.
 *
 * Every style key is a `field` with a dotted path ("box.tip.background").
 * While a style and its `extends` chain load, each field's value lives in a
 * `slot` together with where it was set, so validation can point at the
 * value that caused a problem; only at the end are slots copied into a
 * struct style. */
#ifndef LEAFPRESS_STYLE_INTERNAL_H
#define LEAFPRESS_STYLE_INTERNAL_H

#include <stddef.h>
#include "style.h"

typedef enum {
    V_LENGTH,    /* "12mm", >= 0, stored in pt */
    V_SIZE,      /* font size: a length > 0 */
    V_RATIO,     /* line height: plain number >= 1 */
    V_COUNT,     /* whole number >= field.min */
    V_BOOL,
    V_COLOR,
    V_FAMILY,    /* non-empty string */
    V_WEIGHT,    /* regular|semibold|bold|400|600|700 */
    V_EMPHASIS,  /* italic|bold -> emphasis_bold */
    V_SUFFIX,    /* file-name-safe string, may be empty */
    V_PAGE_SIZE, /* A3..A6 or [width, height] */
    V_BULLETS,   /* list of 1..3 strings */
    V_OPTIONAL   /* string; empty or null: none (stored as "") */
} value_kind;

#define NO_OFFSET ((size_t)-1)
#define FIELD_PATH_MAX 48

typedef struct field {
    char path[FIELD_PATH_MAX];
    value_kind kind;
    size_t offset;        /* into struct style; NO_OFFSET: only a default for others */
    const char *unit;     /* unit suggested when a length lacks one */
    int min;              /* V_COUNT */
    const char *fallback; /* default, written as in YAML; NULL if none */
    const char *from;     /* path of the field that supplies the default */
} field;

typedef struct value {
    double number[2];     /* lengths (pt), ratio; page size uses both */
    int integer;          /* count, weight */
    bool flag;            /* bool, emphasis_bold */
    colour color;
    char *text[3];        /* family, suffix; bullets use all three */
} value;

/* Where a value came from, in merge order: the root style (house), the
 * leaflet's theme, then the variant's own files. Rules judge by it. */
typedef enum { ORIGIN_ROOT, ORIGIN_THEME, ORIGIN_VARIANT } value_origin;

typedef struct slot {
    bool set;
    value v;
    const char *file;     /* owned by style_ctx.files */
    int line, column;     /* 1-based; 0 when it came from a built-in default */
    unsigned seq;         /* order of setting: parents first, then document order */
    int from;             /* field index it was defaulted from, or -1 */
    value_origin origin;  /* ORIGIN_ROOT too for a built-in default (line 0) */
} slot;

typedef struct section_pos {
    char path[FIELD_PATH_MAX];
    const char *file;
    int line, column;
} section_pos;

typedef struct style_ctx {
    const char *dir;
    diag_list *diags;
    field *fields;
    size_t field_count;
    slot *slots;
    char **files;         /* every path read; slots point into these */
    size_t file_count;
    section_pos *sections; /* where each section mapping was last written */
    size_t section_count;
    unsigned seq;
    const char *top_file;  /* path of the requested style */
    const char *extends_file; /* where the requested style's `extends` is */
    int extends_line, extends_column;
    char *parent;          /* the requested style's parent name */
    /* the theme: applied right after the root of the variant's chain */
    const char *themes_dir, *theme;
    const char *theme_file;  /* path of the requested theme, once read */
    bool in_theme;           /* applying a theme file: variant-only keys are errors */
    bool theme_done;
    value_origin origin;     /* of the file being applied */
    const char *name;        /* the requested style */
} style_ctx;

int style_field_index(const style_ctx *c, const char *path);
void style_slot_free(slot *s);

/* Fills every unset slot from its default; false if a required one is unset. */
bool style_resolve_defaults(style_ctx *c);
/* The variant's `rules` (large print's minimum size and line height, no
 * italics, no hyphenation) imposed on the merged values: a theme's value
 * they override is a warning at that value, a value of the variant's own
 * files an error; the root's are simply overridden. False on an error. */
bool style_apply_rules(style_ctx *c);
/* Page geometry, variant suffix and WCAG contrast checks on the merged values. */
bool style_validate(style_ctx *c);

/* Loader helpers the validator and style_variants share. */
bool style_default_value(const field *f, value *v);   /* parses f->fallback */
char *style_path(const char *dir, const char *name);  /* "dir/name.yaml"; caller frees */
/* Base names of every *.yaml in dir, unsorted; caller frees each and the array. */
char **style_list_names(const char *dir, size_t *count);
struct yaml_parser_s;
void style_report_yaml_error(diag_list *diags, const char *path, const char *text,
                             const struct yaml_parser_s *parser);

/* Formats a colour as "#rrggbb" into buf (8 bytes). */
void style_color_hex(colour c, char buf[8]);

#endif
