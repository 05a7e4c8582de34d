/* Images: what layout and the draw core need of a PNG, JPEG or SVG file.
 * Sizes come from the file's header, before anything is decoded, so an
 * image too large to draw is refused without spending its memory. */
#ifndef LEAFPRESS_IMAGES_H
#define LEAFPRESS_IMAGES_H

#include <cairo.h>
#include <stdbool.h>

typedef enum { IMAGE_UNKNOWN, IMAGE_PNG, IMAGE_JPEG, IMAGE_SVG } image_kind;

/* Most pixels a bitmap may have: 40 megapixels is a large camera photo;
 * decoded it takes 160 MB. */
#define IMAGE_MAX_PIXELS (40L * 1000 * 1000)

typedef struct image_info {
    image_kind kind;
    double width, height;     /* natural size, pt (96 px per inch for pixels) */
    long pixel_width, pixel_height; /* bitmaps; 0 for SVG */
} image_info;

/* By the file's first bytes (PNG and JPEG signatures), else its name (.svg). */
image_kind image_kind_of(const char *path);
/* Reads the header. On failure returns false and sets *why (static text). */
bool image_read_info(const char *path, image_info *info, const char **why);
/* A decoded bitmap, for drawing; a JPEG keeps its file as the surface's
 * JPEG data, so cairo's PDF embeds it as it is (DCT), not re-compressed.
 * NULL on failure. */
cairo_surface_t *image_surface_load(const char *path);

#endif
