#include "yaml_util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "textutil.h"

const char *yaml_node_kind(const yaml_node_t *node)
{
    switch (node->type) {
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "a string";
    }
}

bool yaml_node_is_null(const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *v = (const char *)node->data.scalar.value;
    return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL");
}

void yaml_error_at(const yaml_checker *c, yaml_mark_t mark, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    diag_vreport(c->diags, SEVERITY_ERROR, c->path, (int)mark.line + 1 + c->line_offset,
                 (int)mark.column + 1, format, args);
    va_end(args);
}

char *yaml_scalar_text(const yaml_node_t *node)
{
    const char *v = (const char *)node->data.scalar.value;
    size_t n = node->data.scalar.length;
    while (n && strchr(" \t\r\n", v[n - 1]))
        n--;
    while (n && strchr(" \t\r\n", *v)) {
        v++;
        n--;
    }
    char *s = xstrndup(v, n);
    for (char *q = s; *q; q++)
        if (*q == '\n' || *q == '\r')
            *q = ' ';
    return s;
}

char *yaml_want_string(const yaml_checker *c, const char *key, const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE) {
        yaml_error_at(c, node->start_mark, "'%s' must be a string, not %s", key, yaml_node_kind(node));
        return NULL;
    }
    char *s = yaml_node_is_null(node) ? NULL : yaml_scalar_text(node);
    if (!s || !*s) {
        free(s);
        yaml_error_at(c, node->start_mark, "'%s' is empty; give it a value or remove it", key);
        return NULL;
    }
    return s;
}

bool is_plain_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    return true;
}
