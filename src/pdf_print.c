/* Print finishing: cairo's RGB print PDF -> PDF/X-4 in CMYK. See
 * pdf_print.h.
 *
 * The common steps (metadata, structure, marking, determinism) are the
 * screen finishing's (pdf_finish_target); this file adds what print needs
 * on top, in print_finish below:
 * - page boxes: TrimBox and BleedBox from render's geometry;
 * - colour: every content stream cairo wrote (pages, form XObjects such as
 *   the SVG figures' groups and soft masks, tiling patterns, Type 3
 *   glyphs) has its DeviceRGB operators rewritten to DeviceCMYK
 *   (pdf_recolour_content): a style colour that gives its own CMYK gets
 *   exactly that, every other colour goes through the output profile
 *   (colour_convert.h: greys K only, total ink <= 300 %);
 * - images, shadings and colour space resources in DeviceRGB become
 *   ICC-based sRGB (one embedded sRGB profile), which PDF/X-4 allows;
 *   image soft masks stay DeviceGray; transparency groups blend in
 *   DeviceCMYK;
 * - no annotations (render writes none for print; any left are dropped);
 * - the OutputIntent GTS_PDFX with the CMYK profile. */
#include "pdf_print.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "colour_convert.h"
#include "finish_module.h"
#include "pdf_finish_internal.h"
#include "pdf_marking.h"
#include "textutil.h"

typedef struct printer {
    const rendered *r;
    colour_converter *cc;
    const char *out_path;
    diag_list *diags;
    qpdf_oh srgb;          /* [/ICCBased stream], made when first needed */
    int srgb_id;           /* its stream's object id */
    size_t unreadable;     /* content streams qpdf could not decode */
    size_t unparsable;     /* content streams we could not lex */
} printer;

static qpdf_oh key(qpdf_data q, qpdf_oh dict, const char *k)
{
    return qpdf_oh_get_key_if_dict(q, dict, k);
}

/* ---- colour ----------------------------------------------------------- */

/* cairo writes colours with about 6 digits: a palette colour is one within
 * half a step of 255 on every channel. */
#define PALETTE_TOLERANCE (0.5 / 255)

static void to_cmyk(void *context, const double rgb[3], double cmyk[4])
{
    printer *p = context;
    for (size_t i = 0; i < p->r->palette_count; i++) {
        const colour *c = &p->r->palette[i];
        if (c->has_cmyk && fabs(c->r - rgb[0]) <= PALETTE_TOLERANCE &&
            fabs(c->g - rgb[1]) <= PALETTE_TOLERANCE && fabs(c->b - rgb[2]) <= PALETTE_TOLERANCE) {
            cmyk[0] = c->c, cmyk[1] = c->m, cmyk[2] = c->y, cmyk[3] = c->k;
            return;
        }
    }
    /* cairo rounds: a grey comes back with equal digits, but be exact */
    double r = rgb[0], g = rgb[1], b = rgb[2];
    if (fabs(r - g) <= PALETTE_TOLERANCE && fabs(g - b) <= PALETTE_TOLERANCE)
        r = g = b = (r + g + b) / 3;
    colour_to_cmyk(p->cc, r, g, b, cmyk);
}

/* The ICC-based sRGB colour space, one stream for the whole document. */
static qpdf_oh srgb_space(printer *p, qpdf_data q)
{
    if (p->srgb)
        return p->srgb;
    size_t length = 0;
    unsigned char *profile = colour_srgb_profile(&length);
    qpdf_oh stream = qpdf_make_indirect_object(q, qpdf_oh_new_stream(q));
    qpdf_oh null = qpdf_oh_new_null(q);
    if (profile)
        qpdf_oh_replace_stream_data(q, stream, profile, length, null, null);
    free(profile);
    /* No /Alternate: it would be DeviceRGB, which the file must not name. */
    qpdf_oh_replace_key(q, qpdf_oh_get_dict(q, stream), "/N", qpdf_oh_new_integer(q, 3));
    p->srgb = qpdf_oh_new_array(q);
    qpdf_oh_append_item(q, p->srgb, qpdf_oh_new_name(q, "/ICCBased"));
    qpdf_oh_append_item(q, p->srgb, stream);
    p->srgb_id = qpdf_oh_get_object_id(q, stream);
    return p->srgb;
}

static bool is_our_srgb(printer *p, qpdf_data q, qpdf_oh space)
{
    if (!p->srgb || !qpdf_oh_is_array(q, space) || qpdf_oh_get_array_n_items(q, space) != 2)
        return false;
    qpdf_oh stream = qpdf_oh_get_array_item(q, space, 1);
    return qpdf_oh_is_name_and_equals(q, qpdf_oh_get_array_item(q, space, 0), "/ICCBased") &&
           qpdf_oh_is_indirect(q, stream) && qpdf_oh_get_object_id(q, stream) == p->srgb_id;
}

/* A colour space with DeviceRGB anywhere in it (/Indexed and /Pattern
 * bases, /Separation and /DeviceN alternates) -> the same with ICC-based
 * sRGB. Returns the value to store, or 0 when it needs no change. */
static qpdf_oh fixed_space(printer *p, qpdf_data q, qpdf_oh space)
{
    if (qpdf_oh_is_name_and_equals(q, space, "/DeviceRGB") ||
        qpdf_oh_is_name_and_equals(q, space, "/RGB"))
        return srgb_space(p, q);
    if (!qpdf_oh_is_array(q, space) || is_our_srgb(p, q, space))
        return 0;
    /* arrays are changed in place */
    int n = qpdf_oh_get_array_n_items(q, space);
    for (int i = 1; i < n; i++) {
        qpdf_oh fixed = fixed_space(p, q, qpdf_oh_get_array_item(q, space, i));
        if (fixed)
            qpdf_oh_set_array_item(q, space, i, fixed);
    }
    return 0;
}

static void fix_space_key(printer *p, qpdf_data q, qpdf_oh dict, const char *k)
{
    qpdf_oh fixed = fixed_space(p, q, key(q, dict, k));
    if (fixed)
        qpdf_oh_replace_key(q, dict, k, fixed);
}

/* A transparency group blends in CMYK, as the output does. */
static void fix_group(qpdf_data q, qpdf_oh dict)
{
    qpdf_oh group = key(q, dict, "/Group");
    if (!qpdf_oh_is_dictionary(q, group))
        return;
    qpdf_oh cs = key(q, group, "/CS");
    if (!qpdf_oh_is_null(q, cs) && !qpdf_oh_is_name_and_equals(q, cs, "/DeviceCMYK"))
        qpdf_oh_replace_key(q, group, "/CS", qpdf_oh_new_name(q, "/DeviceCMYK"));
}

typedef struct space_lookup {
    printer *p;
    qpdf_data q;
    qpdf_oh resources;
} space_lookup;

static bool is_rgb_space(void *context, const char *name)
{
    space_lookup *l = context;
    char *k = xmalloc(strlen(name) + 2);
    k[0] = '/';
    strcpy(k + 1, name);
    qpdf_oh space = key(l->q, key(l->q, l->resources, "/ColorSpace"), k);
    free(k);
    /* A resource already turned into our sRGB (resources shared with an
     * earlier stream) was DeviceRGB. */
    return qpdf_oh_is_name_and_equals(l->q, space, "/DeviceRGB") ||
           is_our_srgb(l->p, l->q, space);
}

typedef struct recolour_context {
    printer *p;
    space_lookup lookup;
} recolour_context;

static void context_to_cmyk(void *context, const double rgb[3], double cmyk[4])
{
    to_cmyk(((recolour_context *)context)->p, rgb, cmyk);
}

static bool context_is_rgb(void *context, const char *name)
{
    return is_rgb_space(&((recolour_context *)context)->lookup, name);
}

/* Recolours one content stream's bytes; true and *out filled if changed. */
static bool recolour(printer *p, qpdf_data q, qpdf_oh resources, const unsigned char *data,
                     size_t length, strbuf *out)
{
    recolour_context rc = {p, {p, q, resources}};
    pdf_recolour r = {.context = &rc, .to_cmyk = context_to_cmyk, .is_rgb_space = context_is_rgb};
    pdf_mark_result result = pdf_recolour_content(data, length, &r, out);
    if (result == PDF_MARK_UNPARSABLE)
        p->unparsable++;
    if (r.used_srgb_resource && qpdf_oh_is_dictionary(q, resources)) {
        qpdf_oh spaces = key(q, resources, "/ColorSpace");
        if (!qpdf_oh_is_dictionary(q, spaces)) {
            spaces = qpdf_oh_new_dictionary(q);
            qpdf_oh_replace_key(q, resources, "/ColorSpace", spaces);
        }
        qpdf_oh_replace_key(q, spaces, "/" PDF_SRGB_RESOURCE, srgb_space(p, q));
    }
    return result == PDF_MARK_CHANGED;
}

static void recolour_stream(printer *p, qpdf_data q, qpdf_oh stream, qpdf_oh resources)
{
    QPDF_BOOL filtered = QPDF_FALSE;
    unsigned char *data = NULL;
    size_t length = 0;
    if ((qpdf_oh_get_stream_data(q, stream, qpdf_dl_generalized, &filtered, &data, &length) &
         QPDF_ERRORS) || !filtered) {
        if (qpdf_has_error(q))
            (void)qpdf_get_error(q);
        free(data);
        p->unreadable++;
        return;
    }
    strbuf out = {0};
    if (recolour(p, q, resources, data, length, &out)) {
        qpdf_oh null = qpdf_oh_new_null(q);
        /* unfiltered; the writer compresses it */
        qpdf_oh_replace_stream_data(q, stream, (const unsigned char *)out.data, out.length, null,
                                    null);
    }
    free(out.data);
    free(data);
}

static void recolour_page(printer *p, qpdf_data q, qpdf_oh pg, qpdf_oh resources)
{
    if (qpdf_oh_is_null(q, key(q, pg, "/Contents")))
        return;
    unsigned char *data = NULL;
    size_t length = 0;
    if ((qpdf_oh_get_page_content_data(q, pg, &data, &length) & QPDF_ERRORS) || !data) {
        if (qpdf_has_error(q))
            (void)qpdf_get_error(q);
        free(data);
        p->unreadable++;
        return;
    }
    strbuf out = {0};
    if (recolour(p, q, resources, data, length, &out))
        pdf_set_page_content(q, pg, out.data, out.length);
    free(out.data);
    free(data);
}

static void print_node(void *context, qpdf_data q, pdf_node kind, qpdf_oh object, qpdf_oh resources)
{
    printer *p = context;
    switch (kind) {
    case PDF_NODE_PAGE:
        fix_group(q, object);
        recolour_page(p, q, object, resources);
        break;
    case PDF_NODE_FORM:
        fix_group(q, qpdf_oh_get_dict(q, object));
        recolour_stream(p, q, object, resources);
        break;
    case PDF_NODE_CHARPROC:
        recolour_stream(p, q, object, resources);
        break;
    case PDF_NODE_PATTERN:
        if (qpdf_oh_is_stream(q, object)) /* tiling: a content stream */
            recolour_stream(p, q, object, resources);
        break;
    case PDF_NODE_IMAGE:
        fix_space_key(p, q, qpdf_oh_get_dict(q, object), "/ColorSpace");
        break;
    case PDF_NODE_SHADING:
        fix_space_key(p, q, qpdf_oh_is_stream(q, object) ? qpdf_oh_get_dict(q, object) : object,
                      "/ColorSpace");
        break;
    case PDF_NODE_RESOURCES: {
        qpdf_oh spaces = key(q, object, "/ColorSpace");
        if (!qpdf_oh_is_dictionary(q, spaces))
            break;
        size_t count;
        char **names = pdf_dict_keys(q, spaces, &count);
        for (size_t i = 0; i < count; i++) {
            fix_space_key(p, q, spaces, names[i]);
            free(names[i]);
        }
        free(names);
        break;
    }
    case PDF_NODE_FONT:
        break;
    }
}

/* ---- boxes, annotations, output intent -------------------------------- */

static qpdf_oh pdf_box(qpdf_data q, double x0, double y0, double x1, double y1)
{
    qpdf_oh a = qpdf_oh_new_array(q);
    const double v[4] = {x0, y0, x1, y1};
    for (int i = 0; i < 4; i++)
        qpdf_oh_append_item(q, a, qpdf_oh_new_real_from_double(q, v[i], 4));
    return a;
}

static bool set_boxes(printer *p, qpdf_data q)
{
    const rendered *r = p->r;
    double inset = r->bleed + r->mark_room;
    int pages = qpdf_get_num_pages(q);
    for (int i = 0; i < pages; i++) {
        qpdf_oh pg = qpdf_get_page_n(q, (size_t)i);
        qpdf_oh media = key(q, pg, "/MediaBox");
        double m[4] = {0};
        bool ok = qpdf_oh_is_array(q, media) && qpdf_oh_get_array_n_items(q, media) == 4;
        for (int k = 0; ok && k < 4; k++) {
            qpdf_oh v = qpdf_oh_get_array_item(q, media, k);
            ok = qpdf_oh_is_number(q, v);
            m[k] = ok ? qpdf_oh_get_numeric_value(q, v) : 0;
        }
        /* render promises media = trim + 2 (bleed + mark room) */
        if (!ok || fabs(m[2] - m[0] - (r->trim_width + 2 * inset)) > 0.01 ||
            fabs(m[3] - m[1] - (r->trim_height + 2 * inset)) > 0.01) {
            diag_report(p->diags, SEVERITY_ERROR, p->out_path, 0, 0,
                        "page %d of the print PDF is not trim + bleed + marks in size", i + 1);
            return false;
        }
        double x0 = m[0] + inset, y0 = m[1] + inset;
        double x1 = x0 + r->trim_width, y1 = y0 + r->trim_height;
        qpdf_oh_replace_key(q, pg, "/TrimBox", pdf_box(q, x0, y0, x1, y1));
        qpdf_oh_replace_key(q, pg, "/BleedBox",
                            pdf_box(q, x0 - r->bleed, y0 - r->bleed, x1 + r->bleed, y1 + r->bleed));
        /* PDF/X: nothing interactive inside the trim; render writes none */
        qpdf_oh_remove_key(q, pg, "/Annots");
        qpdf_oh_remove_key(q, pg, "/Tabs");
    }
    return true;
}

/* "FOGRA39L Coated" -> "FOGRA39": the characterization the ICC registry
 * (http://www.color.org) names; else the description itself. */
static char *condition_identifier(const char *description)
{
    const char *f = strstr(description, "FOGRA");
    if (f && isdigit((unsigned char)f[5])) {
        size_t n = 5;
        while (isdigit((unsigned char)f[n]))
            n++;
        return xstrndup(f, n);
    }
    return xstrdup(*description ? description : "Custom");
}

static void set_output_intent(printer *p, qpdf_data q)
{
    size_t length = 0;
    const unsigned char *data = colour_profile_data(p->cc, &length);
    qpdf_oh stream = qpdf_make_indirect_object(q, qpdf_oh_new_stream(q));
    qpdf_oh null = qpdf_oh_new_null(q);
    qpdf_oh_replace_stream_data(q, stream, data, length, null, null);
    qpdf_oh_replace_key(q, qpdf_oh_get_dict(q, stream), "/N", qpdf_oh_new_integer(q, 4));
    const char *description = colour_profile_description(p->cc);
    char *identifier = condition_identifier(description);
    qpdf_oh intent = qpdf_oh_new_dictionary(q);
    qpdf_oh_replace_key(q, intent, "/Type", qpdf_oh_new_name(q, "/OutputIntent"));
    qpdf_oh_replace_key(q, intent, "/S", qpdf_oh_new_name(q, "/GTS_PDFX"));
    qpdf_oh_replace_key(q, intent, "/OutputConditionIdentifier", pdf_new_text(q, identifier));
    const char *condition = *description ? description : identifier;
    qpdf_oh_replace_key(q, intent, "/OutputCondition", pdf_new_text(q, condition));
    qpdf_oh_replace_key(q, intent, "/Info", pdf_new_text(q, condition));
    qpdf_oh_replace_key(q, intent, "/RegistryName", qpdf_oh_new_string(q, "http://www.color.org"));
    qpdf_oh_replace_key(q, intent, "/DestOutputProfile", stream);
    qpdf_oh intents = qpdf_oh_new_array(q);
    qpdf_oh_append_item(q, intents, intent);
    qpdf_oh_replace_key(q, qpdf_get_root(q), "/OutputIntents", intents);
    free(identifier);
}

static bool print_finish(void *context, qpdf_data q, const char *out_path, diag_list *diags)
{
    printer *p = context;
    (void)out_path, (void)diags;
    if (!set_boxes(p, q))
        return false;
    qpdf_oh_remove_key(q, qpdf_get_root(q), "/AcroForm");
    pdf_walk(q, print_node, p);
    set_output_intent(p, q);
    if (p->unreadable || p->unparsable) {
        diag_report(p->diags, SEVERITY_ERROR, p->out_path, 0, 0,
                    "%zu content stream%s of the print PDF could not be converted to CMYK",
                    p->unreadable + p->unparsable, p->unreadable + p->unparsable == 1 ? "" : "s");
        return false;
    }
    return true;
}

bool pdf_finish_print_qpdf(const rendered *r, const pdf_print_info *info, const char *out_path,
                           unsigned char **result, size_t *result_length, diag_list *diags)
{
    *result = NULL;
    *result_length = 0;
    if (!info || !info->profile_path) {
        diag_report(diags, SEVERITY_ERROR, out_path, 0, 0, "no output profile for the print PDF");
        return false;
    }
    if (r->trim_width <= 0 || r->trim_height <= 0 || r->bleed < 0 || r->mark_room < 0) {
        diag_report(diags, SEVERITY_ERROR, out_path, 0, 0,
                    "the rendered PDF has no print geometry (not from render_print_pdf?)");
        return false;
    }
    colour_converter *cc = colour_converter_open(info->profile_path, diags);
    if (!cc)
        return false;
    printer p = {.r = r, .cc = cc, .out_path = out_path, .diags = diags};
    pdf_finish_info common = {
        .title = info->title, .author = info->author, .subject = info->subject,
        .keywords = info->keywords, .lang = info->lang, .date = info->date,
        .figure_alts = r->figure_alts, .figure_count = r->figure_count,
        .span_langs = r->span_langs, .span_count = r->span_count,
    };
    pdf_finish_extra extra = {.target = PDF_TARGET_PRINT, .finish = print_finish, .context = &p};
    bool ok = pdf_finish_target(r->pdf, r->length, &common, &extra, out_path, result,
                                result_length, diags);
    colour_converter_free(cc);
    return ok;
}
