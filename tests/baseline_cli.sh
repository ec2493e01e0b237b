#!/bin/sh
# The no-IOMMU baselines in runs: hand-computed copies, slots, failures, stalls and CPU time.
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"
B="$D/baseline"

# run NAME TRACE [--set ...]: flat result of base.json (untimed, strict 4K, three baselines).
run() {
	name=$1 trace=$2; shift 2
	check "$name" ism run "$B/base.json" -t "$B/$trace.csv" -f flat -q "$@"
	cp "$T/out" "$T/$name"
}
# same NAME KEY VALUE...: each KEY's value in the result of NAME.
same() {
	name=$1; shift
	while [ $# -ge 2 ]; do
		expect_eq "$name: $1" "$2" "$(kv "$T/$name" "$1")"
		shift 2
	done
}

# --- to device, 8 KiB: copied once at map (8192 B x 8 / 80 Gb/s = 819.2 ns) ---
# swiotlb: map 150 + 819.2, unmap 100 = 1069.2 ns; 4 slots of 2 KiB; the 64 MiB pool is
# 32768 slots. cma: cma_alloc 10000 + 2 pages x 50, release 1000 = 11100 ns.
run to-device to-device
same to-device \
	baseline.passthrough.cpu.total_ns 0.000000 baseline.passthrough.memory_reserved_bytes 0 \
	baseline.passthrough.maps 1 baseline.passthrough.bounced_maps 0 \
	baseline.swiotlb.cpu.total_ns 1069.200000 baseline.swiotlb.bytes_copied 8192 \
	baseline.swiotlb.bytes_copied_back 0 baseline.swiotlb.copy_cpu_ps 819200 \
	baseline.swiotlb.swiotlb_slots 32768 baseline.swiotlb.swiotlb_peak_slots 4 \
	baseline.swiotlb.swiotlb_slots_in_use 0 baseline.swiotlb.memory_reserved_bytes 67108864 \
	baseline.swiotlb.cpu.ns_per_dma_byte 0.130518 \
	baseline.cma.cpu.total_ns 11100.000000 baseline.cma.cma_peak_bytes 8192 \
	baseline.cma.cma_used_bytes 0 baseline.cma.memory_reserved_bytes 67108864 \
	pagetable.bytes 16384
# The ratios are the IOMMU's figure over the baseline's: 16384 / 67108864 = 1/4096.
same to-device versus.swiotlb.memory_reserved_ratio 0.000244 \
	versus.passthrough.cpu_ns_per_byte_ratio '<missing>'
expect_eq "to-device: cpu ratio = IOMMU ns/B / swiotlb ns/B" \
	"$(awk '$1 == "cpu.total_ns" { print $2 / 1069.2 }' "$T/to-device")" \
	"$(awk '$1 == "versus.swiotlb.cpu_ns_per_byte_ratio" { print $2 + 0 }' "$T/to-device")"

# --- from device, 4 KiB: nothing copied at map, 4096 B copied back at unmap (409.6 ns) ---
run from-device from-device
same from-device baseline.swiotlb.cpu.total_ns 659.600000 baseline.swiotlb.bytes_copied 4096 \
	baseline.swiotlb.bytes_copied_back 4096
# Linux >= 5.17 copies in at map whatever the direction: twice the copies.
run copy-always from-device --set swiotlb.copy_at_map_always=true
same copy-always baseline.swiotlb.cpu.total_ns 1069.200000 baseline.swiotlb.bytes_copied 8192 \
	baseline.swiotlb.bytes_copied_back 4096

# --- a 32-bit device: a buffer at 4 GiB bounces even without swiotlb as the baseline ---
run dma32-high above-4g --set device.dma32=true
same dma32-high baseline.passthrough.dma32_bounces 1 baseline.passthrough.bytes_copied 8192 \
	baseline.passthrough.cpu.total_ns 1069.200000 \
	baseline.passthrough.memory_reserved_bytes 67108864
run dma32-low to-device --set device.dma32=true
same dma32-low baseline.passthrough.dma32_bounces 0 baseline.passthrough.cpu.total_ns 0.000000
run wide-high above-4g
same wide-high baseline.passthrough.dma32_bounces 0 baseline.passthrough.cpu.total_ns 0.000000

# --- swiotlb's 256 KiB limit: 262144 bytes map, 262145 are too big (the kernel fails them) ---
run sizes sizes --set baseline=swiotlb
same sizes baseline.swiotlb.maps 1 baseline.swiotlb.too_big 1 \
	baseline.swiotlb.map_failures_total 1 baseline.swiotlb.unmaps_of_unmapped 1 \
	baseline.swiotlb.swiotlb_peak_slots 128 baseline.swiotlb.bytes_copied 262144

# --- a full pool: 128 slots, A holds them all when B maps at 10 ns ---
run fails full --set baseline=swiotlb --set swiotlb.size=262144
same fails baseline.swiotlb.maps 1 baseline.swiotlb.map_failures 1 \
	baseline.swiotlb.map_failures_total 1 baseline.swiotlb.unmaps_of_unmapped 1 \
	baseline.swiotlb.swiotlb_slots 128
# ...and the summary says so: the system without an IOMMU would not run this trace as it is.
check "fails: the summary" ism run "$B/base.json" -t "$B/full.csv" -f text -q \
	--set baseline=swiotlb --set swiotlb.size=262144
expect_eq "fails: the summary ends with the map swiotlb could not make" \
	"; swiotlb could not make 1 map" "$(grep '^  summary' "$T/out" | sed 's/.*memory [^;]*//')"
# stall_when_full: B waits for A's unmap (at 20 ns, taking 100 ns): mapped at 120 ns, 110 ns
# after it first tried; it unmaps normally at 30 ns.
run stalls full --set baseline=swiotlb --set swiotlb.size=262144 \
	--set swiotlb.stall_when_full=true
same stalls baseline.swiotlb.maps 2 baseline.swiotlb.map_failures 0 baseline.swiotlb.stalls 1 \
	baseline.swiotlb.stalled_maps_resolved 1 baseline.swiotlb.stall_wait_ns_total 110.000000 \
	baseline.swiotlb.stalled_maps_unresolved 0 baseline.swiotlb.unmaps_of_unmapped 0 \
	baseline.swiotlb.unmaps 2 baseline.swiotlb.map_failures_total 0

# --- timed: each baseline replays the trace; the map's CPU time delays the DMA behind it ---
# passthrough costs nothing, so it is the ideal replay; swiotlb is later by its map
# (969.2 ns), cma by its cma_alloc (10100 ns). The unmap comes after the last completion.
run timed to-device --set mode=timed
pt=$(kv "$T/timed" baseline.passthrough.sim.time_ns)
expect_eq "timed: passthrough = ideal" "$(kv "$T/timed" ideal.sim.time_ns)" "$pt"
expect_eq "timed: swiotlb = passthrough + 969.2 ns" \
	"$(awk -v a="$pt" 'BEGIN { printf "%.6f", a + 969.2 }')" \
	"$(kv "$T/timed" baseline.swiotlb.sim.time_ns)"
expect_eq "timed: cma = passthrough + 10100 ns" \
	"$(awk -v a="$pt" 'BEGIN { printf "%.6f", a + 10100 }')" \
	"$(kv "$T/timed" baseline.cma.sim.time_ns)"
expect_eq "timed: throughput ratio = IOMMU time / swiotlb time (same bytes)" \
	"$(awk '$1 == "baseline.swiotlb.sim.time_ns" { b = $2 } $1 == "sim.time_ns" { a = $2 }
		END { printf "%.5f", b / a }' "$T/timed")" \
	"$(awk '$1 == "versus.swiotlb.throughput_ratio" { printf "%.5f", $2 }' "$T/timed")"
# mapping.lifetime_ns: from the MAP's start (0 ns) to the UNMAP's return, which follows the last
# completion: each run's sim.time_ns plus its unmap's CPU time. passthrough: + 0; swiotlb:
# + 100 (unmap_ns; a to-device buffer needs no copy back); cma: + 1000 (cma_release); the IOMMU
# (strict): + cpu.unmap_ns + cpu.invalidation_ns (the wait for the IOTLB flush).
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a + b }'; }
expect_eq "lifetime: passthrough = its sim time" "$pt" "$(kv "$T/timed" baseline.passthrough.mapping.lifetime_ns.mean)"
expect_eq "lifetime: swiotlb = passthrough + 969.2 + 100 ns" "$(add "$pt" 1069.2)" \
	"$(kv "$T/timed" baseline.swiotlb.mapping.lifetime_ns.mean)"
expect_eq "lifetime: cma = passthrough + 10100 + 1000 ns" "$(add "$pt" 11100)" \
	"$(kv "$T/timed" baseline.cma.mapping.lifetime_ns.p50)"
expect_eq "lifetime: IOMMU = sim time + unmap + invalidation" \
	"$(add "$(kv "$T/timed" sim.time_ns)" "$(add "$(kv "$T/timed" cpu.unmap_ns)" "$(kv "$T/timed" cpu.invalidation_ns)")")" \
	"$(kv "$T/timed" mapping.lifetime_ns.p50)"
expect_eq "lifetime: one MAP/UNMAP pair in each" "1 1 1 1" "$(kv "$T/timed" mapping.lifetime_ns.count) \
$(kv "$T/timed" baseline.passthrough.mapping.lifetime_ns.count) $(kv "$T/timed" baseline.swiotlb.mapping.lifetime_ns.count) \
$(kv "$T/timed" baseline.cma.mapping.lifetime_ns.count)"
expect_eq "lifetime ratio = IOMMU lifetime / swiotlb lifetime" \
	"$(awk -v a="$(kv "$T/timed" mapping.lifetime_ns.p50)" -v b="$(add "$pt" 1069.2)" 'BEGIN { printf "%.5f", a / b }')" \
	"$(awk '$1 == "versus.swiotlb.mapping_lifetime_p50_ratio" { printf "%.5f", $2 }' "$T/timed")"
# From the device, swiotlb copies back at unmap (4096 B x 8 / 80 Gb/s = 409.6 ns): the copy is
# not in sim.time_ns (the DMA is over) but is in the lifetime: map 150, unmap 100 + 409.6.
run timed-rx from-device --set mode=timed
ptrx=$(kv "$T/timed-rx" baseline.passthrough.sim.time_ns)
expect_eq "rx: swiotlb sim time = passthrough + 150 ns" "$(add "$ptrx" 150)" "$(kv "$T/timed-rx" baseline.swiotlb.sim.time_ns)"
expect_eq "rx: swiotlb lifetime = passthrough + 150 + 509.6 ns" "$(add "$ptrx" 659.6)" \
	"$(kv "$T/timed-rx" baseline.swiotlb.mapping.lifetime_ns.max)"
# Untimed runs have no clock: no lifetimes.
[ "$(kv "$T/to-device" mapping.lifetime_ns.count)" = "<missing>" ] && ok "untimed: no mapping.lifetime_ns" \
	|| fail "untimed run reports mapping.lifetime_ns"
# The event engine gives what the pipeline computes (uniform latency of spread 0 forces it).
run events to-device --set mode=timed --set memory.latency_dist=uniform \
	--set memory.latency_spread_ns=0
expect_eq "timed: events = pipeline" "$(grep '^baseline\.' "$T/timed")" \
	"$(grep '^baseline\.' "$T/events")"

# os.cost.stack_ns: the same per-MAP stack work for the IOMMU run and every baseline.
run stack to-device --set mode=timed --set os.cost.stack_ns=1000
same stack cpu.stack_ns 1000.000000 baseline.passthrough.cpu.total_ns 1000.000000 \
	baseline.swiotlb.cpu.total_ns 2069.200000 baseline.cma.cpu.total_ns 12100.000000
expect_eq "stack: passthrough = ideal + 1000 ns" \
	"$(awk -v a="$(kv "$T/stack" ideal.sim.time_ns)" 'BEGIN { printf "%.6f", a + 1000 }')" \
	"$(kv "$T/stack" baseline.passthrough.sim.time_ns)"
expect_eq "stack: the IOMMU run is 1000 ns later too" \
	"$(awk -v a="$(kv "$T/timed" sim.time_ns)" 'BEGIN { printf "%.6f", a + 1000 }')" \
	"$(kv "$T/stack" sim.time_ns)"

# --- the summary line, in text and JSON ---
check "summary in JSON" ism run "$B/base.json" -t "$B/to-device.csv" -q --set mode=timed
if grep -Eq '"summary": "IOMMU strict 4K: [0-9.]+x passthrough throughput, [0-9.]+x swiotlb throughput, [0-9.]+x cma throughput \(unthrottled: closed-loop replay\); CPU [0-9.e-]+ cores vs 0 \(passthrough\), [0-9.e-]+ \(swiotlb\), [0-9.e-]+ \(cma\); memory 16 KiB vs 0 \(passthrough\), 64 MiB \(swiotlb\), 64 MiB \(cma\)"' "$T/out"; then
	ok "summary line names every baseline"
else
	fail "summary line: $(grep summary "$T/out")"
fi
# Every throughput figure says which replay made it: closed loop (the default) runs unthrottled,
# open loop at the trace's timing (or a multiple of it).
check "text summary, closed loop" ism run "$B/base.json" -t "$B/to-device.csv" -f text -q --set mode=timed
expect_eq "closed loop: the timed, ideal and baseline figures and the summary say unthrottled" 6 \
	"$(grep -Ec '^  (timed|ideal|passthrough|swiotlb|cma) +[0-9.]+ Gb/s \(unthrottled: closed-loop replay\)|throughput \(unthrottled: closed-loop replay\); CPU' "$T/out")"
check "text summary, open loop at 2x" ism run "$B/base.json" -t "$B/to-device.csv" -f text -q --set mode=timed \
	--set replay.mode=open --set replay.rate=2
expect_eq "open loop: the timed, ideal and baseline figures and the summary say so" 6 \
	"$(grep -Ec "^  (timed|ideal|passthrough|swiotlb|cma) +[0-9.]+ Gb/s \(open-loop replay at 2x the trace's timing\)|throughput \(open-loop replay at 2x the trace's timing\); CPU" "$T/out")"
check "summary untimed" ism run "$B/base.json" -t "$B/to-device.csv" -f text -q
if grep -Eq '^  summary   IOMMU strict 4K: CPU [0-9.e-]+ ns/B vs 0 \(passthrough\), 0.131 \(swiotlb\), 1.35 \(cma\); memory' "$T/out"; then
	ok "untimed summary in ns per byte"
else
	fail "untimed summary: $(grep summary "$T/out")"
fi

# --- the key: a name or a list; bad values are config errors ---
run one to-device --set baseline=cma
same one baseline.cma.maps 1 baseline.swiotlb.maps '<missing>' baseline.passthrough.maps '<missing>'
expect_fail "unknown baseline" 3 'baseline: expected one of passthrough, swiotlb, cma' \
	ism run "$B/base.json" -t "$B/to-device.csv" --set baseline=iommu
expect_fail "swiotlb pool too small" 3 'swiotlb.size: expected 262144\.\.2147483648' \
	ism run "$B/base.json" -t "$B/to-device.csv" --set swiotlb.size=4096

finish
