/* LD_PRELOAD module for tests/threads.sh: counts the threads a process
 * starts (pthread_create calls that succeed) and, at exit, appends the
 * count to the file $THREAD_COUNT_FILE. Built by CMake as
 * BUILDDIR/thread_count.so; not part of leafpress. */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

static atomic_long started;

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
                   void *arg)
{
    static _Atomic(create_fn) next;
    create_fn real = atomic_load(&next);
    if (!real) {
        real = (create_fn)dlsym(RTLD_NEXT, "pthread_create");
        atomic_store(&next, real);
    }
    int status = real(thread, attr, start, arg);
    if (status == 0)
        atomic_fetch_add(&started, 1);
    return status;
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("THREAD_COUNT_FILE");
    FILE *f = path ? fopen(path, "a") : NULL;
    if (!f)
        return;
    fprintf(f, "%ld\n", atomic_load(&started));
    fclose(f);
}
