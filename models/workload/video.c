/* The "video" workload: a video decoder writes frame buffers that a display scans out. */
#include <stdlib.h>
#include <string.h>

#include "workload.h"

#define VIDEO_WIDTH_DEFAULT 640
#define VIDEO_HEIGHT_DEFAULT 480
#define VIDEO_DIM_MIN 16
#define VIDEO_DIM_MAX 16384
#define VIDEO_BUFFERS_DEFAULT 4
#define VIDEO_BUFFERS_MAX 64
#define VIDEO_FRAMES_DEFAULT 30
#define VIDEO_FRAMES_MAX 1000000
#define VIDEO_FPS_DEFAULT 30.0
#define VIDEO_FPS_MAX 1000.0
#define VIDEO_BURST_DEFAULT 256
#define VIDEO_BURST_MAX (1ULL << 20)
#define VIDEO_DECODE_FRACTION_DEFAULT 0.5
#define VIDEO_IOVA_LIMIT_DEFAULT (1ULL << 32)
#define VIDEO_PS_PER_S 1000000000000ULL
/* CMA buffers start on 2 MiB so that the IOMMU may map them with 2 MiB leaves. */
#define VIDEO_CMA_ALIGN (2ULL << 20)
/* The dma-buf system heap allocates 1 MiB, then 64 KiB, then 4 KiB pages (orders 8, 4, 0). */
static const unsigned video_heap_orders[] = { 8, 4, 0 };

enum video_alloc { VIDEO_ONCE, VIDEO_PER_FRAME };
/*
 * separate: a domain each, the buffer mapped in both (dma-buf import behind another domain);
 * shared: one domain, one mapping both use; group: one domain (one IOMMU group: sun50i and
 * MediaTek M4U put every master in one) and the importer maps the buffer again, at its own
 * IOVA, as dma_buf_map_attachment() does for each attached device.
 */
enum video_domain { VIDEO_SEPARATE, VIDEO_SHARED, VIDEO_GROUP };
/* The trace's id of the one domain of shared and group. */
#define VIDEO_DOMAIN_ID 1

/* Bytes per pixel in halves: NV12 1.5, RGB565 2, XRGB8888 4, P010 3. */
static const char *const video_formats[] = { "NV12", "RGB565", "XRGB8888", "P010", NULL };
static const uint64_t video_half_bytes[] = { 3, 4, 8, 6 };

/* One buffer as mapped in one domain: physical segments at consecutive IOVAs. */
struct video_seg {
	uint64_t pa, bytes;
};

struct video_buf {
	uint64_t iova[2]; /* the decoder's and the display's mapping */
	struct video_seg *seg;
	size_t nseg;
};

struct video {
	struct workload_ctx c;
	struct workload_iova iova[2]; /* per domain: separate has two */
	struct workload_phys phys;
	uint32_t dev[2]; /* decoder, display */
	uint64_t width, height, buffers, frames, burst, limit, fb, fb_pages, fps_milli;
	unsigned format, alloc, domain;
	double decode_fraction;
	struct video_buf *buf; /* `buffers` of them once, else one per frame in flight */
};

static const char *const video_keys[] = {
	"decoder", "display", "display_domain", "width", "height", "format", "buffers", "frames",
	"fps", "burst", "allocation", "decode_fraction", "iova_limit", NULL,
};

static int video_no_iova(struct video *v, struct ism_err *err)
{
	return ism_err_set(err, ISM_EXIT_CONFIG,
			   "%s: 'iova_limit': the IOVA space below 0x%llx is exhausted",
			   v->c.origin, (unsigned long long)v->limit);
}

/* Mappings of each buffer: the display's own too unless it uses the decoder's. */
static unsigned video_domains(const struct video *v)
{
	return v->domain == VIDEO_SHARED ? 1 : 2;
}

/* The IOVA allocator of mapping d: the domain's, one for both unless separate. */
static struct workload_iova *video_iova(struct video *v, unsigned d)
{
	return &v->iova[v->domain == VIDEO_SEPARATE ? d : 0];
}

/* Allocate a buffer's memory and map it at t in every domain. */
static int video_map(struct video *v, struct video_buf *b, uint64_t t, struct ism_err *err)
{
	uint64_t bytes = v->fb_pages * WORKLOAD_PAGE_BYTES, left = bytes, off;
	unsigned d, o;
	size_t i;

	b->nseg = 0;
	if (v->alloc == VIDEO_ONCE) {
		/* CMA: one physically contiguous, 2 MiB aligned block. */
		b->seg = ism_xrealloc(b->seg, sizeof(*b->seg));
		if (workload_phys_contig(&v->phys, bytes, VIDEO_CMA_ALIGN, &b->seg[0].pa))
			return ism_err_set(err, ISM_EXIT_CONFIG,
					   "%s: 'buffers' x the frame size is more contiguous "
					   "memory than there is",
					   v->c.origin);
		b->seg[0].bytes = bytes;
		b->nseg = 1;
	} else {
		/* The system heap: the largest of its orders that fits, page by page at the end. */
		b->seg = ism_xrealloc(b->seg, (v->fb_pages + 1) * sizeof(*b->seg));
		for (o = 0; left; ) {
			uint64_t sz = WORKLOAD_PAGE_BYTES << video_heap_orders[o];

			if (sz > left) {
				o++;
				continue;
			}
			b->seg[b->nseg].pa = workload_phys_block(&v->phys, video_heap_orders[o]);
			b->seg[b->nseg++].bytes = sz;
			left -= sz;
		}
	}
	/* dma_map_sgtable: one IOVA range, one MAP per physically contiguous segment. */
	for (d = 0; d < video_domains(v); d++) {
		if (workload_iova_alloc(video_iova(v, d), bytes, &b->iova[d]))
			return video_no_iova(v, err);
		for (i = 0, off = 0; i < b->nseg; off += b->seg[i++].bytes)
			workload_put_map(&v->c, t, v->dev[d], TRACE_PASID_NONE, b->iova[d] + off,
					 b->seg[i].bytes, b->seg[i].pa,
					 d == 0 ? TRACE_PERM_RW : TRACE_PERM_READ, 0);
	}
	return 0;
}

static void video_unmap(struct video *v, struct video_buf *b, uint64_t t)
{
	uint64_t bytes = v->fb_pages * WORKLOAD_PAGE_BYTES;
	unsigned d;

	for (d = 0; d < video_domains(v); d++)
		workload_put_unmap(&v->c, t, v->dev[d], TRACE_PASID_NONE, b->iova[d], bytes, 0);
}

static void video_free_iova(struct video *v, struct video_buf *b)
{
	unsigned d;

	for (d = 0; d < video_domains(v); d++)
		workload_iova_free(video_iova(v, d), b->iova[d], v->fb_pages * WORKLOAD_PAGE_BYTES);
}

/* Start of frame k: k / fps seconds. */
static uint64_t video_time(const struct video *v, uint64_t k)
{
	return workload_muldiv(k, VIDEO_PS_PER_S, v->fps_milli);
}

/* One device sweeping the frame in bursts spread evenly over [t, t + span). */
static void video_sweep(struct video *v, unsigned who, uint64_t iova, uint64_t t, uint64_t span,
			bool write)
{
	uint64_t n = (v->fb + v->burst - 1) / v->burst, j, off;
	uint32_t dev = v->dev[who];

	for (j = 0, off = 0; j < n; j++, off += v->burst)
		workload_put_access(&v->c, t + workload_muldiv(j, span, n), dev, TRACE_PASID_NONE,
				    iova + off, v->fb - off < v->burst ? v->fb - off : v->burst,
				    write);
}

static int video_read_spec(struct video *v, struct ism_err *err)
{
	static const char *const allocs[] = { "once", "per-frame", NULL };
	static const char *const domains[] = { "separate", "shared", "group", NULL };
	struct workload_ctx *c = &v->c;
	double fps;

	if (workload_get_device(c, "decoder", "03:00.0", &v->dev[0], err) ||
	    workload_get_device(c, "display", "04:00.0", &v->dev[1], err) ||
	    workload_get_choice(c, "display_domain", domains, VIDEO_SEPARATE, &v->domain, err) ||
	    workload_get_u64(c, "width", VIDEO_WIDTH_DEFAULT, VIDEO_DIM_MIN, VIDEO_DIM_MAX,
			     &v->width, err) ||
	    workload_get_u64(c, "height", VIDEO_HEIGHT_DEFAULT, VIDEO_DIM_MIN, VIDEO_DIM_MAX,
			     &v->height, err))
		return -1;
	if (v->width % 2 || v->height % 2)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: 'width' and 'height' must be even (chroma is subsampled "
				   "2x2 in NV12 and P010)",
				   c->origin);
	if (v->dev[0] == v->dev[1])
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: 'decoder' and 'display' must be different devices",
				   c->origin);
	if (workload_get_choice(c, "format", video_formats, 0, &v->format, err) ||
	    workload_get_u64(c, "buffers", VIDEO_BUFFERS_DEFAULT, 2, VIDEO_BUFFERS_MAX, &v->buffers,
			     err) ||
	    workload_get_u64(c, "frames", VIDEO_FRAMES_DEFAULT, 0, VIDEO_FRAMES_MAX, &v->frames,
			     err) ||
	    workload_get_number(c, "fps", VIDEO_FPS_DEFAULT, 0.001, VIDEO_FPS_MAX, &fps, err) ||
	    workload_get_bytes(c, "burst", VIDEO_BURST_DEFAULT, 1, VIDEO_BURST_MAX, &v->burst,
			       err) ||
	    workload_get_choice(c, "allocation", allocs, VIDEO_ONCE, &v->alloc, err) ||
	    workload_get_number(c, "decode_fraction", VIDEO_DECODE_FRACTION_DEFAULT, 0, 1,
				&v->decode_fraction, err) ||
	    workload_get_bytes(c, "iova_limit", VIDEO_IOVA_LIMIT_DEFAULT, 1ULL << 24, 1ULL << 57,
			       &v->limit, err))
		return -1;
	if (v->limit & (v->limit - 1))
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: %s: expected a power of two",
				   c->origin, workload_key(c, "iova_limit"));
	/* Whole millihertz: frame times are then exact integer arithmetic. */
	v->fps_milli = (uint64_t)(fps * 1000 + 0.5);
	v->fb = v->width * v->height * video_half_bytes[v->format] / 2;
	v->fb_pages = (v->fb + WORKLOAD_PAGE_BYTES - 1) / WORKLOAD_PAGE_BYTES;
	return 0;
}

static int video_generate(const json_t *spec, const char *origin, uint64_t seed,
			  struct trace_writer *w, struct ism_err *err)
{
	struct video v;
	uint64_t k, t, t1, t2, nbuf = 0, decode;
	unsigned d;
	json_t *roles;
	char bdf[32];
	int rc = -1;

	memset(&v, 0, sizeof(v));
	if (workload_begin_at(&v.c, spec, origin, NULL, NULL, seed, false, video_keys, w, err) ||
	    video_read_spec(&v, err))
		goto out;
	roles = json_pack("{s:s, s:s, s:I}", "decoder",
			  trace_format_device(v.dev[0], true, bdf, sizeof(bdf)), "display",
			  trace_format_device(v.dev[1], true, bdf + 16, sizeof(bdf) - 16),
			  "frame_bytes", (json_int_t)v.fb);
	json_object_set_new(trace_writer_meta(w), "video", roles);
	workload_meta(&v.c);
	for (d = 0; d < 2; d++)
		workload_iova_init(&v.iova[d], v.limit);
	workload_phys_init(&v.phys, v.c.rng);
	/* One domain: both devices attach to it before anything is mapped. */
	if (v.domain != VIDEO_SEPARATE)
		for (d = 0; d < 2; d++) {
			struct trace_rec a = { .kind = TRACE_ATTACH, .device = v.dev[d],
					       .pasid = TRACE_PASID_NONE,
					       .domain = VIDEO_DOMAIN_ID };

			workload_put(&v.c, &a);
		}
	/* Once: every buffer mapped at the start. Per frame: frames k and k + 1 are in flight. */
	nbuf = v.alloc == VIDEO_ONCE ? v.buffers : 2;
	v.buf = ism_xcalloc(nbuf, sizeof(*v.buf));
	if (v.alloc == VIDEO_ONCE)
		for (k = 0; k < nbuf; k++)
			if (video_map(&v, &v.buf[k], 0, err))
				goto out;
	for (k = 0; k < v.frames; k++) {
		struct video_buf *b = &v.buf[k % nbuf];

		t = video_time(&v, k);
		t1 = video_time(&v, k + 1);
		t2 = video_time(&v, k + 2);
		if (workload_drain(&v.c, t, err))
			goto out;
		if (v.alloc == VIDEO_PER_FRAME) {
			/* Frame k - 2 was unmapped at t: its IOVA is free for frame k. */
			if (k >= 2)
				video_free_iova(&v, b);
			if (video_map(&v, b, t, err))
				goto out;
		}
		decode = (uint64_t)((double)(t1 - t) * v.decode_fraction);
		video_sweep(&v, 0, b->iova[0], t, decode, true);
		/* Scanout of frame k during the next frame period. */
		video_sweep(&v, 1, b->iova[video_domains(&v) - 1], t1, t2 - t1, false);
		if (v.alloc == VIDEO_PER_FRAME)
			video_unmap(&v, b, t2);
	}
	if (v.alloc == VIDEO_ONCE)
		for (k = 0; k < nbuf; k++)
			video_unmap(&v, &v.buf[k], video_time(&v, v.frames + 1));
	rc = workload_drain(&v.c, UINT64_MAX, err);
out:
	if (v.buf)
		for (k = 0; k < nbuf; k++)
			free(v.buf[k].seg);
	free(v.buf);
	for (d = 0; d < 2; d++)
		workload_iova_destroy(&v.iova[d]);
	workload_free(&v.c);
	return rc;
}

const struct workload_ops workload_video = {
	.name = "video",
	.help = "a video decoder writing frame buffers that a display scans out at a frame rate",
	.generate = video_generate,
};
