#!/usr/bin/env bash
# Hostile inputs too big for the unit tests (issue "Robustness"), run on the release build:
# a 100 MB covenant of one line, a 100 MB one-line portfolio, a megabyte of unreadable
# characters. Each must end with exit code 2, a diagnostic with a code and a few KB of output,
# with peak memory bounded by the input (issue 18.4): at most 4x the covenant's size, or 2x the
# data file's, plus 64 MB; the script prints what happened and exits 1 if any did not.
# Two valid covenants of many clauses (90,000 one-line clauses, ~4.7 MB; the benchmark
# covenant's clauses repeated 10,000 times, ~1.7 MB) must validate (exit 0) within the same
# bound: what the checker keeps per clause is bounded by the clause's text. `fmt` of both must
# succeed (exit 0) within it too: it lays out a declaration at a time as it parses.
#
# usage: scripts/hostile.sh [SIZE_MB]      (default 100)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MB=${1:-100}
cd "$ROOT"
swift build -c release --product covenant >/dev/null
BIN="$ROOT/.build/release/covenant"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

python3 - "$DIR" "$MB" <<'PY'
import sys
d, mb = sys.argv[1], int(sys.argv[2])
n = mb * 1_000_000
with open(f"{d}/long-line.cov", "w") as f:
    f.write('covenant "Hostile" base currency USD\n')
    f.write("define z = " + "1 + " * (n // 4) + "@ 1\n")
with open(f"{d}/unreadable.cov", "w") as f:
    f.write("@" * 1_000_000)
with open(f"{d}/ok.cov", "w") as f:
    f.write('covenant "Hostile" base currency USD\nrecord holding\n  id    : text\n  value : money\n'
            'data fund from snapshot\n  equity   : money\n  holdings : list of holding\n'
            '§1 "Size"\n  sum of holdings.value <= 10x fund.equity\n')
holding = '{"id": "h", "value": 1},'
# Many clauses: the benchmark covenant's declarations, then small clauses, or its own clauses
# repeated under fresh ids (as the peer harness's gen_shapes.py --covenant does).
import re
src = open("examples/bench/covenant.cov").read()
first = re.search(r"^§", src, re.M).start()
head = src[:first]
with open(f"{d}/many-small.cov", "w") as f:
    f.write(head + "".join(f'§s{i} "L{i}"\n  total_debt <= 2.0x fund.equity\n\n' for i in range(90_000)))
clauses = [c for c in re.split(r"(?m)^(?=§)", src[first:]) if c.startswith("§")]
out = [head]
for k in range(10_000):
    c = clauses[k % len(clauses)]
    out.append(re.sub(r"^§\S+", lambda m: f"§{k // len(clauses) + 1}.{m.group(0)[1:]}", c, count=1).rstrip("\n") + "\n\n")
with open(f"{d}/many-bench.cov", "w") as f:
    f.write("".join(out))
with open(f"{d}/long-line.json", "w") as f:
    f.write('{"equity": 100, "holdings": [' + holding * (n // len(holding)) + '{"id": "bad", "value": "12 billion"}]}')
PY

status=0
run() { # NAME BOUND_FACTOR INPUT_FILE ARGS...   (EXPECT_VALID=1: exit 0, any output size)
  local name=$1 factor=$2 input=$3
  shift 3
  local start end rc
  start=$(date +%s.%N)
  set +e
  /usr/bin/time -f "%M" -o "$DIR/rss" timeout 120 "$BIN" "$@" >"$DIR/out" 2>"$DIR/err"
  rc=$?
  set -e
  end=$(date +%s.%N)
  local bytes code
  bytes=$(cat "$DIR/out" "$DIR/err" | wc -c)
  code=$(grep -oE '\[[A-Z][0-9]{3}\]' "$DIR/err" | head -n 1 || true)
  local peak_kb size bound_kb
  peak_kb=$(tail -n 1 "$DIR/rss" 2>/dev/null || echo 0)
  size=$(wc -c <"$input")
  bound_kb=$((factor * size / 1024 + 65536))
  printf '%-34s exit %s  %6.2f s  %7s bytes of output  peak %s MB (bound %s MB)  first code %s\n' "$name" "$rc" \
    "$(awk "BEGIN{print $end - $start}")" "$bytes" "$((peak_kb / 1024))" "$((bound_kb / 1024))" "${code:-none}"
  if [[ ${EXPECT_VALID:-0} == 1 ]]; then
    if [[ $rc -ne 0 ]]; then
      echo "  FAILED: expected exit 0 (a valid covenant)" && status=1
      head -c 600 "$DIR/err" | sed 's/^/  | /'
    fi
  elif [[ $rc -ne 2 || -z $code || $bytes -gt 20000 ]]; then
    echo "  FAILED: expected exit 2, a diagnostic code and a few KB of output" && status=1
    head -c 600 "$DIR/err" | sed 's/^/  | /'
  fi
  if ((peak_kb > bound_kb)); then
    echo "  FAILED: peak memory above ${factor}x the input plus 64 MB" && status=1
  fi
}

run "validate: ${MB} MB covenant, one line" 4 "$DIR/long-line.cov" validate "$DIR/long-line.cov"
run "validate: 1 MB of '@'" 4 "$DIR/unreadable.cov" validate "$DIR/unreadable.cov"
run "check: ${MB} MB portfolio, one line" 2 "$DIR/long-line.json" check "$DIR/ok.cov" --portfolio "$DIR/long-line.json"
EXPECT_VALID=1 run "validate: 90,000 small clauses" 4 "$DIR/many-small.cov" validate "$DIR/many-small.cov"
EXPECT_VALID=1 run "validate: 10,000 benchmark clauses" 4 "$DIR/many-bench.cov" validate "$DIR/many-bench.cov"
EXPECT_VALID=1 run "fmt: 90,000 small clauses" 4 "$DIR/many-small.cov" fmt "$DIR/many-small.cov"
EXPECT_VALID=1 run "fmt: 10,000 benchmark clauses" 4 "$DIR/many-bench.cov" fmt "$DIR/many-bench.cov"
exit $status
