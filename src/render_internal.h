/* Shared by the PDF targets (render_pdf.c, render_booklet.c) only: a cairo
 * PDF surface that writes into memory, and its end. */
#ifndef LEAFPRESS_RENDER_INTERNAL_H
#define LEAFPRESS_RENDER_INTERNAL_H

#include <cairo-pdf.h>
#include "render.h"
#include "textutil.h"

/* A PDF surface of the given first page size writing into *bytes, dated
 * `date` (so cairo's own output never holds the clock). */
cairo_surface_t *render_pdf_surface(strbuf *bytes, double width, double height,
                                    cairo_pdf_version_t version, const char *date);
/* Destroys cr and finishes the surface; on success moves the bytes into
 * out->pdf. `what` names the output in the error ("the booklet"). */
bool render_pdf_close(cairo_t *cr, cairo_surface_t *surface, strbuf *bytes, const char *what,
                      rendered *out, diag_list *diags);

#endif
