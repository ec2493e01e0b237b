/* strict: every unmap invalidates its range at once and waits (Linux iommu.strict=1). */
#include "inval.h"

static uint64_t strict_unmapped(struct inv_engine *e, const struct inv_range *r, unsigned cpu,
				uint64_t now)
{
	e->st.gathers++;
	return inv_issue_ranges(e, r, 1, now);
}

const struct inv_policy_ops inv_strict_ops = {
	.name = "strict",
	.help = "iotlb_sync on every unmap: commands of os.invalidation.granularity, then a wait; no "
		"stale translations",
	.unmapped = strict_unmapped,
};
