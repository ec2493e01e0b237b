/* A binary min-heap over an array of any element type, ordered by a caller's less(). */
#ifndef ISM_HEAP_H
#define ISM_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef bool (*heap_less_fn)(const void *a, const void *b);

/* Elements are moved through a stack buffer of this size: users assert their size fits. */
#define HEAP_ELEM_MAX 128

/* The element at base[n] (already stored there) joins the heap base[0, n). */
static inline void heap_sift_up(void *base, size_t n, size_t size, heap_less_fn less)
{
	char *h = base, tmp[HEAP_ELEM_MAX];
	size_t i = n;

	memcpy(tmp, h + i * size, size);
	while (i) {
		size_t p = (i - 1) / 2;

		if (!less(tmp, h + p * size))
			break;
		memcpy(h + i * size, h + p * size, size);
		i = p;
	}
	memcpy(h + i * size, tmp, size);
}

/* Remove base[0] from the heap base[0, n); the heap is then base[0, n - 1). */
static inline void heap_pop(void *base, size_t n, size_t size, heap_less_fn less)
{
	char *h = base, tmp[HEAP_ELEM_MAX];
	size_t i = 0, c;

	if (--n == 0)
		return;
	memcpy(tmp, h + n * size, size);
	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && less(h + (c + 1) * size, h + c * size))
			c++;
		if (!less(h + c * size, tmp))
			break;
		memcpy(h + i * size, h + c * size, size);
		i = c;
	}
	memcpy(h + i * size, tmp, size);
}

#endif
