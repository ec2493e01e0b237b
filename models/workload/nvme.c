/* The "nvme" workload: an NVMe SSD's submission/completion queues and per-I/O buffer mappings. */
#include <stdlib.h>
#include <string.h>

#include "workload.h"

#define NVME_IOS_DEFAULT 10000
#define NVME_QUEUES_DEFAULT 4
#define NVME_QUEUES_MAX 256
#define NVME_QUEUE_ENTRIES_DEFAULT 1024
#define NVME_QUEUE_ENTRIES_MAX 65536
#define NVME_QUEUE_DEPTH_DEFAULT 32
#define NVME_BLOCK_SIZE_DEFAULT 4096
#define NVME_SECTOR_BYTES 512
/* One PRP list page holds every entry up to 1 MiB transfers (256 pages, 255 entries). */
#define NVME_BLOCK_SIZE_MAX (1ULL << 20)
#define NVME_SPAN_DEFAULT (64ULL << 20)
#define NVME_SPAN_MAX (1ULL << 36)
#define NVME_READ_FRACTION_DEFAULT 0.7
#define NVME_IOPS_DEFAULT 100000
#define NVME_IOPS_MAX 100000000
#define NVME_LATENCY_NS_DEFAULT 50000
#define NVME_IOVA_LIMIT_DEFAULT (1ULL << 32)
#define NVME_NS_PER_S 1000000000ULL
/* Queue entries: a submission command is 64 bytes, a completion 16. */
#define NVME_SQE_BYTES 64
#define NVME_CQE_BYTES 16
#define NVME_PRP_ENTRY_BYTES 8
/* The driver's two dma_pools of PRP lists: 256-byte blocks for up to 32 entries, else 4 KiB. */
#define NVME_PRP_SMALL_BYTES 256
#define NVME_PRP_SMALL_ENTRIES (NVME_PRP_SMALL_BYTES / NVME_PRP_ENTRY_BYTES)
/* The data buffers are 2 MiB aligned, like hugepage-backed I/O buffers. */
#define NVME_SPAN_ALIGN (2ULL << 20)

enum nvme_pattern { NVME_RANDOM, NVME_SEQUENTIAL };

/* A dma_pool: coherent pages mapped when the pool grows, blocks reused last freed first. */
struct nvme_pool {
	uint64_t block;
	uint64_t *free;
	size_t nfree, cap;
	uint64_t *pages;
	size_t npages;
};

struct nvme_io {
	uint64_t done_ns, iova, prp;
	uint32_t queue;
	bool read;
	struct nvme_pool *pool; /* where the PRP list came from, NULL without one */
};

struct nvme_queue {
	uint64_t sq, cq; /* IOVAs of the rings */
	uint32_t sq_tail, cq_head;
};

struct nvme {
	struct workload_ctx c;
	struct workload_iova iova;
	struct workload_phys phys;
	uint64_t ios, queues, entries, qd, bs, span, iops, bw, latency, limit, span_pa;
	unsigned pattern;
	double read_fraction;
	struct nvme_queue *q;
	struct nvme_io *io; /* outstanding I/Os, a FIFO of qd entries */
	size_t head, n;
	struct nvme_pool small, large;
};

static const char *const nvme_keys[] = {
	"device", "ios", "queues", "queue_entries", "queue_depth", "block_size", "pattern", "span",
	"read_fraction", "iops", "bandwidth", "latency_ns", "iova_limit", NULL,
};

static int nvme_no_iova(struct nvme *n, struct ism_err *err)
{
	return ism_err_set(err, ISM_EXIT_CONFIG,
			   "%s: 'iova_limit': the IOVA space below 0x%llx is exhausted",
			   n->c.origin, (unsigned long long)n->limit);
}

static int nvme_no_contig(struct nvme *n, struct ism_err *err)
{
	return ism_err_set(err, ISM_EXIT_CONFIG,
			   "%s: the queues and 'span' need more contiguous memory than there is",
			   n->c.origin);
}

/* dma_alloc_coherent: contiguous whole pages, mapped read-write. */
static int nvme_coherent(struct nvme *n, uint64_t t, uint64_t bytes, uint16_t cpu,
			 uint64_t *iova, struct ism_err *err)
{
	uint64_t pa;

	bytes = (bytes + WORKLOAD_PAGE_BYTES - 1) & ~(WORKLOAD_PAGE_BYTES - 1);
	if (workload_phys_contig(&n->phys, bytes, WORKLOAD_PAGE_BYTES, &pa))
		return nvme_no_contig(n, err);
	if (workload_iova_alloc(&n->iova, bytes, iova))
		return nvme_no_iova(n, err);
	workload_put_map(&n->c, t, n->c.device, TRACE_PASID_NONE, *iova, bytes, pa, TRACE_PERM_RW,
			 cpu);
	return 0;
}

static int nvme_pool_get(struct nvme *n, struct nvme_pool *p, uint64_t t, uint16_t cpu,
			 uint64_t *iova, struct ism_err *err)
{
	uint64_t page, off;

	if (!p->nfree) {
		if (nvme_coherent(n, t, WORKLOAD_PAGE_BYTES, cpu, &page, err))
			return -1;
		p->pages = ism_xrealloc(p->pages, (p->npages + 1) * sizeof(*p->pages));
		p->pages[p->npages++] = page;
		p->cap = p->nfree + WORKLOAD_PAGE_BYTES / p->block;
		p->free = ism_xrealloc(p->free, p->cap * sizeof(*p->free));
		/* Pushed last block first, so the page is handed out from its start. */
		for (off = WORKLOAD_PAGE_BYTES; off > 0; off -= p->block)
			p->free[p->nfree++] = page + off - p->block;
	}
	*iova = p->free[--p->nfree];
	return 0;
}

static void nvme_pool_put(struct nvme_pool *p, uint64_t iova)
{
	if (p->nfree == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->free = ism_xrealloc(p->free, p->cap * sizeof(*p->free));
	}
	p->free[p->nfree++] = iova;
}

/* The completion: data in (a read), the CQ entry, then the driver unmaps the buffer. */
static void nvme_complete(struct nvme *n)
{
	struct nvme_io *io = &n->io[n->head];
	struct nvme_queue *q = &n->q[io->queue];
	uint32_t dev = n->c.device;

	if (io->read)
		workload_put_access(&n->c, io->done_ns, dev, TRACE_PASID_NONE, io->iova, n->bs,
				    true);
	workload_put_access(&n->c, io->done_ns, dev, TRACE_PASID_NONE,
			    q->cq + (uint64_t)q->cq_head * NVME_CQE_BYTES, NVME_CQE_BYTES, true);
	q->cq_head = (q->cq_head + 1) % (uint32_t)n->entries;
	workload_put_unmap(&n->c, io->done_ns, dev, TRACE_PASID_NONE, io->iova, n->bs,
			   (uint16_t)io->queue);
	workload_iova_unmap(&n->iova, io->iova, n->bs);
	if (io->pool)
		nvme_pool_put(io->pool, io->prp);
	n->head = (n->head + 1) % n->qd;
	n->n--;
}

static int nvme_submit(struct nvme *n, uint64_t k, uint64_t s, struct ism_err *err)
{
	uint64_t slots = n->span / n->bs, slot, pa, pages, entries;
	uint32_t qi = (uint32_t)(k % n->queues), dev = n->c.device;
	struct nvme_io *io = &n->io[(n->head + n->n) % n->qd];
	struct nvme_queue *q = &n->q[qi];

	slot = n->pattern == NVME_SEQUENTIAL ? k % slots :
					       gsl_rng_uniform_int(n->c.rng, (unsigned long)slots);
	io->read = gsl_rng_uniform(n->c.rng) < n->read_fraction;
	io->queue = qi;
	io->done_ns = s + n->latency;
	io->pool = NULL;
	pa = n->span_pa + slot * n->bs;
	/* dma_map_sg: a read fills memory (DMA_FROM_DEVICE), a write drains it. */
	if (workload_iova_map(&n->iova, pa, n->bs, &io->iova))
		return nvme_no_iova(n, err);
	workload_put_map(&n->c, s, dev, TRACE_PASID_NONE, io->iova, n->bs, pa,
			 io->read ? TRACE_PERM_WRITE : TRACE_PERM_READ, (uint16_t)qi);
	/* PRP1 and PRP2 cover two pages; more need a list of the pages after the first. */
	pages = (n->bs + WORKLOAD_PAGE_BYTES - 1) / WORKLOAD_PAGE_BYTES;
	entries = pages - 1;
	if (pages > 2) {
		io->pool = entries <= NVME_PRP_SMALL_ENTRIES ? &n->small : &n->large;
		if (nvme_pool_get(n, io->pool, s, (uint16_t)qi, &io->prp, err))
			return -1;
	}
	workload_put_access(&n->c, s, dev, TRACE_PASID_NONE,
			    q->sq + (uint64_t)q->sq_tail * NVME_SQE_BYTES, NVME_SQE_BYTES, false);
	q->sq_tail = (q->sq_tail + 1) % (uint32_t)n->entries;
	if (io->pool)
		workload_put_access(&n->c, s, dev, TRACE_PASID_NONE, io->prp,
				    entries * NVME_PRP_ENTRY_BYTES, false);
	if (!io->read)
		workload_put_access(&n->c, s, dev, TRACE_PASID_NONE, io->iova, n->bs, false);
	n->n++;
	return 0;
}

static int nvme_read_spec(struct nvme *n, struct ism_err *err)
{
	static const char *const patterns[] = { "random", "sequential", NULL };
	struct workload_ctx *c = &n->c;
	const json_t *iops, *bw;

	if (workload_get_device(c, "device", "02:00.0", &c->device, err) ||
	    workload_get_u64(c, "ios", NVME_IOS_DEFAULT, 0, UINT32_MAX, &n->ios, err) ||
	    workload_get_u64(c, "queues", NVME_QUEUES_DEFAULT, 1, NVME_QUEUES_MAX, &n->queues,
			     err) ||
	    workload_get_u64(c, "queue_entries", NVME_QUEUE_ENTRIES_DEFAULT, 2,
			     NVME_QUEUE_ENTRIES_MAX, &n->entries, err) ||
	    /* I/Os go round-robin to the queues; an SQ holds one entry less than it has. */
	    workload_get_u64(c, "queue_depth", NVME_QUEUE_DEPTH_DEFAULT, 1,
			     n->queues * (n->entries - 1), &n->qd, err) ||
	    workload_get_bytes(c, "block_size", NVME_BLOCK_SIZE_DEFAULT, NVME_SECTOR_BYTES,
			       NVME_BLOCK_SIZE_MAX, &n->bs, err))
		return -1;
	if (n->bs % NVME_SECTOR_BYTES)
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: %s: expected a multiple of %u bytes",
				   c->origin, workload_key(c, "block_size"), NVME_SECTOR_BYTES);
	if (workload_get_choice(c, "pattern", patterns, NVME_RANDOM, &n->pattern, err) ||
	    workload_get_bytes(c, "span", NVME_SPAN_DEFAULT, n->bs, NVME_SPAN_MAX, &n->span,
			       err) ||
	    workload_get_number(c, "read_fraction", NVME_READ_FRACTION_DEFAULT, 0, 1,
				&n->read_fraction, err))
		return -1;
	/* The rate: one of the two keys (null counts as not given, so --set can switch). */
	iops = json_object_get(c->spec, "iops");
	bw = json_object_get(c->spec, "bandwidth");
	if (iops && json_is_null(iops))
		iops = NULL;
	if (bw && json_is_null(bw))
		bw = NULL;
	if (iops && bw)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: give 'iops' or 'bandwidth', not both", c->origin);
	if (bw ? workload_get_bytes(c, "bandwidth", 0, 1, UINT64_MAX, &n->bw, err) :
		 workload_get_u64(c, "iops", NVME_IOPS_DEFAULT, 1, NVME_IOPS_MAX, &n->iops, err))
		return -1;
	if (workload_get_u64(c, "latency_ns", NVME_LATENCY_NS_DEFAULT, 0, UINT32_MAX,
			     &n->latency, err) ||
	    workload_get_bytes(c, "iova_limit", NVME_IOVA_LIMIT_DEFAULT, 1ULL << 24, 1ULL << 57,
			       &n->limit, err))
		return -1;
	if (n->limit & (n->limit - 1))
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: %s: expected a power of two",
				   c->origin, workload_key(c, "iova_limit"));
	return 0;
}

/* When I/O k is due: k / iops seconds, or k blocks at the bandwidth. */
static uint64_t nvme_due(const struct nvme *n, uint64_t k)
{
	if (n->bw)
		return workload_muldiv(k * n->bs, NVME_NS_PER_S, n->bw);
	return workload_muldiv(k, NVME_NS_PER_S, n->iops);
}

static int nvme_generate(const json_t *spec, const char *origin, uint64_t seed,
			 struct trace_writer *w, struct ism_err *err)
{
	struct nvme n;
	uint64_t k, s, t_end = 0;
	uint32_t qi;
	size_t i;
	int rc = -1;

	memset(&n, 0, sizeof(n));
	n.small.block = NVME_PRP_SMALL_BYTES;
	n.large.block = WORKLOAD_PAGE_BYTES;
	if (workload_begin_at(&n.c, spec, origin, NULL, NULL, seed, false, nvme_keys, w, err) ||
	    nvme_read_spec(&n, err))
		goto out;
	n.c.has_cpu = true;
	workload_meta(&n.c);
	workload_iova_init(&n.iova, n.limit);
	workload_phys_init(&n.phys, n.c.rng);
	n.q = ism_xcalloc(n.queues, sizeof(*n.q));
	n.io = ism_xcalloc(n.qd, sizeof(*n.io));
	/* nvme_alloc_queue(): the completion ring, then the submission ring, per queue. */
	for (qi = 0; qi < n.queues; qi++)
		if (nvme_coherent(&n, 0, n.entries * NVME_CQE_BYTES, (uint16_t)qi, &n.q[qi].cq,
				  err) ||
		    nvme_coherent(&n, 0, n.entries * NVME_SQE_BYTES, (uint16_t)qi, &n.q[qi].sq,
				  err))
			goto out;
	if (workload_phys_contig(&n.phys, n.span, NVME_SPAN_ALIGN, &n.span_pa)) {
		nvme_no_contig(&n, err);
		goto out;
	}
	for (k = 0; k < n.ios; k++) {
		s = nvme_due(&n, k);
		/* Queue depth: a new I/O waits for the oldest to complete. */
		if (n.n == n.qd && n.io[n.head].done_ns > s)
			s = n.io[n.head].done_ns;
		while (n.n && n.io[n.head].done_ns <= s)
			nvme_complete(&n);
		if (workload_drain(&n.c, s, err) || nvme_submit(&n, k, s, err))
			goto out;
		t_end = n.io[(n.head + n.n - 1) % n.qd].done_ns;
	}
	while (n.n)
		nvme_complete(&n);
	/* Teardown: the PRP pools are destroyed, then the queues deleted. */
	for (i = 0; i < n.small.npages; i++)
		workload_put_unmap(&n.c, t_end, n.c.device, TRACE_PASID_NONE, n.small.pages[i],
				   WORKLOAD_PAGE_BYTES, 0);
	for (i = 0; i < n.large.npages; i++)
		workload_put_unmap(&n.c, t_end, n.c.device, TRACE_PASID_NONE, n.large.pages[i],
				   WORKLOAD_PAGE_BYTES, 0);
	for (qi = 0; qi < n.queues; qi++) {
		workload_put_unmap(&n.c, t_end, n.c.device, TRACE_PASID_NONE, n.q[qi].cq,
				   (n.entries * NVME_CQE_BYTES + WORKLOAD_PAGE_BYTES - 1) &
					   ~(WORKLOAD_PAGE_BYTES - 1),
				   (uint16_t)qi);
		workload_put_unmap(&n.c, t_end, n.c.device, TRACE_PASID_NONE, n.q[qi].sq,
				   (n.entries * NVME_SQE_BYTES + WORKLOAD_PAGE_BYTES - 1) &
					   ~(WORKLOAD_PAGE_BYTES - 1),
				   (uint16_t)qi);
	}
	rc = workload_drain(&n.c, UINT64_MAX, err);
out:
	free(n.q);
	free(n.io);
	free(n.small.free);
	free(n.small.pages);
	free(n.large.free);
	free(n.large.pages);
	workload_iova_destroy(&n.iova);
	workload_free(&n.c);
	return rc;
}

const struct workload_ops workload_nvme = {
	.name = "nvme",
	.help = "an NVMe SSD: SQ/CQ rings, per-I/O data mappings and PRP lists, queue depth, IOPS",
	.generate = nvme_generate,
};
