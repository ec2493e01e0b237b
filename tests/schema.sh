# The result document against its JSON Schema (docs/result.schema.json): the schema is a valid
# JSON Schema (draft 2020-12), every golden run (timed and untimed), every preset with every
# baseline, IOVA allocation and a timeline, the test traces of tests/data/run and
# tests/data/baseline, and the points of a sweep validate against it; and it refuses a result
# with a key it does not name, or a value of the wrong type (it can fail).
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"
SCHEMA="$ISM_SRCDIR/docs/result.schema.json"
G="$ISM_SRCDIR/tests/golden"
py=""
for p in python3 /usr/bin/python3; do
	"$p" -c 'import jsonschema' 2>/dev/null && { py=$p; break; }
done
if [ -z "$py" ]; then
	[ "${ISM_REQUIRE_DIST_TESTS:-0}" = 1 ] && { fail "python3-jsonschema is required here (ISM_REQUIRE_DIST_TESTS=1)"; finish; }
	echo "SKIP: no Python jsonschema (Debian: python3-jsonschema; scripts/deps installs it)"
	exit 77
fi
# validate FILE...: one line per file with its first errors; exit 1 when any fails.
validate() {
	"$py" - "$SCHEMA" "$@" <<'EOF2'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
bad = 0
for f in sys.argv[2:]:
    errs = sorted(v.iter_errors(json.load(open(f))), key=lambda e: list(e.path))
    if errs:
        bad += 1
        print("%s: %s" % (f, "; ".join("%s: %s" % (e.json_path, e.message[:200]) for e in errs[:3])))
sys.exit(1 if bad else 0)
EOF2
}

"$py" -c 'import json, sys, jsonschema; jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))' "$SCHEMA" \
	&& ok "docs/result.schema.json is a JSON Schema (draft 2020-12)" || fail "the schema is not a valid JSON Schema"

mkdir -p "$T/r"
n=0 nfail=0
# mk NAME ARGS...: iommusim run ARGS into $T/r/NAME.json
mk() {
	name=$1; shift
	if ism run "$@" -q -o "$T/r/$name.json" 2>"$T/err"; then n=$((n + 1))
	else nfail=$((nfail + 1)); echo "# $name: $(head -1 "$T/err")"; fi
}
for cfg in "$G"/*.json; do
	for m in timed untimed; do
		mk "golden-$(basename "$cfg" .json)-$m" "$cfg" --set mode=$m
	done
done
for hw in "$ISM_SRCDIR"/configs/hw/*.json; do
	b=$(basename "$hw" .json)
	mk "hw-$b" "$hw" -t "$G/inv-lazy.csv" --set 'baseline=["passthrough","swiotlb","cma"]' \
		--set iova.remap=linux --set mode=timed --set stats.interval_us=1
	mk "hw-$b-untimed" "$hw" -t "$D/run/devices.csv" --set mode=untimed
done
for tr in "$D"/run/*.csv "$D"/baseline/*.csv; do
	mk "data-$(basename "$tr" .csv)" "$D/baseline/base.json" -t "$tr" --set mode=timed \
		--set stats.interval_us=5
done
# The knobs that add keys of their own: a whole curve, the shared command queue with CPUs
# replayed concurrently, the IOTLB's lookup ports, the data-link overhead, walk latency.
mk "curve" "$ISM_SRCDIR/configs/hw/vtd-default.json" -t "$G/capacity.csv" --set mode=untimed \
	--set stats.curve=true
mk "cmdq-ports" "$ISM_SRCDIR/configs/hw/vtd-default.json" -t "$G/inv-lazy.csv" \
	--set iommu.cmdq.shared=true --set iommu.cmdq.command_ns=10 --set replay.cpus=concurrent \
	--set iommu.timing.iotlb_lookups_per_ns=1 --set device.data_link=spec \
	--set memory.walk_latency_ns=50
ism sweep "$ISM_SRCDIR/tests/data/sweep/grid.json" -o "$T/sw" -q -j 2
cp "$T"/sw/points/*.json "$T/r/"
total=$(ls "$T/r" | wc -l)
[ "$nfail" -eq 0 ] && ok "$n runs made results, and a sweep its $((total - n)) points" || fail "$nfail runs failed"
if validate "$T"/r/*.json >"$T/bad"; then ok "all $total results validate against the schema"
else fail "results that do not validate: $(wc -l <"$T/bad")"; head -5 "$T/bad"; fi

# Controls: the schema refuses what it does not describe.
one="$T/r/hw-vtd-default.json"
"$py" -c 'import json, sys; d = json.load(open(sys.argv[1])); d["iotlb"]["misses_by_colour"] = 1; json.dump(d, open(sys.argv[2], "w"))' "$one" "$T/extra.json"
validate "$T/extra.json" >"$T/out" && fail "an unknown key validates" || ok "an unknown key is refused: $(cut -c1-90 "$T/out" | sed 's|.*: \$|$|')"
"$py" -c 'import json, sys; d = json.load(open(sys.argv[1])); d["dma"]["throughput_gbps"] = "fast"; json.dump(d, open(sys.argv[2], "w"))' "$one" "$T/type.json"
validate "$T/type.json" >/dev/null && fail "a string throughput validates" || ok "a value of the wrong type is refused"
"$py" -c 'import json, sys; d = json.load(open(sys.argv[1])); del d["provenance"]; json.dump(d, open(sys.argv[2], "w"))' "$one" "$T/noprov.json"
validate "$T/noprov.json" >/dev/null && fail "a result without provenance validates" || ok "a result without provenance is refused"
finish
