/* A PCIe link: data rate from generation and width, serialization time of a TLP. */
#include "pcie.h"

const char *const pcie_data_link_names[3] = { "none", "spec", NULL };

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

/*
 * Symbol times between the DLLPs a receiver sends, by generation, width (x1 .. x16) and max
 * payload size (128 .. 4096): the PCIe Base Specification's Ack latency limits (rev 5.0,
 * Tables 3-7 to 3-9) and its UpdateFC transmission guidelines (Tables 2-46 to 2-48), which
 * agree for these widths. Gen 4 and 5 use gen 3's. The same figures drive pcie-bench's
 * model of the TLP bandwidth a link leaves (Neugebauer et al., SIGCOMM 2018).
 */
static const unsigned short dllp_interval[3][5][6] = {
	{ /* gen 1 */
	  { 237, 416, 559, 1071, 2095, 4143 }, { 128, 217, 289, 545, 1057, 2081 },
	  { 73, 118, 154, 282, 538, 1050 },    { 67, 107, 86, 150, 278, 534 },
	  { 48, 72, 86, 150, 278, 534 } },
	{ /* gen 2 */
	  { 288, 467, 610, 1122, 2146, 4194 }, { 179, 268, 340, 596, 1108, 2132 },
	  { 124, 169, 205, 333, 589, 1101 },   { 118, 158, 137, 201, 329, 585 },
	  { 99, 123, 137, 201, 329, 585 } },
	{ /* gen 3 and later */
	  { 333, 512, 655, 1167, 2191, 4239 }, { 224, 313, 385, 641, 1153, 2177 },
	  { 169, 214, 250, 378, 634, 1146 },   { 163, 203, 182, 246, 374, 630 },
	  { 144, 168, 182, 246, 374, 630 } },
};

#define DLLP_BYTES 8         /* 4 bytes of DLLP, its 2-byte CRC, 2 of framing */
#define SKP_BYTES 4          /* a SKP ordered set ... */
#define SKP_INTERVAL 1538    /* ... every this many symbol times (clock compensation) */

double pcie_dll_share(unsigned gen, unsigned width, unsigned mps)
{
	unsigned g = gen < 2 ? 0 : gen == 2 ? 1 : 2, w = 0, m = 0;

	while (w < 4 && (1u << w) < width)
		w++;
	while (m < 5 && (128u << m) < mps)
		m++;
	/* one Ack and one UpdateFC per interval */
	return 2.0 * DLLP_BYTES / dllp_interval[g][w][m] + (double)SKP_BYTES / SKP_INTERVAL;
}

double pcie_config_tlp_gbps(const struct sim_config *cfg)
{
	double gbps = pcie_config_gbps(cfg);

	if (cfg->device.data_link == PCIE_DL_SPEC)
		gbps *= 1.0 - pcie_dll_share(cfg->device.pcie_gen, cfg->device.pcie_width,
					     cfg->device.max_payload);
	return gbps;
}
