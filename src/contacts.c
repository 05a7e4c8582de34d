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

#include "input_limits.h"
#include "suggest.h"
#include "textutil.h"
#include "yaml_util.h"

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
    if (!number)
        return NULL;
    char *uri, *problem = phone_normalise(number, &uri);
    free(uri);
    if (!problem)
        return number;
    yaml_error_at(c, node->start_mark, "%s", problem);
    free(problem);
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
        if (i - node->data.sequence.items.start == LIMIT_PHONES) {
            yaml_error_at(c, item->start_mark, "contact '%s' has more than %d phone numbers",
                          ct->id, LIMIT_PHONES);
            break;
        }
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

typedef struct keyed {
    const char *id;
    size_t index;
} keyed;

static int compare_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int order = strcmp(x->id, y->id);
    return order ? order : (x->index > y->index) - (x->index < y->index);
}

static int compare_contacts(const void *a, const void *b)
{
    return strcmp((*(const contact *const *)a)->id, (*(const contact *const *)b)->id);
}

/* For each pair of root, the pair that first uses its id (itself when it is
 * the first), or n when its key is not a valid id: sorting finds every
 * duplicate in n log n where comparing each with all before it was n^2. */
static size_t *first_uses(yaml_document_t *doc, yaml_node_t *root, size_t n)
{
    keyed *order = xcalloc(n, sizeof *order);
    size_t *first = xcalloc(n, sizeof *first), count = 0;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *k = yaml_document_get_node(doc, root->data.mapping.pairs.start[i].key);
        first[i] = n;
        if (k->type == YAML_SCALAR_NODE && is_plain_name((const char *)k->data.scalar.value))
            order[count++] = (keyed){(const char *)k->data.scalar.value, i};
    }
    qsort(order, count, sizeof *order, compare_keyed);
    for (size_t i = 0; i < count; i++)
        first[order[i].index] = i && !strcmp(order[i - 1].id, order[i].id)
                                    ? first[order[i - 1].index] : order[i].index;
    free(order);
    return first;
}

bool contacts_load(const char *path, contact_registry *registry, diag_list *diags)
{
    size_t errors_before = diags->errors;
    memset(registry, 0, sizeof *registry);
    registry->path = xstrdup(path);
    registry->ids = xcalloc(1, sizeof *registry->ids);

    size_t length;
    char *why;
    char *text = read_input(path, LIMIT_CONTACTS_BYTES, &length, &why);
    if (!text) {
        diag_report(diags, SEVERITY_ERROR, path, 0, 0, "cannot read contacts: %s", why);
        free(why);
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
    yaml_checker c = {.path = path, .doc = &doc, .diags = diags, .text = text, .length = length};
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
    bool clean = yaml_check_strings(&c);
    free(text);

    yaml_node_t *root = yaml_document_get_root_node(&doc);
    size_t pairs = root && root->type == YAML_MAPPING_NODE
                       ? (size_t)(root->data.mapping.pairs.top - root->data.mapping.pairs.start) : 0;
    if (!clean) {
        /* strings cut at a NUL would only add misleading errors */
    } else if (pairs > LIMIT_CONTACTS) {
        yaml_node_t *k = yaml_document_get_node(&doc, root->data.mapping.pairs.start[LIMIT_CONTACTS].key);
        yaml_error_at(&c, k->start_mark, "more than %d contacts; split the registry or remove old ones",
                      LIMIT_CONTACTS);
    } else if (root && !yaml_node_is_null(root) && root->type != YAML_MAPPING_NODE) {
        yaml_error_at(&c, root->start_mark,
                 "contacts must be a mapping from contact id to its details, not %s", yaml_node_kind(root));
    } else if (root && root->type == YAML_MAPPING_NODE) {
        size_t n = pairs;
        size_t *first = first_uses(&doc, root, n);
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
            if (first[i] != i) {
                yaml_node_t *other = yaml_document_get_node(&doc, root->data.mapping.pairs.start[first[i]].key);
                yaml_error_at(&c, k->start_mark, "duplicate contact '%s'; it is also on line %d", id,
                         (int)other->start_mark.line + 1);
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
        free(first);
        registry->by_id = xcalloc(registry->count, sizeof *registry->by_id);
        for (size_t i = 0; i < registry->count; i++)
            registry->by_id[i] = &registry->items[i];
        qsort(registry->by_id, registry->count, sizeof *registry->by_id, compare_contacts);
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
    free(registry->by_id);
    free(registry->path);
    memset(registry, 0, sizeof *registry);
}

const contact *contacts_find(const contact_registry *registry, const char *id)
{
    if (!registry->by_id)
        return NULL;
    size_t low = 0, high = registry->count;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        int order = strcmp(registry->by_id[mid]->id, id);
        if (order == 0)
            return registry->by_id[mid];
        if (order < 0)
            low = mid + 1;
        else
            high = mid;
    }
    return NULL;
}

const char *const *contacts_ids(const contact_registry *registry)
{
    return registry->ids;
}

/* Dutch service numbers (0800 free, 090x paid) have 4 or 7 digits after
 * their prefix; every other Dutch number has 9 digits after the trunk 0. */
static bool dutch_length_ok(const char *national, size_t n)
{
    bool service = n >= 3 && (!strncmp(national, "800", 3) || !strncmp(national, "900", 3) ||
                              !strncmp(national, "906", 3) || !strncmp(national, "909", 3));
    return service ? n == 7 || n == 10 : n == 9;
}

char *phone_normalise(const char *display, char **uri)
{
    *uri = NULL;
    const char *p = display;
    while (*p == ' ')
        p++;
    /* The digits, with where a "(0)" and any other parenthesised group are. */
    char digits[64];
    size_t n = 0, groups = 0, group_start = 0, group_length = 0;
    bool plus = false, in_group = false, trunk_group = false;
    for (const char *q = p; *q; q++) {
        if (*q >= '0' && *q <= '9') {
            if (n + 1 >= sizeof digits)
                return xasprintf("phone number '%s' has more than %zu digits", display,
                                      sizeof digits - 2);
            digits[n++] = *q;
        } else if (*q == '+') {
            if (q != p)
                return xasprintf("phone number '%s' may have '+' only at the start", display);
            plus = true;
        } else if (*q == '(') {
            if (in_group || groups)
                return xasprintf("phone number '%s' may have only one '(...)'", display);
            in_group = true;
            group_start = n;
        } else if (*q == ')') {
            if (!in_group)
                return xasprintf("phone number '%s' has a ')' without '('", display);
            in_group = false;
            groups++;
            group_length = n - group_start;
        } else if (!strchr(" -", *q)) {
            return xasprintf("phone number '%s' may only contain digits, spaces and + - ( )",
                                  display);
        }
    }
    digits[n] = '\0';
    if (in_group)
        return xasprintf("phone number '%s' has a '(' without ')'", display);
    if (n < 3)
        return xasprintf("phone number '%s' needs at least 3 digits", display);

    strbuf b = {0};
    strbuf_puts(&b, "tel:");
    bool international = plus || (digits[0] == '0' && digits[1] == '0');
    if (international) {
        /* +CC (0)AREA ...: the (0) is the trunk prefix for callers inside the country */
        size_t cc = plus ? 0 : 2;
        trunk_group = groups && group_length == 1 && digits[group_start] == '0' && group_start > cc;
        if (groups && !trunk_group) {
            free(b.data);
            return xasprintf("phone number '%s': in an international number only a trunk "
                                  "'(0)' may be in brackets, as in +31 (0)20 444 44 44", display);
        }
        strbuf_puts(&b, "+");
        for (size_t i = cc; i < n; i++)
            if (!(trunk_group && i == group_start))
                strbuf_append(&b, &digits[i], 1);
        const char *number = b.data + 5; /* after "tel:+" */
        size_t length = b.length - 5;
        if (!strncmp(number, "31", 2) && !dutch_length_ok(number + 2, length - 2)) {
            free(b.data);
            return xasprintf("phone number '%s' has %zu digits after +31; a Dutch number "
                                  "has 9, as in +31 20 444 44 44", display, length - 2);
        }
        if (length < 7 || length > 15) { /* E.164: at most 15 digits with the country code */
            free(b.data);
            return xasprintf("phone number '%s' has %zu digits with the country code; "
                                  "an international number has 7 to 15", display, length);
        }
    } else if (digits[0] == '0') {
        /* National: (020) or (0229) may bracket the area code; the trunk 0
         * gives way to +31 so the link works from any phone. */
        if (groups && group_start != 0) {
            free(b.data);
            return xasprintf("phone number '%s': only the area code may be in brackets, "
                                  "as in (020) 444 44 44", display);
        }
        if (!dutch_length_ok(digits + 1, n - 1)) {
            free(b.data);
            return xasprintf("phone number '%s' has %zu digits; a Dutch number has 10, "
                                  "as in 020 444 44 44 or 06 12 34 56 78", display, n);
        }
        strbuf_printf(&b, "+31%s", digits + 1);
    } else {
        /* Short numbers (112, 14 020, 1400) are dialled as they are. */
        if (groups || n > 6) {
            free(b.data);
            return xasprintf("phone number '%s' is neither a short number like 112 nor "
                                  "starts with 0 or +", display);
        }
        strbuf_puts(&b, digits);
    }
    *uri = strbuf_take(&b);
    return NULL;
}

char *phone_tel_uri(const char *display)
{
    char *uri;
    char *problem = phone_normalise(display, &uri);
    if (!problem)
        return uri;
    /* Not validated (contacts_load rejects it): the digits as they are. */
    free(problem);
    strbuf b = {0};
    strbuf_puts(&b, "tel:");
    for (const char *p = display; *p; p++)
        if (*p >= '0' && *p <= '9')
            strbuf_append(&b, p, 1);
    return strbuf_take(&b);
}
