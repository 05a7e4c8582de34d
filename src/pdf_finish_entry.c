/* The entry points of pdf_finish.h and pdf_print.h in leafcore: they load
 * the finishing module (finish_module.h) on first use and call through it,
 * so a run that writes no PDF never loads libqpdf; and the atomic write,
 * which needs no qpdf. */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L /* fsync, O_CLOEXEC, O_DIRECTORY */
#endif
#include "pdf_finish.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "finish_module.h"
#include "modules.h"
#include "pdf_print.h"
#include "textutil.h"

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

bool pdf_finish_write(const unsigned char *pdf, size_t length, const pdf_finish_info *info,
                      const char *out_path, diag_list *diags)
{
    unsigned char *out = NULL;
    size_t out_length = 0;
    bool ok = pdf_finish(pdf, length, info, out_path, &out, &out_length, diags) &&
              write_file_atomically(out, out_length, out_path, diags);
    free(out);
    return ok;
}

/* ---- atomic write ----------------------------------------------------- */

static atomic_uint temp_counter;

static bool write_all(int fd, const unsigned char *data, size_t length)
{
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data += n;
        length -= (size_t)n;
    }
    return true;
}

/* Writes `data` to a temporary file beside `out_path` (".NAME.tmp-PID-N",
 * hidden and obviously temporary if a crash leaves it), syncs it, then
 * renames it over `out_path`. The temporary file is created with mode 0666
 * so the umask applies as for any new file. */
bool write_file_atomically(const unsigned char *data, size_t length, const char *out_path,
                             diag_list *diags)
{
    const char *slash = strrchr(out_path, '/');
    const char *base = slash ? slash + 1 : out_path;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        diag_report(diags, SEVERITY_ERROR, out_path, 0, 0, "not a file name");
        return false;
    }
    size_t dir_length = slash ? (size_t)(slash - out_path) + 1 : 0;
    char *dir = !slash ? xstrdup(".") : slash == out_path ? xstrdup("/")
                                      : xstrndup(out_path, dir_length - 1);

    char *temp = NULL;
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        strbuf b = {0};
        strbuf_append(&b, out_path, dir_length);
        strbuf_printf(&b, ".%s.tmp-%ld-%u", base, (long)getpid(),
                      atomic_fetch_add(&temp_counter, 1));
        free(temp);
        temp = strbuf_take(&b);
        fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        diag_report(diags, SEVERITY_ERROR, out_path, 0, 0,
                    "cannot create a temporary file in '%s': %s", dir, strerror(errno));
        free(temp);
        free(dir);
        return false;
    }

    const char *failed = NULL;
    int saved = 0;
    if (!write_all(fd, data, length))
        failed = "cannot write";
    else if (fsync(fd) != 0)
        failed = "cannot sync";
    if (failed)
        saved = errno;
    if (close(fd) != 0 && !failed) {
        failed = "cannot write";
        saved = errno;
    }
    if (!failed && rename(temp, out_path) != 0) {
        failed = "cannot replace";
        saved = errno;
    }
    if (failed) {
        unlink(temp);
        diag_report(diags, SEVERITY_ERROR, out_path, 0, 0, "%s the PDF: %s", failed,
                    strerror(saved));
        free(temp);
        free(dir);
        return false;
    }
    /* Make the rename itself durable; a failure here loses nothing. */
    int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        (void)fsync(dir_fd);
        close(dir_fd);
    }
    free(temp);
    free(dir);
    return true;
}
