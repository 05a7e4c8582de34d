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

/* "020 444 44 44" -> "tel:+31204444444"; short numbers ("112") stay local. Caller frees. */
char *phone_tel_uri(const char *display);

#endif
