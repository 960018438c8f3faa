#!/bin/sh
# The peer harness (../shared/bench/peers: C floor, CPython, OPA) and covenant-bench, in one run,
# on the same data files; covenant-bench prints our figures with the ratios to the peers.
#
#   scripts/bench-peers.sh                 # C floor + python-baseline + opa-indexed, then ours
#   ENGINES=python-baseline scripts/bench-peers.sh    # skip OPA (about 4 minutes of the run)
#
# Environment: PEERS (the harness, default ../shared/bench/peers), PEERS_WORK (a writable copy,
# default /tmp/peers: the harness directory is read-only), ENGINES, OUT (default .build/bench-peers).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${PEERS:-$ROOT/../shared/bench/peers}
WORK=${PEERS_WORK:-/tmp/peers}
ENGINES=${ENGINES:-python-baseline,opa-indexed}
OUT=${OUT:-$ROOT/.build/bench-peers}
mkdir -p "$OUT"

if [ ! -f "$WORK/bench.py" ]; then
  cp -r "$PEERS" "$WORK"
  chmod -R u+w "$WORK"
fi
cd "$WORK"
# Only this run's figures in the harness's results.
rm -rf results/runs results/raw
[ -d .venv ] || python3 -m venv .venv
. .venv/bin/activate
case "$ENGINES" in
  *opa*)
    # OPA's bindings declare Requires-Python >=3.14 but are pure ctypes (see the harness's README).
    python -c 'import opa_bindings' 2>/dev/null ||
      pip install -q --no-deps --ignore-requires-python opa-golib-python-bindings==0.4.4 ||
      { echo "OPA bindings not installable: running without OPA" >&2; ENGINES=python-baseline; }
    ;;
esac
[ -f data/portfolio_1000000.json ] && [ -f data/deals.json ] || python gen.py

echo "== peer harness: C floor + $ENGINES"
python bench.py --engines "$ENGINES"

echo "== CPython json.load of each file (median of 3)"
python - > "$OUT/cpython_json_load.json" <<'PY'
import json, statistics, time
out = {}
for n in (1000, 10000, 100000, 1000000):
    ts = []
    for _ in range(3):
        t = time.perf_counter()
        with open(f"data/portfolio_{n}.json") as f:
            json.load(f)
        ts.append((time.perf_counter() - t) * 1e3)
    out[str(n)] = statistics.median(ts)
print(json.dumps(out))
PY
cat "$OUT/cpython_json_load.json"
deactivate

echo "== covenant-bench on the same files"
cd "$ROOT"
swift build -c release --product covenant-bench
.build/release/covenant-bench --data "$WORK/data" --peers "$WORK/results/results.json" \
  --peer-json-load "$OUT/cpython_json_load.json" --json "$OUT/covenant-bench.json" | tee "$OUT/covenant-bench.md"
echo "== results: $OUT (the harness's tables: $WORK/results/table.md)"
