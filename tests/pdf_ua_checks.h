/* PDF/UA-1 checks of what finishing is responsible for, on a qpdf-read
 * PDF, for the tests (unit_pdf_finish.c on hand-made PDFs and their
 * defects, preflight.c on every built screen PDF):
 * - fonts (ISO 14289-1 7.21): embedded; CIDToGIDMap on CIDFontType2;
 *   widths (/W, or /Widths over FirstChar..LastChar) for every glyph
 *   shown; a ToUnicode value for every glyph shown, none U+0000, U+FEFF
 *   or U+FFFE;
 * - marked content (7.1): nothing painted outside marked content, BMC/BDC
 *   and EMC balanced, every MCID once and in the page's parent tree;
 * - annotations (7.18): /Contents, the print flag and nothing hiding it,
 *   /StructParent to a Link element that holds the annotation by OBJR,
 *   /Tabs /S on the page.
 * Page content only (leafpress paints text on pages, not in forms).
 * Header-only, after pdf_content.h and textutil.h. */
#ifndef LEAFPRESS_TESTS_PDF_UA_CHECKS_H
#define LEAFPRESS_TESTS_PDF_UA_CHECKS_H

#include <qpdf/qpdf-c.h>
#include <stdio.h>

static qpdf_oh ua_get(qpdf_data q, qpdf_oh oh, const char *key)
{
    return qpdf_oh_get_key_if_dict(q, oh, key);
}

#define FAIL_UA(...)                     \
    do {                                 \
        strbuf_printf(why, __VA_ARGS__); \
        return false;                    \
    } while (0)


static unsigned char *ua_stream_data(qpdf_data q, qpdf_oh stream, size_t *length)
{
    QPDF_BOOL filtered = QPDF_FALSE;
    unsigned char *data = NULL;
    *length = 0;
    if ((qpdf_oh_get_stream_data(q, stream, qpdf_dl_generalized, &filtered, &data, length) &
         QPDF_ERRORS) || !filtered) {
        if (qpdf_has_error(q))
            (void)qpdf_get_error(q);
        free(data);
        return NULL;
    }
    return data;
}

/* Every text's font and the codes it showed, per page. */
typedef struct font_use {
    char name[64];
    unsigned char *codes; /* bytes as shown */
    size_t length;
} font_use;

typedef struct text_scan {
    char font[64];
    font_use uses[32];
    size_t use_count;
    /* marked content */
    int depth;
    bool unbalanced;
    char painted_outside[32]; /* the first operator painting at depth 0 */
    long mcids[512];
    size_t mcid_count;
} text_scan;

static void text_op(void *context, const tk *op, const tk *args, size_t count)
{
    text_scan *t = context;
    bool paints = op->kind == TK_INLINE_IMAGE;
    static const char *const painting[] = {"f", "F", "f*", "B", "B*", "b", "b*", "S", "s",
                                           "sh", "Do", "Tj", "TJ", "'", "\""};
    for (size_t i = 0; !paints && i < sizeof painting / sizeof painting[0]; i++)
        paints = tk_is(op, painting[i]);
    if (paints && t->depth == 0 && !t->painted_outside[0])
        snprintf(t->painted_outside, sizeof t->painted_outside, "%.*s", (int)op->n, op->s);
    if (tk_is(op, "BMC") || tk_is(op, "BDC")) {
        t->depth++;
        for (size_t i = 0; i + 1 < count; i++)
            if (tk_is(&args[i], "/MCID") && args[i + 1].kind == TK_NUMBER && t->mcid_count < 512)
                t->mcids[t->mcid_count++] = (long)args[i + 1].number;
    } else if (tk_is(op, "EMC")) {
        if (t->depth == 0)
            t->unbalanced = true;
        else
            t->depth--;
    } else if (tk_is(op, "Tf") && count == 2 && args[0].kind == TK_NAME) {
        snprintf(t->font, sizeof t->font, "%.*s", (int)args[0].n, args[0].s);
    } else if (tk_is(op, "Tj") || tk_is(op, "TJ") || tk_is(op, "'") || tk_is(op, "\"")) {
        font_use *u = NULL;
        for (size_t i = 0; i < t->use_count && !u; i++)
            if (strcmp(t->uses[i].name, t->font) == 0)
                u = &t->uses[i];
        if (!u && t->use_count < 32) {
            u = &t->uses[t->use_count++];
            memcpy(u->name, t->font, sizeof u->name); /* both NUL-terminated, same size */
        }
        for (size_t i = 0; u && i < count; i++)
            if (args[i].kind == TK_STRING || args[i].kind == TK_HEXSTRING) {
                unsigned char *bytes;
                size_t n = tk_string_bytes(&args[i], &bytes);
                u->codes = xrealloc(u->codes, u->length + n + 1);
                memcpy(u->codes + u->length, bytes, n);
                u->length += n;
                free(bytes);
            }
    }
}

static bool scan_text(qpdf_data q, int index, text_scan *t)
{
    memset(t, 0, sizeof *t);
    unsigned char *data = NULL;
    size_t length = 0;
    qpdf_oh pg = qpdf_get_page_n(q, (size_t)index);
    if ((qpdf_oh_get_page_content_data(q, pg, &data, &length) & QPDF_ERRORS) || !data) {
        free(data);
        return false;
    }
    bool ok = content_ops(data, length, text_op, t);
    free(data);
    return ok;
}

static void text_scan_free(text_scan *t)
{
    for (size_t i = 0; i < t->use_count; i++)
        free(t->uses[i].codes);
}

/* The code -> Unicode pairs of a ToUnicode CMap (bfchar and bfrange).
 * Returns the UTF-16BE length (bytes) a code maps to, 0 when unmapped,
 * and its first unit in *first. */
static size_t to_unicode(const char *cmap, unsigned code, int code_bytes, unsigned *first)
{
    const char *p = cmap;
    while ((p = strchr(p, '<'))) {
        /* a "beginbfrange" line has three fields; tell by the section */
        const char *section = NULL;
        for (const char *s = p; s > cmap; s--)
            if (strncmp(s, "beginbfrange", 12) == 0 || strncmp(s, "beginbfchar", 11) == 0) {
                section = s;
                break;
            }
        bool range = section && strncmp(section, "beginbfrange", 12) == 0;
        unsigned lo = 0, hi = 0;
        int digits = 0;
        const char *q = p + 1;
        for (; *q && *q != '>'; q++, digits++)
            lo = lo * 16 + (unsigned)hex_digit(*q);
        if (!*q)
            return 0;
        q++;
        hi = lo;
        while (*q == ' ')
            q++;
        if (range && *q == '<') {
            hi = 0;
            for (q++; *q && *q != '>'; q++)
                hi = hi * 16 + (unsigned)hex_digit(*q);
            if (!*q)
                return 0;
            q++;
            while (*q == ' ')
                q++;
        }
        if (*q != '<') { /* a name or an array: not written by cairo; skip */
            p = q;
            continue;
        }
        const char *dst = q + 1;
        size_t n = strcspn(dst, ">");
        if (digits == 2 * code_bytes && code >= lo && code <= hi && n >= 4) {
            unsigned unit = 0;
            for (int i = 0; i < 4; i++)
                unit = unit * 16 + (unsigned)hex_digit(dst[i]);
            *first = unit + (code - lo);
            return n / 2;
        }
        p = dst + n;
    }
    return 0;
}

/* Whether a CID has an explicit width in a /W array. */
static bool w_covers(qpdf_data q, qpdf_oh w, unsigned cid)
{
    int n = qpdf_oh_is_array(q, w) ? qpdf_oh_get_array_n_items(q, w) : 0;
    for (int i = 0; i < n;) {
        qpdf_oh first = qpdf_oh_get_array_item(q, w, i);
        if (!qpdf_oh_is_integer(q, first) || i + 1 >= n)
            return false;
        long long c = qpdf_oh_get_int_value(q, first);
        qpdf_oh next = qpdf_oh_get_array_item(q, w, i + 1);
        if (qpdf_oh_is_array(q, next)) {
            long long count = qpdf_oh_get_array_n_items(q, next);
            if (cid >= c && cid < c + count)
                return true;
            i += 2;
        } else {
            if (i + 2 >= n)
                return false;
            long long last = qpdf_oh_get_int_value(q, next);
            if (cid >= c && cid <= last)
                return true;
            i += 3;
        }
    }
    return false;
}

static bool check_fonts(qpdf_data q, strbuf *why)
{
    int pages = qpdf_get_num_pages(q);
    size_t glyphs = 0;
    for (int p = 0; p < pages; p++) {
        text_scan t;
        if (!scan_text(q, p, &t))
            FAIL_UA("page %d: unreadable content", p + 1);
        qpdf_oh fonts = ua_get(q, ua_get(q, qpdf_get_page_n(q, (size_t)p), "/Resources"), "/Font");
        for (size_t u = 0; u < t.use_count; u++) {
            const font_use *use = &t.uses[u];
            qpdf_oh font = ua_get(q, fonts, use->name);
            bool type0 = qpdf_oh_is_name_and_equals(q, ua_get(q, font, "/Subtype"), "/Type0");
            qpdf_oh cid_font = type0 ? qpdf_oh_get_array_item(q, ua_get(q, font, "/DescendantFonts"), 0) : 0;
            qpdf_oh descriptor = ua_get(q, type0 ? cid_font : font, "/FontDescriptor");
            const char *problem = NULL;
            if (!qpdf_oh_has_key(q, descriptor, "/FontFile2") &&
                !qpdf_oh_has_key(q, descriptor, "/FontFile3") &&
                !qpdf_oh_has_key(q, descriptor, "/FontFile"))
                problem = "is not embedded";
            else if (type0 && qpdf_oh_is_name_and_equals(q, ua_get(q, cid_font, "/Subtype"), "/CIDFontType2") &&
                     !qpdf_oh_is_name_and_equals(q, ua_get(q, cid_font, "/CIDToGIDMap"), "/Identity") &&
                     !qpdf_oh_is_stream(q, ua_get(q, cid_font, "/CIDToGIDMap")))
                problem = "is a CIDFontType2 without /CIDToGIDMap";
            size_t n = 0;
            unsigned char *cmap_data = problem ? NULL : ua_stream_data(q, ua_get(q, font, "/ToUnicode"), &n);
            if (!problem && !cmap_data)
                problem = "has no ToUnicode CMap";
            char *cmap = cmap_data ? xstrndup((const char *)cmap_data, n) : NULL;
            free(cmap_data);
            int code_bytes = type0 ? 2 : 1;
            double first_char = 0, last_char = -1;
            if (!type0 && !problem) {
                qpdf_oh fc = ua_get(q, font, "/FirstChar"), lc = ua_get(q, font, "/LastChar");
                qpdf_oh widths = ua_get(q, font, "/Widths");
                if (!qpdf_oh_is_integer(q, fc) || !qpdf_oh_is_integer(q, lc) ||
                    !qpdf_oh_is_array(q, widths) ||
                    qpdf_oh_get_array_n_items(q, widths) !=
                        qpdf_oh_get_int_value(q, lc) - qpdf_oh_get_int_value(q, fc) + 1)
                    problem = "has no /Widths matching FirstChar..LastChar";
                else
                    first_char = (double)qpdf_oh_get_int_value(q, fc),
                    last_char = (double)qpdf_oh_get_int_value(q, lc);
            }
            for (size_t i = 0; !problem && i + (size_t)code_bytes <= use->length; i += (size_t)code_bytes) {
                unsigned code = type0 ? (unsigned)use->codes[i] << 8 | use->codes[i + 1] : use->codes[i];
                unsigned unit = 0;
                glyphs++;
                if (type0 && !w_covers(q, ua_get(q, cid_font, "/W"), code))
                    problem = "has no width in /W for a glyph it shows";
                else if (!type0 && (code < first_char || code > last_char))
                    problem = "shows a code outside FirstChar..LastChar";
                else if (!to_unicode(cmap, code, code_bytes, &unit) || unit == 0 ||
                         unit == 0xFEFF || unit == 0xFFFE)
                    problem = "has no Unicode value for a glyph it shows";
                if (problem)
                    strbuf_printf(why, "(code %04x) ", code);
            }
            free(cmap);
            if (problem) {
                strbuf_printf(why, "page %d: font %s %s", p + 1, use->name, problem);
                text_scan_free(&t);
                return false;
            }
        }
        text_scan_free(&t);
    }
    if (glyphs == 0)
        FAIL_UA("no text shown at all");
    return true;
}

/* The parent-tree value for key `number` (flat /Nums or /Kids). */
static qpdf_oh parent_tree_get(qpdf_data q, qpdf_oh node, long long number, int depth)
{
    if (depth > 16 || !qpdf_oh_is_dictionary(q, node))
        return 0;
    qpdf_oh nums = ua_get(q, node, "/Nums");
    int n = qpdf_oh_is_array(q, nums) ? qpdf_oh_get_array_n_items(q, nums) : 0;
    for (int i = 0; i + 1 < n; i += 2)
        if (qpdf_oh_get_int_value(q, qpdf_oh_get_array_item(q, nums, i)) == number)
            return qpdf_oh_get_array_item(q, nums, i + 1);
    qpdf_oh kids = ua_get(q, node, "/Kids");
    n = qpdf_oh_is_array(q, kids) ? qpdf_oh_get_array_n_items(q, kids) : 0;
    for (int i = 0; i < n; i++) {
        qpdf_oh found = parent_tree_get(q, qpdf_oh_get_array_item(q, kids, i), number, depth + 1);
        if (found)
            return found;
    }
    return 0;
}

static bool check_marked_content(qpdf_data q, strbuf *why)
{
    qpdf_oh tree = ua_get(q, ua_get(q, qpdf_get_root(q), "/StructTreeRoot"), "/ParentTree");
    int pages = qpdf_get_num_pages(q);
    for (int p = 0; p < pages; p++) {
        text_scan t;
        if (!scan_text(q, p, &t))
            FAIL_UA("page %d: unreadable content", p + 1);
        text_scan_free(&t);
        if (t.painted_outside[0])
            FAIL_UA("page %d: '%s' paints outside marked content", p + 1, t.painted_outside);
        if (t.unbalanced || t.depth != 0)
            FAIL_UA("page %d: BMC/BDC and EMC do not balance", p + 1);
        qpdf_oh pg = qpdf_get_page_n(q, (size_t)p);
        qpdf_oh key_oh = ua_get(q, pg, "/StructParents");
        qpdf_oh parents = qpdf_oh_is_integer(q, key_oh)
                              ? parent_tree_get(q, tree, qpdf_oh_get_int_value(q, key_oh), 0) : 0;
        for (size_t i = 0; i < t.mcid_count; i++) {
            for (size_t k = 0; k < i; k++)
                if (t.mcids[k] == t.mcids[i])
                    FAIL_UA("page %d: MCID %ld used twice", p + 1, t.mcids[i]);
            qpdf_oh elem = parents && qpdf_oh_is_array(q, parents) &&
                                   t.mcids[i] < qpdf_oh_get_array_n_items(q, parents)
                               ? qpdf_oh_get_array_item(q, parents, (int)t.mcids[i]) : 0;
            if (!elem || !qpdf_oh_is_dictionary(q, elem) || !qpdf_oh_has_key(q, elem, "/S"))
                FAIL_UA("page %d: MCID %ld has no structure element in the parent tree", p + 1,
                        t.mcids[i]);
        }
    }
    return true;
}

static bool check_annotations(qpdf_data q, strbuf *why)
{
    qpdf_oh tree = ua_get(q, ua_get(q, qpdf_get_root(q), "/StructTreeRoot"), "/ParentTree");
    int pages = qpdf_get_num_pages(q);
    size_t links = 0;
    for (int p = 0; p < pages; p++) {
        qpdf_oh pg = qpdf_get_page_n(q, (size_t)p);
        qpdf_oh annots = ua_get(q, pg, "/Annots");
        int n = qpdf_oh_is_array(q, annots) ? qpdf_oh_get_array_n_items(q, annots) : 0;
        if (n > 0 && !qpdf_oh_is_name_and_equals(q, ua_get(q, pg, "/Tabs"), "/S"))
            FAIL_UA("page %d has annotations but no /Tabs /S", p + 1);
        for (int a = 0; a < n; a++) {
            qpdf_oh annot = qpdf_oh_get_array_item(q, annots, a);
            if (qpdf_oh_is_name_and_equals(q, ua_get(q, annot, "/Subtype"), "/Popup"))
                continue;
            links++;
            qpdf_oh contents = ua_get(q, annot, "/Contents");
            if (!qpdf_oh_is_string(q, contents) || !*qpdf_oh_get_utf8_value(q, contents))
                FAIL_UA("page %d: annotation %d has no /Contents", p + 1, a + 1);
            qpdf_oh flags = ua_get(q, annot, "/F");
            long long f = qpdf_oh_is_integer(q, flags) ? qpdf_oh_get_int_value(q, flags) : 0;
            if (!(f & 4) || (f & (1 | 2 | 32)))
                FAIL_UA("page %d: annotation %d has /F %lld, not printable", p + 1, a + 1, f);
            qpdf_oh sp = ua_get(q, annot, "/StructParent");
            if (!qpdf_oh_is_integer(q, sp))
                FAIL_UA("page %d: annotation %d has no /StructParent", p + 1, a + 1);
            qpdf_oh elem = parent_tree_get(q, tree, qpdf_oh_get_int_value(q, sp), 0);
            if (!elem || !qpdf_oh_is_name_and_equals(q, ua_get(q, elem, "/S"), "/Link"))
                FAIL_UA("page %d: annotation %d's parent is not a Link element", p + 1, a + 1);
            qpdf_oh k = ua_get(q, elem, "/K");
            int kids = qpdf_oh_is_array(q, k) ? qpdf_oh_get_array_n_items(q, k) : 1;
            bool found = false;
            for (int i = 0; i < kids && !found; i++) {
                qpdf_oh kid = qpdf_oh_is_array(q, k) ? qpdf_oh_get_array_item(q, k, i) : k;
                qpdf_oh obj = ua_get(q, kid, "/Obj");
                found = qpdf_oh_is_name_and_equals(q, ua_get(q, kid, "/Type"), "/OBJR") &&
                        qpdf_oh_is_indirect(q, obj) &&
                        qpdf_oh_get_object_id(q, obj) == qpdf_oh_get_object_id(q, annot);
            }
            if (!found)
                FAIL_UA("page %d: annotation %d is not in its Link element by OBJR", p + 1, a + 1);
        }
    }
    (void)links;
    return true;
}

#endif
