/* Shared by the libFuzzer harnesses in fuzz/: a scratch folder for the
 * files the code under test insists on reading, and the checks every
 * harness makes on what it got back.
 *
 * Each harness defines LLVMFuzzerTestOneInput (and may define
 * LLVMFuzzerInitialize). Built with clang -fsanitize=fuzzer it fuzzes; built
 * with fuzz/driver.c (any compiler) it runs once over the files or folders
 * named on its command line: the regression test `make check` runs. */
#ifndef LEAFPRESS_FUZZ_H
#define LEAFPRESS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#ifndef LEAFPRESS_SOURCE_DIR
#error "LEAFPRESS_SOURCE_DIR (the repository root) must be defined"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A fresh folder for this process (in /dev/shm when there is one), removed
 * at exit with everything fuzz_write put in it. */
const char *fuzz_scratch(void);
/* Writes data to scratch/name (name may be "dir/file"); returns the path (static per name). */
const char *fuzz_write(const char *name, const void *data, size_t size);
/* Copies a repository file (relative to LEAFPRESS_SOURCE_DIR) into scratch/name. */
void fuzz_copy(const char *repo_path, const char *name);
/* Makes scratch/name a folder. Returns its path. */
const char *fuzz_mkdir(const char *name);

/* Aborts unless every diagnostic is printable: its text and file name hold
 * no control or bidi characters (diag.c escapes them), each formats, and
 * the error count matches the list. With FUZZ_VERBOSE set, prints them. */
void fuzz_check_diags(const diag_list *diags);

#endif
