#!/bin/sh
# `iommusim trace import --from ftrace|qemu`: hand-made logs, the bundled real excerpts, bad input.
. "${ISM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/setup"
ID="$D/import"
TR="$ISM_SRCDIR/traces"
CFG="$ISM_SRCDIR/configs/hw/qemu-vtd.json"

# data FILE: the CSV form of a trace without comment lines (the metadata line).
data() { ism trace export --to csv "$1" -o - | grep -v '^#'; }
# meta FILE KEY: an integer of the trace's metadata (the first KEY found).
meta() {
	ism trace export --to csv "$1" -o - | head -1 |
		grep -o "\"$2\":[0-9]*" | head -1 | cut -d: -f2
}

### Help: every registered format is listed
check "import --help" ism trace import --help
expect_eq "help lists csv, ftrace, qemu" 3 "$(grep -cE '^  (csv|ftrace|qemu) ' "$T/out")"

### Hand-made logs: each event form, against a CSV worked out by hand
for f in vtd.log smmu.log virtio-iommu.log ftrace-dma.txt; do
	case $f in ftrace*) from=ftrace ;; *) from=qemu ;; esac
	b=${f%.*} # not "name": the helpers of tests/setup use that
	check "import $f" ism trace import -q --from $from "$ID/$f" -o "$T/$b.iot"
	data "$T/$b.iot" >"$T/$b.csv"
	grep -v '^#' "$ID/$b.expect.csv" >"$T/$b.want"
	check "$f: records as worked out by hand" cmp "$T/$b.want" "$T/$b.csv"
done
# vtd.log holds one line that is no QEMU trace line: counted, quoted with its number.
cp "$ID/vtd.log" "$T/vtd.log"
(cd "$T" && ism trace import --from qemu vtd.log -o v.iot.gz) 2>"$T/err"
expect_eq "vtd.log: the skipped line is quoted" "  vtd.log:21: this line is not a QEMU trace line" \
	"$(sed -n 2p "$T/err")"
# ... and one line stamped 1 us before the line above it: warned, with its number.
expect_eq "vtd.log: time going back is warned" "iommusim: warning: vtd.log: 1 line has a \
timestamp before an earlier line's (logged out of order): it takes that time, 1000 ns later:" \
	"$(sed -n 3p "$T/err")"
expect_eq "vtd.log: the line quoted" "  vtd.log:20: 100@1000.000059:serial_write write addr 0x00 \
val 0x40" "$(sed -n 4p "$T/err")"
# ... and 3 of its 5 translations hit pages that permit read and write: said, with the count.
expect_eq "vtd.log: accesses of unknown direction are said" "iommusim: note: vtd.log: 3 of the 5 \
accesses are recorded as reads although their direction is unknown: QEMU logs the permissions of \
the page a translation used (read and write for these), not whether the device read or wrote \
(docs/traces.md)" "$(sed -n 5p "$T/err")"
expect_eq "vtd.log: two warnings, a quote each, a note" 5 "$(wc -l <"$T/err" | tr -d ' ')"
expect_eq "vtd.log: counted in the metadata" 1 "$(meta "$T/v.iot.gz" lines_not_understood)"
expect_eq "vtd.log: unknown directions in the metadata" 3 \
	"$(meta "$T/v.iot.gz" accesses_direction_unknown)"
expect_eq "vtd.log: one domain command before any translation of it" 1 \
	"$(meta "$T/v.iot.gz" commands_of_unused_domains)"
expect_fail "vtd.log --strict" 4 'vtd.log:21: line not understood .*--strict' \
	ism trace import --strict --from qemu "$ID/vtd.log" -o "$T/strict.iot"
no_file "--strict leaves no output" "$T/strict.iot"

### Devices moving between SMMUv3 address spaces (ASIDs), against QEMU's own IOTLB labels
# smmu-domains.log, in QEMU 7.2's trace line format, worked out by hand in four stages (QEMU's
# IOTLB is keyed by ASID and address: streams of one ASID share its entries):
#   1. streams 0x8 and 0x10, both ASID 1, read page 0x10000: miss, then hit;
#   2. 0x10 moves to ASID 3 (its STE and config cache invalidated) and reads it: miss;
#   3. TLBI_NH_ASID 1, then 0x10 reads it again: hit (ASID 3's entry is left alone);
#   4. 0x8 reads it in ASID 1: miss (the invalidation removed what both streams had used).
# Before the import kept the ASIDs: stage 1 missed twice (a domain per stream), stage 2 hit
# (the stream's old entry), stage 3 missed (the invalidation went to every stream once seen
# with ASID 1).
SD="$ID/smmu-domains.log"
prev_h=0 prev_m=0
for stage in "1 1 1" "2 0 1" "3 1 0" "4 0 1"; do
	set -- $stage
	# The log up to the end of the stage's last translation (2, 3, 4, 5 translations).
	awk -v k=$(($1 + 1)) '{ print } /:smmuv3_translate_success / && ++n == k { exit }' "$SD" \
		>"$T/sd.log"
	ism trace import -q --from qemu "$T/sd.log" -o "$T/sd.iot" 2>/dev/null
	ism run "$ISM_SRCDIR/configs/hw/smmuv3-default.json" -t "$T/sd.iot" --set mode=untimed \
		--format flat -q >"$T/sd.txt"
	h=$(kv "$T/sd.txt" iotlb.hits) m=$(kv "$T/sd.txt" iotlb.misses)
	expect_eq "smmu-domains stage $1: hits and misses worked out by hand" "$2 $3" \
		"$((h - prev_h)) $((m - prev_m))"
	expect_eq "smmu-domains stage $1: QEMU's own labels so far" \
		"$(grep -c ':smmu_iotlb_lookup_hit ' "$T/sd.log") $(grep -c \
		':smmu_iotlb_lookup_miss ' "$T/sd.log")" "$h $m"
	prev_h=$h prev_m=$m
done
check "smmu-domains.log imports" ism trace import --from qemu "$SD" -o "$T/sd.iot"
# QEMU 7.2's stage-1 pages always permit reads: every access is read-write, direction unknown.
expect_eq "smmu-domains: the direction said unknown" "iommusim: note: $SD: 5 of the 5 accesses \
are recorded as reads although their direction is unknown: QEMU logs the permissions of the page \
a translation used (read and write for these), not whether the device read or wrote \
(docs/traces.md)" "$(cat "$T/err")"
expect_eq "smmu-domains: three ATTACH records" 3 "$(data "$T/sd.iot" | grep -c ',ATTACH,')"
# The invalidate-all names no device: trace info lists the two streams only.
check "trace info of smmu-domains" ism trace info "$T/sd.iot"
expect_eq "smmu-domains: two devices" "00:01.0 00:02.0" \
	"$(sed -n 's/^device\.\(.*\)\.records .*/\1/p' "$T/out" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "smmu-domains: one global invalidation" 1 \
	"$(data "$T/sd.iot" | grep -c ',INV:GLOBAL,')"

### The bundled QEMU VT-d excerpt: replayed, it gives QEMU's own labels back
X="$TR/qemu-vtd-excerpt.log.gz"
check "import the QEMU excerpt" ism trace import -q --from qemu "$X" -o "$T/q.iot.gz"
# Counted independently from the raw log: one translation per hit or update line.
gzip -dc "$X" >"$T/q.log"
# A leaf whose read and write bits (slpte bits 1:0) are equal does not say the direction.
unknown=$(awk '/:vtd_iotlb_page_(hit|update) / { d = substr($10, length($10))
	b = (index("0123456789abcdef", d) - 1) % 4; n += b == 0 || b == 3 } END { print n + 0 }' \
	"$T/q.log")
expect_eq "QEMU excerpt: only the unknown directions are said" "iommusim: note: \
qemu-vtd-excerpt.log.gz: $unknown of the $(grep -c ':vtd_iotlb_page_[hu]' "$T/q.log") accesses \
are recorded as reads although their direction is unknown: QEMU logs the permissions of the page \
a translation used (read and write for these), not whether the device read or wrote \
(docs/traces.md)" "$(sed "s|$X|qemu-vtd-excerpt.log.gz|" "$T/err")"
hits=$(grep -c ':vtd_iotlb_page_hit ' "$T/q.log")
misses=$(grep -c ':vtd_iotlb_page_update ' "$T/q.log")
dom=$(grep -c ':vtd_inv_desc_iotlb_domain ' "$T/q.log")
glob=$(grep -c ':vtd_inv_desc_iotlb_global ' "$T/q.log" || true)
pages=$(grep -c ':vtd_inv_desc_iotlb_pages ' "$T/q.log" || true)
resets=$(grep -c ':vtd_iotlb_reset ' "$T/q.log")
lines=$(wc -l <"$T/q.log" | tr -d ' ')
expect_eq "excerpt: accesses = hit + update lines" $((hits + misses)) \
	"$(meta "$T/q.iot.gz" accesses)"
expect_eq "excerpt: lines counted" "$lines" "$(meta "$T/q.iot.gz" lines)"
expect_eq "excerpt: QEMU's resets counted" "$resets" "$(meta "$T/q.iot.gz" qemu_iotlb_resets)"
# QEMU 7.2's IOTLB (configs/hw/qemu-vtd.json) replayed in order, one request at a time.
check "run the excerpt (untimed)" ism run "$CFG" -t "$T/q.iot.gz" --set mode=untimed \
	--format flat -q
cp "$T/out" "$T/run.txt"
expect_eq "excerpt: translations" $((hits + misses)) "$(kv "$T/run.txt" iotlb.lookups)"
expect_eq "excerpt: IOTLB hits = vtd_iotlb_page_hit lines" "$hits" "$(kv "$T/run.txt" iotlb.hits)"
expect_eq "excerpt: IOTLB misses = vtd_iotlb_page_update lines" "$misses" \
	"$(kv "$T/run.txt" iotlb.misses)"
expect_eq "excerpt: domain invalidations = the log's" "$dom" \
	"$(kv "$T/run.txt" invalidation.commands.domain)"
expect_eq "excerpt: global invalidations = the log's" "$glob" \
	"$(kv "$T/run.txt" invalidation.commands.global)"
# Page-selective descriptors, leaf-only (IH=1) ones included, are range commands.
expect_eq "excerpt: page invalidations = the log's" "$pages" \
	"$(kv "$T/run.txt" invalidation.commands.range)"
# The excerpt opens with the update that made QEMU empty its full IOTLB; the replay starts
# empty, so it flushes once fewer than the log's vtd_iotlb_reset lines.
expect_eq "excerpt: flush-on-full resets = the log's, less the one at its start" \
	"$((resets - 1))" "$(kv "$T/run.txt" iotlb.set_flushes)"
check "run the excerpt (timed)" ism run "$CFG" -t "$T/q.iot.gz" -q
# One record per command, by domain id.
expect_eq "excerpt: INV:DOMAIN records" "$dom" "$(data "$T/q.iot.gz" | grep -c ',INV:DOMAIN,')"
# Each device is attached once, to the one domain id its lines name (one device per domain id
# in this capture, so the replay's IOTLB, which shares entries within a domain as hardware
# does, and QEMU's, which keys them by source id, see the same tags).
pairs=$(grep -E ':vtd_iotlb_page_(hit|update) ' "$T/q.log" | awk '{ print $6, $12 }' | sort -u)
expect_eq "excerpt: one domain id per device" "$(echo "$pairs" | awk '{ print $1 }' | sort -u |
	wc -l)" "$(echo "$pairs" | wc -l)"
expect_eq "excerpt: one ATTACH per device" "$(echo "$pairs" | wc -l | tr -d ' ')" \
	"$(data "$T/q.iot.gz" | grep -c ',ATTACH,')"

### The bundled guest ftrace excerpt (iommu:map/unmap, Linux 6.1)
F="$TR/ftrace-excerpt.txt.gz"
check "import the ftrace excerpt" ism trace import -q --from ftrace "$F" -o "$T/f.iot.gz" \
	--device 00:04.0
gzip -dc "$F" >"$T/f.txt"
maps=$(grep -c ' map: IOMMU: ' "$T/f.txt")
unmaps=$(grep -c ' unmap: IOMMU: ' "$T/f.txt")
data "$T/f.iot.gz" >"$T/f.csv"
expect_eq "ftrace excerpt: MAP records = map lines" "$maps" "$(grep -c ',MAP,' "$T/f.csv")"
expect_eq "ftrace excerpt: UNMAP records = unmap lines" "$unmaps" "$(grep -c ',UNMAP,' "$T/f.csv")"
expect_eq "ftrace excerpt: one access per mapping" "$maps" "$(grep -c ',R,' "$T/f.csv")"
expect_eq "ftrace excerpt: --device 00:04.0 and up" "$((maps + unmaps + maps))" \
	"$(grep -c '^[0-9]*,[A-Z]*,3[2-5],' "$T/f.csv")"
# The CPU of each line: the map lines on CPU 1, counted independently.
expect_eq "ftrace excerpt: CPUs kept" "$(grep ' map: IOMMU: ' "$T/f.txt" | grep -c '\[001\]')" \
	"$(grep ',MAP,' "$T/f.csv" | grep -c ',1$')"
check "run the ftrace excerpt" ism run "$CFG" -t "$T/f.iot.gz" -q

### Real captures whose events name no device: address spaces inferred where mappings overlap
# The bundled excerpt (boot, the first dd) and ftrace-mixed.txt.gz (four devices at once) of the
# capture whose QEMU log shows no fault. spaces.awk models the rule of docs/traces.md page by page,
# apart from the importer; untimed and timed runs through QEMU's VT-d must then give no fault
# and no failed map (before the rule: 8 faults and 560 failed maps on the first, 8 and 132 on
# the second).
for x in "$F" "$ID/ftrace-mixed.txt.gz"; do
	b=$(basename "$x" .txt.gz)
	(cd "$(dirname "$x")" && ism trace import -q --from ftrace "$(basename "$x")" --device 00:04.0 \
		-o "$T/$b.iot.gz") 2>"$T/$b.err"
	gzip -dc "$x" | awk -f "$ID/spaces.awk" >"$T/$b.model"
	model() { awk -v k="$1" '$1 == k { print $2 }' "$T/$b.model"; }
	n=$(model spaces)
	grep -E '^(MAP|UNMAP) ' "$T/$b.model" >"$T/$b.want"
	data "$T/$b.iot.gz" | awk -F, '$2 == "MAP" || $2 == "UNMAP" { print $2, $3 - 32 }' \
		>"$T/$b.got"
	check "$b: each map and unmap in the space of the rule (device 00:04.0 + space)" \
		cmp "$T/$b.want" "$T/$b.got"
	[ "$n" -ge "$(model fewest)" ] && ok "$b: no fewer spaces than any rule needs" ||
		fail "$b: $n spaces, fewer than $(model fewest)"
	expect_eq "$b: the metadata's spaces" "\"address_spaces\":{\"inferred\":$n,\"limit\":256,\
\"maps\":[$(awk '$1 == "maps_in" { printf "%s%s", s, $3; s = "," }' "$T/$b.model")]}" \
		"$(ism trace export --to csv "$T/$b.iot.gz" -o - | head -1 |
			grep -o '"address_spaces":{[^}]*}')"
	counts=$(awk '$1 == "maps_in" { c[$2] = $3; n++ } END {
		for (k = 0; k < n; k++) printf "%s%s", k == 0 ? "" : k == n - 1 ? " and " : ", ", c[k] }' \
		"$T/$b.model")
	expect_eq "$b: what was inferred, on stderr" "iommusim: note: $b.txt.gz: iommu:map/unmap \
name no device; live mappings overlapped, so $n address spaces were inferred, devices 00:04.0 .. \
00:04.$((n - 1)), with $counts of the $(grep -c '^MAP ' "$T/$b.model") maps (docs/traces.md says \
how). The dma:* events of Linux 6.9 and later name each mapping's device: capture them \
(scripts/capture-ftrace) to import without inference" "$(cat "$T/$b.err")"
	expect_eq "$b: unmaps of nothing mapped" "$(model unmaps_of_nothing)" \
		"$(meta "$T/$b.iot.gz" unmaps_of_nothing_mapped)"
	for mode in untimed timed; do
		ism run "$CFG" -t "$T/$b.iot.gz" --set mode=$mode --format flat -q >"$T/run.txt"
		expect_eq "$b, $mode: no fault" 0 "$(kv "$T/run.txt" faults)"
		expect_eq "$b, $mode: no failed map" 0 "$(kv "$T/run.txt" os.map_failed)"
		expect_eq "$b, $mode: every map made" "$(grep -c '^MAP ' "$T/$b.model")" \
			"$(kv "$T/run.txt" os.maps)"
		expect_eq "$b, $mode: unmaps finding nothing = the model's" \
			"$(model unmaps_of_nothing)" "$(kv "$T/run.txt" os.unmap_missing)"
	done
done
# The bundled excerpt: the fewest spaces that can hold it.
expect_eq "ftrace-excerpt: the fewest spaces possible" "$(awk '$1 == "fewest" { print $2 }' \
	"$T/ftrace-excerpt.model")" "$(meta "$T/ftrace-excerpt.iot.gz" inferred)"
# --address-spaces 1: one space, as before the rule: a map over live mappings ends them, counted
# (here by awk: mappings by first and last page, every live one compared) and said.
over=$(awk '/ (un)?map: IOMMU: / {
	for (i = 1; i <= NF; i++) {
		if ($i ~ /^iova=/) { v = 0; h = tolower(substr($i, 8))
			for (j = 1; j <= length(h); j++) v = v * 16 + index("0123456789abcdef", substr(h, j, 1)) - 1 }
		if ($i ~ /^size=/) z = substr($i, 6) }
	lo = int(v / 4096); hi = int((v + z - 1) / 4096); hit = 0
	for (m in first) if (first[m] <= hi && lo <= last[m]) { delete first[m]; delete last[m]; hit = 1 }
	if ($0 ~ / map: /) { n++; first[n] = lo; last[n] = hi; over += hit } }
	END { print over }' "$T/f.txt")
check "--address-spaces 1" ism trace import -q --from ftrace "$F" --address-spaces 1 \
	-o "$T/one.iot.gz"
expect_eq "--address-spaces 1: one space" 1 "$(meta "$T/one.iot.gz" inferred)"
expect_eq "--address-spaces 1: maps over live mappings" "$over" \
	"$(meta "$T/one.iot.gz" maps_over_live_mappings)"
grep -q "one address space at most (--address-spaces), so the $maps maps went to device \
00:00.0, where $over ended live mappings they overlapped" "$T/err" &&
	ok "--address-spaces 1: said on stderr" || fail "--address-spaces 1: not said: $(cat "$T/err")"

### Bad input: a clear message (exit 4) or a counted skip, never a crash, never a half file
expect_fail "qemu log --from ftrace" 4 'not Linux ftrace text' \
	ism trace import --from ftrace "$ID/vtd.log" -o "$T/bad.iot"
no_file "wrong format leaves no output" "$T/bad.iot"
expect_fail "ftrace text --from qemu" 4 'not a QEMU -trace log' \
	ism trace import --from qemu "$ID/ftrace-dma.txt" -o "$T/bad.iot"
expect_fail "binary garbage" 4 'not a QEMU -trace log' \
	ism trace import --from qemu "$D/trace/garbage.bin" -o "$T/bad.iot"
: >"$T/empty.log"
expect_fail "empty file" 4 'empty file' \
	ism trace import --from ftrace "$T/empty.log" -o "$T/bad.iot"
# A cut-short gzip stream: an error naming the file.
head -c 20000 "$X" >"$T/cut.log.gz"
expect_fail "truncated gzip" 4 'cut.log.gz:[0-9]+: truncated gzip stream' \
	ism trace import --from qemu "$T/cut.log.gz" -o "$T/bad.iot"
no_file "truncated gzip leaves no output" "$T/bad.iot"
# A text cut inside its last line (an update line cut after "iova 0x"): skipped and counted.
awk 'NR <= 20 { print; next } /:vtd_iotlb_page_update / { printf "%s", substr($0, 1, 90); exit }' \
	"$T/q.log" >"$T/cut.log"
check "text cut inside a line" ism trace import --from qemu "$T/cut.log" -o "$T/cut.iot"
expect_eq "the cut line is counted" 1 "$(meta "$T/cut.iot" lines_not_understood)"
# Garbage lines among good ones: counted, the first five quoted with their numbers.
{
	head -3 "$T/q.log"
	printf 'junk %s\n' 1 2 3 4 5 6 7
	printf '\001\002\377\n'
	tail -2 "$T/q.log"
} >"$T/mixed.log"
(cd "$T" && ism trace import --from qemu mixed.log -o mixed.iot) 2>"$T/err"
expect_eq "mixed: 8 lines counted" 8 "$(meta "$T/mixed.iot" lines_not_understood)"
expect_eq "mixed: the warning says 8" "iommusim: warning: mixed.log: 8 lines not understood, \
skipped (--strict makes this an error); the first:" "$(head -1 "$T/err")"
expect_eq "mixed: five quoted" 5 "$(grep -c '^  mixed.log:[0-9]*: ' "$T/err")"
expect_eq "mixed: the first at line 4" "  mixed.log:4: junk 1" "$(sed -n 2p "$T/err")"
good=$(grep -c ':vtd_iotlb_page_[a-z]* ' "$T/mixed.log")
expect_eq "mixed: the records of the good lines" "$good" "$(data "$T/mixed.iot" | grep -c ',R,')"
expect_fail "mixed --strict" 4 'mixed.log:4: line not understood' \
	ism trace import --from qemu --strict "$T/mixed.log" -o "$T/bad.iot"
# A known event with an impossible value: an error naming the line.
printf '1@1.0:vtd_iotlb_page_hit IOTLB page hit sid 0x1ffff iova 0x1000 slpte 0x3 domain 0x1\n' \
	>"$T/huge.log"
expect_fail "sid above 16 bits" 4 'huge.log:1: malformed vtd_iotlb_page_hit line: expected' \
	ism trace import --from qemu "$T/huge.log" -o "$T/bad.iot"
printf '  a-1 [000] ..... 5.0: map: IOMMU: iova=0x1000 paddr=0x1000 size=%s\n' \
	99999999999999999999 >"$T/huge.txt"
expect_fail "size above 64 bits" 4 'huge.txt:1: malformed map line' \
	ism trace import --from ftrace "$T/huge.txt" -o "$T/bad.iot"

# A device name with a NUL or a control byte (found by fuzzing: it reached the trace's JSON
# metadata, which then did not read back): the line is malformed.
printf '  a-1 [000] ..... 1.0: add_device_to_group: IOMMU: groupID=7 device=\0001.display\n' >"$T/nul.txt"
expect_fail "a NUL in a device name" 4 'nul.txt:1: malformed add_device_to_group line' \
	ism trace import --from ftrace "$T/nul.txt" -o "$T/bad.iot"
no_file "no trace from it" "$T/bad.iot"

# Timestamps going back (two lines, 30 and 5 us back): counted, warned, the first quoted.
{
	printf '  a-1 [000] ..... 5.000050: map: IOMMU: iova=0x1000 paddr=0x1000 size=4096\n'
	printf '  a-1 [001] ..... 5.000020: unmap: IOMMU: iova=0x1000 size=4096 unmapped_size=4096\n'
	printf '  a-1 [001] ..... 5.000045: tracing_mark_write: x\n'
} >"$T/back.txt"
(cd "$T" && ism trace import -q --from ftrace back.txt -o back.iot) 2>"$T/err"
expect_eq "time going back: counted" 2 "$(meta "$T/back.iot" time_went_backwards)"
expect_eq "time going back: warned" "iommusim: warning: back.txt: 2 lines have a timestamp \
before an earlier line's (logged out of order): each takes that time; the first, 30000 ns later:" \
	"$(sed -n 1p "$T/err")"
expect_eq "time going back: the first quoted" "  back.txt:2:   a-1 [001] ..... 5.000020: unmap: \
IOMMU: iova=0x1000 size=4096 unmapped_size=4096" "$(sed -n 2p "$T/err")"
# Input that never parses: given up after its first MiB (docs/traces.md), not read forever.
head -c 3000000 /dev/urandom >"$T/random.bin"
for from in ftrace qemu; do
	for f in /dev/zero /dev/urandom "$T/random.bin"; do
		expect_fail "$f --from $from: given up" 4 \
			"$f: not .*: no line of its first 1 MiB \([0-9]+ lines?\) has the form of one" \
			timeout 60 "$ISM" trace import -q --from $from "$f" -o "$T/bad.iot"
	done
done
no_file "given up: no output" "$T/bad.iot"
# A smaller binary file is read to its end and refused: a '#' or a blank line in it is no event.
head -c 200000 /dev/urandom >"$T/small.bin"
for from in ftrace qemu; do
	expect_fail "small binary --from $from" 4 "small.bin: not .*: none of its [0-9]+ lines has \
the form of one" ism trace import -q --from $from "$T/small.bin" -o "$T/bad.iot"
done
for f in /dev/zero /dev/urandom "$T/random.bin"; do
	expect_fail "$f --from csv" 4 "$f: not an iommusim trace or CSV" \
		timeout 60 "$ISM" trace import -q --from csv "$f" -o "$T/bad.iot"
done

### Options
expect_fail "--from unknown lists the formats" 2 \
	"unknown format 'pcap' for --from \(csv, ftrace, qemu\)" \
	ism trace import --from pcap "$ID/vtd.log" -o "$T/u.iot"
expect_fail "--access-size 0" 2 '--access-size: expected 1 .. 4096' \
	ism trace import --from qemu --access-size 0 "$ID/vtd.log" -o "$T/u.iot"
expect_fail "--access-size for ftrace" 2 '--access-size applies to --from qemu only' \
	ism trace import --from ftrace --access-size 8 "$ID/ftrace-dma.txt" -o "$T/u.iot"
expect_fail "--device for qemu" 2 '--device applies to --from ftrace only' \
	ism trace import --from qemu --device 1 "$ID/vtd.log" -o "$T/u.iot"
expect_fail "--accesses bogus" 2 '--accesses: expected once or none' \
	ism trace import --from ftrace --accesses twice "$ID/ftrace-dma.txt" -o "$T/u.iot"
expect_fail "--max-delay 0" 2 '--max-delay: expected a positive integer' \
	ism trace import --from ftrace --max-delay 0 "$ID/ftrace-dma.txt" -o "$T/u.iot"
expect_fail "--address-spaces 0" 2 '--address-spaces: expected 1 .. 65536' \
	ism trace import --from ftrace --address-spaces 0 "$ID/ftrace-dma.txt" -o "$T/u.iot"
expect_fail "--address-spaces for qemu" 2 '--address-spaces applies to --from ftrace only' \
	ism trace import --from qemu --address-spaces 4 "$ID/vtd.log" -o "$T/u.iot"
check "--access-size 64" ism trace import -q --from qemu --access-size 64 "$ID/vtd.log" \
	-o "$T/a.iot"
expect_eq "--access-size 64: first access 64 bytes" "11000,R,32,,0xffffd002,64,," \
	"$(data "$T/a.iot" | grep -m1 ',R,')"
check "--events iommu --accesses none" ism trace import -q --from ftrace --events iommu \
	--accesses none "$ID/ftrace-dma.txt" -o "$T/e.iot"
expect_eq "--events iommu: the one iommu:map line" "100002600000,MAP,0,,0x1000,4096,0x40000,0" \
	"$(data "$T/e.iot" | sed 1d)"

finish
