/* Colour conversion for print, with Little CMS 2: sRGB -> the CMYK of an
 * output profile (ICC, printer class), and the sRGB profile that PDF/A and
 * ICC-based images need, made in memory.
 *
 * A conversion is: neutral greys (r = g = b) -> K only, with the K whose
 * lightness through the profile matches the grey's (so black and grey
 * text never turn into rich black); other colours through the profile,
 * relative colorimetric with black point compensation (the usual choice
 * for vector colours in print; the profile has no distinct perceptual
 * table for flat colours anyway), then total ink capped at 300 % by
 * taking away cyan, magenta and yellow, never black. Deterministic. A
 * converter is used by one thread at a time. */
#ifndef LEAFPRESS_COLOUR_CONVERT_H
#define LEAFPRESS_COLOUR_CONVERT_H

#include <stdbool.h>
#include <stddef.h>
#include "diag.h"

#define COLOUR_MAX_INK 3.0  /* 300 % total area coverage */

typedef struct colour_converter colour_converter;

/* Reads the CMYK output profile at path. NULL after reporting when it
 * cannot be read, is not an ICC profile, or is not a CMYK output profile. */
colour_converter *colour_converter_open(const char *profile_path, diag_list *diags);
void colour_converter_free(colour_converter *cc);

/* sRGB (each 0..1) -> CMYK (each 0..1) as described above. */
void colour_to_cmyk(colour_converter *cc, double r, double g, double b, double cmyk[4]);

/* The profile file's bytes, for an OutputIntent's DestOutputProfile. */
const unsigned char *colour_profile_data(const colour_converter *cc, size_t *length);
/* The profile's description ("FOGRA39L Coated"). */
const char *colour_profile_description(const colour_converter *cc);

/* An sRGB ICC profile (IEC 61966-2.1, version 2.1, monitor class), made by
 * lcms2; malloc'd, the same bytes on every call. NULL if lcms2 fails. */
unsigned char *colour_srgb_profile(size_t *length);

#endif
