// Counts heap allocations made by the calling thread between start and stop, by interposing
// malloc and friends in the test executable (glibc's __libc_* entry points do the real work).
// The Runtime tests use it to show that `invoke` allocates nothing on the host.
#ifndef ALLOCATION_COUNTER_H
#define ALLOCATION_COUNTER_H

/// 1 where the interposition is built (Linux with glibc), 0 elsewhere.
int allocation_counter_available(void);
void allocation_counter_start(void);
/// The number of malloc, calloc, realloc, posix_memalign, aligned_alloc and memalign calls
/// since start, on this thread.
long allocation_counter_stop(void);

#endif
