/* Pango 1.50's fontconfig font map starts two threads for every font
 * pattern it makes ("[pango] FcFontSetMatch" and "[pango] FcFontSetSort"),
 * and the layout that asked waits for the match at once. A leaflet makes
 * about 26 patterns (sizes x weights x fallback lists), so 52 threads are
 * created and torn down in a 60 ms build, about 5 ms of it, most in the
 * kernel (clone, exit, TLB shootdowns). leafpress's font folder holds a
 * handful of fonts, where either call takes microseconds, so the leafpress
 * executable runs those two on the calling thread instead; every other
 * thread glib is asked for starts as before. Pango 1.51.2 replaced the
 * threads with one per font map (upstream 89442dae), and never asks for
 * these names, so there this changes nothing.
 *
 * This works by interposition: the executable exports g_thread_new
 * (CMakeLists.txt), so the dynamic linker binds libpangoft2's calls here
 * first. Only the leafpress executable links this file. */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <glib.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

typedef GThread *(*thread_new_fn)(const gchar *name, GThreadFunc func, gpointer data);

static thread_new_fn next_thread_new;
static pthread_once_t next_once = PTHREAD_ONCE_INIT;

static void find_next(void)
{
    next_thread_new = (thread_new_fn)dlsym(RTLD_NEXT, "g_thread_new");
}

static bool is_pango_fontconfig_call(const gchar *name)
{
    return name && (strcmp(name, "[pango] FcFontSetMatch") == 0 ||
                    strcmp(name, "[pango] FcFontSetSort") == 0);
}

GThread *g_thread_new(const gchar *name, GThreadFunc func, gpointer data);

GThread *g_thread_new(const gchar *name, GThreadFunc func, gpointer data)
{
    if (is_pango_fontconfig_call(name)) {
        /* Pango only unrefs what it gets back; it holds no lock here, and
         * the task signals the waiter under a mutex of its own */
        func(data);
        return g_thread_ref(g_thread_self());
    }
    pthread_once(&next_once, find_next);
    if (!next_thread_new)
        g_error("leafpress: cannot find glib's g_thread_new");
    return next_thread_new(name, func, data);
}
