# Where every command's -o goes (issue 11): what each kind of target becomes, temporaries an
# attacker cannot plant, outputs checked before any work, and a full disk said once, with why.
# Safe with a broken binary: it is only ever pointed at devices made in $T, links, or /dev/full
# after it has shown that it writes a device in place.
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"
G="$ISM_SRCDIR/tests/golden"
CFG="$G/capacity.json"
printf '{"workload": "stream", "accesses": 2000, "size": 64}\n' >"$T/spec.json"
cp "$G/capacity.csv" "$T/in.csv"

# dev NAME MAJOR MINOR: a character device this test may write, made in $T when mknod works there
# (root, and $T not mounted nodev); else, when not root, the real /dev/NAME, which a broken
# binary cannot replace; else nothing (the case is skipped).
dev() {
	if mknod "$T/$1" c "$2" "$3" 2>/dev/null && { : >"$T/$1"; } 2>/dev/null; then
		echo "$T/$1"
	elif [ "$(id -u)" -ne 0 ] && [ -c "/dev/$1" ]; then
		echo "/dev/$1"
	fi
}
is_json() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null; }

# --- 1. What each kind of target becomes -----------------------------------------------------

# A symbolic link: its target is written (atomically), the link stays, for every command.
mkdir "$T/real"
ln -s real/run.json "$T/run.json"
ln -s "$T/real/gen.csv" "$T/gen.csv"
ln -s real/exp.csv "$T/exp.csv"
ln -s real/imp.iot "$T/imp.iot"
check "run -o LINK" ism run "$CFG" -o "$T/run.json" -q
check "trace gen -o LINK" ism trace gen "$T/spec.json" -o "$T/gen.csv" -q
check "trace export -o LINK" ism trace export --to csv "$T/in.csv" -o "$T/exp.csv" -q
check "trace import -o LINK" ism trace import --from csv "$T/in.csv" -o "$T/imp.iot" -q
for f in run.json gen.csv exp.csv imp.iot; do
	if [ -L "$T/$f" ] && [ -f "$T/real/$f" ] && [ -s "$T/real/$f" ]; then
		ok "-o $f (a link): the link stays, its target is written"
	else
		fail "-o $f (a link): $(ls -l "$T/$f" 2>&1)"
	fi
done
is_json "$T/real/run.json" && ok "the link's target holds the result" || fail "run -o LINK: not JSON"
# A dangling link: the file it names is created.
ln -s real/new.json "$T/dangling.json"
check "run -o DANGLING-LINK" ism run "$CFG" -o "$T/dangling.json" -q
[ -L "$T/dangling.json" ] && is_json "$T/real/new.json" && ok "a dangling link's file is created" \
	|| fail "dangling link: $(ls -l "$T/dangling.json" "$T/real" 2>&1)"

# A FIFO is written in place (a reader gets the result), and stays a FIFO.
mkfifo "$T/fifo"
cat "$T/fifo" >"$T/fifo.out" &
reader=$!
check "run -o FIFO" ism run "$CFG" -o "$T/fifo" -q
[ -p "$T/fifo" ] && ok "the FIFO stays a FIFO" || { fail "the FIFO was replaced"; kill $reader 2>/dev/null || true; }
wait $reader 2>/dev/null || true
is_json "$T/fifo.out" && ok "the FIFO's reader got the result" || fail "nothing came through the FIFO"
# trace gen streams into a FIFO too (compressed, through zlib).
mkfifo "$T/fifo.csv.gz"
cat "$T/fifo.csv.gz" >"$T/fifo-gen.gz" &
reader=$!
check "trace gen -o FIFO" ism trace gen "$T/spec.json" -o "$T/fifo.csv.gz" -q
[ -p "$T/fifo.csv.gz" ] || { fail "trace gen replaced the FIFO"; kill $reader 2>/dev/null || true; }
wait $reader 2>/dev/null || true
expect_eq "the trace through the FIFO has every record" 2000 "$(gzip -dc "$T/fifo-gen.gz" | grep -c '^[0-9]')"

# A character device is written in place, and stays a device.
null=$(dev null 1 3)
if [ -n "$null" ]; then
	check "run -o $null" ism run "$CFG" -o "$null" -q
	[ -c "$null" ] && ok "$null stays a character device" || fail "$null was replaced: $(ls -l "$null")"
	ln -s "$null" "$T/null.csv"
	check "trace gen -o LINK-TO-DEVICE" ism trace gen "$T/spec.json" -o "$T/null.csv" -q
	[ -L "$T/null.csv" ] && [ -c "$null" ] && ok "a link to a device: both stay" || fail "link to $null replaced"
else
	echo "skip - no character device to write here (root without mknod in \$T)"
fi

# -o - is standard output; nothing named "-" appears.
(cd "$T" && $ISM_WRAP "$ISM" run "$CFG" -o - -q >"$T/stdout.json")
is_json "$T/stdout.json" && [ ! -e "$T/-" ] && ok "run -o - writes to stdout" || fail "run -o -"
(cd "$T" && $ISM_WRAP "$ISM" trace gen "$T/spec.json" -o - -q >"$T/stdout.csv")
expect_eq "trace gen -o - writes to stdout" 2000 "$(grep -c '^[0-9]' "$T/stdout.csv")"

# A sweep's own files follow the same rules: a linked summary.csv stays a link.
mkdir "$T/sw" "$T/elsewhere"
ln -s ../elsewhere/summary.csv "$T/sw/summary.csv"
printf '{"base": "%s", "traces": ["%s"], "axes": [{"key": "iommu.iotlb.entries", "values": [4, 8]}]}\n' \
	"$CFG" "$G/capacity.csv" >"$T/two.json"
check "sweep into a directory with a linked summary" ism sweep "$T/two.json" -o "$T/sw" -j 1 -q
[ -L "$T/sw/summary.csv" ] && expect_eq "the linked summary has both points" 2 "$(grep -c ',ok,' "$T/elsewhere/summary.csv")" \
	|| fail "summary.csv link replaced"

# --- 2. Temporaries cannot be hijacked; the mode is fopen's ---------------------------------

# A link planted where the old naming (".NAME.tmp.PID") put the temporary: `sh -c ... exec`
# keeps the PID, so the link is exactly where a predictable writer would open its temporary.
plant() { # plant NAME CMD...: plant .NAME.tmp.PID -> victim, then exec CMD with that PID
	printf 'victim\n' >"$T/victim"
	sh -c 'ln -s "$1/victim" "$1/.$2.tmp.$$"; shift 2; exec "$@"' sh "$T" "$@"
}
check "run with a planted temporary" plant out.json $ISM_WRAP "$ISM" run "$CFG" -o "$T/out.json" -q
expect_eq "run: the planted link's victim is untouched" victim "$(head -n 1 "$T/victim")"
[ -f "$T/out.json" ] && [ ! -L "$T/out.json" ] && is_json "$T/out.json" && ok "run: out.json is the result" \
	|| fail "run: out.json is $(ls -l "$T/out.json")"
rm -f "$T"/.out.json.tmp.*
check "trace gen with a planted temporary" plant g.csv $ISM_WRAP "$ISM" trace gen "$T/spec.json" -o "$T/g.csv" -q
expect_eq "trace gen: the planted link's victim is untouched" victim "$(head -n 1 "$T/victim")"
[ -f "$T/g.csv" ] && [ ! -L "$T/g.csv" ] && ok "trace gen: g.csv is the trace" || fail "trace gen: g.csv is $(ls -l "$T/g.csv")"
rm -f "$T"/.g.csv.tmp.*

# New files get 0666 less the umask, as fopen gives; a replaced file keeps its mode.
(umask 027 && $ISM_WRAP "$ISM" run "$CFG" -o "$T/m.json" -q)
expect_eq "a new result's mode under umask 027" 640 "$(stat -c %a "$T/m.json")"
(umask 027 && $ISM_WRAP "$ISM" trace gen "$T/spec.json" -o "$T/m.csv" -q)
expect_eq "a new trace's mode under umask 027" 640 "$(stat -c %a "$T/m.csv")"
chmod 604 "$T/m.json"
ism run "$CFG" -o "$T/m.json" -q
expect_eq "a replaced result keeps its mode" 604 "$(stat -c %a "$T/m.json")"

# report: a kill -9 leaves its scratch directory beside the page, never in $TMPDIR, and the next
# report removes it. The stand-in gnuplot waits to be killed, so the kill lands mid-report.
mkdir "$T/tmp" "$T/rep"
cp -r "$T/sw" "$T/rsw"
rm "$T/rsw/summary.csv"
printf '#!/bin/sh\necho $$ >"%s/gp.pid"\nexec sleep 60\n' "$T" >"$T/slowgnu"
chmod +x "$T/slowgnu"
env TMPDIR="$T/tmp" GNUPLOT="$T/slowgnu" "$ISM" report "$T/rsw" -o "$T/rep/r.html" -q 2>/dev/null &
rpid=$!
i=0
while [ ! -s "$T/gp.pid" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -9 $rpid 2>/dev/null || true
[ -s "$T/gp.pid" ] && kill "$(cat "$T/gp.pid")" 2>/dev/null || true
wait $rpid 2>/dev/null || true
expect_eq "report killed with -9: nothing left in \$TMPDIR" "" "$(ls -A "$T/tmp")"
[ -n "$(ls -A "$T/rep" | grep '^\.r\.html\.tmp\.')" ] && ok "report killed with -9: its scratch directory is beside the page" \
	|| fail "no scratch directory beside the page: $(ls -A "$T/rep")"
check "the next report" env TMPDIR="$T/tmp" $ISM_WRAP "$ISM" report "$T/rsw" -o "$T/rep/r.html" -q
expect_eq "the next report removes what the killed one left" "r.html" "$(ls -A "$T/rep")"

# --- 4. An output that cannot be written fails before any work, naming the path given ---------

mkdir "$T/adir" "$T/adir.csv" "$T/adir.iot" "$T/adir.html"
: >"$T/afile"
# -t names a trace that does not exist: the output is checked first, so the error is about it.
expect_fail "run -o DIR" 5 "^iommusim: $T/adir: cannot write: it is a directory" \
	ism run "$CFG" -t "$T/no-such-trace.csv" -o "$T/adir" -q
grep -q '\.tmp\.' "$T/err" && fail "run -o DIR names a temporary: $(cat "$T/err")" || ok "run -o DIR names no temporary"
expect_fail "trace gen -o DIR" 5 "^iommusim: $T/adir.csv: cannot write: it is a directory" \
	ism trace gen "$T/spec.json" -o "$T/adir.csv" -q
expect_fail "trace export -o DIR" 5 "^iommusim: $T/adir.csv: cannot write: it is a directory" \
	ism trace export --to csv "$T/in.csv" -o "$T/adir.csv" -q
expect_fail "trace import -o DIR" 5 "^iommusim: $T/adir.iot: cannot write: it is a directory" \
	ism trace import --from csv "$T/in.csv" -o "$T/adir.iot" -q
expect_fail "report -o DIR" 5 "^iommusim: $T/adir.html: cannot write: it is a directory" \
	ism report "$T/sw" -o "$T/adir.html" -q
expect_fail "sweep -o FILE" 5 "^iommusim: $T/afile: not a directory" ism sweep "$T/two.json" -o "$T/afile" -q
expect_fail "sweep merge -o FILE" 5 "^iommusim: $T/afile: not a directory" ism sweep merge "$T/sw" -o "$T/afile" -q
expect_fail "plot -o FILE" 5 "^iommusim: $T/afile: not a directory" ism plot "$T/sw" -o "$T/afile" -q
expect_fail "run into a missing directory" 5 "^iommusim: $T/nodir/r.json: cannot create output file: No such file or directory" \
	ism run "$CFG" -t "$T/no-such-trace.csv" -o "$T/nodir/r.json" -q

# --- 10. A full disk: the reason, once -------------------------------------------------------

# /dev/full through a link (a broken binary only replaces the link): in place, ENOSPC.
ln -s /dev/full "$T/full.json"
ln -s /dev/full "$T/full.csv"
expect_fail "run -o LINK-TO-/dev/full" 5 "^iommusim: $T/full.json: write failed: No space left on device$" \
	ism run "$CFG" -o "$T/full.json" -q
expect_fail "trace gen -o LINK-TO-/dev/full" 5 "^iommusim: $T/full.csv: write failed: No space left on device$" \
	ism trace gen "$T/spec.json" -o "$T/full.csv" -q
if [ -L "$T/full.json" ] && [ -c /dev/full ]; then
	# This binary writes devices in place: /dev/full itself is safe to name.
	expect_fail "run -o /dev/full" 5 "^iommusim: /dev/full: write failed: No space left on device$" \
		ism run "$CFG" -o /dev/full -q
	expect_fail "report -o /dev/full" 5 "^iommusim: /dev/full: write failed: No space left on device$" \
		ism report "$T/sw" -o /dev/full -q
	[ -c /dev/full ] && ok "/dev/full is still a device" || fail "/dev/full was replaced"
fi

# A write that fails in the middle of the document and a flush that then succeeds (a full disk
# another process freed meanwhile, as a sweep's other points do when they fail): the reason is
# the failed write's, not stdio's "Input/output error". strace fails the first write() alone.
inject() { strace -f -qq -o /dev/null -e trace=write -e inject=write:error=ENOSPC:when=1 "$@"; }
if command -v strace >/dev/null && inject true 2>/dev/null; then
	expect_fail "run: the first write fails, the flush succeeds" 5 \
		"^iommusim: $T/inj.json: write failed: No space left on device$" \
		inject "$ISM" run "$CFG" -o "$T/inj.json" -q
	no_file "... and leaves nothing" "$T/inj.json"
	# (expect_fail sends stdout to a file.)
	expect_fail "run -o -: the same on stdout" 5 "^iommusim: stdout: write failed: No space left on device$" \
		inject "$ISM" run "$CFG" -o - -q
else
	echo "skip - strace cannot inject a failed write here: the mid-document failure is not run"
fi

# A point whose result and error file both cannot be written: the sweep says why, once, in one
# line. points/ leads into /proc/1, where no one (not even root) can create a file.
mkdir "$T/nowrite"
ln -s /proc/1 "$T/nowrite/points"
expect_fail "sweep: points that cannot be written" 1 "point .* failed: $T/nowrite/points/[^ ]*\.json: cannot create output file: No such file or directory \(its error file could not be written either\)$" \
	ism sweep "$T/two.json" -o "$T/nowrite" -j 2 -q
expect_eq "each point's reason is said once" 2 "$(grep -c 'No such file or directory' "$T/err")"
grep -q 'no message' "$T/err" && fail "a point 'exited with no message'" || ok "no 'exited with status N and no message'"
expect_eq "no line said twice" "" "$(sort "$T/err" | uniq -d)"

# A real full disk (a 64 KiB tmpfs; needs root and a mount that is allowed): every line once.
mkdir "$T/mnt"
if mount -t tmpfs -o size=64k tmpfs "$T/mnt" 2>/dev/null; then
	trap 'umount "$T/mnt" 2>/dev/null || true; rm -rf "$T"' EXIT
	# Exit 5: summary.csv cannot be written either, and says so, once.
	expect_fail "sweep onto a full disk" 5 "point .* failed: $T/mnt/s/points/[^ ]*\.json: write failed: No space left on device" \
		ism sweep "$ISM_SRCDIR/tests/data/sweep/grid.json" -o "$T/mnt/s" -j 2 -q
	grep -q 'no message' "$T/err" && fail "full disk: 'exited with no message'" || ok "full disk: no 'no message'"
	expect_eq "full disk: the summary says why, once" 1 \
		"$(grep -c "^iommusim: $T/mnt/s/summary.csv: write failed: No space left on device$" "$T/err")"
	expect_eq "full disk: no line said twice" "" "$(sort "$T/err" | uniq -d)"
	expect_eq "full disk: every failed point says why" "$(grep -c 'point .* failed' "$T/err")" \
		"$(grep -c 'point .* failed: .*No space left on device' "$T/err")"
	expect_fail "run onto a full disk" 5 "^iommusim: $T/mnt/r.json: write failed: No space left on device$" \
		ism run "$CFG" -o "$T/mnt/r.json" -q
	no_file "run onto a full disk leaves nothing" "$T/mnt/r.json"
	umount "$T/mnt"
	trap 'rm -rf "$T"' EXIT
else
	echo "skip - cannot mount a small tmpfs here (needs root): the full-disk sweep is not run"
fi
finish
