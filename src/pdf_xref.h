/* Repairing cairo's cross-reference stream before finishing reads it.
 * Cairo 1.18 gives every Artifact tag an object number that it never
 * writes, and its xref stream still lists those numbers as in use, at an
 * offset where no such object starts. qpdf then rebuilds the whole table
 * from the file (its slowest way to read one, several milliseconds for a
 * leaflet). This appends an incremental update that marks exactly those
 * entries free, which is what they are, so the document reads as written.
 * No qpdf here: bytes in, bytes out. */
#ifndef LEAFPRESS_PDF_XREF_H
#define LEAFPRESS_PDF_XREF_H

#include <stdbool.h>
#include <stddef.h>
#include "textutil.h"

/* When the PDF's last cross-reference section is a single xref stream (as
 * cairo writes one) and some of its in-use entries point where their
 * object is not, *out gets the PDF followed by an update that frees them,
 * and the result is true. False, with *out untouched, when nothing needs
 * repair or the file is not laid out the way this understands (a classic
 * table, an earlier update, predictors): the caller then reads the bytes
 * as they are, as before. */
bool pdf_xref_repair(const unsigned char *pdf, size_t length, strbuf *out);

#endif
