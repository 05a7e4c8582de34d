#include "wording.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

typedef struct phrase { const char *key, *nl, *en; } phrase;

static const phrase phrases[] = {
    /* layout: generated blocks */
    {"contacts", "Contactgegevens", "Contact details"},
    {"colophon", "Over deze folder", "About this leaflet"},
    {"updated", "Laatste update:", "Last updated:"},
    {"written_by", "Dit artikel is geschreven door", "This text was written by"},
    {"with_help", "Met medewerking van", "With contributions from"},
    {"publisher", "Uitgave:", "Published by:"},
    {"and", "en", "and"},
    {"email", "E-mail:", "E-mail:"},
    /* print: notes pages and back cover */
    {"notes_title", "Aantekeningen", "Notes"},
    {"notes_subtitle", "Ruimte voor uw vragen", "Room for your questions"},
    {"document_code", "Documentcode:", "Document code:"},
    {"version", "Versie:", "Version:"},
    /* finishing: what a screen reader says of a link */
    {"call", "Bel", "Call"},
    {"email_to", "E-mail naar", "Email"},
    {"link_to", "Link naar", "Link to"},
    {"go_to_page", "Ga naar pagina", "Go to page"},
    {"go_elsewhere", "Ga naar een andere plek in dit document", "Go to another place in this document"},
    /* output names */
    {"contact_sheet_suffix", "-telefoonnummers", "-phone-numbers"},
};

static const char *const months_nl[] = {"januari", "februari", "maart", "april", "mei", "juni",
                                        "juli", "augustus", "september", "oktober",
                                        "november", "december"};
static const char *const months_en[] = {"January", "February", "March", "April", "May", "June",
                                        "July", "August", "September", "October",
                                        "November", "December"};

static int is_dutch(const char *lang)
{
    return lang && strncasecmp(lang, "nl", 2) == 0 && (lang[2] == '\0' || lang[2] == '-');
}

int wording_has_language(const char *lang)
{
    return is_dutch(lang) || (lang && strncasecmp(lang, "en", 2) == 0);
}

const char *wording(const char *lang, const char *key)
{
    for (size_t i = 0; i < sizeof phrases / sizeof *phrases; i++)
        if (strcmp(phrases[i].key, key) == 0)
            return is_dutch(lang) ? phrases[i].nl : phrases[i].en;
    return key;
}

const char *wording_month(const char *lang, int month)
{
    if (month < 1 || month > 12)
        return "";
    return (is_dutch(lang) ? months_nl : months_en)[month - 1];
}
