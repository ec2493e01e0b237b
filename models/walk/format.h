/* Page-table formats: the shape of an I/O page table as data, one registered format per file. */
#ifndef ISM_FORMAT_H
#define ISM_FORMAT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/pgsize.h"
#include "base/util.h"

/*
 * One level of a radix table, numbered from the leaf level (1) up to the root (levels). An
 * entry at level L covers 1 << shift bytes of IOVA; a table holds 1 << bits entries of
 * entry_bytes each. `leaves` are the page sizes an entry at this level may map: the level's own
 * span (a page or block), or a multiple of it written as that many contiguous entries (Armv7s
 * large pages and supersections: 16 entries that each hold the whole leaf).
 */
struct io_pgtable_level {
	unsigned shift;
	unsigned bits;
	unsigned entry_bytes;
	uint32_t leaves; /* PGSIZE_MASK() bits */
};

/*
 * A format at one input size: what io_pgtable, the walk caches and the IOTLB read instead of
 * assuming a shape. Made by io_pgtable_fmt_init(); plain data, copied freely.
 */
struct io_pgtable_fmt {
	const struct io_pgtable_fmt_ops *ops;
	unsigned ia_bits;       /* IOVA bits the table translates; above them a request faults */
	unsigned levels;
	struct io_pgtable_level level[PT_MAX_LEVELS + 1]; /* 1 .. levels */
	uint32_t page_sizes;    /* every leaf size of every level */
	enum pgsize granule;    /* the smallest page: maps are made of whole granules */
	unsigned char level_of[PGSIZE_NR]; /* the level whose entries hold leaves of a size; 0 */
};

/*
 * A registered format (Linux's io_pgtable_init_fns): the input sizes it supports and how a
 * table of each is laid out. One const table per file under models/walk/, one line each in
 * io_pgtable_fmt_registry[].
 */
struct io_pgtable_fmt_ops {
	const char *name;
	const char *help;
	const unsigned *ia_bits; /* the input sizes it takes, 0-terminated; the first: default */
	/* Fill f's levels for ia_bits (one of ia_bits[]); the core derives the rest. */
	void (*init)(struct io_pgtable_fmt *f, unsigned ia_bits);
};

extern const struct io_pgtable_fmt_ops *const io_pgtable_fmt_registry[];
const struct io_pgtable_fmt_ops *io_pgtable_fmt_find(const char *name);
/* "x86, arm-4k, ...": for messages and help. */
const char *io_pgtable_fmt_names(void);
/* "48 or 57": the input sizes ops takes, for messages. */
const char *io_pgtable_fmt_ia_names(const struct io_pgtable_fmt_ops *ops, char *buf, size_t n);

/*
 * The format at ia_bits (0: its default). Errors (an input size the format does not take) are
 * ISM_EXIT_CONFIG and name the sizes it does.
 */
int io_pgtable_fmt_init(struct io_pgtable_fmt *f, const struct io_pgtable_fmt_ops *ops,
			unsigned ia_bits, struct ism_err *err);

/*
 * Helpers for a format's init: levels of `bits` index bits each above a granule of
 * granule_shift bits, as many as ia_bits needs, the top one holding what is left (Arm's
 * 16K granule at 48 bits: a level-0 table of 2 entries). leaves[i] are level i+1's sizes.
 */
void io_pgtable_fmt_radix(struct io_pgtable_fmt *f, unsigned ia_bits, unsigned granule_shift,
			  unsigned bits, unsigned entry_bytes, const uint32_t *leaves,
			  unsigned nleaves);

/* Bytes of one table at `level`. */
static inline uint64_t io_pgtable_fmt_table_bytes(const struct io_pgtable_fmt *f, unsigned level)
{
	return (uint64_t)f->level[level].entry_bytes << f->level[level].bits;
}

#endif
