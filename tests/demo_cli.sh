# scripts/demo --out DIR: everything it makes (traces, points, plots, report) goes to DIR and
# nothing outside DIR is touched, also when a new binary makes it start afresh. Run in a copy of
# the tree's layout with a four-point demo sweep, so that it takes seconds.
. "${ISM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/setup"
. "$ISM_SRCDIR/tests/plot_helpers"
have_gnuplot

top="$T/top"
mkdir -p "$top/scripts" "$top/configs/sweeps" "$top/results/demo/traces" "$top/results/demo/points"
cp "$ISM_SRCDIR/scripts/demo" "$top/scripts/"
cp -R "$ISM_SRCDIR/configs/hw" "$ISM_SRCDIR/configs/demo.json" "$top/configs/"
ln -s "$ISM_SRCDIR/traces" "$top/traces"
# The demo sweep's traces, made by the sweep as the real one's are: a spec and the QEMU excerpt.
cat >"$top/configs/sweeps/demo.json" <<'EOF'
{ "description": "demo_cli.sh: four points", "base": "../demo.json",
  "set": { "mode": "untimed", "baseline": ["passthrough"] },
  "traces": { "qemu-vtd": { "import": "../../traces/qemu-vtd-excerpt.log.gz", "from": "qemu" },
              "random-16M": { "gen": "../../traces/random-16M.json" } },
  "axes": [ { "key": "iommu.iotlb.entries", "values": [16, 64] } ],
  "output": "results/demo" }
EOF
# What a user already has under the tree's results/demo must survive a demo into another DIR.
echo keep >"$top/results/demo/traces/mine.iot.gz"
echo keep >"$top/results/demo/points/mine.json"

check "demo --out DIR" sh "$top/scripts/demo" --no-build --bin "$ISM" --out "$T/demo" -j 2
expect_eq "the traces were made (and described) in DIR/traces" \
	"qemu-vtd.info.json qemu-vtd.iot.gz random-16M.info.json random-16M.iot.gz" \
	"$(ls "$T/demo/traces" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "DIR/summary.csv: all four points ok" 4 "$(grep -c '^[^,]*,ok,' "$T/demo/summary.csv")"
for f in report.html plots/missrate.svg; do
	[ -s "$T/demo/$f" ] && ok "DIR/$f" || fail "no DIR/$f"
done
expect_eq "the tree's results/demo untouched" "keep keep" \
	"$(cat "$top/results/demo/traces/mine.iot.gz" "$top/results/demo/points/mine.json" | tr '\n' ' ' | sed 's/ $//')"
# The same traces as `trace gen` and `trace import` make by hand.
ism trace gen "$ISM_SRCDIR/traces/random-16M.json" -o "$T/r.iot.gz" -q
check "DIR/traces/random-16M.iot.gz = trace gen of the spec" cmp "$T/r.iot.gz" "$T/demo/traces/random-16M.iot.gz"

# Another binary (a rebuild): the demo starts afresh in DIR, and still only there.
cp "$ISM" "$T/iommusim"
echo >>"$T/iommusim"
touch "$T/demo/traces/random-16M.iot.gz.old-binary"
check "demo --out DIR with a new binary" sh "$top/scripts/demo" --no-build --bin "$T/iommusim" --out "$T/demo"
[ ! -e "$T/demo/traces/random-16M.iot.gz.old-binary" ] && ok "a new binary: DIR/traces made afresh" ||
	fail "a new binary kept DIR/traces"
expect_eq "a new binary: all four points again" 4 "$(grep -c '^[^,]*,ok,' "$T/demo/summary.csv")"
expect_eq "a new binary: the tree's results/demo still untouched" "keep keep" \
	"$(cat "$top/results/demo/traces/mine.iot.gz" "$top/results/demo/points/mine.json" | tr '\n' ' ' | sed 's/ $//')"

# --sweep FILE: another study the same way, into results/NAME of the tree by default.
cat >"$top/configs/sweeps/mini.json" <<'EOF'
{ "description": "demo_cli.sh: two points of another sweep", "base": "../demo.json",
  "set": { "mode": "untimed" },
  "traces": { "random-16M": { "gen": "../../traces/random-16M.json" } },
  "axes": [ { "key": "iommu.iotlb.entries", "values": [16, 64] } ] }
EOF
check "demo --sweep FILE" sh "$top/scripts/demo" --no-build --bin "$ISM" --sweep "$top/configs/sweeps/mini.json"
expect_eq "results/mini/summary.csv: both points ok" 2 "$(grep -c '^[^,]*,ok,' "$top/results/mini/summary.csv")"
[ -s "$top/results/mini/report.html" ] && ok "results/mini/report.html" || fail "no results/mini/report.html"
expect_fail "demo --sweep of a missing file" 2 "no such file" sh "$top/scripts/demo" --no-build --bin "$ISM" --sweep "$top/nope.json"
finish
