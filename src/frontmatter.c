/* Front matter: split the "---" block off a source and validate its YAML.
 *
 * libyaml loads the block into a node tree; every check then reports at
 * the node's mark. The YAML always starts on line 2 of the file (line 1
 * is the opening "---"), so positions are libyaml's 0-based marks plus 2
 * for the line and plus 1 for the column. */
#include "frontmatter.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "contacts.h"
#include "input_limits.h"
#include "parse.h"
#include "suggest.h"
#include "textutil.h"
#include "yaml_util.h"

enum { YAML_FIRST_LINE = 2 };

/* --- splitting --------------------------------------------------------- */

/* Length of the line starting at p (without its "\n" or "\r\n"), and where the next begins. */
static size_t line_at(const char *p, const char *end, const char **next)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *stop = nl ? nl : end;
    *next = nl ? nl + 1 : end;
    if (stop > p && stop[-1] == '\r')
        stop--;
    return (size_t)(stop - p);
}

/* "---" with optional trailing blanks. */
static bool is_fence(const char *line, size_t n)
{
    if (n < 3 || memcmp(line, "---", 3) != 0)
        return false;
    for (size_t i = 3; i < n; i++)
        if (line[i] != ' ' && line[i] != '\t')
            return false;
    return true;
}

bool frontmatter_split(const char *path, const char *text, size_t length,
                       const char **yaml, size_t *yaml_length,
                       const char **body, int *body_line, diag_list *diags)
{
    const char *end = text + length, *p = text, *next;
    if (length >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) /* some editors write a BOM */
        p += 3;
    size_t n = line_at(p, end, &next);
    /* Old Mac files end lines with CR alone: then the whole file looks like
     * one line, and "missing front matter" would send the writer looking
     * in the wrong place. */
    const char *cr = memchr(p, '\r', n);
    if (cr && cr + 1 < end && cr[1] != '\n') {
        int line, column;
        text_position(text, (size_t)(cr - text), &line, &column);
        diag_report(diags, SEVERITY_ERROR, path, line, column,
                    "lines end with a carriage return (CR) alone; save the file with LF or CRLF "
                    "line ends");
        return false;
    }
    if (!is_fence(p, n)) {
        diag_report(diags, SEVERITY_ERROR, path, 1, 1,
                    "missing front matter; a leaflet starts with a '---' line, then YAML, then '---'");
        return false;
    }
    if (next == end || next[-1] != '\n') {
        diag_report(diags, SEVERITY_ERROR, path, 1, 1,
                    "front matter is not closed; end it with a '---' line");
        return false;
    }
    const char *start = next;
    int line = 2;
    for (p = start; p < end; p = next, line++) {
        n = line_at(p, end, &next);
        if (is_fence(p, n)) {
            *yaml = start;
            *yaml_length = (size_t)(p - start);
            *body = next;
            *body_line = line + 1;
            return true;
        }
    }
    diag_report(diags, SEVERITY_ERROR, path, 1, 1,
                "front matter is not closed; end it with a '---' line");
    return false;
}

/* --- YAML helpers ------------------------------------------------------ */

/* A list of non-empty strings (or one string when single_ok). Returns false after reporting. */
static bool want_list(const yaml_checker *c, const char *key, const yaml_node_t *node,
                      bool single_ok, char ***items, size_t *count, yaml_mark_t **marks)
{
    if (node->type == YAML_SCALAR_NODE && single_ok && !yaml_node_is_null(node)) {
        char *s = yaml_want_string(c, key, node);
        if (!s)
            return false;
        *items = xmalloc(sizeof **items);
        (*items)[0] = s;
        *count = 1;
        if (marks) {
            *marks = xmalloc(sizeof **marks);
            (*marks)[0] = node->start_mark;
        }
        return true;
    }
    if (node->type != YAML_SEQUENCE_NODE) {
        if (yaml_node_is_null(node))
            yaml_error_at(c, node->start_mark, "'%s' is empty; give it a value or remove it", key);
        else
            yaml_error_at(c, node->start_mark, "'%s' must be a list of strings, not %s", key,
                     yaml_node_kind(node));
        return false;
    }
    size_t n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    if (n > LIMIT_LIST_ITEMS) {
        yaml_node_t *item = yaml_document_get_node(c->doc, node->data.sequence.items.start[LIMIT_LIST_ITEMS]);
        yaml_error_at(c, item->start_mark, "'%s' has more than %d items", key, LIMIT_LIST_ITEMS);
        return false;
    }
    *items = xcalloc(n, sizeof **items);
    if (marks)
        *marks = xcalloc(n, sizeof **marks);
    *count = 0;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = yaml_document_get_node(c->doc, node->data.sequence.items.start[i]);
        if (item->type != YAML_SCALAR_NODE) {
            yaml_error_at(c, item->start_mark, "each item of '%s' must be a string, not %s", key,
                     yaml_node_kind(item));
            ok = false;
            continue;
        }
        char *s = yaml_node_is_null(item) ? NULL : yaml_scalar_text(item);
        if (!s || !*s) {
            free(s);
            yaml_error_at(c, item->start_mark, "empty item in '%s'", key);
            ok = false;
            continue;
        }
        if (marks)
            (*marks)[*count] = item->start_mark;
        (*items)[(*count)++] = s;
    }
    return ok;
}

/* Reports libyaml's own complaint at its position. */
static void report_yaml_error(const yaml_checker *c, const yaml_parser_t *parser)
{
    const char *problem = parser->problem ? parser->problem : "cannot be parsed";
    if (parser->context)
        yaml_error_at(c, parser->problem_mark, "invalid YAML: %s (%s on line %d)", problem,
                 parser->context, (int)parser->context_mark.line + YAML_FIRST_LINE);
    else
        yaml_error_at(c, parser->problem_mark, "invalid YAML: %s", problem);
}

/* --- validation -------------------------------------------------------- */

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* YYYY-MM or YYYY-MM-DD naming a real day. */
static bool parse_date(const char *s, int *year, int *month, int *day)
{
    size_t n = strlen(s);
    if (n != 7 && n != 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return false;
    }
    int y = atoi(s), m = atoi(s + 5), d = n == 10 ? atoi(s + 8) : 0;
    if (y < LIMIT_YEAR_MIN || y > LIMIT_YEAR_MAX || m < 1 || m > 12)
        return false;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (n == 10 && (d < 1 || d > days[m - 1] + (m == 2 && leap(y))))
        return false;
    *year = y;
    *month = m;
    *day = d;
    return true;
}

/* ^[a-z]{2,3}(-[A-Z]{2})?$ */
static bool valid_lang(const char *s)
{
    size_t i = 0;
    while (s[i] >= 'a' && s[i] <= 'z')
        i++;
    if (i < 2 || i > 3)
        return false;
    if (!s[i])
        return true;
    return s[i] == '-' && s[i + 1] >= 'A' && s[i + 1] <= 'Z' && s[i + 2] >= 'A' &&
           s[i + 2] <= 'Z' && !s[i + 3];
}

static const char *const known_keys[] = {
    "title", "subtitle", "short_title", "lang", "publisher", "authors", "reviewers",
    "review_note", "updated", "subject", "keywords", "contacts", "contact_sheet", "style", "theme", "slug",
    "colophon_title", "code", "version", "publisher_website", "publisher_address",
    "review_by", "cover_image", "cover_image_alt",
};
enum { KEY_COUNT = sizeof known_keys / sizeof *known_keys };

static void set_string(char **field, char *value)
{
    free(*field);
    *field = value;
}

/* Readers see these strings (cover, footer, colophon), so they get the body's quotes. */
static void curl(char **s)
{
    if (!*s)
        return;
    bool od = false, os = false;
    char *curled = typography_quotes(*s, &od, &os);
    free(*s);
    *s = curled;
}

static void resolve_contacts(const yaml_checker *c, const contact_registry *registry,
                             leaflet_meta *meta, const yaml_mark_t *marks)
{
    size_t count = registry ? registry->count : 0;
    const char *const *ids = registry ? contacts_ids(registry) : NULL;
    meta->contacts = xcalloc(meta->contact_count, sizeof *meta->contacts);
    size_t kept = 0;
    for (size_t i = 0; i < meta->contact_count; i++) {
        char *id = meta->contact_ids[i];
        const contact *found = registry ? contacts_find(registry, id) : NULL;
        bool twice = false;
        for (size_t j = 0; j < kept; j++)
            twice |= !strcmp(meta->contact_ids[j], id);
        if (!found) {
            const char *close = ids ? suggest_closest(id, ids, count) : NULL;
            if (close)
                yaml_error_at(c, marks[i], "unknown contact '%s'; did you mean '%s'?", id, close);
            else
                yaml_error_at(c, marks[i], "unknown contact '%s'", id);
        } else if (twice) {
            yaml_error_at(c, marks[i], "contact '%s' is listed twice", id);
        }
        if (!found || twice) {
            free(id);
            continue;
        }
        /* Unknown ids are dropped so contact_ids and contacts stay parallel. */
        meta->contact_ids[kept] = id;
        meta->contacts[kept++] = found;
    }
    meta->contact_count = kept;
}

static char *default_slug(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 3 && !strcmp(base + n - 3, ".md"))
        n -= 3;
    return xstrndup(base, n);
}

/* Characters, not bytes: the limits are about what a reader sees. */
static bool too_long(const yaml_checker *c, const char *key, const yaml_node_t *value, const char *s)
{
    bool title = !strcmp(key, "title") || !strcmp(key, "subtitle") || !strcmp(key, "short_title");
    size_t limit = title ? LIMIT_TITLE_CHARS : LIMIT_META_STRING_CHARS, chars = utf8_chars(s);
    if (chars <= limit)
        return false;
    yaml_error_at(c, value->start_mark, "'%s' is %zu characters long; at most %zu are allowed",
                  key, chars, limit);
    return true;
}

static void check_pair(const yaml_checker *c, const char *key, const yaml_node_t *value,
                       const contact_registry *contacts, leaflet_meta *meta)
{
    char *s = NULL;
    if (!strcmp(key, "authors")) {
        want_list(c, key, value, true, &meta->authors, &meta->author_count, NULL);
    } else if (!strcmp(key, "reviewers")) {
        want_list(c, key, value, true, &meta->reviewers, &meta->reviewer_count, NULL);
    } else if (!strcmp(key, "keywords")) {
        want_list(c, key, value, false, &meta->keywords, &meta->keyword_count, NULL);
    } else if (!strcmp(key, "contacts")) {
        yaml_mark_t *marks = NULL;
        want_list(c, key, value, false, &meta->contact_ids, &meta->contact_count, &marks);
        if (meta->contact_ids)
            resolve_contacts(c, contacts, meta, marks);
        free(marks);
    } else if (!(s = yaml_want_string(c, key, value))) {
        return;
    } else if (too_long(c, key, value, s)) {
        free(s);
    } else if (!strcmp(key, "title")) {
        set_string(&meta->title, s);
    } else if (!strcmp(key, "subtitle")) {
        set_string(&meta->subtitle, s);
    } else if (!strcmp(key, "short_title")) {
        set_string(&meta->short_title, s);
    } else if (!strcmp(key, "lang")) {
        if (valid_lang(s))
            set_string(&meta->lang, s);
        else {
            yaml_error_at(c, value->start_mark, "'lang' must be a language tag like 'nl-NL', not '%s'", s);
            free(s);
        }
    } else if (!strcmp(key, "publisher")) {
        set_string(&meta->publisher, s);
    } else if (!strcmp(key, "review_note")) {
        set_string(&meta->review_note, s);
    } else if (!strcmp(key, "updated")) {
        if (!parse_date(s, &meta->updated_year, &meta->updated_month, &meta->updated_day))
            yaml_error_at(c, value->start_mark,
                     "'updated' must be a date as YYYY-MM or YYYY-MM-DD with a year from %d to %d, "
                     "not '%s'", LIMIT_YEAR_MIN, LIMIT_YEAR_MAX, s);
        meta->updated_line = (int)value->start_mark.line + YAML_FIRST_LINE;
        meta->updated_column = (int)value->start_mark.column + 1;
        free(s);
    } else if (!strcmp(key, "review_by")) {
        /* the review date (review.h); a date like 'updated' */
        if (!parse_date(s, &meta->review_year, &meta->review_month, &meta->review_day))
            yaml_error_at(c, value->start_mark,
                     "'review_by' must be a date as YYYY-MM or YYYY-MM-DD with a year from %d to %d, "
                     "not '%s'", LIMIT_YEAR_MIN, LIMIT_YEAR_MAX, s);
        meta->review_line = (int)value->start_mark.line + YAML_FIRST_LINE;
        meta->review_column = (int)value->start_mark.column + 1;
        free(s);
    } else if (!strcmp(key, "subject")) {
        set_string(&meta->subject, s);
    } else if (!strcmp(key, "contact_sheet")) {
        set_string(&meta->contact_sheet, s);
    } else if (!strcmp(key, "colophon_title")) {
        set_string(&meta->colophon_title, s);
    } else if (!strcmp(key, "cover_image")) {
        /* resolved against the project by the parser, like a body image */
        set_string(&meta->cover_image_src, s);
        meta->cover_image_line = (int)value->start_mark.line + YAML_FIRST_LINE;
        meta->cover_image_column = (int)value->start_mark.column + 1;
    } else if (!strcmp(key, "cover_image_alt")) {
        set_string(&meta->cover_image_alt, s);
    } else if (!strcmp(key, "code")) {
        set_string(&meta->code, s);
    } else if (!strcmp(key, "version")) {
        set_string(&meta->version, s);
    } else if (!strcmp(key, "publisher_address")) {
        set_string(&meta->publisher_address, s);
    } else if (!strcmp(key, "publisher_website")) {
        if (strncmp(s, "https://", 8) == 0 && s[8])
            set_string(&meta->publisher_website, s);
        else {
            yaml_error_at(c, value->start_mark,
                     "'publisher_website' must be an https:// address, not '%s'", s);
            free(s);
        }
    } else if (!strcmp(key, "style")) {
        if (is_plain_name(s)) {
            set_string(&meta->style, s);
            meta->style_line = (int)value->start_mark.line + YAML_FIRST_LINE;
            meta->style_column = (int)value->start_mark.column + 1;
        } else {
            yaml_error_at(c, value->start_mark,
                     "'style' must be a style name like 'house' (a-z, 0-9 and '-'), not '%s'", s);
            free(s);
        }
    } else if (!strcmp(key, "theme")) {
        if (is_plain_name(s)) {
            set_string(&meta->theme, s);
            meta->theme_line = (int)value->start_mark.line + YAML_FIRST_LINE;
            meta->theme_column = (int)value->start_mark.column + 1;
        } else {
            yaml_error_at(c, value->start_mark,
                     "'theme' must be a theme name like 'cardio' (a-z, 0-9 and '-'), not '%s'", s);
            free(s);
        }
    } else if (!strcmp(key, "slug")) {
        if (is_plain_name(s))
            set_string(&meta->slug, s);
        else {
            yaml_error_at(c, value->start_mark,
                     "'slug' may only contain a-z, 0-9 and '-', not '%s'", s);
            free(s);
        }
    } else {
        free(s);
    }
}

static bool seen_key(const bool *seen, const char *key)
{
    for (size_t i = 0; i < KEY_COUNT; i++)
        if (!strcmp(known_keys[i], key))
            return seen[i];
    return false;
}

/* Checks every pair of the top-level mapping; seen[] records which known keys appeared. */
static void check_mapping(const yaml_checker *c, yaml_node_t *root, const contact_registry *contacts,
                          leaflet_meta *meta, bool *seen)
{
    yaml_node_pair_t *pairs = root->data.mapping.pairs.start;
    size_t n = (size_t)(root->data.mapping.pairs.top - pairs);
    /* The limit also bounds the duplicate check below, which compares each key with all before it. */
    if (n > LIMIT_FRONTMATTER_KEYS) {
        yaml_node_t *k = yaml_document_get_node(c->doc, pairs[LIMIT_FRONTMATTER_KEYS].key);
        yaml_error_at(c, k->start_mark, "more than %d keys in front matter; there are only %d "
                      "different ones", LIMIT_FRONTMATTER_KEYS, KEY_COUNT);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, pairs[i].key);
        yaml_node_t *v = yaml_document_get_node(c->doc, pairs[i].value);
        if (k->type != YAML_SCALAR_NODE) {
            yaml_error_at(c, k->start_mark, "front matter keys must be words, not %s", yaml_node_kind(k));
            continue;
        }
        const char *key = (const char *)k->data.scalar.value;
        yaml_node_t *first = NULL;
        for (size_t j = 0; j < i && !first; j++) {
            yaml_node_t *other = yaml_document_get_node(c->doc, pairs[j].key);
            if (other->type == YAML_SCALAR_NODE &&
                !strcmp((const char *)other->data.scalar.value, key))
                first = other;
        }
        if (first) {
            yaml_error_at(c, k->start_mark, "duplicate key '%s' in front matter; it is also on line %d",
                     key, (int)first->start_mark.line + YAML_FIRST_LINE);
            continue;
        }
        size_t index = KEY_COUNT;
        for (size_t j = 0; j < KEY_COUNT; j++)
            if (!strcmp(known_keys[j], key))
                index = j;
        if (index == KEY_COUNT) {
            const char *close = suggest_closest(key, known_keys, KEY_COUNT);
            if (close)
                yaml_error_at(c, k->start_mark, "unknown key '%s' in front matter; did you mean '%s'?",
                         key, close);
            else
                yaml_error_at(c, k->start_mark, "unknown key '%s' in front matter", key);
            continue;
        }
        seen[index] = true;
        check_pair(c, key, v, contacts, meta);
    }
}

bool frontmatter_parse(const char *path, const char *yaml, size_t length,
                       const contact_registry *contacts, leaflet_meta *meta,
                       diag_list *diags)
{
    size_t errors_before = diags->errors;
    bool seen[KEY_COUNT] = {false};
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_checker c = {.path = path, .doc = &doc, .diags = diags,
                      .line_offset = YAML_FIRST_LINE - 1, .text = yaml, .length = length};
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, length);
    if (!yaml_parser_load(&parser, &doc)) {
        report_yaml_error(&c, &parser);
        yaml_parser_delete(&parser);
        return false;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!yaml_check_strings(&c)) {
        /* Strings cut at a NUL would only add misleading errors (and "missing key"). */
        yaml_document_delete(&doc);
        yaml_parser_delete(&parser);
        return false;
    }
    if (root && !(root->type == YAML_SCALAR_NODE && yaml_node_is_null(root))) {
        if (root->type != YAML_MAPPING_NODE)
            yaml_error_at(&c, root->start_mark, "front matter must be 'key: value' lines, not %s",
                     yaml_node_kind(root));
        else
            check_mapping(&c, root, contacts, meta, seen);
    }
    yaml_document_delete(&doc);

    /* More YAML after a "..." end marker would be silently ignored; refuse it. */
    if (!yaml_parser_load(&parser, &doc)) {
        report_yaml_error(&c, &parser);
    } else {
        if ((root = yaml_document_get_root_node(&doc)))
            yaml_error_at(&c, root->start_mark, "front matter must be a single YAML document");
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);

    static const char *const required[] = {"title", "lang", "publisher", "updated"};
    for (size_t i = 0; i < sizeof required / sizeof *required; i++)
        if (!seen_key(seen, required[i]))
            diag_report(diags, SEVERITY_ERROR, path, 1, 1,
                        "missing required key '%s' in front matter", required[i]);

    /* A photo without alt text fails PDF/UA, and alt text without a photo is a slip. */
    if (meta->cover_image_src && !seen_key(seen, "cover_image_alt"))
        diag_report(diags, SEVERITY_ERROR, path, meta->cover_image_line, meta->cover_image_column,
                    "'cover_image' needs 'cover_image_alt': a sentence saying what the photo shows");
    else if (meta->cover_image_alt && !*meta->cover_image_alt)
        diag_report(diags, SEVERITY_ERROR, path, meta->cover_image_line, meta->cover_image_column,
                    "'cover_image_alt' is empty; say what the photo shows");
    if (seen_key(seen, "cover_image_alt") && !seen_key(seen, "cover_image"))
        diag_report(diags, SEVERITY_ERROR, path, 1, 1,
                    "'cover_image_alt' without 'cover_image'; name the photo, or remove the alt text");

    /* Defaults only where the key was absent, not where it was invalid and reported. */
    if (!seen_key(seen, "short_title") && meta->title)
        meta->short_title = xstrdup(meta->title);
    if (!seen_key(seen, "style"))
        meta->style = xstrdup("house");
    if (!seen_key(seen, "slug")) {
        char *slug = default_slug(path);
        if (is_plain_name(slug)) {
            meta->slug = slug;
        } else {
            diag_report(diags, SEVERITY_ERROR, path, 1, 1,
                        "file name '%s' cannot be the output name; set 'slug' (a-z, 0-9 and '-')",
                        slug);
            free(slug);
        }
    }

    curl(&meta->title);
    curl(&meta->subtitle);
    curl(&meta->short_title);
    curl(&meta->subject);
    curl(&meta->review_note);
    curl(&meta->contact_sheet);
    curl(&meta->colophon_title);
    curl(&meta->publisher_address);
    curl(&meta->cover_image_alt);
    for (size_t i = 0; i < meta->author_count; i++)
        curl(&meta->authors[i]);
    for (size_t i = 0; i < meta->reviewer_count; i++)
        curl(&meta->reviewers[i]);
    return diags->errors == errors_before;
}

static void free_strings(char **items, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(items[i]);
    free(items);
}

void meta_free(leaflet_meta *meta)
{
    free(meta->title);
    free(meta->subtitle);
    free(meta->short_title);
    free(meta->lang);
    free(meta->publisher);
    free_strings(meta->authors, meta->author_count);
    free_strings(meta->reviewers, meta->reviewer_count);
    free(meta->review_note);
    free(meta->subject);
    free_strings(meta->keywords, meta->keyword_count);
    free_strings(meta->contact_ids, meta->contact_count);
    free(meta->contacts);
    free(meta->slug);
    free(meta->contact_sheet);
    free(meta->colophon_title);
    free(meta->code);
    free(meta->version);
    free(meta->publisher_website);
    free(meta->publisher_address);
    free(meta->cover_image_src);
    free(meta->cover_image);
    free(meta->cover_image_alt);
    free(meta->style);
    free(meta->theme);
    memset(meta, 0, sizeof *meta);
}
