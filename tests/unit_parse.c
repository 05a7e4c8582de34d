/* Unit tests for the parse stage: front matter, contacts.yaml, the
 * Markdown body, typography, and every error message with its position.
 *
 * Each test writes its source into a fresh mkdtemp directory, which is
 * also the working directory and the project root, so diagnostics name
 * files exactly as written here ("t.md:9:1: error: ..."). */
#define _XOPEN_SOURCE 700 /* mkdtemp, realpath */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "contacts.h"
#include "diag.h"
#include "doc.h"
#include "frontmatter.h"
#include "parse.h"
#include "suggest.h"
#include "textutil.h"

static char work_dir[96];      /* .../proj: the project root and cwd */
static char outer_dir[80];     /* its parent, for "outside the project" */
static char previous_dir[PATH_MAX];
static contact_registry registry;

/* The front matter every body test starts with: the body begins on line 7. */
#define FM "---\ntitle: Titel\nlang: nl-NL\npublisher: P\nupdated: 2020-02\n---\n"

static const char CONTACTS[] =
    "vumc-algemeen:\n"
    "  organisation: Amsterdam UMC\n"
    "  department: locatie VUmc\n"
    "  phones:\n"
    "    - \"020 444 44 44\"\n"
    "  website: https://www.amsterdamumc.nl/\n"
    "afsprakenlijn:\n"
    "  organisation: Amsterdam UMC\n"
    "  phones:\n"
    "    - {number: \"020 444 11 00\", label: Afspraken}\n"
    "    - \"06 25 71 60 27\"\n"
    "  email: poli@example.nl\n"
    "  hours: ma-vr 9-17\n"
    "alarmnummer:\n"
    "  organisation: Alarmnummer\n"
    "  description: Bij levensgevaar\n"
    "  phones: [\"112\"]\n"
    "  urgent: true\n";

/* A 1x1 PNG: parse only checks that the file exists, but keep it real. */
static const unsigned char PNG[] = {
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
    0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
    0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8,
    0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
};

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void write_text(const char *path, const char *text) { write_bytes(path, text, strlen(text)); }

static int setup_all(void **state)
{
    (void)state;
    assert_non_null(getcwd(previous_dir, sizeof previous_dir));
    snprintf(outer_dir, sizeof outer_dir, "/tmp/leafpress-parse-XXXXXX");
    assert_non_null(mkdtemp(outer_dir));
    snprintf(work_dir, sizeof work_dir, "%s/proj", outer_dir);
    assert_int_equal(mkdir(work_dir, 0777), 0);
    assert_int_equal(chdir(work_dir), 0);
    assert_int_equal(mkdir("img", 0777), 0);
    write_bytes("img/logo.png", PNG, sizeof PNG);
    write_bytes("img/foto.gif", PNG, sizeof PNG);
    write_bytes("../buiten.png", PNG, sizeof PNG);
    write_text("contacts.yaml", CONTACTS);
    diag_list d;
    diag_init(&d);
    bool ok = contacts_load("contacts.yaml", &registry, &d);
    assert_int_equal(d.count, 0);
    assert_true(ok);
    diag_free(&d);
    return 0;
}

static int teardown_all(void **state)
{
    (void)state;
    contacts_free(&registry);
    static const char *const files[] = {
        "img/logo.png", "img/foto.gif", "img", "../buiten.png", "contacts.yaml", "t.md",
        "c.yaml", "Foute Naam.md",
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        remove(files[i]);
    assert_int_equal(chdir(previous_dir), 0);
    rmdir(work_dir);
    rmdir(outer_dir);
    return 0;
}

/* Every diagnostic as "file:line:col: error: message\n", in order. */
static char *all_diags(const diag_list *d)
{
    strbuf b = {0};
    for (size_t i = 0; i < d->count; i++) {
        char *line = diag_format(&d->items[i]);
        strbuf_printf(&b, "%s\n", line);
        free(line);
    }
    return strbuf_take(&b);
}

/* Parses `source` (written to t.md); *diags gets every diagnostic joined. */
static document *parse_source(const char *source, char **diags)
{
    write_text("t.md", source);
    diag_list d;
    diag_init(&d);
    document *doc = parse_leaflet("t.md", &registry, ".", &d);
    *diags = all_diags(&d);
    diag_free(&d);
    return doc;
}

#define assert_diags(source, expected)                  \
    do {                                                \
        char *got_;                                     \
        document *doc_ = parse_source(source, &got_);   \
        assert_string_equal(got_, expected);            \
        free(got_);                                     \
        doc_free(doc_);                                 \
    } while (0)

/* Parses a source that must have no diagnostics. */
static document *parse_ok(const char *source)
{
    char *got;
    document *doc = parse_source(source, &got);
    assert_string_equal(got, "");
    free(got);
    assert_non_null(doc);
    return doc;
}

/* The n-th child (0-based) of a node, which must exist. */
static doc_node *child(const doc_node *n, int index)
{
    doc_node *c = n->first_child;
    for (int i = 0; i < index && c; i++)
        c = c->next;
    assert_non_null(c);
    return c;
}

static int child_count(const doc_node *n)
{
    int count = 0;
    for (doc_node *c = n->first_child; c; c = c->next)
        count++;
    return count;
}

static void assert_text_node(const doc_node *n, const char *text, int line, int column)
{
    assert_int_equal(n->type, NODE_TEXT);
    assert_string_equal(n->text, text);
    assert_int_equal(n->line, line);
    assert_int_equal(n->column, column);
}

/* --- front matter: splitting --------------------------------------------- */

static void test_split(void **state)
{
    (void)state;
    const char text[] = "---\ntitle: X\n---\n# X\n";
    const char *yaml, *body;
    size_t yaml_length;
    int body_line;
    diag_list d;
    diag_init(&d);
    assert_true(frontmatter_split("a.md", text, strlen(text), &yaml, &yaml_length, &body,
                                  &body_line, &d));
    assert_ptr_equal(yaml, text + 4);
    assert_int_equal(yaml_length, strlen("title: X\n"));
    assert_string_equal(body, "# X\n");
    assert_int_equal(body_line, 4);

    /* CRLF line ends, trailing blanks after the fence, a BOM */
    const char crlf[] = "\xEF\xBB\xBF---  \r\na: 1\r\nb: 2\r\n--- \r\nbody";
    assert_true(frontmatter_split("a.md", crlf, strlen(crlf), &yaml, &yaml_length, &body,
                                  &body_line, &d));
    assert_int_equal(yaml_length, strlen("a: 1\r\nb: 2\r\n"));
    assert_string_equal(body, "body");
    assert_int_equal(body_line, 5);

    /* the closing fence may be the last line */
    const char last[] = "---\na: 1\n---";
    assert_true(frontmatter_split("a.md", last, strlen(last), &yaml, &yaml_length, &body,
                                  &body_line, &d));
    assert_string_equal(body, "");
    assert_int_equal(d.count, 0);

    const char none[] = "# X\n";
    assert_false(frontmatter_split("a.md", none, strlen(none), &yaml, &yaml_length, &body,
                                   &body_line, &d));
    const char open[] = "---\ntitle: X\n# X\n";
    assert_false(frontmatter_split("a.md", open, strlen(open), &yaml, &yaml_length, &body,
                                   &body_line, &d));
    const char only[] = "---";
    assert_false(frontmatter_split("a.md", only, strlen(only), &yaml, &yaml_length, &body,
                                   &body_line, &d));
    char *got = all_diags(&d);
    assert_string_equal(got,
        "a.md:1:1: error: missing front matter; a leaflet starts with a '---' line, then YAML, then '---'\n"
        "a.md:1:1: error: front matter is not closed; end it with a '---' line\n"
        "a.md:1:1: error: front matter is not closed; end it with a '---' line\n");
    free(got);
    diag_free(&d);
}

/* --- front matter: keys ---------------------------------------------------- */

/* Parses front matter text (file line 2 onwards) into meta; returns the diagnostics. */
static char *parse_meta(const char *yaml, leaflet_meta *meta, bool *ok)
{
    diag_list d;
    diag_init(&d);
    memset(meta, 0, sizeof *meta);
    *ok = frontmatter_parse("sources/net.md", yaml, strlen(yaml), &registry, meta, &d);
    char *got = all_diags(&d);
    diag_free(&d);
    return got;
}

static void test_meta_all_keys(void **state)
{
    (void)state;
    leaflet_meta m;
    bool ok;
    char *got = parse_meta(
        "title: Over \"zo'n\" ding\n"
        "subtitle: Voor patiënten\n"
        "short_title: Kort\n"
        "lang: nl-NL\n"
        "publisher: Amsterdam UMC\n"
        "authors: [A, \"B, C\"]\n"
        "reviewers:\n"
        "  - Dr. X\n"
        "review_note: Getoetst\n"
        "updated: 2020-02-29\n"
        "subject: >\n"
        "  Over iets\n"
        "  in twee regels\n"
        "keywords: [een, twee]\n"
        "contacts: [afsprakenlijn, alarmnummer]\n"
        "contact_sheet: Belangrijke telefoonnummers\n"
        "style: grote-letter\n"
        "slug: mijn-folder\n",
        &m, &ok);
    assert_string_equal(got, "");
    assert_true(ok);
    assert_string_equal(m.title, "Over \xE2\x80\x9Czo\xE2\x80\x99n\xE2\x80\x9D ding");
    assert_string_equal(m.subtitle, "Voor patiënten");
    assert_string_equal(m.short_title, "Kort");
    assert_string_equal(m.lang, "nl-NL");
    assert_string_equal(m.publisher, "Amsterdam UMC");
    assert_int_equal(m.author_count, 2);
    assert_string_equal(m.authors[0], "A");
    assert_string_equal(m.authors[1], "B, C");
    assert_int_equal(m.reviewer_count, 1);
    assert_string_equal(m.reviewers[0], "Dr. X");
    assert_string_equal(m.review_note, "Getoetst");
    assert_int_equal(m.updated_year, 2020);
    assert_int_equal(m.updated_month, 2);
    assert_int_equal(m.updated_day, 29);
    assert_string_equal(m.subject, "Over iets in twee regels");
    assert_int_equal(m.keyword_count, 2);
    assert_string_equal(m.keywords[1], "twee");
    assert_int_equal(m.contact_count, 2);
    assert_string_equal(m.contact_ids[0], "afsprakenlijn");
    assert_ptr_equal(m.contacts[0], contacts_find(&registry, "afsprakenlijn"));
    assert_ptr_equal(m.contacts[1], contacts_find(&registry, "alarmnummer"));
    assert_string_equal(m.contact_sheet, "Belangrijke telefoonnummers");
    assert_string_equal(m.style, "grote-letter");
    assert_int_equal(m.style_line, 18);
    assert_int_equal(m.style_column, 8);
    assert_string_equal(m.slug, "mijn-folder");
    meta_free(&m);
    free(got);
}

static void test_meta_defaults(void **state)
{
    (void)state;
    leaflet_meta m;
    bool ok;
    char *got = parse_meta("title: Neuro-endocriene tumoren\nlang: nl\npublisher: P\n"
                           "updated: 2017-05\nauthors: kanker.nl\n", &m, &ok);
    assert_string_equal(got, "");
    assert_true(ok);
    assert_string_equal(m.short_title, "Neuro-endocriene tumoren");
    assert_string_equal(m.style, "house");
    assert_int_equal(m.style_line, 0);
    assert_string_equal(m.slug, "net");
    assert_null(m.subtitle);
    assert_int_equal(m.author_count, 1);
    assert_string_equal(m.authors[0], "kanker.nl");
    assert_int_equal(m.updated_year, 2017);
    assert_int_equal(m.updated_month, 5);
    assert_int_equal(m.updated_day, 0);
    assert_int_equal(m.contact_count, 0);
    meta_free(&m);
    free(got);
}

static void test_meta_errors(void **state)
{
    (void)state;
    leaflet_meta m;
    bool ok;
    char *got = parse_meta(
        "title: Titel\n"                    /* line 2 */
        "titel: Titel\n"
        "lang: nl_NL\n"
        "publisher: [a, b]\n"
        "updated: 2020-13\n"
        "authors: {a: b}\n"
        "keywords: kanker\n"
        "reviewers: [[a]]\n"
        "title: Nog eens\n"                 /* line 10 */
        "slug: Mijn_Folder\n"
        "style: ../x\n"
        "subtitle:\n"
        "kleur: rood\n"
        "contacts: [vumc-algemen, alarmnummer, alarmnummer]\n",
        &m, &ok);
    assert_false(ok);
    assert_string_equal(got,
        "sources/net.md:3:1: error: unknown key 'titel' in front matter; did you mean 'title'?\n"
        "sources/net.md:4:7: error: 'lang' must be a language tag like 'nl-NL', not 'nl_NL'\n"
        "sources/net.md:5:12: error: 'publisher' must be a string, not a list\n"
        "sources/net.md:6:10: error: 'updated' must be a date as YYYY-MM or YYYY-MM-DD with a year from 1900 to 2100, not '2020-13'\n"
        "sources/net.md:7:10: error: 'authors' must be a list of strings, not a mapping\n"
        "sources/net.md:8:11: error: 'keywords' must be a list of strings, not a string\n"
        "sources/net.md:9:13: error: each item of 'reviewers' must be a string, not a list\n"
        "sources/net.md:10:1: error: duplicate key 'title' in front matter; it is also on line 2\n"
        "sources/net.md:11:7: error: 'slug' may only contain a-z, 0-9 and '-', not 'Mijn_Folder'\n"
        "sources/net.md:12:8: error: 'style' must be a style name like 'house' (a-z, 0-9 and '-'), not '../x'\n"
        "sources/net.md:13:10: error: 'subtitle' is empty; give it a value or remove it\n"
        "sources/net.md:14:1: error: unknown key 'kleur' in front matter\n"
        "sources/net.md:15:12: error: unknown contact 'vumc-algemen'; did you mean 'vumc-algemeen'?\n"
        "sources/net.md:15:39: error: contact 'alarmnummer' is listed twice\n");
    /* a badly typed required key is reported as such, not also as missing */
    /* unknown and repeated contacts are dropped, keeping contact_ids and contacts parallel */
    assert_int_equal(m.contact_count, 1);
    assert_string_equal(m.contact_ids[0], "alarmnummer");
    assert_ptr_equal(m.contacts[0], contacts_find(&registry, "alarmnummer"));
    meta_free(&m);
    free(got);
}

static void test_meta_missing_and_broken(void **state)
{
    (void)state;
    leaflet_meta m;
    bool ok;
    char *got = parse_meta("subject: S\n", &m, &ok);
    assert_false(ok);
    assert_string_equal(got,
        "sources/net.md:1:1: error: missing required key 'title' in front matter\n"
        "sources/net.md:1:1: error: missing required key 'lang' in front matter\n"
        "sources/net.md:1:1: error: missing required key 'publisher' in front matter\n"
        "sources/net.md:1:1: error: missing required key 'updated' in front matter\n");
    meta_free(&m);
    free(got);

    got = parse_meta("title: X\n  lang: nl\n", &m, &ok);
    assert_false(ok);
    assert_string_equal(got,
        "sources/net.md:3:7: error: invalid YAML: mapping values are not allowed in this context\n");
    meta_free(&m);
    free(got);

    got = parse_meta("title: \"X\nlang: nl\n", &m, &ok);
    assert_string_equal(got,
        "sources/net.md:4:1: error: invalid YAML: found unexpected end of stream "
        "(while scanning a quoted scalar on line 2)\n");
    meta_free(&m);
    free(got);

    got = parse_meta("- title\n- lang\n", &m, &ok);
    assert_string_equal(got,
        "sources/net.md:2:1: error: front matter must be 'key: value' lines, not a list\n"
        "sources/net.md:1:1: error: missing required key 'title' in front matter\n"
        "sources/net.md:1:1: error: missing required key 'lang' in front matter\n"
        "sources/net.md:1:1: error: missing required key 'publisher' in front matter\n"
        "sources/net.md:1:1: error: missing required key 'updated' in front matter\n");
    meta_free(&m);
    free(got);
}

static void test_dates(void **state)
{
    (void)state;
    static const struct { const char *value; int year, month, day; } good[] = {
        {"2017-05", 2017, 5, 0}, {"2020-02-29", 2020, 2, 29}, {"2000-02-29", 2000, 2, 29},
        {"2021-12-31", 2021, 12, 31}, {"\"2020-01\"", 2020, 1, 0},
    };
    static const char *const bad[] = {
        "2020-13", "2020-00", "2021-02-29", "1900-02-29", "2020-04-31", "2020-1", "20-01",
        "2020/01", "2020-01-1", "mei 2020", "2020-01-00",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        char yaml[128];
        snprintf(yaml, sizeof yaml, "title: X\nlang: nl\npublisher: P\nupdated: %s\n", good[i].value);
        leaflet_meta m;
        bool ok;
        char *got = parse_meta(yaml, &m, &ok);
        assert_string_equal(got, "");
        assert_int_equal(m.updated_year, good[i].year);
        assert_int_equal(m.updated_month, good[i].month);
        assert_int_equal(m.updated_day, good[i].day);
        meta_free(&m);
        free(got);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char yaml[128], expected[256];
        snprintf(yaml, sizeof yaml, "title: X\nlang: nl\npublisher: P\nupdated: %s\n", bad[i]);
        snprintf(expected, sizeof expected,
                 "sources/net.md:5:10: error: 'updated' must be a date as YYYY-MM or YYYY-MM-DD with a year from 1900 to 2100, not '%s'\n",
                 bad[i]);
        leaflet_meta m;
        bool ok;
        char *got = parse_meta(yaml, &m, &ok);
        assert_string_equal(got, expected);
        assert_false(ok);
        meta_free(&m);
        free(got);
    }
}

static void test_lang_shapes(void **state)
{
    (void)state;
    static const char *const good[] = {"nl", "nl-NL", "fry-NL", "en"};
    static const char *const bad[] = {"NL", "nl-nl", "n", "nlnl", "nl-NLD", "nl_NL", "nl-"};
    for (size_t i = 0; i < 4 + 7; i++) {
        bool expect_ok = i < 4;
        const char *value = expect_ok ? good[i] : bad[i - 4];
        char yaml[128];
        snprintf(yaml, sizeof yaml, "title: X\nlang: %s\npublisher: P\nupdated: 2020-01\n", value);
        leaflet_meta m;
        bool ok;
        char *got = parse_meta(yaml, &m, &ok);
        assert_int_equal(ok, expect_ok);
        if (expect_ok)
            assert_string_equal(m.lang, value);
        meta_free(&m);
        free(got);
    }
}

static void test_suggest(void **state)
{
    (void)state;
    static const char *const keys[] = {"title", "subtitle", "short_title", "contacts"};
    assert_string_equal(suggest_closest("titel", keys, 4), "title");
    assert_string_equal(suggest_closest("subtitel", keys, 4), "subtitle");
    assert_string_equal(suggest_closest("contact", keys, 4), "contacts");
    assert_string_equal(suggest_closest("shorttitle", keys, 4), "short_title");
    assert_null(suggest_closest("kleur", keys, 4));
}

static void test_slug_from_file_name(void **state)
{
    (void)state;
    write_text("Foute Naam.md", FM "# Titel\n");
    diag_list d;
    diag_init(&d);
    document *doc = parse_leaflet("Foute Naam.md", &registry, ".", &d);
    char *got = all_diags(&d);
    assert_string_equal(got, "Foute Naam.md:1:1: error: file name 'Foute Naam' cannot be the "
                             "output name; set 'slug' (a-z, 0-9 and '-')\n");
    free(got);
    diag_free(&d);
    doc_free(doc);
}

/* --- contacts.yaml ----------------------------------------------------------- */

static void test_contacts_loaded(void **state)
{
    (void)state;
    assert_int_equal(registry.count, 3);
    const contact *c = contacts_find(&registry, "afsprakenlijn");
    assert_non_null(c);
    assert_string_equal(c->id, "afsprakenlijn");
    assert_string_equal(c->organisation, "Amsterdam UMC");
    assert_null(c->department);
    assert_int_equal(c->phone_count, 2);
    assert_string_equal(c->phones[0], "020 444 11 00");
    assert_string_equal(c->phone_labels[0], "Afspraken");
    assert_string_equal(c->phones[1], "06 25 71 60 27");
    assert_null(c->phone_labels[1]);
    assert_string_equal(c->email, "poli@example.nl");
    assert_string_equal(c->hours, "ma-vr 9-17");
    assert_false(c->urgent);
    assert_int_equal(c->line, 7);
    assert_int_equal(c->column, 1);
    c = contacts_find(&registry, "alarmnummer");
    assert_true(c->urgent);
    assert_string_equal(c->description, "Bij levensgevaar");
    assert_string_equal(contacts_find(&registry, "vumc-algemeen")->website,
                        "https://www.amsterdamumc.nl/");
    assert_null(contacts_find(&registry, "onbekend"));
    const char *const *ids = contacts_ids(&registry);
    assert_string_equal(ids[0], "vumc-algemeen");
    assert_string_equal(ids[1], "afsprakenlijn");
    assert_string_equal(ids[2], "alarmnummer");
    assert_null(ids[3]);
}

static void test_contacts_errors(void **state)
{
    (void)state;
    write_text("c.yaml",
        "goed:\n"
        "  organisation: A\n"
        "fout:\n"
        "  organisatie: B\n"
        "  phones:\n"
        "    - \"020-abc\"\n"
        "    - \"12\"\n"
        "    - numbr: \"1234\"\n"
        "    - [x]\n"
        "  email: geen-adres\n"
        "  website: http://a.nl\n"
        "  urgent: ja\n"
        "Fout_Id:\n"
        "  organisation: C\n"
        "goed:\n"
        "  organisation: D\n"
        "tekst: hallo\n"
        "lijst:\n"
        "  organisation: E\n"
        "  phones: \"020 1234567\"\n"
        "  hours: [a]\n"
        "  email: a@b.nl\n"
        "  email: c@d.nl\n");
    contact_registry r;
    diag_list d;
    diag_init(&d);
    assert_false(contacts_load("c.yaml", &r, &d));
    char *got = all_diags(&d);
    assert_string_equal(got,
        "c.yaml:4:3: error: unknown key 'organisatie' in contact 'fout'; did you mean 'organisation'?\n"
        "c.yaml:6:7: error: phone number '020-abc' may only contain digits, spaces and + - ( )\n"
        "c.yaml:7:7: error: phone number '12' needs at least 3 digits\n"
        "c.yaml:8:7: error: unknown key 'numbr' in phone; did you mean 'number'?\n"
        "c.yaml:8:7: error: phone has no 'number'\n"
        "c.yaml:9:7: error: each phone must be a number or a mapping with 'number' and 'label', not a list\n"
        "c.yaml:10:10: error: 'email' must be an e-mail address like 'naam@example.nl', not 'geen-adres'\n"
        "c.yaml:11:12: error: 'website' must start with 'https://', not 'http://a.nl'\n"
        "c.yaml:12:11: error: 'urgent' must be true or false, not 'ja'\n"
        "c.yaml:3:1: error: contact 'fout' has no 'organisation'\n"
        "c.yaml:13:1: error: contact id 'Fout_Id' may only contain a-z, 0-9 and '-'\n"
        "c.yaml:15:1: error: duplicate contact 'goed'; it is also on line 1\n"
        "c.yaml:17:8: error: contact 'tekst' must be a mapping of keys to values, not a string\n"
        "c.yaml:20:11: error: 'phones' must be a list, not a string\n"
        "c.yaml:21:10: error: 'hours' must be a string, not a list\n"
        "c.yaml:23:3: error: duplicate key 'email' in contact 'lijst'\n");
    free(got);
    /* entries with problems stay, so leaflets naming them get no second error */
    assert_non_null(contacts_find(&r, "fout"));
    assert_non_null(contacts_find(&r, "lijst"));
    assert_null(contacts_find(&r, "Fout_Id"));
    contacts_free(&r);
    diag_free(&d);

    diag_init(&d);
    write_text("c.yaml", "a:\n  organisation: [x\n");
    assert_false(contacts_load("c.yaml", &r, &d));
    assert_int_equal(r.count, 0);
    contacts_free(&r); /* needed even after a failure */
    assert_false(contacts_load("bestaat-niet.yaml", &r, &d));
    got = all_diags(&d);
    assert_string_equal(got,
        "c.yaml:3:1: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence on line 2)\n"
        "bestaat-niet.yaml: error: cannot read contacts: No such file or directory\n");
    free(got);
    contacts_free(&r);
    diag_free(&d);
}

static void test_tel_uri(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"020 444 44 44", "tel:+31204444444"},
        {"06 25 71 60 27", "tel:+31625716027"},
        {"020 44 43 636", "tel:+31204443636"},
        {"112", "tel:112"},
        {"14 020", "tel:14020"},
        {"+31 20 444 44 44", "tel:+31204444444"},
        {"+32 (0)2 123 45 67", "tel:+3221234567"}, /* the trunk (0) is dropped */
        {"0031 20 444 4444", "tel:+31204444444"},
        {"0800-0123", "tel:+318000123"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *uri = phone_tel_uri(cases[i][0]);
        assert_string_equal(uri, cases[i][1]);
        free(uri);
    }
}

/* --- hostile input: front matter, contacts, files, diagnostics ----------------- */

/* Every Dutch way of writing a number gives the one E.164 URI, or a clear error. */
static void test_phone_forms(void **state)
{
    (void)state;
    static const char *const good[][2] = {
        {"+31 (0)20 444 44 44", "tel:+31204444444"},  /* the (0) was kept once: +310204444444 */
        {"0031 (0)20 444 44 44", "tel:+31204444444"},
        {"(020) 444 44 44", "tel:+31204444444"},      /* lost the country code once */
        {"(0229) 21 21 21", "tel:+31229212121"},
        {"020-4444444", "tel:+31204444444"},
        {"020 - 444 44 44", "tel:+31204444444"},
        {"06-12345678", "tel:+31612345678"},
        {"06 12 34 56 78", "tel:+31612345678"},
        {"0800 0123", "tel:+318000123"},             /* service numbers: E.164 too */
        {"0800-1234567", "tel:+318001234567"},
        {"0900 1234", "tel:+319001234"},
        {"112", "tel:112"},
        {"14 020", "tel:14020"},
        {"+32 (0)2 123 45 67", "tel:+3221234567"},
        {"+44 20 7946 0958", "tel:+442079460958"},
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        char *uri, *problem = phone_normalise(good[i][0], &uri);
        if (problem)
            fail_msg("'%s': %s", good[i][0], problem);
        assert_string_equal(uri, good[i][1]);
        free(uri);
        uri = phone_tel_uri(good[i][0]);
        assert_string_equal(uri, good[i][1]);
        free(uri);
    }
    static const char *const bad[][2] = {
        {"020 444 44", "phone number '020 444 44' has 8 digits; a Dutch number has 10, as in 020 444 44 44 or 06 12 34 56 78"},
        {"06-1234567", "phone number '06-1234567' has 9 digits; a Dutch number has 10, as in 020 444 44 44 or 06 12 34 56 78"},
        {"0800 012", "phone number '0800 012' has 7 digits; a Dutch number has 10, as in 020 444 44 44 or 06 12 34 56 78"},
        {"+31 20 444 44 4", "phone number '+31 20 444 44 4' has 8 digits after +31; a Dutch number has 9, as in +31 20 444 44 44"},
        {"+31 (0)20 444 44 444", "phone number '+31 (0)20 444 44 444' has 10 digits after +31; a Dutch number has 9, as in +31 20 444 44 44"},
        {"+31 (20) 444 44 44", "phone number '+31 (20) 444 44 44': in an international number only a trunk '(0)' may be in brackets, as in +31 (0)20 444 44 44"},
        {"020 (444) 44 44", "phone number '020 (444) 44 44': only the area code may be in brackets, as in (020) 444 44 44"},
        {"(020 444 44 44", "phone number '(020 444 44 44' has a '(' without ')'"},
        {"020) 444 44 44", "phone number '020) 444 44 44' has a ')' without '('"},
        {"020 +444 44 44", "phone number '020 +444 44 44' may have '+' only at the start"},
        {"1-1-2 (bel)", "phone number '1-1-2 (bel)' may only contain digits, spaces and + - ( )"},
        {"12", "phone number '12' needs at least 3 digits"},
        {"4444444", "phone number '4444444' is neither a short number like 112 nor starts with 0 or +"},
        {"+1234", "phone number '+1234' has 4 digits with the country code; an international number has 7 to 15"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *uri, *problem = phone_normalise(bad[i][0], &uri);
        assert_null(uri);
        assert_non_null(problem);
        assert_string_equal(problem, bad[i][1]);
        free(problem);
    }
}

/* Expects frontmatter_parse to fail with exactly `expected`. */
static void expect_meta(const char *yaml, const char *expected)
{
    leaflet_meta m;
    bool ok;
    char *got = parse_meta(yaml, &m, &ok);
    assert_false(ok);
    assert_string_equal(got, expected);
    meta_free(&m);
    free(got);
}

static void test_meta_hostile_strings(void **state)
{
    (void)state;
    /* a NUL from an escape cut the title short once; now it is an error at the escape */
    expect_meta("title: \"Ti\\0tel\"\nlang: nl\npublisher: P\nupdated: 2020-01\n",
                "sources/net.md:2:11: error: NUL character (\\0) in a string; it would cut the "
                "text short here\n");
    expect_meta("title: X\nlang: nl\npublisher: P\nupdated: 2020-01\nsubject: \"a\\x00b\"\n",
                "sources/net.md:6:12: error: NUL character (\\0) in a string; it would cut the "
                "text short here\n");
    /* terminal escapes, in values and keys, with the escape's own position */
    expect_meta("title: \"\\e[2K\\rgeen problemen\"\nlang: nl\npublisher: P\nupdated: 2020-01\n",
                "sources/net.md:2:9: error: control character U+001B is not allowed\n");
    expect_meta("title: X\nlang: nl\npublisher: P\nupdated: 2020-01\n\"a\\x07b\": 1\n",
                "sources/net.md:6:3: error: control character U+0007 is not allowed\n");
    expect_meta("title: X\nlang: nl\npublisher: P\nupdated: 2020-01\nsubject: \"a\\N\"\n",
                "sources/net.md:6:12: error: control character U+0085 is not allowed\n");
    /* bidi overrides and isolates, written raw or as an escape */
    expect_meta("title: ab\xe2\x80\xae cd\nlang: nl\npublisher: P\nupdated: 2020-01\n",
                "sources/net.md:2:10: error: bidirectional control character U+202E is not "
                "allowed: it makes text show in another order than it is written\n");
    expect_meta("title: X\nlang: nl\npublisher: P\nupdated: 2020-01\nkeywords: [a, \"b\\u2067\"]\n",
                "sources/net.md:6:17: error: bidirectional control character U+2067 is not "
                "allowed: it makes text show in another order than it is written\n");
    /* tab and line feed stay allowed, and so do other escapes */
    leaflet_meta m;
    bool ok;
    char *got = parse_meta("title: \"A\\tB\\nC \\u00e9\"\nlang: nl\npublisher: P\nupdated: 2020-01\n",
                           &m, &ok);
    assert_string_equal(got, "");
    assert_true(ok);
    meta_free(&m);
    free(got);
}

static void test_meta_limits(void **state)
{
    (void)state;
    /* 100,000 keys took 56 s (each compared with all before it); now one error at key 101 */
    strbuf b = {0};
    strbuf_puts(&b, "title: X\nlang: nl\npublisher: P\nupdated: 2020-01\n");
    for (int i = 0; i < 100000; i++)
        strbuf_printf(&b, "k%d: v\n", i);
    leaflet_meta m;
    bool ok;
    char *got = parse_meta(b.data, &m, &ok);
    assert_false(ok);
    assert_string_equal(got, "sources/net.md:102:1: error: more than 100 keys in front matter; "
                             "there are only 24 different ones\n"
                             "sources/net.md:1:1: error: missing required key 'title' in front matter\n"
                             "sources/net.md:1:1: error: missing required key 'lang' in front matter\n"
                             "sources/net.md:1:1: error: missing required key 'publisher' in front matter\n"
                             "sources/net.md:1:1: error: missing required key 'updated' in front matter\n");
    meta_free(&m);
    free(got);
    free(b.data);

    /* lists */
    b = (strbuf){0};
    strbuf_puts(&b, "title: X\nlang: nl\npublisher: P\nupdated: 2020-01\nkeywords:\n");
    for (int i = 0; i < 101; i++)
        strbuf_printf(&b, "  - w%d\n", i);
    expect_meta(b.data, "sources/net.md:107:5: error: 'keywords' has more than 100 items\n");
    free(b.data);

    /* lengths, in characters */
    char yaml[1024];
    char title[512] = "";
    for (int i = 0; i < 201; i++)
        strcat(title, i % 2 ? "\xc3\xa9" : "a");
    snprintf(yaml, sizeof yaml, "title: %s\nlang: nl\npublisher: P\nupdated: 2020-01\n", title);
    expect_meta(yaml, "sources/net.md:2:8: error: 'title' is 201 characters long; at most 200 are "
                      "allowed\n");
    title[300] = '\0'; /* 200 characters: a, é, a, ... */
    snprintf(yaml, sizeof yaml, "title: %s\nlang: nl\npublisher: P\nupdated: 2020-01\n", title);
    got = parse_meta(yaml, &m, &ok);
    assert_string_equal(got, "");
    meta_free(&m);
    free(got);

    /* years: 0001-01 passed once, then failed naming the PDF */
    static const char *const years[] = {"0001-01", "1899-12", "2101-01", "9999-12-31"};
    for (size_t i = 0; i < 4; i++) {
        char expected[256];
        snprintf(yaml, sizeof yaml, "title: X\nlang: nl\npublisher: P\nupdated: %s\n", years[i]);
        snprintf(expected, sizeof expected, "sources/net.md:5:10: error: 'updated' must be a date "
                 "as YYYY-MM or YYYY-MM-DD with a year from 1900 to 2100, not '%s'\n", years[i]);
        expect_meta(yaml, expected);
    }
}

static void test_split_cr_only(void **state)
{
    (void)state;
    const char text[] = "---\rtitle: X\r---\rBody\r";
    const char *yaml, *body;
    size_t yaml_length;
    int body_line;
    diag_list d;
    diag_init(&d);
    assert_false(frontmatter_split("a.md", text, strlen(text), &yaml, &yaml_length, &body,
                                   &body_line, &d));
    char *got = all_diags(&d);
    assert_string_equal(got, "a.md:1:4: error: lines end with a carriage return (CR) alone; "
                             "save the file with LF or CRLF line ends\n");
    free(got);
    diag_free(&d);
}

static void test_diag_escapes(void **state)
{
    (void)state;
    diag_list d;
    diag_init(&d);
    /* once erased the line and printed a fake "no problems" */
    diag_report(&d, SEVERITY_ERROR, "a\x1b]0;x\x07.md", 1, 2, "unknown key '%s'",
                "\x1b[2K\rgeen problemen\n\xe2\x80\xae\xc2\x9b\x7f\xff\tok \xc3\xa9");
    char *got = all_diags(&d);
    assert_string_equal(got, "a\\x1b]0;x\\x07.md:1:2: error: unknown key "
                             "'\\x1b[2K\\x0dgeen problemen\\x0aU+202EU+009B\\x7f\\xff\tok \xc3\xa9'\n");
    free(got);
    /* escaping is idempotent, so copying a diagnostic (as build does) keeps it */
    diag_report(&d, SEVERITY_ERROR, d.items[0].file, 1, 2, "%s", d.items[0].message);
    assert_string_equal(d.items[0].message, d.items[1].message);
    assert_string_equal(d.items[0].file, d.items[1].file);
    diag_free(&d);
}

static void test_read_input_kinds(void **state)
{
    (void)state;
    char *why;
    size_t length;
    /* a FIFO blocked forever once; now it is refused at once */
    assert_int_equal(mkfifo("pipe.md", 0600), 0);
    assert_null(read_input("pipe.md", 1024, &length, &why));
    assert_string_equal(why, "it is a named pipe, not a regular file");
    free(why);
    remove("pipe.md");
    /* /dev/zero was read until the kernel killed the process */
    assert_null(read_input("/dev/zero", 1024, &length, &why));
    assert_string_equal(why, "it is a character device, not a regular file");
    free(why);
    assert_null(read_input("/proc/self/status", 1024, &length, &why));
    assert_string_equal(why, "it is a kernel file (/proc or /sys), not a regular file");
    free(why);
    assert_null(read_input(".", 1024, &length, &why));
    assert_string_equal(why, "it is a folder, not a regular file");
    free(why);
    assert_null(read_input("bestaat-niet", 1024, &length, &why));
    assert_string_equal(why, "No such file or directory");
    free(why);
    /* sizes: exactly the limit is fine, one byte more is not */
    char *big = xcalloc(1, 1024 * 1024 + 1);
    memset(big, 'x', 1024 * 1024 + 1);
    write_bytes("big.md", big, 1024 * 1024);
    char *text = read_input("big.md", 1024 * 1024, &length, &why);
    assert_non_null(text);
    assert_null(why);
    assert_int_equal(length, 1024 * 1024);
    assert_int_equal(text[length], '\0');
    free(text);
    write_bytes("big.md", big, 1024 * 1024 + 1);
    assert_null(read_input("big.md", 1024 * 1024, &length, &why));
    assert_int_equal(errno, EFBIG);
    assert_string_equal(why, "it is larger than 1 MiB, the most this kind of file may be");
    free(why);
    /* a source over the limit: the parser says so, naming the file */
    diag_list d;
    diag_init(&d);
    assert_null(parse_leaflet("big.md", &registry, ".", &d));
    char *got = all_diags(&d);
    assert_string_equal(got, "big.md: error: cannot read file: it is larger than 1 MiB, the most "
                             "this kind of file may be\n");
    free(got);
    diag_free(&d);
    remove("big.md");
    free(big);
}

static void test_contacts_hostile(void **state)
{
    (void)state;
    contact_registry r;
    diag_list d;
    /* --contacts /dev/zero: an error, not 24 GB */
    diag_init(&d);
    assert_false(contacts_load("/dev/zero", &r, &d));
    char *got = all_diags(&d);
    assert_string_equal(got, "/dev/zero: error: cannot read contacts: it is a character device, "
                             "not a regular file\n");
    free(got);
    contacts_free(&r);
    diag_free(&d);

    /* more than LIMIT_CONTACTS entries */
    strbuf b = {0};
    for (int i = 0; i < 5001; i++)
        strbuf_printf(&b, "c%d:\n  organisation: O\n", i);
    write_text("c.yaml", b.data);
    free(b.data);
    diag_init(&d);
    assert_false(contacts_load("c.yaml", &r, &d));
    got = all_diags(&d);
    assert_string_equal(got, "c.yaml:10001:1: error: more than 5000 contacts; split the registry "
                             "or remove old ones\n");
    free(got);
    contacts_free(&r);
    diag_free(&d);

    /* 5000 entries: every one found (binary search), every duplicate reported in order */
    b = (strbuf){0};
    for (int i = 0; i < 4997; i++)
        strbuf_printf(&b, "c%d:\n  organisation: O\n", (i * 7919) % 4997); /* not sorted */
    strbuf_puts(&b, "c5:\n  organisation: O\nc17:\n  organisation: O\nc5:\n  organisation: O\n");
    write_text("c.yaml", b.data);
    free(b.data);
    diag_init(&d);
    assert_false(contacts_load("c.yaml", &r, &d));
    assert_int_equal(r.count, 4997);
    int line5 = 0, line17 = 0;
    for (int i = 0; i < 4997; i++) {
        if ((i * 7919) % 4997 == 5) line5 = 2 * i + 1;
        if ((i * 7919) % 4997 == 17) line17 = 2 * i + 1;
    }
    char want[512];
    snprintf(want, sizeof want,
             "c.yaml:9995:1: error: duplicate contact 'c5'; it is also on line %d\n"
             "c.yaml:9997:1: error: duplicate contact 'c17'; it is also on line %d\n"
             "c.yaml:9999:1: error: duplicate contact 'c5'; it is also on line %d\n",
             line5, line17, line5);
    got = all_diags(&d);
    assert_string_equal(got, want);
    free(got);
    for (int i = 0; i < 4997; i++) {
        char id[16];
        snprintf(id, sizeof id, "c%d", i);
        const contact *c = contacts_find(&r, id);
        assert_non_null(c);
        assert_string_equal(c->id, id);
    }
    assert_null(contacts_find(&r, "c4997"));
    assert_null(contacts_find(&r, ""));
    assert_string_equal(contacts_ids(&r)[0], "c0"); /* still in file order */
    assert_string_equal(contacts_ids(&r)[1], "c2922");
    contacts_free(&r);
    diag_free(&d);

    /* phones, NUL and bidi in the registry */
    write_text("c.yaml",
        "a:\n  organisation: \"Amster\\0dam\"\n"
        "b:\n  organisation: B\n  phones: [112, 112, 112, 112, 112, 112, 112, 112, 112, 112, 113]\n"
        "c:\n  organisation: C\xe2\x81\xa6\n");
    diag_init(&d);
    assert_false(contacts_load("c.yaml", &r, &d));
    got = all_diags(&d);
    assert_string_equal(got,
        "c.yaml:2:24: error: NUL character (\\0) in a string; it would cut the text short here\n"
        "c.yaml:7:18: error: bidirectional control character U+2066 is not allowed: it makes "
        "text show in another order than it is written\n");
    free(got);
    contacts_free(&r);
    diag_free(&d);
    write_text("c.yaml",
        "b:\n  organisation: B\n  phones: [112, 112, 112, 112, 112, 112, 112, 112, 112, 112, 113]\n");
    diag_init(&d);
    assert_false(contacts_load("c.yaml", &r, &d));
    got = all_diags(&d);
    assert_string_equal(got, "c.yaml:3:62: error: contact 'b' has more than 10 phone numbers\n");
    free(got);
    contacts_free(&r);
    diag_free(&d);
}

/* --- body ------------------------------------------------------------------- */

static void test_whole_document(void **state)
{
    (void)state;
    document *doc = parse_ok(FM
        "# Titel\n"                                   /* 7 */
        "\n"
        "Eerste *alinea* met **vet**\n"               /* 9 */
        "over twee regels.\\\n"                        /* 10 */
        "Na een harde breuk.\n"
        "\n"
        "## Kop 2\n"                                  /* 13 */
        "\n"
        "### Kop 3\n"                                 /* 15 */
        "\n"
        "## Weer 2\n");
    assert_string_equal(doc->source_path, "t.md");
    doc_node *root = doc->root;
    assert_int_equal(root->type, NODE_DOCUMENT);
    assert_int_equal(child_count(root), 5);

    doc_node *h1 = child(root, 0);
    assert_int_equal(h1->type, NODE_HEADING);
    assert_int_equal(h1->level, 1);
    assert_int_equal(h1->line, 7);
    assert_int_equal(h1->column, 1);
    assert_text_node(child(h1, 0), "Titel", 7, 3);

    doc_node *p = child(root, 1);
    assert_int_equal(p->type, NODE_PARAGRAPH);
    assert_int_equal(p->line, 9);
    assert_int_equal(p->column, 1);
    assert_text_node(child(p, 0), "Eerste ", 9, 1);
    assert_int_equal(child(p, 1)->type, NODE_EMPHASIS);
    assert_int_equal(child(p, 1)->column, 8);
    assert_text_node(child(child(p, 1), 0), "alinea", 9, 9);
    assert_text_node(child(p, 2), " met ", 9, 16);
    assert_int_equal(child(p, 3)->type, NODE_STRONG);
    assert_text_node(child(child(p, 3), 0), "vet", 9, 23);
    /* the soft break is a space, merged into one text node */
    assert_text_node(child(p, 4), " over twee regels.", 9, 28);
    assert_int_equal(child(p, 5)->type, NODE_LINE_BREAK);
    assert_text_node(child(p, 6), "Na een harde breuk.", 11, 1);
    assert_int_equal(child_count(p), 7);

    assert_int_equal(child(root, 2)->level, 2);
    assert_int_equal(child(root, 2)->line, 13);
    assert_int_equal(child(root, 3)->level, 3);
    assert_int_equal(child(root, 4)->level, 2);

    char *plain = doc_plain_text(p);
    assert_string_equal(plain, "Eerste alinea met vet over twee regels. Na een harde breuk.");
    free(plain);
    doc_free(doc);
}

static void test_heading_errors(void **state)
{
    (void)state;
    assert_diags(FM "Geen kop.\n\n# Titel\n",
                 "t.md:7:1: error: the body must start with a level-1 heading like '# Title'\n");
    assert_diags(FM "\n\n",
                 "t.md:7:1: error: the body must start with a level-1 heading like '# Title'\n");
    assert_diags(FM "## Titel\n",
                 "t.md:7:1: error: the body must start with a level-1 heading like '# Title'\n");
    assert_diags(FM "# Titel\n\n# Nog een\n",
                 "t.md:9:1: error: only one level-1 heading is allowed; the first is on line 7\n");
    assert_diags(FM "# Titel\n\n### Drie\n",
                 "t.md:9:1: error: skipped heading level: '###' after '#'\n");
    assert_diags(FM "# Titel\n\n## Twee\n\n#### Vier\n\n##### Vijf\n",
                 "t.md:11:1: error: heading level 4 is not supported; use '#', '##' or '###'\n"
                 "t.md:13:1: error: heading level 5 is not supported; use '#', '##' or '###'\n");
    assert_diags(FM "# Titel\n\n- ## In lijst\n",
                 "t.md:9:3: error: headings cannot be inside a list or alert\n");
    /* setext headings count too; their underline is not a horizontal rule */
    assert_diags(FM "Titel\n=====\n\nTwee\n----\n\n### Drie\n", "");
    assert_diags(FM "# Titel\n\n##\n", "t.md:9:1: error: heading has no text\n");
    /* the cover shows the front matter title: a different H1 is probably a mistake */
    assert_diags(FM "# Andere titel\n",
                 "t.md:7:1: warning: the level-1 heading differs from the front matter title 'Titel'\n");
}

static void test_lists(void **state)
{
    (void)state;
    document *doc = parse_ok(FM
        "# Titel\n"
        "\n"
        "3. drie\n"                   /* 9 */
        "4. vier\n"
        "   - genest\n"               /* 11 */
        "   - ook\n"
        "     1. dieper\n"            /* 13 */
        "\n"
        "- los\n"                     /* 15 */
        "\n"
        "  tweede alinea\n");
    doc_node *ol = child(doc->root, 1);
    assert_int_equal(ol->type, NODE_LIST);
    assert_true(ol->ordered);
    assert_int_equal(ol->start, 3);
    assert_int_equal(ol->line, 9);
    assert_int_equal(ol->column, 1);
    assert_int_equal(child_count(ol), 2);
    doc_node *item = child(ol, 1);
    assert_int_equal(item->type, NODE_ITEM);
    assert_int_equal(item->line, 10);
    /* a tight item still gets a paragraph */
    assert_int_equal(child(item, 0)->type, NODE_PARAGRAPH);
    assert_text_node(child(child(item, 0), 0), "vier", 10, 4);
    doc_node *ul = child(item, 1);
    assert_int_equal(ul->type, NODE_LIST);
    assert_false(ul->ordered);
    assert_int_equal(ul->line, 11);
    assert_int_equal(ul->column, 4);
    doc_node *deeper = child(child(ul, 1), 1);
    assert_int_equal(deeper->type, NODE_LIST);
    assert_true(deeper->ordered);
    assert_int_equal(deeper->start, 1);
    assert_text_node(child(child(child(deeper, 0), 0), 0), "dieper", 13, 9);

    doc_node *loose = child(doc->root, 2);
    assert_int_equal(child_count(child(loose, 0)), 2);
    assert_text_node(child(child(child(loose, 0), 1), 0), "tweede alinea", 17, 3);
    doc_free(doc);
}

static void test_alerts(void **state)
{
    (void)state;
    document *doc = parse_ok(FM
        "# Titel\n"
        "\n"
        "> [!TIP] Tips voor 'patiënten'\n"         /* 9 */
        "> - een\n"
        "> - twee\n"
        "\n"
        "> [!warning]\n"                            /* 13 */
        "> Bel *meteen*.\n"
        "\n"
        "> [!Note]   Let op  \n"                   /* 16 */
        ">\n"
        "> Tekst.\n"
        "\n"
        "> [!IMPORTANT] Belangrijk\n"
        "> Eerste regel\n"
        "> tweede regel.\n"
        "\n"
        "> [!CAUTION]\n");
    doc_node *tip = child(doc->root, 1);
    assert_int_equal(tip->type, NODE_ALERT);
    assert_int_equal(tip->alert, ALERT_TIP);
    assert_string_equal(tip->title, "Tips voor \xE2\x80\x98patiënten\xE2\x80\x99");
    assert_int_equal(tip->line, 9);
    assert_int_equal(tip->column, 1);
    assert_int_equal(child_count(tip), 1);
    assert_int_equal(child(tip, 0)->type, NODE_LIST);
    assert_int_equal(child_count(child(tip, 0)), 2);

    doc_node *warning = child(doc->root, 2);
    assert_int_equal(warning->alert, ALERT_WARNING);
    assert_null(warning->title);
    doc_node *p = child(warning, 0);
    assert_int_equal(p->type, NODE_PARAGRAPH);
    assert_int_equal(p->line, 14);
    assert_int_equal(p->column, 3);
    assert_text_node(child(p, 0), "Bel ", 14, 3);
    assert_int_equal(child(p, 1)->type, NODE_EMPHASIS);

    doc_node *note = child(doc->root, 3);
    assert_int_equal(note->alert, ALERT_NOTE);
    assert_string_equal(note->title, "Let op");
    assert_int_equal(child_count(note), 1);
    assert_text_node(child(child(note, 0), 0), "Tekst.", 18, 3);

    doc_node *important = child(doc->root, 4);
    assert_int_equal(important->alert, ALERT_IMPORTANT);
    assert_string_equal(important->title, "Belangrijk");
    assert_text_node(child(child(important, 0), 0), "Eerste regel tweede regel.", 21, 3);

    doc_node *caution = child(doc->root, 5);
    assert_int_equal(caution->alert, ALERT_CAUTION);
    assert_null(caution->first_child);
    doc_free(doc);
}

static void test_alert_errors(void **state)
{
    (void)state;
    assert_diags(FM "# Titel\n\n> Gewoon citaat.\n",
                 "t.md:9:1: error: block quotes must be alerts like '> [!TIP]'\n");
    assert_diags(FM "# Titel\n\n> - lijst\n",
                 "t.md:9:1: error: block quotes must be alerts like '> [!TIP]'\n");
    assert_diags(FM "# Titel\n\n>\n",
                 "t.md:9:1: error: block quotes must be alerts like '> [!TIP]'\n");
    assert_diags(FM "# Titel\n\n> [!WARNIGN] Spoed\n",
                 "t.md:9:1: error: unknown alert '[!WARNIGN]'; did you mean '[!WARNING]'?\n");
    assert_diags(FM "# Titel\n\n> [!DANGER]\n> x\n",
                 "t.md:9:1: error: unknown alert '[!DANGER]'; use [!NOTE], [!TIP], [!IMPORTANT], "
                 "[!WARNING] or [!CAUTION]\n");
    assert_diags(FM "# Titel\n\n- > [!TIP]\n  > x\n",
                 "t.md:9:3: error: alerts cannot be inside a list or another alert\n");
}

static void test_links(void **state)
{
    (void)state;
    document *doc = parse_ok(FM
        "# Titel\n"
        "\n"
        "[a](https://a.nl) [b](http://b.nl) [c](mailto:c@d.nl) [d](TEL:112)\n"  /* 9 */
        "<https://auto.nl/it's> <info@x.nl> [e](https://e.nl/?a=1&amp;b=2)\n");
    doc_node *p = child(doc->root, 1);
    doc_node *a = child(p, 0);
    assert_int_equal(a->type, NODE_LINK);
    assert_string_equal(a->url, "https://a.nl");
    assert_int_equal(a->line, 9);
    assert_int_equal(a->column, 1);
    assert_text_node(child(a, 0), "a", 9, 2);
    assert_string_equal(child(p, 2)->url, "http://b.nl");
    assert_string_equal(child(p, 4)->url, "mailto:c@d.nl");
    assert_string_equal(child(p, 6)->url, "TEL:112");
    doc_node *autolink = child(p, 8);
    assert_string_equal(autolink->url, "https://auto.nl/it's");
    assert_int_equal(autolink->column, 1);
    assert_int_equal(autolink->line, 10);
    /* an address shown as text keeps its straight quote */
    assert_string_equal(child(autolink, 0)->text, "https://auto.nl/it's");
    assert_string_equal(child(p, 10)->url, "mailto:info@x.nl");
    assert_string_equal(child(child(p, 10), 0)->text, "info@x.nl");
    assert_string_equal(child(p, 12)->url, "https://e.nl/?a=1&b=2");
    doc_free(doc);

    assert_diags(FM "# Titel\n\n[a](ftp://x.nl) [b](folder.md) [c](#kop) [](https://leeg.nl) [d]()\n",
                 "t.md:9:1: error: link 'ftp://x.nl' is not allowed; use an https:, http:, mailto:, tel: or contact: address\n"
                 "t.md:9:17: error: link 'folder.md' is not allowed; use an https:, http:, mailto:, tel: or contact: address\n"
                 "t.md:9:32: error: link '#kop' is not allowed; use an https:, http:, mailto:, tel: or contact: address\n"
                 "t.md:9:42: error: link to 'https://leeg.nl' has no text\n"
                 "t.md:9:62: error: link has no address\n");
}

static void test_contact_references(void **state)
{
    (void)state;
    document *doc = parse_ok(FM
        "# Titel\n"
        "\n"
        "Bel [](contact:vumc-algemeen), [](contact:afsprakenlijn#phone),\n"   /* 9 */
        "[](contact:alarmnummer) of mail [](contact:afsprakenlijn#email);\n"
        "zie [](contact:vumc-algemeen#website).\n");
    doc_node *p = child(doc->root, 1);
    doc_node *l = child(p, 1);
    assert_int_equal(l->type, NODE_LINK);
    assert_string_equal(l->url, "tel:+31204444444");
    assert_int_equal(l->line, 9);
    assert_int_equal(l->column, 5);
    assert_text_node(child(l, 0), "020 444 44 44", 9, 5);
    assert_string_equal(child(p, 3)->url, "tel:+31204441100");
    assert_string_equal(child(child(p, 3), 0)->text, "020 444 11 00");
    assert_string_equal(child(p, 5)->url, "tel:112");
    assert_string_equal(child(child(p, 5), 0)->text, "112");
    assert_string_equal(child(p, 7)->url, "mailto:poli@example.nl");
    assert_string_equal(child(child(p, 7), 0)->text, "poli@example.nl");
    assert_string_equal(child(p, 9)->url, "https://www.amsterdamumc.nl/");
    assert_string_equal(child(child(p, 9), 0)->text, "www.amsterdamumc.nl");
    char *plain = doc_plain_text(p);
    assert_string_equal(plain, "Bel 020 444 44 44, 020 444 11 00, 112 of mail poli@example.nl; "
                               "zie www.amsterdamumc.nl.");
    free(plain);
    doc_free(doc);

    assert_diags(FM "# Titel\n\n"
                 "Bel [](contact:vumc-algemen) of [](contact:onbekend-nummer).\n"      /* 9 */
                 "[Bel ons](contact:vumc-algemeen) [](contact:) [](contact:alarmnummer#email)\n"
                 "[](contact:alarmnummer#website) [](contact:vumc-algemeen#emial) [](contact:vumc-algemeen#fax)\n",
                 "t.md:9:5: error: unknown contact 'vumc-algemen'; did you mean 'vumc-algemeen'?\n"
                 "t.md:9:33: error: unknown contact 'onbekend-nummer'\n"
                 "t.md:10:1: error: a contact link must have empty text, like '[](contact:vumc-algemeen)'\n"
                 "t.md:10:34: error: contact link has no contact id, like '[](contact:ID)'\n"
                 "t.md:10:47: error: contact 'alarmnummer' has no e-mail address\n"
                 "t.md:11:1: error: contact 'alarmnummer' has no website\n"
                 "t.md:11:33: error: unknown contact detail '#emial'; did you mean '#email'?\n"
                 "t.md:11:65: error: unknown contact detail '#fax'; use #phone, #email or #website\n");
}

static void test_images(void **state)
{
    (void)state;
    document *doc = parse_ok(FM
        "# Titel\n"
        "\n"
        "![Logo van \"Amsterdam UMC\"](img/logo.png)\n"  /* 9 */
        "\n"
        "- ![In een lijst](./img/../img/logo.png)\n");
    doc_node *image = child(doc->root, 1);
    assert_int_equal(image->type, NODE_IMAGE);
    assert_int_equal(image->line, 9);
    assert_int_equal(image->column, 1);
    char expected[PATH_MAX + 32];
    char *real_root = realpath(".", NULL);
    snprintf(expected, sizeof expected, "%s/img/logo.png", real_root);
    free(real_root);
    assert_string_equal(image->url, expected);
    assert_string_equal(image->alt, "Logo van \xE2\x80\x9C" "Amsterdam UMC\xE2\x80\x9D");
    doc_node *in_item = child(child(child(doc->root, 2), 0), 0);
    assert_int_equal(in_item->type, NODE_IMAGE);
    assert_string_equal(in_item->url, expected);
    doc_free(doc);

    assert_diags(FM "# Titel\n\n"
                 "![Logo](img/weg.png)\n\n"            /* 9 */
                 "![Logo](../buiten.png)\n\n"          /* 11 */
                 "![Logo](../../../nergens.png)\n\n"   /* 13 */
                 "![Logo](img/foto.gif)\n\n"           /* 15 */
                 "![](img/logo.png)\n\n"               /* 17 */
                 "Tekst ![Logo](img/logo.png) erin.\n\n" /* 19 */
                 "![Logo](https://x.nl/logo.png)\n\n"  /* 21 */
                 "![Logo](img)\n",                     /* 23 */
                 "t.md:9:1: error: image 'img/weg.png' not found\n"
                 "t.md:11:1: error: image '../buiten.png' is outside the project\n"
                 "t.md:13:1: error: image '../../../nergens.png' is outside the project\n"
                 "t.md:15:1: error: image 'img/foto.gif' must be a .jpg, .png or .svg file\n"
                 "t.md:17:1: error: image 'img/logo.png' has no alt text; describe what it shows, like '![description](img/logo.png)'\n"
                 "t.md:19:7: error: images must stand alone in their own paragraph\n"
                 "t.md:21:1: error: image 'https://x.nl/logo.png' must be a file in the project, not a web address\n"
                 "t.md:23:1: error: image 'img' is not a file\n");
}

static void test_unsupported(void **state)
{
    (void)state;
    assert_diags(FM "# Titel\n\n"
                 "Met <b>html</b> en `code` en ~~weg~~.\n"   /* 9 */
                 "\n"
                 "<div>\nblok\n</div>\n"                    /* 11 */
                 "\n"
                 "```sh\nls\n```\n"                         /* 15 */
                 "\n"
                 "    ingesprongen\n"                       /* 19 */
                 "\n"
                 "| a | b |\n|---|---|\n| 1 | 2 |\n"        /* 21 */
                 "\n"
                 "---\n"                                    /* 25 */
                 "\n"
                 "  * * *\n"                                /* 27 */
                 "\n"
                 "- [ ] taak\n"                             /* 29 */
                 "\n"
                 "Voetnoot[^1] en &#7; en &bogus; en &#xD800; en &nbsp;.\n" /* 31 */
                 "\n"
                 "[^2]: definitie\n"                        /* 33 */
                 "\n"
                 "~~~\n~~~\n",                              /* 35 */
                 "t.md:9:5: error: raw HTML is not supported\n"
                 "t.md:9:12: error: raw HTML is not supported\n"
                 "t.md:9:20: error: code is not supported\n"
                 "t.md:9:30: error: strikethrough is not supported\n"
                 "t.md:11:1: error: raw HTML is not supported\n"
                 "t.md:15:1: error: code blocks are not supported\n"
                 "t.md:19:5: error: code blocks are not supported\n"
                 "t.md:21:1: error: tables are not supported\n"
                 "t.md:25:1: error: horizontal rules are not supported\n"
                 "t.md:27:3: error: horizontal rules are not supported\n"
                 "t.md:29:3: error: task lists are not supported\n"
                 "t.md:31:9: error: footnotes are not supported\n"
                 "t.md:31:17: error: entity '&#7;' produces a control character\n"
                 "t.md:31:25: error: unknown entity '&bogus;'\n"
                 "t.md:31:36: error: entity '&#xD800;' is not a valid character\n"
                 "t.md:35:1: error: code blocks are not supported\n"
                 "t.md:33:1: error: footnotes are not supported\n");
    /* a used footnote definition turns "[^1]" into a link: still a footnote */
    assert_diags(FM "# Titel\n\nTekst[^1].\n\n[^1]: https://x.nl\n",
                 "t.md:9:6: error: footnotes are not supported\n"
                 "t.md:11:1: error: footnotes are not supported\n");
}

static void test_file_errors(void **state)
{
    (void)state;
    assert_diags("", "t.md:1:1: error: empty file\n");
    assert_diags(" \n\n", "t.md:1:1: error: empty file\n");
    assert_diags(FM "# Titel\n\nCaf\xC3\xA9 \xE9t\xE9\n", "t.md:9:6: error: invalid UTF-8\n");
    assert_diags("---\ntitle: \xC0\xAF\n", "t.md:2:8: error: invalid UTF-8\n");
    assert_diags(FM "# Titel\n\nBel\x07!\n", "t.md:9:4: error: control character U+0007 is not allowed\n");
    assert_diags(FM "# Titel\n\nBel\xC2\x85!\n", "t.md:9:4: error: control character U+0085 is not allowed\n");
    assert_diags("# Titel\n", "t.md:1:1: error: missing front matter; a leaflet starts with a '---' "
                              "line, then YAML, then '---'\n");
    assert_diags("---\ntitle: Titel\n\n# Titel\n",
                 "t.md:1:1: error: front matter is not closed; end it with a '---' line\n");
    /* front matter and body errors are all reported, with file positions */
    assert_diags("---\ntitel: Titel\nlang: nl-NL\npublisher: P\nupdated: 2020-02\n---\n## Kop\n",
                 "t.md:2:1: error: unknown key 'titel' in front matter; did you mean 'title'?\n"
                 "t.md:1:1: error: missing required key 'title' in front matter\n"
                 "t.md:7:1: error: the body must start with a level-1 heading like '# Title'\n");

    diag_list d;
    diag_init(&d);
    assert_null(parse_leaflet("bestaat-niet.md", &registry, ".", &d));
    char *got = all_diags(&d);
    assert_string_equal(got, "bestaat-niet.md: error: cannot read file: No such file or directory\n");
    free(got);
    diag_free(&d);
}

static void test_text_details(void **state)
{
    (void)state;
    document *doc = parse_ok(FM "# Titel\n\n"
                             "Caf&eacute; &amp; bar&nbsp;1 &#x263A; [a](https://x.nl/?q=&quot;)\n\n"
                             "![Logo](img/lo%67o.png)\n\n"
                             "Setext\n------\n\n### Drie\n");
    doc_node *p = child(doc->root, 1);
    assert_text_node(child(p, 0), "Caf\xC3\xA9 & bar\xC2\xA0" "1 \xE2\x98\xBA ", 9, 1);
    assert_string_equal(child(p, 1)->url, "https://x.nl/?q=\"");
    assert_int_equal(child(doc->root, 2)->type, NODE_IMAGE); /* %67 is 'g' */
    doc_node *setext = child(doc->root, 3);
    assert_int_equal(setext->level, 2);
    assert_int_equal(setext->line, 13);
    assert_int_equal(child(doc->root, 4)->line, 16);
    doc_free(doc);

    /* md4c 0.4.8 closes the spans of this out of order; it must not crash */
    assert_diags(FM "# Titel\n\n![]([)]()\n",
                 "t.md:9:1: error: image '[' not found\n"
                 "t.md:9:1: error: image '[' has no alt text; describe what it shows, like '![description]([)'\n");
}

/* --- typography --------------------------------------------------------------- */

static void assert_quotes(const char *in, const char *out)
{
    bool od = false, os = false;
    char *got = typography_quotes(in, &od, &os);
    assert_string_equal(got, out);
    free(got);
}

static void test_typography(void **state)
{
    (void)state;
    assert_quotes("zo'n", "zo\xE2\x80\x99n");
    assert_quotes("auto's en foto's", "auto\xE2\x80\x99s en foto\xE2\x80\x99s");
    assert_quotes("'primaire tumor onbekend'",
                  "\xE2\x80\x98primaire tumor onbekend\xE2\x80\x99");
    assert_quotes("een \"curatieve\" behandeling",
                  "een \xE2\x80\x9C" "curatieve\xE2\x80\x9D behandeling");
    assert_quotes("(\"x\")", "(\xE2\x80\x9Cx\xE2\x80\x9D)");
    assert_quotes("zie: \"x\".", "zie: \xE2\x80\x9Cx\xE2\x80\x9D.");
    assert_quotes("'s avonds en 't is '80", "\xE2\x80\x99s avonds en \xE2\x80\x99t is \xE2\x80\x99" "80");
    assert_quotes("wacht...", "wacht\xE2\x80\xA6");
    assert_quotes("al \xE2\x80\x98" "curly\xE2\x80\x99 en \xE2\x80\x9C" "curly\xE2\x80\x9D",
                  "al \xE2\x80\x98" "curly\xE2\x80\x99 en \xE2\x80\x9C" "curly\xE2\x80\x9D");
    assert_quotes("Jezus' leerlingen", "Jezus\xE2\x80\x99 leerlingen");
    assert_quotes("geen quotes", "geen quotes");

    /* state carries over between calls (text nodes of one paragraph) */
    bool od = false, os = false;
    char *a = typography_quotes("hij zei \"", &od, &os);
    assert_true(od);
    char *b = typography_quotes("\" toen", &od, &os);
    assert_false(od);
    assert_string_equal(a, "hij zei \xE2\x80\x9C");
    assert_string_equal(b, "\xE2\x80\x9D toen");
    free(a);
    free(b);

    /* in a paragraph, quotes around emphasis see the neighbouring nodes */
    document *doc = parse_ok(FM "# Titel\n\n"
                             "Ze zei \"*nee*\" en '*zo*'n' ding.\n");
    doc_node *p = child(doc->root, 1);
    assert_string_equal(child(p, 0)->text, "Ze zei \xE2\x80\x9C");
    assert_string_equal(child(p, 2)->text, "\xE2\x80\x9D en \xE2\x80\x98");
    assert_string_equal(child(p, 4)->text, "\xE2\x80\x99n\xE2\x80\x99 ding.");
    doc_free(doc);
}

/* === body validation: spans, comments, lints, limits, text positions =========
 * (parse.c, validate.c; kept apart from the front-matter tests above) */

#include <time.h>

/* Seconds a parse of `source` takes; *diags gets its diagnostics. */
static double timed_parse(const char *source, char **diags)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    document *doc = parse_source(source, diags);
    clock_gettime(CLOCK_MONOTONIC, &b);
    doc_free(doc);
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/* FM "# Titel\n\n" + the repetition of `unit` n times + `tail`. */
static char *repeated(const char *head, const char *unit, size_t n, const char *tail)
{
    strbuf b = {0};
    strbuf_puts(&b, FM "# Titel\n\n");
    strbuf_puts(&b, head);
    for (size_t i = 0; i < n; i++)
        strbuf_puts(&b, unit);
    strbuf_puts(&b, tail);
    return strbuf_take(&b);
}

static void test_spans(void **state)
{
    (void)state;
    document *doc = parse_ok(FM "# Titel\n\n"
                             "Of \xE2\x80\x98[cancer of *unknown* primary]{lang=en}\xE2\x80\x99 (CUP),\n"
                             "en [a [b]{lang=fr} c]{lang=\"en-GB\"}, **[vet]{lang=de-CH-1996}**.\n"
                             "Geen span: \\[x\\]{lang=en} en [y] {lang=en}.\n");
    doc_node *p = child(doc->root, 1);
    doc_node *span = child(p, 1);
    assert_int_equal(span->type, NODE_SPAN);
    assert_string_equal(span->lang, "en");
    assert_int_equal(span->line, 9);
    assert_int_equal(span->column, 5); /* its '[' */
    assert_int_equal(child_count(span), 3);
    assert_text_node(child(span, 0), "cancer of ", 9, 6);
    assert_int_equal(child(span, 1)->type, NODE_EMPHASIS);
    assert_string_equal(child(p, 0)->text, "Of \xE2\x80\x98");
    /* the quote after the span still curls the right way: typography sees across it */
    assert_true(!strncmp(child(p, 2)->text, "\xE2\x80\x99 (CUP), en ", 14));
    doc_node *outer = child(p, 3);
    assert_int_equal(outer->type, NODE_SPAN);
    assert_string_equal(outer->lang, "en-GB");
    assert_string_equal(child(outer, 0)->text, "a ");
    assert_int_equal(child(outer, 1)->type, NODE_SPAN);
    assert_string_equal(child(outer, 1)->lang, "fr");
    assert_string_equal(child(child(outer, 1), 0)->text, "b");
    assert_string_equal(child(outer, 2)->text, " c");
    doc_node *strong = child(p, 5);
    assert_int_equal(strong->type, NODE_STRONG);
    assert_string_equal(child(strong, 0)->lang, "de-CH-1996");
    /* an escaped bracket, or a space before the brace, is no span: the text stays */
    char *plain = doc_plain_text(p);
    assert_non_null(strstr(plain, "Geen span: [x]{lang=en} en [y] {lang=en}."));
    free(plain);
    doc_free(doc);
}

static void test_span_errors(void **state)
{
    (void)state;
    assert_diags(FM "# Titel\n\n"
                 "[a]{lang=engels} [b]{.klas} [c]{} [d]{lang=en lang=fr} [e]{taal=en}\n"
                 "[f]{lang=x-klingon} [g]{lang=en-} [h]{lang=zh-Hant-TW} [i]{lang=sr-Latn-RS}\n",
                 "t.md:9:10: error: 'engels' is not a language tag; use a code like 'en', 'en-GB' or 'fr'\n"
                 "t.md:9:22: error: unknown span attribute '.klas'; a span only takes a language, like '[cancer of unknown primary]{lang=en}'\n"
                 "t.md:9:32: error: this span has no language; write it like '[cancer of unknown primary]{lang=en}'\n"
                 "t.md:9:47: error: 'lang' is given twice in one span\n"
                 "t.md:9:60: error: unknown span attribute 'taal=en'; a span only takes a language, like '[cancer of unknown primary]{lang=en}'\n"
                 "t.md:10:10: error: 'x-klingon' is not a language tag; use a code like 'en', 'en-GB' or 'fr'\n"
                 "t.md:10:30: error: 'en-' is not a language tag; use a code like 'en', 'en-GB' or 'fr'\n");
    /* spans four deep: one error, at the fourth */
    assert_diags(FM "# Titel\n\n[a [b [c [d]{lang=en} c]{lang=en} b]{lang=en} a]{lang=en}\n",
                 "t.md:9:10: error: language spans are nested more than 3 deep; mark each phrase once\n");
    /* an empty span, and a span left as text */
    assert_diags(FM "# Titel\n\nLeeg: [ ]{lang=en}. Half: tekst]{lang=en}.\n",
                 "t.md:9:7: error: this language span has no text\n"
                 "t.md:9:32: error: this language span was not made and would be printed as text; write it like '[cancer of unknown primary]{lang=en}'\n");
}

static void test_comments(void **state)
{
    (void)state;
    document *doc = parse_ok(FM "# Titel\n\n"
                             "Een <!-- TODO: nakijken --> zin <!-- over\n"
                             "twee regels --> met\n"
                             "notities. <!-- aan het eind -->\n"
                             "\n"
                             "<!-- een blok\n"
                             "\n"
                             "van regels -->\n"
                             "\n"
                             "<!-- een --> <!-- twee -->\n"
                             "\n"
                             "- punt <!-- x -->\n"
                             "\n"
                             "Slot.\n");
    assert_int_equal(child_count(doc->root), 4); /* heading, paragraph, list, paragraph */
    char *text = doc_plain_text(child(doc->root, 1));
    assert_string_equal(text, "Een zin met notities.");
    free(text);
    /* positions after a dropped comment are the source's */
    doc_node *t = child(child(doc->root, 1), 0);
    int line, column;
    doc_text_position(t, strlen("Een zin m"), &line, &column);
    assert_int_equal(line, 10);
    assert_int_equal(column, 18);
    assert_int_equal(child(doc->root, 2)->type, NODE_LIST);
    assert_int_equal(child(doc->root, 3)->type, NODE_PARAGRAPH);
    doc_free(doc);

    /* other HTML is still an error, once per tag; a comment must end, and
     * text after it on its line would be lost */
    assert_diags(FM "# Titel\n\n"
                 "Met <span\nclass=\"x\">tekst</span>.\n"
                 "\n"
                 "<!-- x --> weg\n"
                 "\n"
                 "<div><!-- x --></div>\n"
                 "\n"
                 "Open <!-- nooit dicht\n"
                 "\n"
                 "<!-- tot het eind\n",
                 "t.md:9:5: error: raw HTML is not supported\n"
                 "t.md:10:16: error: raw HTML is not supported\n"
                 "t.md:12:1: error: text after a comment on the same line is dropped with the comment; start the text on a line of its own\n"
                 "t.md:14:1: error: raw HTML is not supported\n"
                 /* validate's findings come after parse's */
                 "t.md:18:1: error: this comment has no end: close it with '-->', or everything after it is dropped\n"
                 "t.md:16:6: error: this comment has no end: close it with '-->'\n");
}

static void test_leaked_markup(void **state)
{
    (void)state;
    assert_diags(FM "# Titel\n\n"
                 "Vragen? [bel ons](tel:030 799 12 34) of\n"          /* 9 */
                 "[mail](mailto:a b@example.nl).\n"                  /* 10 */
                 "\n"
                 "Zie [de site](https://example.nl/(x).\n"           /* 12 */
                 "\n"
                 "Dit is **belangrijk en __dit ook.\n"              /* 14 */
                 "\n"
                 "Lees _dit en *dat.\n"                             /* 16 */
                 "\n"
                 "Niet fout: 5 * 3, snake_case, \\*ster\\*, \\*\\*, &#42;x, x&#95;.\n",
                 "t.md:9:9: error: this link was not made: a link address cannot contain spaces; write 'tel:0307991234', or put the address in angle brackets: '(<tel:030 799 12 34>)'\n"
                 "t.md:12:5: error: this link was not made and would be printed as text; check its brackets and parentheses, like '[text](https://example.nl)'\n"
                 "t.md:14:8: error: unmatched '**' would be printed as text: close it, like '**word**', or write '\\*\\*' for the characters themselves\n"
                 "t.md:16:6: error: unmatched '_' would be printed as text: close the emphasis, like '_word_', or write '\\_' for the character itself\n");
    /* one report per rule and paragraph; the second link in it is not repeated */
    assert_diags(FM "# Titel\n\n[a](mailto:a b@example.nl)\n",
                 "t.md:9:1: error: this link was not made: a link address cannot contain spaces; remove them, or put the address in angle brackets: '(<mailto:a b@example.nl>)'\n");
    /* angle brackets make the link */
    document *doc = parse_ok(FM "# Titel\n\n[bel ons](<tel:030 799 12 34>)\n");
    assert_int_equal(child(child(doc->root, 1), 0)->type, NODE_LINK);
    doc_free(doc);
}

static void test_pasted_bullets(void **state)
{
    (void)state;
    assert_diags(FM "# Titel\n\n"
                 "Neem mee:\n\xE2\x80\xA2\tuw pas\n\xE2\x80\xA2\tuw medicijnen\n"   /* 10 */
                 "\n"
                 "\xE2\x97\xA6 een\n"                                            /* 13 */
                 "\n"
                 "Tekst\\\n\xE2\x96\xAA  na een harde regel\n"                     /* 16 */
                 "\n"
                 "- \xE2\x80\x93 in een lijst\n"                                  /* 18 */
                 "\n"
                 "Gewoon: 10 \xE2\x80\xA2 2 en \xE2\x80\x93 streepje, \xE2\x80\xA2geen spatie.\n",
                 "t.md:10:1: error: this line starts with '\xE2\x80\xA2', pasted from a word processor: it would run on in one paragraph; use '- ' for a list item\n"
                 "t.md:13:1: error: this line starts with '\xE2\x97\xA6', pasted from a word processor: it would run on in one paragraph; use '- ' for a list item\n"
                 "t.md:16:1: error: this line starts with '\xE2\x96\xAA', pasted from a word processor: it would run on in one paragraph; use '- ' for a list item\n"
                 "t.md:18:3: error: this line starts with '\xE2\x80\x93', pasted from a word processor: it would run on in one paragraph; use '- ' for a list item\n");
}

static void test_meta_lints(void **state)
{
    (void)state;
    assert_diags("---\ntitle: Titel\nlang: nl-NL\npublisher: P\nupdated: 2020-02\n"
                 "contact_sheet: Nummers\n---\n# Titel\n\nTekst.\n",
                 "t.md:6:16: error: 'contact_sheet' has no contacts to show; list them under 'contacts:', or remove 'contact_sheet'\n");
    /* with contacts it is fine */
    document *doc = parse_ok("---\ntitle: Titel\nlang: nl-NL\npublisher: P\nupdated: 2020-02\n"
                             "contacts: [alarmnummer]\ncontact_sheet: Nummers\n---\n# Titel\n\nTekst.\n");
    doc_free(doc);

    /* a degree sign written as superscript zero: a warning, not an error */
    char *got;
    doc = parse_source(FM "# Titel\n\nKoorts boven 38,5\xE2\x81\xB0 C of 39\xC2\xB0. Macht: x\xE2\x81\xB0.\n", &got);
    assert_string_equal(got, "t.md:9:18: warning: '\xE2\x81\xB0' is a superscript zero; for degrees write '\xC2\xB0', like '38\xC2\xB0' or '20 \xC2\xB0" "C'\n");
    free(got);
    doc_free(doc);
}

static void test_updated_in_future(void **state)
{
    (void)state;
    const char *saved = getenv("SOURCE_DATE_EPOCH");
    char *restore = saved ? strdup(saved) : NULL;
    static const char month[] = "---\ntitle: Titel\nlang: nl-NL\npublisher: P\nupdated: 2026-01\n---\n# Titel\n\nTekst.\n";
    static const char day[] = "---\ntitle: Titel\nlang: nl-NL\npublisher: P\nupdated: 2026-01-02\n---\n# Titel\n\nTekst.\n";
    setenv("SOURCE_DATE_EPOCH", "1767139200", 1); /* 2025-12-31 */
    assert_diags(month, "t.md:5:10: warning: 'updated' is after today (2025-12-31); check the date\n");
    setenv("SOURCE_DATE_EPOCH", "1767225600", 1); /* 2026-01-01: the same month is not the future */
    assert_diags(month, "");
    assert_diags(day, "t.md:5:10: warning: 'updated' is after today (2026-01-01); check the date\n");
    setenv("SOURCE_DATE_EPOCH", "1767312000", 1); /* 2026-01-02 */
    assert_diags(day, "");
    if (restore)
        setenv("SOURCE_DATE_EPOCH", restore, 1);
    else
        unsetenv("SOURCE_DATE_EPOCH");
    free(restore);
}

static void test_nesting_limit(void **state)
{
    (void)state;
    strbuf b = {0};
    strbuf_puts(&b, FM "# Titel\n\n");
    for (int i = 0; i < 8; i++)
        strbuf_printf(&b, "%*s- niveau %d\n", 2 * i, "", i + 1);
    char *eight = strbuf_take(&b);
    document *doc = parse_ok(eight);
    doc_free(doc);
    /* a ninth level: the error is at its item */
    b = (strbuf){0};
    strbuf_printf(&b, "%s%*s- niveau 9\n%*s- niveau 9b\n", eight, 16, "", 16, "");
    char *nine = strbuf_take(&b);
    assert_diags(nine, "t.md:17:17: error: lists are nested more than 8 levels deep; move the deeper items up to the level above\n");
    free(nine);
    free(eight);

    /* 2,000 and 10,000 levels: one error each, and fast */
    for (size_t n = 2000; n <= 10000; n += 8000) {
        char *deep = repeated("", "- ", n, "x\n");
        char *got;
        double seconds = timed_parse(deep, &got);
        assert_string_equal(got, "t.md:9:17: error: lists are nested more than 8 levels deep; move the deeper items up to the level above\n");
        assert_true(seconds < 2.0);
        free(got);
        free(deep);
    }
    /* 10,000 nested quotes: the outer one is no alert, the next may not be in it; no more */
    char *quotes = repeated("", "> ", 10000, "x\n");
    char *got;
    double seconds = timed_parse(quotes, &got);
    assert_string_equal(got, "t.md:9:1: error: block quotes must be alerts like '> [!TIP]'\n"
                             "t.md:9:3: error: alerts cannot be inside a list or another alert\n");
    assert_true(seconds < 2.0);
    free(got);
    free(quotes);
}

static void test_text_limits(void **state)
{
    (void)state;
    /* combining marks: 4 on one letter are fine, 5 are not */
    char *four = repeated("e", "\xCC\x81", 4, "n woord.\n");
    document *doc = parse_ok(four);
    doc_free(doc);
    free(four);
    char *five = repeated("Dit: e", "\xCC\x81", 5, "n woord.\n");
    assert_diags(five, "t.md:9:11: error: more than 4 combining marks on one character; remove the extra accents\n");
    free(five);
    char *many = repeated("a", "\xCC\x81", 100000, "\n");
    char *got;
    double seconds = timed_parse(many, &got);
    assert_string_equal(got, "t.md:9:6: error: more than 4 combining marks on one character; remove the extra accents\n");
    assert_true(seconds < 2.0);
    free(got);
    free(many);

    /* words: 100 characters are fine (across inlines too), 101 are not */
    char *hundred = repeated("Zie ", "a", 100, " en zo.\n");
    doc = parse_ok(hundred);
    doc_free(doc);
    free(hundred);
    char *split = repeated("Zie **", "a", 50, "**");
    char *more = repeated(split + strlen(FM "# Titel\n\n"), "b", 51, ".\n");
    assert_diags(more, "t.md:9:7: error: a word of more than 100 characters without a space; no line can hold it: add spaces or split it\n");
    free(more);
    free(split);
    char *huge = repeated("", "x", 100000, "\n");
    seconds = timed_parse(huge, &got);
    assert_string_equal(got, "t.md:9:1: error: a word of more than 100 characters without a space; no line can hold it: add spaces or split it\n");
    assert_true(seconds < 2.0);
    free(got);
    free(huge);
}

/* Front matter with this title and short_title (NULL: none). */
static char *titled(const char *title, const char *short_title)
{
    strbuf b = {0};
    strbuf_printf(&b, "---\ntitle: %s\n", title);
    if (short_title)
        strbuf_printf(&b, "short_title: %s\n", short_title);
    strbuf_printf(&b, "lang: nl-NL\npublisher: P\nupdated: 2020-02\n---\n# %s\n\nTekst.\n", title);
    return strbuf_take(&b);
}

/* n characters of title words ("Titel Titel Ti..."). */
static char *title_of(size_t n)
{
    char *t = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++)
        t[i] = "Titel "[i % 6];
    t[n] = '\0';
    if (n && t[n - 1] == ' ')
        t[n - 1] = 'x'; /* YAML would drop a trailing space */
    return t;
}

static void test_title_limits(void **state)
{
    (void)state;
    char *t200 = title_of(200), *t201 = title_of(201), *s60 = title_of(60), *s61 = title_of(61);
    char *src = titled(t200, s60);
    document *doc = parse_ok(src);
    doc_free(doc);
    free(src);
    src = titled(t201, s60);
    /* front matter refuses it first (frontmatter.c), so validate's own check never doubles it */
    assert_diags(src, "t.md:2:8: error: 'title' is 201 characters long; at most 200 are allowed\n");
    free(src);
    src = titled("Titel", s61);
    assert_diags(src, "t.md:3:14: error: 'short_title' has more than 60 characters; it must fit the running footer\n");
    free(src);
    /* without short_title the title is the footer's */
    src = titled(s61, NULL);
    assert_diags(src, "t.md:2:8: error: the title has more than 60 characters and stands in for the running footer's; add a shorter 'short_title'\n");
    free(src);
    src = titled(s60, NULL);
    doc = parse_ok(src);
    doc_free(doc);
    free(src);
    free(t200);
    free(t201);
    free(s60);
    free(s61);
}

static void test_bidi_controls(void **state)
{
    (void)state;
    static const unsigned bidi[] = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
                                    0x2066, 0x2067, 0x2068, 0x2069};
    for (size_t i = 0; i < sizeof bidi / sizeof *bidi; i++) {
        char source[256], expected[256];
        unsigned cp = bidi[i];
        snprintf(source, sizeof source, FM "# Titel\n\nDosis %c%c%c10 mg.\n",
                 (char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3F)),
                 (char)(0x80 | (cp & 0x3F)));
        snprintf(expected, sizeof expected,
                 "t.md:9:7: error: bidirectional control character U+%04X is not allowed: it makes "
                 "text show in another order than the source says; remove it\n", cp);
        assert_diags(source, expected);
    }
    /* in a link address and a comment too: one report per line */
    assert_diags(FM "# Titel\n\n[x](https://e.nl/\xE2\x80\xAE" "a) <!-- \xE2\x80\xAE \xE2\x80\xAE -->\n",
                 "t.md:9:18: error: bidirectional control character U+202E is not allowed: it makes text show in another order than the source says; remove it\n");
}

/* Inputs that used to take time out of proportion in parse (a long line
 * handed over in thousands of pieces, each rescanning it): now linear.
 * Before, at 50,000: spans 89 s, comments 29 s, entities and stars 11 s;
 * 20,000 nested emphases 2.6 s (20,000 of each is a sixth of those or
 * more). The bound leaves room for a loaded machine. */
static void test_linear_time(void **state)
{
    (void)state;
    static const struct {
        const char *head, *unit;
        size_t count;
        const char *tail, *first_error; /* NULL: none */
    } cases[] = {
        {"", "[x]{lang=en} ", 20000, "\n", NULL},
        {"", "[", 20000, "x", NULL}, /* closed below */
        {"", "a <!-- x --> ", 20000, "\n", NULL},
        {"", "&amp;\\*", 20000, "\n", "a word of more than 100"},
        {"", "*a ", 20000, "b", NULL}, /* closed below; an error at the ninth */
    };
#ifdef __SANITIZE_ADDRESS__
    const double bound = 30.0; /* an unoptimised, instrumented build: still far below quadratic */
#else
    const double bound = 5.0;
#endif
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *source = repeated(cases[i].head, cases[i].unit, cases[i].count, cases[i].tail);
        if (i == 1 || i == 4) { /* the closing halves */
            char *closed = repeated(source + strlen(FM "# Titel\n\n"),
                                    i == 1 ? "]{lang=en}" : " a*", cases[i].count, "\n");
            free(source);
            source = closed;
        }
        char *got;
        double seconds = timed_parse(source, &got);
        if (i == 1)
            assert_non_null(strstr(got, "language spans are nested more than 3 deep"));
        else if (i == 4)
            assert_string_equal(got, "t.md:9:25: error: emphasis and links are nested more than 8 deep; take the inner ones out\n");
        else if (cases[i].first_error)
            assert_non_null(strstr(got, cases[i].first_error));
        else
            assert_string_equal(got, "");
        assert_int_equal(strchr(got, '\n') ? strchr(got, '\n') - got + 1 : (long)strlen(got),
                         (long)strlen(got)); /* at most one message */
        print_message("case %zu: %.3f s\n", i, seconds);
        assert_true(seconds < bound);
        free(got);
        free(source);
    }
}

static void assert_position(const doc_node *t, const char *at, int line, int column)
{
    const char *p = strstr(t->text, at);
    assert_non_null(p);
    int l, c;
    doc_text_position(t, (size_t)(p - t->text), &l, &c);
    assert_int_equal(l, line);
    assert_int_equal(c, column);
}

static void test_text_positions(void **state)
{
    (void)state;
    document *doc = parse_ok(FM "# Titel\n\n"
                             "Eerste &amp; \\*regel... met \"aanhalingstekens\"\n"   /* 9 */
                             "  tweede r\xC3\xA9gel, ingesprongen\\\n"                 /* 10 */
                             "derde regel\n"                                          /* 11 */
                             "\n"
                             "> [!TIP] Titel\n"                                       /* 13 */
                             "> Tekst van de tip\n"                                   /* 14 */
                             "\n"
                             "- item met [taal]{lang=en} erna\n");                     /* 16 */
    doc_node *t = child(child(doc->root, 1), 0);
    assert_position(t, "Eerste", 9, 1);
    assert_position(t, "&", 9, 8);
    assert_position(t, " *", 9, 13);
    assert_position(t, "*", 9, 15);     /* the escaped star: its backslash is at 14 */
    assert_position(t, "regel", 9, 16);
    assert_position(t, "\xE2\x80\xA6", 9, 21); /* the ellipsis: where its three dots are */
    assert_position(t, " met", 9, 24);  /* after it: two columns on */
    assert_position(t, "\xE2\x80\x9C", 9, 29);
    assert_position(t, "tweede", 10, 3); /* a joined line: its own line and column */
    assert_position(t, "gel,", 10, 12);
    doc_node *after_break = child(child(doc->root, 1), 2);
    assert_position(after_break, "derde", 11, 1);
    doc_node *tip = child(doc->root, 2);
    assert_position(child(child(tip, 0), 0), "Tekst", 14, 3);
    doc_node *item_para = child(child(child(doc->root, 3), 0), 0);
    assert_position(child(item_para, 2), "erna", 16, 28);
    /* generated text has no segments: the node's position plus characters */
    doc_node generated = {.type = NODE_TEXT, .text = "abc", .line = 3, .column = 4};
    int l, c;
    doc_text_position(&generated, 2, &l, &c);
    assert_int_equal(l, 3);
    assert_int_equal(c, 6);
    doc_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_meta_all_keys),
        cmocka_unit_test(test_meta_defaults),
        cmocka_unit_test(test_meta_errors),
        cmocka_unit_test(test_meta_missing_and_broken),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_lang_shapes),
        cmocka_unit_test(test_suggest),
        cmocka_unit_test(test_slug_from_file_name),
        cmocka_unit_test(test_contacts_loaded),
        cmocka_unit_test(test_contacts_errors),
        cmocka_unit_test(test_tel_uri),
        cmocka_unit_test(test_phone_forms),
        cmocka_unit_test(test_meta_hostile_strings),
        cmocka_unit_test(test_meta_limits),
        cmocka_unit_test(test_split_cr_only),
        cmocka_unit_test(test_diag_escapes),
        cmocka_unit_test(test_read_input_kinds),
        cmocka_unit_test(test_contacts_hostile),
        cmocka_unit_test(test_whole_document),
        cmocka_unit_test(test_heading_errors),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_alerts),
        cmocka_unit_test(test_alert_errors),
        cmocka_unit_test(test_links),
        cmocka_unit_test(test_contact_references),
        cmocka_unit_test(test_images),
        cmocka_unit_test(test_unsupported),
        cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_text_details),
        cmocka_unit_test(test_typography),
        /* body validation */
        cmocka_unit_test(test_spans),
        cmocka_unit_test(test_span_errors),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_leaked_markup),
        cmocka_unit_test(test_pasted_bullets),
        cmocka_unit_test(test_meta_lints),
        cmocka_unit_test(test_updated_in_future),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_text_limits),
        cmocka_unit_test(test_title_limits),
        cmocka_unit_test(test_bidi_controls),
        cmocka_unit_test(test_text_positions),
        cmocka_unit_test(test_linear_time),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
