/* Trace I/O: native binary (.iot, .iot.gz) and CSV interchange, read in blocks. */
#ifndef ISM_TRACE_H
#define ISM_TRACE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "base/util.h"

/* Records a reader hands out per call: one decoded block, reused (never one allocation per record). */
#define TRACE_BLOCK_RECORDS 4096

enum trace_format { TRACE_FMT_NATIVE, TRACE_FMT_CSV };

struct trace_reader;

/*
 * Open a trace for reading. The format is sniffed from the content (native magic, else CSV
 * header), and gzip compression is transparent for both. Errors name the file.
 */
struct trace_reader *trace_open(const char *path, struct ism_err *err);

/*
 * Decode the next block. Returns the number of records (> 0; with trace_want_runs(), of
 * entries: records and runs) and points *recs at them (valid until the next call), 0 at the
 * clean end of the trace, or -1 with err set (truncated or corrupt file, malformed CSV line:
 * the message names the file and the record index or line).
 */
long trace_read(struct trace_reader *r, const struct trace_rec **recs, struct ism_err *err);

/*
 * Ask for runs (TRACE_RUN in record.h): from the first trace_read() on, consecutive ACCESS
 * records that form a run come out as one entry, so a block's n entries may stand for more
 * records (trace_block_records()). For a consumer that models runs (the untimed replay);
 * every other reader gets plain records. Only before the first trace_read(); after, a no-op.
 */
void trace_want_runs(struct trace_reader *r);
/* Records the block the last trace_read() returned stands for (its n without runs); else 0. */
uint32_t trace_block_records(const struct trace_reader *r);

/*
 * A second consumer (another thread) of the block trace_read() handed out last: the block stays
 * valid, its memory not reused, until trace_release(r, *hold), however far the caller reads on
 * (it waits in trace_read() while held blocks fill the read-ahead ring). False, and the block
 * is valid only until the next trace_read(), when the reader decodes in the caller's thread
 * (one CPU, or its thread did not start) or the last call handed out no block. All or none:
 * whether the reader decodes ahead is settled at the first trace_read() and stays so until
 * trace_close(), so a reader that can hold one block can hold every block it hands out (the
 * twins' thread relies on it). trace_release() may come from any thread; every hold is released
 * before trace_close().
 */
bool trace_hold(struct trace_reader *r, unsigned *hold);
void trace_release(struct trace_reader *r, unsigned hold);

/* The trace's metadata object (borrowed; CSV traces get one built from their comments). */
json_t *trace_meta(struct trace_reader *r);
enum trace_format trace_format(struct trace_reader *r);
const char *trace_path(struct trace_reader *r);
/* Bytes of the (possibly compressed) file consumed so far and the file's size, for progress. */
uint64_t trace_pos(struct trace_reader *r);
uint64_t trace_file_size(struct trace_reader *r);
void trace_close(struct trace_reader *r);

/*
 * Write a trace. Native when the name ends in .iot or .iot.gz (compressed by the .gz suffix),
 * CSV when it ends in .csv or .csv.gz, or "-" (CSV on stdout). `meta` (may be NULL) is stored in
 * the header (native) or as "# meta: {json}" comment (CSV). Output is atomic: nothing appears
 * at `path` until trace_writer_finish() succeeds; trace_writer_abort() removes the temporary.
 */
struct trace_writer;
struct trace_writer *trace_writer_open(const char *path, const json_t *meta, struct ism_err *err);
struct trace_writer *trace_writer_open_fmt(const char *path, enum trace_format fmt, bool gz,
					   const json_t *meta, struct ism_err *err);
int trace_write(struct trace_writer *w, const struct trace_rec *rec, struct ism_err *err);
/* Both free w, whatever the outcome. */
int trace_writer_finish(struct trace_writer *w, struct ism_err *err);
void trace_writer_abort(struct trace_writer *w);

/*
 * The writer's own copy of the metadata. Callers may add keys until the first trace_write()
 * (the header is written then), e.g. a generator storing its effective spec.
 */
json_t *trace_writer_meta(struct trace_writer *w);
/* Report progress (records, rate) to p as blocks go out; finish/abort clear the line. */
struct progress;
void trace_writer_progress(struct trace_writer *w, struct progress *p);

/* Why a record breaks the record model's rules (size 0, bad flags, ...), or NULL if valid. */
const char *trace_rec_invalid(const struct trace_rec *rec);

/*
 * CSV helpers shared by the reader, the writer and the tests.
 * A CSV has the seven base columns (TRACE_CSV_HEADER), then the optional ones its header names,
 * in this order: cpu, domain. `layout` says which: TRACE_CSV_CPU | TRACE_CSV_DOMAIN.
 * trace_csv_parse_line() parses one data line of that layout (no newline needed). It returns
 * the number of columns on success; 0 when the line has another number of columns; -k when
 * column k (1-based, see trace_csv_column()) is malformed. *why then says what was expected.
 * trace_csv_format() writes the line (no newline) and returns the length, or the length
 * needed when n is too small (like snprintf).
 */
#define TRACE_CSV_CPU 0x1u
#define TRACE_CSV_DOMAIN 0x2u
int trace_csv_parse_line(const char *line, size_t len, unsigned layout, struct trace_rec *rec,
			 const char **why);
size_t trace_csv_format(const struct trace_rec *rec, bool bdf, unsigned layout, char *buf,
			size_t n);
/* The optional columns a record needs to be written whole (TRACE_CSV_CPU, TRACE_CSV_DOMAIN). */
unsigned trace_csv_needs(const struct trace_rec *rec);
/*
 * The layout a trace's metadata asks for ("has_cpu": true, "has_domain": true), and setting
 * those keys to a layout (true for its columns, removed for the others).
 */
unsigned trace_csv_meta_layout(const json_t *meta);
void trace_csv_meta_set_layout(json_t *meta, unsigned layout);
/* The layout's columns, and its header line (no newline). */
int trace_csv_ncolumns(unsigned layout);
const char *trace_csv_header(unsigned layout);
#define TRACE_CSV_HEADER "time_ns,op,device,pasid,iova,size,paddr"
#define TRACE_CSV_MAX_COLUMNS 9
/* Name of a layout's 1-based column ("time_ns" ... "cpu", "domain"), NULL out of range. */
const char *trace_csv_column(unsigned layout, int col);

/* A device number: decimal or 0x-hex below 2^32, or a PCI address bb:dd.f (sets *bdf). */
int trace_parse_device(const char *s, size_t len, uint32_t *dev, bool *bdf);
/* "bb:dd.f" for a device below 2^16 (else decimal); returns buf. */
const char *trace_format_device(uint32_t dev, bool bdf, char *buf, size_t n);

/* LEB128 varints and zigzag deltas: the native format's integer coding (docs/trace-format.md). */
#define TRACE_VARINT_MAX_BYTES 10
size_t trace_varint_put(uint8_t *p, uint64_t v);
/* Bytes consumed, or 0 when [p, end) holds no valid varint (too long, overflow, cut short). */
size_t trace_varint_get(const uint8_t *p, const uint8_t *end, uint64_t *v);
static inline uint64_t trace_zigzag(uint64_t delta) { return delta << 1 ^ (0 - (delta >> 63)); }
static inline uint64_t trace_unzigzag(uint64_t z) { return z >> 1 ^ (0 - (z & 1)); }

#endif
