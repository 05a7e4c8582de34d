#define _GNU_SOURCE /* link, fsync, sync_file_range */
#include "outputs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fingerprint.h"
#include "frontmatter.h"
#include "input_limits.h"
#include "suggest.h"
#include "textutil.h"
#include "wording.h"

/* ---- styles, each loaded once ---------------------------------------- */

struct style_entry {
    char *name;
    char *theme;               /* the theme it is loaded in; NULL: none */
    style *style;              /* NULL: broken (check_all_styles reports it) */
    bool exists;
    char **children;           /* styles that extend this one directly */
    size_t child_count;
    bool children_known;
    bool too_many;             /* style_variants refused: over LIMIT_VARIANTS */
    /* the style file that sets `suffix`, and where */
    char *suffix_file;
    int suffix_line, suffix_column;
    bool suffix_known;
};

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **style_names(const char *dir, size_t *count)
{
    char **names = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > 5 && strcmp(e->d_name + n - 5, ".yaml") == 0) {
            names = xrealloc(names, (*count + 1) * sizeof *names);
            names[(*count)++] = xstrndup(e->d_name, n - 5);
        }
    }
    closedir(d);
    /* directory order varies between file systems; suggestions and variants must not */
    if (names)
        qsort(names, *count, sizeof *names, compare_names);
    return names;
}

void free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

/* The entry of a style in a theme (NULL: none), loaded on first use. An
 * index: the array grows. Children and suffixes are only asked of the
 * entries without a theme: a theme sets neither. */
static size_t style_entry_find(output_plan *plan, const char *name, const char *theme)
{
    for (size_t i = 0; i < plan->style_count; i++) {
        const style_entry *e = &plan->styles[i];
        if (strcmp(e->name, name) == 0 &&
            (theme ? e->theme && strcmp(e->theme, theme) == 0 : !e->theme))
            return i;
    }
    plan->styles = xrealloc(plan->styles, (plan->style_count + 1) * sizeof *plan->styles);
    style_entry *e = &plan->styles[plan->style_count];
    memset(e, 0, sizeof *e);
    e->name = xstrdup(name);
    e->theme = theme ? xstrdup(theme) : NULL;
    strbuf path = {0};
    strbuf_printf(&path, "%s/%s.yaml", plan->styles_dir, name);
    struct stat st;
    e->exists = stat(path.data, &st) == 0 && S_ISREG(st.st_mode);
    free(path.data);
    if (e->exists) {
        diag_list scratch; /* check_all_styles has printed these once */
        diag_init(&scratch);
        e->style = style_load_themed(plan->styles_dir, name, plan->themes_dir, theme, &scratch);
        if (e->style && scratch.errors) {
            style_free(e->style);
            e->style = NULL;
        }
        diag_free(&scratch);
    }
    return plan->style_count++;
}

static size_t style_entry_get(output_plan *plan, const char *name)
{
    return style_entry_find(plan, name, NULL);
}

static bool is_file(const char *dir, const char *name)
{
    strbuf path = {0};
    strbuf_printf(&path, "%s/%s.yaml", dir, name);
    struct stat st;
    bool ok = stat(path.data, &st) == 0 && S_ISREG(st.st_mode);
    free(path.data);
    return ok;
}

/* A top-level `key:` in a YAML text (in_front_matter: only up to the
 * closing "---"): its value's line and column. */
static bool find_key(const char *text, const char *key, bool in_front_matter, int *line,
                     int *column)
{
    size_t key_length = strlen(key);
    int n = 1;
    for (const char *p = text; *p; n++) {
        if (in_front_matter && n > 1 && strncmp(p, "---", 3) == 0)
            break;
        if (strncmp(p, key, key_length) == 0 && p[key_length] == ':') {
            const char *v = p + key_length + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            *line = n;
            *column = (int)(v - p) + 1;
            return true;
        }
        const char *nl = strchr(p, '\n');
        if (!nl)
            break;
        p = nl + 1;
    }
    return false;
}

/* Which file in the style's extends chain sets its suffix, and where. */
static void style_entry_suffix(output_plan *plan, size_t index, int depth)
{
    if (plan->styles[index].suffix_known || depth > OUTPUTS_MAX_VARIANTS)
        return;
    plan->styles[index].suffix_known = true;
    strbuf path = {0};
    strbuf_printf(&path, "%s/%s.yaml", plan->styles_dir, plan->styles[index].name);
    size_t length;
    char *text = fp_read_input(path.data, LIMIT_OTHER_BYTES, &length, NULL); /* read_file, once per run */
    style_entry *e = &plan->styles[index];
    if (text && find_key(text, "suffix", false, &e->suffix_line, &e->suffix_column)) {
        e->suffix_file = strbuf_take(&path);
    } else if (e->style && e->style->extends) {
        size_t parent = style_entry_get(plan, e->style->extends);
        style_entry_suffix(plan, parent, depth + 1);
        style_entry *p = &plan->styles[parent];
        e = &plan->styles[index];
        if (p->suffix_file) {
            e->suffix_file = xstrdup(p->suffix_file);
            e->suffix_line = p->suffix_line;
            e->suffix_column = p->suffix_column;
        }
    }
    free(path.data);
    free(text);
}

static const char *const *style_children(output_plan *plan, const char *name, size_t *count)
{
    size_t index = style_entry_get(plan, name);
    if (!plan->styles[index].children_known) {
        diag_list scratch;
        diag_init(&scratch);
        size_t n = 0;
        char **children = style_variants(plan->styles_dir, name, &n, &scratch);
        /* refused for having more children than any leaflet may have: say
         * so below as the limit it is, never drop them silently */
        plan->styles[index].too_many = !children && scratch.errors > 0;
        diag_free(&scratch);
        plan->styles[index].children = children;
        plan->styles[index].child_count = n;
        plan->styles[index].children_known = true;
    }
    *count = plan->styles[index].child_count;
    return (const char *const *)plan->styles[index].children;
}

/* The base style and every style whose extends chain reaches it (the base
 * first, then sorted); stops a little past the limit. */
static char **variant_names(output_plan *plan, const char *base, size_t *count, bool *too_many)
{
    *too_many = false;
    char **names = xmalloc(sizeof *names);
    names[0] = xstrdup(base);
    size_t n = 1;
    for (size_t i = 0; i < n && n <= OUTPUTS_MAX_VARIANTS; i++) {
        size_t kids;
        const char *const *children = style_children(plan, names[i], &kids);
        if (plan->styles[style_entry_get(plan, names[i])].too_many) {
            *too_many = true;
            break;
        }
        for (size_t k = 0; k < kids; k++) {
            bool seen = false; /* an extends cycle: the style loader reports it */
            for (size_t j = 0; j < n && !seen; j++)
                seen = strcmp(names[j], children[k]) == 0;
            if (seen)
                continue;
            names = xrealloc(names, (n + 1) * sizeof *names);
            names[n++] = xstrdup(children[k]);
        }
    }
    if (n > 2)
        qsort(names + 1, n - 1, sizeof *names, compare_names);
    *count = n;
    return names;
}

/* ---- planning --------------------------------------------------------- */

/* `style:` names a style that extends another: before themes that was how
 * a department look was made (and it lost the leaflet its large print). */
static void report_not_root(output_plan *plan, planned_leaflet *l, const leaflet_meta *meta,
                            size_t index)
{
    const char *name = plan->styles[index].name, *parent = plan->styles[index].style->extends;
    const char *root = parent;
    for (int depth = 0; depth < OUTPUTS_MAX_VARIANTS; depth++) {
        size_t up = style_entry_get(plan, root);
        const style *s = plan->styles[up].style;
        if (!s || !s->extends)
            break;
        root = s->extends;
    }
    diag_report(&l->diags, SEVERITY_ERROR, l->source, meta->style_line, meta->style_column,
                "style '%s' extends '%s', so it is a variant that every leaflet in '%s' gets "
                "already, not a style of its own; for a department look, move %s/%s.yaml to "
                "%s/%s.yaml without its 'extends' and 'suffix', and write 'theme: %s' (then the "
                "leaflet keeps all its variants)",
                name, parent, root, plan->styles_dir, name, plan->themes_dir, name, name);
}

static void report_unknown_theme(output_plan *plan, planned_leaflet *l, const leaflet_meta *meta)
{
    size_t count;
    char **names = style_names(plan->themes_dir, &count);
    const char *close = suggest_closest(meta->theme, (const char *const *)names, count);
    strbuf msg = {0};
    strbuf_printf(&msg, "unknown theme '%s' (no %s/%s.yaml)", meta->theme, plan->themes_dir,
                  meta->theme);
    if (close)
        strbuf_printf(&msg, "; did you mean '%s'?", close);
    else if (is_file(plan->styles_dir, meta->theme))
        strbuf_printf(&msg, "; %s/%s.yaml is a style: move it to %s/ without its 'extends' and "
                      "'suffix'", plan->styles_dir, meta->theme, plan->themes_dir);
    diag_report(&l->diags, SEVERITY_ERROR, l->source, meta->theme_line, meta->theme_column, "%s",
                msg.data);
    free(msg.data);
    free_names(names, count);
}

/* index: the variant's own entry (its name, suffix); themed: the entry of
 * it in the leaflet's theme, whose style the variant is built in. */
static void plan_variant(output_plan *plan, planned_leaflet *l, size_t index, size_t themed,
                         bool contact_sheet, const char *suffix, const output_switches *sw)
{
    if (!contact_sheet)
        style_entry_suffix(plan, index, 0);
    const style_entry *e = &plan->styles[index];
    const style *st = plan->styles[themed].style;
    l->variants = xrealloc(l->variants, (l->variant_count + 1) * sizeof *l->variants);
    planned_variant *v = &l->variants[l->variant_count++];
    memset(v, 0, sizeof *v);
    v->style_name = e->name;
    v->theme_name = plan->styles[themed].theme;
    v->style = st;
    v->contact_sheet = contact_sheet;
    strbuf name = {0};
    strbuf_printf(&name, "%s%s", l->slug, suffix);
    v->name = strbuf_take(&name);
    v->kinds[KIND_SCREEN] = true;
    v->kinds[KIND_PRINT] = !sw->off[KIND_PRINT] && st->output_print;
    /* a one-page contact sheet is no booklet */
    v->kinds[KIND_BOOKLET] = !sw->off[KIND_BOOKLET] && st->output_booklet && !contact_sheet;
    v->kinds[KIND_PROOFS] = !sw->off[KIND_PROOFS] && st->output_proofs;
    if (!contact_sheet) {
        v->suffix_file = e->suffix_file;
        v->suffix_line = e->suffix_line;
        v->suffix_column = e->suffix_column;
    }
}

static void plan_leaflet(output_plan *plan, planned_leaflet *l, const output_switches *sw,
                         const contact_registry *registry)
{
    size_t length;
    char *text = read_file(l->source, &length);
    if (!text)
        return; /* the leaflet's build says why */
    diag_list scratch; /* the leaflet's build reports these in full */
    diag_init(&scratch);
    const char *yaml, *body;
    size_t yaml_length;
    int body_line;
    leaflet_meta meta = {0};
    bool ok = frontmatter_split(l->source, text, length, &yaml, &yaml_length, &body, &body_line,
                                &scratch) &&
              frontmatter_parse(l->source, yaml, yaml_length, registry, &meta, &scratch) &&
              scratch.errors == 0 && meta.slug;
    diag_free(&scratch);
    if (ok) {
        l->slug = xstrdup(meta.slug);
        l->lang = meta.lang ? xstrdup(meta.lang) : NULL;
        if (!find_key(text, "slug", true, &l->slug_line, &l->slug_column))
            l->slug_line = l->slug_column = 0;
        const char *base = meta.style ? meta.style : "house";
        size_t base_index = style_entry_get(plan, base); /* (may move plan->styles) */
        if (!plan->styles[base_index].exists) {
            size_t count;
            char **names = style_names(plan->styles_dir, &count);
            const char *close = suggest_closest(base, (const char *const *)names, count);
            diag_report(&l->diags, SEVERITY_ERROR, l->source, meta.style_line, meta.style_column,
                        "unknown style '%s'%s%s%s", base, close ? "; did you mean '" : "",
                        close ? close : "", close ? "'?" : "");
            free_names(names, count);
        } else if (plan->styles[base_index].style && plan->styles[base_index].style->extends) {
            report_not_root(plan, l, &meta, base_index);
        } else if (meta.theme && !is_file(plan->themes_dir, meta.theme)) {
            report_unknown_theme(plan, l, &meta);
        } else {
            size_t count;
            bool too_many;
            char **names = variant_names(plan, base, &count, &too_many);
            size_t all = count;
            if (too_many || count > OUTPUTS_MAX_VARIANTS) {
                diag_report(&l->diags, SEVERITY_ERROR, l->source, meta.style_line,
                            meta.style_column,
                            "style '%s' has more than %d variants (styles that extend it, "
                            "directly or through another); a leaflet has at most %d styles",
                            base, OUTPUTS_MAX_VARIANTS - 1, OUTPUTS_MAX_VARIANTS);
                count = 0;
            }
            for (size_t i = 0; i < count; i++) {
                size_t index = style_entry_get(plan, names[i]);
                size_t themed = meta.theme ? style_entry_find(plan, names[i], meta.theme) : index;
                const style *s = plan->styles[themed].style;
                if (!s) {
                    /* check_all_styles has printed its problems once; here a
                     * leaflet only says which style or theme stops it */
                    if (plan->styles[index].style)
                        diag_report(&l->diags, SEVERITY_ERROR, l->source, meta.theme_line,
                                    meta.theme_column,
                                    "theme '%s' has errors in variant '%s' (reported above)",
                                    meta.theme, names[i]);
                    else
                        diag_report(&l->diags, SEVERITY_ERROR, l->source, meta.style_line,
                                    meta.style_column, "style '%s' has errors (reported above)",
                                    names[i]);
                    continue;
                }
                plan_variant(plan, l, index, themed, false, s->suffix ? s->suffix : "", sw);
                if (i == 0 && meta.contact_sheet)
                    plan_variant(plan, l, index, themed, true,
                                 wording(meta.lang, "contact_sheet_suffix"), sw);
            }
            free_names(names, all);
        }
    }
    meta_free(&meta);
    free(text);
}

static const char *const KIND_FOLDERS[KIND_COUNT] = {NULL, "print", "booklet", "proofs"};

char *output_path(const output_plan *plan, const planned_variant *v, output_kind kind,
                  size_t page)
{
    strbuf b = {0};
    strbuf_puts(&b, plan->output_dir);
    if (KIND_FOLDERS[kind])
        strbuf_printf(&b, "/%s", KIND_FOLDERS[kind]);
    strbuf_printf(&b, "/%s", v->name);
    if (kind == KIND_PROOFS && page)
        strbuf_printf(&b, "-%02zu", page);
    strbuf_puts(&b, kind == KIND_PROOFS ? ".png" : ".pdf");
    return strbuf_take(&b);
}

typedef struct planned_path {
    char *path;
    size_t leaflet, variant;
    output_kind kind;
} planned_path;

static int compare_paths(const void *a, const void *b)
{
    const planned_path *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    if (c)
        return c;
    if (x->leaflet != y->leaflet)
        return x->leaflet < y->leaflet ? -1 : 1;
    if (x->variant != y->variant)
        return x->variant < y->variant ? -1 : 1;
    return (int)x->kind - (int)y->kind;
}

/* "sources/a.md (slug 'net' at sources/a.md:3:7) in style 'x' (suffix '-x' at styles/x.yaml:2:9)" */
static char *describe(const planned_leaflet *l, const planned_variant *v)
{
    strbuf b = {0};
    strbuf_printf(&b, "%s (slug '%s'", l->source, l->slug);
    if (l->slug_line)
        strbuf_printf(&b, " at %s:%d:%d)", l->source, l->slug_line, l->slug_column);
    else
        strbuf_puts(&b, " from its file name)");
    if (v->contact_sheet) {
        strbuf_printf(&b, ", its contact sheet (suffix '%s')", v->name + strlen(l->slug));
    } else {
        strbuf_printf(&b, " in style '%s'", v->style_name);
        const char *suffix = v->name + strlen(l->slug);
        if (*suffix && v->suffix_file)
            strbuf_printf(&b, " (suffix '%s' at %s:%d:%d)", suffix, v->suffix_file, v->suffix_line,
                          v->suffix_column);
    }
    return strbuf_take(&b);
}

/* Where the second of two clashing outputs is best pointed at. */
static void locate(const planned_leaflet *first, const planned_leaflet *l, const planned_variant *v,
                   const char **file, int *line, int *column)
{
    *file = l->source;
    *line = *column = 0;
    if (first != l) {
        *line = l->slug_line;
        *column = l->slug_column;
    } else if (!v->contact_sheet && v->suffix_file) {
        *file = v->suffix_file;
        *line = v->suffix_line;
        *column = v->suffix_column;
    }
}

typedef struct clash {
    planned_path a, b;         /* a before b in source and variant order; shared strings */
    bool overview;             /* b's overview is a page proof of a */
} clash;

static int compare_clashes(const void *x_, const void *y_)
{
    const clash *x = x_, *y = y_;
    size_t kx[5] = {x->b.leaflet, x->b.variant, x->a.leaflet, x->a.variant, x->a.kind};
    size_t ky[5] = {y->b.leaflet, y->b.variant, y->a.leaflet, y->a.variant, y->a.kind};
    for (int i = 0; i < 5; i++)
        if (kx[i] != ky[i])
            return kx[i] < ky[i] ? -1 : 1;
    return 0;
}

static void report_clash(output_plan *plan, const clash *c, diag_list *diags)
{
    const planned_leaflet *la = &plan->leaflets[c->a.leaflet], *lb = &plan->leaflets[c->b.leaflet];
    const planned_variant *va = &la->variants[c->a.variant], *vb = &lb->variants[c->b.variant];
    char *da = describe(la, va), *db = describe(lb, vb);
    const char *file;
    int line, column;
    locate(la, lb, vb, &file, &line, &column);
    if (c->overview)
        diag_report(diags, SEVERITY_ERROR, file, line, column,
                    "%s would be written twice: as a page proof for %s, and as the overview for "
                    "%s; give each its own slug or suffix",
                    c->b.path, da, db);
    else
        diag_report(diags, SEVERITY_ERROR, file, line, column,
                    "%s would be written twice: for %s, and for %s; give each its own slug or "
                    "suffix",
                    c->a.path, da, db);
    free(da);
    free(db);
    plan->collisions++;
}

static bool before(const planned_path *x, const planned_path *y)
{
    return x->leaflet != y->leaflet ? x->leaflet < y->leaflet : x->variant < y->variant;
}

static void add_clash(clash **clashes, size_t *n, const planned_path *x, const planned_path *y,
                      bool overview)
{
    *clashes = xrealloc(*clashes, (*n + 1) * sizeof **clashes);
    bool order = overview || before(x, y);
    (*clashes)[(*n)++] = (clash){order ? *x : *y, order ? *y : *x, overview};
}

/* Every pair of variants that would write one path, reported once (by
 * the first kind they share), in source order. */
static void find_collisions(output_plan *plan, diag_list *diags)
{
    planned_path *paths = NULL;
    size_t n = 0, capacity = 0;
    for (size_t i = 0; i < plan->count; i++)
        for (size_t k = 0; k < plan->leaflets[i].variant_count; k++) {
            const planned_variant *v = &plan->leaflets[i].variants[k];
            for (int kind = 0; kind < KIND_COUNT; kind++) {
                if (!v->kinds[kind])
                    continue;
                if (n == capacity) {
                    capacity = capacity ? 2 * capacity : 64;
                    paths = xrealloc(paths, capacity * sizeof *paths);
                }
                paths[n++] = (planned_path){output_path(plan, v, (output_kind)kind, 0), i, k,
                                            (output_kind)kind};
            }
        }
    if (n > 1)
        qsort(paths, n, sizeof *paths, compare_paths);
    clash *clashes = NULL;
    size_t clash_count = 0;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(paths[j - 1].path, paths[i].path) == 0; j--)
            add_clash(&clashes, &clash_count, &paths[j - 1], &paths[i], false);
    /* an overview NAME-NN.png is page NN of NAME's proofs */
    for (size_t i = 0; i < n; i++) {
        if (paths[i].kind != KIND_PROOFS)
            continue;
        const char *path = paths[i].path;
        size_t len = strlen(path) - 4; /* without ".png" */
        size_t d = len;
        while (d > 0 && path[d - 1] >= '0' && path[d - 1] <= '9')
            d--;
        if (len - d < 2 || d == 0 || path[d - 1] != '-')
            continue;
        strbuf key = {0};
        strbuf_append(&key, path, d - 1);
        strbuf_puts(&key, ".png");
        /* the paths are sorted: the first one not below the key, by path alone */
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (strcmp(paths[mid].path, key.data) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < n && strcmp(paths[lo].path, key.data) == 0; lo++)
            if (paths[lo].kind == KIND_PROOFS)
                add_clash(&clashes, &clash_count, &paths[lo], &paths[i], true);
        free(key.data);
    }
    if (clash_count > 1)
        qsort(clashes, clash_count, sizeof *clashes, compare_clashes);
    for (size_t i = 0; i < clash_count; i++) {
        const clash *c = &clashes[i];
        bool same_pair = i > 0 && clashes[i - 1].a.leaflet == c->a.leaflet &&
                         clashes[i - 1].a.variant == c->a.variant &&
                         clashes[i - 1].b.leaflet == c->b.leaflet &&
                         clashes[i - 1].b.variant == c->b.variant;
        if (!same_pair)
            report_clash(plan, c, diags);
    }
    free(clashes);
    for (size_t i = 0; i < n; i++)
        free(paths[i].path);
    free(paths);
}

void output_plan_make(output_plan *plan, const char *output_dir, const char *styles_dir,
                      const output_switches *switches, char *const *sources, size_t count,
                      const contact_registry *registry, diag_list *diags)
{
    memset(plan, 0, sizeof *plan);
    plan->output_dir = output_dir;
    plan->styles_dir = styles_dir;
    plan->themes_dir = style_themes_dir(styles_dir);
    plan->count = count;
    plan->leaflets = xcalloc(count ? count : 1, sizeof *plan->leaflets);
    for (size_t i = 0; i < count; i++) {
        planned_leaflet *l = &plan->leaflets[i];
        l->source = sources[i];
        diag_init(&l->diags);
        plan_leaflet(plan, l, switches, registry);
    }
    find_collisions(plan, diags);
}

void output_plan_free(output_plan *plan)
{
    for (size_t i = 0; i < plan->count; i++) {
        planned_leaflet *l = &plan->leaflets[i];
        for (size_t k = 0; k < l->variant_count; k++)
            free(l->variants[k].name);
        free(l->variants);
        free(l->slug);
        free(l->lang);
        diag_free(&l->diags);
    }
    free(plan->leaflets);
    for (size_t i = 0; i < plan->style_count; i++) {
        style_entry *e = &plan->styles[i];
        free(e->name);
        free(e->theme);
        style_free(e->style);
        free_names(e->children, e->child_count);
        free(e->suffix_file);
    }
    free(plan->styles);
    free(plan->themes_dir);
    memset(plan, 0, sizeof *plan);
}

/* ---- committing one leaflet's files ---------------------------------- */

void output_set_add(output_set *set, char *path, unsigned char *data, size_t length)
{
    set->files = xrealloc(set->files, (set->count + 1) * sizeof *set->files);
    set->files[set->count++] = (output_file){path, data, length};
}

void output_set_prune_proofs(output_set *set, const output_plan *plan, const planned_variant *v,
                             size_t pages)
{
    strbuf dir = {0};
    strbuf_printf(&dir, "%s/proofs", plan->output_dir);
    DIR *d = opendir(dir.data);
    size_t name_length = strlen(v->name);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        const char *f = e->d_name;
        size_t n = strlen(f);
        if (n < name_length + 7 || strncmp(f, v->name, name_length) != 0 ||
            f[name_length] != '-' || strcmp(f + n - 4, ".png") != 0)
            continue;
        size_t number = 0, digits = 0;
        bool all_digits = true;
        for (size_t i = name_length + 1; i < n - 4; i++, digits++) {
            all_digits = all_digits && f[i] >= '0' && f[i] <= '9' && digits < 9;
            if (all_digits)
                number = number * 10 + (size_t)(f[i] - '0');
        }
        if (!all_digits || digits < 2 || number <= pages)
            continue;
        strbuf path = {0};
        strbuf_printf(&path, "%s/%s", dir.data, f);
        set->stale = xrealloc(set->stale, (set->stale_count + 1) * sizeof *set->stale);
        set->stale[set->stale_count++] = strbuf_take(&path);
    }
    if (d)
        closedir(d);
    free(dir.data);
    /* directory order is the file system's: keep the commit's order fixed */
    if (set->stale_count > 1)
        qsort(set->stale, set->stale_count, sizeof *set->stale, compare_names);
}

void output_set_free(output_set *set)
{
    for (size_t i = 0; i < set->count; i++) {
        free(set->files[i].path);
        free(set->files[i].data);
    }
    free(set->files);
    free_names(set->stale, set->stale_count);
    memset(set, 0, sizeof *set);
}

bool make_folders(const char *path)
{
    char *p = xstrdup(path);
    bool ok = true;
    for (char *s = p + 1; ok; s++) {
        bool end = *s == '\0';
        if (*s == '/' || end) {
            *s = '\0';
            struct stat st;
            if (mkdir(p, 0777) != 0) {
                int saved = errno;
                if (saved != EEXIST || stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
                    ok = false;
                    errno = saved == EEXIST ? ENOTDIR : saved;
                }
            }
            if (end)
                break;
            *s = '/';
        }
    }
    free(p);
    return ok;
}

static unsigned temp_counter;

/* ".NAME.SUFFIX-PID-N" beside path: hidden, and obviously temporary if a crash leaves it. */
static char *hidden_name(const char *path, const char *suffix)
{
    const char *slash = strrchr(path, '/');
    size_t dir_length = slash ? (size_t)(slash - path) + 1 : 0;
    strbuf b = {0};
    strbuf_append(&b, path, dir_length);
    strbuf_printf(&b, ".%s.%s-%ld-%u", path + dir_length, suffix, (long)getpid(), temp_counter++);
    return strbuf_take(&b);
}

static bool write_all(int fd, const unsigned char *data, size_t length)
{
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data += n;
        length -= (size_t)n;
    }
    return true;
}

static volatile sig_atomic_t committing;

bool outputs_committing(void)
{
    return committing != 0;
}

/* The signals that stop a run (main.c): held while outputs are renamed
 * into place, so an interrupted commit is never half done. */
static void mask_stop_signals(int how)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGQUIT);
    pthread_sigmask(how, &set, NULL);
}

static void block_signals(void)
{
    committing = 1;
    mask_stop_signals(SIG_BLOCK);
}

void outputs_unblock_signals(void)
{
    committing = 0;
    mask_stop_signals(SIG_UNBLOCK);
}

static char *parent_folder(const char *path)
{
    const char *slash = strrchr(path, '/');
    return !slash ? xstrdup(".") : slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
}

/* Files written at once before their syncs: bounded, for the open descriptors. */
#define SYNC_BATCH 64

/* Syncs and closes fds[from..to). */
static bool sync_and_close(const output_set *set, int *fds, size_t from, size_t to,
                           diag_list *diags)
{
    bool ok = true;
    for (size_t i = from; i < to; i++) {
        const char *failed = NULL;
        if (fsync(fds[i]) != 0)
            failed = "cannot sync";
        int saved = errno;
        if (close(fds[i]) != 0 && !failed) {
            failed = "cannot write";
            saved = errno;
        }
        fds[i] = -1;
        if (failed && ok)
            diag_report(diags, SEVERITY_ERROR, set->files[i].path, 0, 0,
                        "%s: %s; nothing of this leaflet was written", failed, strerror(saved));
        ok = ok && !failed;
    }
    return ok;
}

bool output_set_commit(output_set *set, diag_list *diags)
{
    size_t n = set->count, s = set->stale_count;
    /* first what can be found without writing: folders, and what is in the way */
    for (size_t i = 0; i < n; i++) {
        char *dir = parent_folder(set->files[i].path);
        bool made = make_folders(dir);
        if (!made)
            diag_report(diags, SEVERITY_ERROR, dir, 0, 0, "cannot create the folder: %s",
                        strerror(errno));
        free(dir);
        if (!made)
            return false;
        struct stat st;
        if (lstat(set->files[i].path, &st) == 0 && !S_ISREG(st.st_mode)) {
            diag_report(diags, SEVERITY_ERROR, set->files[i].path, 0, 0,
                        "%s is in the way of this output; nothing of this leaflet was written",
                        S_ISDIR(st.st_mode) ? "a folder" : "something that is not a file");
            return false;
        }
    }
    block_signals();
    char **temps = xcalloc(n + 1, sizeof *temps);
    char **backups = xcalloc(n + 1, sizeof *backups);  /* hard links to the files replaced */
    char **moved = xcalloc(s + 1, sizeof *moved);      /* where stale files went */
    bool *placed = xcalloc(n + 1, sizeof *placed);
    int *fds = xmalloc((n + 1) * sizeof *fds);
    for (size_t i = 0; i <= n; i++)
        fds[i] = -1;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        const output_file *f = &set->files[i];
        int fd = -1;
        for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
            free(temps[i]);
            temps[i] = hidden_name(f->path, "tmp");
            fd = open(temps[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
            if (fd < 0 && errno != EEXIST)
                break;
        }
        if (fd < 0) {
            char *dir = parent_folder(f->path);
            diag_report(diags, SEVERITY_ERROR, f->path, 0, 0,
                        "cannot create a temporary file in '%s': %s", dir, strerror(errno));
            free(dir);
            free(temps[i]);
            temps[i] = NULL;
            ok = false;
            break;
        }
        if (!write_all(fd, f->data, f->length)) {
            diag_report(diags, SEVERITY_ERROR, f->path, 0, 0,
                        "cannot write: %s; nothing of this leaflet was written", strerror(errno));
            close(fd);
            ok = false;
            break;
        }
        /* start the write-back now and wait for all of them together: one
         * fsync after another costs a disk round trip per file */
        (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
        fds[i] = fd;
        if ((i + 1) % SYNC_BATCH == 0 || i + 1 == n)
            ok = sync_and_close(set, fds, i - (i % SYNC_BATCH), i + 1, diags);
    }
    if (!ok) /* what was left open */
        for (size_t i = 0; i < n; i++)
            if (fds[i] >= 0)
                close(fds[i]);
    free(fds);
    /* every file is on disk: now put them in place, ready to undo */
    size_t stale_done = 0, done = 0;
    for (; ok && stale_done < s; stale_done++) {
        moved[stale_done] = hidden_name(set->stale[stale_done], "old");
        if (rename(set->stale[stale_done], moved[stale_done]) != 0) {
            diag_report(diags, SEVERITY_ERROR, set->stale[stale_done], 0, 0,
                        "cannot remove this old proof: %s; nothing of this leaflet was written",
                        strerror(errno));
            free(moved[stale_done]);
            moved[stale_done] = NULL;
            ok = false;
            break;
        }
    }
    for (; ok && done < n; done++) {
        const char *path = set->files[done].path;
        struct stat st;
        if (lstat(path, &st) == 0) {
            backups[done] = hidden_name(path, "old");
            if (link(path, backups[done]) != 0) {
                /* no hard links here (FAT, say): this one cannot be undone */
                free(backups[done]);
                backups[done] = NULL;
            }
        }
        if (rename(temps[done], path) != 0) {
            diag_report(diags, SEVERITY_ERROR, path, 0, 0,
                        "cannot replace: %s; nothing of this leaflet was written",
                        strerror(errno));
            ok = false;
            break;
        }
        placed[done] = true;
    }
    if (!ok) {
        for (size_t i = 0; i < n; i++) {
            if (placed[i]) {
                if (backups[i])
                    rename(backups[i], set->files[i].path);
                else
                    unlink(set->files[i].path);
            } else if (temps[i]) {
                unlink(temps[i]);
            }
            if (backups[i] && !placed[i])
                unlink(backups[i]);
        }
        for (size_t i = 0; i < stale_done; i++)
            if (moved[i])
                rename(moved[i], set->stale[i]);
    } else {
        for (size_t i = 0; i < n; i++)
            if (backups[i])
                unlink(backups[i]);
        for (size_t i = 0; i < s; i++)
            unlink(moved[i]);
        /* make the renames durable; a failure here loses nothing */
        char *last = NULL;
        for (size_t i = 0; i < n; i++) {
            char *dir = parent_folder(set->files[i].path);
            if (!last || strcmp(last, dir) != 0) {
                int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd >= 0) {
                    (void)fsync(fd);
                    close(fd);
                }
                free(last);
                last = dir;
            } else {
                free(dir);
            }
        }
        free(last);
    }
    free_names(temps, n);
    free_names(backups, n);
    free_names(moved, s);
    free(placed);
    return ok;
}
