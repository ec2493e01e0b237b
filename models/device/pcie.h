/* A PCIe link: data rate from generation and width, serialization time of a TLP. */
#ifndef ISM_PCIE_H
#define ISM_PCIE_H

#include <stdint.h>

#include "base/sim_config.h"

/* Data rate per direction in Gb/s after line coding, for a generation (1..5) and lane count. */
double pcie_link_gbps(unsigned gen, unsigned width);

/* The link rate a config gives: device.link_gbps, or from device.pcie_gen and pcie_width. */
double pcie_config_gbps(const struct sim_config *cfg);

/* device.data_link: what of the link's time the data-link layer takes besides the TLPs. */
enum pcie_data_link {
	PCIE_DL_NONE, /* TLPs only */
	PCIE_DL_SPEC, /* Ack and UpdateFC DLLPs at the specification's rates, SKP ordered sets */
};
extern const char *const pcie_data_link_names[3];

/*
 * The share of each direction's time that Ack and UpdateFC DLLPs and SKP ordered sets take
 * on a link of this generation (1..5), width and max payload size (128..4096 bytes).
 */
double pcie_dll_share(unsigned gen, unsigned width, unsigned mps);

/* The rate TLPs see: pcie_config_gbps() less the data-link share device.data_link asks for. */
double pcie_config_tlp_gbps(const struct sim_config *cfg);

/*
 * A link's time per byte in 1/65536 ps (8 bits at gbps * 1e9 b/s = 8000 / gbps ps), so a TLP's
 * time is an integer multiply: exact for rates that divide 8000 evenly (64 Gb/s: 125 ps), else
 * within 2^-16 ps per byte.
 */
static inline uint64_t pcie_ps_per_byte_q16(double gbps)
{
	return (uint64_t)(8000.0 / gbps * 65536.0 + 0.5);
}

/* Picoseconds one TLP of `bytes` on the wire occupies the link, rounded to the nearest ps. */
static inline uint64_t pcie_ser_ps(uint64_t ps_per_byte_q16, uint32_t bytes)
{
	return (bytes * ps_per_byte_q16 + 32768) >> 16;
}

#endif
