/* `trace import`: the importer registry, the command, and what every text importer shares. */
#include "import.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/hashtab.h"
#include "base/progress.h"

/* Every importer, one line each: `--from NAME` finds it here. */
const struct import_ops *const import_registry[] = {
	&import_csv_ops,
	&import_ftrace_ops,
	&import_qemu_ops,
};
const size_t import_registry_size = ISM_ARRAY_SIZE(import_registry);

#define LINES_BUFFER_BYTES (4 * IMPORT_LINE_MAX_BYTES)
#define LINES_GZ_BUFFER_BYTES (256u << 10)
/* Distinct event names counted one by one; the rest (only garbage has so many) are lumped. */
#define EVENT_NAMES_MAX 1024
#define EVENT_OTHER "(other names)"
#define MAP_INITIAL_SLOTS 64

const struct import_ops *import_find(const char *name)
{
	size_t i;

	for (i = 0; i < import_registry_size; i++)
		if (strcmp(import_registry[i]->name, name) == 0)
			return import_registry[i];
	return NULL;
}

void import_opts_default(struct import_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->access_size = IMPORT_ACCESS_SIZE_DEFAULT;
	o->accesses = IMPORT_ACCESSES_ONCE;
	o->events = IMPORT_EVENTS_AUTO;
	o->max_delay_ns = IMPORT_MAX_DELAY_NS_DEFAULT;
	o->coherent_period_ns = IMPORT_COHERENT_PERIOD_NS_DEFAULT;
	o->address_spaces = IMPORT_ADDRESS_SPACES_DEFAULT;
}

/* ---- lines ---- */

struct import_lines {
	gzFile gz;
	char *path;
	char *buf;
	size_t pos, len;
	bool eof, skip, unterminated, gave_up;
	uint64_t line, fsize;
	uint64_t base;  /* bytes of input before buf[0] */
	uint64_t limit; /* import_lines_limit(); 0: none */
};

struct import_lines *import_lines_open(const char *path, struct ism_err *err)
{
	struct import_lines *l;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0) {
		ism_err_set(err, ISM_EXIT_TRACE, "%s: cannot open: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		ism_err_set(err, ISM_EXIT_TRACE, "%s: is a directory, not a log", path);
		return NULL;
	}
	l = ism_xcalloc(1, sizeof(*l));
	l->gz = gzdopen(fd, "rb");
	if (!l->gz) {
		close(fd);
		free(l);
		ism_err_set(err, ISM_EXIT_FAIL, "%s: cannot open: out of memory", path);
		return NULL;
	}
	gzbuffer(l->gz, LINES_GZ_BUFFER_BYTES);
	l->path = ism_xstrdup(path);
	l->buf = ism_xmalloc(LINES_BUFFER_BYTES);
	l->fsize = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	return l;
}

void import_lines_close(struct import_lines *l)
{
	if (!l)
		return;
	gzclose(l->gz);
	free(l->buf);
	free(l->path);
	free(l);
}

/* Move what is left to the front and read more; sets eof at the clean end of the input. */
static int lines_fill(struct import_lines *l, struct ism_err *err)
{
	int got, zerr;
	const char *zmsg;

	if (l->pos) {
		memmove(l->buf, l->buf + l->pos, l->len - l->pos);
		l->len -= l->pos;
		l->base += l->pos;
		l->pos = 0;
	}
	got = gzread(l->gz, l->buf + l->len, (unsigned)(LINES_BUFFER_BYTES - l->len));
	if (got > 0) {
		l->len += (size_t)got;
		return 0;
	}
	zmsg = gzerror(l->gz, &zerr);
	l->eof = true;
	if (got == 0 && zerr == Z_OK)
		return 0;
	if (zerr == Z_ERRNO)
		return ism_err_set(err, ISM_EXIT_TRACE, "%s: read error: %s", l->path,
				   strerror(errno));
	return ism_err_set(err, ISM_EXIT_TRACE, "%s:%llu: %s gzip stream (%s)", l->path,
			   (unsigned long long)l->line + 1,
			   zerr == Z_BUF_ERROR ? "truncated" : "corrupt", zmsg);
}

/* Whether the limit on the input read is reached: the reader then acts as at its end. */
static bool lines_limited(struct import_lines *l)
{
	if (!l->limit || l->base + l->pos < l->limit)
		return false;
	l->gave_up = true;
	return true;
}

int import_lines_next(struct import_lines *l, const char **line, size_t *len, bool *too_long,
		      struct ism_err *err)
{
	char *nl;

	*too_long = false;
	/* The rest of a line too long to hand out whole. */
	while (l->skip) {
		if (lines_limited(l))
			return 0;
		nl = memchr(l->buf + l->pos, '\n', l->len - l->pos);
		if (nl) {
			l->pos = (size_t)(nl - l->buf) + 1;
			l->skip = false;
		} else {
			l->pos = l->len;
			if (l->eof)
				return 0;
			if (lines_fill(l, err))
				return -1;
		}
	}
	if (lines_limited(l))
		return 0;
	for (;;) {
		size_t avail = l->len - l->pos;

		nl = memchr(l->buf + l->pos, '\n', avail);
		if (nl && (size_t)(nl - l->buf) - l->pos <= IMPORT_LINE_MAX_BYTES) {
			*line = l->buf + l->pos;
			*len = (size_t)(nl - l->buf) - l->pos;
			l->pos = (size_t)(nl - l->buf) + 1;
			l->unterminated = false;
			break;
		}
		if (nl || avail > IMPORT_LINE_MAX_BYTES) {
			*line = l->buf + l->pos;
			*len = IMPORT_LINE_MAX_BYTES;
			*too_long = true;
			l->pos += IMPORT_LINE_MAX_BYTES;
			l->skip = true;
			l->unterminated = false;
			break;
		}
		if (l->eof) {
			if (!avail)
				return 0;
			*line = l->buf + l->pos;
			*len = avail;
			l->pos = l->len;
			l->unterminated = true;
			break;
		}
		if (lines_fill(l, err))
			return -1;
	}
	if (*len && (*line)[*len - 1] == '\r')
		(*len)--;
	l->line++;
	return 1;
}

uint64_t import_lines_number(const struct import_lines *l)
{
	return l->line;
}

bool import_lines_unterminated(const struct import_lines *l)
{
	return l->unterminated;
}

uint64_t import_lines_pos(const struct import_lines *l)
{
	long off = gzoffset(l->gz);

	return off < 0 ? 0 : (uint64_t)off;
}

uint64_t import_lines_size(const struct import_lines *l)
{
	return l->fsize;
}

void import_lines_limit(struct import_lines *l, uint64_t bytes)
{
	l->limit = bytes;
}

bool import_lines_gave_up(const struct import_lines *l)
{
	return l->gave_up;
}

/* ---- a small u64 -> index map (value 0: none) ---- */

struct u64map_ent {
	uint64_t key;
	uint32_t val;
	uint8_t used;
};

static uint64_t u64map_hash(const void *e)
{
	return ism_hash64(((const struct u64map_ent *)e)->key);
}

static bool u64map_eq(const void *a, const void *b)
{
	return ((const struct u64map_ent *)a)->key == ((const struct u64map_ent *)b)->key;
}

static const struct hashtab_type u64map_type = {
	.size = sizeof(struct u64map_ent),
	.used_off = offsetof(struct u64map_ent, used),
	.hash = u64map_hash,
	.eq = u64map_eq,
};

struct u64map {
	struct hashtab ht;
};

static void u64map_init(struct u64map *m)
{
	hashtab_init(&m->ht, &u64map_type, MAP_INITIAL_SLOTS);
}

static void u64map_free(struct u64map *m)
{
	hashtab_free(&m->ht);
}

/* The key's value, 0 when it has none. */
static uint32_t u64map_get(const struct u64map *m, uint64_t key)
{
	const struct u64map_ent k = { .key = key }, *e = hashtab_find(&m->ht, &u64map_type, &k);

	return e ? e->val : 0;
}

/* Set the key's value (val > 0). */
static void u64map_put(struct u64map *m, uint64_t key, uint32_t val)
{
	const struct u64map_ent k = { .key = key };

	((struct u64map_ent *)hashtab_get(&m->ht, &u64map_type, &k, NULL))->val = val;
}

/* ---- devices and their domains ---- */

/* A (domain, device) pair: the device joined the domain once; live while it is there. */
struct dom_pair {
	uint32_t domain, device;
	uint32_t next; /* index + 1 of the domain's next pair, 0 at the end */
	bool live;
};

struct dom_list {
	uint32_t domain;
	uint32_t head, tail; /* index + 1 into pairs */
};

struct import_domains {
	struct dom_pair *pairs;
	size_t npairs, cappairs;
	struct dom_list *doms;
	size_t ndoms, capdoms;
	/* each device's live pair (index + 1; 0: in no domain); a device is in one at a time */
	struct u64map pair_index, dom_index, dev_pair;
};

struct import_domains *import_domains_new(void)
{
	struct import_domains *m = ism_xcalloc(1, sizeof(*m));

	u64map_init(&m->pair_index);
	u64map_init(&m->dom_index);
	u64map_init(&m->dev_pair);
	return m;
}

void import_domains_free(struct import_domains *m)
{
	if (!m)
		return;
	u64map_free(&m->pair_index);
	u64map_free(&m->dom_index);
	u64map_free(&m->dev_pair);
	free(m->pairs);
	free(m->doms);
	free(m);
}

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 16;
	return ism_xrealloc(p, *cap * size);
}

bool import_domains_attach(struct import_domains *m, uint32_t device, uint32_t domain)
{
	uint64_t key = (uint64_t)domain << 32 | device;
	uint32_t i = u64map_get(&m->pair_index, key), cur = u64map_get(&m->dev_pair, device), t;
	struct dom_list *dl;

	if (cur && cur == i && m->pairs[i - 1].live)
		return false;
	if (cur)
		m->pairs[cur - 1].live = false;
	if (!i) {
		m->pairs = grow(m->pairs, &m->cappairs, m->npairs, sizeof(*m->pairs));
		m->pairs[m->npairs] = (struct dom_pair){ .domain = domain, .device = device };
		i = (uint32_t)++m->npairs;
		u64map_put(&m->pair_index, key, i);
		t = u64map_get(&m->dom_index, domain);
		if (!t) {
			m->doms = grow(m->doms, &m->capdoms, m->ndoms, sizeof(*m->doms));
			m->doms[m->ndoms] = (struct dom_list){ .domain = domain };
			t = (uint32_t)++m->ndoms;
			u64map_put(&m->dom_index, domain, t);
		}
		dl = &m->doms[t - 1];
		if (dl->tail)
			m->pairs[dl->tail - 1].next = i;
		else
			dl->head = i;
		dl->tail = i;
	}
	m->pairs[i - 1].live = true;
	u64map_put(&m->dev_pair, device, i);
	return true;
}

bool import_domains_detach(struct import_domains *m, uint32_t device)
{
	uint32_t cur = u64map_get(&m->dev_pair, device);

	if (!cur || !m->pairs[cur - 1].live)
		return false;
	m->pairs[cur - 1].live = false;
	return true;
}

bool import_domains_seen(const struct import_domains *m, uint32_t domain)
{
	return u64map_get(&m->dom_index, domain) != 0;
}

bool import_domains_of(const struct import_domains *m, uint32_t device, uint32_t *domain)
{
	uint32_t cur = u64map_get(&m->dev_pair, device);

	if (!cur || !m->pairs[cur - 1].live)
		return false;
	*domain = m->pairs[cur - 1].domain;
	return true;
}

bool import_domains_next_device(const struct import_domains *m, uint32_t domain, size_t *it,
				uint32_t *device)
{
	uint32_t i;

	if (*it == 0) {
		uint32_t t = u64map_get(&m->dom_index, domain);

		i = t ? m->doms[t - 1].head : 0;
	} else {
		i = m->pairs[*it - 1].next;
	}
	while (i && !m->pairs[i - 1].live)
		i = m->pairs[i - 1].next;
	if (!i)
		return false;
	*it = i;
	*device = m->pairs[i - 1].device;
	return true;
}

bool import_domains_next(const struct import_domains *m, size_t *it, uint32_t *domain)
{
	if (*it >= m->ndoms)
		return false;
	*domain = m->doms[(*it)++].domain;
	return true;
}

/* ---- message fields ---- */

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static bool value_end(char c)
{
	return c == ' ' || c == '\t' || c == ',' || c == ')' || c == '}';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A whole token as a number; leading zeros are fine (ftrace pads to 16 hex digits). */
static int parse_number(const char *s, size_t n, int base, uint64_t *v)
{
	uint64_t x = 0;
	size_t i = 0;
	int d;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && base != 10) {
		i = 2;
		base = 16;
	} else if (base == 0) {
		base = 10;
	}
	if (i == n)
		return -1;
	for (; i < n; i++) {
		d = base == 16 ? hex_value(s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
		if (d < 0)
			return -1;
		if (x > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -1;
		x = x * (uint64_t)base + (uint64_t)d;
	}
	*v = x;
	return 0;
}

/* Where key's value starts in msg: after "key=", "key =" or "key " (key a whole word). */
static const char *field_value(const char *msg, size_t len, const char *key, size_t *vlen)
{
	size_t k = strlen(key), i, j;

	for (i = 0; i + k < len; i++) {
		if (memcmp(msg + i, key, k) != 0 || (i && ident_char(msg[i - 1])))
			continue;
		j = i + k;
		if (msg[j] != '=' && msg[j] != ' ')
			continue;
		while (j < len && msg[j] == ' ')
			j++;
		if (j < len && msg[j] == '=')
			j++;
		while (j < len && msg[j] == ' ')
			j++;
		i = j;
		while (j < len && !value_end(msg[j]))
			j++;
		*vlen = j - i;
		return msg + i;
	}
	return NULL;
}

int import_field(const char *msg, size_t len, const char *key, int base, uint64_t *v)
{
	size_t n;
	const char *s = field_value(msg, len, key, &n);

	return s ? parse_number(s, n, base, v) : -1;
}

int import_field_s64(const char *msg, size_t len, const char *key, int64_t *v)
{
	size_t n;
	const char *s = field_value(msg, len, key, &n);
	uint64_t u;

	if (!s)
		return -1;
	if (n && s[0] == '-') {
		if (parse_number(s + 1, n - 1, 0, &u) || u > (uint64_t)INT64_MAX + 1)
			return -1;
		*v = (int64_t)(0 - u);
		return 0;
	}
	if (parse_number(s, n, 0, &u) || u > INT64_MAX)
		return -1;
	*v = (int64_t)u;
	return 0;
}

int import_parse_seconds(const char *s, size_t len, uint64_t *ns, size_t *end)
{
	uint64_t sec = 0, frac = 0;
	size_t i = 0, digits = 0;
	unsigned fd = 0;

	while (i < len && s[i] >= '0' && s[i] <= '9') {
		if (sec > (UINT64_MAX - 9) / 10)
			return -1;
		sec = sec * 10 + (uint64_t)(s[i++] - '0');
		digits++;
	}
	if (!digits)
		return -1;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (fd < 9) {
				frac = frac * 10 + (uint64_t)(s[i] - '0');
				fd++;
			}
			i++;
		}
		if (!fd)
			return -1;
		for (; fd < 9; fd++)
			frac *= 10;
		if (sec > (UINT64_MAX - frac) / 1000000000ull)
			return -1;
		*ns = sec * 1000000000ull + frac;
	} else {
		/* A raw counter clock (trace_clock=counter, x86-tsc): taken as ns. */
		*ns = sec;
	}
	*end = i;
	return 0;
}

/* ---- names (event names, device names) ---- */

struct import_names {
	char (*v)[IMPORT_NAME_MAX_BYTES];
	size_t n, cap;
	struct u64map index; /* name hash -> index + 1; equal hashes take the next key */
};

static uint64_t name_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

struct import_names *import_names_new(void)
{
	struct import_names *t = ism_xcalloc(1, sizeof(*t));

	u64map_init(&t->index);
	return t;
}

void import_names_free(struct import_names *t)
{
	if (!t)
		return;
	u64map_free(&t->index);
	free(t->v);
	free(t);
}

long import_names_find(struct import_names *t, const char *name, size_t len, bool add)
{
	uint64_t h;
	uint32_t i;

	if (len >= IMPORT_NAME_MAX_BYTES)
		return -1;
	for (h = name_hash(name, len);; h++) {
		i = u64map_get(&t->index, h);
		if (!i)
			break;
		if (strlen(t->v[i - 1]) == len && memcmp(t->v[i - 1], name, len) == 0)
			return (long)i - 1;
	}
	if (!add)
		return -1;
	t->v = grow(t->v, &t->cap, t->n, sizeof(*t->v));
	memcpy(t->v[t->n], name, len);
	t->v[t->n][len] = '\0';
	u64map_put(&t->index, h, (uint32_t)++t->n);
	return (long)t->n - 1;
}

size_t import_names_count(const struct import_names *t)
{
	return t->n;
}

const char *import_names_name(const struct import_names *t, size_t i)
{
	return t->v[i];
}

/* ---- event counts ---- */

struct import_events_count {
	struct import_names *names;
	uint64_t *count;
	size_t cap;
};

static struct import_events_count *events_new(void)
{
	struct import_events_count *e = ism_xcalloc(1, sizeof(*e));

	e->names = import_names_new();
	return e;
}

static void events_free(struct import_events_count *e)
{
	if (!e)
		return;
	import_names_free(e->names);
	free(e->count);
	free(e);
}

void import_count_event(struct import_ctx *c, const char *name, size_t len)
{
	struct import_events_count *e = c->events;
	long i = -1;

	/* Only garbage has so many names: the rest are lumped together. */
	if (import_names_count(e->names) < EVENT_NAMES_MAX)
		i = import_names_find(e->names, name, len, true);
	else
		i = import_names_find(e->names, name, len, false);
	if (i < 0)
		i = import_names_find(e->names, EVENT_OTHER, strlen(EVENT_OTHER), true);
	if ((size_t)i >= e->cap) {
		size_t old = e->cap;

		e->cap = e->cap ? 2 * e->cap : 64;
		e->count = ism_xrealloc(e->count, e->cap * sizeof(*e->count));
		memset(e->count + old, 0, (e->cap - old) * sizeof(*e->count));
	}
	e->count[i]++;
	c->understood++;
	c->event_lines++;
}

uint64_t import_event_count(const struct import_ctx *c, const char *name)
{
	long i = import_names_find(c->events->names, name, strlen(name), false);

	return i < 0 ? 0 : c->events->count[i];
}

/* ---- lines not understood ---- */

/*
 * The length of the UTF-8 character at s (of at most n bytes), or 0 if none starts there
 * (overlong forms and surrogates are none, as RFC 3629 and jansson have it).
 */
static size_t utf8_length(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3 :
		     s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0, i;

	if (len > n || (s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/*
 * At most IMPORT_QUOTE_BYTES of a line, "..." when cut; control bytes and bytes of no UTF-8
 * character (a binary file) as '?', so that a terminal and the JSON metadata can take it.
 */
static void quote_line(const char *s, size_t n, char *buf)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, k, m = n < IMPORT_QUOTE_BYTES ? n : IMPORT_QUOTE_BYTES;

	for (i = 0; i < m;) {
		k = u[i] < 0x80 ? 1 : utf8_length(u + i, m - i);
		if (k > 1) {
			memcpy(buf + i, s + i, k);
			i += k;
		} else {
			buf[i] = u[i] < 0x20 || u[i] >= 0x7f ? '?' : s[i];
			i++;
		}
	}
	if (m < n)
		memcpy(buf + m, "...", 3), m += 3;
	buf[m] = '\0';
}

int import_unknown(struct import_ctx *c, const char *why, struct ism_err *err)
{
	uint64_t line = import_lines_number(c->lines);
	char q[IMPORT_QUOTE_BYTES + 4];

	quote_line(c->line, c->len, q);
	if (c->opts->strict)
		return ism_err_set(err, ISM_EXIT_TRACE,
				   "%s:%llu: line not understood (%s), and --strict is on: '%s'",
				   c->in, (unsigned long long)line, why, q);
	c->unknown++;
	if (c->nquote < IMPORT_QUOTE_LINES) {
		c->quote[c->nquote].line = line;
		memcpy(c->quote[c->nquote].text, q, sizeof(q));
		c->nquote++;
	}
	return 0;
}

int import_malformed(struct import_ctx *c, const char *event, const char *what,
		     struct ism_err *err)
{
	char q[IMPORT_QUOTE_BYTES + 4];

	if (import_lines_unterminated(c->lines))
		return import_unknown(c, "the file ends inside this line", err);
	quote_line(c->line, c->len, q);
	return ism_err_set(err, ISM_EXIT_TRACE, "%s:%llu: malformed %s line: expected %s: '%s'",
			   c->in, (unsigned long long)import_lines_number(c->lines), event, what,
			   q);
}

int import_next_line(struct import_ctx *c, struct ism_err *err)
{
	bool too_long;
	int rc;

	/* Past the first event line the input is of the format: read it to its end. */
	if (c->event_lines)
		import_lines_limit(c->lines, 0);
	for (;;) {
		rc = import_lines_next(c->lines, &c->line, &c->len, &too_long, err);
		if (rc <= 0)
			return rc;
		if (c->progress && (import_lines_number(c->lines) & 0xfff) == 0)
			progress_update(c->progress, import_lines_number(c->lines),
					import_lines_pos(c->lines), import_lines_size(c->lines));
		if (!too_long)
			return 1;
		if (import_unknown(c, "longer than 64 KiB", err))
			return -1;
	}
}

uint64_t import_clock(struct import_ctx *c, uint64_t ns)
{
	if (c->have_time && ns < c->time_last) {
		if (!c->backwards++) {
			c->back_ns = c->time_last - ns;
			c->back_first.line = import_lines_number(c->lines);
			quote_line(c->line, c->len, c->back_first.text);
		}
		return c->time_last;
	}
	c->have_time = true;
	return c->time_last = ns;
}

void import_note(struct import_ctx *c, char *msg)
{
	free(c->note);
	c->note = msg;
}

int import_emit(struct import_ctx *c, const struct trace_rec *r, struct ism_err *err)
{
	c->nrec++;
	return c->w ? trace_write(c->w, r, err) : 0;
}

/* ---- running an importer ---- */

static void ctx_init(struct import_ctx *c, const struct import_ops *ops, const char *in,
		     const struct import_opts *opts, int pass)
{
	const char *base = strrchr(in, '/');

	memset(c, 0, sizeof(*c));
	c->opts = opts;
	c->in = in;
	c->pass = pass;
	c->meta = json_object();
	c->events = events_new();
	json_object_set_new(c->meta, "source", json_string(ops->name));
	json_object_set_new(c->meta, "input", json_string(base ? base + 1 : in));
}

static void ctx_free(struct import_ctx *c)
{
	json_decref(c->meta);
	events_free(c->events);
	import_lines_close(c->lines);
	free(c->note);
	c->meta = NULL;
	c->events = NULL;
	c->lines = NULL;
	c->note = NULL;
}

/* The bookkeeping every text import records: lines, what was skipped, events counted. */
static void ctx_meta(struct import_ctx *c)
{
	json_t *ev = json_object(), *q = json_array();
	char buf[IMPORT_QUOTE_BYTES + 32];
	size_t i;

	json_object_set_new(c->meta, "lines",
			    json_integer((json_int_t)import_lines_number(c->lines)));
	json_object_set_new(c->meta, "lines_not_understood", json_integer((json_int_t)c->unknown));
	for (i = 0; i < c->nquote; i++) {
		snprintf(buf, sizeof(buf), "%llu: %s", (unsigned long long)c->quote[i].line,
			 c->quote[i].text);
		json_array_append_new(q, json_string(buf));
	}
	if (c->nquote)
		json_object_set(c->meta, "first_not_understood", q);
	json_decref(q);
	for (i = 0; i < import_names_count(c->events->names); i++)
		json_object_set_new(ev, import_names_name(c->events->names, i),
				    json_integer((json_int_t)c->events->count[i]));
	json_object_set_new(c->meta, "events", ev);
}

static void warn_unknown(const struct import_ctx *c)
{
	unsigned i;

	if (!c->unknown)
		return;
	fprintf(stderr,
		"iommusim: warning: %s: %llu line%s not understood, skipped (--strict makes "
		"this an error)%s\n",
		c->in, (unsigned long long)c->unknown, c->unknown == 1 ? "" : "s",
		c->nquote < c->unknown ? "; the first:" : ":");
	for (i = 0; i < c->nquote; i++)
		fprintf(stderr, "  %s:%llu: %s\n", c->in, (unsigned long long)c->quote[i].line,
			c->quote[i].text);
}

/* Lines stamped before their predecessor: import_clock() kept them in order. */
static void warn_backwards(const struct import_ctx *c)
{
	if (!c->backwards)
		return;
	if (c->backwards == 1)
		fprintf(stderr,
			"iommusim: warning: %s: 1 line has a timestamp before an earlier line's "
			"(logged out of order): it takes that time, %llu ns later:\n",
			c->in, (unsigned long long)c->back_ns);
	else
		fprintf(stderr,
			"iommusim: warning: %s: %llu lines have a timestamp before an earlier "
			"line's (logged out of order): each takes that time; the first, %llu ns "
			"later:\n",
			c->in, (unsigned long long)c->backwards, (unsigned long long)c->back_ns);
	fprintf(stderr, "  %s:%llu: %s\n", c->in, (unsigned long long)c->back_first.line,
		c->back_first.text);
}

int import_writer_open(struct import_ctx *c, const json_t *meta, struct ism_err *err)
{
	c->w = trace_writer_open(c->out, meta, err);
	return c->w ? 0 : -1;
}

int import_run(const struct import_ops *ops, const char *in, const char *out,
	       const struct import_opts *opts, struct ism_err *err)
{
	static const char *const what[2] = { "scan", "import" };
	struct import_ctx c, first;
	struct progress pg;
	json_t *meta = NULL;
	uint64_t nrec = 0;
	int pass;

	if (!ops->text) {
		int rc;

		ctx_init(&c, ops, in, opts, 1);
		c.out = out;
		progress_init(&pg, what[1], cli_progress_wanted(opts->quiet));
		c.progress = &pg;
		if (ops->convert(&c, err)) {
			trace_writer_abort(c.w);
			rc = -1;
		} else {
			rc = trace_writer_finish(c.w, err);
		}
		progress_done(&pg);
		ctx_free(&c);
		return rc;
	}
	memset(&first, 0, sizeof(first));
	for (pass = 0; pass < 2; pass++) {
		ctx_init(&c, ops, in, opts, pass);
		c.out = out;
		progress_init(&pg, what[pass], cli_progress_wanted(opts->quiet));
		c.progress = &pg;
		c.lines = import_lines_open(in, err);
		if (!c.lines)
			goto fail;
		import_lines_limit(c.lines, IMPORT_PROBE_BYTES);
		if (pass == 1 && import_writer_open(&c, meta, err))
			goto fail;
		if (ops->convert(&c, err))
			goto fail;
		progress_done(&pg);
		if (pass == 0) {
			/*
			 * No event line (a '#' line or a blank one in a binary file proves
			 * nothing): not of the format, unless nothing else is in it either.
			 */
			if (import_lines_gave_up(c.lines) || !c.understood ||
			    (!c.event_lines && c.unknown)) {
				char where[64] = "";

				if (c.nquote)
					snprintf(where, sizeof(where), "; line %llu: ",
						 (unsigned long long)c.quote[0].line);
				if (import_lines_gave_up(c.lines))
					ism_err_set(err, ISM_EXIT_TRACE,
						    "%s: not %s: no line of its first %u MiB (%llu "
						    "line%s) has the form of one, so the rest is not "
						    "read (see docs/traces.md)%s%s",
						    in, ops->help, IMPORT_PROBE_BYTES >> 20,
						    (unsigned long long)import_lines_number(c.lines),
						    import_lines_number(c.lines) == 1 ? "" : "s", where,
						    c.nquote ? c.quote[0].text : "");
				else if (!import_lines_number(c.lines))
					ism_err_set(err, ISM_EXIT_TRACE, "%s: empty file: no %s "
						    "lines", in, ops->name);
				else
					ism_err_set(err, ISM_EXIT_TRACE,
						    "%s: not %s: none of its %llu lines has the "
						    "form of one (see docs/traces.md)%s%s",
						    in, ops->help, (unsigned long long)
						    import_lines_number(c.lines), where,
						    c.nquote ? c.quote[0].text : "");
				goto fail;
			}
			ctx_meta(&c);
			meta = json_incref(c.meta);
			nrec = c.nrec;
			first = c;
			first.meta = NULL;
			first.events = NULL;
			first.lines = NULL;
			first.note = NULL;
		} else {
			if (c.nrec != nrec) {
				ism_err_set(err, ISM_EXIT_FAIL,
					    "%s: internal error: %llu records on the second pass, "
					    "%llu on the first",
					    in, (unsigned long long)c.nrec,
					    (unsigned long long)nrec);
				goto fail;
			}
			if (trace_writer_finish(c.w, err)) {
				c.w = NULL;
				goto fail;
			}
			c.w = NULL;
			/* The last pass's note: printed once the output is in place. */
			first.note = c.note;
			c.note = NULL;
		}
		ctx_free(&c);
	}
	json_decref(meta);
	warn_unknown(&first);
	warn_backwards(&first);
	if (first.note)
		fprintf(stderr, "iommusim: note: %s: %s\n", in, first.note);
	free(first.note);
	return 0;
fail:
	progress_done(&pg);
	trace_writer_abort(c.w);
	ctx_free(&c);
	json_decref(meta);
	return -1;
}

/* ---- the CSV importer: the interchange form, read by the trace reader ---- */

static int csv_convert(struct import_ctx *c, struct ism_err *err)
{
	struct trace_reader *r = trace_open(c->in, err);
	const struct trace_rec *recs;
	long n, i;
	int rc = -1;

	if (!r)
		return -1;
	if (trace_format(r) != TRACE_FMT_CSV) {
		ism_err_set(err, ISM_EXIT_TRACE,
			    "%s: is already a native iommusim trace, not CSV (nothing to import)",
			    c->in);
		goto out;
	}
	if (import_writer_open(c, trace_meta(r), err))
		goto out;
	trace_writer_progress(c->w, c->progress);
	while ((n = trace_read(r, &recs, err)) > 0)
		for (i = 0; i < n; i++)
			if (import_emit(c, &recs[i], err))
				goto out;
	rc = n < 0 ? -1 : 0;
out:
	trace_close(r);
	return rc;
}

const struct import_ops import_csv_ops = {
	.name = "csv",
	.help = "the CSV interchange form (docs/trace-format.md)",
	.text = false,
	.convert = csv_convert,
};

/* ---- the command ---- */

/* Options; `only` names the importer an option belongs to (NULL: every importer). */
static const struct cli_opt import_opts[] = {
	{ "from", 'f', "FORMAT", "input format (the list below)" },
	{ "output", 'o', "FILE", "native trace to write (.iot, or .iot.gz compressed)" },
	{ "strict", 0, NULL, "a line not understood is an error (default: counted, skipped)" },
	{ "access-size", 0, "BYTES",
	  "qemu: bytes per translation request (default 4; never past its 4K page)" },
	{ "device", 0, "DEV",
	  "ftrace: device of iommu:map/unmap's first inferred space (default 0; N or bb:dd.f)" },
	{ "address-spaces", 0, "N",
	  "ftrace: iommu:map/unmap into at most N inferred spaces, DEV+k (default 256; 1: one)" },
	{ "accesses", 0, "RULE", "ftrace: once (default: each mapping accessed whole once), none" },
	{ "events", 0, "SET", "ftrace: auto (default: dma:* if any, else iommu:*), dma, iommu" },
	{ "max-delay", 0, "NS", "ftrace: an access at most NS after its map (default 10000000)" },
	{ "coherent-period", 0, "NS",
	  "ftrace: coherent buffers read whole every NS (default 1000000; 0: never)" },
	{ "quiet", 'q', NULL, "no progress on the terminal" },
};
static const char *const import_opt_only[ISM_ARRAY_SIZE(import_opts)] = {
	NULL, NULL, NULL, "qemu", "ftrace", "ftrace", "ftrace", "ftrace", "ftrace", "ftrace", NULL,
};
enum {
	OPT_FROM, OPT_OUTPUT, OPT_STRICT, OPT_ACCESS_SIZE, OPT_DEVICE, OPT_SPACES, OPT_ACCESSES,
	OPT_EVENTS, OPT_MAX_DELAY, OPT_COHERENT, OPT_QUIET
};

const struct cli_cmd_desc import_cmd_desc = {
	.name = "trace import",
	.usage = "--from FORMAT IN -o OUT [OPTIONS]",
	.summary = "Convert a trace from another format into the native format.",
	.details = "The output is written atomically: on error nothing is left. Lines an\n"
		   "importer does not understand are counted, and the first few quoted on\n"
		   "stderr. iommu:map/unmap name no device: address spaces are inferred where\n"
		   "live mappings overlap, and said on stderr. What each importer reads and\n"
		   "infers: docs/traces.md.",
	.opts = import_opts,
	.nopts = ISM_ARRAY_SIZE(import_opts),
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static const char *format_names(void)
{
	static char names[256];
	size_t i, n = 0;

	for (i = 0; i < import_registry_size && n < sizeof(names); i++)
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", i ? ", " : "",
				      import_registry[i]->name);
	return names;
}

/* One option's value into opts; returns 0 or a usage error's exit code. */
static int import_opt_value(int opt, const char *arg, struct import_opts *o)
{
	const struct cli_cmd_desc *d = &import_cmd_desc;
	uint64_t v;
	bool bdf;

	switch (opt) {
	case OPT_ACCESS_SIZE:
		if (ism_parse_size(arg, &v) || v == 0 || v > IMPORT_PAGE_BYTES)
			return cli_usage_error(d, "--access-size: expected 1 .. 4096 bytes, got "
						  "'%s'", arg);
		o->access_size = v;
		return 0;
	case OPT_DEVICE:
		if (trace_parse_device(arg, strlen(arg), &o->device, &bdf))
			return cli_usage_error(d, "--device: expected a number below 2^32 or a "
						  "PCI address bb:dd.f, got '%s'", arg);
		return 0;
	case OPT_SPACES:
		if (ism_parse_u64(arg, strlen(arg), &v) || v == 0 || v > IMPORT_ADDRESS_SPACES_MAX)
			return cli_usage_error(d, "--address-spaces: expected 1 .. %u, got '%s'",
					       IMPORT_ADDRESS_SPACES_MAX, arg);
		o->address_spaces = (uint32_t)v;
		return 0;
	case OPT_ACCESSES:
		if (strcmp(arg, "once") == 0)
			o->accesses = IMPORT_ACCESSES_ONCE;
		else if (strcmp(arg, "none") == 0)
			o->accesses = IMPORT_ACCESSES_NONE;
		else
			return cli_usage_error(d, "--accesses: expected once or none, got '%s'",
					       arg);
		return 0;
	case OPT_EVENTS:
		if (strcmp(arg, "auto") == 0)
			o->events = IMPORT_EVENTS_AUTO;
		else if (strcmp(arg, "dma") == 0)
			o->events = IMPORT_EVENTS_DMA;
		else if (strcmp(arg, "iommu") == 0)
			o->events = IMPORT_EVENTS_IOMMU;
		else
			return cli_usage_error(d, "--events: expected auto, dma or iommu, got "
						  "'%s'", arg);
		return 0;
	case OPT_MAX_DELAY:
	case OPT_COHERENT:
		if (ism_parse_u64(arg, strlen(arg), &v) || (opt == OPT_MAX_DELAY && v == 0))
			return cli_usage_error(d, "--%s: expected %s integer of ns, got '%s'",
					       import_opts[opt].name,
					       opt == OPT_MAX_DELAY ? "a positive" : "an", arg);
		if (opt == OPT_MAX_DELAY)
			o->max_delay_ns = v;
		else
			o->coherent_period_ns = v;
		return 0;
	}
	return 0;
}

int import_main(int argc, char **argv)
{
	const struct cli_cmd_desc *d = &import_cmd_desc;
	const struct import_ops *ops;
	const char *arg, *from = NULL, *out = NULL;
	bool given[ISM_ARRAY_SIZE(import_opts)] = { false };
	struct import_opts o;
	struct ism_err err = { 0 };
	struct cli_parser p;
	size_t i;
	int c, rc = 0;

	import_opts_default(&o);
	cli_parser_init(&p, d);
	while ((c = cli_next(&p, argc, argv, &arg)) >= 0) {
		given[c] = true;
		if (c == OPT_FROM)
			from = arg;
		else if (c == OPT_OUTPUT)
			out = arg;
		else if (c == OPT_STRICT)
			o.strict = true;
		else if (c == OPT_QUIET)
			o.quiet = true;
		else if (!rc)
			rc = import_opt_value(c, arg, &o);
	}
	cli_parser_free(&p);
	if (c == CLI_HELP) {
		printf("\nFormats (--from):\n");
		for (i = 0; i < import_registry_size; i++)
			printf("  %-8s %s\n", import_registry[i]->name, import_registry[i]->help);
		return ISM_EXIT_OK;
	}
	if (c == CLI_ERROR)
		return ISM_EXIT_USAGE;
	if (rc)
		return rc;
	if (optind + 1 != argc)
		return cli_usage_error(d, "expected one input file");
	if (!from)
		return cli_usage_error(d, "--from is required (%s)", format_names());
	if (!out)
		return cli_usage_error(d, "-o OUT is required");
	ops = import_find(from);
	if (!ops)
		return cli_usage_error(d, "unknown format '%s' for --from (%s)", from,
				       format_names());
	for (i = 0; i < ISM_ARRAY_SIZE(import_opts); i++)
		if (given[i] && import_opt_only[i] && strcmp(import_opt_only[i], ops->name) != 0)
			return cli_usage_error(d, "--%s applies to --from %s only",
					       import_opts[i].name, import_opt_only[i]);
	if (!ends_with(out, ".iot") && !ends_with(out, ".iot.gz"))
		return cli_usage_error(d, "OUT must end in .iot or .iot.gz, got '%s'", out);
	/* Before the scan pass: an unwritable OUT fails at once. */
	if (ism_out_check(out, &err) || import_run(ops, argv[optind], out, &o, &err)) {
		fprintf(stderr, "iommusim: %s\n", err.msg);
		return err.code ? err.code : ISM_EXIT_FAIL;
	}
	return ISM_EXIT_OK;
}
