// C boundary: glibc's mallopt (<malloc.h> is not in Swift's Glibc module). Used by the live
// pipeline's executables; see Pipeline/ProcessMemory.swift for why.
#pragma once

/// Bounds glibc malloc to `arena_max` arenas and fixes its mmap threshold at `mmap_threshold`
/// bytes (which also turns off glibc's dynamic threshold). Returns 1 when both took effect,
/// 0 otherwise (e.g. another C library, where it does nothing).
int sl_malloc_tune(int arena_max, int mmap_threshold);
