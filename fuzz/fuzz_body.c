/* Fuzzes the whole parser (parse_leaflet: UTF-8 and control checks, front
 * matter, the Markdown body) on the input as a source file in a scratch
 * project that holds one image, so image references resolve. */
#include <stdlib.h>

#include "contacts.h"
#include "doc.h"
#include "fuzz.h"
#include "parse.h"

static contact_registry registry;

static void release(void) { contacts_free(&registry); }

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    static const char contacts[] = "poli:\n  organisation: Poli\n  phones: [\"020 444 44 44\"]\n"
                                   "alarmnummer:\n  organisation: Alarm\n  phones: [\"112\"]\n";
    diag_list d;
    diag_init(&d);
    if (!contacts_load(fuzz_write("contacts.yaml", contacts, sizeof contacts - 1), &registry, &d))
        abort();
    atexit(release);
    diag_free(&d);
    fuzz_copy("fuzz/assets/logo.png", "logo.png");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("leaflet.md", data, size);
    diag_list d;
    diag_init(&d);
    document *doc = parse_leaflet(path, &registry, fuzz_scratch(), &d);
    if (doc && !doc->root)
        abort();
    fuzz_check_diags(&d);
    doc_free(doc);
    diag_free(&d);
    return 0;
}
