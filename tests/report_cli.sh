# `iommusim report` from the outside: the findings worked out by hand from the fixture's round
# numbers, escaping, self-containment, determinism and every error path.
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"
. "$ISM_SRCDIR/tests/plot_helpers"
have_gnuplot

make_fixture "$T/fx"
check "report --help" ism report --help
check "report" ism report "$T/fx"
R="$T/fx/report.html"
grep -q "report: $R" "$T/err" && ok "the page written is named on stderr" || fail "report did not name its page"

# The findings (tests/data/plot/fixture.py's numbers; points are trace x entries x page x
# policy, the last fastest: nic #0-#23, qemu #24-#47, #(6 entries-index + 3 page + policy)):
# - Pages, per trace, over the 12 pairs alike in entries and policy: nic removes 1 - 100/12000
#   = 99.2% (128 entries: #18, #21) to 1 - 100/50000 = 99.8% (16: #0, #3); qemu 1 - 1000/15000
#   = 93.3% (#42, #45) to 1 - 1000/40000 = 97.5% (#24, #27).
# - Policies, per setting of entries and page (8): lazy is always the highest, strict the
#   lowest; lazy over strict, nic: 4K 6/2 = 3 (#1, #0), 7/2.5, 8/3, 8.5/3.2, 2M 9/3.5 = 2.57
#   (#4, #3); qemu: 3/1 = 3 (#25, #24) ... 2M 4.5/1.8 = 2.5 (#28, #27).
# - Stale hits per point: strict 0, lazy 1200 (nic) / 500 (qemu), batched 300 / 100; windows
#   10 ms and 100 us.
# - Knee (policy merged: it changes no miss count): nic 4K 50000 25000 12500 12000 -> 64;
#   2M flat at 100; qemu 4K 40000 38000 20000 15000 still falls 25%, and the fixture does not
#   classify misses; 2M flat at 1000.
# - Baselines, per point: throughput / 10 (nic) and / 6 (qemu) for passthrough: 2/10 (#0) to
#   9/10 (#4), 1/6 (#24) to 4.5/6 (#28); / 6 and / 3 for swiotlb.
expect_finding() { # TEXT: one <li>, as the page escapes it
	want=$(printf '%s' "$1" | sed "s/'/\&#39;/g")
	if grep -qF "<li>$want</li>" "$R"; then ok "finding: $1"; else fail "finding missing: $1"; fi
}
expect_finding "nic: 2M pages remove 99.2% (12000 at #18, 100 at #21) to 99.8% (50000 at #0, 100 at #3) of the IOTLB misses of 4K pages, over the 12 pairs of points alike in every other setting."
expect_finding "qemu: 2M pages remove 93.3% (15000 at #42, 1000 at #45) to 97.5% (40000 at #24, 1000 at #27) of the IOTLB misses of 4K pages, over the 12 pairs of points alike in every other setting."
expect_finding "nic: lazy invalidation gives the highest DMA throughput (unthrottled: closed-loop replay) and strict the lowest in each of the 8 settings of the other axes: lazy's is 2.57 (9 at #4, 3.5 at #3) to 3 times strict's (6 at #1, 2 at #0)."
expect_finding "qemu: lazy invalidation gives the highest DMA throughput (unthrottled: closed-loop replay) and strict the lowest in each of the 8 settings of the other axes: lazy's is 2.5 (4.5 at #28, 1.8 at #27) to 3 times strict's (3 at #25, 1 at #24)."
expect_finding "nic: stale hits (DMAs through a translation already unmapped), per point: strict 0 at each of its 8; lazy 1200 at each of its 8 (e.g. #1: p99 window 10 ms); batched 300 at each of its 8 (e.g. #2: p99 window 100 µs)."
expect_finding "qemu: stale hits (DMAs through a translation already unmapped), per point: strict 0 at each of its 8; lazy 500 at each of its 8 (e.g. #25: p99 window 10 ms); batched 100 at each of its 8 (e.g. #26: p99 window 100 µs)."
expect_finding "nic, 4K (the same for every policy): misses fall by less than 10% per step beyond 64 IOTLB entries: 50000 at 16 (#0), 12500 at 64 (#12), 12000 at 128 (#18)."
expect_finding "nic, 2M (the same for every policy): the same 100 IOTLB misses at every size from 16 entries (#3) to 128 (#21)."
expect_finding "qemu, 4K (the same for every policy): misses still fall by 25.0% from 64 to 128 IOTLB entries (20000 at #36, 15000 at #42): the knee lies beyond the sweep unless the misses left are compulsory, which these results do not tell (stats.classify_misses)."
expect_finding "qemu, 2M (the same for every policy): the same 1000 IOTLB misses at every size from 16 entries (#27) to 128 (#45)."
expect_finding "DMA throughput with the IOMMU as a multiple of passthrough's (no IOMMU) in the same replay (unthrottled: closed-loop replay): 0.2x (#0) to 0.9x (#4) on nic, 0.1667x (#24) to 0.75x (#28) on qemu."
expect_finding "DMA throughput with the IOMMU as a multiple of swiotlb's (no IOMMU) in the same replay (unthrottled: closed-loop replay): 0.3333x (#0) to 1.5x (#4) on nic, 0.3333x (#24) to 1.5x (#28) on qemu."
# The fixture's latency p50 ratio is 1.25 at every point, against either baseline.
expect_finding "DMA latency p50 with the IOMMU as a multiple of passthrough's (no IOMMU) in the same replay (unthrottled: closed-loop replay): 1.25x at each of its 24 points (e.g. #0) on nic, 1.25x at each of its 24 points (e.g. #24) on qemu."
expect_finding "DMA latency p50 with the IOMMU as a multiple of swiotlb's (no IOMMU) in the same replay (unthrottled: closed-loop replay): 1.25x at each of its 24 points (e.g. #0) on nic, 1.25x at each of its 24 points (e.g. #24) on qemu."
expect_eq "fourteen findings" 14 "$(sed -n '/<section id="findings">/,/<\/section>/p' "$R" | grep -c '^<li')"

# Hand-built sweeps (tests/data/report/*.json, each with its findings worked out in "why"):
# the report gives exactly the findings ("expect") and the answers ("answers") a case works
# out, each in order, and none of its "absent"
# texts (what the report used to say wrongly: a knee beyond the sweep where only compulsory
# misses remain, stale hits summed over points, one percentage pooled over traces).
for case in "$ISM_SRCDIR"/tests/data/report/*.json; do
	c=$(basename "$case" .json)
	python3 "$ISM_SRCDIR/tests/data/report/mksweep.py" "$case" "$T/case-$c" "$T/fixture-base.json"
	check "report: case $c" ism report "$T/case-$c" -q
	python3 - "$case" "$T/case-$c/report.html" <<'EOF2' && ok "case $c: the findings expected, in order" || fail "case $c: findings differ"
import html, json, re, sys
case = json.load(open(sys.argv[1]))
page = open(sys.argv[2], encoding="utf-8").read()
def items(section):
    m = re.search(r'<section id="%s">(.*?)</section>' % section, page, re.S)
    return [html.unescape(f) for f in re.findall(r"^<li[^>]*>(.*)</li>$", m.group(1) if m else "", re.M)]
got = items("findings")
bad = 0
for e in case.get("expect", []):
    if e not in got:
        print("    missing: " + e)
        bad = 1
if "expect" in case and got != case["expect"]:
    print("    got:\n      " + "\n      ".join(got))
    bad = 1
# The answers, when the case works them out: exactly those, in order.
if "answers" in case and items("answers") != case["answers"]:
    print("    answers got:\n      " + "\n      ".join(items("answers")))
    print("    answers expected:\n      " + "\n      ".join(case["answers"]))
    bad = 1
for a in case.get("absent", []):
    if any(a in g for g in got):
        print("    a false finding is back: " + a)
        bad = 1
sys.exit(bad)
EOF2
done

# The baselines table of case devtlb-cma: the memory cma reserves and the maps it could not
# make, beside the IOMMU's page tables (20480 B = 20 KiB); #0 at 64 MiB with 3 failed maps.
B="$T/case-devtlb-cma/report.html"
grep -qF '<th>IOMMU page tables (KiB)</th><th>throughput vs cma</th><th>DMA latency p50 vs cma</th><th>memory cma reserves (MiB)</th><th>maps cma could not make</th>' "$B" \
	&& ok "baselines: memory and failed maps columns" || fail "baselines: the memory and failure columns"
grep -qF '<td class="num">20</td><td class="num">1</td><td class="num">1.2</td><td class="num">64</td><td class="num">3</td></tr>' "$B" \
	&& ok "baselines: #0's row" || fail "baselines: #0's row"

# Points replayed differently (case replay: nic open loop, rand closed): a replay column
# before the throughput, each row saying its own.
C="$T/case-replay/report.html"
grep -qF '<th>replay</th><th>DMA throughput (Gb/s)</th>' "$C" \
	&& grep -qF '<td>open loop at the trace&#39;s timing</td><td class="num">9.5</td>' "$C" \
	&& grep -qF '<td>unthrottled (closed loop)</td><td class="num">20</td>' "$C" \
	&& ok "comparison table: each point's replay beside its throughput" || fail "comparison table: no replay column"
# The knee case's table has the miss counts its findings quote: #3, 40 misses, 40 compulsory, 0.
grep -qF '<th>IOTLB misses</th><th>compulsory misses</th><th>capacity + conflict misses</th>' "$T/case-knee/report.html" \
	&& grep -qF '<tr><td class="num">3</td><td>rnd</td><td class="num">64</td><td class="num">40</td><td class="num">40</td><td class="num">0</td>' "$T/case-knee/report.html" \
	&& ok "comparison table: misses by class" || fail "comparison table: misses by class"

# The rest of the page: the question escaped, the configs, the table, four plots, the ratios.
grep -qF '<p class="question">IOTLB size x page size x invalidation policy on a NIC and a QEMU trace &lt;check&gt;</p>' "$R" \
	&& ok "the question, HTML-escaped" || fail "the question is missing or unescaped"
grep -q '<check>' "$R" && fail "an unescaped string" || ok "no unescaped string"
grep -qF '<tr><td><code>os.invalidation.range_limit_pages</code></td><td>262144</td><td>512</td></tr>' "$R" \
	&& ok "configs: a key the base config (the VT-d preset) sets, with its default" || fail "configs: preset key"
grep -qF '<tr><td>page</td><td><code>iommu.page_sizes</code>, <code>os.first_touch_page_size</code></td><td>4K, 2M</td></tr>' "$R" \
	&& ok "configs: the zipped page axis and its keys" || fail "configs: page axis"
sed -n '/<h3>What is fixed/,/<\/details>/p' "$R" >"$T/fixed"
grep -q 'iommu.iotlb.entries\|os.invalidation.policy\|first_touch_page_size' "$T/fixed" \
	&& fail "configs: a swept key listed as fixed" || ok "configs: swept keys are not listed as fixed"
grep -qF '<tr><td><code>iommu.iotlb.ways</code></td><td>8</td></tr>' "$T/fixed" \
	&& ok "configs: every fixed key in the details" || fail "configs: iommu.iotlb.ways not listed"
expect_eq "comparison table: 48 rows of points" 48 \
	"$(sed -n '/<section id="comparison">/,/<\/section>/p' "$R" | grep -c '^<tr><td class="num">')"
# Point 13: nic, 64 entries, 4K, lazy: 12.5% (12500 misses), 12500/64 MiB, 8 Gb/s, p99 20000/8 ns.
grep -qF '<tr><td class="num">13</td><td>nic</td><td class="num">64</td><td>4K</td><td>lazy</td><td class="num">12.5</td><td class="num">12500</td><td class="num">195.3</td><td class="num">8</td><td class="num">2500</td><td class="num">0.2</td><td class="num">0.1</td><td class="num">1200</td><td class="num">10000000</td></tr>' "$R" \
	&& ok "comparison table: point 13's figures" || fail "comparison table: point 13"
# Every point replayed closed loop: the throughput heading says so (no replay column).
grep -qF '<th>DMA throughput (Gb/s), unthrottled (closed loop)</th>' "$R" && ! grep -qF '<th>replay</th>' "$R" \
	&& ok "comparison table: the throughput heading names the replay" || fail "comparison table: throughput heading"
grep -qF 'replayed alike (unthrottled: closed-loop replay)' "$R" \
	&& ok "baseline table: the replay named" || fail "baseline table: no replay named"
expect_eq "four plots inline" 4 "$(grep -c '^<svg role="img"' "$R")"
# The answers' policy table, at the middle setting of the other axes (64 entries, 2M pages):
# nic strict #15 (6 x 2 + 3 x 1 + 0): 3.5 Gb/s, 0.5 ns per byte, no stale hit; lazy #16: 9,
# 0.1, 1200 stale hits, 10 ms; passthrough beside them (#15's): 10 Gb/s, 0.05.
grep -qF '<h3>Invalidation policies side by side at iommu.iotlb.entries=64, page=2M</h3>' "$R" \
	&& grep -qF '<tr><td>nic</td><td>strict</td><td>#15</td><td class="num">3.5</td><td class="num">0.5</td><td class="num">0</td><td class="num">0</td></tr>' "$R" \
	&& grep -qF '<tr><td>nic</td><td>lazy</td><td>#16</td><td class="num">9</td><td class="num">0.1</td><td class="num">1200</td><td class="num">10000000</td></tr>' "$R" \
	&& grep -qF '<tr><td>nic</td><td>passthrough (no IOMMU)</td><td>#15</td><td class="num">10</td><td class="num">0.05</td><td class="num">–</td><td class="num">–</td></tr>' "$R" \
	&& ok "answers: the policies side by side with the baselines, by hand" || fail "answers: the policy table"
grep -qF '<th>throughput vs passthrough</th>' "$R" && grep -qF '<th>CPU ns per byte vs swiotlb</th>' "$R" \
	&& ok "baseline ratio columns" || fail "baseline ratio columns"
grep -q '0\.123456\|wall_s' "$R" && fail "wall-clock figures in the report" || ok "no wall-clock figure"
python3 - "$R" <<'EOF' && ok "every id is unique (the plots' ids are prefixed)" || fail "duplicate ids"
import re, sys
ids = re.findall(r'''\sid=['"]([^'"]+)''', open(sys.argv[1], encoding="utf-8").read())
dup = {i for i in ids if ids.count(i) > 1}
sys.exit(1 if dup or not ids else 0)
EOF
# Self-contained: nothing loads from elsewhere, and the page forbids itself to.
grep -Eiq '<(script|link|img|iframe)|src=|@import|url\((https?:|//)|href="(https?:|//)' "$R" \
	&& fail "an external resource or a script" || ok "no external resource, no script"
grep -qF "Content-Security-Policy\" content=\"default-src 'none'" "$R" && ok "a CSP that forbids loads" \
	|| fail "no content security policy"

# Deterministic: the same directory gives the same page, wherever it is written.
ism report "$T/fx" -o "$T/again.html" -q
cmp -s "$R" "$T/again.html" && ok "the same page twice" || fail "two reports of one directory differ"
ism report "$T/fx" -o - -q >"$T/stdout.html"
cmp -s "$R" "$T/stdout.html" && ok "-o - writes the page to stdout" || fail "-o - differs"

# A failed point: said first, shown in the tables with its message (escaped).
cp -r "$T/fx" "$T/failed"
name=$(sed -n 7p "$T/failed/summary.csv" | cut -d, -f1)
rm "$T/failed/points/$name.json"
printf '{"point": "%s", "exit": 4, "message": "trace <broken>"}\n' "$name" >"$T/failed/points/$name.error.json"
check "report with a failed point" ism report "$T/failed" -q
grep -qF '<li class="warn">1 of 48 points failed and 0 have not run' "$T/failed/report.html" \
	&& ok "the failure is the first finding" || fail "no finding on the failed point"
grep -qF 'failed: trace &lt;broken&gt;</td>' "$T/failed/report.html" && ok "its row says why, escaped" \
	|| fail "the failed row"

# A damaged point file: skipped with a warning naming it, and counted and shown as failed with
# the reason (escaped), as a point with an error file is.
cp -r "$T/fx" "$T/damaged"
dname=$(sed -n 7p "$T/damaged/summary.csv" | cut -d, -f1)
printf '{"<x": ' >"$T/damaged/points/$dname.json"
check "report with a damaged point file" ism report "$T/damaged" -q
expect_eq "the warning names the file" \
	"iommusim: warning: $T/damaged/points/$dname.json:1:7: invalid JSON: unexpected token near end of file: skipped, counted as failed (delete the file to run the point again)" \
	"$(cat "$T/err")"
grep -qF '<li class="warn">1 of 48 points failed and 0 have not run' "$T/damaged/report.html" \
	&& ok "the damaged point counts as failed" || fail "no finding on the damaged point"
grep -qF "failed: $T/damaged/points/$dname.json:1:7: invalid JSON: unexpected token near end of file</td>" "$T/damaged/report.html" \
	&& ok "its row says why" || fail "the damaged point's row"

# A real untimed sweep whose sizes are listed out of order (4, 2, 8) x replacement (lru,
# fifo): the knee walks them in increasing order; capacity.csv misses 6 of 6 at 2 and 4
# entries, 5 at 8 (one in 6 fewer), where its 5 pages' first touches are all that is left (the
# old report said the knee lay beyond the sweep). On 5 pages and 6 reads lru and fifo evict
# alike: the replacement axis changes nothing.
sweep_untimed "$T/untimed"
check "report on a real untimed sweep" ism report "$T/untimed" -q
R="$T/untimed/report.html"
expect_finding "cap: iommu.iotlb.replacement changed no figure of the results: each of the 3 points at fifo has the same figures as its twin at lru (e.g. #1 and #0)."
expect_finding "cap (the same for every replacement): misses fall by 16.7% from 4 to 8 IOTLB entries (6 at #0, 5 at #4), where only compulsory misses remain: no larger IOTLB removes more."
expect_eq "two findings, two plots (miss rate, miss classes)" "2 2" "$(sed -n '/<section id="findings">/,/<\/section>/p' "$R" | grep -c '^<li') $(grep -c '^<svg role="img"' "$R")"
# Its answers: untimed, no throughput to compare; the misses at 2 and 4 entries are 6, one of
# them capacity over a floor of 5 (the first touches), at 8 entries 5 over 5, in each of the 2
# replacement settings (#2, #3 at 2 entries; #4 is 8 entries with lru).
expect_answer() {
	want=$(printf '%s' "$1" | sed "s/'/\&#39;/g")
	if grep -qF "<li>$want</li>" "$R"; then ok "answer: $1"; else fail "answer missing: $1"; fi
}
expect_answer "cap: the smallest IOTLB that brings the misses within 10% of the floor no IOTLB size removes (all but capacity and conflict misses): 8 entries in each of the 2 settings of the other axes (e.g. #4: 5 misses over a floor of 5)."
expect_answer "Whether larger pages make the IOTLB size irrelevant: the sweep has no page size axis; add one over os.first_touch_page_size or iommu.page_sizes (4K, 2M) to answer it."
expect_answer "Which invalidation policy: the sweep has no os.invalidation.policy axis; add one (strict, lazy) to compare their throughput, CPU cost and stale-translation exposure."

# A real timed sweep (two generated traces, tests/data/plot/e2e.json): what the page says of
# where the results come from and of each trace, read back from the directory alone.
sweep_e2e "$T/e2e"
(cd "$T" && ism report "$T/e2e" -o "$T/e2e.html" -q)
R="$T/e2e.html"
python3 - "$R" "$T/e2e" "$T/e2e-src/e2e.json" <<'EOF2' && ok "provenance: the run, its hosts and dates, commands, commit, digests as recorded" || fail "provenance section"
import hashlib, html, json, re, sys
page, d, sweepfile = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2], sys.argv[3]
sec = re.search(r'<section id="provenance">(.*?)</section>', page, re.S).group(1)
rows = {html.unescape(k): html.unescape(v) for k, v in re.findall(r"<tr><th>(.*?)</th><td>(.*?)</td></tr>", sec)}
m = json.load(open(d + "/sweep.json"))
p = m["provenance"]
assert rows["sweep run"] == "%s on %s, in %s: %s" % (p["date"], p["host"], "../e2e-src", p["command"]) or \
    rows["sweep run"].endswith(": " + p["command"]), rows["sweep run"]
pts = [json.load(open("%s/points/%s.json" % (d, q["name"]))) for q in m["points"]]
n = len(pts)
assert rows["the points ran on"] == "%s (%d points, e.g. #0)" % (p["host"], n), rows["the points ran on"]
dates = sorted(q["provenance"]["date"] for q in pts)
assert rows["the points ran"] == "from %s to %s" % (dates[0], dates[-1]), rows["the points ran"]
assert rows["the points' commits"] == "%s (%d points, e.g. #0)" % (pts[0]["iommusim"]["commit"], n)
assert rows["sweep file"].endswith("(sha256:%s)" % hashlib.sha256(open(sweepfile, "rb").read()).hexdigest()), rows["sweep file"]
assert rows["configs"].startswith("%d distinct effective configurations" % len({q["config_digest"] for q in pts})), rows["configs"]
for q, i in zip(pts, range(n)):
    assert "<tr><td class=\"num\">%d</td><td><code>%s</code></td></tr>" % (i, q["config_digest"]) in sec
EOF2
python3 - "$R" "$T/e2e" <<'EOF2' && ok "trace cards: each trace's file (relative), source, records, bytes, devices, footprint, replay" || fail "trace cards"
import html, json, re, sys
page, d = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
sec = re.search(r'<section id="traces">(.*?)</section>', page, re.S).group(1)
cards = re.findall(r'<div class="card">\n<h3>(.*?)</h3>(.*?)</div>', sec, re.S)
assert [c[0] for c in cards] == ["nic", "rand"], cards
for name, body in cards:
    rows = {html.unescape(k): html.unescape(v) for k, v in re.findall(r"<tr><th>(.*?)</th><td>(.*?)</td></tr>", body)}
    info = json.load(open("%s/traces/%s.info.json" % (d, name)))
    assert rows["file"] == "../e2e-src/%s.iot.gz" % name, rows["file"]
    assert rows["source"].startswith("generated by iommusim trace gen, workload %s:" % info["meta"]["workload"]), rows["source"]
    assert rows["records"].startswith("%d (%d DMAs: %d reads, %d writes; %d maps, %d unmaps)" % (
        info["records"], info["reads"] + info["writes"], info["reads"], info["writes"], info["maps"], info["unmaps"])), rows["records"]
    assert rows["devices"].startswith("%d: " % len(info["devices"])), rows["devices"]
    assert rows["footprint"].startswith("%d pages of 4K" % info["footprint_pages"]["4K"]), rows["footprint"]
    assert rows["replay mode"].startswith("unthrottled: closed-loop replay: "), rows["replay mode"]
EOF2
grep -q "$T/e2e-src" "$T/e2e.html" && ! grep -q "<code>$T" "$T/e2e.html" \
	&& ok "paths: absolute ones only in the recorded command lines" || fail "paths: an absolute path outside a command line"
# A trace with the host's stage-2 unmaps (trace info's unmaps_stage2) says so on its card.
python3 -c 'import json, sys; p = sys.argv[1]; i = json.load(open(p)); i["unmaps_stage2"] = 3; json.dump(i, open(p, "w"))' \
	"$T/e2e/traces/nic.info.json"
(cd "$T" && ism report "$T/e2e" -o "$T/e2e-s2.html" -q)
grep -qE "<tr><th>records</th><td>[0-9]+ \([0-9]+ DMAs: .*, [0-9]+ unmaps, 3 stage-2 unmaps\) over " "$T/e2e-s2.html" \
	&& ok "trace card: the host's stage-2 unmaps beside the OS's" || fail "trace card: no stage-2 unmaps"
sed -n '/<section id="assumptions">/,/<\/section>/p' "$R" >"$T/assume"
grep -qF '<tr><td><code>memory.latency_ns</code></td><td>80.0</td>' "$T/assume" \
	&& grep -qF 'Page requests (PRI) and recoverable I/O page faults' "$T/assume" \
	&& grep -qF '<tr><td><code>swiotlb.copy_gbps</code>' "$T/assume" \
	&& ! grep -qF '<tr><td><code>cma.alloc_ns</code>' "$T/assume" \
	&& ok "assumptions: the defaults the results rest on (not cma's: no cma baseline), and what is left out" \
	|| fail "assumptions section"
# Seeds (case seeds.json): a row per setting, each figure the mean and the seeds' range: 8
# entries 100 and 100 misses, 16 entries 50 and 60 (55, 50-60), 32 entries 48 and 30 (39, 30-48).
R="$T/case-seeds/report.html"
grep -qF '<tr><td>#2, #3</td><td>s</td><td class="num">16</td><td class="num">2</td>' "$R" \
	&& grep -qF '<td class="num">55 (50–60)</td>' "$R" && grep -qF '<td class="num">39 (30–48)</td>' "$R" \
	&& grep -qF '<tr><td>#0, #1</td><td>s</td><td class="num">8</td><td class="num">2</td><td class="num">100</td></tr>' "$R" \
	&& ok "seeds: the mean and the min-max over the seeds, by hand" || fail "seeds: the over-the-seeds table"

# The device level: micro-TLB sizes 8, 1, 2 on capacity.csv (figures in plot_cli.sh): its
# miss rate is a column of the comparison (100 at 1 and 2 entries, 83.33 at 8) and its plot
# is on the page.
ism sweep "$ISM_SRCDIR/tests/data/plot/devtlb.json" -o "$T/devtlb" -q
check "report on a device-TLB sweep" ism report "$T/devtlb" -q
R="$T/devtlb/report.html"
grep -qF '<th>device-TLB miss rate (%)</th>' "$R" && ok "devtlb: the column" || fail "devtlb: no device-TLB column"
expect_eq "devtlb: its figures, point by point (#0 at 8 entries, #1 at 1, #2 at 2)" "83.33 100 100" \
	"$(grep '^<tr><td class="num">[0-9]*</td><td>cap</td>' "$R" | awk -F'</td>' '{ sub(/.*>/, "", $4); if ($4 != "") print $4 }' | paste -sd' ')"
grep -qF 'Device-TLB (micro TLB, ATC) miss rate' "$R" && ok "devtlb: the plot's caption" || fail "devtlb: no plot"
grep -qF '<th>device-TLB miss rate (%)</th>' "$T/untimed/report.html" && fail "a column without device TLBs" \
	|| ok "no device-TLB column without them"

# A sweep no plot kind suits (replacement policy only, untimed): the page says so.
cat >"$T/repl.json" <<EOF
{ "description": "replacement only", "base": { "mode": "untimed" },
  "traces": { "cap": "$ISM_SRCDIR/tests/golden/capacity.csv" },
  "axes": [ { "key": "iommu.iotlb.replacement", "values": ["lru", "fifo"] } ] }
EOF
ism sweep "$T/repl.json" -o "$T/repl" -q -j 1
check "report without a plot" ism report "$T/repl" -q
grep -q 'No plot kind suits' "$T/repl/report.html" && ok "the page says no plot suits" || fail "no plot note"
R="$T/repl/report.html"
expect_finding "cap: iommu.iotlb.replacement changed no figure of the results: the point at fifo has the same figures as its twin at lru (#1 and #0)."
expect_fail "while plot refuses" 1 "no plot kind suits this sweep" ism plot "$T/repl"

# Errors: the documented exit status, nothing written.
expect_fail "no DIR" 2 "give the sweep's output DIR" ism report
expect_fail "bad option" 2 "unknown option" ism report --frob "$T/fx"
mkdir "$T/notsweep"
expect_fail "not a sweep directory" 3 "not a sweep output directory" ism report "$T/notsweep" -o "$T/n.html"
no_file "no page for a bad directory" "$T/n.html"
cp -r "$T/fx" "$T/pending"
rm "$T/pending/points/"*.json
expect_fail "nothing finished" 1 "no point has finished: nothing to report" ism report "$T/pending" -o "$T/p.html"
no_file "no page when nothing finished" "$T/p.html"
expect_fail "unwritable page" 5 "cannot create output file" ism report "$T/fx" -o "$T/no/such/dir/r.html"
mkdir "$T/tmp"
expect_fail "no gnuplot" 1 "gnuplot not found" \
	env TMPDIR="$T/tmp" GNUPLOT=/nonexistent/gnuplot $ISM_WRAP "$ISM" report "$T/fx" -o "$T/g.html"
no_file "no page without gnuplot" "$T/g.html"
expect_eq "no scratch directory left" "" "$(ls "$T/tmp")"
printf '#!/bin/sh\necho "gnuplot: no" >&2\nexit 1\n' >"$T/badgnu"
chmod +x "$T/badgnu"
# The scratch directory is hidden beside the page (docs/report.md), never in $TMPDIR.
expect_fail "gnuplot fails" 1 "/\.g\.html\.tmp\.[0-9]+\.[^/]+/missrate.gp: gnuplot failed" \
	env TMPDIR="$T/tmp" GNUPLOT="$T/badgnu" $ISM_WRAP "$ISM" report "$T/fx" -o "$T/g.html"
grep -q "is kept for a look" "$T/err" && [ -f "$T/".g.html.tmp.*/missrate.gp ] \
	&& ok "the failing script is kept, and said to be" || fail "the failing script is not kept"
[ ! -e "$T/g.html" ] && [ -z "$(find "$T" -maxdepth 1 -type f -name '.g.html.tmp.*')" ] \
	&& ok "no page when gnuplot fails" || fail "a page or a temporary file was left"
expect_eq "nothing in \$TMPDIR" "" "$(ls -A "$T/tmp")"
check "the next report" ism report "$T/fx" -o "$T/g.html" -q
[ -z "$(ls -A "$T" | grep '^\.g\.html\.tmp\.')" ] && ok "no scratch directory left beside the page" \
	|| fail "left: $(ls -A "$T" | grep '^\.g\.html')"
finish
