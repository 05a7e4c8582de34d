/* State: what the last builds wrote, kept next to the outputs
 * (OUT/.leafpress-state), so that caching OUT between CI runs is all an
 * incremental build needs.
 *
 * For each output (keyed by its path) the state holds what it was built
 * from (its evaluated dependencies and their fingerprint, see
 * fingerprint.h) and every file it wrote with the SHA-256 of the bytes;
 * beside that, the file digest cache (stat data, see fingerprint.h) that
 * lets a run skip rereading files that have not changed.
 *
 * The format is text, one record a line, fields separated by a space,
 * strings percent-encoded (bytes <= 0x20, 0x7f and '%'):
 *
 *   leafpress-state 2
 *   file DIGEST SIZE MTIME_NS CTIME_NS INODE TRUSTED PATH
 *   output KIND PATH
 *   source PATH
 *   variant NAME
 *   fingerprint DIGEST
 *   pages N
 *   time_ms MS
 *   wrote DIGEST BYTES PATH          (one per file; the first is PATH itself)
 *   dep KIND DIGEST NAME             (one per input; or instead of them all:)
 *   deps-like PATH                   (the same inputs as the output PATH above)
 *   end
 *   checksum SUM                     (state_checksum of every byte before this line)
 *
 * A state that is missing, truncated, edited, of another format version
 * or not a state file at all loads as empty, with the reason: everything
 * is then out of date and rebuilt, never skipped. It is written to a
 * temporary beside it and renamed into place. */
#ifndef LEAFPRESS_STATE_H
#define LEAFPRESS_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "fingerprint.h"
#include "textutil.h"

#define STATE_FILE_NAME ".leafpress-state"
#define STATE_FORMAT_VERSION 2
#define STATE_CHECKSUM_LENGTH 16 /* hex characters */

typedef struct state_written {
    char *path;
    fp_digest digest;
    long long bytes;
} state_written;

typedef struct state_output {
    char *path;                /* the key: the file the output is named by */
    char *kind;                /* "screen", "print", "booklet", "proof" */
    char *source, *variant;
    fp_digest fingerprint;     /* fp_combine(&deps) */
    long long pages;
    double time_ms;
    state_written *files;      /* files[0].path is path; proofs have a file per page too */
    size_t file_count;
    dep_list deps;             /* evaluated */
} state_output;

typedef struct leaf_state {
    state_output *outputs;
    size_t count, capacity;
    struct _GHashTable *index; /* path -> position + 1 */
    fp_file_cache files;
} leaf_state;

/* OUT/.leafpress-state. Caller frees. */
char *state_path(const char *output_dir);

/* Loads path into *st (reset first). Never fails: a state that cannot be
 * trusted loads as empty, and *problem (when not NULL) says why ("no state
 * file", "state file is corrupt: line 3", ...; caller frees; NULL when it
 * loaded). */
void state_load(leaf_state *st, const char *path, char **problem);
/* Parses state text; false (with the reason) when it cannot be trusted. */
bool state_parse(leaf_state *st, const char *text, size_t length, char **problem);
/* The check against damage at the end of a state: 64 bits in hex. Not
 * SHA-256, which would cost a no-op build more than the rest of its reading. */
void state_checksum(const void *data, size_t length, char hex[STATE_CHECKSUM_LENGTH + 1]);
/* The text state_save writes. Caller frees. */
char *state_format(const leaf_state *st);
/* Writes atomically: a temporary beside path, then rename. */
bool state_save(const leaf_state *st, const char *path, diag_list *diags);
/* The same with text from state_format. */
bool state_save_text(const char *text, const char *path, diag_list *diags);
void state_free(leaf_state *st);

state_output *state_find(const leaf_state *st, const char *path);
/* Takes over *out (its strings, files and deps); replaces an entry with its path. */
void state_put(leaf_state *st, state_output *out);
/* Drops the entries for which keep() is false. */
void state_retain(leaf_state *st, bool (*keep)(const state_output *, void *), void *data);
void state_output_free(state_output *out);
void state_output_add_file(state_output *out, const char *path, const fp_digest *digest,
                           long long bytes);

/* The percent-encoding of the format (state_unescape decodes in place;
 * false when malformed), for other files in the same style. */
void state_escape(strbuf *b, const char *s);
bool state_unescape(char *s);

/* Whether the output at path is up to date: it has an entry, every file it
 * wrote is there with the bytes it wrote, and its dependencies now (the
 * recorded ones, re-evaluated, together with `fresh`, the ones the plan
 * gives: fp_variant_deps) have the fingerprint it was built from. When
 * not, *why (caller frees) says what differs first, in words. */
bool state_check(const leaf_state *st, const fp_context *ctx, const char *path,
                 const dep_list *fresh, char **why);

#endif
