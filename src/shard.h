/* Shards: --shard K/N picks a deterministic 1/N of the sources, so N CI
 * jobs (a matrix, a Kubernetes Indexed Job) split a collection with no
 * coordination: every source is in exactly one shard, so the union of the
 * N shards is the whole collection and no output is built twice.
 *
 * The sources are ordered by path (byte order) and cut into N runs of
 * consecutive paths of about equal weight, a source weighing its size
 * plus SHARD_FIXED_COST (a leaflet costs something however short): a
 * source goes to the shard its weight's midpoint falls in. Every job
 * that sees the same files (a checkout) computes the same split, and a
 * source added or removed moves only the cuts next to it. */
#ifndef LEAFPRESS_SHARD_H
#define LEAFPRESS_SHARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHARD_FIXED_COST 4096
#define SHARD_MAX 10000

/* "K/N" with 1 <= K <= N <= SHARD_MAX. */
bool shard_parse(const char *spec, size_t *k, size_t *n);

/* Which shard (0-based) each of the sources is in, given their sizes:
 * shard_of[i] for sources[i]. */
void shard_assign(char *const *sources, const uint64_t *sizes, size_t count, size_t n,
                  size_t *shard_of);

/* Keeps, in order, the sources of shard k (1-based) of n, sized with
 * stat (a missing file weighs only the fixed cost); returns how many. */
size_t shard_select(char **sources, size_t count, size_t k, size_t n);

#endif
