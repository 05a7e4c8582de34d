/* Every limit leafpress puts on its inputs, in one place. (Not "limits.h":
 * src/ is on the include path and would shadow the system header.)
 *
 * Each is far above what a real leaflet, style or registry needs (the
 * shipped ones use a few percent of it) and low enough that time and memory
 * stay small when an input is hostile or broken. Going over a limit is an
 * error naming the file (and line and column where there is one), never a
 * silent cut. The README's "Limits" section lists them for users. */
#ifndef LEAFPRESS_INPUT_LIMITS_H
#define LEAFPRESS_INPUT_LIMITS_H

/* ---- file sizes (bytes); only regular files are read at all ---- */

/* A leaflet source: the longest shipped one is about 6 KB; 1 MiB is a
 * 150-page book of plain text. */
#define LIMIT_SOURCE_BYTES (1024u * 1024u)
/* A style file: the house style is about 3 KB and has ~170 possible keys. */
#define LIMIT_STYLE_BYTES (256u * 1024u)
/* contacts.yaml: a hospital's whole phone book (LIMIT_CONTACTS entries of
 * ~200 bytes) fits. */
#define LIMIT_CONTACTS_BYTES (1024u * 1024u)
/* An image file: a 300 dpi A4 photograph as PNG is ~10-20 MB. */
#define LIMIT_IMAGE_BYTES (20u * 1024u * 1024u)
/* Anything else read whole (tests read PDFs back): larger than any output. */
#define LIMIT_OTHER_BYTES (256u * 1024u * 1024u)

/* ---- front matter ---- */

/* Top-level keys: 20 are known and each may appear once, so more than this
 * is never a valid leaflet; stop before reporting 100,000 unknown keys. */
#define LIMIT_FRONTMATTER_KEYS 100
/* Items of one list (authors, reviewers, keywords, contacts). */
#define LIMIT_LIST_ITEMS 100
/* Characters of title, subtitle and short_title: a cover holds ~6 lines
 * of 30 characters; longer is a paragraph pasted into the wrong key. */
#define LIMIT_TITLE_CHARS 200
/* Characters of any other front-matter string (subject, review_note, ...). */
#define LIMIT_META_STRING_CHARS 2000
/* 'updated' years: older than 1900 or beyond 2100 is a typo (0001-01). */
#define LIMIT_YEAR_MIN 1900
#define LIMIT_YEAR_MAX 2100

/* ---- contacts.yaml ---- */

/* Entries of the registry: a large hospital has a few hundred lines. */
#define LIMIT_CONTACTS 5000
/* Phone numbers of one contact. */
#define LIMIT_PHONES 10

/* ---- styles ---- */

/* Depth of an `extends` chain: house -> grote-letter is 2. */
#define LIMIT_EXTENDS_DEPTH 16
/* Keys in one style file, counting nested ones: the schema has ~170. */
#define LIMIT_STYLE_KEYS 1000
/* Styles that extend one base (variants): each is one more set of outputs
 * per leaflet; the shipped house style has one (grote-letter). A leaflet
 * has at most 64 styles (OUTPUTS_MAX_VARIANTS, outputs.h): the base and 63. */
#define LIMIT_VARIANTS 63
/* Names in a font-family list, and its length in bytes: fontconfig tries
 * each name in turn, so this bounds every text run's font lookup. */
#define LIMIT_FAMILY_NAMES 16
#define LIMIT_FAMILY_BYTES 512
/* A variant's suffix becomes part of every output file name. */
#define LIMIT_SUFFIX_BYTES 32
/* A list label ("•", "–", "1.") is drawn before every item at its level. */
#define LIMIT_BULLET_CHARS 8
/* Font sizes (pt): below 4pt nothing is readable; above 200pt not one word
 * fits an A4 line. */
#define LIMIT_FONT_SIZE_MIN_PT 4.0
#define LIMIT_FONT_SIZE_MAX_PT 200.0
/* Page width and height (mm): a business card is 55mm, A0 is 1189mm. */
#define LIMIT_PAGE_MIN_MM 50.0
#define LIMIT_PAGE_MAX_MM 1200.0
/* Any other length (margins, spacing, padding, ...) (mm): none may exceed
 * the largest page. */
#define LIMIT_LENGTH_MAX_MM 1200.0
/* Line height, as a multiple of the font size. */
#define LIMIT_LINE_HEIGHT_MAX 5.0

#endif
