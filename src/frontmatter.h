/* Front matter: the YAML header of a leaflet source. */
#ifndef LEAFPRESS_FRONTMATTER_H
#define LEAFPRESS_FRONTMATTER_H

#include <stddef.h>
#include "diag.h"
#include "doc.h"

/* Splits "---\n...\n---\n" off the start of `text`. Returns false (and
 * reports) when it is missing or unterminated. *body points into text;
 * *body_line is the 1-based line the body starts on. */
bool frontmatter_split(const char *path, const char *text, size_t length,
                       const char **yaml, size_t *yaml_length,
                       const char **body, int *body_line, diag_list *diags);

/* Parses and validates the YAML into meta (unknown keys get "did you mean").
 * Contact ids are resolved against the registry. Returns false on error. */
bool frontmatter_parse(const char *path, const char *yaml, size_t length,
                       const contact_registry *contacts, leaflet_meta *meta,
                       diag_list *diags);

void meta_free(leaflet_meta *meta);

#endif
