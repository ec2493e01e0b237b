# Golden runs: tiny traces whose every expected count was worked out by hand (tests/golden/).
# Each NAME.json (a config naming NAME.csv) is run; every "key value" line of NAME.expect must
# match the run's flat output exactly. The reasoning behind each number is in NAME.expect.
. "${ISM_SRCDIR:-$(dirname "$0")/..}/tests/setup"
G="$ISM_SRCDIR/tests/golden"

for cfg in "$G"/*.json; do
	name=$(basename "$cfg" .json)
	[ -f "$G/$name.expect" ] || continue
	if ! ism run "$cfg" --format flat -q >"$T/$name.flat" 2>"$T/$name.err"; then
		fail "$name: run failed"; sed 's/^/    /' "$T/$name.err"; continue
	fi
	bad=0
	while read -r key want; do
		case "$key" in ''|'#'*) continue ;; esac
		got=$(kv "$T/$name.flat" "$key")
		if [ "$got" != "$want" ]; then
			fail "$name: $key = $got, expected $want"; bad=1
		fi
	done <"$G/$name.expect"
	[ $bad -eq 0 ] && ok "$name: every hand-computed count matches"

	# Every miss has one class, untimed and timed (where misses also wait for walks in flight).
	for mode in untimed timed; do
		ism run "$cfg" --set mode=$mode --format flat -q >"$T/$name.$mode" 2>"$T/$name.err" ||
			{ fail "$name: $mode run failed"; continue; }
		sum=$(awk '$1 ~ /^iotlb\.misses_by_class\./ { s += $2 } END { print s + 0 }' "$T/$name.$mode")
		expect_eq "$name, $mode: the miss classes add up to the misses" \
			"$(kv "$T/$name.$mode" iotlb.misses)" "$sum"
	done

	# The same trace through the native format (plain and gzip) gives the same counts.
	ism trace import --from csv "$G/$name.csv" -o "$T/$name.iot.gz" -q
	ism run "$cfg" -t "$T/$name.iot.gz" --format flat -q | grep -v '^run\.' >"$T/$name.n"
	grep -v '^run\.' "$T/$name.flat" >"$T/$name.c"
	if cmp -s "$T/$name.c" "$T/$name.n"; then ok "$name: native trace gives the same counts"
	else fail "$name: native and CSV runs differ"; diff "$T/$name.c" "$T/$name.n" | head; fi
done
finish
