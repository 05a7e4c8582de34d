/* Styles: the house style and its variants, read from styles/NAME.yaml.
 *
 * A style file may `extends: OTHER` and then sets only what differs; the
 * loader applies the parent first, so variants cannot drift. A theme
 * (themes/NAME.yaml, named by a leaflet's front matter `theme:`) is a short
 * file of look keys laid over the root style under every variant; a
 * variant's `rules` hold whatever a theme says. Every value is
 * validated (unknown key, bad unit, bad colour, poor contrast, a value out
 * of the ranges in input_limits.h) with file, line and column; so is a
 * chain deeper than LIMIT_EXTENDS_DEPTH. Lengths in the YAML carry units
 * ("12mm", "10.5pt"); here they are all in points. */
#ifndef LEAFPRESS_STYLE_H
#define LEAFPRESS_STYLE_H

#include <stdbool.h>
#include "diag.h"
#include "doc.h"

/* A style colour: its screen form (sRGB, each 0..1) and, when the style
 * gives one, the CMYK a brand manual prescribes for print (each 0..1).
 * Without it, print converts through the output profile. Contrast checks
 * use the sRGB form only. */
typedef struct colour {
    double r, g, b;
    bool has_cmyk;
    double c, m, y, k;
} colour;

typedef struct text_style {
    char *font_family;     /* fontconfig family list: "Atkinson Hyperlegible Next, DejaVu Sans" */
    double size;           /* pt */
    double line_height;    /* multiple of size */
    int weight;            /* 400 regular, 600 semibold, 700 bold */
    bool italic;
    colour color;
    double space_before;   /* pt */
    double space_after;    /* pt */
} text_style;

typedef struct box_style {         /* highlighted box (alerts) */
    colour background, border, title_color;
    double border_width;           /* pt, drawn on the left edge */
    double padding;                /* pt */
} box_style;

/* A font family list as one of the style's files wrote it, and where:
 * what the build checks against the fonts (every family must be one). */
typedef struct style_family_list {
    char *list;                    /* "Atkinson Hyperlegible Next, DejaVu Sans" */
    char *file;                    /* NULL for a built-in default */
    int line, column;
} style_family_list;

/* Family lists, each place written once: a variant shares its parent's
 * lists, and a theme's are the same in every style it is checked over. */
typedef struct style_family_set {
    style_family_list *items;
    size_t count;
} style_family_set;
/* Adds a copy of list, unless the set has the same list from the same place. */
void style_family_set_add(style_family_set *set, const style_family_list *list);
void style_family_set_free(style_family_set *set);

typedef struct style {
    char *name;                    /* file base name: "house" */
    char *path;                    /* the file it was read from */
    char *extends;                 /* parent name or NULL */
    char *suffix;                  /* appended to output names: "" or "-grote-letter" */
    char *theme;                   /* the theme it was built in (themes/NAME.yaml), or NULL */

    double page_width, page_height;               /* pt */
    double margin_top, margin_bottom, margin_inner, margin_outer; /* pt */

    bool hyphenate;
    int hyphenate_min_left;        /* letters before a hyphenation break, at least */
    int hyphenate_min_right;       /* letters after it */
    int hyphenate_max_run;         /* hyphenated lines in a row, at most */
    bool emphasis_bold;            /* large print: emphasis drawn bold, never italic */
    int widows, orphans;           /* minimum lines kept together at a page break */
    int keep_with_next;            /* lines of the next block kept with a heading */

    text_style body, h1, h2, h3, colophon, footer, contact, contact_heading;
    text_style cover_title, cover_subtitle, cover_publisher;
    style_family_set families;     /* each text style's family list */

    colour link_color;
    bool link_underline;

    double list_indent;            /* pt per level */
    double list_label_gap;         /* pt between label and text */
    double list_item_space;        /* pt between items */
    char *bullets[3];              /* per nesting level, UTF-8 */

    box_style box_note, box_tip, box_warning;      /* IMPORTANT uses note, CAUTION warning */

    colour contact_background, contact_urgent_background, contact_rule;
    double contact_padding;

    colour cover_band_color;
    double cover_band_height;      /* pt, from the top trim edge */
    char *cover_logo;              /* the theme's logo: a real path inside the project, or "" */
    double cover_logo_height;      /* pt */
    char *cover_logo_alt;          /* the logo's alt text; "": the leaflet's publisher */

    colour footer_rule_color;
    double footer_offset;          /* pt from the bottom trim edge to the footer baseline */

    double image_scale;            /* natural-size images are drawn this much larger */

    /* print production */
    double print_bleed;            /* pt the print PDF runs edge fills past the trim */
    char *print_profile;           /* CMYK output profile (ICC), relative to the project root */
    bool output_print, output_booklet, output_proofs; /* which print outputs this variant makes */

    /* the variant's rules, already imposed on the values above (and kept
     * for the tests): 0 / 1 / true / true when it has none */
    double rule_min_size;          /* pt: every text element at least this */
    double rule_min_line_height;   /* every line height at least this */
    bool rule_italics;             /* false: nothing italic, emphasis bold */
    bool rule_hyphenate;           /* false: no hyphenation */
} style;

/* Loads styles_dir/NAME.yaml and its `extends` chain. NULL after reporting
 * into diags when anything is wrong. */
style *style_load(const char *styles_dir, const char *name, diag_list *diags);

/* The variant NAME in a theme: the root of NAME's chain (house), then
 * themes_dir/THEME.yaml (after its own `extends` chain of themes), then
 * the rest of NAME's chain, then NAME's rules. A theme may set every key
 * but the variant-only ones (suffix, page.size, output.*, rules.*), which
 * are errors with a hint; theme NULL: style_load. */
style *style_load_themed(const char *styles_dir, const char *name, const char *themes_dir,
                         const char *theme, diag_list *diags);

/* The folder of themes beside a styles folder: "styles" -> "themes",
 * "a/b/styles" -> "a/b/themes". Caller frees. */
char *style_themes_dir(const char *styles_dir);

/* True when `path` ("page.size", "output.print") is a key only a variant
 * may set, never a theme. */
bool style_key_variant_only(const char *path);
void style_free(style *s);

/* Names of every style in styles_dir that directly extends `base`
 * (its variants), sorted. More than LIMIT_VARIANTS (input_limits.h) is an
 * error: then NULL and *count 0. Caller frees each and the array. */
char **style_variants(const char *styles_dir, const char *base, size_t *count, diag_list *diags);


/* WCAG 2 contrast ratio of two colours (1..21). */
double contrast_ratio(colour a, colour b);

#endif
