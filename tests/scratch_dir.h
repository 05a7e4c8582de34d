/* A unit test's scratch folder: made fresh under $TMPDIR (else /tmp) as
 * leafpress-NAME-XXXXXX, and removed whole at the end with whatever the
 * tests left in it, so that no run leaves a folder behind. The includer
 * defines _XOPEN_SOURCE 700 (mkdtemp, nftw) before any header. */
#ifndef LEAFPRESS_TESTS_SCRATCH_DIR_H
#define LEAFPRESS_TESTS_SCRATCH_DIR_H

#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static inline bool scratch_make(char *dir, size_t size, const char *name)
{
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(dir, size, "%s/leafpress-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
    return n > 0 && (size_t)n < size && mkdtemp(dir) != NULL;
}

static inline int scratch_remove_entry(const char *path, const struct stat *st, int flag,
                                       struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* 0 when dir and everything in it are gone. */
static inline int scratch_remove(const char *dir)
{
    return nftw(dir, scratch_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
