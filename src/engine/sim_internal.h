/* The engine's insides, shared by the untimed loop (sim.c) and the timed engine (timed.c). */
#ifndef ISM_SIM_INTERNAL_H
#define ISM_SIM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/hashtab.h"
#include "invalidation/inval.h"
#include "iova/iova.h"
#include "remap.h"
#include "iotlb/classify.h"
#include "iotlb/iotlb.h"
#include "sim.h"
#include "walk/pgtable.h"
#include "walk/walk_cache.h"

/* A domain index meaning none: a detached device, whose DMA is blocked. */
#define SIM_DOM_NONE UINT32_MAX

/*
 * The IOTLB entry's data: the physical page base, with the permissions in its low bits and
 * SIM_DATA_STALE once the mapping is gone from the page table but the entry not yet
 * invalidated (lazy and batched invalidation leave such entries usable for a while).
 */
#define SIM_DATA_PERMS TRACE_PERM_RW
#define SIM_DATA_STALE 0x4

struct sim_curve; /* the engine's side of stats.curve (sim_curve.c) */

/*
 * A device as the IOMMU sees it: a requester (stream) id and PASID, attached to one domain.
 * What is per device stays here (stale hits); what is per address space is the domain's.
 */
struct iommu_dev {
	uint32_t device;
	uint32_t pasid;
	uint32_t dom;        /* index into doms; SIM_DOM_NONE: detached */
	uint64_t stale_hits; /* lookups that used a translation already unmapped */
};

/*
 * One address space (Linux's struct iommu_domain): an I/O page table and the tag its IOTLB
 * and walk-cache entries carry (a VT-d domain id, an SMMU ASID), shared by the devices
 * attached to it.
 */
struct iommu_domain {
	uint32_t id;       /* the IOTLB and walk-cache domain tag: the index in doms */
	uint32_t trace_id; /* the trace's id (ATTACH, INVAL by domain); SIM_DOM_NONE: os.domains' */
	char name[40];     /* in results: the trace's id, a group, "single" or the first device */
	bool has_map;      /* a MAP record was seen: first touch no longer applies (auto) */
	struct io_pgtable *pt;
	struct iova_domain *iovad; /* iova.remap: the allocator, and the trace-to-new table */
	struct remap *rm;
	uint64_t stall_until; /* ps: translations wait for an invalidation in flight */
	uint64_t maps, map_bytes, unmaps, unmap_bytes, inv_commands;
	uint32_t *devs; /* the devices ever attached, by index into sim.devs */
	uint32_t ndevs, capdevs;
};

struct sim {
	const struct sim_config *cfg;
	struct iotlb *iotlb;
	struct walk_cache *wc; /* NULL when no level has a walk cache */
	struct miss_classifier *mc; /* NULL when stats.classify_misses is off */
	struct inv_engine *inv;     /* the OS's invalidation policy */
	struct sim_curve *curve;    /* NULL without stats.curve */
	long point;                 /* sim_select_point(): the curve row shown; -1: the run's own */
	bool stall;
	uint64_t map_ps, unmap_ps, pte_ps, iova_cache_ps, iova_tree_ps; /* CPU costs */
	uint64_t stack_ps;
	const struct iova_ops *remap_ops; /* NULL: the trace's IOVAs */
	struct iova_params iova_params;
	struct sim_free *frees;           /* IOVAs waiting for their invalidation to complete */
	size_t nfrees, capfrees;
	uint64_t iova_frees_deferred;
	uint64_t first_time_ns, last_time_ns;

	struct iommu_domain *doms;
	uint32_t ndoms, domcap;
	struct iommu_dev *devs;
	uint32_t ndevs, devcap;
	struct hashtab dev_tab;   /* (device, PASID) -> index in devs */
	struct hashtab trace_dom; /* the trace's domain id -> index in doms */
	struct iommu_dev *last_dev; /* consecutive records mostly come from one device */
	uint32_t single_dom;        /* os.domains single: its domain, once made */
	uint32_t *group_dom;        /* os.domains groups: each group's domain, once made */

	struct io_pgtable_fmt fmt; /* every domain's page table has this format */
	uint32_t page_sizes;
	unsigned levels;
	enum pgsize ft_size;
	uint64_t granule; /* bytes of the format's smallest page: maps are made of them */
	unsigned granule_pfn_shift; /* log2(granule / 4 KiB): iova.remap allocates granules */
	/* The first request or map at or above the input width: its IOVA and domain. */
	uint64_t beyond_iova;
	uint32_t beyond_dom;
	struct sim_stats st;
};

/* An IOVA range to give back once the invalidation covering [start, end) of dom is done. */
struct sim_free {
	uint64_t start, end;
	uint64_t pfn, pages;
	uint32_t dom;
	unsigned cpu;
};

/* An IOVA no remapped mapping covers: past every page table's width, so its walk faults. */
#define SIM_IOVA_UNMAPPED (1ULL << 63)

/* The IOVA a request uses: the trace's, or with iova.remap its new one. */
static inline uint64_t sim_remap_iova(const struct iommu_domain *d, uint64_t iova)
{
	uint64_t v;

	if (!d->rm)
		return iova;
	return remap_lookup(d->rm, iova, &v) ? v : SIM_IOVA_UNMAPPED | (iova & 0xfff);
}

/* A walk begun by sim_walk_begin(): what it will read and what it finds. */
struct sim_walk {
	struct io_pgtable_walk w;
	unsigned start; /* first table level read */
	unsigned refs;  /* entries read: start - w.level + 1 */
	int rc;         /* 0: mapped; -1: a fault */
	bool beyond;    /* the IOVA is at or above the table's input width */
	uint64_t iova;  /* what it walks, in which domain */
	uint32_t dom;
	uint64_t since; /* sim_miss_clock() when the miss that started it looked up */
	bool first_touch; /* it found nothing and mapped the page on first touch */
};

/* Whether a walk that finds nothing maps the page on first touch (os.first_touch). */
static inline bool sim_first_touch_applies(const struct sim *s, const struct iommu_domain *d)
{
	switch (s->cfg->os.first_touch) {
	case FIRST_TOUCH_ALWAYS:
		return true;
	case FIRST_TOUCH_NEVER:
		return false;
	default:
		return !d->has_map;
	}
}

/* The device (device, pasid), made on first use and attached as os.domains says. */
struct iommu_dev *sim_dev(struct sim *s, uint32_t device, uint32_t pasid);

/*
 * The steps of one request's translation, so the timed engine can spread them over time:
 * sim_lookup() at the IOTLB (1: hit and permitted, -1: hit but not permitted, 0: miss);
 * on a miss, sw.since = sim_miss_clock(); sim_walk_begin() when a walker takes the miss
 * (first touch, walk caches, references); sim_walk_end() when the walk's last reference
 * returns (fills, classes the miss); sim_walk_joined() for each later miss that waited for
 * the walk instead of walking; sim_walk_permits() for each request the walk serves (counts
 * its fault, if any).
 */
int sim_lookup(struct sim *s, struct iommu_dev *v, struct iommu_domain *d, uint64_t iova,
	       uint8_t need, uint32_t bytes);
/* A request of a detached device: blocked, a fault, no lookup. */
void sim_blocked(struct sim *s);
uint64_t sim_miss_clock(const struct sim *s);
void sim_walk_begin(struct sim *s, struct iommu_domain *d, uint64_t iova, struct sim_walk *sw);
void sim_walk_end(struct sim *s, struct iommu_domain *d, uint64_t iova, const struct sim_walk *sw);
void sim_walk_joined(struct sim *s, const struct sim_walk *sw);
bool sim_walk_permits(struct sim *s, const struct sim_walk *sw, uint8_t need);

/*
 * The OS side and captured invalidations, applied at the moment `now` (ps) the replay reaches
 * them. sim_map() and sim_unmap() return the CPU time they cost (page tables, IOVA, and for an
 * unmap its invalidation by the policy).
 */
uint64_t sim_map(struct sim *s, const struct trace_rec *r, uint64_t now);
uint64_t sim_unmap(struct sim *s, const struct trace_rec *r, uint64_t now);
void sim_inval(struct sim *s, const struct trace_rec *r);
/* ATTACH and DETACH records: a device moves between domains. */
void sim_attach(struct sim *s, const struct trace_rec *r);

/*
 * stats.curve (sim_curve.c): every curve geometry's IOTLB beside the engine's own. The hooks
 * sit where the engine's IOTLB is looked up, filled after a walk, loses a mapping (unmap) and
 * is invalidated; the walk caches of each geometry follow that geometry's own misses.
 */
struct sim_curve *sim_curve_create(struct sim *s, struct ism_err *err);
void sim_curve_free(struct sim_curve *sc);
/* At the engine's lookup: e is its hit (then the curve takes the lookup now) or NULL. */
void sim_curve_lookup(struct sim *s, struct iommu_dev *v, struct iommu_domain *d, uint64_t iova,
		      uint8_t need, uint32_t bytes, const struct tlb_entry *e);
/* At the end of the walk of the engine's last miss: the curve takes that lookup now. */
void sim_curve_walked(struct sim *s, const struct sim_walk *sw);
void sim_curve_unmapped(struct sim *s, uint32_t dom, uint64_t iova, enum pgsize p);
void sim_curve_inv(struct sim *s, uint32_t dom, enum inv_gran g, uint64_t start, uint64_t end,
		   bool walk_caches);
void sim_curve_wc_inv_levels(struct sim *s, uint32_t dom, uint64_t iova, uint64_t size,
			     unsigned max_level);
/* The counters of curve row `row` (an IOTLB of its geometry), for sim_stats(). */
const struct sim_stats *sim_curve_point_stats(struct sim *s, size_t row);
uint64_t sim_curve_stale_by(const struct sim *s, size_t row, uint32_t dev);

#endif
