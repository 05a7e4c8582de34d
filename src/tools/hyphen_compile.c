/* hyphen_compile OUT_DIR LANG...: compiles each language's installed
 * hyphenation patterns and word list into OUT_DIR (see hyphenate.h), for
 * leafpress to load in well under a millisecond. Run by the build; a
 * language without patterns is skipped (leafpress then has none either). */
#include <stdio.h>
#include <sys/stat.h>

#include "hyphenate.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: hyphen_compile OUT_DIR LANG...\n");
        return 2;
    }
    mkdir(argv[1], 0777);
    int status = 0;
    for (int i = 2; i < argc; i++) {
        char written[1100];
        if (!hyphen_compile(argv[i], argv[1], written, sizeof written))
            fprintf(stderr, "hyphen_compile: %s: no patterns installed, or cannot write to %s\n",
                    argv[i], argv[1]);
    }
    return status;
}
