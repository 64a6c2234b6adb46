#!/usr/bin/env bash
# Times real training (not `cgan bench`'s reference model) in fp32 against bf16 on this machine, alternating,
# so the model as `cgan train --arch A` builds it by default is what is timed. Each round trains one short
# epoch per precision into a temporary directory and prints the mean images/s of the logged windows after
# step 100 (the first ones include oneDNN's set-up). bf16 needs AVX512_BF16 or AMX (`cgan info`).
#
#   Scripts/compare-training-precisions.sh .build/release/cgan ../shared/data/mnist [cgan train options]
#
# Options after the data directory go to every `cgan train` (e.g. --batch-size 32 --lr 0.0008).
#
# Settings (environment): ARCH=dcgan THREADS=2 ROUNDS=2 IMAGES=19200
set -euo pipefail
[ $# -ge 2 ] && [ -x "$1" ] && [ -d "$2" ] || { echo "usage: $0 CGAN DATA_DIR [cgan train options] (an executable, a directory of MNIST's IDX files)" >&2; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for round in $(seq "${ROUNDS:-2}"); do
  for precision in fp32 bf16; do
    out=$work/$precision-$round
    "$1" train --arch "${ARCH:-dcgan}" --threads "${THREADS:-2}" --precision "$precision" --epochs 1 \
      --train-limit "${IMAGES:-19200}" --eval-every 0 --quality-every 0 --log-every 50 --data-dir "$2" --out "$out" "${@:3}" > "$out.log" 2>&1 \
      || { echo "$precision round $round: cgan train failed:" >&2; tail -n 1 "$out.log" >&2; exit 1; }
    awk -F, -v p="$precision" -v r="$round" 'NR > 1 && $1 > 100 { s += $9; n++ }
      END { if (n == 0) { print p " round " r ": no window after step 100 (raise IMAGES)"; exit 1 }
            printf "%s round %d: %.0f images/s (%d windows)\n", p, r, s / n, n }' "$out/metrics.csv"
  done
done
