/* A PCIe link: data rate from generation and width, serialization time of a TLP. */
#include "pcie.h"

double pcie_link_gbps(unsigned gen, unsigned width)
{
	/* GT/s per lane and coding efficiency: 8b/10b for gen 1-2, 128b/130b from gen 3. */
	static const double gts[] = { 0, 2.5, 5.0, 8.0, 16.0, 32.0 };
	double per_lane;

	if (gen < 1 || gen > 5)
		return 0;
	per_lane = gen <= 2 ? gts[gen] * 8.0 / 10.0 : gts[gen] * 128.0 / 130.0;
	return per_lane * width;
}

double pcie_config_gbps(const struct sim_config *cfg)
{
	if (cfg->device.link_gbps > 0)
		return cfg->device.link_gbps;
	return pcie_link_gbps(cfg->device.pcie_gen, cfg->device.pcie_width);
}
