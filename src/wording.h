/* Wording: every word leafpress itself puts on a page or in a PDF, per
 * language, in one table (wording.c). Stages ask by key; nothing else
 * holds generated text. The table is complete for Dutch (nl), English
 * (en), Turkish (tr) and Arabic (ar), chosen by the primary subtag of the
 * BCP 47 tag; any other language gets English. */
#ifndef LEAFPRESS_WORDING_H
#define LEAFPRESS_WORDING_H

#include <stddef.h>

/* The phrase for key ("colophon", "notes_title", ...) in lang (BCP 47).
 * An unknown key returns the key itself, so a typo shows on the page. */
const char *wording(const char *lang, const char *key);
/* Month name, 1..12; "" for any other number. */
const char *wording_month(const char *lang, int month);
/* True for the languages that have their own column (nl, en, tr, ar). */
int wording_has_language(const char *lang);
/* The keys of the table, for tests: key i for i < wording_key_count(). */
size_t wording_key_count(void);
const char *wording_key(size_t i);

#endif
