#include "wording.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

/* Columns of the table, in the order of the phrase fields below. */
typedef enum { LANG_NL, LANG_EN, LANG_TR, LANG_AR, LANG_COUNT } language;

typedef struct phrase { const char *key, *text[LANG_COUNT]; } phrase;

/* Every entry has all four languages; a forgotten one is a NULL that
 * tests/unit_wording.c catches.
 * Labels that end in ':' are followed by a value; the others by nothing
 * or, for the link descriptions, by a number, address or place.
 * contact_sheet_suffix is part of a file name, so it stays ASCII in
 * every language. */
static const phrase phrases[] = {
    /* layout: generated blocks */
    {"contacts", {"Contactgegevens", "Contact details", "İletişim bilgileri", "بيانات الاتصال"}},
    {"colophon", {"Over deze folder", "About this leaflet", "Bu broşür hakkında", "عن هذه النشرة"}},
    {"updated", {"Laatste update:", "Last updated:", "Son güncelleme:", "آخر تحديث:"}},
    {"written_by", {"Dit artikel is geschreven door", "This text was written by",
                    "Bu metnin yazarı:", "كتب هذا النص:"}},
    {"with_help", {"Met medewerking van", "With contributions from", "Katkıda bulunanlar:",
                   "بمساهمة:"}},
    {"publisher", {"Uitgave:", "Published by:", "Yayımlayan:", "الناشر:"}},
    {"and", {"en", "and", "ve", "و"}},
    {"email", {"E-mail:", "E-mail:", "E-posta:", "البريد الإلكتروني:"}},
    /* print: notes pages and back cover */
    {"notes_title", {"Aantekeningen", "Notes", "Notlar", "ملاحظات"}},
    {"notes_subtitle", {"Ruimte voor uw vragen", "Room for your questions",
                        "Sorularınız için boş alan", "مساحة لأسئلتك"}},
    {"document_code", {"Documentcode:", "Document code:", "Belge kodu:", "رمز الوثيقة:"}},
    {"version", {"Versie:", "Version:", "Sürüm:", "الإصدار:"}},
    /* finishing: what a screen reader says of a link */
    {"call", {"Bel", "Call", "Ara:", "اتصل بالرقم"}},
    {"email_to", {"E-mail naar", "Email", "E-posta gönder:", "أرسل بريدًا إلكترونيًا إلى"}},
    {"link_to", {"Link naar", "Link to", "Bağlantı:", "رابط إلى"}},
    {"go_to_page", {"Ga naar pagina", "Go to page", "Şu sayfaya git:", "انتقل إلى الصفحة"}},
    {"go_elsewhere", {"Ga naar een andere plek in dit document", "Go to another place in this document",
                      "Bu belgede başka bir yere git", "انتقل إلى مكان آخر في هذه الوثيقة"}},
    /* output names */
    {"contact_sheet_suffix", {"-telefoonnummers", "-phone-numbers", "-telefon-numaralari",
                              "-phone-numbers"}},
};

static const char *const months[LANG_COUNT][12] = {
    {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
     "oktober", "november", "december"},
    {"January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"},
    {"Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim",
     "Kasım", "Aralık"},
    /* the names used in Egypt and the Gulf, the most widely understood */
    {"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر",
     "نوفمبر", "ديسمبر"},
};

/* The primary subtag of lang ("tr" of "tr-TR"), or -1 when it has no column. */
static int column_of(const char *lang)
{
    static const char *const tags[LANG_COUNT] = {"nl", "en", "tr", "ar"};
    if (!lang)
        return -1;
    for (int i = 0; i < LANG_COUNT; i++)
        if (strncasecmp(lang, tags[i], 2) == 0 && (lang[2] == '\0' || lang[2] == '-'))
            return i;
    return -1;
}

/* Unknown languages get English: more readers manage it than Dutch. */
static int column_or_english(const char *lang)
{
    int c = column_of(lang);
    return c < 0 ? LANG_EN : c;
}

int wording_has_language(const char *lang)
{
    return column_of(lang) >= 0;
}

const char *wording(const char *lang, const char *key)
{
    for (size_t i = 0; i < sizeof phrases / sizeof *phrases; i++)
        if (strcmp(phrases[i].key, key) == 0)
            return phrases[i].text[column_or_english(lang)];
    return key;
}

const char *wording_month(const char *lang, int month)
{
    if (month < 1 || month > 12)
        return "";
    return months[column_or_english(lang)][month - 1];
}

size_t wording_key_count(void)
{
    return sizeof phrases / sizeof *phrases;
}

const char *wording_key(size_t i)
{
    return i < wording_key_count() ? phrases[i].key : NULL;
}
