/* The TLBs in front of the IOTLB: per-master micro-TLBs (TBUs) or PCIe ATS caches on devices. */
#ifndef ISM_DEVTLB_H
#define ISM_DEVTLB_H

#include <stdbool.h>
#include <stdint.h>

#include "cache.h"
#include "iotlb.h"

/* Where the level lives, which decides its costs and how it is invalidated. */
enum devtlb_kind {
	DEVTLB_NONE,  /* requests meet the IOTLB first */
	DEVTLB_MICRO, /* in the IOMMU, one per master or TBU: invalidated with the IOTLB */
	DEVTLB_ATS,   /* on the device (PCIe ATS): a miss is a Translation Request over the link,
			 a hit bypasses the IOMMU, an invalidation is a message the CPU waits for */
};
extern const char *const devtlb_kind_names[]; /* "none", "micro", "ats", NULL */

/*
 * The level: some number of TLBs, each the same set-associative core as the IOTLB (struct
 * iotlb: per-page-size indexing, the replacement registry), tagged by domain. Which devices
 * share one is the caller's business (iommu.device_tlb.share).
 */
struct devtlb;

struct devtlb *devtlb_create(enum devtlb_kind kind, uint32_t entries, uint32_t ways,
			     const char *replacement, uint32_t page_sizes, uint64_t seed,
			     struct ism_err *err);
void devtlb_free(struct devtlb *l);
enum devtlb_kind devtlb_kind(const struct devtlb *l);

/* A new TLB of the level; returns its number (0, 1, ...). */
unsigned devtlb_add(struct devtlb *l);
unsigned devtlb_count(const struct devtlb *l);
struct iotlb *devtlb_tlb(struct devtlb *l, unsigned i);

/*
 * Invalidate what a command covers in every TLB of the level: entries of dom overlapping
 * [start, end) (range), every entry of dom (domain), or everything (all: dom ignored).
 * Returns the entries removed.
 */
uint64_t devtlb_inv(struct devtlb *l, unsigned i, uint32_t dom, bool all, bool whole_dom,
		    uint64_t start, uint64_t end);

/* Entries displaced by fills in every TLB of the level. */
uint64_t devtlb_evictions(const struct devtlb *l);

#endif
