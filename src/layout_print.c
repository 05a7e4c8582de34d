/* Print padding: notes pages and a back cover, laid out like any other
 * page, so that a saddle-stitched booklet has a multiple of 4 pages. */
#include "layout_internal.h"

bool layout_add_print_pages(laid_out *pages, const document *doc, const style *s,
                            const layout_resources *res, diag_list *diags)
{
    (void)pages, (void)doc, (void)s, (void)res, (void)diags;
    return true; /* TODO(lead): notes pages and back cover */
}
