/* The finishing module (leafpress-finish.so, see modules.h): PDF
 * finishing with libqpdf and lcms2 behind one table. pdf_finish(),
 * and pdf_finish_print() (pdf_finish_entry.c) load it
 * on first use and call through it; nothing else does. */
#ifndef LEAFPRESS_FINISH_MODULE_H
#define LEAFPRESS_FINISH_MODULE_H

#include "pdf_finish.h"
#include "pdf_print.h"

#define FINISH_MODULE_ABI 1
#define FINISH_MODULE_FILE "leafpress-finish.so"
#define FINISH_MODULE_SYMBOL "leafpress_finish_module"

typedef struct finish_module {
    unsigned abi;          /* FINISH_MODULE_ABI */
    const char *version;   /* LEAFPRESS_VERSION */
    /* what pdf_finish and pdf_finish_print promise (pdf_finish.h, pdf_print.h) */
    bool (*finish)(const unsigned char *pdf, size_t length, const pdf_finish_info *info,
                   const char *out_path, unsigned char **result, size_t *result_length,
                   diag_list *diags);
    bool (*finish_print)(const rendered *r, const pdf_print_info *info, const char *out_path,
                         unsigned char **result, size_t *result_length, diag_list *diags);
} finish_module;

/* In the module (finish_module.c), or linked in with LEAFPRESS_STATIC_MODULES. */
extern const finish_module leafpress_finish_module;

/* What pdf_finish_print promises, behind the table (pdf_print.c; the
 * screen one, pdf_finish_qpdf, is in pdf_finish_internal.h). */
bool pdf_finish_print_qpdf(const rendered *r, const pdf_print_info *info, const char *out_path,
                           unsigned char **result, size_t *result_length, diag_list *diags);

/* The module, loaded once (thread-safe); NULL when it cannot be, with the
 * reason in *error (static text) when error is not NULL. */
const finish_module *finish_module_get(const char **error);

#endif
