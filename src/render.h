/* Render: pages of boxes -> a tagged PDF (cairo), in memory.
 *
 * The structure tree follows the boxes' struct elements; boxes without one
 * are Artifacts. Headings become bookmarks. With a bleed, the page grows
 * by it on every side and fills that touch the trim edge run on into it:
 * the start of a print variant, which will add crop marks. */
#ifndef LEAFPRESS_RENDER_H
#define LEAFPRESS_RENDER_H

#include <stddef.h>
#include "diag.h"
#include "doc.h"
#include "layout.h"

typedef struct render_options {
    double bleed;        /* pt; 0 for screen */
    const char *date;    /* ISO 8601 creation date, from the source or SOURCE_DATE_EPOCH */
} render_options;

/* Returns false after reporting. *pdf is malloc'd. */
bool render_pdf(const laid_out *pages, const leaflet_meta *meta, const render_options *options,
                unsigned char **pdf, size_t *length, diag_list *diags);

#endif
