/* CSV interchange at the line level: one text line <-> one trace record (docs/trace-format.md). */
#include "trace.h"

#include <string.h>

#define CSV_PASID_LIMIT (1u << 20)
#define CSV_CPU_LIMIT 65536u
#define BDF_BUS_MAX 0xffu
#define BDF_DEV_MAX 0x1fu
#define BDF_FN_MAX 0x7u

static const char *const csv_columns[] = {
	"time_ns", "op", "device", "pasid", "iova", "size", "paddr", "cpu", "domain",
};

/* The base columns' places; the optional ones follow in this order when the header has them. */
enum { COL_TIME, COL_OP, COL_DEVICE, COL_PASID, COL_IOVA, COL_SIZE, COL_PADDR, COL_BASE };

/* Indexed by layout (TRACE_CSV_CPU | TRACE_CSV_DOMAIN). */
static const char *const csv_headers[] = {
	TRACE_CSV_HEADER,
	TRACE_CSV_HEADER ",cpu",
	TRACE_CSV_HEADER ",domain",
	TRACE_CSV_HEADER ",cpu,domain",
};
static const char *const csv_count_why[] = {
	"expected 7 columns as in the header",
	"expected 8 columns as in the header (with cpu)",
	"expected 8 columns as in the header (with domain)",
	"expected 9 columns as in the header (with cpu and domain)",
};

/* INVAL ops indexed by granularity (TRACE_INV_RANGE ... TRACE_INV_GLOBAL). */
static const char *const csv_inv_ops[] = { "INV", "INV:LEAF", "INV:DOMAIN", "INV:GLOBAL" };

static const char EXPECT_INT[] = "expected a decimal or 0x-hex integer";

#define CSV_LAYOUT_MASK (TRACE_CSV_CPU | TRACE_CSV_DOMAIN)

int trace_csv_ncolumns(unsigned layout)
{
	return COL_BASE + !!(layout & TRACE_CSV_CPU) + !!(layout & TRACE_CSV_DOMAIN);
}

const char *trace_csv_header(unsigned layout)
{
	return csv_headers[layout & CSV_LAYOUT_MASK];
}

/* 0-based places of the optional columns in a layout, -1 when absent. */
static int cpu_col(unsigned layout)
{
	return layout & TRACE_CSV_CPU ? COL_BASE : -1;
}

static int domain_col(unsigned layout)
{
	return layout & TRACE_CSV_DOMAIN ? COL_BASE + !!(layout & TRACE_CSV_CPU) : -1;
}

const char *trace_csv_column(unsigned layout, int col)
{
	if (col < 1 || col > trace_csv_ncolumns(layout))
		return NULL;
	if (col - 1 == domain_col(layout))
		return "domain";
	return csv_columns[col - 1];
}

unsigned trace_csv_needs(const struct trace_rec *rec)
{
	bool domain = rec->kind == TRACE_ATTACH ||
		      (rec->kind == TRACE_INVAL && (rec->flags & TRACE_INV_BY_DOMAIN));

	return (rec->cpu ? TRACE_CSV_CPU : 0) | (domain ? TRACE_CSV_DOMAIN : 0);
}

/* The metadata keys that say a CSV has the optional columns, by layout bit. */
static const struct {
	unsigned bit;
	const char *key;
} csv_meta_keys[] = {
	{ TRACE_CSV_CPU, "has_cpu" },
	{ TRACE_CSV_DOMAIN, "has_domain" },
};

unsigned trace_csv_meta_layout(const json_t *meta)
{
	unsigned layout = 0;
	size_t i;

	for (i = 0; i < ISM_ARRAY_SIZE(csv_meta_keys); i++)
		if (json_is_true(json_object_get(meta, csv_meta_keys[i].key)))
			layout |= csv_meta_keys[i].bit;
	return layout;
}

void trace_csv_meta_set_layout(json_t *meta, unsigned layout)
{
	size_t i;

	for (i = 0; i < ISM_ARRAY_SIZE(csv_meta_keys); i++)
		if (layout & csv_meta_keys[i].bit)
			json_object_set_new(meta, csv_meta_keys[i].key, json_true());
		else
			json_object_del(meta, csv_meta_keys[i].key);
}

static int hex_digits(const char *s, size_t len, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (len == 0 || len > 2)
		return -1;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			v = v * 16 + (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v * 16 + (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

int trace_parse_device(const char *s, size_t len, uint32_t *dev, bool *bdf)
{
	const char *colon = memchr(s, ':', len);
	unsigned bus, d, fn;
	uint64_t v;

	if (!colon) {
		if (ism_parse_u64(s, len, &v) || v > UINT32_MAX)
			return -1;
		*dev = (uint32_t)v;
		*bdf = false;
		return 0;
	}
	/* bb:dd.f: the dot must follow the colon and be followed by exactly one digit. */
	if (len < 5 || s[len - 2] != '.' || colon > s + len - 3)
		return -1;
	if (hex_digits(s, (size_t)(colon - s), BDF_BUS_MAX, &bus) ||
	    hex_digits(colon + 1, (size_t)(s + len - 2 - colon - 1), BDF_DEV_MAX, &d) ||
	    hex_digits(s + len - 1, 1, BDF_FN_MAX, &fn))
		return -1;
	*dev = bus << 8 | d << 3 | fn;
	*bdf = true;
	return 0;
}

const char *trace_format_device(uint32_t dev, bool bdf, char *buf, size_t n)
{
	if (bdf && dev <= 0xffff)
		snprintf(buf, n, "%02x:%02x.%x", dev >> 8, (dev >> 3) & 0x1f, dev & 7);
	else
		snprintf(buf, n, "%u", dev);
	return buf;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* "empty or 0": the column of a field the record's kind does not have. */
static bool empty_or_zero(const char *f, size_t fl)
{
	uint64_t v;

	return !fl || (!ism_parse_u64(f, fl, &v) && !v);
}

int trace_csv_parse_line(const char *line, size_t len, unsigned layout, struct trace_rec *rec,
			 const char **why)
{
	const char *f[TRACE_CSV_MAX_COLUMNS];
	size_t fl[TRACE_CSV_MAX_COLUMNS];
	int n = 0, col, ccol, dcol;
	size_t i, start = 0;
	uint64_t v;
	bool bdf, norange, global, attach_detach, no_device, has_domain;

	layout &= CSV_LAYOUT_MASK;
	ccol = cpu_col(layout);
	dcol = domain_col(layout);
	for (i = 0; i <= len; i++) {
		if (i < len && line[i] != ',')
			continue;
		if (n == TRACE_CSV_MAX_COLUMNS) {
			*why = csv_count_why[layout];
			return 0;
		}
		f[n] = line + start;
		fl[n] = i - start;
		/* Surrounding blanks (and a CR from CRLF files) are not part of a value. */
		while (fl[n] && is_blank(f[n][0])) {
			f[n]++;
			fl[n]--;
		}
		while (fl[n] && is_blank(f[n][fl[n] - 1]))
			fl[n]--;
		n++;
		start = i + 1;
	}
	if (n != trace_csv_ncolumns(layout)) {
		*why = csv_count_why[layout];
		return 0;
	}
	memset(rec, 0, sizeof(*rec));

	col = COL_TIME;
	if (ism_parse_u64(f[col], fl[col], &rec->time_ns))
		goto bad_int;

	col = COL_OP;
	*why = "expected R, W, MAP, MAP:R, MAP:W, UNMAP, UNMAP:S2, INV, INV:LEAF, INV:DOMAIN, "
	       "INV:GLOBAL, ATTACH or DETACH";
	if (fl[col] == 1 && f[col][0] == 'R') {
		rec->kind = TRACE_ACCESS;
	} else if (fl[col] == 1 && f[col][0] == 'W') {
		rec->kind = TRACE_ACCESS;
		rec->flags = TRACE_ACC_WRITE;
	} else if (fl[col] >= 3 && memcmp(f[col], "MAP", 3) == 0) {
		rec->kind = TRACE_MAP;
		if (fl[col] == 3 || (fl[col] == 6 && memcmp(f[col] + 3, ":RW", 3) == 0))
			rec->flags = TRACE_PERM_RW;
		else if (fl[col] == 5 && memcmp(f[col] + 3, ":R", 2) == 0)
			rec->flags = TRACE_PERM_READ;
		else if (fl[col] == 5 && memcmp(f[col] + 3, ":W", 2) == 0)
			rec->flags = TRACE_PERM_WRITE;
		else
			return -(col + 1);
	} else if (fl[col] == 5 && memcmp(f[col], "UNMAP", 5) == 0) {
		rec->kind = TRACE_UNMAP;
	} else if (fl[col] == 8 && memcmp(f[col], "UNMAP:S2", 8) == 0) {
		rec->kind = TRACE_UNMAP;
		rec->flags = TRACE_UNMAP_STAGE2;
	} else if (fl[col] >= 3 && memcmp(f[col], "INV", 3) == 0) {
		rec->kind = TRACE_INVAL;
		for (i = 0; i < ISM_ARRAY_SIZE(csv_inv_ops); i++)
			if (fl[col] == strlen(csv_inv_ops[i]) &&
			    memcmp(f[col], csv_inv_ops[i], fl[col]) == 0)
				break;
		if (i == ISM_ARRAY_SIZE(csv_inv_ops))
			return -(col + 1);
		rec->flags = (uint8_t)i;
	} else if (fl[col] == 6 && memcmp(f[col], "ATTACH", 6) == 0) {
		rec->kind = TRACE_ATTACH;
		if (dcol < 0) {
			*why = "expected an op without a domain: ATTACH names one, and the "
			       "header has no 'domain' column";
			return -(col + 1);
		}
	} else if (fl[col] == 6 && memcmp(f[col], "DETACH", 6) == 0) {
		rec->kind = TRACE_DETACH;
	} else {
		return -(col + 1);
	}
	attach_detach = rec->kind == TRACE_ATTACH || rec->kind == TRACE_DETACH;
	/*
	 * Domain and global invalidations cover whole address spaces, and attaching moves one:
	 * no range. A global one, or one naming a domain, names no device either.
	 */
	norange = attach_detach || (rec->kind == TRACE_INVAL && rec->flags >= TRACE_INV_DOMAIN);
	global = rec->kind == TRACE_INVAL && rec->flags == TRACE_INV_GLOBAL;
	has_domain = dcol >= 0 && fl[dcol];
	no_device = global || (rec->kind == TRACE_INVAL && has_domain);

	col = COL_DEVICE;
	if (no_device) {
		if (!empty_or_zero(f[col], fl[col])) {
			*why = global ? "expected empty or 0 (INV:GLOBAL covers every device)" :
					"expected empty or 0 (an INV with a domain names no "
					"device)";
			return -(col + 1);
		}
	} else if (trace_parse_device(f[col], fl[col], &rec->device, &bdf)) {
		*why = "expected a decimal or 0x-hex integer below 2^32 or a PCI address bb:dd.f "
		       "(bus <= ff, device <= 1f, function <= 7)";
		return -(col + 1);
	}

	col = COL_PASID;
	rec->pasid = TRACE_PASID_NONE;
	if (fl[col] && no_device) {
		*why = global ? "expected empty (INV:GLOBAL covers every PASID)" :
				"expected empty (an INV with a domain names no PASID)";
		return -(col + 1);
	}
	if (fl[col]) {
		if (ism_parse_u64(f[col], fl[col], &v) || v >= CSV_PASID_LIMIT) {
			*why = "expected empty (no PASID) or an integer below 2^20";
			return -(col + 1);
		}
		rec->pasid = (uint32_t)v;
	}

	for (col = COL_IOVA; norange && col <= COL_SIZE; col++) {
		if (!empty_or_zero(f[col], fl[col])) {
			if (attach_detach)
				*why = "expected empty or 0 (ATTACH and DETACH have no range)";
			else
				*why = "expected empty or 0 (INV:DOMAIN and INV:GLOBAL have no "
				       "range)";
			return -(col + 1);
		}
	}
	col = COL_IOVA;
	if (!norange && ism_parse_u64(f[col], fl[col], &rec->iova))
		goto bad_int;

	col = COL_SIZE;
	if (!norange && (ism_parse_u64(f[col], fl[col], &rec->size) || rec->size == 0)) {
		*why = rec->kind == TRACE_INVAL ? "expected a decimal or 0x-hex integer above 0 "
						  "(INV and INV:LEAF need a range)" :
						  "expected a decimal or 0x-hex integer above 0";
		return -(col + 1);
	}
	if (rec->iova > UINT64_MAX - rec->size) {
		*why = "expected a size that keeps iova+size within 64 bits";
		return -(col + 1);
	}

	col = COL_PADDR;
	if (rec->kind == TRACE_MAP) {
		if (ism_parse_u64(f[col], fl[col], &rec->paddr)) {
			*why = "expected a decimal or 0x-hex integer (MAP needs a paddr)";
			return -(col + 1);
		}
		if (rec->paddr > UINT64_MAX - rec->size) {
			*why = "expected a paddr that keeps paddr+size within 64 bits";
			return -(col + 1);
		}
	} else if (fl[col]) {
		*why = "expected empty (paddr is only for MAP)";
		return -(col + 1);
	}

	col = ccol;
	if (col >= 0 && fl[col]) {
		if (rec->kind == TRACE_ACCESS) {
			*why = "expected empty (cpu is only for MAP, UNMAP, INV, ATTACH and "
			       "DETACH)";
			return -(col + 1);
		}
		if (ism_parse_u64(f[col], fl[col], &v) || v >= CSV_CPU_LIMIT) {
			*why = "expected empty or an integer below 65536";
			return -(col + 1);
		}
		rec->cpu = (uint16_t)v;
	}

	col = dcol;
	if (rec->kind == TRACE_ATTACH || (has_domain && rec->kind == TRACE_INVAL && !global)) {
		if (ism_parse_u64(f[col], fl[col], &v) || v > UINT32_MAX) {
			*why = rec->kind == TRACE_ATTACH ?
				       "expected a decimal or 0x-hex integer below 2^32 (ATTACH "
				       "names the domain it joins)" :
				       "expected empty or a decimal or 0x-hex integer below 2^32";
			return -(col + 1);
		}
		rec->domain = (uint32_t)v;
		if (rec->kind == TRACE_INVAL)
			rec->flags |= TRACE_INV_BY_DOMAIN;
	} else if (has_domain) {
		*why = global ? "expected empty (INV:GLOBAL covers every domain)" :
				"expected empty (domain is only for ATTACH, INV, INV:LEAF and "
				"INV:DOMAIN)";
		return -(col + 1);
	}
	return n;

bad_int:
	*why = EXPECT_INT;
	return -(col + 1);
}

/* Digits of v into the end of a scratch area; returns the start. */
static char *put_dec(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

static char *put_hex(char *end, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";

	do {
		*--end = digits[v & 15];
		v >>= 4;
	} while (v);
	*--end = 'x';
	*--end = '0';
	return end;
}

static char *append(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* Longest line: five 20-digit numbers or 0x-hex fields, "INV:DOMAIN", cpu, domain, commas. */
#define CSV_LINE_MAX_BYTES 160

size_t trace_csv_format(const struct trace_rec *rec, bool bdf, unsigned layout, char *buf,
			size_t n)
{
	char line[CSV_LINE_MAX_BYTES], num[24], *e = num + sizeof(num), *s, *p = line;
	const char *op = "R";
	/* Records without a range, or without a device: those columns stay empty. */
	bool norange = false, no_device = false, by_domain = false;
	size_t len;

	switch (rec->kind) {
	case TRACE_ACCESS:
		op = rec->flags & TRACE_ACC_WRITE ? "W" : "R";
		break;
	case TRACE_MAP:
		op = (rec->flags & TRACE_PERM_RW) == TRACE_PERM_READ  ? "MAP:R" :
		     (rec->flags & TRACE_PERM_RW) == TRACE_PERM_WRITE ? "MAP:W" : "MAP";
		break;
	case TRACE_UNMAP:
		op = rec->flags & TRACE_UNMAP_STAGE2 ? "UNMAP:S2" : "UNMAP";
		break;
	case TRACE_INVAL:
		op = csv_inv_ops[rec->flags & TRACE_INV_MASK];
		norange = (rec->flags & TRACE_INV_MASK) >= TRACE_INV_DOMAIN;
		by_domain = rec->flags & TRACE_INV_BY_DOMAIN;
		no_device = (rec->flags & TRACE_INV_MASK) == TRACE_INV_GLOBAL || by_domain;
		break;
	case TRACE_ATTACH:
		op = "ATTACH";
		norange = by_domain = true;
		break;
	case TRACE_DETACH:
		op = "DETACH";
		norange = true;
		break;
	}
	s = put_dec(e, rec->time_ns);
	p = append(p, s, (size_t)(e - s));
	*p++ = ',';
	p = append(p, op, strlen(op));
	*p++ = ',';
	if (no_device) {
		/* every device, or the domain's: the column stays empty */
	} else if (bdf && rec->device <= 0xffff) {
		p += snprintf(p, 16, "%02x:%02x.%x", rec->device >> 8, (rec->device >> 3) & 0x1f,
			      rec->device & 7);
	} else {
		s = put_dec(e, rec->device);
		p = append(p, s, (size_t)(e - s));
	}
	*p++ = ',';
	if (rec->pasid != TRACE_PASID_NONE) {
		s = put_dec(e, rec->pasid);
		p = append(p, s, (size_t)(e - s));
	}
	*p++ = ',';
	if (!norange) {
		s = put_hex(e, rec->iova);
		p = append(p, s, (size_t)(e - s));
	}
	*p++ = ',';
	if (!norange) {
		s = put_dec(e, rec->size);
		p = append(p, s, (size_t)(e - s));
	}
	*p++ = ',';
	if (rec->kind == TRACE_MAP) {
		s = put_hex(e, rec->paddr);
		p = append(p, s, (size_t)(e - s));
	}
	if (layout & TRACE_CSV_CPU) {
		*p++ = ',';
		if (rec->kind != TRACE_ACCESS) {
			s = put_dec(e, rec->cpu);
			p = append(p, s, (size_t)(e - s));
		}
	}
	if (layout & TRACE_CSV_DOMAIN) {
		*p++ = ',';
		if (by_domain) {
			s = put_dec(e, rec->domain);
			p = append(p, s, (size_t)(e - s));
		}
	}
	len = (size_t)(p - line);
	if (len < n) {
		memcpy(buf, line, len);
		buf[len] = '\0';
	}
	return len;
}
