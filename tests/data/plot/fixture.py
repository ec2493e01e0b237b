#!/usr/bin/env python3
# A synthetic sweep output directory (docs/plots.md's format) with round numbers chosen so that
# every plot and every report finding can be worked out by hand; tests/report_cli.sh states them.
# Usage: fixture.py OUTDIR EFFECTIVE-CONFIG.json   (the second: `iommusim config show` output)
import copy
import json
import os
import sys

out, base_path = sys.argv[1], sys.argv[2]
base = json.load(open(base_path))

ENTRIES = [16, 32, 64, 128]
PAGES = [("4K", ["4K"]), ("2M", ["4K", "2M"])]
POLICIES = ["strict", "lazy", "batched"]
MIB = 1 << 20
DMA_BYTES = 64 * MIB

# IOTLB misses out of 100000 lookups: 4K pages by entries; 2M pages flat.
MISSES = {
    "nic": {"4K": [50000, 25000, 12500, 12000], "2M": 100},
    "qemu": {"4K": [40000, 38000, 20000, 15000], "2M": 1000},
}
# DMA throughput (Gb/s): 4K pages by entries; 2M pages flat.
THROUGHPUT = {
    "nic": {"strict": ([2.0, 2.5, 3.0, 3.2], 3.5), "lazy": ([6.0, 7.0, 8.0, 8.5], 9.0),
            "batched": ([5.0, 6.0, 7.0, 7.5], 8.0)},
    "qemu": {"strict": ([1.0, 1.2, 1.4, 1.5], 1.8), "lazy": ([3.0, 3.5, 4.0, 4.2], 4.5),
             "batched": ([2.5, 3.0, 3.5, 3.7], 4.0)},
}
STALE_HITS = {"nic": {"strict": 0, "lazy": 1200, "batched": 300},
              "qemu": {"strict": 0, "lazy": 500, "batched": 100}}
STALE_P99_NS = {"strict": 0.0, "lazy": 10e6, "batched": 100e3}
CPU_CORES = {"strict": 0.9, "lazy": 0.2, "batched": 0.3}
CPU_NS_PER_BYTE = {"strict": 0.5, "lazy": 0.1, "batched": 0.15}
IDEAL = {"nic": 10.0, "qemu": 6.0}
BASELINES = {"passthrough": {"nic": 10.0, "qemu": 6.0, "ns_per_byte": 0.05, "cdf": (800.0, 1.0)},
             "swiotlb": {"nic": 6.0, "qemu": 3.0, "ns_per_byte": 0.4, "cdf": (1500.0, 2.0)}}


def cdf(base_ns, tail):
    return [round(base_ns * (1 + tail * (q / 100.0) ** 4), 3) for q in range(1, 101)]


def nest(doc, key, value):
    parts = key.split(".")
    for p in parts[:-1]:
        doc = doc.setdefault(p, {})
    doc[parts[-1]] = value


def get(doc, key):
    for p in key.split("."):
        if not isinstance(doc, dict) or p not in doc:
            return None
        doc = doc[p]
    return doc


METRICS = ["iotlb.miss_rate", "iotlb.misses_per_mib", "dma.throughput_gbps", "cpu.cores",
           "stale.hits", "stale.window_ns.p99", "versus.passthrough.throughput_ratio"]

points, rows = [], []
os.makedirs(os.path.join(out, "points"), exist_ok=True)
for trace in ["nic", "qemu"]:
    for ei, entries in enumerate(ENTRIES):
        for page, sizes in PAGES:
            for policy in POLICIES:
                i = len(points)
                name = "%04d-%08x" % (i, (i * 2654435761) & 0xFFFFFFFF)
                m = MISSES[trace][page]
                misses = m[ei] if isinstance(m, list) else m
                t4k, t2m = THROUGHPUT[trace][policy]
                thr = t4k[ei] if page == "4K" else t2m
                cfg = copy.deepcopy(base)
                sets = {"iommu.iotlb.entries": entries, "iommu.page_sizes": sizes,
                        "os.first_touch_page_size": page, "os.invalidation.policy": policy}
                for k, v in sets.items():
                    nest(cfg, k, v)
                r = {"iommusim": {"version": "0.1.0", "result_schema": 1}, "config": cfg,
                     "trace": {"path": "traces/%s.iot.gz" % trace, "format": "native", "meta": {}},
                     "summary": "IOTLB %d misses" % misses}
                flat = {
                    "iotlb.lookups": 100000, "iotlb.misses": misses,
                    "iotlb.miss_rate": misses / 100000.0,
                    "iotlb.misses_per_mib": misses / (DMA_BYTES / MIB),
                    "dma.bytes": DMA_BYTES, "dma.throughput_gbps": thr,
                    "dma.latency_ns.p99": 20000.0 / thr,
                    "dma.latency_cdf_ns": cdf(1000.0 / thr * 4, 3.0),
                    "ideal.dma.throughput_gbps": IDEAL[trace],
                    "invalidation.policy": policy,
                    "cpu.cores": CPU_CORES[policy], "cpu.ns_per_dma_byte": CPU_NS_PER_BYTE[policy],
                    "stale.hits": STALE_HITS[trace][policy],
                    "stale.window_ns.p99": STALE_P99_NS[policy],
                }
                for bl, b in BASELINES.items():
                    flat["baseline.%s.dma.throughput_gbps" % bl] = b[trace]
                    flat["baseline.%s.cpu.ns_per_dma_byte" % bl] = b["ns_per_byte"]
                    flat["baseline.%s.dma.latency_cdf_ns" % bl] = cdf(*b["cdf"])
                    flat["versus.%s.throughput_ratio" % bl] = thr / b[trace]
                    flat["versus.%s.dma_latency_p50_ratio" % bl] = 1.25
                    flat["versus.%s.cpu_ns_per_byte_ratio" % bl] = \
                        CPU_NS_PER_BYTE[policy] / b["ns_per_byte"]
                for k, v in flat.items():
                    nest(r, k, v)
                r["run"] = {"wall_s": 0.123456, "accesses_per_s": 1e6}
                with open(os.path.join(out, "points", name + ".json"), "w") as f:
                    json.dump(r, f, indent=2)
                labels = {"iommu.iotlb.entries": str(entries), "page": page,
                          "os.invalidation.policy": policy, "trace": trace}
                points.append({"index": i, "name": name, "trace": trace,
                               "trace_path": "traces/%s.iot.gz" % trace, "seed": 1,
                               "set": sets, "labels": labels})
                cells = [name, "ok", trace, str(entries), page, policy, "1"]
                cells += ["" if get(r, k) is None else "%.10g" % get(r, k) for k in METRICS]
                rows.append(",".join(cells))

manifest = {
    "iommusim": {"version": "0.1.0", "sweep_schema": 1},
    "description": "IOTLB size x page size x invalidation policy on a NIC and a QEMU trace <check>",
    "source": "tests/data/plot/fixture.json",
    "metrics": METRICS,
    "axes": [{"name": "iommu.iotlb.entries", "keys": ["iommu.iotlb.entries"]},
             {"name": "page", "keys": ["iommu.page_sizes", "os.first_touch_page_size"]},
             {"name": "os.invalidation.policy", "keys": ["os.invalidation.policy"]}],
    "plot": {"cdf_points": [0, 37]},
    "points": points,
}
with open(os.path.join(out, "sweep.json"), "w") as f:
    json.dump(manifest, f, indent=2)
with open(os.path.join(out, "summary.csv"), "w") as f:
    f.write(",".join(["point", "status", "trace", "iommu.iotlb.entries", "page",
                      "os.invalidation.policy", "seed"] + METRICS) + "\n")
    f.write("\n".join(rows) + "\n")
