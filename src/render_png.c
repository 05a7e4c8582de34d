/* PNG proofs through cairo's image surface, from the same boxes as the
 * PDFs (no PDF round trip): every page at PROOF_DPI, and an overview of
 * the booklet's spreads at a smaller scale on grey, each page's trim edge
 * outlined and the empty lower part of a nearly empty page tinted. */
#include "render.h"

#include <math.h>
#include <png.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "draw.h"
#include "impose.h"
#include "textutil.h"

#define OVERVIEW_DPI 36.0
#define MM (72.0 / 25.4)

static void append_png(png_structp png, png_bytep data, png_size_t length)
{
    strbuf_append(png_get_io_ptr(png), (const char *)data, length);
}

static void flush_png(png_structp png) { (void)png; }

/* RGB, 8 bits a channel. libpng directly rather than cairo's PNG writer:
 * cairo's uses zlib's default level and every filter, which made proofs
 * most of a build's time. A page is mostly runs of one colour, which the
 * fast level finds best unfiltered: on the 82 proofs of the 4 seeds, no
 * filter takes 0.71 x the time of the Sub filter and 0.86 x the bytes
 * (Up 0.88 x and 0.97 x; Paeth or zlib's RLE strategy are slower or
 * larger). No time or text chunks: the bytes depend on the pixels alone. */
static bool encode(cairo_surface_t *surface, proof_image *out)
{
    cairo_surface_flush(surface);
    int w = cairo_image_surface_get_width(surface), h = cairo_image_surface_get_height(surface);
    int stride = cairo_image_surface_get_stride(surface);
    const unsigned char *pixels = cairo_image_surface_get_data(surface);
    out->width = w;
    out->height = h;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    strbuf bytes = {0};
    unsigned char *row = xmalloc((size_t)w * 3);
    if (!info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, info ? &info : NULL);
        free(row);
        free(bytes.data);
        return false;
    }
    png_set_write_fn(png, &bytes, append_png, flush_png);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, 1);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        const uint32_t *src = (const uint32_t *)(pixels + (size_t)y * stride);
        for (int x = 0; x < w; x++) { /* cairo's RGB24: 0x00RRGGBB in native order */
            row[3 * x] = (unsigned char)(src[x] >> 16);
            row[3 * x + 1] = (unsigned char)(src[x] >> 8);
            row[3 * x + 2] = (unsigned char)src[x];
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(row);
    out->length = bytes.length;
    out->data = (unsigned char *)strbuf_take(&bytes);
    return true;
}

/* Page `index` drawn at PROOF_DPI, flushed; NULL when cairo failed. */
static cairo_surface_t *draw_page_image(const laid_out *pages, size_t index)
{
    double scale = PROOF_DPI / 72.0;
    int w = (int)lround(pages->width * scale), h = (int)lround(pages->height * scale);
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, scale, scale);
    draw_page(cr, &pages->pages[index], 0, NULL);
    bool ok = cairo_status(cr) == CAIRO_STATUS_SUCCESS;
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    if (!ok || cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surface);
        return NULL;
    }
    return surface;
}

/* ---- encoding beside the drawing -------------------------------------- *
 * Encoding a page (zlib) takes about four times as long as drawing it.
 * With cores to spare, encoder threads (one a core, at most ENCODERS) take
 * the drawn pages while the next are drawn. The drawing (cairo and Pango)
 * stays on the calling thread; an encoder only reads the pixels of the
 * surface handed to it. A page is drawn only when none waits, so the
 * pixels of ENCODERS + 1 pages at most are held: 13 MiB for A5 on two
 * cores. */
#define ENCODERS 4

typedef struct encode_job {
    cairo_surface_t *surface;
    proof_image *out;
} encode_job;

typedef struct encoder {
    pthread_t threads[ENCODERS];
    size_t thread_count;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    encode_job waiting;
    bool has_waiting, closed, failed;
} encoder;

static void *encoder_main(void *arg)
{
    encoder *e = arg;
    pthread_mutex_lock(&e->lock);
    for (;;) {
        while (!e->has_waiting && !e->closed)
            pthread_cond_wait(&e->changed, &e->lock);
        if (!e->has_waiting)
            break;
        encode_job job = e->waiting;
        e->has_waiting = false;
        pthread_cond_broadcast(&e->changed);
        pthread_mutex_unlock(&e->lock);
        bool ok = encode(job.surface, job.out);
        cairo_surface_destroy(job.surface);
        pthread_mutex_lock(&e->lock);
        e->failed = e->failed || !ok;
    }
    pthread_mutex_unlock(&e->lock);
    return NULL;
}

/* Encoder threads for the cores there are, or false when no thread could
 * be started (the caller then encodes on its own). */
static bool encoder_start(encoder *e)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t wanted = cores < 1 ? 1 : cores > ENCODERS ? ENCODERS : (size_t)cores;
    pthread_mutex_init(&e->lock, NULL);
    pthread_cond_init(&e->changed, NULL);
    while (e->thread_count < wanted &&
           pthread_create(&e->threads[e->thread_count], NULL, encoder_main, e) == 0)
        e->thread_count++;
    if (e->thread_count == 0) {
        pthread_mutex_destroy(&e->lock);
        pthread_cond_destroy(&e->changed);
    }
    return e->thread_count > 0;
}

/* Waits until no drawn page waits for an encoder, so that the next page is
 * drawn only when it can be handed over at once. */
static void encoder_wait_for_room(encoder *e)
{
    pthread_mutex_lock(&e->lock);
    while (e->has_waiting)
        pthread_cond_wait(&e->changed, &e->lock);
    pthread_mutex_unlock(&e->lock);
}

/* Hands the surface (and the reference to it) to an encoder; after
 * encoder_wait_for_room (only the calling thread hands pages over). */
static void encoder_push(encoder *e, cairo_surface_t *surface, proof_image *out)
{
    pthread_mutex_lock(&e->lock);
    e->waiting = (encode_job){surface, out};
    e->has_waiting = true;
    pthread_cond_broadcast(&e->changed);
    pthread_mutex_unlock(&e->lock);
}

/* Waits until every page handed over is encoded; false if one failed. */
static bool encoder_finish(encoder *e)
{
    pthread_mutex_lock(&e->lock);
    e->closed = true;
    pthread_cond_broadcast(&e->changed);
    pthread_mutex_unlock(&e->lock);
    for (size_t i = 0; i < e->thread_count; i++)
        pthread_join(e->threads[i], NULL);
    pthread_mutex_destroy(&e->lock);
    pthread_cond_destroy(&e->changed);
    return !e->failed;
}

/* Where the page's content ends: the lowest box that belongs to the text
 * (artifacts such as the footer do not count). */
static double content_bottom(const page *pg)
{
    double bottom = 0;
    for (size_t i = 0; i < pg->count; i++) {
        const box *b = &pg->boxes[i];
        if (!b->elem)
            continue;
        double end = b->kind == BOX_GLYPHS ? b->y + b->height * 0.25 : b->y + b->height;
        bottom = fmax(bottom, end);
    }
    return bottom;
}

static bool render_overview(const laid_out *pages, proof_image *out)
{
    imposition imp;
    double gap = 8 * MM;
    if (!impose_overview(pages->page_count, pages->width, pages->height, gap, &imp))
        return false;
    if (pages->right_bound)
        impose_mirror(&imp);
    double scale = OVERVIEW_DPI / 72.0;
    int w = (int)lround(imp.sheets[0].width * scale), h = (int)lround(imp.sheets[0].height * scale);
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    cairo_paint(cr);
    cairo_scale(cr, scale, scale);
    for (size_t k = 0; k < imp.count; k++)
        for (size_t i = 0; i < imp.sheets[k].slot_count; i++) {
            const impose_slot *slot = &imp.sheets[k].slots[i];
            const page *pg = &pages->pages[slot->page];
            cairo_save(cr);
            cairo_translate(cr, slot->x, slot->y);
            cairo_rectangle(cr, 0, 0, pages->width, pages->height);
            cairo_save(cr);
            cairo_clip_preserve(cr);
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_fill(cr);
            draw_page(cr, pg, 0, NULL);
            /* a leaflet page (not the last, not padding) whose text ends in
             * its top third: tint what is left, for the reviewer to see */
            double bottom = content_bottom(pg);
            if (slot->page + 1 < pages->leaflet_page_count && bottom < pages->height / 3) {
                cairo_rectangle(cr, 0, fmax(bottom, 0) + 4 * MM, pages->width,
                                pages->height * 0.9 - fmax(bottom, 0) - 4 * MM);
                cairo_set_source_rgba(cr, 1.0, 0.55, 0.0, 0.18);
                cairo_fill(cr);
            }
            cairo_restore(cr);
            /* the trim edge */
            cairo_rectangle(cr, 0, 0, pages->width, pages->height);
            cairo_set_line_width(cr, 1.0 / scale);
            cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
            cairo_stroke(cr);
            cairo_restore(cr);
        }
    bool ok = cairo_status(cr) == CAIRO_STATUS_SUCCESS && encode(surface, out);
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    imposition_free(&imp);
    return ok;
}

bool render_proofs(const laid_out *pages, bool threaded, volatile sig_atomic_t *stop,
                   proof_image **page_images, size_t *page_count, proof_image *overview,
                   diag_list *diags)
{
    *page_images = xcalloc(pages->page_count ? pages->page_count : 1, sizeof **page_images);
    *page_count = pages->page_count;
    memset(overview, 0, sizeof *overview);
    encoder e = {0};
    /* without a thread, encode here: slower, never wrong */
    threaded = threaded && encoder_start(&e);
    bool ok = true, stopped = false;
    for (size_t p = 0; p < pages->page_count && ok; p++) {
        if (threaded)
            encoder_wait_for_room(&e);
        if ((stopped = stop && *stop))
            break;
        cairo_surface_t *surface = draw_page_image(pages, p);
        proof_image *out = &(*page_images)[p];
        if (!surface)
            ok = false;
        else if (threaded)
            encoder_push(&e, surface, out);
        else {
            ok = encode(surface, out);
            cairo_surface_destroy(surface);
        }
    }
    ok = ok && !stopped && render_overview(pages, overview);
    if (threaded)
        ok = encoder_finish(&e) && ok;
    if (!ok) {
        if (!stopped)
            diag_report(diags, SEVERITY_ERROR, NULL, 0, 0, "cairo could not draw the PNG proofs");
        proof_images_free(*page_images, *page_count);
        free(*page_images);
        proof_images_free(overview, 1);
        *page_images = NULL;
        *page_count = 0;
        memset(overview, 0, sizeof *overview);
    }
    return ok;
}

void proof_images_free(proof_image *images, size_t count)
{
    if (!images)
        return;
    for (size_t i = 0; i < count; i++)
        free(images[i].data);
}
