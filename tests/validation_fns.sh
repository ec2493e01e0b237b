# The F&S model of IOTLB miss cost (docs/validation.md): scripts/validate-fns on 200 packets of
# 4 KiB a case, against T = 4 KiB / (65 ns + M x 197 ns) with the paper's M = 1.76 and 4.36.
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"
sh "$ISM_SRCDIR/scripts/validate-fns" --bin "$ISM" --out "$T/f" --packets 200 >/dev/null
C="$T/f/fns.csv"
col() { awk -F, -v c="$1" -v k="$2" 'NR == 1 { for (i = 1; i <= NF; i++) n[$i] = i; next }
	$1 == c { print $n[k] }' "$C"; }
within() { awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= r * b) }'; }
assert() { if "$@"; then ok "$name"; else fail "$name ($*)"; fi; }
for c in 5flows 40flows; do
	m=$(col $c m_paper)
	# by hand: 32768 b / (65 + 1.76 x 197 ns) = 79.588 Gb/s; / (65 + 4.36 x 197) = 35.466
	want=79.588
	[ $c = 5flows ] || want=35.466
	expect_eq "$c: the trace reads M = $m entries per 4 KiB of data" "$m" \
		"$(awk -v x="$(col $c m_sim)" 'BEGIN { printf "%.2f", x }')"
	name="$c: the model's T by hand"
	assert within "$(col $c model_gbps)" $want 0.0001
	name="$c: simulated throughput within 10% of the model (the issue's bound)"
	assert within "$(col $c sim_gbps)" $want 0.10
	# The replay is the model itself, serial: each 4 KiB takes 65 ns on the link and 197 ns
	# a reference, so the two agree to rounding.
	name="$c: ... and to 0.01% (a page costs l0 + its references x lm)"
	assert within "$(col $c sim_gbps)" $want 0.0001
done
# The paper's per-level counts, per 4 KiB (section 2.2): 5 flows 1.3 IOTLB misses, 0.36
# PTcache-L3, 0.05 L2, 0.05 L1; 40 flows 2.2, 0.90, 0.63, 0.63. Here: IOTLB misses and the
# level-2, 3, 4 walk-cache misses (x86's PDE, PDPE and PML4E caches), over 200 packets.
for c in 5flows 40flows; do
	"$ISM" run "$ISM_SRCDIR/configs/validation/fns.json" -t "$T/f/fns-$c.csv" -q --format flat >"$T/flat"
	got=$(awk '$1 == "iotlb.misses" { a = $2 } $1 == "walk_cache.l2.misses" { b = $2 }
		$1 == "walk_cache.l3.misses" { c = $2 } $1 == "walk_cache.l4.misses" { d = $2 }
		END { print a, b, c, d }' "$T/flat")
	want="260 72 10 10"
	[ $c = 5flows ] || want="440 180 126 126"
	expect_eq "$c: IOTLB and walk-cache misses are the paper's per 4 KiB x 200" "$want" "$got"
	expect_eq "$c: ideal replay (no IOMMU): 65 ns a page" "13000.000000" \
		"$(awk '$1 == "ideal.sim.time_ns" { print $2 }' "$T/flat")"
done
finish
