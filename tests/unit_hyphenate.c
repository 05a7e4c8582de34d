/* Unit tests for hyphenation and break protection (src/hyphenate.c):
 * exact soft-hyphen positions for Dutch words from Debian's hyphen-nl
 * patterns, what is never hyphenated (short words, acronyms, addresses,
 * numbers), the 2/3 character minimums, that hyphenation only ever adds
 * U+00AD, and the no-break spaces protect_breaks puts into phone numbers
 * and between a number and its unit. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, setenv */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hyphen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hyphenate.h"
#include "textutil.h"

#define SHY "\xC2\xAD"  /* U+00AD soft hyphen */
#define NBSP "\xC2\xA0" /* U+00A0 no-break space */

static hyphenator *dutch;

/* Makes soft hyphens and no-break spaces visible in failure messages. */
static char *visible(const char *s)
{
    strbuf b = {0};
    for (const char *c = s; *c; c++) {
        if ((unsigned char)c[0] == 0xC2 && (unsigned char)c[1] == 0xAD) {
            strbuf_puts(&b, "<SHY>");
            c++;
        } else if ((unsigned char)c[0] == 0xC2 && (unsigned char)c[1] == 0xA0) {
            strbuf_puts(&b, "<NBSP>");
            c++;
        } else {
            strbuf_append(&b, c, 1);
        }
    }
    strbuf_puts(&b, "");
    return strbuf_take(&b);
}

static void expect_same(const char *what, const char *input, const char *actual,
                          const char *expected)
{
    if (strcmp(actual, expected) != 0) {
        char *a = visible(actual), *e = visible(expected);
        print_error("%s(\"%s\")\n  got:      \"%s\"\n  expected: \"%s\"\n", what, input, a, e);
        free(a);
        free(e);
        fail();
    }
}

static void expect_hyphenated(const hyphenator *h, const char *input, const char *expected)
{
    char *out = hyphenate_text(h, input);
    assert_non_null(out);
    expect_same("hyphenate_text", input, out, expected);
    free(out);
}

static void expect_protected(const char *input, const char *expected)
{
    char *out = protect_breaks(input);
    assert_non_null(out);
    expect_same("protect_breaks", input, out, expected);
    free(out);
}

/* s without its soft hyphens (caller frees). */
static char *strip(const char *s, const char *what)
{
    size_t n = strlen(what);
    strbuf b = {0};
    strbuf_puts(&b, "");
    for (const char *c = s; *c;) {
        if (strncmp(c, what, n) == 0) {
            c += n;
            continue;
        }
        strbuf_append(&b, c, 1);
        c++;
    }
    return strbuf_take(&b);
}

static size_t count_of(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *c = strstr(s, what); c; c = strstr(c + 1, what))
        n++;
    return n;
}

/* What libhyphen itself says about a lower-case ASCII word: 1 at index k
 * when the patterns allow a break after character k. */
static void raw_breaks(const char *word, char *breaks)
{
    int n = (int)strlen(word);
    char hyphens[128];
    char **rep = NULL;
    int *pos = NULL, *cut = NULL;
    HyphenDict *dict = hnj_hyphen_load("/usr/share/hyphen/hyph_nl_NL.dic");
    assert_non_null(dict);
    assert_int_equal(hnj_hyphen_hyphenate2(dict, word, n, hyphens, NULL, &rep, &pos, &cut), 0);
    for (int k = 0; k < n; k++)
        breaks[k] = (char)(hyphens[k] & 1);
    if (rep) {
        for (int k = 0; k < n; k++)
            free(rep[k]);
        free(rep);
    }
    free(pos);
    free(cut);
    hnj_hyphen_free(dict);
}

static bool raw_has_break(const char *word)
{
    char breaks[128];
    raw_breaks(word, breaks);
    for (size_t k = 0; k + 1 < strlen(word); k++)
        if (breaks[k])
            return true;
    return false;
}

/* ---- hyphenate_text ---- */

static void test_dutch_words(void **state)
{
    (void)state;
    expect_hyphenated(dutch, "Weefselonderzoek", "Weef" SHY "sel" SHY "on" SHY "der" SHY "zoek");
    expect_hyphenated(dutch, "weefselonderzoek", "weef" SHY "sel" SHY "on" SHY "der" SHY "zoek");
    expect_hyphenated(dutch, "patiëntenorganisatie",
                      "pa" SHY "ti" SHY "ën" SHY "ten" SHY "or" SHY "ga" SHY "ni" SHY "sa" SHY "tie");
    expect_hyphenated(dutch, "beïnvloeden", "be" SHY "ïn" SHY "vloe" SHY "den");
    expect_hyphenated(dutch, "behandeling", "be" SHY "han" SHY "de" SHY "ling");
    expect_hyphenated(dutch, "uitzaaiingen", "uit" SHY "zaai" SHY "in" SHY "gen");
    expect_hyphenated(dutch, "coördinatie", "co" SHY "ör" SHY "di" SHY "na" SHY "tie");
    /* capitalised words are hyphenated like their lower-case form */
    expect_hyphenated(dutch, "Ziekenhuis", "Zie" SHY "ken" SHY "huis");
    /* punctuation around a word stays where it was */
    expect_hyphenated(dutch, "(onderzoek),", "(on" SHY "der" SHY "zoek),");
    expect_hyphenated(dutch, "“behandeling”.", "“be" SHY "han" SHY "de" SHY "ling”.");
    /* each part of a hyphenated compound on its own; the short parts stay whole */
    expect_hyphenated(dutch, "mri-onderzoek", "mri-on" SHY "der" SHY "zoek");
    expect_hyphenated(dutch, "Pet-CT-scan", "Pet-CT-scan");
    /* whitespace kept exactly, including no-break spaces and newlines */
    expect_hyphenated(dutch, "  behandeling\n\tziekenhuis" NBSP "onderzoek ",
                      "  be" SHY "han" SHY "de" SHY "ling\n\tzie" SHY "ken" SHY "huis" NBSP
                      "on" SHY "der" SHY "zoek ");
    expect_hyphenated(dutch, "", "");
}

static void test_short_words_untouched(void **state)
{
    (void)state;
    /* the patterns would break these; five letters or fewer stay whole */
    static const char *const words[] = {"lever", "tumor", "zeven", "maken"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        assert_true(raw_has_break(words[i]));
        expect_hyphenated(dutch, words[i], words[i]);
    }
    expect_hyphenated(dutch, "arts", "arts");
    expect_hyphenated(dutch, "De lever is ziek.", "De lever is ziek.");
    /* six letters is long enough */
    assert_true(raw_has_break("kanker"));
    expect_hyphenated(dutch, "kanker", "kan" SHY "ker");
}

static void test_acronyms_untouched(void **state)
{
    (void)state;
    assert_true(raw_has_break("kankeronderzoek"));
    expect_hyphenated(dutch, "KANKERONDERZOEK", "KANKERONDERZOEK");
    expect_hyphenated(dutch, "WERKGROEP", "WERKGROEP");
    expect_hyphenated(dutch, "ÉÉNMALIGE", "ÉÉNMALIGE");
    expect_hyphenated(dutch, "Het NVVO-ZIEKENHUIS.", "Het NVVO-ZIEKENHUIS.");
}

static void test_addresses_untouched(void **state)
{
    (void)state;
    static const char *const kept[] = {
        "www.kanker.nl/pto",
        "info@missietumoronbekend.nl",
        "kanker.nl",
        "missietumoronbekend.nl",
        "https://www.kanker.nl/bibliotheek/uitzaaiingen/behandeling",
        "mailto:patientenvoorlichting@ziekenhuisorganisatie.nl",
        "tel:+31204444444",
        "(www.kanker.nl/pto).",
        "ziekenhuis/huisartsenpost", /* a slash makes it a path */
    };
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++)
        expect_hyphenated(dutch, kept[i], kept[i]);
    /* in a sentence only the address is left alone */
    expect_hyphenated(dutch, "Kijk op www.kanker.nl/pto voor informatie.",
                      "Kijk op www.kanker.nl/pto voor in" SHY "for" SHY "ma" SHY "tie.");
    expect_hyphenated(dutch, "Mail info@missietumoronbekend.nl of bel ziekenhuis",
                      "Mail info@missietumoronbekend.nl of bel zie" SHY "ken" SHY "huis");
}

static void test_numbers_untouched(void **state)
{
    (void)state;
    static const char *const kept[] = {"12345678", "2017-05", "10-jarige", "38,5⁰", "1.000.000",
                                       "020-4444444", "3e", "T4N1M0"};
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++)
        expect_hyphenated(dutch, kept[i], kept[i]);
}

static void test_no_patterns(void **state)
{
    (void)state;
    assert_null(hyphenator_open("xx-XX"));
    assert_null(hyphenator_open(NULL));
    assert_null(hyphenator_open(""));
    const char *text = "Weefselonderzoek bij patiëntenorganisatie";
    char *copy = hyphenate_text(NULL, text);
    assert_non_null(copy);
    assert_ptr_not_equal(copy, text);
    assert_string_equal(copy, text);
    free(copy);
    /* nl without a region finds the Dutch patterns too, and so does "nl_NL" */
    hyphenator *h = hyphenator_open("nl");
    assert_non_null(h);
    expect_hyphenated(h, "Weefselonderzoek", "Weef" SHY "sel" SHY "on" SHY "der" SHY "zoek");
    hyphenator_close(h);
    hyphenator_close(NULL);
}

static void test_cache(void **state)
{
    (void)state;
    hyphen_cache *cache = hyphen_cache_new();
    assert_non_null(cache);
    const hyphenator *a = hyphen_cache_get(cache, "nl-NL");
    const hyphenator *b = hyphen_cache_get(cache, "nl-NL");
    assert_non_null(a);
    assert_ptr_equal(a, b);
    assert_null(hyphen_cache_get(cache, "xx-XX"));
    assert_null(hyphen_cache_get(cache, "xx-XX"));
    assert_null(hyphen_cache_get(cache, NULL));
    assert_ptr_equal(hyphen_cache_get(cache, "nl-NL"), a);
    expect_hyphenated(a, "Weefselonderzoek", "Weef" SHY "sel" SHY "on" SHY "der" SHY "zoek");
    hyphen_cache_free(cache);
    hyphen_cache_free(NULL);
}

/* Patterns that allow a break after every letter show exactly where the
 * minimums cut: never within the first 2 or the last 3 characters. */
static void test_minimums_everywhere_patterns(void **state)
{
    (void)state;
    char dir[] = "/tmp/leafpress-hyphen-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/hyph_zz_ZZ.dic", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("ISO8859-1\n", f);
    for (char c = 'a'; c <= 'z'; c++)
        fprintf(f, "%c1\n", c);
    fputs("\xE9" "1\n", f); /* é, in the dictionary's ISO-8859-1 */
    fclose(f);
    const char *previous = getenv("LEAFPRESS_HYPHEN_DIR");
    char *saved = previous ? xstrdup(previous) : NULL;
    setenv("LEAFPRESS_HYPHEN_DIR", dir, 1);
    hyphenator *h = hyphenator_open("zz-ZZ");
    if (saved) {
        setenv("LEAFPRESS_HYPHEN_DIR", saved, 1);
        free(saved);
    } else {
        unsetenv("LEAFPRESS_HYPHEN_DIR");
    }
    unlink(path);
    rmdir(dir);
    assert_non_null(h);
    expect_hyphenated(h, "abcdefgh", "ab" SHY "c" SHY "d" SHY "e" SHY "fgh");
    expect_hyphenated(h, "abcdef", "ab" SHY "c" SHY "def");
    expect_hyphenated(h, "abcde", "abcde");
    /* counted in characters, not bytes */
    expect_hyphenated(h, "éénmalig", "éé" SHY "n" SHY "m" SHY "a" SHY "lig");
    expect_hyphenated(h, "abcdeé", "ab" SHY "c" SHY "deé");
    hyphenator_close(h);
}

/* With the real patterns: words whose only break would leave two letters
 * at the end stay whole, and no output word ever breaks inside the margins. */
static void test_minimums_dutch(void **state)
{
    (void)state;
    static const char *const end_only[] = {"ziekte", "ruimte", "daarna", "daarom", "bandje"};
    for (size_t i = 0; i < sizeof end_only / sizeof *end_only; i++) {
        char breaks[128];
        size_t n = strlen(end_only[i]);
        raw_breaks(end_only[i], breaks);
        assert_true(breaks[n - 3]); /* the patterns say "ziek-te" */
        expect_hyphenated(dutch, end_only[i], end_only[i]);
    }
    /* "van-we-ge" in the patterns: the last break would leave "ge" */
    expect_hyphenated(dutch, "vanwege", "van" SHY "wege");
    expect_hyphenated(dutch, "andere", "an" SHY "dere"); /* not "ande-re" */
    expect_hyphenated(dutch, "meestal", "mee" SHY "stal");
}

static const char PARAGRAPH[] =
    "Bij ongeveer 3 tot 5 procent van alle mensen met kanker worden uitzaaiingen gevonden, "
    "maar blijft onduidelijk waar de kanker is begonnen. Dit heet ‘primaire tumor onbekend’ "
    "(PTO). Na uitgebreid onderzoek — bloedonderzoek, een CT-scan, soms een PET-CT-scan en "
    "weefselonderzoek (biopsie) — bespreekt uw behandelend arts met u de mogelijkheden.\n"
    "Heeft u vragen? Bel de polikliniek op 020 444 44 44, mail naar "
    "info@missietumoronbekend.nl of kijk op www.kanker.nl/pto. De patiëntenorganisatie "
    "“Missie Tumor Onbekend” beïnvloedt het beleid\xC2\xA0samen met zorgverleners; "
    "zij organiseert lotgenotencontact, voorlichtingsbijeenkomsten en ’s avonds "
    "informatiebijeenkomsten.\tOok bij koorts boven 38,5⁰ C, langer dan 24 uur, of "
    "bij ondraaglijke pijnklachten neemt u direct contact op: ziekenhuis/huisarts/"
    "huisartsenpost. Kinderen & jongvolwassenen tussen 18 en 39 jaar. ÉÉN keer per "
    "maand, à 10 minuten: ‘s Morgens, ’s middags!  Dubbele  spaties blijven.";

/* An ASCII letter or a Latin-1 letter (U+00C0..U+00FF, two bytes from 0xC3). */
static bool is_letter_at(const char *p)
{
    unsigned char u = (unsigned char)*p;
    return (u < 0x80 && (u | 0x20) >= 'a' && (u | 0x20) <= 'z') || u == 0xC3;
}

/* Hyphenation only ever adds soft hyphens, each between two letters, and
 * never closer than 2 characters to a word's start or 3 to its end. */
static void test_paragraph_property(void **state)
{
    (void)state;
    char *out = hyphenate_text(dutch, PARAGRAPH);
    char *back = strip(out, SHY);
    expect_same("strip(hyphenate_text(...))", "PARAGRAPH", back, PARAGRAPH);
    size_t shy = count_of(out, SHY);
    assert_true(shy >= 40); /* the property is not vacuous */

    /* every soft hyphen sits between letters, 2+ before and 3+ after in its word */
    for (const char *c = strstr(out, SHY); c; c = strstr(c + 2, SHY)) {
        size_t before = 0, after = 0;
        for (const char *p = c; p > out;) {
            const char *q = p - 1;
            while (q > out && ((unsigned char)*q & 0xC0) == 0x80)
                q--; /* to the start of the previous character */
            if (strncmp(q, SHY, 2) != 0) {
                if (!is_letter_at(q))
                    break;
                before++;
            }
            p = q;
        }
        for (const char *p = c + 2; *p;) {
            if (strncmp(p, SHY, 2) != 0) {
                if (!is_letter_at(p))
                    break;
                after++;
            }
            p += (unsigned char)*p < 0x80 ? 1 : 2;
        }
        if (before < 2 || after < 3) {
            char *v = visible(out);
            print_error("soft hyphen at byte %td: %zu letters before, %zu after\n%s\n",
                        c - out, before, after, v);
            free(v);
            fail();
        }
    }
    /* addresses, acronyms and numbers came through unbroken */
    assert_non_null(strstr(out, " info@missietumoronbekend.nl "));
    assert_non_null(strstr(out, " www.kanker.nl/pto."));
    assert_non_null(strstr(out, " PET-CT-scan "));
    assert_non_null(strstr(out, " ÉÉN "));
    assert_non_null(strstr(out, " 020 444 44 44,"));
    assert_non_null(strstr(out, " pa" SHY "ti" SHY "ën" SHY "ten" SHY "or" SHY "ga"));
    free(back);
    free(out);
}

/* Hyphenating already-hyphenated text adds nothing. */
static void test_idempotent(void **state)
{
    (void)state;
    char *once = hyphenate_text(dutch, PARAGRAPH);
    char *twice = hyphenate_text(dutch, once);
    expect_same("hyphenate_text twice", "PARAGRAPH", twice, once);
    free(once);
    free(twice);
}

/* ---- protect_breaks ---- */

static void test_phone_numbers(void **state)
{
    (void)state;
    expect_protected("020 444 44 44", "020" NBSP "444" NBSP "44" NBSP "44");
    expect_protected("06 25 71 60 27", "06" NBSP "25" NBSP "71" NBSP "60" NBSP "27");
    expect_protected("020 44 43 636", "020" NBSP "44" NBSP "43" NBSP "636");
    expect_protected("Bel 020 444 44 44 of 06 25 71 60 27.",
                     "Bel 020" NBSP "444" NBSP "44" NBSP "44 of 06" NBSP "25" NBSP "71" NBSP
                     "60" NBSP "27.");
    expect_protected("(020 444 11 00)", "(020" NBSP "444" NBSP "11" NBSP "00)");
    expect_protected("+31 20 444 44 44", "+31" NBSP "20" NBSP "444" NBSP "44" NBSP "44");
    expect_protected("112", "112");
}

static void test_units(void **state)
{
    (void)state;
    expect_protected("30 minuten", "30" NBSP "minuten");
    expect_protected("10 uur", "10" NBSP "uur");
    expect_protected("38,5⁰ C", "38,5⁰" NBSP "C");
    expect_protected("18 en 39 jaar", "18 en 39" NBSP "jaar");
    expect_protected("Na 2 dagen, 3 weken of 6 maanden.",
                     "Na 2" NBSP "dagen, 3" NBSP "weken of 6" NBSP "maanden.");
    expect_protected("5 mg of 2,5 ml (10 procent)",
                     "5" NBSP "mg of 2,5" NBSP "ml (10" NBSP "procent)");
    expect_protected("van 10 uur tot 12 uur", "van 10" NBSP "uur tot 12" NBSP "uur");
    /* a unit may be followed by any closing punctuation */
    expect_protected("Na 10 minuten? Al 24 uur! Ruim 39 jaar…",
                     "Na 10" NBSP "minuten? Al 24" NBSP "uur! Ruim 39" NBSP "jaar…");
    expect_protected("‘binnen 2 weken’", "‘" "binnen 2" NBSP "weken’");
    /* a word that only starts like a unit is no unit */
    expect_protected("1000 Nederlanders", "1000 Nederlanders");
    expect_protected("3 mensen, 2 grote, 10 urenlang", "3 mensen, 2 grote, 10 urenlang");
    expect_protected("In 2017 waren er 1000 patiënten", "In 2017 waren er 1000 patiënten");
}

static void test_protect_changes_nothing_else(void **state)
{
    (void)state;
    char *out = protect_breaks(PARAGRAPH);
    /* exactly these spaces became no-break spaces, nothing else moved */
    char *expected_text = NULL;
    {
        strbuf b = {0};
        const char *joins[] = {"020 444 44 44", "38,5⁰ C", "24 uur", "39 jaar", "10 minuten",
                               "5 procent"};
        const char *p = PARAGRAPH;
        while (*p) {
            bool done = false;
            for (size_t j = 0; j < sizeof joins / sizeof *joins && !done; j++) {
                size_t n = strlen(joins[j]);
                if (strncmp(p, joins[j], n) == 0) {
                    for (size_t k = 0; k < n; k++) {
                        if (joins[j][k] == ' ')
                            strbuf_puts(&b, NBSP);
                        else
                            strbuf_append(&b, &joins[j][k], 1);
                    }
                    p += n;
                    done = true;
                }
            }
            if (!done)
                strbuf_append(&b, p++, 1);
        }
        expected_text = strbuf_take(&b);
    }
    expect_same("protect_breaks", "PARAGRAPH", out, expected_text);
    free(expected_text);
    free(out);

    const char *plain = "Geen getallen hier: alleen woorden, ‘aanhalingstekens’ en  spaties.\n";
    expect_protected(plain, plain);
    expect_protected("", "");
}

/* Compounds: with the Dutch word list (wdutch) a compound breaks between
 * its parts, and inside a part only with 3 of its letters before and 4
 * after (issue 6: "pacema-kerpas" must not happen). */
static void test_compounds(void **state)
{
    (void)state;
    const char *saved = getenv("LEAFPRESS_WORDLIST_DIR");
    char *copy = saved ? xstrdup(saved) : NULL;
    unsetenv("LEAFPRESS_WORDLIST_DIR");
    hyphenator *h = hyphenator_open("nl-NL");
    if (copy) {
        setenv("LEAFPRESS_WORDLIST_DIR", copy, 1);
        free(copy);
    }
    assert_non_null(h);
    /* the patterns alone would give pa-ce-ma-ker-pas */
    expect_hyphenated(dutch, "pacemakerpas", "pa" SHY "ce" SHY "ma" SHY "ker" SHY "pas");
    expect_hyphenated(h, "pacemakerpas", "pace" SHY "maker" SHY "pas");
    expect_hyphenated(h, "weefselonderzoek", "weefsel" SHY "onder" SHY "zoek");
    expect_hyphenated(h, "darmkanker", "darm" SHY "kanker");
    expect_hyphenated(h, "leverpunctie", "lever" SHY "punctie");
    expect_hyphenated(h, "behandeltraject", "behandel" SHY "tra" SHY "ject");
    /* a linking s stays with the part before it */
    expect_hyphenated(h, "spijsverteringsorganen", "spijs" SHY "ver" SHY "te" SHY "rings" SHY "organen");
    /* no compound: the patterns as they are */
    expect_hyphenated(h, "behandeling", "be" SHY "han" SHY "de" SHY "ling");
    expect_hyphenated(h, "informatie", "in" SHY "for" SHY "ma" SHY "tie");
    /* never pacema-kerpas in running text either */
    char *out = hyphenate_text(h, "Neem uw pacemakerpas mee.");
    assert_null(strstr(out, "pacema" SHY));
    assert_non_null(strstr(out, "pace" SHY "maker" SHY "pas"));
    free(out);
    hyphenator_close(h);
}

/* The style's minimums: text.hyphenate_min_left / _min_right. */
static void test_style_minimums(void **state)
{
    (void)state;
    /* 2 and 3 are hyphenate_text's own: Dutch practice */
    char *a = hyphenate_text_min(dutch, "anders ingreep weefselonderzoek", 2, 3);
    char *b = hyphenate_text(dutch, "anders ingreep weefselonderzoek");
    assert_string_equal(a, b);
    free(a);
    free(b);
    expect_hyphenated(dutch, "anders", "an" SHY "ders");
    a = hyphenate_text_min(dutch, "anders ingreep weefselonderzoek", 3, 4);
    expect_same("hyphenate_text_min 3 4", "anders ingreep weefselonderzoek", a,
                "anders ingreep weef" SHY "sel" SHY "on" SHY "der" SHY "zoek");
    free(a);
    a = hyphenate_text_min(dutch, "weefselonderzoek", 5, 5);
    expect_same("hyphenate_text_min 5 5", "weefselonderzoek", a, "weefsel" SHY "on" SHY "derzoek");
    free(a);
}

static int setup_all(void **state)
{
    (void)state;
    /* the patterns alone, without the word list, for exact pattern breaks */
    setenv("LEAFPRESS_WORDLIST_DIR", "/nonexistent-leafpress-wordlist", 1);
    dutch = hyphenator_open("nl-NL");
    return dutch ? 0 : -1;
}

static int teardown_all(void **state)
{
    (void)state;
    hyphenator_close(dutch);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dutch_words),
        cmocka_unit_test(test_compounds),
        cmocka_unit_test(test_style_minimums),
        cmocka_unit_test(test_short_words_untouched),
        cmocka_unit_test(test_acronyms_untouched),
        cmocka_unit_test(test_addresses_untouched),
        cmocka_unit_test(test_numbers_untouched),
        cmocka_unit_test(test_no_patterns),
        cmocka_unit_test(test_cache),
        cmocka_unit_test(test_minimums_everywhere_patterns),
        cmocka_unit_test(test_minimums_dutch),
        cmocka_unit_test(test_paragraph_property),
        cmocka_unit_test(test_idempotent),
        cmocka_unit_test(test_phone_numbers),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_protect_changes_nothing_else),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
