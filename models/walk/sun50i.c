/* The Allwinner sun50i IOMMU format (H6 and later; Linux's sun50i-iommu.c), 4 KiB pages only. */
#include "format.h"

static const unsigned sun50i_ia_bits[] = { 32, 0 };

/*
 * A 32-bit IOVA: a directory of 4096 four-byte DTEs (16 KiB), each pointing to a page table of
 * 256 four-byte PTEs (1 KiB) of 4 KiB pages. There are no large pages.
 */
static void sun50i_init(struct io_pgtable_fmt *f, unsigned ia_bits)
{
	f->levels = 2;
	f->level[1] = (struct io_pgtable_level){ .shift = 12, .bits = 8, .entry_bytes = 4,
						 .leaves = PGSIZE_MASK(PGSIZE_4K) };
	f->level[2] = (struct io_pgtable_level){ .shift = 20, .bits = 12, .entry_bytes = 4 };
}

const struct io_pgtable_fmt_ops io_pgtable_sun50i_ops = {
	.name = "sun50i",
	.help = "Allwinner H6 and later: 32 bits, a directory of 4096 x 4 B DTEs, page tables of "
		"256 x 4 B PTEs; 4K pages only",
	.ia_bits = sun50i_ia_bits,
	.init = sun50i_init,
};
