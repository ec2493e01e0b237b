/* The x86 format: Intel VT-d second-level (and AMD-Vi v2) tables, 512 eight-byte entries a level. */
#include "format.h"

/*
 * VT-d's SAGAW: 3-level tables translate 39 bits (QEMU 7.2's default aw-bits), 4-level 48 (the
 * common one, the default here), 5-level 57.
 */
static const unsigned x86_ia_bits[] = { 48, 39, 57, 0 };

static void x86_init(struct io_pgtable_fmt *f, unsigned ia_bits)
{
	static const uint32_t leaves[] = { PGSIZE_MASK(PGSIZE_4K), PGSIZE_MASK(PGSIZE_2M),
					   PGSIZE_MASK(PGSIZE_1G) };

	io_pgtable_fmt_radix(f, ia_bits, 12, 9, 8, leaves, 3);
}

const struct io_pgtable_fmt_ops io_pgtable_x86_ops = {
	.name = "x86",
	.help = "VT-d second level / AMD-Vi v2: 48 bits in 4 levels, 39 in 3 or 57 in 5, 512 "
		"entries of 8 B per table; 4K pages, 2M and 1G superpages",
	.ia_bits = x86_ia_bits,
	.init = x86_init,
};
