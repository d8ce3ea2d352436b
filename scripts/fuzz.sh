#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ with the fuzzer and address sanitizers, replays every saved
# failure in Fuzz/FailCases/<target>/ (regressions), then fuzzes each target for SECONDS (default 30)
# from the committed seed corpus in Fuzz/Corpus/. A crash, hang, leak or broken invariant saves its input
# to Fuzz/FailCases/<target>/ (commit it, fix the cause: it is replayed on every run from then on) and
# fails the run.
#
#   scripts/fuzz.sh            # bounded, as CI runs it
#   scripts/fuzz.sh 3600       # an hour per target
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-30}
# -sanitize=fuzzer,address as one flag (SwiftPM's two --sanitize flags leave the compiled code without
# coverage); lld, because gold fails on libFuzzer's objects.
(cd Fuzz && swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld 2>&1 | grep -E "error|Build" | tail -3) || true
BIN=Fuzz/.build/debug
failed=0
for target in FuzzBatch:batch FuzzConfig:config; do
  name=${target%%:*}; folder=${target##*:}
  if [ ! -x "$BIN/$name" ]; then echo "fuzz: $name did not build"; exit 1; fi
  cases=(Fuzz/FailCases/$folder/*)
  if [ -e "${cases[0]}" ]; then
    if "$BIN/$name" -rss_limit_mb=2048 "${cases[@]}" </dev/null >"/tmp/vigil-fuzz-$name-regressions.log" 2>&1; then
      echo "fuzz: $name replays ${#cases[@]} saved failure(s) without failing"
    else
      echo "fuzz: $name FAILS a saved failure again"; tail -30 "/tmp/vigil-fuzz-$name-regressions.log"; failed=1
    fi
  fi
  corpus=$(mktemp -d /tmp/vigil-fuzz-corpus.XXXXXX)
  artifacts=$(mktemp -d /tmp/vigil-fuzz-artifacts.XXXXXX)
  log=/tmp/vigil-fuzz-$name.log
  "$BIN/$name" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$artifacts/" "$corpus" "Fuzz/Corpus/$folder" </dev/null >"$log" 2>&1
  status=$?
  runs=$(grep -oE '^Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' || echo 0)
  coverage=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
  found=$(ls "$artifacts" | wc -l)
  echo "fuzz: $name ran ${runs} inputs in ${SECONDS_PER_TARGET}s ($coverage, corpus $(ls "$corpus" | wc -l) new), exit $status, findings $found"
  if [ "$status" -ne 0 ] || [ "$found" -gt 0 ]; then
    failed=1
    mkdir -p "Fuzz/FailCases/$folder"
    cp "$artifacts"/* "Fuzz/FailCases/$folder/" 2>/dev/null
    grep -A25 -E "ERROR|Fatal error|precondition" "$log" | head -40
    echo "fuzz: inputs saved in Fuzz/FailCases/$folder/"
  fi
  rm -rf "$corpus" "$artifacts"
done
[ "$failed" -eq 0 ]
