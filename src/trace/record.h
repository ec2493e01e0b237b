/* The one trace record model that every trace source produces and every consumer reads. */
#ifndef ISM_RECORD_H
#define ISM_RECORD_H

#include <stdint.h>

/*
 * Record kinds. The native format stores the kind in 4 bits, so new kinds (ATTACH, SYNC,
 * INVALIDATE, ...) can be added with a minor version bump and no format break.
 */
enum trace_kind {
	TRACE_ACCESS = 0, /* a device DMA: read or write of [iova, iova+size) */
	TRACE_MAP = 1,    /* the OS maps [iova, iova+size) -> [paddr, ...) with perms */
	TRACE_UNMAP = 2,  /* the OS unmaps [iova, iova+size) */
	TRACE_INVAL = 3,  /* an IOTLB invalidation command seen in a capture (e.g. a VT-d descriptor) */
	/*
	 * The device (and PASID) attaches to the address space `domain` (the trace's own id: a
	 * VT-d domain id, an SMMU ASID, a virtio-iommu domain, a VFIO container), leaving the one
	 * it was in. Devices of one domain share its page table and its IOTLB entries.
	 */
	TRACE_ATTACH = 4,
	/* The device (and PASID) leaves its domain: until it attaches again its DMA is blocked. */
	TRACE_DETACH = 5,
	TRACE_NR_KINDS
};

/* ACCESS flags: direction as seen from memory. */
#define TRACE_ACC_WRITE 0x1 /* device writes memory (CSV "W"); clear: device reads (CSV "R") */

/* MAP flags: permissions of the mapping (IOMMU_READ / IOMMU_WRITE in Linux). */
#define TRACE_PERM_READ 0x1
#define TRACE_PERM_WRITE 0x2
#define TRACE_PERM_RW (TRACE_PERM_READ | TRACE_PERM_WRITE)

/*
 * UNMAP flag: the host, not the guest, unmaps [iova, iova+size) of guest-physical memory from
 * the VM's stage 2 (iommu.nested; CSV "UNMAP:S2"): iova is a guest-physical address, device
 * and PASID name nothing (the VM has one stage 2). Runs without nesting ignore it.
 */
#define TRACE_UNMAP_STAGE2 0x1

/*
 * INVAL flags: the granularity in the low two bits, as the hardware commands have it.
 *   RANGE  [iova, iova+size) of the device's address space: IOTLB and walk caches (VT-d PSI, IH=0)
 *   LEAF   the same, leaf IOTLB entries only; walk caches kept (VT-d PSI with IH=1)
 *   DOMAIN everything of the device's address space (VT-d domain-selective); iova, size 0
 *   GLOBAL everything (VT-d global); device, iova, size 0
 */
#define TRACE_INV_RANGE 0x0
#define TRACE_INV_LEAF 0x1
#define TRACE_INV_DOMAIN 0x2
#define TRACE_INV_GLOBAL 0x3
#define TRACE_INV_MASK 0x3
/*
 * INVAL flag: the command names a domain (`domain`: a VT-d domain id, an SMMU ASID) rather
 * than a device, so it reaches a domain's entries even after its devices moved elsewhere.
 * Device and PASID are then 0 and none. Not with TRACE_INV_GLOBAL.
 */
#define TRACE_INV_BY_DOMAIN 0x4

/* An UNMAP of the host's stage 2, not a guest's mapping (TRACE_UNMAP_STAGE2). */
#define TRACE_REC_STAGE2_UNMAP(r) ((r)->kind == TRACE_UNMAP && ((r)->flags & TRACE_UNMAP_STAGE2))

/* PASID is 20 bits in PCIe; this value means "no PASID" (CSV: empty column). */
#define TRACE_PASID_NONE UINT32_MAX

/*
 * One record. Fields a kind does not use are zero (paddr outside MAP, flags per kind above).
 * `device` is the requester/stream id: a PCI address bb:dd.f is bus<<8 | dev<<3 | fn.
 * `cpu` is the CPU that issued a MAP/UNMAP/INVAL (0 when the source does not say).
 * `domain` is 0 in every other record.
 */
struct trace_rec {
	uint64_t time_ns;
	uint64_t iova;
	uint64_t size;
	uint64_t paddr;
	uint32_t device;
	uint32_t pasid;
	uint32_t domain; /* ATTACH, and INVAL with TRACE_INV_BY_DOMAIN: the trace's domain id */
	uint16_t cpu;
	uint8_t kind;
	uint8_t flags;
};

/*
 * A run: n >= 2 consecutive ACCESS records of one device and PASID, with one size and flags,
 * each at a constant time step and iova step after the one before, all within one 4 KiB page
 * (each element one PCIe request's worth of address). Only a reader asked for runs
 * (trace_want_runs()) hands them out, and only to the untimed model; no file holds one (the
 * kind is no record kind: trace_rec_invalid() refuses it, so no writer writes it). A run is
 * its first element's record with kind TRACE_RUN and, in fields an ACCESS leaves 0: `domain`
 * the element count, `paddr` the time step (ns), `cpu` the iova step (an int16_t: |step| <
 * 4096 within a page).
 */
#define TRACE_RUN 0x80

/* How many records r stands for. */
static inline uint32_t trace_rec_count(const struct trace_rec *r)
{
	return r->kind == TRACE_RUN ? r->domain : 1;
}

/* The time of the last record r stands for. */
static inline uint64_t trace_rec_last_time(const struct trace_rec *r)
{
	return r->kind == TRACE_RUN ? r->time_ns + (uint64_t)(r->domain - 1) * r->paddr
				    : r->time_ns;
}

/* A run's iova step. */
static inline int64_t trace_run_iova_step(const struct trace_rec *r)
{
	return (int16_t)r->cpu;
}

/* Element k (0-based) of run r as the plain ACCESS record it stands for. */
static inline void trace_run_element(const struct trace_rec *r, uint32_t k, struct trace_rec *out)
{
	*out = *r;
	out->kind = TRACE_ACCESS;
	out->time_ns = r->time_ns + (uint64_t)k * r->paddr;
	out->iova = r->iova + (uint64_t)((int64_t)k * trace_run_iova_step(r));
	out->paddr = 0;
	out->cpu = 0;
	out->domain = 0;
}

#endif
