/*
 * Memory for the query's worker threads. A worker fills tens of
 * megabytes of fresh memory (decoded columns, hash tables, aggregate
 * states) that it touches once: in 4 KiB pages, a page fault each, which
 * under virtualisation costs more than the work on the page. glibc gives
 * each thread an arena of its own, a heap reserved as one aligned 64 MiB
 * mapping; asking for transparent huge pages on it (madvise, honoured
 * when /sys/kernel/mm/transparent_hugepage/enabled says madvise or
 * always) makes it fault in 2 MiB at a time. This is what glibc does
 * itself with the tunable glibc.malloc.hugetlb=1, for one thread.
 *
 * Only a hint: anywhere else (another libc, the main arena, huge pages
 * off) it does nothing, and the results never depend on it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#if defined(__linux__) && defined(__GLIBC__)
#include <sys/mman.h>
#endif

#include "sql_impl.h"

/* glibc's HEAP_MAX_SIZE on 64-bit systems: a thread heap's alignment. */
#define THREAD_HEAP ((uintptr_t)64 << 20)

void
mlk_thread_hugepages(void)
{
#if defined(__linux__) && defined(__GLIBC__) && defined(MADV_HUGEPAGE) && \
    UINTPTR_MAX > 0xffffffffu
	extern char end; /* the end of the program's data: brk starts here */
	void *p = malloc(64);
	uintptr_t a = (uintptr_t)p, base = a & ~(THREAD_HEAP - 1);

	/* the main arena (brk) is not such a heap: leave it */
	if (p && !(a >= (uintptr_t)&end && a < (uintptr_t)sbrk(0)))
		(void)madvise((void *)base, THREAD_HEAP, MADV_HUGEPAGE);
	free(p);
#endif
}
