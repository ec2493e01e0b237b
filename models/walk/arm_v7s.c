/* The Armv7 short-descriptor format (io-pgtable-arm-v7s: MediaTek M4U, older Qualcomm SMMUs). */
#include "format.h"

static const unsigned v7s_ia_bits[] = { 32, 0 };

/*
 * A 32-bit IOVA: a first-level table of 4096 four-byte entries, each a 1M section, 16 of them
 * together a 16M supersection, or a pointer to a second-level table of 256 four-byte entries,
 * each a 4K small page, 16 together a 64K large page.
 */
static void v7s_init(struct io_pgtable_fmt *f, unsigned ia_bits)
{
	f->levels = 2;
	f->level[1] = (struct io_pgtable_level){
		.shift = 12, .bits = 8, .entry_bytes = 4,
		.leaves = PGSIZE_MASK(PGSIZE_4K) | PGSIZE_MASK(PGSIZE_64K) };
	f->level[2] = (struct io_pgtable_level){
		.shift = 20, .bits = 12, .entry_bytes = 4,
		.leaves = PGSIZE_MASK(PGSIZE_1M) | PGSIZE_MASK(PGSIZE_16M) };
}

const struct io_pgtable_fmt_ops io_pgtable_arm_v7s_ops = {
	.name = "arm-v7s",
	.help = "Armv7 short descriptor: 32 bits in 2 levels (4096 x 4 B, then 256 x 4 B); 4K "
		"small and 64K large pages, 1M sections and 16M supersections",
	.ia_bits = v7s_ia_bits,
	.init = v7s_init,
};
