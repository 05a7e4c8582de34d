/* Fuzzes the contact registry: contacts_load on the input as contacts.yaml,
 * then every lookup and phone link a leaflet would make. */
#include <stdlib.h>
#include <string.h>

#include "contacts.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("contacts.yaml", data, size);
    contact_registry r;
    diag_list d;
    diag_init(&d);
    bool ok = contacts_load(path, &r, &d);
    if (ok != (d.errors == 0))
        abort();
    const char *const *ids = contacts_ids(&r);
    for (size_t i = 0; i < r.count; i++) {
        const contact *c = &r.items[i];
        if (!ids[i] || strcmp(ids[i], c->id) || contacts_find(&r, c->id) != c)
            abort(); /* every id is found, and finds its own entry */
        for (size_t k = 0; k < c->phone_count; k++) {
            char *uri = phone_tel_uri(c->phones[k]);
            if (strncmp(uri, "tel:", 4) != 0 || strlen(uri) < 7)
                abort();
            free(uri);
        }
    }
    if (ids[r.count])
        abort();
    /* never ids (not [a-z0-9-]+), so never found; a plain name could be
     * defined by the input (the fuzzer found that out) */
    if (contacts_find(&r, "") || contacts_find(&r, "Not An Id"))
        abort();
    contacts_free(&r);
    fuzz_check_diags(&d);
    diag_free(&d);
    return 0;
}
