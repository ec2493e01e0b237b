#!/bin/sh
# Workload generators end to end: every example spec through gen, info and run; locality vs IOTLB.
. "${ISM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/setup"
TR="$ISM_SRCDIR/traces"
WD="$D/workload"

# The functional model when the engine has one: the same lookups in trace order, so an LRU
# IOTLB's hits follow from the reuse distances exactly (timed mode may merge in-flight misses).
UNTIMED=
if ism config show --set mode=untimed >/dev/null 2>&1; then UNTIMED="--set mode=untimed"; fi

SPECS="nic-10g-per-packet nic-10g-page-pool nvme-4k-randread nvme-128k-seqwrite video-1080p-cma
video-1080p-per-frame multi-tenant-8dev"

### Every example spec: gen (twice: byte-identical), info, run without a fault or a failed map
for s in $SPECS; do
	check "gen $s" ism trace gen "$TR/$s.json" -q -o "$T/$s.iot"
	ism trace gen "$TR/$s.json" -q -o "$T/$s.2.iot"
	check "gen $s is deterministic" cmp "$T/$s.iot" "$T/$s.2.iot"
	check "info $s" ism trace info -q "$T/$s.iot"
	cp "$T/out" "$T/$s.info"
	case "$(kv "$T/$s.info" locality)" in
	a) ok "info $s has the locality line" ;;
	*) fail "info $s has no locality line" ;;
	esac
	# shellcheck disable=SC2086
	check "run $s" ism run -t "$T/$s.iot" $UNTIMED --format flat -q
	cp "$T/out" "$T/$s.run"
	expect_eq "run $s: no faults" 0 "$(kv "$T/$s.run" faults)"
	expect_eq "run $s: every MAP applies" 0 "$(kv "$T/$s.run" os.map_failed)"
	expect_eq "run $s: every UNMAP finds its MAP" 0 "$(kv "$T/$s.run" os.unmap_missing)"
	expect_eq "run $s: MAPs, UNMAPs as the trace has them" "$(kv "$T/$s.info" maps)" \
		"$(kv "$T/$s.run" os.maps)"
done

### Shapes visible from the outside
# nic: 20000 packets each way. The page pool maps its pages once (4 queues x 512 x 2K / 4K =
# 1024 pages), plus 8 rings; TX still maps every packet.
expect_eq "page pool maps once" $((1032 + 20000)) "$(kv "$T/nic-10g-page-pool.info" maps)"
expect_eq "page pool unmaps" $((1032 + 20000)) "$(kv "$T/nic-10g-page-pool.info" unmaps)"
# Per packet: the 2048 buffers posted at the start, one more per RX packet, one per TX packet.
expect_eq "per-packet maps" $((8 + 2048 + 20000 + 20000)) "$(kv "$T/nic-10g-per-packet.info" maps)"
# nvme: one MAP per I/O (5000), 2 rings per queue, PRP lists of 31 entries from one pool page
# (the 256-byte pool: up to 16 lists outstanding).
expect_eq "nvme 128K maps" $((5000 + 8 + 1)) "$(kv "$T/nvme-128k-seqwrite.info" maps)"
# video, CMA: 4 buffers mapped in 2 domains; 1080p NV12 = 3110400 bytes = 760 pages.
expect_eq "video CMA maps" 8 "$(kv "$T/video-1080p-cma.info" maps)"
expect_eq "video CMA bytes mapped" $((8 * 760 * 4096)) \
	"$(kv "$T/video-1080p-cma.info" bytes_mapped)"
expect_eq "video CMA has 2M leaves" 8 "$(kv "$T/video-1080p-cma.run" os.leaves.2M)"
# multi-tenant: 8 devices, 64 pages each.
expect_eq "multi-tenant devices" 8 "$(kv "$T/multi-tenant-8dev.info" devices)"
expect_eq "multi-tenant footprint" 512 "$(kv "$T/multi-tenant-8dev.info" footprint_4K)"
expect_eq "multi-tenant space footprint" 64 \
	"$(kv "$T/multi-tenant-8dev.info" space.05:00.0.footprint_4K)"

### A fully associative LRU IOTLB of N entries hits what the reuse histogram says it would.
# Accesses of at most 256 bytes inside one page are one PCIe request, one lookup, each.
ism trace gen "$TR/random-16M.json" -q --set accesses=50000 --set window=4M -o "$T/rw.iot"
ism trace gen "$TR/multi-tenant-8dev.json" -q --set accesses=50000 -o "$T/mt.iot"
ism trace gen "$TR/video-1080p-cma.json" -q --set burst=256 --set frames=3 -o "$T/vid.iot"
for t in rw mt vid; do
	ism trace info -q "$T/$t.iot" >"$T/$t.info"
	for n in 64 128 256 512 1024; do
		# shellcheck disable=SC2086
		ism run -t "$T/$t.iot" $UNTIMED --set 'iommu.page_sizes=["4K"]' \
			--set iommu.iotlb.entries=$n --set iommu.iotlb.ways=$n \
			--set iommu.iotlb.replacement=lru --format flat -q >"$T/$t.$n.run"
		expect_eq "$t: LRU $n hits = reuse distances below $n" \
			"$(kv "$T/$t.info" reuse_4K.lru_hits.$n)" "$(kv "$T/$t.$n.run" iotlb.hits)"
	done
	expect_eq "$t: one lookup per 4K reference" "$(kv "$T/$t.info" reuse_4K.references)" \
		"$(kv "$T/$t.64.run" iotlb.lookups)"
done

### info --json carries the same figures
check "info --json" ism trace info --json -q "$T/mt.iot"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = d["reuse_4K"]
assert r["references"] == sum(r["histogram"].values()) + r["cold"]
assert len(d["address_spaces"]) == 8
assert d["locality"].startswith("a fully associative LRU IOTLB of 64, 128")
' "$T/out" && ok "info --json reuse and spaces" || fail "info --json reuse and spaces"

### A hand-made trace: the reuse histogram worked out by hand (tests/data/workload/reuse.csv)
check "info reuse.csv" ism trace info -q "$WD/reuse.csv"
cp "$T/out" "$T/reuse.info"
expect_eq "reuse references" 9 "$(kv "$T/reuse.info" reuse_4K.references)"
expect_eq "reuse cold" 4 "$(kv "$T/reuse.info" reuse_4K.cold)"
expect_eq "reuse distance 0" 1 "$(kv "$T/reuse.info" reuse_4K.histogram.0)"
expect_eq "reuse distance 1" 1 "$(kv "$T/reuse.info" reuse_4K.histogram.1)"
expect_eq "reuse distance 2-3" 3 "$(kv "$T/reuse.info" reuse_4K.histogram.2-3)"
expect_eq "reuse 2M cold" 2 "$(kv "$T/reuse.info" reuse_2M.cold)"
expect_eq "reuse 2M distance 0" 6 "$(kv "$T/reuse.info" reuse_2M.histogram.0)"
expect_eq "reuse 2M distance 1" 1 "$(kv "$T/reuse.info" reuse_2M.histogram.1)"
expect_eq "reuse PASID space" 1 "$(kv "$T/reuse.info" space.01:00.0.pasid2.footprint_4K)"

### --set and bad specs through the command line
check "gen --set" ism trace gen "$TR/nvme-4k-randread.json" -q --set ios=10 -o "$T/s.csv"
check "info --set output" ism trace info -q "$T/s.csv"
expect_eq "--set ios=10: 10 MAPs and 8 rings" 18 "$(kv "$T/out" maps)"
expect_fail "unknown key" 3 \
	"nic-10g-per-packet\.json: 'sizee': unknown key \(valid keys: workload, seed, device" \
	ism trace gen "$TR/nic-10g-per-packet.json" --set sizee=1 -o "$T/bad.iot"
no_file "a bad spec leaves no output" "$T/bad.iot"
expect_fail "tenant path" 3 "'tenants\[1\]\.window': expected from 'size' \(64 bytes\)" \
	ism trace gen "$TR/multi-tenant-8dev.json" --set 'tenants=[{}, {"window": 8}]' \
	-o "$T/bad.iot"
expect_fail "bad choice" 3 "'rx_mode': expected \"per-packet\" or \"page-pool\"" \
	ism trace gen "$TR/nic-10g-page-pool.json" --set rx_mode=pool -o "$T/bad.iot"
no_file "a bad tenant leaves no output" "$T/bad.iot"

finish
