#!/usr/bin/env bash
# Times two builds of `cgan` against each other on this machine, alternating (ROUNDS times each), so a change's
# effect on speed is measured within one run on one machine. Prints one line per bench: model, build,
# median images/s, GFLOP/s, fraction of the 2048² peak, whether every window was noisy.
#
#   Scripts/compare-builds.sh /tmp/cgan-before/cgan .build/release/cgan
#
# Settings (environment): ARCHS="paper mlp mlp-bn dcgan" THREADS=2 ROUNDS=2 STEPS=150 REPEATS=2
set -euo pipefail
[ $# -eq 2 ] && [ -x "$1" ] && [ -x "$2" ] || { echo "usage: $0 BEFORE_CGAN AFTER_CGAN (two executables)" >&2; exit 1; }
for arch in ${ARCHS:-paper mlp mlp-bn dcgan}; do
  for round in $(seq "${ROUNDS:-2}"); do
    for build in before after; do
      bin=$1; [ "$build" = after ] && bin=$2
      "$bin" bench --arch "$arch" --threads "${THREADS:-2}" --steps "${STEPS:-150}" --repeats "${REPEATS:-2}" 2>/dev/null | tail -n 1 \
        | python3 -c 'import json, sys
r = json.load(sys.stdin)
print(sys.argv[1], sys.argv[2], round(r["medianImagesPerSecond"]), round(r["gflopsPerSecond"], 1), round(r["fractionOfSquarePeak"], 2), "noisy" if r["allWindowsNoisy"] else "clean")' "$arch" "$build"
    done
  done
done
