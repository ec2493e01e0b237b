# `make installcheck` (distcheck runs it): the installed tree works as the man page says. Every
# command of its EXAMPLES runs as written, in order, in an empty directory, with the installed
# iommusim first on the PATH; the files FILES and SEE ALSO name are installed; the installed
# binary reads $(pkgdatadir), never the source tree.
# Environment (Makefile.am's installcheck-local): ISM (the installed binary), ISM_SRCDIR,
# ISM_PKGDATADIR, ISM_DOCDIR, ISM_MANDIR.
. "${ISM_SRCDIR:?}/tests/setup"
: "${ISM_PKGDATADIR:?}" "${ISM_DOCDIR:?}" "${ISM_MANDIR:?}"
unset IOMMUSIM_CONFIG_PATH
PATH="$(dirname "$ISM"):$PATH"
export PATH
man1="$ISM_MANDIR/man1/iommusim.1"

# --- What is installed, against the source tree's lists.
[ -f "$man1" ] && ok "the man page" || fail "no $man1"
[ ! -e "$(dirname "$ISM")/iommusim.srcdir" ] && ok "no build-tree marker beside the installed binary" ||
	fail "iommusim.srcdir was installed: the installed binary would read the source tree"
# installed NAME FILE...: each FILE (under the source tree) installed under $(pkgdatadir).
installed() {
	name=$1 missing=""
	shift
	for f in "$@"; do
		cmp -s "$f" "$ISM_PKGDATADIR/${f#"$ISM_SRCDIR"/}" || missing="$missing ${f#"$ISM_SRCDIR"/}"
	done
	[ -z "$missing" ] && ok "$name installed" || fail "$name: not installed:$missing"
}
installed "every traces/*.json spec" "$ISM_SRCDIR"/traces/*.json
installed "every configs/ file" "$ISM_SRCDIR"/configs/*.json "$ISM_SRCDIR"/configs/*/*.json
# SEE ALSO's documents: every *.md it names.
see=$(sed -n '/^\.SH SEE ALSO/,/^\.SH/p' "$man1" | grep -o '[a-z-]*\.md' | sort -u)
[ -n "$see" ] && ok "SEE ALSO names documents" || fail "SEE ALSO names no document"
missing=""
for d in $see README.md; do
	[ -s "$ISM_DOCDIR/$d" ] || missing="$missing $d"
done
[ -z "$missing" ] && ok "SEE ALSO's documents in \$(docdir)" || fail "not in $ISM_DOCDIR:$missing"
for s in sweep-slurm sweep-parallel capture-ftrace capture-qemu; do
	if [ -x "$ISM_PKGDATADIR/scripts/$s" ] && "$ISM_PKGDATADIR/scripts/$s" --help >"$T/out" 2>&1 &&
		grep -q '^Usage:' "$T/out"; then
		ok "scripts/$s installed, --help"
	else
		fail "scripts/$s: not installed or --help fails"; head -5 "$T/out" 2>/dev/null || :
	fi
done
if grep -q '\.\./\.\./results' "$ISM_PKGDATADIR/configs/sweeps/"*.json; then
	fail "an installed sweep points into ../../results"
else
	ok "no installed sweep points into ../../results"
fi
check "the installed demo sweep checks out (its traces made from installed files)" \
	iommusim sweep sweeps/demo.json --dry-run -o "$T/demo"

# --- The installed binary's data directory is $(pkgdatadir).
expect_fail "a name found nowhere: looked for in \$(pkgdatadir)/configs only" 3 \
	"looked for hw/nope\.json in $ISM_PKGDATADIR/configs\)$" iommusim config check hw/nope
grep -qF "$ISM_SRCDIR" "$T/err" && fail "the installed binary looked in the source tree" ||
	ok "the installed binary does not look in the source tree"

# --- The EXAMPLES, as written: roff escapes undone, continued lines joined.
sed -n '/^\.SH EXAMPLES/,/^\.SH/p' "$man1" | sed -n '/^\.nf/,/^\.fi/p' | sed '1d;$d' |
	sed 's/\\e/\\/g; s/\\-/-/g; s/\\(dq/"/g' |
	awk '{ line = line $0 } /\\$/ { sub(/\\$/, "", line); next } { print line; line = "" }' >"$T/examples"
n=$(wc -l <"$T/examples")
[ "$n" -ge 8 ] && ok "EXAMPLES: $n commands" || fail "EXAMPLES: only $n commands found"
mkdir "$T/ex"
i=0
while IFS= read -r cmd; do
	i=$((i + 1))
	case $cmd in
	*"iommusim plot"* | *"iommusim report"*)
		if ! command -v "${GNUPLOT:-gnuplot}" >/dev/null 2>&1; then
			echo "skip - example $i needs gnuplot: $cmd"; continue
		fi ;;
	esac
	# An error is a non-zero exit, or (inside a pipeline, whose status is its last command's)
	# an "iommusim: ..." or "iommusim CMD: ..." line on stderr.
	if (cd "$T/ex" && sh -c "$cmd") >"$T/ex.out" 2>"$T/ex.err" </dev/null; then
		if grep -Eq '^iommusim( [a-z]+)*: ' "$T/ex.err"; then
			fail "example $i: an error on stderr: $cmd"; sed 's/^/    /' "$T/ex.err" | head -10
		else
			ok "example $i: $cmd"
		fi
	else
		fail "example $i (exit $?): $cmd"; sed 's/^/    /' "$T/ex.err" | head -10
	fi
done <"$T/examples"
# What the examples made, checked against what the man page says they make.
[ -s "$T/ex/r16.json" ] && ok "examples: run -o wrote r16.json" || fail "examples: no r16.json"
cmp -s "$T/ex/iotlb/summary.csv" "$T/ex/out/all/summary.csv" &&
	ok "examples: two shards merged = the whole sweep" || fail "examples: merged summary differs"
expect_eq "examples: 2M pages leave only the 8 compulsory misses at every IOTLB size" "8 8 8 8" \
	"$(awk -F, '$5 == "2M" { print $8 }' "$T/ex/iotlb/summary.csv" | tr '\n' ' ' | sed 's/ $//')"

finish
