/* attache: binary search of arrays sorted on a size_t field. */
#include <string.h>

#include "sorted.h"

size_t att_lower_bound(const void *base, size_t n, size_t size, size_t off, size_t key)
{
    const char *b = base;
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, v;

        memcpy(&v, b + mid * size + off, sizeof v);
        if (v < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
