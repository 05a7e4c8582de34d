/* The booklet for the office printer: imposed sheets (impose_booklet), each
 * slot's page drawn by the draw core at its place, clipped to its trim.
 * Untagged and RGB: it is printed, not read on screen; the screen PDF is
 * the accessible one. */
#include "render.h"

#include <cairo-pdf.h>
#include <string.h>

#include "draw.h"
#include "render_internal.h"
#include "impose.h"
#include "textutil.h"

#define MM (72.0 / 25.4)

/* Short ticks at the fold, top and bottom, in the pages' blank margin:
 * A5 fills A4's height, so there is no room outside the pages. */
static void draw_fold_marks(cairo_t *cr, double sheet_w, double sheet_h)
{
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
    cairo_set_line_width(cr, 0.25);
    cairo_move_to(cr, sheet_w / 2, 0);
    cairo_line_to(cr, sheet_w / 2, 4 * MM);
    cairo_move_to(cr, sheet_w / 2, sheet_h - 4 * MM);
    cairo_line_to(cr, sheet_w / 2, sheet_h);
    cairo_stroke(cr);
    cairo_restore(cr);
}

bool render_booklet_pdf(const laid_out *pages, const render_options *o, rendered *out,
                        diag_list *diags)
{
    memset(out, 0, sizeof *out);
    imposition imp;
    if (!impose_booklet(pages->page_count, pages->width, pages->height, &imp)) {
        imposition_free(&imp);
        return false;
    }
    if (pages->right_bound)
        impose_mirror(&imp);
    strbuf bytes = {0};
    cairo_surface_t *surface = render_pdf_surface(&bytes, imp.sheets[0].width,
                                                  imp.sheets[0].height, CAIRO_PDF_VERSION_1_7,
                                                  o->date);
    /* not finished afterwards, so it names itself */
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, o->title ? o->title : "");
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "leafpress");
    cairo_t *cr = cairo_create(surface);
    for (size_t k = 0; k < imp.count; k++) {
        const impose_sheet *sheet = &imp.sheets[k];
        for (size_t i = 0; i < sheet->slot_count; i++) {
            const impose_slot *slot = &sheet->slots[i];
            if (slot->page == IMPOSE_BLANK)
                continue;
            cairo_save(cr);
            cairo_translate(cr, slot->x, slot->y);
            cairo_rectangle(cr, 0, 0, pages->width, pages->height);
            cairo_clip(cr);
            draw_page(cr, &pages->pages[slot->page], 0, NULL);
            cairo_restore(cr);
        }
        draw_fold_marks(cr, sheet->width, sheet->height);
        cairo_show_page(cr);
    }
    size_t sheets = imp.count;
    imposition_free(&imp);
    if (!render_pdf_close(cr, surface, &bytes, "the booklet", out, diags))
        return false;
    out->page_count = sheets;
    out->trim_width = pages->width;
    out->trim_height = pages->height;
    return true;
}
