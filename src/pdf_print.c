/* TODO(print helper): the real PDF/X-4 finishing; this stub passes the
 * bytes through so the pipeline can be wired up meanwhile. */
#include "pdf_print.h"

#include <stdlib.h>
#include <string.h>

bool pdf_finish_print(const rendered *r, const pdf_print_info *info, const char *out_path,
                      unsigned char **result, size_t *result_length, diag_list *diags)
{
    (void)info, (void)out_path, (void)diags;
    *result = malloc(r->length);
    memcpy(*result, r->pdf, r->length);
    *result_length = r->length;
    return true;
}
