/* Batch: many leaflets at once, one worker process per core. Output is
 * captured per leaflet and replayed in input order, so it reads as a
 * sequential run would. */
#ifndef LEAFPRESS_BATCH_H
#define LEAFPRESS_BATCH_H

#include <stddef.h>

#include "build.h"

/* Builds (or checks) every file; returns how many leaflets failed. */
size_t build_batch(const build_options *o, char **files, size_t count,
                   const contact_registry *registry);

#endif
