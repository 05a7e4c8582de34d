/* Unit tests for the font scan cache (src/fonts.c): the fonts a cached
 * run sees are exactly those a scan finds (FcPatternEqual, in order); the
 * cache is really read (a marked entry shows through); a damaged cache,
 * a font replaced under the same name, a font added or removed, and a
 * font changed moments ago are each scanned again; no cache place (no
 * HOME, no XDG_CACHE_HOME) still works; a style's family list is checked
 * against the fonts' families. Runs in a scratch folder with its
 * own XDG_CACHE_HOME and copies of three bundled fonts. */
#define _GNU_SOURCE /* setenv, mkdtemp, utimensat */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fontconfig/fontconfig.h>
#include <pango/pangofc-fontmap.h>

#include "diag.h"
#include "fonts.h"
#include "textutil.h"

static char scratch[] = "/tmp/leafpress-unit-fonts-XXXXXX";
static char fonts_dir[256], cache_home[256];

static void copy_file(const char *from, const char *to)
{
    size_t length = 0;
    char *data = read_file(from, &length);
    assert_non_null(data);
    FILE *f = fopen(to, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, length, f), length);
    assert_int_equal(fclose(f), 0);
    free(data);
}

/* The font's times two minutes ago: old enough to be cached. ctime
 * cannot be set back, so the tests wait instead where they need that. */
static void age(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", fonts_dir, name);
    struct timespec t[2];
    clock_gettime(CLOCK_REALTIME, &t[0]);
    t[0].tv_sec -= 120;
    t[1] = t[0];
    assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

/* What a plain scan finds: every face of every font file, in the
 * folder's order (what fonts_open did before it had a cache). */
static FcFontSet *scan(void)
{
    FcFontSet *set = FcFontSetCreate();
    DIR *d = opendir(fonts_dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".ttf") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", fonts_dir, e->d_name);
        FcFreeTypeQueryAll((const FcChar8 *)path, (unsigned)-1, NULL, NULL, set);
    }
    closedir(d);
    return set;
}

/* In a child process: the fonts as leafpress opens them; *failed when
 * that reported an error or gave none. */
static PangoFontMap *child_fonts(int *failed)
{
    diag_list d;
    diag_init(&d);
    PangoFontMap *map = fonts_open(fonts_dir, &d);
    *failed = d.errors || !map;
    diag_free(&d);
    return map;
}

/* The fonts fonts_open gives Pango, in order. In a child process, once
 * there, as leafpress opens its fonts once per process (fontconfig keeps
 * the current configuration); the patterns come back as FcNameUnparse
 * text, which parses back equal. */
static FcFontSet *opened(void)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        int status;
        PangoFontMap *map = child_fonts(&status);
        if (map) {
            FcConfig *config = pango_fc_font_map_get_config(PANGO_FC_FONT_MAP(map));
            FcFontSet *in = FcConfigGetFonts(config, FcSetSystem);
            for (int i = 0; in && i < in->nfont; i++) {
                FcChar8 *text = FcNameUnparse(in->fonts[i]);
                status |= !text || write(fds[1], text, strlen((char *)text) + 1) < 0;
                FcStrFree(text);
            }
            g_object_unref(map);
        }
        close(fds[1]);
        exit(status); /* exit: the sanitizer build checks the child for leaks */
    }
    close(fds[1]);
    GString *all = g_string_new(NULL);
    char chunk[4096];
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0)
        g_string_append_len(all, chunk, n);
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    FcFontSet *out = FcFontSetCreate();
    for (size_t at = 0; at < all->len; at += strlen(all->str + at) + 1) {
        FcPattern *p = FcNameParse((const FcChar8 *)all->str + at);
        assert_non_null(p);
        FcFontSetAdd(out, p);
    }
    g_string_free(all, TRUE);
    return out;
}

static void assert_same_fonts(FcFontSet *a, FcFontSet *b)
{
    assert_int_equal(a->nfont, b->nfont);
    for (int i = 0; i < a->nfont; i++)
        assert_true(FcPatternEqual(a->fonts[i], b->fonts[i]));
    FcFontSetDestroy(a);
    FcFontSetDestroy(b);
}

/* The one cache file in cache_home/leafpress, malloc'd path. */
static char *cache_file(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/leafpress", cache_home);
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char *found = NULL;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strncmp(e->d_name, "fonts-", 6) == 0) {
            assert_null(found); /* one per fonts folder, no temporary left */
            found = g_strdup_printf("%s/%s", dir, e->d_name);
        }
    closedir(d);
    return found;
}

/* How many font files the cache holds (lines with a tab). */
static int cached_files(void)
{
    char *path = cache_file();
    if (!path)
        return -1;
    size_t length = 0;
    char *data = read_file(path, &length);
    g_free(path);
    assert_non_null(data);
    int n = 0;
    for (char *line = strchr(data, '\n'); line; line = strchr(line + 1, '\n'))
        n += line[1] && strchr(line + 1, '\t') && strchr(line + 1, '\t') < strchr(line + 1, '\n');
    free(data);
    return n;
}

/* Rewrites the cache with `from` replaced by `to` (of the same length:
 * each pattern is stored with its length) in its body and the checksum
 * made right again: the cache as a later run would trust it. */
static void edit_cache(const char *from, const char *to)
{
    char *path = cache_file();
    assert_non_null(path);
    size_t length = 0;
    char *data = read_file(path, &length);
    assert_non_null(data);
    char *body = strchr(data, '\n') + 1;
    char *at = strstr(body, from);
    assert_non_null(at);
    GString *b = g_string_new_len(body, at - body);
    g_string_append(b, to);
    g_string_append(b, at + strlen(from));
    gchar *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)b->str, b->len);
    char *space = strstr(data, " sha256 ");
    assert_non_null(space);
    FILE *f = fopen(path, "wb");
    fprintf(f, "%.*s sha256 %s\n%s", (int)(space - data), data, sum, b->str);
    fclose(f);
    g_free(sum);
    g_string_free(b, TRUE);
    free(data);
    g_free(path);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(scratch))
        return -1;
    snprintf(fonts_dir, sizeof fonts_dir, "%s/fonts", scratch);
    snprintf(cache_home, sizeof cache_home, "%s/cache", scratch);
    mkdir(fonts_dir, 0755);
    static const char *const names[] = {"AtkinsonHyperlegibleNext_400Regular.ttf",
                                        "AtkinsonHyperlegibleNext_700Bold.ttf", "DejaVuSans.ttf"};
    for (size_t i = 0; i < 3; i++) {
        char from[512], to[512];
        snprintf(from, sizeof from, "fonts/%s", names[i]);
        snprintf(to, sizeof to, "%s/%s", fonts_dir, names[i]);
        copy_file(from, to);
    }
    setenv("XDG_CACHE_HOME", cache_home, 1);
    /* copied just now: not cacheable for two seconds (ctime); wait once */
    sleep(3);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", scratch);
    return system(command) == 0 ? 0 : -1;
}

static void cold_then_warm_runs_see_what_a_scan_sees(void **state)
{
    (void)state;
    assert_same_fonts(opened(), scan());
    assert_int_equal(cached_files(), 3);
    assert_same_fonts(opened(), scan());
    assert_int_equal(cached_files(), 3);
}

static void the_cache_is_read(void **state)
{
    (void)state;
    FcFontSetDestroy(opened());
    edit_cache("Atkinson Hyperlegible Next:", "Marked Family Hyperlegible:"); /* same length */
    FcFontSet *fonts = opened();
    bool marked = false;
    for (int i = 0; i < fonts->nfont; i++) {
        FcChar8 *family = NULL;
        if (FcPatternGetString(fonts->fonts[i], FC_FAMILY, 0, &family) == FcResultMatch)
            marked = marked || strcmp((const char *)family, "Marked Family Hyperlegible") == 0;
    }
    FcFontSetDestroy(fonts);
    assert_true(marked);
    /* and edit it back, for the tests after */
    edit_cache("Marked Family Hyperlegible:", "Atkinson Hyperlegible Next:");
    assert_same_fonts(opened(), scan());
}

static void a_damaged_cache_is_scanned_again_and_replaced(void **state)
{
    (void)state;
    FcFontSetDestroy(opened());
    char *path = cache_file();
    size_t length = 0;
    char *data = read_file(path, &length);
    /* one byte of a pattern changed, the checksum left as it was */
    char *at = strstr(data, "Atkinson Hyperlegible Next:");
    assert_non_null(at);
    at[0] = 'X';
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, length, f);
    fclose(f);
    assert_same_fonts(opened(), scan());
    free(data);
    data = read_file(path, &length);
    assert_null(strstr(data, "Xtkinson"));
    free(data);
    /* cut short, and not a cache at all */
    assert_int_equal(truncate(path, 200), 0);
    assert_same_fonts(opened(), scan());
    f = fopen(path, "wb");
    fputs("leafpress font cache 0\n", f);
    fclose(f);
    assert_same_fonts(opened(), scan());
    assert_int_equal(cached_files(), 3);
    g_free(path);
}

static void a_font_replaced_under_its_name_is_scanned_again(void **state)
{
    (void)state;
    FcFontSetDestroy(opened());
    char to[512];
    snprintf(to, sizeof to, "%s/DejaVuSans.ttf", fonts_dir);
    /* DejaVu Sans Bold's bytes under DejaVu Sans's name, with its old mtime */
    struct stat before;
    assert_int_equal(stat(to, &before), 0);
    copy_file("fonts/DejaVuSans-Bold.ttf", to);
    struct timespec t[2] = {before.st_mtim, before.st_mtim};
    assert_int_equal(utimensat(AT_FDCWD, to, t, 0), 0);
    FcFontSet *fonts = opened();
    assert_same_fonts(fonts, scan());
    /* changed just now: scanned, not cached */
    assert_int_equal(cached_files(), 2);
    copy_file("fonts/DejaVuSans.ttf", to);
    age("DejaVuSans.ttf");
}

static void fonts_added_and_removed_are_seen(void **state)
{
    (void)state;
    FcFontSetDestroy(opened());
    char path[512];
    snprintf(path, sizeof path, "%s/DejaVuSans-Oblique.ttf", fonts_dir);
    copy_file("fonts/DejaVuSans-Oblique.ttf", path);
    assert_same_fonts(opened(), scan());
    assert_int_equal(unlink(path), 0);
    assert_same_fonts(opened(), scan());
    snprintf(path, sizeof path, "%s/DejaVuSans.ttf", fonts_dir);
    char keep[512];
    snprintf(keep, sizeof keep, "%s/DejaVuSans.keep", scratch);
    assert_int_equal(rename(path, keep), 0);
    assert_same_fonts(opened(), scan());
    assert_int_equal(rename(keep, path), 0);
    assert_same_fonts(opened(), scan());
}

static void no_place_for_a_cache_still_works(void **state)
{
    (void)state;
    const char *home = getenv("HOME");
    char *saved = home ? g_strdup(home) : NULL;
    unsetenv("XDG_CACHE_HOME");
    unsetenv("HOME");
    assert_same_fonts(opened(), scan());
    setenv("XDG_CACHE_HOME", "relative/is/ignored", 1);
    assert_same_fonts(opened(), scan());
    setenv("XDG_CACHE_HOME", "/proc/no-place-here", 1);
    assert_same_fonts(opened(), scan());
    setenv("XDG_CACHE_HOME", cache_home, 1);
    if (saved)
        setenv("HOME", saved, 1);
    g_free(saved);
}

/* fonts_check_family_list: the names of a style's family list against the
 * folder's fonts. In a child, like opened(): one fonts_open per process. */
static int family_case(FcConfig *config, const char *list, size_t want_unknown,
                       const char *const *want_messages)
{
    diag_list d;
    diag_init(&d);
    size_t unknown = fonts_check_family_list(config, "fonts", list, "styles/house.yaml", 24, 11, &d);
    int bad = unknown != want_unknown || d.count != want_unknown || d.errors != want_unknown;
    for (size_t i = 0; i < d.count && !bad; i++) {
        bad = d.items[i].line != 24 || d.items[i].column != 11 ||
              strcmp(d.items[i].file, "styles/house.yaml") != 0 ||
              strcmp(d.items[i].message, want_messages[i]) != 0;
        if (bad)
            fprintf(stderr, "family_case '%s': got '%s'\n", list, d.items[i].message);
    }
    if (unknown != want_unknown)
        fprintf(stderr, "family_case '%s': %zu unknown, want %zu\n", list, unknown, want_unknown);
    diag_free(&d);
    return bad;
}

static void family_lists_are_checked(void **state)
{
    (void)state;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        diag_list d;
        diag_init(&d);
        FcConfig *config = fonts_config(fonts_dir, &d);
        int bad = d.errors || !config;
        diag_free(&d);
        if (config) {
#define HAVE "(the families there: Atkinson Hyperlegible Next, DejaVu Sans)"
            static const char *const typo[] = {
                "no font in fonts/ has the family 'Atkinsen Hyperlegible Next'; did you mean "
                "'Atkinson Hyperlegible Next'? " HAVE,
                "no font in fonts/ has the family 'Comic Sans MS' " HAVE};
            static const char *const generic[] = {"no font in fonts/ has the family 'Sans' " HAVE,
                                                  "no font in fonts/ has the family 'sans-serif' " HAVE};
#undef HAVE
            bad |= family_case(config, "Atkinson Hyperlegible Next, DejaVu Sans", 0, NULL);
            /* as fontconfig compares: case and blanks do not count */
            bad |= family_case(config, "atkinson hyperlegiblenext,DEJAVU  SANS", 0, NULL);
            bad |= family_case(config, " , DejaVu Sans, ", 0, NULL);
            bad |= family_case(config, "Atkinsen Hyperlegible Next, Comic Sans MS", 2, typo);
            /* Pango's generic families are no font in the folder */
            bad |= family_case(config, "Sans, sans-serif", 2, generic);
            FcConfigDestroy(config);
        }
        exit(bad); /* exit: the sanitizer build checks the child for leaks */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cold_then_warm_runs_see_what_a_scan_sees),
        cmocka_unit_test(the_cache_is_read),
        cmocka_unit_test(a_damaged_cache_is_scanned_again_and_replaced),
        cmocka_unit_test(a_font_replaced_under_its_name_is_scanned_again),
        cmocka_unit_test(fonts_added_and_removed_are_seen),
        cmocka_unit_test(no_place_for_a_cache_still_works),
        cmocka_unit_test(family_lists_are_checked),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
