/* The configuration schema: one row per key drives validation, defaults, output and the docs. */
#ifndef ISM_CONFIG_KEYS_H
#define ISM_CONFIG_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/sim_config.h"

/* How a key's JSON value is read and where it lands (the field type at config_key.offset). */
enum config_type {
	CONFIG_UINT,        /* uint32_t in [min, max] */
	CONFIG_UINT64,      /* uint64_t: an integer, or a decimal/0x string above 2^63 - 1 */
	CONFIG_BOOL,        /* bool */
	CONFIG_STRING,      /* char * (malloc'd), NULL for null */
	CONFIG_PATH,        /* char *: relative resolved against the setting file's directory */
	CONFIG_ENUM,        /* int: index into names[] */
	CONFIG_NAME,        /* char *: a name from a registry (known(), names_fn()) */
	CONFIG_SIZE,        /* uint32_t bytes: an integer or a string such as "4K" */
	CONFIG_PGSIZE,      /* enum pgsize: "4K", "2M", ... (base/pgsize.h) */
	CONFIG_PGSIZE_LIST, /* uint32_t PGSIZE_MASK() bits: an array of page sizes */
	CONFIG_REAL,        /* double in [rmin, rmax]: a JSON number (times in ns, rates) */
	CONFIG_NAME_LIST,   /* uint32_t bit i for name_at(i): a registry name or an array of them */
	CONFIG_DEVICE_GROUPS,     /* struct device_groups: "per-device", "single", or {device: group} */
	CONFIG_CURVE,       /* stats.curve: false, true, or a list of entry counts */
};

#define CONFIG_F_POW2 0x1u /* CONFIG_UINT/CONFIG_SIZE: the value must be a power of two */
/*
 * null (the default is null) means "derived": nothing is parsed, the field stays zero and the
 * row's derive hook fills it from earlier rows; the effective config shows what it derived.
 */
#define CONFIG_F_DERIVED 0x2u

struct config_key {
	const char *path; /* dotted JSON path: "iommu.iotlb.entries" */
	enum config_type type;
	const char *def;  /* default as JSON text; NULL: unset (null) */
	uint64_t min, max; /* CONFIG_UINT, CONFIG_UINT64, CONFIG_SIZE: inclusive range */
	double rmin, rmax; /* CONFIG_REAL: inclusive range */
	const char *unit;  /* shown after the range in the reference, may be NULL */
	const char *const *names;       /* CONFIG_ENUM: allowed names, NULL-terminated */
	const char *(*names_fn)(void);  /* CONFIG_NAME: "a, b, c" for messages and the reference */
	bool (*known)(const char *name); /* CONFIG_NAME: whether the registry has this name */
	const char *(*name_at)(unsigned i); /* CONFIG_NAME_LIST: the i-th name, NULL past the end */
	unsigned flags;
	/*
	 * Rule across keys, run once this row and every earlier row are stored in cfg: on a
	 * violation write "expected ..., got ..." into why and return -1. May be NULL.
	 */
	int (*check)(const struct config_key *k, const struct sim_config *cfg, char *why, size_t n);
	/*
	 * With CONFIG_F_DERIVED: fill the field (and any earlier row's the value depends on)
	 * when the value is null, or check it against them when given; runs before check.
	 * Errors as check's. May be NULL.
	 */
	int (*derive)(const struct config_key *k, struct sim_config *cfg, bool given, char *why,
		      size_t n);
	const char *help;
	size_t offset; /* of the field in struct sim_config */
};

extern const struct config_key config_keys[];
extern const size_t config_nkeys;

/* The row for a dotted path, or NULL. */
const struct config_key *config_key_find(const char *path);

/* The prose that opens docs/config.md (the key table follows it). */
extern const char config_doc_intro[];

#endif
