/* Marking a page content stream for PDF/UA: cairo 1.18 wraps only glyphs in
 * marked content, so fills, strokes, shadings and images come out unmarked
 * even inside Artifact or Figure tags. This rewrites a content stream so
 * that nothing is painted outside marked content. No qpdf here: bytes in,
 * bytes out (pdf_finish.c does the document side).
 *
 * Also here, for print finishing (pdf_print.c): the colour operators of a
 * content stream, rewritten from DeviceRGB to DeviceCMYK. */
#ifndef LEAFPRESS_PDF_MARKING_H
#define LEAFPRESS_PDF_MARKING_H

#include <stdbool.h>
#include <stddef.h>
#include "textutil.h"

typedef enum {
    PDF_MARK_UNCHANGED,  /* everything painted was already marked */
    PDF_MARK_CHANGED,    /* *out holds the rewritten stream */
    PDF_MARK_UNPARSABLE, /* not lexable as a content stream; left alone */
} pdf_mark_result;

/* Called, in content order, for each XObject painted (Do) outside marked
 * content, with its resource name ("/x15", '#' escapes decoded). Returns an
 * MCID >= 0 to make it /Figure content with that MCID, or -1 for an
 * artifact. */
typedef long (*pdf_mark_xobject_fn)(void *context, const char *name);

/* Wraps every path object (m/re ... painting operator, not clip-only `W n`),
 * `sh`, `Do`, inline image and text object painted at marked-content depth
 * 0 in `/Artifact BMC ... EMC` (or `/Figure <</MCID n>> BDC ... EMC`, see
 * above). The input bytes are kept; only those lines are inserted. */
pdf_mark_result pdf_mark_content(const unsigned char *content, size_t length,
                                 pdf_mark_xobject_fn xobject, void *context, strbuf *out);

/* The highest /MCID in the property lists of the stream's BDC operators,
 * or -1 when there is none or the stream is unparsable. */
long pdf_content_max_mcid(const unsigned char *content, size_t length);

/* ---- print: colour operators ---------------------------------------- */

/* The colour space resource name an RGB inline image is given instead of
 * /RGB (the caller puts it, ICC-based sRGB, in the resources). */
#define PDF_SRGB_RESOURCE "LPsRGB"

typedef struct pdf_recolour {
    void *context;
    /* sRGB (0..1) -> CMYK (0..1) */
    void (*to_cmyk)(void *context, const double rgb[3], double cmyk[4]);
    /* Whether the colour space resource `name` ('#' escapes decoded, no
     * slash) is DeviceRGB. May be NULL: none is. */
    bool (*is_rgb_space)(void *context, const char *name);
    /* Set when an inline image now names PDF_SRGB_RESOURCE. */
    bool used_srgb_resource;
} pdf_recolour;

/* Rewrites every DeviceRGB colour operator of a content stream to
 * DeviceCMYK: `r g b rg` / `RG` -> `c m y k k` / `K`; `cs` / `CS` that
 * select DeviceRGB (by name or through a resource) -> /DeviceCMYK, and
 * the `sc` / `scn` that follow with three operands -> four; inline images
 * in /RGB name PDF_SRGB_RESOURCE instead. Other bytes stay as they are. */
pdf_mark_result pdf_recolour_content(const unsigned char *content, size_t length,
                                     pdf_recolour *recolour, strbuf *out);

#endif
