# Whole curves in one pass (stats.curve, curve passes of a sweep), checked against an independent
# model: each IOTLB size run on its own. Every row of iotlb.curve must equal the run of its
# geometry exactly, and a sweep's curve pass must write the same point files as its points run
# one by one (--no-curve), on several traces: random, stream, a NIC with MAP/UNMAP under lazy
# and strict invalidation, 2 MiB pages, several domains, and a trace made to stress stale
# translations, permissions and captured invalidations.
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"
S=$ISM_SRCDIR
DEMO="$S/configs/demo.json"

# --- traces (small: every size also runs on its own)
ism trace gen "$S/traces/random-16M.json" --set accesses=20000 -o "$T/random.iot.gz" -q
ism trace gen "$S/traces/stream-64M.json" --set accesses=20000 -o "$T/stream.iot.gz" -q
ism trace gen "$S/traces/nic-10g-per-packet.json" --set packets=1500 -o "$T/nic.iot.gz" -q
ism trace gen "$S/traces/multi-tenant-8dev.json" --set accesses=20000 -o "$T/tenants.iot.gz" -q
# A trace no IOTLB size can tell apart by what it references (no DMA after an UNMAP), but with
# everything that makes the sizes differ otherwise: 4K and 2M mappings, remaps of an IOVA
# with other permissions before a lazy flush (stale hits whose cached permissions are not the
# new mapping's), captured invalidations of every kind, two devices sharing a domain, a device
# mapped on first touch.
python3 - 7 4000 >"$T/stress.csv" <<'EOF'
import random, sys
rnd = random.Random(int(sys.argv[1]))
print("time_ns,op,device,pasid,iova,size,paddr,cpu,domain")
t = 0
def out(*f):
    global t
    t += rnd.randint(1, 3000)
    print(",".join([str(t)] + [str(x) for x in f]))
out("ATTACH", 1, "", "", "", "", 0, 7)
out("ATTACH", 2, "", "", "", "", 0, 7)
slots = []
for dev, base in ((1, 0x10000000), (3, 0x20000000)):
    for i in range(12):
        sz = 0x200000 if i % 4 == 0 else 0x1000
        iova = base + i * 0x200000 + (0 if sz > 0x1000 else rnd.randrange(512) * 0x1000)
        slots.append([dev, iova, sz, False])
pa = 0x100000000
for _ in range(int(sys.argv[2])):
    x, s = rnd.random(), rnd.choice(slots)
    dev, iova, sz, mapped = s
    if x < 0.12:
        if mapped:
            out("UNMAP", dev, "", hex(iova), sz, "", rnd.randrange(2), "")
        else:
            pa += 0x200000
            out(rnd.choice(("MAP:R", "MAP:W", "MAP")), dev, "", hex(iova), sz, hex(pa), rnd.randrange(2), "")
        s[3] = not mapped
    elif x < 0.14:
        k = rnd.random()
        if k < 0.5:
            out("INV", dev, "", hex(iova), sz, "", 0, "")
        elif k < 0.8:
            out("INV:DOMAIN", dev, "", "", "", "", 0, "")
        elif k < 0.9:
            out("INV:LEAF", "", "", hex(iova), 0x1000, "", 0, 7)
        else:
            out("INV:GLOBAL", "", "", "", "", "", 0, "")
    elif x < 0.2:
        out(rnd.choice("RW"), 4, "", hex(0x40000000 + rnd.randrange(300) * 0x1000 + rnd.randrange(4000)), 64, "", "", "")
    elif mapped:
        off = rnd.randrange(sz - 1)
        out(rnd.choice("RW"), dev if dev == 3 else rnd.choice((1, 2)), "", hex(iova + off),
            min(rnd.choice((64, 256, 1500, 6000)), sz - off), "", "", "")
EOF

# --- every row of the curve against the run of its geometry
# rows TRACE CURVE_SETTINGS -- RUN_SETTINGS...: run once with the curve, then each of its rows
# alone; lookups and misses must agree, and the curve must say it is exact.
rows() {
	trace=$1 curve=$2
	shift 3
	# shellcheck disable=SC2086 # CURVE_SETTINGS is split on spaces by design
	ism run "$DEMO" -t "$trace" --set mode=untimed $curve "$@" --format flat -q -o "$T/curve.flat"
	name="$(basename "$trace") $curve $*"
	expect_eq "$name: the curve is exact" true "$(kv "$T/curve.flat" iotlb.curve_exact)"
	bad=0
	i=0
	while [ "$(kv "$T/curve.flat" "iotlb.curve.$i.entries")" != "<missing>" ]; do
		e=$(kv "$T/curve.flat" "iotlb.curve.$i.entries")
		w=$(kv "$T/curve.flat" "iotlb.curve.$i.ways")
		ism run "$DEMO" -t "$trace" --set mode=untimed "$@" --set iommu.iotlb.entries="$e" \
			--set iommu.iotlb.ways="$w" --format flat -q -o "$T/alone.flat"
		for k in lookups misses; do
			want=$(kv "$T/alone.flat" "iotlb.$k")
			got=$(kv "$T/curve.flat" "iotlb.curve.$i.$k")
			[ "$want" = "$got" ] || { fail "$name: $e entries, $w ways: $k $got, alone $want"; bad=1; }
		done
		i=$((i + 1))
	done
	[ $i -gt 1 ] || fail "$name: the curve has $i rows"
	[ $bad -eq 0 ] && ok "$name: each of the $i rows is its size run alone"
}
LIST='--set stats.curve=[1,2,3,4,8,16,64,256,1024,4096]'
rows "$T/random.iot.gz" "$LIST" --
rows "$T/random.iot.gz" "--set stats.curve=[8,16,64,256,1024,4096] --set stats.curve_ways=8" --
rows "$T/random.iot.gz" "--set stats.curve=[8,16,64,256,1024] --set stats.curve_sets=8" -- \
	--set os.first_touch_page_size=2M
rows "$T/stream.iot.gz" "--set stats.curve=[4,64,256] --set stats.curve_ways=4" --
rows "$T/nic.iot.gz" "$LIST" -- --set os.invalidation.policy=lazy
rows "$T/nic.iot.gz" "--set stats.curve=[2,8,32,128] --set stats.curve_ways=2" -- \
	--set os.invalidation.policy=strict
rows "$T/tenants.iot.gz" "--set stats.curve=[4,16,64,256] --set stats.curve_sets=4" --
rows "$T/stress.csv" "$LIST" -- --set os.invalidation.policy=lazy --set os.flush_queue.size=16
rows "$T/stress.csv" "--set stats.curve=[2,4,8,16,64,256] --set stats.curve_ways=2" -- \
	--set os.invalidation.policy=batched
rows "$T/stress.csv" "--set stats.curve=[4,8,16,64,256] --set stats.curve_sets=4" -- \
	--set os.invalidation.policy=strict --set os.first_touch=always

# The other forms: JSON rows, the summary's line.
check "run with stats.curve=true (JSON)" ism run "$DEMO" -t "$T/nic.iot.gz" --set mode=untimed \
	--set stats.curve=true -q -o "$T/curve.json"
expect_eq "true is 1, 2, 4 ... 65536 entries, fully associative" \
	"17 1 1 65536 65536 1" "$(python3 -c "
import json; c = json.load(open('$T/curve.json'))['iotlb']['curve']
print(len(c), c[0]['entries'], c[0]['ways'], c[-1]['entries'], c[-1]['ways'], c[-1]['sets'])")"
check "the summary shows the curve" ism run "$DEMO" -t "$T/nic.iot.gz" --set mode=untimed \
	--set stats.curve=[64,128] --set stats.curve_sets=8 --format text -o "$T/text"
grep -q "curve     LRU miss rate by IOTLB entries (ways): 64 (8) [0-9.]*%, 128 (16) [0-9.]*%" "$T/text" \
	&& ok "the summary lists each size with its ways" || { fail "no curve line"; cat "$T/text"; }

# A DMA after its UNMAP that the larger sizes still translate (inv-lazy's stale hit): the sizes
# no longer reference one translation. The run says so, and the rows are marked not exact.
expect_fail "a divergent curve warns" 0 "warning: .*iotlb.curve is not exact: in 1 lookups" \
	ism run "$S/tests/golden/inv-lazy.json" --set stats.curve=[1,2,4] --format flat -q \
	-o "$T/div.flat"
expect_eq "a divergent curve is not exact" "false 1" \
	"$(kv "$T/div.flat" iotlb.curve_exact) $(kv "$T/div.flat" iotlb.curve_divergent_lookups)"

# --- sweeps: one curve pass per group of points alike but for the IOTLB's entries and ways
# same NAME DIR_A DIR_B: every point file of A has the bytes of B's but for the values of
# run.* (wall_s, accesses_per_s, records_per_s, max_rss_kb, points: the wall clock and memory of
# the process that wrote it, and how many points it wrote) and provenance (its host, date,
# command line and directory), and the summaries are the same bytes.
same() {
	if python3 - "$2" "$3" <<'EOF'; then ok "$1: every point file the same bytes (run.* aside), summary.csv too"; else fail "$1: results differ"; fi
import os, re, sys
a, b = sys.argv[1], sys.argv[2]
names = sorted(os.listdir(a + "/points"))
if names != sorted(os.listdir(b + "/points")) or not names:
    print("    point files differ:", names); sys.exit(1)
run = re.compile(rb'("(wall_s|accesses_per_s|records_per_s|max_rss_kb|points)": )[-0-9.e+]+')
prov = re.compile(rb'"provenance": \{[^}]*\}')  # host, date, command line, directory
def norm(x):
    return prov.sub(b'"provenance": {}', run.sub(rb"\1X", x))
for n in names:
    x, y = (open(d + "/points/" + n, "rb").read() for d in (a, b))
    if norm(x) != norm(y) or not x.rstrip().endswith(b"}"):
        xl, yl = norm(x).split(b"\n"), norm(y).split(b"\n")
        d = next((i for i in range(min(len(xl), len(yl))) if xl[i] != yl[i]), None)
        print("    " + n + " differs" + ("" if d is None else ": %r / %r" % (b"|".join(xl[max(0,d-12):d+1])[-600:], yl[d][:120])))
        sys.exit(1)
if open(a + "/summary.csv", "rb").read() != open(b + "/summary.csv", "rb").read():
    print("    summary.csv differs"); sys.exit(1)
EOF
}
# passes DIR: how many replays wrote the points (a pass's points share its figures).
passes() {
	python3 -c "
import json, os
from fractions import Fraction
d = '$1/points'
runs = [json.load(open(d + '/' + n))['run'] for n in os.listdir(d) if not n.endswith('.error.json')]
# A pass's N points each say run.points N, and share its wall clock: together, one replay.
# Another replay as long may read the same wall clock (with CLOCK_MONOTONIC in 100 us steps,
# a third of the runs of the sweep below had one): at least N points, not exactly N, have it.
for r in runs:
    if r['points'] > 1 and sum(x['wall_s'] == r['wall_s'] for x in runs) < r['points']:
        print('a pass of', r['points'], 'points whose wall clock other points do not share'); break
else:
    print(sum(Fraction(1, r['points']) for r in runs))"
}
cat >"$T/sweep.json" <<EOF
{ "base": "$DEMO", "set": { "mode": "untimed" },
  "traces": { "random": "$T/random.iot.gz", "nic": "$T/nic.iot.gz", "tenants": "$T/tenants.iot.gz",
              "stress": "$T/stress.csv" },
  "axes": [ { "name": "tlb",
              "zip": [ { "key": "iommu.iotlb.entries", "values": [4, 8, 16, 64, 8, 32, 128, 16] },
                       { "key": "iommu.iotlb.ways", "values": [1, 2, 4, 16, 8, 32, 128, 8] } ] },
            { "key": "os.invalidation.policy", "values": ["lazy", "strict"] } ] }
EOF
check "sweep (curve passes)" ism sweep "$T/sweep.json" -o "$T/pass" -j 2 -q
# The policy axis cannot change the traces without UNMAP (random, tenants): the sweep says so;
# nothing else (no pass fell back).
grep -v 'cannot change the results of trace \(random\|tenants\): the trace has no UNMAP' "$T/err" >"$T/err2" || true
[ ! -s "$T/err2" ] && ok "no pass fell back to points one by one" || { fail "sweep said"; cat "$T/err2"; }
check "sweep --no-curve" ism sweep "$T/sweep.json" -o "$T/alone" -j 2 --no-curve
same "4 traces x 8 geometries x 2 policies" "$T/pass" "$T/alone"
# Per trace and policy: a pass over the four of 4 sets, one over the three fully associative
# ones, and the one of 2 sets alone.
expect_eq "one pass per trace, policy and set count (16 passes, 8 points alone)" 24 "$(passes "$T/pass")"
expect_eq "run one by one, every point has its own run.*" 64 "$(passes "$T/alone")"

# Fully associative sizes zipped, 2 MiB pages on first touch, the stream trace.
cat >"$T/sweep2.json" <<EOF
{ "base": "$DEMO", "set": { "mode": "untimed", "os.first_touch_page_size": "2M" },
  "traces": ["$T/stream.iot.gz", "$T/random.iot.gz"],
  "axes": [ { "name": "tlb", "zip": [ { "key": "iommu.iotlb.entries", "values": [1, 2, 8, 32] },
                                      { "key": "iommu.iotlb.ways", "values": [1, 2, 8, 32] } ] } ] }
EOF
check "sweep of fully associative sizes" ism sweep "$T/sweep2.json" -o "$T/pass2" -j 1 -q
check "the same --no-curve" ism sweep "$T/sweep2.json" -o "$T/alone2" -j 1 --no-curve
same "2 traces x 4 fully associative sizes, 2M pages" "$T/pass2" "$T/alone2"
expect_eq "one pass per trace" 2 "$(passes "$T/pass2")"

# A pass that is not exact writes nothing and its points run one by one: the same files still.
cat >"$T/sweep3.json" <<EOF
{ "base": "$S/tests/golden/inv-lazy.json",
  "axes": [ { "name": "tlb", "zip": [ { "key": "iommu.iotlb.entries", "values": [1, 2, 4] },
                                      { "key": "iommu.iotlb.ways", "values": [1, 2, 4] } ] } ] }
EOF
check "sweep whose pass is not exact" ism sweep "$T/sweep3.json" -o "$T/pass3" -j 1
grep -q "curve pass over 3 points of trace inv-lazy: the one pass was not exact (1 lookups.*running 3 of them one by one" "$T/err" \
	&& ok "the sweep says why its points ran one by one" || { fail "no note"; cat "$T/err"; }
check "the same --no-curve" ism sweep "$T/sweep3.json" -o "$T/alone3" -j 1 --no-curve
same "a divergent pass" "$T/pass3" "$T/alone3"
expect_eq "each point then ran alone" 3 "$(passes "$T/pass3")"

# Resuming: a pass over what is left.
rm "$T/pass/points/$(ls "$T/pass/points" | sed -n 3p)" "$T/pass/points/$(ls "$T/pass/points" | sed -n 9p)"
check "resume a sweep of curve passes" ism sweep "$T/sweep.json" -o "$T/pass" -j 2
same "resumed" "$T/pass" "$T/alone"
finish
