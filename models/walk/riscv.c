/* The RISC-V IOMMU format: Sv39, Sv48 and Sv57 page tables, as the CPU's MMU has them. */
#include "format.h"

static const unsigned riscv_ia_bits[] = { 39, 48, 57, 0 };

/*
 * 512 eight-byte PTEs a level; a PTE at any level may be a leaf: 4K pages, 2M megapages, 1G
 * gigapages, 512G terapages (Sv48 and Sv57). Sv57's 256T petapages are not modelled.
 */
static void riscv_init(struct io_pgtable_fmt *f, unsigned ia_bits)
{
	static const uint32_t leaves[] = { PGSIZE_MASK(PGSIZE_4K), PGSIZE_MASK(PGSIZE_2M),
					   PGSIZE_MASK(PGSIZE_1G), PGSIZE_MASK(PGSIZE_512G) };

	io_pgtable_fmt_radix(f, ia_bits, 12, 9, 8, leaves, 4);
}

const struct io_pgtable_fmt_ops io_pgtable_riscv_ops = {
	.name = "riscv",
	.help = "RISC-V IOMMU: Sv39 (3 levels), Sv48 (4) or Sv57 (5) of 512 entries of 8 B; 4K, "
		"2M, 1G and (Sv48, Sv57) 512G leaves",
	.ia_bits = riscv_ia_bits,
	.init = riscv_init,
};
