# The hardware presets (configs/hw/): each loads, runs, is documented and installed, and the
# presets of each page-table format give the figures worked by hand in tests/data/presets/cases.
. "${ISM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/setup"
P="$ISM_SRCDIR/configs/hw"
TAB=$(printf '\t')

# --- every preset: checks, runs in its own mode, and is listed where a reader looks for it
# (not $name: check() and expect_fail() set it)
for f in "$P"/*.json; do
	hw=$(basename "$f" .json)
	check "$hw: config check" ism config check "$f"
	# Six 64-byte reads below 24 KiB, no MAP (first touch): in every format's range.
	check "$hw: runs a trace" ism run "$f" -t "$ISM_SRCDIR/tests/golden/capacity.csv" -q \
		--format flat -o "$T/$hw.flat"
	expect_eq "$hw: 6 lookups, no fault" "6 0" "$(kv "$T/$hw.flat" iotlb.lookups) $(kv "$T/$hw.flat" faults)"
	grep -q "\`hw/$hw\`" "$ISM_SRCDIR/docs/config.md" && ok "$hw: in docs/config.md's presets" ||
		fail "$hw: docs/config.md does not list \`hw/$hw\` (src/config/config_keys.c config_doc_intro)"
	grep -q "hw/$hw\.json" "$ISM_SRCDIR/docs/iommusim.1" && ok "$hw: in the man page's FILES" ||
		fail "$hw: docs/iommusim.1 FILES does not list hw/$hw.json"
	grep -q "configs/hw/$hw\.json" "$ISM_SRCDIR/Makefile.am" && ok "$hw: installed (Makefile.am)" ||
		fail "$hw: configs/hw/$hw.json is not in Makefile.am's nobase_dist_pkgdata_DATA"
done

# --- hand-worked figures, untimed: one run per case, every KEY=VALUE of it compared
while IFS=$TAB read -r preset trace sets want; do
	case $preset in '#'* | '') continue ;; esac
	args="--set mode=untimed" label="$preset $trace"
	[ "$sets" = - ] || { args="$args --set $sets"; label="$label --set $sets"; }
	# shellcheck disable=SC2086 # $args is a list of options
	if ! ism run "$P/$preset.json" -t "$D/presets/$trace" -q --format flat $args >"$T/out" 2>"$T/err"; then
		fail "$label: run failed"; sed 's/^/    /' "$T/err" | head -5; continue
	fi
	for pair in $want; do
		key=${pair%%=*}
		expect_eq "$label: $key" "${pair#*=}" "$(kv "$T/out" "$key")"
	done
done <"$D/presets/cases"

finish
