/* Unit tests for the wording table (src/wording.c): every key has a text in
 * each of the four languages, the language is chosen by the primary
 * subtag, other languages get English, months are complete, the file-name
 * suffix stays ASCII, and the keys the other stages ask for exist. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "textutil.h"
#include "wording.h"

static const char *const languages[] = {"nl-NL", "en-GB", "tr-TR", "ar"};

static void every_key_in_every_language(void **state)
{
    (void)state;
    assert_true(wording_key_count() >= 18);
    for (size_t i = 0; i < wording_key_count(); i++) {
        const char *key = wording_key(i);
        for (size_t l = 0; l < sizeof languages / sizeof *languages; l++) {
            const char *text = wording(languages[l], key);
            assert_non_null(text);
            assert_true(text[0] != '\0');
            /* utf8_validate: the table is typed by hand */
            int line, column;
            assert_true(utf8_validate(text, strlen(text), &line, &column));
        }
        /* the four columns are really different translations, except where a
         * word is the same (E-mail: in nl and en) */
        assert_string_not_equal(wording("tr", key), wording("ar", key));
    }
}

static void chosen_by_primary_subtag(void **state)
{
    (void)state;
    assert_string_equal(wording("nl-NL", "colophon"), "Over deze folder");
    assert_string_equal(wording("nl-BE", "colophon"), "Over deze folder");
    assert_string_equal(wording("en-US", "colophon"), "About this leaflet");
    assert_string_equal(wording("tr-TR", "colophon"), "Bu broşür hakkında");
    assert_string_equal(wording("ar", "colophon"), "عن هذه النشرة");
    assert_string_equal(wording("ar-MA", "updated"), "آخر تحديث:");
    /* unknown languages, and tags that only start like a known one */
    assert_string_equal(wording("de-DE", "colophon"), "About this leaflet");
    assert_string_equal(wording("nld", "colophon"), "About this leaflet");
    assert_string_equal(wording(NULL, "colophon"), "About this leaflet");
    assert_true(wording_has_language("tr-TR"));
    assert_true(wording_has_language("ar"));
    assert_false(wording_has_language("de"));
    /* a typo in a key shows on the page */
    assert_string_equal(wording("nl", "colofon"), "colofon");
}

static void months_complete(void **state)
{
    (void)state;
    for (size_t l = 0; l < sizeof languages / sizeof *languages; l++)
        for (int m = 1; m <= 12; m++)
            assert_true(wording_month(languages[l], m)[0] != '\0');
    assert_string_equal(wording_month("tr", 5), "Mayıs");
    assert_string_equal(wording_month("tr", 8), "Ağustos");
    assert_string_equal(wording_month("ar", 1), "يناير");
    assert_string_equal(wording_month("nl", 13), "");
    assert_string_equal(wording_month("nl", 0), "");
}

static void file_suffix_is_ascii(void **state)
{
    (void)state;
    for (size_t l = 0; l < sizeof languages / sizeof *languages; l++) {
        const char *s = wording(languages[l], "contact_sheet_suffix");
        assert_int_equal(s[0], '-');
        for (const char *c = s; *c; c++)
            assert_true((*c >= 'a' && *c <= 'z') || *c == '-');
    }
}

/* The keys src/layout*.c, src/pdf_finish.c and src/build.c ask for. */
static void keys_in_use_exist(void **state)
{
    (void)state;
    static const char *const used[] = {
        "contacts", "colophon", "updated", "written_by", "with_help", "publisher", "and",
        "email", "notes_title", "notes_subtitle", "document_code", "version", "call",
        "email_to", "link_to", "go_to_page", "go_elsewhere", "contact_sheet_suffix",
    };
    for (size_t i = 0; i < sizeof used / sizeof *used; i++) {
        bool found = false;
        for (size_t k = 0; k < wording_key_count() && !found; k++)
            found = strcmp(wording_key(k), used[i]) == 0;
        assert_true(found);
        /* ("and" is its own English text, so compare in Dutch) */
        assert_string_not_equal(wording("nl", used[i]), used[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_key_in_every_language),
        cmocka_unit_test(chosen_by_primary_subtag),
        cmocka_unit_test(months_complete),
        cmocka_unit_test(file_suffix_is_ascii),
        cmocka_unit_test(keys_in_use_exist),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
