/* Fingerprints: what an output depends on, so that a build can skip an
 * output whose inputs are as they were when it was written.
 *
 * An output's inputs are a list of dependencies, each a name and the
 * SHA-256 of its current value:
 *
 *   file     a file's bytes (a missing file has the digest "-"): the source,
 *            every image it uses, each style file of its `extends` chain,
 *            each theme file of its theme's chain (front matter `theme:`),
 *            the print profile, the hyphenation patterns of its language
 *   dir      a folder's sorted listing with each regular file's digest (fonts)
 *   contact  one entry of the contact registry, serialised canonically
 *            (every field that can reach a page, none of its position in
 *            the file), "-" when the id is not in the registry
 *   value    leafpress's version, the libraries it was compiled against,
 *            SOURCE_DATE_EPOCH ("unset" when not set)
 *
 * The fingerprint is the SHA-256 of the sorted "kind name digest" lines, so
 * two lists with the same dependencies have one fingerprint whatever their
 * order. Dependencies that only a parsed source reveals (images, contacts,
 * the language) are found by fingerprint_document_deps after a build and
 * kept in the state file; the rest (fingerprint_variant_deps) are worked
 * out afresh each run, so a different --styles or --fonts folder, or a
 * style added to the chain, changes the fingerprint too.
 *
 * File digests go through a file_cache that trusts a previous digest only
 * while the file's stat data (size, mtime and ctime in ns, inode) are
 * unchanged, and only when the file had settled before it was looked at:
 * its ctime lay more than FP_RACY_NS before that moment (git's "racily
 * clean" rule). A change to a file moves its ctime to the time of the
 * change, which nothing but the clock can set; so a file changed after it
 * was looked at has another ctime, and one changed just before it was
 * looked at (maybe again within the same clock tick) is never trusted. */
#ifndef LEAFPRESS_FINGERPRINT_H
#define LEAFPRESS_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"

#define FP_DIGEST_LENGTH 64  /* hex characters of a SHA-256 */
#define FP_MISSING "-"       /* the digest of something that is not there */
/* How long before the moment a file is looked at its ctime must lie for
 * its stat data to stand in for its bytes. The moment is read from the
 * clock the kernel stamps files with (CLOCK_REALTIME_COARSE), so any
 * margin would do on a local disk; this one absorbs a file server's clock
 * a little ahead. Whole-second stamps (nanoseconds 0: FAT, old ext3,
 * some servers) need FP_RACY_COARSE_NS. */
#define FP_RACY_NS 100000000LL
#define FP_RACY_COARSE_NS 2000000000LL

typedef struct fp_digest {
    char hex[FP_DIGEST_LENGTH + 1]; /* NUL-terminated; FP_MISSING when absent */
} fp_digest;

void fp_digest_bytes(const void *data, size_t length, fp_digest *out);

/* ---- file digests, cached by stat data ----------------------------------- */

/* What a stat says of a file, as far as the cache compares it. */
typedef struct fp_stat {
    int64_t size, mtime_ns, ctime_ns;
    uint64_t ino;
} fp_stat;

/* path's stat data; false (and *out zeroed) when it is no regular file. */
bool fp_stat_path(const char *path, fp_stat *out);
/* Whether a file with stat data st, looked at no earlier than seen_ns (see
 * fp_clock_ns), had settled: FP_RACY_NS (or FP_RACY_COARSE_NS) before. */
bool fp_settled(const fp_stat *st, int64_t seen_ns);
/* The clock files are stamped with, in ns. */
int64_t fp_clock_ns(void);

typedef struct fp_file_entry {
    char *path;
    fp_digest digest;
    fp_stat stat;
    bool trusted;              /* the stat data may stand in for the bytes */
    bool used;                 /* looked at in this run: its digest is the run's answer */
    bool folder;               /* a folder's digest, for this run only (never saved) */
} fp_file_entry;

/* Within one run every path is looked at once: a second question about the
 * same file or folder gets the first answer, with no stat. A run is one
 * snapshot of its inputs. */
typedef struct fp_file_cache {
    fp_file_entry *items;
    size_t count, capacity;
    struct _GHashTable *index; /* path -> position + 1 */
    struct _GHashTable *chains;/* style file -> its extends chain (char **), this run */
    struct _GHashTable *contacts; /* contact id -> its digest (fp_digest *), this run */
    const void *contacts_of;   /* the registry those digests are of */
    size_t hashed;             /* files read and hashed in this run (for tests, bench) */
    size_t *journal;           /* positions of the entries hashed, in order (repeats possible) */
    size_t journal_count, journal_capacity;
    bool changed;              /* an entry was added or updated: worth saving */
} fp_file_cache;

void fp_file_cache_free(fp_file_cache *cache);
/* Starts another run: every file and folder will be looked at again
 * (the tests; a long-lived process would). */
void fp_file_cache_next_run(fp_file_cache *cache);
/* The entry for path, or NULL. */
fp_file_entry *fp_file_cache_find(fp_file_cache *cache, const char *path);
/* Adds a remembered entry (from the state file). */
void fp_file_cache_put(fp_file_cache *cache, const char *path, const fp_digest *digest,
                       const fp_stat *stat, bool trusted);
/* The digest of path's bytes now; FP_MISSING when it is not a readable
 * regular file. Reads the file only when the cache cannot vouch for it. */
void fp_file_digest(fp_file_cache *cache, const char *path, fp_digest *out);
/* Records the digest of bytes written to path (no need to read them back).
 * as_written is what a stat said right after the write (NULL: unknown).
 * Trusted from the next run on when path's stat data now are still those
 * (nobody touched it since) and settled; else read back once. */
void fp_file_written(fp_file_cache *cache, const char *path, const fp_digest *digest,
                     const fp_stat *as_written);

/* ---- style files, read once per process --------------------------------- */

/* read_input (textutil.h) through a cache: the bytes of a file read before
 * are handed out again (a copy, caller frees) while its stat data are those
 * it had when read, and it had settled then (fp_settled); anything else is
 * read afresh. For the style and theme files that the loader, the planner
 * and the fingerprints each read. */
char *fp_read_input(const char *path, size_t max_bytes, size_t *length, char **why);
/* Something worked out from a file's bytes ("what": which question), kept
 * with them: true with *value (a copy or NULL) while the bytes fp_read_input
 * gave are still the file's; fp_remember keeps an answer for them. */
bool fp_recall(const char *path, const char *what, char **value);
void fp_remember(const char *path, const char *what, const char *value);

/* ---- dependencies ------------------------------------------------------ */

typedef enum { DEP_FILE, DEP_DIR, DEP_CONTACT, DEP_VALUE, DEP_KIND_COUNT } dep_kind;

typedef struct dep {
    dep_kind kind;
    char *name;                /* path, contact id or value name */
    fp_digest digest;          /* "" until evaluated */
} dep;

typedef struct dep_list {
    dep *items;
    size_t count, capacity;
} dep_list;

void dep_list_free(dep_list *list);
/* Adds (kind, name) unless it is there already; digest may be NULL (evaluate later). */
void dep_list_add(dep_list *list, dep_kind kind, const char *name, const char *digest);
/* Appends every entry of `from` that `to` lacks. */
void dep_list_merge(dep_list *to, const dep_list *from);
const char *dep_kind_name(dep_kind kind);          /* "file", "dir", "contact", "value" */
bool dep_kind_parse(const char *name, dep_kind *kind);

/* What evaluating dependencies needs. */
typedef struct fp_context {
    fp_file_cache *files;
    const contact_registry *registry;  /* may be NULL: every contact is missing */
} fp_context;

/* Fills in every entry's current digest. */
void fp_evaluate(const fp_context *ctx, dep_list *list);
/* SHA-256 of the sorted "kind name digest" lines of an evaluated list. */
void fp_combine(const dep_list *list, fp_digest *out);

/* The canonical digest of one contact (NULL: FP_MISSING). */
void fp_contact_digest(const contact *c, fp_digest *out);

/* The style files of NAME's `extends` chain, NAME's own first:
 * styles_dir/NAME.yaml, its parent's, ... Reads only each file's top-level
 * `extends` (libyaml); stops at a missing or unreadable file (which is
 * listed: it is what the build will complain about) or a cycle. */
char **fp_style_chain(const char *styles_dir, const char *name, size_t *count);

/* The dependencies an output has whatever its source says: the source
 * file itself, its style's chain, the fonts folder, the print profile
 * (profile: NULL when this kind of output does not use one), leafpress's
 * version, the libraries and SOURCE_DATE_EPOCH. Not yet evaluated. */
void fp_variant_deps(dep_list *list, fp_file_cache *cache, const char *source,
                     const char *styles_dir, const char *style_name, const char *fonts_dir,
                     const char *profile);

/* Adds each file of the theme's chain, themes_dir/THEME.yaml first, then
 * the themes it extends (read like fp_style_chain). Nothing when theme is
 * NULL. Not yet evaluated. */
void fp_theme_deps(dep_list *list, fp_file_cache *cache, const char *themes_dir,
                   const char *theme);

/* The dependencies a parsed source reveals: the source file, every image
 * it shows, every contact it shows (front matter `contacts`, and every
 * contact whose phone link, e-mail or web address a link in the body
 * carries: a contact reference is expanded into one of those), and the
 * hyphenation patterns its language would load. Not yet evaluated. */
void fp_document_deps(dep_list *list, const document *doc, const contact_registry *registry);
/* An image by its real path (the parser's, or a style's cover.logo), kept
 * relative to the project root when it is inside it. */
void fp_image_dep(dep_list *list, const char *real_path);

/* The first difference between what an output was built from and what it
 * would be built from now, in words ("sources/net.md changed", "contact
 * 'x' changed", "styles/x.yaml is new in its inputs"); NULL when the two
 * evaluated lists are the same. Caller frees. */
char *fp_explain(const dep_list *before, const dep_list *now);

#endif
