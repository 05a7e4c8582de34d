/* Finishing: what cairo has no API for, added with libqpdf, then an atomic
 * write (temporary file in the same folder, then rename), so a failure
 * never leaves a half-written PDF where a good one was. The libqpdf code
 * is the module leafpress-finish.so (finish_module.h), loaded by the first
 * call; when it cannot be, these fail with an error that names it. */
#ifndef LEAFPRESS_PDF_FINISH_H
#define LEAFPRESS_PDF_FINISH_H

#include <stdbool.h>
#include <stddef.h>
#include "diag.h"

typedef struct pdf_finish_info {
    const char *title, *author, *subject, *keywords;
    const char *lang;          /* /Lang, BCP 47 */
    bool right_to_left;        /* a right-bound leaflet: /ViewerPreferences /Direction /R2L */
    const char *date;          /* ISO 8601, e.g. "2017-05-01T00:00:00Z", for XMP */
    const char *const *figure_alts;   /* /Alt of each /Figure, in structure order */
    size_t figure_count;
    /* What each link shows, by URI: a tel: link is described with the
     * number as the reader sees it ("Bel 020 444 44 44"). May be empty. */
    const char *const *link_uris;
    const char *const *link_texts;
    size_t link_count;
    /* /Lang of each Span structure element, in structure order (NULL or
     * "" for a Span without a language of its own). May be empty. */
    const char *const *span_langs;
    size_t span_count;
} pdf_finish_info;

/* Makes a screen PDF PDF/UA-1 and PDF/A-2a: adds /Lang,
 * /ViewerPreferences /DisplayDocTitle (and /Direction /R2L when right to
 * left), XMP metadata (pdfuaid:part 1, pdfaid:part 2 conformance A with the extension schema PDF/A needs for
 * pdfuaid, the Info fields, the same dates), an sRGB OutputIntent
 * (GTS_PDFA1), /Tabs /S on pages with annotations, /Contents and the
 * print flag (/F 4) on every link annotation, /Alt on figures, /Lang on
 * spans, /CIDToGIDMap /Identity on every CIDFontType2 (cairo's subsets
 * number glyphs so that CID = GID), /Interpolate false on images, marked
 * content around everything painted; deterministically, with a trailer
 * /ID derived from the content. pdf_finish returns the finished bytes in
 * *result (malloc'd), and touches no shared state, so a caller can finish
 * several PDFs on other threads and write none unless all succeeded (the
 * outputs module writes them). out_path only names the file in
 * diagnostics. */
bool pdf_finish(const unsigned char *pdf, size_t length, const pdf_finish_info *info,
                const char *out_path, unsigned char **result, size_t *result_length,
                diag_list *diags);

#endif
