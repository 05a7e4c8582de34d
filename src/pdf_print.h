/* Print finishing: makes a print PDF that render_print_pdf wrote (cairo:
 * RGB only) into PDF/X-4 for a print shop's preflight, with libqpdf and
 * lcms2: every colour operator, image and transparency group in CMYK or
 * ICC-based colour (no DeviceRGB anywhere), style colours in the CMYK
 * their style gives (else converted through the output profile, see
 * colour_convert.h), greys as pure K, total ink <= 300 %; images in
 * ICC-based sRGB; TrimBox and BleedBox on every page; an
 * OutputIntent GTS_PDFX with the CMYK profile; GTS_PDFXVersion and
 * Trapped in Info and XMP; PDF 1.6; no annotations. Deterministic. */
#ifndef LEAFPRESS_PDF_PRINT_H
#define LEAFPRESS_PDF_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include "diag.h"
#include "render.h"

typedef struct pdf_print_info {
    const char *title, *author, *subject, *keywords;
    const char *lang;              /* BCP 47 */
    const char *date;              /* ISO 8601, for Info and XMP */
    const char *profile_path;      /* CMYK output profile (ICC v2/v4, printer class) */
} pdf_print_info;

/* r: what render_print_pdf returned (geometry, palette, figure alts and
 * span languages, which borrow from the laid-out pages: keep them alive
 * until this returns). Returns the finished bytes in *result (malloc'd);
 * out_path only names the file in diagnostics. Also adds what the screen
 * finishing adds that PDF/X allows (Lang, XMP, /Alt, span /Lang, marked
 * content, CIDToGIDMap) but claims no PDF/UA or PDF/A. Touches no shared
 * state (each call opens the profile and its own lcms2 transforms), so
 * several may run on threads of their own. Fails, with a report, when the
 * profile cannot be read or is no CMYK output profile, or a content
 * stream cannot be converted. */
bool pdf_finish_print(const rendered *r, const pdf_print_info *info, const char *out_path,
                      unsigned char **result, size_t *result_length, diag_list *diags);

#endif
