/* Per-device figures of a run (devices.BDF.*): what each device of a multi-device trace got. */
#ifndef ISM_DEVICES_H
#define ISM_DEVICES_H

#include <jansson.h>
#include <stdio.h>

struct sim;
struct timed;

/* root.devices: an object per device (timed: t, the IOMMU run, adds throughput and latency). */
void sim_devices_to_json(struct sim *s, const struct timed *t, json_t *root);

/* Their rows of docs/results.md. */
void sim_devices_print_reference(FILE *fp);

#endif
