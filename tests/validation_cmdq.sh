# Invalidation against the number of CPUs (docs/validation.md): scripts/validate-cmdq, every CPU
# mapping and unmapping at once through one SMMUv3 command queue, against John Garry's rates.
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"
sh "$ISM_SRCDIR/scripts/validate-cmdq" --bin "$ISM" --out "$T/q" --rounds 100 >/dev/null
C="$T/q/cmdq.csv"
col() { awk -F, -v n="$1" -v k="$2" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	$1 == n { print $h[k] }' "$C"; }
within() { awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= r * b) }'; }
assert() { if "$@"; then ok "$name"; else fail "$name ($*)"; fi; }
# One CPU, by hand (configs/validation/cmdq.json, arm-4k: 4 levels): a map is 150 + 4 x 10 +
# 1710 ns, an unmap 100 + 4 x 10 ns and its invalidation 150 (write the TLBI) + 160 (the SMMU
# executes it) + 2 (its page) + 162 (the CMD_SYNC) + 800 (the wait) = 1274 ns: 3314 ns a
# map+unmap, 301,750 a second.
expect_eq "1 CPU: 1274 ns of invalidation an unmap" "1274.0" "$(col 1 cpu_invalidation_ns_per_unmap)"
for n in 1 2 4; do
	name="$n CPUs: the queue is not full: 1 / 3314 ns each (1%: the run's last read)"
	assert within "$(col $n model_per_cpu)" 301750 0.01
done
# The fitted points: 8 CPUs (the rest of an iteration) and 16 (the SMMU's time per unmap).
name="8 CPUs: 302 K a CPU measured, within 5%"
assert within "$(col 8 model_per_cpu)" 302000 0.05
name="16 CPUs: 193 K a CPU measured, within 5%"
assert within "$(col 16 model_per_cpu)" 193000 0.05
# Past the knee the queue binds: 160 + 2 + 162 = 324 ns of SMMU time an unmap, 3.086 M a second
# shared by all, so each CPU gets 1/N of it.
for n in 16 32 64; do
	name="$n CPUs: N x the rate a CPU is the queue's 1 / 324 ns (3%)"
	assert within "$(awk -v n=$n -v r="$(col $n model_per_cpu)" 'BEGIN { print n * r }')" 3086420 0.03
done
name="the rate a CPU falls with every doubling from 8 CPUs on, as measured"
assert awk -v a="$(col 8 model_per_cpu)" -v b="$(col 16 model_per_cpu)" -v c="$(col 32 model_per_cpu)" \
	-v d="$(col 64 model_per_cpu)" 'BEGIN { exit !(a > b && b > c && c > d) }'
name="more CPUs find more commands queued ahead of theirs, and wait longer"
assert awk -v a="$(col 8 depth_mean)" -v b="$(col 64 depth_mean)" -v c="$(col 8 wait_ns_mean)" \
	-v d="$(col 64 wait_ns_mean)" 'BEGIN { exit !(b > 10 * a && d > 10 * c) }'
finish
