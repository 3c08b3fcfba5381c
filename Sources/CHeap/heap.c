#include "lookout_heap.h"
#include <stdlib.h> /* defines __GLIBC__ where glibc is the C library */

#if defined(__GLIBC__)
#include <malloc.h>

long long lookout_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return (long long)(info.uordblks + info.hblkhd);
}

long long lookout_heap_held(void) {
    struct mallinfo2 info = mallinfo2();
    return (long long)(info.arena + info.hblkhd);
}

int lookout_heap_trim(void) { return malloc_trim(0); }

int lookout_heap_limit_arenas(int count) { return count > 0 ? mallopt(M_ARENA_MAX, count) : 0; }

int lookout_heap_fix_thresholds(int mmap_bytes, int trim_bytes) {
    return mallopt(M_MMAP_THRESHOLD, mmap_bytes) && mallopt(M_TRIM_THRESHOLD, trim_bytes);
}

#else
long long lookout_heap_in_use(void) { return -1; }
long long lookout_heap_held(void) { return -1; }
int lookout_heap_trim(void) { return -1; }
int lookout_heap_limit_arenas(int count) { (void)count; return 0; }
int lookout_heap_fix_thresholds(int mmap_bytes, int trim_bytes) { (void)mmap_bytes; (void)trim_bytes; return 0; }
#endif
