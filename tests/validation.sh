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
name="64 B reads, 4 KiB pages: flat while the window fits the IOTLB's 256 KiB reach"
assert within "$(tp 64B-4K 256)" "$flat" 0.005
name="miss rate 1 - 64/128 at 512 KiB (uniform references, 128 pages)"
assert within "$(mr 64B-4K 512)" 0.5 0.02
name="miss rate 1 - 64/256 at 1 MiB"
assert within "$(mr 64B-4K 1024)" 0.75 0.02
# The measurement (pcie-bench's data, Xeon E5-2630v4 + NFP6000, VT-d without superpages, cold
# cache: docs/validation.md): 64-byte random reads at 27.58 Gb/s in a 256 KiB window, 14.33 at
# 1 MiB, 9.84 at 64 MiB; 512-byte reads at 55.0 Gb/s.
name="T(1 MiB) / T(256 KiB) within 15% of the measured 14.33 / 27.58 = 0.520"
assert within "$(awk -v a="$(tp 64B-4K 1024)" -v b="$(tp 64B-4K 256)" 'BEGIN { print a / b }')" 0.5196 0.15
name="T(64 MiB) / T(256 KiB) within 15% of the measured 9.84 / 27.58 = 0.357"
assert within "$(awk -v a="$(tp 64B-4K 65536)" -v b="$(tp 64B-4K 256)" 'BEGIN { print a / b }')" 0.3568 0.15
# 6 walkers, each walk 2 ns probe + 4 references of 75 ns = 302 ns: 6 / 302 ns requests/s of
# 512 bits when every request misses; a miss rate m leaves 1/m more requests per walk.
name="to the walkers' bound: 6 / 302 ns x 512 b / miss rate"
assert within "$(tp 64B-4K 65536)" "$(awk -v m="$(mr 64B-4K 65536)" 'BEGIN { print 6 / 302e-9 * 512 / 1e9 / m }')" 0.01
name="a plateau: 32 MiB and 64 MiB within 2%"
assert within "$(tp 64B-4K 32768)" "$(tp 64B-4K 65536)" 0.02
name="512 B reads lose little (link-bound): at least 0.9 of 64 KiB's everywhere"
assert awk -v a="$(tp 512B-4K 65536)" -v b="$(tp 512B-4K 64)" 'BEGIN { exit !(a >= 0.9 * b) }'
# The link with its data-link layer, by hand: 63.015 Gb/s less 16/203 + 4/1538 (Acks, UpdateFCs,
# SKP ordered sets) is 57.885 Gb/s for TLPs; a 512-byte completion takes 536 bytes of it.
name="512 B reads: 57.885 x 512 / 536 = 55.29 Gb/s, within 5% of the measured 55.0"
assert within "$(tp 512B-4K 64)" 55.29 0.001
assert within "$(tp 512B-4K 64)" 55.0 0.05
name="2 MiB pages lose nothing: within 0.5% everywhere"
assert within "$(tp 64B-2M 65536)" "$(tp 64B-2M 64)" 0.005

# --- Granules: 64 entries of page size P reach 64 x P (256 KiB, 1 MiB, 4 MiB); above it a
# uniformly random window of W bytes misses 1 - 64 P / W of the time. So the knee moves right
# by the ratio of the page sizes: granule P at window W x P / 4K is the 4K granule at W.
sh "$ISM_SRCDIR/scripts/validate-pcie-bench" --granules --bin "$ISM" --out "$T/v" --accesses 50000 >/dev/null
C="$T/v/granules.csv"
for g in 4 16 64; do
	reach=$((64 * g))
	name="${g} KiB granule: flat up to its reach, $reach KiB"
	assert within "$(tp "64B-arm-${g}k" $reach)" "$(tp "64B-arm-${g}k" 64)" 0.005
	name="${g} KiB granule: miss rate 1 - 64/128 at twice its reach"
	assert within "$(mr "64B-arm-${g}k" $((2 * reach)))" 0.5 0.02
	name="${g} KiB granule: miss rate 1 - 64/256 at 4 times its reach"
	assert within "$(mr "64B-arm-${g}k" $((4 * reach)))" 0.75 0.02
done
# knee VARIANT: the largest window (KiB) whose miss rate is still under 5%.
knee() { awk -F, -v v="$1" '$2 == v && $4 < 0.05 && $1 / 1024 > k { k = $1 / 1024 } END { print k }' "$C"; }
expect_eq "the knees: 256 KiB, 1 MiB, 4 MiB (4 and 16 times further right)" "256 1024 4096" \
	"$(knee 64B-arm-4k) $(knee 64B-arm-16k) $(knee 64B-arm-64k)"
for w in 512 1024 2048; do
	name="16 KiB granule at $((4 * w)) KiB misses as 4 KiB at $w KiB"
	assert within "$(mr 64B-arm-16k $((4 * w)))" "$(mr 64B-arm-4k $w)" 0.02
	name="64 KiB granule at $((16 * w)) KiB misses as 4 KiB at $w KiB"
	assert within "$(mr 64B-arm-64k $((16 * w)))" "$(mr 64B-arm-4k $w)" 0.02
done
finish
