/* Small helpers shared by the YAML readers (front matter, contacts). */
#ifndef LEAFPRESS_YAML_UTIL_H
#define LEAFPRESS_YAML_UTIL_H

#include <stdbool.h>
#include <yaml.h>

#include "diag.h"

/* What the readers' checks report against. */
typedef struct yaml_checker {
    const char *path;
    yaml_document_t *doc;
    diag_list *diags;
    int line_offset;           /* lines of the file before the YAML starts */
    const char *text;          /* the YAML source, for yaml_check_strings; may be NULL */
    size_t length;
} yaml_checker;

/* Every scalar (key or value) of c->doc must be free of NUL, control
 * characters other than tab and line feed, DEL, C1 controls and bidi
 * controls (see char_is_unsafe): a NUL would cut the string short, the
 * others hide or reorder text. Each bad scalar is reported once, at the
 * character or the escape ("\0", "\e", "\u202E") that made it, when c->text
 * is given. Returns false when it reported. */
bool yaml_check_strings(const yaml_checker *c);

/* An error at a libyaml mark (0-based), reported as a 1-based file position. */
void yaml_error_at(const yaml_checker *c, yaml_mark_t mark, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* A scalar's value trimmed, line breaks (block scalars) folded to spaces. Caller frees. */
char *yaml_scalar_text(const yaml_node_t *node);

/* The trimmed, non-empty string value of `key`, or NULL after reporting. */
char *yaml_want_string(const yaml_checker *c, const char *key, const yaml_node_t *node);

/* [a-z0-9-]+: ids and names that become file names. */
bool is_plain_name(const char *s);

/* "a list", "a mapping" or "a string", for "must be X, not Y" messages. */
const char *yaml_node_kind(const yaml_node_t *node);

/* Plain "", "~" and "null" are YAML's null: the key is there without a value. */
bool yaml_node_is_null(const yaml_node_t *node);

#endif
