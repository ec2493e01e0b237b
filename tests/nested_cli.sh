#!/bin/sh
# Nested translation end to end (docs/validation.md, "Nested translation"): the NIC trace's
# walks against the (n+1)(m+1) - 1 bound with every walk cache off, the figures the doc quotes
# with the presets' caches, the stage-2-only twin against a run of its own, runs without
# nesting free of every nested key, and the bundled sweep's points.
. "${ISM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/setup"
H="$ISM_SRCDIR/configs/hw"
ism trace gen "$ISM_SRCDIR/traces/nic-10g-per-packet.json" -o "$T/nic.iot.gz" -q
OFF="--set iommu.walk_cache.l2.entries=0 --set iommu.walk_cache.l3.entries=0
	--set iommu.walk_cache.l4.entries=0 --set iommu.nested.stage2.walk_cache.l2.entries=0
	--set iommu.nested.stage2.walk_cache.l3.entries=0 --set iommu.nested.stage2.walk_cache.l4.entries=0"

# run NAME CONFIG ARGS...: untimed flat result into $T/NAME
run() {
	n=$1 c=$2; shift 2
	ism run "$H/$c.json" -t "$T/nic.iot.gz" --set mode=untimed -q --format flat "$@" >"$T/$n" ||
		fail "$n: run failed"
}

# --- every walk uncached: 4 references natively, (4+1)(m+1) - 1 nested, the same misses
# shellcheck disable=SC2086 # $OFF is a list of options
run off-native vtd-default $OFF
for pm in 4K:24 2M:19 1G:14; do
	p=${pm%:*} want=${pm#*:}
	# shellcheck disable=SC2086
	run "off-$p" vtd-nested --set iommu.nested.stage2.page_size="$p" $OFF
	expect_eq "uncached, $p host pages: $want references a walk" "$want.000000000" \
		"$(kv "$T/off-$p" walk.refs_per_walk)"
	expect_eq "uncached, $p host pages: the native run's misses" \
		"$(kv "$T/off-native" iotlb.misses)" "$(kv "$T/off-$p" iotlb.misses)"
done
expect_eq "uncached, native: 4 references a walk" 4.000000000 "$(kv "$T/off-native" walk.refs_per_walk)"
expect_eq "uncached: 37616 walks, 150464 references natively" "37616 150464" \
	"$(kv "$T/off-native" walk.walks) $(kv "$T/off-native" walk.mem_refs)"

# --- the presets' caches: the figures docs/validation.md quotes
run native vtd-default
expect_eq "native: 151626 lookups, 37616 misses, 37917 references" "151626 37616 37917" \
	"$(kv "$T/native" iotlb.lookups) $(kv "$T/native" iotlb.misses) $(kv "$T/native" walk.mem_refs)"
for pr in 4K:81927:44010:30335 2M:78683:40766:5636 1G:75878:37961:18; do
	IFS=: read -r p refs s2 twin <<EOF2
$pr
EOF2
	run "n-$p" vtd-nested --set iommu.nested.stage2.page_size="$p"
	expect_eq "nested over $p: 37616 misses, $refs references ($s2 of stage 2), the twin $twin" \
		"37616 $refs 37917 $s2 $twin" \
		"$(kv "$T/n-$p" iotlb.misses) $(kv "$T/n-$p" walk.mem_refs) $(kv "$T/n-$p" walk.mem_refs_stage1) $(kv "$T/n-$p" walk.mem_refs_stage2) $(kv "$T/n-$p" baseline.stage2-only.walk.mem_refs)"
done

# --- the stage-2-only twin is the same VM run with iommu.nested.stage1 none
for mode in untimed timed; do
	ism run "$H/vtd-nested.json" -t "$T/nic.iot.gz" --set mode=$mode -q --format flat >"$T/twin.$mode"
	ism run "$H/vtd-nested.json" -t "$T/nic.iot.gz" --set mode=$mode -q --format flat \
		--set iommu.nested.stage1=none >"$T/none.$mode"
	for k in iotlb.misses walk.mem_refs; do
		expect_eq "$mode: baseline.stage2-only.$k is a stage1-none run's $k" \
			"$(kv "$T/none.$mode" $k)" "$(kv "$T/twin.$mode" baseline.stage2-only.$k)"
	done
	expect_eq "$mode: the stage1-none run has no twin of its own" "<missing>" \
		"$(kv "$T/none.$mode" baseline.stage2-only.walk.mem_refs)"
done
expect_eq "timed: the twin's throughput is a stage1-none run's" \
	"$(kv "$T/none.timed" dma.throughput_gbps)" "$(kv "$T/twin.timed" baseline.stage2-only.dma.throughput_gbps)"
expect_eq "a guest without an IOMMU spends no CPU on it" 0.000000 "$(kv "$T/none.timed" cpu.total_ns)"
# the timed figures docs/validation.md quotes (hw/vtd-nested: 2M host pages)
ism run "$H/vtd-default.json" -t "$T/nic.iot.gz" -q --format flat >"$T/native.timed"
expect_eq "timed: native, nested over 2M, the stage-2-only twin, passthrough (Gb/s)" \
	"8.318412 8.298205 45.321450 45.945985" \
	"$(kv "$T/native.timed" dma.throughput_gbps) $(kv "$T/twin.timed" dma.throughput_gbps) $(kv "$T/twin.timed" baseline.stage2-only.dma.throughput_gbps) $(kv "$T/twin.timed" baseline.passthrough.dma.throughput_gbps)"

# --- without nesting, no nested key and no twin
run plain vtd-default
if grep -qE '^(nested\.|walk\.mem_refs_stage|walk_cache_stage2|faults_by_kind\.stage2|baseline\.stage2-only|versus\.stage2-only)' "$T/plain"; then
	fail "a run without nesting has nested keys"; grep -E '^(nested|walk_cache_stage2)' "$T/plain" | head -3
else
	ok "a run without nesting has no nested key"
fi

# --- the bundled sweep: native, stage 2 only, nested trap and hw, x host pages x policies x 2 traces
check "sweep sweeps/nested.json --list" ism sweep "$ISM_SRCDIR/configs/sweeps/nested.json" --list
expect_eq "the nested sweep has 48 points" 48 "$(grep -c '^[0-9]' "$T/out")"

# Every baseline model beside the stage-2-only twin: four twins (the summary once overflowed an
# array sized for the models alone).
check "nested with every baseline" ism run "$ISM_SRCDIR/configs/hw/vtd-nested.json" \
	-t "$ISM_SRCDIR/tests/golden/inv-lazy.csv" -q -f text \
	--set 'baseline=["passthrough","swiotlb","cma"]'
expect_eq "the summary names the four" "passthrough swiotlb cma stage2-only" \
	"$(grep '^  summary' "$T/out" | grep -o '[0-9.]*x [a-z0-9-]* throughput' | awk '{ print $2 }' | paste -sd' ')"
finish
