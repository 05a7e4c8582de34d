/* Hyphenation and line-break protection, before Pango breaks lines.
 *
 * hyphenate_text inserts soft hyphens (U+00AD) at libhyphen's break points
 * so Pango may break there and draw a hyphen, which extracts back as
 * U+00AD. URLs, e-mail addresses and numbers are never hyphenated.
 * protect_breaks replaces the spaces inside phone numbers and between a
 * number and its unit with no-break spaces. */
#ifndef LEAFPRESS_HYPHENATE_H
#define LEAFPRESS_HYPHENATE_H

typedef struct hyphenator hyphenator;

/* lang: BCP 47 ("nl-NL"). NULL when no patterns are installed for it. */
hyphenator *hyphenator_open(const char *lang);
void hyphenator_close(hyphenator *h);

/* Returns a new string. */
char *hyphenate_text(const hyphenator *h, const char *text);
char *protect_breaks(const char *text);

#endif
