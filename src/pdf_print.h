/* Print finishing: makes a print PDF that render_print_pdf wrote (cairo:
 * RGB only) into PDF/X-4 for a print shop's preflight, with libqpdf and
 * lcms2: every colour operator, image and transparency group in CMYK or
 * ICC-based colour (no DeviceRGB anywhere), style colours in the CMYK
 * their style gives (else converted through the output profile), greys
 * as pure K, total ink <= 300 %; TrimBox and BleedBox on every page; an
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

/* r: what render_print_pdf returned (geometry and palette). Returns the
 * finished bytes in *result (malloc'd); out_path only names the file in
 * diagnostics. */
bool pdf_finish_print(const rendered *r, const pdf_print_info *info, const char *out_path,
                      unsigned char **result, size_t *result_length, diag_list *diags);

#endif
