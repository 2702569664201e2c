/* attache: searching arrays sorted on a size_t field (positions in a text).
 * Pure: safe from any thread. */
#ifndef ATT_SORTED_H
#define ATT_SORTED_H

#include <stddef.h>

/* The index of the first of the n elements of `size` bytes at base whose
 * size_t field at byte offset `off` (offsetof) is not below key; n when
 * none is. The elements must be in order on that field; base may be NULL
 * when n is 0. */
size_t att_lower_bound(const void *base, size_t n, size_t size, size_t off, size_t key);

#endif
