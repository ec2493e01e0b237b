#!/usr/bin/env python3
# A sweep output directory built by hand from a case file (tests/data/report/*.json): the
# manifest and one result per row, with the figures the case gives and nothing else, so that
# each report finding can be worked out by hand (the case's "why" says how).
# Usage: mksweep.py CASE.json OUTDIR EFFECTIVE-CONFIG.json   (the last: `iommusim config show`)
#
# A case: "axes": [{"name", "key", "values", "labels"?}] (one config key each); "columns":
# "trace", then axis names and dotted result keys; "rows": one list of cells per point, in
# index order (axis cells are config values); "set": config keys set at every point;
# "trace_set": {"TRACE": {config keys}} set at that trace's points; "expect": the findings.
import copy
import json
import os
import sys

case_path, out, base_path = sys.argv[1], sys.argv[2], sys.argv[3]
case = json.load(open(case_path))
base = json.load(open(base_path))


def nest(doc, key, value):
    parts = key.split(".")
    for p in parts[:-1]:
        doc = doc.setdefault(p, {})
    doc[parts[-1]] = value


def label(axis, value):
    if "labels" in axis:
        return axis["labels"][axis["values"].index(value)]
    if isinstance(value, list):
        return "+".join(str(v) for v in value)
    return str(value)


axes = case["axes"]
by_name = {a["name"]: a for a in axes}
cols = case["columns"]
points = []
os.makedirs(os.path.join(out, "points"), exist_ok=True)
for i, row in enumerate(case["rows"]):
    cells = dict(zip(cols, row))
    trace = cells["trace"]
    seed = cells.get("seed", 1)
    name = "%04d-%08x" % (i, (i * 2654435761) & 0xFFFFFFFF)
    sets = dict(case.get("set", {}))
    sets.update(case.get("trace_set", {}).get(trace, {}))
    labels = {"trace": trace}
    for a in axes:
        sets[a["key"]] = cells[a["name"]]
        labels[a["name"]] = label(a, cells[a["name"]])
    cfg = copy.deepcopy(base)
    for k, v in sets.items():
        nest(cfg, k, v)
    nest(cfg, "seed", seed)
    r = {"iommusim": {"version": "0.1.0", "result_schema": 1}, "config": cfg,
         "trace": {"path": "traces/%s.iot.gz" % trace, "format": "native", "meta": {}}}
    for k, v in cells.items():
        if k not in ("trace", "seed") and k not in by_name:
            nest(r, k, v)
    r["run"] = {"wall_s": 0.5}
    with open(os.path.join(out, "points", name + ".json"), "w") as f:
        json.dump(r, f, indent=2)
    points.append({"index": i, "name": name, "trace": trace,
                   "trace_path": "traces/%s.iot.gz" % trace, "seed": seed, "set": sets,
                   "labels": labels})

manifest = {
    "iommusim": {"version": "0.1.0", "sweep_schema": 1},
    "description": case.get("description", ""),
    "source": os.path.basename(case_path),
    "metrics": ["iotlb.misses"],
    "axes": [{"name": a["name"], "keys": [a["key"]]} for a in axes],
    "points": points,
}
with open(os.path.join(out, "sweep.json"), "w") as f:
    json.dump(manifest, f, indent=2)
