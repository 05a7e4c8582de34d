/* The one symbol leafpress-finish.so exports (see finish_module.h). */
#include "finish_module.h"
#include "pdf_finish_internal.h"

#ifndef LEAFPRESS_VERSION
#define LEAFPRESS_VERSION "unknown"
#endif

__attribute__((visibility("default"))) const finish_module leafpress_finish_module = {
    .abi = FINISH_MODULE_ABI,
    .version = LEAFPRESS_VERSION,
    .finish = pdf_finish_qpdf,
    .finish_print = pdf_finish_print_qpdf,
};
