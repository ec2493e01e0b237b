/* The ftrace importer: Linux dma:* and iommu:map/unmap text into records, accesses synthesised. */
#include <stdlib.h>
#include <string.h>

#include "base/heap.h"
#include "import.h"

#define PCI_BUS_MAX 0xffu
#define PCI_DEV_MAX 0x1fu
#define PCI_FN_MAX 0x7u
#define PCI_DOMAIN_MAX 0xffffu
/* Devices without a PCI name (platform devices) are numbered from here, in order seen. */
#define FTRACE_NAMED_DEVICE_BASE 0x100000u
#define FTRACE_CPU_LIMIT 65536u
/* Elements of a dma_map_sg array: a line of IMPORT_LINE_MAX_BYTES holds no more ("0x0,"). */
#define FTRACE_SG_MAX (IMPORT_LINE_MAX_BYTES / 4)
/*
 * Coherent accesses generated for one allocation across one gap between lines; more (a gap of
 * hours at a 1 ms period) are skipped and counted.
 */
#define FTRACE_COHERENT_MAX_BURST 65536
/* Device names the metadata's groups list at most (a bound on the header, whatever the input). */
#define FTRACE_GROUP_NAMES_MAX 4096

enum dma_dir { DIR_BIDIRECTIONAL, DIR_TO_DEVICE, DIR_FROM_DEVICE, DIR_NONE };

/*
 * A live mapping; slots are reused, `gen` tells a reused slot from the one a queue names.
 * [lo, last] is what it holds: for iommu:map whole 4 KiB pages, as the page table holds them
 * (an unmap of part of it leaves the rest live there).
 */
struct live_map {
	uint32_t device;
	uint32_t gen;
	uint64_t iova, size; /* as mapped: its synthesised access */
	uint64_t lo, last;
	uint64_t t_map;
	uint64_t seq; /* its map's number (1, 2, ...): the newer of two mappings has the larger */
	bool used, pending, coherent, write;
};

struct slot_ref {
	uint64_t t; /* coherent queue: access time */
	uint32_t idx, gen;
};

struct out_rec {
	struct trace_rec r;
	uint64_t seq;
};

/* A dma_map_sg's IOVA segments, found again by its device and first physical address. */
struct sg_map {
	uint32_t device;
	uint64_t phys0;
	uint64_t *iova, *size;
	uint32_t n, cap; /* the arrays stay allocated for the slot's next user */
	bool used;
};

struct ftrace_state {
	bool use_dma; /* mappings come from dma:* events (else from iommu:map/unmap) */
	/* iommu:map/unmap: inferred address spaces, space k being device base + k */
	uint32_t base, nspaces, max_spaces, last_space;
	uint64_t *space_maps; /* maps put in each space */
	uint64_t now, last, delay, period;
	uint16_t cpu;
	/* live mappings: a slab, its indices sorted by (device, lo), map-order FIFO of pending */
	struct live_map *maps;
	size_t nmaps, capmaps;
	uint32_t *freeslots;
	size_t nfree, capfree;
	uint32_t *sorted;
	size_t nsorted, capsorted;
	struct slot_ref *fifo;
	size_t fhead, fcount, fcap;
	struct slot_ref *coh; /* min-heap by time */
	size_t ncoh, capcoh;
	/* records waiting for every earlier-timed record: min-heap by (time, seq) */
	struct out_rec *out;
	size_t nout, capout;
	uint64_t seq;
	struct import_names *devnames;
	uint32_t *devids;
	/*
	 * iommu groups: the group each device is in (iommu:add_device_to_group), and the domain
	 * each device was attached to by an ATTACH record (dma:* events: its group's)
	 */
	struct import_domains *groups, *attached;
	json_t *group_devs; /* group id -> the names of the devices added to it */
	size_t group_names;
	size_t capdevids;
	struct sg_map *sgs;
	size_t nsgs, capsgs;
	uint64_t *scratch; /* dma_map_sg's three arrays of FTRACE_SG_MAX */
	/* counts for the metadata */
	uint64_t maps_seen, unmaps_seen, accesses, coherent_accesses, unmatched_unmaps,
		overlapping_maps, empty, lost, sg_unmatched, sg_truncated, coherent_skipped,
		partly_mapped_unmaps, attaches, detaches, attaches_without_group;
};

/* ---- output queue ---- */

_Static_assert(sizeof(struct out_rec) <= HEAP_ELEM_MAX, "heap element too large");

static bool out_less(const void *pa, const void *pb)
{
	const struct out_rec *a = pa, *b = pb;

	return a->r.time_ns < b->r.time_ns || (a->r.time_ns == b->r.time_ns && a->seq < b->seq);
}

static void out_push(struct ftrace_state *s, const struct trace_rec *r)
{
	if (s->nout == s->capout) {
		s->capout = s->capout ? 2 * s->capout : 1024;
		s->out = ism_xrealloc(s->out, s->capout * sizeof(*s->out));
	}
	s->out[s->nout] = (struct out_rec){ .r = *r, .seq = s->seq++ };
	heap_sift_up(s->out, s->nout++, sizeof(*s->out), out_less);
}

static void out_pop(struct ftrace_state *s)
{
	heap_pop(s->out, s->nout--, sizeof(*s->out), out_less);
}

/* Write every queued record timed at or before `horizon`, in time order. */
static int out_flush(struct ftrace_state *s, struct import_ctx *c, uint64_t horizon,
		     struct ism_err *err)
{
	while (s->nout && s->out[0].r.time_ns <= horizon) {
		if (import_emit(c, &s->out[0].r, err))
			return -1;
		out_pop(s);
	}
	return 0;
}

/* ---- coherent queue (min-heap by time) ---- */

_Static_assert(sizeof(struct slot_ref) <= HEAP_ELEM_MAX, "heap element too large");

static bool coh_less(const void *a, const void *b)
{
	return ((const struct slot_ref *)a)->t < ((const struct slot_ref *)b)->t;
}

static void coh_push(struct ftrace_state *s, struct slot_ref x)
{
	if (s->ncoh == s->capcoh) {
		s->capcoh = s->capcoh ? 2 * s->capcoh : 64;
		s->coh = ism_xrealloc(s->coh, s->capcoh * sizeof(*s->coh));
	}
	s->coh[s->ncoh] = x;
	heap_sift_up(s->coh, s->ncoh++, sizeof(*s->coh), coh_less);
}

static void coh_pop(struct ftrace_state *s)
{
	heap_pop(s->coh, s->ncoh--, sizeof(*s->coh), coh_less);
}

/* ---- live mappings ---- */

static int map_cmp(const struct live_map *m, uint32_t device, uint64_t lo)
{
	if (m->device != device)
		return m->device < device ? -1 : 1;
	return m->lo < lo ? -1 : m->lo > lo;
}

/* First position in `sorted` whose mapping is not before (device, lo). */
static size_t lower_bound(const struct ftrace_state *s, uint32_t device, uint64_t lo)
{
	size_t a = 0, b = s->nsorted, mid;

	while (a < b) {
		mid = a + (b - a) / 2;
		if (map_cmp(&s->maps[s->sorted[mid]], device, lo) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	return a;
}

/* What a mapping of [iova, iova + size) holds: whole pages for iommu:map, else its bytes. */
static void map_extent(const struct ftrace_state *s, uint64_t iova, uint64_t size, uint64_t *lo,
		       uint64_t *last)
{
	*lo = iova;
	*last = iova + (size - 1);
	if (!s->use_dma) {
		*lo &= ~(uint64_t)(IMPORT_PAGE_BYTES - 1);
		*last |= IMPORT_PAGE_BYTES - 1;
	}
}

/*
 * The positions [*from, *to) in `sorted` of the mappings of `device` that overlap [lo, last]
 * (a device's live mappings never overlap one another, so only the one before lo can reach in).
 */
static void overlap_span(const struct ftrace_state *s, uint32_t device, uint64_t lo,
			 uint64_t last, size_t *from, size_t *to)
{
	size_t a = lower_bound(s, device, lo), b;

	if (a > 0) {
		const struct live_map *p = &s->maps[s->sorted[a - 1]];

		if (p->device == device && p->last >= lo)
			a--;
	}
	for (b = a; b < s->nsorted; b++) {
		const struct live_map *m = &s->maps[s->sorted[b]];

		if (m->device != device || m->lo > last)
			break;
	}
	*from = a;
	*to = b;
}

static uint64_t access_time(const struct ftrace_state *s, const struct live_map *m, uint64_t end)
{
	uint64_t half = (end - m->t_map) / 2;

	return m->t_map + (half < s->delay ? half : s->delay);
}

static void push_access(struct ftrace_state *s, const struct live_map *m, uint64_t t)
{
	struct trace_rec r = { .kind = TRACE_ACCESS, .time_ns = t, .device = m->device,
			       .pasid = TRACE_PASID_NONE, .iova = m->iova, .size = m->size };

	r.flags = m->write ? TRACE_ACC_WRITE : 0;
	out_push(s, &r);
}

/* A mapping loses some or all of its range at `end`: its access, if still to come, falls due. */
static void access_due(struct ftrace_state *s, uint32_t idx, uint64_t end)
{
	struct live_map *m = &s->maps[idx];

	if (m->pending) {
		push_access(s, m, access_time(s, m, end));
		s->accesses++;
		m->pending = false;
	}
}

static uint32_t slot_new(struct ftrace_state *s)
{
	uint32_t idx;

	if (s->nfree)
		return s->freeslots[--s->nfree];
	if (s->nmaps == s->capmaps) {
		s->capmaps = s->capmaps ? 2 * s->capmaps : 64;
		s->maps = ism_xrealloc(s->maps, s->capmaps * sizeof(*s->maps));
	}
	idx = (uint32_t)s->nmaps++;
	s->maps[idx].gen = 0;
	return idx;
}

/* The slot's mapping is gone: the queues' references to it go stale. */
static void slot_free(struct ftrace_state *s, uint32_t idx)
{
	struct live_map *m = &s->maps[idx];

	m->used = m->pending = false;
	m->gen++;
	if (s->nfree == s->capfree) {
		s->capfree = s->capfree ? 2 * s->capfree : 64;
		s->freeslots = ism_xrealloc(s->freeslots, s->capfree * sizeof(*s->freeslots));
	}
	s->freeslots[s->nfree++] = idx;
}

/* What is left of a mapping after an unmap of part of it: live, never accessed again. */
static void map_trim(struct ftrace_state *s, uint32_t idx, uint64_t lo, uint64_t last)
{
	struct live_map *m = &s->maps[idx];

	m->lo = m->iova = lo;
	m->last = last;
	m->size = last - lo + 1;
	m->coherent = false;
	m->gen++; /* its coherent reads are dropped */
}

/* End every live mapping of `device` that overlaps [lo, last] whole; returns how many. */
static size_t maps_end_range(struct ftrace_state *s, uint32_t device, uint64_t lo,
			     uint64_t last, uint64_t end)
{
	size_t from, to, i;

	overlap_span(s, device, lo, last, &from, &to);
	if (from == to)
		return 0;
	for (i = from; i < to; i++) {
		access_due(s, s->sorted[i], end);
		slot_free(s, s->sorted[i]);
	}
	memmove(s->sorted + from, s->sorted + to, (s->nsorted - to) * sizeof(*s->sorted));
	s->nsorted -= to - from;
	return to - from;
}

/*
 * Unmap [lo, last] of `device` at `end`: the mappings inside it end, one reaching out of it
 * keeps the rest (as the page table does), each accessed first if still to be. Returns the
 * mappings touched.
 */
static size_t maps_unmap_range(struct ftrace_state *s, uint32_t device, uint64_t lo,
			       uint64_t last, uint64_t end)
{
	size_t from, to, i, n;
	uint32_t first, tail, right;
	bool keep_left, keep_right;

	overlap_span(s, device, lo, last, &from, &to);
	n = to - from;
	if (!n)
		return 0;
	for (i = from; i < to; i++)
		access_due(s, s->sorted[i], end);
	first = s->sorted[from];
	tail = s->sorted[to - 1];
	keep_left = s->maps[first].lo < lo;
	keep_right = s->maps[tail].last > last;
	if (first == tail && keep_left && keep_right) {
		/* A hole in one mapping: its right part takes a slot of its own. */
		right = slot_new(s);
		i = s->maps[right].gen;
		s->maps[right] = s->maps[first];
		s->maps[right].gen = (uint32_t)i;
		map_trim(s, right, last + 1, s->maps[first].last);
		map_trim(s, first, s->maps[first].lo, lo - 1);
		if (s->nsorted == s->capsorted) {
			s->capsorted = 2 * s->capsorted;
			s->sorted = ism_xrealloc(s->sorted, s->capsorted * sizeof(*s->sorted));
		}
		memmove(s->sorted + from + 2, s->sorted + from + 1,
			(s->nsorted - from - 1) * sizeof(*s->sorted));
		s->sorted[from + 1] = right;
		s->nsorted++;
		return n;
	}
	if (keep_left)
		map_trim(s, first, s->maps[first].lo, lo - 1);
	if (keep_right)
		map_trim(s, tail, last + 1, s->maps[tail].last);
	from += keep_left;
	to -= keep_right;
	for (i = from; i < to; i++)
		slot_free(s, s->sorted[i]);
	memmove(s->sorted + from, s->sorted + to, (s->nsorted - to) * sizeof(*s->sorted));
	s->nsorted -= to - from;
	return n;
}

static void map_add(struct ftrace_state *s, struct import_ctx *c, uint32_t device, uint64_t iova,
		    uint64_t size, bool write, bool coherent)
{
	struct live_map *m;
	uint32_t idx;
	uint64_t lo, last;
	size_t at;

	map_extent(s, iova, size, &lo, &last);
	if (maps_end_range(s, device, lo, last, s->now))
		s->overlapping_maps++;
	idx = slot_new(s);
	m = &s->maps[idx];
	m->device = device;
	m->iova = iova;
	m->size = size;
	m->lo = lo;
	m->last = last;
	m->t_map = s->now;
	m->seq = s->maps_seen;
	m->used = true;
	m->write = write;
	m->coherent = coherent;
	m->pending = !coherent && c->opts->accesses == IMPORT_ACCESSES_ONCE;
	if (coherent && s->period && c->opts->accesses == IMPORT_ACCESSES_ONCE &&
	    s->now <= UINT64_MAX - s->period)
		coh_push(s, (struct slot_ref){ .t = s->now + s->period, .idx = idx, .gen = m->gen });
	if (m->pending) {
		if (s->fcount == s->fcap) {
			size_t k, old = s->fcap;
			struct slot_ref *f;

			s->fcap = s->fcap ? 2 * s->fcap : 64;
			f = ism_xmalloc(s->fcap * sizeof(*f));
			for (k = 0; k < s->fcount; k++)
				f[k] = s->fifo[(s->fhead + k) % (old ? old : 1)];
			free(s->fifo);
			s->fifo = f;
			s->fhead = 0;
		}
		s->fifo[(s->fhead + s->fcount++) % s->fcap] =
			(struct slot_ref){ .t = m->t_map, .idx = idx, .gen = m->gen };
	}
	if (s->nsorted == s->capsorted) {
		s->capsorted = s->capsorted ? 2 * s->capsorted : 64;
		s->sorted = ism_xrealloc(s->sorted, s->capsorted * sizeof(*s->sorted));
	}
	at = lower_bound(s, device, lo);
	memmove(s->sorted + at + 1, s->sorted + at, (s->nsorted - at) * sizeof(*s->sorted));
	s->sorted[at] = idx;
	s->nsorted++;
}

/* ---- address spaces of iommu:map/unmap (the events name no device) ---- */

/*
 * The space of a map of [lo, last]: the previous map's when none of its live mappings overlaps
 * (a burst of maps is mostly one driver's: one device's mappings stay together), else the first
 * such space, else a new one; past the limit, the one whose overlapping mappings are the oldest
 * (lost unmaps, most likely: map_add() ends them).
 */
static uint32_t space_for_map(struct ftrace_state *s, uint64_t lo, uint64_t last)
{
	uint64_t oldest = UINT64_MAX, newest;
	uint32_t k, pick = 0;
	size_t from, to, i;

	if (s->nspaces) {
		overlap_span(s, s->base + s->last_space, lo, last, &from, &to);
		if (from == to)
			return s->last_space;
	}
	for (k = 0; k < s->nspaces; k++) {
		overlap_span(s, s->base + k, lo, last, &from, &to);
		if (from == to)
			return k;
		for (newest = 0, i = from; i < to; i++)
			if (s->maps[s->sorted[i]].seq > newest)
				newest = s->maps[s->sorted[i]].seq;
		if (newest < oldest) {
			oldest = newest;
			pick = k;
		}
	}
	if (s->nspaces == s->max_spaces)
		return pick;
	s->space_maps = ism_xrealloc(s->space_maps, (s->nspaces + 1) * sizeof(*s->space_maps));
	s->space_maps[s->nspaces] = 0;
	return s->nspaces++;
}

/*
 * The space of an unmap of [lo, last]: the one whose live mappings cover the most of it; of
 * equals, one whose mappings there lie inside the range (an exact unmap), then the one with the
 * most recent map. Space 0 when nothing is mapped there; *partly when some of it is not.
 */
static uint32_t space_for_unmap(struct ftrace_state *s, uint64_t lo, uint64_t last, bool *partly)
{
	uint64_t pages, best_pages = 0, newest, best_newest = 0;
	bool inside, best_inside = false;
	uint32_t k, pick = 0;
	size_t from, to, i;

	for (k = 0; k < s->nspaces; k++) {
		overlap_span(s, s->base + k, lo, last, &from, &to);
		pages = newest = 0;
		inside = true;
		for (i = from; i < to; i++) {
			const struct live_map *m = &s->maps[s->sorted[i]];
			uint64_t a = m->lo > lo ? m->lo : lo, b = m->last < last ? m->last : last;

			pages += ((b - a) >> 12) + 1;
			inside = inside && m->lo >= lo && m->last <= last;
			if (m->seq > newest)
				newest = m->seq;
		}
		if (pages > best_pages ||
		    (pages == best_pages && pages &&
		     (inside > best_inside || (inside == best_inside && newest > best_newest)))) {
			best_pages = pages;
			best_inside = inside;
			best_newest = newest;
			pick = k;
		}
	}
	*partly = best_pages && best_pages < ((last - lo) >> 12) + 1;
	return pick;
}

/* The oldest mapping whose access is still to come, or NULL (stale queue entries dropped). */
static struct live_map *fifo_head(struct ftrace_state *s)
{
	while (s->fcount) {
		const struct slot_ref *f = &s->fifo[s->fhead];
		struct live_map *m = &s->maps[f->idx];

		if (m->gen == f->gen && m->pending)
			return m;
		s->fhead = (s->fhead + 1) % s->fcap;
		s->fcount--;
	}
	return NULL;
}

/*
 * Time moves to `t`: accesses that can no longer move are queued, coherent accesses before `t`
 * generated, and every record that no later one can precede is written.
 */
static int advance(struct ftrace_state *s, struct import_ctx *c, uint64_t t, bool end,
		   struct ism_err *err)
{
	uint64_t horizon = t;
	struct live_map *m;

	/* A mapping older than twice the delay has its access at map + delay, whatever comes. */
	while ((m = fifo_head(s)) && (end || (t - m->t_map) / 2 >= s->delay)) {
		push_access(s, m, access_time(s, m, t));
		s->accesses++;
		m->pending = false;
	}
	while (s->ncoh && (s->coh[0].t < t || (end && s->coh[0].t <= t))) {
		struct slot_ref r = s->coh[0];

		m = &s->maps[r.idx];
		coh_pop(s);
		if (!m->used || m->gen != r.gen)
			continue;
		if ((t - r.t) / s->period > FTRACE_COHERENT_MAX_BURST) {
			uint64_t skip = (t - r.t) / s->period - FTRACE_COHERENT_MAX_BURST;

			s->coherent_skipped += skip;
			r.t += skip * s->period;
		}
		push_access(s, m, r.t);
		s->coherent_accesses++;
		if (r.t <= UINT64_MAX - s->period) {
			r.t += s->period;
			coh_push(s, r);
		}
	}
	if (!end) {
		m = fifo_head(s);
		if (m && access_time(s, m, t) < horizon)
			horizon = access_time(s, m, t);
		if (s->ncoh && s->coh[0].t < horizon)
			horizon = s->coh[0].t;
	}
	return out_flush(s, c, horizon, err);
}

/* ---- devices ---- */

static int hexdig(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* "dddd:bb:dd.f": the PCI requester id (with the domain above it); -1 for other names. */
static int64_t pci_rid(const char *s, size_t n)
{
	static const unsigned widths[4] = { 4, 2, 2, 1 };
	static const char seps[3] = { ':', ':', '.' };
	static const unsigned max[4] = { PCI_DOMAIN_MAX, PCI_BUS_MAX, PCI_DEV_MAX, PCI_FN_MAX };
	unsigned v[4], k, j;
	size_t i = 0;

	if (n != 12)
		return -1;
	for (k = 0; k < 4; k++) {
		v[k] = 0;
		for (j = 0; j < widths[k]; j++) {
			int d = hexdig(s[i++]);

			if (d < 0)
				return -1;
			v[k] = v[k] * 16 + (unsigned)d;
		}
		if (v[k] > max[k] || (k < 3 && s[i++] != seps[k]))
			return -1;
	}
	return (int64_t)v[0] << 16 | v[1] << 8 | v[2] << 3 | v[3];
}

/* A device name's number: the PCI requester id, or a number in order seen. */
static int device_named(struct ftrace_state *s, const char *name, size_t n, uint32_t *dev)
{
	long i;
	int64_t rid;

	if (!n)
		return -1;
	/* Kernel device names are printable ASCII: anything else (a NUL, a control byte, bytes
	 * that are not UTF-8) is a damaged line, and could not be a JSON string in the metadata. */
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)name[k] < 0x21 || (unsigned char)name[k] > 0x7e)
			return -1;
	i = import_names_find(s->devnames, name, n, true);
	if (i < 0)
		return -1;
	if ((size_t)i >= s->capdevids) {
		s->capdevids = s->capdevids ? 2 * s->capdevids : 16;
		s->devids = ism_xrealloc(s->devids, s->capdevids * sizeof(*s->devids));
	}
	if ((size_t)i + 1 == import_names_count(s->devnames)) {
		rid = pci_rid(name, n);
		s->devids[i] = rid >= 0 ? (uint32_t)rid : FTRACE_NAMED_DEVICE_BASE + (uint32_t)i;
	}
	*dev = s->devids[i];
	return 0;
}

/* A dma event's device (its first word). */
static int device_of(struct ftrace_state *s, const char *msg, size_t len, uint32_t *dev)
{
	size_t n = 0;

	while (n < len && msg[n] != ' ')
		n++;
	return device_named(s, msg, n, dev);
}

/* The value of "device=NAME" (an iommu group event's), up to a blank or the end. */
static int device_field(const char *msg, size_t len, const char **name, size_t *n)
{
	const char *p = memmem(msg, len, "device=", 7);

	if (!p || (p > msg && p[-1] != ' '))
		return -1;
	*name = p += 7;
	for (*n = 0; p + *n < msg + len && p[*n] != ' '; (*n)++)
		;
	return *n ? 0 : -1;
}

/* ---- fields ---- */

static int dir_of(const char *msg, size_t len, enum dma_dir *dir)
{
	static const char *const names[4] = { "BIDIRECTIONAL", "TO_DEVICE", "FROM_DEVICE", "NONE" };
	const char *p = memmem(msg, len, " dir=", 5);
	size_t n = 0, k;

	if (!p)
		return -1;
	p += 5;
	while (p + n < msg + len && p[n] != ' ')
		n++;
	for (k = 0; k < 4; k++) {
		if (strlen(names[k]) == n && memcmp(p, names[k], n) == 0) {
			*dir = (enum dma_dir)k;
			return 0;
		}
	}
	return -1;
}

/* "key={0x1,0x2}": up to max elements into v (NULL: count only); returns the count or -1. */
static long array_of(const char *msg, size_t len, const char *key, uint64_t *v, size_t max)
{
	size_t k = strlen(key), i, j, n = 0;
	const char *p = NULL;

	for (i = 0; i + k + 2 <= len; i++) {
		if ((i == 0 || msg[i - 1] == ' ') && memcmp(msg + i, key, k) == 0 &&
		    msg[i + k] == '=' && msg[i + k + 1] == '{') {
			p = msg + i + k + 2;
			break;
		}
	}
	if (!p)
		return -1;
	len -= (size_t)(p - msg);
	for (i = 0; i < len && p[i] != '}';) {
		uint64_t x = 0;

		if (p[i] != '0' || i + 1 >= len || p[i + 1] != 'x')
			return -1;
		for (j = i + 2; j < len && hexdig(p[j]) >= 0; j++) {
			if (x >> 60)
				return -1;
			x = x << 4 | (uint64_t)hexdig(p[j]);
		}
		if (j == i + 2 || n == max)
			return -1;
		if (v)
			v[n] = x;
		n++;
		i = j;
		if (i < len && p[i] == ',')
			i++;
	}
	if (i >= len)
		return -1;
	return (long)n;
}

/* ---- the records ---- */

static void emit_map(struct ftrace_state *s, struct import_ctx *c, uint32_t device,
		     uint64_t iova, uint64_t size, uint64_t paddr, enum dma_dir dir, bool coherent)
{
	struct trace_rec r = { .kind = TRACE_MAP, .time_ns = s->now, .device = device,
			       .pasid = TRACE_PASID_NONE, .iova = iova, .size = size,
			       .paddr = paddr, .cpu = s->cpu };

	/* The DMA API direction is the device's: TO_DEVICE means it reads memory. */
	r.flags = dir == DIR_TO_DEVICE	 ? TRACE_PERM_READ :
		  dir == DIR_FROM_DEVICE ? TRACE_PERM_WRITE :
					   TRACE_PERM_RW;
	s->maps_seen++;
	map_add(s, c, device, iova, size, dir == DIR_FROM_DEVICE, coherent);
	out_push(s, &r);
}

static void emit_unmap(struct ftrace_state *s, uint32_t device, uint64_t iova, uint64_t size)
{
	struct trace_rec r = { .kind = TRACE_UNMAP, .time_ns = s->now, .device = device,
			       .pasid = TRACE_PASID_NONE, .iova = iova, .size = size,
			       .cpu = s->cpu };
	uint64_t lo, last;

	s->unmaps_seen++;
	map_extent(s, iova, size, &lo, &last);
	if (!maps_unmap_range(s, device, lo, last, s->now))
		s->unmatched_unmaps++;
	out_push(s, &r);
}

/* iommu:map "IOMMU: iova=0x.. - 0x.. paddr=0x.. size=N" (older kernels: no "- 0x.."). */
static int ev_iommu_map(struct ftrace_state *s, struct import_ctx *c, const char *msg,
			size_t len)
{
	uint64_t iova, paddr, size, lo, last;
	uint32_t k;

	if (import_field(msg, len, "iova", 16, &iova) ||
	    import_field(msg, len, "paddr", 16, &paddr) ||
	    import_field(msg, len, "size", 10, &size) || iova > UINT64_MAX - size ||
	    paddr > UINT64_MAX - size)
		return 1;
	if (!size) {
		s->empty++;
		return 0;
	}
	map_extent(s, iova, size, &lo, &last);
	k = space_for_map(s, lo, last);
	s->space_maps[k]++;
	s->last_space = k;
	emit_map(s, c, s->base + k, iova, size, paddr, DIR_BIDIRECTIONAL, false);
	return 0;
}

/* iommu:unmap "IOMMU: iova=0x.. - 0x.. size=N unmapped_size=N". */
static int ev_iommu_unmap(struct ftrace_state *s, const char *msg, size_t len)
{
	uint64_t iova, size, lo, last;
	uint32_t k;
	bool partly;

	if (import_field(msg, len, "iova", 16, &iova) ||
	    import_field(msg, len, "size", 10, &size) || iova > UINT64_MAX - size)
		return 1;
	if (!size) {
		s->empty++;
		return 0;
	}
	map_extent(s, iova, size, &lo, &last);
	k = space_for_unmap(s, lo, last, &partly);
	s->partly_mapped_unmaps += partly;
	emit_unmap(s, s->base + k, iova, size);
	return 0;
}

/* dma_map_page/_phys/_resource "DEV dir=D dma_addr=HEX size=N phys_addr=HEX attrs=..". */
static int ev_dma_map(struct ftrace_state *s, struct import_ctx *c, const char *msg, size_t len)
{
	uint64_t addr, size, phys;
	uint32_t dev;
	enum dma_dir dir;

	if (device_of(s, msg, len, &dev) || dir_of(msg, len, &dir) ||
	    import_field(msg, len, "dma_addr", 16, &addr) ||
	    import_field(msg, len, "size", 10, &size) ||
	    import_field(msg, len, "phys_addr", 16, &phys) || addr > UINT64_MAX - size ||
	    phys > UINT64_MAX - size)
		return 1;
	if (!size) {
		s->empty++;
		return 0;
	}
	emit_map(s, c, dev, addr, size, phys, dir, false);
	return 0;
}

/*
 * "DEV [dir=D] dma_addr=HEX size=N ..": the fields dma_unmap_*, dma_free* and dma_alloc*
 * share. Returns 1 for a malformed line, -1 for an empty mapping (counted), else 0.
 */
static int dma_addr_size(struct ftrace_state *s, const char *msg, size_t len, uint32_t *dev,
			 uint64_t *addr, uint64_t *size)
{
	if (device_of(s, msg, len, dev) || import_field(msg, len, "dma_addr", 16, addr) ||
	    import_field(msg, len, "size", 10, size) || *addr > UINT64_MAX - *size)
		return 1;
	if (!*size) {
		s->empty++;
		return -1;
	}
	return 0;
}

/* dma_unmap_* and dma_free*. */
static int ev_dma_unmap(struct ftrace_state *s, struct import_ctx *c, const char *msg,
			size_t len)
{
	uint64_t addr, size;
	uint32_t dev;
	int rc = dma_addr_size(s, msg, len, &dev, &addr, &size);

	if (rc)
		return rc > 0;
	emit_unmap(s, dev, addr, size);
	return 0;
}

/* dma_alloc, dma_alloc_pages, dma_alloc_sgt: "DEV [dir=D] dma_addr=HEX size=N ..". */
static int ev_dma_alloc(struct ftrace_state *s, struct import_ctx *c, const char *msg,
			size_t len)
{
	uint64_t addr, size;
	uint32_t dev;
	int rc = dma_addr_size(s, msg, len, &dev, &addr, &size);

	if (rc)
		return rc > 0;
	emit_map(s, c, dev, addr, size, 0, DIR_BIDIRECTIONAL, true);
	return 0;
}

/* dma_map_sg "DEV dir=D [nents=..] dma_addrs={..} sizes={..} phys_addrs={..} attrs=..". */
static int ev_dma_map_sg(struct ftrace_state *s, struct import_ctx *c, const char *msg,
			 size_t len)
{
	uint64_t *addr = s->scratch, *size = addr + FTRACE_SG_MAX, *phys = size + FTRACE_SG_MAX;
	long na, ns, np, i;
	uint32_t dev;
	enum dma_dir dir;
	struct sg_map *g = NULL;
	size_t k;

	if (device_of(s, msg, len, &dev) || dir_of(msg, len, &dir))
		return 1;
	na = array_of(msg, len, "dma_addrs", addr, FTRACE_SG_MAX);
	ns = array_of(msg, len, "sizes", size, FTRACE_SG_MAX);
	np = array_of(msg, len, "phys_addrs", phys, FTRACE_SG_MAX);
	if (na < 0 || ns != na || np < 0)
		return 1;
	for (i = 0; i < na; i++)
		if (addr[i] > UINT64_MAX - size[i])
			return 1;
	if (memmem(msg, len, "[TRUNCATED]", 11))
		s->sg_truncated++;
	if (np > 0) {
		for (k = 0; k < s->nsgs && s->sgs[k].used; k++)
			;
		if (k == s->nsgs) {
			if (s->nsgs == s->capsgs) {
				s->capsgs = s->capsgs ? 2 * s->capsgs : 16;
				s->sgs = ism_xrealloc(s->sgs, s->capsgs * sizeof(*s->sgs));
			}
			memset(&s->sgs[s->nsgs++], 0, sizeof(*s->sgs));
		}
		g = &s->sgs[k];
		if (g->cap < (uint32_t)na) {
			g->cap = (uint32_t)na;
			g->iova = ism_xrealloc(g->iova, g->cap * sizeof(*g->iova));
			g->size = ism_xrealloc(g->size, g->cap * sizeof(*g->size));
		}
		g->device = dev;
		g->phys0 = phys[0];
		g->n = 0;
		g->used = true;
	}
	for (i = 0; i < na; i++) {
		if (!size[i]) {
			s->empty++;
			continue;
		}
		/* The IOMMU merges entries: physical addresses line up only when none merged. */
		emit_map(s, c, dev, addr[i], size[i], np == na ? phys[i] : 0, dir, false);
		if (g) {
			g->iova[g->n] = addr[i];
			g->size[g->n++] = size[i];
		}
	}
	return 0;
}

/* dma_unmap_sg "DEV dir=D phys_addrs={..} attrs=..": the segments of the matching map. */
static int ev_dma_unmap_sg(struct ftrace_state *s, struct import_ctx *c, const char *msg,
			   size_t len)
{
	uint64_t *phys = s->scratch;
	uint32_t dev, k;
	long np;
	size_t i;

	if (device_of(s, msg, len, &dev))
		return 1;
	np = array_of(msg, len, "phys_addrs", phys, FTRACE_SG_MAX);
	if (np < 0)
		return 1;
	for (i = 0; np && i < s->nsgs; i++) {
		struct sg_map *g = &s->sgs[i];

		if (!g->used || g->device != dev || g->phys0 != phys[0])
			continue;
		for (k = 0; k < g->n; k++)
			emit_unmap(s, dev, g->iova[k], g->size[k]);
		g->used = false;
		return 0;
	}
	s->sg_unmatched++;
	return 0;
}

/* ---- iommu groups: a group's devices share its domain ---- */

/* Whether a JSON array of strings holds this one. */
static bool json_array_has(const json_t *a, const char *str, size_t n)
{
	size_t i;

	for (i = 0; i < json_array_size(a); i++) {
		const json_t *v = json_array_get(a, i);

		if (json_string_length(v) == n && memcmp(json_string_value(v), str, n) == 0)
			return true;
	}
	return false;
}

static void push_attach(struct ftrace_state *s, uint32_t device, bool attach, uint32_t group)
{
	struct trace_rec r = { .kind = attach ? TRACE_ATTACH : TRACE_DETACH, .time_ns = s->now,
			       .device = device, .pasid = TRACE_PASID_NONE, .cpu = s->cpu };

	r.domain = attach ? group : 0;
	s->attaches += attach;
	s->detaches += !attach;
	out_push(s, &r);
}

/*
 * add_device_to_group / remove_device_from_group "IOMMU: groupID=N device=NAME". The group's
 * devices share its domain: with dma:* events (which name devices) a device is attached to
 * the group's id; iommu:map/unmap name none, so there the groups are only listed.
 */
static int ev_group(struct ftrace_state *s, const char *msg, size_t len, bool add)
{
	uint64_t gid;
	const char *name;
	size_t n;
	uint32_t dev;
	char key[24];
	json_t *devs;

	if (import_field(msg, len, "groupID", 10, &gid) || gid > INT32_MAX ||
	    device_field(msg, len, &name, &n) || device_named(s, name, n, &dev))
		return 1;
	if (!add) {
		import_domains_detach(s->groups, dev);
		if (s->use_dma && import_domains_detach(s->attached, dev))
			push_attach(s, dev, false, 0);
		return 0;
	}
	import_domains_attach(s->groups, dev, (uint32_t)gid);
	snprintf(key, sizeof(key), "%llu", (unsigned long long)gid);
	devs = json_object_get(s->group_devs, key);
	if (!devs) {
		devs = json_array();
		json_object_set_new(s->group_devs, key, devs);
	}
	if (s->group_names < FTRACE_GROUP_NAMES_MAX && !json_array_has(devs, name, n)) {
		s->group_names++;
		json_array_append_new(devs, json_stringn(name, n));
	}
	if (s->use_dma && import_domains_attach(s->attached, dev, (uint32_t)gid))
		push_attach(s, dev, true, (uint32_t)gid);
	return 0;
}

/*
 * attach_device_to_domain / detach_device_from_domain (Linux < 6.3) "IOMMU: device=NAME":
 * the events do not say which domain; a device attaches to its group's.
 */
static int ev_attach(struct ftrace_state *s, const char *msg, size_t len, bool attach)
{
	const char *name;
	size_t n;
	uint32_t dev, gid;

	if (device_field(msg, len, &name, &n) || device_named(s, name, n, &dev))
		return 1;
	if (!s->use_dma)
		return 0;
	if (!attach) {
		if (import_domains_detach(s->attached, dev))
			push_attach(s, dev, false, 0);
		return 0;
	}
	if (!import_domains_of(s->groups, dev, &gid)) {
		s->attaches_without_group++;
		return 0;
	}
	if (import_domains_attach(s->attached, dev, gid))
		push_attach(s, dev, true, gid);
	return 0;
}

/* ---- lines ---- */

enum ftrace_kind { EV_IOMMU_MAP, EV_IOMMU_UNMAP, EV_DMA_MAP, EV_DMA_UNMAP, EV_DMA_ALLOC,
		   EV_DMA_FREE, EV_DMA_MAP_SG, EV_DMA_UNMAP_SG, EV_GROUP_ADD, EV_GROUP_REMOVE,
		   EV_ATTACH, EV_DETACH };

struct ftrace_event {
	const char *name;
	enum ftrace_kind kind;
	const char *fields;
};

static const struct ftrace_event ftrace_events[] = {
	{ "map", EV_IOMMU_MAP, "'IOMMU: iova=0x.. paddr=0x.. size=N'" },
	{ "unmap", EV_IOMMU_UNMAP, "'IOMMU: iova=0x.. size=N unmapped_size=N'" },
	{ "dma_map_page", EV_DMA_MAP, "'DEV dir=D dma_addr=HEX size=N phys_addr=HEX'" },
	{ "dma_map_phys", EV_DMA_MAP, "'DEV dir=D dma_addr=HEX size=N phys_addr=HEX'" },
	{ "dma_map_resource", EV_DMA_MAP, "'DEV dir=D dma_addr=HEX size=N phys_addr=HEX'" },
	{ "dma_unmap_page", EV_DMA_UNMAP, "'DEV dir=D dma_addr=HEX size=N'" },
	{ "dma_unmap_phys", EV_DMA_UNMAP, "'DEV dir=D dma_addr=HEX size=N'" },
	{ "dma_unmap_resource", EV_DMA_UNMAP, "'DEV dir=D dma_addr=HEX size=N'" },
	{ "dma_alloc", EV_DMA_ALLOC, "'DEV dma_addr=HEX size=N'" },
	{ "dma_alloc_pages", EV_DMA_ALLOC, "'DEV dma_addr=HEX size=N'" },
	{ "dma_alloc_sgt", EV_DMA_ALLOC, "'DEV dma_addr=HEX size=N'" },
	{ "dma_free", EV_DMA_FREE, "'DEV dma_addr=HEX size=N'" },
	{ "dma_free_pages", EV_DMA_FREE, "'DEV dma_addr=HEX size=N'" },
	{ "dma_free_sgt", EV_DMA_FREE, "'DEV dma_addr=HEX size=N'" },
	{ "dma_map_sg", EV_DMA_MAP_SG,
	  "'DEV dir=D dma_addrs={0x..} sizes={0x..} phys_addrs={0x..}' with as many sizes as "
	  "addresses" },
	{ "dma_unmap_sg", EV_DMA_UNMAP_SG, "'DEV dir=D phys_addrs={0x..}'" },
	{ "add_device_to_group", EV_GROUP_ADD, "'IOMMU: groupID=N device=NAME'" },
	{ "remove_device_from_group", EV_GROUP_REMOVE, "'IOMMU: groupID=N device=NAME'" },
	{ "attach_device_to_domain", EV_ATTACH, "'IOMMU: device=NAME'" },
	{ "detach_device_from_domain", EV_DETACH, "'IOMMU: device=NAME'" },
};

static const struct ftrace_event *ftrace_event_find(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < ISM_ARRAY_SIZE(ftrace_events); i++)
		if (strlen(ftrace_events[i].name) == n &&
		    memcmp(ftrace_events[i].name, name, n) == 0)
			return &ftrace_events[i];
	return NULL;
}

/* The dma:* mapping events (the iommu:map/unmap family is the other; groups are both's). */
static bool is_dma(const struct ftrace_event *ev)
{
	return ev->kind >= EV_DMA_MAP && ev->kind <= EV_DMA_UNMAP_SG;
}

static bool is_group(const struct ftrace_event *ev)
{
	return ev->kind >= EV_GROUP_ADD;
}

static bool ev_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_';
}

/*
 * "  TASK-PID  [CPU] FLAGS  SEC.USEC: event: message" (tracefs) or the same without FLAGS
 * (trace-cmd report, older kernels). False when the line has no such form.
 */
static bool ftrace_split(const char *line, size_t len, unsigned long *cpu, uint64_t *ns,
			 const char **name, size_t *nlen, const char **msg, size_t *mlen)
{
	size_t i, j, end;
	int tok;

	/* The CPU bracket follows "-PID" and blanks: a task name may hold anything else. */
	for (i = 1; i < len; i++) {
		if (line[i] != '[')
			continue;
		j = i;
		while (j > 0 && line[j - 1] == ' ')
			j--;
		if (j == i)
			continue;
		end = j;
		while (j > 0 && line[j - 1] >= '0' && line[j - 1] <= '9')
			j--;
		if (j == end || j == 0 || line[j - 1] != '-')
			continue;
		break;
	}
	if (i >= len)
		return false;
	*cpu = 0;
	for (j = i + 1; j < len && line[j] >= '0' && line[j] <= '9'; j++) {
		if (*cpu >= FTRACE_CPU_LIMIT)
			return false;
		*cpu = *cpu * 10 + (unsigned long)(line[j] - '0');
	}
	if (j == i + 1 || j >= len || line[j] != ']' || *cpu >= FTRACE_CPU_LIMIT)
		return false;
	i = j + 1;
	/* At most two tokens before the timestamp's colon: the flags column, then the time. */
	for (tok = 0; tok < 2; tok++) {
		while (i < len && line[i] == ' ')
			i++;
		if (i < len && import_parse_seconds(line + i, len - i, ns, &end) == 0 &&
		    i + end < len && line[i + end] == ':') {
			i += end + 1;
			break;
		}
		while (i < len && line[i] != ' ')
			i++;
	}
	if (tok == 2)
		return false;
	while (i < len && line[i] == ' ')
		i++;
	*name = line + i;
	while (i < len && ev_char(line[i]))
		i++;
	*nlen = (size_t)(line + i - *name);
	if (!*nlen || i >= len || line[i] != ':')
		return false;
	i++;
	while (i < len && line[i] == ' ')
		i++;
	*msg = line + i;
	*mlen = len - i;
	return true;
}

static bool starts(const char *line, size_t len, const char *p)
{
	size_t n = strlen(p);

	return len >= n && memcmp(line, p, n) == 0;
}

/* Lines of the format that are no event: headers and trace-cmd's notes. */
static bool ftrace_header(struct ftrace_state *s, const char *line, size_t len)
{
	size_t i = 0;
	const char *lost;

	while (i < len && line[i] == ' ')
		i++;
	line += i;
	len -= i;
	if (!len || line[0] == '#')
		return true;
	lost = memmem(line, len, "[LOST ", 6);
	if (starts(line, len, "CPU") && lost && memmem(line, len, " EVENTS]", 8)) {
		uint64_t n = 0;

		for (lost += 6; lost < line + len && *lost >= '0' && *lost <= '9'; lost++)
			n = n * 10 + (uint64_t)(*lost - '0');
		s->lost += n;
		return true;
	}
	return starts(line, len, "version = ") || starts(line, len, "cpus=") ||
	       (starts(line, len, "CPU ") && memmem(line, len, " is empty", 9));
}

/* --events auto: mappings come from dma:* events when the trace has any. */
static int ftrace_prescan(struct import_ctx *c, bool *dma, struct ism_err *err)
{
	struct import_lines *l = import_lines_open(c->in, err);
	const struct ftrace_event *ev;
	const char *line, *name, *msg;
	size_t len, nlen, mlen;
	unsigned long cpu;
	uint64_t ns;
	bool too_long;
	int rc = 0;

	*dma = false;
	if (!l)
		return -1;
	/* Input that is not ftrace text: the import proper gives up at the same place. */
	import_lines_limit(l, IMPORT_PROBE_BYTES);
	while (!*dma && (rc = import_lines_next(l, &line, &len, &too_long, err)) > 0) {
		if (too_long || !ftrace_split(line, len, &cpu, &ns, &name, &nlen, &msg, &mlen))
			continue;
		import_lines_limit(l, 0);
		ev = ftrace_event_find(name, nlen);
		if (ev && is_dma(ev))
			*dma = true;
	}
	import_lines_close(l);
	return *dma || rc == 0 ? 0 : -1;
}

/* The inference rules, in words, for the trace's metadata (docs/traces.md says the same). */
static const char RULE_MAPPINGS_DMA[] =
	"dma_map_page/_phys/_resource and each dma_map_sg segment -> MAP (TO_DEVICE read-only, "
	"FROM_DEVICE write-only, else read-write); dma_alloc* -> MAP read-write (coherent); "
	"dma_unmap_*, dma_free* and dma_unmap_sg (matched to its dma_map_sg by device and first "
	"physical address) -> UNMAP; the device is the PCI requester id of the event's device "
	"name, other names are numbered from 0x100000 (see devices); iommu:map/unmap are counted, "
	"not used";
static const char RULE_MAPPINGS_IOMMU[] =
	"iommu:map -> MAP read-write, iommu:unmap -> UNMAP; dma:* events are counted, not used. "
	"The events name no device: each mapping goes to an inferred address space, space k "
	"being device `device` + k. A map goes to the space of the map before it when none of "
	"that space's live mappings shares a 4 KiB page with it, else to the first space of which "
	"none does, else to a new space (at most address_spaces.limit; past that, to the space "
	"whose overlapping mappings were mapped longest ago, ending them). An "
	"unmap goes to the space whose live mappings cover the most of its pages; of equals, one "
	"whose mappings there lie inside it, then the one mapped most recently; space 0 when "
	"nothing is mapped there. An unmap of part of a mapping leaves the rest mapped";
static const char RULE_DOMAINS_DMA[] =
	"iommu:add_device_to_group -> ATTACH of the device to the group's id (the devices of a "
	"group share its domain); attach_device_to_domain (which names no domain) -> ATTACH to "
	"the device's group's id when it is not there; remove_device_from_group and "
	"detach_device_from_domain -> DETACH. Devices of no group event: os.domains places them";
static const char RULE_DOMAINS_IOMMU[] =
	"iommu:map/unmap name no device, so the inferred address spaces cannot be tied to the "
	"devices iommu group events name: the groups are listed (groups), no ATTACH is made, and "
	"each inferred space is a device of its own domain (os.domains per-device)";
static const char RULE_ACCESSES_ONCE[] =
	"each streaming mapping is accessed once, whole (the simulator splits it into max-payload "
	"requests), halfway between its map and its unmap but at most max_delay_ns after the map "
	"(halfway to the last line if never unmapped); a write when the mapping is FROM_DEVICE, "
	"else a read; a coherent allocation is read whole every coherent_period_ns while "
	"allocated (0: never)";
static const char RULE_ACCESSES_NONE[] = "none synthesised (--accesses none)";

static void ftrace_meta(struct ftrace_state *s, struct import_ctx *c)
{
	json_t *f = json_object(), *rules = json_object(), *devs = json_object();
	size_t i;

	json_object_set_new(c->meta, "has_cpu", json_true());
	json_object_set_new(c->meta, "mappings_from",
			    json_string(s->use_dma ? "dma:* events" : "iommu:map/unmap events"));
	json_object_set_new(c->meta, "accesses",
			    json_string(c->opts->accesses == IMPORT_ACCESSES_ONCE ? "once" :
										     "none"));
	json_object_set_new(c->meta, "max_delay_ns", json_integer((json_int_t)s->delay));
	json_object_set_new(c->meta, "coherent_period_ns", json_integer((json_int_t)s->period));
	if (!s->use_dma) {
		json_t *sp = json_object(), *maps = json_array();

		json_object_set_new(c->meta, "device", json_integer(c->opts->device));
		json_object_set_new(sp, "inferred", json_integer(s->nspaces));
		json_object_set_new(sp, "limit", json_integer(s->max_spaces));
		for (i = 0; i < s->nspaces; i++)
			json_array_append_new(maps, json_integer((json_int_t)s->space_maps[i]));
		json_object_set_new(sp, "maps", maps);
		json_object_set_new(c->meta, "address_spaces", sp);
	}
	for (i = 0; i < import_names_count(s->devnames); i++)
		json_object_set_new(devs, import_names_name(s->devnames, i),
				    json_integer(s->devids[i]));
	if (s->use_dma)
		json_object_set_new(c->meta, "devices", devs);
	else
		json_decref(devs);
	json_object_set_new(f, "maps", json_integer((json_int_t)s->maps_seen));
	json_object_set_new(f, "unmaps", json_integer((json_int_t)s->unmaps_seen));
	json_object_set_new(f, "accesses_synthesised", json_integer((json_int_t)s->accesses));
	json_object_set_new(f, "coherent_accesses_synthesised",
			    json_integer((json_int_t)s->coherent_accesses));
	json_object_set_new(f, "coherent_accesses_skipped",
			    json_integer((json_int_t)s->coherent_skipped));
	json_object_set_new(f, "unmaps_of_nothing_mapped",
			    json_integer((json_int_t)s->unmatched_unmaps));
	json_object_set_new(f, "maps_over_live_mappings",
			    json_integer((json_int_t)s->overlapping_maps));
	json_object_set_new(f, "empty_ranges_skipped", json_integer((json_int_t)s->empty));
	json_object_set_new(f, "unmap_sg_without_map_sg",
			    json_integer((json_int_t)s->sg_unmatched));
	json_object_set_new(f, "map_sg_truncated", json_integer((json_int_t)s->sg_truncated));
	json_object_set_new(f, "lost_events", json_integer((json_int_t)s->lost));
	json_object_set_new(f, "unmaps_partly_mapped",
			    json_integer((json_int_t)s->partly_mapped_unmaps));
	json_object_set_new(f, "time_went_backwards", json_integer((json_int_t)c->backwards));
	json_object_set_new(f, "attaches", json_integer((json_int_t)s->attaches));
	json_object_set_new(f, "detaches", json_integer((json_int_t)s->detaches));
	json_object_set_new(f, "attaches_without_group",
			    json_integer((json_int_t)s->attaches_without_group));
	json_object_set_new(c->meta, "ftrace", f);
	if (json_object_size(s->group_devs))
		json_object_set(c->meta, "groups", s->group_devs);
	json_object_set_new(rules, "mappings",
			    json_string(s->use_dma ? RULE_MAPPINGS_DMA : RULE_MAPPINGS_IOMMU));
	json_object_set_new(rules, "accesses",
			    json_string(c->opts->accesses == IMPORT_ACCESSES_NONE ?
						RULE_ACCESSES_NONE :
						RULE_ACCESSES_ONCE));
	json_object_set_new(rules, "domains",
			    json_string(s->use_dma ? RULE_DOMAINS_DMA : RULE_DOMAINS_IOMMU));
	json_object_set_new(rules, "time",
			    json_string("each line's own timestamp in ns, never decreasing; "
					"MAP/UNMAP keep the line's CPU"));
	json_object_set_new(c->meta, "rules", rules);
}

/* Spaces whose map counts the note lists; the metadata has them all. */
#define FTRACE_NOTE_SPACES 8

/* What the user must know of a trace whose events named no device: what was inferred. */
static void ftrace_note(struct ftrace_state *s, struct import_ctx *c)
{
	char first[32], lastdev[32], counts[FTRACE_NOTE_SPACES * 32 + 8], *note;
	size_t n = 0;
	uint32_t k;

	if (s->use_dma || !s->maps_seen)
		return;
	trace_format_device(s->base, true, first, sizeof(first));
	trace_format_device(s->base + s->nspaces - 1, true, lastdev, sizeof(lastdev));
	counts[0] = '\0';
	/* 8 counts of at most 20 digits and 5 bytes of separator each fit */
	for (k = 0; k < s->nspaces && k < FTRACE_NOTE_SPACES; k++)
		n += (size_t)snprintf(counts + n, sizeof(counts) - n, "%s%llu",
				      k == 0 ? "" : k + 1 == s->nspaces ? " and " : ", ",
				      (unsigned long long)s->space_maps[k]);
	if (k < s->nspaces)
		snprintf(counts + n, sizeof(counts) - n, ", ...");
	if (s->nspaces == 1 && !s->overlapping_maps)
		note = ism_xasprintf("iommu:map/unmap name no device and no two live mappings "
				     "overlapped: the %llu map%s went to one address space, device "
				     "%s",
				     (unsigned long long)s->maps_seen, s->maps_seen == 1 ? "" : "s",
				     first);
	else if (s->nspaces == 1)
		note = ism_xasprintf("iommu:map/unmap name no device; one address space at most "
				     "(--address-spaces), so the %llu maps went to device %s, where "
				     "%llu ended live mappings they overlapped (lost unmaps, or "
				     "another device's)",
				     (unsigned long long)s->maps_seen, first,
				     (unsigned long long)s->overlapping_maps);
	else
		note = ism_xasprintf("iommu:map/unmap name no device; live mappings overlapped, "
				     "so %u address spaces were inferred, devices %s .. %s, with "
				     "%s of the %llu maps",
				     s->nspaces, first, lastdev, counts,
				     (unsigned long long)s->maps_seen);
	if (s->nspaces > 1 && s->overlapping_maps) {
		char *more = ism_xasprintf("%s; %llu maps ended live mappings they overlapped "
					   "(--address-spaces %u reached: lost unmaps?)",
					   note, (unsigned long long)s->overlapping_maps,
					   s->max_spaces);

		free(note);
		note = more;
	}
	import_note(c, ism_xasprintf("%s (docs/traces.md says how). The dma:* events of Linux "
				     "6.9 and later name each mapping's device: capture them "
				     "(scripts/capture-ftrace) to import without inference",
				     note));
	free(note);
}

static int ftrace_line(struct ftrace_state *s, struct import_ctx *c, struct ism_err *err)
{
	const struct ftrace_event *ev;
	const char *name, *msg;
	size_t nlen, mlen;
	unsigned long cpu;
	uint64_t ns;
	char what[32];
	int rc;

	if (ftrace_header(s, c->line, c->len)) {
		c->understood++;
		return 0;
	}
	if (!ftrace_split(c->line, c->len, &cpu, &ns, &name, &nlen, &msg, &mlen))
		return import_unknown(c, "not 'TASK-PID [CPU] TIME: event: message'", err);
	import_count_event(c, name, nlen);
	s->now = s->last = ns = import_clock(c, ns);
	s->cpu = (uint16_t)cpu;
	if (advance(s, c, ns, false, err))
		return -1;
	ev = ftrace_event_find(name, nlen);
	if (!ev || (!is_group(ev) && is_dma(ev) != s->use_dma))
		return 0;
	switch (ev->kind) {
	case EV_IOMMU_MAP: rc = ev_iommu_map(s, c, msg, mlen); break;
	case EV_IOMMU_UNMAP: rc = ev_iommu_unmap(s, msg, mlen); break;
	case EV_DMA_MAP: rc = ev_dma_map(s, c, msg, mlen); break;
	case EV_DMA_UNMAP: case EV_DMA_FREE: rc = ev_dma_unmap(s, c, msg, mlen); break;
	case EV_DMA_ALLOC: rc = ev_dma_alloc(s, c, msg, mlen); break;
	case EV_DMA_MAP_SG: rc = ev_dma_map_sg(s, c, msg, mlen); break;
	case EV_GROUP_ADD: rc = ev_group(s, msg, mlen, true); break;
	case EV_GROUP_REMOVE: rc = ev_group(s, msg, mlen, false); break;
	case EV_ATTACH: rc = ev_attach(s, msg, mlen, true); break;
	case EV_DETACH: rc = ev_attach(s, msg, mlen, false); break;
	default: rc = ev_dma_unmap_sg(s, c, msg, mlen); break;
	}
	if (rc) {
		snprintf(what, sizeof(what), "%s", ev->name);
		return import_malformed(c, what, ev->fields, err);
	}
	return 0;
}

static void ftrace_free(struct ftrace_state *s)
{
	size_t i;

	for (i = 0; i < s->nsgs; i++) {
		free(s->sgs[i].iova);
		free(s->sgs[i].size);
	}
	free(s->sgs);
	free(s->scratch);
	free(s->maps);
	free(s->freeslots);
	free(s->sorted);
	free(s->fifo);
	free(s->coh);
	free(s->out);
	free(s->devids);
	free(s->space_maps);
	import_names_free(s->devnames);
	import_domains_free(s->groups);
	import_domains_free(s->attached);
	json_decref(s->group_devs);
}

static int ftrace_convert(struct import_ctx *c, struct ism_err *err)
{
	struct ftrace_state s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.delay = c->opts->max_delay_ns;
	s.base = c->opts->device;
	/* Space k is device base + k: no id past 2^32 - 1. */
	s.max_spaces = c->opts->address_spaces ? c->opts->address_spaces : 1;
	if (s.max_spaces - 1 > UINT32_MAX - s.base)
		s.max_spaces = UINT32_MAX - s.base + 1;
	s.period = c->opts->coherent_period_ns;
	s.devnames = import_names_new();
	s.groups = import_domains_new();
	s.attached = import_domains_new();
	s.group_devs = json_object();
	s.scratch = ism_xmalloc(3 * FTRACE_SG_MAX * sizeof(*s.scratch));
	if (c->opts->events == IMPORT_EVENTS_AUTO) {
		if (ftrace_prescan(c, &s.use_dma, err)) {
			ftrace_free(&s);
			return -1;
		}
	} else {
		s.use_dma = c->opts->events == IMPORT_EVENTS_DMA;
	}
	while ((rc = import_next_line(c, err)) > 0)
		if (ftrace_line(&s, c, err))
			break;
	if (rc == 0)
		rc = advance(&s, c, s.last, true, err);
	if (rc == 0) {
		ftrace_meta(&s, c);
		ftrace_note(&s, c);
	}
	ftrace_free(&s);
	return rc ? -1 : 0;
}

const struct import_ops import_ftrace_ops = {
	.name = "ftrace",
	.help = "Linux ftrace text (trace-cmd report or tracefs trace) of dma:* or iommu:map/unmap "
		"events",
	.text = true,
	.convert = ftrace_convert,
};
