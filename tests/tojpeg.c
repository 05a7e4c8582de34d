/* tojpeg IN OUT: tests/figures.sh's JPEG maker. Writes the image IN (any
 * format gdk-pixbuf reads, a PPM there) as the JPEG OUT at quality 80 with
 * gdk-pixbuf, the library leafpress decodes JPEGs with. Built by CMake as
 * BUILDDIR/tojpeg; not part of leafpress. */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: tojpeg IN OUT\n");
        return 2;
    }
    GError *error = NULL;
    GdkPixbuf *image = gdk_pixbuf_new_from_file(argv[1], &error);
    if (image && gdk_pixbuf_save(image, argv[2], "jpeg", &error, "quality", "80", NULL)) {
        g_object_unref(image);
        return 0;
    }
    fprintf(stderr, "tojpeg: %s\n", error ? error->message : "cannot convert");
    g_clear_error(&error);
    if (image)
        g_object_unref(image);
    return 1;
}
