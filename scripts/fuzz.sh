#!/usr/bin/env bash
# Coverage-guided fuzzing of CovenantKit with libFuzzer (issue "Robustness").
#
# usage:
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer args...]   fuzz one target for SECONDS
#   scripts/fuzz.sh all SECONDS [libFuzzer args...]      fuzz every target in turn, SECONDS each
#   scripts/fuzz.sh accumulate SECONDS [args...]         as `all`, then merge what each run found
#                                                        into Fuzz/corpus/TARGET/ (kept in git)
#   scripts/fuzz.sh volume SECONDS [TARGET...]           as `accumulate`, with one -O binary for every
#                                                        target (one build), and each run's executions,
#                                                        edges, features and outcome appended to
#                                                        Fuzz/volume.tsv (kept in git: the totals)
#   scripts/fuzz.sh totals                               per target, from Fuzz/volume.tsv: executions,
#                                                        CPU time, executions a CPU second, the last
#                                                        edges and features, runs with a crash
#   scripts/fuzz.sh smoke [RUNS]                         CI smoke: every target, RUNS (2000) inputs
#                                                        (exact, fmt, columnar: a quarter),
#                                                        seed 1, fresh corpus, -Onone build
#   scripts/fuzz.sh build TARGET                         only build .build-fuzz/fuzz-TARGET
#   scripts/fuzz.sh repro TARGET FILE...                 run inputs once (e.g. a crash file)
#   scripts/fuzz.sh minimize TARGET CRASH [SECONDS]      shrink a crash (-minimize_crash=1),
#                                                        writes .build-fuzz/crashes-TARGET/minimized-*
#   scripts/fuzz.sh list                                 print the targets
#
# Targets (Fuzz/TARGET.swift): covenant (lex/parse/check, formatter idempotence),
# json (JSON reader, DataLoader, governance), evaluate (covenant + snapshot + deal, end to end),
# and the differential ones, which trap on a wrong answer: exact (Exact against a reference
# bignum written in the target), fmt (the formatted covenant gives a byte-identical JSON report),
# jsonroundtrip (re-serialised JSON reads back to the same tree and loads to the same values),
# columnar (naive vs columnar evaluation: same results). Fuzz/support/ holds their shared helpers.
# The smoke builds one binary holding every target (COVENANT_FUZZ_TARGET picks one).
#
# Each target is compiled with the library's stage targets (every .swift file under Sources/Covenant*/,
# subfolders included, but the CovenantKit facade and CovenantCLI; their `import Covenant…` lines
# removed) into one module named
# CovenantKit (so internal and package API is visible), with `swiftc -sanitize=fuzzer,address
# -parse-as-library -O`, into .build-fuzz/. The corpus .build-fuzz/corpus-TARGET/ is seeded on
# first use from examples/ and Tests/CovenantKitTests/Golden/; crashes go to
# .build-fuzz/crashes-TARGET/. Exit status: 0 clean, 1 crash (or timeout/OOM) found, 2 build or
# usage error. When the toolchain cannot build a libFuzzer binary at all, the script prints
# "skipped" and exits 0, so CI can call it optionally.
#
# Environment: FUZZ_OPT (default -O; -Onone builds faster), SWIFTC (default swiftc);
# covenant target: COVENANT_FUZZ_ALLOW_F001=1 (don't trap when the formatter refuses a covenant
# that parses, F001).
# Examples: scripts/fuzz.sh all 600; scripts/fuzz.sh covenant 300 -max_len=1024
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$ROOT/.build-fuzz"
SWIFTC=${SWIFTC:-swiftc}
OPT=${FUZZ_OPT:--O}
SUFFIX=""
TARGETS=(covenant json evaluate exact fmt jsonroundtrip columnar)
EXAMPLE_COVENANT="$ROOT/examples/us-japan-fund/covenant.cov"

usage() { sed -n '2,44p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "fuzz.sh: $*" >&2; exit 2; }
is_target() { local t; for t in "${TARGETS[@]}"; do [[ $t == "$1" ]] && return 0; done; return 1; }

# The runtime's own crash reporter waits on the crashed process; let libFuzzer and ASan report.
export SWIFT_BACKTRACE=enable=no
if [[ -z ${ASAN_SYMBOLIZER_PATH:-} ]]; then
  sym=$(command -v llvm-symbolizer || true)
  [[ -z $sym && -x "$(dirname "$(command -v "$SWIFTC" 2>/dev/null || echo /)")/llvm-symbolizer" ]] &&
    sym="$(dirname "$(command -v "$SWIFTC")")/llvm-symbolizer"
  [[ -n $sym ]] && export ASAN_SYMBOLIZER_PATH=$sym
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1:handle_abort=1}

# MARK: - build

# The library's stage targets, copied into DEST/TARGET/ as one module's sources: the imports
# between stages are removed (they are one module here).
copy_library() {
  local dest=$1 dir name
  for dir in "$ROOT"/Sources/Covenant*/; do
    name=$(basename "$dir")
    [[ $name == CovenantKit || $name == CovenantCLI ]] && continue
    mkdir -p "$dest/$name" || return 1
    (cd "$dir" && find . -name '*.swift' -print0 | xargs -0 cp --parents -t "$dest/$name") || return 1
  done
  find "$dest" -name '*.swift' -exec sed -i -E '/^(@_exported |@testable )?import Covenant[A-Za-z]*$/d' {} + || return 1
}

# Can this toolchain link a libFuzzer + ASan binary at all? If not, fuzzing is skipped.
probe_fuzzer() {
  [[ -n ${FUZZ_PROBED:-} ]] && return 0
  mkdir -p "$OUT/probe"
  rm -f "$OUT/probe/probe"
  cat >"$OUT/probe/probe.swift" <<'EOF'
@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ d: UnsafePointer<UInt8>, _ n: Int) -> CInt { 0 }
EOF
  if ! "$SWIFTC" -sanitize=fuzzer,address -parse-as-library "$OUT/probe/probe.swift" \
    -o "$OUT/probe/probe" >"$OUT/probe/log.txt" 2>&1; then
    echo "fuzz.sh: libFuzzer is unavailable: \`$SWIFTC -sanitize=fuzzer,address\` cannot build a fuzz binary" >&2
    sed 's/^/  | /' "$OUT/probe/log.txt" | grep -v 'Cannot export local symbol' | tail -n 8 >&2
    echo "fuzz.sh: skipped"
    exit 0
  fi
  FUZZ_PROBED=1
}

generate_support() {
  mkdir -p "$OUT/gen"
  [[ -f $EXAMPLE_COVENANT ]] || die "missing $EXAMPLE_COVENANT (the json target's schema)"
  local b64 tmp="$OUT/gen/FuzzEmbedded.swift.$$"
  b64=$(base64 -w0 "$EXAMPLE_COVENANT")
  {
    echo "// Generated by scripts/fuzz.sh from examples/us-japan-fund/covenant.cov; do not edit."
    echo "let fuzzEmbeddedCovenantBase64 = \"$b64\""
  } >"$tmp"
  if cmp -s "$tmp" "$OUT/gen/FuzzEmbedded.swift"; then rm -f "$tmp"; else mv -f "$tmp" "$OUT/gen/FuzzEmbedded.swift"; fi
}

build() {
  local target=$1
  is_target "$target" || die "unknown target \`$target\` (targets: ${TARGETS[*]})"
  [[ -f "$ROOT/Fuzz/$target.swift" ]] || die "missing Fuzz/$target.swift"
  probe_fuzzer
  generate_support
  # Compile a snapshot of the sources: other work may be editing them while the build runs.
  local src="$OUT/src-$target" sources=() defines=()
  rm -rf "$src" && mkdir -p "$src"
  copy_library "$src" || die "cannot copy the library's sources"
  while IFS= read -r f; do sources+=("$f"); done < <(find "$src" -name '*.swift' | LC_ALL=C sort)
  # Helpers shared by the targets (Fuzz/support/): section splitting, data loading.
  while IFS= read -r f; do sources+=("$f"); done < <(find "$ROOT/Fuzz/support" -name '*.swift' 2>/dev/null | LC_ALL=C sort)
  # The formatter is optional: build its idempotence check only when `Formatter.format` exists.
  if grep -Eqs 'static func format\(_ [A-Za-z_]+: SourceFile\)' "$src/CovenantFormatting/Formatter.swift"; then
    defines+=(-D COVENANT_HAVE_FORMATTER)
  fi
  local bin="$OUT/fuzz-$target$SUFFIX" stamp="$OUT/fuzz-$target$SUFFIX.stamp" key
  local flags=(-sanitize=fuzzer,address -parse-as-library "$OPT" -g -swift-version 6
    -module-name CovenantKit -package-name covenant "${defines[@]}")
  key=$({ echo "${flags[*]}"; cat "${sources[@]}" "$ROOT/Fuzz/$target.swift" "$OUT/gen/FuzzEmbedded.swift"; } | sha256sum | cut -d' ' -f1)
  if [[ -x $bin && -f $stamp && $(cat "$stamp") == "$key" ]]; then
    echo "fuzz.sh: $target: up to date (.build-fuzz/fuzz-$target$SUFFIX)"
    return 0
  fi
  echo "fuzz.sh: $target: building with ${flags[*]} (${#sources[@]} sources${defines:+, formatter check on})" >&2
  local start=$SECONDS
  if ! "$SWIFTC" "${flags[@]}" "${sources[@]}" "$OUT/gen/FuzzEmbedded.swift" "$ROOT/Fuzz/$target.swift" \
    -o "$bin.tmp" >"$OUT/build-$target.log" 2>&1; then
    grep -v 'Cannot export local symbol' "$OUT/build-$target.log" | tail -n 40 >&2
    if grep -qiE 'sanitizer|libclang_rt|fuzzer' "$OUT/build-$target.log" && ! grep -q 'error:.*\.swift' "$OUT/build-$target.log"; then
      echo "fuzz.sh: libFuzzer is unavailable for this build: skipped"
      exit 0
    fi
    die "$target: build failed (log: .build-fuzz/build-$target.log)"
  fi
  mv "$bin.tmp" "$bin"
  echo "$key" >"$stamp"
  echo "fuzz.sh: $target: built in $((SECONDS - start))s"
}

# One binary holding every target, for the smoke: the library is compiled once instead of once per
# target. Each Fuzz/TARGET.swift is copied with its entry point renamed `fuzzTarget_TARGET`, and a
# generated dispatcher calls the one named by COVENANT_FUZZ_TARGET.
build_multi() {
  probe_fuzzer
  generate_support
  local src="$OUT/src-multi" sources=() defines=() t
  rm -rf "$src" && mkdir -p "$src/lib" "$src/targets"
  copy_library "$src/lib" || die "cannot copy the library's sources"
  grep -Eqs 'static func format\(_ [A-Za-z_]+: SourceFile\)' "$src/lib/CovenantFormatting/Formatter.swift" && defines+=(-D COVENANT_HAVE_FORMATTER)
  {
    echo "// Generated by scripts/fuzz.sh: dispatches to the target named by COVENANT_FUZZ_TARGET."
    echo "#if canImport(Glibc)"
    echo "  import Glibc"
    echo "#elseif canImport(Darwin)"
    echo "  import Darwin"
    echo "#endif"
    echo 'private let fuzzSelected = getenv("COVENANT_FUZZ_TARGET").map { String(cString: $0) } ?? ""'
    echo '@_cdecl("LLVMFuzzerTestOneInput")'
    echo 'public func fuzzDispatch(_ d: UnsafePointer<UInt8>, _ n: Int) -> CInt {'
    echo '  switch fuzzSelected {'
    for t in "${TARGETS[@]}"; do echo "  case \"$t\": return fuzzTarget_$t(d, n)"; done
    echo '  default: fatalError("COVENANT_FUZZ_TARGET names no target: \(fuzzSelected)")'
    echo '  }'
    echo '}'
  } >"$src/targets/Dispatch.swift"
  for t in "${TARGETS[@]}"; do
    sed -e '/^@_cdecl("LLVMFuzzerTestOneInput")$/d' -e "s/^public func fuzz(/func fuzzTarget_$t(/" \
      "$ROOT/Fuzz/$t.swift" >"$src/targets/$t.swift"
    grep -q "^func fuzzTarget_$t(" "$src/targets/$t.swift" || die "Fuzz/$t.swift: no \`public func fuzz(\` entry point"
  done
  while IFS= read -r f; do sources+=("$f"); done < <(find "$src" -name '*.swift' | LC_ALL=C sort)
  while IFS= read -r f; do sources+=("$f"); done < <(find "$ROOT/Fuzz/support" -name '*.swift' 2>/dev/null | LC_ALL=C sort)
  local bin="$OUT/fuzz-multi$SUFFIX" stamp="$OUT/fuzz-multi$SUFFIX.stamp" key
  local flags=(-sanitize=fuzzer,address -parse-as-library "$OPT" -g -swift-version 6
    -module-name CovenantKit -package-name covenant "${defines[@]}")
  key=$({ echo "${flags[*]}"; cat "${sources[@]}" "$OUT/gen/FuzzEmbedded.swift"; } | sha256sum | cut -d' ' -f1)
  if [[ -x $bin && -f $stamp && $(cat "$stamp") == "$key" ]]; then
    echo "fuzz.sh: every target: up to date (.build-fuzz/fuzz-multi$SUFFIX)"
    return 0
  fi
  echo "fuzz.sh: every target: building one binary with ${flags[*]}" >&2
  local start=$SECONDS
  if ! "$SWIFTC" "${flags[@]}" "${sources[@]}" "$OUT/gen/FuzzEmbedded.swift" -o "$bin.tmp" >"$OUT/build-multi.log" 2>&1; then
    grep -v 'Cannot export local symbol' "$OUT/build-multi.log" | tail -n 40 >&2
    if grep -qiE 'sanitizer|libclang_rt|fuzzer' "$OUT/build-multi.log" && ! grep -q 'error:.*\.swift' "$OUT/build-multi.log"; then
      echo "fuzz.sh: libFuzzer is unavailable for this build: skipped"
      exit 0
    fi
    die "build of every target failed (log: .build-fuzz/build-multi.log)"
  fi
  mv "$bin.tmp" "$bin"
  echo "$key" >"$stamp"
  echo "fuzz.sh: every target: built in $((SECONDS - start))s"
}

# MARK: - corpus

seed_files() { # EXT...: seed files under examples/ and the golden files, at most 64 KiB each
  local pattern=() ext
  for ext in "$@"; do pattern+=(-o -name "*.$ext"); done
  find "$ROOT/examples" "$ROOT/Tests/CovenantKitTests/Golden" -type f -size -65k \( "${pattern[@]:1}" \) 2>/dev/null | LC_ALL=C sort
}

copy_seed() { # FILE DIR: store under a content name so reseeding never duplicates
  local h
  h=$(sha1sum "$1" | cut -c1-16)
  cp "$1" "$2/seed-$h"
}

write_evaluate_seeds() {
  local dir=$1 n=0 cov snap deal tmp="$OUT/gen/seed.$$.tmp"
  while IFS= read -r cov; do
    snap="$(dirname "$cov")/portfolio.json"
    [[ -f $snap ]] || continue
    { cat "$cov"; printf '\n----\n'; cat "$snap"; } >"$tmp" && copy_seed "$tmp" "$dir" && n=$((n + 1))
    for deal in "$(dirname "$cov")"/deals/*.json; do
      [[ -f $deal ]] || continue
      { cat "$cov"; printf '\n----\n'; cat "$snap"; printf '\n----\n'; cat "$deal"; } >"$tmp" && copy_seed "$tmp" "$dir" && n=$((n + 1))
    done
  done < <(find "$ROOT/examples" -name '*.cov' -type f | LC_ALL=C sort)
  # A small covenant exercising every clause form, so mutations stay fast to evaluate.
  cat >"$tmp" <<'EOF'
covenant "Seed Fund" version 2026-01-01
base currency USD
party a "A" weight 50% class sponsor
party b "B" weight 30% class sponsor
party c "C" weight 20% class other
kind sector = power | logistics | ai
record holding
  id       : text
  sector   : sector
  domicile : country
  value    : money
  debt     : money optional default $0
data fund from snapshot
  as_of    : date
  equity   : money
  debt     : money
  holdings : list of holding
data deal from deal
  id       : text
  sector   : sector
  domicile : country
  amount   : money
  debt     : money default $0
  tenor    : duration
pro forma: deal joins holdings with id = deal.id, sector = deal.sector, domicile = deal.domicile, value = deal.amount, debt = deal.debt
define nav = sum of holdings.value
§1 "Sectors"
  every holding in holdings: holding.sector in [power, logistics]
§2 "Cap"
  for each sector:
    share of holdings.value where sector = that sector <= 40%
  warn above 90% of the limit
  waivable by a and b
§3 "Leverage"
  fund.debt + sum of holdings.debt <= 2.0x fund.equity
§4 "Size"
  applies when deal.amount > $1 million
  approved by a and b
§5 "Votes"
  votes in favour >= 2/3 of votes cast, quorum 50% of voting power
§6 "Tenor"
  effective from 2026-01-01
  deal.tenor <= 10 years
----
{"as_of": "2026-06-30", "equity": 1000, "debt": 100, "holdings": [
 {"id": "h1", "sector": "power", "domicile": "US", "value": 300},
 {"id": "h2", "sector": "logistics", "domicile": "JP", "value": "250.50", "debt": 40},
 {"id": "h3", "sector": "ai", "domicile": "US", "value": {"amount": 100, "currency": "USD"}}]}
----
{"id": "d1", "sector": "power", "domicile": "US", "amount": 2000000, "tenor": "5 years",
 "votes": {"a": "for", "b": "against", "c": "abstain"}, "approvals": ["a", "b"],
 "waivers": [{"clause": "§2", "approved_by": ["a", "b"], "expires": "2027-01-01"}]}
EOF
  copy_seed "$tmp" "$dir" && n=$((n + 1))
  rm -f "$tmp"
  echo "$n"
}

write_exact_seeds() {
  local dir=$1 n=0 line tmp="$OUT/gen/seed.$$.tmp"
  while IFS= read -r line; do
    printf '%s\n' "$line" >"$tmp" && copy_seed "$tmp" "$dir" && n=$((n + 1))
  done <<'EOF'
0.1 0.2 0.3 -0.3
1/3 2/3 66.6 2/3
170141183460469231731687303715884105727 1 -170141183460469231731687303715884105728 -1
340282366920938463463374607431768211457/3 1e38 -1e-38 5e-39
12.345 -12.345 0.5 -0.5 1.5 2.5 -2.5
1e60 1e-60 123456789012345678901234567890.123456789 7/1e30
+0 -0 00012.5000 1E+3 9.999999999999999999999999999999999999999e37
EOF
  rm -f "$tmp"
  echo "$n"
}

write_json_dict() {
  cat >"$OUT/gen/json.dict.$$" <<'EOF'
# Generated by scripts/fuzz.sh: JSON syntax and the example covenant's data keys.
j1="{"
j2="}"
j3="["
j4="]"
j5=":"
j6=","
j7="\""
j8="true"
j9="false"
j10="null"
j11="\\u0000"
j12="\\ud800"
j13="\\udc00"
j14="\\n"
j15="-0"
j16="1e400"
j17="0.0000000000000000000000000000000000000001"
j18="\xEF\xBB\xBF"
j19="\"NaN\""
j20="\"USD\""
j21="\"JPY 4500000000\""
j22="\"2026-09-30\""
j23="\"25 years\""
j24="\"for\""
j25="\"against\""
j26="\"abstain\""
j27="\"\xC2\xA74.2(a)\""
j28="\"amount\""
j29="\"currency\""
j30="\"fund\""
j31="\"equity\""
j32="\"debt\""
j33="\"nav_date\""
j34="\"positions\""
j35="\"market_value\""
j36="\"sector\""
j37="\"domicile\""
j38="\"issuer\""
j39="\"id\""
j40="\"target\""
j41="\"project_value\""
j42="\"tranches\""
j43="\"spread_bps\""
j44="\"tenor\""
j45="\"votes\""
j46="\"approvals\""
j47="\"conflicted\""
j48="\"waivers\""
j49="\"clause\""
j50="\"approved_by\""
j51="\"expires\""
j52="\"voting_power\""
j53="\"treasury\""
j54="\"mof\""
j55="\"power\""
j56="\"US\""
j57="\"name\""
j58="\"party\""
j59="\"vote\""
EOF
  mv -f "$OUT/gen/json.dict.$$" "$OUT/gen/json.dict"
}

seed_corpus() { # TARGET [DIR]
  local target=$1
  local dir=${2:-$OUT/corpus-$target} n=0 f
  mkdir -p "$dir"
  if [[ -n $(ls -A "$dir" 2>/dev/null) ]]; then
    echo "fuzz.sh: $target: corpus has $(ls "$dir" | wc -l) inputs (${dir#"$ROOT"/})"
    return
  fi
  case $target in
  covenant) while IFS= read -r f; do copy_seed "$f" "$dir"; n=$((n + 1)); done < <(seed_files cov) ;;
  json | jsonroundtrip) while IFS= read -r f; do copy_seed "$f" "$dir"; n=$((n + 1)); done < <(seed_files json) ;;
  evaluate | fmt | columnar) n=$(write_evaluate_seeds "$dir") ;;
  exact) n=$(write_exact_seeds "$dir") ;;
  esac
  # The corpus kept in the repository (grown by `scripts/fuzz.sh accumulate`).
  if [[ -d $ROOT/Fuzz/corpus/$target ]]; then
    for f in "$ROOT/Fuzz/corpus/$target"/*; do [[ -f $f ]] && cp "$f" "$dir/" && n=$((n + 1)); done
  fi
  echo "fuzz.sh: $target: seeded the corpus with $n inputs from examples/, Golden/ and Fuzz/corpus/$target/"
}

dict_for() {
  write_json_dict
  case $1 in
  covenant) echo "$ROOT/Fuzz/covenant.dict" ;;
  json | jsonroundtrip) echo "$OUT/gen/json.dict" ;;
  exact)
    printf '%s\n' 'e1="e"' 'e2="E-"' 'e3="e+"' 'e4="."' 'e5="/"' 'e6="-"' 'e7=" "' 'e8="170141183460469231731687303715884105727"' \
      'e9="340282366920938463463374607431768211456"' 'e10="0.5"' 'e11="1e38"' 'e12="1e-38"' 'e13="00000"' 'e14="99999999999999999999"' \
      >"$OUT/gen/exact.dict"
    echo "$OUT/gen/exact.dict"
    ;;
  evaluate | fmt | columnar)
    cat "$ROOT/Fuzz/covenant.dict" "$OUT/gen/json.dict" >"$OUT/gen/evaluate.dict.$$" &&
      mv -f "$OUT/gen/evaluate.dict.$$" "$OUT/gen/evaluate.dict"
    echo "$OUT/gen/evaluate.dict"
    ;;
  esac
}

# MARK: - run

findings() { ls "$OUT/crashes-$1" 2>/dev/null | grep -E '^(crash|timeout|oom|leak)-' | LC_ALL=C sort || true; }

fuzz_target() {
  local target=$1 seconds=$2
  shift 2
  build "$target"
  seed_corpus "$target"
  local crashes="$OUT/crashes-$target" log="$OUT/log-$target.txt" dict before after rc new
  mkdir -p "$crashes"
  dict=$(dict_for "$target")
  before=$(findings "$target")
  echo "fuzz.sh: $target: fuzzing for ${seconds}s (log: .build-fuzz/log-$target.txt)"
  (cd "$OUT" && "$OUT/fuzz-$target" "$OUT/corpus-$target" \
    -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$crashes/" \
    -dict="$dict" -timeout=25 -rss_limit_mb=4096 -detect_leaks=0 "$@") >"$log" 2>&1
  rc=$?
  after=$(findings "$target")
  new=$(comm -13 <(echo "$before") <(echo "$after") | sed '/^$/d')
  # libFuzzer's last status line carries the coverage (cov: edges, ft: features).
  local last execs rate
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  echo "fuzz.sh: $target: ${execs:-?} executions (${rate:-?}/s); final: ${last:-no status line}"
  grep -E '^stat::' "$log" | sed 's/^/  /'
  if [[ -n $new || ($rc -ne 0 && $rc -ne 130) ]]; then
    echo "fuzz.sh: $target: FOUND A CRASH (libFuzzer exit $rc)"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|Fatal error|.*Fatal error:|.*Precondition failed|.*fatal error)' "$log" | head -n 5 | sed 's/^/  /'
    local f
    for f in $new; do echo "  .build-fuzz/crashes-$target/$f"; done
    echo "  reproduce: scripts/fuzz.sh repro $target FILE; minimise: scripts/fuzz.sh minimize $target FILE"
    return 1
  fi
  return 0
}

# Folds what a run found into the corpus kept in the repository, Fuzz/corpus/TARGET/: libFuzzer's
# merge keeps only inputs that add coverage over the repository's corpus, then the result is cut
# to the smallest $CORPUS_MAX files (at most 16 KiB each), named by content.
CORPUS_MAX=${FUZZ_CORPUS_MAX:-40}
merge_corpus() {
  local t=$1 keep="$ROOT/Fuzz/corpus/$t" tmp="$OUT/merge-$t" f h
  mkdir -p "$keep"
  rm -rf "$tmp" && mkdir -p "$tmp"
  (cd "$OUT" && COVENANT_FUZZ_TARGET=$t "${MERGE_BIN:-$OUT/fuzz-$t}" -merge=1 -timeout=25 -rss_limit_mb=4096 -detect_leaks=0 -max_len=16384 \
    "$tmp" "$keep" "$OUT/corpus-$t") >"$OUT/merge-$t.log" 2>&1 || { echo "fuzz.sh: $t: merge failed (.build-fuzz/merge-$t.log)"; return 1; }
  rm -f "$keep"/*
  while IFS= read -r f; do
    h=$(sha1sum "$f" | cut -c1-16)
    cp "$f" "$keep/$h"
  done < <(find "$tmp" -type f -size -17k -printf '%s %p\n' | LC_ALL=C sort -n | head -n "$CORPUS_MAX" | cut -d' ' -f2-)
  echo "fuzz.sh: $t: Fuzz/corpus/$t/ now holds $(ls "$keep" | wc -l) inputs"
}

# A smoke for CI: every target, a fresh corpus seeded from the repository, a fixed seed and a
# fixed number of runs, so its length does not depend on the machine's speed and a crash it finds
# can be replayed. (Runs are near-identical, not identical: the intern tables hash with a random
# seed.) Built at -Onone unless FUZZ_OPT says otherwise: it builds in a quarter of the time, and
# the smoke is about reaching the code paths, not speed.
smoke() {
  local runs=$1 t status=0 dir log rc
  # Swift seeds its hashing per process; fixed, the coverage feedback varies less between runs.
  export SWIFT_DETERMINISTIC_HASHING=1
  if [[ -z ${FUZZ_OPT:-} ]]; then OPT=-Onone; SUFFIX=-onone; fi
  build_multi || return 2
  # CI runs the crash targets; the differential ones (exact, fmt, jsonroundtrip, columnar) join
  # with COVENANT_FUZZ_SMOKE_ALL=1 until their smoke length is measured and fmt's open finding
  # (a report quotes `$0 billion` as written, `$0` once formatted) is decided.
  local targets=(covenant json evaluate)
  if [[ ${COVENANT_FUZZ_SMOKE_ALL:-0} == 1 ]]; then targets=("${TARGETS[@]}"); fi
  for t in "${targets[@]}"; do
    dir="$OUT/smoke-corpus-$t" log="$OUT/smoke-log-$t.txt"
    rm -rf "$dir" && mkdir -p "$dir" "$OUT/smoke-crashes-$t"
    seed_corpus "$t" "$dir" >/dev/null
    local start=$SECONDS
    # The differential targets run two or more pipelines an input: a quarter of the runs.
    local n=$runs
    case $t in exact | fmt | columnar) n=$((runs / 4)) ;; esac
    (cd "$OUT" && COVENANT_FUZZ_TARGET=$t "$OUT/fuzz-multi$SUFFIX" "$dir" -runs="$n" -seed=1 -max_total_time=300 -timeout=25 \
      -rss_limit_mb=4096 -detect_leaks=0 -dict="$(dict_for "$t")" -artifact_prefix="$OUT/smoke-crashes-$t/" \
      -print_final_stats=1) >"$log" 2>&1
    rc=$?
    echo "fuzz.sh: smoke $t: $(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1) runs in $((SECONDS - start))s, $(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+')"
    if [[ $rc -ne 0 ]]; then
      echo "fuzz.sh: smoke $t: FOUND A CRASH (libFuzzer exit $rc; log .build-fuzz/smoke-log-$t.txt)"
      grep -E '^(==[0-9]+==ERROR|SUMMARY)|Fatal error|Precondition failed' "$log" | head -n 5 | sed 's/^/  /'
      ls "$OUT/smoke-crashes-$t" | sed 's/^/  .build-fuzz\/smoke-crashes-'"$t"'\//'
      status=1
    fi
  done
  return $status
}

# Sums Fuzz/volume.tsv by target. The rate is over the runs that recorded their CPU time.
totals() {
  local record="$ROOT/Fuzz/volume.tsv"
  [[ -f $record ]] || die "no Fuzz/volume.tsv yet (scripts/fuzz.sh volume SECONDS records it)"
  awk -F'\t' '
    NR == 1 { next }
    { n[$3] += $6; if ($5 != "?") { cpu[$3] += $5; timed[$3] += $6 }
      if ($7 != "?") { cov[$3] = $7; ft[$3] = $8 }
      if ($9 ~ /^crash/) bad[$3]++ }
    END {
      printf "%-14s %12s %9s %8s %7s %9s %7s\n", "target", "executions", "CPU h", "exec/s", "edges", "features", "crashes"
      for (t in n) printf "%-14s %12d %9.2f %8s %7s %9s %7d\n", t, n[t], cpu[t] / 3600,
        (cpu[t] > 0 ? sprintf("%.0f", timed[t] / cpu[t]) : "?"), cov[t], ft[t], bad[t]
    }' "$record" | { IFS= read -r head; echo "$head"; LC_ALL=C sort; }
}

cmd=${1:-}
case $cmd in
totals) totals; exit 0 ;;
smoke)
  runs=${2:-2000}
  [[ $runs =~ ^[0-9]+$ ]] || die "usage: scripts/fuzz.sh smoke [RUNS]"
  smoke "$runs"
  exit $?
  ;;
"" | -h | --help | help) usage; exit 0 ;;
list) printf '%s\n' "${TARGETS[@]}"; exit 0 ;;
build)
  [[ $# -eq 2 ]] || die "usage: scripts/fuzz.sh build TARGET"
  build "$2"
  ;;
repro)
  [[ $# -ge 3 ]] || die "usage: scripts/fuzz.sh repro TARGET FILE..."
  build "$2" >&2
  t=$2; shift 2
  "$OUT/fuzz-$t" -runs=1 "$@"
  ;;
minimize | minimise)
  [[ $# -ge 3 ]] || die "usage: scripts/fuzz.sh minimize TARGET CRASH [SECONDS]"
  build "$2" >&2
  t=$2 crash=$3 secs=${4:-60}
  [[ -f $crash ]] || die "no such file: $crash"
  mkdir -p "$OUT/crashes-$t"
  "$OUT/fuzz-$t" -minimize_crash=1 -max_total_time="$secs" -timeout=25 -rss_limit_mb=4096 -detect_leaks=0 \
    -exact_artifact_path="$OUT/crashes-$t/minimized-$(basename "$crash")" "$crash" 2>&1 | tail -n 5
  echo "fuzz.sh: minimized input: .build-fuzz/crashes-$t/minimized-$(basename "$crash")"
  ;;
volume)
  [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "usage: scripts/fuzz.sh volume SECONDS [TARGET...]"
  secs=$2; shift 2
  targets=("$@")
  [[ ${#targets[@]} -eq 0 ]] && targets=("${TARGETS[@]}")
  for t in "${targets[@]}"; do is_target "$t" || die "unknown target \`$t\` (targets: ${TARGETS[*]})"; done
  build_multi || exit 2
  status=0
  record="$ROOT/Fuzz/volume.tsv"
  [[ -f $record ]] || printf 'date\tcommit\ttarget\tseconds\tcpu_seconds\texecutions\tedges\tfeatures\tresult\n' >"$record"
  commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  for t in "${targets[@]}"; do
    seed_corpus "$t"
    crashes="$OUT/crashes-$t" log="$OUT/log-$t.txt"
    mkdir -p "$crashes"
    before=$(findings "$t")
    echo "fuzz.sh: $t: fuzzing for ${secs}s with the -O binary of every target (log: .build-fuzz/log-$t.txt)"
    # CPU seconds as well as wall: on the shared cores the rate a second of wall time says little.
    rm -f "$OUT/time-$t.txt"
    timer=()
    [[ -x /usr/bin/time ]] && timer=(/usr/bin/time -f '%U %S' -o "$OUT/time-$t.txt")
    (cd "$OUT" && COVENANT_FUZZ_TARGET=$t "${timer[@]}" "$OUT/fuzz-multi" "$OUT/corpus-$t" -max_total_time="$secs" \
      -print_final_stats=1 -artifact_prefix="$crashes/" -dict="$(dict_for "$t")" -timeout=25 \
      -rss_limit_mb=4096 -detect_leaks=0) >"$log" 2>&1
    rc=$?
    new=$(comm -13 <(echo "$before") <(findings "$t") | sed '/^$/d')
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | cut -d' ' -f2) ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | cut -d' ' -f2)
    result=clean
    if [[ -n $new || ($rc -ne 0 && $rc -ne 130) ]]; then
      result="crash:$(echo $new | tr ' ' ',')"
      status=1
      echo "fuzz.sh: $t: FOUND A CRASH (libFuzzer exit $rc): $new"
      grep -E '^(==[0-9]+==ERROR|SUMMARY)|Fatal error|Precondition failed' "$log" | head -n 5 | sed 's/^/  /'
    fi
    cpu=$(awk 'END { printf "%.0f", $1 + $2 }' "$OUT/time-$t.txt" 2>/dev/null)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$commit" "$t" "$secs" "${cpu:-?}" \
      "${execs:-0}" "${cov:-?}" "${ft:-?}" "$result" >>"$record"
    echo "fuzz.sh: $t: ${execs:-?} executions, cov ${cov:-?}, ft ${ft:-?}: $result"
    MERGE_BIN="$OUT/fuzz-multi" merge_corpus "$t" || status=1
  done
  totals
  exit $status
  ;;
accumulate)
  [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "usage: scripts/fuzz.sh accumulate SECONDS [libFuzzer args]"
  secs=$2; shift 2
  status=0
  for t in "${TARGETS[@]}"; do
    fuzz_target "$t" "$secs" "$@" || status=1
    merge_corpus "$t" || status=1
  done
  exit $status
  ;;
all)
  [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "usage: scripts/fuzz.sh all SECONDS [libFuzzer args]"
  secs=$2; shift 2
  status=0
  for t in "${TARGETS[@]}"; do fuzz_target "$t" "$secs" "$@" || status=1; done
  exit $status
  ;;
*)
  is_target "$cmd" || { usage >&2; die "unknown target \`$cmd\` (targets: ${TARGETS[*]}, or all)"; }
  [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "usage: scripts/fuzz.sh $cmd SECONDS [libFuzzer args]"
  t=$1 secs=$2; shift 2
  fuzz_target "$t" "$secs" "$@"
  exit $?
  ;;
esac
