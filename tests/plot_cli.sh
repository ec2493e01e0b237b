# `iommusim plot` from the outside: every kind drawn as a valid image of the documented size, the
# kept scripts redraw, the data is the sweep's, and every error path.
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"
. "$ISM_SRCDIR/tests/plot_helpers"
P="$ISM_SRCDIR/tests/data/plot"
have_gnuplot

# A synthetic sweep with round numbers (tests/data/plot/fixture.py): 2 traces x 4 IOTLB sizes x
# 2 page sizes x 3 invalidation policies, every metric the plots draw.
make_fixture "$T/fx"
check "plot --help" ism plot --help
grep -q 'latency-cdf' "$T/out" && ok "plot --help names the kinds" || fail "plot --help lacks the kinds"

# Every kind applies to the fixture; nothing on stderr with -q (gnuplot warnings would show).
check "plot every kind" ism plot "$T/fx" -q
[ ! -s "$T/err" ] && ok "plot -q is quiet (no gnuplot warning)" || { fail "plot said something"; cat "$T/err"; }
# Sizes: columns x rows of panels (missrate 560x400, throughput and latency-cdf 600x480,
# invalidation 420x400); a row per trace, or two traces to a row.
expect_image "missrate: 2 columns (rate, per MiB) x 2 traces" "$T/fx/plots/missrate" 1120x800
expect_image "throughput: 2 traces side by side" "$T/fx/plots/throughput" 1200x480
expect_image "invalidation: 5 panels (throughput, cores, CPU per byte, stale hits, window) x 2 traces" "$T/fx/plots/invalidation" 2100x800
expect_image "latency-cdf: the hinted points 0 and 37, a row per trace (CDF, tail)" "$T/fx/plots/latency-cdf" 1200x960
for k in missrate throughput invalidation latency-cdf; do
	[ -s "$T/fx/plots/$k.gp" ] && [ -s "$T/fx/plots/$k.dat" ] || fail "$k: no .gp or .dat kept"
done
ok "the .gp and .dat files are kept beside the images"
ls -a "$T/fx/plots" | grep -q '\.tmp\.' && fail "a temporary was left in plots/" || ok "no temporary left"

# The data is the sweep's. missrate: the policy axis changes no miss count, so one line per
# page size: 4 blocks; nic 4K at 16 entries misses 50000 of 100000 lookups over 64 MiB.
expect_eq "missrate.dat: one block per trace and page size" 4 "$(grep -c '^# index' "$T/fx/plots/missrate.dat")"
expect_eq "missrate.dat: nic 4K at 16 entries: 50% and 781.25 per MiB" "16 50 781.25" \
	"$(sed -n '/^# index 0: nic \/ 4K$/,/^$/p' "$T/fx/plots/missrate.dat" | grep '^16 ')"
grep -q "title 'nic: IOTLB miss rate (the same for every policy)'" "$T/fx/plots/missrate.gp" \
	&& ok "missrate: the panel says the policy does not matter" || fail "missrate: no note on the merged axis"
grep -q "set logscale x 2" "$T/fx/plots/missrate.gp" && grep -q "set xtics ('16' 16, '32' 32, '64' 64, '128' 128)" "$T/fx/plots/missrate.gp" \
	&& ok "missrate: log2 x axis with a tic per swept size" || fail "missrate: x axis"
# invalidation: 3 other-axis values x 2 pages is too many bars: the sizes are pinned at the
# middle value (64). nic, lazy, at 64 entries: 8 and 9 Gb/s, 0.2 cores, 1200 stale hits, 10 ms.
grep -q "at iommu.iotlb.entries=64" "$T/fx/plots/invalidation.gp" && ok "invalidation: pinned at 64 entries" \
	|| fail "invalidation: not pinned at 64 entries"
expect_eq "invalidation.dat: nic, lazy" '"lazy" 8 9 0.2 0.2 0.1 0.1 1200 1200 10 10' \
	"$(grep '^"lazy"' "$T/fx/plots/invalidation.dat" | head -1)"
grep -q "unmap to invalidation (ms)" "$T/fx/plots/invalidation.gp" && ok "invalidation: stale window in ms" \
	|| fail "invalidation: stale window unit"
# The sweep file's hint "plot": {"at": {...}} chooses the value instead.
cp -r "$T/fx" "$T/at"
rm -rf "$T/at/plots"
python3 -c 'import json, sys; m = json.load(open(sys.argv[1])); m["plot"]["at"] = {"iommu.iotlb.entries": "128"}; json.dump(m, open(sys.argv[1], "w"))' "$T/at/sweep.json"
ism plot "$T/at" --kind invalidation --format svg -q
expect_eq "invalidation: pinned where the hint says" '"lazy" 8.5 9 0.2 0.2 0.1 0.1 1200 1200 10 10' \
	"$(grep '^"lazy"' "$T/at/plots/invalidation.dat" | head -1)"
# throughput: the ideal (10 Gb/s on nic) and both baselines as references.
for ref in 'no translation (ideal)' 'passthrough (no IOMMU)' 'swiotlb (no IOMMU)'; do
	grep -q "title '$ref" "$T/fx/plots/throughput.gp" || fail "throughput: no '$ref' line"
done
ok "throughput: ideal and baseline reference lines"
expect_eq "throughput.dat: the ideal line of nic" "16 10|32 10|64 10|128 10" \
	"$(sed -n '/^# index 6: nic$/,/^$/p' "$T/fx/plots/throughput.dat" | grep -v '^#' | grep . | paste -sd'|')"
# Every point of the fixture replayed closed loop: the throughput axes and the title say the
# figures are unthrottled.
grep -q "set multiplot layout 1,2 title 'DMA throughput against iommu.iotlb.entries, unthrottled (closed loop)'" "$T/fx/plots/throughput.gp" \
	&& [ "$(grep -c "set ylabel 'DMA throughput (Gb/s), unthrottled (closed loop)'" "$T/fx/plots/throughput.gp")" = 2 ] \
	&& [ "$(grep -c "set ylabel 'DMA throughput (Gb/s), unthrottled (closed loop)'" "$T/fx/plots/invalidation.gp")" = 2 ] \
	&& ok "throughput: the title and y axes name the replay" || fail "throughput: replay not named"
# One trace replayed open loop, one closed (tests/data/report/replay.json): each panel its own.
python3 "$ISM_SRCDIR/tests/data/report/mksweep.py" "$ISM_SRCDIR/tests/data/report/replay.json" "$T/replay" "$T/fixture-base.json"
check "plot: traces replayed differently" ism plot "$T/replay" --kind invalidation --format svg -q
grep -q "set ylabel 'DMA throughput (Gb/s), open loop at the trace''s timing'" "$T/replay/plots/invalidation.gp" \
	&& grep -q "set ylabel 'DMA throughput (Gb/s), unthrottled (closed loop)'" "$T/replay/plots/invalidation.gp" \
	&& ok "invalidation: each trace's panel names its replay" || fail "invalidation: replay per trace"
# latency-cdf: 100 quantiles per point; the baselines dashed.
expect_eq "latency-cdf.dat: 100 rows per block" 100 \
	"$(sed -n '/^# index 0: /,/^$/p' "$T/fx/plots/latency-cdf.dat" | grep -vc '^#\|^$')"
grep -q "title '#37 entries=64, 4K, lazy'" "$T/fx/plots/latency-cdf.gp" && ok "latency-cdf: point 37 from the sweep's hint" \
	|| fail "latency-cdf: hinted point missing"

# The kept script redraws and takes restyling: a narrower PNG, drawn by gnuplot alone.
(cd "$T/fx/plots" && sed 's/^width = 1120$/width = 800/' missrate.gp >narrow.gp &&
	"${GNUPLOT:-gnuplot}" -e 'formats="png"; out_png="narrow.png"' narrow.gp) >"$T/out" 2>&1 \
	&& expect_image "gnuplot redraws the restyled script" "$T/fx/plots/narrow" 800x800 png \
	|| { fail "gnuplot could not run the kept script"; cat "$T/out"; }

# --kind, -o, --format, --point.
check "--kind missrate --format svg -o" ism plot "$T/fx" --kind missrate --format svg -o "$T/only" -q
expect_eq "only the kind and format asked for" "missrate.dat missrate.gp missrate.svg" "$(ls "$T/only" | paste -sd' ')"
check "--kind latency-cdf --point 5 --point NAME" ism plot "$T/fx" --kind latency-cdf --point 5 \
	--point "$(sed -n 3p "$T/fx/summary.csv" | cut -d, -f1)" -o "$T/cdf" --format png -q
expect_image "latency-cdf of two nic points: one row (CDF, tail)" "$T/cdf/latency-cdf" 1200x480 png
expect_eq "the points asked for, no baseline twice (a CDF and a tail each)" 8 "$(grep -c '^# index' "$T/cdf/latency-cdf.dat")"
check "plot lists what it wrote" ism plot "$T/fx" --kind throughput -o "$T/tp" --format png
grep -q "throughput: $T/tp/throughput.png" "$T/err" && ok "the written files are named on stderr" \
	|| fail "no list of the files written"

# Usage errors: exit 2.
expect_fail "no DIR" 2 "give the sweep's output DIR or a run's RESULT.json" ism plot
expect_fail "two DIRs" 2 "unexpected argument '.*fx'" ism plot "$T/fx" "$T/fx"
expect_fail "unknown kind" 2 "expected missrate, missclass, devtlb, throughput, invalidation, latency-cdf, devices, timeline or curve, got 'pie'" ism plot "$T/fx" --kind pie
expect_fail "bad --format" 2 "expected png, svg or png,svg, got 'gif'" ism plot "$T/fx" --format gif
expect_fail "--point out of range" 2 "--point 99: no such point" ism plot "$T/fx" --kind latency-cdf --point 99 -o "$T/e1"

# Not a sweep directory, or a damaged manifest: exit 3, naming the file.
mkdir "$T/empty"
expect_fail "not a sweep directory" 3 "not a sweep output directory.*sweep.json" ism plot "$T/empty"
cp -r "$T/fx" "$T/badjson"; rm -rf "$T/badjson/plots"
printf '{"points": [\n  {"name": ' >"$T/badjson/sweep.json"
expect_fail "manifest not JSON" 3 "badjson/sweep.json:2:.*invalid JSON" ism plot "$T/badjson"
# Each point's status comes from its files, not from summary.csv (which may be stale).
cp -r "$T/fx" "$T/nocsv"; rm -rf "$T/nocsv/plots"
rm "$T/nocsv/summary.csv"
check "no summary.csv: plots from the point files" ism plot "$T/nocsv" --kind missrate -q
cmp -s "$T/fx/plots/missrate.dat" "$T/nocsv/plots/missrate.dat" && ok "the same data without summary.csv" \
	|| fail "missrate.dat differs without summary.csv"
# A damaged point file is skipped with a warning naming it; the other points are drawn. Point 3
# is nic, 16 entries, 2M, strict: that series then starts at 32 entries.
cp -r "$T/fx" "$T/badpoint"; rm -rf "$T/badpoint/plots"
bad3=$(ls "$T/badpoint/points/0003-"*.json)
printf '{"run": ' >"$bad3"
check "a damaged point file: drawn without it" ism plot "$T/badpoint" --kind throughput -q
expect_eq "the warning names the file" \
	"iommusim: warning: $bad3:1:8: invalid JSON: unexpected token near end of file: skipped, counted as failed (delete the file to run the point again)" \
	"$(cat "$T/err")"
expect_eq "its value is left out" "32 3.5|64 3.5|128 3.5" \
	"$(sed -n '/^# index [0-9]*: nic \/ 2M, strict$/,/^$/p' "$T/badpoint/plots/throughput.dat" | grep -v '^#' | grep . | paste -sd'|')"
printf '[1]\n' >"$bad3"
check "a point file that is not an object: drawn without it" ism plot "$T/badpoint" --kind throughput -q
expect_eq "the warning says what is wrong" \
	"iommusim: warning: $bad3: expected a JSON object at the top level, got an array: skipped, counted as failed (delete the file to run the point again)" \
	"$(cat "$T/err")"
cp -r "$T/fx" "$T/badaxis"; rm -rf "$T/badaxis/plots"
sed -i '0,/"keys": \[/s//"keys": [1, /' "$T/badaxis/sweep.json"
expect_fail "an axis key that is not a string" 3 'sweep.json: axes\[0\]: expected "keys" \(a list of config keys\)' ism plot "$T/badaxis"

# Nothing to draw: exit 1 with the reason.
cp -r "$T/fx" "$T/pending"; rm -rf "$T/pending/plots"
rm "$T/pending/points/"*.json
expect_fail "no finished point" 1 "no point has finished \(0 failed, 48 pending\)" ism plot "$T/pending"
mkdir -p "$T/nopts/points"
printf '{"iommusim": {"version": "0.1.0", "sweep_schema": 1}, "metrics": [], "axes": [], "points": []}\n' >"$T/nopts/sweep.json"
expect_fail "empty sweep" 1 "the sweep has no points" ism plot "$T/nopts"
# A metric no point has (the untimed runs of a real sweep below lack throughput), an axis the
# sweep does not have.
sweep_untimed "$T/untimed"
expect_fail "--kind throughput on untimed results" 1 \
	"plot throughput: no finished point has dma.throughput_gbps \(.*untimed/points/0000-[0-9a-f]*.json lacks it: timed mode measures it\)" \
	ism plot "$T/untimed" --kind throughput
expect_fail "--kind invalidation without a policy axis" 1 "plot invalidation: the sweep has no axis over os.invalidation.policy" \
	ism plot "$T/untimed" --kind invalidation
check "untimed: the kinds that apply" ism plot "$T/untimed" -q
expect_eq "untimed: only missrate and missclass" "missclass.dat missclass.gp missclass.png missclass.svg missrate.dat missrate.gp missrate.png missrate.svg" "$(ls "$T/untimed/plots" | paste -sd' ')"
# missclass: capacity.csv (A B C D E A) fully associative: 5 compulsory misses at every size,
# and the second A a capacity miss at 2 and 4 entries (E evicted it), a hit at 8; the
# replacement changes no class (one panel); sizes in increasing order, a column per class.
expect_eq "missclass.dat: compulsory and capacity per size, by hand" '"2" 5 1 0 0 0 0|"4" 5 1 0 0 0 0|"8" 5 0 0 0 0 0' \
	"$(sed -n '/^# index 0: cap/,/^$/p' "$T/untimed/plots/missclass.dat" | grep -v '^#' | grep . | paste -sd'|')"
grep -q "rowstacked" "$T/untimed/plots/missclass.gp" && grep -q "title 'capacity'" "$T/untimed/plots/missclass.gp" \
	&& ! grep -q "title 'conflict'" "$T/untimed/plots/missclass.gp" \
	&& ok "missclass: stacked; a cause with no miss is left out of the key" || fail "missclass: script"
grep -q "no conflict, invalidation, walk_in_flight, unmapped miss" "$T/untimed/plots/missclass.gp" \
	&& ok "missclass: the causes with no miss said in a sentence" || fail "missclass: note"
expect_image "untimed missrate: one trace" "$T/untimed/plots/missrate" 1120x400
# The sizes are swept as 4, 2, 8: drawn in increasing order. capacity.csv, fully associative:
# 6 misses of 6 lookups at 2 and 4 entries, 5 at 8 (the second A hits); LRU and FIFO alike.
expect_eq "untimed missrate.dat: one line, sizes in order" "2 100 16384|4 100 16384|8 83.33333333 13653.33333" \
	"$(sed -n '/^# index 0: cap$/,/^$/p' "$T/untimed/plots/missrate.dat" | grep -v '^#' | grep . | paste -sd'|')"

# devtlb: micro TLBs (fully associative LRU) in front of the IOTLB, capacity.csv (A B C D E A).
# 1 and 2 entries: all 6 miss, and the IOTLB behind sees 6 lookups, the second A hitting (5 of
# 6 miss); 8 entries: the second A hits the micro TLB (5 of 6 miss), and the IOTLB sees 5
# lookups, all misses. Sizes swept as 8, 1, 2: drawn in increasing order.
ism sweep "$P/devtlb.json" -o "$T/devtlb" -q
check "devtlb: drawn" ism plot "$T/devtlb" --kind devtlb -q
expect_image "devtlb: 2 columns (device TLB, IOTLB behind) x 1 trace" "$T/devtlb/plots/devtlb" 1120x400
expect_eq "devtlb.dat: sizes in order, both miss rates" "1 100 83.33333333|2 100 83.33333333|8 83.33333333 100" \
	"$(sed -n '/^# index 0: cap$/,/^$/p' "$T/devtlb/plots/devtlb.dat" | grep -v '^#' | grep . | paste -sd'|')"
grep -q "set xlabel 'entries per device TLB'" "$T/devtlb/plots/devtlb.gp" && ok "devtlb: the x axis says what it is" \
	|| fail "devtlb: x label"
expect_fail "--kind devtlb without a device-TLB axis" 1 "plot devtlb: the sweep has no axis over iommu.device_tlb.entries" \
	ism plot "$T/untimed" --kind devtlb

# Two seeds (tests/data/plot/seeds.json): each value is their mean, with their min and max as
# error bars: 8 entries 50% and 30% (40, 30, 50), 16 entries 20% twice.
python3 "$ISM_SRCDIR/tests/data/report/mksweep.py" "$P/seeds.json" "$T/seeds" "$T/fixture-base.json"
check "seeds: drawn" ism plot "$T/seeds" --kind missrate --format svg -q
expect_eq "missrate.dat: mean, min, max over the seeds" "8 40 30 50|16 20 20 20" \
	"$(sed -n '/^# index 0: s$/,/^$/p' "$T/seeds/plots/missrate.dat" | grep -v '^#' | grep . | paste -sd'|')"
grep -q "using 1:2:3:4 with yerrorlines" "$T/seeds/plots/missrate.gp" && ok "seeds: drawn with their min-max" \
	|| fail "seeds: no error bars"

# timeline and devices: tests/data/plot/timeline.json (tests/data/run/timeline.csv, worked out
# in its comments and tests/run_cli.sh; tests/data/run/devices.csv, two devices).
ism sweep "$P/timeline.json" -o "$T/tl" -q
check "timeline and devices: drawn" ism plot "$T/tl" --kind timeline --kind devices
expect_image "timeline: 2 rows of 3 panels per trace with a timeline (tl; dev has one too)" "$T/tl/plots/timeline" 1440x1280
python3 - "$T/tl" <<'EOF2' && ok "timeline.dat: each point's timeline, as its result holds it" || fail "timeline.dat"
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/sweep.json"))
blocks = open(d + "/plots/timeline.dat").read().split("\n\n\n")
rows = [[list(map(float, l.split())) for l in b.strip().splitlines() if not l.startswith("#")] for b in blocks if b.strip()]
cols = ["start_us", "throughput_gbps", "iotlb_misses", "walks", "invalidation_commands", "stale_hits", "walker_utilisation"]
pts = [p for p in m["points"]]   # default: the first and last point of each trace
assert len(rows) == 4, len(rows)
for r, p in zip(rows, pts):
    t = json.load(open("%s/points/%s.json" % (d, p["name"])))["timeline"]
    assert [[round(x, 6) for x in row] for row in r] == [[round(t[c][i], 6) for c in cols] for i in range(t["intervals"])], p
EOF2
grep -q "fsteps" "$T/tl/plots/timeline.gp" && ok "timeline: each interval a step" || fail "timeline: steps"
# The strict points alone (--point): no stale hit on either trace, a sentence instead.
ism plot "$T/tl" --kind timeline --point 0 --point 2 -o "$T/tl0" --format svg -q
grep -q "set label 1 'tl: stale hits 0 in every interval'" "$T/tl0/timeline.gp" \
	&& grep -q "^# tl: stale hits 0 in every interval. dev: stale hits 0 in every interval.$" "$T/tl0/timeline.gp" \
	&& ok "timeline: a panel all 0 is a sentence, in the plot and its note" || fail "timeline: zero panel"
grep -q "dev: stale hits is 0 for every device" "$T/err" && ok "devices: what is not drawn said on stderr" \
	|| { fail "devices: note"; cat "$T/err"; }
expect_image "devices: 4 panels, the one trace of two devices" "$T/tl/plots/devices" 1680x400
python3 - "$T/tl" <<'EOF2' && ok "devices.dat: each device's figures as the result holds them" || fail "devices.dat"
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/sweep.json"))
first = [p for p in m["points"] if p["trace"] == "dev"][0]
r = json.load(open("%s/points/%s.json" % (d, first["name"])))["devices"]
rows = [l.split() for l in open(d + "/plots/devices.dat") if l.startswith('"')]
assert [x[0] for x in rows] == ['"00:01.0"', '"00:02.0"'], rows
for x in rows:
    dv = r[x[0].strip('"')]
    want = [dv["dma"]["throughput_gbps"], dv["iotlb"]["miss_rate"] * 100, dv["dma"]["latency_ns"]["p99"], dv["stale"]["hits"]]
    assert [round(float(v), 6) for v in x[1:]] == [round(w, 6) for w in want], (x, want)
EOF2
expect_fail "--kind devices on a trace of one device" 1 "plot devices: no finished point has two devices or more" \
	ism plot "$T/untimed" --kind devices
expect_fail "--kind timeline without stats.interval_us" 1 "plot timeline: no finished point has timeline" \
	ism plot "$T/untimed" --kind timeline

# gnuplot missing or failing: exit 1, the script named, no image and no temporary left.
expect_fail "no gnuplot" 1 "missrate.gp: gnuplot not found as '/nonexistent/gnuplot'" \
	env GNUPLOT=/nonexistent/gnuplot $ISM_WRAP "$ISM" plot "$T/fx" --kind missrate -o "$T/nognu"
no_file "no image without gnuplot" "$T/nognu/missrate.png"
printf '#!/bin/sh\necho "         plot x" >&2\necho "\\"missrate.gp\\" line 31: undefined variable: x" >&2\nexit 1\n' >"$T/badgnu"
chmod +x "$T/badgnu"
expect_fail "gnuplot fails" 1 "nognu2/missrate.gp: gnuplot failed \(exit status 1\):" \
	env GNUPLOT="$T/badgnu" $ISM_WRAP "$ISM" plot "$T/fx" --kind missrate -o "$T/nognu2"
grep -q '  "missrate.gp" line 31: undefined variable: x' "$T/err" && ok "gnuplot's error is quoted" \
	|| { fail "gnuplot's error is not quoted"; cat "$T/err"; }
no_file "no image after a gnuplot error" "$T/nognu2/missrate.svg"
[ -s "$T/nognu2/missrate.gp" ] && ok "the failing script is kept to look at" || fail "the failing script is gone"
touch "$T/afile"
expect_fail "PLOTDIR is a file" 5 "afile: not a directory" ism plot "$T/fx" -o "$T/afile"

# One run's whole curve (stats.curve): `plot RESULT.json` draws it, into RESULT-plots.
ism trace gen "$ISM_SRCDIR/traces/random-16M.json" --set accesses=20000 -o "$T/r16.iot.gz" -q
check "a run with stats.curve" ism run "$ISM_SRCDIR/configs/demo.json" -t "$T/r16.iot.gz" \
	--set mode=untimed --set stats.curve=[16,64,256,1024,4096] --set stats.curve_ways=8 -q \
	-o "$T/run.json"
check "plot RESULT.json" ism plot "$T/run.json" -q
expect_image "curve of one run" "$T/run-plots/curve" 600x440
expect_eq "curve.dat: entries, ways and miss rate (%) of each row, as iotlb.curve has them" \
	"$(python3 -c "
import json
for r in json.load(open('$T/run.json'))['iotlb']['curve']:
    print('%d %d %.10g' % (r['entries'], r['ways'], 100 * r['miss_rate']))" | paste -sd'|')" \
	"$(sed -n '/^# index 0: r16 8-way$/,/^$/p' "$T/run-plots/curve.dat" | grep -v '^#' | grep . | paste -sd'|')"
expect_eq "curve.dat: the run's own IOTLB (64 entries, 8-way) and its miss rate" \
	"64 8 $(python3 -c "import json; print('%.10g' % (100 * json.load(open('$T/run.json'))['iotlb']['miss_rate']))")" \
	"$(sed -n '/^# index 1: /,/^$/p' "$T/run-plots/curve.dat" | grep -v '^#' | grep .)"
grep -q "set logscale x 2" "$T/run-plots/curve.gp" && grep -q "title 'the run''s own IOTLB (64 entries, 8-way)'" "$T/run-plots/curve.gp" \
	&& ok "curve: log2 sizes, the run's own IOTLB named" || fail "curve: axis or legend"
expect_fail "another kind of one run" 1 "plot missrate: .*run.json is one run's result: only the curve kind draws one run" \
	ism plot "$T/run.json" --kind missrate -o "$T/e2"
check "a run without stats.curve" ism run "$ISM_SRCDIR/configs/demo.json" -t "$T/r16.iot.gz" \
	--set mode=untimed -q -o "$T/plain.json"
expect_fail "a run without a curve" 1 "plain.json: no plot kind suits this run:" \
	ism plot "$T/plain.json" -o "$T/e3"
grep -q "curve: no finished point has iotlb.curve (a run with stats.curve" "$T/err" \
	&& ok "it says what is missing" || { fail "no reason"; cat "$T/err"; }
expect_fail "a file that is no result" 3 "fixture-base.json: not a result of iommusim run" \
	ism plot "$T/fixture-base.json" -o "$T/e4"
# A sweep whose points have curves: a line per point.
cat >"$T/curves.json" <<EOF
{ "base": "$ISM_SRCDIR/configs/demo.json",
  "set": { "mode": "untimed", "stats.curve": [16, 64, 256, 1024, 4096] },
  "traces": ["$T/r16.iot.gz"],
  "axes": [ { "key": "os.first_touch_page_size", "values": ["4K", "2M"], "name": "page" } ] }
EOF
ism sweep "$T/curves.json" -o "$T/curves" -q -j 2
check "plot the curves of a sweep" ism plot "$T/curves" --kind curve -q
expect_eq "curves: a line and a marker per point" 4 "$(grep -c '^# index' "$T/curves/plots/curve.dat")"
grep -q "title '#1 2M, fully associative'" "$T/curves/plots/curve.gp" && ok "curves: each line named by its point" \
	|| fail "curves: legend"

# The real thing: `iommusim sweep` (timed, two baselines) on a small NIC trace and random reads,
# then every kind, drawn without a warning.
sweep_e2e "$T/e2e"
check "plot a real timed sweep" ism plot "$T/e2e" -q
[ ! -s "$T/err" ] && ok "no gnuplot warning on real results" || { fail "plot said something"; cat "$T/err"; }
expect_image "real: missrate" "$T/e2e/plots/missrate" 1120x800
expect_image "real: throughput" "$T/e2e/plots/throughput" 1200x480
expect_image "real: invalidation" "$T/e2e/plots/invalidation" 2100x800
expect_image "real: latency-cdf (first and last point of each trace; CDF and tail)" "$T/e2e/plots/latency-cdf" 1200x960
grep -q "title '#11 entries=256, 2M, lazy'" "$T/e2e/plots/latency-cdf.gp" && ok "real: last point of the first trace" \
	|| fail "real: latency-cdf default points"
finish
