/* Small helpers shared by the YAML readers (front matter, contacts). */
#ifndef LEAFPRESS_YAML_UTIL_H
#define LEAFPRESS_YAML_UTIL_H

#include <stdbool.h>
#include <yaml.h>

/* "a list", "a mapping" or "a string", for "must be X, not Y" messages. */
const char *yaml_node_kind(const yaml_node_t *node);

/* Plain "", "~" and "null" are YAML's null: the key is there without a value. */
bool yaml_node_is_null(const yaml_node_t *node);

#endif
