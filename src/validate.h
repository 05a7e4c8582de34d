/* Validate: what a parsed leaflet still gets wrong.
 *
 * parse turns the source into a tree and reports what the Markdown itself
 * breaks; validate is a second, separate pass over the finished tree (one
 * handler per node type) and the front matter, for mistakes that parse
 * happily but would print badly. Each report has file:line:col of the
 * offending character and says how to fix it.
 *
 * Errors, because the PDF would show something the author did not mean:
 *   markup left as text ("](", "]{", "**", an unmatched '*' or '_', "<!--"),
 *   lines starting with a bullet pasted from a word processor,
 *   'contact_sheet' with no contacts, bidi override and isolate characters
 *   (U+202A-U+202E, U+2066-U+2069: the PDF would show the text in another
 *   order than the source), and the limits below.
 * Warnings, because the text may be right as it is and must not stop a
 * build (`--werror` makes them fail):
 *   a digit followed by superscript zero (10⁰ is a power as often as a
 *   temperature), an 'updated' date after today (a leaflet may be prepared
 *   for a release date; today is SOURCE_DATE_EPOCH when set).
 * Limits: more than 4 combining marks on one character, a word of more
 * than 100 characters, a title of more than 200 or a running-footer title
 * (short_title, or the title standing in for it) of more than 60. */
#ifndef LEAFPRESS_VALIDATE_H
#define LEAFPRESS_VALIDATE_H

#include <stddef.h>

#include "diag.h"
#include "doc.h"

/* source: the whole file (front matter and body) the document came from,
 * to place front-matter problems on their key. Linear in the size of both. */
void validate_document(const document *doc, const char *source, size_t length, diag_list *diags);

#endif
