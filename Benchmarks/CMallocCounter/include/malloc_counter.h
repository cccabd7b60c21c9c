// Counts heap allocations made by the calling thread (malloc, calloc, realloc, posix_memalign,
// aligned_alloc, memalign), for the benchmark's "allocations per frame" figure. Linked into
// sightline-bench only: its malloc family interposes glibc's and forwards to __libc_*.
#pragma once
#include <stdint.h>

/// Allocations made by the calling thread since it started.
uint64_t sl_thread_allocations(void);
