#!/bin/sh
# Copy against strict IOMMU protection (docs/validation.md): small packets at 40 Gb/s, where
# bouncing through swiotlb beats strict and stays within 25% of no IOMMU, and 128 KiB storage
# writes, where it does neither.
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"
C="$ISM_SRCDIR/configs/validation/copy-vs-strict.json"
check "generate the 40G NIC trace" ism trace gen "$ISM_SRCDIR/traces/nic-40g-mtu.json" \
	-o "$T/nic.iot" -q --set packets=5000
check "generate the 128K NVMe trace" ism trace gen "$ISM_SRCDIR/traces/nvme-128k-seqwrite.json" \
	-o "$T/nvme.iot" -q --set ios=1000
check "run the NIC trace" ism run "$C" -t "$T/nic.iot" -f flat -q
cp "$T/out" "$T/nic"
check "run the NVMe trace" ism run "$C" -t "$T/nvme.iot" -f flat -q
cp "$T/out" "$T/nvme"
# ratio FILE A B: kv A / kv B; above X Y: X > Y
ratio() { awk -v a="$(kv "$1" "$2")" -v b="$(kv "$1" "$3")" 'BEGIN { printf "%.4f", a / b }'; }
above() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

r=$(ratio "$T/nic" baseline.swiotlb.dma.throughput_gbps dma.throughput_gbps)
if above "$r" 1.2; then ok "NIC: copying beats strict ($r x)"; else fail "NIC: swiotlb / strict = $r, expected > 1.2"; fi
r=$(ratio "$T/nic" baseline.swiotlb.dma.throughput_gbps baseline.passthrough.dma.throughput_gbps)
if above "$r" 0.75; then ok "NIC: copying within 25% of no IOMMU ($r x)"; else fail "NIC: swiotlb / passthrough = $r, expected > 0.75"; fi
r=$(ratio "$T/nvme" dma.throughput_gbps baseline.swiotlb.dma.throughput_gbps)
if above "$r" 1.2; then ok "NVMe 128K: strict beats copying ($r x)"; else fail "NVMe: strict / swiotlb = $r, expected > 1.2"; fi
r=$(ratio "$T/nvme" baseline.swiotlb.dma.throughput_gbps baseline.passthrough.dma.throughput_gbps)
if above 0.75 "$r"; then ok "NVMe 128K: copying more than 25% below no IOMMU ($r x)"; else fail "NVMe: swiotlb / passthrough = $r, expected < 0.75"; fi
finish
