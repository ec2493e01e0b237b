# The pcie-bench shape (docs/validation.md): scripts/validate-pcie-bench on 50,000 reads a point,
# and the same window sweep through the 4, 16 and 64 KiB granules (--granules).
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"
sh "$ISM_SRCDIR/scripts/validate-pcie-bench" --bin "$ISM" --out "$T/v" --accesses 50000 >/dev/null
C="$T/v/pcie-bench.csv"
# tp VARIANT WINDOW_KIB: throughput; mr: miss rate (of the sweep in $C)
tp() { awk -F, -v v="$1" -v w=$(($2 * 1024)) '$1 == w && $2 == v { print $3 }' "$C"; }
mr() { awk -F, -v v="$1" -v w=$(($2 * 1024)) '$1 == w && $2 == v { print $4 }' "$C"; }
# within A B REL: |A - B| <= REL * |B|
within() { awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b; exit !(d <= r * m) }'; }
assert() { if "$@"; then ok "$name"; else fail "$name ($*)"; fi; }

flat=$(tp 64B-4K 64)
name="64 B reads, 4 KiB pages: flat while the window fits the IOTLB's 512 KiB reach"
assert within "$(tp 64B-4K 512)" "$flat" 0.005
name="miss rate 1 - 128/256 at 1 MiB (uniform references, 256 pages)"
assert within "$(mr 64B-4K 1024)" 0.5 0.02
name="miss rate 1 - 128/512 at 2 MiB"
assert within "$(mr 64B-4K 2048)" 0.75 0.02
name="then it falls: 64 MiB at least 25% below"
assert awk -v a="$(tp 64B-4K 65536)" -v b="$flat" 'BEGIN { exit !(a < 0.75 * b) }'
# 8 walkers, each walk 2 ns probe + 4 references of 62.5 ns = 252 ns: 8 / 252 ns requests/s of
# 512 bits when every request misses; a miss rate m leaves 1/m more requests per walk.
name="to the walkers' bound: 8 / 252 ns x 512 b / miss rate"
assert within "$(tp 64B-4K 65536)" "$(awk -v m="$(mr 64B-4K 65536)" 'BEGIN { print 8 / 252e-9 * 512 / 1e9 / m }')" 0.01
name="a plateau: 32 MiB and 64 MiB within 2%"
assert within "$(tp 64B-4K 32768)" "$(tp 64B-4K 65536)" 0.02
name="512 B reads lose little (link-bound): within 1% everywhere"
assert within "$(tp 512B-4K 65536)" "$(tp 512B-4K 64)" 0.01
name="2 MiB pages lose nothing: within 0.5% everywhere"
assert within "$(tp 64B-2M 65536)" "$(tp 64B-2M 64)" 0.005

# --- Granules: 128 entries of page size P reach 128 x P (512 KiB, 2 MiB, 8 MiB); above it a
# uniformly random window of W bytes misses 1 - 128 P / W of the time. So the knee moves right
# by the ratio of the page sizes: granule P at window W x P / 4K is the 4K granule at W.
sh "$ISM_SRCDIR/scripts/validate-pcie-bench" --granules --bin "$ISM" --out "$T/v" --accesses 50000 >/dev/null
C="$T/v/granules.csv"
for g in 4 16 64; do
	reach=$((128 * g))
	name="${g} KiB granule: flat up to its reach, $reach KiB"
	assert within "$(tp "64B-arm-${g}k" $reach)" "$(tp "64B-arm-${g}k" 64)" 0.005
	name="${g} KiB granule: miss rate 1 - 128/256 at twice its reach"
	assert within "$(mr "64B-arm-${g}k" $((2 * reach)))" 0.5 0.02
	name="${g} KiB granule: miss rate 1 - 128/512 at 4 times its reach"
	assert within "$(mr "64B-arm-${g}k" $((4 * reach)))" 0.75 0.02
done
# knee VARIANT: the largest window (KiB) whose miss rate is still under 5%.
knee() { awk -F, -v v="$1" '$2 == v && $4 < 0.05 && $1 / 1024 > k { k = $1 / 1024 } END { print k }' "$C"; }
expect_eq "the knees: 512 KiB, 2 MiB, 8 MiB (4 and 16 times further right)" "512 2048 8192" \
	"$(knee 64B-arm-4k) $(knee 64B-arm-16k) $(knee 64B-arm-64k)"
for w in 1024 2048 4096; do
	name="16 KiB granule at $((4 * w)) KiB misses as 4 KiB at $w KiB"
	assert within "$(mr 64B-arm-16k $((4 * w)))" "$(mr 64B-arm-4k $w)" 0.02
	name="64 KiB granule at $((16 * w)) KiB misses as 4 KiB at $w KiB"
	assert within "$(mr 64B-arm-64k $((16 * w)))" "$(mr 64B-arm-4k $w)" 0.02
done
finish
