/* The "nic" workload: an Ethernet NIC's RX and TX rings, mapped the way Linux netdev drivers do. */
#include <stdlib.h>
#include <string.h>

#include "workload.h"

#define NIC_PACKETS_DEFAULT 10000
#define NIC_QUEUES_DEFAULT 2
#define NIC_QUEUES_MAX 256
#define NIC_FLOWS_DEFAULT 64
#define NIC_RING_SIZE_DEFAULT 512
#define NIC_RING_SIZE_MIN 8
#define NIC_RING_SIZE_MAX 32768
#define NIC_DESC_BYTES_DEFAULT 16
#define NIC_MTU_DEFAULT 1500
#define NIC_MTU_MIN 68
#define NIC_MTU_MAX 9216
#define NIC_PACKET_SIZE_DEFAULT 1500
#define NIC_PACKET_SIZE_MIN_DEFAULT 64
#define NIC_LINE_RATE_GBPS_DEFAULT 10.0
#define NIC_LINE_RATE_GBPS_MAX 1600.0
#define NIC_DRIVER_DELAY_NS_DEFAULT 10000
#define NIC_IOVA_LIMIT_DEFAULT (1ULL << 32)
/* A frame on the wire adds preamble and start delimiter (8 B) and the inter-frame gap (12 B). */
#define NIC_WIRE_OVERHEAD_BYTES 20
/* The largest frame of an MTU: Ethernet header (14 B) and FCS (4 B) around the payload. */
#define NIC_FRAME_OVERHEAD_BYTES 18
#define NIC_FRAME_MIN_BYTES 60
/* RX buffers are at least half a page (the 2K buffers of ixgbe, i40e, ...), at most 16K. */
#define NIC_RX_BUFFER_MIN 2048
#define NIC_RX_BUFFER_MAX 16384
/* The RSS indirection table: ethtool's default fills its 128 entries round-robin. */
#define NIC_RETA_ENTRIES 128
/* A CPU's page_frag_cache carves skb data out of 32 KiB blocks (PAGE_FRAG_CACHE_MAX_SIZE). */
#define NIC_FRAG_ORDER 3
#define NIC_FRAG_BYTES (WORKLOAD_PAGE_BYTES << NIC_FRAG_ORDER)
/* skb data is cache-line aligned (SKB_DATA_ALIGN). */
#define NIC_TX_ALIGN 64
/* IMIX: 64, 576 and 1500-byte packets weighted 7:4:1. */
#define NIC_IMIX_WEIGHTS 12

enum nic_dir { NIC_BOTH, NIC_RX, NIC_TX };
enum nic_dist { NIC_FIXED, NIC_UNIFORM, NIC_IMIX };
enum nic_rx_mode { NIC_PER_PACKET, NIC_PAGE_POOL };

/* A driver action waiting for its time: cleaning one descriptor of one queue. */
struct nic_action {
	uint64_t t;
	uint32_t queue, desc;
};

/* A FIFO of actions; they come due in the order queued (the same delay after each packet). */
struct nic_fifo {
	struct nic_action *a;
	size_t head, n, cap;
};

struct nic_queue {
	uint64_t rx_ring, tx_ring;  /* IOVAs of the descriptor rings */
	uint32_t rx_next, tx_next; /* the descriptor the next packet uses */
	uint64_t *rx_iova;         /* the buffer posted at each RX descriptor */
	uint8_t *rx_posted;        /* descriptor holds a buffer the device may fill */
	uint8_t *tx_free;          /* descriptor cleaned: the driver may use it */
	uint64_t *tx_iova, *tx_len;
	uint64_t *pool_iova;       /* page-pool mode: the pool's pages, mapped once */
	uint64_t frag_pa, frag_off; /* this CPU's page_frag_cache */
};

struct nic {
	struct workload_ctx c;
	struct workload_iova iova;
	struct workload_phys phys;
	uint64_t packets, flows, ring, desc, mtu, psize, pmin, pmax, rx_buf, delay_ns, limit;
	uint64_t rate_mbps, queues, pool_pages, pool_page_bytes;
	unsigned dir, dist, rx_mode;
	struct nic_queue *q;
	struct nic_fifo rx_done, tx_done;
};

static const char *const nic_keys[] = {
	"device", "packets", "direction", "queues", "flows", "ring_size", "descriptor_size",
	"mtu", "size_dist", "packet_size", "packet_size_min", "packet_size_max", "rx_buffer",
	"rx_mode", "line_rate_gbps", "driver_delay_ns", "iova_limit", NULL,
};

static void fifo_push(struct nic_fifo *f, uint64_t t, uint32_t queue, uint32_t desc)
{
	if (f->n == f->cap) {
		size_t i, cap = f->cap ? f->cap * 2 : 256;
		struct nic_action *a = ism_xmalloc(cap * sizeof(*a));

		for (i = 0; i < f->n; i++)
			a[i] = f->a[(f->head + i) % f->cap];
		free(f->a);
		f->a = a;
		f->head = 0;
		f->cap = cap;
	}
	f->a[(f->head + f->n++) % f->cap] = (struct nic_action){ t, queue, desc };
}

static const struct nic_action *fifo_peek(const struct nic_fifo *f)
{
	return f->n ? &f->a[f->head] : NULL;
}

static void fifo_pop(struct nic_fifo *f)
{
	f->head = (f->head + 1) % f->cap;
	f->n--;
}

static int nic_no_iova(struct nic *n, struct ism_err *err)
{
	return ism_err_set(err, ISM_EXIT_CONFIG,
			   "%s: 'iova_limit': the IOVA space below 0x%llx is exhausted",
			   n->c.origin, (unsigned long long)n->limit);
}

/* A buffer of this CPU's page_frag_cache: aligned, never crossing its 32 KiB block. */
static uint64_t nic_frag(struct nic *n, struct nic_queue *q, uint64_t bytes, uint64_t align)
{
	uint64_t off = (q->frag_off + align - 1) & ~(align - 1);

	if (!q->frag_pa || off + bytes > NIC_FRAG_BYTES) {
		q->frag_pa = workload_phys_block(&n->phys, NIC_FRAG_ORDER);
		off = 0;
	}
	q->frag_off = off + bytes;
	return q->frag_pa + off;
}

/* Per-packet mode: map a fresh RX buffer for descriptor d (dma_map_single, DMA_FROM_DEVICE). */
static int nic_rx_post(struct nic *n, uint32_t qi, uint32_t d, uint64_t t, struct ism_err *err)
{
	struct nic_queue *q = &n->q[qi];
	uint64_t pa = nic_frag(n, q, n->rx_buf, n->rx_buf);

	if (workload_iova_map(&n->iova, pa, n->rx_buf, &q->rx_iova[d]))
		return nic_no_iova(n, err);
	workload_put_map(&n->c, t, n->c.device, TRACE_PASID_NONE, q->rx_iova[d], n->rx_buf, pa,
			 TRACE_PERM_WRITE, (uint16_t)qi);
	return 0;
}

/* Coherent memory (dma_alloc_coherent): contiguous, whole pages, mapped read-write at once. */
static int nic_coherent(struct nic *n, uint64_t bytes, uint32_t qi, uint64_t *iova,
			struct ism_err *err)
{
	uint64_t pa;

	bytes = (bytes + WORKLOAD_PAGE_BYTES - 1) & ~(WORKLOAD_PAGE_BYTES - 1);
	if (workload_phys_contig(&n->phys, bytes, WORKLOAD_PAGE_BYTES, &pa))
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: the rings need more than the "
				   "contiguous memory there is", n->c.origin);
	if (workload_iova_alloc(&n->iova, bytes, iova))
		return nic_no_iova(n, err);
	workload_put_map(&n->c, 0, n->c.device, TRACE_PASID_NONE, *iova, bytes, pa, TRACE_PERM_RW,
			 (uint16_t)qi);
	return 0;
}

static int nic_setup(struct nic *n, struct ism_err *err)
{
	uint64_t ring_bytes = n->ring * n->desc, i, pages_per_buf;
	uint32_t qi, d;

	n->q = ism_xcalloc(n->queues, sizeof(*n->q));
	/* Page-pool pages: two 2K buffers share a page; a larger buffer is one compound page. */
	pages_per_buf = n->rx_buf > WORKLOAD_PAGE_BYTES ? n->rx_buf / WORKLOAD_PAGE_BYTES : 1;
	n->pool_page_bytes = pages_per_buf * WORKLOAD_PAGE_BYTES;
	/* rounded up: with an odd ring the last page holds one 2K buffer */
	n->pool_pages = (n->ring * n->rx_buf + n->pool_page_bytes - 1) / n->pool_page_bytes;
	for (qi = 0; qi < n->queues; qi++) {
		struct nic_queue *q = &n->q[qi];

		q->rx_iova = ism_xcalloc(n->ring, sizeof(*q->rx_iova));
		q->rx_posted = ism_xcalloc(n->ring, 1);
		q->tx_free = ism_xmalloc(n->ring);
		memset(q->tx_free, 1, n->ring);
		q->tx_iova = ism_xcalloc(n->ring, sizeof(*q->tx_iova));
		q->tx_len = ism_xcalloc(n->ring, sizeof(*q->tx_len));
		if ((n->dir != NIC_TX && nic_coherent(n, ring_bytes, qi, &q->rx_ring, err)) ||
		    (n->dir != NIC_RX && nic_coherent(n, ring_bytes, qi, &q->tx_ring, err)))
			return -1;
		if (n->dir == NIC_TX)
			continue;
		if (n->rx_mode == NIC_PAGE_POOL) {
			/* page_pool with PP_FLAG_DMA_MAP: each page mapped once, when allocated. */
			q->pool_iova = ism_xcalloc(n->pool_pages, sizeof(*q->pool_iova));
			for (i = 0; i < n->pool_pages; i++) {
				unsigned order = 0;
				uint64_t pa;

				while ((WORKLOAD_PAGE_BYTES << order) < n->pool_page_bytes)
					order++;
				pa = workload_phys_block(&n->phys, order);
				if (workload_iova_alloc(&n->iova, n->pool_page_bytes,
							&q->pool_iova[i]))
					return nic_no_iova(n, err);
				workload_put_map(&n->c, 0, n->c.device, TRACE_PASID_NONE,
						 q->pool_iova[i], n->pool_page_bytes, pa,
						 TRACE_PERM_WRITE, (uint16_t)qi);
			}
			for (d = 0; d < n->ring; d++)
				q->rx_iova[d] = q->pool_iova[d * n->rx_buf / n->pool_page_bytes] +
						d * n->rx_buf % n->pool_page_bytes;
		} else {
			for (d = 0; d < n->ring; d++)
				if (nic_rx_post(n, qi, d, 0, err))
					return -1;
		}
		memset(q->rx_posted, 1, n->ring);
		/* The device fetches the descriptors the driver posted (tail doorbell). */
		workload_put_access(&n->c, 0, n->c.device, TRACE_PASID_NONE, q->rx_ring, ring_bytes,
				    false);
	}
	return 0;
}

/* NAPI RX: unmap the filled buffer, post a fresh one; the device fetches the descriptor. */
static int nic_rx_clean(struct nic *n, const struct nic_action *a, struct ism_err *err)
{
	struct nic_queue *q = &n->q[a->queue];

	if (n->rx_mode == NIC_PER_PACKET) {
		workload_put_unmap(&n->c, a->t, n->c.device, TRACE_PASID_NONE, q->rx_iova[a->desc],
				   n->rx_buf, (uint16_t)a->queue);
		workload_iova_unmap(&n->iova, q->rx_iova[a->desc], n->rx_buf);
		if (nic_rx_post(n, a->queue, a->desc, a->t, err))
			return -1;
	}
	q->rx_posted[a->desc] = 1;
	workload_put_access(&n->c, a->t, n->c.device, TRACE_PASID_NONE,
			    q->rx_ring + a->desc * n->desc, n->desc, false);
	return 0;
}

/* TX completion: the driver unmaps the packet and frees the descriptor. */
static void nic_tx_clean(struct nic *n, const struct nic_action *a)
{
	struct nic_queue *q = &n->q[a->queue];

	workload_put_unmap(&n->c, a->t, n->c.device, TRACE_PASID_NONE, q->tx_iova[a->desc],
			   q->tx_len[a->desc], (uint16_t)a->queue);
	workload_iova_unmap(&n->iova, q->tx_iova[a->desc], q->tx_len[a->desc]);
	q->tx_free[a->desc] = 1;
}

/* Run every driver action due at or before t, in time order (RX before TX on a tie). */
static int nic_actions(struct nic *n, uint64_t t, struct ism_err *err)
{
	const struct nic_action *rx, *tx;

	for (;;) {
		rx = fifo_peek(&n->rx_done);
		tx = fifo_peek(&n->tx_done);
		if (rx && rx->t <= t && (!tx || rx->t <= tx->t)) {
			if (nic_rx_clean(n, rx, err))
				return -1;
			fifo_pop(&n->rx_done);
		} else if (tx && tx->t <= t) {
			nic_tx_clean(n, tx);
			fifo_pop(&n->tx_done);
		} else {
			return 0;
		}
	}
}

static uint64_t nic_size(struct nic *n)
{
	static const uint64_t imix[NIC_IMIX_WEIGHTS] = { 64, 64, 64, 64, 64, 64, 64,
							 576, 576, 576, 576, 1500 };

	if (n->dist == NIC_FIXED)
		return n->psize;
	if (n->dist == NIC_UNIFORM)
		return n->pmin +
		       gsl_rng_uniform_int(n->c.rng, (unsigned long)(n->pmax - n->pmin + 1));
	return imix[gsl_rng_uniform_int(n->c.rng, NIC_IMIX_WEIGHTS)];
}

/* RSS: a flow's hash picks an indirection-table entry, the entry a queue. */
static uint32_t nic_queue_of(const struct nic *n, uint64_t flow)
{
	return (uint32_t)(ism_hash64(flow + 1) % NIC_RETA_ENTRIES % n->queues);
}

static void nic_rx(struct nic *n, uint64_t t, uint64_t len, uint32_t qi)
{
	struct nic_queue *q = &n->q[qi];
	uint32_t d = q->rx_next;

	/* No buffer posted yet (the driver fell behind): the NIC drops the packet. */
	if (!q->rx_posted[d])
		return;
	q->rx_posted[d] = 0;
	q->rx_next = (d + 1) % (uint32_t)n->ring;
	workload_put_access(&n->c, t, n->c.device, TRACE_PASID_NONE, q->rx_iova[d], len, true);
	workload_put_access(&n->c, t, n->c.device, TRACE_PASID_NONE, q->rx_ring + d * n->desc,
			    n->desc, true);
	fifo_push(&n->rx_done, t + n->delay_ns, qi, d);
}

static int nic_tx(struct nic *n, uint64_t t, uint64_t len, uint32_t qi, struct ism_err *err)
{
	struct nic_queue *q = &n->q[qi];
	uint32_t d = q->tx_next;
	uint64_t pa;

	/* The ring is full: the stack has stopped the queue and the packet is not sent. */
	if (!q->tx_free[d])
		return 0;
	q->tx_free[d] = 0;
	q->tx_next = (d + 1) % (uint32_t)n->ring;
	pa = nic_frag(n, q, len, NIC_TX_ALIGN);
	if (workload_iova_map(&n->iova, pa, len, &q->tx_iova[d]))
		return nic_no_iova(n, err);
	q->tx_len[d] = len;
	workload_put_map(&n->c, t, n->c.device, TRACE_PASID_NONE, q->tx_iova[d], len, pa,
			 TRACE_PERM_READ, (uint16_t)qi);
	workload_put_access(&n->c, t, n->c.device, TRACE_PASID_NONE, q->tx_ring + d * n->desc,
			    n->desc, false);
	workload_put_access(&n->c, t, n->c.device, TRACE_PASID_NONE, q->tx_iova[d], len, false);
	/* Descriptor write-back: the packet has gone. */
	workload_put_access(&n->c, t, n->c.device, TRACE_PASID_NONE, q->tx_ring + d * n->desc,
			    n->desc, true);
	fifo_push(&n->tx_done, t + n->delay_ns, qi, d);
	return 0;
}

/* Tear down at t: unmap RX buffers or the page pool, then the rings. */
static void nic_teardown(struct nic *n, uint64_t t)
{
	uint64_t ring_bytes = (n->ring * n->desc + WORKLOAD_PAGE_BYTES - 1) &
			      ~(WORKLOAD_PAGE_BYTES - 1), i;
	uint32_t qi, d;

	for (qi = 0; qi < n->queues; qi++) {
		struct nic_queue *q = &n->q[qi];

		if (n->dir != NIC_TX && n->rx_mode == NIC_PAGE_POOL)
			for (i = 0; i < n->pool_pages; i++)
				workload_put_unmap(&n->c, t, n->c.device, TRACE_PASID_NONE,
						   q->pool_iova[i], n->pool_page_bytes,
						   (uint16_t)qi);
		else if (n->dir != NIC_TX)
			for (d = 0; d < n->ring; d++)
				workload_put_unmap(&n->c, t, n->c.device, TRACE_PASID_NONE,
						   q->rx_iova[d], n->rx_buf, (uint16_t)qi);
		if (n->dir != NIC_TX)
			workload_put_unmap(&n->c, t, n->c.device, TRACE_PASID_NONE, q->rx_ring,
					   ring_bytes, (uint16_t)qi);
		if (n->dir != NIC_RX)
			workload_put_unmap(&n->c, t, n->c.device, TRACE_PASID_NONE, q->tx_ring,
					   ring_bytes, (uint16_t)qi);
	}
}

static bool nic_given(const struct workload_ctx *c, const char *key)
{
	const json_t *v = json_object_get(c->spec, key);

	return v && !json_is_null(v);
}

static int nic_read_spec(struct nic *n, struct ism_err *err)
{
	static const char *const dirs[] = { "both", "rx", "tx", NULL };
	static const char *const dists[] = { "fixed", "uniform", "imix", NULL };
	static const char *const modes[] = { "per-packet", "page-pool", NULL };
	struct workload_ctx *c = &n->c;
	uint64_t frame_max, largest, def_buf = NIC_RX_BUFFER_MIN;
	double gbps;

	if (workload_get_device(c, "device", "01:00.0", &c->device, err) ||
	    workload_get_u64(c, "packets", NIC_PACKETS_DEFAULT, 0, UINT32_MAX, &n->packets, err) ||
	    workload_get_choice(c, "direction", dirs, NIC_BOTH, &n->dir, err) ||
	    workload_get_u64(c, "queues", NIC_QUEUES_DEFAULT, 1, NIC_QUEUES_MAX, &n->queues, err) ||
	    workload_get_u64(c, "flows", NIC_FLOWS_DEFAULT, 1, UINT32_MAX, &n->flows, err) ||
	    workload_get_u64(c, "ring_size", NIC_RING_SIZE_DEFAULT, NIC_RING_SIZE_MIN,
			     NIC_RING_SIZE_MAX, &n->ring, err) ||
	    workload_get_u64(c, "descriptor_size", NIC_DESC_BYTES_DEFAULT, 16, 64, &n->desc, err) ||
	    workload_get_u64(c, "mtu", NIC_MTU_DEFAULT, NIC_MTU_MIN, NIC_MTU_MAX, &n->mtu, err))
		return -1;
	if (n->desc & (n->desc - 1))
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: %s: expected 16, 32 or 64 bytes",
				   c->origin, workload_key(c, "descriptor_size"));
	frame_max = n->mtu + NIC_FRAME_OVERHEAD_BYTES;
	if (workload_get_choice(c, "size_dist", dists, NIC_FIXED, &n->dist, err))
		return -1;
	if (n->dist == NIC_FIXED) {
		if (workload_get_bytes(c, "packet_size", NIC_PACKET_SIZE_DEFAULT,
				       NIC_FRAME_MIN_BYTES, frame_max, &n->psize, err))
			return -1;
		largest = n->psize;
	} else if (n->dist == NIC_UNIFORM) {
		if (workload_get_bytes(c, "packet_size_min", NIC_PACKET_SIZE_MIN_DEFAULT,
				       NIC_FRAME_MIN_BYTES, frame_max, &n->pmin, err) ||
		    workload_get_bytes(c, "packet_size_max", frame_max, n->pmin, frame_max,
				       &n->pmax, err))
			return -1;
		largest = n->pmax;
	} else {
		largest = 1500;
		if (largest > frame_max)
			return ism_err_set(err, ISM_EXIT_CONFIG,
					   "%s: %s: \"imix\" sends 1500-byte packets: expected an "
					   "'mtu' of at least 1482",
					   c->origin, workload_key(c, "size_dist"));
	}
	/* Keys of the other distributions would be silently ignored: refuse them. */
	if ((n->dist != NIC_FIXED && nic_given(c, "packet_size")) ||
	    (n->dist != NIC_UNIFORM &&
	     (nic_given(c, "packet_size_min") || nic_given(c, "packet_size_max"))))
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: 'packet_size' goes with \"size_dist\": \"fixed\", "
				   "'packet_size_min' and 'packet_size_max' with \"uniform\"",
				   c->origin);
	while (def_buf < frame_max)
		def_buf <<= 1;
	if (workload_get_bytes(c, "rx_buffer", def_buf, NIC_RX_BUFFER_MIN, NIC_RX_BUFFER_MAX,
			       &n->rx_buf, err))
		return -1;
	if ((n->rx_buf & (n->rx_buf - 1)) || n->rx_buf < largest)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: %s: expected a power of two of at least the largest packet "
				   "(%llu bytes), got %llu",
				   c->origin, workload_key(c, "rx_buffer"),
				   (unsigned long long)largest, (unsigned long long)n->rx_buf);
	if (workload_get_choice(c, "rx_mode", modes, NIC_PER_PACKET, &n->rx_mode, err) ||
	    workload_get_number(c, "line_rate_gbps", NIC_LINE_RATE_GBPS_DEFAULT, 0.001,
				NIC_LINE_RATE_GBPS_MAX, &gbps, err) ||
	    workload_get_u64(c, "driver_delay_ns", NIC_DRIVER_DELAY_NS_DEFAULT, 0,
			     UINT32_MAX, &n->delay_ns, err) ||
	    workload_get_bytes(c, "iova_limit", NIC_IOVA_LIMIT_DEFAULT, 1ULL << 24, 1ULL << 57,
			       &n->limit, err))
		return -1;
	/* Whole Mb/s: packet times are then exact integer arithmetic. */
	n->rate_mbps = (uint64_t)(gbps * 1000 + 0.5);
	if (n->limit & (n->limit - 1))
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: %s: expected a power of two",
				   c->origin, workload_key(c, "iova_limit"));
	return 0;
}

/* The start of packet k: bits sent before it at the line rate, in ns. */
static uint64_t nic_time(const struct nic *n, uint64_t bits)
{
	return workload_muldiv(bits, 1000, n->rate_mbps);
}

static int nic_generate(const json_t *spec, const char *origin, uint64_t seed,
			struct trace_writer *w, struct ism_err *err)
{
	struct nic n;
	uint64_t rx_bits = 0, tx_bits = 0, nrx = 0, ntx = 0, t = 0, len;
	uint32_t qi;
	int rc = -1;
	bool rx;

	memset(&n, 0, sizeof(n));
	if (workload_begin_at(&n.c, spec, origin, NULL, NULL, seed, false, nic_keys, w, err) ||
	    nic_read_spec(&n, err))
		goto out;
	n.c.has_cpu = true;
	workload_meta(&n.c);
	workload_iova_init(&n.iova, n.limit);
	workload_phys_init(&n.phys, n.c.rng);
	if (n.dir == NIC_TX)
		nrx = n.packets;
	if (n.dir == NIC_RX)
		ntx = n.packets;
	if (nic_setup(&n, err))
		goto out;
	while (nrx < n.packets || ntx < n.packets) {
		uint64_t trx = nic_time(&n, rx_bits), ttx = nic_time(&n, tx_bits);

		/* Full duplex: each direction has the whole line rate; the earlier packet next. */
		rx = nrx < n.packets && (ntx == n.packets || trx <= ttx);
		t = rx ? trx : ttx;
		if (nic_actions(&n, t, err) || workload_drain(&n.c, t, err))
			goto out;
		qi = nic_queue_of(&n, gsl_rng_uniform_int(n.c.rng, (unsigned long)n.flows));
		len = nic_size(&n);
		if (rx) {
			rx_bits += (len + NIC_WIRE_OVERHEAD_BYTES) * 8;
			nrx++;
			nic_rx(&n, t, len, qi);
		} else {
			tx_bits += (len + NIC_WIRE_OVERHEAD_BYTES) * 8;
			ntx++;
			if (nic_tx(&n, t, len, qi, err))
				goto out;
		}
	}
	/* The driver finishes its work, then the interface goes down. */
	if (nic_actions(&n, UINT64_MAX, err))
		goto out;
	t += n.delay_ns;
	nic_teardown(&n, t);
	rc = workload_drain(&n.c, UINT64_MAX, err);
out:
	if (n.q) {
		for (qi = 0; qi < n.queues; qi++) {
			free(n.q[qi].rx_iova);
			free(n.q[qi].rx_posted);
			free(n.q[qi].tx_free);
			free(n.q[qi].tx_iova);
			free(n.q[qi].tx_len);
			free(n.q[qi].pool_iova);
		}
		free(n.q);
	}
	free(n.rx_done.a);
	free(n.tx_done.a);
	workload_iova_destroy(&n.iova);
	workload_free(&n.c);
	return rc;
}

const struct workload_ops workload_nic = {
	.name = "nic",
	.help = "an Ethernet NIC: RX/TX rings, per-packet or page-pool buffers, line rate",
	.generate = nic_generate,
};
