#!/usr/bin/env bash
# Fuzz the parsers of untrusted files with libFuzzer: safetensors checkpoints, IDX (gzip or raw) and the
# config JSON. Usage: Scripts/fuzz.sh [runs per target, default 1000000] [targets...]
# Seeds come from Fuzz/Corpus/<target>/; inputs that crash are written to Fuzz/Crashes/ (commit them:
# the test suite replays every file there and in the corpus).
set -euo pipefail
cd "$(dirname "$0")/../Fuzz"
RUNS=${1:-1000000}
shift || true
TARGETS=${*:-"safetensors idx config"}
swift build -c release --sanitize fuzzer
BIN=$(swift build -c release --sanitize fuzzer --show-bin-path)
mkdir -p Crashes
for t in $TARGETS; do
    case $t in safetensors) exe=FuzzSafeTensors;; idx) exe=FuzzIDX;; config) exe=FuzzConfig;; *) echo "unknown target $t"; exit 2;; esac
    work=$(mktemp -d)
    "$BIN/$exe" "$work" "Corpus/$t" -runs="$RUNS" -max_len=4096 -timeout=10 -rss_limit_mb=4096 \
        -artifact_prefix="Crashes/$t-" -print_final_stats=1 2>&1 | grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)|ERROR|SUMMARY" || true
    rm -rf "$work"
done
