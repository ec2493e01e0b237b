/* Where a result comes from: the build, the machine, the time and the command line. */
#ifndef ISM_PROVENANCE_H
#define ISM_PROVENANCE_H

#include <jansson.h>
#include <stddef.h>

/*
 * The build: the source commit (git's HEAD, "-dirty" when tracked files differed from it;
 * the hash `git archive` or `make dist` wrote into COMMIT; else "unknown") and the compiler
 * with its flags, generated into build_info.c by scripts/build-info at every build.
 */
extern const char ism_build_commit[];
extern const char ism_build_flags[];

/* Remember the command line (main calls it once); results then record it. */
void ism_provenance_init(int argc, char *const *argv);

/*
 * What differs between two runs of the same inputs and says where and when one ran: {"host",
 * "date" (UTC, ISO 8601), "command" (the command line, shell-quoted), "cwd"}. A new object.
 */
json_t *ism_provenance_json(void);

/* SHA-256 of n bytes as "sha256:" and 64 hex digits (out: 72 bytes at least). */
void ism_sha256_text(const void *data, size_t n, char *out);

/*
 * A JSON value's digest: SHA-256 of its compact text with sorted keys and reals to 17
 * significant digits, as ism_sha256_text writes it; equal values give equal digests.
 */
void ism_json_digest(const json_t *v, char *out);

#endif
