/* The contact registry: contacts.yaml, validated the same way as front matter.
 *
 * Entries that have problems are still kept (after reporting), so leaflets
 * naming them do not get a second, misleading "unknown contact". */
#include "contacts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "suggest.h"
#include "textutil.h"
#include "yaml_util.h"

/* Digits, spaces, + - ( ) only, and at least 3 digits. */
static bool valid_phone(const char *s, int *digits)
{
    *digits = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            ++*digits;
        else if (!strchr(" +-()", *s))
            return false;
    }
    return true;
}

/* One "@", something before it, a dot in the domain, no spaces. */
static bool valid_email(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@') || strpbrk(s, " \t<>,;:\"()[]\\"))
        return false;
    const char *dot = strrchr(at + 1, '.');
    return dot && dot > at + 1 && dot[1];
}

static const char *const entry_keys[] = {
    "organisation", "department", "description", "phones", "hours", "email", "website", "urgent",
};
static const char *const phone_keys[] = {"number", "label"};

static void add_phone(contact *ct, char *number, char *label)
{
    ct->phones = xrealloc(ct->phones, (ct->phone_count + 1) * sizeof *ct->phones);
    ct->phone_labels = xrealloc(ct->phone_labels, (ct->phone_count + 1) * sizeof *ct->phone_labels);
    ct->phones[ct->phone_count] = number;
    ct->phone_labels[ct->phone_count++] = label;
}

static char *check_number(const yaml_checker *c, const yaml_node_t *node)
{
    char *number = yaml_want_string(c, "phone number", node);
    int digits;
    if (!number)
        return NULL;
    if (!valid_phone(number, &digits)) {
        yaml_error_at(c, node->start_mark,
                 "phone number '%s' may only contain digits, spaces and + - ( )", number);
    } else if (digits < 3) {
        yaml_error_at(c, node->start_mark, "phone number '%s' needs at least 3 digits", number);
    } else {
        return number;
    }
    free(number);
    return NULL;
}

static void check_phone_mapping(const yaml_checker *c, const yaml_node_t *node, contact *ct)
{
    char *number = NULL, *label = NULL;
    bool has_number = false;
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *key = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
        if (!strcmp(key, "number") && !has_number) {
            has_number = true;
            number = check_number(c, v);
        } else if (!strcmp(key, "label") && !label) {
            label = yaml_want_string(c, "label", v);
        } else if (!strcmp(key, "number") || !strcmp(key, "label")) {
            yaml_error_at(c, k->start_mark, "duplicate key '%s' in phone", key);
        } else {
            const char *close = suggest_closest(key, phone_keys, 2);
            if (close)
                yaml_error_at(c, k->start_mark, "unknown key '%s' in phone; did you mean '%s'?", key, close);
            else
                yaml_error_at(c, k->start_mark, "unknown key '%s' in phone; use 'number' and 'label'", key);
        }
    }
    if (!has_number)
        yaml_error_at(c, node->start_mark, "phone has no 'number'");
    if (number)
        add_phone(ct, number, label);
    else
        free(label);
}

static void check_phones(const yaml_checker *c, const yaml_node_t *node, contact *ct)
{
    if (node->type != YAML_SEQUENCE_NODE) {
        yaml_error_at(c, node->start_mark, "'phones' must be a list, not %s", yaml_node_kind(node));
        return;
    }
    for (yaml_node_item_t *i = node->data.sequence.items.start; i < node->data.sequence.items.top; i++) {
        yaml_node_t *item = yaml_document_get_node(c->doc, *i);
        if (item->type == YAML_MAPPING_NODE) {
            check_phone_mapping(c, item, ct);
        } else if (item->type == YAML_SCALAR_NODE) {
            char *number = check_number(c, item);
            if (number)
                add_phone(ct, number, NULL);
        } else {
            yaml_error_at(c, item->start_mark,
                     "each phone must be a number or a mapping with 'number' and 'label', not %s",
                     yaml_node_kind(item));
        }
    }
}

static void check_entry(const yaml_checker *c, const yaml_node_t *key_node, const yaml_node_t *node,
                        contact *ct)
{
    if (node->type != YAML_MAPPING_NODE) {
        yaml_error_at(c, node->start_mark, "contact '%s' must be a mapping of keys to values, not %s",
                 ct->id, yaml_node_kind(node));
        return;
    }
    bool seen[sizeof entry_keys / sizeof *entry_keys] = {false};
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        if (k->type != YAML_SCALAR_NODE) {
            yaml_error_at(c, k->start_mark, "keys must be words, not %s", yaml_node_kind(k));
            continue;
        }
        const char *key = (const char *)k->data.scalar.value;
        size_t index = 0, count = sizeof entry_keys / sizeof *entry_keys;
        while (index < count && strcmp(entry_keys[index], key))
            index++;
        if (index == count) {
            const char *close = suggest_closest(key, entry_keys, count);
            if (close)
                yaml_error_at(c, k->start_mark, "unknown key '%s' in contact '%s'; did you mean '%s'?",
                         key, ct->id, close);
            else
                yaml_error_at(c, k->start_mark, "unknown key '%s' in contact '%s'", key, ct->id);
            continue;
        }
        if (seen[index]) {
            yaml_error_at(c, k->start_mark, "duplicate key '%s' in contact '%s'", key, ct->id);
            continue;
        }
        seen[index] = true;
        if (!strcmp(key, "phones")) {
            check_phones(c, v, ct);
        } else if (!strcmp(key, "urgent")) {
            const char *b = v->type == YAML_SCALAR_NODE && v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
                                ? (const char *)v->data.scalar.value : NULL;
            if (b && (!strcmp(b, "true") || !strcmp(b, "True") || !strcmp(b, "TRUE")))
                ct->urgent = true;
            else if (b && (!strcmp(b, "false") || !strcmp(b, "False") || !strcmp(b, "FALSE")))
                ct->urgent = false;
            else if (v->type == YAML_SCALAR_NODE)
                yaml_error_at(c, v->start_mark, "'urgent' must be true or false, not '%s'",
                         (const char *)v->data.scalar.value);
            else
                yaml_error_at(c, v->start_mark, "'urgent' must be true or false, not %s", yaml_node_kind(v));
        } else {
            char *s = yaml_want_string(c, key, v);
            if (!s)
                continue;
            if (!strcmp(key, "email") && !valid_email(s)) {
                yaml_error_at(c, v->start_mark, "'email' must be an e-mail address like 'naam@example.nl', not '%s'", s);
                free(s);
                continue;
            }
            if (!strcmp(key, "website") && (strncmp(s, "https://", 8) || !s[8])) {
                yaml_error_at(c, v->start_mark, "'website' must start with 'https://', not '%s'", s);
                free(s);
                continue;
            }
            char **field = !strcmp(key, "organisation") ? &ct->organisation
                         : !strcmp(key, "department") ? &ct->department
                         : !strcmp(key, "description") ? &ct->description
                         : !strcmp(key, "hours") ? &ct->hours
                         : !strcmp(key, "email") ? &ct->email
                         : &ct->website;
            *field = s;
        }
    }
    if (!seen[0])
        yaml_error_at(c, key_node->start_mark, "contact '%s' has no 'organisation'", ct->id);
}

bool contacts_load(const char *path, contact_registry *registry, diag_list *diags)
{
    size_t errors_before = diags->errors;
    memset(registry, 0, sizeof *registry);
    registry->path = xstrdup(path);
    registry->ids = xcalloc(1, sizeof *registry->ids);

    size_t length;
    char *text = read_file(path, &length);
    if (!text) {
        diag_report(diags, SEVERITY_ERROR, path, 0, 0, "cannot read contacts: %s", strerror(errno));
        return false;
    }
    int bad_line, bad_column;
    if (!utf8_validate(text, length, &bad_line, &bad_column)) {
        diag_report(diags, SEVERITY_ERROR, path, bad_line, bad_column, "invalid UTF-8");
        free(text);
        return false;
    }

    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_checker c = {.path = path, .doc = &doc, .diags = diags};
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, length);
    if (!yaml_parser_load(&parser, &doc)) {
        const char *problem = parser.problem ? parser.problem : "cannot be parsed";
        if (parser.context)
            yaml_error_at(&c, parser.problem_mark, "invalid YAML: %s (%s on line %d)", problem,
                     parser.context, (int)parser.context_mark.line + 1);
        else
            yaml_error_at(&c, parser.problem_mark, "invalid YAML: %s", problem);
        yaml_parser_delete(&parser);
        free(text);
        return false;
    }
    yaml_parser_delete(&parser);
    free(text);

    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root && !yaml_node_is_null(root) && root->type != YAML_MAPPING_NODE) {
        yaml_error_at(&c, root->start_mark,
                 "contacts must be a mapping from contact id to its details, not %s", yaml_node_kind(root));
    } else if (root && root->type == YAML_MAPPING_NODE) {
        size_t n = (size_t)(root->data.mapping.pairs.top - root->data.mapping.pairs.start);
        registry->items = xcalloc(n, sizeof *registry->items);
        registry->ids = xrealloc(registry->ids, (n + 1) * sizeof *registry->ids);
        for (size_t i = 0; i < n; i++) {
            yaml_node_pair_t *p = &root->data.mapping.pairs.start[i];
            yaml_node_t *k = yaml_document_get_node(&doc, p->key);
            yaml_node_t *v = yaml_document_get_node(&doc, p->value);
            if (k->type != YAML_SCALAR_NODE) {
                yaml_error_at(&c, k->start_mark, "contact ids must be words, not %s", yaml_node_kind(k));
                continue;
            }
            const char *id = (const char *)k->data.scalar.value;
            if (!is_plain_name(id)) {
                yaml_error_at(&c, k->start_mark, "contact id '%s' may only contain a-z, 0-9 and '-'", id);
                continue;
            }
            const contact *first = contacts_find(registry, id);
            if (first) {
                yaml_error_at(&c, k->start_mark, "duplicate contact '%s'; it is also on line %d", id,
                         first->line);
                continue;
            }
            contact *ct = &registry->items[registry->count];
            ct->id = xstrdup(id);
            ct->line = (int)k->start_mark.line + 1;
            ct->column = (int)k->start_mark.column + 1;
            registry->ids[registry->count++] = ct->id;
            check_entry(&c, k, v, ct);
        }
        registry->ids[registry->count] = NULL;
    }
    yaml_document_delete(&doc);
    return diags->errors == errors_before;
}

void contacts_free(contact_registry *registry)
{
    for (size_t i = 0; i < registry->count; i++) {
        contact *ct = &registry->items[i];
        free(ct->id);
        free(ct->organisation);
        free(ct->department);
        free(ct->description);
        for (size_t j = 0; j < ct->phone_count; j++) {
            free(ct->phones[j]);
            free(ct->phone_labels[j]);
        }
        free(ct->phones);
        free(ct->phone_labels);
        free(ct->hours);
        free(ct->email);
        free(ct->website);
    }
    free(registry->items);
    free(registry->ids);
    free(registry->path);
    memset(registry, 0, sizeof *registry);
}

const contact *contacts_find(const contact_registry *registry, const char *id)
{
    for (size_t i = 0; i < registry->count; i++)
        if (!strcmp(registry->items[i].id, id))
            return &registry->items[i];
    return NULL;
}

const char *const *contacts_ids(const contact_registry *registry)
{
    return registry->ids;
}

char *phone_tel_uri(const char *display)
{
    strbuf b = {0};
    strbuf_puts(&b, "tel:");
    const char *p = display;
    while (*p == ' ')
        p++;
    bool international = *p == '+' || (p[0] == '0' && p[1] == '0');
    bool national = !international && *p == '0';
    if (*p == '+')
        p++;
    else if (international)
        p += 2;
    else if (national)
        p++; /* the trunk 0 gives way to the country code */
    if (international)
        strbuf_puts(&b, "+");
    else if (national)
        strbuf_puts(&b, "+31");
    for (; *p; p++)
        if (*p >= '0' && *p <= '9')
            strbuf_append(&b, p, 1);
    return strbuf_take(&b);
}
