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
#include "iotlb/devtlb.h"
#include "iotlb/iotlb.h"
#include "sim.h"
#include "walk/nested.h"
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
	uint32_t tlb;        /* its TLB in front of the IOTLB (sim.dt), when there is a level */
	uint64_t stale_hits; /* lookups that used a translation already unmapped (any level) */
	uint64_t accesses, bytes, lookups, misses; /* its DMAs, their bytes, its IOTLB lookups */
	uint64_t dt_lookups, dt_hits, dt_stale_hits; /* in its device TLB */
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

/* A device as results name it: its BDF ("01:00.0"), with "/pasid-N" for a PASID. */
void sim_dev_name(uint32_t device, uint32_t pasid, char *buf, size_t n);

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
	/*
	 * The last IOTLB hit (sim_lookup()), while a repeat of it changes no cache state (the
	 * entry and its shadow copy are the most recent of their sets): device fast_v, the 4 KiB
	 * page fast_page of the request address, entry fast_e (NULL: none). Every fill and
	 * invalidation, and every record but an ACCESS, forgets it (sim_fast_forget()).
	 */
	const struct tlb_entry *fast_e;
	const struct iommu_dev *fast_v;
	const struct iommu_domain *fast_d; /* the domain it was looked up in (timed: the request's) */
	uint64_t fast_page;
	uint64_t fast_data; /* fast_e's data and page size (which only fills and unmaps change) */
	uint8_t fast_pgsize;
	bool fast_repeat; /* the policy's hit on the most recent way changes nothing (lru, fifo, random) */
	/* The TLBs in front of the IOTLB (iommu.device_tlb), NULL without; who shares which. */
	struct devtlb *dt;
	enum devtlb_kind dt_kind;
	struct hashtab dt_tab;   /* requester id -> its TLB */
	uint32_t *dt_group;      /* iommu.device_tlb.share groups: each one's TLB, once made */
	uint32_t dt_single;
	uint64_t ats_inv_ps;
	/* ATS Invalidates sent and not yet complete: the ATC keeps its entries until `due`. */
	struct sim_atc_inv *pend;
	size_t npend, cappend;
	uint64_t pend_due; /* the earliest due, UINT64_MAX when none */
	uint32_t single_dom;        /* os.domains single: its domain, once made */
	uint32_t *group_dom;        /* os.domains groups: each group's domain, once made */

	/*
	 * iommu.nested: stage 2 (NULL without nesting). With s1_none (a guest without an IOMMU)
	 * requests carry guest-physical addresses and the IOTLB caches stage 2 alone, for the VM
	 * (one tag); the domains' tables only record where the guest's buffers are.
	 */
	struct nested_s2 *s2;
	bool s1_none;
	uint32_t tlb_sizes; /* the page sizes IOTLB entries may have */
	struct io_pgtable_fmt fmt; /* every domain's page table has this format */
	uint64_t table_pa; /* where the domains' next page-table page goes (their one pool) */
	uint32_t page_sizes;
	unsigned levels;
	enum pgsize ft_size;
	uint64_t granule; /* bytes of the format's smallest page: maps are made of them */
	unsigned granule_pfn_shift; /* log2(granule / 4 KiB): iova.remap allocates granules */
	/* The first request or map at or above the input width: its IOVA and domain. */
	uint64_t beyond_iova;
	uint32_t beyond_dom;
	/* The first MAP refused for another reason: why, and the record. */
	const char *refused_why;
	uint64_t refused_time_ns, refused_iova;
	uint32_t refused_device;
	struct sim_stats st;
};

/* One ATS Invalidate in flight: what it removes from ATC `tlb` when it lands at `due`. */
struct sim_atc_inv {
	uint64_t due, start, end;
	uint32_t tlb, dom;
	bool all, whole_dom;
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

/*
 * The address a request carries: the trace's IOVA, its iova.remap one, or for a guest without
 * an IOMMU the guest-physical address of the buffer (sim_guest_phys()).
 */
uint64_t sim_guest_phys(struct sim *s, struct iommu_domain *d, uint64_t iova);
static inline uint64_t sim_request_addr(struct sim *s, struct iommu_domain *d, uint64_t iova)
{
	return s->s1_none ? sim_guest_phys(s, d, iova) : sim_remap_iova(d, iova);
}

/* The tag IOTLB entries of d carry: its domain's, or with a guest without an IOMMU the VM's. */
static inline uint32_t sim_tag(const struct sim *s, const struct iommu_domain *d)
{
	return s->s1_none ? 0 : d->id;
}

/*
 * A walk begun by sim_walk_begin(): what it will read and what it finds. Nested, w is the
 * combined translation (host-physical, at the smaller leaf size) and refs counts both stages.
 */
struct sim_walk {
	struct io_pgtable_walk w;
	unsigned start; /* first stage-1 table level read */
	unsigned refs;  /* entries read: start - w.level + 1, plus stage 2's (refs2) */
	unsigned refs2;
	int rc;         /* 0: mapped; -1: a fault */
	bool beyond;    /* the IOVA is at or above the table's input width */
	bool s2_fault;  /* nested: a guest-physical address beyond stage 2's input */
	uint64_t iova;  /* what it walks, in which domain */
	uint32_t dom;
	uint64_t since; /* sim_miss_clock() when the miss that started it looked up */
	bool first_touch; /* it found nothing and mapped the page on first touch */
};

/* The IOTLB or the device's domain may change: the next lookup takes the whole path. */
static inline void sim_fast_forget(struct sim *s)
{
	s->fast_e = NULL;
}

/*
 * Whether a lookup of iova by device v in domain d repeats the last hit: sim_lookup() would
 * find the same entry, already the most recent in the IOTLB and the classifier's shadow, so
 * only the counters and the entry's current stale and permission bits matter
 * (sim_repeat_hits()). The domain is the request's: in a timed replay a request issued
 * before an ATTACH arrives after it in its old domain.
 */
static inline bool sim_is_repeat(const struct sim *s, const struct iommu_dev *v,
				 const struct iommu_domain *d, uint64_t iova)
{
	return s->fast_e && v == s->fast_v && d == s->fast_d && iova >> 12 == s->fast_page;
}

/*
 * n repeats of the last hit (s->fast_e), `bytes` in all: what a lookup that finds the same
 * entry counts (one request each; a run's elements count n at once). Returns whether the
 * entry permits them, as sim_lookup()'s 1 or -1 says.
 */
static inline bool sim_repeat_hits(struct sim *s, struct iommu_dev *v, uint64_t n, uint64_t bytes,
				   uint8_t need)
{
	s->st.lookups += n;
	v->lookups += n;
	s->st.hits += n;
	s->st.hits_by_size[s->fast_pgsize] += n;
	if (s->fast_data & SIM_DATA_STALE) {
		s->st.stale_hits += n;
		s->st.stale_bytes += bytes;
		v->stale_hits += n;
	}
	if (!(s->fast_data & need)) {
		s->st.faults += n;
		s->st.faults_permission += n;
		return false;
	}
	return true;
}

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

/* sim_dev() for a device other than the last one's. */
struct iommu_dev *sim_dev_slow(struct sim *s, uint32_t device, uint32_t pasid);

/*
 * The device (device, pasid), made on first use and attached as os.domains says. Inline for
 * its common case, the device of the record before (a call per DMA otherwise).
 */
static inline struct iommu_dev *sim_dev(struct sim *s, uint32_t device, uint32_t pasid)
{
	struct iommu_dev *v = s->last_dev;

	return v && v->device == device && v->pasid == pasid ? v : sim_dev_slow(s, device, pasid);
}

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
	       uint8_t need, uint32_t bytes, const struct tlb_entry **hit);
/*
 * The device TLB level (s->dt), before the IOTLB: sim_devtlb_lookup() in v's TLB (1: hit
 * and permitted, -1: hit but not permitted, 0: miss: go on to the IOTLB, and for ATS it is a
 * Translation Request); sim_devtlb_fill() with what the IOMMU returned (an IOTLB hit's entry
 * or a walk's leaf), so the next lookup hits; sim_devtlb_settle() lands the ATS Invalidates
 * due by `now` (call before ATC lookups at `now`).
 */
int sim_devtlb_lookup(struct sim *s, struct iommu_dev *v, struct iommu_domain *d, uint64_t iova,
		      uint8_t need, uint32_t bytes);
void sim_devtlb_fill(struct sim *s, struct iommu_dev *v, struct iommu_domain *d, uint64_t iova,
		     enum pgsize p, uint64_t data);
void sim_devtlb_settle_slow(struct sim *s, uint64_t now);
static inline void sim_devtlb_settle(struct sim *s, uint64_t now)
{
	if (now >= s->pend_due)
		sim_devtlb_settle_slow(s, now);
}
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
void sim_inval(struct sim *s, const struct trace_rec *r, uint64_t now);
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
uint64_t sim_curve_hits_by(const struct sim *s, size_t row, uint32_t dev);

#endif
