/* Depfile: --depfile FILE writes what each output was built from as make
 * rules ("output/net.pdf: sources/net.md styles/house.yaml ..."), the
 * format make's `include` and ninja's `depfile =` read, so that make or
 * ninja can decide when to run leafpress.
 *
 * Each rule names the files an output wrote as its targets and every file
 * it depends on: the source, images, each style of the chain, each theme
 * file of a leaflet with `theme:`, the print profile, the hyphenation
 * patterns, the fonts folder and each file in it, and the contact registry when it shows a contact. Every dependency
 * also gets an empty rule of its own (like gcc -MP), so deleting one does
 * not stop make. Spaces, '#' and '$' in paths are escaped as make wants;
 * a path with a newline cannot be written and is left out. */
#ifndef LEAFPRESS_DEPFILE_H
#define LEAFPRESS_DEPFILE_H

#include <stddef.h>

#include "fingerprint.h"
#include "textutil.h"

typedef struct depfile {
    strbuf rules;
    char **prerequisites;      /* every dependency named, for the empty rules */
    size_t count;
} depfile;

/* One rule: targets (the files of one output) and what they depend on.
 * contacts_path: the registry file, listed when deps has a contact. */
void depfile_add(depfile *df, char *const *targets, size_t target_count, const dep_list *deps,
                 const char *contacts_path);
/* The whole file (rules, then the empty rules). Frees df. Caller frees. */
char *depfile_take(depfile *df);

#endif
