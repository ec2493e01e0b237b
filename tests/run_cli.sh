# `iommusim run` from the outside: results, determinism, atomic output, every error path.
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"
G="$ISM_SRCDIR/tests/golden"

# Help and version.
check "run --help" ism run --help
grep -q -- '--set' "$T/out" && ok "run --help lists --set" || fail "run --help lacks --set"
check "--version" ism --version
expect_fail "no command" 2 'Usage' ism
expect_fail "unknown command" 2 "unknown command 'frobnicate'" ism frobnicate
expect_fail "unknown option" 2 "unknown option" ism run --frob
expect_fail "no config, no trace" 2 'give a CONFIG' ism run

# A run writes a complete JSON document with the keys the issue names.
check "run -o" ism run "$G/capacity.json" -o "$T/r.json" -q
for k in '"lookups"' '"hits"' '"misses"' '"miss_rate"' '"misses_by_class"' '"hits_by_page_size"' \
	'"walks"' '"mem_refs"' '"faults"' '"config"' '"version"' '"meta"' '"wall_s"' '"accesses_per_s"'; do
	grep -q "$k" "$T/r.json" || fail "result lacks $k"
done
ok "result has the required keys"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["iotlb"]["lookups"]==6 and d["iotlb"]["miss_rate"]==1.0 and d["config"]["iommu"]["iotlb"]["entries"]==4' "$T/r.json" \
	&& ok "result JSON parses and holds the run's values" || fail "result JSON content"

# Summary on stderr with -o; quiet with -q.
ism run "$G/capacity.json" -o "$T/r2.json" 2>"$T/summary"
grep -q 'IOTLB' "$T/summary" && ok "summary on stderr" || fail "no summary on stderr"
ism run "$G/capacity.json" -o "$T/r3.json" -q 2>"$T/quiet"
[ ! -s "$T/quiet" ] && ok "-q is quiet" || fail "-q printed something"
check "--format text" ism run "$G/capacity.json" --format text -q
grep -q 'misses' "$T/out" && ok "text summary" || fail "text summary"

# The summary line names the page sizes the mappings used, not all the table supports (4K, 2M
# and 1G by default); the text summary shows both. Two reads 4 KiB apart in one 2 MiB page.
{ echo "time_ns,op,device,pasid,iova,size,paddr"; echo "0,R,1,,0x200000,64,"; echo "1,R,1,,0x201000,64,"; } >"$T/two.csv"
summary() { sed -n 's/^  "summary": "\(IOMMU [a-z]* [^:]*\):.*/\1/p' "$T/out"; }
check "run, first touch 4K" ism run -t "$T/two.csv" --set mode=untimed --set os.invalidation.policy=strict -q
expect_eq "summary: two 4K first-touch pages -> 4K" "IOMMU strict 4K" "$(summary)"
check "run, first touch 2M" ism run -t "$T/two.csv" --set mode=untimed --set os.first_touch_page_size=2M -q
expect_eq "summary: one 2M first-touch page -> 2M" "IOMMU lazy 2M" "$(summary)"
# A 4K MAP and a 2M-aligned 2M MAP: both sizes used (1G never).
{ echo "time_ns,op,device,pasid,iova,size,paddr"; echo "0,MAP,1,,0x1000,0x1000,0x1000"
  echo "1,MAP,1,,0x200000,0x200000,0x40000000"; echo "2,R,1,,0x1000,64,"; echo "3,R,1,,0x200000,64,"; } >"$T/maps.csv"
check "run, 4K and 2M maps" ism run -t "$T/maps.csv" --set mode=untimed -q
expect_eq "summary: a 4K and a 2M leaf -> 4K+2M" "IOMMU lazy 4K+2M" "$(summary)"
check "run, nothing mapped" ism run -t "$T/two.csv" --set mode=untimed --set os.first_touch=never -q
expect_eq "summary: no leaf written" "IOMMU lazy (nothing mapped)" "$(summary)"
check "text summary: sizes supported and used" ism run -t "$T/maps.csv" --set mode=untimed --format text -q
expect_eq "text: pages 4K,2M,1G (used: 4K,2M)" 1 "$(grep -c '; pages 4K,2M,1G (used: 4K,2M); ' "$T/out")"

# Determinism: the same inputs give byte-identical results, wall-time fields aside.
ism run "$G/walkcache.json" --set iommu.iotlb.replacement=random --set seed=7 -q -o "$T/r1.json"
(cd "$T" && ism run "$G/walkcache.json" --set iommu.iotlb.replacement=random --set seed=7 -q >"$T/r2.json")
deterministic "$T/r1.json" >"$T/d1"
deterministic "$T/r2.json" >"$T/d2"
cmp -s "$T/d1" "$T/d2" && ok "same seed, byte-identical result (provenance and run aside)" || fail "results differ between identical runs"
# ... and only those differ: the command lines and directories were not the same.
python3 -c 'import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
assert a["provenance"]["command"] != b["provenance"]["command"] and a["provenance"]["cwd"] != b["provenance"]["cwd"]
assert [k for k in a if a[k] != b[k]] == ["provenance", "run"], [k for k in a if a[k] != b[k]]' "$T/r1.json" "$T/r2.json" \
	&& ok "two runs differ in provenance and run alone" || fail "two runs differ elsewhere"

# --set and -t override the config.
ism run "$G/capacity.json" --set iommu.iotlb.entries=8 --set iommu.iotlb.ways=8 --format flat -q >"$T/f"
expect_eq "--set entries=8 removes the capacity miss" 0 "$(kv "$T/f" iotlb.misses_by_class.capacity)"
ism run "$G/capacity.json" -t "$G/conflict.csv" --format flat -q >"$T/f"
expect_eq "-t replaces the trace" 5 "$(kv "$T/f" iotlb.lookups)"
ism run -t "$G/capacity.csv" --set mode=untimed --format flat -q >"$T/f"
expect_eq "defaults only, untimed (64-entry IOTLB): the second A hits" 1 "$(kv "$T/f" iotlb.hits)"
# Timed (the default), the 32 tags put all six reads in flight at once: the second A arrives
# while the first A's walk is under way and waits for it instead of walking again.
ism run -t "$G/capacity.csv" --format flat -q >"$T/f"
expect_eq "defaults only, timed: the second A shares the first's walk" 1 "$(kv "$T/f" walk.shared)"
expect_eq "defaults only, timed: 5 walks" 5 "$(kv "$T/f" walk.started)"
expect_eq "defaults only, timed: the miss that shared a walk is a walk-in-flight miss" 1 \
	"$(kv "$T/f" iotlb.misses_by_class.walk_in_flight)"
expect_eq "defaults only, timed: the other 5 are compulsory" 5 "$(kv "$T/f" iotlb.misses_by_class.compulsory)"

# Errors: one clear message, the documented exit code, nothing left at the output path.
printf '{"trace": "capacity.csv", "iommu": {"iotlb": {"entries": 0}}}' >"$T/bad.json"
cp "$G/capacity.csv" "$T/"
expect_fail "invalid config -> 3" 3 'bad.json.*iommu.iotlb.entries' ism run "$T/bad.json" -o "$T/o1.json"
no_file "no output after a config error" "$T/o1.json"
expect_fail "missing trace -> 4" 4 'nonexistent.iot' ism run "$G/capacity.json" -t "$T/nonexistent.iot" -o "$T/o2.json"
no_file "no output after a trace error" "$T/o2.json"
printf 'time_ns,op,device,pasid,iova,size,paddr\n0,R,1,,0x1000,64,\n5,Q,1,,0x1000,64,\n' >"$T/badop.csv"
expect_fail "bad CSV line mid-run -> 4" 4 'badop.csv:3' ism run "$G/capacity.json" -t "$T/badop.csv" -o "$T/o3.json"
no_file "no output after a mid-run trace error" "$T/o3.json"
ism trace import --from csv "$G/capacity.csv" -o "$T/cut.iot" -q
head -c $(( $(wc -c <"$T/cut.iot") - 5 )) "$T/cut.iot" >"$T/cut2.iot"
expect_fail "truncated native trace -> 4" 4 'cut2.iot.*truncated' ism run "$G/capacity.json" -t "$T/cut2.iot" -o "$T/o4.json"
no_file "no output after a truncated trace" "$T/o4.json"

# An existing result is not lost when a later run fails.
echo '{"keep": true}' >"$T/keep.json"
expect_fail "failing run over an existing file" 4 'truncated' ism run "$G/capacity.json" -t "$T/cut2.iot" -o "$T/keep.json"
expect_eq "the existing file is intact" '{"keep": true}' "$(cat "$T/keep.json")"
expect_fail "unwritable output -> 5" 5 'cannot create' ism run "$G/capacity.json" -o "$T/no/such/dir/r.json"
expect_fail "bad --format" 2 'expected json, text or flat' ism run "$G/capacity.json" --format xml
# Memory is bounded by the model, not the trace: ten times the records, the same peak (within
# 4 MiB), in both modes.
printf '{"workload": "random-window", "accesses": 200000, "window": "1M"}' >"$T/m1.json"
printf '{"workload": "random-window", "accesses": 2000000, "window": "1M"}' >"$T/m2.json"
ism trace gen "$T/m1.json" -o "$T/m1.iot.gz" -q
ism trace gen "$T/m2.json" -o "$T/m2.iot.gz" -q
for mode in timed untimed; do
	a=$(ism run -t "$T/m1.iot.gz" --set mode=$mode --format flat -q | awk '$1 == "run.max_rss_kb" { print $2 }')
	b=$(ism run -t "$T/m2.iot.gz" --set mode=$mode --format flat -q | awk '$1 == "run.max_rss_kb" { print $2 }')
	[ $((b - a)) -lt 4096 ] && ok "$mode: peak memory flat in trace length ($a KiB, $b KiB)" \
		|| fail "$mode: peak memory grows with the trace: $a KiB for 200k records, $b KiB for 2M"
done
# Allowed one CPU (taskset), the reader reads in the caller's thread instead of ahead in its
# own: the same results either way (2M records: 489 blocks, far past the read-ahead ring).
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
	ism run -t "$T/m2.iot.gz" --format flat -q | grep -v '^run\.' >"$T/two.flat"
	taskset -c 0 "$ISM" run -t "$T/m2.iot.gz" --format flat -q | grep -v '^run\.' >"$T/one.flat"
	cmp -s "$T/one.flat" "$T/two.flat" && ok "one CPU (no read-ahead thread): the same results" \
		|| fail "one CPU and two give different results"
else
	echo "skip - taskset cannot pin to CPU 0 here"
fi

# A closed-loop timed replay runs ahead of the trace's clock, but an UNMAP still waits for the
# DMAs to its buffer that came before it: a per-packet-mapping NIC trace has no fault. (With
# the OS's CPU costs at zero, nothing else holds the replay back.)
ism trace gen "$ISM_SRCDIR/traces/nic-10g-per-packet.json" -o "$T/nic.iot.gz" -q
ism run -t "$T/nic.iot.gz" --format flat -q --set os.cost.map_ns=0 --set os.cost.unmap_ns=0 \
	--set os.cost.pte_ns=0 --set os.cost.fq_add_ns=0 --set os.cost.inv_submit_ns=0 \
	--set os.cost.inv_wait_ns=0 --set os.cost.inv_page_ns=0 >"$T/f"
expect_eq "timed closed loop, per-packet unmaps: no fault" 0 "$(kv "$T/f" faults)"
[ "$(kv "$T/f" replay.unmap_waits)" -gt 0 ] && ok "some unmaps waited for their DMAs" \
	|| fail "no unmap waited (replay.unmap_waits = $(kv "$T/f" replay.unmap_waits))"

# The twins (the ideal replay, each baseline's twin, a nested run's stage-2-only twin) run on a
# thread of their own beside the IOMMU run (IOMMUSIM_TWIN_THREAD, auto by default): the same
# result document as on one thread, however the threads are scheduled, and with one CPU
# (taskset: no read-ahead thread, so no block to share). The per-packet NIC trace: 50 blocks,
# a MAP and an UNMAP per packet, so the baselines' twins part from the ideal replay.
twin() { python3 -c 'import json, sys; print(str(json.load(open(sys.argv[1]))["run"]["twin_thread"]).lower())' "$1"; }
for cm in "bench.json timed" "bench.json untimed" "hw/vtd-nested.json timed" "hw/vtd-nested.json untimed"; do
	c=${cm% *} mode=${cm#* }
	for e in off on auto; do
		export IOMMUSIM_TWIN_THREAD=$e
		ism run "$ISM_SRCDIR/configs/$c" -t "$T/nic.iot.gz" --set mode=$mode \
			--set 'baseline=["passthrough","swiotlb","cma"]' -q -o "$T/tw-$e"
		deterministic "$T/tw-$e" >"$T/tw-$e.res"
	done
	unset IOMMUSIM_TWIN_THREAD
	cmp -s "$T/tw-off.res" "$T/tw-on.res" && cmp -s "$T/tw-off.res" "$T/tw-auto.res" \
		&& ok "$c $mode: the same result document with the twins on their own thread or not" \
		|| fail "$c $mode: the twins' thread changes the results"
	expect_eq "$c $mode: IOMMUSIM_TWIN_THREAD=off: one thread" false "$(twin "$T/tw-off")"
	# auto: timed (the ideal replay) or nested (a second sim), not untimed baselines alone
	want=true
	[ "$c $mode" = "bench.json untimed" ] && want=false
	if [ "$(nproc)" -ge 2 ]; then
		expect_eq "$c $mode: IOMMUSIM_TWIN_THREAD=on: the twins' thread" true "$(twin "$T/tw-on")"
		expect_eq "$c $mode: IOMMUSIM_TWIN_THREAD=auto: $want" $want "$(twin "$T/tw-auto")"
	fi
	if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
		IOMMUSIM_TWIN_THREAD=on taskset -c 0 "$ISM" run "$ISM_SRCDIR/configs/$c" -t "$T/nic.iot.gz" \
			--set mode=$mode --set 'baseline=["passthrough","swiotlb","cma"]' -q -o "$T/tw-1"
		expect_eq "$c $mode: one CPU: no twins' thread" false "$(twin "$T/tw-1")"
		deterministic "$T/tw-1" | cmp -s - "$T/tw-off.res" && ok "$c $mode: one CPU: the same results" \
			|| fail "$c $mode: one CPU gives other results"
	fi
done
# A trace damaged two thirds in, with the twins' thread and without: the same message and exit
# status, nothing written (the thread ends with the replay: ASan sees no leak).
head -c $(( $(wc -c <"$T/nic.iot.gz") * 2 / 3 )) "$T/nic.iot.gz" >"$T/nic-cut.iot.gz"
for cm in "bench.json timed" "hw/vtd-nested.json untimed"; do
	c=${cm% *} mode=${cm#* }
	for e in off on; do
		export IOMMUSIM_TWIN_THREAD=$e
		expect_fail "$c $mode, twins' thread $e: damaged trace -> 4" 4 \
			'nic-cut.iot.gz: truncated after record' ism run "$ISM_SRCDIR/configs/$c" -t "$T/nic-cut.iot.gz" \
			--set mode=$mode --set 'baseline=["passthrough","swiotlb","cma"]' -o "$T/cut-$e.json"
		no_file "$c $mode, twins' thread $e: nothing written" "$T/cut-$e.json"
		cp "$T/err" "$T/cut-$e.err"
	done
	unset IOMMUSIM_TWIN_THREAD
	cmp -s "$T/cut-off.err" "$T/cut-on.err" && ok "$c $mode: the same message with the twins' thread" \
		|| fail "$c $mode: the twins' thread changes the message: $(cat "$T/cut-off.err") / $(cat "$T/cut-on.err")"
done
export IOMMUSIM_TWIN_THREAD=yes
expect_fail "IOMMUSIM_TWIN_THREAD=yes -> 2" 2 'IOMMUSIM_TWIN_THREAD=yes: expected auto, on or off' \
	ism run "$G/capacity.json" -o "$T/o5.json"
unset IOMMUSIM_TWIN_THREAD
no_file "no output after a bad IOMMUSIM_TWIN_THREAD" "$T/o5.json"

# Strict invalidation leaves no stale translation to hit; lazy does, on the same trace, and
# is faster in a closed loop where the CPU's unmap work is the bottleneck.
ism run -t "$T/nic.iot.gz" --format flat -q --set os.invalidation.policy=strict >"$T/strict"
ism run -t "$T/nic.iot.gz" --format flat -q --set os.invalidation.policy=lazy >"$T/lazy"
expect_eq "strict: no stale hit" 0 "$(kv "$T/strict" stale.hits)"
[ "$(kv "$T/lazy" stale.hits)" -gt 0 ] && ok "lazy: stale hits ($(kv "$T/lazy" stale.hits))" \
	|| fail "lazy: no stale hit"
awk -v a="$(kv "$T/lazy" dma.throughput_gbps)" -v b="$(kv "$T/strict" dma.throughput_gbps)" \
	'BEGIN { exit !(a > 2 * b) }' && ok "lazy more than twice strict's throughput" \
	|| fail "lazy $(kv "$T/lazy" dma.throughput_gbps) vs strict $(kv "$T/strict" dma.throughput_gbps)"

# Interrupted work (SIGTERM, as a scheduler sends; SIGINT from a terminal) leaves no output and
# no temporary: a 10 M-access generation and a run over it are stopped part-way. (Should a very
# fast machine finish before the signal, the case says so instead of passing silently.)
interrupt() { # NAME SIGNAL OUTPUT CMD...
	name=$1 sig=$2 out=$3; shift 3
	"$@" &
	pid=$!
	sleep 0.3
	kill -"$sig" $pid 2>/dev/null || true
	set +e
	wait $pid
	rc=$?
	set -e
	if [ $rc -gt 128 ] && [ -e "$out" ]; then
		# Killed right after the rename: the output must then be whole, and no temporary left.
		if ls -a "$(dirname "$out")" | grep -q "^\.$(basename "$out")\.tmp\."; then
			fail "$name: a temporary was left"
		elif ism trace info "$out" >/dev/null 2>&1 ||
			python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out" 2>/dev/null; then
			ok "$name (it had just finished: the output is whole)"
		else
			fail "$name: a partial $out was left"
		fi
	elif [ $rc -gt 128 ]; then
		no_file "$name" "$out"
	else
		echo "note - $name: finished (exit $rc) before the signal; not checked"
	fi
}
printf '{"workload": "random-window", "accesses": 10000000, "window": "16M"}' >"$T/big.json"
interrupt "SIGTERM during trace gen leaves nothing" TERM "$T/big.iot.gz" \
	"$ISM" trace gen "$T/big.json" -o "$T/big.iot.gz" -q
"$ISM" trace gen "$T/big.json" -o "$T/big.iot" -q
interrupt "SIGINT during run leaves nothing" INT "$T/int.json" \
	"$ISM" run "$G/capacity.json" -t "$T/big.iot" -o "$T/int.json" -q

# One walker; the second miss arrives 96 ns after the first (a 24-byte request header at
# 2 Gb/s) and queues, but the first walk (100 ns lookup + 4 refs of 1 ns) ends 92 ns before
# the second's lookup does: that walk waits 0 ns and takes 100 + 4 ns like the first.
check "walk queued during its own lookup" ism run -t "$D/run/two-pages.csv" -f flat -q \
	--set iommu.timing.walkers=1 --set iommu.timing.iotlb_hit_ns=100 \
	--set memory.latency_ns=1 --set iommu.timing.walk_cache_hit_ns=0 \
	--set iommu.walk_cache.l2.entries=0 --set iommu.walk_cache.l3.entries=0 \
	--set iommu.walk_cache.l4.entries=0 --set device.link_gbps=2
for kvp in walk.queued=1 walk.queue_ns.max=0.000000 walk.queue_ns.mean=0.000000 \
	translation.latency_ns.min=104.000000 translation.latency_ns.max=104.000000; do
	expect_eq "two-pages: ${kvp%%=*}" "${kvp#*=}" "$(kv "$T/out" "${kvp%%=*}")"
done

# --- The source commit a build records (scripts/build-info): git's HEAD in a work tree, the
# hash `git archive` substitutes into COMMIT (export-subst) in an archive, else "unknown".
commit_of() { sh "$1/scripts/build-info" "$1" 'cc  -O2 ' | sed -n 's/^const char ism_build_commit\[\] = "\(.*\)";$/\1/p'; }
flags_of() { sh "$1/scripts/build-info" "$1" 'cc  -O2 ' | sed -n 's/^const char ism_build_flags\[\] = "\(.*\)";$/\1/p'; }
if head=$(git -C "$ISM_SRCDIR" rev-parse --verify -q HEAD 2>/dev/null) &&
	[ "$(git -C "$ISM_SRCDIR" rev-parse --show-toplevel)" = "$(cd "$ISM_SRCDIR" && pwd -P)" ]; then
	mkdir -p "$T/arch"
	git -C "$ISM_SRCDIR" archive --format=tar HEAD COMMIT scripts/build-info | tar -x -C "$T/arch"
	expect_eq "git archive: COMMIT names the archived commit" "$head" "$(commit_of "$T/arch")"
	case $(commit_of "$ISM_SRCDIR") in "$head" | "$head-dirty") ok "a work tree: git's HEAD" ;;
	*) fail "a work tree: $(commit_of "$ISM_SRCDIR"), expected $head" ;; esac
	case $(ism --version | sed -n 2p) in "commit $head" | "commit $head-dirty") ok "--version names the commit" ;;
	*) fail "--version: $(ism --version | sed -n 2p)" ;; esac
else
	echo "# not a git work tree: the git cases are left out"
fi
mkdir -p "$T/plain/scripts"
cp "$ISM_SRCDIR/scripts/build-info" "$T/plain/scripts/"
printf '$Format:%%H$\n' >"$T/plain/COMMIT"
expect_eq "a copy neither git archive nor make dist wrote: unknown" unknown "$(commit_of "$T/plain")"
rm "$T/plain/COMMIT"
expect_eq "no COMMIT, no git: unknown" unknown "$(commit_of "$T/plain")"
expect_eq "the flags, blanks squeezed" "cc -O2" "$(flags_of "$T/plain")"
ism run -t "$G/capacity.csv" --set mode=untimed -q -o "$T/prov.json"
python3 - "$T/prov.json" "$G/capacity.csv" <<'EOF2' && ok "a result's provenance: host, date, command, cwd; commit and flags; the config's digest" || fail "a result's provenance"
import json, sys, os, re, hashlib, socket
r = json.load(open(sys.argv[1]))
p = r["provenance"]
assert sorted(p) == ["command", "cwd", "date", "host"], p
assert p["host"] == socket.gethostname() and p["cwd"] == os.getcwd(), p
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", p["date"]), p
assert p["command"].split()[1:] == ["run", "-t", sys.argv[2], "--set", "mode=untimed", "-q", "-o", sys.argv[1]], p
assert r["iommusim"]["commit"] and r["iommusim"]["build_flags"]
# The digest: SHA-256 of the config's compact text with sorted keys (no real in this config
# prints differently in Python than in jansson's 17 digits but those checked below).
text = json.dumps(r["config"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
if not re.search(r"\d\.\d{10,}", open(sys.argv[1]).read()):
    assert r["config_digest"] == "sha256:" + hashlib.sha256(text.encode()).hexdigest(), r["config_digest"]
EOF2

# --- Units: every row of docs/results.md has one, and every line of --format flat ends in its
# key's unit, for every kind of run (timed and untimed, each preset, the baselines, device TLBs,
# IOVA allocation, per-device keys whose BDF holds a dot).
grep '^| `' "$ISM_SRCDIR/docs/results.md" | awk -F' [|] ' '$2 == "" || $2 == "?"' >"$T/nounit"
[ ! -s "$T/nounit" ] && ok "docs/results.md: every key has a unit" || { fail "docs/results.md: keys without a unit"; head -5 "$T/nounit"; }
: >"$T/allflat"
for c in "$ISM_SRCDIR"/configs/hw/*.json; do
	for m in timed untimed; do
		ism run "$c" -t "$G/inv-lazy.csv" --set mode=$m --set 'baseline=["passthrough","swiotlb","cma"]' \
			--set iova.remap=linux -f flat -q 2>/dev/null >>"$T/allflat"
	done
done
awk 'NF < 3 || $NF == "?"' "$T/allflat" | sort -u >"$T/nounit"
[ -s "$T/allflat" ] && [ ! -s "$T/nounit" ] && ok "--format flat: every line ends in a unit" \
	|| { fail "--format flat: lines without a unit"; head -5 "$T/nounit"; }
ism run -t "$G/inv-lazy.csv" -f flat -q --set 'baseline=["swiotlb"]' >"$T/f"
unit() { awk -v k="$2" '$1 == k { print $NF }' "$1"; }
expect_eq "units: throughput, CPU per byte, misses, a histogram's count, a time" \
	"Gb/s ns/byte count count ns bytes ns" \
	"$(unit "$T/f" dma.throughput_gbps) $(unit "$T/f" cpu.ns_per_dma_byte) $(unit "$T/f" iotlb.misses) $(unit "$T/f" dma.latency_ns.count) $(unit "$T/f" dma.latency_ns.p99) $(unit "$T/f" baseline.swiotlb.bytes_copied) $(unit "$T/f" baseline.swiotlb.cpu.total_ns)"

# --- Per device (devices.BDF.*): tests/data/run/devices.csv, worked out in its comments.
ism run -t "$D/run/devices.csv" --set mode=untimed --set os.invalidation.policy=lazy -f flat -q >"$T/dev"
got=""
for d in 00:01.0 00:02.0; do
	for k in dma.accesses dma.bytes iotlb.lookups iotlb.misses stale.hits; do
		got="$got $(kv "$T/dev" "devices.$d.$k")"
	done
done
expect_eq "devices: accesses, bytes, lookups, misses, stale hits of each, by hand" \
	" 5 384 5 2 1 3 256 3 1 0" "$got"
expect_eq "devices: their units" "bytes fraction" \
	"$(awk '$1 == "devices.00:01.0.dma.bytes" || $1 == "devices.00:02.0.iotlb.miss_rate" { printf "%s%s", s, $3; s = " " }' "$T/dev")"
ism run -t "$D/run/devices.csv" --set os.invalidation.policy=lazy -f flat -q >"$T/dev"
awk '$1 ~ /^devices\..*\.dma\.throughput_gbps$/ { s += $2 } $1 == "dma.throughput_gbps" { t = $2 }
	END { exit !(s > 0 && (s - t < 2e-6 && t - s < 2e-6)) }' "$T/dev" \
	&& ok "devices: timed, their throughputs add up to dma.throughput_gbps" || fail "devices: throughputs do not add up"
expect_eq "devices: timed, each device's DMA latencies counted (5 and 3), and its throughput in proportion to its bytes (384:256)" \
	"5 3 1.500" "$(kv "$T/dev" devices.00:01.0.dma.latency_ns.count) $(kv "$T/dev" devices.00:02.0.dma.latency_ns.count) $(awk '$1 == "devices.00:01.0.dma.throughput_gbps" { a = $2 } $1 == "devices.00:02.0.dma.throughput_gbps" { b = $2 } END { printf "%.3f", a / b }' "$T/dev")"

# --- The timeline (stats.interval_us): tests/data/run/timeline.csv, worked out in its comments.
tl() { ism run -t "$D/run/timeline.csv" --set replay.mode=open --set stats.interval_us=10 --set os.invalidation.policy=$1 -q -o "$T/tl.$1.json"; }
tl strict
tl lazy
python3 - "$T/tl.strict.json" "$T/tl.lazy.json" <<'EOF2' && ok "timeline: per 10 us interval, by hand (strict and lazy)" || fail "timeline"
import json, sys
s, l = (json.load(open(f)) for f in sys.argv[1:])
t = s["timeline"]
assert t["interval_us"] == 10 and t["intervals"] == 4 and t["start_us"] == [0, 10, 20, 30], t
assert abs(t["end_us"] * 1e3 - s["sim"]["time_ns"]) < 1e-6, (t["end_us"], s["sim"]["time_ns"])
# the read at 32 us of the page unmapped at 25 us faults: a miss and a walk, no bytes
assert t["iotlb_misses"] == [1, 1, 1, 2] and t["walks"] == [1, 1, 1, 2], t
assert t["invalidation_commands"] == [0, 0, 1, 0] and t["stale_hits"] == [0, 0, 0, 0], t
last = t["end_us"] - 30
assert [round(x, 9) for x in t["throughput_gbps"]] == [0.0512, 0.0512, 0.0512, round(512e-3 / last, 9)], t
t = l["timeline"]
assert t["intervals"] == 1003 and t["end_us"] == 10025, t
assert t["iotlb_misses"][:4] == [1, 1, 1, 1] and sum(t["iotlb_misses"]) == 4, t
assert t["stale_hits"][3] == 1 and sum(t["stale_hits"]) == 1, t
assert [i for i, x in enumerate(t["invalidation_commands"]) if x] == [1002], t
assert t["throughput_gbps"][:4] == [0.0512, 0.0512, 0.0512, 0.1024] and not any(t["throughput_gbps"][4:]), t
# and, over the whole run, each array adds up to the run's counter; the utilisation weighted
# by each interval's length to the run's
for r in (s, l):
    t = r["timeline"]
    cmds = sum(r["invalidation"]["commands"][g] for g in ("page", "range", "domain", "global"))
    assert (sum(t["iotlb_misses"]), sum(t["walks"]), sum(t["invalidation_commands"]), sum(t["stale_hits"])) == \
        (r["iotlb"]["misses"], r["walk"]["started"], cmds, r["stale"]["hits"]), t
    lens = [min(t["interval_us"], t["end_us"] - x) for x in t["start_us"]]
    busy = sum(u * n for u, n in zip(t["walker_utilisation"], lens))
    assert abs(busy / (r["sim"]["time_ns"] / 1e3) - r["walk"]["walker_utilisation"]) < 1e-9, busy
EOF2
ism run -t "$D/run/timeline.csv" --set stats.interval_us=10 --set replay.mode=open --set os.invalidation.policy=strict -f flat -q >"$T/f"
expect_eq "timeline: flat has its scalars, with units" "10.000000 us|4 count" \
	"$(awk '$1 == "timeline.interval_us" || $1 == "timeline.intervals" { printf "%s%s %s", s, $2, $3; s = "|" }' "$T/f")"
expect_fail "timeline: untimed has none" 3 'stats.interval_us: expected 0 with mode untimed' \
	ism run -t "$D/run/timeline.csv" --set stats.interval_us=10 --set mode=untimed
ism run -t "$D/run/timeline.csv" --set stats.interval_us=0.000001 --set replay.mode=open --set os.invalidation.policy=strict -q -o "$T/tl.fine.json"
python3 -c 'import json, sys; t = json.load(open(sys.argv[1]))["timeline"]
assert t["intervals"] <= 100000 and t["interval_us"] > 0.000001 and sum(t["iotlb_misses"]) == 5, t["interval_us"]' "$T/tl.fine.json" \
	&& ok "timeline: a 1 ps interval over 32 us doubles until at most 100000 intervals" || fail "timeline: coarsening"

# docs/results.md is generated from the counter table: it must not drift.
ism run --result-keys >"$T/results.md"
cmp -s "$T/results.md" "$ISM_SRCDIR/docs/results.md" && ok "docs/results.md is current" \
	|| fail "docs/results.md differs from 'iommusim run --result-keys' (regenerate it)"
finish
