/* Readability: plain-language figures of a leaflet's body text.
 *
 * Counted over the paragraphs of the parsed tree (also those in list items
 * and boxes); headings, box titles, image alt texts and the generated
 * blocks (contacts, colophon) are not counted. A sentence ends at '.', '!',
 * '?', '…' (and Arabic '؟', '۔') followed by a space and a word that does
 * not start with a small letter, and at the end of every paragraph, so a
 * list item is a sentence of its own. A period after a known abbreviation
 * ("bijv.", "dr."), after one letter ("M.") or inside a token ("o.a.")
 * does not end one. A word is a space-separated token with a letter in it:
 * phone numbers and other numbers are not words.
 *
 * The score depends on the language (the primary subtag of lang):
 *   nl  Flesch–Douma       206.835 − 0.93·(words/sentences) − 77·(syllables/words)
 *   en  Flesch reading ease 206.835 − 1.015·(words/sentences) − 84.6·(syllables/words)
 *   tr  Ateşman            198.825 − 2.610·(words/sentences) − 40.175·(syllables/words)
 *   other (Arabic: short vowels are not written, so syllables cannot be
 *   counted from the text): no score, only sentence lengths.
 * Long words are counted for Dutch and English only: Turkish builds words
 * with suffixes, so length says little there about how common a word is.
 * Syllables are counted by rule (readability_syllables), not looked up: a
 * formula is a pointer, not a verdict. */
#ifndef LEAFPRESS_READABILITY_H
#define LEAFPRESS_READABILITY_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "doc.h"

/* Per project, from readability.yaml at the project root (readability_config_load). */
typedef struct readability_config {
    double min_score;          /* warn below this score (60: plain, B1) */
    double max_share_over_15;  /* warn when more sentences than this share have over 15 words (0.30) */
    double max_share_over_20;  /* ... over 20 words (0.10) */
    int max_sentence_words;    /* warn at each sentence longer than this; 0: never (25) */
    int long_word_syllables;   /* a word with more syllables is long (4) */
    int max_long_words;        /* warn once, listing them, when there are more long words (5) */
    bool warn_long_words;      /* also warn at the first use of each long word (false) */
    size_t longest_shown;      /* longest sentences kept in readability.longest (3) */
    char **allow;              /* words never counted as long, e.g. medical terms; lower case */
    size_t allow_count;
    bool notes;                /* readability_report prints the figures on stdout (false) */
} readability_config;

typedef struct readability_sentence {
    int line, column;          /* where it starts in the source */
    size_t words;
    char *text;                /* the sentence, shortened to about 60 characters with '…' */
} readability_sentence;

typedef struct readability_word {
    char *word;                /* as first written */
    int syllables;
    int line, column;          /* its first use */
    size_t uses;
} readability_word;

typedef struct readability {
    const char *measure;       /* "Flesch-Douma", "Flesch reading ease", "Ateşman"; NULL: no score */
    double score;              /* 0 when measure is NULL or there are no words */
    size_t sentences, words, syllables;
    size_t over_15, over_20;   /* sentences with more than 15 / 20 words */
    double share_over_15, share_over_20; /* of all sentences, 0..1 */
    readability_sentence *longest; size_t longest_count; /* longest first; ties: earlier first */
    readability_word *long_words; size_t long_word_count; /* in order of first use, each once */
} readability;

/* The B1 defaults above. */
void readability_config_defaults(readability_config *cfg);
/* Defaults, then the keys of the YAML file at path; a missing file is not an
 * error (the defaults stay). Errors (unknown key, wrong type) at file:line:col;
 * returns false when there was one. */
bool readability_config_load(const char *path, readability_config *cfg, diag_list *diags);
void readability_config_free(readability_config *cfg);

/* Syllables of one word (UTF-8, n bytes) by the rules of lang ("nl", "en",
 * "tr"); 0 for a language without rules. Dutch: one per vowel group, where
 * aa ee oo uu ie oe eu ui ei ij ou au (and aai ooi oei eeu ieu eau) are one
 * vowel and a diaeresis (ë, ï, ...) starts a new one; a few loanwords
 * (online, website, team, ...) are listed. It miscounts Latin and Greek
 * words in which eu or ie are two vowels (museum), and English loanwords
 * not in the list. English: vowel groups, less a silent final e and an -ed
 * or -es that adds no syllable, ia/io/iu/ua split. Turkish: one per vowel. */
int readability_syllables(const char *lang, const char *word, size_t n);

/* Measures doc's body. out is owned by the caller: readability_free. */
void readability_measure(const document *doc, const readability_config *cfg, readability *out);
void readability_free(readability *r);

/* Measures doc and reports, as warnings in diags, what is over cfg's
 * thresholds: the score and the shares at the H1's position, each sentence
 * over max_sentence_words at its start, the long words (over max_long_words)
 * in one warning at the first one, and with warn_long_words each at its first use.
 * With cfg->notes, also one line with the figures on stdout. */
void readability_report(const document *doc, const readability_config *cfg, diag_list *diags);

#endif
