#!/usr/bin/env bash
# Time to quality: trains the dcgan once per seed with --stop-at-goal and prints, per seed, the epoch and the
# training minutes at which the quality goal (label accuracy >= 0.99, FID <= 1.8x the classifier's floor, as
# `cgan evaluate` scores them) was first met, with the figures of that epoch; "not met" rows give the last
# epoch's. Runs one seed at a time on all of --threads, so the minutes are wall time on this machine.
# Resumable: a finished seed is skipped, an interrupted one continues from its latest checkpoint.
#
#   Scripts/time-to-quality.sh runs/ttq [cgan train options, e.g. --epochs 12 --batch-size 32]
#
# Settings (environment): CGAN=.build/release/cgan SEEDS="1 2 3" THREADS=2 DATA_DIR=(cgan's default lookup)
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 OUT_DIR [cgan train options]" >&2; exit 1; }
out=$1; shift
cgan=${CGAN:-.build/release/cgan}
[ -x "$cgan" ] || { echo "$0: no executable at $cgan (swift build -c release, or set CGAN)" >&2; exit 1; }
data=(); [ -n "${DATA_DIR:-}" ] && data=(--data-dir "$DATA_DIR")
mkdir -p "$out"
# The evaluation classifier is trained (once per machine) before any clock starts.
"$cgan" classifier train "${data[@]}"
for seed in ${SEEDS:-1 2 3}; do
  run="$out/seed-$seed"
  [ -f "$run/finished" ] || [ -f "$run/failed" ] && continue
  resume=(--arch dcgan --seed "$seed"); [ -f "$run/checkpoints/latest.safetensors" ] && resume=(--resume)
  if "$cgan" train "${resume[@]}" --out "$run" --threads "${THREADS:-2}" "${data[@]}" --stop-at-goal --eval-every 0 "$@"; then
    touch "$run/finished"
  else
    echo "$0: seed $seed failed (exit $?); the others go on" >&2
    touch "$run/failed"
  fi
done
echo "seed | epochs to the goal | training minutes | label accuracy | FID / floor"
for seed in ${SEEDS:-1 2 3}; do
  python3 - "$out/seed-$seed/quality.csv" "$seed" <<'EOF'
import csv, os, sys
rows = list(csv.DictReader(open(sys.argv[1]))) if os.path.exists(sys.argv[1]) else []
if not rows:
    print(f"{sys.argv[2]} | failed or not scored | | |"); sys.exit()
met = [r for r in rows if r["goal_met"] == "1"]
r = met[0] if met else rows[-1]
print(f'{sys.argv[2]} | {r["epoch"]}{"" if met else " (not met)"} | {float(r["wall_s"]) / 60:.1f} | '
      f'{float(r["label_accuracy"]):.4f} | {float(r["fid_over_floor"]):.2f}x')
EOF
done
