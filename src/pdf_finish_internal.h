/* What the screen finishing (pdf_finish.c) shares with print finishing
 * (pdf_print.c): one qpdf pass with the same metadata, structure and
 * marking steps, and a walk over every content stream and resource. Not
 * for other modules. */
#ifndef LEAFPRESS_PDF_FINISH_INTERNAL_H
#define LEAFPRESS_PDF_FINISH_INTERNAL_H

#include <qpdf/qpdf-c.h>
#include <stdbool.h>
#include "pdf_finish.h"

typedef enum {
    PDF_TARGET_SCREEN, /* PDF/UA-1 + PDF/A-2a, sRGB OutputIntent */
    PDF_TARGET_PRINT,  /* PDF/X-4: the caller adds colour and boxes */
} pdf_target;

typedef struct pdf_finish_extra {
    pdf_target target;
    /* Print: called after the common steps and before writing; false
     * (after reporting) fails the finish. */
    bool (*finish)(void *context, qpdf_data q, const char *out_path, diag_list *diags);
    void *context;
} pdf_finish_extra;

/* What pdf_finish promises, in the module (the table of finish_module.h). */
bool pdf_finish_qpdf(const unsigned char *pdf, size_t length, const pdf_finish_info *info,
                     const char *out_path, unsigned char **result, size_t *result_length,
                     diag_list *diags);

bool pdf_finish_target(const unsigned char *pdf, size_t length, const pdf_finish_info *info,
                       const pdf_finish_extra *extra, const char *out_path,
                       unsigned char **result, size_t *result_length, diag_list *diags);

/* ---- walking what a page paints ---- */
typedef enum {
    PDF_NODE_PAGE,       /* object: the page; its content via qpdf_oh_get_page_content_data */
    PDF_NODE_FORM,       /* a form XObject or soft-mask group (a content stream) */
    PDF_NODE_CHARPROC,   /* a Type 3 glyph (a content stream) */
    PDF_NODE_PATTERN,    /* a pattern (tiling patterns are content streams) */
    PDF_NODE_IMAGE,      /* an image XObject (and an image's /SMask) */
    PDF_NODE_SHADING,    /* a shading dictionary or stream */
    PDF_NODE_FONT,       /* a font dictionary */
    PDF_NODE_RESOURCES,  /* a resource dictionary */
} pdf_node;

/* object: the node; resources: what applies to its content (for content
 * streams), else the dictionary it was found in. */
typedef void (*pdf_walk_fn)(void *context, qpdf_data q, pdf_node kind, qpdf_oh object,
                            qpdf_oh resources);
/* Calls fn for every page and for everything reachable from a page's
 * resources, each indirect object once, parents before children. */
void pdf_walk(qpdf_data q, pdf_walk_fn fn, void *context);
/* The keys of a dictionary, copied, so a caller may use qpdf (and its one
 * key iterator) while it goes through them. Free each and the array. */
char **pdf_dict_keys(qpdf_data q, qpdf_oh dict, size_t *count);

/* A PDF text string: ASCII as it is, else UTF-16BE with a BOM. */
qpdf_oh pdf_new_text(qpdf_data q, const char *utf8);
/* Replaces a page's content with one new stream holding data. */
void pdf_set_page_content(qpdf_data q, qpdf_oh page, const char *data, size_t length);

#endif
