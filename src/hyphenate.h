/* Hyphenation and line-break protection, before Pango breaks lines.
 *
 * hyphenate_text inserts soft hyphens (U+00AD) at libhyphen's break points
 * so Pango may break there and draw a hyphen, which extracts back as
 * U+00AD. URLs, e-mail addresses and numbers are never hyphenated. With
 * the language's word list installed (Debian's wdutch for Dutch), a
 * compound breaks between its parts, and inside a part only with 3 of its
 * letters before the break and 4 after.
 * protect_breaks replaces the spaces inside phone numbers and between a
 * number and its unit with no-break spaces. */
#ifndef LEAFPRESS_HYPHENATE_H
#define LEAFPRESS_HYPHENATE_H

typedef struct hyphenator hyphenator;

#include <stdbool.h>
#include <stddef.h>

/* lang: BCP 47 ("nl-NL"). NULL when no patterns are installed for it.
 * Reads the compiled form the build made (MODULE_DIR/hyphen/, see
 * modules.h) when it was made from the same pattern file and word list,
 * else the text: the same hyphenation either way, the compiled in well
 * under a millisecond. */
hyphenator *hyphenator_open(const char *lang);
void hyphenator_close(hyphenator *h);
/* Calls each with every file hyphenator_open(lang) may read: the pattern
 * files in the order it tries them, then the word list, if the language
 * has one; installed or not. What a leaflet's hyphenation depends on. */
void hyphenator_files(const char *lang, void (*each)(void *context, const char *path),
                      void *context);

/* For the build (src/tools/hyphen_compile.c): compiles lang's patterns and
 * word list, as hyphenator_open would read them from text, into
 * out_dir/NAME.lph (NAME: the pattern file's, e.g. hyph_nl_NL), whose path
 * goes to written. False when no patterns are installed for lang or the
 * file cannot be written. */
bool hyphen_compile(const char *lang, const char *out_dir, char *written, size_t written_size);

/* Dictionaries opened once per language and shared by every layout of a
 * run: loading Dutch patterns costs more than hyphenating a leaflet. */
typedef struct hyphen_cache hyphen_cache;
hyphen_cache *hyphen_cache_new(void);
/* Starts loading lang's patterns on another thread, so the load overlaps
 * other work; hyphen_cache_get waits for it. True when this call started
 * it (false: the cache has the language already, or is full). */
bool hyphen_cache_prefetch(hyphen_cache *cache, const char *lang);
/* NULL when no patterns are installed for lang; owned by the cache. */
const hyphenator *hyphen_cache_get(hyphen_cache *cache, const char *lang);
void hyphen_cache_free(hyphen_cache *cache);

/* Returns a new string. At least min_left letters before each break and
 * min_right after it; hyphenate_text uses Dutch practice, 2 and 3. */
char *hyphenate_text(const hyphenator *h, const char *text);
char *hyphenate_text_min(const hyphenator *h, const char *text, int min_left, int min_right);
char *protect_breaks(const char *text);

#endif
