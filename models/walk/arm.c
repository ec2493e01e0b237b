/* The Arm LPAE formats (SMMUv3, SMMUv2 stage 1/2): 4K, 16K and 64K granules, 8-byte descriptors. */
#include "format.h"

/*
 * A granule of 2^g bytes holds 2^(g-3) descriptors, so each level resolves g - 3 bits; the top
 * level takes what is left (Linux's io-pgtable-arm.c, arm_lpae_alloc_pgtable()). Blocks are
 * allowed at the levels the Arm ARM allows them for each granule without FEAT_LPA2.
 */
static const unsigned arm_4k_ia_bits[] = { 48, 39, 0 };
static const unsigned arm_16k_ia_bits[] = { 48, 47, 0 };
static const unsigned arm_64k_ia_bits[] = { 48, 42, 52, 0 };

static void arm_4k_init(struct io_pgtable_fmt *f, unsigned ia_bits)
{
	/* level 3 pages, level 2 2M blocks, level 1 1G blocks (the top one at 39 bits) */
	static const uint32_t leaves[] = { PGSIZE_MASK(PGSIZE_4K), PGSIZE_MASK(PGSIZE_2M),
					   PGSIZE_MASK(PGSIZE_1G) };

	io_pgtable_fmt_radix(f, ia_bits, 12, 9, 8, leaves, 3);
}

static void arm_16k_init(struct io_pgtable_fmt *f, unsigned ia_bits)
{
	/* 16K pages and 32M blocks; at 48 bits a level-0 table of 2 descriptors */
	static const uint32_t leaves[] = { PGSIZE_MASK(PGSIZE_16K), PGSIZE_MASK(PGSIZE_32M) };

	io_pgtable_fmt_radix(f, ia_bits, 14, 11, 8, leaves, 2);
}

static void arm_64k_init(struct io_pgtable_fmt *f, unsigned ia_bits)
{
	/* 64K pages and 512M blocks; 42 bits in 2 levels, 48 and 52 in 3 */
	static const uint32_t leaves[] = { PGSIZE_MASK(PGSIZE_64K), PGSIZE_MASK(PGSIZE_512M) };

	io_pgtable_fmt_radix(f, ia_bits, 16, 13, 8, leaves, 2);
}

const struct io_pgtable_fmt_ops io_pgtable_arm_4k_ops = {
	.name = "arm-4k",
	.help = "Arm LPAE, 4 KiB granule (SMMUv3, MMU-600/700): 48 bits in 4 levels or 39 in 3; "
		"4K pages, 2M and 1G blocks",
	.ia_bits = arm_4k_ia_bits,
	.init = arm_4k_init,
};

const struct io_pgtable_fmt_ops io_pgtable_arm_16k_ops = {
	.name = "arm-16k",
	.help = "Arm LPAE, 16 KiB granule: 48 bits in 4 levels (a level-0 table of 2 entries) or "
		"47 in 3; 16K pages, 32M blocks",
	.ia_bits = arm_16k_ia_bits,
	.init = arm_16k_init,
};

const struct io_pgtable_fmt_ops io_pgtable_arm_64k_ops = {
	.name = "arm-64k",
	.help = "Arm LPAE, 64 KiB granule: 48 or 52 bits in 3 levels, 42 in 2; 64K pages, 512M "
		"blocks",
	.ia_bits = arm_64k_ia_bits,
	.init = arm_64k_init,
};
