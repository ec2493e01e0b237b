/* Trace files: the native block format (.iot, .iot.gz), CSV streams, sniffing, atomic writers. */
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/progress.h"

/*
 * Native layout (docs/trace-format.md has the byte tables). All fixed-width integers are
 * little endian. PNG-style magic: the high byte catches 7-bit channels, CR LF and ^Z catch
 * text-mode conversions, and the non-text bytes keep the CSV sniffer away.
 */
static const uint8_t IOT_MAGIC[8] = { 0x89, 'I', 'O', 'T', '\r', '\n', 0x1a, '\n' };
#define IOT_MAGIC_BYTES 8
#define IOT_VERSION_MAJOR 1
/*
 * 1.1 added INVAL records, 1.2 ATTACH, DETACH and INVAL by domain, 1.3 the stage-2 UNMAP
 * (header bit 4); older files read unchanged
 */
#define IOT_VERSION_MINOR 3
#define IOT_HEADER_FIXED_BYTES 16 /* magic, major, minor, metadata length */
#define IOT_META_MAX_BYTES (16u << 20)
#define IOT_BLOCK_HEADER_BYTES 12 /* record count, payload length, CRC32 */
#define IOT_END_PAYLOAD_BYTES 8   /* the end marker's total record count */

/*
 * Record header byte: the kind on the wire in the low nibble, then flag bits. Wire kinds 0-5
 * are the record kinds; an INVAL that names a domain has a kind of its own, since the INVAL
 * header byte has no bit left for it.
 */
#define IOT_KIND_MASK 0x0f
#define IOT_KIND_INVAL_BY_DOMAIN 6 /* TRACE_INVAL with TRACE_INV_BY_DOMAIN */
#define IOT_NR_KINDS 7
_Static_assert(TRACE_NR_KINDS == IOT_KIND_INVAL_BY_DOMAIN,
	       "a new record kind needs its own wire kind: 6 is INVAL by domain");
#define IOT_F_KIND0 0x10 /* ACCESS: device writes; MAP: read permission; INVAL: granularity bit 0 */
#define IOT_F_KIND1 0x20 /* MAP: write permission; INVAL: granularity bit 1 */
#define IOT_F_CPU 0x40   /* a cpu varint follows (not on ACCESS) */
#define IOT_F_DEV 0x80   /* device and pasid varints follow (they changed) */
#define IOT_INV_SHIFT 4  /* INVAL granularity (TRACE_INV_*) in bits 4-5 */

/* Longest record: header byte and seven varints; shortest: a DETACH's header byte and time. */
#define IOT_REC_MAX_BYTES (1 + 7 * TRACE_VARINT_MAX_BYTES)
#define IOT_REC_MIN_BYTES 2
#define IOT_PAYLOAD_MAX_BYTES (TRACE_BLOCK_RECORDS * IOT_REC_MAX_BYTES)
/* The decoder reads a whole record before checking the payload end: slack keeps it in bounds. */
#define IOT_PAYLOAD_SLACK_BYTES IOT_REC_MAX_BYTES

/* zlib inflates straight into our buffer for requests of at least twice its own buffer. */
#define TRACE_GZ_BUFFER_BYTES (256u << 10)
#define TRACE_IN_BUFFER_BYTES (1u << 20)
/* On trace payloads levels 5-9 barely shrink and write up to 4x slower; 1-3 inflate slower. */
#define TRACE_GZ_LEVEL "4"
/*
 * Blocks decoded ahead by the reading thread: room for it to run on while the caller models
 * earlier blocks, and woken only when half the ring is free (not at every block).
 */
#define TRACE_RING_BLOCKS 8
/* With runs asked for: after a block that folds few records, one block in this many folds. */
#define RUNS_PROBE_BLOCKS 8
#define CSV_SNIFF_BYTES 4096
#define CSV_OUT_BUFFER_BYTES (256u << 10)
#define CSV_OUT_LINE_BYTES 192
#define PASID_LIMIT (1u << 20)

/* Delta state: reset at every block so that each block decodes on its own. */
struct iot_state {
	uint64_t time;
	uint64_t iova_end; /* iova + size of the previous record */
	uint64_t size;
	uint64_t paddr_end; /* paddr + size of the previous MAP */
	uint32_t device;
	uint32_t pasid;
};

/* One block decoded ahead: its records, what reading it returned, where the file was after it. */
struct trace_slot {
	struct trace_rec *recs;
	long n;
	uint64_t pos;
	uint32_t records; /* records its n entries stand for (more than n with runs) */
	struct ism_err err;
};

/*
 * Reading ahead: from the first trace_read() on, a thread inflates and decodes blocks into a
 * ring of slots while the caller models the block before (two cores). It owns every field of
 * the reader but those below `ring` until it ends; blocks, errors and their messages come out
 * in the order a reader without the thread gives them. A slot is reused once the caller has
 * moved past it and no second consumer holds it (trace_hold).
 */
struct trace_ahead {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t more;  /* the reader published a slot */
	pthread_cond_t room;  /* slots were given back */
	struct trace_slot ring[TRACE_RING_BLOCKS];
	unsigned holds[TRACE_RING_BLOCKS]; /* each slot's second consumers (trace_hold) */
	/* slots published, handed to the caller, given back (free again): all only grow */
	unsigned head, out, tail;
	bool waiting_more, waiting_room, stop;
	bool holding;         /* the caller has ring[out - 1] */
	bool ended;           /* it handed out the end or an error: the thread is done */
	uint64_t pos;         /* trace_pos() of the block the caller has */
	uint32_t records;     /* trace_block_records() of the block the caller has */
};

struct trace_reader {
	struct trace_ahead *ahead; /* NULL: read in the caller's thread */
	bool ahead_tried;
	gzFile gz;
	char *path;
	enum trace_format fmt;
	json_t *meta;
	struct trace_rec *recs;
	uint64_t nrec; /* records handed out so far */
	bool runs;     /* trace_want_runs(): ACCESS records fold into runs (TRACE_RUN) */
	unsigned runs_skip; /* native blocks to decode without folding (few runs lately) */
	uint32_t block_records; /* records the last block read stands for */
	uint64_t fsize;
	uint64_t last_time;
	bool done;
	struct ism_err *failed; /* the error that ended reading, repeated to later calls */
	/* input: buf[pos, len) is read but not consumed; cap + slack bytes are allocated */
	char *buf;
	size_t cap, pos, len;
	bool eof;
	/* csv */
	uint64_t line;
	unsigned layout; /* the header's optional columns (TRACE_CSV_CPU, TRACE_CSV_DOMAIN) */
	bool pending; /* recs[0] holds the first record, parsed at open to learn the device form */
};

struct trace_writer {
	enum trace_format fmt;
	gzFile gz; /* over a duplicate of file's descriptor */
	struct ism_out file;
	char *path; /* what messages name */
	json_t *meta;
	bool started;
	bool bdf;
	unsigned layout; /* csv: the optional columns the metadata asks for */
	uint64_t nrec;
	uint64_t last_time;
	/* native: the block being built, its 12-byte header first */
	struct iot_state st;
	uint8_t *blk;
	size_t blk_len;
	uint32_t blk_count;
	/* csv */
	char *out;
	size_t out_len;
	struct progress *progress; /* may be NULL */
};

static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* ---- varints ---- */

static inline size_t varint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/*
 * Decode one varint from a buffer with at least TRACE_VARINT_MAX_BYTES readable bytes at p.
 * Returns the next position, or NULL for an over-long or over-wide encoding (the tenth byte
 * may only carry bit 63).
 */
static inline const uint8_t *varint_get(const uint8_t *p, uint64_t *v)
{
	uint64_t x;
	unsigned i, shift;

	if (__builtin_expect(p[0] < 0x80, 1)) {
		*v = p[0];
		return p + 1;
	}
	x = p[0] & 0x7f;
	for (i = 1, shift = 7; i < TRACE_VARINT_MAX_BYTES; i++, shift += 7) {
		uint64_t b = p[i];

		if (i == TRACE_VARINT_MAX_BYTES - 1 && b > 1)
			return NULL;
		x |= (b & 0x7f) << shift;
		if (b < 0x80) {
			*v = x;
			return p + i + 1;
		}
	}
	return NULL;
}

size_t trace_varint_put(uint8_t *p, uint64_t v)
{
	return varint_put(p, v);
}

size_t trace_varint_get(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	uint8_t tmp[TRACE_VARINT_MAX_BYTES] = { 0 };
	const uint8_t *q;
	size_t n;

	if (p >= end)
		return 0;
	n = (size_t)(end - p);
	if (n >= TRACE_VARINT_MAX_BYTES) {
		q = varint_get(p, v);
		return q ? (size_t)(q - p) : 0;
	}
	/* Short tail: decode from a zero-padded copy, then reject what ran into the padding. */
	memcpy(tmp, p, n);
	q = varint_get(tmp, v);
	if (!q || (size_t)(q - tmp) > n)
		return 0;
	return (size_t)(q - tmp);
}

/* ---- record rules shared by every writer ---- */

const char *trace_rec_invalid(const struct trace_rec *r)
{
	bool norange = false; /* a domain or global INVAL, an ATTACH, a DETACH: no range */
	bool attach = r->kind == TRACE_ATTACH;
	unsigned gran = r->flags & TRACE_INV_MASK;

	if (r->kind >= TRACE_NR_KINDS)
		return "unknown record kind";
	if (r->kind == TRACE_INVAL)
		norange = gran >= TRACE_INV_DOMAIN;
	else if (attach || r->kind == TRACE_DETACH)
		norange = true;
	if (norange && (r->iova || r->size)) {
		if (r->kind == TRACE_INVAL)
			return "iova or size set on a domain or global INVAL";
		return attach ? "iova or size set on an ATTACH" : "iova or size set on a DETACH";
	}
	if (!norange && r->size == 0)
		return "size is 0";
	if (r->iova > UINT64_MAX - r->size)
		return "iova+size does not fit in 64 bits";
	if (r->pasid != TRACE_PASID_NONE && r->pasid >= PASID_LIMIT)
		return "pasid is not below 2^20";
	switch (r->kind) {
	case TRACE_ACCESS:
		if (r->flags & ~TRACE_ACC_WRITE)
			return "unknown ACCESS flags";
		if (r->paddr)
			return "paddr set on an ACCESS";
		if (r->cpu)
			return "cpu set on an ACCESS (cpu is only for MAP, UNMAP, INVAL, ATTACH "
			       "and DETACH)";
		if (r->domain)
			return "domain set on an ACCESS";
		break;
	case TRACE_MAP:
		if ((r->flags & ~TRACE_PERM_RW) || !r->flags)
			return "MAP flags must be read and/or write permission";
		if (r->paddr > UINT64_MAX - r->size)
			return "paddr+size does not fit in 64 bits";
		if (r->domain)
			return "domain set on a MAP";
		break;
	case TRACE_UNMAP:
		if (r->flags & ~TRACE_UNMAP_STAGE2)
			return "unknown UNMAP flags";
		if (r->paddr)
			return "paddr set on an UNMAP";
		if (r->domain)
			return "domain set on an UNMAP";
		break;
	case TRACE_INVAL:
		if (r->flags & ~(TRACE_INV_MASK | TRACE_INV_BY_DOMAIN))
			return "unknown INVAL flags";
		if (r->paddr)
			return "paddr set on an INVAL";
		if (r->flags & TRACE_INV_BY_DOMAIN) {
			if (gran == TRACE_INV_GLOBAL)
				return "a global INVAL cannot name a domain (TRACE_INV_BY_DOMAIN)";
			if (r->device || r->pasid != TRACE_PASID_NONE)
				return "device or pasid set on an INVAL by domain";
			break;
		}
		if (gran == TRACE_INV_GLOBAL && (r->device || r->pasid != TRACE_PASID_NONE))
			return "device or pasid set on a global INVAL";
		if (r->domain)
			return "domain set on an INVAL that names a device (TRACE_INV_BY_DOMAIN "
			       "clear)";
		break;
	case TRACE_ATTACH:
	case TRACE_DETACH:
		if (r->flags)
			return attach ? "flags set on an ATTACH" : "flags set on a DETACH";
		if (r->paddr)
			return attach ? "paddr set on an ATTACH" : "paddr set on a DETACH";
		if (r->domain && !attach)
			return "domain set on a DETACH (it leaves whatever domain it is in)";
		break;
	}
	return NULL;
}

/* ---- native encoding ---- */

static void iot_state_reset(struct iot_state *s)
{
	memset(s, 0, sizeof(*s));
	s->pasid = TRACE_PASID_NONE;
}

static inline size_t iot_encode(struct iot_state *s, const struct trace_rec *r, uint8_t *p)
{
	uint8_t h = r->kind, *q = p + 1;
	bool range = true;   /* iova and size are on the wire (not for ATTACH, DETACH) */
	bool domain = false; /* a domain varint follows */

	if (r->kind == TRACE_ACCESS) {
		h |= r->flags & TRACE_ACC_WRITE ? IOT_F_KIND0 : 0;
	} else if (r->kind == TRACE_MAP) {
		h |= (r->flags & TRACE_PERM_READ ? IOT_F_KIND0 : 0) |
		     (r->flags & TRACE_PERM_WRITE ? IOT_F_KIND1 : 0);
	} else if (r->kind == TRACE_UNMAP) {
		h |= r->flags & TRACE_UNMAP_STAGE2 ? IOT_F_KIND0 : 0;
	} else if (r->kind == TRACE_INVAL) {
		domain = r->flags & TRACE_INV_BY_DOMAIN;
		h = (uint8_t)((domain ? IOT_KIND_INVAL_BY_DOMAIN : TRACE_INVAL) |
			      (r->flags & TRACE_INV_MASK) << IOT_INV_SHIFT);
	} else if (r->kind >= TRACE_ATTACH) {
		range = false;
		domain = r->kind == TRACE_ATTACH;
	}
	if (r->device != s->device || r->pasid != s->pasid) {
		h |= IOT_F_DEV;
		q += varint_put(q, r->device);
		q += varint_put(q, r->pasid == TRACE_PASID_NONE ? 0 : (uint64_t)r->pasid + 1);
		s->device = r->device;
		s->pasid = r->pasid;
	}
	q += varint_put(q, r->time_ns - s->time);
	s->time = r->time_ns;
	if (range) {
		q += varint_put(q, trace_zigzag(r->iova - s->iova_end));
		q += varint_put(q, trace_zigzag(r->size - s->size));
		s->iova_end = r->iova + r->size;
		s->size = r->size;
	}
	if (r->kind == TRACE_MAP) {
		q += varint_put(q, trace_zigzag(r->paddr - s->paddr_end));
		s->paddr_end = r->paddr + r->size;
	}
	if (domain)
		q += varint_put(q, r->domain);
	if (r->cpu) {
		h |= IOT_F_CPU;
		q += varint_put(q, r->cpu);
	}
	*p = h;
	return (size_t)(q - p);
}

/*
 * A record's iova and size deltas at *pp. `norange`: a domain or global INVAL, whose iova and
 * size must come out 0; else the size must be above 0 and the range fit in 64 bits.
 */
static inline const char *iot_range(const uint8_t **pp, struct iot_state *s,
				    struct trace_rec *r, bool norange)
{
	uint64_t v;

	if (!(*pp = varint_get(*pp, &v)))
		return "bad iova";
	r->iova = s->iova_end + trace_unzigzag(v);
	if (!(*pp = varint_get(*pp, &v)))
		return "bad size";
	s->size += trace_unzigzag(v);
	if (norange) {
		if (r->iova || s->size)
			return "iova or size set on a domain or global INVAL";
	} else if (s->size == 0 || r->iova > UINT64_MAX - s->size) {
		return "size is 0 or iova+size does not fit in 64 bits";
	}
	r->size = s->size;
	s->iova_end = r->iova + s->size;
	return NULL;
}

/*
 * The rest of a record of the kinds a trace has few of (INVAL, ATTACH, DETACH; wire kinds 3 to
 * 6), after its time, up to its cpu; kept out of the hot loop.
 */
static const char *iot_decode_rare(const uint8_t **pp, unsigned h, struct iot_state *s,
				   struct trace_rec *r)
{
	unsigned kind = h & IOT_KIND_MASK, gran = h >> IOT_INV_SHIFT & TRACE_INV_MASK;
	const char *why;
	uint64_t v;

	r->flags = 0;
	if (kind == TRACE_ATTACH || kind == TRACE_DETACH) {
		/* No range on the wire: the iova and size deltas' state stays as it was. */
		if (h & (IOT_F_KIND0 | IOT_F_KIND1))
			return "bad ATTACH or DETACH flags";
		r->iova = 0;
		r->size = 0;
		if (kind == TRACE_ATTACH) {
			if (!(*pp = varint_get(*pp, &v)) || v > UINT32_MAX)
				return "bad domain";
			r->domain = (uint32_t)v;
		}
		return NULL;
	}
	/* An INVAL (wire kind 3) or an INVAL by domain (6). */
	if ((why = iot_range(pp, s, r, gran >= TRACE_INV_DOMAIN)) != NULL)
		return why;
	r->kind = TRACE_INVAL;
	r->flags = (uint8_t)gran;
	if (kind == TRACE_INVAL) {
		if (gran == TRACE_INV_GLOBAL && (s->device || s->pasid != TRACE_PASID_NONE))
			return "device or pasid set on a global INVAL";
		return NULL;
	}
	if (gran == TRACE_INV_GLOBAL)
		return "a global INVAL cannot name a domain";
	if (s->device || s->pasid != TRACE_PASID_NONE)
		return "device or pasid set on an INVAL by domain";
	r->flags |= TRACE_INV_BY_DOMAIN;
	if (!(*pp = varint_get(*pp, &v)) || v > UINT32_MAX)
		return "bad domain";
	r->domain = (uint32_t)v;
	return NULL;
}

/* Runs (trace_want_runs()): whether the last entry may go on, and its last element's place. */
struct run_fold {
	bool open; /* the last entry is an ACCESS within one 4 KiB page, or a run */
	uint64_t time, iova;
};

/*
 * Fold the record *c into the entry before it, c[-1], when it goes on that entry's run (see
 * TRACE_RUN in record.h): returns whether it did; if not, *c is an entry of its own. The
 * page is checked first: a record of another page (most, in random traces) costs little.
 */
static inline bool run_fold(struct trace_rec *c, struct run_fold *f)
{
	uint64_t iova = c->iova, t = c->time_ns;
	bool fits = c->kind == TRACE_ACCESS && (iova & 0xfff) + c->size <= 4096;

	if (fits && f->open && iova >> 12 == f->iova >> 12 && t >= f->time) {
		struct trace_rec *o = c - 1; /* open: there is one */
		uint64_t dt = t - f->time, di = iova - f->iova;

		if (c->size == o->size && c->device == o->device && c->pasid == o->pasid &&
		    c->flags == o->flags) {
			if (o->kind == TRACE_ACCESS) {
				o->kind = TRACE_RUN;
				o->domain = 2;
				o->paddr = dt;
				o->cpu = (uint16_t)di; /* within a page: |di| < 4096 */
				f->time = t;
				f->iova = iova;
				return true;
			}
			if (dt == o->paddr && di == (uint64_t)trace_run_iova_step(o)) {
				o->domain++;
				f->time = t;
				f->iova = iova;
				return true;
			}
		}
	}
	f->open = fits;
	f->time = t;
	f->iova = iova;
	return false;
}

/*
 * After the record at [rec, p) went on run o: the records that follow with the same bytes go
 * on it too, while they stay in its page. Bytes that decoded once from the state a run
 * element leaves decode again the same way, one time step and one iova step further on, so
 * they pass the same checks without being decoded, but for those the steps could fail: the
 * page, the time and iova+size overflows, and the block's record count and end, which bound
 * how many may follow before the bytes are compared. Records of more than 8 bytes are left
 * to the decoder. Returns the new p; *i is the last record taken, s the state after it.
 */
static inline const uint8_t *run_repeat(const uint8_t *p, const uint8_t *end, const uint8_t *rec,
					uint32_t *i, uint32_t count, struct trace_rec *o,
					struct run_fold *f, struct iot_state *s)
{
	size_t len = (size_t)(p - rec);
	uint8_t ones[8] = { 0 };
	int64_t step = trace_run_iova_step(o);
	uint64_t pat, mask, w, size = o->size, tstep = o->paddr, page = f->iova & ~0xfffULL;
	/* the highest first byte an element may have: in the page, and iova+size in 64 bits */
	uint64_t top = (page | 0xfff) - (size - 1), max = count - 1 - *i, n;

	if (len > sizeof(ones))
		return p;
	if (page == (UINT64_MAX & ~0xfffULL))
		top--; /* iova + size must stay below 2^64 */
	if (step > 0 && (top - f->iova) / (uint64_t)step < max)
		max = (top - f->iova) / (uint64_t)step;
	if (step < 0 && (f->iova - page) / (uint64_t)-step < max)
		max = (f->iova - page) / (uint64_t)-step;
	if (tstep && (UINT64_MAX - f->time) / tstep < max)
		max = (UINT64_MAX - f->time) / tstep;
	if ((size_t)(end - p) / len < max)
		max = (size_t)(end - p) / len;
	/* a word's first len bytes, whatever the byte order (the payload has slack past end) */
	memset(ones, 0xff, len);
	memcpy(&mask, ones, sizeof(mask));
	memcpy(&pat, rec, sizeof(pat));
	pat &= mask;
	for (n = 0; n < max; n++, p += len) {
		memcpy(&w, p, sizeof(w));
		if ((w & mask) != pat)
			break;
	}
	*i += (uint32_t)n;
	o->domain += (uint32_t)n;
	f->time += n * tstep;
	f->iova += n * (uint64_t)step;
	s->time = f->time;
	s->iova_end = f->iova + size;
	return p;
}

/*
 * Decode a whole block: the hot loop of every simulation run. `p` has IOT_PAYLOAD_SLACK_BYTES
 * readable bytes past `end`, so a record is decoded before its end is checked. Returns NULL on
 * success, else why the payload is corrupt (*bad = index of the offending record). With `runs`,
 * ACCESS records fold into runs: each is decoded into the next free entry, which a record
 * going on the run before it leaves free again (it stays in this core's cache). *nout: the
 * entries.
 */
static const char *iot_decode(const uint8_t *p, const uint8_t *end, uint32_t count,
			      struct trace_rec *out, bool runs, uint32_t *nout, uint32_t *bad)
{
	struct run_fold fold = { 0 };
	struct iot_state s;
	const char *why;
	struct trace_rec *r = out; /* the next entry */
	uint32_t i;
	uint64_t v;

	iot_state_reset(&s);
	for (i = 0; i < count; i++) {
		const uint8_t *rec = p;
		unsigned h = *p++, kind = h & IOT_KIND_MASK;

		*bad = i;
		if (kind >= IOT_NR_KINDS)
			return "unknown record kind (written by a newer iommusim?)";
		r->kind = (uint8_t)kind;
		if (h & IOT_F_DEV) {
			if (!(p = varint_get(p, &v)) || v > UINT32_MAX)
				return "bad device";
			s.device = (uint32_t)v;
			if (!(p = varint_get(p, &v)) || v > PASID_LIMIT)
				return "bad pasid";
			s.pasid = v ? (uint32_t)(v - 1) : TRACE_PASID_NONE;
		}
		r->device = s.device;
		r->pasid = s.pasid;
		if (!(p = varint_get(p, &v)) || s.time + v < s.time)
			return "bad time";
		s.time += v;
		r->time_ns = s.time;
		r->paddr = 0;
		r->cpu = 0;
		r->domain = 0;
		switch (kind) {
		case TRACE_ACCESS:
			if ((why = iot_range(&p, &s, r, false)) != NULL)
				return why;
			if (h & (IOT_F_KIND1 | IOT_F_CPU))
				return "bad ACCESS flags";
			r->flags = h & IOT_F_KIND0 ? TRACE_ACC_WRITE : 0;
			break;
		case TRACE_MAP:
			if ((why = iot_range(&p, &s, r, false)) != NULL)
				return why;
			r->flags = (h & IOT_F_KIND0 ? TRACE_PERM_READ : 0) |
				   (h & IOT_F_KIND1 ? TRACE_PERM_WRITE : 0);
			if (!r->flags)
				return "MAP without permissions";
			if (!(p = varint_get(p, &v)))
				return "bad paddr";
			r->paddr = s.paddr_end + trace_unzigzag(v);
			if (r->paddr > UINT64_MAX - s.size)
				return "paddr+size does not fit in 64 bits";
			s.paddr_end = r->paddr + s.size;
			break;
		case TRACE_UNMAP:
			if ((why = iot_range(&p, &s, r, false)) != NULL)
				return why;
			if (h & IOT_F_KIND1)
				return "bad UNMAP flags";
			r->flags = h & IOT_F_KIND0 ? TRACE_UNMAP_STAGE2 : 0;
			break;
		default:
			if ((why = iot_decode_rare(&p, h, &s, r)) != NULL)
				return why;
			break;
		}
		if (h & IOT_F_CPU) {
			if (!(p = varint_get(p, &v)) || v == 0 || v > UINT16_MAX)
				return "bad cpu";
			r->cpu = (uint16_t)v;
		}
		if (p > end)
			return "record runs past the end of the block";
		if (!runs || !run_fold(r, &fold))
			r++;
		else
			p = run_repeat(p, end, rec, &i, count, r - 1, &fold, &s);
	}
	*nout = (uint32_t)(r - out);
	*bad = count ? count - 1 : 0;
	if (p != end)
		return "bytes left over after the block's last record";
	return NULL;
}

/* ---- reading ---- */

/* zlib's message without the "<fd:N>: " it puts in front for gzdopen()ed files. */
static const char *gz_msg(gzFile gz, int *zerr)
{
	const char *m = gzerror(gz, zerr), *sep = strstr(m, ": ");

	return strncmp(m, "<fd:", 4) == 0 && sep ? sep + 2 : m;
}

/*
 * Top up the input buffer (after moving what is left to its start). Large requests make zlib
 * inflate straight into the buffer. Sets r->eof at the end of the file.
 */
static int in_fill(struct trace_reader *r, struct ism_err *err)
{
	int got, zerr;
	const char *zmsg;

	if (r->pos) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	got = gzread(r->gz, r->buf + r->len, (unsigned)(r->cap - r->len));
	if (got > 0) {
		r->len += (size_t)got;
		/* The decoder may look into the slack past the data: keep it defined. */
		memset(r->buf + r->len, 0, IOT_PAYLOAD_SLACK_BYTES);
		return 0;
	}
	/* zlib hands out what it could inflate first and reports a cut-short stream after. */
	zmsg = gz_msg(r->gz, &zerr);
	r->eof = true;
	if (got == 0 && zerr == Z_OK)
		return 0;
	if (zerr == Z_ERRNO)
		return ism_err_set(err, ISM_EXIT_TRACE, "%s: read error: %s", r->path,
				   strerror(errno));
	if (r->fmt == TRACE_FMT_CSV)
		return ism_err_set(err, ISM_EXIT_TRACE, "%s:%llu: %s gzip stream: %s", r->path,
				   (unsigned long long)r->line + 1,
				   zerr == Z_BUF_ERROR ? "truncated" : "corrupt", zmsg);
	if (zerr == Z_BUF_ERROR)
		return ism_err_set(err, ISM_EXIT_TRACE,
				   "%s: truncated after record %llu: the gzip stream ends early "
				   "(%s)",
				   r->path, (unsigned long long)r->nrec, zmsg);
	return ism_err_set(err, ISM_EXIT_TRACE, "%s: corrupt gzip stream after record %llu: %s",
			   r->path, (unsigned long long)r->nrec, zmsg);
}

/*
 * Native: the next n bytes, consumed, or NULL with a truncation error saying `what` was
 * expected. The buffer keeps IOT_PAYLOAD_SLACK_BYTES of readable slack past its capacity.
 */
static const uint8_t *in_take(struct trace_reader *r, size_t n, const char *what,
			      struct ism_err *err)
{
	const uint8_t *p;

	while (r->len - r->pos < n) {
		if (r->eof) {
			ism_err_set(err, ISM_EXIT_TRACE,
				    "%s: truncated after record %llu: expected %s", r->path,
				    (unsigned long long)r->nrec, what);
			return NULL;
		}
		if (n > r->cap) {
			r->cap = n;
			r->buf = ism_xrealloc(r->buf, r->cap + IOT_PAYLOAD_SLACK_BYTES);
		}
		if (in_fill(r, err))
			return NULL;
	}
	p = (const uint8_t *)r->buf + r->pos;
	r->pos += n;
	return p;
}

static int iot_open(struct trace_reader *r, struct ism_err *err)
{
	const uint8_t *fixed, *meta, *crcb;
	unsigned major, minor;
	uint32_t mlen, crc;
	json_error_t jerr;

	/* The sniffer left the magic in the buffer. */
	fixed = in_take(r, IOT_HEADER_FIXED_BYTES, "the header's version and metadata length",
			err);
	if (!fixed)
		return -1;
	major = fixed[8] | (unsigned)fixed[9] << 8;
	minor = fixed[10] | (unsigned)fixed[11] << 8;
	if (major != IOT_VERSION_MAJOR) {
		if (major > IOT_VERSION_MAJOR)
			return ism_err_set(err, ISM_EXIT_TRACE,
					   "%s: trace format version %u.%u is newer than this "
					   "iommusim reads (%u.x): upgrade iommusim",
					   r->path, major, minor, IOT_VERSION_MAJOR);
		return ism_err_set(err, ISM_EXIT_TRACE,
				   "%s: unsupported trace format version %u.%u (expected %u.x)",
				   r->path, major, minor, IOT_VERSION_MAJOR);
	}
	mlen = get_le32(fixed + 12);
	if (mlen > IOT_META_MAX_BYTES)
		return ism_err_set(err, ISM_EXIT_TRACE,
				   "%s: corrupt header: metadata length %u exceeds the limit of %u",
				   r->path, mlen, IOT_META_MAX_BYTES);
	/* Take the whole header at once so that it stays in one piece of the buffer. */
	r->pos -= IOT_HEADER_FIXED_BYTES;
	fixed = in_take(r, IOT_HEADER_FIXED_BYTES + mlen + 4, "the rest of the header", err);
	if (!fixed)
		return -1;
	meta = fixed + IOT_HEADER_FIXED_BYTES;
	crcb = meta + mlen;
	crc = (uint32_t)crc32(0, fixed, IOT_HEADER_FIXED_BYTES + mlen);
	if (crc != get_le32(crcb))
		return ism_err_set(err, ISM_EXIT_TRACE,
				   "%s: corrupt header: CRC mismatch (stored 0x%08x, computed "
				   "0x%08x)",
				   r->path, get_le32(crcb), crc);
	r->meta = json_loadb((const char *)meta, mlen, JSON_REJECT_DUPLICATES, &jerr);
	if (!r->meta || !json_is_object(r->meta))
		return ism_err_set(err, ISM_EXIT_TRACE,
				   "%s: corrupt header: metadata is not a JSON object%s%s", r->path,
				   r->meta ? "" : ": ", r->meta ? "" : jerr.text);
	return 0;
}

static int iot_end(struct trace_reader *r, const uint8_t *payload, struct ism_err *err)
{
	uint64_t total = get_le64(payload);

	if (total != r->nrec)
		return ism_err_set(err, ISM_EXIT_TRACE,
				   "%s: corrupt end marker: it counts %llu records, the file holds "
				   "%llu",
				   r->path, (unsigned long long)total, (unsigned long long)r->nrec);
	/* Reading on to the end also makes zlib check the gzip trailer (CRC and length). */
	while (r->pos == r->len && !r->eof)
		if (in_fill(r, err))
			return -1;
	if (r->pos < r->len)
		return ism_err_set(err, ISM_EXIT_TRACE,
				   "%s: corrupt file: unexpected data after the end marker (after "
				   "record %llu)",
				   r->path, (unsigned long long)r->nrec);
	return 0;
}

static long iot_read(struct trace_reader *r, struct ism_err *err)
{
	const uint8_t *h, *payload;
	uint32_t count, len, crc, bad, nout;
	unsigned long long at = (unsigned long long)r->nrec + 1;
	const char *why;
	bool sane, fold;

	h = in_take(r, IOT_BLOCK_HEADER_BYTES, "a block header or the end marker", err);
	if (!h)
		return -1;
	count = get_le32(h);
	len = get_le32(h + 4);
	if (count == 0)
		sane = len == IOT_END_PAYLOAD_BYTES;
	else
		sane = count <= TRACE_BLOCK_RECORDS && len <= count * IOT_REC_MAX_BYTES &&
		       len >= count * IOT_REC_MIN_BYTES;
	if (!sane)
		return ism_err_set(err, ISM_EXIT_TRACE,
				   "%s: corrupt block at record %llu: impossible header "
				   "(%u records in %u bytes)",
				   r->path, at, count, len);
	/* Header and payload stay contiguous: take them together, then step over the header. */
	r->pos -= IOT_BLOCK_HEADER_BYTES;
	h = in_take(r, IOT_BLOCK_HEADER_BYTES + len,
		    count ? "a block payload" : "the end marker's record count", err);
	if (!h)
		return -1;
	payload = h + IOT_BLOCK_HEADER_BYTES;
	crc = (uint32_t)crc32(0, h, 8);
	crc = (uint32_t)crc32(crc, payload, len);
	if (crc != get_le32(h + 8))
		return ism_err_set(err, ISM_EXIT_TRACE,
				   "%s: corrupt block at record %llu: CRC mismatch (stored 0x%08x, "
				   "computed 0x%08x)",
				   r->path, at, get_le32(h + 8), crc);
	if (count == 0) {
		if (iot_end(r, payload, err))
			return -1;
		r->done = true;
		return 0;
	}
	fold = r->runs && !r->runs_skip;
	why = iot_decode(payload, payload + len, count, r->recs, fold, &nout, &bad);
	if (why)
		return ism_err_set(err, ISM_EXIT_TRACE,
				   "%s: corrupt block at record %llu: record %llu: %s", r->path, at,
				   at + bad, why);
	/* Blocks decode independently, so time order across blocks is checked here. */
	if (r->recs[0].time_ns < r->last_time)
		return ism_err_set(err, ISM_EXIT_TRACE,
				   "%s: record %llu: time goes backwards (%llu after %llu)",
				   r->path, at, (unsigned long long)r->recs[0].time_ns,
				   (unsigned long long)r->last_time);
	/*
	 * Folding costs every ACCESS a few comparisons: after a block it left nearly whole (a
	 * random trace), the next ones are decoded plainly, and one in RUNS_PROBE_BLOCKS tries.
	 */
	if (fold)
		r->runs_skip = nout > count - count / 8 ? RUNS_PROBE_BLOCKS - 1 : 0;
	else if (r->runs_skip)
		r->runs_skip--;
	r->last_time = trace_rec_last_time(&r->recs[nout - 1]);
	r->nrec += count;
	r->block_records = count;
	return nout;
}

/* ---- CSV reading ---- */

static bool csv_is_text(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r') || p[i] == 0x7f)
			return false;
	return true;
}

/* Next line without its newline; 1, or 0 at the end of the file, or -1. */
static int csv_line(struct trace_reader *r, const char **line, size_t *n, struct ism_err *err)
{
	char *nl;

	for (;;) {
		nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
		if (nl || (r->eof && r->pos < r->len)) {
			size_t end = nl ? (size_t)(nl - r->buf) : r->len;

			*line = r->buf + r->pos;
			*n = end - r->pos;
			if (*n && (*line)[*n - 1] == '\r')
				(*n)--;
			r->pos = nl ? end + 1 : end;
			r->line++;
			return 1;
		}
		if (r->eof)
			return 0;
		if (r->pos == 0 && r->len == r->cap)
			return ism_err_set(err, ISM_EXIT_TRACE,
					   "%s:%llu: line longer than %zu bytes", r->path,
					   (unsigned long long)r->line + 1, r->cap);
		if (in_fill(r, err))
			return -1;
	}
}

static bool csv_skip(const char *line, size_t n)
{
	size_t i = 0;

	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i == n || line[i] == '#';
}

/* Show a found value safely: at most 40 bytes, control bytes as '?'. */
static const char *csv_show(const char *s, size_t n, char *buf, size_t bufn)
{
	size_t i, m = n < bufn - 4 ? n : bufn - 4;

	for (i = 0; i < m; i++)
		buf[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
	if (m < n)
		memcpy(buf + m, "...", 3), m += 3;
	buf[m] = '\0';
	return buf;
}

/* Column `col` (1-based, known to exist) of a line: its start and length. */
static const char *csv_field(const char *line, size_t n, int col, size_t *fl)
{
	const char *f = line, *c;
	int k;

	for (k = 1; k < col; k++)
		f = (const char *)memchr(f, ',', (size_t)(line + n - f)) + 1;
	c = memchr(f, ',', (size_t)(line + n - f));
	*fl = c ? (size_t)(c - f) : (size_t)(line + n - f);
	return f;
}

static int csv_parse(struct trace_reader *r, const char *line, size_t n, struct trace_rec *rec,
		     struct ism_err *err)
{
	const char *why = "", *f;
	char shown[48];
	int rc = trace_csv_parse_line(line, n, r->layout, rec, &why), col, k = 1;
	size_t fl;

	if (rc == 0) {
		/* A line that does not fit the header is wrong as a whole. */
		for (f = line; (f = memchr(f, ',', (size_t)(line + n - f))) != NULL; f++)
			k++;
		return ism_err_set(err, ISM_EXIT_TRACE, "%s:%llu: %s, got %d", r->path,
				   (unsigned long long)r->line, why, k);
	}
	if (rc < 0) {
		col = -rc;
		f = csv_field(line, n, col, &fl);
		return ism_err_set(err, ISM_EXIT_TRACE, "%s:%llu: column '%s': %s, got '%s'",
				   r->path, (unsigned long long)r->line,
				   trace_csv_column(r->layout, col), why,
				   csv_show(f, fl, shown, sizeof(shown)));
	}
	if (rec->time_ns < r->last_time)
		return ism_err_set(err, ISM_EXIT_TRACE,
				   "%s:%llu: column 'time_ns': expected a time >= %llu (time must "
				   "not go backwards), got '%llu'",
				   r->path, (unsigned long long)r->line,
				   (unsigned long long)r->last_time,
				   (unsigned long long)rec->time_ns);
	r->last_time = rec->time_ns;
	return 0;
}

static bool csv_meta_comment(const char *line, size_t n, size_t *json_at)
{
	size_t i = 1;

	if (!n || line[0] != '#')
		return false;
	while (i < n && line[i] == ' ')
		i++;
	if (n - i < 5 || memcmp(line + i, "meta:", 5) != 0)
		return false;
	*json_at = i + 5;
	return true;
}

static int csv_open(struct trace_reader *r, struct ism_err *err)
{
	const char *line, *dev;
	size_t n, at, devlen;
	unsigned layout;
	int rc;

	if (r->len == 0)
		return ism_err_set(err, ISM_EXIT_TRACE,
				   "%s: empty file: not an iommusim trace or CSV", r->path);
	/* Spreadsheets like to start UTF-8 text with a byte order mark. */
	if (r->len >= 3 && memcmp(r->buf, "\xef\xbb\xbf", 3) == 0)
		r->pos = 3;
	if (!csv_is_text((const uint8_t *)r->buf, r->len < CSV_SNIFF_BYTES ? r->len :
					   CSV_SNIFF_BYTES))
		return ism_err_set(err, ISM_EXIT_TRACE, "%s: not an iommusim trace or CSV",
				   r->path);
	for (;;) {
		rc = csv_line(r, &line, &n, err);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return ism_err_set(err, ISM_EXIT_TRACE,
					   "%s: no CSV header: expected a line '" TRACE_CSV_HEADER
					   "' (not an iommusim trace or CSV)",
					   r->path);
		if (csv_meta_comment(line, n, &at)) {
			json_error_t jerr;

			if (r->meta)
				return ism_err_set(err, ISM_EXIT_TRACE,
						   "%s:%llu: a second '# meta:' comment (expected "
						   "one, before the header)",
						   r->path, (unsigned long long)r->line);
			r->meta = json_loadb(line + at, n - at, JSON_REJECT_DUPLICATES, &jerr);
			if (!r->meta || !json_is_object(r->meta))
				return ism_err_set(err, ISM_EXIT_TRACE,
						   "%s:%llu: '# meta:' expected a JSON object%s%s",
						   r->path, (unsigned long long)r->line,
						   r->meta ? "" : ": ", r->meta ? "" : jerr.text);
			continue;
		}
		if (csv_skip(line, n))
			continue;
		break;
	}
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	/* The header decides the layout: which optional columns every line has. */
	for (layout = 0; layout <= (TRACE_CSV_CPU | TRACE_CSV_DOMAIN); layout++)
		if (n == strlen(trace_csv_header(layout)) &&
		    memcmp(line, trace_csv_header(layout), n) == 0)
			break;
	if (layout > (TRACE_CSV_CPU | TRACE_CSV_DOMAIN)) {
		char shown[48];

		return ism_err_set(err, ISM_EXIT_TRACE,
				   "%s:%llu: not an iommusim trace or CSV: expected the header '"
				   TRACE_CSV_HEADER "' (optionally followed by ',cpu', ',domain' "
				   "or ',cpu,domain'), got '%s'",
				   r->path, (unsigned long long)r->line,
				   csv_show(line, n, shown, sizeof(shown)));
	}
	r->layout = layout;
	if (!r->meta)
		r->meta = json_object();
	trace_csv_meta_set_layout(r->meta, layout);

	/*
	 * The first record decides how the exporter writes devices back: bdf or decimal. One
	 * without a device (INV:GLOBAL) leaves the metadata's word standing.
	 */
	for (;;) {
		rc = csv_line(r, &line, &n, err);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return 0;
		if (!csv_skip(line, n))
			break;
	}
	if (csv_parse(r, line, n, &r->recs[0], err))
		return -1;
	r->pending = true;
	dev = csv_field(line, n, 3, &devlen);
	while (devlen && (*dev == ' ' || *dev == '\t'))
		dev++, devlen--;
	if (!devlen)
		return 0;
	if (memchr(dev, ':', devlen))
		json_object_set_new(r->meta, "device_format", json_string("bdf"));
	else
		json_object_del(r->meta, "device_format");
	return 0;
}

static long csv_read(struct trace_reader *r, struct ism_err *err)
{
	const char *line;
	size_t n;
	long k = 0;
	int rc;

	if (r->pending) {
		r->pending = false;
		k = 1;
	}
	while (k < TRACE_BLOCK_RECORDS) {
		rc = csv_line(r, &line, &n, err);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			r->done = true;
			break;
		}
		if (csv_skip(line, n))
			continue;
		if (csv_parse(r, line, n, &r->recs[k], err))
			return -1;
		k++;
	}
	r->nrec += (uint64_t)k;
	r->block_records = (uint32_t)k;
	if (r->runs) {
		struct run_fold fold = { 0 };
		uint32_t i, j = 0;

		for (i = 0; i < (uint32_t)k; i++) {
			r->recs[j] = r->recs[i];
			if (!run_fold(&r->recs[j], &fold))
				j++;
		}
		return j;
	}
	return k;
}

/* ---- reader API ---- */

struct trace_reader *trace_open(const char *path, struct ism_err *err)
{
	struct trace_reader *r = ism_xcalloc(1, sizeof(*r));
	struct stat st;
	int fd;

	r->path = ism_xstrdup(path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		ism_err_set(err, ISM_EXIT_TRACE, "%s: cannot open: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		ism_err_set(err, ISM_EXIT_TRACE, "%s: is a directory, not a trace", path);
		close(fd);
		goto fail;
	}
	r->fsize = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	r->gz = gzdopen(fd, "rb");
	if (!r->gz) {
		ism_err_set(err, ISM_EXIT_FAIL, "%s: cannot open: out of memory", path);
		close(fd);
		goto fail;
	}
	gzbuffer(r->gz, TRACE_GZ_BUFFER_BYTES);
	r->recs = ism_xcalloc(TRACE_BLOCK_RECORDS, sizeof(*r->recs));
	r->cap = TRACE_IN_BUFFER_BYTES;
	r->buf = ism_xmalloc(r->cap + IOT_PAYLOAD_SLACK_BYTES);
	memset(r->buf, 0, IOT_PAYLOAD_SLACK_BYTES);
	while (r->len < IOT_MAGIC_BYTES && !r->eof)
		if (in_fill(r, err))
			goto fail;
	if (r->len && r->len < IOT_MAGIC_BYTES && memcmp(r->buf, IOT_MAGIC, r->len) == 0) {
		ism_err_set(err, ISM_EXIT_TRACE,
			    "%s: truncated after record 0: expected the 8-byte magic", path);
		goto fail;
	}
	if (r->len >= IOT_MAGIC_BYTES && memcmp(r->buf, IOT_MAGIC, IOT_MAGIC_BYTES) == 0) {
		r->fmt = TRACE_FMT_NATIVE;
		if (iot_open(r, err))
			goto fail;
	} else {
		r->fmt = TRACE_FMT_CSV;
		if (csv_open(r, err))
			goto fail;
	}
	return r;
fail:
	trace_close(r);
	return NULL;
}

static long read_block(struct trace_reader *r, struct ism_err *err)
{
	return r->fmt == TRACE_FMT_NATIVE ? iot_read(r, err) : csv_read(r, err);
}

/* The reading thread: blocks into free slots until the end, an error, or trace_close(). */
static void *ahead_main(void *arg)
{
	struct trace_reader *r = arg;
	struct trace_ahead *a = r->ahead;

	for (;;) {
		struct trace_slot *sl;
		bool stop;

		pthread_mutex_lock(&a->mu);
		while (!a->stop && a->head - a->tail >= TRACE_RING_BLOCKS) {
			a->waiting_room = true;
			pthread_cond_wait(&a->room, &a->mu);
		}
		stop = a->stop;
		pthread_mutex_unlock(&a->mu);
		if (stop)
			break;
		sl = &a->ring[a->head % TRACE_RING_BLOCKS];
		r->recs = sl->recs;
		sl->n = read_block(r, &sl->err);
		if (sl->n > 0) {
			long off = gzoffset(r->gz);

			sl->pos = off < 0 ? 0 : (uint64_t)off;
			sl->records = r->block_records;
		}
		pthread_mutex_lock(&a->mu);
		a->head++;
		if (a->waiting_more) {
			a->waiting_more = false;
			pthread_cond_signal(&a->more);
		}
		pthread_mutex_unlock(&a->mu);
		if (sl->n <= 0)
			break;
	}
	return NULL;
}

/* The ring and its locks, once no thread runs: slot 0's array goes back to the reader. */
static void ahead_free(struct trace_reader *r, struct trace_ahead *a)
{
	unsigned i;

	r->ahead = NULL;
	r->recs = a->ring[0].recs;
	for (i = 1; i < TRACE_RING_BLOCKS; i++)
		free(a->ring[i].recs);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->more);
	pthread_cond_destroy(&a->room);
	free(a);
}

/*
 * Start reading ahead (at the first trace_read()), unless one core is all there is or the
 * thread cannot start: then the caller's thread reads, as it always could.
 */
static void ahead_start(struct trace_reader *r)
{
	struct trace_ahead *a;
	unsigned i;

	r->ahead_tried = true;
	if (ism_cpus() < 2)
		return;
	a = ism_xcalloc(1, sizeof(*a));
	/* slot 0 takes the reader's own array: CSV keeps its first record there from the open */
	a->ring[0].recs = r->recs;
	for (i = 1; i < TRACE_RING_BLOCKS; i++)
		a->ring[i].recs = ism_xmalloc(TRACE_BLOCK_RECORDS * sizeof(*a->ring[i].recs));
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->more, NULL);
	pthread_cond_init(&a->room, NULL);
	r->ahead = a;
	if (ism_thread_start(&a->thread, ahead_main, r) != 0)
		ahead_free(r, a);
}

/* The slot of the block the caller has (or had last: the end, an error). */
static struct trace_slot *ahead_cur(struct trace_ahead *a)
{
	return &a->ring[(a->out - 1) % TRACE_RING_BLOCKS];
}

/*
 * Under a->mu: give back the oldest slots that neither the caller nor a hold keeps, and wake
 * the thread when half the ring is free.
 */
static void ahead_give_back(struct trace_ahead *a)
{
	while (a->tail != a->out - a->holding && !a->holds[a->tail % TRACE_RING_BLOCKS])
		a->tail++;
	if (a->waiting_room && a->head - a->tail <= TRACE_RING_BLOCKS / 2) {
		a->waiting_room = false;
		pthread_cond_signal(&a->room);
	}
}

/* The next block the thread decoded, once it has; the caller's previous one goes back. */
static long ahead_read(struct trace_reader *r, const struct trace_rec **recs, struct ism_err *err)
{
	struct trace_ahead *a = r->ahead;
	struct trace_slot *sl;

	pthread_mutex_lock(&a->mu);
	if (a->holding) {
		a->holding = false;
		ahead_give_back(a);
	}
	while (a->head == a->out) {
		a->waiting_more = true;
		pthread_cond_wait(&a->more, &a->mu);
	}
	a->out++;
	a->holding = true;
	pthread_mutex_unlock(&a->mu);
	sl = ahead_cur(a);
	*recs = sl->recs;
	if (sl->n <= 0)
		a->ended = true;
	else
		a->pos = sl->pos;
	a->records = sl->n > 0 ? sl->records : 0;
	if (sl->n < 0 && err)
		*err = sl->err;
	return sl->n;
}

/* Stop the thread (it finishes the block it is on) and free its ring. */
static void ahead_end(struct trace_reader *r)
{
	struct trace_ahead *a = r->ahead;

	if (!a)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = true;
	pthread_cond_signal(&a->room);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->thread, NULL);
	ahead_free(r, a);
}

long trace_read(struct trace_reader *r, const struct trace_rec **recs, struct ism_err *err)
{
	long n;

	if (!r->ahead)
		r->block_records = 0; /* read_block() sets it for a block */
	if (r->failed) {
		*recs = r->ahead ? ahead_cur(r->ahead)->recs : r->recs;
		if (err)
			*err = *r->failed;
		return -1;
	}
	if (r->ahead ? r->ahead->ended : r->done) {
		*recs = r->ahead ? ahead_cur(r->ahead)->recs : r->recs;
		return 0;
	}
	if (!r->ahead_tried)
		ahead_start(r);
	if (r->ahead) {
		n = ahead_read(r, recs, err);
	} else {
		*recs = r->recs;
		n = read_block(r, err);
	}
	if (n < 0) {
		/* The stream position is lost: every later call repeats the error. */
		r->failed = ism_xcalloc(1, sizeof(*r->failed));
		if (err)
			*r->failed = *err;
		else if (r->ahead)
			*r->failed = ahead_cur(r->ahead)->err;
		else
			ism_err_set(r->failed, ISM_EXIT_TRACE, "%s: unreadable", r->path);
	}
	return n;
}

void trace_want_runs(struct trace_reader *r)
{
	if (!r->ahead_tried)
		r->runs = true;
}

uint32_t trace_block_records(const struct trace_reader *r)
{
	return r->ahead ? r->ahead->records : r->block_records;
}

bool trace_hold(struct trace_reader *r, unsigned *hold)
{
	struct trace_ahead *a = r->ahead;

	if (!a || !a->holding || a->ended)
		return false;
	pthread_mutex_lock(&a->mu);
	*hold = a->out - 1;
	a->holds[*hold % TRACE_RING_BLOCKS]++;
	pthread_mutex_unlock(&a->mu);
	return true;
}

void trace_release(struct trace_reader *r, unsigned hold)
{
	struct trace_ahead *a = r->ahead;

	pthread_mutex_lock(&a->mu);
	a->holds[hold % TRACE_RING_BLOCKS]--;
	ahead_give_back(a);
	pthread_mutex_unlock(&a->mu);
}

json_t *trace_meta(struct trace_reader *r)
{
	return r->meta;
}

enum trace_format trace_format(struct trace_reader *r)
{
	return r->fmt;
}

const char *trace_path(struct trace_reader *r)
{
	return r->path;
}

uint64_t trace_pos(struct trace_reader *r)
{
	long off;

	if (r->ahead)
		return r->ahead->pos;
	off = r->gz ? gzoffset(r->gz) : -1;

	return off < 0 ? 0 : (uint64_t)off;
}

uint64_t trace_file_size(struct trace_reader *r)
{
	return r->fsize;
}

void trace_close(struct trace_reader *r)
{
	if (!r)
		return;
	ahead_end(r);
	if (r->gz)
		gzclose(r->gz);
	json_decref(r->meta);
	free(r->failed);
	free(r->recs);
	free(r->buf);
	free(r->path);
	free(r);
}

/* ---- writing ---- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static int wr_error(struct trace_writer *w, struct ism_err *err)
{
	int zerr;
	const char *zmsg = gz_msg(w->gz, &zerr);

	return ism_err_set(err, ISM_EXIT_IO, "%s: write failed: %s", w->path,
			   zerr == Z_ERRNO ? strerror(errno) : zmsg);
}

static int wr(struct trace_writer *w, const void *p, size_t n, struct ism_err *err)
{
	if (n && gzwrite(w->gz, p, (unsigned)n) != (int)n)
		return wr_error(w, err);
	return 0;
}

struct trace_writer *trace_writer_open_fmt(const char *path, enum trace_format fmt, bool gz,
					   const json_t *meta, struct ism_err *err)
{
	struct trace_writer *w;
	int fd;

	if (meta && !json_is_object(meta)) {
		ism_err_set(err, ISM_EXIT_FAIL, "%s: trace metadata must be a JSON object", path);
		return NULL;
	}
	if (fmt == TRACE_FMT_NATIVE && strcmp(path, "-") == 0) {
		ism_err_set(err, ISM_EXIT_USAGE, "native traces cannot go to stdout ('-')");
		return NULL;
	}
	w = ism_xcalloc(1, sizeof(*w));
	w->fmt = fmt;
	w->meta = meta ? json_deep_copy(meta) : json_object();
	if (ism_out_open(&w->file, path, err) != 0)
		goto fail;
	w->path = ism_xstrdup(w->file.path);
	/* zlib writes through its own descriptor; ism_out_commit syncs and renames the file. */
	fd = dup(w->file.fd);
	if (fd < 0) {
		ism_err_set(err, ISM_EXIT_IO, "%s: cannot write: %s", w->path, strerror(errno));
		goto fail;
	}
	w->gz = gzdopen(fd, gz ? "wb" TRACE_GZ_LEVEL : "wbT");
	if (!w->gz) {
		close(fd);
		ism_err_set(err, ISM_EXIT_IO, "%s: cannot open for writing", w->path);
		goto fail;
	}
	gzbuffer(w->gz, TRACE_GZ_BUFFER_BYTES);
	if (fmt == TRACE_FMT_NATIVE) {
		iot_state_reset(&w->st);
		w->blk = ism_xmalloc(IOT_BLOCK_HEADER_BYTES + IOT_PAYLOAD_MAX_BYTES);
	} else {
		w->out = ism_xmalloc(CSV_OUT_BUFFER_BYTES);
	}
	return w;
fail:
	trace_writer_abort(w);
	return NULL;
}

struct trace_writer *trace_writer_open(const char *path, const json_t *meta, struct ism_err *err)
{
	if (ends_with(path, ".iot"))
		return trace_writer_open_fmt(path, TRACE_FMT_NATIVE, false, meta, err);
	if (ends_with(path, ".iot.gz"))
		return trace_writer_open_fmt(path, TRACE_FMT_NATIVE, true, meta, err);
	if (ends_with(path, ".csv") || strcmp(path, "-") == 0)
		return trace_writer_open_fmt(path, TRACE_FMT_CSV, false, meta, err);
	if (ends_with(path, ".csv.gz"))
		return trace_writer_open_fmt(path, TRACE_FMT_CSV, true, meta, err);
	ism_err_set(err, ISM_EXIT_USAGE,
		    "%s: cannot tell the trace format from the name (expected .iot, .iot.gz, .csv, "
		    ".csv.gz or - for stdout)",
		    path);
	return NULL;
}

json_t *trace_writer_meta(struct trace_writer *w)
{
	return w->meta;
}

void trace_writer_progress(struct trace_writer *w, struct progress *p)
{
	w->progress = p;
}

/* The header goes out with the first record, so callers can complete the metadata first. */
static int wr_start(struct trace_writer *w, struct ism_err *err)
{
	char *js = json_dumps(w->meta, JSON_COMPACT);
	size_t n = js ? strlen(js) : 0;
	int rc;

	if (!js)
		return ism_err_set(err, ISM_EXIT_FAIL, "%s: cannot encode the metadata", w->path);
	w->started = true;
	if (w->fmt == TRACE_FMT_NATIVE) {
		uint8_t fixed[IOT_HEADER_FIXED_BYTES], crcb[4];
		uint32_t crc;

		memcpy(fixed, IOT_MAGIC, IOT_MAGIC_BYTES);
		fixed[8] = IOT_VERSION_MAJOR;
		fixed[9] = 0;
		fixed[10] = IOT_VERSION_MINOR;
		fixed[11] = 0;
		put_le32(fixed + 12, (uint32_t)n);
		crc = (uint32_t)crc32(0, fixed, sizeof(fixed));
		crc = (uint32_t)crc32(crc, (const uint8_t *)js, (uInt)n);
		put_le32(crcb, crc);
		if (n > IOT_META_MAX_BYTES)
			rc = ism_err_set(err, ISM_EXIT_FAIL, "%s: metadata longer than %u bytes",
					 w->path, IOT_META_MAX_BYTES);
		else if (wr(w, fixed, sizeof(fixed), err) || wr(w, js, n, err) ||
			 wr(w, crcb, 4, err))
			rc = -1;
		else
			rc = 0;
	} else {
		const json_t *df = json_object_get(w->meta, "device_format");
		const char *header;

		w->bdf = json_is_string(df) && strcmp(json_string_value(df), "bdf") == 0;
		w->layout = trace_csv_meta_layout(w->meta);
		header = trace_csv_header(w->layout);
		rc = 0;
		if (json_object_size(w->meta))
			rc = wr(w, "# meta: ", 8, err) || wr(w, js, n, err) || wr(w, "\n", 1, err);
		if (!rc)
			rc = wr(w, header, strlen(header), err);
		if (!rc)
			rc = wr(w, "\n", 1, err);
		rc = rc ? -1 : 0;
	}
	free(js);
	return rc;
}

static int iot_flush(struct trace_writer *w, struct ism_err *err)
{
	uint32_t crc;

	put_le32(w->blk, w->blk_count);
	put_le32(w->blk + 4, (uint32_t)w->blk_len);
	crc = (uint32_t)crc32(0, w->blk, 8);
	crc = (uint32_t)crc32(crc, w->blk + IOT_BLOCK_HEADER_BYTES, (uInt)w->blk_len);
	put_le32(w->blk + 8, crc);
	if (wr(w, w->blk, IOT_BLOCK_HEADER_BYTES + w->blk_len, err))
		return -1;
	if (w->progress)
		progress_update(w->progress, w->nrec, 0, 0);
	w->blk_len = 0;
	w->blk_count = 0;
	iot_state_reset(&w->st);
	return 0;
}

static int csv_flush(struct trace_writer *w, struct ism_err *err)
{
	int rc = wr(w, w->out, w->out_len, err);

	w->out_len = 0;
	if (w->progress)
		progress_update(w->progress, w->nrec, 0, 0);
	return rc;
}

int trace_write(struct trace_writer *w, const struct trace_rec *rec, struct ism_err *err)
{
	const char *why = trace_rec_invalid(rec);
	unsigned missing;

	if (__builtin_expect(why != NULL || rec->time_ns < w->last_time, 0)) {
		if (!why)
			return ism_err_set(err, ISM_EXIT_TRACE,
					   "%s: record %llu: time goes backwards (%llu after %llu)",
					   w->path, (unsigned long long)w->nrec + 1,
					   (unsigned long long)rec->time_ns,
					   (unsigned long long)w->last_time);
		return ism_err_set(err, ISM_EXIT_TRACE, "%s: record %llu: %s", w->path,
				   (unsigned long long)w->nrec + 1, why);
	}
	if (!w->started && wr_start(w, err))
		return -1;
	w->last_time = rec->time_ns;
	w->nrec++;
	if (w->fmt == TRACE_FMT_NATIVE) {
		w->blk_len += iot_encode(&w->st, rec, w->blk + IOT_BLOCK_HEADER_BYTES + w->blk_len);
		if (++w->blk_count == TRACE_BLOCK_RECORDS)
			return iot_flush(w, err);
		return 0;
	}
	missing = trace_csv_needs(rec) & ~w->layout;
	if (__builtin_expect(missing != 0, 0)) {
		if (missing & TRACE_CSV_CPU)
			return ism_err_set(err, ISM_EXIT_TRACE,
					   "%s: record %llu has cpu %u but the metadata does not "
					   "set \"has_cpu\": true, so the CSV would lose it",
					   w->path, (unsigned long long)w->nrec, rec->cpu);
		return ism_err_set(err, ISM_EXIT_TRACE,
				   "%s: record %llu names domain %u but the metadata does not set "
				   "\"has_domain\": true, so the CSV would lose it",
				   w->path, (unsigned long long)w->nrec, rec->domain);
	}
	if (w->out_len + CSV_OUT_LINE_BYTES > CSV_OUT_BUFFER_BYTES && csv_flush(w, err))
		return -1;
	w->out_len += trace_csv_format(rec, w->bdf, w->layout, w->out + w->out_len,
				       CSV_OUT_LINE_BYTES);
	w->out[w->out_len++] = '\n';
	return 0;
}

int trace_writer_finish(struct trace_writer *w, struct ism_err *err)
{
	int rc = 0, zrc;

	if (!w->started && wr_start(w, err))
		goto fail;
	if (w->fmt == TRACE_FMT_NATIVE) {
		uint8_t end[IOT_BLOCK_HEADER_BYTES + IOT_END_PAYLOAD_BYTES];
		uint32_t crc;

		if (w->blk_count && iot_flush(w, err))
			goto fail;
		put_le32(end, 0);
		put_le32(end + 4, IOT_END_PAYLOAD_BYTES);
		put_le64(end + IOT_BLOCK_HEADER_BYTES, w->nrec);
		crc = (uint32_t)crc32(0, end, 8);
		crc = (uint32_t)crc32(crc, end + IOT_BLOCK_HEADER_BYTES, IOT_END_PAYLOAD_BYTES);
		put_le32(end + 8, crc);
		if (wr(w, end, sizeof(end), err))
			goto fail;
	} else if (csv_flush(w, err)) {
		goto fail;
	}
	zrc = gzclose(w->gz);
	w->gz = NULL;
	if (zrc != Z_OK) {
		ism_err_set(err, ISM_EXIT_IO, "%s: write failed: %s", w->path,
			    zrc == Z_ERRNO ? strerror(errno) : "zlib error");
		goto fail;
	}
	if (ism_out_commit(&w->file, err) != 0)
		goto fail;
	trace_writer_abort(w);
	return rc;
fail:
	trace_writer_abort(w);
	return -1;
}

void trace_writer_abort(struct trace_writer *w)
{
	if (!w)
		return;
	if (w->progress)
		progress_done(w->progress);
	if (w->gz)
		gzclose(w->gz);
	ism_out_abort(&w->file);
	json_decref(w->meta);
	free(w->blk);
	free(w->out);
	free(w->path);
	free(w);
}
