# `iommusim sweep` from the outside: points and names, parallel runs, resume, kills, shards, merge.
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"
S="$D/sweep"
G="$ISM_SRCDIR/tests/golden"

check "sweep --help" ism sweep --help
grep -q -- '--shard I/N' "$T/out" && grep -q 'Exit status' "$T/out" && ok "sweep --help: --shard, exit status" \
	|| fail "sweep --help lacks --shard or the exit status"
check "sweep merge --help" ism sweep merge --help
check "sweep summary --help" ism sweep summary --help
expect_fail "sweep summary without DIR" 2 "give the sweep's output DIR" ism sweep summary
expect_fail "sweep summary with two DIRs" 2 "unexpected argument 'b'" ism sweep summary a b
expect_fail "no sweep file" 2 'give a sweep file' ism sweep
expect_fail "--point and --shard" 2 'not both' ism sweep "$S/grid.json" --point 1 --shard 0/2
expect_fail "--shard 2/2" 2 'expected I/N with 0 <= I < N' ism sweep "$S/grid.json" --shard 2/2
expect_fail "--point out of range" 2 'the sweep has 24 points \(0 to 23\)' ism sweep "$S/grid.json" --point 24
expect_fail "-j 0" 2 'expected 1 to 4096' ism sweep "$S/grid.json" -j 0
expect_fail "merge without -o" 2 'give the merged directory' ism sweep merge "$T"

# --- Points: traces (outer) x the zip of entries and ways (3) x replacement (2) x seeds
# (innermost), the last axis fastest; grid.list is that order written out by hand.
check "--list" ism sweep "$S/grid.json" --list
cp "$T/out" "$T/list1"
expect_eq "24 points" 24 "$(wc -l <"$T/list1" | tr -d ' ')"
cut -f1,3- "$T/list1" >"$T/order"
cmp -s "$T/order" "$S/grid.list" && ok "point order: trace, zip, replacement, seed" \
	|| { fail "point order differs from grid.list"; diff "$S/grid.list" "$T/order" | head; }
ism sweep "$S/grid.json" --list >"$T/list2"
cmp -s "$T/list1" "$T/list2" && ok "names stable across two expansions" || fail "names changed between two --list"
expect_eq "--point 13" "$(sed -n 14p "$T/list1")" "$(ism sweep "$S/grid.json" --list --point 13)"
expect_eq "--shard 1/5: 1 6 11 16 21" "1 6 11 16 21" "$(ism sweep "$S/grid.json" --list --shard 1/5 | cut -f1 | tr '\n' ' ' | sed 's/ $//')"
printf '{"traces": ["capacity.csv"], "replicates": 3}\n' >"$T/reps.json"
expect_eq "replicates 3: seeds 1, 2, 3" "1 2 3" "$(ism sweep "$T/reps.json" --list | cut -f4 | tr '\n' ' ' | sed 's/ $//')"

# --- A -j 1 run, checked against the manifest, values worked out by hand, and `iommusim run`.
check "sweep -j 1" ism sweep "$S/grid.json" -o "$T/j1" -j 1
grep -q '24 points in .*: 24 ran (24 ok, 0 failed), 0 skipped' "$T/err" && ok "closing line counts 24 ran" \
	|| { fail "closing line"; cat "$T/err"; }
# Each name is NNNN-HASH: 64-bit FNV-1a of "trace=PATH\n", "KEY=VALUE\n" per assignment (keys
# sorted, values compact JSON) and "seed=N\n", then mixed and folded to 32 bits (docs/sweep.md).
python3 - "$T/j1/sweep.json" "$T/list1" <<'EOF' && ok "manifest: names, sets, labels, axes, metrics" || fail "manifest content"
import json, os, sys
M = 2**64 - 1
def fnv(h, b):
    for c in b:
        h = ((h ^ c) * 0x100000001b3) & M
    return h
def mix(x):
    x ^= x >> 31; x = (x * 0x9e3779b97f4a7c15) & M; x ^= x >> 29
    return x
m = json.load(open(sys.argv[1]))
listed = [l.split("\t")[1] for l in open(sys.argv[2])]
paths = {"cap": "../../golden/capacity.csv", "conf": "../../golden/conflict.csv"}
assert m["iommusim"]["sweep_schema"] == 1
assert m["source"].endswith("tests/data/sweep/grid.json")
assert m["axes"] == [{"name": "iotlb", "keys": ["iommu.iotlb.entries", "iommu.iotlb.ways"]},
                     {"name": "iommu.iotlb.replacement", "keys": ["iommu.iotlb.replacement"]}]
assert m["plot"] == {"cdf_points": [0]}
assert m["metrics"][:3] == ["iotlb.lookups", "iotlb.misses", "iotlb.miss_rate"]
assert m["metrics"][14:] == ["baseline.passthrough.dma.throughput_gbps",
    "baseline.passthrough.dma.latency_ns.p50", "baseline.passthrough.cpu.ns_per_dma_byte",
    "baseline.passthrough.memory_reserved_bytes", "versus.passthrough.throughput_ratio"], m["metrics"]
assert len(m["points"]) == 24
p = m["points"][13]
assert p["trace"] == "conf" and p["seed"] == 2 and os.path.normpath(p["trace_path"]).endswith("tests/golden/conflict.csv")
assert p["set"] == {"iommu.iotlb.replacement": "lru", "iommu.iotlb.entries": 2, "iommu.iotlb.ways": 2}, p["set"]
assert p["labels"] == {"iotlb": "2", "iommu.iotlb.replacement": "lru", "trace": "conf"}, p["labels"]
for i, p in enumerate(m["points"]):
    s = "trace=%s\n" % paths[p["trace"]]
    for k in sorted(p["set"]):
        s += "%s=%s\n" % (k, json.dumps(p["set"][k], separators=(",", ":")))
    s += "seed=%d\n" % p["seed"]
    h = mix(fnv(0xcbf29ce484222325, s.encode()))
    name = "%04d-%08x" % (i, (h ^ h >> 32) & 0xffffffff)
    assert p["index"] == i and p["name"] == name == listed[i], (p["name"], name, listed[i])
EOF
expect_eq "summary header" \
	"point,status,trace,iotlb,iommu.iotlb.replacement,seed,iotlb.lookups,iotlb.misses,iotlb.miss_rate,iotlb.misses_per_mib,walk.mem_refs,dma.throughput_gbps,dma.latency_ns.p50,dma.latency_ns.p99,cpu.total_ns,cpu.ns_per_dma_byte,cpu.cores,stale.hits,stale.window_ns.p99,ideal.dma.throughput_gbps,baseline.passthrough.dma.throughput_gbps,baseline.passthrough.dma.latency_ns.p50,baseline.passthrough.cpu.ns_per_dma_byte,baseline.passthrough.memory_reserved_bytes,versus.passthrough.throughput_ratio" \
	"$(head -1 "$T/j1/summary.csv")"
expect_eq "summary: 24 rows, all ok" 24 "$(grep -c '^[0-9]*-[0-9a-f]*,ok,' "$T/j1/summary.csv")"
# Fully associative LRU/FIFO: capacity.csv (A B C D E A) misses 6 times with 2 or 4 entries and
# 5 times with 8; conflict.csv (pages 0 4 0 1 1) misses 3 times with 2, 4 or 8 entries.
expect_eq "misses by row (trace, entries)" "cap 2 6|cap 4 6|cap 8 5|conf 2 3|conf 4 3|conf 8 3|" \
	"$(awk -F, 'NR > 1 && $5 == "lru" && $6 == 1 { printf "%s %s %s|", $3, $4, $8 }' "$T/j1/summary.csv")"
expect_eq "miss rate 5/6 printed %.10g" "0.8333333333" "$(awk -F, 'NR == 10 { print $9 }' "$T/j1/summary.csv")"
expect_eq "untimed: no throughput cell" "" "$(awk -F, 'NR == 2 { print $12 }' "$T/j1/summary.csv")"
# The same point through `iommusim run`: point 23 is conf, 8 entries, fifo, seed 2.
ism run "$S/base.json" -t "$G/conflict.csv" --set iommu.iotlb.replacement=lru \
	--set iommu.iotlb.entries=8 --set iommu.iotlb.ways=8 --set iommu.iotlb.replacement=fifo \
	--set seed=2 --format flat -q >"$T/flat"
expect_eq "point 23's misses equal iommusim run's" "$(kv "$T/flat" iotlb.misses)/$(kv "$T/flat" walk.mem_refs)" \
	"$(awk -F, 'NR == 25 { print $8 "/" $11 }' "$T/j1/summary.csv")"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert a["config"]["iommu"]["iotlb"]["replacement"] == "fifo" and a["config"]["seed"] == 2 and a["iotlb"]["misses"] == 3' \
	"$T/j1/points/$(sed -n 24p "$T/list1" | cut -f2).json" && ok "point file is the run's result document" || fail "point 23's file"

# --- -j 2 gives the same summary, byte for byte; so do two shards merged, and `sweep summary`.
check "sweep -j 2" ism sweep "$S/grid.json" -o "$T/j2" -j 2 -q
[ ! -s "$T/err" ] && ok "-q is quiet" || fail "-q printed: $(head -2 "$T/err")"
cmp -s "$T/j1/summary.csv" "$T/j2/summary.csv" && ok "summary.csv: -j 1 = -j 2" || fail "summary.csv differs between -j 1 and -j 2"
deterministic "$T/j1/sweep.json" >"$T/m1"
deterministic "$T/j2/sweep.json" >"$T/m2"
cmp -s "$T/m1" "$T/m2" && ok "manifest: -j 1 = -j 2 (provenance aside)" || fail "manifests differ"
check "--shard 0/2" ism sweep "$S/grid.json" -o "$T/s0" --shard 0/2 -q
check "--shard 1/2" ism sweep "$S/grid.json" -o "$T/s1" --shard 1/2 -q
expect_eq "shard 0/2 ran the even points" 12 "$(ls "$T/s0/points" | grep -c '^[0-9]*[02468]-.*\.json$')"
deterministic "$T/s0/sweep.json" >"$T/m1"
deterministic "$T/s1/sweep.json" >"$T/m2"
cmp -s "$T/m1" "$T/m2" && ok "every shard writes the same manifest (provenance aside)" || fail "shard manifests differ"
expect_eq "a shard's summary: the others pending" 12 "$(grep -c ',pending,' "$T/s0/summary.csv")"
check "merge" ism sweep merge "$T/s0" "$T/s1" -o "$T/merged"
python3 - "$T/merged/sweep.json" "$T/s0/sweep.json" "$T/s1/sweep.json" "$S/grid.json" "$S/base.json" <<'EOF2' && ok "merge: its own provenance, each shard's under merged_from; the digests of the sweep file and base" || fail "merge: provenance"
import json, sys, hashlib, os
m, a, b = (json.load(open(f)) for f in sys.argv[1:4])
sha = lambda f: "sha256:" + hashlib.sha256(open(f, "rb").read()).hexdigest()
p = m["provenance"]
assert " sweep merge " in p["command"] and p["dir"] == os.path.realpath(os.path.dirname(sys.argv[1])), p
assert p["merged_from"] == [a["provenance"], b["provenance"]], p["merged_from"]
assert " --shard 0/2" in a["provenance"]["command"] and a["provenance"]["dir"] == os.path.realpath(os.path.dirname(sys.argv[2]))
assert m["digests"] == a["digests"] == {"sweep_file": sha(sys.argv[4]), "base": sha(sys.argv[5])}, m["digests"]
EOF2
# Each trace described once, as trace info describes it (the report's trace cards), and the
# merge brings the descriptions along.
for t in cap conf; do
	ism trace info --json "$S/../../golden/$(test $t = cap && echo capacity || echo conflict).csv" >"$T/$t.info"
	cmp -s "$T/$t.info" "$T/j1/traces/$t.info.json" && ok "DIR/traces/$t.info.json = trace info --json" \
		|| { fail "DIR/traces/$t.info.json"; diff "$T/$t.info" "$T/j1/traces/$t.info.json" | head -5; }
	cmp -s "$T/j1/traces/$t.info.json" "$T/merged/traces/$t.info.json" && ok "merge: $t's description" \
		|| fail "merge: no description of $t"
done
grep -q '24 points: 24 ok, 0 failed, 0 pending' "$T/err" && ok "merge counts" || fail "merge: $(cat "$T/err")"
cmp -s "$T/j1/summary.csv" "$T/merged/summary.csv" && ok "merged summary = -j summary" || fail "merged summary differs"
expect_fail "summary of one shard: some pending -> 1" 1 '12 ok, 0 failed, 12 pending' ism sweep summary "$T/s0"
# --long: the same figures in long form, a row per finished point and metric, with units.
check "sweep summary --long" ism sweep summary "$T/j1" --long -q
ism sweep summary "$T/j1" --long 2>"$T/err"
expect_eq "sweep summary --long: its closing line names both files" \
	"sweep summary: 24 points: 24 ok, 0 failed, 0 pending; $T/j1/summary.csv, $T/j1/summary-long.csv" \
	"$(cat "$T/err")"
python3 - "$T/j1/summary.csv" "$T/j1/summary-long.csv" <<'EOF2' && ok "summary-long.csv: summary.csv's cells, one row per point and metric, units beside" || fail "summary-long.csv"
import csv, sys
wide = list(csv.DictReader(open(sys.argv[1])))
rows = list(csv.DictReader(open(sys.argv[2])))
head = open(sys.argv[2]).readline().strip().split(",")
assert head == ["point", "trace", "iotlb", "iommu.iotlb.replacement", "seed", "metric", "value", "unit"], head
metrics = [k for k in wide[0] if k not in ("point", "status", "trace", "iotlb", "iommu.iotlb.replacement", "seed")]
ok = [w for w in wide if w["status"] == "ok"]
assert len(rows) == len(ok) * len(metrics), (len(rows), len(ok), len(metrics))
it = iter(rows)
for w in ok:
    for m in metrics:
        r = next(it)
        assert (r["point"], r["trace"], r["iotlb"], r["iommu.iotlb.replacement"], r["seed"], r["metric"], r["value"]) == \
            (w["point"], w["trace"], w["iotlb"], w["iommu.iotlb.replacement"], w["seed"], m, w[m]), (r, m)
units = {r["metric"]: r["unit"] for r in rows}
assert units["iotlb.misses"] == "count" and units["iotlb.miss_rate"] == "fraction" and units["walk.mem_refs"] == "count", units
EOF2
cp "$T/j1/summary.csv" "$T/keep.csv"
rm "$T/j1/summary.csv"
check "sweep summary regenerates" ism sweep summary "$T/j1" -q
cmp -s "$T/keep.csv" "$T/j1/summary.csv" && ok "sweep summary = the run's summary" || fail "sweep summary differs"
printf '{"traces": ["capacity.csv"], "axes": [{"key": "iommu.iotlb.entries", "values": [8]}]}\n' >"$T/other.json"
cp "$G/capacity.csv" "$T/"
ism sweep "$T/other.json" -o "$T/other" -q
expect_fail "merge of two different sweeps -> 3" 3 'not the same sweep' ism sweep merge "$T/j1" "$T/other" -o "$T/mx"
cp "$T/other/sweep.json" "$T/other.manifest"
expect_fail "merge into another sweep's directory -> 3" 3 \
	"^iommusim: $T/other: holds another sweep's output \($T/other/sweep.json lists other points\): run into another directory, or give --force" \
	ism sweep merge "$T/s0" "$T/s1" -o "$T/other"
cmp -s "$T/other.manifest" "$T/other/sweep.json" && ok "merge: its manifest is untouched" || fail "merge replaced the manifest"
check "merge --force" ism sweep merge "$T/s0" "$T/s1" -o "$T/other" --force -q
cmp -s "$T/j1/summary.csv" "$T/other/summary.csv" && ok "merge --force: the merged sweep" || fail "merge --force: summary differs"
expect_fail "summary of a directory without manifest -> 3" 3 'not a sweep output directory' ism sweep summary "$T"

# --- A manifest is refused, naming the file and the JSON path, when it has a sweep schema this
# iommusim does not read, or two points with one name (they would share one result file).
# edit_manifest DIR PYTHON: run PYTHON on the manifest m of a copy of j1 in DIR.
edit_manifest() {
	rm -rf "$1"
	cp -r "$T/j1" "$1"
	python3 - "$1/sweep.json" "$2" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(m, open(sys.argv[1], "w"), indent=2)
EOF
}
edit_manifest "$T/m2" 'm["iommusim"]["sweep_schema"] = 2'
expect_fail "sweep_schema 2 -> 3" 3 \
	"^iommusim: .*/m2/sweep.json: iommusim.sweep_schema: expected 1 \(the sweep schema this iommusim reads\), got 2$" \
	ism sweep summary "$T/m2"
edit_manifest "$T/m2" 'm["iommusim"]["sweep_schema"] = "1"'
expect_fail "sweep_schema a string -> 3" 3 "m2/sweep.json: iommusim.sweep_schema: expected 1 .*, got a string" \
	ism sweep summary "$T/m2"
edit_manifest "$T/m2" 'del m["iommusim"]'
expect_fail "no sweep_schema -> 3" 3 "m2/sweep.json: iommusim.sweep_schema: expected 1 .*, got nothing" \
	ism sweep summary "$T/m2"
edit_manifest "$T/m2" 'm["points"][5]["name"] = m["points"][2]["name"]'
expect_fail "two points with one name -> 3" 3 \
	"m2/sweep.json: points\[5\].name: '0002-[0-9a-f]{8}' is the name of points\[2\] too: every point needs its own" \
	ism sweep summary "$T/m2"
expect_fail "plot refuses it too" 3 "m2/sweep.json: points\[5\].name: .* is the name of points\[2\] too" \
	ism plot "$T/m2"
# Labels that make more combinations of the axes' values than there are points: no sweep is
# such a grid, and plots and findings size their arrays by that product (16 axes of 16 labels
# on 16 points made them allocate 2^64 bytes, or wrap to a small buffer).
edit_manifest "$T/m2" 'for i, p in enumerate(m["points"]): p["labels"]["iotlb"] = "v%d" % i'
expect_fail "labels that are no grid -> 3" 3 \
	"m2/sweep.json: points: the axes' labels make more combinations than the 24 points \(axes\[1\] 'iommu.iotlb.replacement' has 2 labels\): not a sweep's grid" \
	ism sweep summary "$T/m2"
expect_fail "report refuses it too" 3 "m2/sweep.json: points: the axes' labels make more combinations" \
	ism report "$T/m2" -o "$T/m2.html"

# A damaged point file: counted as failed with a warning naming it; the rest is summarised.
cp -r "$T/j1" "$T/dmg"
dmg=$(sed -n 4p "$T/list1" | cut -f2)
printf '{"iotlb": ' >"$T/dmg/points/$dmg.json"
expect_fail "sweep summary: a damaged point file -> 1" 1 'sweep summary: 24 points: 23 ok, 1 failed, 0 pending' \
	ism sweep summary "$T/dmg"
expect_eq "the warning names the file and why" \
	"iommusim: warning: $T/dmg/points/$dmg.json:1:10: invalid JSON: unexpected token near end of file: skipped, counted as failed (delete the file to run the point again)" \
	"$(grep warning "$T/err")"
expect_eq "its row: failed, no metrics" "$dmg,failed,cap,2,fifo,2,,,,,,,,,,,,,,,,,,," "$(sed -n 5p "$T/dmg/summary.csv")"

# --- Resume: only the missing point runs; the others' files are untouched.
victim=$(sed -n 6p "$T/list1" | cut -f2)
cp -r "$T/j2/points" "$T/before"
rm "$T/j2/points/$victim.json"
check "re-run after deleting one point" ism sweep "$S/grid.json" -o "$T/j2" -j 2
grep -q ': 1 ran (1 ok, 0 failed), 23 skipped' "$T/err" && ok "re-run ran 1, skipped 23" || fail "re-run: $(cat "$T/err")"
same=0
for f in "$T/before"/*.json; do
	[ "$(basename "$f")" = "$victim.json" ] && continue
	cmp -s "$f" "$T/j2/points/$(basename "$f")" && same=$((same + 1))
done
expect_eq "the 23 other point files unchanged" 23 "$same"
cmp -s "$T/j1/summary.csv" "$T/j2/summary.csv" && ok "summary after resume unchanged" || fail "summary after resume differs"
check "re-run with everything done" ism sweep "$S/grid.json" -o "$T/j2"
grep -q ': 0 ran (0 ok, 0 failed), 24 skipped' "$T/err" && ok "nothing left to run" || fail "$(cat "$T/err")"

# --- Failing points: a trace that does not exist (exit 4) and ways 3 of 4 entries (config, 3)
# fail alone, with their error files; the sweep goes on and exits 1.
expect_fail "failing points -> exit 1" 1 'point 0001-[0-9a-f]* failed: .*iommu.iotlb.ways' \
	ism sweep "$S/failing.json" -o "$T/f" -j 2
expect_eq "statuses" "ok failed failed failed " "$(awk -F, 'NR > 1 { printf "%s ", $2 }' "$T/f/summary.csv")"
grep -q ': 4 ran (1 ok, 3 failed), 0 skipped' "$T/err" && ok "closing line counts the failures" || fail "$(tail -1 "$T/err")"
python3 - "$T/f" <<'EOF' && ok "error files: point, exit code, message" || fail "error files"
import glob, json, sys
e = {json.load(open(f))["point"][:4]: json.load(open(f)) for f in glob.glob(sys.argv[1] + "/points/*.error.json")}
assert sorted(e) == ["0001", "0002", "0003"], sorted(e)
assert e["0001"]["exit"] == 3 and "iommu.iotlb.ways" in e["0001"]["message"]
assert e["0002"]["exit"] == 4 and "no-such-trace.csv" in e["0002"]["message"], e["0002"]
assert e["0003"]["exit"] == 3
assert len(glob.glob(sys.argv[1] + "/points/*.json")) == 4
EOF
expect_fail "--dry-run reports the bad points, runs nothing" 3 'point 0002-[0-9a-f]*: .*no-such-trace.csv' \
	ism sweep "$S/failing.json" -o "$T/dry" --dry-run
expect_eq "--dry-run: three bad points" 3 "$(grep -c '^iommusim: point ' "$T/err")"
no_file "--dry-run wrote nothing" "$T/dry"
printf '{"base": {"mode": "untimed"}, "traces": {"gone": "no-such.csv"}}\n' >"$T/badtrace.json"
expect_fail "--dry-run: a bad trace -> 4" 4 'no-such.csv' ism sweep "$T/badtrace.json" --dry-run
check "--dry-run of a good sweep" ism sweep "$S/grid.json" -o "$T/dry" --dry-run
no_file "--dry-run of a good sweep wrote nothing" "$T/dry"

# --- Columns: the baselines of the base and of a "baseline" axis, in the config's order, for
# every point; chosen metrics, a string among them.
printf '{"base": {"mode": "untimed", "baseline": "cma"}, "traces": ["capacity.csv"], "axes": [{"key": "baseline", "values": ["swiotlb", ["cma", "passthrough"]]}]}\n' >"$T/bl.json"
check "baseline axis" ism sweep "$T/bl.json" -o "$T/bl" -q
expect_eq "baseline columns: passthrough, swiotlb, cma" "passthrough swiotlb cma " \
	"$(head -1 "$T/bl/summary.csv" | tr ',' '\n' | sed -n 's/^versus\.\(.*\)\.throughput_ratio$/\1/p' | tr '\n' ' ')"
# the last but one column is baseline.cma.memory_reserved_bytes: cma.size (64 MiB by default)
# where cma runs, empty where it does not
expect_eq "cma's memory only in the row that runs it" "|67108864" \
	"$(awk -F, 'NR > 1 { printf "%s%s", (NR > 2 ? "|" : ""), $(NF - 1) }' "$T/bl/summary.csv")"
# capacity.csv touches 5 pages: 5 compulsory misses in the default 64-entry IOTLB.
printf '{"base": {"mode": "untimed"}, "traces": ["capacity.csv"], "axes": [{"key": "os.invalidation.policy", "values": ["strict", "lazy"], "name": "inval"}], "metrics": ["invalidation.policy", "iotlb.misses", "no.such.key"]}\n' >"$T/mx.json"
check "chosen metrics" ism sweep "$T/mx.json" -o "$T/mxo" -q
expect_eq "chosen metrics: header and rows" "point,status,trace,inval,seed,invalidation.policy,iotlb.misses,no.such.key|ok,capacity,strict,1,strict,5,|ok,capacity,lazy,1,lazy,5,|" \
	"$(sed 's/^[0-9]*-[0-9a-f]*,//' "$T/mxo/summary.csv" | tr '\n' '|')"

# --- Traces the sweep makes: {"gen": SPEC} and {"import": CAPTURE, "from": FORMAT} become
# DIR/traces/NAME.iot.gz before the first point that needs them, once; byte for byte what
# `trace gen` and `trace import` make.
mkdir "$T/mk"
cp "$D/trace/gen-random.json" "$T/mk/spec.json"
cp "$G/capacity.csv" "$T/mk/cap.csv"
printf '%s\n' '{"base": {"mode": "untimed", "iommu": {"iotlb": {"ways": 4}}}, "traces": {"gen": {"gen": "spec.json"}, "cap": {"import": "cap.csv", "from": "csv"}},' \
	'"axes": [{"key": "iommu.iotlb.entries", "values": [4, 16]}]}' >"$T/mk/made.json"
check "made traces: --list" ism sweep "$T/mk/made.json" --list -o "$T/mk/out"
expect_eq "made traces: 4 points, gen first" "gen gen cap cap" "$(cut -f3 "$T/out" | tr '\n' ' ' | sed 's/ $//')"
check "made traces: --dry-run checks the spec and the capture" ism sweep "$T/mk/made.json" --dry-run -o "$T/mk/out"
[ ! -e "$T/mk/out" ] && ok "made traces: --list and --dry-run write nothing" || fail "made traces: DIR created"
mv "$T/mk/spec.json" "$T/mk/spec.moved"
expect_fail "made traces: --dry-run, spec missing: 3" 3 \
	"point 0000-[0-9a-f]*: $T/mk/made.json: trace gen: cannot read its spec $T/mk/spec.json: No such file" \
	ism sweep "$T/mk/made.json" --dry-run -o "$T/mk/out" --point 0
expect_fail "made traces: a run, spec missing: 3, no point run" 3 \
	"iommusim: $T/mk/made.json: trace gen: $T/mk/spec.json: cannot read the spec" \
	ism sweep "$T/mk/made.json" -o "$T/mk/out"
expect_eq "made traces: no point ran" "" "$(ls "$T/mk/out/points")"
mv "$T/mk/spec.moved" "$T/mk/spec.json"
mv "$T/mk/cap.csv" "$T/mk/cap.moved"
expect_fail "made traces: --dry-run, capture missing: 4" 4 "trace cap: cannot read its capture $T/mk/cap.csv" \
	ism sweep "$T/mk/made.json" --dry-run -o "$T/mk/out" --point 2
mv "$T/mk/cap.moved" "$T/mk/cap.csv"
# --point 1 needs only "gen": only that trace is made.
check "made traces: --point 1" ism sweep "$T/mk/made.json" -o "$T/mk/p1" --point 1 -q
expect_eq "made traces: only the trace the point needs (and its description)" "gen.info.json gen.iot.gz" "$(ls "$T/mk/p1/traces" | tr '\n' ' ' | sed 's/ $//')"
check "made traces: a run" ism sweep "$T/mk/made.json" -o "$T/mk/out" -j 2 -q
expect_eq "made traces: 4 points ok" 4 "$(grep -c ',ok,' "$T/mk/out/summary.csv")"
ism trace gen "$T/mk/spec.json" -o "$T/mk/gen.iot.gz" -q
ism trace import --from csv "$T/mk/cap.csv" -o "$T/mk/cap.iot.gz" -q
check "made traces: gen = trace gen" cmp "$T/mk/gen.iot.gz" "$T/mk/out/traces/gen.iot.gz"
check "made traces: import = trace import" cmp "$T/mk/cap.iot.gz" "$T/mk/out/traces/cap.iot.gz"
ism run -t "$G/capacity.csv" --set mode=untimed --set iommu.iotlb.entries=4 --set iommu.iotlb.ways=4 \
	--format flat -q >"$T/mk/direct"
expect_eq "made traces: a point = run on the trace itself" "$(kv "$T/mk/direct" iotlb.misses)" \
	"$(awk -F, 'NR == 4 { print $7 }' "$T/mk/out/summary.csv")"
# The manifest points at the made trace; names hash the recipe as written (compact JSON, keys
# sorted) in place of a path.
python3 - "$T/mk/out/sweep.json" "$T/mk/out" <<'EOF2' && ok "made traces: manifest paths and point names" || fail "made traces: manifest"
import json, sys
M = 2**64 - 1
def fnv(h, b):
    for c in b:
        h = ((h ^ c) * 0x100000001b3) & M
    return h
def mix(x):
    x ^= x >> 31; x = (x * 0x9e3779b97f4a7c15) & M; x ^= x >> 29
    return x
m = json.load(open(sys.argv[1]))
recipe = {"gen": {"gen": "spec.json"}, "cap": {"from": "csv", "import": "cap.csv"}}
for i, p in enumerate(m["points"]):
    assert p["trace_path"] == "%s/traces/%s.iot.gz" % (sys.argv[2], p["trace"]), p["trace_path"]
    s = "trace=%s\n" % json.dumps(recipe[p["trace"]], separators=(",", ":"), sort_keys=True)
    for k in sorted(p["set"]):
        s += "%s=%s\n" % (k, json.dumps(p["set"][k], separators=(",", ":")))
    s += "seed=%d\n" % p["seed"]
    h = mix(fnv(0xcbf29ce484222325, s.encode()))
    assert p["name"] == "%04d-%08x" % (i, (h ^ h >> 32) & 0xffffffff), p["name"]
EOF2
# Made once: a re-run keeps the file (even an edited spec does not remake it: delete it to),
# and removes a temporary a killed generation left.
ino=$(ls -i "$T/mk/out/traces/gen.iot.gz" | cut -d' ' -f1)
touch "$T/mk/out/traces/.gen.iot.gz.tmp.999999999"
rm "$T/mk/out/points/"*
check "made traces: a re-run" ism sweep "$T/mk/made.json" -o "$T/mk/out" -q
expect_eq "made traces: the trace is not made again" "$ino" "$(ls -i "$T/mk/out/traces/gen.iot.gz" | cut -d' ' -f1)"
expect_eq "made traces: a dead writer's temporary removed" "cap.info.json cap.iot.gz gen.info.json gen.iot.gz" "$(ls -A "$T/mk/out/traces" | tr '\n' ' ' | sed 's/ $//')"
# --- Another sweep into a sweep's directory is refused, naming it, and nothing is touched:
# other points (a third policy), or the same point names from another inline base (the names
# hash the trace, the assignments and the seed, not the base). --force replaces the manifest.
# Other metrics, description or labels are the same runs: a re-run resumes.
cp "$T/mxo/sweep.json" "$T/mxo.manifest"
printf '{"base": {"mode": "untimed"}, "traces": ["capacity.csv"], "axes": [{"key": "os.invalidation.policy", "values": ["strict", "lazy", "batched"], "name": "inval"}]}\n' >"$T/mx3.json"
expect_fail "another sweep into DIR -> 3" 3 \
	"^iommusim: $T/mxo: holds another sweep's output \($T/mxo/sweep.json lists other points\): run into another directory, or give --force to replace its manifest$" \
	ism sweep "$T/mx3.json" -o "$T/mxo"
cmp -s "$T/mxo.manifest" "$T/mxo/sweep.json" && ok "its manifest is untouched" || fail "the manifest was replaced"
expect_eq "no point ran" 2 "$(ls "$T/mxo/points" | wc -l | tr -d ' ')"
printf '{"base": {"mode": "untimed", "memory": {"latency_ns": 90}}, "traces": ["capacity.csv"], "axes": [{"key": "os.invalidation.policy", "values": ["strict", "lazy"], "name": "inval"}]}\n' >"$T/mxb.json"
expect_fail "the same points from another base -> 3" 3 \
	"^iommusim: $T/mxo: holds another sweep's output \($T/mxo/sweep.json has another inline base\): run into another directory" \
	ism sweep "$T/mxb.json" -o "$T/mxo"
printf '{"description": "other columns", "base": {"mode": "untimed"}, "traces": ["capacity.csv"], "axes": [{"key": "os.invalidation.policy", "values": ["strict", "lazy"], "name": "policy", "labels": ["S", "L"]}], "metrics": ["iotlb.misses"]}\n' >"$T/mxm.json"
check "other metrics and labels: the same runs, resumed" ism sweep "$T/mxm.json" -o "$T/mxo"
grep -q ': 0 ran (0 ok, 0 failed), 2 skipped' "$T/err" && ok "nothing ran again" || fail "$(cat "$T/err")"
expect_eq "the summary has the new columns" "point,status,trace,policy,seed,iotlb.misses|ok,capacity,S,1,5|ok,capacity,L,1,5|" \
	"$(sed 's/^[0-9]*-[0-9a-f]*,//' "$T/mxo/summary.csv" | tr '\n' '|')"
# The manifest on disk rounds numbers (12 digits): an inline base with more is still the same.
printf '{"base": {"mode": "untimed", "memory": {"latency_ns": 80.12345678901234}}, "traces": ["capacity.csv"]}\n' >"$T/prec.json"
ism sweep "$T/prec.json" -o "$T/prec" -q
check "a base number of 16 digits: the re-run resumes" ism sweep "$T/prec.json" -o "$T/prec"
printf '{"not": "a manifest"}\n' >"$T/mxo.bad"
mkdir -p "$T/notmine/points" && cp "$T/mxo.bad" "$T/notmine/sweep.json"
expect_fail "a sweep.json that is no manifest -> 3" 3 \
	"^iommusim: $T/notmine: holds a sweep.json this sweep cannot resume \($T/notmine/sweep.json: iommusim.sweep_schema: expected 1 .*\): run into another directory, or give --force to replace it$" \
	ism sweep "$T/mx.json" -o "$T/notmine"
check "--force replaces the manifest" ism sweep "$T/mx3.json" -o "$T/mxo" --force -q
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert [p["labels"]["inval"] for p in m["points"]] == ["strict", "lazy", "batched"]' \
	"$T/mxo/sweep.json" && ok "--force: the manifest is the new sweep's" || fail "--force: manifest"
expect_eq "--force: every point of the new sweep has its result" 3 "$(grep -c ',ok,' "$T/mxo/summary.csv")"

# --- The build identity: the manifest and every result name the build (--version prints it).
# A resume where finished points come from another build warns, naming the directory, the
# builds and the count; so does every summary of a directory whose points mix builds.
build=$(ism --version | sed -n 's/^iommusim [^ ]* (build \([0-9a-f]\{8\}\))$/\1/p')
[ -n "$build" ] && ok "--version names the build ($build)" || fail "--version: $(ism --version)"
ism sweep "$T/mx.json" -o "$T/bid" -q
python3 - "$T/bid" "$build" <<'EOF' && ok "the manifest and every result record the build" || fail "build in manifest or results"
import glob, json, sys
assert json.load(open(sys.argv[1] + "/sweep.json"))["iommusim"]["build"] == sys.argv[2]
files = glob.glob(sys.argv[1] + "/points/*.json")
assert len(files) == 2 and all(json.load(open(f))["iommusim"]["build"] == sys.argv[2] for f in files)
EOF
# As if an older build had run the sweep and computed point 0; point 1 is still to run.
p0=$(ls "$T/bid/points/" | grep '^0000-')
python3 - "$T/bid/sweep.json" "$T/bid/points/$p0" <<'EOF'
import json, sys
for f in sys.argv[1:]:
    d = json.load(open(f)); d["iommusim"]["build"] = "00000000"; json.dump(d, open(f, "w"))
EOF
rm "$T/bid/points/0001-"*.json
check "a resume with another build" ism sweep "$T/mx.json" -o "$T/bid" -q
# (mx.json's inval axis cannot change capacity.csv, which has no UNMAP: that warning aside)
expect_eq "it warns that the results mix two builds" \
	"iommusim sweep: warning: $T/bid: 1 finished point was computed by another build (00000000; this is $build): it is kept, so the sweep will mix the results of two builds (delete $T/bid/points, or run into another directory, to compute every point with this build)" \
	"$(grep -v 'cannot change the results' "$T/err")"
check "sweep summary of the mixed directory" ism sweep summary "$T/bid" -q
expect_eq "the summary warns, with the count of each build" \
	"iommusim: warning: $T/bid: its finished points come from 2 builds (1 from 00000000, 1 from $build): a difference between them may come from the builds rather than from the sweep" \
	"$(cat "$T/err")"
check "a re-run with nothing left to run" ism sweep "$T/mx.json" -o "$T/bid" -q
expect_eq "still warns: the directory mixes builds" \
	"iommusim: warning: $T/bid: its finished points come from 2 builds (1 from 00000000, 1 from $build): a difference between them may come from the builds rather than from the sweep" \
	"$(grep -v 'cannot change the results' "$T/err")"
# --- A trace with settings of its own ("traces": {"NAME": {"path", "set"}}): its points apply
# them after the sweep's "set" (they are in each point's set, so in its name), the others not.
cat >"$T/own.json" <<EOF2
{ "base": {"mode": "timed"}, "set": {"replay.rate": 2},
  "traces": { "open": { "path": "$G/capacity.csv", "set": { "replay": { "mode": "open" } } },
              "closed": "$G/capacity.csv" },
  "axes": [ { "key": "iommu.iotlb.entries", "values": [8, 16] } ] }
EOF2
check "a trace's own set" ism sweep "$T/own.json" -o "$T/own" -q -j 2
python3 - "$T/own/sweep.json" "$T/own/points" <<'EOF2' && ok "own set: in the open trace's points and results only" || fail "own set"
import json, sys
m = json.load(open(sys.argv[1]))
for p in m["points"]:
    r = json.load(open("%s/%s.json" % (sys.argv[2], p["name"])))
    want = "open" if p["trace"] == "open" else "closed"
    assert p["set"].get("replay.mode", "closed") == want, p
    assert r["config"]["replay"]["mode"] == want and r["config"]["replay"]["rate"] == 2, r["config"]["replay"]
names = [p["name"][5:] for p in m["points"]]
assert len(set(names)) == 4, names  # the same trace file, told apart by the set
EOF2

# --- Axes a trace cannot answer: the invalidation policy acts on UNMAP records only. A capture
# with its own invalidations (INV records) and no UNMAP, and a trace with neither, get a
# warning from --list, --dry-run and a whole run (not from one cluster task, --point);
# a trace with UNMAPs does not.
printf 'time_ns,op,device,pasid,iova,size,paddr\n0,R,1,,0x1000,64,\n10,INV:DOMAIN,1,,0,0,\n20,INV:DOMAIN,1,,0,0,\n30,R,1,,0x1000,64,\n' >"$T/inv.csv"
printf 'time_ns,op,device,pasid,iova,size,paddr\n0,MAP,1,,0x1000,4096,0x80000000\n10,R,1,,0x1000,64,\n20,UNMAP,1,,0x1000,4096,\n' >"$T/unmap.csv"
cat >"$T/inert.json" <<EOF2
{ "base": {"mode": "untimed"},
  "traces": { "qemu": "$T/inv.csv", "nic": "$T/unmap.csv", "cap": "$G/capacity.csv" },
  "axes": [ { "name": "inval", "key": "os.invalidation.policy", "values": ["strict", "lazy", "batched"] },
            { "name": "fq", "key": "os.flush_queue.size", "values": [16, 256] },
            { "key": "iommu.iotlb.entries", "values": [8, 16] } ] }
EOF2
cat >"$T/inert.want" <<EOF2
iommusim: warning: $T/inert.json: axis inval cannot change the results of trace qemu: the trace has no UNMAP record, the only record the invalidation settings act on (its 2 INVAL records, captured invalidations, replay as they were captured); its 4 points at each other value of inval will repeat those at strict
iommusim: warning: $T/inert.json: axis fq cannot change the results of trace qemu: the trace has no UNMAP record, the only record the invalidation settings act on (its 2 INVAL records, captured invalidations, replay as they were captured); its 6 points at 256 will repeat those at 16
iommusim: warning: $T/inert.json: axis inval cannot change the results of trace cap: the trace has no UNMAP record, the only record the invalidation settings act on; its 4 points at each other value of inval will repeat those at strict
iommusim: warning: $T/inert.json: axis fq cannot change the results of trace cap: the trace has no UNMAP record, the only record the invalidation settings act on; its 6 points at 256 will repeat those at 16
EOF2
check "--list with axes some trace cannot answer" ism sweep "$T/inert.json" --list
expect_eq "--list: 36 points on stdout" 36 "$(wc -l <"$T/out" | tr -d ' ')"
cmp -s "$T/err" "$T/inert.want" && ok "--list warns of each axis on each trace without UNMAP" \
	|| { fail "--list warnings"; diff "$T/inert.want" "$T/err" || true; }
check "--dry-run warns too" ism sweep "$T/inert.json" --dry-run -q
cmp -s "$T/err" "$T/inert.want" && ok "--dry-run: the same warnings" || { fail "--dry-run warnings"; diff "$T/inert.want" "$T/err" || true; }
check "a whole run warns too" ism sweep "$T/inert.json" -o "$T/inert" -q -j 2
cmp -s "$T/err" "$T/inert.want" && ok "run: the same warnings" || { fail "run warnings"; diff "$T/inert.want" "$T/err" || true; }
check "--point: no warning" ism sweep "$T/inert.json" --point 0 -o "$T/inert1" -q
[ ! -s "$T/err" ] && ok "--point: one cluster task is quiet" || fail "--point warned: $(cat "$T/err")"
# And the warnings are true: on qemu and cap the policy and the queue size change nothing.
python3 - "$T/inert" <<'EOF2' && ok "the warned axes changed no result" || fail "a warned axis changed a result"
import json, sys
m = json.load(open(sys.argv[1] + "/sweep.json"))
res = {}
for p in m["points"]:
    r = json.load(open("%s/points/%s.json" % (sys.argv[1], p["name"])))
    for k in ("config", "config_digest", "trace", "run", "provenance", "iommusim", "summary"):
        r.pop(k, None)
    r["invalidation"].pop("policy")  # the config's policy, echoed
    res.setdefault((p["trace"], p["labels"]["iommu.iotlb.entries"]), []).append(json.dumps(r, sort_keys=True))
for (t, e), rs in res.items():
    assert (len(set(rs)) == 1) == (t != "nic"), (t, e, len(set(rs)))
EOF2

# os.invalidation.on_map acts on MAPs (a zap at iotlb_sync_map): an axis over it is no warning
# on a trace without UNMAP, and it does change the results (one range command per MAP).
cat >"$T/onmap.json" <<EOF2
{ "base": {"mode": "untimed"}, "traces": { "maps": "$T/maponly.csv" },
  "axes": [ { "key": "os.invalidation.on_map", "values": ["none", "range"] } ] }
EOF2
printf 'time_ns,op,device,pasid,iova,size,paddr\n0,MAP,1,,0x1000,4096,0x80000000\n10,R,1,,0x1000,64,\n' >"$T/maponly.csv"
check "on_map axis on a trace without UNMAP" ism sweep "$T/onmap.json" -o "$T/onmap" -q
[ ! -s "$T/err" ] && ok "on_map: no warning" || fail "on_map warned: $(cat "$T/err")"
expect_eq "on_map: none, then one zap" "0 1" "$(cat "$T"/onmap/points/*.json | python3 -c '
import json, sys
d = json.JSONDecoder(); s = sys.stdin.read(); i = 0; out = []
while i < len(s):
    s2 = s[i:].lstrip()
    if not s2: break
    o, n = d.raw_decode(s2); i = len(s) - len(s2) + n
    out.append(o["invalidation"]["on_map_commands"])
print(*out)')"

# --- Bad sweep files: one message naming the file and the JSON path, exit 3 (bad.cases).
cd "$T"
while IFS="$(printf '\t')" read -r name sweep msg; do
	case $name in '#'* | '') continue ;; esac
	printf '%s\n' "$sweep" >"$name.json"
	set +e
	"$ISM" sweep "$name.json" --list >/dev/null 2>"$T/err"
	rc=$?
	set -e
	got=$(cat "$T/err")
	case $msg in
	*...) [ "${got#"iommusim: ${msg%...}"}" != "$got" ] ;;
	*) [ "$got" = "iommusim: $msg" ] ;;
	esac && [ $rc -eq 3 ] && ok "bad sweep: $name" || fail "bad sweep $name: exit $rc, stderr: $got"
done <"$S/bad.cases"
cd - >/dev/null

# --- Too many points: the count is checked before anything is allocated. 7 axes of 256 values
# and 256 seeds make 2^64 points (a size_t product wraps to 0: it overflowed the heap); 8 axes
# 2^72; 11 values x 10^6 seeds 1.1e7, over the limit of 10^7 without any overflow.
python3 - "$T" <<'EOF'
import json, sys
keys = ["iommu.iotlb.entries", "iommu.walk_cache.l2.entries", "iommu.walk_cache.l3.entries",
        "iommu.walk_cache.l4.entries", "iommu.walk_cache.l5.entries", "memory.latency_ns",
        "iommu.timing.iotlb_hit_ns", "iommu.timing.walk_cache_hit_ns"]
for n in (7, 8):
    axes = [{"key": k, "values": list(range(1, 257))} for k in keys[:n]]
    json.dump({"traces": ["capacity.csv"], "axes": axes, "replicates": 256},
              open("%s/big%d.json" % (sys.argv[1], n), "w"))
EOF
big_axes='iommu.iotlb.entries \(256 values\) x iommu.walk_cache.l2.entries \(256\) x iommu.walk_cache.l3.entries \(256\) x iommu.walk_cache.l4.entries \(256\) x iommu.walk_cache.l5.entries \(256\) x memory.latency_ns \(256\) x iommu.timing.iotlb_hit_ns \(256\)'
expect_fail "2^64 points: refused, not a heap overflow" 3 \
	"^iommusim: .*/big7.json: axes: 1 trace x 256 seeds x $big_axes = about 1.84e\\+19 points: more than the 10000000 a sweep may have" \
	ism sweep "$T/big7.json" --list
expect_fail "2^72 points: refused, not 0 points" 3 \
	"big8.json: axes: 1 trace x 256 seeds x $big_axes x iommu.timing.walk_cache_hit_ns \\(256\\) = about 4.72e\\+21 points" \
	ism sweep "$T/big8.json" --list
printf '{"traces": ["capacity.csv"], "replicates": 1000000, "axes": [{"key": "iommu.iotlb.entries", "values": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "name": "n"}]}\n' >"$T/big11.json"
expect_fail "11 x 10^6 points: refused" 3 \
	"big11.json: axes: 1 trace x 1000000 seeds x n \\(11 values\\) = 11000000 points: more than the 10000000" \
	ism sweep "$T/big11.json" --list

# --- The default output directory: results/<file name without .json>, or the file's "output".
mkdir "$T/cwd"
(cd "$T/cwd" && "$ISM" sweep "$T/reps.json" -q) && [ -f "$T/cwd/results/reps/summary.csv" ] \
	&& ok "default -o: results/reps" || fail "no results/reps/summary.csv"
printf '{"traces": ["capacity.csv"], "output": "out/here"}\n' >"$T/out.json"
(cd "$T/cwd" && "$ISM" sweep "$T/out.json" -q) && [ -f "$T/cwd/out/here/summary.csv" ] \
	&& ok "\"output\" is the default -o" || fail "no out/here/summary.csv"
expect_fail "unwritable output -> 5" 5 'cannot create directory' ism sweep "$T/reps.json" -o /proc/nope/x

# --- Interrupted sweeps: slower points (a 400k-access random trace, timed). SIGTERM stops
# launching and stops the children; kill -9 of the sweep and its children leaves temporaries
# that the next run removes. Finished points are kept and not run again.
printf '{"workload": "random-window", "accesses": 400000, "window": "4M"}\n' >"$T/slow-gen.json"
ism trace gen "$T/slow-gen.json" -o "$T/slow.iot" -q
printf '{"base": {"mode": "timed"}, "traces": ["slow.iot"], "axes": [{"key": "iommu.iotlb.entries", "values": [8, 16, 32, 64, 128, 256, 512, 1024]}]}\n' >"$T/slow.json"
ism sweep "$T/slow.json" --list >"$T/slow.list"
# wait_points DIR N: until N point files exist (at most 20 s).
wait_points() {
	i=0
	while [ "$(ls "$1/points" 2>/dev/null | grep -c '^[^.].*[0-9a-f]\.json$')" -lt "$2" ] && [ $i -lt 400 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}
no_tmp() { ! ls -a "$1" "$1/points" | grep -q '\.tmp\.'; }
command -v pgrep >/dev/null || echo "note - no pgrep (Debian: procps): the point processes are not killed, only the sweep"
"$ISM" sweep "$T/slow.json" -o "$T/k" -j 2 -q &
pid=$!
wait_points "$T/k" 1
kill -TERM $pid 2>/dev/null || true
set +e
wait $pid
rc=$?
set -e
done1=$(ls "$T/k/points" | grep -c '\.json$' || true)
if [ $rc -eq 143 ]; then
	ok "SIGTERM: the sweep dies of it ($done1 of 8 done)"
	# the sweep waited for its children: nothing is written after it has gone
	sleep 0.3
	no_tmp "$T/k" && ok "SIGTERM: no temporary left" || fail "SIGTERM left a temporary: $(ls -a "$T/k/points")"
	expect_eq "SIGTERM: no point finished after the sweep stopped" "$done1" "$(ls "$T/k/points" | grep -c '\.json$' || true)"
else
	echo "note - the sweep finished (exit $rc) before SIGTERM; not checked"
fi
"$ISM" sweep "$T/slow.json" -o "$T/k" -j 2 -q &
pid=$!
wait_points "$T/k" $((done1 + 1))
kids=$(pgrep -P $pid 2>/dev/null || true)
kill -9 $pid $kids 2>/dev/null || true
set +e
wait $pid 2>/dev/null
set -e
sleep 0.2
done2=$(ls "$T/k/points" | grep -c '^[^.].*\.json$' || true)
echo "# kill -9 with $done2 of 8 points done; temporaries: $(ls -a "$T/k/points" | grep -c '\.tmp\.' || true)"
cp -r "$T/k/points" "$T/k-killed"
# A point killed by a signal is a failed point: recorded, and the sweep says so.
"$ISM" sweep "$T/slow.json" -o "$T/crash" --point 7 -q 2>"$T/crash.err" &
pid=$!
i=0
kid=
while [ -z "$kid" ] && [ $i -lt 250 ]; do
	kid=$(pgrep -P $pid 2>/dev/null || true)
	[ -n "$kid" ] || sleep 0.02
	i=$((i + 1))
done
[ -n "$kid" ] && kill -9 $kid 2>/dev/null || true
set +e
wait $pid
rc=$?
set -e
if [ -n "$kid" ] && [ $rc -eq 1 ]; then
	grep -q 'failed: killed by signal 9' "$T/crash.err" && ok "a point killed by SIGKILL failed" \
		|| fail "killed point: $(cat "$T/crash.err")"
	python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); assert e["exit"] == 137 and "signal 9" in e["message"]' \
		"$T/crash/points/$(sed -n 8p "$T/slow.list" | cut -f2).error.json" \
		&& ok "its error file: exit 137" || fail "no error file for the killed point"
else
	echo "note - the point finished (exit $rc) before it could be killed; not checked"
fi
check "re-run after kill -9 completes" ism sweep "$T/slow.json" -o "$T/k" -j 2
grep -q ": $((8 - done2)) ran ($((8 - done2)) ok, 0 failed), $done2 skipped" "$T/err" \
	&& ok "re-run ran only the $((8 - done2)) unfinished points" || fail "re-run: $(cat "$T/err")"
no_tmp "$T/k" && ok "no temporary left after the re-run" || fail "temporaries: $(ls -a "$T/k/points")"
kept=0
for f in "$T/k-killed"/*.json; do
	[ -e "$f" ] && cmp -s "$f" "$T/k/points/$(basename "$f")" && kept=$((kept + 1))
done
expect_eq "finished points kept byte for byte" "$done2" "$kept"
expect_eq "all 8 ok" 8 "$(grep -c ',ok,' "$T/k/summary.csv")"
# A nested guest's invalidation mode acts on its unmaps too: warned of on a trace without one.
cat >"$T/ninert.json" <<EOF2
{ "base": {"mode": "untimed", "iommu": {"nested": {"enabled": true}}},
  "traces": { "nic": "$T/unmap.csv", "cap": "$G/capacity.csv" },
  "axes": [ { "name": "guest inv", "key": "os.nested.invalidation", "values": ["trap", "hw"] } ] }
EOF2
check "--list of a nested guest's invalidation axis" ism sweep "$T/ninert.json" --list
expect_eq "os.nested.invalidation: warned of on the trace without UNMAP only" \
	"iommusim: warning: $T/ninert.json: axis guest inv cannot change the results of trace cap: the trace has no UNMAP record, the only record the invalidation settings act on; its 1 points at hw will repeat those at trap" \
	"$(cat "$T/err")"

finish
