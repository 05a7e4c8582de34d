/* Finishing a cairo PDF for PDF/UA-1 and PDF/A-2a with libqpdf's C API,
 * in leafpress-finish.so (finish_module.h). See pdf_finish.h. The same pass, with the print
 * target, is the common part of print finishing (pdf_print.c): see
 * pdf_finish_internal.h.
 *
 * What cairo 1.18 already writes (and is kept): /MarkInfo << /Marked true >>,
 * /StructTreeRoot with /ParentTree, /StructParents on pages, /StructParent on
 * link annotations, /OBJR references from /Link elements. What it lacks and
 * is added here: /Lang, /ViewerPreferences /DisplayDocTitle, the XMP
 * /Metadata stream, /Tabs /S, /Contents on links, /Alt on figures, and
 * marked content around everything cairo paints unmarked (it marks only
 * glyphs; see pdf_marking.h and finish_marking below); for PDF/A-2 the
 * sRGB OutputIntent, pdfaid in the XMP, /CIDToGIDMap and /Interpolate
 * false (fix_node). The Info
 * dictionary and the trailer /ID are rewritten so the output never depends
 * on the clock. */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L /* fsync, O_CLOEXEC, O_DIRECTORY, strncasecmp */
#endif
#include "pdf_finish.h"
#include "pdf_finish_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <qpdf/qpdf-c.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "colour_convert.h"
#include "pdf_marking.h"
#include "pdf_xref.h"
#include "textutil.h"
#include "wording.h"

#ifdef LEAFPRESS_VERSION
#define PRODUCER "leafpress " LEAFPRESS_VERSION
#else
#define PRODUCER "leafpress"
#endif

/* Deeper structure trees than this are not something leafpress makes; the
 * limit only keeps a malformed tree from exhausting the stack. */
#define MAX_DEPTH 256

typedef struct finisher {
    qpdf_data q;
    const pdf_finish_info *info;
    pdf_target target;
    const char *out_path;
    diag_list *diags;
    const char *lang;        /* for the wording of link descriptions */
    /* Structure walk. */
    size_t figures;          /* Figure elements seen so far */
    size_t spans;            /* Span elements seen so far */
    size_t figures_without_alt;
    unsigned char *visited;  /* visited[id]: indirect object id walked (ids are dense) */
    size_t visited_capacity;
    /* Figure elements without content (cairo gives an image none), in
     * structure order, waiting for the Do that paints them. */
    qpdf_oh *empty_figures;
    size_t empty_count, empty_capacity, empty_used;
} finisher;

/* ---- small helpers ---------------------------------------------------- */

static bool is_set(const char *s) { return s && *s; }

/* Turns a pending qpdf error into a diagnostic. Returns true if there was one. */
static bool qpdf_failed(finisher *f, const char *doing)
{
    if (!qpdf_has_error(f->q))
        return false;
    qpdf_error e = qpdf_get_error(f->q);
    const char *text = e ? qpdf_get_error_full_text(f->q, e) : NULL;
    diag_report(f->diags, SEVERITY_ERROR, f->out_path, 0, 0, "%s: %s", doing,
                is_set(text) ? text : "qpdf reported an error");
    return true;
}

/* Warnings are not the user's business: qpdf warns about what it repairs
 * in cairo's output, and the user can do nothing about that. */
static void drain_warnings(qpdf_data q)
{
    while (qpdf_more_warnings(q))
        (void)qpdf_next_warning(q);
}

static bool name_is(qpdf_data q, qpdf_oh oh, const char *name)
{
    return qpdf_oh_is_name_and_equals(q, oh, name);
}

static qpdf_oh key(qpdf_data q, qpdf_oh dict, const char *k)
{
    return qpdf_oh_get_key_if_dict(q, dict, k);
}

/* Returns the dictionary under `k`, creating a direct one if it is missing
 * or not a dictionary. */
static qpdf_oh ensure_dict(qpdf_data q, qpdf_oh parent, const char *k)
{
    qpdf_oh d = key(q, parent, k);
    if (!qpdf_oh_is_dictionary(q, d)) {
        d = qpdf_oh_new_dictionary(q);
        qpdf_oh_replace_key(q, parent, k, d);
    }
    return d;
}

/* A PDF text string: as it is when it is plain ASCII, otherwise UTF-16BE
 * with a byte order mark (never PDFDocEncoding, whose upper half readers
 * disagree on). */
qpdf_oh pdf_new_text(qpdf_data q, const char *utf8)
{
    bool ascii = true;
    for (const unsigned char *p = (const unsigned char *)utf8; *p && ascii; p++)
        ascii = *p < 0x80;
    if (ascii)
        return qpdf_oh_new_string(q, utf8);
    size_t n = strlen(utf8);
    int line, column;
    bool valid = utf8_validate(utf8, n, &line, &column); /* else read as Latin-1 */
    unsigned char *out = xmalloc(2 + 4 * n), *o = out;
    *o++ = 0xFE;
    *o++ = 0xFF;
    for (const unsigned char *p = (const unsigned char *)utf8; *p;) {
        unsigned long c;
        if (*p < 0x80 || !valid) {
            c = *p++;
        } else if (*p < 0xE0) {
            c = (p[0] & 0x1FUL) << 6 | (p[1] & 0x3FUL);
            p += 2;
        } else if (*p < 0xF0) {
            c = (p[0] & 0x0FUL) << 12 | (p[1] & 0x3FUL) << 6 | (p[2] & 0x3FUL);
            p += 3;
        } else {
            c = (p[0] & 0x07UL) << 18 | (p[1] & 0x3FUL) << 12 | (p[2] & 0x3FUL) << 6 |
                (p[3] & 0x3FUL);
            p += 4;
        }
        if (c >= 0x10000) {
            c -= 0x10000;
            unsigned long high = 0xD800 + (c >> 10), low = 0xDC00 + (c & 0x3FF);
            *o++ = (unsigned char)(high >> 8);
            *o++ = (unsigned char)high;
            *o++ = (unsigned char)(low >> 8);
            *o++ = (unsigned char)low;
        } else {
            *o++ = (unsigned char)(c >> 8);
            *o++ = (unsigned char)c;
        }
    }
    qpdf_oh result = qpdf_oh_new_binary_string(q, (const char *)out, (size_t)(o - out));
    free(out);
    return result;
}

static void set_text(qpdf_data q, qpdf_oh dict, const char *k, const char *utf8)
{
    if (is_set(utf8))
        qpdf_oh_replace_key(q, dict, k, pdf_new_text(q, utf8));
    else
        qpdf_oh_remove_key(q, dict, k);
}

/* ---- dates ------------------------------------------------------------ */

static bool digits(const char *s, int n, int *value)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *value = v;
    return true;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return 29;
    return days[month - 1];
}

/* ISO 8601 as XMP allows it (YYYY, YYYY-MM, YYYY-MM-DD, then optionally
 * Thh:mm[:ss[.fraction]] and Z or +hh:mm / -hh:mm) -> "D:YYYYMMDDHHmmSSZ"
 * or "D:...+hh'mm'" in *pdf (at least 32 bytes). */
static bool iso_to_pdf_date(const char *iso, char *pdf, size_t size)
{
    int year, month = 0, day = 0, hour = -1, minute = 0, second = 0;
    const char *p = iso;
    if (!digits(p, 4, &year))
        return false;
    p += 4;
    if (*p == '-') {
        if (!digits(p + 1, 2, &month) || month < 1 || month > 12)
            return false;
        p += 3;
        if (*p == '-') {
            if (!digits(p + 1, 2, &day) || day < 1 || day > days_in_month(year, month))
                return false;
            p += 3;
            if (*p == 'T') {
                if (!digits(p + 1, 2, &hour) || hour > 23 || p[3] != ':' ||
                    !digits(p + 4, 2, &minute) || minute > 59)
                    return false;
                p += 6;
                if (*p == ':') {
                    if (!digits(p + 1, 2, &second) || second > 59)
                        return false;
                    p += 3;
                    if (*p == '.') {
                        p++;
                        if (*p < '0' || *p > '9')
                            return false;
                        while (*p >= '0' && *p <= '9')
                            p++;
                    }
                }
            }
        }
    }
    char zone[16] = "";
    if (hour >= 0) {
        int zh, zm;
        if (*p == 'Z') {
            strcpy(zone, "Z");
            p++;
        } else if (*p == '+' || *p == '-') {
            if (!digits(p + 1, 2, &zh) || zh > 23 || p[3] != ':' || !digits(p + 4, 2, &zm) ||
                zm > 59)
                return false;
            snprintf(zone, sizeof zone, "%c%02d'%02d'", *p, zh, zm);
            p += 6;
        }
    }
    if (*p)
        return false;
    int n;
    if (hour >= 0)
        n = snprintf(pdf, size, "D:%04d%02d%02d%02d%02d%02d%s", year, month, day, hour, minute,
                     second, zone);
    else if (day)
        n = snprintf(pdf, size, "D:%04d%02d%02d", year, month, day);
    else if (month)
        n = snprintf(pdf, size, "D:%04d%02d", year, month);
    else
        n = snprintf(pdf, size, "D:%04d", year);
    return n > 0 && (size_t)n < size;
}

/* ---- XMP -------------------------------------------------------------- */

/* Appends `s` escaped for XML text and attribute values; drops characters
 * XML 1.0 does not allow (C0 controls other than tab, LF, CR). */
static void xml_escape(strbuf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': strbuf_puts(b, "&amp;"); break;
        case '<': strbuf_puts(b, "&lt;"); break;
        case '>': strbuf_puts(b, "&gt;"); break;
        case '"': strbuf_puts(b, "&quot;"); break;
        case '\'': strbuf_puts(b, "&apos;"); break;
        default:
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                break;
            /* U+FFFE and U+FFFF (EF BF BE / EF BF BF) are not XML characters. */
            if (c == 0xEF && (unsigned char)s[1] == 0xBF &&
                ((unsigned char)s[2] == 0xBE || (unsigned char)s[2] == 0xBF)) {
                s += 2;
                break;
            }
            strbuf_append(b, s, 1);
        }
    }
}

static void xmp_lang_alt(strbuf *b, const char *element, const char *value)
{
    strbuf_printf(b, "   <%s><rdf:Alt><rdf:li xml:lang=\"x-default\">", element);
    xml_escape(b, value);
    strbuf_printf(b, "</rdf:li></rdf:Alt></%s>\n", element);
}

static void xmp_simple(strbuf *b, const char *element, const char *value)
{
    strbuf_printf(b, "   <%s>", element);
    xml_escape(b, value);
    strbuf_printf(b, "</%s>\n", element);
}

/* A document ID that depends only on what the document says, so the
 * output stays deterministic: FNV-1a over the metadata, as a UUID. */
static void document_uuid(const pdf_finish_info *info, pdf_target target, char out[48])
{
    const char *parts[] = {info->title, info->author, info->subject, info->keywords,
                           info->lang, info->date, target == PDF_TARGET_PRINT ? "print" : "screen"};
    unsigned long long h[2] = {1469598103934665603ULL, 1099511628211ULL * 31};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        const char *p = parts[i] ? parts[i] : "";
        for (int k = 0; k < 2; k++) {
            for (const unsigned char *c = (const unsigned char *)p; *c; c++)
                h[k] = (h[k] ^ *c) * 1099511628211ULL;
            h[k] = (h[k] ^ (unsigned)(0x1F + k)) * 1099511628211ULL; /* field separator */
        }
    }
    /* version 4 / variant bits set, so it reads as a well-formed UUID */
    snprintf(out, 48, "uuid:%08llx-%04llx-4%03llx-a%03llx-%012llx", h[0] >> 32,
             (h[0] >> 16) & 0xFFFF, h[0] & 0xFFF, (h[1] >> 48) & 0xFFF,
             h[1] & 0xFFFFFFFFFFFFULL);
}

/* PDF/A-2 accepts properties of schemas it does not predefine only with
 * a description of the schema in the packet; pdfuaid is one of those. */
static const char PDFUA_EXTENSION_SCHEMA[] =
    "  <rdf:Description rdf:about=\"\"\n"
    "    xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\"\n"
    "    xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\"\n"
    "    xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n"
    "   <pdfaExtension:schemas>\n"
    "    <rdf:Bag>\n"
    "     <rdf:li rdf:parseType=\"Resource\">\n"
    "      <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\n"
    "      <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\n"
    "      <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\n"
    "      <pdfaSchema:property>\n"
    "       <rdf:Seq>\n"
    "        <rdf:li rdf:parseType=\"Resource\">\n"
    "         <pdfaProperty:name>part</pdfaProperty:name>\n"
    "         <pdfaProperty:valueType>Integer</pdfaProperty:valueType>\n"
    "         <pdfaProperty:category>internal</pdfaProperty:category>\n"
    "         <pdfaProperty:description>Part of ISO 14289 the document conforms to"
    "</pdfaProperty:description>\n"
    "        </rdf:li>\n"
    "       </rdf:Seq>\n"
    "      </pdfaSchema:property>\n"
    "     </rdf:li>\n"
    "    </rdf:Bag>\n"
    "   </pdfaExtension:schemas>\n"
    "  </rdf:Description>\n";

/* The XMP packet. Every value that Info also holds is written from the
 * same string as Info's (see finish_info), so the two always agree. */
static char *build_xmp(const pdf_finish_info *info, pdf_target target)
{
    bool print = target == PDF_TARGET_PRINT;
    strbuf b = {0};
    /* The BOM in begin="" is how XMP packets announce UTF-8. */
    strbuf_puts(&b, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
                    " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
                    "  <rdf:Description rdf:about=\"\"\n"
                    "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
                    "    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n"
                    "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
                    "    xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\"\n");
    /* The print PDF keeps the structure but claims only PDF/X-4. */
    strbuf_puts(&b, print ? "    xmlns:pdfxid=\"http://www.npes.org/pdfx/ns/id/\">\n"
                          : "    xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\"\n"
                            "    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n");
    xmp_simple(&b, "dc:format", "application/pdf");
    if (is_set(info->title))
        xmp_lang_alt(&b, "dc:title", info->title);
    if (is_set(info->author)) {
        strbuf_puts(&b, "   <dc:creator><rdf:Seq><rdf:li>");
        xml_escape(&b, info->author);
        strbuf_puts(&b, "</rdf:li></rdf:Seq></dc:creator>\n");
    }
    if (is_set(info->subject))
        xmp_lang_alt(&b, "dc:description", info->subject);
    if (is_set(info->lang)) {
        strbuf_puts(&b, "   <dc:language><rdf:Bag><rdf:li>");
        xml_escape(&b, info->lang);
        strbuf_puts(&b, "</rdf:li></rdf:Bag></dc:language>\n");
    }
    if (is_set(info->keywords))
        xmp_simple(&b, "pdf:Keywords", info->keywords);
    xmp_simple(&b, "pdf:Producer", PRODUCER);
    xmp_simple(&b, "xmp:CreatorTool", PRODUCER);
    if (is_set(info->date)) {
        xmp_simple(&b, "xmp:CreateDate", info->date);
        xmp_simple(&b, "xmp:ModifyDate", info->date);
        xmp_simple(&b, "xmp:MetadataDate", info->date);
    }
    char uuid[48];
    document_uuid(info, target, uuid);
    xmp_simple(&b, "xmpMM:DocumentID", uuid);
    xmp_simple(&b, "xmpMM:VersionID", "1");
    xmp_simple(&b, "xmpMM:RenditionClass", "default");
    if (print) {
        xmp_simple(&b, "pdf:Trapped", "False");
        xmp_simple(&b, "pdfxid:GTS_PDFXVersion", "PDF/X-4");
    } else {
        xmp_simple(&b, "pdfuaid:part", "1");
        xmp_simple(&b, "pdfaid:part", "2");
        xmp_simple(&b, "pdfaid:conformance", "A");
    }
    strbuf_puts(&b, "  </rdf:Description>\n");
    if (!print)
        strbuf_puts(&b, PDFUA_EXTENSION_SCHEMA);
    strbuf_puts(&b, " </rdf:RDF>\n"
                    "</x:xmpmeta>\n"
                    "<?xpacket end=\"w\"?>");
    return strbuf_take(&b);
}

/* ---- catalog and Info ------------------------------------------------- */

static void finish_catalog(finisher *f, qpdf_oh root)
{
    qpdf_data q = f->q;
    const pdf_finish_info *info = f->info;

    if (is_set(info->lang))
        qpdf_oh_replace_key(q, root, "/Lang", pdf_new_text(q, info->lang));

    qpdf_oh prefs = ensure_dict(q, root, "/ViewerPreferences");
    qpdf_oh_replace_key(q, prefs, "/DisplayDocTitle", qpdf_oh_new_bool(q, QPDF_TRUE));
    /* two-page views show a right-bound leaflet's spreads as it binds */
    if (info->right_to_left)
        qpdf_oh_replace_key(q, prefs, "/Direction", qpdf_oh_new_name(q, "/R2L"));

    qpdf_oh mark = ensure_dict(q, root, "/MarkInfo");
    qpdf_oh_replace_key(q, mark, "/Marked", qpdf_oh_new_bool(q, QPDF_TRUE));

    char *xmp = build_xmp(info, f->target);
    qpdf_oh stream = qpdf_oh_new_stream(q);
    qpdf_oh null = qpdf_oh_new_null(q);
    /* No filter: XMP stays readable to tools that scan for it; qpdf does
     * not compress /Type /Metadata streams when writing. */
    qpdf_oh_replace_stream_data(q, stream, (const unsigned char *)xmp, strlen(xmp), null, null);
    free(xmp);
    qpdf_oh dict = qpdf_oh_get_dict(q, stream);
    qpdf_oh_replace_key(q, dict, "/Type", qpdf_oh_new_name(q, "/Metadata"));
    qpdf_oh_replace_key(q, dict, "/Subtype", qpdf_oh_new_name(q, "/XML"));
    qpdf_oh_replace_key(q, root, "/Metadata", stream);
}

static void finish_info(finisher *f, const char *pdf_date)
{
    qpdf_data q = f->q;
    const pdf_finish_info *info = f->info;
    qpdf_oh trailer = qpdf_get_trailer(q);
    qpdf_oh dict = key(q, trailer, "/Info");
    if (!qpdf_oh_is_dictionary(q, dict)) {
        dict = qpdf_make_indirect_object(q, qpdf_oh_new_dictionary(q));
        qpdf_oh_replace_key(q, trailer, "/Info", dict);
    }
    set_text(q, dict, "/Title", info->title);
    set_text(q, dict, "/Author", info->author);
    set_text(q, dict, "/Subject", info->subject);
    set_text(q, dict, "/Keywords", info->keywords);
    set_text(q, dict, "/Producer", PRODUCER);
    set_text(q, dict, "/Creator", PRODUCER);
    /* Never cairo's clock-based dates: either ours or none. */
    set_text(q, dict, "/CreationDate", pdf_date);
    set_text(q, dict, "/ModDate", pdf_date);
    if (f->target == PDF_TARGET_PRINT) {
        qpdf_oh_replace_key(q, dict, "/GTS_PDFXVersion", qpdf_oh_new_string(q, "PDF/X-4"));
        qpdf_oh_replace_key(q, dict, "/Trapped", qpdf_oh_new_name(q, "/False"));
    }
    /* qpdf keeps the first half of an existing /ID. Cairo 1.18 writes none,
     * but drop any so that qpdf derives both halves from the content. */
    qpdf_oh_remove_key(q, trailer, "/ID");
}

/* ---- links ------------------------------------------------------------ */
static bool has_prefix_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* "tel:+31-20-444 44 44;ext=1" -> "+31 20 444 44 44": visual separators
 * become spaces, parameters are dropped. */
static char *tel_number(const char *uri)
{
    const char *number = uri + 4;
    size_t n = strcspn(number, ";");
    char *decoded = percent_decode(number, n);
    strbuf b = {0};
    bool space = false;
    for (const char *p = decoded; *p; p++) {
        if (*p == '-' || *p == '.' || *p == '(' || *p == ')' || *p == ' ') {
            space = b.length > 0;
            continue;
        }
        if (space)
            strbuf_puts(&b, " ");
        space = false;
        strbuf_append(&b, p, 1);
    }
    free(decoded);
    return strbuf_take(&b);
}

static char *describe_uri(const finisher *f, const char *uri)
{
    strbuf b = {0};
    const char *shown = NULL;
    for (size_t i = 0; f->info && i < f->info->link_count; i++)
        if (strcmp(f->info->link_uris[i], uri) == 0)
            shown = f->info->link_texts[i];
    if (has_prefix_ci(uri, "tel:")) {
        char *number = shown ? xstrdup(shown) : tel_number(uri);
        strbuf_printf(&b, "%s %s", wording(f->lang, "call"), number);
        free(number);
    } else if (has_prefix_ci(uri, "mailto:")) {
        const char *address = uri + 7;
        char *decoded = percent_decode(address, strcspn(address, "?"));
        strbuf_printf(&b, "%s %s", wording(f->lang, "email_to"), decoded);
        free(decoded);
    } else if (has_prefix_ci(uri, "https://") || has_prefix_ci(uri, "http://")) {
        const char *rest = strstr(uri, "//") + 2;
        size_t n = strlen(rest);
        /* "https://example.nl/" reads better as "example.nl". */
        const char *slash = strchr(rest, '/');
        if (slash && slash[1] == '\0')
            n--;
        char *decoded = percent_decode(rest, n);
        strbuf_printf(&b, "Website %s", decoded);
        free(decoded);
    } else {
        char *decoded = percent_decode(uri, strlen(uri));
        strbuf_printf(&b, "%s %s", wording(f->lang, "link_to"), decoded);
        free(decoded);
    }
    return strbuf_take(&b);
}

static bool same_string(qpdf_data q, qpdf_oh oh, const char *s, size_t n)
{
    size_t length = 0;
    const char *value = qpdf_oh_get_binary_string_value(q, oh, &length);
    return value && length == n && memcmp(value, s, n) == 0;
}

/* Looks `name` up in a name tree (/Names and /Kids). Returns 0 when absent. */
static qpdf_oh name_tree_find(qpdf_data q, qpdf_oh node, const char *name, size_t n, int depth)
{
    if (depth > 32 || !qpdf_oh_is_dictionary(q, node))
        return 0;
    qpdf_oh names = key(q, node, "/Names");
    if (qpdf_oh_is_array(q, names)) {
        int count = qpdf_oh_get_array_n_items(q, names);
        for (int i = 0; i + 1 < count; i += 2)
            if (same_string(q, qpdf_oh_get_array_item(q, names, i), name, n))
                return qpdf_oh_get_array_item(q, names, i + 1);
    }
    qpdf_oh kids = key(q, node, "/Kids");
    if (qpdf_oh_is_array(q, kids)) {
        int count = qpdf_oh_get_array_n_items(q, kids);
        for (int i = 0; i < count; i++) {
            qpdf_oh found = name_tree_find(q, qpdf_oh_get_array_item(q, kids, i), name, n,
                                           depth + 1);
            if (found)
                return found;
        }
    }
    return 0;
}

/* 1-based page number a destination points at, or 0. */
static int dest_page(finisher *f, qpdf_oh dest, int depth)
{
    qpdf_data q = f->q;
    if (depth > 4)
        return 0;
    if (qpdf_oh_is_array(q, dest)) {
        if (qpdf_oh_get_array_n_items(q, dest) < 1)
            return 0;
        qpdf_oh page = qpdf_oh_get_array_item(q, dest, 0);
        if (qpdf_oh_is_integer(q, page)) /* remote-style page index */
            return (int)qpdf_oh_get_int_value(q, page) + 1;
        int index = qpdf_oh_is_dictionary(q, page) ? qpdf_find_page_by_oh(q, page) : -1;
        if (qpdf_has_error(q)) {
            (void)qpdf_get_error(q);
            return 0;
        }
        return index >= 0 ? index + 1 : 0;
    }
    if (qpdf_oh_is_dictionary(q, dest)) /* << /D [...] >> from a name tree */
        return dest_page(f, key(q, dest, "/D"), depth + 1);
    qpdf_oh root = qpdf_get_root(q);
    if (qpdf_oh_is_string(q, dest)) {
        size_t n = 0;
        const char *name = qpdf_oh_get_binary_string_value(q, dest, &n);
        char *copy = xmalloc(n + 1);
        memcpy(copy, name, n);
        copy[n] = '\0';
        qpdf_oh tree = key(q, key(q, root, "/Names"), "/Dests");
        qpdf_oh found = name_tree_find(q, tree, copy, n, 0);
        free(copy);
        return found ? dest_page(f, found, depth + 1) : 0;
    }
    if (qpdf_oh_is_name(q, dest)) {
        qpdf_oh found = key(q, key(q, root, "/Dests"), qpdf_oh_get_name(q, dest));
        return qpdf_oh_is_null(q, found) ? 0 : dest_page(f, found, depth + 1);
    }
    return 0;
}

static char *describe_link(finisher *f, qpdf_oh annot)
{
    qpdf_data q = f->q;
    qpdf_oh action = key(q, annot, "/A");
    qpdf_oh s = key(q, action, "/S");
    if (name_is(q, s, "/URI")) {
        qpdf_oh uri = key(q, action, "/URI");
        if (qpdf_oh_is_string(q, uri)) {
            size_t n = 0;
            const char *value = qpdf_oh_get_binary_string_value(q, uri, &n);
            char *copy = xstrndup(value, n);
            char *text = describe_uri(f, copy);
            free(copy);
            return text;
        }
    }
    qpdf_oh dest = 0;
    if (name_is(q, s, "/GoTo"))
        dest = key(q, action, "/D");
    else if (qpdf_oh_has_key(q, annot, "/Dest"))
        dest = key(q, annot, "/Dest");
    int page = dest ? dest_page(f, dest, 0) : 0;
    strbuf b = {0};
    if (page > 0)
        strbuf_printf(&b, "%s %d", wording(f->lang, "go_to_page"), page);
    else
        strbuf_puts(&b, wording(f->lang, "go_elsewhere"));
    return strbuf_take(&b);
}

static void finish_pages(finisher *f)
{
    qpdf_data q = f->q;
    int pages = qpdf_get_num_pages(q);
    for (int i = 0; i < pages; i++) {
        qpdf_oh page = qpdf_get_page_n(q, (size_t)i);
        qpdf_oh annots = key(q, page, "/Annots");
        if (!qpdf_oh_is_array(q, annots) || qpdf_oh_get_array_n_items(q, annots) == 0)
            continue;
        qpdf_oh_replace_key(q, page, "/Tabs", qpdf_oh_new_name(q, "/S"));
        int count = qpdf_oh_get_array_n_items(q, annots);
        for (int a = 0; a < count; a++) {
            qpdf_oh annot = qpdf_oh_get_array_item(q, annots, a);
            if (!name_is(q, key(q, annot, "/Subtype"), "/Link"))
                continue;
            qpdf_oh contents = key(q, annot, "/Contents");
            size_t n = 0;
            if (!qpdf_oh_is_string(q, contents) ||
                !qpdf_oh_get_binary_string_value(q, contents, &n) || n == 0) {
                char *text = describe_link(f, annot);
                qpdf_oh_replace_key(q, annot, "/Contents", pdf_new_text(q, text));
                free(text);
            }
            /* Print flag: link annotations are part of the page. */
            qpdf_oh flags = key(q, annot, "/F");
            long long value = qpdf_oh_is_integer(q, flags) ? qpdf_oh_get_int_value(q, flags) : 0;
            qpdf_oh_replace_key(q, annot, "/F", qpdf_oh_new_integer(q, value | 4));
        }
    }
}

/* ---- structure tree --------------------------------------------------- */

static bool visit_once(finisher *f, qpdf_oh oh)
{
    if (!qpdf_oh_is_indirect(f->q, oh))
        return true;
    int id = qpdf_oh_get_object_id(f->q, oh);
    if (id < 0)
        return false;
    /* by id, not a list searched: a long leaflet has thousands of elements */
    if ((size_t)id >= f->visited_capacity) {
        size_t capacity = f->visited_capacity ? f->visited_capacity : 1024;
        while (capacity <= (size_t)id)
            capacity *= 2;
        f->visited = xrealloc(f->visited, capacity);
        memset(f->visited + f->visited_capacity, 0, capacity - f->visited_capacity);
        f->visited_capacity = capacity;
    }
    if (f->visited[id])
        return false;
    f->visited[id] = 1;
    return true;
}

/* /S is `role` after following the /RoleMap (a few steps, against cycles). */
static bool is_role(finisher *f, qpdf_oh role_map, qpdf_oh type, const char *role)
{
    qpdf_data q = f->q;
    for (int step = 0; step < 8 && qpdf_oh_is_name(q, type); step++) {
        if (name_is(q, type, role))
            return true;
        type = key(q, role_map, qpdf_oh_get_name(q, type));
    }
    return false;
}

static bool is_figure(finisher *f, qpdf_oh role_map, qpdf_oh type)
{
    return is_role(f, role_map, type, "/Figure");
}

static void walk_struct(finisher *f, qpdf_oh role_map, qpdf_oh node, int depth)
{
    qpdf_data q = f->q;
    if (depth > MAX_DEPTH)
        return;
    if (qpdf_oh_is_array(q, node)) {
        int count = qpdf_oh_get_array_n_items(q, node);
        for (int i = 0; i < count; i++)
            walk_struct(f, role_map, qpdf_oh_get_array_item(q, node, i), depth + 1);
        return;
    }
    /* Integers are MCIDs; marked-content and object references end here. */
    if (!qpdf_oh_is_dictionary(q, node) || !visit_once(f, node))
        return;
    qpdf_oh type = key(q, node, "/Type");
    if (name_is(q, type, "/MCR") || name_is(q, type, "/OBJR"))
        return;
    qpdf_oh s = key(q, node, "/S");
    if (is_figure(f, role_map, s) && qpdf_oh_is_indirect(q, node)) {
        qpdf_oh k = key(q, node, "/K");
        if (qpdf_oh_is_null(q, k) ||
            (qpdf_oh_is_array(q, k) && qpdf_oh_get_array_n_items(q, k) == 0)) {
            if (f->empty_count == f->empty_capacity) {
                f->empty_capacity = f->empty_capacity ? f->empty_capacity * 2 : 8;
                f->empty_figures = xrealloc(f->empty_figures,
                                            f->empty_capacity * sizeof *f->empty_figures);
            }
            f->empty_figures[f->empty_count++] = node;
        }
    }
    if (is_role(f, role_map, s, "/Span")) {
        size_t n = f->spans++;
        const char *lang = n < f->info->span_count && f->info->span_langs
                               ? f->info->span_langs[n] : NULL;
        if (is_set(lang))
            qpdf_oh_replace_key(q, node, "/Lang", pdf_new_text(q, lang));
    }
    if (is_figure(f, role_map, s)) {
        size_t n = f->figures++;
        const char *alt = n < f->info->figure_count && f->info->figure_alts
                              ? f->info->figure_alts[n] : NULL;
        if (is_set(alt))
            qpdf_oh_replace_key(q, node, "/Alt", pdf_new_text(q, alt));
        else if (!qpdf_oh_is_string(q, key(q, node, "/Alt")))
            f->figures_without_alt++;
    }
    walk_struct(f, role_map, key(q, node, "/K"), depth + 1);
}

static void finish_structure(finisher *f, qpdf_oh root)
{
    qpdf_data q = f->q;
    qpdf_oh tree = key(q, root, "/StructTreeRoot");
    if (!qpdf_oh_is_dictionary(q, tree)) {
        diag_report(f->diags, SEVERITY_WARNING, f->out_path, 0, 0,
                    "the PDF has no structure tree; it cannot be PDF/UA");
        return;
    }
    qpdf_oh role_map = key(q, tree, "/RoleMap");
    walk_struct(f, role_map, key(q, tree, "/K"), 0);
    if (f->figures != f->info->figure_count)
        diag_report(f->diags, SEVERITY_WARNING, f->out_path, 0, 0,
                    "the PDF has %zu figure%s but %zu alternative text%s were given",
                    f->figures, f->figures == 1 ? "" : "s", f->info->figure_count,
                    f->info->figure_count == 1 ? "" : "s");
    if (f->figures_without_alt)
        diag_report(f->diags, SEVERITY_WARNING, f->out_path, 0, 0,
                    "%zu figure%s without alternative text (PDF/UA requires /Alt)",
                    f->figures_without_alt, f->figures_without_alt == 1 ? "" : "s");
}

/* ---- marking content -------------------------------------------------- */

/* Cairo 1.18 wraps only glyphs in marked content: fills, strokes and images
 * drawn inside Artifact or Figure tags come out unmarked, and a Figure
 * holding an image gets no /K at all. pdf_marking.c rewrites each page's
 * content so that nothing is painted unmarked; here the document side: the
 * XObject's type, and an MCID, /K, /Pg and parent-tree entry for each image
 * that is a figure's content. */

/* Value for `number` in a number tree (/Nums, /Kids), or 0. */
static qpdf_oh number_tree_get(qpdf_data q, qpdf_oh node, long long number, int depth)
{
    if (depth > 32 || !qpdf_oh_is_dictionary(q, node))
        return 0;
    qpdf_oh nums = key(q, node, "/Nums");
    if (qpdf_oh_is_array(q, nums)) {
        int count = qpdf_oh_get_array_n_items(q, nums);
        for (int i = 0; i + 1 < count; i += 2) {
            qpdf_oh k = qpdf_oh_get_array_item(q, nums, i);
            if (qpdf_oh_is_integer(q, k) && qpdf_oh_get_int_value(q, k) == number)
                return qpdf_oh_get_array_item(q, nums, i + 1);
        }
    }
    qpdf_oh kids = key(q, node, "/Kids");
    int count = qpdf_oh_is_array(q, kids) ? qpdf_oh_get_array_n_items(q, kids) : 0;
    for (int i = 0; i < count; i++) {
        qpdf_oh kid = qpdf_oh_get_array_item(q, kids, i);
        qpdf_oh limits = key(q, kid, "/Limits");
        if (qpdf_oh_is_array(q, limits) && qpdf_oh_get_array_n_items(q, limits) == 2) {
            qpdf_oh low = qpdf_oh_get_array_item(q, limits, 0);
            qpdf_oh high = qpdf_oh_get_array_item(q, limits, 1);
            if (qpdf_oh_is_integer(q, low) && qpdf_oh_is_integer(q, high) &&
                (number < qpdf_oh_get_int_value(q, low) || number > qpdf_oh_get_int_value(q, high)))
                continue;
        }
        qpdf_oh found = number_tree_get(q, kid, number, depth + 1);
        if (found)
            return found;
    }
    return 0;
}

static long long number_tree_max(qpdf_data q, qpdf_oh node, int depth)
{
    long long max = -1;
    if (depth > 32 || !qpdf_oh_is_dictionary(q, node))
        return max;
    qpdf_oh nums = key(q, node, "/Nums");
    int count = qpdf_oh_is_array(q, nums) ? qpdf_oh_get_array_n_items(q, nums) : 0;
    for (int i = 0; i + 1 < count; i += 2) {
        qpdf_oh k = qpdf_oh_get_array_item(q, nums, i);
        if (qpdf_oh_is_integer(q, k) && qpdf_oh_get_int_value(q, k) > max)
            max = qpdf_oh_get_int_value(q, k);
    }
    qpdf_oh kids = key(q, node, "/Kids");
    count = qpdf_oh_is_array(q, kids) ? qpdf_oh_get_array_n_items(q, kids) : 0;
    for (int i = 0; i < count; i++) {
        long long kid = number_tree_max(q, qpdf_oh_get_array_item(q, kids, i), depth + 1);
        if (kid > max)
            max = kid;
    }
    return max;
}

/* Adds `number` (greater than every key) to the rightmost leaf. */
static void number_tree_append(qpdf_data q, qpdf_oh root, long long number, qpdf_oh value)
{
    qpdf_oh node = root;
    for (int depth = 0; depth < 32; depth++) {
        qpdf_oh kids = key(q, node, "/Kids");
        int count = qpdf_oh_is_array(q, kids) ? qpdf_oh_get_array_n_items(q, kids) : 0;
        if (count == 0 || qpdf_oh_has_key(q, node, "/Nums"))
            break;
        node = qpdf_oh_get_array_item(q, kids, count - 1);
        qpdf_oh limits = key(q, node, "/Limits");
        if (qpdf_oh_is_array(q, limits) && qpdf_oh_get_array_n_items(q, limits) == 2)
            qpdf_oh_set_array_item(q, limits, 1, qpdf_oh_new_integer(q, number));
    }
    qpdf_oh nums = key(q, node, "/Nums");
    if (!qpdf_oh_is_array(q, nums)) {
        nums = qpdf_oh_new_array(q);
        qpdf_oh_replace_key(q, node, "/Nums", nums);
    }
    qpdf_oh_append_item(q, nums, qpdf_oh_new_integer(q, number));
    qpdf_oh_append_item(q, nums, value);
}

typedef struct page_marking {
    finisher *f;
    qpdf_oh page, tree; /* tree: the StructTreeRoot, or 0 */
    const unsigned char *content;
    size_t length;
    qpdf_oh parents;    /* the page's parent-tree array, once looked up */
    long next_mcid;     /* -1 until first needed */
} page_marking;

/* The page's parent-tree array (MCID -> structure element), made if the
 * page has none. 0 if there is no structure tree. */
static qpdf_oh page_parents(page_marking *m)
{
    qpdf_data q = m->f->q;
    if (m->parents || !m->tree)
        return m->parents;
    qpdf_oh parent_tree = key(q, m->tree, "/ParentTree");
    if (!qpdf_oh_is_dictionary(q, parent_tree)) {
        parent_tree = qpdf_make_indirect_object(q, qpdf_oh_new_dictionary(q));
        qpdf_oh_replace_key(q, parent_tree, "/Nums", qpdf_oh_new_array(q));
        qpdf_oh_replace_key(q, m->tree, "/ParentTree", parent_tree);
    }
    qpdf_oh number = key(q, m->page, "/StructParents");
    qpdf_oh found = qpdf_oh_is_integer(q, number)
                        ? number_tree_get(q, parent_tree, qpdf_oh_get_int_value(q, number), 0)
                        : 0;
    if (found && qpdf_oh_is_array(q, found))
        return m->parents = found;
    /* None (or not an array): a new key past every existing one. */
    long long next = number_tree_max(q, parent_tree, 0) + 1;
    qpdf_oh next_key = key(q, m->tree, "/ParentTreeNextKey");
    if (qpdf_oh_is_integer(q, next_key) && qpdf_oh_get_int_value(q, next_key) > next)
        next = qpdf_oh_get_int_value(q, next_key);
    qpdf_oh array = qpdf_make_indirect_object(q, qpdf_oh_new_array(q));
    number_tree_append(q, parent_tree, next, array);
    qpdf_oh_replace_key(q, m->page, "/StructParents", qpdf_oh_new_integer(q, next));
    if (qpdf_oh_has_key(q, m->tree, "/ParentTreeNextKey"))
        qpdf_oh_replace_key(q, m->tree, "/ParentTreeNextKey", qpdf_oh_new_integer(q, next + 1));
    return m->parents = array;
}

/* The XObject `name` in the page's (possibly inherited) resources. */
static qpdf_oh page_xobject(qpdf_data q, qpdf_oh page, const char *name)
{
    qpdf_oh node = page;
    for (int depth = 0; depth < 32 && qpdf_oh_is_dictionary(q, node); depth++) {
        qpdf_oh resources = key(q, node, "/Resources");
        if (qpdf_oh_is_dictionary(q, resources))
            return key(q, key(q, resources, "/XObject"), name);
        node = key(q, node, "/Parent");
    }
    return qpdf_oh_new_null(q);
}

/* Our renderer draws each image in a Figure tag and nothing else there, so
 * the k-th unmarked image or form XObject in content order (pages in order)
 * is the content of the k-th contentless Figure, skipping figures whose
 * /Pg names another page. Cairo writes no /Pg on them. */
static long mark_xobject(void *context, const char *name)
{
    page_marking *m = context;
    finisher *f = m->f;
    qpdf_data q = f->q;
    qpdf_oh xobject = page_xobject(q, m->page, name);
    if (!qpdf_oh_is_stream(q, xobject))
        return -1;
    qpdf_oh subtype = key(q, qpdf_oh_get_dict(q, xobject), "/Subtype");
    if (!name_is(q, subtype, "/Image") && !name_is(q, subtype, "/Form"))
        return -1;
    int page_id = qpdf_oh_get_object_id(q, m->page);
    size_t slot = 0;
    for (; slot < f->empty_count; slot++) {
        qpdf_oh figure = f->empty_figures[slot];
        if (!figure)
            continue;
        qpdf_oh pg = key(q, figure, "/Pg");
        if (!qpdf_oh_is_dictionary(q, pg) || qpdf_oh_get_object_id(q, pg) == page_id)
            break;
    }
    if (slot == f->empty_count)
        return -1;
    qpdf_oh parents = page_parents(m);
    if (!parents)
        return -1;
    /* MCIDs index the parent-tree array; never reuse one the stream has. */
    int used = qpdf_oh_get_array_n_items(q, parents);
    if (m->next_mcid < 0) {
        long in_stream = pdf_content_max_mcid(m->content, m->length);
        m->next_mcid = in_stream + 1 > used ? in_stream + 1 : used;
    }
    long mcid = m->next_mcid++;
    for (long i = used; i < mcid; i++)
        qpdf_oh_append_item(q, parents, qpdf_oh_new_null(q));
    qpdf_oh figure = f->empty_figures[slot];
    f->empty_figures[slot] = 0;
    f->empty_used++;
    qpdf_oh_append_item(q, parents, figure);
    qpdf_oh_replace_key(q, figure, "/K", qpdf_oh_new_integer(q, mcid));
    qpdf_oh_replace_key(q, figure, "/Pg", m->page);
    return mcid;
}

static void finish_marking(finisher *f, qpdf_oh root)
{
    qpdf_data q = f->q;
    qpdf_oh tree = key(q, root, "/StructTreeRoot");
    int pages = qpdf_get_num_pages(q);
    size_t unparsable = 0, unreadable = 0;
    for (int i = 0; i < pages; i++) {
        qpdf_oh page = qpdf_get_page_n(q, (size_t)i);
        if (qpdf_oh_is_null(q, key(q, page, "/Contents")))
            continue;
        unsigned char *content = NULL;
        size_t length = 0;
        /* QPDF_WARNINGS is set too: qpdf repaired cairo's xref. */
        if ((qpdf_oh_get_page_content_data(q, page, &content, &length) & QPDF_ERRORS) ||
            !content) {
            if (qpdf_has_error(q))
                (void)qpdf_get_error(q);
            free(content);
            unreadable++;
            continue;
        }
        page_marking m = {
            .f = f, .page = page, .tree = qpdf_oh_is_dictionary(q, tree) ? tree : 0,
            .content = content, .length = length, .next_mcid = -1,
        };
        strbuf out = {0};
        pdf_mark_result result = pdf_mark_content(content, length, mark_xobject, &m, &out);
        if (result == PDF_MARK_CHANGED) {
            pdf_set_page_content(q, page, out.data, out.length);
        } else if (result == PDF_MARK_UNPARSABLE) {
            unparsable++;
        }
        free(out.data);
        free(content);
    }
    if (unreadable || unparsable)
        diag_report(f->diags, SEVERITY_WARNING, f->out_path, 0, 0,
                    "%zu page%s could not be checked for unmarked content",
                    unreadable + unparsable, unreadable + unparsable == 1 ? "" : "s");
    size_t left = f->empty_count - f->empty_used;
    if (left)
        diag_report(f->diags, SEVERITY_WARNING, f->out_path, 0, 0,
                    "%zu figure%s no image to mark as %s content", left,
                    left == 1 ? " has" : "s have", left == 1 ? "its" : "their");
}

/* ---- walking resources ----------------------------------------------- */

typedef struct walker {
    qpdf_data q;
    pdf_walk_fn fn;
    void *context;
    int *seen;
    size_t seen_count, seen_capacity;
} walker;

/* True the first time an indirect object is met; direct ones always. */
static bool first_time(walker *w, qpdf_oh oh)
{
    if (!qpdf_oh_is_indirect(w->q, oh))
        return true;
    int id = qpdf_oh_get_object_id(w->q, oh);
    for (size_t i = 0; i < w->seen_count; i++)
        if (w->seen[i] == id)
            return false;
    if (w->seen_count == w->seen_capacity) {
        w->seen_capacity = w->seen_capacity ? w->seen_capacity * 2 : 64;
        w->seen = xrealloc(w->seen, w->seen_capacity * sizeof *w->seen);
    }
    w->seen[w->seen_count++] = id;
    return true;
}

static qpdf_oh dict_of(qpdf_data q, qpdf_oh oh)
{
    return qpdf_oh_is_stream(q, oh) ? qpdf_oh_get_dict(q, oh) : oh;
}

static void walk_resources(walker *w, qpdf_oh resources, int depth);
static void walk_entry(walker *w, qpdf_oh resources, const char *category, qpdf_oh value,
                       int depth);

/* A content stream's own resources, else those it inherits. */
static qpdf_oh own_resources(qpdf_data q, qpdf_oh object, qpdf_oh inherited)
{
    qpdf_oh r = key(q, dict_of(q, object), "/Resources");
    return qpdf_oh_is_dictionary(q, r) ? r : inherited;
}

static void walk_content(walker *w, pdf_node kind, qpdf_oh object, qpdf_oh inherited, int depth)
{
    if (!first_time(w, object))
        return;
    qpdf_oh resources = own_resources(w->q, object, inherited);
    w->fn(w->context, w->q, kind, object, resources);
    walk_resources(w, resources, depth + 1);
}

char **pdf_dict_keys(qpdf_data q, qpdf_oh dict, size_t *count)
{
    char **names = NULL;
    *count = 0;
    qpdf_oh_begin_dict_key_iter(q, dict);
    while (qpdf_oh_dict_more_keys(q)) {
        names = xrealloc(names, (*count + 1) * sizeof *names);
        names[(*count)++] = xstrdup(qpdf_oh_dict_next_key(q));
    }
    return names;
}

/* Each value of resources[category], in key order. */
static void walk_category(walker *w, qpdf_oh resources, const char *category, int depth)
{
    qpdf_data q = w->q;
    qpdf_oh dict = key(q, resources, category);
    if (!qpdf_oh_is_dictionary(q, dict))
        return;
    /* keys first: the callbacks may use the iterator's qpdf state */
    size_t count;
    char **names = pdf_dict_keys(q, dict, &count);
    for (size_t i = 0; i < count; i++) {
        walk_entry(w, resources, category, key(q, dict, names[i]), depth);
        free(names[i]);
    }
    free(names);
}

/* One resource of the given category. */
static void walk_entry(walker *w, qpdf_oh resources, const char *category, qpdf_oh value,
                       int depth)
{
    qpdf_data q = w->q;
    qpdf_oh d = dict_of(q, value);
    if (strcmp(category, "/XObject") == 0 && qpdf_oh_is_stream(q, value)) {
        qpdf_oh subtype = key(q, d, "/Subtype");
        if (name_is(q, subtype, "/Form")) {
            walk_content(w, PDF_NODE_FORM, value, resources, depth);
        } else if (name_is(q, subtype, "/Image") && first_time(w, value)) {
            w->fn(w->context, q, PDF_NODE_IMAGE, value, resources);
            qpdf_oh mask = key(q, d, "/SMask");
            if (qpdf_oh_is_stream(q, mask) && first_time(w, mask))
                w->fn(w->context, q, PDF_NODE_IMAGE, mask, resources);
        }
    } else if (strcmp(category, "/Font") == 0 && qpdf_oh_is_dictionary(q, value)) {
        if (!first_time(w, value))
            return;
        w->fn(w->context, q, PDF_NODE_FONT, value, resources);
        qpdf_oh procs = key(q, value, "/CharProcs");
        if (name_is(q, key(q, value, "/Subtype"), "/Type3") && qpdf_oh_is_dictionary(q, procs)) {
            qpdf_oh font_resources = own_resources(q, value, resources);
            size_t glyph_count;
            char **glyphs = pdf_dict_keys(q, procs, &glyph_count);
            for (size_t g = 0; g < glyph_count; g++) {
                qpdf_oh proc = key(q, procs, glyphs[g]);
                if (qpdf_oh_is_stream(q, proc) && first_time(w, proc))
                    w->fn(w->context, q, PDF_NODE_CHARPROC, proc, font_resources);
                free(glyphs[g]);
            }
            free(glyphs);
            walk_resources(w, font_resources, depth + 1);
        }
    } else if (strcmp(category, "/Pattern") == 0) {
        qpdf_oh type = key(q, d, "/PatternType");
        if (qpdf_oh_is_integer(q, type) && qpdf_oh_get_int_value(q, type) == 1 &&
            qpdf_oh_is_stream(q, value)) {
            walk_content(w, PDF_NODE_PATTERN, value, resources, depth);
        } else if (first_time(w, value)) {
            w->fn(w->context, q, PDF_NODE_PATTERN, value, resources);
            qpdf_oh shading = key(q, d, "/Shading");
            if (!qpdf_oh_is_null(q, shading) && first_time(w, shading))
                w->fn(w->context, q, PDF_NODE_SHADING, shading, resources);
        }
    } else if (strcmp(category, "/Shading") == 0) {
        if (first_time(w, value))
            w->fn(w->context, q, PDF_NODE_SHADING, value, resources);
    } else if (strcmp(category, "/ExtGState") == 0 && qpdf_oh_is_dictionary(q, value)) {
        qpdf_oh mask = key(q, value, "/SMask");
        qpdf_oh group = key(q, mask, "/G");
        if (qpdf_oh_is_stream(q, group))
            walk_content(w, PDF_NODE_FORM, group, resources, depth);
    }
}

static void walk_resources(walker *w, qpdf_oh resources, int depth)
{
    qpdf_data q = w->q;
    if (depth > 32 || !qpdf_oh_is_dictionary(q, resources) || !first_time(w, resources))
        return;
    w->fn(w->context, q, PDF_NODE_RESOURCES, resources, resources);
    static const char *const categories[] = {"/ExtGState", "/Pattern", "/Shading", "/XObject",
                                             "/Font"};
    for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++)
        walk_category(w, resources, categories[i], depth);
}

void pdf_walk(qpdf_data q, pdf_walk_fn fn, void *context)
{
    walker w = {.q = q, .fn = fn, .context = context};
    qpdf_push_inherited_attributes_to_page(q);
    int pages = qpdf_get_num_pages(q);
    for (int i = 0; i < pages; i++) {
        qpdf_oh page = qpdf_get_page_n(q, (size_t)i);
        qpdf_oh resources = key(q, page, "/Resources");
        fn(context, q, PDF_NODE_PAGE, page, resources);
        walk_resources(&w, resources, 0);
    }
    free(w.seen);
}

void pdf_set_page_content(qpdf_data q, qpdf_oh page, const char *data, size_t length)
{
    /* One new stream; the writer compresses it and drops the old. */
    qpdf_oh stream = qpdf_oh_new_stream(q);
    qpdf_oh null = qpdf_oh_new_null(q);
    qpdf_oh_replace_stream_data(q, stream, (const unsigned char *)data, length, null, null);
    qpdf_oh_replace_key(q, page, "/Contents", stream);
}

/* ---- fonts, images, output intent (PDF/A-2, PDF/X-4) ------------------ */

/* What both targets need of fonts and images:
 * - CIDFontType2 without /CIDToGIDMap: /Identity (ISO 32000-1 9.7.4.2
 *   makes it the default, but PDF/A-2 6.2.11.3.2 and PDF/UA 7.21.3.2 want
 *   it written). It is right for cairo: its TrueType subsets renumber the
 *   glyphs and the content shows each glyph by its new index, CID = GID.
 * - /CIDSet: none (PDF/A-2 and PDF/UA only require one that is there to
 *   be complete; cairo writes none, and a stale one would fail).
 * - Images: /Interpolate false (PDF/A-2 6.2.8.1). */
static void fix_node(void *context, qpdf_data q, pdf_node kind, qpdf_oh object, qpdf_oh resources)
{
    (void)context, (void)resources;
    if (kind == PDF_NODE_IMAGE) {
        qpdf_oh d = qpdf_oh_get_dict(q, object);
        if (qpdf_oh_has_key(q, d, "/Interpolate"))
            qpdf_oh_replace_key(q, d, "/Interpolate", qpdf_oh_new_bool(q, QPDF_FALSE));
        return;
    }
    if (kind != PDF_NODE_FONT || !name_is(q, key(q, object, "/Subtype"), "/Type0"))
        return;
    qpdf_oh descendants = key(q, object, "/DescendantFonts");
    int count = qpdf_oh_is_array(q, descendants) ? qpdf_oh_get_array_n_items(q, descendants) : 0;
    for (int i = 0; i < count; i++) {
        qpdf_oh cid_font = qpdf_oh_get_array_item(q, descendants, i);
        if (name_is(q, key(q, cid_font, "/Subtype"), "/CIDFontType2") &&
            !qpdf_oh_has_key(q, cid_font, "/CIDToGIDMap"))
            qpdf_oh_replace_key(q, cid_font, "/CIDToGIDMap", qpdf_oh_new_name(q, "/Identity"));
        qpdf_oh descriptor = key(q, cid_font, "/FontDescriptor");
        if (qpdf_oh_is_dictionary(q, descriptor))
            qpdf_oh_remove_key(q, descriptor, "/CIDSet");
    }
}

#define SRGB_CONDITION "sRGB IEC61966-2.1"

/* PDF/A-2 6.2.3: an OutputIntent GTS_PDFA1 whose profile gives DeviceRGB
 * its meaning (cairo writes only DeviceRGB and DeviceGray). */
static bool finish_output_intent(finisher *f, qpdf_oh root)
{
    qpdf_data q = f->q;
    size_t length = 0;
    unsigned char *profile = colour_srgb_profile(&length);
    if (!profile) {
        diag_report(f->diags, SEVERITY_ERROR, f->out_path, 0, 0,
                    "cannot make the sRGB profile for the PDF/A output intent (lcms2)");
        return false;
    }
    qpdf_oh stream = qpdf_oh_new_stream(q);
    qpdf_oh null = qpdf_oh_new_null(q);
    qpdf_oh_replace_stream_data(q, stream, profile, length, null, null);
    free(profile);
    qpdf_oh_replace_key(q, qpdf_oh_get_dict(q, stream), "/N", qpdf_oh_new_integer(q, 3));
    qpdf_oh intent = qpdf_oh_new_dictionary(q);
    qpdf_oh_replace_key(q, intent, "/Type", qpdf_oh_new_name(q, "/OutputIntent"));
    qpdf_oh_replace_key(q, intent, "/S", qpdf_oh_new_name(q, "/GTS_PDFA1"));
    qpdf_oh_replace_key(q, intent, "/OutputConditionIdentifier",
                        qpdf_oh_new_string(q, SRGB_CONDITION));
    qpdf_oh_replace_key(q, intent, "/Info", qpdf_oh_new_string(q, SRGB_CONDITION));
    qpdf_oh_replace_key(q, intent, "/RegistryName", qpdf_oh_new_string(q, "http://www.color.org"));
    qpdf_oh_replace_key(q, intent, "/DestOutputProfile", stream);
    qpdf_oh intents = qpdf_oh_new_array(q);
    qpdf_oh_append_item(q, intents, intent);
    qpdf_oh_replace_key(q, root, "/OutputIntents", intents);
    return true;
}

/* ---- entry point ------------------------------------------------------ */

static bool check_text(const pdf_finish_info *info, const char *out_path, diag_list *diags)
{
    const struct { const char *what, *value; } fields[] = {
        {"title", info->title},       {"author", info->author}, {"subject", info->subject},
        {"keywords", info->keywords}, {"lang", info->lang},     {"date", info->date},
    };
    bool ok = true;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        int line, column;
        if (fields[i].value && !utf8_validate(fields[i].value, strlen(fields[i].value), &line,
                                              &column)) {
            diag_report(diags, SEVERITY_ERROR, out_path, 0, 0,
                        "the document %s is not valid UTF-8", fields[i].what);
            ok = false;
        }
    }
    for (size_t i = 0; info->figure_alts && i < info->figure_count; i++) {
        int line, column;
        const char *alt = info->figure_alts[i];
        if (alt && !utf8_validate(alt, strlen(alt), &line, &column)) {
            diag_report(diags, SEVERITY_ERROR, out_path, 0, 0,
                        "the alternative text of figure %zu is not valid UTF-8", i + 1);
            ok = false;
        }
    }
    return ok;
}

bool pdf_finish_qpdf(const unsigned char *pdf, size_t length, const pdf_finish_info *info,
                     const char *out_path, unsigned char **result, size_t *result_length,
                     diag_list *diags)
{
    static const pdf_finish_extra screen = {.target = PDF_TARGET_SCREEN};
    return pdf_finish_target(pdf, length, info, &screen, out_path, result, result_length, diags);
}

bool pdf_finish_target(const unsigned char *pdf, size_t length, const pdf_finish_info *info,
                       const pdf_finish_extra *extra, const char *out_path,
                       unsigned char **result, size_t *result_length, diag_list *diags)
{
    *result = NULL;
    *result_length = 0;
    static const pdf_finish_info empty = {0};
    if (!info)
        info = &empty;
    if (!pdf || length == 0) {
        diag_report(diags, SEVERITY_ERROR, out_path, 0, 0, "no PDF to finish");
        return false;
    }
    if (!check_text(info, out_path, diags))
        return false;
    char pdf_date[40] = "";
    if (is_set(info->date) && !iso_to_pdf_date(info->date, pdf_date, sizeof pdf_date)) {
        diag_report(diags, SEVERITY_ERROR, out_path, 0, 0,
                    "'%s' is not an ISO 8601 date (e.g. 2017-05-01T00:00:00Z)", info->date);
        return false;
    }
    if (!is_set(info->title))
        diag_report(diags, SEVERITY_WARNING, out_path, 0, 0,
                    "the document has no title; PDF/UA requires one");
    if (!is_set(info->lang))
        diag_report(diags, SEVERITY_WARNING, out_path, 0, 0,
                    "the document has no language; PDF/UA requires one");

    finisher f = {
        .q = qpdf_init(), .info = info, .target = extra->target, .out_path = out_path,
        .diags = diags,
        .lang = info->lang,
    };
    qpdf_data q = f.q;
    bool ok = false;
    qpdf_silence_errors(q);
    qpdf_set_suppress_warnings(q, QPDF_TRUE);
    /* Cairo 1.18 writes a stale xref entry for every Artifact tag, and
     * qpdf would rebuild the whole table for them: freed first, so it
     * reads the file as written (pdf_xref.h). Recovery stays on for
     * anything else. qpdf reads the buffer until qpdf_cleanup. */
    strbuf repaired = {0};
    if (pdf_xref_repair(pdf, length, &repaired)) {
        pdf = (const unsigned char *)repaired.data;
        length = repaired.length;
    }
    qpdf_read_memory(q, "cairo output", (const char *)pdf, length, NULL);
    if (qpdf_failed(&f, "cannot read the rendered PDF"))
        goto done;

    qpdf_oh root = qpdf_get_root(q);
    if (!qpdf_oh_is_dictionary(q, root)) {
        if (!qpdf_failed(&f, "cannot read the rendered PDF"))
            diag_report(diags, SEVERITY_ERROR, out_path, 0, 0,
                        "cannot read the rendered PDF: it has no catalog");
        goto done;
    }
    if (qpdf_get_num_pages(q) < 0) {
        qpdf_failed(&f, "cannot read the rendered PDF's pages");
        goto done;
    }
    finish_catalog(&f, root);
    finish_info(&f, pdf_date);
    finish_pages(&f);
    finish_structure(&f, root);
    finish_marking(&f, root);
    pdf_walk(q, fix_node, NULL);
    if (extra->target == PDF_TARGET_SCREEN && !finish_output_intent(&f, root))
        goto done;
    if (qpdf_failed(&f, "cannot add the PDF/UA entries"))
        goto done;
    if (extra->finish && !extra->finish(extra->context, q, out_path, diags))
        goto done;
    if (qpdf_failed(&f, "cannot finish the print PDF"))
        goto done;

    qpdf_init_write_memory(q);
    if (qpdf_failed(&f, "cannot write the PDF"))
        goto done;
    /* Write parameters are reset by qpdf_init_write*, so they come after. */
    qpdf_set_deterministic_ID(q, QPDF_TRUE);
    /* Print: plain objects and a classic xref table, which every RIP and
     * preflight reads (object streams cost a few KiB more there). */
    qpdf_set_object_stream_mode(q, extra->target == PDF_TARGET_PRINT ? qpdf_o_disable
                                                                    : qpdf_o_generate);
    qpdf_set_compress_streams(q, QPDF_TRUE);
    qpdf_set_qdf_mode(q, QPDF_FALSE);
    qpdf_set_linearization(q, QPDF_FALSE);
    if (extra->target == PDF_TARGET_PRINT)
        qpdf_force_pdf_version(q, "1.6"); /* PDF/X-4 is PDF 1.6 */
    qpdf_write(q);
    if (qpdf_failed(&f, "cannot write the PDF"))
        goto done;
    const unsigned char *out = qpdf_get_buffer(q);
    size_t out_length = qpdf_get_buffer_length(q);
    if (!out || out_length == 0) {
        diag_report(diags, SEVERITY_ERROR, out_path, 0, 0,
                    "cannot write the PDF: qpdf wrote nothing");
        goto done;
    }
    *result = xmalloc(out_length);
    memcpy(*result, out, out_length);
    *result_length = out_length;
    ok = true;

done:
    drain_warnings(q);
    free(f.visited);
    free(f.empty_figures);
    qpdf_cleanup(&q);
    free(repaired.data);
    return ok;
}
