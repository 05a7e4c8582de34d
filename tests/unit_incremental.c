/* Unit tests for incremental builds and reports: fingerprint.c (digests,
 * the file cache, contacts, style chains, what a document depends on),
 * state.c (the state file: round trip, every kind of damage, the
 * up-to-date check), report.c (JSON escaping, GitHub commands, SARIF
 * shape), shard.c and depfile.c.
 *
 * Each test works in a fresh mkdtemp folder, which is also the working
 * directory, so paths are short and relative as on the command line. */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */
#define _DEFAULT_SOURCE   /* utimensat */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "scratch_dir.h"
#include "contacts.h"
#include "depfile.h"
#include "diag.h"
#include "fingerprint.h"
#include "parse.h"
#include "report.h"
#include "shard.h"
#include "state.h"
#include "textutil.h"

static char work_dir[512];
static char previous_dir[PATH_MAX];

static int enter_temp(void **state)
{
    (void)state;
    if (!getcwd(previous_dir, sizeof previous_dir) ||
        !scratch_make(work_dir, sizeof work_dir, "incremental") || chdir(work_dir) != 0)
        return -1;
    return 0;
}

static int leave_temp(void **state)
{
    (void)state;
    if (chdir(previous_dir) != 0)
        return -1;
    return scratch_remove(work_dir);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* ---- fingerprint ------------------------------------------------------------ */

static void test_sha256_known_value(void **state)
{
    (void)state;
    fp_digest d;
    fp_digest_bytes("abc", 3, &d);
    assert_string_equal(d.hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static double ms_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Waits until a file changed now has settled (FP_RACY_NS and a little). */
static void settle(void)
{
    struct timespec t = {0, (long)(FP_RACY_NS + 30000000LL)};
    while (nanosleep(&t, &t) != 0)
        ;
}

static void test_file_cache_trusts_only_settled_files(void **state)
{
    (void)state;
    fp_file_cache cache = {0};
    fp_digest a, b;
    double written = ms_now();
    write_text("f.txt", "one");
    fp_file_digest(&cache, "f.txt", &a);
    bool quick = ms_now() - written < FP_RACY_NS / 2e6; /* not descheduled in between */
    fp_file_digest(&cache, "f.txt", &b); /* the same run: its first answer */
    assert_int_equal(cache.hashed, 1);
    if (quick) /* changed just before it was looked at: racily clean, not trusted */
        assert_false(fp_file_cache_find(&cache, "f.txt")->trusted);
    settle();
    fp_file_cache_next_run(&cache);
    fp_file_digest(&cache, "f.txt", &b);
    assert_int_equal(cache.hashed, quick ? 2 : 1);
    assert_string_equal(a.hex, b.hex);
    assert_true(fp_file_cache_find(&cache, "f.txt")->trusted); /* settled when looked at */
    size_t hashed = cache.hashed;
    fp_file_cache_next_run(&cache);
    fp_file_digest(&cache, "f.txt", &b);
    assert_int_equal(cache.hashed, hashed); /* its stat data stand for its bytes */
    assert_string_equal(a.hex, b.hex);

    /* same size, new bytes: noticed */
    write_text("f.txt", "two");
    fp_file_cache_next_run(&cache);
    fp_file_digest(&cache, "f.txt", &b);
    assert_int_equal(cache.hashed, ++hashed);
    assert_string_not_equal(a.hex, b.hex);

    /* same size and the old mtime put back (touch -r, an editor that keeps
     * it, a checkout): the ctime moved all the same */
    settle();
    fp_file_cache_next_run(&cache);
    fp_file_digest(&cache, "f.txt", &a);
    hashed = cache.hashed;
    struct stat before;
    assert_int_equal(stat("f.txt", &before), 0);
    write_text("f.txt", "six");
    struct timespec times[2] = {before.st_atim, before.st_mtim};
    assert_int_equal(utimensat(AT_FDCWD, "f.txt", times, 0), 0);
    fp_file_cache_next_run(&cache);
    fp_file_digest(&cache, "f.txt", &b);
    assert_int_equal(cache.hashed, hashed + 1);
    assert_string_not_equal(a.hex, b.hex);
    fp_digest six;
    fp_digest_bytes("six", 3, &six);
    assert_string_equal(b.hex, six.hex);

    unlink("f.txt");
    fp_file_cache_next_run(&cache);
    fp_file_digest(&cache, "f.txt", &b);
    assert_string_equal(b.hex, FP_MISSING);
    fp_file_cache_free(&cache);
}

/* The racy rule itself: an entry whose stat data match the file's but that
 * was not settled when recorded is read again, whatever digest it holds;
 * a settled one is believed (which is what makes a no-op cheap). */
static void test_racily_clean_entry_is_hashed_again(void **state)
{
    (void)state;
    write_text("r.txt", "new");
    fp_stat st;
    assert_true(fp_stat_path("r.txt", &st));
    fp_digest stale, real;
    fp_digest_bytes("old", 3, &stale); /* what it held when the entry was made */
    fp_digest_bytes("new", 3, &real);

    fp_file_cache cache = {0};
    fp_file_cache_put(&cache, "r.txt", &stale, &st, false); /* racily clean */
    fp_digest d;
    fp_file_digest(&cache, "r.txt", &d);
    assert_int_equal(cache.hashed, 1);
    assert_string_equal(d.hex, real.hex);
    fp_file_cache_free(&cache);

    fp_file_cache_put(&cache, "r.txt", &stale, &st, true); /* settled: believed */
    fp_file_digest(&cache, "r.txt", &d);
    assert_int_equal(cache.hashed, 0);
    assert_string_equal(d.hex, stale.hex);
    fp_file_cache_free(&cache);

    /* any one field of the stat data differing: read again */
    for (int field = 0; field < 4; field++) {
        fp_stat other = st;
        if (field == 0) other.size++;
        if (field == 1) other.mtime_ns++;
        if (field == 2) other.ctime_ns++;
        if (field == 3) other.ino++;
        fp_file_cache_put(&cache, "r.txt", &stale, &other, true);
        fp_file_digest(&cache, "r.txt", &d);
        assert_int_equal(cache.hashed, 1);
        assert_string_equal(d.hex, real.hex);
        fp_file_cache_free(&cache);
    }

    /* settled: the ctime more than FP_RACY_NS before the look, or 2 s for
     * whole-second stamps */
    int64_t seen = 1700000000LL * 1000000000LL + 500000000LL;
    fp_stat t = {.size = 1, .mtime_ns = seen - 10 * 1000000000LL};
    t.ctime_ns = seen - FP_RACY_NS / 2;
    assert_false(fp_settled(&t, seen));
    t.ctime_ns = seen - FP_RACY_NS;
    assert_false(fp_settled(&t, seen));
    t.ctime_ns = seen - FP_RACY_NS - 1;
    assert_true(fp_settled(&t, seen));
    t.mtime_ns = 1690000000LL * 1000000000LL;
    t.ctime_ns = 1700000000LL * 1000000000LL - 1000000000LL; /* 1.5 s before, whole seconds */
    assert_false(fp_settled(&t, seen));
    t.ctime_ns -= 1000000000LL;
    assert_true(fp_settled(&t, seen));
}

static void test_written_file_needs_no_reread(void **state)
{
    (void)state;
    fp_file_cache cache = {0};
    write_text("out.pdf", "%PDF-1.7 fake");
    fp_stat as_written;
    assert_true(fp_stat_path("out.pdf", &as_written));
    fp_digest d, expect;
    fp_digest_bytes("%PDF-1.7 fake", 13, &expect);
    fp_file_written(&cache, "out.pdf", &expect, &as_written);
    fp_file_digest(&cache, "out.pdf", &d);
    assert_int_equal(cache.hashed, 0);
    assert_string_equal(d.hex, expect.hex);
    /* just written: not settled when recorded, so read back once */
    fp_file_cache_next_run(&cache);
    fp_file_digest(&cache, "out.pdf", &d);
    assert_string_equal(d.hex, expect.hex);
    assert_int_equal(cache.hashed, 1);
    fp_file_cache_free(&cache);

    /* recorded once settled and untouched since the writer's stat: trusted */
    settle();
    fp_file_written(&cache, "out.pdf", &expect, &as_written);
    assert_true(fp_file_cache_find(&cache, "out.pdf")->trusted);
    fp_file_cache_next_run(&cache);
    fp_file_digest(&cache, "out.pdf", &d);
    assert_int_equal(cache.hashed, 0);
    fp_file_cache_free(&cache);

    /* changed between the writer's stat and the record (by hand, the same
     * size): not trusted, so the next run reads it and sees the change */
    write_text("out.pdf", "%PDF-1.7 hand");
    settle();
    fp_file_written(&cache, "out.pdf", &expect, &as_written);
    assert_false(fp_file_cache_find(&cache, "out.pdf")->trusted);
    fp_file_cache_next_run(&cache);
    fp_file_digest(&cache, "out.pdf", &d);
    assert_int_equal(cache.hashed, 1);
    assert_string_not_equal(d.hex, expect.hex);
    fp_file_cache_free(&cache);
    /* and with no stat of the writer's: never trusted */
    fp_file_written(&cache, "out.pdf", &expect, NULL);
    assert_false(fp_file_cache_find(&cache, "out.pdf")->trusted);
    fp_file_cache_free(&cache);
}

static contact sample_contact(char **phones)
{
    return (contact){.id = "x", .organisation = "Org", .department = NULL, .phones = phones,
                     .phone_count = 1, .email = "a@b.nl", .line = 3, .column = 1};
}

static void test_contact_digest_is_canonical(void **state)
{
    (void)state;
    char *phones[] = {"020 444 44 44"}, *other[] = {"020 444 44 45"};
    contact c = sample_contact(phones), moved = c, changed = sample_contact(other);
    moved.line = 40; /* where it is in the file does not reach a page */
    fp_digest a, b, d;
    fp_contact_digest(&c, &a);
    fp_contact_digest(&moved, &b);
    fp_contact_digest(&changed, &d);
    assert_string_equal(a.hex, b.hex);
    assert_string_not_equal(a.hex, d.hex);
    /* absent and empty differ; fields do not run into each other */
    contact empty_dept = c;
    empty_dept.department = "";
    fp_contact_digest(&empty_dept, &b);
    assert_string_not_equal(a.hex, b.hex);
    contact x1 = c, x2 = c;
    x1.organisation = "ab", x1.department = "c";
    x2.organisation = "a", x2.department = "bc";
    fp_contact_digest(&x1, &b);
    fp_contact_digest(&x2, &d);
    assert_string_not_equal(b.hex, d.hex);
    fp_contact_digest(NULL, &b);
    assert_string_equal(b.hex, FP_MISSING);
}

static void test_style_chain(void **state)
{
    (void)state;
    mkdir("st", 0777);
    write_text("st/a.yaml", "# a variant of b\nsuffix: -a\nextends: b\npage: {size: A5}\n");
    write_text("st/b.yaml", "extends: \"c\"\nbody:\n  extends: not-this-one\n");
    write_text("st/c.yaml", "suffix: \"\"\n");
    size_t n;
    char **chain = fp_style_chain("st", "a", &n);
    assert_int_equal(n, 3);
    assert_string_equal(chain[0], "st/a.yaml");
    assert_string_equal(chain[1], "st/b.yaml");
    assert_string_equal(chain[2], "st/c.yaml");
    for (size_t i = 0; i < n; i++)
        free(chain[i]);
    free(chain);

    write_text("st/c.yaml", "extends: a\n"); /* a cycle ends the chain */
    chain = fp_style_chain("st", "a", &n);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        free(chain[i]);
    free(chain);

    write_text("st/c.yaml", "extends: gone\n"); /* the missing parent is listed */
    chain = fp_style_chain("st", "a", &n);
    assert_int_equal(n, 4);
    assert_string_equal(chain[3], "st/gone.yaml");
    for (size_t i = 0; i < n; i++)
        free(chain[i]);
    free(chain);
}

static bool has_dep(const dep_list *l, dep_kind kind, const char *name)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].kind == kind && strcmp(l->items[i].name, name) == 0)
            return true;
    return false;
}

static void test_variant_deps_read_each_chain_once_per_run(void **state)
{
    (void)state;
    mkdir("st", 0777);
    write_text("st/house.yaml", "suffix: \"\"\n");
    write_text("st/big.yaml", "extends: house\nsuffix: -big\n");
    fp_file_cache cache = {0};
    dep_list a = {0}, b = {0};
    fp_variant_deps(&a, &cache, "x.md", "st", "big", "fonts", "profiles/p.icc");
    assert_true(has_dep(&a, DEP_FILE, "x.md"));
    assert_true(has_dep(&a, DEP_FILE, "st/big.yaml"));
    assert_true(has_dep(&a, DEP_FILE, "st/house.yaml"));
    assert_true(has_dep(&a, DEP_DIR, "fonts"));
    assert_true(has_dep(&a, DEP_FILE, "profiles/p.icc"));
    assert_true(has_dep(&a, DEP_VALUE, "SOURCE_DATE_EPOCH"));
    /* within a run the chain is remembered: a change shows in the next run */
    write_text("st/big.yaml", "suffix: -big\n");
    fp_variant_deps(&b, &cache, "y.md", "st", "big", "fonts", NULL);
    assert_true(has_dep(&b, DEP_FILE, "st/house.yaml"));
    assert_false(has_dep(&b, DEP_FILE, "profiles/p.icc"));
    dep_list_free(&b);
    fp_file_cache_next_run(&cache);
    fp_variant_deps(&b, &cache, "y.md", "st", "big", "fonts", NULL);
    assert_false(has_dep(&b, DEP_FILE, "st/house.yaml"));
    dep_list_free(&a);
    dep_list_free(&b);
    fp_file_cache_free(&cache);
}

static const char CONTACTS[] =
    "alpha:\n  organisation: A\n  phones: [\"020 111 11 11\"]\n"
    "beta:\n  organisation: B\n  phones: [\"020 222 22 22\"]\n  email: b@example.nl\n"
    "gamma:\n  organisation: C\n  phones: [\"020 333 33 33\"]\n  website: https://c.example.nl\n"
    "delta:\n  organisation: D\n  phones: [\"020 444 44 44\"]\n";

static void test_document_deps_name_exactly_the_contacts_shown(void **state)
{
    (void)state;
    write_text("contacts.yaml", CONTACTS);
    /* a real PNG is not needed: the parse only records the path */
    write_text("t.md", "---\ntitle: T\nlang: nl-NL\npublisher: P\nupdated: 2020-02\n"
                       "contacts: [alpha]\n---\n# T\n\nBel [](contact:beta#email) of "
                       "[](contact:gamma#website).\n");
    diag_list diags;
    diag_init(&diags);
    contact_registry reg = {0};
    assert_true(contacts_load("contacts.yaml", &reg, &diags));
    document *doc = parse_leaflet("t.md", &reg, ".", &diags);
    assert_non_null(doc);
    for (size_t i = 0; i < diags.count; i++)
        print_message("%s\n", diags.items[i].message);
    assert_int_equal(diags.errors, 0);
    dep_list deps = {0};
    fp_document_deps(&deps, doc, &reg);
    assert_true(has_dep(&deps, DEP_FILE, "t.md"));
    assert_true(has_dep(&deps, DEP_CONTACT, "alpha"));
    assert_true(has_dep(&deps, DEP_CONTACT, "beta"));
    assert_true(has_dep(&deps, DEP_CONTACT, "gamma"));
    assert_false(has_dep(&deps, DEP_CONTACT, "delta"));
    /* what hyphenation reads: the patterns and the Dutch word list (its
     * compounds break between their parts), installed or not */
    bool patterns = false, word_list = false;
    for (size_t i = 0; i < deps.count; i++) {
        patterns = patterns || strstr(deps.items[i].name, "hyph_nl_NL.dic");
        word_list = word_list || strstr(deps.items[i].name, "/dutch");
    }
    assert_true(patterns);
    assert_true(word_list);
    dep_list_free(&deps);
    doc_free(doc);

    /* a phone reference to delta: now it shows delta */
    write_text("t.md", "---\ntitle: T\nlang: nl-NL\npublisher: P\nupdated: 2020-02\n---\n"
                       "# T\n\nBel [](contact:delta).\n");
    doc = parse_leaflet("t.md", &reg, ".", &diags);
    assert_int_equal(diags.errors, 0);
    fp_document_deps(&deps, doc, &reg);
    assert_true(has_dep(&deps, DEP_CONTACT, "delta"));
    assert_false(has_dep(&deps, DEP_CONTACT, "alpha"));
    dep_list_free(&deps);
    doc_free(doc);
    contacts_free(&reg);
    diag_free(&diags);
}

static void test_combine_ignores_order_and_explain_names_the_change(void **state)
{
    (void)state;
    dep_list a = {0}, b = {0};
    dep_list_add(&a, DEP_FILE, "x.md", "1111");
    dep_list_add(&a, DEP_CONTACT, "alpha", "2222");
    dep_list_add(&b, DEP_CONTACT, "alpha", "2222");
    dep_list_add(&b, DEP_FILE, "x.md", "1111");
    dep_list_add(&b, DEP_FILE, "x.md", "9999"); /* a duplicate is ignored */
    fp_digest fa, fb;
    fp_combine(&a, &fa);
    fp_combine(&b, &fb);
    assert_string_equal(fa.hex, fb.hex);
    assert_null(fp_explain(&a, &b));

    snprintf(b.items[0].digest.hex, sizeof b.items[0].digest.hex, "3333");
    char *why = fp_explain(&a, &b);
    assert_string_equal(why, "contact 'alpha' changed");
    free(why);
    snprintf(b.items[0].digest.hex, sizeof b.items[0].digest.hex, FP_MISSING);
    why = fp_explain(&a, &b);
    assert_string_equal(why, "contact 'alpha' is gone from the registry");
    free(why);
    dep_list_add(&b, DEP_VALUE, "SOURCE_DATE_EPOCH", "4444");
    snprintf(b.items[0].digest.hex, sizeof b.items[0].digest.hex, "2222");
    why = fp_explain(&a, &b);
    assert_string_equal(why, "SOURCE_DATE_EPOCH is a new input");
    free(why);
    dep_list_free(&a);
    dep_list_free(&b);
}

static void test_values_follow_the_environment(void **state)
{
    (void)state;
    dep_list l = {0};
    dep_list_add(&l, DEP_VALUE, "SOURCE_DATE_EPOCH", NULL);
    dep_list_add(&l, DEP_VALUE, "from-a-future-version", NULL);
    fp_context ctx = {0};
    unsetenv("SOURCE_DATE_EPOCH");
    fp_evaluate(&ctx, &l);
    fp_digest unset = l.items[0].digest;
    assert_string_equal(l.items[1].digest.hex, FP_MISSING);
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    fp_evaluate(&ctx, &l);
    assert_string_not_equal(unset.hex, l.items[0].digest.hex);
    unsetenv("SOURCE_DATE_EPOCH");
    dep_list_free(&l);
}

/* ---- state ------------------------------------------------------------------ */

/* A state with one output built from x.md (and a contact), written to out/x.pdf. */
static void make_state(leaf_state *st, fp_context *ctx)
{
    memset(st, 0, sizeof *st);
    mkdir("out", 0777);
    write_text("x.md", "source");
    write_text("out/x.pdf", "pdf bytes");
    write_text("out/x-01.png", "png");
    ctx->files = &st->files;
    ctx->registry = NULL;
    state_output o = {0};
    o.path = xstrdup("out/x.pdf");
    o.kind = xstrdup("screen");
    o.source = xstrdup("x.md");
    o.variant = xstrdup("x with space%");
    o.pages = 4;
    o.time_ms = 12;
    fp_digest d;
    fp_file_digest(ctx->files, "out/x.pdf", &d);
    state_output_add_file(&o, "out/x.pdf", &d, 9);
    fp_file_digest(ctx->files, "out/x-01.png", &d);
    state_output_add_file(&o, "out/x-01.png", &d, 3);
    dep_list_add(&o.deps, DEP_FILE, "x.md", NULL);
    dep_list_add(&o.deps, DEP_CONTACT, "alpha", NULL);
    fp_evaluate(ctx, &o.deps);
    fp_combine(&o.deps, &o.fingerprint);
    state_put(st, &o);
}

static void test_state_round_trip(void **state)
{
    (void)state;
    leaf_state st, back = {0};
    fp_context ctx;
    make_state(&st, &ctx);
    char *text = state_format(&st);
    char *problem = NULL;
    assert_true(state_parse(&back, text, strlen(text), &problem));
    assert_null(problem);
    assert_int_equal(back.count, 1);
    const state_output *o = state_find(&back, "out/x.pdf");
    assert_non_null(o);
    assert_string_equal(o->variant, "x with space%");
    assert_int_equal(o->pages, 4);
    assert_int_equal(o->file_count, 2);
    assert_int_equal(o->deps.count, 2);
    assert_string_equal(o->fingerprint.hex, st.outputs[0].fingerprint.hex);
    char *again = state_format(&back);
    assert_string_equal(text, again);
    free(again);
    /* a second output with the same inputs names the first instead of listing them */
    state_output twin = {.path = xstrdup("out/print/x.pdf"), .kind = xstrdup("print"),
                         .source = xstrdup("x.md"), .variant = xstrdup("x"), .pages = 4};
    fp_digest d;
    fp_digest_bytes("print", 5, &d);
    state_output_add_file(&twin, "out/print/x.pdf", &d, 5);
    dep_list_merge(&twin.deps, &st.outputs[0].deps);
    twin.fingerprint = st.outputs[0].fingerprint;
    state_put(&back, &twin);
    again = state_format(&back);
    assert_non_null(strstr(again, "deps-like out/x.pdf\n"));
    leaf_state third = {0};
    assert_true(state_parse(&third, again, strlen(again), &problem));
    const state_output *t = state_find(&third, "out/print/x.pdf");
    assert_non_null(t);
    assert_int_equal(t->deps.count, 2);
    assert_string_equal(t->deps.items[1].name, "alpha");
    assert_string_equal(t->deps.items[0].digest.hex, st.outputs[0].deps.items[0].digest.hex);
    char *thrice = state_format(&third);
    assert_string_equal(thrice, again);
    free(thrice);
    state_free(&third);
    /* an entry put again under its path replaces the old one */
    state_output again_o = {.path = xstrdup("out/x.pdf"), .kind = xstrdup("print"), .source = xstrdup("x.md"),
                      .variant = xstrdup("x"), .pages = 9};
    state_put(&back, &again_o);
    assert_int_equal(back.count, 2); /* with the twin */
    assert_int_equal(state_find(&back, "out/x.pdf")->pages, 9);
    assert_string_equal(state_find(&back, "out/x.pdf")->kind, "print");
    free(again);
    free(text);
    state_free(&back);
    state_free(&st);
}

/* Every truncation and every changed byte of a state must load as empty,
 * with a reason: never a crash, never a half-read state that skips. */
static void test_state_damage_means_rebuild(void **state)
{
    (void)state;
    leaf_state st, back = {0};
    fp_context ctx;
    make_state(&st, &ctx);
    char *text = state_format(&st);
    size_t length = strlen(text);
    for (size_t cut = 0; cut < length; cut++) {
        char *problem = NULL;
        assert_false(state_parse(&back, text, cut, &problem));
        assert_non_null(problem);
        assert_int_equal(back.count, 0);
        free(problem);
    }
    for (size_t i = 0; i < length; i++) {
        char *copy = xstrdup(text);
        copy[i] = copy[i] == 'a' ? 'b' : (copy[i] == '\n' ? ' ' : 'a');
        char *problem = NULL;
        assert_false(state_parse(&back, copy, length, &problem));
        assert_int_equal(back.count, 0);
        free(problem);
        free(copy);
    }
    static const char *const foreign[] = {
        "", "\n", "leafpress-state 2\ncheckswhatever\n", "{\"json\": true}\n",
        "leafpress-state 1\nend\n", "\x7f" "ELF\x01\x02\n",
    };
    for (size_t i = 0; i < sizeof foreign / sizeof *foreign; i++) {
        char *problem = NULL;
        assert_false(state_parse(&back, foreign[i], strlen(foreign[i]), &problem));
        assert_non_null(problem);
        free(problem);
    }
    /* another version with a valid checksum (the one before, which kept no
     * ctime): foreign, not trusted */
    strbuf v2 = {0};
    strbuf_puts(&v2, "leafpress-state 1\n");
    char sum[STATE_CHECKSUM_LENGTH + 1];
    state_checksum(v2.data, v2.length, sum);
    strbuf_printf(&v2, "checksum %s\n", sum);
    char *problem = NULL;
    assert_false(state_parse(&back, v2.data, v2.length, &problem));
    assert_non_null(strstr(problem, "another format version"));
    free(problem);
    free(v2.data);
    /* a missing file */
    state_load(&back, "no/such/state", &problem);
    assert_string_equal(problem, "no state file yet");
    free(problem);
    free(text);
    state_free(&back);
    state_free(&st);
}

static void test_state_save_is_atomic_and_loads(void **state)
{
    (void)state;
    leaf_state st, back;
    fp_context ctx;
    make_state(&st, &ctx);
    diag_list diags;
    diag_init(&diags);
    char *path = state_path("out");
    assert_string_equal(path, "out/.leafpress-state");
    assert_true(state_save(&st, path, &diags));
    char *problem = NULL;
    state_load(&back, path, &problem);
    assert_null(problem);
    assert_int_equal(back.count, 1);
    /* no temporary left behind, and as readable as the user's other files */
    assert_int_equal(access("out/.leafpress-state.tmp", F_OK), -1);
    mode_t mask = umask(022);
    struct stat info;
    assert_int_equal(stat(path, &info), 0);
    assert_int_equal(info.st_mode & 0777, 0666 & ~mask);
    umask(mask);
    state_free(&back);
    /* a folder that is not there: a warning, not a crash */
    assert_false(state_save(&st, "no/such/dir/state", &diags));
    assert_int_equal(diags.count, 1);
    assert_int_equal(diags.items[0].level, SEVERITY_WARNING);
    free(path);
    diag_free(&diags);
    state_free(&st);
}

/* state_check as a new run would see it: every file looked at afresh. */
static bool check_now(leaf_state *st, fp_context *ctx, const char *path, const dep_list *fresh,
                      char **why)
{
    fp_file_cache_next_run(ctx->files);
    return state_check(st, ctx, path, fresh, why);
}

static void test_state_check(void **state)
{
    (void)state;
    leaf_state st;
    fp_context ctx;
    make_state(&st, &ctx);
    dep_list fresh = {0};
    dep_list_add(&fresh, DEP_FILE, "x.md", NULL);
    char *why = NULL;
    assert_true(check_now(&st, &ctx, "out/x.pdf", &fresh, &why));
    assert_null(why);

    assert_false(check_now(&st, &ctx, "out/other.pdf", &fresh, &why));
    assert_string_equal(why, "not built yet");
    free(why);

    write_text("x.md", "edited");
    assert_false(check_now(&st, &ctx, "out/x.pdf", &fresh, &why));
    assert_string_equal(why, "x.md changed");
    free(why);
    write_text("x.md", "source");
    assert_true(check_now(&st, &ctx, "out/x.pdf", &fresh, &why));

    write_text("out/x-01.png", "PNG"); /* edited by hand, same size */
    assert_false(check_now(&st, &ctx, "out/x.pdf", &fresh, &why));
    assert_string_equal(why, "out/x-01.png was changed after leafpress wrote it");
    free(why);
    unlink("out/x-01.png");
    assert_false(check_now(&st, &ctx, "out/x.pdf", &fresh, &why));
    assert_string_equal(why, "out/x-01.png is missing");
    free(why);
    write_text("out/x-01.png", "png");

    /* the plan now adds a style to its inputs */
    dep_list_add(&fresh, DEP_FILE, "styles/new.yaml", NULL);
    assert_false(check_now(&st, &ctx, "out/x.pdf", &fresh, &why));
    assert_string_equal(why, "styles/new.yaml is a new input");
    free(why);
    dep_list_free(&fresh);
    state_free(&st);
}

/* ---- report ------------------------------------------------------------------ */

static void test_json_string_escapes(void **state)
{
    (void)state;
    strbuf b = {0};
    json_string(&b, "a\"b\\c\n\t\x01\x7f" "é\xff\xc3(\xed\xa0\x80z");
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f" "é\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffdz\"");
    free(b.data);
}

static void test_github_command_escapes(void **state)
{
    (void)state;
    diag d = {.level = SEVERITY_ERROR, .file = "sources/a,b:c.md", .line = 12, .column = 5,
              .message = "100% wrong\nsecond line, with: colon"};
    char *cmd = diag_github_command(&d);
    assert_string_equal(cmd, "::error file=sources/a%2Cb%3Ac.md,line=12,col=5,title=leafpress::"
                             "sources/a,b:c.md:12:5: error: 100%25 wrong%0Asecond line, with: colon");
    free(cmd);
    diag w = {.level = SEVERITY_WARNING, .message = "no file"};
    cmd = diag_github_command(&w);
    assert_string_equal(cmd, "::warning title=leafpress::leafpress: warning: no file");
    free(cmd);
    diag n = {.level = SEVERITY_NOTE, .file = "x.md", .message = "m"};
    cmd = diag_github_command(&n);
    assert_string_equal(cmd, "::notice file=x.md,title=leafpress::x.md: note: m");
    free(cmd);
}

static void test_sarif_has_one_result_per_diagnostic(void **state)
{
    (void)state;
    run_report r = {.command = "check"};
    diag a = {.level = SEVERITY_ERROR, .file = "sources/a b.md", .line = 3, .column = 7,
              .message = "bad \"x\""};
    diag b = {.level = SEVERITY_WARNING, .message = "whole run"};
    report_add_diag(&r, &a, "sources/a b.md");
    report_add_diag(&r, &b, NULL);
    char *s = report_sarif(&r, "/work/p q");
    size_t results = 0;
    for (const char *p = s; (p = strstr(p, "\"ruleId\"")); p++)
        results++;
    assert_int_equal(results, 2);
    assert_non_null(strstr(s, "\"version\": \"2.1.0\""));
    assert_non_null(strstr(s, "\"uri\": \"sources/a%20b.md\""));
    assert_non_null(strstr(s, "\"uri\": \"file:///work/p%20q/\""));
    assert_non_null(strstr(s, "\"startLine\": 3, \"startColumn\": 7"));
    free(s);
    report_free(&r);
}

static void test_report_json_totals(void **state)
{
    (void)state;
    run_report r = {.command = "build", .leaflets = 1};
    report_output o = {.source = xstrdup("s.md"), .variant = xstrdup("s"), .kind = xstrdup("screen"),
                       .path = xstrdup("out/s.pdf"), .status = STATUS_BUILT, .pages = 2, .bytes = 10};
    fp_digest_bytes("x", 1, &o.sha256);
    report_output_add_file(&o, "out/s.pdf", 10, &o.sha256);
    report_add_output(&r, &o);
    report_output f = {.source = xstrdup("s.md"), .variant = xstrdup("s"), .kind = xstrdup("print"),
                       .path = xstrdup("out/print/s.pdf"), .status = STATUS_FAILED, .pages = -1,
                       .bytes = -1};
    report_add_output(&r, &f);
    char *j = report_json(&r);
    assert_non_null(strstr(j, "\"version\": 1,"));
    assert_non_null(strstr(j, "\"built\": 1, \"unchanged\": 0, \"failed\": 1"));
    assert_non_null(strstr(j, "\"pages\": null, \"bytes\": null, \"sha256\": null"));
    free(j);
    report_free(&r);
}

/* ---- shard --------------------------------------------------------------------- */

static void test_shard_parse(void **state)
{
    (void)state;
    size_t k, n;
    assert_true(shard_parse("1/1", &k, &n));
    assert_true(shard_parse("3/4", &k, &n));
    assert_int_equal(k, 3);
    assert_int_equal(n, 4);
    static const char *const bad[] = {"0/4", "5/4", "1/0", "a/b", "1/", "/4", "1/4x", "-1/4",
                                      "1 /4", "", "1/10001", " 1/2"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(shard_parse(bad[i], &k, &n));
}

static void test_shards_partition_and_balance(void **state)
{
    (void)state;
    enum { COUNT = 500 };
    char *names[COUNT], *shuffled[COUNT];
    uint64_t sizes[COUNT], shuffled_sizes[COUNT];
    size_t of[COUNT], of2[COUNT];
    unsigned seed = 7;
    for (size_t i = 0; i < COUNT; i++) {
        char name[32];
        snprintf(name, sizeof name, "sources/leaflet-%03zu.md", (i * 7919) % COUNT);
        names[i] = xstrdup(name);
        seed = seed * 1103515245 + 12345;
        sizes[i] = (seed >> 8) % 60000;
    }
    uint64_t largest = 0, total = 0;
    for (size_t i = 0; i < COUNT; i++) {
        largest = sizes[i] + SHARD_FIXED_COST > largest ? sizes[i] + SHARD_FIXED_COST : largest;
        total += sizes[i] + SHARD_FIXED_COST;
    }
    for (size_t n = 1; n <= 13; n++) {
        shard_assign(names, sizes, COUNT, n, of);
        uint64_t load[13] = {0};
        for (size_t i = 0; i < COUNT; i++) {
            assert_true(of[i] < n); /* every source in exactly one shard */
            load[of[i]] += sizes[i] + SHARD_FIXED_COST;
        }
        for (size_t s = 0; s < n; s++) /* within one source of an even split */
            assert_true(load[s] + largest >= total / n && load[s] <= total / n + largest);
        /* the input order does not matter, only the paths */
        for (size_t i = 0; i < COUNT; i++) {
            shuffled[i] = names[(i * 31) % COUNT];
            shuffled_sizes[i] = sizes[(i * 31) % COUNT];
        }
        shard_assign(shuffled, shuffled_sizes, COUNT, n, of2);
        for (size_t i = 0; i < COUNT; i++)
            assert_int_equal(of2[i], of[(i * 31) % COUNT]);
    }
    for (size_t i = 0; i < COUNT; i++)
        free(names[i]);
}

static void test_shard_select_keeps_order(void **state)
{
    (void)state;
    write_text("b.md", "bb");
    write_text("a.md", "a");
    write_text("c.md", "ccc");
    char *all[] = {"c.md", "a.md", "b.md", "missing.md"};
    size_t seen = 0;
    for (size_t k = 1; k <= 3; k++) {
        char *copy[4];
        memcpy(copy, all, sizeof all);
        size_t n = shard_select(copy, 4, k, 3);
        seen += n;
        /* a subsequence of the given order (not re-sorted by path) */
        for (size_t i = 0, j = 0; i < n; i++, j++) {
            while (j < 4 && strcmp(all[j], copy[i]) != 0)
                j++;
            assert_true(j < 4);
        }
    }
    assert_int_equal(seen, 4);
}

/* ---- depfile ------------------------------------------------------------------- */

static void test_depfile_escapes_and_lists_folders(void **state)
{
    (void)state;
    mkdir("fonts", 0777);
    write_text("fonts/b.ttf", "b");
    write_text("fonts/a.ttf", "a");
    write_text("my leaflet.md", "x");
    depfile df = {0};
    dep_list deps = {0};
    dep_list_add(&deps, DEP_FILE, "my leaflet.md", "00");
    dep_list_add(&deps, DEP_FILE, "gone.png", FP_MISSING);
    dep_list_add(&deps, DEP_DIR, "fonts", "00");
    dep_list_add(&deps, DEP_CONTACT, "alpha", "00");
    dep_list_add(&deps, DEP_VALUE, "leafpress", "00");
    char *targets[] = {"out/a$b.pdf", "out/#1.png"};
    depfile_add(&df, targets, 2, &deps, "sources/contacts.yaml");
    char *text = depfile_take(&df);
    assert_string_equal(text,
                        "out/a$$b.pdf out/\\#1.png: \\\n  my\\ leaflet.md \\\n  fonts \\\n"
                        "  fonts/a.ttf \\\n  fonts/b.ttf \\\n  sources/contacts.yaml\n"
                        "\nmy\\ leaflet.md:\n\nfonts:\n\nfonts/a.ttf:\n\nfonts/b.ttf:\n"
                        "\nsources/contacts.yaml:\n");
    free(text);
    dep_list_free(&deps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_known_value),
        cmocka_unit_test_setup_teardown(test_file_cache_trusts_only_settled_files, enter_temp, leave_temp),
        cmocka_unit_test_setup_teardown(test_racily_clean_entry_is_hashed_again, enter_temp, leave_temp),
        cmocka_unit_test_setup_teardown(test_written_file_needs_no_reread, enter_temp, leave_temp),
        cmocka_unit_test(test_contact_digest_is_canonical),
        cmocka_unit_test_setup_teardown(test_style_chain, enter_temp, leave_temp),
        cmocka_unit_test_setup_teardown(test_variant_deps_read_each_chain_once_per_run, enter_temp, leave_temp),
        cmocka_unit_test_setup_teardown(test_document_deps_name_exactly_the_contacts_shown, enter_temp, leave_temp),
        cmocka_unit_test(test_combine_ignores_order_and_explain_names_the_change),
        cmocka_unit_test(test_values_follow_the_environment),
        cmocka_unit_test_setup_teardown(test_state_round_trip, enter_temp, leave_temp),
        cmocka_unit_test_setup_teardown(test_state_damage_means_rebuild, enter_temp, leave_temp),
        cmocka_unit_test_setup_teardown(test_state_save_is_atomic_and_loads, enter_temp, leave_temp),
        cmocka_unit_test_setup_teardown(test_state_check, enter_temp, leave_temp),
        cmocka_unit_test(test_json_string_escapes),
        cmocka_unit_test(test_github_command_escapes),
        cmocka_unit_test(test_sarif_has_one_result_per_diagnostic),
        cmocka_unit_test(test_report_json_totals),
        cmocka_unit_test(test_shard_parse),
        cmocka_unit_test(test_shards_partition_and_balance),
        cmocka_unit_test_setup_teardown(test_shard_select_keeps_order, enter_temp, leave_temp),
        cmocka_unit_test_setup_teardown(test_depfile_escapes_and_lists_folders, enter_temp, leave_temp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
