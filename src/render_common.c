#include "render_internal.h"

#include <stdlib.h>

static cairo_status_t append_output(void *closure, const unsigned char *data, unsigned int length)
{
    strbuf_append(closure, (const char *)data, length);
    return CAIRO_STATUS_SUCCESS;
}

cairo_surface_t *render_pdf_surface(strbuf *bytes, double width, double height,
                                    cairo_pdf_version_t version, const char *date)
{
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(append_output, bytes, width,
                                                                   height);
    cairo_pdf_surface_restrict_to_version(surface, version);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, date);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, date);
    return surface;
}

bool render_pdf_close(cairo_t *cr, cairo_surface_t *surface, strbuf *bytes, const char *what,
                      rendered *out, diag_list *diags)
{
    cairo_status_t status = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        diag_report(diags, SEVERITY_ERROR, NULL, 0, 0, "cairo could not write %s: %s", what,
                    cairo_status_to_string(status));
        free(bytes->data);
        *bytes = (strbuf){0};
        return false;
    }
    out->length = bytes->length;
    out->pdf = (unsigned char *)strbuf_take(bytes);
    return true;
}
