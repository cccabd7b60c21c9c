#include "malloc_tuning.h"

#include <stdlib.h>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>

int sl_malloc_tune(int arena_max, int mmap_threshold) {
    int ok = mallopt(M_ARENA_MAX, arena_max);
    ok &= mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    return ok ? 1 : 0;
}
#else
int sl_malloc_tune(int arena_max, int mmap_threshold) {
    (void)arena_max;
    (void)mmap_threshold;
    return 0;
}
#endif
