/* Trace importers: other tools' logs (CSV, Linux ftrace, QEMU -trace) into native traces. */
#ifndef ISM_IMPORT_H
#define ISM_IMPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cli.h"
#include "record.h"
#include "trace.h"
#include "base/util.h"

/* Lines of the input quoted on stderr (and in the metadata) when they are not understood. */
#define IMPORT_QUOTE_LINES 5
#define IMPORT_QUOTE_BYTES 120
/* A longer line is not understood (and skipped whole): no known event comes near it. */
#define IMPORT_LINE_MAX_BYTES (64u << 10)
/*
 * An input with no event line in its first this many bytes (decompressed) is not of the format:
 * the import gives up there instead of reading on (/dev/zero, /dev/urandom, a binary file).
 */
#define IMPORT_PROBE_BYTES (1u << 20)

/* The QEMU importer's default bytes per translation request: one dword, a ring field. */
#define IMPORT_ACCESS_SIZE_DEFAULT 4
#define IMPORT_PAGE_BYTES 4096u
/* ftrace: a mapping's synthesised access comes at most this long after its map. */
#define IMPORT_MAX_DELAY_NS_DEFAULT 10000000ull
/* ftrace: a coherent allocation is read whole once per period while allocated. */
#define IMPORT_COHERENT_PERIOD_NS_DEFAULT 1000000ull
/* ftrace: iommu:map/unmap name no device; at most this many address spaces are inferred. */
#define IMPORT_ADDRESS_SPACES_DEFAULT 256u
#define IMPORT_ADDRESS_SPACES_MAX 65536u

enum import_accesses { IMPORT_ACCESSES_ONCE, IMPORT_ACCESSES_NONE };
enum import_events { IMPORT_EVENTS_AUTO, IMPORT_EVENTS_DMA, IMPORT_EVENTS_IOMMU };

/* The command line's choices; each importer reads the ones docs/traces.md lists for it. */
struct import_opts {
	bool strict; /* a line not understood is an error instead of a counted skip */
	bool quiet;  /* no progress (warnings still go to stderr) */
	/* qemu */
	uint64_t access_size; /* bytes per translation request, 1 .. IMPORT_PAGE_BYTES */
	/* ftrace */
	uint32_t device; /* requester id of iommu:map/unmap lines (they name no device) */
	uint32_t address_spaces; /* iommu:map/unmap: at most this many inferred, device + k each */
	enum import_accesses accesses;
	enum import_events events;
	uint64_t max_delay_ns;
	uint64_t coherent_period_ns; /* 0: coherent allocations are never accessed */
};

void import_opts_default(struct import_opts *o);

/* A line-oriented text input read through zlib (plain or .gz), with line numbers. */
struct import_lines;
struct import_lines *import_lines_open(const char *path, struct ism_err *err);
/*
 * The next line (no newline, no CR; not NUL-terminated; valid until the next call): 1, or 0 at
 * the end, or -1 with err set (read error, damaged gzip stream). *too_long: the line exceeded
 * IMPORT_LINE_MAX_BYTES and *line holds its start only.
 */
int import_lines_next(struct import_lines *l, const char **line, size_t *len, bool *too_long,
		      struct ism_err *err);
uint64_t import_lines_number(const struct import_lines *l);
/* Whether the line last handed out ended the file without a newline (a cut-short file). */
bool import_lines_unterminated(const struct import_lines *l);
uint64_t import_lines_pos(const struct import_lines *l);
uint64_t import_lines_size(const struct import_lines *l);
/*
 * Stop (as at the end of the input) once `bytes` of decompressed input are behind the lines
 * handed out; 0: no limit. Whether it stopped there: import_lines_gave_up().
 */
void import_lines_limit(struct import_lines *l, uint64_t bytes);
bool import_lines_gave_up(const struct import_lines *l);
void import_lines_close(struct import_lines *l);

/*
 * One conversion. Text importers run twice over their input: pass 0 counts (no writer, so the
 * metadata can hold the counts), pass 1 writes with pass 0's metadata. The context carries the
 * line reader and the bookkeeping every text importer shares.
 */
struct progress;
struct import_ctx {
	const struct import_opts *opts;
	const char *in, *out;
	int pass;
	struct trace_writer *w; /* NULL in pass 0 */
	json_t *meta;           /* this pass's metadata: importers add their keys at the end */
	uint64_t nrec;          /* records emitted this pass */
	struct import_lines *lines;
	const char *line; /* the current line, for messages */
	size_t len;
	uint64_t understood; /* lines of the format (events, headers, comments, blanks) */
	uint64_t event_lines; /* of which lines of an event (import_count_event) */
	uint64_t unknown;
	unsigned nquote;
	struct import_quote {
		uint64_t line;
		char text[IMPORT_QUOTE_BYTES + 4];
	} quote[IMPORT_QUOTE_LINES];
	/* import_clock(): the latest time, and the lines stamped before it */
	bool have_time;
	uint64_t time_last, backwards;
	uint64_t back_ns; /* how far the first such line went back */
	struct import_quote back_first;
	char *note; /* import_note(): for stderr once the import succeeded */
	struct import_events_count *events; /* lines per event name */
	struct progress *progress; /* set by import_run; the CSV importer hands it to its writer */
};

/* The next input line; 1, 0 at the end, -1 on error. Long lines are counted as unknown. */
int import_next_line(struct import_ctx *c, struct ism_err *err);
/* Count the current line as one of event `name` (a line the format has, understood). */
void import_count_event(struct import_ctx *c, const char *name, size_t len);
/* A line not understood: counted and quoted, or with --strict an error naming it. */
int import_unknown(struct import_ctx *c, const char *why, struct ism_err *err);
/*
 * A line of a known event that does not parse: an error naming the line and `what` was
 * expected; an unterminated last line (a cut-short file) is counted as not understood instead.
 */
int import_malformed(struct import_ctx *c, const char *event, const char *what,
		     struct ism_err *err);
/*
 * The current line's time `ns`, never before the previous stamped line's: a line stamped
 * earlier (threads logging out of order) keeps the previous time; such lines are counted in
 * c->backwards and the first is quoted in a warning once the import succeeded.
 */
uint64_t import_clock(struct import_ctx *c, uint64_t ns);
/*
 * A note for stderr once the import succeeded (no newline; the ctx takes msg, allocated by
 * ism_xasprintf()); a second replaces the first.
 */
void import_note(struct import_ctx *c, char *msg);
/* Write a record (pass 1) or count it (pass 0). */
int import_emit(struct import_ctx *c, const struct trace_rec *r, struct ism_err *err);
/* The lines of event `name` counted so far. */
uint64_t import_event_count(const struct import_ctx *c, const char *name);

/*
 * Message fields. import_field() finds `key` as a word in the message, followed by '=', ' ' or
 * " =" and a value; the value is parsed in `base` 16 (optional 0x), 10, or 0 (0x-hex or
 * decimal). import_field_s64() also takes a leading '-'. Return 0, or -1 when the key is
 * missing or its value malformed.
 */
int import_field(const char *msg, size_t len, const char *key, int base, uint64_t *v);
int import_field_s64(const char *msg, size_t len, const char *key, int64_t *v);
/* A timestamp "SEC[.FRACTION]" (up to 9 fraction digits) in ns; end of the number in *end. */
int import_parse_seconds(const char *s, size_t len, uint64_t *ns, size_t *end);

/*
 * Devices and the domain each is in now, as a capture names them (a VT-d domain id, an SMMU
 * ASID, a virtio-iommu domain, an iommu group): when to emit ATTACH and DETACH records, which
 * devices a domain holds, which domains were ever joined. Memory follows the pairs seen.
 */
struct import_domains;
struct import_domains *import_domains_new(void);
void import_domains_free(struct import_domains *m);
/* The device joins domain, leaving its own: true when that changes where it is (an ATTACH). */
bool import_domains_attach(struct import_domains *m, uint32_t device, uint32_t domain);
/* The device leaves its domain: true when it was in one (a DETACH). */
bool import_domains_detach(struct import_domains *m, uint32_t device);
/* Whether any device ever joined domain. */
bool import_domains_seen(const struct import_domains *m, uint32_t domain);
/* The device's domain now; false when it is in none. */
bool import_domains_of(const struct import_domains *m, uint32_t device, uint32_t *domain);
/* The devices in domain now, in the order each first joined it: *it starts at 0; false at end. */
bool import_domains_next_device(const struct import_domains *m, uint32_t domain, size_t *it,
				uint32_t *device);
/* Every domain a device ever joined, in the order first joined. */
bool import_domains_next(const struct import_domains *m, size_t *it, uint32_t *domain);

/* Names (of events, of devices) numbered 0, 1, ... in the order first seen. */
#define IMPORT_NAME_MAX_BYTES 256
struct import_names;
struct import_names *import_names_new(void);
void import_names_free(struct import_names *t);
/* The name's number, adding it when `add`; -1 when absent or IMPORT_NAME_MAX_BYTES or longer. */
long import_names_find(struct import_names *t, const char *name, size_t len, bool add);
size_t import_names_count(const struct import_names *t);
const char *import_names_name(const struct import_names *t, size_t i);

/* One importer: a name for --from, a line of help, and its conversion (one pass). */
struct import_ops {
	const char *name;
	const char *help;
	bool text; /* two passes over a text log, the framework opening the writer */
	int (*convert)(struct import_ctx *c, struct ism_err *err);
};

extern const struct import_ops import_csv_ops;
extern const struct import_ops import_ftrace_ops;
extern const struct import_ops import_qemu_ops;

/* Every importer, one line each (src/import.c). */
extern const struct import_ops *const import_registry[];
extern const size_t import_registry_size;
const struct import_ops *import_find(const char *name);

/*
 * Run an importer: IN to a native trace OUT, atomically (nothing is left on error). Lines not
 * understood are summarised on stderr. The CSV importer opens its own writer through
 * import_writer_open() with the metadata it read.
 */
int import_run(const struct import_ops *ops, const char *in, const char *out,
	       const struct import_opts *opts, struct ism_err *err);
int import_writer_open(struct import_ctx *c, const json_t *meta, struct ism_err *err);

/* `iommusim trace import` (argv[0] is "import"). */
int import_main(int argc, char **argv);
extern const struct cli_cmd_desc import_cmd_desc;

#endif
