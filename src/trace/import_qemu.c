/* The QEMU importer: -trace logs of the VT-d, SMMUv3 and virtio-iommu models into records. */
#include <string.h>

#include "import.h"

#define PAGE_SHIFT_4K 12
#define VTD_SID_MAX 0xffffu
#define VTD_DOMAIN_MAX 0xffffu
#define VTD_BUS_MAX 0xffu
#define VTD_DEVFN_MAX 0xffu
#define VTD_CE_DID_SHIFT 8 /* a legacy context entry's domain id: bits 23:8 of its high word */
/* A page-selective invalidation's mask is below 64 - 12: its range must fit in 64 bits. */
#define VTD_AM_LIMIT 52
#define VTD_SLPTE_R 0x1
#define VTD_SLPTE_W 0x2
#define VTD_DESC_IH_SHIFT 6 /* the invalidation hint, bit 6 of an IOTLB descriptor's high word */
/* QEMU's IOMMUAccessFlags: IOMMU_RO 1, IOMMU_WO 2, IOMMU_RW 3. */
#define QEMU_IOMMU_RO 0x1
#define QEMU_IOMMU_WO 0x2
/* virtio-iommu MAP request flags. */
#define VIOMMU_MAP_F_READ 0x1
#define VIOMMU_MAP_F_WRITE 0x2
#define SMMU_ASID_ALL (-1) /* TLBI_NH_VAA: the range in every address space */
#define SMMU_TG_MAX 3

struct qemu_state {
	bool have_base, no_timestamps;
	uint64_t base, now; /* the first stamp (absolute), the line's time */
	/* the domain each device is in, per IOMMU: VT-d domain ids, SMMU ASIDs, virtio domains */
	struct import_domains *vtd_domains, *smmu_asids, *viommu_domains;
	uint64_t unconfirmed; /* hit/update lines still waiting for their vtd_dmar_translate */
	bool ih_valid;        /* the last descriptor was an IOTLB one: ih is its hint bit */
	bool ih;
	bool vtd_scalable; /* the root table is in scalable mode: a context entry has no DID */
	bool asid_valid;   /* an SMMU IOTLB lookup named asid for the next translation */
	uint32_t asid;
	uint64_t accesses, writes, direction_unknown, translate_only, attaches, detaches;
	uint64_t inv_emitted[4], inv_commands[4], inv_unused;
	uint64_t maps, unmaps, maps_unresolved, maps_no_perm;
};

typedef int (*qemu_handler)(struct qemu_state *s, struct import_ctx *c, const char *msg,
			    size_t len, struct ism_err *err);

struct qemu_event {
	const char *name;
	qemu_handler handle;
	const char *fields; /* what a malformed line lacks, for the message */
};

/* What a log line says of an access's direction. */
enum qemu_dir { DIR_READ, DIR_WRITE, DIR_UNKNOWN };

static int emit(struct import_ctx *c, struct qemu_state *s, struct trace_rec *r,
		struct ism_err *err)
{
	r->time_ns = s->now;
	return import_emit(c, r, err);
}

/*
 * One translation request: one page-bounded access at the requested address. The log gives
 * the page's permissions, not what the device did: a page that permits both is taken as a read.
 */
static int access(struct qemu_state *s, struct import_ctx *c, uint32_t device, uint64_t iova,
		  enum qemu_dir dir, struct ism_err *err)
{
	uint64_t room = IMPORT_PAGE_BYTES - (iova & (IMPORT_PAGE_BYTES - 1));
	struct trace_rec r = { .kind = TRACE_ACCESS, .device = device, .pasid = TRACE_PASID_NONE,
			       .iova = iova };

	r.size = c->opts->access_size < room ? c->opts->access_size : room;
	r.flags = dir == DIR_WRITE ? TRACE_ACC_WRITE : 0;
	s->accesses++;
	s->writes += dir == DIR_WRITE;
	s->direction_unknown += dir == DIR_UNKNOWN;
	return emit(c, s, &r, err);
}

/* The direction of an access to a page of these permissions (read, write bits). */
static enum qemu_dir perm_dir(bool read, bool write)
{
	return read == write ? DIR_UNKNOWN : write ? DIR_WRITE : DIR_READ;
}

/* The device is in `domain` from now on: an ATTACH when that is news. */
static int attach(struct qemu_state *s, struct import_ctx *c, struct import_domains *m,
		  uint32_t device, uint32_t domain, struct ism_err *err)
{
	struct trace_rec r = { .kind = TRACE_ATTACH, .device = device, .pasid = TRACE_PASID_NONE,
			       .domain = domain };

	if (!import_domains_attach(m, device, domain))
		return 0;
	s->attaches++;
	return emit(c, s, &r, err);
}

/* One INVAL of `domain` (the capture's id: a VT-d domain id, an SMMU ASID). */
static int inval_domain(struct qemu_state *s, struct import_ctx *c, uint32_t domain,
			unsigned gran, uint64_t iova, uint64_t size, struct ism_err *err)
{
	struct trace_rec r = { .kind = TRACE_INVAL, .pasid = TRACE_PASID_NONE, .domain = domain };

	r.flags = (uint8_t)(gran | TRACE_INV_BY_DOMAIN);
	if (gran != TRACE_INV_DOMAIN) {
		r.iova = iova;
		r.size = size;
	}
	s->inv_emitted[gran]++;
	return emit(c, s, &r, err);
}

/*
 * An invalidation command: of `domain`, of every domain a device joined (`every`: SMMU
 * TLBI_NH_VAA), or of everything (global). Commands name domains, not devices, so one reaches
 * a domain's entries whatever devices have left it since.
 */
static int inval(struct qemu_state *s, struct import_ctx *c, struct import_domains *m,
		 uint32_t domain, bool every, unsigned gran, uint64_t iova, uint64_t size,
		 struct ism_err *err)
{
	struct trace_rec r = { .kind = TRACE_INVAL, .pasid = TRACE_PASID_NONE };
	size_t it = 0;
	bool any = false;

	s->inv_commands[gran]++;
	if (gran == TRACE_INV_GLOBAL) {
		r.flags = TRACE_INV_GLOBAL;
		s->inv_emitted[gran]++;
		return emit(c, s, &r, err);
	}
	if (!every) {
		/* No translation was made in it yet, so nothing of it can be cached. */
		s->inv_unused += !import_domains_seen(m, domain);
		return inval_domain(s, c, domain, gran, iova, size, err);
	}
	while (import_domains_next(m, &it, &domain)) {
		any = true;
		if (inval_domain(s, c, domain, gran, iova, size, err))
			return -1;
	}
	s->inv_unused += !any;
	return 0;
}

static int field(const char *msg, size_t len, const char *key, int base, uint64_t max,
		 uint64_t *v)
{
	return import_field(msg, len, key, base, v) || *v > max ? -1 : 0;
}

/* ---- Intel VT-d (hw/i386/intel_iommu.c) ---- */

static int vtd_page(struct qemu_state *s, struct import_ctx *c, const char *msg, size_t len,
		    struct ism_err *err)
{
	uint64_t sid, iova, slpte, domain;

	if (field(msg, len, "sid", 16, VTD_SID_MAX, &sid) ||
	    field(msg, len, "iova", 16, UINT64_MAX, &iova) ||
	    field(msg, len, "slpte", 16, UINT64_MAX, &slpte) ||
	    field(msg, len, "domain", 16, VTD_DOMAIN_MAX, &domain))
		return 1;
	s->unconfirmed++;
	if (attach(s, c, s->vtd_domains, (uint32_t)sid, (uint32_t)domain, err))
		return -1;
	return access(s, c, (uint32_t)sid, iova, perm_dir(slpte & VTD_SLPTE_R, slpte & VTD_SLPTE_W),
		      err);
}

/*
 * A context entry QEMU looked up or fetched for a request that missed its IOTLB: in legacy
 * mode its high word holds the device's domain id (VTD_CONTEXT_ENTRY_DID).
 */
static int vtd_context(struct qemu_state *s, struct import_ctx *c, const char *msg, size_t len,
		       struct ism_err *err)
{
	uint64_t bus, devfn, high;

	if (field(msg, len, "bus", 16, VTD_BUS_MAX, &bus) ||
	    field(msg, len, "devfn", 16, VTD_DEVFN_MAX, &devfn) ||
	    field(msg, len, "high", 16, UINT64_MAX, &high))
		return 1;
	if (s->vtd_scalable)
		return 0;
	return attach(s, c, s->vtd_domains, (uint32_t)(bus << 8 | devfn),
		      (uint32_t)(high >> VTD_CE_DID_SHIFT & VTD_DOMAIN_MAX), err);
}

/* The guest set the root table: "scalable 1" puts domain ids in PASID entries instead. */
static int vtd_root(struct qemu_state *s, struct import_ctx *c, const char *msg, size_t len,
		    struct ism_err *err)
{
	uint64_t scalable;

	if (field(msg, len, "scalable", 10, 1, &scalable))
		return 1;
	s->vtd_scalable = scalable;
	return 0;
}

static int vtd_translate(struct qemu_state *s, struct import_ctx *c, const char *msg, size_t len,
			 struct ism_err *err)
{
	/* The result of the request a hit/update line already imported; alone, a passthrough. */
	if (s->unconfirmed)
		s->unconfirmed--;
	else
		s->translate_only++;
	return 0;
}

static int vtd_desc(struct qemu_state *s, struct import_ctx *c, const char *msg, size_t len,
		    struct ism_err *err)
{
	static const char type[] = "type iotlb ";
	const char *t = memmem(msg, len, type, sizeof(type) - 1);
	uint64_t high;

	s->ih_valid = false;
	if (!t)
		return 0;
	if (import_field(msg, len, "high", 16, &high))
		return 1;
	s->ih_valid = true;
	s->ih = high >> VTD_DESC_IH_SHIFT & 1;
	return 0;
}

static int vtd_pages(struct qemu_state *s, struct import_ctx *c, const char *msg, size_t len,
		     struct ism_err *err)
{
	uint64_t domain, addr, mask, size;
	bool leaf = s->ih_valid && s->ih;

	s->ih_valid = false;
	if (field(msg, len, "domain", 16, VTD_DOMAIN_MAX, &domain) ||
	    field(msg, len, "addr", 16, UINT64_MAX, &addr) ||
	    field(msg, len, "mask", 16, VTD_AM_LIMIT - 1, &mask))
		return 1;
	size = (uint64_t)IMPORT_PAGE_BYTES << mask;
	/* The hardware ignores the address bits below the (naturally aligned) range. */
	addr &= ~(size - 1);
	return inval(s, c, s->vtd_domains, (uint32_t)domain, false,
		     leaf ? TRACE_INV_LEAF : TRACE_INV_RANGE, addr, size, err);
}

static int vtd_domain(struct qemu_state *s, struct import_ctx *c, const char *msg, size_t len,
		      struct ism_err *err)
{
	uint64_t domain;

	if (field(msg, len, "domain", 16, VTD_DOMAIN_MAX, &domain))
		return 1;
	return inval(s, c, s->vtd_domains, (uint32_t)domain, false, TRACE_INV_DOMAIN, 0, 0, err);
}

static int vtd_global(struct qemu_state *s, struct import_ctx *c, const char *msg, size_t len,
		      struct ism_err *err)
{
	return inval(s, c, s->vtd_domains, 0, true, TRACE_INV_GLOBAL, 0, 0, err);
}

/* ---- Arm SMMUv3 (hw/arm/smmuv3.c, smmu-common.c) ---- */

static int smmu_lookup(struct qemu_state *s, struct import_ctx *c, const char *msg, size_t len,
		       struct ism_err *err)
{
	int64_t asid;

	if (import_field_s64(msg, len, "asid", &asid) || asid < 0 || asid > UINT32_MAX)
		return 1;
	s->asid_valid = true;
	s->asid = (uint32_t)asid;
	return 0;
}

static int smmu_translate(struct qemu_state *s, struct import_ctx *c, const char *msg,
			  size_t len, struct ism_err *err)
{
	uint64_t sid, iova, perm;
	bool asid_valid = s->asid_valid;

	if (field(msg, len, "sid", 0, UINT32_MAX, &sid) ||
	    field(msg, len, "iova", 0, UINT64_MAX, &iova) ||
	    field(msg, len, "perm", 0, UINT64_MAX, &perm))
		return 1;
	s->asid_valid = false;
	/* The IOTLB lookup just before named the address space this stream uses now. */
	if (asid_valid && attach(s, c, s->smmu_asids, (uint32_t)sid, s->asid, err))
		return -1;
	return access(s, c, (uint32_t)sid, iova,
		      perm_dir(perm & QEMU_IOMMU_RO, perm & QEMU_IOMMU_WO), err);
}

static int smmu_asid_of(const char *msg, size_t len, int64_t *asid)
{
	return import_field_s64(msg, len, "asid", asid) || *asid < SMMU_ASID_ALL ||
			       *asid > UINT32_MAX ?
		       -1 :
		       0;
}

static int smmu_range(struct qemu_state *s, struct import_ctx *c, const char *msg, size_t len,
		      struct ism_err *err)
{
	uint64_t addr, tg, pages = 1, leaf = 0, size;
	unsigned granule;
	int64_t asid;

	if (smmu_asid_of(msg, len, &asid) || field(msg, len, "addr", 0, UINT64_MAX, &addr) ||
	    field(msg, len, "tg", 10, SMMU_TG_MAX, &tg))
		return 1;
	if (import_field(msg, len, "num_pages", 0, &pages) == 0 && pages == 0)
		return 1;
	import_field(msg, len, "leaf", 10, &leaf);
	/* TG 1, 2, 3: 4K, 16K, 64K granules; 0 (no range): the one page holding addr, as 4K. */
	granule = tg ? 10 + 2 * (unsigned)tg : PAGE_SHIFT_4K;
	if (pages > UINT64_MAX >> granule)
		return 1;
	size = pages << granule;
	addr &= ~((1ull << granule) - 1);
	if (addr > UINT64_MAX - size)
		return 1;
	return inval(s, c, s->smmu_asids, (uint32_t)asid, asid == SMMU_ASID_ALL,
		     leaf ? TRACE_INV_LEAF : TRACE_INV_RANGE, addr, size, err);
}

/* QEMU before 6.0: one page per command, "vmid =%d asid =%d addr=0x%x leaf=%d". */
static int smmu_va(struct qemu_state *s, struct import_ctx *c, const char *msg, size_t len,
		   struct ism_err *err)
{
	uint64_t addr, leaf = 0;
	int64_t asid = SMMU_ASID_ALL;

	if (field(msg, len, "addr", 0, UINT64_MAX - IMPORT_PAGE_BYTES, &addr))
		return 1;
	if (memmem(msg, len, "asid", 4) && smmu_asid_of(msg, len, &asid))
		return 1;
	import_field(msg, len, "leaf", 10, &leaf);
	addr &= ~(uint64_t)(IMPORT_PAGE_BYTES - 1);
	return inval(s, c, s->smmu_asids, (uint32_t)asid, asid == SMMU_ASID_ALL,
		     leaf ? TRACE_INV_LEAF : TRACE_INV_RANGE, addr, IMPORT_PAGE_BYTES, err);
}

static int smmu_asid(struct qemu_state *s, struct import_ctx *c, const char *msg, size_t len,
		     struct ism_err *err)
{
	int64_t asid;

	if (smmu_asid_of(msg, len, &asid) || asid < 0)
		return 1;
	return inval(s, c, s->smmu_asids, (uint32_t)asid, false, TRACE_INV_DOMAIN, 0, 0, err);
}

static int smmu_all(struct qemu_state *s, struct import_ctx *c, const char *msg, size_t len,
		    struct ism_err *err)
{
	return inval(s, c, s->smmu_asids, 0, true, TRACE_INV_GLOBAL, 0, 0, err);
}

/* ---- virtio-iommu (hw/virtio/virtio-iommu.c): the guest maps, no IOTLB commands ---- */

static int viommu_attach(struct qemu_state *s, struct import_ctx *c, const char *msg,
			 size_t len, struct ism_err *err)
{
	uint64_t domain, ep;

	if (field(msg, len, "domain", 10, UINT32_MAX, &domain) ||
	    field(msg, len, "endpoint", 10, UINT32_MAX, &ep))
		return 1;
	/* An endpoint in another domain leaves it first (QEMU does so without a detach line). */
	return attach(s, c, s->viommu_domains, (uint32_t)ep, (uint32_t)domain, err);
}

static int viommu_detach(struct qemu_state *s, struct import_ctx *c, const char *msg,
			 size_t len, struct ism_err *err)
{
	struct trace_rec r = { .kind = TRACE_DETACH, .pasid = TRACE_PASID_NONE };
	uint64_t domain, ep;
	uint32_t cur;

	if (field(msg, len, "domain", 10, UINT32_MAX, &domain) ||
	    field(msg, len, "endpoint", 10, UINT32_MAX, &ep))
		return 1;
	/* QEMU refuses a detach from a domain the endpoint is not in. */
	if (!import_domains_of(s->viommu_domains, (uint32_t)ep, &cur) || cur != domain)
		return 0;
	import_domains_detach(s->viommu_domains, (uint32_t)ep);
	r.device = (uint32_t)ep;
	s->detaches++;
	return emit(c, s, &r, err);
}

/*
 * MAP (paddr given) or UNMAP of [virt_start, virt_end] in a domain: the domain's one page
 * table, changed once, through the endpoint that joined it first of those in it now.
 */
static int viommu_range(struct qemu_state *s, struct import_ctx *c, const char *msg, size_t len,
			bool map, struct ism_err *err)
{
	struct trace_rec r = { .pasid = TRACE_PASID_NONE };
	uint64_t domain, start, end, flags = 0;
	size_t it = 0;

	if (field(msg, len, "domain", 10, UINT32_MAX, &domain) ||
	    field(msg, len, "virt_start", 0, UINT64_MAX, &start) ||
	    field(msg, len, "virt_end", 0, UINT64_MAX - 1, &end) || end < start)
		return 1;
	r.kind = map ? TRACE_MAP : TRACE_UNMAP;
	r.iova = start;
	r.size = end - start + 1;
	if (map) {
		if (field(msg, len, "phys_start", 0, UINT64_MAX - r.size, &r.paddr) ||
		    field(msg, len, "flags", 10, UINT32_MAX, &flags))
			return 1;
		r.flags = (uint8_t)((flags & VIOMMU_MAP_F_READ ? TRACE_PERM_READ : 0) |
				    (flags & VIOMMU_MAP_F_WRITE ? TRACE_PERM_WRITE : 0));
		/* An MMIO-only or permissionless mapping: nothing a DMA may use. */
		if (!r.flags) {
			s->maps_no_perm++;
			return 0;
		}
	}
	/* A domain without endpoints does not exist in QEMU: the request fails. */
	if (!import_domains_next_device(s->viommu_domains, (uint32_t)domain, &it, &r.device)) {
		s->maps_unresolved++;
		return 0;
	}
	if (map)
		s->maps++;
	else
		s->unmaps++;
	return emit(c, s, &r, err);
}

static int viommu_map(struct qemu_state *s, struct import_ctx *c, const char *msg, size_t len,
		      struct ism_err *err)
{
	return viommu_range(s, c, msg, len, true, err);
}

static int viommu_unmap(struct qemu_state *s, struct import_ctx *c, const char *msg, size_t len,
			struct ism_err *err)
{
	return viommu_range(s, c, msg, len, false, err);
}

static int viommu_translate(struct qemu_state *s, struct import_ctx *c, const char *msg,
			    size_t len, struct ism_err *err)
{
	uint64_t rid, addr, flag;

	if (field(msg, len, "rid", 10, UINT32_MAX, &rid) ||
	    field(msg, len, "addr", 0, UINT64_MAX, &addr) ||
	    field(msg, len, "flag", 10, UINT64_MAX, &flag))
		return 1;
	/* The request's own flags: read only, write only, or (both, none) not said. */
	return access(s, c, (uint32_t)rid, addr,
		      perm_dir(flag & QEMU_IOMMU_RO, flag & QEMU_IOMMU_WO), err);
}

/* The events the importer reads; every other event is only counted. */
static const struct qemu_event qemu_events[] = {
	{ "vtd_iotlb_page_hit", vtd_page, "sid, iova, slpte and domain in 0x-hex" },
	{ "vtd_iotlb_page_update", vtd_page, "sid, iova, slpte and domain in 0x-hex" },
	{ "vtd_dmar_translate", vtd_translate, "" },
	{ "vtd_iotlb_cc_hit", vtd_context, "bus, devfn and high in 0x-hex" },
	{ "vtd_iotlb_cc_update", vtd_context, "bus, devfn and high in 0x-hex" },
	{ "vtd_reg_dmar_root", vtd_root, "scalable 0 or 1" },
	{ "vtd_inv_desc", vtd_desc, "'type T high 0x.. low 0x..'" },
	{ "vtd_inv_desc_iotlb_pages", vtd_pages, "domain, addr and mask (below 0x34) in 0x-hex" },
	{ "vtd_inv_desc_iotlb_domain", vtd_domain, "domain in 0x-hex (below 0x10000)" },
	{ "vtd_inv_desc_iotlb_global", vtd_global, "" },
	{ "smmu_iotlb_lookup_hit", smmu_lookup, "asid=N" },
	{ "smmu_iotlb_lookup_miss", smmu_lookup, "asid=N" },
	{ "smmuv3_translate_success", smmu_translate, "sid=, iova= and perm=" },
	{ "smmuv3_s1_range_inval", smmu_range,
	  "asid=, addr=0x.., tg= (0..3) and a range that fits in 64 bits" },
	{ "smmuv3_cmdq_tlbi_nh_va", smmu_va, "asid=N and addr=0x.." },
	{ "smmuv3_cmdq_tlbi_nh_vaa", smmu_va, "addr=0x.." },
	{ "smmuv3_cmdq_tlbi_nh_asid", smmu_asid, "asid=N" },
	{ "smmuv3_cmdq_tlbi_nh", smmu_all, "" },
	{ "virtio_iommu_attach", viommu_attach, "domain=N endpoint=N" },
	{ "virtio_iommu_detach", viommu_detach, "domain=N endpoint=N" },
	{ "virtio_iommu_map", viommu_map,
	  "domain=, virt_start=, virt_end= (not below virt_start), phys_start= and flags=" },
	{ "virtio_iommu_unmap", viommu_unmap,
	  "domain=, virt_start= and virt_end= (not below virt_start)" },
	{ "virtio_iommu_translate", viommu_translate, "rid=N addr=0x.. flag=N" },
};

static const struct qemu_event *qemu_event_find(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < ISM_ARRAY_SIZE(qemu_events); i++)
		if (strlen(qemu_events[i].name) == n && memcmp(qemu_events[i].name, name, n) == 0)
			return &qemu_events[i];
	return NULL;
}

/* Names of events QEMU's IOMMU models log start with these. */
static bool qemu_iommu_name(const char *name, size_t n)
{
	return (n > 4 && memcmp(name, "vtd_", 4) == 0) || (n > 5 && memcmp(name, "smmu", 4) == 0) ||
	       (n > 13 && memcmp(name, "virtio_iommu_", 13) == 0);
}

static bool event_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_';
}

/*
 * Split "TID@SEC.USEC:name message" (the log backend with -msg timestamp=on) or "name message"
 * (without it). Returns false when the line has neither form.
 */
static bool qemu_split(const char *line, size_t len, bool *stamped, uint64_t *ns,
		       const char **name, size_t *nlen, const char **msg, size_t *mlen)
{
	size_t i = 0, end;

	while (i < len && line[i] >= '0' && line[i] <= '9')
		i++;
	*stamped = i > 0 && i < len && line[i] == '@';
	if (*stamped) {
		i++;
		if (import_parse_seconds(line + i, len - i, ns, &end))
			return false;
		i += end;
		if (i >= len || line[i] != ':')
			return false;
		i++;
	} else {
		i = 0;
	}
	*name = line + i;
	while (i < len && event_char(line[i]))
		i++;
	*nlen = (size_t)(line + i - *name);
	if (!*nlen || (i < len && line[i] != ' '))
		return false;
	if (i < len)
		i++;
	*msg = line + i;
	*mlen = len - i;
	return true;
}

/* The line's time: ns since the first stamped line, never decreasing. */
static void qemu_clock(struct qemu_state *s, struct import_ctx *c, bool stamped, uint64_t ns)
{
	if (!s->have_base) {
		s->have_base = true;
		s->no_timestamps = !stamped;
		s->base = ns;
	}
	if (s->no_timestamps) {
		/* One ns per line keeps the log's order and gives a time that increases. */
		s->now = import_lines_number(c->lines);
		return;
	}
	if (!stamped)
		return;
	/* Threads stamp their lines a little out of order now and then: keep the order. */
	s->now = import_clock(c, ns) - s->base;
}

/* The inference rules, in words, for the trace's metadata (docs/traces.md says the same). */
static const char RULE_ACCESS[] =
	"one ACCESS per translation request (vtd_iotlb_page_hit or vtd_iotlb_page_update, whose "
	"vtd_dmar_translate is not counted again; smmuv3_translate_success; "
	"virtio_iommu_translate), in log order, at the requested iova, access_size bytes cut at "
	"its 4 KiB page. VT-d and SMMUv3 log the permissions of the page, not the direction of "
	"the access: a write when the page permits write but not read (VT-d slpte bits 1:0 = 10, "
	"SMMU perm = 2, which QEMU 7.2's stage-1 pages never have), a read when it permits read "
	"but not write; virtio-iommu logs the request's own flag (1 read, 2 write). Any other (a "
	"page that permits both) is recorded as a read and counted in "
	"qemu.accesses_direction_unknown";
static const char RULE_DOMAINS[] =
	"VT-d: a device is attached (ATTACH) to the domain id of its hit/update lines, and of its "
	"context-entry lines (vtd_iotlb_cc_hit/_update: high bits 23:8) unless the root table is "
	"in scalable mode; SMMUv3: a stream to the ASID of the smmu_iotlb_lookup line before its "
	"smmuv3_translate_success; each when first seen and whenever it changes. virtio-iommu: "
	"attach -> ATTACH (leaving the endpoint's domain), detach -> DETACH";
static const char RULE_INVALIDATION[] =
	"commands name domains (TRACE_INV_BY_DOMAIN), so one reaches a domain whose devices "
	"moved away. VT-d: _iotlb_domain -> INV:DOMAIN of the domain id, _iotlb_pages -> INV of "
	"2^mask pages of it (INV:LEAF when the descriptor's IH bit is set); _iotlb_global -> "
	"INV:GLOBAL; vtd_iotlb_reset (QEMU emptying its own cache) is only counted. SMMUv3: "
	"s1_range_inval -> INV (INV:LEAF when leaf=1) of the ASID, for asid=-1 (TLBI_NH_VAA) one "
	"per ASID seen; tlbi_nh_asid -> INV:DOMAIN of the ASID; tlbi_nh -> INV:GLOBAL. "
	"virtio-iommu: map/unmap -> one MAP/UNMAP by the endpoint that joined the domain first "
	"of those in it (the domain's one page table); a domain without endpoints: nothing";
static const char RULE_TIME_STAMPS[] =
	"ns since the first line (QEMU's microsecond wall clock), never decreasing";
static const char RULE_TIME_LINES[] = "the line number in ns (the log has no timestamps)";

/* Said on stderr when some accesses' direction is a guess: what a reader must not trust. */
static const char NOTE_DIRECTION[] =
	"QEMU logs the permissions of the page a translation used (read and write for these), "
	"not whether the device read or wrote (docs/traces.md)";

static void qemu_meta(struct qemu_state *s, struct import_ctx *c)
{
	json_t *q = json_object(), *inv = json_object(), *rules = json_object();
	static const char *const gran[4] = { "range", "leaf", "domain", "global" };
	char buf[64];
	unsigned k;

	json_object_set_new(c->meta, "access_size", json_integer((json_int_t)c->opts->access_size));
	json_object_set_new(q, "accesses", json_integer((json_int_t)s->accesses));
	json_object_set_new(q, "writes", json_integer((json_int_t)s->writes));
	json_object_set_new(q, "accesses_direction_unknown",
			    json_integer((json_int_t)s->direction_unknown));
	json_object_set_new(q, "attaches", json_integer((json_int_t)s->attaches));
	json_object_set_new(q, "detaches", json_integer((json_int_t)s->detaches));
	json_object_set_new(q, "vtd_iotlb_hits",
			    json_integer((json_int_t)import_event_count(c, "vtd_iotlb_page_hit")));
	json_object_set_new(q, "vtd_iotlb_misses", json_integer((json_int_t)import_event_count(
								   c, "vtd_iotlb_page_update")));
	json_object_set_new(q, "qemu_iotlb_resets",
			    json_integer((json_int_t)import_event_count(c, "vtd_iotlb_reset")));
	json_object_set_new(q, "vtd_translate_without_iotlb_line",
			    json_integer((json_int_t)s->translate_only));
	for (k = 0; k < 4; k++) {
		snprintf(buf, sizeof(buf), "%s_commands", gran[k]);
		json_object_set_new(inv, buf, json_integer((json_int_t)s->inv_commands[k]));
		snprintf(buf, sizeof(buf), "%s_records", gran[k]);
		json_object_set_new(inv, buf, json_integer((json_int_t)s->inv_emitted[k]));
	}
	json_object_set_new(inv, "commands_of_unused_domains",
			    json_integer((json_int_t)s->inv_unused));
	json_object_set_new(q, "invalidations", inv);
	json_object_set_new(q, "virtio_iommu_maps", json_integer((json_int_t)s->maps));
	json_object_set_new(q, "virtio_iommu_unmaps", json_integer((json_int_t)s->unmaps));
	json_object_set_new(q, "virtio_iommu_maps_without_endpoint",
			    json_integer((json_int_t)s->maps_unresolved));
	json_object_set_new(q, "virtio_iommu_maps_without_permission",
			    json_integer((json_int_t)s->maps_no_perm));
	json_object_set_new(q, "time_went_backwards", json_integer((json_int_t)c->backwards));
	json_object_set_new(c->meta, "qemu", q);
	json_object_set_new(rules, "access", json_string(RULE_ACCESS));
	json_object_set_new(rules, "domains", json_string(RULE_DOMAINS));
	json_object_set_new(rules, "invalidation", json_string(RULE_INVALIDATION));
	json_object_set_new(rules, "time",
			    json_string(s->no_timestamps ? RULE_TIME_LINES : RULE_TIME_STAMPS));
	json_object_set_new(c->meta, "rules", rules);
	if (s->direction_unknown == 1)
		import_note(c, ism_xasprintf("1 of the %llu accesses is recorded as a read although "
					     "its direction is unknown: %s",
					     (unsigned long long)s->accesses, NOTE_DIRECTION));
	else if (s->direction_unknown)
		import_note(c, ism_xasprintf("%llu of the %llu accesses are recorded as reads "
					     "although their direction is unknown: %s",
					     (unsigned long long)s->direction_unknown,
					     (unsigned long long)s->accesses, NOTE_DIRECTION));
}

static int qemu_convert(struct import_ctx *c, struct ism_err *err)
{
	struct qemu_state s;
	const struct qemu_event *ev;
	const char *name, *msg;
	size_t nlen, mlen;
	bool stamped;
	uint64_t ns = 0;
	int rc;

	memset(&s, 0, sizeof(s));
	s.vtd_domains = import_domains_new();
	s.smmu_asids = import_domains_new();
	s.viommu_domains = import_domains_new();
	while ((rc = import_next_line(c, err)) > 0) {
		if (!c->len)
			continue;
		if (!qemu_split(c->line, c->len, &stamped, &ns, &name, &nlen, &msg, &mlen) ||
		    (!stamped && !qemu_iommu_name(name, nlen))) {
			if (import_unknown(c, "not 'TID@SEC.USEC:event message'", err)) {
				rc = -1;
				break;
			}
			continue;
		}
		import_count_event(c, name, nlen);
		qemu_clock(&s, c, stamped, ns);
		ev = qemu_event_find(name, nlen);
		if (!ev)
			continue;
		rc = ev->handle(&s, c, msg, mlen, err);
		if (rc > 0) {
			char what[40];

			snprintf(what, sizeof(what), "%.*s", (int)nlen, name);
			rc = import_malformed(c, what, ev->fields, err) ? -1 : 0;
		}
		if (rc < 0)
			break;
	}
	if (rc == 0)
		qemu_meta(&s, c);
	import_domains_free(s.vtd_domains);
	import_domains_free(s.smmu_asids);
	import_domains_free(s.viommu_domains);
	return rc < 0 ? -1 : 0;
}

const struct import_ops import_qemu_ops = {
	.name = "qemu",
	.help = "a QEMU -trace log (log backend) of VT-d, SMMUv3 or virtio-iommu events",
	.text = true,
	.convert = qemu_convert,
};
