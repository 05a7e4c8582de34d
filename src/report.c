#define _DEFAULT_SOURCE /* mkstemp */
#include "report.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef LEAFPRESS_VERSION
#define LEAFPRESS_VERSION "0.0.0"
#endif

/* ---- the model ------------------------------------------------------------ */

const char *output_status_name(output_status s)
{
    switch (s) {
    case STATUS_BUILT: return "built";
    case STATUS_UNCHANGED: return "unchanged";
    case STATUS_OUT_OF_DATE: return "out-of-date";
    case STATUS_FAILED: break;
    }
    return "failed";
}

void report_output_free(report_output *o)
{
    free(o->source);
    free(o->variant);
    free(o->kind);
    free(o->path);
    free(o->reason);
    free(o->theme);
    for (size_t i = 0; i < o->file_count; i++)
        free(o->files[i].path);
    free(o->files);
    memset(o, 0, sizeof *o);
}

void report_output_add_file(report_output *o, const char *path, long long bytes,
                            const fp_digest *sha256)
{
    o->files = xrealloc(o->files, (o->file_count + 1) * sizeof *o->files);
    o->files[o->file_count++] = (report_file){xstrdup(path), bytes, *sha256};
}

void report_free(run_report *r)
{
    for (size_t i = 0; i < r->output_count; i++)
        report_output_free(&r->outputs[i]);
    free(r->outputs);
    for (size_t i = 0; i < r->diag_count; i++) {
        free(r->diags[i].d.file);
        free(r->diags[i].d.message);
        free(r->diags[i].source);
    }
    free(r->diags);
    r->outputs = NULL;
    r->diags = NULL;
    r->output_count = r->diag_count = 0;
}

void report_add_output(run_report *r, report_output *o)
{
    r->outputs = xrealloc(r->outputs, (r->output_count + 1) * sizeof *r->outputs);
    r->outputs[r->output_count++] = *o;
    memset(o, 0, sizeof *o);
}

void report_add_diag(run_report *r, const diag *d, const char *source)
{
    r->diags = xrealloc(r->diags, (r->diag_count + 1) * sizeof *r->diags);
    report_diag *x = &r->diags[r->diag_count++];
    x->d = *d;
    x->d.file = d->file ? xstrdup(d->file) : NULL;
    x->d.message = xstrdup(d->message ? d->message : "");
    x->source = source ? xstrdup(source) : NULL;
}

/* ---- JSON ------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    size_t n;
    uint32_t c;
    if ((p[0] & 0xe0) == 0xc0)
        n = 2, c = p[0] & 0x1f;
    else if ((p[0] & 0xf0) == 0xe0)
        n = 3, c = p[0] & 0x0f;
    else if ((p[0] & 0xf8) == 0xf0)
        n = 4, c = p[0] & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < least[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0; /* overlong, too large, or a surrogate */
    return n;
}

void json_string(strbuf *b, const char *s)
{
    strbuf_puts(b, "\"");
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        size_t n = utf8_sequence(p);
        if (n == 0) {
            strbuf_puts(b, "\\ufffd");
            p++;
            continue;
        }
        if (n > 1) {
            strbuf_append(b, (const char *)p, n);
        } else if (*p == '"' || *p == '\\') {
            strbuf_printf(b, "\\%c", *p);
        } else if (*p == '\n') {
            strbuf_puts(b, "\\n");
        } else if (*p == '\t') {
            strbuf_puts(b, "\\t");
        } else if (*p == '\r') {
            strbuf_puts(b, "\\r");
        } else if (*p < 0x20 || *p == 0x7f) {
            strbuf_printf(b, "\\u%04x", *p);
        } else {
            strbuf_append(b, (const char *)p, 1);
        }
        p += n;
    }
    strbuf_puts(b, "\"");
}

static void json_string_or_null(strbuf *b, const char *s)
{
    if (s)
        json_string(b, s);
    else
        strbuf_puts(b, "null");
}

static void json_count_or_null(strbuf *b, long long v)
{
    if (v >= 0)
        strbuf_printf(b, "%lld", v);
    else
        strbuf_puts(b, "null");
}

static const char *severity_word(severity s)
{
    switch (s) {
    case SEVERITY_NOTE: return "note";
    case SEVERITY_WARNING: return "warning";
    case SEVERITY_ERROR: break;
    }
    return "error";
}

char *report_json(const run_report *r)
{
    strbuf b = {0};
    strbuf_printf(&b, "{\n  \"version\": %d,\n  \"tool\": {\"name\": \"leafpress\", \"version\": ",
                  REPORT_VERSION);
    json_string(&b, LEAFPRESS_VERSION);
    strbuf_puts(&b, "},\n  \"command\": ");
    json_string(&b, r->command);
    strbuf_puts(&b, ",\n  \"outputs\": [");
    size_t built = 0, unchanged = 0, failed = 0;
    long long bytes = 0;
    for (size_t i = 0; i < r->output_count; i++) {
        const report_output *o = &r->outputs[i];
        built += o->status == STATUS_BUILT;
        unchanged += o->status == STATUS_UNCHANGED;
        failed += o->status == STATUS_FAILED;
        if (o->bytes > 0)
            bytes += o->bytes;
        strbuf_puts(&b, i ? ",\n    {" : "\n    {");
        strbuf_puts(&b, "\"source\": ");
        json_string(&b, o->source);
        strbuf_puts(&b, ", \"variant\": ");
        json_string(&b, o->variant);
        strbuf_puts(&b, ", \"kind\": ");
        json_string(&b, o->kind);
        strbuf_puts(&b, ", \"path\": ");
        json_string(&b, o->path);
        strbuf_printf(&b, ", \"status\": \"%s\", \"pages\": ", output_status_name(o->status));
        json_count_or_null(&b, o->pages);
        strbuf_puts(&b, ", \"bytes\": ");
        json_count_or_null(&b, o->bytes);
        strbuf_puts(&b, ", \"sha256\": ");
        json_string_or_null(&b, o->sha256.hex[0] ? o->sha256.hex : NULL);
        strbuf_printf(&b, ", \"time_ms\": %.1f, \"reason\": ", o->time_ms);
        json_string_or_null(&b, o->reason);
        strbuf_puts(&b, ", \"theme\": ");
        json_string_or_null(&b, o->theme);
        strbuf_puts(&b, ", \"files\": [");
        for (size_t f = 0; f < o->file_count; f++) {
            strbuf_puts(&b, f ? ", {\"path\": " : "{\"path\": ");
            json_string(&b, o->files[f].path);
            strbuf_printf(&b, ", \"bytes\": %lld, \"sha256\": ", o->files[f].bytes);
            json_string(&b, o->files[f].sha256.hex);
            strbuf_puts(&b, "}");
        }
        strbuf_puts(&b, "]}");
    }
    strbuf_puts(&b, r->output_count ? "\n  ],\n  \"diagnostics\": [" : "],\n  \"diagnostics\": [");
    size_t counts[3] = {0, 0, 0};
    for (size_t i = 0; i < r->diag_count; i++) {
        const report_diag *x = &r->diags[i];
        counts[x->d.level]++;
        strbuf_puts(&b, i ? ",\n    {\"file\": " : "\n    {\"file\": ");
        json_string_or_null(&b, x->d.file);
        strbuf_puts(&b, ", \"line\": ");
        json_count_or_null(&b, x->d.line > 0 ? x->d.line : -1);
        strbuf_puts(&b, ", \"column\": ");
        json_count_or_null(&b, x->d.column > 0 ? x->d.column : -1);
        strbuf_printf(&b, ", \"severity\": \"%s\", \"message\": ", severity_word(x->d.level));
        json_string(&b, x->d.message);
        strbuf_puts(&b, ", \"source\": ");
        json_string_or_null(&b, x->source);
        strbuf_puts(&b, "}");
    }
    strbuf_puts(&b, r->diag_count ? "\n  ],\n" : "],\n");
    strbuf_printf(&b,
                  "  \"totals\": {\"leaflets\": %zu, \"leaflets_failed\": %zu, \"outputs\": %zu, "
                  "\"built\": %zu, \"unchanged\": %zu, \"failed\": %zu, \"bytes\": %lld, "
                  "\"errors\": %zu, \"warnings\": %zu, \"notes\": %zu, \"time_ms\": %.1f}\n}\n",
                  r->leaflets, r->leaflets_failed, r->output_count, built, unchanged, failed,
                  bytes, counts[SEVERITY_ERROR], counts[SEVERITY_WARNING], counts[SEVERITY_NOTE],
                  r->time_ms);
    return strbuf_take(&b);
}

/* ---- SARIF ------------------------------------------------------------------ */

/* A path as a URI reference: RFC 3986 unreserved characters and '/' stay,
 * every other byte is percent-encoded (UTF-8 bytes too). */
static void uri_path(strbuf *b, const char *path)
{
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p))
            strbuf_append(b, (const char *)p, 1);
        else
            strbuf_printf(b, "%%%02X", *p);
    }
}

static const char *const SARIF_LEVELS[3] = {"note", "warning", "error"};

char *report_sarif(const run_report *r, const char *cwd)
{
    strbuf b = {0};
    strbuf_puts(&b, "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
                    "  \"version\": \"2.1.0\",\n  \"runs\": [{\n"
                    "    \"tool\": {\"driver\": {\"name\": \"leafpress\", \"version\": ");
    json_string(&b, LEAFPRESS_VERSION);
    strbuf_puts(&b, ", \"rules\": [");
    for (int s = 0; s < 3; s++)
        strbuf_printf(&b,
                      "%s\n      {\"id\": \"leafpress.%s\", \"shortDescription\": {\"text\": "
                      "\"leafpress %s\"}, \"defaultConfiguration\": {\"level\": \"%s\"}}",
                      s ? "," : "", SARIF_LEVELS[s], SARIF_LEVELS[s], SARIF_LEVELS[s]);
    strbuf_puts(&b, "\n    ]}},\n");
    if (cwd && cwd[0] == '/') {
        /* uri_path leaves only characters JSON needs no escape for */
        strbuf_puts(&b, "    \"originalUriBaseIds\": {\"SRCROOT\": {\"uri\": \"file://");
        uri_path(&b, cwd);
        strbuf_puts(&b, cwd[strlen(cwd) - 1] == '/' ? "\"}},\n" : "/\"}},\n");
    }
    strbuf_puts(&b, "    \"columnKind\": \"unicodeCodePoints\",\n    \"results\": [");
    for (size_t i = 0; i < r->diag_count; i++) {
        const diag *d = &r->diags[i].d;
        strbuf_printf(&b, "%s\n      {\"ruleId\": \"leafpress.%s\", \"ruleIndex\": %d, "
                          "\"level\": \"%s\", \"message\": {\"text\": ",
                      i ? "," : "", SARIF_LEVELS[d->level], (int)d->level, SARIF_LEVELS[d->level]);
        json_string(&b, d->message);
        strbuf_puts(&b, "}");
        if (d->file) {
            strbuf u = {0};
            if (d->file[0] == '/') {
                strbuf_puts(&u, "file://");
                uri_path(&u, d->file);
            } else {
                uri_path(&u, d->file);
            }
            strbuf_puts(&b, ", \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
            json_string(&b, u.data);
            if (d->file[0] != '/' && cwd && cwd[0] == '/')
                strbuf_puts(&b, ", \"uriBaseId\": \"SRCROOT\"");
            strbuf_puts(&b, "}");
            if (d->line > 0) {
                strbuf_printf(&b, ", \"region\": {\"startLine\": %d", d->line);
                if (d->column > 0)
                    strbuf_printf(&b, ", \"startColumn\": %d", d->column);
                strbuf_puts(&b, "}");
            }
            strbuf_puts(&b, "}}]");
            free(u.data);
        }
        strbuf_puts(&b, "}");
    }
    strbuf_puts(&b, r->diag_count ? "\n    ]\n  }]\n}\n" : "]\n  }]\n}\n");
    return strbuf_take(&b);
}

/* ---- GitHub Actions ---------------------------------------------------------- */

/* The runner's escapes: %, CR and LF everywhere; ':' and ',' also in
 * properties, where they would end the value. */
static void github_escape(strbuf *b, const char *s, bool property)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '%': strbuf_puts(b, "%25"); break;
        case '\r': strbuf_puts(b, "%0D"); break;
        case '\n': strbuf_puts(b, "%0A"); break;
        case ':': strbuf_puts(b, property ? "%3A" : ":"); break;
        case ',': strbuf_puts(b, property ? "%2C" : ","); break;
        default: strbuf_append(b, p, 1); break;
        }
    }
}

char *diag_github_command(const diag *d)
{
    static const char *const commands[3] = {"notice", "warning", "error"};
    strbuf b = {0};
    strbuf_printf(&b, "::%s", commands[d->level]);
    if (d->file) {
        strbuf_puts(&b, " file=");
        github_escape(&b, d->file, true);
        if (d->line > 0) {
            strbuf_printf(&b, ",line=%d", d->line);
            if (d->column > 0)
                strbuf_printf(&b, ",col=%d", d->column);
        }
        strbuf_puts(&b, ",title=leafpress");
    } else {
        strbuf_puts(&b, " title=leafpress");
    }
    strbuf_puts(&b, "::");
    /* the log shows only the message: keep the location in it too */
    char *text = diag_format(d);
    github_escape(&b, text, false);
    free(text);
    return strbuf_take(&b);
}

bool diag_format_parse(const char *name, diag_format_kind *kind)
{
    static const char *const names[] = {"gcc", "github", "sarif"};
    for (int i = 0; i < 3; i++)
        if (strcmp(name, names[i]) == 0) {
            *kind = (diag_format_kind)i;
            return true;
        }
    return false;
}

diag_format_kind diag_format_default(void)
{
    const char *gha = getenv("GITHUB_ACTIONS");
    return gha && strcmp(gha, "true") == 0 ? DIAG_FORMAT_GITHUB : DIAG_FORMAT_GCC;
}

int write_text_atomically(const char *path, const char *text)
{
    strbuf tmp = {0};
    strbuf_printf(&tmp, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp.data);
    size_t length = strlen(text), done = 0;
    int error = fd >= 0 ? 0 : errno;
    /* mkstemp makes it private (0600); a report or state is as readable as
     * any file the user writes */
    mode_t mask = umask(0);
    umask(mask);
    if (!error && fchmod(fd, 0666 & ~mask) != 0)
        error = errno;
    while (!error && done < length) {
        ssize_t n = write(fd, text + done, length - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            error = n < 0 ? errno : EIO;
        else
            done += (size_t)n;
    }
    if (fd >= 0 && close(fd) != 0 && !error)
        error = errno;
    if (!error && rename(tmp.data, path) != 0)
        error = errno;
    if (error && fd >= 0)
        unlink(tmp.data);
    free(tmp.data);
    return error;
}

bool report_write_file(const char *path, const char *text, diag_list *diags)
{
    int error = write_text_atomically(path, text);
    if (error)
        diag_report(diags, SEVERITY_ERROR, path, 0, 0, "cannot write: %s", strerror(error));
    return !error;
}
