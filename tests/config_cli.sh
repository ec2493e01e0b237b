# `iommusim config`: the generated reference, the bad-config cases, good configs and presets.
. "${ISM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/setup"

C="$D/config"
TAB=$(printf '\t')
IOMMUSIM_CONFIG_PATH="$ISM_SRCDIR/configs"
export IOMMUSIM_CONFIG_PATH

# expect_msg NAME CODE MESSAGE CMD...: exit CODE and stderr exactly "iommusim: MESSAGE"
# (a MESSAGE ending in "..." need only start with the rest).
expect_msg() {
	name=$1 code=$2 want="iommusim: $3"; shift 3
	set +e
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	got=$(cat "$T/err")
	case $want in
	*...) prefix=${want%...}; case $got in "$prefix"*) match=1 ;; *) match=0 ;; esac ;;
	*) [ "$got" = "$want" ] && match=1 || match=0 ;;
	esac
	if [ "$rc" -ne "$code" ]; then
		fail "$name: exit $rc, expected $code"; sed 's/^/    /' "$T/err" | head -5
	elif [ "$match" -ne 1 ]; then
		fail "$name: stderr"; echo "    expected: $want"; echo "    got:      $got"
	else
		ok "$name"
	fi
}

# flatten: `config show` JSON (jansson, 2-space indent) -> "dotted.path value" lines;
# an array's elements are joined by spaces.
flatten() {
	awk '
	function path(k) { return depth ? stack[depth] "." k : k }
	function key() { k = $0; sub(/^ *"/, "", k); sub(/".*/, "", k); return k }
	/^ *"[^"]*": \{$/ { p = path(key()); stack[++depth] = p; next }
	/^ *"[^"]*": \[$/ { arr = path(key()); vals = ""; inarr = 1; next }
	inarr && /^ *\]/ { print arr, vals; inarr = 0; next }
	inarr { v = $0; gsub(/^ *|,$/, "", v); vals = vals (vals == "" ? "" : " ") v; next }
	/^ *\},?$/ { depth--; next }
	/^ *"[^"]*": / { p = path(key()); v = $0; sub(/^ *"[^"]*": /, "", v); sub(/,$/, "", v)
		print p, v }'
}
# val FILE PATH: the value of PATH in flattened output.
val() {
	awk -v k="$2" '$1 == k { print substr($0, length(k) + 2); f = 1 }
		END { if (!f) print "<missing>" }' "$1"
}

# --- the reference: docs/config.md is the command's output, byte for byte
if ism config keys --markdown >"$T/config.md" && cmp -s "$T/config.md" "$ISM_SRCDIR/docs/config.md"
then
	ok "config keys --markdown equals docs/config.md"
else
	fail "config keys --markdown differs from docs/config.md (regenerate it):"
	diff "$ISM_SRCDIR/docs/config.md" "$T/config.md" | head -20 || true
fi
check "config keys" ism config keys
expect_eq "config keys lists every key of the Markdown table" \
	"$(grep -c '^| `' "$T/config.md")" "$(grep -c '^[a-z][a-z0-9_.]*  (' "$T/out")"
check "config --help" ism config --help
expect_eq "config --help lists keys, show, check" "3" \
	"$(grep -cE '^  (keys|show|check) ' "$T/out")"

# --- usage errors
expect_fail "config without a command" 2 "missing command" ism config
expect_fail "config unknown command" 2 "unknown command 'bogus'" ism config bogus
expect_fail "config check without CONFIG" 2 "missing CONFIG" ism config check
expect_fail "config check with two CONFIGs" 2 "unexpected argument" \
	ism config check "$C/good-minimal.json" "$C/good-full.json"
expect_fail "config keys with an operand" 2 "unexpected argument" ism config keys extra

# --- bad configs: each case names the file that wrote the value and the JSON path
cd "$C"
while IFS=$TAB read -r file args msg; do
	case $file in '#'* | '') continue ;; esac
	[ "$args" = "-" ] && args=
	# shellcheck disable=SC2086 # ARGS is split on spaces by design
	expect_msg "check $file $args" 3 "$msg" ism config check "$file" $args
done <"$C/bad.cases"

# --- good configs
for f in good-*.json; do
	[ "${f%.effective.json}" = "$f" ] || continue
	IOMMUSIM_CONFIG_PATH="$C/searchpath:$ISM_SRCDIR/configs" check "check $f" \
		ism config check "$f"
	expect_eq "check $f says ok" "$f: ok" "$(cat "$T/out")"
done
for f in good-extends good-full; do
	check "show $f.json" ism config show "$f.json"
	if cmp -s "$T/out" "$f.effective.json"; then
		ok "show $f.json equals $f.effective.json"
	else
		fail "show $f.json differs from $f.effective.json"
		diff "$f.effective.json" "$T/out" | head -20 || true
	fi
done
check "show defaults with --set" ism config show --set device.max_payload=1K \
	--set trace=x/y.trace --set 'iommu.page_sizes=["2M","4K"]'
flatten <"$T/out" >"$T/flat"
expect_eq "--set size 1K is 1024 bytes" 1024 "$(val "$T/flat" device.max_payload)"
expect_eq "--set trace stays relative to the cwd" '"x/y.trace"' "$(val "$T/flat" trace)"
expect_eq "--set JSON array, shown in canonical order" '"4K" "2M"' \
	"$(val "$T/flat" iommu.page_sizes)"
expect_eq "show defaults: IOTLB 64 entries" 64 "$(val "$T/flat" iommu.iotlb.entries)"
expect_msg "--set 1K is not an integer" 3 \
	'--set iommu.iotlb.entries=1K: iommu.iotlb.entries: expected an unsigned integer, got string "1K"' \
	ism config show --set iommu.iotlb.entries=1K
# -s is --set for config show and check as for run and trace gen (one option row for all).
check "show -s" ism config show -s iommu.iotlb.entries=128 -s iommu.iotlb.ways=4
flatten <"$T/out" >"$T/flat"
expect_eq "show -s sets both keys" "128 4" \
	"$(val "$T/flat" iommu.iotlb.entries) $(val "$T/flat" iommu.iotlb.ways)"
expect_msg "check -s checks the override" 3 \
	"--set iommu.iotlb.ways=12: iommu.iotlb.ways: expected a divisor of iommu.iotlb.entries (64), got 12" \
	ism config check "$C/good-minimal.json" -s iommu.iotlb.ways=12
for cmd in "run" "config show" "config check" "trace gen"; do
	# shellcheck disable=SC2086 # $cmd is a command and its subcommand
	expect_eq "$cmd --help: -s, --set" 1 "$(ism $cmd --help | grep -c '^  -s, --set KEY=VALUE ')"
done
expect_msg "show with a bad default combination" 3 \
	"<defaults>: iommu.iotlb.ways: expected a divisor of iommu.iotlb.entries (12), got 8 (the default)" \
	ism config show --set iommu.iotlb.entries=12

# --- presets: all check ok, found by name through extends as well
for f in "$ISM_SRCDIR"/configs/hw/*.json; do
	check "preset $(basename "$f")" ism config check "$f"
	printf '{ "extends": "hw/%s" }\n' "$(basename "$f" .json)" >"$T/uses.json"
	check "extends hw/$(basename "$f" .json)" ism config check "$T/uses.json"
done
ism config show "$ISM_SRCDIR/configs/hw/qemu-vtd.json" | flatten >"$T/flat"
expect_eq "qemu-vtd: fully associative 1024 entries, flush-on-full, 4K, no walk caches" \
	'1024 1024 "flush-on-full" "4K" 0 0 0 0' \
	"$(for k in iotlb.entries iotlb.ways iotlb.replacement page_sizes walk_cache.l2.entries \
		walk_cache.l3.entries walk_cache.l4.entries walk_cache.l5.entries; do
		val "$T/flat" "iommu.$k"; done | paste -sd' ')"

finish
