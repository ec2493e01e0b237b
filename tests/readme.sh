# The README's examples, run as a reader would (from build/ after `cd build`), in its order:
# - every command of a ```sh block that runs iommusim must succeed (with the `cd` and
#   `cat >FILE <<EOF` lines beside them; set-up and build commands are not run here);
# - so must its `python3` and `Rscript` lines, which read what iommusim wrote, when the machine
#   has the tool (and the Python modules the line imports); when not, a "skip - " line says
#   what is missing (a failure under ISM_REQUIRE_DIST_TESTS=1: scripts/deps installs them);
# - a plain ``` block of `$ COMMAND` lines is a transcript: each command's output (stdout and
#   stderr) must be the lines shown under it, compared with runs of white space (line breaks
#   too) as one space; a line `...` stands for any output;
# - the figures the prose quotes are what those commands print (see "Claims" below);
# - a `python3` or `Rscript` line that keeps one metric of a CSV (`metric == "NAME"`) prints
#   exactly that metric's rows of the file (see "Tables" below).
# The README is the data: change an example or a figure there and this test checks the new one.
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"
. "$ISM_SRCDIR/tests/plot_helpers"
have_gnuplot # the tour draws plots and writes a report
README="$ISM_SRCDIR/README.md"

# A checkout as the README sees it: build/iommusim (this build, through ISM_WRAP) beside
# configs/ and traces/; /tmp in the examples is $T/tmp; mytrace.csv, the user's own trace of
# the import example, is a golden trace.
mkdir -p "$T/src/build" "$T/tmp" "$T/items"
ln -s "$ISM_SRCDIR/configs" "$T/src/configs"
ln -s "$ISM_SRCDIR/traces" "$T/src/traces"
printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$ISM_WRAP" "$ISM" >"$T/src/build/iommusim"
chmod +x "$T/src/build/iommusim"
cp "$ISM_SRCDIR/tests/golden/capacity.csv" "$T/src/build/mytrace.csv"
PATH="$T/src/build:$PATH"

# The examples, one item per command: NNNN.kind (sh or tx), .cmd, .line (in README.md), and
# for a transcript .want (the lines shown under the command).
awk -v dir="$T/items" -v q="'" '
function emit(kind) {
	n++
	f = sprintf("%s/%04d", dir, n)
	printf "%s\n", kind >(f ".kind"); close(f ".kind")
	printf "%s", cmd >(f ".cmd"); close(f ".cmd")
	printf "%d\n", at >(f ".line"); close(f ".line")
	if (kind == "tx") { printf "%s", want >(f ".want"); close(f ".want") }
	cmd = want = ""
}
/^```/ {
	if (!fence) { fence = 1; info = substr($0, 4); tx = 0; first = 1; next }
	if (tx && cmd != "") emit("tx")
	fence = 0; next
}
!fence { next }
info == "sh" {
	if (delim != "") {
		cmd = cmd $0 "\n"
		if ($0 == delim) { delim = ""; emit("sh") }
		next
	}
	if ($0 !~ /^(\.\/iommusim|iommusim|cd|cat|python3|Rscript) /) next
	cmd = $0 "\n"; at = NR
	if (match($0, "<<-?[" q "\"]?[A-Za-z_]+")) {
		delim = substr($0, RSTART, RLENGTH); sub("^<<-?[" q "\"]?", "", delim)
		next
	}
	emit("sh"); next
}
info == "" {
	if (first) { first = 0; tx = ($0 ~ /^\$ /) }
	if (!tx) next
	if ($0 ~ /^\$ /) {
		if (cmd != "") emit("tx")
		cmd = substr($0, 3) "\n"; at = NR
	} else {
		want = want $0 "\n"
	}
}' "$README"
[ -n "$(ls "$T/items")" ] && ok "README.md has examples" || fail "README.md: no examples found"

# match WANT GOT: GOT is the output WANT shows (white space runs as one space, `...` any text).
match() {
	awk -v wantf="$1" -v gotf="$2" '
	function norm(s) { gsub(/[ \t\n]+/, " ", s); sub(/^ /, "", s); sub(/ $/, "", s); return s }
	BEGIN {
		while ((getline l < wantf) > 0) {
			t = l; gsub(/^[ \t]+|[ \t]+$/, "", t)
			w = w (t == "..." ? "\001" : " " l)
		}
		while ((getline l < gotf) > 0) g = g " " l
		w = norm(w); g = norm(g); gsub(/ ?\001 ?/, "\001", w)
		n = split(w, seg, "\001")
		if (n == 1) exit g != w
		if (substr(g, 1, length(seg[1])) != seg[1]) exit 1
		pos = length(seg[1]) + 1
		for (i = 2; i < n; i++) {
			if (seg[i] == "") continue
			k = index(substr(g, pos), seg[i])
			if (!k) exit 1
			pos += k - 1 + length(seg[i])
		}
		tail = length(g) - length(seg[n]) + 1
		exit !(tail >= pos && substr(g, tail) == seg[n])
	}'
}

# lacking CMDFILE: sets need to what a python3 or Rscript example needs that this machine does
# not have, or to nothing. A python3 line runs under a python3 that has the modules it imports
# (`import NAME`): the one on PATH, else Debian's /usr/bin/python3, where python3-pandas
# installs and which a python3 earlier on PATH (pyenv, a venv) does not see; that one then goes
# first on PATH, as for a reader whose python3 has pandas.
mkdir "$T/py"
lacking() {
	need=""
	case $(head -1 "$1") in
	python3\ *)
		mods=$(grep -oE '(^|[^A-Za-z0-9_.])import [A-Za-z_][A-Za-z0-9_]*' "$1" | sed 's/.*import //' | sort -u | tr '\n' ' ')
		mods=${mods% }
		for py in python3 /usr/bin/python3; do
			command -v "$py" >/dev/null 2>&1 || continue
			all=1
			for m in $mods; do "$py" -c "import $m" 2>/dev/null || all=0; done
			if [ $all -eq 1 ]; then
				[ "$py" = python3 ] || { ln -sf "$py" "$T/py/python3"; PATH="$T/py:$PATH"; }
				return 0
			fi
		done
		# shellcheck disable=SC2086
		need="python3 with $mods (Debian: $(printf 'python3-%s ' $mods | sed 's/ $//'))" ;;
	Rscript\ *)
		command -v Rscript >/dev/null 2>&1 || need="Rscript (Debian: r-base-core)" ;;
	esac
}

# Run every item in order, in this shell: `cd build` carries over, as in a reader's shell.
cd "$T/src"
for k in "$T"/items/*.kind; do
	i=${k%.kind}
	line=$(cat "$i.line")
	lacking "$i.cmd"
	if [ -n "$need" ]; then
		touch "$i.skip"
		if [ "${ISM_REQUIRE_DIST_TESTS:-0}" = 1 ]; then
			fail "README.md:$line needs $need, required here (ISM_REQUIRE_DIST_TESTS=1): $(cat "$i.cmd")"
		else
			echo "skip - README.md:$line needs $need; scripts/deps installs it: $(cat "$i.cmd")"
		fi
		continue
	fi
	cmd=$(sed "s|/tmp/|$T/tmp/|g" "$i.cmd")
	set +e
	{ eval "$cmd"; } </dev/null >"$i.out" 2>&1
	rc=$?
	set -e
	sed -i "s|$T/tmp/|/tmp/|g" "$i.out"
	case $(cat "$k") in
	sh)
		if [ $rc -eq 0 ]; then ok "README.md:$line runs: $(cat "$i.cmd")"
		else
			fail "README.md:$line exits $rc (show a failing example as a \$ transcript): $(cat "$i.cmd")"
			sed 's/^/    /' "$i.out" | head -10
		fi ;;
	tx)
		if match "$i.want" "$i.out"; then ok "README.md:$line prints what the README shows: $(cat "$i.cmd")"
		else
			fail "README.md:$line: $(cat "$i.cmd") prints something else than the README shows"
			echo "    README:"; sed 's/^/      /' "$i.want" | head -20
			echo "    printed:"; sed 's/^/      /' "$i.out" | head -40
		fi ;;
	esac
done

# ---- Tables: a python3 or Rscript line that reads a CSV and keeps the rows of one metric
# prints those rows, all of them and no other: as many rows (lines naming a point of the file)
# as awk finds with that metric, each with the metric's name and, after it, the point's value
# (as printed: pandas rounds to 6 decimals, R to 7 significant digits).
for c in "$T"/items/*.cmd; do
	i=${c%.cmd}
	case $(head -1 "$c") in python3\ * | Rscript\ *) ;; *) continue ;; esac
	[ -e "$i.skip" ] && continue
	line=$(cat "$i.line")
	csv=$(grep -oE '"/tmp/[^"]*[.]csv"' "$c" | head -1 | tr -d '"')
	metric=$(grep -oE 'metric == \\?"[^"\\]*' "$c" | head -1 | sed 's/.*"//')
	if [ -z "$csv" ] || [ -z "$metric" ]; then
		fail "README.md:$line: no \"/tmp/....csv\" or metric == \"NAME\" to check its output against: update tests/readme.sh"
		continue
	fi
	# The file's points, and the point and value of each row with that metric, by column name.
	awk -F, -v m="$metric" -v points="$i.points" 'NR == 1 { for (k = 1; k <= NF; k++) col[$k] = k; next }
		{ print $col["point"] >points } $col["metric"] == m { print $col["point"], $col["value"] }' \
		"$T/tmp/${csv#/tmp/}" >"$i.rows"
	n=$(wc -l <"$i.rows")
	[ "$n" -gt 0 ] || { fail "README.md:$line: $csv has no row with metric $metric"; continue; }
	if awk -v m="$metric" -v rows="$i.rows" -v n="$n" '
		NR == FNR { pt[$1]; next }
		{
			p = v = ""
			for (k = 1; k <= NF; k++) { if ($k in pt) p = $k; if ($k == m && k < NF) v = $(k + 1) }
			if (p == "") next
			printed++
			if (v == "") { print "    a row without " m ": " $0; bad = 1 } else got[p] = v
		}
		END {
			if (printed != n) { print "    " printed + 0 " rows printed, " n " in the file"; bad = 1 }
			while ((getline l <rows) > 0) {
				split(l, f, " ")
				if (!(f[1] in got)) { print "    no row for point " f[1]; bad = 1; continue }
				d = got[f[1]] - f[2]; a = f[2] < 0 ? -f[2] : f[2]
				if (d * d > (5e-7 + 1e-6 * a) ^ 2) { print "    " f[1] ": " got[f[1]] ", " f[2] " in the file"; bad = 1 }
			}
			exit bad
		}' "$i.points" "$i.out" >"$i.diff"; then
		ok "README.md:$line prints the $n $metric rows of $csv, with their values: $(cat "$c")"
	else
		fail "README.md:$line prints something else than the $n $metric rows of $csv: $(cat "$c")"
		cat "$i.diff"; echo "    printed:"; sed 's/^/      /' "$i.out" | head -30
	fi
done

# ---- Claims: figures the prose quotes, from the README's text, checked against the output of
# the README command they are about. The prose is the README without code (blocks, `spans`).
TEXT=$(awk '/^```/ { fence = !fence; next } !fence' "$README" | tr -s '[:space:]' ' ' | sed 's/`[^`]*`/ /g')
# claim ERE: the first number in the prose's first match of ERE, or nothing.
claim() { printf '%s\n' "$TEXT" | grep -oE -- "$1" | head -1 | grep -oE '[0-9]+([.][0-9]+)?' | head -1; }
# output_of PATTERN...: the output of the first README command that contains every PATTERN
# (and none of those written !PATTERN).
output_of() {
	for c in "$T"/items/*.cmd; do
		all=1
		for p in "$@"; do
			case $p in
			!*) ! grep -qF -- "${p#!}" "$c" || all=0 ;;
			*) grep -qF -- "$p" "$c" || all=0 ;;
			esac
		done
		[ $all -eq 1 ] && { echo "${c%.cmd}.out"; return 0; }
	done
	echo /dev/null
}
# The text summary's figures: iotlb.misses, the miss rate (%), the first-touch pages, a class.
misses() { sed -n 's/^  IOTLB .* \([0-9]*\) misses (.*/\1/p' "$1"; }
miss_pct() { sed -n 's/^  IOTLB .* misses (\([0-9.]*\)%).*/\1/p' "$1"; }
ft_pages() { sed -n 's/^  OS .* \([0-9]*\) first-touch pages.*/\1/p' "$1"; }
class() { sed -n 's/^  misses  *//p' "$1" | tr ',' '\n' | awk -v c="$2" '$1 == c { print $2 }'; }

# The 16 MiB random window (the trace the README generates from traces/random-16M.json).
r16=$(sed -n 's/.*trace gen .*random-16M\.json.* -o \([^ ]*\).*/\1/p' "$T"/items/*.cmd | head -1)
[ -n "$r16" ] && ok "README generates the random 16 MiB trace ($r16)" ||
	fail "README.md: no 'trace gen ...random-16M.json -o FILE' (the trace its 98% and 2 MiB claims are about)"
out4k=$(output_of "run " "-t $r16 " "!--set")
out2m=$(output_of "run " "-t $r16 " "first_touch_page_size=2M")

pct=$(claim 'misses about [0-9]+% of the time')
if [ -z "$pct" ]; then
	fail "README.md no longer says how often a 64-entry IOTLB misses on the 16 MiB window" \
		"('misses about N% of the time'): update tests/readme.sh"
else
	got=$(miss_pct "$out4k")
	awk -v a="$got" -v b="$pct" 'BEGIN { exit !(a != "" && a - b <= 0.5 && b - a <= 0.5) }' &&
		ok "README: 'misses about $pct% of the time' (prints $got%)" ||
		fail "README says a 64-entry IOTLB 'misses about $pct% of the time'; its run prints '${got:-nothing}%'"
	cap=$(class "$out4k" capacity) m=$(misses "$out4k")
	if printf '%s\n' "$TEXT" | grep -qF "$pct% of the time (capacity misses)"; then
		[ -n "$cap" ] && [ $((2 * cap)) -gt "${m:-0}" ] && ok "README: most of them are capacity misses ($cap of $m)" ||
			fail "README says the misses are capacity misses; its run prints capacity '$cap' of '$m'"
	fi
fi

pages=$(claim 'the window is [0-9]+ pages and only the')
comp=$(claim 'only the [0-9]+ compulsory misses remain')
wif=$(claim '[0-9]+ misses of requests that reach a 2 MiB page while its first walk is in flight')
if [ -z "$pages" ] || [ -z "$comp" ]; then
	fail "README.md no longer says what remains with 2 MiB pages ('the window is N pages and" \
		"only the N compulsory misses remain'): update tests/readme.sh"
else
	expect_eq "README: with 2 MiB pages the window is $pages pages (first-touch pages)" "$pages" "$(ft_pages "$out2m")"
	expect_eq "README: $comp compulsory misses with 2 MiB pages" "$comp" "$(class "$out2m" compulsory)"
	expect_eq "README: ${wif:-0} walk_in_flight misses with 2 MiB pages" "${wif:-0}" "$(class "$out2m" walk_in_flight)"
	expect_eq "README: no other misses with 2 MiB pages" "$((comp + ${wif:-0}))" "$(misses "$out2m")"
fi

pct=$(claim 'misses [0-9]+% of the time \(1 - 64/256\)')
if [ -z "$pct" ]; then
	fail "README.md no longer says how often the 64-entry IOTLB misses with 64 KiB pages" \
		"('misses N% of the time (1 - 64/256)'): update tests/readme.sh"
else
	got=$(miss_pct "$(output_of "run " "-t $r16 " "format=arm-64k")")
	awk -v a="$got" -v b="$pct" 'BEGIN { exit !(a != "" && a - b <= 0.5 && b - a <= 0.5) }' &&
		ok "README: 64 KiB pages: 'misses $pct% of the time' (prints $got%)" ||
		fail "README says the IOTLB misses $pct% of the time with 64 KiB pages; its run prints '${got:-nothing}%'"
fi

# Every quoted phrase with a percentage (a report finding, say) is printed or written by one
# of the README's commands: their output, or an HTML page they wrote (tags stripped).
{
	cat "$T"/items/*.out
	find "$T/tmp" "$T/src/build" -name '*.html' -exec sed -e 's/<[^>]*>/ /g' -e 's/&amp;/\&/g' \
		-e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e "s/&#39;/'/g" {} +
} | tr -s '[:space:]' ' ' >"$T/printed"
printf '%s\n' "$TEXT" | grep -oE '"[^"]*[0-9]%[^"]*"' | sed 's/^"//; s/"$//' >"$T/quotes" || true
while IFS= read -r q; do
	grep -qF -- "$q" "$T/printed" && ok "README quotes what its commands print: \"$q\"" ||
		fail "README quotes \"$q\", which none of its commands prints"
done <"$T/quotes"
finish
