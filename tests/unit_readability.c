/* Unit tests for the readability figures (src/readability.c): syllable
 * counts of Dutch, English and Turkish words; Flesch-Douma, the shares of
 * long sentences, the longest sentences and the long words of a fixed
 * leaflet against values counted by hand below; Flesch reading ease,
 * Ateşman and Arabic (no score); readability.yaml; and the warnings
 * readability_report gives, with their positions. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "readability.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/unit_readability.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char command[128];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    return system(command) == 0 ? 0 : -1;
}

static char *write_file(const char *name, const char *text)
{
    char *path = malloc(256);
    snprintf(path, 256, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static document *parse(const char *name, const char *text)
{
    char *path = write_file(name, text);
    diag_list d;
    diag_init(&d);
    document *doc = parse_leaflet(path, NULL, dir, &d);
    assert_non_null(doc);
    for (size_t i = 0; i < d.count; i++)
        fprintf(stderr, "%s\n", d.items[i].message);
    assert_int_equal(d.errors, 0);
    diag_free(&d);
    free(path);
    return doc;
}

#define S(lang, word) readability_syllables(lang, word, strlen(word))

static void dutch_syllables(void **state)
{
    (void)state;
    assert_int_equal(S("nl", "ziekenhuis"), 3);      /* zie-ken-huis */
    assert_int_equal(S("nl", "uitzaaiingen"), 4);    /* uit-zaai-in-gen */
    assert_int_equal(S("nl", "patiënten"), 4);       /* pa-ti-ën-ten: ë starts a vowel */
    assert_int_equal(S("nl", "bijvoorbeeld"), 3);    /* ij, oo, ee */
    assert_int_equal(S("nl", "ideeën"), 3);          /* i-dee-ën */
    assert_int_equal(S("nl", "coördinatie"), 5);
    assert_int_equal(S("nl", "behandeling"), 4);
    assert_int_equal(S("nl", "mooie"), 2);           /* mooi-e */
    assert_int_equal(S("nl", "leeuwen"), 2);         /* eeu */
    assert_int_equal(S("nl", "cadeau"), 2);          /* eau */
    assert_int_equal(S("nl", "quarantaine"), 4);     /* the u of qu is no vowel */
    assert_int_equal(S("nl", "e-mail"), 2);          /* each part */
    assert_int_equal(S("nl", "Neuro-endocriene"), 6);
    assert_int_equal(S("nl", "website"), 2);         /* a listed loanword */
    assert_int_equal(S("nl", "één"), 1);             /* accents are the same vowel */
    assert_int_equal(S("nl", "NET"), 1);
}

static void english_and_turkish_syllables(void **state)
{
    (void)state;
    assert_int_equal(S("en-GB", "appointment"), 3);
    assert_int_equal(S("en-GB", "before"), 2);       /* silent final e */
    assert_int_equal(S("en-GB", "table"), 2);        /* but -le is heard */
    assert_int_equal(S("en-GB", "called"), 1);       /* -ed adds none */
    assert_int_equal(S("en-GB", "needed"), 2);       /* ... after d it does */
    assert_int_equal(S("en-GB", "takes"), 1);
    assert_int_equal(S("en-GB", "places"), 2);
    assert_int_equal(S("en-GB", "you"), 1);          /* y before a vowel */
    assert_int_equal(S("en-GB", "radio"), 3);        /* io split */
    assert_int_equal(S("en-GB", "question"), 2);     /* but not in -tion */
    assert_int_equal(S("tr-TR", "broşür"), 2);
    assert_int_equal(S("tr-TR", "hakkında"), 3);
    assert_int_equal(S("tr-TR", "İstanbul"), 3);     /* İ is a vowel, in either case */
    assert_int_equal(S("tr-TR", "IŞIK"), 2);
    assert_int_equal(S("ar", "جملة"), 0);            /* no rules for Arabic */
}

/* Line numbers of this text are used below: the body starts on line 7. */
static const char dutch[] =
    "---\n"
    "title: Folder\n"
    "lang: nl-NL\n"
    "publisher: X\n"
    "updated: 2026-01\n"
    "---\n"
    "# Folder\n"                                                            /* 7 */
    "\n"
    "Dit is een korte zin. De behandeling duurt bijv. drie weken!\n"       /* 9 */
    "\n"
    "- een lijst met woorden\n"                                             /* 11 */
    "\n"
    "> [!TIP] Tip\n"                                                        /* 13 */
    "> Bel 020 444 44 44 als u vragen heeft over chemotherapie of over de\n" /* 14 */
    "> verpleegkundige zorg, want wij helpen u graag en wij zijn er elke dag voor u en uw naasten.\n";

/* Counted by hand (headings, the box title and the number are not counted):
 *   1  "Dit is een korte zin."                   9:1    5 words,  6 syllables (korte 2)
 *   2  "De behandeling duurt bijv. drie weken!"  9:23   6 words, 10 (behandeling 4, weken 2);
 *      "bijv." is an abbreviation and "drie" is lower case: no sentence end
 *   3  "een lijst met woorden" (a list item)      11:3   4 words,  5 (woorden 2)
 *   4  the box, 10 + 18 words                      14:3  28 words, 17 + 25 = 42
 *      (vragen 2, over 2, chemotherapie 5, over 2 | verpleegkundige 5, helpen 2,
 *       elke 2, naasten 2, the others 1)
 *   4 sentences, 43 words, 63 syllables; 1 sentence over 15 and over 20 words.
 *   Flesch-Douma = 206.835 - 0.93 * 43/4 - 77 * 63/43
 *                = 206.835 - 9.9975 - 112.81395... = 84.02355... */
static void dutch_figures(void **state)
{
    (void)state;
    document *doc = parse("folder.md", dutch);
    readability_config cfg;
    readability_config_defaults(&cfg);
    char *allow[] = {"chemotherapie"};
    cfg.allow = allow;
    cfg.allow_count = 1;
    readability r;
    readability_measure(doc, &cfg, &r);
    assert_string_equal(r.measure, "Flesch-Douma");
    assert_int_equal(r.sentences, 4);
    assert_int_equal(r.words, 43);
    assert_int_equal(r.syllables, 63);
    assert_int_equal(r.over_15, 1);
    assert_int_equal(r.over_20, 1);
    assert_float_equal(r.share_over_15, 0.25, 1e-9);
    assert_float_equal(r.share_over_20, 0.25, 1e-9);
    assert_float_equal(r.score, 206.835 - 0.93 * 43.0 / 4 - 77 * 63.0 / 43, 1e-9);
    assert_float_equal(r.score, 84.0235, 1e-4);
    /* the longest three, longest first, with where they start */
    assert_int_equal(r.longest_count, 3);
    assert_int_equal(r.longest[0].words, 28);
    assert_int_equal(r.longest[0].line, 14);
    assert_int_equal(r.longest[0].column, 3);
    assert_int_equal(r.longest[1].words, 6);
    assert_int_equal(r.longest[1].line, 9);
    assert_int_equal(r.longest[1].column, 23);
    assert_string_equal(r.longest[1].text, "De behandeling duurt bijv. drie weken!");
    assert_int_equal(r.longest[2].words, 5);
    assert_int_equal(r.longest[2].column, 1);
    /* chemotherapie is allowed; verpleegkundige (5) is long, on the box's second line */
    assert_int_equal(r.long_word_count, 1);
    assert_string_equal(r.long_words[0].word, "verpleegkundige");
    assert_int_equal(r.long_words[0].syllables, 5);
    assert_int_equal(r.long_words[0].line, 15);
    assert_int_equal(r.long_words[0].column, 3);
    readability_free(&r);

    /* without the allow-list both are long, in order of first use */
    cfg.allow_count = 0;
    readability_measure(doc, &cfg, &r);
    assert_int_equal(r.long_word_count, 2);
    assert_string_equal(r.long_words[0].word, "chemotherapie");
    assert_int_equal(r.long_words[0].line, 14);
    assert_int_equal(r.long_words[0].column, 45);
    readability_free(&r);
    doc_free(doc);
}

static void english_turkish_arabic(void **state)
{
    (void)state;
    readability_config cfg;
    readability_config_defaults(&cfg);
    readability r;
    /* 2 sentences, 12 words, 6 + 9 = 15 syllables (before 2, appointment 3):
     * 206.835 - 1.015 * 6 - 84.6 * 1.25 = 94.995 */
    document *doc = parse("en.md", "---\ntitle: T\nlang: en-GB\npublisher: X\nupdated: 2026-01\n---\n"
                                   "# T\n\nThe cat sat on the mat. We called you before the appointment.\n");
    readability_measure(doc, &cfg, &r);
    assert_string_equal(r.measure, "Flesch reading ease");
    assert_int_equal(r.sentences, 2);
    assert_int_equal(r.words, 12);
    assert_int_equal(r.syllables, 15);
    assert_float_equal(r.score, 94.995, 1e-9);
    readability_free(&r);
    doc_free(doc);
    /* 1 sentence, 5 words, 1+2+3+2+2 = 10 syllables:
     * 198.825 - 2.610 * 5 - 40.175 * 2 = 105.425 */
    doc = parse("tr.md", "---\ntitle: T\nlang: tr-TR\npublisher: X\nupdated: 2026-01\n---\n"
                         "# T\n\nBu broşür hakkında bilgi verir.\n");
    readability_measure(doc, &cfg, &r);
    assert_string_equal(r.measure, "Ateşman");
    assert_int_equal(r.words, 5);
    assert_int_equal(r.syllables, 10);
    assert_float_equal(r.score, 105.425, 1e-9);
    readability_free(&r);
    doc_free(doc);
    /* long words are for Dutch and English: "hazırlanacağınızı" (8) is ordinary Turkish */
    doc = parse("tr2.md", "---\ntitle: T\nlang: tr-TR\npublisher: X\nupdated: 2026-01\n---\n"
                          "# T\n\nNasıl hazırlanacağınızı anlatıyoruz.\n");
    readability_measure(doc, &cfg, &r);
    assert_int_equal(r.syllables, 2 + 8 + 5);
    assert_int_equal(r.long_word_count, 0);
    readability_free(&r);
    doc_free(doc);
    /* Arabic: the question mark ؟ ends a sentence; no score, no long words */
    doc = parse("ar.md", "---\ntitle: T\nlang: ar\npublisher: X\nupdated: 2026-01\n---\n"
                         "# T\n\nهذه جملة قصيرة. وهذه جملة أخرى؟ نعم\n");
    readability_measure(doc, &cfg, &r);
    assert_null(r.measure);
    assert_int_equal(r.sentences, 3);
    assert_int_equal(r.words, 7);
    assert_int_equal(r.long_word_count, 0);
    assert_float_equal(r.score, 0, 0);
    readability_free(&r);
    doc_free(doc);
}

static void config_file(void **state)
{
    (void)state;
    readability_config cfg;
    diag_list d;
    diag_init(&d);
    /* no file: the defaults, no error */
    assert_true(readability_config_load("/nonexistent/readability.yaml", &cfg, &d));
    assert_float_equal(cfg.min_score, 60, 0);
    assert_float_equal(cfg.max_share_over_20, 0.10, 1e-12);
    assert_int_equal(cfg.long_word_syllables, 4);
    readability_config_free(&cfg);

    char *path = write_file("readability.yaml",
                            "min_score: 70\n"
                            "max_share_over_20: 5%\n"
                            "max_share_over_15: 0.2\n"
                            "allow: [Chemotherapie, verpleegkundige]\n");
    assert_true(readability_config_load(path, &cfg, &d));
    assert_int_equal(d.count, 0);
    assert_float_equal(cfg.min_score, 70, 0);
    assert_float_equal(cfg.max_share_over_20, 0.05, 1e-12);
    assert_float_equal(cfg.max_share_over_15, 0.2, 1e-12);
    assert_int_equal(cfg.allow_count, 2);
    assert_string_equal(cfg.allow[0], "chemotherapie"); /* compared in lower case */
    readability_config_free(&cfg);
    free(path);

    path = write_file("readability.yaml", "min_score: 70\nmax_share_over_2O: 5%\nmin_score2: \"x\"\n"
                                          "max_share_over_15: 150%\n");
    assert_false(readability_config_load(path, &cfg, &d));
    assert_int_equal(d.errors, 3);
    assert_int_equal(d.items[0].line, 2);
    assert_int_equal(d.items[0].column, 1);
    assert_non_null(strstr(d.items[0].message, "did you mean 'max_share_over_20'?"));
    assert_int_equal(d.items[2].line, 4);
    assert_int_equal(d.items[2].column, 20);
    assert_non_null(strstr(d.items[2].message, "from 0 to 100"));
    readability_config_free(&cfg);
    diag_free(&d);
    free(path);
}

static void warnings(void **state)
{
    (void)state;
    document *doc = parse("folder.md", dutch);
    readability_config cfg;
    readability_config_defaults(&cfg);
    cfg.notes = true;
    diag_list d;
    diag_init(&d);
    /* the figures go to stdout: catch them in a file */
    fflush(stdout);
    FILE *caught = tmpfile();
    assert_non_null(caught);
    int saved = dup(STDOUT_FILENO);
    dup2(fileno(caught), STDOUT_FILENO);
    readability_report(doc, &cfg, &d);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    char figures[1024] = "";
    rewind(caught);
    size_t got = fread(figures, 1, sizeof figures - 1, caught);
    figures[got] = '\0';
    fclose(caught);
    /* score 84 >= 60, 25% over 15 <= 30%: quiet; 25% over 20 > 10% at the H1;
     * the 28-word sentence at its start; 2 long words <= 5: quiet; the figures */
    assert_int_equal(d.count, 2);
    assert_int_equal(d.errors, 0);
    assert_int_equal(d.items[0].level, SEVERITY_WARNING);
    assert_int_equal(d.items[0].line, 7);
    assert_int_equal(d.items[0].column, 1);
    assert_string_equal(d.items[0].message,
                        "readability: 25% of the sentences have more than 20 words (at most 10%)");
    assert_int_equal(d.items[1].line, 14);
    assert_int_equal(d.items[1].column, 3);
    assert_non_null(strstr(d.items[1].message, "sentence of 28 words (at most 25): Bel 020"));
    assert_non_null(strstr(figures, "folder.md: readability: Flesch-Douma 84.0; 4 sentences, 43 words"));
    assert_non_null(strstr(figures, "longest: line 14 (28 words), line 9 (6 words)"));
    diag_free(&d);

    /* stricter: every threshold */
    diag_init(&d);
    cfg.notes = false;
    cfg.min_score = 90;
    cfg.max_share_over_15 = 0.2;
    cfg.max_long_words = 1;
    cfg.warn_long_words = true;
    readability_report(doc, &cfg, &d);
    assert_int_equal(d.count, 7);
    assert_non_null(strstr(d.items[0].message, "Flesch-Douma score 84.0 is below 90"));
    assert_non_null(strstr(d.items[1].message, "25% of the sentences have more than 15 words"));
    assert_non_null(strstr(d.items[4].message, "2 words of more than 4 syllables (at most 1): "
                                               "chemotherapie (line 14), verpleegkundige (line 15)"));
    assert_int_equal(d.items[5].line, 14);
    assert_int_equal(d.items[6].line, 15);
    diag_free(&d);
    doc_free(doc);
}

/* Positions count characters, not bytes, from the line's start: after
 * accented letters, on a last line with no newline, and for a word used
 * again (its first use is the one shown). */
static void positions(void **state)
{
    (void)state;
    document *doc = parse("pos.md", "---\ntitle: T\nlang: nl-NL\npublisher: X\nupdated: 2026-01\n---\n"
                                    "# T\n\nÉén café en één crème brûlée voor de verpleegkundige.\n\n"
                                    "Daarna de ziekenhuisopname met de verpleegkundige.");
    readability_config cfg;
    readability_config_defaults(&cfg);
    readability r;
    readability_measure(doc, &cfg, &r);
    assert_int_equal(r.long_word_count, 2);
    assert_string_equal(r.long_words[0].word, "verpleegkundige");
    assert_int_equal(r.long_words[0].uses, 2);
    assert_int_equal(r.long_words[0].line, 9);
    assert_int_equal(r.long_words[0].column, 38); /* 37 characters before it, 45 bytes */
    assert_string_equal(r.long_words[1].word, "ziekenhuisopname");
    assert_int_equal(r.long_words[1].line, 11);
    assert_int_equal(r.long_words[1].column, 11);
    assert_int_equal(r.longest_count, 2);
    assert_int_equal(r.longest[0].line, 9);
    assert_int_equal(r.longest[0].column, 1);
    assert_int_equal(r.longest[1].line, 11);
    assert_int_equal(r.longest[1].column, 1);
    readability_free(&r);
    doc_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dutch_syllables),
        cmocka_unit_test(english_and_turkish_syllables),
        cmocka_unit_test(dutch_figures),
        cmocka_unit_test(english_turkish_arabic),
        cmocka_unit_test(positions),
        cmocka_unit_test(config_file),
        cmocka_unit_test(warnings),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
