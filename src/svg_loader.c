/* svg_module_get (svg_module.h), in leafcore: loads leafpress-svg.so the
 * first time an SVG or JPEG is read. */
#include <pthread.h>
#include <stddef.h>

#include "modules.h"
#include "svg_module.h"

static const svg_module *module;
static char module_error[1024];
static pthread_once_t module_once = PTHREAD_ONCE_INIT;

static void load_module(void)
{
#ifdef LEAFPRESS_STATIC_MODULES
    module = &leafpress_svg_module;
#else
    module = module_load(SVG_MODULE_FILE, SVG_MODULE_SYMBOL, SVG_MODULE_ABI, module_error,
                         sizeof module_error);
#endif
}

const svg_module *svg_module_get(const char **error)
{
    pthread_once(&module_once, load_module);
    if (!module && error)
        *error = module_error;
    return module;
}
