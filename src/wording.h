/* Wording: every word leafpress itself puts on a page or in a PDF, per
 * language, in one table (wording.c). Stages ask by key; nothing else
 * holds generated text. Unknown languages get English. */
#ifndef LEAFPRESS_WORDING_H
#define LEAFPRESS_WORDING_H

/* The phrase for key ("colophon", "notes_title", ...) in lang (BCP 47).
 * An unknown key returns the key itself, so a typo shows on the page. */
const char *wording(const char *lang, const char *key);
/* Month name, 1..12. */
const char *wording_month(const char *lang, int month);
/* True for the languages whose table is complete for lang's primary tag. */
int wording_has_language(const char *lang);

#endif
