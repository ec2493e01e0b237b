# Where presets and workload specs come from: the build tree's binary reads the source tree
# (named by iommusim.srcdir beside it); any other binary, an installed one, only $(pkgdatadir).
# Names given on the command line are looked up like "extends" looks up a preset.
. "${ISM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/setup"
unset IOMMUSIM_CONFIG_PATH

# The build tree's binary: presets, configs, sweeps and specs by name, from the source tree.
expect_eq "the build tree's binary has its marker" "$ISM_SRCDIR" \
	"$(cat "$(dirname "$ISM")/iommusim.srcdir")"
check "config check hw/vtd-default (a preset by name)" ism config check hw/vtd-default
check "config show demo.json (configs/demo.json by name)" ism config show demo.json
expect_eq "demo.json by name extends the source tree's vtd-default" 64 \
	"$(sed -n 's/^      "entries": \([0-9]*\),$/\1/p' "$T/out" | head -1)"
check "run hw/qemu-vtd by name" ism run hw/qemu-vtd -t "$ISM_SRCDIR/tests/golden/capacity.csv" \
	--set mode=untimed -q
check "trace gen random-16M.json (a bundled spec by name)" \
	ism trace gen random-16M.json -o "$T/r.iot.gz" --set accesses=1000 -q
ism trace gen "$ISM_SRCDIR/traces/random-16M.json" -o "$T/r2.iot.gz" --set accesses=1000 -q
check "the same trace as from the spec's path" cmp "$T/r.iot.gz" "$T/r2.iot.gz"
check "trace gen random-16M (.json implied)" ism trace gen random-16M -o "$T/r3.iot.gz" --set accesses=1000 -q
check "sweep sweeps/demo.json --list (a sweep file by name)" ism sweep sweeps/demo.json --list
# A file in the current directory wins over a bundled one of the same name.
mkdir "$T/cwd"
printf '{ "workload": "stream", "accesses": 10, "size": "64K" }\n' >"$T/cwd/random-16M.json"
(cd "$T/cwd" && ism trace gen random-16M.json -o "$T/mine.iot" -q)
expect_eq "a spec in the current directory wins" 10 "$(ism trace info "$T/mine.iot" | awk '$1 == "records" { print $2 }')"
# Written as a path (./, ../, /): taken as it is, never looked up.
expect_fail "./random-16M.json is a path, not a name" 3 "cannot read the spec" \
	ism trace gen ./random-16M.json -o "$T/x.iot"
expect_fail "an unknown name says where it looked" 3 \
	"^iommusim: no-such-spec: no such file, nor a bundled spec of that name \(looked for no-such-spec\.json in $ISM_SRCDIR/traces\)$" \
	ism trace gen no-such-spec -o "$T/x.iot"
expect_fail "an unknown config name says where it looked" 3 \
	"^iommusim: hw/nope: no such file, nor a config of that name \(looked for hw/nope\.json in $ISM_SRCDIR/configs\)$" \
	ism run hw/nope -t "$T/r.iot.gz"

# A copy of the binary elsewhere, without the marker, is what `make install` puts in $(bindir):
# it must not read the source tree it was built from.
mkdir "$T/bin" "$T/tree" "$T/tree/configs" "$T/tree/configs/hw" "$T/tree/traces"
cp "$ISM" "$T/bin/iommusim"
printf '{ "extends": "hw/vtd-default" }\n' >"$T/uses.json"
# Where it looks: the message for a name found nowhere lists the one data directory.
expect_fail "an installed binary looks names up in \$(pkgdatadir)/configs" 3 \
	"looked for hw/nope\.json in /.*/configs\)$" "$T/bin/iommusim" config check hw/nope
data=$(sed -n 's|.*looked for hw/nope\.json in \(/.*\)/configs)$|\1|p' "$T/err")
case $data in
"$ISM_SRCDIR"*) fail "an installed binary's data directory is the source tree: $data" ;;
*) ok "an installed binary's data directory, $data, is not the source tree" ;;
esac
# A preset only the source tree has (unless an installed copy exists) is not found.
if [ -f "$data/configs/hw/vtd-default.json" ]; then
	check "extends hw/vtd-default: the installed preset" "$T/bin/iommusim" config check "$T/uses.json"
else
	expect_fail "an installed binary does not read the source tree's presets" 3 \
		"looked for hw/vtd-default\.json in $T, $data/configs\)$" \
		"$T/bin/iommusim" config check "$T/uses.json"
fi
if [ -f "$data/traces/random-16M.json" ]; then
	check "trace gen random-16M.json: the installed spec" \
		"$T/bin/iommusim" trace gen random-16M.json -o "$T/x.iot" --set accesses=10 -q
else
	expect_fail "an installed binary does not read the source tree's specs" 3 \
		"looked for random-16M\.json in $data/traces\)$" \
		"$T/bin/iommusim" trace gen random-16M.json -o "$T/x.iot"
fi
# With a marker beside it, the copy reads the tree the marker names, and only that one.
echo "$T/tree" >"$T/bin/iommusim.srcdir"
printf '{ "iommu": { "iotlb": { "entries": 32 } } }\n' >"$T/tree/configs/hw/only-here.json"
printf '{ "workload": "stream", "accesses": 7, "size": "64K" }\n' >"$T/tree/traces/tiny.json"
check "the marker's tree: a preset by name" "$T/bin/iommusim" config check hw/only-here
check "the marker's tree: a spec by name" "$T/bin/iommusim" trace gen tiny -o "$T/t.iot" -q
expect_eq "the marker's tree: that spec" 7 "$(ism trace info "$T/t.iot" | awk '$1 == "records" { print $2 }')"
expect_fail "the marker's tree only: no source tree preset" 3 \
	"looked for hw/vtd-default\.json in $T, $T/tree/configs\)$" "$T/bin/iommusim" config check "$T/uses.json"
# $IOMMUSIM_CONFIG_PATH comes before the data directory.
mkdir -p "$T/site/hw"
printf '{ "iommu": { "iotlb": { "entries": 16 } } }\n' >"$T/site/hw/only-here.json"
IOMMUSIM_CONFIG_PATH="$T/site" "$T/bin/iommusim" config show hw/only-here >"$T/out"
expect_eq "\$IOMMUSIM_CONFIG_PATH first" 16 \
	"$(sed -n 's/^      "entries": \([0-9]*\),$/\1/p' "$T/out" | head -1)"

finish
