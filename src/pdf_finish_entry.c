/* The entry points of pdf_finish.h and pdf_print.h in leafcore: they load
 * the finishing module (finish_module.h) on first use and call through it,
 * so a run that writes no PDF never loads libqpdf. */
#include "pdf_finish.h"

#include <pthread.h>
#include <stdbool.h>

#include "finish_module.h"
#include "modules.h"
#include "pdf_print.h"

/* ---- the module ------------------------------------------------------- */

static const finish_module *module;
static char module_error[1024];
static pthread_once_t module_once = PTHREAD_ONCE_INIT;

static void load_module(void)
{
#ifdef LEAFPRESS_STATIC_MODULES
    module = &leafpress_finish_module;
#else
    module = module_load(FINISH_MODULE_FILE, FINISH_MODULE_SYMBOL, FINISH_MODULE_ABI,
                         module_error, sizeof module_error);
#endif
}

const finish_module *finish_module_get(const char **error)
{
    pthread_once(&module_once, load_module);
    if (!module && error)
        *error = module_error;
    return module;
}

static const finish_module *need_module(const char *out_path, diag_list *diags)
{
    const char *error = "";
    const finish_module *m = finish_module_get(&error);
    if (!m)
        diag_report(diags, SEVERITY_ERROR, out_path, 0, 0, "cannot finish the PDF: %s", error);
    return m;
}

bool pdf_finish(const unsigned char *pdf, size_t length, const pdf_finish_info *info,
                const char *out_path, unsigned char **result, size_t *result_length,
                diag_list *diags)
{
    *result = NULL;
    *result_length = 0;
    const finish_module *m = need_module(out_path, diags);
    return m && m->finish(pdf, length, info, out_path, result, result_length, diags);
}

bool pdf_finish_print(const rendered *r, const pdf_print_info *info, const char *out_path,
                      unsigned char **result, size_t *result_length, diag_list *diags)
{
    *result = NULL;
    *result_length = 0;
    const finish_module *m = need_module(out_path, diags);
    return m && m->finish_print(r, info, out_path, result, result_length, diags);
}
