# The report in a real browser: headless Chromium loads it with no console message (the page
# has no script, and its CSP would report any load from elsewhere), the DOM holds the tables and
# the plots, and a screenshot is a full-size picture with something on it.
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"
. "$ISM_SRCDIR/tests/plot_helpers"
have_gnuplot
browser=""
for b in ${CHROMIUM:-} chromium chromium-browser; do
	command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
done
if [ -z "$browser" ]; then
	# CI (ISM_REQUIRE_DIST_TESTS=1) has the packages installed: a skip there would hide a gap.
	[ "${ISM_REQUIRE_DIST_TESTS:-0}" = 1 ] && { fail "headless Chromium is required here (ISM_REQUIRE_DIST_TESTS=1)"; finish; }
	echo "SKIP: no headless Chromium (Debian: chromium; scripts/deps installs it)"
	exit 77
fi
# A private profile and home: the browser writes nothing outside the test's directory.
export HOME="$T/home"
mkdir -p "$HOME"
chrome() {
	timeout 120 "$browser" --headless --disable-gpu --no-sandbox --disable-dev-shm-usage \
		--hide-scrollbars --no-first-run --user-data-dir="$T/profile" \
		--enable-logging=stderr --v=0 "$@"
}
# console FILE: the page's console messages (and uncaught errors) in Chromium's log.
console() { grep -E ':CONSOLE|Uncaught' "$1" || true; }

make_fixture "$T/fx"
ism report "$T/fx" -o "$T/report.html" -q
url="file://$T/report.html"

# Loads, and the DOM the browser built has what the page is for.
if chrome --dump-dom "$url" >"$T/dom.html" 2>"$T/dom.err"; then ok "chromium loads the page"; else
	fail "chromium failed on the page (exit $?)"; tail -5 "$T/dom.err"; fi
expect_eq "no console message while loading" "" "$(console "$T/dom.err")"
# The policies at one setting (answers), a card per trace (2), what varies, what is fixed (2),
# the comparison, the baselines, the assumptions, the provenance and its config digests.
expect_eq "the DOM has the eleven tables" 11 "$(grep -o '<table' "$T/dom.html" | wc -l | tr -d ' ')"
expect_eq "the DOM has the four plots as inline SVG" 4 "$(grep -o '<svg' "$T/dom.html" | wc -l | tr -d ' ')"
grep -q '<h2>Findings</h2>' "$T/dom.html" && grep -q 'lazy invalidation gives the highest DMA throughput' "$T/dom.html" \
	&& ok "the DOM has the findings" || fail "the DOM lacks the findings"

# The console check can fail: a page that tries to load an image from elsewhere, under the
# report's CSP, logs the refusal.
sed 's|</body>|<img src="http://127.0.0.1:9/x.png" alt=""></body>|' "$T/report.html" >"$T/leaky.html"
chrome --dump-dom "file://$T/leaky.html" >/dev/null 2>"$T/leaky.err" || true
[ -n "$(console "$T/leaky.err")" ] && ok "a blocked external load shows in the console (control)" \
	|| fail "the console check would miss an external load"

# One screenshot: 1200x3000, and not blank (a blank page's rows are each one colour).
rm -f "$T/shot.png"
chrome --screenshot="$T/shot.png" --window-size=1200,3000 "$url" >/dev/null 2>"$T/shot.err" || true
expect_eq "no console message while rendering" "" "$(console "$T/shot.err")"
expect_eq "screenshot is a 1200x3000 PNG" 1200x3000 "$(png_size "$T/shot.png")"
stats=$(python3 - "$T/shot.png" <<'EOF'
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
pos, idat, h = 8, b"", 1
while pos < len(d):
    n, t = struct.unpack(">I4s", d[pos:pos + 8])
    if t == b"IHDR":
        h = struct.unpack(">I", d[pos + 12:pos + 16])[0]
    if t == b"IDAT":
        idat += d[pos + 8:pos + 8 + n]
    pos += 12 + n
raw = zlib.decompress(idat)
s = len(raw) // h
print(sum(1 for i in range(h) if len(set(raw[i * s + 1:(i + 1) * s])) > 1) * 100 // h,
      len(set(raw)), len(d))
EOF
)
set -- $stats
[ "${1:-0}" -ge 30 ] && ok "screenshot: ${1}% of its rows have something on them" \
	|| fail "screenshot looks blank: ${1:-?}% of rows with content"
[ "${2:-0}" -ge 64 ] && [ "${3:-0}" -ge 100000 ] && ok "screenshot: $2 byte values, $3 bytes" \
	|| fail "screenshot too plain: ${2:-?} byte values, ${3:-?} bytes"
finish
