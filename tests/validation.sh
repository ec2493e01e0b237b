# The pcie-bench shape (docs/validation.md): scripts/validate-pcie-bench on 50,000 reads a point.
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"
sh "$ISM_SRCDIR/scripts/validate-pcie-bench" --bin "$ISM" --out "$T/v" --accesses 50000 >/dev/null
C="$T/v/pcie-bench.csv"
# tp VARIANT WINDOW_KIB: throughput; mr: miss rate
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
finish
