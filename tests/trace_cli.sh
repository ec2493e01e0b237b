#!/bin/sh
# `iommusim trace`: import/export round trips, info against hand-computed values, gen, bad inputs.
. "${ISM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/setup"
TD="$D/trace"

# flip FILE OFFSET: invert one byte in place.
flip() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 255)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
size_of() { wc -c <"$1" | tr -d ' '; }

### Help
check "trace --help" ism trace --help
expect_eq "trace --help lists the subcommands" 4 \
	"$(grep -cE '^  (import|export|info|gen) ' "$T/out")"
check "trace import --help" ism trace import --help
expect_fail "trace without a subcommand" 2 'missing subcommand' ism trace
expect_fail "unknown subcommand" 2 "unknown subcommand 'frob'" ism trace frob

### Canonical CSV -> native -> CSV is byte-identical (.iot and .iot.gz, file and stdout)
for f in canon canon-plain canon-domain; do
	check "import $f.csv" ism trace import --from csv "$TD/$f.csv" -o "$T/$f.iot"
	check "import $f.csv to .gz" ism trace import -q --from csv "$TD/$f.csv" -o "$T/$f.iot.gz"
	check "export $f.iot" ism trace export --to csv "$T/$f.iot" -o "$T/$f.csv"
	check "$f: csv -> iot -> csv identical" cmp "$TD/$f.csv" "$T/$f.csv"
	check "export $f.iot.gz to stdout" ism trace export --to csv "$T/$f.iot.gz" -o -
	cp "$T/out" "$T/stdout.csv"
	check "$f: csv -> iot.gz -> stdout identical" cmp "$TD/$f.csv" "$T/stdout.csv"
	check "export $f to .csv.gz" ism trace export --to csv "$T/$f.iot.gz" -o "$T/$f.csv.gz"
	gzip -dc "$T/$f.csv.gz" >"$T/$f.unz.csv"
	check "$f: csv.gz identical" cmp "$TD/$f.csv" "$T/$f.unz.csv"
done
expect_eq "import/export are silent on success" "" "$(cat "$T/err")"

### Native -> CSV -> native is exact: a generated trace comes back byte for byte
check "gen stream" ism trace gen "$TD/gen-stream.json" -o "$T/gs.iot.gz"
check "export gen" ism trace export --to csv "$T/gs.iot.gz" -o "$T/gs.csv"
check "re-import gen" ism trace import --from csv "$T/gs.csv" -o "$T/gs2.iot.gz"
check "native -> csv -> native identical" cmp "$T/gs.iot.gz" "$T/gs2.iot.gz"

### info on a hand-made trace (values worked out by hand in tests/data/trace/tiny.csv)
check "info tiny.csv" ism trace info "$TD/tiny.csv"
cp "$T/out" "$T/info.txt"
# 8 records: reads at t=10,30,50,70; writes at t=20,40; one MAP, one UNMAP.
expect_eq "info records" 8 "$(kv "$T/info.txt" records)"
expect_eq "info reads" 4 "$(kv "$T/info.txt" reads)"
expect_eq "info writes" 2 "$(kv "$T/info.txt" writes)"
expect_eq "info maps" 1 "$(kv "$T/info.txt" maps)"
expect_eq "info unmaps" 1 "$(kv "$T/info.txt" unmaps)"
# read 64 + 0x2000 + 4096 + 64; written 128 + 4096; mapped 0x4000.
expect_eq "info bytes_read" 12416 "$(kv "$T/info.txt" bytes_read)"
expect_eq "info bytes_written" 4224 "$(kv "$T/info.txt" bytes_written)"
expect_eq "info bytes_mapped" 16384 "$(kv "$T/info.txt" bytes_mapped)"
expect_eq "info time span" 70 "$(kv "$T/info.txt" time_span_ns)"
# 4K: dev 01:00.0 pages 0x100 0x101 0x102 0x1ff 0x200, 02:00.0/pasid 3 0x100, 0x300 0x40000.
expect_eq "info footprint 4K" 7 "$(kv "$T/info.txt" footprint_4K)"
# 2M: 01:00.0 {0, 1}, 02:00.0 {0}, 0x300 {0x200}.  1G: one page for each of the three.
expect_eq "info footprint 2M" 4 "$(kv "$T/info.txt" footprint_2M)"
expect_eq "info footprint 1G" 3 "$(kv "$T/info.txt" footprint_1G)"
expect_eq "info devices" 3 "$(kv "$T/info.txt" devices)"
# Devices are keyed by BDF (01:00.0 is requester id 256, 0x300 is 03:00.0), as lspci names them.
expect_eq "info 01:00.0 records" 5 "$(kv "$T/info.txt" device.01:00.0.records)"
expect_eq "info 01:00.0 bytes_read" 8256 "$(kv "$T/info.txt" device.01:00.0.bytes_read)"
expect_eq "info 02:00.0 writes" 1 "$(kv "$T/info.txt" device.02:00.0.writes)"
expect_eq "info 0x300 bytes_read" 64 "$(kv "$T/info.txt" device.03:00.0.bytes_read)"
expect_eq "info: PASID 3 of 02:00.0 is a space of its own" 1 \
	"$(kv "$T/info.txt" space.02:00.0.pasid3.footprint_4K)"
expect_eq "info: no device or space keyed by a decimal requester id" 0 \
	"$(grep -Ec '^(device|space)\.[0-9]+\.' "$T/info.txt" || true)"
# A device id wider than a requester id (an SMMU stream id) has no BDF: keyed in decimal.
printf 'time_ns,op,device,pasid,iova,size,paddr\n0,R,70000,,0x1000,64,\n' >"$T/wide.csv"
check "info, a 17-bit device id" ism trace info "$T/wide.csv"
expect_eq "info keys a device above 0xffff by its decimal id" 1 "$(kv "$T/out" device.70000.reads)"
check "run, a 17-bit device id" ism run "$ISM_SRCDIR/configs/demo.json" -t "$T/wide.csv" -q --format flat -o "$T/wide.flat"
expect_eq "results name a device above 0xffff by its decimal id, as traces do" 1 \
	"$(kv "$T/wide.flat" devices.70000.dma.accesses)"
# tests/golden/nested.csv: a MAP, three reads and an UNMAP of 01:00.0, and two UNMAP:S2 of the
# host, which name no device (device 0 there means nothing): not 00:00.0's, not in unmaps.
check "info nested.csv" ism trace info "$ISM_SRCDIR/tests/golden/nested.csv"
cp "$T/out" "$T/info-s2.txt"
expect_eq "info nested: records" 7 "$(kv "$T/info-s2.txt" records)"
expect_eq "info nested: unmaps (the guest's)" 1 "$(kv "$T/info-s2.txt" unmaps)"
expect_eq "info nested: unmaps_stage2 (the host's)" 2 "$(kv "$T/info-s2.txt" unmaps_stage2)"
expect_eq "info nested: one device, 01:00.0" 1 "$(kv "$T/info-s2.txt" devices)"
expect_eq "info nested: 01:00.0's records" 5 "$(kv "$T/info-s2.txt" device.01:00.0.records)"
expect_eq "info nested: no row for device 0" "<missing>" "$(kv "$T/info-s2.txt" device.00:00.0.records)"
check "import tiny" ism trace import --from csv "$TD/tiny.csv" -o "$T/tiny.iot"
check "info tiny.iot --json" ism trace info --json "$T/tiny.iot"
expect_eq "info --json records" 1 "$(grep -c '"records": 8,' "$T/out")"
expect_eq "info --json 4K footprint" 1 "$(grep -c '"4K": 7' "$T/out")"

### ATTACH, DETACH and INVALs by domain (values worked out by hand in canon-domain.csv)
check "info canon-domain.csv" ism trace info "$TD/canon-domain.csv"
cp "$T/out" "$T/info.txt"
expect_eq "info records (domains)" 13 "$(kv "$T/info.txt" records)"
expect_eq "info attaches" 4 "$(kv "$T/info.txt" attaches)"
expect_eq "info detaches" 1 "$(kv "$T/info.txt" detaches)"
# The global INVAL and the two INVALs by domain name no device: two devices, not three.
expect_eq "info devices (domains)" 2 "$(kv "$T/info.txt" devices)"
# 01:00.0: ATTACH, MAP, R, its INV:DOMAIN, UNMAP; 02:00.0: ATTACH, R, DETACH, two ATTACHes.
expect_eq "info 01:00.0 records (domains)" 5 "$(kv "$T/info.txt" device.01:00.0.records)"
expect_eq "info 01:00.0 attaches" 1 "$(kv "$T/info.txt" device.01:00.0.attaches)"
expect_eq "info 01:00.0 detaches" 0 "$(kv "$T/info.txt" device.01:00.0.detaches)"
expect_eq "info 02:00.0 records (domains)" 5 "$(kv "$T/info.txt" device.02:00.0.records)"
expect_eq "info 02:00.0 attaches" 3 "$(kv "$T/info.txt" device.02:00.0.attaches)"
expect_eq "info 02:00.0 detaches" 1 "$(kv "$T/info.txt" device.02:00.0.detaches)"
expect_eq "info domains" "[1,3,4294967295]" "$(kv "$T/info.txt" domains)"
check "info --json domains" ism trace info --json "$T/canon-domain.iot"
expect_eq "info --json domains list" 1 \
	"$(tr -d ' \n' <"$T/out" | grep -c '"domains":\[1,3,4294967295\]')"
# A global INVAL is no device either (canon.csv: 01:00.0 and 02:00.1 only).
check "info canon.csv" ism trace info "$TD/canon.csv"
expect_eq "info: INV:GLOBAL is no device" 2 "$(kv "$T/out" devices)"
expect_eq "info: no device 0 row" "<missing>" "$(kv "$T/out" device.0.records)"
check "info tiny.csv (no domains)" ism trace info "$TD/tiny.csv"
expect_eq "info attaches (none)" 0 "$(kv "$T/out" attaches)"
expect_eq "info domains (none)" "[]" "$(kv "$T/out" domains)"
# A native trace whose metadata ({}) says nothing of cpu or domain columns: export scans it and
# writes both (the worked example of docs/trace-format.md; domains.csv worked out by hand).
check "export domains.iot" ism trace export --to csv "$TD/domains.iot" -o "$T/domains.csv"
check "export adds the cpu and domain columns" cmp "$TD/domains.csv" "$T/domains.csv"
printf '%s\n' 'time_ns,op,device,pasid,iova,size,paddr' '0,ATTACH,1,,,,' >"$T/att.csv"
expect_fail "ATTACH without a domain column" 4 \
	"att\.csv:2: column 'op': expected an op without a domain: ATTACH names one, and the header has no 'domain' column, got 'ATTACH'$" \
	ism trace import --from csv "$T/att.csv" -o "$T/att.iot"
no_file "a bad ATTACH leaves no output" "$T/att.iot"
printf '%s\n' 'time_ns,op,device,pasid,iova,size,paddr,domain' '0,INV:GLOBAL,,,,,,1' >"$T/glob.csv"
expect_fail "INV:GLOBAL with a domain" 4 \
	"glob\.csv:2: column 'domain': expected empty \(INV:GLOBAL covers every domain\), got '1'$" \
	ism trace info "$T/glob.csv"

### gen: same spec + seed = same bytes; --seed and --set change it
check "gen random" ism trace gen "$TD/gen-random.json" -o "$T/r1.iot.gz"
check "gen random again" ism trace gen "$TD/gen-random.json" -o "$T/r2.iot.gz"
check "gen is deterministic" cmp "$T/r1.iot.gz" "$T/r2.iot.gz"
check "gen --seed" ism trace gen "$TD/gen-random.json" --seed 8 -o "$T/r3.iot.gz"
if cmp -s "$T/r1.iot.gz" "$T/r3.iot.gz"; then
	fail "another seed gives another trace"
else
	ok "another seed gives another trace"
fi
check "gen --set" ism trace gen "$TD/gen-random.json" --set accesses=123 --set op=W -o "$T/r4.csv"
check "info on --set output" ism trace info "$T/r4.csv"
expect_eq "--set accesses" 123 "$(kv "$T/out" writes)"
# gen-stream.json: one MAP, 10000 accesses, one UNMAP.
check "info gen stream" ism trace info "$T/gs.iot.gz"
expect_eq "gen stream records" 10002 "$(kv "$T/out" records)"

### Bad inputs: exact exit code, a message naming the file and line/record, no output left
expect_fail "bad CSV line" 4 \
	"^iommusim: .*bad-iova\.csv:7: column 'iova': expected a decimal or 0x-hex integer, got '0xzz'$" \
	ism trace import --from csv "$TD/bad-iova.csv" -o "$T/bad.iot"
no_file "bad CSV leaves no output" "$T/bad.iot"
expect_fail "time going backwards" 4 "backwards\.csv:4: column 'time_ns': expected a time >= 100" \
	ism trace import --from csv "$TD/backwards.csv" -o "$T/bad.iot.gz"
no_file "time backwards leaves no output" "$T/bad.iot.gz"
expect_fail "binary garbage" 4 "garbage\.bin: not an iommusim trace or CSV" \
	ism trace info "$TD/garbage.bin"
expect_fail "missing file" 4 "nope\.iot: cannot open" ism trace info "$T/nope.iot"

# gs.iot.gz holds 10002 records in blocks of 4096: cut into the last block's payload.
check "import gen csv to .iot" ism trace import --from csv "$T/gs.csv" -o "$T/gs.iot"
n=$(size_of "$T/gs.iot")
head -c $((n - 30)) "$T/gs.iot" >"$T/cut.iot"
expect_fail "truncated .iot" 4 "cut\.iot: truncated after record 8192: expected a block payload" \
	ism trace export --to csv "$T/cut.iot" -o "$T/cut.csv"
no_file "truncated input leaves no output" "$T/cut.csv"
cp "$T/gs.iot" "$T/flip.iot"
flip "$T/flip.iot" $((n - 20 - 100))
expect_fail "corrupt .iot" 4 "flip\.iot: corrupt block at record 8193: CRC mismatch" \
	ism trace export --to csv "$T/flip.iot" -o "$T/flip.csv"
no_file "corrupt input leaves no output" "$T/flip.csv"
cp "$T/r1.iot.gz" "$T/flip.iot.gz"
flip "$T/flip.iot.gz" $(($(size_of "$T/flip.iot.gz") / 2))
expect_fail "corrupt .iot.gz" 4 "flip\.iot\.gz: corrupt .*record [0-9]+" \
	ism trace import --from csv "$T/flip.iot.gz" -o "$T/x.iot"
expect_fail "corrupt .iot.gz (export)" 4 "flip\.iot\.gz: corrupt .*record [0-9]+" \
	ism trace export --to csv "$T/flip.iot.gz" -o "$T/flip.csv.gz"
no_file "corrupt .gz leaves no output" "$T/flip.csv.gz"
printf '\211IOT\r\n\032\n\002\000\001\000\002\000\000\000{}\000\000\000\000' >"$T/v2.iot"
expect_fail "newer major version" 4 \
	"v2\.iot: trace format version 2\.1 is newer than this iommusim reads \(1\.x\)" \
	ism trace info "$T/v2.iot"
expect_fail "import of a native trace" 4 "already a native iommusim trace" \
	ism trace import --from csv "$T/gs.iot" -o "$T/y.iot"

expect_fail "bad spec key" 3 "gen-bad-key\.json: 'sizee': unknown key" \
	ism trace gen "$TD/gen-bad-key.json" -o "$T/g.iot"
no_file "bad spec leaves no output" "$T/g.iot"
expect_fail "bad --set value" 3 "'op': expected" \
	ism trace gen "$TD/gen-random.json" --set op=X -o "$T/g.iot"
no_file "bad --set leaves no output" "$T/g.iot"

### The example CSV the README imports (traces/nic-example.csv; counts in traces/README.md)
NX="$ISM_SRCDIR/traces/nic-example.csv"
check "import the example CSV" ism trace import --from csv "$NX" -o "$T/nx.iot.gz"
check "info of the example" ism trace info "$T/nx.iot.gz"
# 4 reads (3 descriptors, 1 TX frame), 5 writes (2 frames, 3 statuses), 4 maps, 3 unmaps;
# read 3 x 16 + 1514 bytes, written 1514 + 60 + 3 x 16; three 4K pages (ring, RX, TX IOVA).
expect_eq "example: counts and bytes" "16 4 5 4 3 1562 1622 3" \
	"$(for k in records reads writes maps unmaps bytes_read bytes_written footprint_4K; do
		kv "$T/out" $k; done | paste -sd' ')"
expect_eq "example: one device, 03:00.0" "1 16" \
	"$(kv "$T/out" devices) $(kv "$T/out" device.03:00.0.records)"
# Strict: 16 translations (the 1514-byte frame is 6 writes of <= 256 bytes, 3 reads of <= 512);
# misses: ring, RX buffer, TX buffer (compulsory) and the RX IOVA again after its strict unmap.
check "run the example, strict" ism run -t "$T/nx.iot.gz" --set mode=untimed \
	--set os.invalidation.policy=strict --format flat -q
expect_eq "example, strict: lookups misses compulsory invalidation faults stale" "16 4 3 1 0 0" \
	"$(for k in iotlb.lookups iotlb.misses iotlb.misses_by_class.compulsory \
		iotlb.misses_by_class.invalidation faults stale.hits; do kv "$T/out" $k; done | paste -sd' ')"
check "the example round-trips through native" ism trace export --to csv "$T/nx.iot.gz" -o "$T/nx.csv"
# The example is written in the canonical form: its records come back line for line.
grep -v '^#' "$NX" >"$T/nx.want"
grep -v '^#' "$T/nx.csv" >"$T/nx.got"
check "export gives the example's records back" cmp "$T/nx.want" "$T/nx.got"

### Usage and output errors
expect_fail "import without --from" 2 "--from is required" \
	ism trace import "$TD/tiny.csv" -o "$T/u.iot"
expect_fail "import --from unknown" 2 "unknown format 'pcap'" \
	ism trace import --from pcap "$TD/tiny.csv" -o "$T/u.iot"
expect_fail "import to a .csv" 2 "OUT must end in .iot or .iot.gz" \
	ism trace import --from csv "$TD/tiny.csv" -o "$T/u.csv"
expect_fail "export to a .iot" 2 "OUT for --to csv" \
	ism trace export --to csv "$T/tiny.iot" -o "$T/u.iot"
expect_fail "export without -o" 2 "-o OUT is required" ism trace export --to csv "$T/tiny.iot"
expect_fail "info without a file" 2 "expected one trace file" ism trace info
expect_fail "gen --seed not a number" 2 "--seed: expected a non-negative integer" \
	ism trace gen "$TD/gen-random.json" --seed x -o "$T/u.iot"
expect_fail "unknown option" 2 "unknown option" ism trace info --frob "$T/tiny.iot"
expect_fail "cannot write" 5 "no/such/dir/u\.iot: cannot create output file" \
	ism trace import --from csv "$TD/tiny.csv" -o "$T/no/such/dir/u.iot"

finish
