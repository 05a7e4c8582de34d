/* Project: the folder a leafpress run works in, found the way git finds
 * its repository: the nearest folder, from the current one upwards, that
 * holds both sources/ and styles/. */
#ifndef LEAFPRESS_PROJECT_H
#define LEAFPRESS_PROJECT_H

/* The project root above (or at) the current folder, absolute, and in
 * *below the current folder's path relative to it ("" at the root, else
 * "sub/dir/"). NULL when there is none. Caller frees both. */
char *project_find(char **below);

/* A path the user gave relative to the current folder, made relative to
 * the root (below + path); absolute paths are kept. Caller frees. */
char *project_rebase(const char *below, const char *path);

#endif
