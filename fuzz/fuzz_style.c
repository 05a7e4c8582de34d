/* Fuzzes the style loader: the input is styles/fuzz.yaml next to copies of
 * the shipped styles. A line "%%" splits off up to three more files,
 * styles/a.yaml, styles/b.yaml and the theme themes/t.yaml, so `extends`
 * chains and cycles between fuzzed files, and a theme laid over the
 * shipped variants and the fuzzed ones, are reached too. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "style.h"

static const char *dir, *themes;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    dir = fuzz_mkdir("styles");
    themes = fuzz_mkdir("themes");
    fuzz_copy("styles/house.yaml", "styles/house.yaml");
    fuzz_copy("styles/grote-letter.yaml", "styles/grote-letter.yaml");
    return 0;
}

static void check(style *s)
{
    if (!s)
        return;
    /* what layout relies on, per the ranges in input_limits.h */
    if (!(s->page_width > 0 && s->page_height > 0 && s->body.size > 0 &&
          s->page_width - s->margin_inner - s->margin_outer > 0 &&
          s->page_height - s->margin_top - s->margin_bottom > 0))
        abort();
    style_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"styles/fuzz.yaml", "styles/a.yaml", "styles/b.yaml",
                                        "themes/t.yaml"};
    const char *p = (const char *)data, *end = p + size;
    for (size_t i = 0; i < 4; i++) {
        const char *cut = NULL;
        for (const char *q = p; i < 3 && q + 4 <= end && !cut; q++)
            if (memcmp(q, "\n%%\n", 4) == 0)
                cut = q;
        const char *stop = cut ? cut + 1 : end;
        fuzz_write(names[i], p, (size_t)(stop - p));
        p = cut ? cut + 4 : end;
    }
    diag_list d;
    diag_init(&d);
    check(style_load(dir, "fuzz", &d));
    check(style_load(dir, "a", &d));
    check(style_load_themed(dir, "house", themes, "t", &d));
    check(style_load_themed(dir, "grote-letter", themes, "t", &d));
    check(style_load_themed(dir, "fuzz", themes, "t", &d));
    size_t count = 0;
    char **variants = style_variants(dir, "house", &count, &d);
    for (size_t i = 0; i < count; i++)
        free(variants[i]);
    free(variants);
    fuzz_check_diags(&d);
    diag_free(&d);
    return 0;
}
