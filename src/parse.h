/* Parse: a source file -> document tree.
 *
 * A source is YAML front matter between "---" lines, then a CommonMark
 * body. Every problem is reported with file, line and column; parsing goes
 * on after an error where it can, so `check` lists them all. Anything the
 * renderer cannot draw (raw HTML, tables, code) is an error, never dropped;
 * HTML comments are editorial notes and are dropped. "[text]{lang=en}"
 * becomes a NODE_SPAN. Every NODE_TEXT from the source carries segments
 * (doc.h) that place each of its characters in the source. Lists nest at
 * most 8 deep. Time and memory are linear in the size of the source. */
#ifndef LEAFPRESS_PARSE_H
#define LEAFPRESS_PARSE_H

#include "diag.h"
#include "doc.h"

/* project_root: images must resolve inside it. Returns NULL when the file
 * cannot be read at all; otherwise a document, usable only when no error
 * was reported. The validate pass (validate.h) has run over it. */
document *parse_leaflet(const char *path, const contact_registry *contacts,
                        const char *project_root, diag_list *diags);

/* Straight quotes and apostrophes -> Dutch typographic ones, in place
 * semantics: returns a new string. `open_double` tracks state across the
 * text nodes of one paragraph. */
char *typography_quotes(const char *text, bool *open_double, bool *open_single);

/* The same over consecutive segments all[bounds[i]..bounds[i+1]) (count
 * segments, count + 1 bounds), each rewritten into out[i] (caller frees),
 * with quotes decided by neighbours across segment boundaries. verbatim
 * (may be NULL) marks segments kept as they are but still used as context. */
void typography_segments(const char *all, size_t length, const size_t *bounds, size_t count,
                         const bool *verbatim, char **out, bool *open_double, bool *open_single);

#endif
