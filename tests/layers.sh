#!/bin/sh
# The architecture as a test: src/ and models/ include in one direction only, and no two
# modules include each other, directly or round a circle (docs/architecture.md).
. "${ISM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/setup"

# Layers from the bottom: a file may include its own layer's files and those of layers below.
cat >"$T/layers.py" <<'PY'
import os, re, sys
top = sys.argv[1]
rank = {"src/base": 0, "src/trace": 1, "models": 2, "src/config": 3, "src/engine": 4,
        "src/run": 5, "src/sweep": 6, "src/cli": 7}
files = {}
for root in ("src", "models"):
    for d, _, fs in os.walk(os.path.join(top, root)):
        for f in fs:
            if f.endswith((".c", ".h")):
                files[os.path.relpath(os.path.join(d, f), top)] = None
def layer(path):
    parts = path.split("/")
    return "models" if parts[0] == "models" else "/".join(parts[:2])
def module(path):
    stem = os.path.splitext(path)[0]
    return stem[:-len("_internal")] if stem.endswith("_internal") else stem
inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
bad, edges = [], {}
for f in sorted(files):
    for name in inc.findall(open(os.path.join(top, f)).read()):
        here = os.path.normpath(os.path.join(os.path.dirname(f), name))
        cands = [here, "src/" + name, "models/" + name]
        target = next((c for c in cands if c in files), None)
        if target is None:
            bad.append("%s: includes \"%s\", which is not in src/ or models/" % (f, name))
            continue
        if rank[layer(target)] > rank[layer(f)]:
            bad.append("%s (%s) includes %s (%s): a lower layer must not include a higher one"
                       % (f, layer(f), target, layer(target)))
        a, b = module(f), module(target)
        if a != b:
            edges.setdefault(a, set()).add(b)
# A circle of modules: depth-first search for a back edge.
state, stack = {}, []
def visit(m):
    state[m] = 1
    stack.append(m)
    for n in sorted(edges.get(m, ())):
        if state.get(n) == 1:
            bad.append("modules include each other in a circle: " +
                       " -> ".join(stack[stack.index(n):] + [n]))
        elif n not in state:
            visit(n)
    stack.pop()
    state[m] = 2
for m in sorted(edges):
    if m not in state:
        visit(m)
if bad:
    print("\n".join(bad))
PY
python3 "$T/layers.py" "$ISM_SRCDIR" >"$T/bad"
if [ -s "$T/bad" ]; then
	fail "include directions"
	sed 's/^/    /' "$T/bad"
else
	ok "include directions: base, trace, models, config, engine, run, sweep, cli; no circles"
fi

# The check itself can fail: a planted upward include and a planted circle are caught.
mkdir -p "$T/tree/src/base" "$T/tree/src/engine" "$T/tree/models/walk"
printf '#include "engine/sim.h"\n' >"$T/tree/src/base/util.c"
printf '#include "b.h"\n' >"$T/tree/src/engine/a.c"
printf '#include "a.h"\n' >"$T/tree/src/engine/b.c"
: >"$T/tree/src/engine/a.h"
: >"$T/tree/src/engine/b.h"
: >"$T/tree/src/engine/sim.h"
python3 "$T/layers.py" "$T/tree" >"$T/planted"
grep -q 'src/base/util.c (src/base) includes src/engine/sim.h' "$T/planted" &&
	grep -q 'circle: src/engine/a -> src/engine/b -> src/engine/a' "$T/planted" &&
	ok "the check finds a planted upward include and a planted circle" ||
	{ fail "planted faults not found"; cat "$T/planted"; }
finish
