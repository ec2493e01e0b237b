# Devices, groups and domains from the outside: os.domains against a hand-merged trace.
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"

# The multi-tenant workload: 8 devices reading 256 KiB windows at the same IOVAs. With
# os.domains=single they share one address space and one IOTLB tag, which is what a trace
# whose devices were all rewritten to one device (by hand, with awk) gives per device.
ism trace gen "$ISM_SRCDIR/traces/multi-tenant-8dev.json" --set accesses=40000 -o "$T/mt.csv" -q
awk -F, -v OFS=, '/^[0-9]/ { $3 = "05:00.0" } { print }' "$T/mt.csv" >"$T/merged.csv"
expect_eq "the merged trace names one device" 1 \
	"$(awk -F, '/^[0-9]/ { d[$3] = 1 } END { print length(d) }' "$T/merged.csv")"

# The IOMMU's figures (not the per-device ones: stale hits by device, the device count).
figures() {
	grep -E '^(iotlb|walk|walk_cache|faults|faults_by_kind|pagetable)[. ]' "$1"
}
for mode in untimed; do
	ism run -t "$T/mt.csv" --set mode=$mode --set os.domains=single --format flat -q >"$T/single"
	ism run -t "$T/merged.csv" --set mode=$mode --format flat -q >"$T/merged"
	ism run -t "$T/mt.csv" --set mode=$mode --format flat -q >"$T/perdev"
	figures "$T/single" >"$T/a"
	figures "$T/merged" >"$T/b"
	if [ -s "$T/a" ] && cmp -s "$T/a" "$T/b"; then
		ok "$mode: os.domains=single gives the hand-merged trace's figures ($(wc -l <"$T/a") keys)"
	else
		fail "$mode: os.domains=single differs from the hand-merged trace"
		diff "$T/a" "$T/b" | head -10
	fi
	expect_eq "$mode: single: one domain" 1 "$(kv "$T/single" os.domains)"
	expect_eq "$mode: single: eight devices" 8 "$(kv "$T/single" os.devices)"
	expect_eq "$mode: per-device: eight domains" 8 "$(kv "$T/perdev" os.domains)"
	# 64 pages per window: one compulsory miss each, per domain.
	expect_eq "$mode: single: 64 compulsory misses" 64 \
		"$(kv "$T/single" iotlb.misses_by_class.compulsory)"
	expect_eq "$mode: per-device: 8 x 64 compulsory misses" 512 \
		"$(kv "$T/perdev" iotlb.misses_by_class.compulsory)"
done

# Groups: the first two devices in one group, the others their own domains: 7 domains, and
# the group's domain lists its two devices.
ism run -t "$T/mt.csv" --set mode=untimed \
	--set 'os.domains={"05:00.0":"pair","05:00.1":"pair"}' -q -o "$T/groups.json"
expect_eq "groups: 7 domains" 7 "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["os"]["domains"])' "$T/groups.json")"
expect_eq "groups: the pair's devices" '["05:00.0", "05:00.1"]' \
	"$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["domains"]["pair"]["devices"]))' "$T/groups.json")"
expect_eq "groups: a lone device's domain is named by it" '["05:00.5"]' \
	"$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["domains"]["05:00.5"]["devices"]))' "$T/groups.json")"
# The issue's hand-worked case, written as a trace: devices 01:00.0 and 02:00.0 attached to
# the trace's domain 1 read one page (one miss, then a hit); 02:00.0 moves to domain 3 and
# reads it again (a miss: domain 3's own page table and tag); invalidating domain 1 by its id
# then removes 01:00.0's entry (its next read misses) and leaves domain 3's (02:00.0 hits);
# after a DETACH, 02:00.0's read is blocked. 10 us apart, replayed open loop when timed, each
# read is done before the next record: timed gives the untimed counts.
cat >"$T/move.csv" <<'EOF2'
time_ns,op,device,pasid,iova,size,paddr,domain
0,ATTACH,01:00.0,,,,,1
0,ATTACH,02:00.0,,,,,1
10000,R,01:00.0,,0x7000,64,,
20000,R,02:00.0,,0x7000,64,,
30000,ATTACH,02:00.0,,,,,3
40000,R,02:00.0,,0x7000,64,,
50000,INV:DOMAIN,,,,,,1
60000,R,01:00.0,,0x7000,64,,
70000,R,02:00.0,,0x7000,64,,
80000,DETACH,02:00.0,,,,,
90000,R,02:00.0,,0x7000,64,,
EOF2
for mode in untimed timed; do
	ism run -t "$T/move.csv" --set mode=$mode --set replay.mode=open --format flat -q \
		>"$T/move.$mode"
	f=$T/move.$mode
	expect_eq "$mode: attach/move/invalidate: lookups" 5 "$(kv "$f" iotlb.lookups)"
	expect_eq "$mode: misses: 1 shared, 1 after the move, 1 after the invalidation" 3 "$(kv "$f" iotlb.misses)"
	expect_eq "$mode: compulsory misses (one per domain)" 2 "$(kv "$f" iotlb.misses_by_class.compulsory)"
	expect_eq "$mode: the invalidation miss" 1 "$(kv "$f" iotlb.misses_by_class.invalidation)"
	expect_eq "$mode: the blocked read" 1 "$(kv "$f" faults_by_kind.blocked)"
	expect_eq "$mode: two domains" 2 "$(kv "$f" os.domains)"
	expect_eq "$mode: three attaches, one detach" "3 1" "$(kv "$f" os.attaches) $(kv "$f" os.detaches)"
done
# Two devices that each map the same IOVA (their own domains in the trace's eyes): merged into
# one domain by os.domains single, the second MAP overlaps the first and is refused; the run
# says so once, naming that MAP and why.
cat >"$T/twomaps.csv" <<'CSV'
time_ns,op,device,pasid,iova,size,paddr
0,MAP,03:00.0,,0x10000,4096,0x200000
5,MAP,04:00.0,,0x10000,4096,0x300000
10,R,03:00.0,,0x10000,64,
CSV
ism run -t "$T/twomaps.csv" --set mode=untimed --set os.domains=single --format flat -q \
	-o "$T/twomaps.flat" 2>"$T/twomaps.err"
expect_eq "single: the second MAP refused" "1 1" \
	"$(kv "$T/twomaps.flat" os.maps) $(kv "$T/twomaps.flat" os.map_failed)"
expect_eq "single: one warning, naming the refused MAP" \
	"iommusim: warning: $T/twomaps.csv: 1 MAP refused (os.map_failed); the first, at 5 ns, device 04:00.0 IOVA 0x10000: it overlaps a live mapping of its domain (devices that share a domain, by os.domains or ATTACH records, share its IOVAs)" \
	"$(cat "$T/twomaps.err")"
ism run -t "$T/twomaps.csv" --set mode=untimed --format flat -q -o "$T/twomaps.flat" \
	2>"$T/twomaps.err"
expect_eq "per-device: both MAPs, no warning" "2 0 0" \
	"$(kv "$T/twomaps.flat" os.maps) $(kv "$T/twomaps.flat" os.map_failed) $(wc -c <"$T/twomaps.err")"
finish
