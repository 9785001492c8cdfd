#include "AllocationCounter.h"

// A libc header first: glibc defines __GLIBC__ in <features.h>, which every libc header pulls
// in, so testing it before any include would always take the "unavailable" branch.
#include <errno.h>
#include <stddef.h>

#ifndef __has_feature
#define __has_feature(x) 0
#endif

// Not under AddressSanitizer (scripts/sanitize.sh): replacing malloc hides every allocation from
// ASan's interceptors and the test bundle crashes at start; the counter is then unavailable.
#if defined(__linux__) && defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && \
    !__has_feature(address_sanitizer)

// glibc's allocator under its internal names: calling these (not dlsym) keeps the wrappers free
// of allocation themselves.
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

// Thread-local, so that tests running in parallel on other threads are not counted. The
// executable's own TLS is reached without calling anything (local-exec model).
static __thread int counting;
static __thread long allocations;

static inline void note(void) {
  if (counting) allocations++;
}

void *malloc(size_t size) {
  note();
  return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
  note();
  return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
  note();
  return __libc_realloc(pointer, size);
}

void free(void *pointer) { __libc_free(pointer); }

void *memalign(size_t alignment, size_t size) {
  note();
  return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
  note();
  return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
  note();
  if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
  void *pointer = __libc_memalign(alignment, size);
  if (pointer == NULL) return ENOMEM;
  *result = pointer;
  return 0;
}

int allocation_counter_available(void) { return 1; }

void allocation_counter_start(void) {
  allocations = 0;
  counting = 1;
}

long allocation_counter_stop(void) {
  counting = 0;
  return allocations;
}

#else

int allocation_counter_available(void) { return 0; }
void allocation_counter_start(void) {}
long allocation_counter_stop(void) { return 0; }

#endif
