/* Runs a fuzz harness once over inputs, without libFuzzer: every file named
 * on the command line, and every file in each folder named (not recursive).
 * This is how `make check` replays the corpora as a regression test, with
 * any compiler. Exit 0 when every input ran (a problem aborts). */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "textutil.h"

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t run_file(const char *path)
{
    size_t length;
    char *data = read_file(path, &length);
    if (!data) {
        perror(path);
        exit(2);
    }
    /* an exact-size copy, so reading past the input is caught under ASan */
    unsigned char *exact = xmalloc(length);
    memcpy(exact, data, length);
    free(data);
    LLVMFuzzerTestOneInput(exact, length);
    free(exact);
    return 1;
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    size_t runs = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            return 2;
        }
        if (!S_ISDIR(st.st_mode)) {
            runs += run_file(argv[i]);
            continue;
        }
        DIR *d = opendir(argv[i]);
        if (!d) {
            perror(argv[i]);
            return 2;
        }
        char **names = NULL;
        size_t count = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            names = xrealloc(names, (count + 1) * sizeof *names);
            size_t n = strlen(argv[i]) + strlen(e->d_name) + 2;
            names[count] = xmalloc(n);
            snprintf(names[count++], n, "%s/%s", argv[i], e->d_name);
        }
        closedir(d);
        qsort(names, count, sizeof *names, compare); /* same order every run */
        for (size_t k = 0; k < count; k++) {
            runs += run_file(names[k]);
            free(names[k]);
        }
        free(names);
    }
    printf("%s: %zu inputs, no problem\n", argv[0], runs);
    return runs ? 0 : 1;
}
