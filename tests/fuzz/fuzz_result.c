/*
 * Fuzz harness for a point's result file, read by sweep summary, plot and report: the bytes as
 * point 0's DIR/points/NAME.json in a sweep whose other points have results of their own.
 */
#define FUZZ_NAME "fuzz_result"
#define FUZZ_RESULT
#include "fuzz_manifest.c"

/* The sweep: 2 traces x IOTLB entries x invalidation policy, one seed, as `sweep` writes it. */
static const char *const fuzz_traces[] = { "nic", "qemu" };
static const int fuzz_entries[] = { 16, 64, 256 };
static const char *const fuzz_policies[] = { "strict", "lazy" };

static json_t *fuzz_manifest;
static char *fuzz_point0;

static void manifest_create(void)
{
	json_t *points = json_array();
	size_t t, e, p, i = 0;
	char *file;

	for (t = 0; t < ISM_ARRAY_SIZE(fuzz_traces); t++)
		for (e = 0; e < ISM_ARRAY_SIZE(fuzz_entries); e++)
			for (p = 0; p < ISM_ARRAY_SIZE(fuzz_policies); p++, i++) {
				char name[32], label[16];

				snprintf(name, sizeof(name), "%04zu-%08zx", i, i * 2654435761u);
				snprintf(label, sizeof(label), "%d", fuzz_entries[e]);
				json_array_append_new(points, json_pack(
					"{s:I, s:s, s:s, s:s, s:i, s:{s:i, s:s}, s:{s:s, s:s, s:s}}",
					"index", (json_int_t)i, "name", name, "trace", fuzz_traces[t],
					"trace_path", fuzz_traces[t], "seed", 1, "set",
					"iommu.iotlb.entries", fuzz_entries[e],
					"os.invalidation.policy", fuzz_policies[p], "labels",
					"iommu.iotlb.entries", label, "inval", fuzz_policies[p],
					"trace", fuzz_traces[t]));
			}
	fuzz_manifest = json_pack(
		"{s:{s:s, s:s, s:i}, s:s, s:s, s:[s, s, s], s:[{s:s, s:[s]}, {s:s, s:[s]}], s:o}",
		"iommusim", "version", "0.1.0", "build", "fuzz", "sweep_schema",
		SWEEP_SCHEMA_VERSION, "description", "fuzz_result", "source", "fuzz.json",
		"metrics", "iotlb.miss_rate", "dma.throughput_gbps", "versus.passthrough.throughput_ratio",
		"axes", "name", "iommu.iotlb.entries", "keys", "iommu.iotlb.entries", "name", "inval",
		"keys", "os.invalidation.policy", "points", points);
	file = fuzz_join(dir, "sweep.json");
	put_json(file, json_incref(fuzz_manifest));
	free(file);
	fuzz_point0 = sweep_point_path(dir, json_string_value(json_object_get(
						json_array_get(points, 0), "name")), false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum sweep_status st = SWEEP_PENDING;
	char *damaged;
	json_t *doc;

	if (!dir) {
		setup();
		manifest_create();
		put_points(fuzz_manifest);
	}
	fuzz_put(fuzz_point0, data, size);
	read_back(0, &st, &damaged);
	/* Point 0 is ok exactly when its file is a JSON object; else failed, saying why. */
	doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (json_is_object(doc))
		FUZZ_REQUIRE(st == SWEEP_OK && !damaged, "a JSON object is not an ok result: %s",
			     damaged ? damaged : "(no reason)");
	else
		FUZZ_REQUIRE(st == SWEEP_FAILED && damaged &&
				     strncmp(damaged, fuzz_point0, strlen(fuzz_point0)) == 0,
			     "a damaged result is %s: %s", sweep_status_name[st],
			     damaged ? damaged : "(no reason)");
	json_decref(doc);
	free(damaged);
	return 0;
}
