#include "depfile.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool writable(const char *path) { return !strchr(path, '\n') && !strchr(path, '\r'); }

static void put_path(strbuf *b, const char *path)
{
    for (const char *p = path; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '#' || *p == '\\')
            strbuf_printf(b, "\\%c", *p);
        else if (*p == '$')
            strbuf_puts(b, "$$");
        else
            strbuf_append(b, p, 1);
    }
}

static void add_prerequisite(depfile *df, const char *path)
{
    if (!writable(path))
        return;
    for (size_t i = 0; i < df->count; i++)
        if (strcmp(df->prerequisites[i], path) == 0)
            goto listed;
    df->prerequisites = xrealloc(df->prerequisites, (df->count + 1) * sizeof *df->prerequisites);
    df->prerequisites[df->count++] = xstrdup(path);
listed:
    strbuf_puts(&df->rules, " \\\n  ");
    put_path(&df->rules, path);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder and its regular files, sorted: make sees a font added (the
 * folder's mtime) and a font changed (the file's). */
static void add_folder(depfile *df, const char *dir)
{
    add_prerequisite(df, dir);
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        strbuf path = {0};
        strbuf_printf(&path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path.data, &st) == 0 && S_ISREG(st.st_mode)) {
            names = xrealloc(names, (n + 1) * sizeof *names);
            names[n++] = strbuf_take(&path);
        } else {
            free(path.data);
        }
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, compare_strings);
    for (size_t i = 0; i < n; i++) {
        add_prerequisite(df, names[i]);
        free(names[i]);
    }
    free(names);
}

void depfile_add(depfile *df, char *const *targets, size_t target_count, const dep_list *deps,
                 const char *contacts_path)
{
    size_t written = 0;
    for (size_t i = 0; i < target_count; i++) {
        if (!writable(targets[i]))
            continue;
        if (written++)
            strbuf_puts(&df->rules, " ");
        put_path(&df->rules, targets[i]);
    }
    if (!written)
        return;
    strbuf_puts(&df->rules, ":");
    bool contacts = false;
    for (size_t i = 0; i < deps->count; i++) {
        const dep *d = &deps->items[i];
        if (d->kind == DEP_FILE && strcmp(d->digest.hex, FP_MISSING) != 0)
            add_prerequisite(df, d->name);
        else if (d->kind == DEP_DIR)
            add_folder(df, d->name);
        contacts = contacts || d->kind == DEP_CONTACT;
    }
    if (contacts && contacts_path)
        add_prerequisite(df, contacts_path);
    strbuf_puts(&df->rules, "\n");
}

char *depfile_take(depfile *df)
{
    strbuf out = df->rules;
    if (!out.data)
        strbuf_puts(&out, "");
    for (size_t i = 0; i < df->count; i++) {
        strbuf_puts(&out, "\n");
        put_path(&out, df->prerequisites[i]);
        strbuf_puts(&out, ":\n");
        free(df->prerequisites[i]);
    }
    free(df->prerequisites);
    memset(df, 0, sizeof *df);
    return strbuf_take(&out);
}
