/* A trace summarised: counts, bytes, time span, devices, domains, footprints, reuse distances. */
#ifndef ISM_TRACE_INFO_H
#define ISM_TRACE_INFO_H

#include <jansson.h>

#include "base/progress.h"
#include "base/util.h"
#include "trace.h"

/*
 * What `iommusim trace info --json` prints of the trace at path (docs/workloads.md): a new
 * object, or NULL with err set when the trace cannot be read. pg (may be NULL) shows progress.
 */
json_t *trace_info(const char *path, struct progress *pg, struct ism_err *err);

#endif
