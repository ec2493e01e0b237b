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

# The findings (tests/data/plot/fixture.py's numbers):
# - 4K misses summed over matched points: nic 2 x 3 policies... per policy nic 99500, qemu
#   113000; 2M: nic 400, qemu 4000. Removed: nic 1 - 400/99500 = 99.6%, qemu 1 - 4000/113000 =
#   96.5%, both 1 - 13200/637500 = 97.9%.
# - Mean throughput over 8 points: nic lazy (6+7+8+8.5+4x9)/8 = 8.1875, strict (2+2.5+3+3.2+
#   4x3.5)/8 = 3.0875; stale hits lazy 8 x 1200 = 9600, p99 window 10 ms; qemu lazy 4.0875,
#   strict 1.5375, 8 x 500 = 4000.
# - Knee (< 10% fewer misses per step from there on): nic 4K 50000 25000 12500 12000 -> 64;
#   qemu 4K 40000 38000 20000 15000 still falls 25% at the end; 2M flat -> 16.
# - Baselines: throughput / 10 (nic) and / 6 (qemu) for passthrough, / 6 and / 3 for swiotlb.
expect_finding() { # TEXT: one <li>, as the page escapes it
	want=$(printf '%s' "$1" | sed "s/'/\&#39;/g")
	if grep -qF "<li>$want</li>" "$R"; then ok "finding: $1"; else fail "finding missing: $1"; fi
}
expect_finding "2M pages remove 97.9% of the IOTLB misses of 4K pages at equal other settings (nic 99.6%, qemu 96.5%)."
expect_finding "nic: lazy invalidation gives the highest DMA throughput (mean 8.19 Gb/s), strict the lowest (3.09 Gb/s); stale hits: lazy 9600 (p99 window up to 10 ms), strict 0."
expect_finding "qemu: lazy invalidation gives the highest DMA throughput (mean 4.09 Gb/s), strict the lowest (1.54 Gb/s); stale hits: lazy 4000 (p99 window up to 10 ms), strict 0."
expect_finding "nic, 4K: misses fall by less than 10% per step beyond 64 IOTLB entries (50000 misses at 16 entries, 12500 at 64, 12000 at 128)."
expect_finding "nic, 2M: misses fall by less than 10% per step beyond 16 IOTLB entries (100 misses at 16 entries, 100 at 128)."
expect_finding "qemu, 4K: misses still fall by 25.0% from 64 to 128 IOTLB entries: the knee lies beyond the sweep (40000 misses at 16 entries, 15000 at 128)."
expect_finding "DMA throughput with the IOMMU as a share of passthrough's (no IOMMU): 20%–90% on nic, 16.7%–75% on qemu."
expect_finding "DMA throughput with the IOMMU as a share of swiotlb's (no IOMMU): 33.3%–150% on nic, 33.3%–150% on qemu."
expect_eq "nine findings" 9 "$(grep -c '^<li' "$R")"

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
grep -qF '<tr><td class="num">13</td><td>nic</td><td class="num">64</td><td>4K</td><td>lazy</td><td class="num">12.5</td><td class="num">195.3</td><td class="num">8</td><td class="num">2500</td><td class="num">0.2</td><td class="num">0.1</td><td class="num">1200</td><td class="num">10000000</td></tr>' "$R" \
	&& ok "comparison table: point 13's figures" || fail "comparison table: point 13"
expect_eq "four plots inline" 4 "$(grep -c '^<svg role="img"' "$R")"
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

# A real untimed sweep whose sizes are listed out of order (4, 2, 8): the knee walks them in
# increasing order; capacity.csv misses 6 of 6 at 2 and 4 entries, 5 at 8 (one in 6 fewer).
sweep_untimed "$T/untimed"
check "report on a real untimed sweep" ism report "$T/untimed" -q
R="$T/untimed/report.html"
expect_finding "cap: misses still fall by 16.7% from 4 to 8 IOTLB entries: the knee lies beyond the sweep (6 misses at 2 entries, 5 at 8)."
expect_eq "one finding, one plot" "1 1" "$(grep -c '^<li' "$R") $(grep -c '^<svg role="img"' "$R")"

# A sweep no plot kind suits (replacement policy only, untimed): the page says so.
cat >"$T/repl.json" <<EOF
{ "description": "replacement only", "base": { "mode": "untimed" },
  "traces": { "cap": "$ISM_SRCDIR/tests/golden/capacity.csv" },
  "axes": [ { "key": "iommu.iotlb.replacement", "values": ["lru", "fifo"] } ] }
EOF
ism sweep "$T/repl.json" -o "$T/repl" -q -j 1
check "report without a plot" ism report "$T/repl" -q
grep -q 'No plot kind suits' "$T/repl/report.html" && ok "the page says no plot suits" || fail "no plot note"
grep -q 'No finding' "$T/repl/report.html" && ok "the page says there is no finding" || fail "no finding note"
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
