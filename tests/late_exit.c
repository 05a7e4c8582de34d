/* LD_PRELOAD module for tests/worker_exit.sh: in a batch worker (a process
 * whose parent is leafpress), its destructor prints a line and exits 3,
 * after the worker's last leaflet, as a sanitizer's leak report would.
 * Anywhere else it does nothing. Built by CMake as BUILDDIR/late_exit.so;
 * not part of leafpress. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

__attribute__((destructor)) static void late_exit(void)
{
    char path[64], comm[64] = "";
    snprintf(path, sizeof path, "/proc/%d/comm", (int)getppid());
    FILE *f = fopen(path, "r");
    if (f) {
        if (!fgets(comm, sizeof comm, f))
            comm[0] = '\0';
        fclose(f);
    }
    if (strncmp(comm, "leafpress", 9) != 0)
        return; /* the main process, or anything else */
    fputs("late_exit: printed after the last leaflet\n", stderr);
    fflush(stderr);
    _exit(3);
}
