// The C allocator's own figures and knobs (glibc), in one thin layer: the soak reads how much of
// the heap is in use against how much the allocator holds, to tell a leak from fragmentation.
#ifndef LOOKOUT_HEAP_H
#define LOOKOUT_HEAP_H

/// Bytes handed out by malloc and not yet freed, over all arenas (mallinfo2: uordblks + hblkhd).
/// -1 where the C library does not say.
long long lookout_heap_in_use(void);

/// Bytes the allocator holds from the system, over all arenas (mallinfo2: arena + hblkhd).
/// -1 where the C library does not say.
long long lookout_heap_held(void);

/// Gives the free pages of every arena back to the system (malloc_trim(0)). Returns 1 if any
/// memory was released, 0 if none, -1 where the C library has no such call.
int lookout_heap_trim(void);

/// At most `count` malloc arenas (mallopt(M_ARENA_MAX)). Returns 1 on success, 0 on failure or
/// where the C library has no such knob.
int lookout_heap_limit_arenas(int count);

/// Fixed thresholds instead of glibc's moving ones (mallopt(M_MMAP_THRESHOLD), M_TRIM_THRESHOLD):
/// a block of at least `mmap_bytes` is mapped on its own and unmapped when freed, and free memory
/// over `trim_bytes` at the heap's top is given back at once. Returns 1 on success, 0 otherwise.
int lookout_heap_fix_thresholds(int mmap_bytes, int trim_bytes);

#endif
