#!/usr/bin/env bash
# Hostile inputs too big for the unit tests (issue "Robustness"), run on the release build:
# a 100 MB covenant of one line, a 100 MB one-line portfolio, a megabyte of unreadable
# characters. Each must end with exit code 2, a diagnostic with a code, a few KB of output and
# no more than a few seconds; the script prints what happened and exits 1 if any did not.
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
with open(f"{d}/long-line.json", "w") as f:
    f.write('{"equity": 100, "holdings": [' + holding * (n // len(holding)) + '{"id": "bad", "value": "12 billion"}]}')
PY

status=0
run() { # NAME ARGS...
  local name=$1
  shift
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
  printf '%-34s exit %s  %6.2f s  %7s bytes of output  peak %s MB  first code %s\n' "$name" "$rc" \
    "$(awk "BEGIN{print $end - $start}")" "$bytes" "$(($(tail -n 1 "$DIR/rss" 2>/dev/null || echo 0) / 1024))" "${code:-none}"
  if [[ $rc -ne 2 || -z $code || $bytes -gt 20000 ]]; then
    echo "  FAILED: expected exit 2, a diagnostic code and a few KB of output" && status=1
    head -c 600 "$DIR/err" | sed 's/^/  | /'
  fi
}

run "validate: ${MB} MB covenant, one line" validate "$DIR/long-line.cov"
run "validate: 1 MB of '@'" validate "$DIR/unreadable.cov"
run "check: ${MB} MB portfolio, one line" check "$DIR/ok.cov" --portfolio "$DIR/long-line.json"
exit $status
