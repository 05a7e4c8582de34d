/* Fuzzes the front matter: frontmatter_split, then frontmatter_parse with
 * a small contact registry, on the input as a whole source file. */
#include <stdlib.h>
#include <string.h>

#include "contacts.h"
#include "frontmatter.h"
#include "fuzz.h"

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
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data, *yaml, *body;
    size_t yaml_length;
    int body_line;
    diag_list d;
    diag_init(&d);
    if (frontmatter_split("fuzz.md", text, size, &yaml, &yaml_length, &body, &body_line, &d)) {
        if (yaml < text || yaml + yaml_length > text + size || body < yaml + yaml_length ||
            body > text + size || body_line < 3)
            abort();
        leaflet_meta meta;
        memset(&meta, 0, sizeof meta);
        bool ok = frontmatter_parse("fuzz.md", yaml, yaml_length, &registry, &meta, &d);
        if (ok && (!meta.title || !meta.lang || !meta.publisher || !meta.slug || !meta.style ||
                   meta.updated_year < 1900 || meta.updated_year > 2100))
            abort(); /* a valid front matter has every required value */
        for (size_t i = 0; ok && i < meta.contact_count; i++)
            if (!meta.contacts[i] || strcmp(meta.contacts[i]->id, meta.contact_ids[i]))
                abort();
        meta_free(&meta);
    }
    fuzz_check_diags(&d);
    diag_free(&d);
    return 0;
}
