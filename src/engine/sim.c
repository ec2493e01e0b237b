/* The untimed engine: replays records through the OS model, the IOTLB and the page walker. */
#include "sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"
#include "trace/trace.h"

uint64_t sim_component_seed(uint64_t seed, const char *component)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a of the name, then mixed with the seed */

	while (*component) {
		h ^= (unsigned char)*component++;
		h *= 0x100000001b3ULL;
	}
	return ism_hash64(seed ^ ism_hash64(h));
}

/* The device table: (device, PASID) -> index into s->devs. */
struct dev_key {
	uint32_t device, pasid;
	uint32_t idx;
	uint8_t used;
};

static uint64_t dev_key_hash(const void *p)
{
	const struct dev_key *k = p;

	return ism_hash64((uint64_t)k->device << 32 | k->pasid);
}

static bool dev_key_eq(const void *a, const void *b)
{
	const struct dev_key *x = a, *y = b;

	return x->device == y->device && x->pasid == y->pasid;
}

static const struct hashtab_type dev_key_type = {
	.size = sizeof(struct dev_key),
	.used_off = offsetof(struct dev_key, used),
	.hash = dev_key_hash,
	.eq = dev_key_eq,
};

/* The trace's domain ids -> index into s->doms. */
struct trace_dom_key {
	uint32_t trace_id, idx;
	uint8_t used;
};

static uint64_t trace_dom_hash(const void *p)
{
	return ism_hash64(((const struct trace_dom_key *)p)->trace_id);
}

static bool trace_dom_eq(const void *a, const void *b)
{
	return ((const struct trace_dom_key *)a)->trace_id ==
	       ((const struct trace_dom_key *)b)->trace_id;
}

static const struct hashtab_type trace_dom_type = {
	.size = sizeof(struct trace_dom_key),
	.used_off = offsetof(struct trace_dom_key, used),
	.hash = trace_dom_hash,
	.eq = trace_dom_eq,
};

/* The device TLBs: requester id -> its TLB (one per device, or shared as configured). */
struct dt_key {
	uint32_t device, tlb;
	uint8_t used;
};

static uint64_t dt_key_hash(const void *p)
{
	return ism_hash64(((const struct dt_key *)p)->device);
}

static bool dt_key_eq(const void *a, const void *b)
{
	return ((const struct dt_key *)a)->device == ((const struct dt_key *)b)->device;
}

static const struct hashtab_type dt_key_type = {
	.size = sizeof(struct dt_key),
	.used_off = offsetof(struct dt_key, used),
	.hash = dt_key_hash,
	.eq = dt_key_eq,
};

static uint64_t sim_inv_command(void *ctx, uint32_t dom, enum inv_gran g, uint64_t start,
				uint64_t end, bool walk_caches, uint64_t now);
static void sim_inv_completed(void *ctx, const struct inv_range *r, uint64_t done);
static void sim_inv_removed(void *ctx, const struct tlb_entry *e);

struct sim *sim_create(const struct sim_config *cfg, struct ism_err *err)
{
	struct sim *s = ism_xcalloc(1, sizeof(*s));
	unsigned l;
	bool any_wc = false;

	s->cfg = cfg;
	if (io_pgtable_fmt_init(&s->fmt, io_pgtable_fmt_find(cfg->iommu.pgtable_format),
				cfg->iommu.ia_bits, err) != 0)
		goto fail;
	s->page_sizes = cfg->iommu.page_sizes;
	s->tlb_sizes = cfg->iommu.page_sizes;
	s->levels = s->fmt.levels;
	if (cfg->iommu.nested.enabled) {
		s->s2 = nested_s2_create(cfg, err);
		if (!s->s2)
			goto fail;
		s->s1_none = cfg->iommu.nested.stage1 == NESTED_S1_NONE;
		s->table_pa = cfg->iommu.nested.stage1_tables_gpa;
		/* combined entries: a stage-1 size, or the stage-2 page when that is smaller */
		s->tlb_sizes = (s->s1_none ? 0 : s->tlb_sizes) |
			       PGSIZE_MASK(cfg->iommu.nested.stage2.page_size);
	}
	s->ft_size = cfg->os.first_touch_page_size;
	s->granule = pgsize_bytes(s->fmt.granule);
	s->granule_pfn_shift = pgsize_shift(s->fmt.granule) - 12;
	s->iotlb = iotlb_create(cfg->iommu.iotlb.entries, cfg->iommu.iotlb.ways,
				cfg->iommu.replacement, s->tlb_sizes,
				sim_component_seed(cfg->seed, "iotlb"), err);
	if (!s->iotlb)
		goto fail;
	/* a guest without an IOMMU has no stage-1 walks to cache */
	for (l = 2; l <= s->levels && !s->s1_none; l++)
		any_wc |= cfg->iommu.walk_cache[l].entries > 0;
	if (any_wc) {
		s->wc = walk_cache_create(&s->fmt, cfg->iommu.walk_cache, err);
		if (!s->wc)
			goto fail;
	}
	if (cfg->stats.classify_misses)
		s->mc = mclass_create(cfg->iommu.iotlb.entries);
	s->point = -1;
	if (cfg->stats.ncurve_rows && !(s->curve = sim_curve_create(s, err)))
		goto fail;
	/*
	 * A repeat of the last hit may skip the probe when the hit left the entry where a repeat
	 * leaves it: lru made it the most recent, fifo and random never move on a hit (plru may
	 * flip bits). The curve sees every lookup; device TLBs answer before the IOTLB.
	 */
	s->fast_repeat = !s->curve && (enum devtlb_kind)cfg->iommu.device_tlb.kind == DEVTLB_NONE &&
			 (tlb_cache_ops(iotlb_cache(s->iotlb)) == tlb_repl_find("lru") ||
			  !tlb_cache_ops(iotlb_cache(s->iotlb))->touch);
	s->inv = inv_create(cfg, (struct inv_target){ .ctx = s, .command = sim_inv_command,
						      .completed = sim_inv_completed }, err);
	if (!s->inv)
		goto fail;
	s->stall = cfg->os.invalidation.stall_translations;
	s->map_ps = (uint64_t)llround(cfg->os.cost.map_ns * 1e3);
	s->stack_ps = (uint64_t)llround(cfg->os.cost.stack_ns * 1e3);
	s->unmap_ps = (uint64_t)llround(cfg->os.cost.unmap_ns * 1e3);
	s->pte_ps = (uint64_t)llround(cfg->os.cost.pte_ns * 1e3);
	s->iova_cache_ps = (uint64_t)llround(cfg->os.cost.iova_cache_ns * 1e3);
	s->iova_tree_ps = (uint64_t)llround(cfg->os.cost.iova_tree_ns * 1e3);
	/* no IOVAs to allocate in a guest without an IOMMU: its DMA addresses are its buffers' */
	s->remap_ops = strcmp(cfg->iova.remap, "none") && !s->s1_none ? iova_find(cfg->iova.remap)
								      : NULL;
	{
		/* The space ends at the DMA mask or the page table's width, whichever is lower. */
		unsigned bits = cfg->iova.dma_bits, va = s->fmt.ia_bits;

		s->iova_params.limit_pfn = 1ULL << ((bits < va ? bits : va) - pgsize_shift(s->fmt.granule));
		s->iova_params.pci_32bit_workaround = cfg->iova.pci_32bit_workaround;
		s->iova_params.seed = sim_component_seed(cfg->seed, "iova");
	}
	hashtab_init(&s->dev_tab, &dev_key_type, 64);
	hashtab_init(&s->trace_dom, &trace_dom_type, 16);
	s->pend_due = UINT64_MAX;
	s->dt_kind = (enum devtlb_kind)cfg->iommu.device_tlb.kind;
	if (s->dt_kind != DEVTLB_NONE) {
		const struct device_groups *sh = &cfg->iommu.device_tlb.share;

		s->dt = devtlb_create(s->dt_kind, cfg->iommu.device_tlb.geom.entries,
				      cfg->iommu.device_tlb.geom.ways,
				      cfg->iommu.device_tlb.replacement, s->tlb_sizes,
				      sim_component_seed(cfg->seed, "device_tlb"), err);
		if (!s->dt)
			goto fail;
		hashtab_init(&s->dt_tab, &dt_key_type, 16);
		s->dt_single = UINT32_MAX;
		s->dt_group = ism_xmalloc((sh->ngroups + 1) * sizeof(*s->dt_group));
		for (l = 0; l < sh->ngroups; l++)
			s->dt_group[l] = UINT32_MAX;
		s->ats_inv_ps = (uint64_t)llround(cfg->os.cost.ats_inv_ns * 1e3);
	}
	s->single_dom = SIM_DOM_NONE;
	if (cfg->os.domains.ngroups) {
		s->group_dom = ism_xmalloc(cfg->os.domains.ngroups * sizeof(*s->group_dom));
		for (l = 0; l < cfg->os.domains.ngroups; l++)
			s->group_dom[l] = SIM_DOM_NONE;
	}
	return s;
fail:
	sim_free(s);
	return NULL;
}

void sim_free(struct sim *s)
{
	uint32_t i;

	if (!s)
		return;
	for (i = 0; i < s->ndoms; i++) {
		io_pgtable_free(s->doms[i].pt);
		remap_free(s->doms[i].rm);
		if (s->doms[i].iovad)
			iova_domain_destroy(s->doms[i].iovad);
		free(s->doms[i].devs);
	}
	free(s->frees);
	free(s->doms);
	free(s->devs);
	free(s->group_dom);
	if (s->dt) {
		devtlb_free(s->dt);
		hashtab_free(&s->dt_tab);
		free(s->dt_group);
	}
	free(s->pend);
	hashtab_free(&s->dev_tab);
	hashtab_free(&s->trace_dom);
	if (s->iotlb)
		iotlb_free(s->iotlb);
	if (s->wc)
		walk_cache_free(s->wc);
	if (s->mc)
		mclass_free(s->mc);
	sim_curve_free(s->curve);
	nested_s2_free(s->s2);
	inv_free(s->inv);
	free(s);
}

/*
 * How results name a device: "bb:dd.f" (a stream id above 16 bits in decimal, as traces
 * print it), with "/pasid-N" for a PASID.
 */
static void dev_name(uint32_t device, uint32_t pasid, char *buf, size_t n)
{
	char id[16]; /* "bb:dd.f" or up to 10 digits */

	trace_format_device(device, true, id, sizeof(id));
	if (pasid == TRACE_PASID_NONE)
		snprintf(buf, n, "%s", id);
	else
		snprintf(buf, n, "%s/pasid-%u", id, pasid);
}

void sim_dev_name(uint32_t device, uint32_t pasid, char *buf, size_t n)
{
	dev_name(device, pasid, buf, n);
}

/* A new, empty domain; trace_id is the trace's id for it, or SIM_DOM_NONE. */
static uint32_t domain_new(struct sim *s, const char *name, uint32_t trace_id)
{
	struct iommu_domain *d;

	if (s->ndoms == s->domcap) {
		s->domcap = s->domcap ? s->domcap * 2 : 8;
		s->doms = ism_xrealloc(s->doms, s->domcap * sizeof(*s->doms));
	}
	d = &s->doms[s->ndoms];
	memset(d, 0, sizeof(*d));
	d->id = s->ndoms;
	d->trace_id = trace_id;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->pt = io_pgtable_create(&s->fmt, &s->table_pa);
	s->st.domains = ++s->ndoms;
	return d->id;
}

/* The domain the trace calls id, or SIM_DOM_NONE (add: made when new). */
static uint32_t trace_domain(struct sim *s, uint32_t id, bool add)
{
	struct trace_dom_key key = { .trace_id = id, .idx = s->ndoms }, *k;
	char name[16];
	bool added;

	if (!add) {
		k = hashtab_find(&s->trace_dom, &trace_dom_type, &key);
		return k ? k->idx : SIM_DOM_NONE;
	}
	k = hashtab_get(&s->trace_dom, &trace_dom_type, &key, &added);
	if (added) {
		snprintf(name, sizeof(name), "%u", id);
		domain_new(s, name, id);
	}
	return k->idx;
}

/* Attach device v to domain dom (or detach it: SIM_DOM_NONE). */
static void dev_attach(struct sim *s, struct iommu_dev *v, uint32_t dom)
{
	uint32_t vi = (uint32_t)(v - s->devs);
	struct iommu_domain *d;

	v->dom = dom;
	if (dom == SIM_DOM_NONE)
		return;
	d = &s->doms[dom];
	for (uint32_t i = 0; i < d->ndevs; i++)
		if (d->devs[i] == vi)
			return;
	if (d->ndevs == d->capdevs) {
		d->capdevs = d->capdevs ? 2 * d->capdevs : 4;
		d->devs = ism_xrealloc(d->devs, d->capdevs * sizeof(*d->devs));
	}
	d->devs[d->ndevs++] = vi;
}

/* Where os.domains puts a device that no ATTACH record has placed. */
static uint32_t default_domain(struct sim *s, uint32_t device, uint32_t pasid)
{
	const struct device_groups *g = &s->cfg->os.domains;
	char name[48];

	if (g->mode == GROUPS_SINGLE) {
		if (s->single_dom == SIM_DOM_NONE)
			s->single_dom = domain_new(s, "single", SIM_DOM_NONE);
		return s->single_dom;
	}
	if (g->mode == GROUPS_NAMED && pasid == TRACE_PASID_NONE) {
		int gr = device_groups_find(g, device);

		if (gr >= 0) {
			if (s->group_dom[gr] == SIM_DOM_NONE)
				s->group_dom[gr] = domain_new(s, g->names[gr], SIM_DOM_NONE);
			return s->group_dom[gr];
		}
	}
	dev_name(device, pasid, name, sizeof(name));
	return domain_new(s, name, SIM_DOM_NONE);
}

/*
 * The TLB in front of the IOTLB that serves requester id `device` (each of its PASIDs too):
 * as iommu.device_tlb.share groups devices, made on first use.
 */
static uint32_t devtlb_of(struct sim *s, uint32_t device)
{
	const struct device_groups *sh = &s->cfg->iommu.device_tlb.share;
	struct dt_key key = { .device = device }, *k;
	bool added;
	int gr;

	k = hashtab_get(&s->dt_tab, &dt_key_type, &key, &added);
	if (!added)
		return k->tlb;
	if (sh->mode == GROUPS_SINGLE) {
		if (s->dt_single == UINT32_MAX)
			s->dt_single = devtlb_add(s->dt);
		k->tlb = s->dt_single;
	} else if (sh->mode == GROUPS_NAMED && (gr = device_groups_find(sh, device)) >= 0) {
		if (s->dt_group[gr] == UINT32_MAX)
			s->dt_group[gr] = devtlb_add(s->dt);
		k->tlb = s->dt_group[gr];
	} else {
		k->tlb = devtlb_add(s->dt);
	}
	return k->tlb;
}

/* The device (device, pasid), made when new (add) or NULL. */
static struct iommu_dev *dev_find(struct sim *s, uint32_t device, uint32_t pasid, bool add)
{
	struct iommu_dev *v = s->last_dev;
	struct dev_key key = { .device = device, .pasid = pasid, .idx = s->ndevs }, *k;
	bool added;

	if (v && v->device == device && v->pasid == pasid)
		return v;
	if (!add) {
		k = hashtab_find(&s->dev_tab, &dev_key_type, &key);
		return k ? (s->last_dev = &s->devs[k->idx]) : NULL;
	}
	k = hashtab_get(&s->dev_tab, &dev_key_type, &key, &added);
	if (!added)
		return s->last_dev = &s->devs[k->idx];
	sim_fast_forget(s); /* the devices may move */
	if (s->ndevs == s->devcap) {
		s->devcap = s->devcap ? s->devcap * 2 : 8;
		s->devs = ism_xrealloc(s->devs, s->devcap * sizeof(*s->devs));
	}
	v = &s->devs[s->ndevs++];
	memset(v, 0, sizeof(*v));
	v->device = device;
	v->pasid = pasid;
	v->dom = SIM_DOM_NONE;
	if (s->dt)
		v->tlb = devtlb_of(s, device);
	s->st.devices = s->ndevs;
	return s->last_dev = v;
}

struct iommu_dev *sim_dev_slow(struct sim *s, uint32_t device, uint32_t pasid)
{
	uint32_t n = s->ndevs;
	struct iommu_dev *v = dev_find(s, device, pasid, true);

	if (s->ndevs != n) /* new: os.domains places it */
		dev_attach(s, v, default_domain(s, device, pasid));
	return v;
}

void sim_attach(struct sim *s, const struct trace_rec *r)
{
	struct iommu_dev *v = dev_find(s, r->device, r->pasid, true);

	if (r->kind == TRACE_ATTACH) {
		s->st.attaches++;
		dev_attach(s, v, trace_domain(s, r->domain, true));
	} else {
		s->st.detaches++;
		dev_attach(s, v, SIM_DOM_NONE);
	}
}

/*
 * io_pgtable_map() with the leaves it wrote added to the run's counters; *writes (may be NULL)
 * receives the page-table entries written (each leaf's, its replicas and the levels above).
 */
static int sim_pt_map(struct sim *s, struct iommu_domain *d, uint64_t iova, uint64_t paddr,
		      uint64_t size, uint8_t perms, uint32_t pgsize_mask, uint64_t *writes)
{
	struct io_pgtable_map_info info;
	int rc = io_pgtable_map(d->pt, iova, paddr, size, perms, pgsize_mask, &info);
	unsigned p;

	if (writes)
		*writes = info.writes;
	for (p = 0; rc == 0 && p < PGSIZE_NR; p++)
		s->st.leaves_by_size[p] += info.leaves[p];
	/*
	 * A large leaf replaced an empty table: walk-cache entries at or below the leaf's level
	 * may point at the freed table. VT-d flushes the range here (switch_to_super_page()).
	 */
	if (s->wc && info.freed_level)
		walk_cache_inv_levels(s->wc, d->id, iova, size, info.freed_level);
	if (s->curve && info.freed_level)
		sim_curve_wc_inv_levels(s, d->id, iova, size, info.freed_level);
	return rc;
}

/*
 * Map the first-touch page containing iova (identity: paddr = iova). The mapping is taken to
 * have existed before the access, as in the captured system, so it costs no fault.
 */
static bool first_touch_map(struct sim *s, struct iommu_domain *d, uint64_t iova)
{
	uint64_t sz = pgsize_bytes(s->ft_size), base = iova & ~(sz - 1);

	if (iova >= 1ULL << s->fmt.ia_bits)
		return false; /* beyond the table: the walk faults */
	if (sim_pt_map(s, d, base, base, sz, TRACE_PERM_RW, PGSIZE_MASK(s->ft_size), NULL) != 0)
		return false;
	s->st.first_touch_maps++;
	return true;
}

/* A request or MAP beyond the table's input width: counted, and the first one kept. */
static void sim_beyond(struct sim *s, uint32_t dom, uint64_t iova, bool map)
{
	if (!s->st.faults_beyond && !s->st.map_beyond) {
		s->beyond_iova = iova;
		s->beyond_dom = dom;
	}
	if (map)
		s->st.map_beyond++;
	else
		s->st.faults_beyond++;
}

/* A request the translation does not permit is blocked, like one to an unmapped IOVA. */
static inline bool sim_permits(struct sim *s, uint64_t perms, uint8_t need)
{
	if (perms & need)
		return true;
	s->st.faults++;
	s->st.faults_permission++;
	return false;
}

void sim_blocked(struct sim *s)
{
	s->st.faults++;
	s->st.faults_blocked++;
}

/* A DMA through a translation its mapping no longer has: the exposure, at whichever level. */
static inline void sim_stale_hit(struct sim *s, struct iommu_dev *v, uint32_t bytes)
{
	s->st.stale_hits++;
	s->st.stale_bytes += bytes;
	v->stale_hits++;
}

/* n DMAs (ACCESS records) of device v, `bytes` in all. */
static inline void sim_count_accesses(struct sim *s, struct iommu_dev *v, uint64_t n,
				      uint64_t bytes, bool write)
{
	s->st.accesses += n;
	s->st.access_bytes += bytes;
	v->accesses += n;
	v->bytes += bytes;
	if (write)
		s->st.writes += n;
	else
		s->st.reads += n;
}

int sim_devtlb_lookup(struct sim *s, struct iommu_dev *v, struct iommu_domain *d, uint64_t iova,
		      uint8_t need, uint32_t bytes)
{
	struct tlb_entry *e = iotlb_lookup(devtlb_tlb(s->dt, v->tlb), sim_tag(s, d), iova);

	s->st.dt_lookups++;
	v->dt_lookups++;
	if (!e) {
		s->st.dt_misses++;
		if (s->dt_kind == DEVTLB_ATS)
			s->st.ats_trs++; /* a Translation Request goes to the IOMMU */
		return 0;
	}
	s->st.dt_hits++;
	v->dt_hits++;
	if (e->data & SIM_DATA_STALE) {
		sim_stale_hit(s, v, bytes);
		s->st.dt_stale_hits++;
		v->dt_stale_hits++;
	}
	return sim_permits(s, e->data, need) ? 1 : -1;
}

void sim_devtlb_fill(struct sim *s, struct iommu_dev *v, struct iommu_domain *d, uint64_t iova,
		     enum pgsize p, uint64_t data)
{
	iotlb_fill(devtlb_tlb(s->dt, v->tlb), sim_tag(s, d), iova, p, data);
}

void sim_devtlb_settle_slow(struct sim *s, uint64_t now)
{
	size_t i = 0;

	s->pend_due = UINT64_MAX;
	while (i < s->npend) {
		struct sim_atc_inv *a = &s->pend[i];

		if (a->due > now) {
			if (a->due < s->pend_due)
				s->pend_due = a->due;
			i++;
			continue;
		}
		s->st.dt_invalidated += devtlb_inv(s->dt, a->tlb, a->dom, a->all, a->whole_dom,
						   a->start, a->end);
		*a = s->pend[--s->npend];
	}
}

int sim_lookup(struct sim *s, struct iommu_dev *v, struct iommu_domain *d, uint64_t iova,
	       uint8_t need, uint32_t bytes, const struct tlb_entry **hit)
{
	struct tlb_entry *e;

	s->st.lookups++;
	v->lookups++;
	e = iotlb_lookup(s->iotlb, sim_tag(s, d), iova);
	*hit = e;
	if (s->curve)
		sim_curve_lookup(s, v, d, iova, need, bytes, e);
	if (!e) {
		s->st.misses++;
		v->misses++;
		/* the walk's leaf is mostly 4 KiB: its history loads while the walk runs */
		if (s->mc)
			mclass_prefetch(s->mc, sim_tag(s, d), iotlb_tag(iova, PGSIZE_4K));
		return 0;
	}
	if (s->fast_repeat) {
		s->fast_e = e;
		s->fast_v = v;
		s->fast_d = d;
		s->fast_page = iova >> 12;
		s->fast_data = e->data;
		s->fast_pgsize = e->pgsize;
	}
	s->st.hits++;
	s->st.hits_by_size[e->pgsize]++;
	if (s->mc)
		mclass_ref(s->mc, sim_tag(s, d), e->tag, true);
	if (e->data & SIM_DATA_STALE)
		sim_stale_hit(s, v, bytes);
	return sim_permits(s, e->data, need) ? 1 : -1;
}

uint64_t sim_miss_clock(const struct sim *s)
{
	return s->mc ? mclass_clock(s->mc) : 0;
}

/*
 * Nested: each stage-1 table the walk read is found in host memory through stage 2 (but the
 * first when a stage-1 walk-cache hit gave its host address: those caches hold combined
 * entries), then the walk's output. What the IOTLB gets is the combined translation, at the
 * smaller of the two leaf sizes. A table stage 2 cannot translate stops the walk before it.
 */
static void sim_walk_nested(struct sim *s, struct sim_walk *sw)
{
	struct nested_s2_xlate x;
	unsigned l;

	for (l = sw->start; l >= sw->w.level; l--) {
		if (l == sw->start && sw->start < s->levels)
			continue;
		if (nested_s2_translate(s->s2, sw->w.table_pa[l], true, &x) != 0) {
			sw->w.level = l + 1; /* the stage-1 reads stopped above this table */
			sw->rc = -1;
			sw->s2_fault = true;
			break;
		}
		sw->refs2 += x.refs;
	}
	if (sw->rc == 0) {
		uint64_t gpa = sw->w.pa | (sw->iova & (pgsize_bytes(sw->w.size) - 1));

		if (nested_s2_translate(s->s2, gpa, true, &x) != 0) {
			sw->rc = -1;
			sw->s2_fault = true;
		} else {
			enum pgsize p = x.size < sw->w.size ? x.size : sw->w.size;

			sw->refs2 += x.refs;
			sw->w.size = p;
			sw->w.pa = x.hpa & ~(pgsize_bytes(p) - 1);
		}
	}
}

/*
 * A guest without an IOMMU: the request's guest-physical address through stage 2 alone (its
 * walk caches; the IOTLB is the TLB here). An address the guest never mapped faults, as a
 * request to an unmapped IOVA does.
 */
static void sim_walk_stage2(struct sim *s, uint64_t gpa, struct sim_walk *sw)
{
	struct nested_s2_xlate x;

	sw->beyond = false;
	sw->w.level = sw->start = s->levels;
	sw->w.perms = TRACE_PERM_RW;
	sw->rc = -1;
	if (!(gpa & SIM_IOVA_UNMAPPED)) {
		if (nested_s2_translate(s->s2, gpa, false, &x) != 0) {
			sw->s2_fault = true;
		} else {
			sw->rc = 0;
			sw->refs2 = x.refs;
			sw->w.size = x.size;
			sw->w.pa = x.hpa & ~(pgsize_bytes(x.size) - 1);
		}
	}
	sw->refs = sw->refs2;
	s->st.walks++;
	s->st.walk_refs += sw->refs;
	s->st.walk_refs_s2 += sw->refs2;
}

void sim_walk_begin(struct sim *s, struct iommu_domain *d, uint64_t iova, struct sim_walk *sw)
{
	sw->iova = iova;
	sw->dom = d->id;
	sw->refs2 = 0;
	sw->s2_fault = false;
	if (s->s1_none) {
		sim_walk_stage2(s, iova, sw);
		return;
	}
	/* IOVAs iova.remap left unmapped sit at bit 63: those are unmapped, not beyond. */
	sw->beyond = !(iova & SIM_IOVA_UNMAPPED) && iova >> s->fmt.ia_bits;
	if (sw->beyond) {
		/* The width check comes before any read (VT-d's AGAW, Arm's T0SZ): no reference. */
		sw->rc = -1;
		sw->first_touch = false;
		sw->w.level = sw->start = s->levels;
		sw->refs = 0;
		s->st.walks++;
		return;
	}
	sw->rc = io_pgtable_walk(d->pt, iova, &sw->w);
	sw->first_touch = sw->rc != 0 && sim_first_touch_applies(s, d) &&
			  first_touch_map(s, d, iova);
	if (sw->first_touch)
		sw->rc = io_pgtable_walk(d->pt, iova, &sw->w);
	sw->start = walk_cache_start(s->wc, s->levels, d->id, iova, sw->w.level);
	if (s->s2)
		sim_walk_nested(s, sw);
	sw->refs = sw->start + 1 - sw->w.level;
	s->st.walks++;
	if (s->s2) {
		s->st.walk_refs_s1 += sw->refs;
		s->st.walk_refs_s2 += sw->refs2;
		sw->refs += sw->refs2;
	}
	s->st.walk_refs += sw->refs;
}

void sim_walk_end(struct sim *s, struct iommu_domain *d, uint64_t iova, const struct sim_walk *sw)
{
	sim_fast_forget(s);
	if (s->curve)
		sim_curve_walked(s, sw);
	if (s->wc)
		walk_cache_fill(s->wc, d->id, iova, sw->start, sw->w.level);
	if (sw->rc != 0) {
		if (s->mc)
			s->st.miss_class[MISS_UNMAPPED]++;
		return;
	}
	/* The walk completed: the translation is cached even when the request is not permitted. */
	iotlb_fill(s->iotlb, sim_tag(s, d), iova, sw->w.size,
		   sw->w.pa | (sw->w.perms & SIM_DATA_PERMS));
	s->st.fills_by_size[sw->w.size]++;
	if (s->mc)
		s->st.miss_class[mclass_miss(s->mc, sim_tag(s, d), iotlb_tag(iova, sw->w.size),
					     sw->since)]++;
}

/*
 * A miss that found the walk of its 4 KiB page in flight and waited for it: the fill it gets
 * is the walk's (already classed), and the shadow saw the key at that same moment.
 */
void sim_walk_joined(struct sim *s, const struct sim_walk *sw)
{
	if (s->mc)
		s->st.miss_class[sw->rc != 0 ? MISS_UNMAPPED : MISS_WALK_IN_FLIGHT]++;
}

bool sim_walk_permits(struct sim *s, const struct sim_walk *sw, uint8_t need)
{
	if (sw->rc != 0) {
		s->st.faults++;
		if (sw->beyond)
			sim_beyond(s, sw->dom, sw->iova, false);
		else if (sw->s2_fault)
			s->st.faults_stage2++;
		else
			s->st.faults_unmapped++;
		return false;
	}
	return sim_permits(s, sw->w.perms, need);
}

/*
 * One PCIe request's translation, all at once: IOTLB lookup, and on a miss a walk and a fill.
 * `need` is the permission the request needs: TRACE_PERM_WRITE when the device writes memory.
 */
static void sim_translate(struct sim *s, struct iommu_dev *v, struct iommu_domain *d,
			  uint64_t iova, uint8_t need, uint32_t bytes)
{
	const struct tlb_entry *e;
	struct sim_walk sw;

	/* DMA moves through a page in bursts: mostly a repeat of the last hit. */
	if (sim_is_repeat(s, v, d, iova)) {
		sim_repeat_hits(s, v, 1, bytes, need);
		return;
	}
	/* A device TLB first: a hit goes no further (an ATS hit is a translated request). */
	if (s->dt && sim_devtlb_lookup(s, v, d, iova, need, bytes) != 0)
		return;
	if (sim_lookup(s, v, d, iova, need, bytes, &e) != 0) {
		if (s->dt)
			sim_devtlb_fill(s, v, d, iova, (enum pgsize)e->pgsize, e->data);
		return;
	}
	sw.since = sim_miss_clock(s);
	sim_walk_begin(s, d, iova, &sw);
	sim_walk_end(s, d, iova, &sw);
	if (s->dt && sw.rc == 0)
		sim_devtlb_fill(s, v, d, iova, sw.w.size, sw.w.pa | (sw.w.perms & SIM_DATA_PERMS));
	sim_walk_permits(s, &sw, need);
}

uint64_t sim_guest_phys(struct sim *s, struct iommu_domain *d, uint64_t iova)
{
	struct io_pgtable_walk w;

	if (io_pgtable_walk(d->pt, iova, &w) != 0 &&
	    !(sim_first_touch_applies(s, d) && first_touch_map(s, d, iova) &&
	      io_pgtable_walk(d->pt, iova, &w) == 0))
		return SIM_IOVA_UNMAPPED | (iova & 0xfff);
	return w.pa | (iova & (pgsize_bytes(w.size) - 1));
}

/*
 * A DMA becomes PCIe requests: each at most max bytes (max payload for writes, max read request
 * for reads) and never crossing a 4 KiB boundary; each request is one IOTLB lookup.
 */
static inline __attribute__((always_inline)) void sim_access(struct sim *s,
								 const struct trace_rec *r)
{
	struct iommu_dev *v = s->last_dev;

	if (!v || v->device != r->device || v->pasid != r->pasid)
		v = sim_dev(s, r->device, r->pasid);
	struct iommu_domain *d = v->dom == SIM_DOM_NONE ? NULL : &s->doms[v->dom];
	bool write = r->flags & TRACE_ACC_WRITE;
	uint8_t need = write ? TRACE_PERM_WRITE : TRACE_PERM_READ;
	uint64_t max = write ? s->cfg->device.max_payload : s->cfg->device.max_read_request;
	uint64_t iova = r->iova, end = r->iova + r->size;

	sim_count_accesses(s, v, 1, r->size, write);
	while (iova < end) {
		uint64_t next = (iova | 0xfff) + 1;

		if (next > iova + max)
			next = iova + max;
		if (next > end)
			next = end;
		s->st.requests++;
		if (d)
			sim_translate(s, v, d, sim_request_addr(s, d, iova), need,
				      (uint32_t)(next - iova));
		else
			sim_blocked(s);
		iova = next;
	}
}

/*
 * iommu_map() granularity: a MAP may name a sub-page buffer; the OS maps whole 4 KiB pages
 * around it, so iova and paddr must share their offset within the page.
 */
/* CPU time of the allocator's work since `before`: cache hits and inserts, tree operations. */
static uint64_t sim_iova_cost(const struct sim *s, const struct iova_stats *now,
			      const struct iova_stats *before)
{
	return (now->rcache_hits - before->rcache_hits + now->rcache_inserts -
		before->rcache_inserts) * s->iova_cache_ps +
	       (now->tree_allocs - before->tree_allocs + now->tree_frees - before->tree_frees) *
		       s->iova_tree_ps;
}

/* With iova.remap: where the MAP of `pages` at trace page old_pfn goes; IOVA_NONE if full. */
static uint64_t sim_remap_alloc(struct sim *s, struct iommu_domain *d, uint64_t old_pfn,
				uint64_t pages, uint64_t paddr, unsigned cpu, uint64_t now,
				uint64_t *cost)
{
	struct iova_stats before;
	uint64_t pfn;

	if (!d->iovad) {
		struct ism_err err;

		d->iovad = iova_domain_create(s->remap_ops, &s->iova_params, &err);
		d->rm = remap_create();
	}
	/* The allocator counts granules (Linux's iovad->granule); the remap table 4 KiB pages. */
	before = *iova_domain_stats(d->iovad);
	pfn = iova_alloc(d->iovad, pages >> s->granule_pfn_shift, paddr, cpu, now);
	*cost += sim_iova_cost(s, iova_domain_stats(d->iovad), &before);
	if (pfn == IOVA_NONE)
		return IOVA_NONE;
	pfn <<= s->granule_pfn_shift;
	remap_add(d->rm, old_pfn, pages, pfn);
	return pfn;
}

static uint64_t sim_map_iommu(struct sim *s, const struct trace_rec *r, uint64_t now);

/* A MAP record: the stack's work around it (any system's), then the IOMMU mapping. */
uint64_t sim_map(struct sim *s, const struct trace_rec *r, uint64_t now)
{
	s->st.cpu_stack_ps += s->stack_ps;
	return s->stack_ps + sim_map_iommu(s, r, now);
}

/* A MAP the IOMMU refuses: counted, and the first kept for the run's warning. */
static void sim_map_refused(struct sim *s, const struct trace_rec *r, const char *why)
{
	if (!s->refused_why) {
		s->refused_why = why;
		s->refused_time_ns = r->time_ns;
		s->refused_iova = r->iova;
		s->refused_device = r->device;
	}
	s->st.map_failed++;
}

static uint64_t sim_map_iommu(struct sim *s, const struct trace_rec *r, uint64_t now)
{
	struct iommu_dev *v = sim_dev(s, r->device, r->pasid);
	struct iommu_domain *d;
	uint64_t g = s->granule, off = r->iova & (g - 1);
	uint64_t iova = r->iova - off, paddr = r->paddr - off;
	uint64_t size = (r->size + off + g - 1) & ~(g - 1);
	uint64_t writes = 0, cost = s->map_ps;

	if (v->dom == SIM_DOM_NONE) {
		/* A detached device has no page table to map into. */
		sim_map_refused(s, r, "its device is detached from every domain");
		return 0;
	}
	d = &s->doms[v->dom];
	d->has_map = true;
	if ((r->paddr & (g - 1)) != off || size < r->size) {
		sim_map_refused(s, r, "its IOVA and physical address differ in offset within the "
				      "table's smallest page");
		return 0;
	}
	if (!s->remap_ops && (iova >> s->fmt.ia_bits || size > (1ULL << s->fmt.ia_bits) - iova)) {
		sim_beyond(s, d->id, r->iova, true);
		s->st.map_failed++;
		return 0;
	}
	if (s->remap_ops) {
		uint64_t pfn = sim_remap_alloc(s, d, iova >> 12, size >> 12, paddr, r->cpu, now,
					       &cost);

		if (pfn == IOVA_NONE) {
			sim_map_refused(s, r, "the IOVA allocator (iova.remap) has no room");
			s->st.cpu_map_ps += cost;
			return cost;
		}
		iova = pfn << 12;
	}
	if (sim_pt_map(s, d, iova, paddr, size, r->flags & TRACE_PERM_RW, s->page_sizes,
		       &writes) != 0) {
		sim_map_refused(s, r, "it overlaps a live mapping of its domain (devices that share "
				      "a domain, by os.domains or ATTACH records, share its IOVAs)");
		return 0;
	}
	s->st.maps++;
	s->st.map_bytes += size;
	d->maps++;
	d->map_bytes += size;
	if (s->s1_none)
		return 0; /* dma-direct in the guest: the buffer's address is its DMA address */
	cost += writes * s->pte_ps;
	/* iotlb_sync_map: drivers that zap what they mapped (sun50i), caching-mode IOMMUs */
	if (s->cfg->os.invalidation.on_map)
		cost += inv_zap(s->inv, d->id, iova, iova + size, now);
	s->st.cpu_map_ps += cost;
	return cost;
}

/* One UNMAP in progress: the gather Linux builds while the page table gives up its leaves. */
struct unmap_ctx {
	struct sim *s;
	struct iommu_domain *d;
	struct inv_range g;
	bool gathered;
	unsigned cpu;
	uint64_t now, inv_ps, pte_levels;
};

static void sim_unmapped_leaf(void *ctx, uint64_t leaf_iova, enum pgsize p)
{
	struct unmap_ctx *u = ctx;
	struct sim *s = u->s;
	struct tlb_entry *e = iotlb_peek(s->iotlb, u->d->id, leaf_iova, p);

	/* The PTE is gone; the IOTLB may translate it until the invalidation lands. */
	if (e)
		e->data |= SIM_DATA_STALE;
	if (s->curve)
		sim_curve_unmapped(s, u->d->id, leaf_iova, p);
	/* ...and so may every device TLB holding it, until its own invalidation lands. */
	for (unsigned i = 0; s->dt && i < devtlb_count(s->dt); i++) {
		e = iotlb_peek(devtlb_tlb(s->dt, i), u->d->id, leaf_iova, p);
		if (e)
			e->data |= SIM_DATA_STALE;
	}
	s->st.unmapped_leaves++;
	/* the leaf's entries (a contiguous one's each) and the levels above it */
	u->pte_levels += s->levels - s->fmt.level_of[p] +
			 (pgsize_bytes(p) >> s->fmt.level[s->fmt.level_of[p]].shift);
	/* iommu_iotlb_gather_add_page(): another page size or a gap syncs what is gathered. */
	if (u->gathered && (p != u->g.pgsize || leaf_iova != u->g.end)) {
		u->inv_ps += inv_unmapped(s->inv, &u->g, u->cpu, u->now);
		u->gathered = false;
	}
	if (!u->gathered) {
		u->g.start = u->g.end = leaf_iova;
		u->g.pgsize = p;
		u->g.dom = u->d->id;
		u->g.t_unmap = u->now;
		u->gathered = true;
	}
	u->g.end = leaf_iova + pgsize_bytes(p);
}

/* Unmap [iova, iova + size) of d: the page table, the gathers, the policy. CPU time, or 0. */
static uint64_t sim_unmap_range(struct sim *s, struct iommu_domain *d, uint64_t iova,
				uint64_t size, unsigned cpu, uint64_t now, uint64_t *bytes)
{
	struct unmap_ctx u = { .s = s, .d = d, .cpu = cpu, .now = now };

	*bytes = io_pgtable_unmap(d->pt, iova, size, sim_unmapped_leaf, &u);
	if (*bytes)
		/* iommu_unmap()'s final iotlb_sync (strict) or queueing (lazy, batched). */
		u.inv_ps += inv_unmapped(s->inv, &u.g, u.cpu, now);
	s->st.cpu_unmap_ps += u.pte_levels * s->pte_ps;
	return u.pte_levels * s->pte_ps + u.inv_ps;
}

struct remap_unmap_ctx {
	struct sim *s;
	struct iommu_domain *d;
	unsigned cpu;
	uint64_t now, cost, bytes;
};

static void sim_remap_run(void *ctx, uint64_t new_pfn, uint64_t pages)
{
	struct remap_unmap_ctx *c = ctx;
	uint64_t bytes;

	c->cost += sim_unmap_range(c->s, c->d, new_pfn << 12, pages << 12, c->cpu, c->now, &bytes);
	c->bytes += bytes;
}

/* An allocation's last page is unmapped: its IOVA returns once the invalidation is done. */
static void sim_remap_release(void *ctx, uint64_t pfn, uint64_t pages)
{
	struct remap_unmap_ctx *c = ctx;
	struct sim *s = c->s;

	if (s->nfrees == s->capfrees) {
		s->capfrees = s->capfrees ? 2 * s->capfrees : 64;
		s->frees = ism_xrealloc(s->frees, s->capfrees * sizeof(*s->frees));
	}
	s->frees[s->nfrees++] = (struct sim_free){ .start = pfn << 12, .end = (pfn + pages) << 12,
						   .pfn = pfn, .pages = pages, .dom = c->d->id,
						   .cpu = c->cpu };
}

/*
 * The host changes stage 2 (an UNMAP:S2 record): the leaves over [gpa, gpa+size) go, with
 * their stage-2 TLB and walk-cache entries. Combined entries (IOTLB, stage-1 walk caches,
 * device TLBs) hold no guest-physical address to find them by, so the host flushes all of the
 * VM's, as Linux's SMMUv3 driver follows a nesting parent's stage-2 invalidation with one of
 * every stage-1 entry of the VMID. A guest without an IOMMU has stage-2 translations in the
 * IOTLB, by guest-physical address: those over the range go. The host's CPU work is not the
 * guest's: no cost.
 */
static void sim_unmap_stage2(struct sim *s, const struct trace_rec *r, uint64_t now)
{
	uint64_t bytes;

	if (!s->s2)
		return; /* no VM: nothing to change */
	bytes = nested_s2_unmap(s->s2, r->iova, r->size);
	s->st.s2_unmaps++;
	s->st.s2_unmap_bytes += bytes;
	if (!bytes)
		return;
	s->st.s2_flushes++;
	if (!s->s1_none) {
		sim_inv_command(s, UINT32_MAX, INV_GRAN_GLOBAL, 0, 0, true, now);
		return;
	}
	iotlb_inv_range(s->iotlb, 0, r->iova, r->size, sim_inv_removed, s);
	if (s->mc)
		mclass_invalidate_range(s->mc, 0, r->iova, r->size);
	for (unsigned i = 0; s->dt && i < devtlb_count(s->dt); i++)
		s->st.dt_invalidated += devtlb_inv(s->dt, i, 0, false, false, r->iova,
						   r->iova + r->size);
}

uint64_t sim_unmap(struct sim *s, const struct trace_rec *r, uint64_t now)
{
	struct iommu_dev *v;
	struct iommu_domain *d;
	uint64_t bytes, cost = s->s1_none ? 0 : s->unmap_ps;

	if (TRACE_REC_STAGE2_UNMAP(r)) {
		sim_unmap_stage2(s, r, now);
		return 0;
	}
	v = sim_dev(s, r->device, r->pasid);

	s->st.cpu_unmap_ps += cost;
	if (v->dom == SIM_DOM_NONE) {
		s->st.unmap_missing++;
		return cost;
	}
	d = &s->doms[v->dom];
	if (s->s1_none) {
		/* dma-direct: nothing to undo, nothing to invalidate; the record of it goes */
		bytes = io_pgtable_unmap(d->pt, r->iova, r->size, NULL, NULL);
	} else if (d->rm) {
		struct remap_unmap_ctx c = { .s = s, .d = d, .cpu = r->cpu, .now = now };
		uint64_t first = r->iova >> 12, last = (r->iova + r->size - 1) >> 12;

		remap_remove(d->rm, first, last - first + 1, sim_remap_run, sim_remap_release, &c);
		cost += c.cost;
		bytes = c.bytes;
	} else {
		cost += sim_unmap_range(s, d, r->iova, r->size, r->cpu, now, &bytes);
	}
	if (!bytes) {
		s->st.unmap_missing++;
		return cost;
	}
	s->st.unmaps++;
	s->st.unmap_bytes += bytes;
	d->unmaps++;
	d->unmap_bytes += bytes;
	return cost;
}

/* An entry the real IOTLB lost to an invalidation: its next miss is an invalidation miss. */
static void sim_inv_removed(void *ctx, const struct tlb_entry *e)
{
	struct sim *s = ctx;

	s->st.inv_iotlb_entries++;
	if (s->mc)
		mclass_invalidate(s->mc, e->dom, e->tag, true);
}

/* The IOMMU side of every invalidation command, the OS's and the captured ones alike. */
/*
 * After the IOTLB, the device TLBs a command reaches. Micro TLBs sit in the IOMMU: the same
 * command empties them at once. An ATC is on the device: the IOMMU driver sends each device of
 * the domain an ATS Invalidate after the IOTLB command and waits for each to complete (VT-d's
 * qi_flush_dev_iotlb); the ATC keeps its entries until then. Returns the CPU's wait (ps).
 */
static uint64_t sim_devtlb_command(struct sim *s, uint32_t dom, enum inv_gran g, uint64_t start,
				   uint64_t end, uint64_t now)
{
	bool all = g == INV_GRAN_GLOBAL, whole = g == INV_GRAN_DOMAIN;
	unsigned n = devtlb_count(s->dt), i, sent = 0;
	uint64_t wait = 0;

	if (s->dt_kind == DEVTLB_MICRO) {
		for (i = 0; i < n; i++)
			s->st.dt_invalidated += devtlb_inv(s->dt, i, dom, all, whole, start, end);
		return 0;
	}
	for (i = 0; i < n; i++) {
		bool reached = all;

		/* the TLBs of the devices attached to dom now (a device's ATC, or a shared one) */
		for (uint32_t k = 0; !reached && dom < s->ndoms && k < s->doms[dom].ndevs; k++) {
			const struct iommu_dev *v = &s->devs[s->doms[dom].devs[k]];

			reached = v->dom == dom && v->tlb == i;
		}
		if (!reached)
			continue;
		sent++;
		wait += s->ats_inv_ps;
		if (s->npend == s->cappend) {
			s->cappend = s->cappend ? 2 * s->cappend : 16;
			s->pend = ism_xrealloc(s->pend, s->cappend * sizeof(*s->pend));
		}
		s->pend[s->npend++] = (struct sim_atc_inv){ .due = now + wait, .start = start,
							    .end = end, .tlb = i, .dom = dom,
							    .all = all, .whole_dom = whole };
		if (now + wait < s->pend_due)
			s->pend_due = now + wait;
	}
	s->st.ats_invs += sent;
	s->st.ats_wait_ps += wait;
	return wait;
}

static uint64_t sim_inv_command(void *ctx, uint32_t dom, enum inv_gran g, uint64_t start,
				uint64_t end, bool walk_caches, uint64_t now)
{
	struct sim *s = ctx;

	sim_fast_forget(s);
	if (g != INV_GRAN_GLOBAL && dom < s->ndoms)
		s->doms[dom].inv_commands++;
	if (s->curve)
		sim_curve_inv(s, dom, g, start, end, walk_caches);

	switch (g) {
	case INV_GRAN_GLOBAL:
		iotlb_inv_all(s->iotlb, sim_inv_removed, s);
		if (s->mc)
			mclass_invalidate_all(s->mc);
		if (s->wc)
			walk_cache_inv_all(s->wc);
		break;
	case INV_GRAN_DOMAIN:
		iotlb_inv_domain(s->iotlb, dom, sim_inv_removed, s);
		if (s->mc)
			mclass_invalidate_domain(s->mc, dom);
		if (s->wc)
			walk_cache_inv_domain(s->wc, dom);
		break;
	default:
		iotlb_inv_range(s->iotlb, dom, start, end - start, sim_inv_removed, s);
		if (s->mc)
			mclass_invalidate_range(s->mc, dom, start, end - start);
		if (s->wc && walk_caches)
			walk_cache_inv_range(s->wc, dom, start, end - start);
		break;
	}
	return s->dt ? sim_devtlb_command(s, dom, g, start, end, now) : 0;
}

/*
 * The invalidation owed for r is complete at `done`: IOVAs it covered go back to the
 * allocator now (Linux frees them after iotlb_sync, or when the flush queue entry's flush is
 * over), and with os.invalidation.stall_translations the domain's translations wait until then.
 */
static void sim_inv_completed(void *ctx, const struct inv_range *r, uint64_t done)
{
	struct sim *s = ctx;
	size_t i;

	if (s->stall && r->dom < s->ndoms && done > s->doms[r->dom].stall_until)
		s->doms[r->dom].stall_until = done;
	for (i = 0; i < s->nfrees;) {
		struct sim_free *f = &s->frees[i];

		if (f->dom == r->dom && f->start >= r->start && f->end <= r->end) {
			struct iommu_domain *d = &s->doms[f->dom];
			struct iova_stats before = *iova_domain_stats(d->iovad);
			uint64_t cost;

			iova_free(d->iovad, f->pfn >> s->granule_pfn_shift,
				  f->pages >> s->granule_pfn_shift, f->cpu, done);
			cost = sim_iova_cost(s, iova_domain_stats(d->iovad), &before);
			s->st.cpu_unmap_ps += cost;
			*f = s->frees[--s->nfrees];
			continue;
		}
		i++;
	}
}

/* An invalidation command replayed from a capture (INVAL record), at `now`. */
void sim_inval(struct sim *s, const struct trace_rec *r, uint64_t now)
{
	static const enum inv_gran gran[] = {
		[TRACE_INV_RANGE] = INV_GRAN_RANGE, [TRACE_INV_LEAF] = INV_GRAN_RANGE,
		[TRACE_INV_DOMAIN] = INV_GRAN_DOMAIN, [TRACE_INV_GLOBAL] = INV_GRAN_GLOBAL,
	};
	unsigned kind = r->flags & TRACE_INV_MASK;
	bool walk_caches = kind != TRACE_INV_LEAF;
	uint32_t dom;

	if (s->s1_none)
		return; /* a captured guest IOMMU's command: this guest has none */
	inv_count_capture(s->inv, gran[kind], walk_caches);
	if (kind == TRACE_INV_GLOBAL) {
		sim_inv_command(s, UINT32_MAX, INV_GRAN_GLOBAL, 0, 0, true, now);
		return;
	}
	/* A domain or device the trace has not used yet has nothing cached. */
	if (r->flags & TRACE_INV_BY_DOMAIN) {
		dom = trace_domain(s, r->domain, false);
	} else {
		struct iommu_dev *v = dev_find(s, r->device, r->pasid, false);

		dom = v ? v->dom : SIM_DOM_NONE;
	}
	if (dom != SIM_DOM_NONE)
		sim_inv_command(s, dom, gran[kind], r->iova, r->iova + r->size, walk_caches, now);
}

void sim_trace_block(struct sim *s, const struct trace_rec *recs, size_t n, uint64_t records)
{
	if (!n)
		return;
	if (!s->st.records)
		s->first_time_ns = recs[0].time_ns;
	s->last_time_ns = trace_rec_last_time(&recs[n - 1]);
	s->st.records += records;
}

bool sim_counts_runs(const struct sim *s)
{
	return s->fast_repeat;
}

/* One plain record, untimed (inlined in the loop, and in a run's, whose elements are few). */
static inline __attribute__((always_inline)) void sim_record(struct sim *s,
								  const struct trace_rec *r)
{
	/* Untimed, the trace's clock drives the invalidation timers and ATS Invalidates. */
	inv_advance(s->inv, r->time_ns * 1000);
	sim_devtlb_settle(s, r->time_ns * 1000);
	if (r->kind == TRACE_ACCESS) {
		sim_access(s, r);
		return;
	}
	sim_fast_forget(s);
	switch (r->kind) {
	case TRACE_MAP:
		sim_map(s, r, r->time_ns * 1000);
		break;
	case TRACE_UNMAP:
		sim_unmap(s, r, r->time_ns * 1000);
		break;
	case TRACE_INVAL:
		sim_inval(s, r, r->time_ns * 1000);
		break;
	case TRACE_ATTACH:
	case TRACE_DETACH:
		sim_attach(s, r);
		break;
	}
}

/*
 * Elements k on of a run (TRACE_RUN), the ones before replayed: when each would be one
 * request repeating the last hit (sim_translate()'s repeat path: the first element often
 * misses and fills, the second hits) and no timer or ATS Invalidate falls due by the last
 * one's time, counts them at once, as that path and sim_access() count them, and returns
 * true; else false, and the caller replays element k.
 */
static bool sim_run_rest(struct sim *s, const struct trace_rec *run, uint32_t k)
{
	struct iommu_dev *v = s->last_dev;
	uint64_t last = trace_rec_last_time(run), m, bytes;
	bool write = run->flags & TRACE_ACC_WRITE;
	uint8_t need = write ? TRACE_PERM_WRITE : TRACE_PERM_READ;

	if (v->device != run->device || v->pasid != run->pasid || v->dom == SIM_DOM_NONE ||
	    !sim_is_repeat(s, v, &s->doms[v->dom], run->iova) || s->s1_none || s->doms[v->dom].rm ||
	    run->size > (write ? s->cfg->device.max_payload : s->cfg->device.max_read_request) ||
	    last > UINT64_MAX / 1000 || last * 1000 >= inv_next_due(s->inv) ||
	    last * 1000 >= s->pend_due)
		return false;
	m = run->domain - k;
	bytes = m * run->size;
	sim_count_accesses(s, v, m, bytes, write);
	s->st.requests += m;
	sim_repeat_hits(s, v, m, bytes, need);
	return true;
}

/* A run (TRACE_RUN): its elements one by one, until the rest count at once. */
static void sim_run(struct sim *s, const struct trace_rec *run)
{
	struct trace_rec e;
	uint32_t k;

	for (k = 0; k < run->domain; k++) {
		if (k && sim_run_rest(s, run, k))
			return;
		trace_run_element(run, k, &e);
		sim_record(s, &e);
	}
}

void sim_records(struct sim *s, const struct trace_rec *recs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct trace_rec *r = &recs[i];

		/* the block was decoded on another core: ask for the records ahead early */
		if (i + 8 < n)
			__builtin_prefetch(&recs[i + 8]);
		if (r->kind == TRACE_RUN)
			sim_run(s, r);
		else
			sim_record(s, r);
	}
}

void sim_finish(struct sim *s)
{
	inv_finish(s->inv, s->last_time_ns * 1000);
	/* ATS Invalidates still on their way land: the trace's end waits for them as Linux does */
	if (s->npend)
		sim_devtlb_settle_slow(s, UINT64_MAX);
}

const struct sim_stats *sim_stats(struct sim *s)
{
	s->st.evictions = tlb_cache_evictions(iotlb_cache(s->iotlb));
	s->st.set_flushes = tlb_cache_set_flushes(iotlb_cache(s->iotlb));
	if (s->wc) {
		const struct walk_cache_stats *ws = walk_cache_stats(s->wc);

		memcpy(s->st.pwc_hits, ws->hits, sizeof(s->st.pwc_hits));
		memcpy(s->st.pwc_misses, ws->misses, sizeof(s->st.pwc_misses));
		memcpy(s->st.pwc_invalidated, ws->invalidated, sizeof(s->st.pwc_invalidated));
	}
	if (s->s2) {
		const struct nested_s2_stats *ns = nested_s2_stats(s->s2);
		const struct walk_cache_stats *ws = nested_s2_walk_cache_stats(s->s2);

		s->st.s2_translations = ns->translations;
		s->st.s2_walks = ns->walks;
		s->st.s2_tlb_lookups = ns->tlb_lookups;
		s->st.s2_tlb_hits = ns->tlb_hits;
		s->st.s2_tlb_misses = ns->tlb_lookups - ns->tlb_hits;
		s->st.s2_tlb_invalidated = ns->tlb_invalidated;
		s->st.vm_exits = s->inv->st.vm_exits;
		if (ws) {
			memcpy(s->st.pwc2_hits, ws->hits, sizeof(s->st.pwc2_hits));
			memcpy(s->st.pwc2_misses, ws->misses, sizeof(s->st.pwc2_misses));
			memcpy(s->st.pwc2_invalidated, ws->invalidated,
			       sizeof(s->st.pwc2_invalidated));
		}
	}
	if (s->curve && s->point >= 0)
		return sim_curve_point_stats(s, (size_t)s->point);
	return &s->st;
}

const struct io_pgtable_fmt *sim_format(const struct sim *s)
{
	return &s->fmt;
}

bool sim_beyond_note(const struct sim *s, char *buf, size_t n)
{
	uint64_t reqs = s->st.faults_beyond, maps = s->st.map_beyond;

	if (!reqs && !maps)
		return false;
	snprintf(buf, n, "%llu request%s and %llu MAP%s reach beyond the %s table's %u-bit input "
		 "(the first: IOVA 0x%llx of domain %s): the requests fault "
		 "(faults_by_kind.beyond_input), the MAPs fail (os.maps_beyond_input)",
		 (unsigned long long)reqs, reqs == 1 ? "" : "s", (unsigned long long)maps,
		 maps == 1 ? "" : "s", s->fmt.ops->name, s->fmt.ia_bits,
		 (unsigned long long)s->beyond_iova,
		 s->beyond_dom < s->ndoms ? s->doms[s->beyond_dom].name : "?");
	return true;
}

bool sim_refused_note(const struct sim *s, char *buf, size_t n)
{
	uint64_t refused = s->st.map_failed - s->st.map_beyond;

	if (!refused || !s->refused_why)
		return false;
	snprintf(buf, n, "%llu MAP%s refused (os.map_failed); the first, at %llu ns, device %s "
		 "IOVA 0x%llx: %s", (unsigned long long)refused, refused == 1 ? "" : "s",
		 (unsigned long long)s->refused_time_ns,
		 trace_format_device(s->refused_device, true, (char[32]){ 0 }, 32),
		 (unsigned long long)s->refused_iova, s->refused_why);
	return true;
}

double sim_os_cpu_ns(const struct sim *s)
{
	return ((double)s->st.cpu_map_ps + (double)s->st.cpu_unmap_ps +
		(double)s->inv->st.cpu_inv_ps + (double)s->st.cpu_stack_ps) / 1e3;
}

uint64_t sim_pagetable_bytes(const struct sim *s)
{
	uint64_t n = s->s2 ? nested_s2_table_bytes(s->s2) : 0;
	uint32_t i;

	/* a guest without an IOMMU has no tables: its domains' only record its buffers */
	for (i = 0; i < s->ndoms && !s->s1_none; i++)
		n += io_pgtable_table_bytes(s->doms[i].pt);
	return n;
}

uint32_t sim_page_sizes(const struct sim *s)
{
	return s->fmt.page_sizes | s->tlb_sizes;
}

double sim_trace_span_ns(const struct sim *s)
{
	return (double)(s->last_time_ns - s->first_time_ns);
}

/*
 * domains.NAME: what is per address space. Its devices (every device ever attached), maps and
 * unmaps, the page-table memory it holds and the invalidation commands that named it.
 */
static void sim_domains_to_json(const struct sim *s, json_t *root)
{
	json_t *all = json_object();
	uint32_t i, k;

	for (i = 0; i < s->ndoms; i++) {
		const struct iommu_domain *d = &s->doms[i];
		json_t *o = json_object(), *devs = json_array();

		for (k = 0; k < d->ndevs; k++) {
			char name[48];

			dev_name(s->devs[d->devs[k]].device, s->devs[d->devs[k]].pasid, name,
				 sizeof(name));
			json_array_append_new(devs, json_string(name));
		}
		json_object_set_new(o, "devices", devs);
		json_object_set_new(o, "maps", json_integer((json_int_t)d->maps));
		json_object_set_new(o, "map_bytes", json_integer((json_int_t)d->map_bytes));
		json_object_set_new(o, "unmaps", json_integer((json_int_t)d->unmaps));
		json_object_set_new(o, "unmap_bytes", json_integer((json_int_t)d->unmap_bytes));
		json_object_set_new(o, "pagetable_bytes",
				    json_integer((json_int_t)io_pgtable_table_bytes(d->pt)));
		json_object_set_new(o, "invalidation_commands",
				    json_integer((json_int_t)d->inv_commands));
		if (json_object_get(all, d->name)) {
			/* a group named like a device or a trace's id: keep both */
			char name[64];

			snprintf(name, sizeof(name), "%s#%u", d->name, d->id);
			json_object_set_new(all, name, o);
		} else {
			json_object_set_new(all, d->name, o);
		}
	}
	json_object_set_new(root, "domains", all);
}

/* device_tlb.* (and ats.*): the level in front of the IOTLB, overall and per device. */
static void sim_devtlb_to_json(const struct sim *s, json_t *root)
{
	json_t *by = json_object();
	uint32_t i;

	stats_json_put(root, "device_tlb.kind", json_string(devtlb_kind_names[s->dt_kind]));
	stats_json_put(root, "device_tlb.tlbs", json_integer(devtlb_count(s->dt)));
	stats_json_put(root, "device_tlb.lookups", json_integer((json_int_t)s->st.dt_lookups));
	stats_json_put(root, "device_tlb.hits", json_integer((json_int_t)s->st.dt_hits));
	stats_json_put(root, "device_tlb.misses", json_integer((json_int_t)s->st.dt_misses));
	stats_json_put(root, "device_tlb.miss_rate",
		       json_real(s->st.dt_lookups ? (double)s->st.dt_misses /
							(double)s->st.dt_lookups : 0.0));
	stats_json_put(root, "device_tlb.evictions",
		       json_integer((json_int_t)devtlb_evictions(s->dt)));
	stats_json_put(root, "device_tlb.invalidated",
		       json_integer((json_int_t)s->st.dt_invalidated));
	stats_json_put(root, "device_tlb.stale_hits",
		       json_integer((json_int_t)s->st.dt_stale_hits));
	for (i = 0; i < s->ndevs; i++) {
		const struct iommu_dev *v = &s->devs[i];
		json_t *o;
		char name[48];

		if (!v->dt_lookups)
			continue;
		dev_name(v->device, v->pasid, name, sizeof(name));
		o = json_object();
		json_object_set_new(o, "lookups", json_integer((json_int_t)v->dt_lookups));
		json_object_set_new(o, "hits", json_integer((json_int_t)v->dt_hits));
		json_object_set_new(o, "misses", json_integer((json_int_t)(v->dt_lookups -
									   v->dt_hits)));
		json_object_set_new(o, "stale_hits", json_integer((json_int_t)v->dt_stale_hits));
		json_object_set_new(by, name, o);
	}
	stats_json_put(root, "device_tlb.by_device", by);
	if (s->dt_kind != DEVTLB_ATS)
		return;
	stats_json_put(root, "ats.translation_requests", json_integer((json_int_t)s->st.ats_trs));
	stats_json_put(root, "ats.invalidations", json_integer((json_int_t)s->st.ats_invs));
	stats_json_put(root, "ats.inv_wait_ns", json_real((double)s->st.ats_wait_ps / 1e3));
}

void sim_os_to_json(struct sim *s, uint64_t sim_time_ps, json_t *root)
{
	const struct sim_stats *st = sim_stats(s);
	double total = sim_os_cpu_ns(s);
	json_t *by = json_object();
	uint32_t i;

	inv_to_json(s->inv, root);
	stats_json_put(root, "cpu.map_ns", json_real((double)st->cpu_map_ps / 1e3));
	stats_json_put(root, "cpu.unmap_ns", json_real((double)st->cpu_unmap_ps / 1e3));
	stats_json_put(root, "cpu.stack_ns", json_real((double)st->cpu_stack_ps / 1e3));
	stats_json_put(root, "cpu.total_ns", json_real(total));
	stats_json_put(root, "cpu.ns_per_dma_byte",
		       json_real(st->access_bytes ? total / (double)st->access_bytes : 0.0));
	if (sim_time_ps)
		stats_json_put(root, "cpu.cores", json_real(total * 1e3 / (double)sim_time_ps));
	{
		/* Per second of simulated time (timed), else of the trace's own time span. */
		const struct inv_stats *is = &s->inv->st;
		double span_s = sim_time_ps ? (double)sim_time_ps * 1e-12
					    : (double)(s->last_time_ns - s->first_time_ns) * 1e-9;
		uint64_t cmds = 0, flushes = is->flushes_full + is->flushes_timer +
					     is->flushes_count + is->flushes_end;
		unsigned g;

		for (g = 0; g < INV_GRAN_NR; g++)
			cmds += is->commands[g];
		stats_json_put(root, "invalidation.commands_per_s",
			       json_real(span_s > 0 ? (double)cmds / span_s : 0.0));
		stats_json_put(root, "invalidation.flushes_per_s",
			       json_real(span_s > 0 ? (double)flushes / span_s : 0.0));
	}
	for (i = 0; i < s->ndevs; i++) {
		uint64_t hits = s->curve && s->point >= 0 ? sim_curve_stale_by(s, (size_t)s->point, i)
							   : s->devs[i].stale_hits;
		char key[48];

		if (!hits)
			continue;
		dev_name(s->devs[i].device, s->devs[i].pasid, key, sizeof(key));
		json_object_set_new(by, key, json_integer((json_int_t)hits));
	}
	stats_json_put(root, "stale.by_device", by);
	if (s->s2) {
		const struct io_pgtable_fmt *f = nested_s2_fmt(s->s2);

		stats_nested_to_json(st, f->levels, root);
		stats_json_put(root, "nested.guest_inv_wait_ns",
			       json_real((double)s->inv->st.guest_wait_ps / 1e3));
		stats_json_put(root, "nested.stage2.pagetable_bytes",
			       json_integer((json_int_t)nested_s2_table_bytes(s->s2)));
		stats_json_put(root, "nested.stage2.format", json_string(f->ops->name));
		stats_json_put(root, "nested.stage2.levels", json_integer(f->levels));
		stats_json_put(root, "nested.stage2.page_size",
			       json_string(pgsize_names[s->cfg->iommu.nested.stage2.page_size]));
	}
	sim_domains_to_json(s, root);
	if (s->dt)
		sim_devtlb_to_json(s, root);
	if (s->remap_ops) {
		size_t k;

		/* The allocator's counters, summed over the domains that had MAPs. */
		for (k = 0; k < iova_stat_table_len; k++) {
			char name[96];
			uint64_t sum = 0;

			for (i = 0; i < s->ndoms; i++)
				if (s->doms[i].iovad)
					sum += iova_stat_value(iova_domain_stats(s->doms[i].iovad),
							       &iova_stat_table[k]);
			snprintf(name, sizeof(name), "iova.%s", iova_stat_table[k].name);
			stats_json_put(root, name, json_integer((json_int_t)sum));
		}
	}
}

void sim_os_print_text(struct sim *s, uint64_t sim_time_ps, FILE *fp)
{
	if (s->s2) {
		const struct sim_stats *st = sim_stats(s);
		const struct io_pgtable_fmt *f = nested_s2_fmt(s->s2);
		const char *sep = " ";

		fprintf(fp, "  nested    %s; stage 2 %s, %u levels, %s host pages; walk references "
			    "stage 1 %llu, stage 2 %llu (%llu stage-2 walks)\n",
			s->s1_none ? "no guest IOMMU" : s->cfg->os.nested.invalidation == NESTED_INV_HW
								 ? "guest invalidations hw"
								 : "guest invalidations trap",
			f->ops->name, f->levels,
			pgsize_names[s->cfg->iommu.nested.stage2.page_size],
			(unsigned long long)st->walk_refs_s1, (unsigned long long)st->walk_refs_s2,
			(unsigned long long)st->s2_walks);
		fprintf(fp, "  stage 2   walk caches (hits of probes):");
		for (unsigned l = 2; l <= f->levels; l++) {
			uint64_t probes = st->pwc2_hits[l] + st->pwc2_misses[l];

			if (!s->cfg->iommu.nested.stage2.walk_cache[l].entries)
				continue;
			fprintf(fp, "%sL%u %.1f%% of %llu", sep, l,
				probes ? 100.0 * (double)st->pwc2_hits[l] / (double)probes : 0.0,
				(unsigned long long)probes);
			sep = ", ";
		}
		fprintf(fp, "%s; TLB ", sep[0] == ' ' ? " none" : "");
		if (s->cfg->iommu.nested.stage2.tlb.entries)
			fprintf(fp, "%llu hits of %llu", (unsigned long long)st->s2_tlb_hits,
				(unsigned long long)st->s2_tlb_lookups);
		else
			fprintf(fp, "none");
		fprintf(fp, "; %llu faults\n", (unsigned long long)st->faults_stage2);
		if (!s->s1_none)
			fprintf(fp, "  guest     invalidation wait %.1f us, %llu VM exits\n",
				(double)s->inv->st.guest_wait_ps / 1e6,
				(unsigned long long)st->vm_exits);
	}
	if (s->dt) {
		fprintf(fp, "  dev TLB   %s, %u TLBs: %llu lookups, %llu hits, %llu misses (%.3f%%), "
			    "%llu stale hits", devtlb_kind_names[s->dt_kind], devtlb_count(s->dt),
			(unsigned long long)s->st.dt_lookups, (unsigned long long)s->st.dt_hits,
			(unsigned long long)s->st.dt_misses,
			s->st.dt_lookups ? 100.0 * (double)s->st.dt_misses /
						   (double)s->st.dt_lookups
					 : 0.0,
			(unsigned long long)s->st.dt_stale_hits);
		if (s->dt_kind == DEVTLB_ATS)
			fprintf(fp, "; ATS %llu translation requests, %llu invalidations (%.1f us "
				    "waited)", (unsigned long long)s->st.ats_trs,
				(unsigned long long)s->st.ats_invs, (double)s->st.ats_wait_ps / 1e6);
		fprintf(fp, "\n");
	}
	const struct inv_stats *is = &s->inv->st;
	const struct sim_stats *st = sim_stats(s);
	double inv_ns = (double)is->cpu_inv_ps / 1e3;
	double total = sim_os_cpu_ns(s);

	fprintf(fp, "  invalid.  %s: %llu page, %llu range, %llu domain, %llu global commands; "
		    "%llu IOTLB entries\n",
		s->inv->ops->name, (unsigned long long)is->commands[INV_GRAN_PAGE],
		(unsigned long long)is->commands[INV_GRAN_RANGE],
		(unsigned long long)is->commands[INV_GRAN_DOMAIN],
		(unsigned long long)is->commands[INV_GRAN_GLOBAL],
		(unsigned long long)st->inv_iotlb_entries);
	fprintf(fp, "  stale     %llu hits (%llu bytes); window from unmap to invalidation p50 %.1f ns, "
		    "p99 %.1f ns, max %.1f ns\n",
		(unsigned long long)st->stale_hits, (unsigned long long)st->stale_bytes,
		(double)hist_quantile(&s->inv->window, 0.5) / 1e3,
		(double)hist_quantile(&s->inv->window, 0.99) / 1e3,
		(double)(s->inv->window.count ? s->inv->window.max : 0) / 1e3);
	fprintf(fp, "  CPU       map %.1f us, unmap %.1f us, invalidation %.1f us",
		(double)st->cpu_map_ps / 1e6, (double)st->cpu_unmap_ps / 1e6, inv_ns / 1e3);
	if (sim_time_ps)
		fprintf(fp, "; %.3f cores", total * 1e3 / (double)sim_time_ps);
	fprintf(fp, "\n");
}

void sim_print_os_reference(FILE *fp)
{
	size_t k;

	stats_nested_print_reference(fp);
	inv_print_reference(fp);
	fprintf(fp, "| `cpu.map_ns` | CPU time of MAPs: the DMA API call, IOVA allocation, page-table writes |\n"
		    "| `cpu.unmap_ns` | CPU time of UNMAPs besides invalidation: the call, page-table writes, IOVA frees |\n"
		    "| `cpu.stack_ns` | os.cost.stack_ns per MAP: the driver and stack work any system does (included in cpu.total_ns, and in every baseline's) |\n"
		    "| `cpu.total_ns` | map + unmap + invalidation |\n"
		    "| `cpu.ns_per_dma_byte` | cpu.total_ns / dma.bytes |\n"
		    "| `cpu.cores` | timed: cpu.total_ns / simulated time, the cores the OS side needs at this throughput |\n"
		    "| `stale.by_device.BDF` | stale hits per device (BDF/pasid-N with a PASID) |\n"
		    "| `device_tlb.{kind,tlbs}` | with `iommu.device_tlb.kind` other than none: the level in front of the IOTLB (micro or ats) and how many TLBs it has (one per device, or per share group) |\n"
		    "| `device_tlb.{lookups,hits,misses}` | lookups in the device TLBs (one per PCIe request of an attached device): with micro, `iotlb.lookups` = `device_tlb.misses`; with ats, a hit bypasses the IOMMU |\n"
		    "| `device_tlb.miss_rate` | `device_tlb.misses` / `device_tlb.lookups` (0 with no lookup) |\n"
		    "| `device_tlb.evictions` | entries the device TLBs' fills displaced |\n"
		    "| `device_tlb.invalidated` | entries invalidation commands removed from them (micro: with each IOTLB command; ats: when each ATS Invalidate lands) |\n"
		    "| `device_tlb.stale_hits` | their hits on a translation already unmapped (also in `stale.hits` and `stale.by_device`): an ATC keeps a stale entry until its ATS Invalidate lands |\n"
		    "| `device_tlb.by_device.BDF.{lookups,hits,misses,stale_hits}` | the same per device |\n"
		    "| `ats.translation_requests` | ats: Translation Requests the devices sent (their ATC misses) |\n"
		    "| `ats.invalidations` | ats: ATS Invalidates sent, one per device of the domain per invalidation command (all devices for a global one) |\n"
		    "| `ats.inv_wait_ns` | ats: the CPU's wait for them (`os.cost.ats_inv_ns` each), part of `cpu.invalidation_ns` |\n"
		    "| `domains.NAME.devices` | the devices ever attached to domain NAME (NAME: the trace's domain id for ATTACH records, the group of `os.domains`, `single`, or, per device, the device's BDF) |\n"
		    "| `domains.NAME.{maps,map_bytes,unmaps,unmap_bytes}` | the MAP and UNMAP records that changed NAME's page table |\n"
		    "| `domains.NAME.pagetable_bytes` | the page-table memory NAME holds at the end (4 KiB per table page) |\n"
		    "| `domains.NAME.invalidation_commands` | page, range and domain invalidation commands that named NAME (the policy's and captured ones; global commands name no domain) |\n");
	fprintf(fp, "\n## IOVA allocation (`iova.remap` other than none), summed over domains\n\n"
		    "| result key | meaning |\n|---|---|\n");
	for (k = 0; k < iova_stat_table_len; k++)
		fprintf(fp, "| `iova.%s` | %s |\n", iova_stat_table[k].name, iova_stat_table[k].help);
}
