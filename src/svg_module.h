/* The image module (leafpress-svg.so, see modules.h): what needs librsvg
 * or gdk-pixbuf behind one table, so only a run that uses an SVG or a
 * JPEG loads them. images.c and draw.c call through it; nothing else. */
#ifndef LEAFPRESS_SVG_MODULE_H
#define LEAFPRESS_SVG_MODULE_H

#include <cairo.h>

#define SVG_MODULE_ABI 2
#define SVG_MODULE_FILE "leafpress-svg.so"
#define SVG_MODULE_SYMBOL "leafpress_svg_module"

typedef struct svg_module {
    unsigned abi;          /* SVG_MODULE_ABI */
    const char *version;   /* LEAFPRESS_VERSION */
    /* An SVG file's intrinsic size in CSS pixels: -1 when librsvg cannot
     * read it, 0 when it has no size of its own, else 1. */
    int (*svg_size)(const char *path, double *width, double *height);
    /* The root's viewBox size in user units: 1 when it has one, 0 when
     * not, -1 when librsvg cannot read the file. */
    int (*svg_viewbox)(const char *path, double *width, double *height);
    /* Draws the SVG into the rectangle, as one group (one XObject). */
    void (*svg_draw)(cairo_t *cr, const char *path, double x, double y, double width,
                     double height);
    /* A bitmap decoded by gdk-pixbuf as an RGB24 image surface (alpha
     * dropped, grey expanded); NULL when it cannot be decoded. */
    cairo_surface_t *(*bitmap_decode)(const char *path);
} svg_module;

/* In the module (svg_module.c), or linked in with LEAFPRESS_STATIC_MODULES. */
extern const svg_module leafpress_svg_module;

/* The module, loaded once (thread-safe); NULL when it cannot be, with the
 * reason in *error (static text) when error is not NULL. */
const svg_module *svg_module_get(const char **error);

#endif
