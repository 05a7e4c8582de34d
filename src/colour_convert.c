/* sRGB -> CMYK through an output profile, with lcms2. See colour_convert.h. */
#include "colour_convert.h"

#include <errno.h>
#include <lcms2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textutil.h"

/* Samples of the profile's K-only ramp, K = i / RAMP. */
#define RAMP 1000
/* Colours cached per converter: a leaflet uses a few dozen. */
#define CACHE 64

typedef struct cached {
    double rgb[3], cmyk[4];
} cached;

struct colour_converter {
    unsigned char *data;
    size_t length;
    char description[256];
    cmsContext lcms;         /* our own: nothing shared between threads */
    cmsHPROFILE srgb, cmyk, lab;
    cmsHTRANSFORM to_cmyk;   /* sRGB -> CMYK */
    cmsHTRANSFORM to_lab;    /* CMYK -> Lab (D50) */
    double ramp[RAMP + 1];   /* L* of 0 0 0 K, decreasing in K */
    cached cache[CACHE];
    size_t cached_count, cache_next;
};

static unsigned char *read_all(const char *path, size_t *length, int *error)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *error = errno;
        return NULL;
    }
    strbuf b = {0};
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        strbuf_append(&b, chunk, n);
    *error = ferror(f) ? errno : 0;
    fclose(f);
    if (*error) {
        free(b.data);
        return NULL;
    }
    *length = b.length;
    return (unsigned char *)strbuf_take(&b);
}

colour_converter *colour_converter_open(const char *path, diag_list *diags)
{
    size_t length = 0;
    int error = 0;
    unsigned char *data = read_all(path, &length, &error);
    if (!data) {
        diag_report(diags, SEVERITY_ERROR, path, 0, 0, "cannot read the output profile: %s",
                    strerror(error ? error : EIO));
        return NULL;
    }
    colour_converter *cc = xcalloc(1, sizeof *cc);
    cc->data = data;
    cc->length = length;
    cc->lcms = cmsCreateContext(NULL, NULL);
    cc->cmyk = cc->lcms && length <= 0xFFFFFFFFu
                   ? cmsOpenProfileFromMemTHR(cc->lcms, data, (cmsUInt32Number)length) : NULL;
    const char *problem = NULL;
    if (!cc->cmyk)
        problem = "is not an ICC profile";
    else if (cmsGetColorSpace(cc->cmyk) != cmsSigCmykData)
        problem = "is not a CMYK profile";
    else if (cmsGetDeviceClass(cc->cmyk) != cmsSigOutputClass)
        problem = "is not an output (printer) profile";
    if (!problem) {
        cc->srgb = cmsCreate_sRGBProfileTHR(cc->lcms);
        cc->lab = cmsCreateLab4ProfileTHR(cc->lcms, NULL); /* D50 */
        cc->to_cmyk = cmsCreateTransformTHR(
            cc->lcms, cc->srgb, TYPE_RGB_DBL, cc->cmyk, TYPE_CMYK_DBL,
            INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_BLACKPOINTCOMPENSATION | cmsFLAGS_NOCACHE);
        cc->to_lab = cmsCreateTransformTHR(cc->lcms, cc->cmyk, TYPE_CMYK_DBL, cc->lab,
                                           TYPE_Lab_DBL, INTENT_RELATIVE_COLORIMETRIC,
                                           cmsFLAGS_NOCACHE);
        if (!cc->srgb || !cc->lab || !cc->to_cmyk || !cc->to_lab)
            problem = "cannot be used for conversion (lcms2 refused it)";
    }
    if (problem) {
        diag_report(diags, SEVERITY_ERROR, path, 0, 0, "the output profile %s", problem);
        colour_converter_free(cc);
        return NULL;
    }
    if (!cmsGetProfileInfoASCII(cc->cmyk, cmsInfoDescription, "en", "US", cc->description,
                                sizeof cc->description))
        cc->description[0] = '\0';
    /* lcms2's TYPE_CMYK_DBL is in percent (0..100). */
    for (int i = 0; i <= RAMP; i++) {
        double cmyk[4] = {0, 0, 0, 100.0 * i / RAMP};
        cmsCIELab lab;
        cmsDoTransform(cc->to_lab, cmyk, &lab, 1);
        cc->ramp[i] = lab.L;
    }
    return cc;
}

void colour_converter_free(colour_converter *cc)
{
    if (!cc)
        return;
    if (cc->to_cmyk)
        cmsDeleteTransform(cc->to_cmyk);
    if (cc->to_lab)
        cmsDeleteTransform(cc->to_lab);
    if (cc->srgb)
        cmsCloseProfile(cc->srgb);
    if (cc->lab)
        cmsCloseProfile(cc->lab);
    if (cc->cmyk)
        cmsCloseProfile(cc->cmyk);
    if (cc->lcms)
        cmsDeleteContext(cc->lcms);
    free(cc->data);
    free(cc);
}

static double clamp01(double v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

/* The K (0..1) whose L* on the ramp is `lightness`, interpolated. */
static double k_for_lightness(const colour_converter *cc, double lightness)
{
    if (lightness >= cc->ramp[0])
        return 0;
    if (lightness <= cc->ramp[RAMP])
        return 1;
    int lo = 0, hi = RAMP; /* ramp[lo] > lightness >= ramp[hi] */
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (cc->ramp[mid] > lightness)
            lo = mid;
        else
            hi = mid;
    }
    double span = cc->ramp[lo] - cc->ramp[hi];
    double t = span > 0 ? (cc->ramp[lo] - lightness) / span : 0;
    return (lo + t) / RAMP;
}

static void convert(colour_converter *cc, const double rgb[3], double out[4])
{
    double cmyk[4];
    cmsDoTransform(cc->to_cmyk, rgb, cmyk, 1);
    for (int i = 0; i < 4; i++)
        out[i] = clamp01(cmyk[i] / 100.0);
    bool grey = rgb[0] == rgb[1] && rgb[1] == rgb[2];
    if (grey) {
        /* The lightness the profile gives the grey's own conversion, in
         * K alone; white and black exactly. */
        double k;
        if (rgb[0] >= 1)
            k = 0;
        else if (rgb[0] <= 0)
            k = 1;
        else {
            cmsCIELab lab;
            cmsDoTransform(cc->to_lab, cmyk, &lab, 1);
            k = k_for_lightness(cc, lab.L);
        }
        out[0] = out[1] = out[2] = 0;
        out[3] = k;
        return;
    }
    double total = out[0] + out[1] + out[2] + out[3];
    if (total > COLOUR_MAX_INK) {
        double cmy = out[0] + out[1] + out[2];
        double scale = cmy > 0 ? (COLOUR_MAX_INK - out[3]) / cmy : 0;
        for (int i = 0; i < 3; i++)
            out[i] *= scale > 0 ? scale : 0;
    }
}

void colour_to_cmyk(colour_converter *cc, double r, double g, double b, double cmyk[4])
{
    double rgb[3] = {clamp01(r), clamp01(g), clamp01(b)};
    for (size_t i = 0; i < cc->cached_count; i++) {
        const cached *c = &cc->cache[i];
        if (c->rgb[0] == rgb[0] && c->rgb[1] == rgb[1] && c->rgb[2] == rgb[2]) {
            memcpy(cmyk, c->cmyk, sizeof c->cmyk);
            return;
        }
    }
    convert(cc, rgb, cmyk);
    cached *slot = &cc->cache[cc->cache_next];
    cc->cache_next = (cc->cache_next + 1) % CACHE;
    if (cc->cached_count < CACHE)
        cc->cached_count++;
    memcpy(slot->rgb, rgb, sizeof rgb);
    memcpy(slot->cmyk, cmyk, sizeof slot->cmyk);
}

const unsigned char *colour_profile_data(const colour_converter *cc, size_t *length)
{
    *length = cc->length;
    return cc->data;
}

const char *colour_profile_description(const colour_converter *cc) { return cc->description; }

unsigned char *colour_srgb_profile(size_t *length)
{
    cmsContext lcms = cmsCreateContext(NULL, NULL);
    cmsHPROFILE srgb = lcms ? cmsCreate_sRGBProfileTHR(lcms) : NULL;
    if (!srgb) {
        if (lcms)
            cmsDeleteContext(lcms);
        return NULL;
    }
    /* Version 2.1: every PDF reader and preflight knows it. */
    cmsSetProfileVersion(srgb, 2.1);
    cmsUInt32Number n = 0;
    unsigned char *data = NULL;
    if (cmsSaveProfileToMem(srgb, NULL, &n) && n > 128) {
        data = xmalloc(n);
        if (!cmsSaveProfileToMem(srgb, data, &n)) {
            free(data);
            data = NULL;
        }
    }
    cmsCloseProfile(srgb);
    cmsDeleteContext(lcms);
    if (!data)
        return NULL;
    /* lcms2 stamps the header with the clock: a fixed date (2000-01-01)
     * instead, and no profile ID (all zero means "not computed"). */
    static const unsigned char date[12] = {0x07, 0xD0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0};
    memcpy(data + 24, date, sizeof date);
    memset(data + 84, 0, 16);
    *length = n;
    return data;
}
