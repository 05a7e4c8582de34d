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

/* Where an image named in a project file is, and whether it may be used:
 * `path` relative to base_dir (absolute) unless it is absolute itself;
 * inside root (a real path; NULL: anywhere) both as written and after
 * symbolic links; a regular file of at most LIMIT_IMAGE_BYTES named
 * .png, .jpg, .jpeg or .svg. Shared by body images, the cover photo and
 * the style's logo, so all three follow the same rules. */
typedef enum {
    IMAGE_PATH_OK, IMAGE_PATH_OUTSIDE, IMAGE_PATH_MISSING, IMAGE_PATH_NOT_FILE,
    IMAGE_PATH_TOO_LARGE, IMAGE_PATH_BAD_TYPE,
} image_path_result;
/* On IMAGE_PATH_OK *real is the real path (caller frees), else NULL. */
image_path_result image_resolve(const char *path, const char *base_dir, const char *root,
                                char **real);
/* What is wrong, to follow "image 'x' ": "is outside the project", ... */
const char *image_path_problem(image_path_result r);

/* The smallest text an SVG draws, in pt at its natural size (the size
 * image_read_info gives), from the font-size of each <text>, <tspan> and
 * <textPath> that holds characters. What is understood: font-size as an
 * attribute, in a style attribute, in the font shorthand, and in a <style>
 * sheet's rules for a class (.c), an element name (text, tspan) or *;
 * units px (or none), pt, pc, mm, cm, in, em and % (of the inherited
 * size), and the CSS keywords xx-small to xx-large; the scale of every
 * transform (scale, matrix) and of the root's viewBox. Not understood (the
 * size then counts as the inherited one): other selectors, nested <svg>
 * viewports, <use> of text, text in an embedded bitmap. No text: false. */
bool image_svg_smallest_text(const char *path, double *pt);

#endif
