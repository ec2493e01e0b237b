/* Page-table formats: the registry, and what every format derives from its levels. */
#include "format.h"

#include <stdio.h>
#include <string.h>

extern const struct io_pgtable_fmt_ops io_pgtable_x86_ops, io_pgtable_arm_4k_ops,
	io_pgtable_arm_16k_ops, io_pgtable_arm_64k_ops, io_pgtable_arm_v7s_ops,
	io_pgtable_riscv_ops, io_pgtable_sun50i_ops;

/* One line per format (Linux's io_pgtable_init_table[]). */
const struct io_pgtable_fmt_ops *const io_pgtable_fmt_registry[] = {
	&io_pgtable_x86_ops,
	&io_pgtable_arm_4k_ops,
	&io_pgtable_arm_16k_ops,
	&io_pgtable_arm_64k_ops,
	&io_pgtable_arm_v7s_ops,
	&io_pgtable_riscv_ops,
	&io_pgtable_sun50i_ops,
	NULL,
};

const struct io_pgtable_fmt_ops *io_pgtable_fmt_find(const char *name)
{
	for (unsigned i = 0; name && io_pgtable_fmt_registry[i]; i++)
		if (strcmp(io_pgtable_fmt_registry[i]->name, name) == 0)
			return io_pgtable_fmt_registry[i];
	return NULL;
}

const char *io_pgtable_fmt_names(void)
{
	static char names[160];

	if (!names[0])
		for (unsigned i = 0; io_pgtable_fmt_registry[i]; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", io_pgtable_fmt_registry[i]->name);
	return names;
}

const char *io_pgtable_fmt_ia_names(const struct io_pgtable_fmt_ops *ops, char *buf, size_t n)
{
	unsigned i, k = 0;

	buf[0] = '\0';
	while (ops->ia_bits[k])
		k++;
	for (i = 0; i < k; i++)
		snprintf(buf + strlen(buf), n - strlen(buf), "%s%u",
			 i == 0 ? "" : i + 1 == k ? " or " : ", ", ops->ia_bits[i]);
	return buf;
}

void io_pgtable_fmt_radix(struct io_pgtable_fmt *f, unsigned ia_bits, unsigned granule_shift,
			  unsigned bits, unsigned entry_bytes, const uint32_t *leaves,
			  unsigned nleaves)
{
	unsigned shift = granule_shift, l;

	for (l = 1; shift < ia_bits; l++) {
		f->level[l].shift = shift;
		f->level[l].bits = ia_bits - shift < bits ? ia_bits - shift : bits;
		f->level[l].entry_bytes = entry_bytes;
		f->level[l].leaves = l <= nleaves ? leaves[l - 1] : 0;
		shift += f->level[l].bits;
	}
	f->levels = l - 1;
}

int io_pgtable_fmt_init(struct io_pgtable_fmt *f, const struct io_pgtable_fmt_ops *ops,
			unsigned ia_bits, struct ism_err *err)
{
	unsigned i, l;

	if (!ia_bits)
		ia_bits = ops->ia_bits[0];
	for (i = 0; ops->ia_bits[i] && ops->ia_bits[i] != ia_bits; i++)
		;
	if (!ops->ia_bits[i]) {
		char sizes[64];

		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "the %s page-table format takes %s input bits, not %u", ops->name,
				   io_pgtable_fmt_ia_names(ops, sizes, sizeof(sizes)), ia_bits);
	}
	memset(f, 0, sizeof(*f));
	f->ops = ops;
	f->ia_bits = ia_bits;
	ops->init(f, ia_bits);
	for (l = 1; l <= f->levels; l++) {
		uint32_t m = f->level[l].leaves;

		f->page_sizes |= m;
		while (m) {
			unsigned p = (unsigned)__builtin_ctz(m);

			f->level_of[p] = (unsigned char)l;
			m &= m - 1;
		}
	}
	f->granule = pgsize_smallest(f->page_sizes);
	return 0;
}
