/* "Did you mean": the closest known word to a misspelt key. */
#ifndef LEAFPRESS_SUGGEST_H
#define LEAFPRESS_SUGGEST_H

#include <stddef.h>

/* Returns the candidate closest to `word` by edit distance when it is close
 * enough to be a plausible typo (distance <= max(1, strlen/3)), else NULL. */
const char *suggest_closest(const char *word, const char *const *candidates, size_t count);

#endif
