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
finish
