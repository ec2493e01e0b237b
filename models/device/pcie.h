/* A PCIe link: data rate from generation and width, serialization time of a TLP. */
#ifndef ISM_PCIE_H
#define ISM_PCIE_H

#include <stdint.h>

#include "config.h"

/* Data rate per direction in Gb/s after line coding, for a generation (1..5) and lane count. */
double pcie_link_gbps(unsigned gen, unsigned width);

/* The link rate a config gives: device.link_gbps, or from device.pcie_gen and pcie_width. */
double pcie_config_gbps(const struct sim_config *cfg);

/* Picoseconds one TLP of `bytes` on the wire occupies a link of `gbps`. */
static inline uint64_t pcie_ser_ps(double gbps, uint32_t bytes)
{
	/* 8 bits per byte at gbps * 1e9 b/s: 8000 / gbps ps per byte, rounded once per TLP. */
	return (uint64_t)(8000.0 * bytes / gbps + 0.5);
}

#endif
