/* Images (src/images.c): sizes from headers without decoding, the pixel
 * limit checked before any decoding, SVG bombs and embedded payloads
 * refused, JPEG embedded in a PDF as the very bytes of the file (DCT). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cairo-pdf.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "images.h"
#include "textutil.h"

static char dir[64];

static char *path_in(const char *name)
{
    char *p = xmalloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/leafpress-images.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    return system(command) == 0 ? 0 : -1;
}

/* A PNG signature and IHDR of the given size, and nothing else. */
static void fake_png(const char *path, uint32_t w, uint32_t h)
{
    unsigned char b[33] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    for (int i = 0; i < 4; i++) {
        b[16 + i] = (unsigned char)(w >> (24 - 8 * i));
        b[20 + i] = (unsigned char)(h >> (24 - 8 * i));
    }
    b[24] = 8, b[25] = 2;
    write_bytes(path, b, sizeof b);
}

static void test_png_header(void **state)
{
    (void)state;
    image_info info;
    const char *why;
    assert_true(image_read_info("tests/data/images/lever.png", &info, &why));
    assert_int_equal(info.kind, IMAGE_PNG);
    assert_int_equal(info.pixel_width, 2000);
    assert_int_equal(info.pixel_height, 1250);
    assert_true(info.width == 1500 && info.height == 937.5); /* 96 px per inch */
}

static void test_pixel_limit_before_decoding(void **state)
{
    (void)state;
    /* 30000 x 30000 would take 3.6 GB decoded; the header alone says no */
    char *big = path_in("big.png");
    fake_png(big, 30000, 30000);
    image_info info;
    const char *why = NULL;
    assert_false(image_read_info(big, &info, &why));
    assert_non_null(strstr(why, "40 million pixels"));
    assert_null(image_surface_load(big));
    /* just under the limit passes the header check (and fails decoding: it is fake) */
    fake_png(big, 8000, 5000);
    assert_true(image_read_info(big, &info, &why));
    assert_null(image_surface_load(big));
    free(big);
}

/* PDFs hold binary streams: search bytes, not C strings */
static bool contains_bytes(const char *hay, size_t n, const char *needle, size_t k)
{
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return true;
    return false;
}

static void test_jpeg(void **state)
{
    (void)state;
    /* a real JPEG, written by gdk-pixbuf */
    GdkPixbuf *pb = gdk_pixbuf_new(GDK_COLORSPACE_RGB, FALSE, 8, 640, 480);
    gdk_pixbuf_fill(pb, 0x8b3e2fff);
    char *jpg = path_in("photo.jpg");
    assert_true(gdk_pixbuf_save(pb, jpg, "jpeg", NULL, "quality", "85", NULL));
    g_object_unref(pb);
    image_info info;
    const char *why;
    assert_true(image_read_info(jpg, &info, &why));
    assert_int_equal(info.kind, IMAGE_JPEG);
    assert_int_equal(info.pixel_width, 640);
    assert_int_equal(info.pixel_height, 480);
    /* drawn into a PDF, the file's bytes are the image stream (DCT, not re-encoded) */
    cairo_surface_t *image = image_surface_load(jpg);
    assert_non_null(image);
    char *pdf_path = path_in("photo.pdf");
    cairo_surface_t *pdf = cairo_pdf_surface_create(pdf_path, 200, 200);
    cairo_t *cr = cairo_create(pdf);
    cairo_set_source_surface(cr, image, 0, 0);
    cairo_paint(cr);
    cairo_destroy(cr);
    cairo_surface_destroy(pdf);
    cairo_surface_destroy(image);
    size_t pdf_len, jpg_len;
    char *pdf_bytes = read_file(pdf_path, &pdf_len), *jpg_bytes = read_file(jpg, &jpg_len);
    assert_non_null(pdf_bytes);
    assert_non_null(jpg_bytes);
    assert_true(contains_bytes(pdf_bytes, pdf_len, jpg_bytes, jpg_len));
    assert_true(contains_bytes(pdf_bytes, pdf_len, "/DCTDecode", 10));
    free(pdf_bytes);
    free(jpg_bytes);
    free(pdf_path);
    free(jpg);
}

static void write_text(const char *path, const char *text)
{
    write_bytes(path, text, strlen(text));
}

static void test_svg_limits(void **state)
{
    (void)state;
    char *svg = path_in("a.svg");
    image_info info;
    const char *why = NULL;
    write_text(svg, "<svg xmlns='http://www.w3.org/2000/svg' width='100' height='50'>"
                    "<rect width='100' height='50' fill='#005a6e'/></svg>");
    assert_true(image_read_info(svg, &info, &why));
    assert_int_equal(info.kind, IMAGE_SVG);
    assert_true(info.width == 75 && info.height == 37.5);

    /* a <use> bomb: each level doubles the one before */
    strbuf b = {0};
    strbuf_puts(&b, "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' "
                    "width='10' height='10'><defs><rect id='u0' width='1' height='1'/>");
    for (int i = 1; i < 150; i++)
        strbuf_printf(&b, "<g id='u%d'><use xlink:href='#u%d'/><use xlink:href='#u%d'/></g>", i,
                      i - 1, i - 1);
    strbuf_puts(&b, "</defs><use xlink:href='#u149'/></svg>");
    char *text = strbuf_take(&b);
    write_text(svg, text);
    free(text);
    assert_false(image_read_info(svg, &info, &why));
    assert_non_null(strstr(why, "too complex"));

    /* an embedded PNG of 30000 x 30000 (header only, base64) */
    write_text(svg, "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' "
                    "width='10' height='10'><image width='10' height='10' xlink:href='data:image/png;base64,"
                    "iVBORw0KGgoAAAANSUhEUgAAdTAAAHUwCAIAAAA='/></svg>");
    assert_false(image_read_info(svg, &info, &why));
    assert_non_null(strstr(why, "40 million pixels"));

    /* anything but PNG and JPEG reaches other decoders: refused */
    write_text(svg, "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' "
                    "width='10' height='10'><image width='10' height='10' xlink:href='data:image/x-tga;base64,AAAA'/></svg>");
    assert_false(image_read_info(svg, &info, &why));
    assert_non_null(strstr(why, "other than a base64 PNG or JPEG"));
    free(svg);
}

/* The smallest text of an SVG, in pt at its natural size, for the
 * large-print check (images.h lists what is understood). */
static double smallest(const char *body, const char *size_and_box)
{
    char *svg = path_in("t.svg");
    strbuf b = {0};
    strbuf_printf(&b, "<svg xmlns='http://www.w3.org/2000/svg' %s>%s</svg>", size_and_box, body);
    write_text(svg, b.data);
    free(b.data);
    double pt = -1;
    if (!image_svg_smallest_text(svg, &pt))
        pt = 0;
    free(svg);
    return pt;
}

static void near(double got, double want)
{
    if (fabs(got - want) > 1e-6)
        fail_msg("got %g pt, want %g", got, want);
}

static void test_svg_text_sizes(void **state)
{
    (void)state;
    const char *box = "width='200' height='100'";
    /* no font-size: CSS medium, 16 px = 12 pt */
    near(smallest("<text>a</text>", box), 12);
    near(smallest("<text font-size='8'>a</text><text font-size='24'>b</text>", box), 6);
    /* units, and em / % of the inherited size */
    near(smallest("<text font-size='10pt'>a</text>", box), 10);
    near(smallest("<g font-size='20'><text font-size='50%'>a</text></g>", box), 7.5);
    near(smallest("<g font-size='20'><text><tspan font-size='0.8em'>a</tspan></text></g>", box), 12);
    near(smallest("<text font-size='small'>a</text>", box), 9.75);
    /* the style attribute beats a sheet rule, which beats the attribute */
    near(smallest("<style>.c{font-size:8px}</style><text class='x c' font-size='40'>a</text>", box), 6);
    near(smallest("<style>text{font: bold 32px/1.2 sans-serif}</style><text style='font-size: 12px'>a</text>", box), 9);
    /* transforms and the viewBox scale the text */
    near(smallest("<g transform='translate(5 5) scale(0.5)'><text font-size='16'>a</text></g>", box), 6);
    near(smallest("<g transform='matrix(2 0 0 2 0 0)'><text font-size='16'>a</text></g>", box), 24);
    near(smallest("<text font-size='16'>a</text>", "width='200' height='100' viewBox='0 0 400 200'"), 6);
    /* only text that is drawn: not white space, comments or a text without characters */
    near(smallest("<text font-size='4'> </text><!-- <text font-size='1'>x</text> -->"
                                 "<text font-size='20'>a</text>", box), 15);
    near(smallest("<rect width='10' height='10'/>", box), 0);
    /* characters after a closing tspan belong to the text around it */
    near(smallest("<text font-size='8'><tspan font-size='30'>a</tspan>b</text>", box), 6);
}

static void test_not_an_image(void **state)
{
    (void)state;
    char *p = path_in("x.png");
    write_text(p, "GIF89a not a png at all");
    image_info info;
    const char *why;
    assert_false(image_read_info(p, &info, &why));
    assert_string_equal(why, "not a PNG, JPEG or SVG file");
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_header),
        cmocka_unit_test(test_pixel_limit_before_decoding),
        cmocka_unit_test(test_jpeg),
        cmocka_unit_test(test_svg_limits),
        cmocka_unit_test(test_svg_text_sizes),
        cmocka_unit_test(test_not_an_image),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
