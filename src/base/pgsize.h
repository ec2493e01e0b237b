/* Leaf page sizes (4 KiB, 2 MiB, 1 GiB) and their radix-table levels. */
#ifndef ISM_PGSIZE_H
#define ISM_PGSIZE_H

#include <stdint.h>

enum pgsize { PGSIZE_4K = 0, PGSIZE_2M = 1, PGSIZE_1G = 2, PGSIZE_NR };

#define PGSIZE_MASK(p) (1u << (p))
#define PGSIZE_MASK_ALL (PGSIZE_MASK(PGSIZE_4K) | PGSIZE_MASK(PGSIZE_2M) | PGSIZE_MASK(PGSIZE_1G))

/* 512 entries of 8 bytes per table level: 9 bits of IOVA per level above the 12-bit offset. */
#define PT_LEVEL_BITS 9
#define PT_ENTRIES (1u << PT_LEVEL_BITS)
#define PT_MAX_LEVELS 5

static inline unsigned pgsize_shift(enum pgsize p) { return 12u + PT_LEVEL_BITS * (unsigned)p; }
static inline uint64_t pgsize_bytes(enum pgsize p) { return 1ULL << pgsize_shift(p); }
/* Level of the table that holds a leaf of this size: 4K -> 1 (PTE), 2M -> 2 (PDE), 1G -> 3. */
static inline unsigned pgsize_level(enum pgsize p) { return 1u + (unsigned)p; }
/* Bytes of IOVA one entry at `level` covers: level 1 -> 4K, 2 -> 2M, 3 -> 1G, 4 -> 512G. */
static inline unsigned pt_level_shift(unsigned level) { return 12u + PT_LEVEL_BITS * (level - 1); }

static const char *const pgsize_names[PGSIZE_NR] = { "4K", "2M", "1G" };

#endif
