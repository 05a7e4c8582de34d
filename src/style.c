/* The style stage's small public pieces: contrast, freeing, applying a
 * style to a document and finding a style's variants. Loading lives in
 * style_load.c, checking in style_validate.c. */
#include "style_internal.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "fingerprint.h"
#include "input_limits.h"
#include "textutil.h"

/* WCAG 2 relative luminance: sRGB channels linearised, then weighted. */
static double luminance(colour c)
{
    double channel[3] = {c.r, c.g, c.b};
    for (int i = 0; i < 3; i++)
        channel[i] = channel[i] <= 0.04045 ? channel[i] / 12.92
                                           : pow((channel[i] + 0.055) / 1.055, 2.4);
    return 0.2126 * channel[0] + 0.7152 * channel[1] + 0.0722 * channel[2];
}

double contrast_ratio(colour a, colour b)
{
    double la = luminance(a), lb = luminance(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

static void text_style_free(text_style *t) { free(t->font_family); }

static bool family_list_same(const style_family_list *a, const style_family_list *b)
{
    return a->line == b->line && a->column == b->column && strcmp(a->list, b->list) == 0 &&
           (a->file == b->file || (a->file && b->file && strcmp(a->file, b->file) == 0));
}

void style_family_set_add(style_family_set *set, const style_family_list *list)
{
    for (size_t k = 0; k < set->count; k++)
        if (family_list_same(&set->items[k], list))
            return;
    set->items = xrealloc(set->items, (set->count + 1) * sizeof *set->items);
    set->items[set->count++] = (style_family_list){
        .list = xstrdup(list->list), .file = list->file ? xstrdup(list->file) : NULL,
        .line = list->line, .column = list->column};
}

void style_family_set_free(style_family_set *set)
{
    for (size_t i = 0; i < set->count; i++) {
        free(set->items[i].list);
        free(set->items[i].file);
    }
    free(set->items);
    memset(set, 0, sizeof *set);
}

void style_free(style *s)
{
    if (!s)
        return;
    free(s->name);
    free(s->path);
    free(s->extends);
    free(s->suffix);
    free(s->theme);
    free(s->print_profile);
    free(s->cover_logo);
    free(s->cover_logo_alt);
    text_style *texts[] = {
        &s->body, &s->h1, &s->h2, &s->h3, &s->colophon, &s->footer, &s->contact,
        &s->contact_heading, &s->cover_title, &s->cover_subtitle, &s->cover_publisher,
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        text_style_free(texts[i]);
    for (int i = 0; i < 3; i++)
        free(s->bullets[i]);
    style_family_set_free(&s->families);
    free(s);
}

char **style_list_names(const char *dir, size_t *count)
{
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    size_t capacity = 0;
    struct dirent *entry;
    while ((entry = readdir(d))) {
        size_t n = strlen(entry->d_name);
        if (entry->d_name[0] == '.' || n <= 5 || strcmp(entry->d_name + n - 5, ".yaml") != 0)
            continue;
        if (*count == capacity) {
            capacity = capacity ? capacity * 2 : 8;
            names = xrealloc(names, capacity * sizeof *names);
        }
        names[(*count)++] = xstrndup(entry->d_name, n - 5);
    }
    closedir(d);
    return names;
}

/* The top-level `extends` of a style file, read with the event API so
 * only the start of the file is parsed. NULL when it has none. */
static char *read_extends(const char *path, diag_list *diags)
{
    char *result = NULL;
    if (fp_recall(path, "style-extends", &result)) /* this file's answer, given before */
        return result;
    size_t length;
    char *why;
    char *text = fp_read_input(path, LIMIT_STYLE_BYTES, &length, &why);
    if (!text) {
        diag_report(diags, SEVERITY_ERROR, path, 0, 0, "cannot read style: %s", why);
        free(why);
        return NULL;
    }
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, length);
    size_t said = diags->count;
    int depth = 0;          /* open collections */
    bool at_key = true;     /* inside the top mapping: next node is a key */
    bool want = false;      /* the last key was `extends` */
    for (bool done = false; !done;) {
        yaml_event_t event;
        if (!yaml_parser_parse(&parser, &event)) {
            style_report_yaml_error(diags, path, text, &parser);
            break;
        }
        switch (event.type) {
        case YAML_SEQUENCE_START_EVENT:
            if (depth == 0)
                done = true;  /* not a mapping: no extends */
            /* fall through */
        case YAML_MAPPING_START_EVENT:
            if (depth == 1 && !at_key && want)
                done = true;  /* `extends:` holds a collection: not a name */
            depth++;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (--depth == 1)
                at_key = !at_key;
            else if (depth == 0)
                done = true;
            break;
        case YAML_SCALAR_EVENT:
        case YAML_ALIAS_EVENT:
            if (depth != 1) {
                done = depth == 0;
                break;
            }
            if (at_key) {
                want = event.type == YAML_SCALAR_EVENT
                       && strcmp((const char *)event.data.scalar.value, "extends") == 0;
            } else if (want) {
                if (event.type == YAML_SCALAR_EVENT)
                    result = xstrdup((const char *)event.data.scalar.value);
                done = true;
            }
            at_key = !at_key;
            break;
        case YAML_STREAM_END_EVENT:
        case YAML_DOCUMENT_END_EVENT:
            done = true;
            break;
        default:
            break;
        }
        yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    free(text);
    if (diags->count == said) /* an answer with a problem is worked out (and said) again */
        fp_remember(path, "style-extends", result);
    return result;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **style_variants(const char *styles_dir, const char *base, size_t *count, diag_list *diags)
{
    *count = 0;
    DIR *d = opendir(styles_dir);
    if (!d) {
        diag_report(diags, SEVERITY_ERROR, styles_dir, 0, 0, "cannot open styles directory: %s",
                    strerror(errno));
        return NULL;
    }
    closedir(d);
    size_t n;
    char **names = style_list_names(styles_dir, &n);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = style_path(styles_dir, names[i]);
        char *parent = read_extends(path, diags);
        if (parent && strcmp(parent, base) == 0)
            names[kept++] = names[i];
        else
            free(names[i]);
        free(parent);
        free(path);
    }
    if (kept)
        qsort(names, kept, sizeof *names, compare_names);
    if (kept > LIMIT_VARIANTS) {
        /* an error, not a silent cut: every variant a style file makes is promised */
        char *path = style_path(styles_dir, names[LIMIT_VARIANTS]);
        diag_report(diags, SEVERITY_ERROR, path, 0, 0,
                    "%zu styles extend '%s'; at most %d variants of one style are allowed",
                    kept, base, LIMIT_VARIANTS);
        free(path);
        for (size_t i = 0; i < kept; i++)
            free(names[i]);
        free(names);
        return NULL;
    }
    *count = kept;
    return names;
}
