/* The contact registry: sources/contacts.yaml, defined once, shown everywhere. */
#ifndef LEAFPRESS_CONTACTS_H
#define LEAFPRESS_CONTACTS_H

#include "diag.h"
#include "doc.h"

/* Fills *registry (reset first) and reports every problem; entries with
 * problems are kept. Call contacts_free afterwards even when it fails. */
bool contacts_load(const char *path, contact_registry *registry, diag_list *diags);
void contacts_free(contact_registry *registry);
const contact *contacts_find(const contact_registry *registry, const char *id);
const char *const *contacts_ids(const contact_registry *registry); /* for suggestions */

/* Checks a phone number as written and gives its tel: URI (*uri, caller
 * frees). Dutch numbers become E.164: "020 444 44 44", "020-4444444",
 * "(020) 444 44 44", "+31 (0)20 444 44 44" and "0031 20 444 44 44" all give
 * tel:+31204444444, "06-12345678" tel:+31612345678, and the service numbers
 * too ("0800 0123" -> tel:+318000123: the one form every Dutch phone
 * dials; from abroad they are unreachable in any form). Short numbers
 * ("112", "14 020") stay as they are. A trunk "(0)" in any international
 * number is dropped. Returns NULL, or a message saying what is wrong (caller
 * frees; *uri is then NULL): wrong digit count for a Dutch number (9 after
 * the 0 or +31, 4 or 7 after 0800/090x), brackets elsewhere, letters. */
char *phone_normalise(const char *display, char **uri);

/* phone_normalise's URI; for a number it rejects, tel: and its digits. Caller frees. */
char *phone_tel_uri(const char *display);

#endif
