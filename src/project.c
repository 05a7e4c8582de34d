#define _DEFAULT_SOURCE
#include "project.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "textutil.h"

static bool is_folder(const char *dir, const char *name)
{
    strbuf b = {0};
    strbuf_printf(&b, "%s/%s", dir, name);
    struct stat st;
    bool ok = stat(b.data, &st) == 0 && S_ISDIR(st.st_mode);
    free(b.data);
    return ok;
}

char *project_find(char **below)
{
    *below = NULL;
    char *cwd = getcwd(NULL, 0);
    if (!cwd)
        return NULL;
    size_t length = strlen(cwd);
    for (;;) {
        char *dir = xstrndup(cwd, length ? length : 1);
        if (is_folder(dir, "sources") && is_folder(dir, "styles")) {
            strbuf rest = {0};
            size_t from = length + (length > 1); /* past the slash after the root */
            if (from < strlen(cwd))
                strbuf_printf(&rest, "%s/", cwd + from);
            else
                strbuf_puts(&rest, "");
            *below = strbuf_take(&rest);
            free(cwd);
            return dir;
        }
        free(dir);
        if (length <= 1)
            break;
        while (length > 1 && cwd[length - 1] != '/')
            length--;
        if (length > 1)
            length--; /* the slash */
    }
    free(cwd);
    return NULL;
}

char *project_rebase(const char *below, const char *path)
{
    if (path[0] == '/' || !below || !*below)
        return xstrdup(path);
    strbuf b = {0};
    strbuf_printf(&b, "%s%s", below, path);
    return strbuf_take(&b);
}
