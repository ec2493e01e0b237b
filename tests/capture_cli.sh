# scripts/capture-ftrace and scripts/capture-qemu: --help, usage errors, and capture-qemu -n
# printing commands that work as printed (run here against a stand-in QEMU).
. "${ISM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/setup"

S="$ISM_SRCDIR/scripts"

for s in capture-ftrace capture-qemu; do
	for h in --help -h; do
		check "$s $h" sh "$S/$s" $h
		expect_eq "$s $h: the usage on stdout" 1 "$(grep -c "^Usage: .*scripts/$s " "$T/out")"
		expect_eq "$s $h: nothing on stderr" "" "$(cat "$T/err")"
	done
	expect_fail "$s --bogus" 2 "^$s: unknown option '--bogus'" sh "$S/$s" --bogus
	expect_fail "$s -Z" 2 "^$s: see --help" sh "$S/$s" -Z
done

# capture-qemu -n: the commands of a run, in order, and nothing written.
mkdir "$T/cap" "$T/bin"
cd "$T/cap"
check "capture-qemu -n" sh "$S/capture-qemu" -n -o vtd.log -- -m 1G
cp "$T/out" "$T/cmds"
expect_eq "capture-qemu -n writes nothing" "" "$(ls)"
expect_eq "capture-qemu -n: two commands" 2 "$(wc -l <"$T/cmds")"
# A stand-in QEMU: it reads the events file -trace names, as QEMU does, and writes the -D log.
cat >"$T/bin/qemu-system-x86_64" <<'EOF'
#!/bin/sh
ev="" log=""
while [ $# -gt 0 ]; do
	case $1 in
	-trace) ev=${2#events=}; shift ;;
	-D) log=$2; shift ;;
	esac
	shift
done
[ -r "$ev" ] || { echo "qemu: cannot read events file '$ev'" >&2; exit 1; }
cp "$ev" "$log"
EOF
chmod +x "$T/bin/qemu-system-x86_64"
check "capture-qemu -n: the printed commands run" env PATH="$T/bin:$PATH" sh "$T/cmds"
expect_eq "the events file holds the VT-d events the importer reads" "1 1" \
	"$(grep -cx vtd_dmar_translate vtd.log) $(grep -cx vtd_inv_desc_iotlb_domain vtd.log)"
# The same through a real run of the script, which writes the events file itself.
rm -f vtd.log vtd.events
check "capture-qemu runs QEMU with its events file" \
	env PATH="$T/bin:$PATH" sh "$S/capture-qemu" -o vtd.log -- -m 1G
expect_eq "capture-qemu: the same events as -n printed" "$(cat vtd.events)" "$(cat vtd.log)"
cd "$T"

finish
