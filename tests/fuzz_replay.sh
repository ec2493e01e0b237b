#!/bin/sh
# Replay the committed fuzz corpus (tests/fuzz/corpus/) through every harness, without libFuzzer.
. "${ISM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/setup"
: "${FUZZ_TRACE_REPLAY:?must name tests/fuzz/trace_replay (make check sets it)}"
: "${FUZZ_CONFIG_REPLAY:?must name tests/fuzz/config_replay (make check sets it)}"
C="$ISM_SRCDIR/tests/fuzz/corpus"
# The harnesses free everything they open, so an ASan build checks leaks here too.
LEAKS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"

# replay NAME BINARY DIR: every input of DIR replayed, exit 0, no sanitizer report.
replay() {
	want=$(find "$3" -maxdepth 1 -type f ! -name '.*' | wc -l | tr -d ' ')
	set +e
	(cd "$T" && TMPDIR="$T" ASAN_OPTIONS="$LEAKS" $ISM_WRAP "$2" "$3") >"$T/out" 2>"$T/err"
	rc=$?
	if grep -q 'LeakSanitizer has encountered a fatal error' "$T/err"; then
		# LSan cannot run under ptrace (some containers): replay without the leak check.
		(cd "$T" && TMPDIR="$T" $ISM_WRAP "$2" "$3") >"$T/out" 2>"$T/err"
		rc=$?
	fi
	set -e
	if [ "$rc" -ne 0 ]; then
		fail "$1: exit $rc"; sed 's/^/    /' "$T/err" | head -30; return 0
	fi
	if grep -q 'Sanitizer\|runtime error' "$T/err"; then
		fail "$1: sanitizer report"; sed 's/^/    /' "$T/err" | head -30; return 0
	fi
	expect_eq "$1" "$want inputs replayed" "$(cat "$T/out")"
}

replay "trace corpus" "$FUZZ_TRACE_REPLAY" "$C/trace"
replay "config corpus" "$FUZZ_CONFIG_REPLAY" "$C/config"
R=$(dirname "$FUZZ_TRACE_REPLAY")
replay "ftrace importer corpus" "$R/import_ftrace_replay" "$C/import_ftrace"
replay "qemu importer corpus" "$R/import_qemu_replay" "$C/import_qemu"
replay "sweep file corpus" "$R/sweep_replay" "$C/sweep"
replay "sweep manifest corpus" "$R/manifest_replay" "$C/manifest"
replay "point result corpus" "$R/result_replay" "$C/result"
replay "workload spec corpus" "$R/workload_replay" "$C/workload"
finish
