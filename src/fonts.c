#define _GNU_SOURCE /* realpath, O_CLOEXEC, st_mtim */
#include "fonts.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>

#include "suggest.h"
#include "textutil.h"

static bool is_font_file(const char *name)
{
    size_t n = strlen(name);
    return n >= 5 && (strcasecmp(name + n - 4, ".ttf") == 0 || strcasecmp(name + n - 4, ".otf") == 0);
}

bool fonts_check_dir(const char *fonts_dir, diag_list *diags)
{
    DIR *dir = opendir(fonts_dir);
    if (!dir) {
        diag_report(diags, SEVERITY_ERROR, fonts_dir, 0, 0, "cannot read the fonts folder");
        return false;
    }
    bool found = false;
    struct dirent *entry;
    while (!found && (entry = readdir(dir)))
        found = is_font_file(entry->d_name);
    closedir(dir);
    if (!found)
        diag_report(diags, SEVERITY_ERROR, fonts_dir, 0, 0, "no fonts found in the fonts folder");
    return found;
}

/* ---- the scan cache ---------------------------------------------------
 * Asking FreeType what each font file holds (FcFreeTypeQueryAll) is most
 * of a short run's start (about 2.5 ms for the bundled fonts); the answer
 * is kept in XDG_CACHE_HOME/leafpress (or ~/.cache/leafpress), one file per
 * fonts folder, and trusted for a file only while its name, size, mtime,
 * ctime, inode and device are what they were. A file changed less than
 * two seconds before the cache was written is not cached (an edit within
 * the same timestamp tick would look unchanged). The cache only ever
 * saves time: a missing, unwritable, foreign or damaged one (it carries a
 * checksum) means a scan, with the same patterns (FcPatternEqual). */

#define CACHE_MAGIC "leafpress font cache 2"

typedef struct font_stat {
    long long size, mtime_ns, ctime_ns, ino, dev;
} font_stat;

static font_stat stat_of(const struct stat *st)
{
    return (font_stat){(long long)st->st_size,
                       (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec,
                       (long long)st->st_ctim.tv_sec * 1000000000LL + st->st_ctim.tv_nsec,
                       (long long)st->st_ino, (long long)st->st_dev};
}

/* One font file's entry: its stat and its patterns as FcNameUnparse writes
 * them, without FC_FILE. */
typedef struct cached_font {
    char *name;
    font_stat st;
    size_t count;
    char **patterns;
    bool cacheable;
} cached_font;

typedef struct font_cache {
    cached_font *fonts;
    size_t count, capacity;
} font_cache;

static void font_cache_free(font_cache *c)
{
    for (size_t i = 0; i < c->count; i++) {
        free(c->fonts[i].name);
        for (size_t k = 0; k < c->fonts[i].count; k++)
            free(c->fonts[i].patterns[k]);
        free(c->fonts[i].patterns);
    }
    free(c->fonts);
    *c = (font_cache){0};
}

static cached_font *font_cache_add(font_cache *c)
{
    if (c->count == c->capacity) {
        c->capacity = c->capacity ? 2 * c->capacity : 16;
        c->fonts = xrealloc(c->fonts, c->capacity * sizeof *c->fonts);
    }
    cached_font *f = &c->fonts[c->count++];
    memset(f, 0, sizeof *f);
    return f;
}

/* The cache file for fonts_dir, malloc'd; NULL when there is no place for it. */
static char *cache_path(const char *fonts_dir)
{
    char *real = realpath(fonts_dir, NULL);
    if (!real)
        return NULL;
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    strbuf dir = {0};
    if (xdg && xdg[0] == '/')
        strbuf_printf(&dir, "%s/leafpress", xdg);
    else if (home && home[0] == '/')
        strbuf_printf(&dir, "%s/.cache/leafpress", home);
    if (!dir.data) {
        free(real);
        return NULL;
    }
    gchar *key = g_compute_checksum_for_string(G_CHECKSUM_SHA256, real, -1);
    strbuf_printf(&dir, "/fonts-%.16s", key);
    g_free(key);
    free(real);
    return strbuf_take(&dir);
}

/* Parses a cache file: "MAGIC fontconfig VERSION sha256 HEX\n", then per
 * font "name\tsize\tmtime\tctime\tino\tdev\tcount\n" and count times
 * "length\npattern\n". False (and nothing kept) on anything unexpected. */
static bool font_cache_parse(const char *data, size_t length, font_cache *c)
{
    char header[160];
    snprintf(header, sizeof header, "%s fontconfig %d sha256 ", CACHE_MAGIC, FcGetVersion());
    size_t h = strlen(header);
    if (length < h + 65 || memcmp(data, header, h) != 0 || data[h + 64] != '\n')
        return false;
    const char *body = data + h + 65, *end = data + length;
    gchar *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)body,
                                             (gsize)(end - body));
    bool same = memcmp(sum, data + h, 64) == 0;
    g_free(sum);
    if (!same)
        return false;
    const char *at = body;
    while (at < end) {
        const char *nl = memchr(at, '\n', (size_t)(end - at));
        if (!nl)
            goto bad;
        char line[4096 + 200];
        size_t n = (size_t)(nl - at);
        if (n >= sizeof line)
            goto bad;
        memcpy(line, at, n);
        line[n] = '\0';
        at = nl + 1;
        char *tab = strchr(line, '\t');
        cached_font f = {0};
        unsigned long long count = 0;
        if (!tab || tab == line)
            goto bad;
        *tab = '\0';
        if (sscanf(tab + 1, "%lld\t%lld\t%lld\t%lld\t%lld\t%llu", &f.st.size, &f.st.mtime_ns,
                   &f.st.ctime_ns, &f.st.ino, &f.st.dev, &count) != 6 || count == 0 || count > 1024)
            goto bad;
        cached_font *added = font_cache_add(c);
        added->name = xstrdup(line);
        added->st = f.st;
        added->patterns = xcalloc((size_t)count, sizeof *added->patterns);
        for (; added->count < count; added->count++) {
            char *stop = NULL;
            unsigned long long len = strtoull(at, &stop, 10);
            if (stop == at || !stop || stop >= end || *stop != '\n' || len == 0 ||
                len > (unsigned long long)(end - stop - 1) - 1 || stop[1 + len] != '\n')
                goto bad;
            added->patterns[added->count] = xstrndup(stop + 1, (size_t)len);
            at = stop + 2 + len;
        }
    }
    return true;
bad:
    font_cache_free(c);
    return false;
}

static void font_cache_write(const char *path, const font_cache *c)
{
    char *folder = g_path_get_dirname(path);
    bool made = g_mkdir_with_parents(folder, 0700) == 0;
    g_free(folder);
    if (!made)
        return;
    strbuf body = {0};
    for (size_t i = 0; i < c->count; i++) {
        const cached_font *f = &c->fonts[i];
        if (!f->cacheable)
            continue;
        strbuf_printf(&body, "%s\t%lld\t%lld\t%lld\t%lld\t%lld\t%zu\n", f->name, f->st.size,
                      f->st.mtime_ns, f->st.ctime_ns, f->st.ino, f->st.dev, f->count);
        for (size_t k = 0; k < f->count; k++)
            strbuf_printf(&body, "%zu\n%s\n", strlen(f->patterns[k]), f->patterns[k]);
    }
    gchar *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)(body.data ? body.data : ""),
                                             body.length);
    strbuf all = {0};
    strbuf_printf(&all, "%s fontconfig %d sha256 %s\n", CACHE_MAGIC, FcGetVersion(), sum);
    g_free(sum);
    strbuf_append(&all, body.data ? body.data : "", body.length);
    free(body.data);
    /* a temporary beside it, then rename: a reader sees the old or the new */
    strbuf tmp = {0};
    strbuf_printf(&tmp, "%s.tmp-%ld", path, (long)getpid());
    int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    bool ok = fd >= 0;
    for (size_t done = 0; ok && done < all.length;) {
        ssize_t n = write(fd, all.data + done, all.length - done);
        ok = n > 0;
        done += ok ? (size_t)n : 0;
    }
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    if (!ok || rename(tmp.data, path) != 0)
        unlink(tmp.data);
    free(tmp.data);
    free(all.data);
}

static bool same_stat(const font_stat *a, const font_stat *b)
{
    return a->size == b->size && a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns &&
           a->ino == b->ino && a->dev == b->dev;
}

/* Adds the cached patterns of `name` to set, with FC_FILE path; the entry
 * they came from, or NULL when there is none that holds (nothing added). */
static const cached_font *add_cached(const font_cache *c, const char *name, const font_stat *st,
                                     const char *path, FcFontSet *set)
{
    for (size_t i = 0; i < c->count; i++) {
        const cached_font *f = &c->fonts[i];
        if (strcmp(f->name, name) != 0 || !same_stat(&f->st, st))
            continue;
        FcPattern **parsed = xcalloc(f->count, sizeof *parsed);
        /* the file as it is named now, escaped as FcNameUnparse escapes values */
        strbuf file = {0};
        strbuf_puts(&file, ":file=");
        for (const char *ch = path; *ch; ch++) {
            if (strchr("\\=_:,", *ch))
                strbuf_append(&file, "\\", 1);
            strbuf_append(&file, ch, 1);
        }
        bool ok = true;
        for (size_t k = 0; k < f->count && ok; k++) {
            strbuf text = {0};
            strbuf_printf(&text, "%s%s", f->patterns[k], file.data);
            parsed[k] = FcNameParse((const FcChar8 *)text.data);
            free(text.data);
            ok = parsed[k] != NULL;
        }
        free(file.data);
        for (size_t k = 0; k < f->count; k++)
            if (parsed[k] && !(ok && FcFontSetAdd(set, parsed[k])))
                FcPatternDestroy(parsed[k]);
        free(parsed);
        return ok ? f : NULL;
    }
    return NULL;
}

FcConfig *fonts_config(const char *fonts_dir, diag_list *diags)
{
    /* An empty configuration, not FcInitLoadConfig: the system's fonts and
     * aliases must not leak into the output. Its (empty) system font set
     * takes the folder's fonts. */
    FcConfig *config = FcConfigCreate();
    DIR *dir = opendir(fonts_dir);
    FcFontSet *set = NULL;
    if (config && dir && FcConfigBuildFonts(config))
        set = FcConfigGetFonts(config, FcSetSystem);
    if (!set) {
        diag_report(diags, SEVERITY_ERROR, fonts_dir, 0, 0, "cannot read the fonts folder");
        if (config)
            FcConfigDestroy(config);
        if (dir)
            closedir(dir);
        return NULL;
    }
    font_cache old = {0}, now = {0};
    char *cache = cache_path(fonts_dir);
    size_t cache_length = 0;
    char *cached = cache ? read_file(cache, &cache_length) : NULL;
    if (cached && !font_cache_parse(cached, cache_length, &old))
        font_cache_free(&old);
    free(cached);
    bool changed = old.count == 0;
    struct timespec clock_now;
    clock_gettime(CLOCK_REALTIME, &clock_now);
    long long now_ns = (long long)clock_now.tv_sec * 1000000000LL + clock_now.tv_nsec;
    /* File by file rather than FcConfigAppFontAddDir: only the folder's
     * own .ttf and .otf files, in the folder's order, as before. */
    struct dirent *entry;
    size_t files = 0;
    while ((entry = readdir(dir))) {
        if (!is_font_file(entry->d_name))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", fonts_dir, entry->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        files++;
        font_stat fs = stat_of(&st);
        int before = set->nfont;
        const cached_font *hit = add_cached(&old, entry->d_name, &fs, path, set);
        if (!hit) {
            changed = true;
            FcFreeTypeQueryAll((const FcChar8 *)path, (unsigned)-1, NULL, NULL, set);
        }
        cached_font *f = font_cache_add(&now);
        f->name = xstrdup(entry->d_name);
        f->st = fs;
        f->count = (size_t)(set->nfont - before);
        f->patterns = xcalloc(f->count ? f->count : 1, sizeof *f->patterns);
        for (size_t k = 0; k < f->count; k++) {
            if (hit) { /* the text it came from: no unparse on a warm run */
                f->patterns[k] = xstrdup(hit->patterns[k]);
                continue;
            }
            /* without the file: that is added back as the folder is named then */
            FcPattern *copy = FcPatternDuplicate(set->fonts[before + (int)k]);
            if (copy && FcPatternDel(copy, FC_FILE))
                f->patterns[k] = (char *)FcNameUnparse(copy);
            if (copy)
                FcPatternDestroy(copy);
        }
        f->cacheable = f->count > 0 &&
                       now_ns - (fs.mtime_ns > fs.ctime_ns ? fs.mtime_ns : fs.ctime_ns) > 2000000000LL;
        for (size_t k = 0; k < f->count; k++)
            f->cacheable = f->cacheable && f->patterns[k];
        changed = changed || !f->cacheable;
    }
    closedir(dir);
    changed = changed || files != old.count;
    if (changed && cache)
        font_cache_write(cache, &now);
    free(cache);
    font_cache_free(&old);
    font_cache_free(&now);
    if (set->nfont == 0) {
        diag_report(diags, SEVERITY_ERROR, fonts_dir, 0, 0, "no fonts found in the fonts folder");
        FcConfigDestroy(config);
        return NULL;
    }
    return config;
}

PangoFontMap *fonts_map(FcConfig *config)
{
    /* cairo's FreeType backend resolves patterns against the current config. */
    FcConfigSetCurrent(config);
    PangoFontMap *map = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
    pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(map), config);
    return map;
}

PangoFontMap *fonts_open(const char *fonts_dir, diag_list *diags)
{
    FcConfig *config = fonts_config(fonts_dir, diags);
    if (!config)
        return NULL;
    PangoFontMap *map = fonts_map(config);
    FcConfigDestroy(config); /* the map and fontconfig hold their own references */
    return map;
}

PangoContext *fonts_context(PangoFontMap *map)
{
    PangoContext *context = pango_font_map_create_context(map);
    cairo_font_options_t *options = cairo_font_options_create();
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(context, options);
    cairo_font_options_destroy(options);
    pango_context_set_round_glyph_positions(context, FALSE);
    return context;
}

/* ---- family names -------------------------------------------------------- */

/* Equal as fontconfig compares family names: ASCII case and blanks ignored. */
static bool same_family(const char *a, const char *b)
{
    for (;;) {
        while (*a == ' ')
            a++;
        while (*b == ' ')
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (g_ascii_tolower(*a) != g_ascii_tolower(*b))
            return false;
        a++;
        b++;
    }
}

static int by_name(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The family names of the fonts the map's configuration holds (every
 * name a font gives, in any language), sorted, each once. Not Pango's
 * family list, which adds the generic Sans, Serif, Monospace and
 * System-ui: no file in the folder is one of those. */
static char **config_families(FcConfig *config, size_t *count)
{
    *count = 0;
    FcFontSet *set = config ? FcConfigGetFonts(config, FcSetSystem) : NULL;
    char **names = NULL;
    size_t capacity = 0;
    for (int i = 0; set && i < set->nfont; i++) {
        FcChar8 *name;
        for (int k = 0; FcPatternGetString(set->fonts[i], FC_FAMILY, k, &name) == FcResultMatch; k++) {
            if (*count == capacity) {
                capacity = capacity ? 2 * capacity : 16;
                names = xrealloc(names, capacity * sizeof *names);
            }
            names[(*count)++] = xstrdup((const char *)name);
        }
    }
    if (*count)
        qsort(names, *count, sizeof *names, by_name);
    size_t kept = 0;
    for (size_t i = 0; i < *count; i++) {
        if (kept && strcmp(names[kept - 1], names[i]) == 0)
            free(names[i]);
        else
            names[kept++] = names[i];
    }
    *count = kept;
    return names;
}

size_t fonts_check_family_list(FcConfig *config, const char *fonts_dir, const char *list,
                               const char *file, int line, int column, diag_list *diags)
{
    size_t family_count;
    char **names = config_families(config, &family_count);
    size_t unknown = 0;
    char *copy = xstrdup(list ? list : "");
    size_t dir_length = strlen(fonts_dir);
    const char *slash = dir_length && fonts_dir[dir_length - 1] == '/' ? "" : "/";
    for (char *save = NULL, *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        while (*name == ' ' || *name == '\t')
            name++;
        size_t n = strlen(name);
        while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
            name[--n] = '\0';
        bool known = false;
        for (size_t i = 0; i < family_count && !known; i++)
            known = same_family(name, names[i]);
        if (known || !*name)
            continue;
        unknown++;
        strbuf have = {0};
        for (size_t i = 0; i < family_count; i++)
            strbuf_printf(&have, "%s%s", i ? ", " : "", names[i]);
        const char *close = suggest_closest(name, (const char *const *)names, family_count);
        diag_report(diags, SEVERITY_ERROR, file, line, column,
                    "no font in %s%s has the family '%s'%s%s%s (the families there: %s)",
                    fonts_dir, slash, name, close ? "; did you mean '" : "", close ? close : "",
                    close ? "'?" : "", have.data ? have.data : "none");
        free(have.data);
    }
    free(copy);
    for (size_t i = 0; i < family_count; i++)
        free(names[i]);
    free(names);
    return unknown;
}
