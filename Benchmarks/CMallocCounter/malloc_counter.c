// See include/malloc_counter.h. glibc exports its allocator as __libc_malloc & co., and a
// malloc defined in the executable takes precedence over libc's for every library, so these
// wrappers see all allocations (Swift runtime, Foundation, libjpeg-turbo, OpenCV) and count them
// per thread.
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include "malloc_counter.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static __thread uint64_t allocations;

uint64_t sl_thread_allocations(void) { return allocations; }

void *malloc(size_t n) {
    allocations++;
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t size) {
    allocations++;
    return __libc_calloc(n, size);
}
void *realloc(void *p, size_t n) {
    allocations++;
    return __libc_realloc(p, n);
}
void *memalign(size_t alignment, size_t n) {
    allocations++;
    return __libc_memalign(alignment, n);
}
void *aligned_alloc(size_t alignment, size_t n) {
    allocations++;
    return __libc_memalign(alignment, n);
}
int posix_memalign(void **out, size_t alignment, size_t n) {
    allocations++;
    void *p = __libc_memalign(alignment, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sl_get_malloc_stats(sl_malloc_stats *out) {
    struct mallinfo2 m = mallinfo2();
    out->arena_bytes = m.arena;
    out->mmapped_bytes = m.hblkhd;
    out->in_use_bytes = m.uordblks;
    out->free_bytes = m.fordblks;
    out->trimmable_bytes = m.keepcost;
    out->arenas = 0;
    char *xml = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&xml, &size);
    if (!f) return;
    malloc_info(0, f);
    fclose(f);
    for (const char *p = xml; p && (p = strstr(p, "<heap nr=")) != NULL; p++) out->arenas++;
    free(xml);
}
