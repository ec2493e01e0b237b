# scripts/sweep-slurm on a real one-node Slurm cluster (tests/slurm_cluster): a job array of
# shards and a dependent merge job give the summary a local `iommusim sweep -j 2` gives.
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"
. "$ISM_SRCDIR/tests/slurm_cluster"
SW="$D/sweep/grid.json"   # sweep_cli.sh's: 24 points, two traces, a zipped axis, seeds
DRV="$ISM_SRCDIR/scripts/sweep-slurm"

# Usage errors need no cluster.
expect_fail "sweep-slurm: no sweep file -> 2" 2 'give a SWEEP.json' "$DRV" -o "$T/x"
expect_fail "sweep-slurm: no -o -> 2" 2 'give the output directory' "$DRV" "$SW"
expect_fail "sweep-slurm: bad -n -> 2" 2 "positive integer, not 'two'" "$DRV" "$SW" -o "$T/x" -n two
expect_fail "sweep-slurm: unknown option -> 2" 2 "unknown option '--frob'" "$DRV" "$SW" -o "$T/x" --frob
expect_fail "sweep-slurm: missing sweep file -> 3" 3 'nope.json: no such sweep file' "$DRV" "$T/nope.json" -o "$T/x"
check "sweep-slurm --help" "$DRV" --help
grep -q -- '--shards' "$T/out" && ok "--help lists --shards" || fail "--help lacks --shards"
# --dry-run: the exact commands, nothing submitted or created.
check "sweep-slurm --dry-run" "$DRV" "$SW" -o "$T/dry" -n 3 --bin "$ISM" --dry-run -- --time=5
# (The test's paths need no quoting; the task's command is quoted as one --wrap argument.)
a="+ sbatch --parsable --job-name=iommusim-sweep --array=0-2 --cpus-per-task=1 --output=$T/dry/logs/shard-%A_%a.out --time=5"
a="$a --wrap='exec $ISM sweep $SW --shard \"\$SLURM_ARRAY_TASK_ID\"/3 -o $T/dry/shards/\"\$SLURM_ARRAY_TASK_ID\" -j 1'"
m="+ sbatch --parsable --job-name=iommusim-merge --dependency=afterany:JOBID --output=$T/dry/logs/merge-%j.out --time=5"
m="$m --wrap='exec $ISM sweep merge $T/dry/shards/* -o $T/dry'"
expect_eq "--dry-run prints the array's sbatch command, then the merge's" "$a
$m" "$(cat "$T/out")"
[ ! -e "$T/dry" ] && ok "--dry-run creates nothing" || fail "--dry-run created $T/dry"
# -c C without -n: one task per C points (24 points, 5 CPUs: 5 tasks), not one per point.
check "sweep-slurm -c 5 --dry-run" "$DRV" "$SW" -o "$T/dry" -c 5 --bin "$ISM" --dry-run
expect_eq "-c 5: 5 tasks of 5 CPUs for 24 points" 1 \
	"$(grep -c -- '--array=0-4 --cpus-per-task=5 ' "$T/out")"
check "sweep-slurm --dry-run (default shards)" "$DRV" "$SW" -o "$T/dry" --bin "$ISM" --dry-run
expect_eq "no -c: one task per point" 1 "$(grep -c -- '--array=0-23 --cpus-per-task=1 ' "$T/out")"

# The reference: the same sweep run locally on two cores.
check "local sweep -j 2" ism sweep "$SW" -o "$T/local" -j 2 -q
N=$(ism sweep "$SW" --list | grep -c '^[0-9]')
[ "$(grep -c '^[^,]*,ok,' "$T/local/summary.csv")" -eq "$N" ] && [ "$N" -gt 8 ] && ok "local: $N points ok" \
	|| fail "local summary: $(cat "$T/local/summary.csv")"

set +e
slurm_cluster_need
rc=$?
set -e
[ $rc -eq 0 ] || { [ $rc -eq 77 ] && [ "$FAIL" -eq 0 ] && exit 77; exit 1; }
trap 'slurm_cluster_down; rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM
t0=$(date +%s.%N)
set +e
slurm_cluster_up "$T/slurm"
rc=$?
set -e
[ $rc -eq 0 ] || { [ $rc -eq 77 ] && [ "$FAIL" -eq 0 ] && exit 77; exit 1; }
t1=$(date +%s.%N)
# A job that never ends must not hang make check: the drivers' waits are bounded (exit 124).
WAIT="timeout -k 5 120"
echo "note - cluster up in $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s (ports $SLURM_CLUSTER_CTLD_PORT/$SLURM_CLUSTER_SLURMD_PORT)"

# The points in 4 shards (4 tasks at once on the test cluster), waited for, merged: the local
# run's summary, byte for byte.
check "sweep-slurm -n 4 --wait" $WAIT "$DRV" "$SW" -o "$T/sl" -n 4 --bin "$ISM" --wait
sed 's/^/    /' "$T/out" "$T/err"
expect_eq "both sbatch commands printed" 2 "$(grep -c '^+ sbatch --parsable' "$T/out")"
! grep -l 'AddressSanitizer\|runtime error' "$T/sl/logs/"* && ok "job logs: no sanitizer report" || fail "sanitizer report in a job log"
t2=$(date +%s.%N)
echo "note - array and merge in $(awk "BEGIN { printf \"%.1f\", $t2 - $t1 }") s"
cmp "$T/local/summary.csv" "$T/sl/summary.csv" && ok "merged summary.csv = local -j 2 summary.csv" \
	|| { fail "summaries differ"; diff "$T/local/summary.csv" "$T/sl/summary.csv" | head; }
for i in 0 1 2 3; do
	# Shard I ran the points with index % 4 == I, and only those.
	want=$(awk -F, -v i=$i 'NR > 1 && (NR - 2) % 4 == i { print $1 }' "$T/local/summary.csv" | tr '\n' ' ')
	got=$(ls "$T/sl/shards/$i/points" | sed -n 's/\.json$//p' | grep -v '\.error$' | tr '\n' ' ')
	expect_eq "shard $i ran its points" "$want" "$got"
	expect_eq "shard $i has its log" 1 "$(ls "$T/sl/logs" | grep -c "^shard-[0-9]*_$i\.out\$")"
done
n=0 bad=0
for f in "$T/local/points"/*.json; do
	# Each merged result agrees with the local run's, provenance and wall clock aside.
	p=${f##*/}
	[ -f "$T/sl/points/$p" ] && n=$((n + 1))
	deterministic "$f" >"$T/a"
	deterministic "$T/sl/points/$p" >"$T/b" 2>/dev/null || true
	cmp -s "$T/a" "$T/b" || { bad=$((bad + 1)); fail "point $p differs from the local run's"; }
done
expect_eq "merged: $N point files" "$N" "$n"
[ $bad -eq 0 ] && ok "point files agree with the local run's"

# Submitted again (everything is done: each task skips its points), the first job's logs stay.
check "sweep-slurm again" $WAIT "$DRV" "$SW" -o "$T/sl" -n 4 --bin "$ISM" --wait
expect_eq "two jobs: two logs per shard, two merge logs" "2 2 2 2 2" \
	"$(for i in 0 1 2 3; do ls "$T/sl/logs" | grep -c "^shard-[0-9]*_$i\.out\$"; done | tr '\n' ' ')$(ls "$T/sl/logs" | grep -c '^merge-[0-9]*\.out$')"
cmp "$T/local/summary.csv" "$T/sl/summary.csv" && ok "the second merge: the same summary.csv" \
	|| fail "the second merge's summary differs"

# A failing point: the array goes on, the merge lists it, --wait exits 1.
{ echo "time_ns,op,device,pasid,iova,size,paddr"; echo "0,R,2,,0x401000,64,"; echo "9,Q,2,,0x401000,64,"; } >"$T/bad.csv"
cp "$ISM_SRCDIR/tests/golden/capacity.csv" "$T/"
printf '{"base": {"mode": "untimed", "iommu": {"iotlb": {"ways": 4}}}, "traces": ["capacity.csv", "bad.csv"], "axes": [{"key": "iommu.iotlb.entries", "values": [4, 16]}]}\n' >"$T/bad.json"
expect_fail "a failing point: --wait exits 1" 1 'some points failed' $WAIT "$DRV" "$T/bad.json" -o "$T/slbad" -n 2 --bin "$ISM" --wait
expect_eq "failed points listed in the merged summary" "ok ok failed failed" \
	"$(awk -F, 'NR > 1 { print $2 }' "$T/slbad/summary.csv" | tr '\n' ' ' | sed 's/ $//')"

# Everything the cluster started is gone once it is stopped.
slurm_cluster_down
slurm_cluster_leftovers >"$T/left"
[ ! -s "$T/left" ] && ok "no daemon, step or job left after the stop" || { fail "left running: $(cat "$T/left")"; ps -fp "$(tr '\n' ',' <"$T/left")0" || true; }
echo "note - whole test $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }") s from cluster start"
finish
