# scripts/sweep-parallel with GNU parallel: one `iommusim sweep --point K` per job, here and
# over two ssh hosts (a stand-in ssh that runs the command here), give the summary a local
# `iommusim sweep -j 2` gives, byte for byte.
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"
SW="$D/sweep/grid.json"   # sweep_cli.sh's: 24 points, two traces, a zipped axis, seeds
DRV="$ISM_SRCDIR/scripts/sweep-parallel"
# parallel keeps its state in $PARALLEL_HOME (else ~/.parallel).
PARALLEL_HOME=$T/parallel-home
export PARALLEL_HOME

expect_fail "sweep-parallel: no sweep file -> 2" 2 'give a SWEEP.json' "$DRV" -o "$T/x"
expect_fail "sweep-parallel: no -o -> 2" 2 'give the output directory' "$DRV" "$SW"
expect_fail "sweep-parallel: bad -j -> 2" 2 "positive integer, not '0'" "$DRV" "$SW" -o "$T/x" -j 0
expect_fail "sweep-parallel: unknown option -> 2" 2 "unknown option '--frob'" "$DRV" "$SW" -o "$T/x" --frob
expect_fail "sweep-parallel: missing sweep file -> 3" 3 'nope.json: no such sweep file' "$DRV" "$T/nope.json" -o "$T/x"
expect_fail "sweep-parallel: no binary -> 2" 2 'no iommusim binary' "$DRV" "$SW" -o "$T/x" --bin "$T/nope"
check "sweep-parallel --help" "$DRV" --help
grep -q -- '--sshlogin' "$T/out" && ok "--help lists --sshlogin" || fail "--help lacks --sshlogin"

if ! parallel --version 2>/dev/null | grep -q '^GNU parallel'; then
	[ "${ISM_REQUIRE_DIST_TESTS:-0}" = 1 ] && { fail "GNU parallel is required here (ISM_REQUIRE_DIST_TESTS=1)"; finish; }
	echo "SKIP: no GNU parallel (Debian: scripts/deps installs the parallel package)"
	[ "$FAIL" -eq 0 ] && exit 77
	finish
fi
printf '{"traces": ["%s"], "axes": [{"key": "iommu.iotlb.entries", "values": [0]}]}\n' "$ISM_SRCDIR/tests/golden/capacity.csv" >"$T/bad.json"
expect_fail "sweep-parallel: an invalid sweep -> 3, nothing run" 3 'entries' "$DRV" "$T/bad.json" -o "$T/x" --bin "$ISM"
[ ! -e "$T/x" ] && ok "nothing written for an invalid sweep" || fail "$T/x was created"

# The reference: the same sweep run locally on two cores.
check "local sweep -j 2" ism sweep "$SW" -o "$T/local" -j 2 -q
N=$(ism sweep "$SW" --list | grep -c '^[0-9]')
[ "$(grep -c '^[^,]*,ok,' "$T/local/summary.csv")" -eq "$N" ] && [ "$N" -gt 8 ] && ok "local: $N points ok" \
	|| fail "local summary: $(cat "$T/local/summary.csv")"

# --dry-run prints the commands and runs nothing.
check "sweep-parallel --dry-run" "$DRV" "$SW" -o "$T/dry" -j 2 --bin "$ISM" --dry-run
# (The test's paths need no quoting; the per-point command is quoted as one argument.)
expect_eq "--dry-run prints parallel's command, the points, then the summary's" \
"+ parallel -j 2 --joblog $T/dry/logs/parallel.joblog '$ISM sweep $SW --point {} -o $T/dry -j 1 -q --no-summary' :::: $T/dry/logs/points.pending
# $T/dry/logs/points.pending would hold the indexes of the points to run: $(seq -s ' ' 0 $((N - 1)))
+ $ISM sweep summary $T/dry" "$(cat "$T/out")"
[ ! -e "$T/dry" ] && ok "--dry-run creates nothing" || fail "--dry-run created $T/dry"

# Here, two jobs at once.
t0=$(date +%s.%N)
check "sweep-parallel -j 2" "$DRV" "$SW" -o "$T/par" -j 2 --bin "$ISM"
! grep -q 'AddressSanitizer\|runtime error' "$T/err" && ok "no sanitizer report" || fail "sanitizer report: $(head -5 "$T/err")"
echo "note - $N points through parallel in $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }") s"
cmp "$T/local/summary.csv" "$T/par/summary.csv" && ok "parallel summary.csv = local -j 2 summary.csv" \
	|| { fail "summaries differ"; diff "$T/local/summary.csv" "$T/par/summary.csv" | head; }
expect_eq "joblog: $N jobs, all exit 0" "$N 0" \
	"$(awk -F '\t' 'NR > 1 { n++; if ($7 != 0) bad++ } END { print n, bad + 0 }' "$T/par/logs/parallel.joblog")"
# A re-run runs nothing and leaves the same summary.
check "sweep-parallel again" "$DRV" "$SW" -o "$T/par" -j 2 --bin "$ISM"
grep -q "0 of $N points to run" "$T/err" && ok "re-run: nothing to run" || fail "re-run: $(cat "$T/err")"
cmp -s "$T/local/summary.csv" "$T/par/summary.csv" && ok "re-run: same summary" || fail "re-run changed the summary"

# Over ssh: two hosts, each with its own directory (DIR/hosts/HOSTNAME), merged. The stand-in
# ssh drops the options and the host and runs the command here, as the remote shell would, with
# SHELL set to the login shell as sshd sets it: parallel's remote worker runs each job with
# $SHELL and does nothing when it is empty (CI may run with SHELL unset).
cat >"$T/fakessh" <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do case $1 in -l|-o|-p|-i|-S|-F) shift 2 ;; -*) shift ;; *) shift; break ;; esac; done
[ "${1:-}" = -- ] && shift
SHELL=$(getent passwd "$(id -u)" | cut -d: -f7)
export SHELL="${SHELL:-/bin/sh}"
exec sh -c "$*"
EOF
chmod +x "$T/fakessh"
check "sweep-parallel -S 2/nodeA -S 2/nodeB" "$DRV" "$SW" -o "$T/ssh" -S 2/nodeA -S 2/nodeB --bin "$ISM" \
	-- --ssh "$T/fakessh"
cmp "$T/local/summary.csv" "$T/ssh/summary.csv" && ok "over ssh: merged summary.csv = local -j 2 summary.csv" \
	|| { fail "over ssh: summaries differ"; sed 's/^/    /' "$T/err"; diff "$T/local/summary.csv" "$T/ssh/summary.csv" | head; }
expect_eq "over ssh: both hosts ran points" "nodeA nodeB" \
	"$(awk -F '\t' 'NR > 1 { print $2 }' "$T/ssh/logs/parallel.joblog" | sort -u | tr '\n' ' ' | sed 's/ $//')"
expect_eq "over ssh: the host wrote DIR/hosts/$(hostname)" "$(hostname)" "$(ls "$T/ssh/hosts")"
# A remote whose login leaves SHELL empty: parallel's worker runs nothing and exits 0 for each
# job; the driver notices that no result was written.
sed 's|^export SHELL=.*|export SHELL=|' "$T/fakessh" >"$T/fakessh-noshell"
chmod +x "$T/fakessh-noshell"
expect_fail "over ssh, jobs that ran nothing: exit 1" 1 "$N of $N jobs left no result in $T/noshell/hosts/HOSTNAME" \
	"$DRV" "$SW" -o "$T/noshell" -S 1/nodeA --bin "$ISM" -- --ssh "$T/fakessh-noshell"
# A point already in DIR (from an earlier merge) is not run again on any host.
rm -rf "$T/ssh/hosts"
check "over ssh, again" "$DRV" "$SW" -o "$T/ssh" -S 2/nodeA --bin "$ISM" -- --ssh "$T/fakessh"
grep -q "0 of $N points to run" "$T/err" && ok "over ssh, re-run: nothing to run" || fail "over ssh re-run: $(cat "$T/err")"

# A failing point: the others run, the summary lists it, the exit status is 1.
{ echo "time_ns,op,device,pasid,iova,size,paddr"; echo "0,R,2,,0x401000,64,"; echo "9,Q,2,,0x401000,64,"; } >"$T/bad.csv"
cp "$ISM_SRCDIR/tests/golden/capacity.csv" "$T/"
printf '{"base": {"mode": "untimed", "iommu": {"iotlb": {"ways": 4}}}, "traces": ["capacity.csv", "bad.csv"], "axes": [{"key": "iommu.iotlb.entries", "values": [4, 16]}]}\n' >"$T/fails.json"
expect_fail "a failing point: exit 1" 1 'some points failed' "$DRV" "$T/fails.json" -o "$T/pfail" -j 2 --bin "$ISM"
expect_eq "failed points listed in the summary" "ok ok failed failed" \
	"$(awk -F, 'NR > 1 { print $2 }' "$T/pfail/summary.csv" | tr '\n' ' ' | sed 's/ $//')"
finish
