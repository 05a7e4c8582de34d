/* See modules.h. */
#define _GNU_SOURCE /* dlopen's RTLD_* under -std=c17 */
#include "modules.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef LEAFPRESS_VERSION
#define LEAFPRESS_VERSION "unknown"
#endif

static char dir[PATH_MAX];
static pthread_once_t dir_once = PTHREAD_ONCE_INIT;

static void find_dir(void)
{
    const char *env = getenv("LEAFPRESS_LIB_DIR");
    if (env && *env) {
        snprintf(dir, sizeof dir, "%s", env);
        return;
    }
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n <= 0) {
        dir[0] = '\0';
        return;
    }
    dir[n] = '\0';
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        dir[0] = '\0';
}

const char *module_dir(void)
{
    pthread_once(&dir_once, find_dir);
    return dir;
}

typedef struct module_header {
    unsigned abi;
    const char *version;
} module_header;

const void *module_load(const char *file, const char *symbol, unsigned abi, char *error,
                        size_t error_size)
{
    const char *folder = module_dir();
    if (!*folder) {
        snprintf(error, error_size,
                 "cannot find %s: the folder of the leafpress executable is unknown "
                 "(set LEAFPRESS_LIB_DIR to the folder that holds it)", file);
        return NULL;
    }
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", folder, file);
    /* RTLD_LOCAL: the module's copies of leafpress's helpers stay its own */
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        snprintf(error, error_size,
                 "cannot load %s, which this run needs (%s); it is built with leafpress, beside "
                 "the executable, or set LEAFPRESS_LIB_DIR to the folder that holds it", path,
                 why ? why : "unknown error");
        return NULL;
    }
    const module_header *table = dlsym(handle, symbol);
    if (!table || table->abi != abi || !table->version ||
        strcmp(table->version, LEAFPRESS_VERSION) != 0) {
        snprintf(error, error_size, "%s is not from this build of leafpress %s (rebuild it)",
                 path, LEAFPRESS_VERSION);
        dlclose(handle);
        return NULL;
    }
    return table;
}
