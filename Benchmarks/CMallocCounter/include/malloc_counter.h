// Counts heap allocations made by the calling thread (malloc, calloc, realloc, posix_memalign,
// aligned_alloc, memalign), for the benchmark's "allocations per frame" figure. Linked into
// sightline-bench only: its malloc family interposes glibc's and forwards to __libc_*.
#pragma once
#include <stdint.h>

/// Allocations made by the calling thread since it started.
uint64_t sl_thread_allocations(void);

/// glibc's malloc statistics for the whole process (mallinfo2, summed over all arenas).
typedef struct {
    /// Bytes obtained from the system for the arenas (main heap via brk, thread heaps via mmap).
    uint64_t arena_bytes;
    /// Bytes in chunks too large for an arena, each its own mmap.
    uint64_t mmapped_bytes;
    /// Bytes handed out and not yet freed, and bytes free inside the arenas.
    uint64_t in_use_bytes;
    uint64_t free_bytes;
    /// Bytes at the top of the main arena that malloc_trim could give back.
    uint64_t trimmable_bytes;
    /// Arenas in use (the main one and one per thread that met contention, up to M_ARENA_MAX).
    int arenas;
} sl_malloc_stats;

/// Fills `out` (arenas counted from malloc_info's XML).
void sl_get_malloc_stats(sl_malloc_stats *out);
