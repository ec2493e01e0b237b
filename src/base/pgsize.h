/* Leaf page sizes every page-table format draws from, and the deepest table there is. */
#ifndef ISM_PGSIZE_H
#define ISM_PGSIZE_H

#include <stdint.h>

/*
 * Every page size a supported page-table format can map (models/walk/format.h says which
 * formats map which). Ordered by size, so a mask's lowest bit is its smallest page.
 */
enum pgsize {
	PGSIZE_4K,   /* x86, Arm 4K granule, RISC-V, Armv7 short descriptor, sun50i */
	PGSIZE_16K,  /* Arm 16K granule */
	PGSIZE_64K,  /* Arm 64K granule; Armv7s large page (16 contiguous 4K entries) */
	PGSIZE_1M,   /* Armv7s section */
	PGSIZE_2M,   /* x86, Arm 4K granule, RISC-V */
	PGSIZE_16M,  /* Armv7s supersection (16 contiguous sections) */
	PGSIZE_32M,  /* Arm 16K granule block */
	PGSIZE_512M, /* Arm 64K granule block */
	PGSIZE_1G,   /* x86, Arm 4K granule, RISC-V */
	PGSIZE_512G, /* RISC-V Sv48 and Sv57 */
	PGSIZE_NR
};

#define PGSIZE_MASK(p) (1u << (p))
#define PGSIZE_MASK_ALL ((1u << PGSIZE_NR) - 1)

/* The deepest radix table of any format (x86 5-level, RISC-V Sv57). */
#define PT_MAX_LEVELS 5

static const unsigned char pgsize_shifts[PGSIZE_NR] = { 12, 14, 16, 20, 21, 24, 25, 29, 30, 39 };
static const char *const pgsize_names[PGSIZE_NR] = { "4K",  "16K", "64K",  "1M", "2M",
						    "16M", "32M", "512M", "1G", "512G" };

static inline unsigned pgsize_shift(enum pgsize p) { return pgsize_shifts[p]; }
static inline uint64_t pgsize_bytes(enum pgsize p) { return 1ULL << pgsize_shifts[p]; }

/* The size of `bytes`, or -1 when no format maps pages of that size. */
static inline int pgsize_of_bytes(uint64_t bytes)
{
	for (int p = 0; p < PGSIZE_NR; p++)
		if (pgsize_bytes((enum pgsize)p) == bytes)
			return p;
	return -1;
}

/* The smallest size of a non-empty mask. */
static inline enum pgsize pgsize_smallest(uint32_t mask)
{
	return (enum pgsize)__builtin_ctz(mask);
}

#endif
