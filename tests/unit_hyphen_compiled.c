/* The compiled hyphenation patterns (src/hyphenate.h, hyphen_compile):
 * made into a scratch module folder (LEAFPRESS_LIB_DIR), the compiled
 * form is what hyphenator_open maps, and it hyphenates every word of the
 * seed leaflets (and of compounds) exactly as the text patterns do; a
 * truncated, damaged, foreign or stale file is never used (the text is
 * read instead, with the same result) and never crashes. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, setenv */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hyphenate.h"
#include "textutil.h"

static char dir[64], hyphen_dir[128], nl_file[192], en_file[192], gb_file[192], hidden[192];
static char *text;          /* the words hyphenated */
static char *expected_text; /* ... as the text patterns hyphenate them */
static unsigned char *good; /* the compiled Dutch file as made */
static size_t good_length;

static bool mapped(const char *name)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[4096];
    bool found = false;
    while (maps && fgets(line, sizeof line, maps))
        found |= strstr(line, name) != NULL;
    if (maps)
        fclose(maps);
    return found;
}

static void write_bytes(const char *path, const unsigned char *data, size_t length)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, length, f), length);
    assert_int_equal(fclose(f), 0);
}

/* Hyphenates the words with whatever hyphenator_open finds; *compiled says
 * whether that was the compiled file (mapped while open). */
static char *hyphenate_all(bool *compiled)
{
    hyphenator *h = hyphenator_open("nl-NL");
    assert_non_null(h);
    *compiled = mapped("hyph_nl_NL.lph");
    char *out = hyphenate_text(h, text);
    hyphenator_close(h);
    assert_false(mapped("hyph_nl_NL.lph"));
    return out;
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/unit_hyphen_compiled.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(hyphen_dir, sizeof hyphen_dir, "%s/hyphen", dir);
    snprintf(nl_file, sizeof nl_file, "%s/hyph_nl_NL.lph", hyphen_dir);
    snprintf(en_file, sizeof en_file, "%s/hyph_en_US.lph", hyphen_dir);
    snprintf(gb_file, sizeof gb_file, "%s/hyph_en_GB.lph", hyphen_dir);
    snprintf(hidden, sizeof hidden, "%s/hidden.lph", dir);
    mkdir(hyphen_dir, 0777);
    /* before anything asks for the module folder: it is read once */
    setenv("LEAFPRESS_LIB_DIR", dir, 1);
    strbuf words = {0};
    const char *seeds[] = {"sources/levermetastasen.md", "sources/net.md", "sources/pto.md",
                           "sources/behandeling-uitzaaiingen.md"};
    for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++) {
        size_t n;
        char *s = read_file(seeds[i], &n);
        if (!s)
            return -1;
        strbuf_append(&words, s, n);
        free(s);
    }
    strbuf_puts(&words, " pacemakerpas voorlichtingsbijeenkomsten ziekenhuisopname "
                        "bloedvatvernauwing leverkankeronderzoek patiëntenvereniging\n");
    text = strbuf_take(&words);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(nl_file);
    unlink(en_file);
    unlink(gb_file);
    unlink(hidden);
    rmdir(hyphen_dir);
    rmdir(dir);
    free(text);
    free(expected_text);
    free(good);
    return 0;
}

static void test_compiled_same_as_text(void **state)
{
    (void)state;
    bool compiled;
    expected_text = hyphenate_all(&compiled); /* no compiled file yet: the text */
    assert_false(compiled);
    assert_non_null(strstr(expected_text, "pace\xC2\xADmaker\xC2\xADpas"));

    char written[256];
    assert_true(hyphen_compile("nl-NL", hyphen_dir, written, sizeof written));
    assert_string_equal(written, nl_file);
    good = (unsigned char *)read_file(nl_file, &good_length);
    assert_non_null(good);
    char *out = hyphenate_all(&compiled);
    assert_true(compiled);
    assert_string_equal(out, expected_text);
    free(out);

    /* deterministic: compiling again gives the same bytes */
    assert_true(hyphen_compile("nl-NL", hyphen_dir, written, sizeof written));
    size_t again_length;
    char *again = read_file(nl_file, &again_length);
    assert_int_equal(again_length, good_length);
    assert_memory_equal(again, good, good_length);
    free(again);
}

/* English has two pattern levels whose string pools end at odd offsets:
 * the compiled form must rebuild them aligned (UBSan checks) and hyphenate
 * exactly as the text does. */
static void test_compiled_english(void **state)
{
    (void)state;
    static const char *const langs[][2] = {{"en-US", "hyph_en_US.lph"}, {"en-GB", "hyph_en_GB.lph"}};
    static const char english[] = "Bring your appointment letter and a list of the medicines "
                                  "you take; the outpatient department will telephone you "
                                  "beforehand about the examination and its preparation.";
    for (size_t i = 0; i < 2; i++) {
        hyphenator *h = hyphenator_open(langs[i][0]);
        assert_non_null(h);
        assert_false(mapped(langs[i][1]));
        char *from_text = hyphenate_text(h, english);
        hyphenator_close(h);
        assert_non_null(strstr(from_text, "\xC2\xAD")); /* it does hyphenate */

        char written[256];
        assert_true(hyphen_compile(langs[i][0], hyphen_dir, written, sizeof written));
        h = hyphenator_open(langs[i][0]);
        assert_non_null(h);
        assert_true(mapped(langs[i][1]));
        char *compiled = hyphenate_text(h, english);
        hyphenator_close(h);
        assert_string_equal(compiled, from_text);
        free(compiled);
        free(from_text);
    }
}

/* file holds data: never used, and the hyphenation is the text's */
static void expect_rejected(const unsigned char *data, size_t length, const char *what)
{
    write_bytes(nl_file, data, length);
    bool compiled;
    char *out = hyphenate_all(&compiled);
    if (compiled)
        fail_msg("a compiled file that is %s was used", what);
    assert_string_equal(out, expected_text);
    free(out);
}

static void test_truncated(void **state)
{
    (void)state;
    assert_non_null(good);
    /* the header, the patterns, the word table: cut anywhere */
    const size_t cuts[] = {0, 1, 7, 8, 15, 40, 100, 131, 140, 147, 4096, 65537, 300000,
                           good_length / 2, good_length - 8, good_length - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        char what[64];
        snprintf(what, sizeof what, "cut to %zu bytes", cuts[i]);
        expect_rejected(good, cuts[i] < good_length ? cuts[i] : good_length - 1, what);
    }
}

static void test_damaged(void **state)
{
    (void)state;
    assert_non_null(good);
    unsigned char *bad = malloc(good_length);
    /* a byte changed in the magic, the version, the identity, the sizes,
     * and inside the patterns (the checksum) */
    const size_t at[] = {0, 9, 20, 60, 130, 150, 200, 5000, 100000, 400000};
    for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
        memcpy(bad, good, good_length);
        bad[at[i]] ^= 0x5a;
        char what[64];
        snprintf(what, sizeof what, "damaged at byte %zu", at[i]);
        expect_rejected(bad, good_length, what);
    }
    /* garbage of the same length */
    for (size_t i = 0; i < good_length; i++)
        bad[i] = (unsigned char)(i * 2654435761u >> 13);
    expect_rejected(bad, good_length, "garbage");
    free(bad);
}

static void test_foreign(void **state)
{
    (void)state;
    /* the English patterns' file under the Dutch name: made from another file */
    char written[256];
    assert_true(hyphen_compile("en-US", hyphen_dir, written, sizeof written));
    assert_string_equal(written, en_file);
    size_t length;
    unsigned char *en = (unsigned char *)read_file(en_file, &length);
    assert_non_null(en);
    expect_rejected(en, length, "made from the English patterns");
    free(en);
    /* put back, it is used again */
    write_bytes(nl_file, good, good_length);
    bool compiled;
    char *out = hyphenate_all(&compiled);
    assert_true(compiled);
    assert_string_equal(out, expected_text);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compiled_same_as_text),
        cmocka_unit_test(test_compiled_english),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_foreign),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
