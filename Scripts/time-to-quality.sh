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
status=0
for seed in ${SEEDS:-1 2 3}; do
  run="$out/seed-$seed"
  # A failed seed is not retried: delete its "failed" marker to try it again.
  [ -f "$run/finished" ] || [ -f "$run/failed" ] && continue
  # Another copy of this script (or a run) on the same seed: leave it alone, do not mark it failed.
  [ -f "$run/.cgan.lock" ] && ! flock -n "$run/.cgan.lock" true \
    && { echo "$0: seed $seed is being trained by another process; skipped" >&2; status=1; continue; }
  resume=(--arch dcgan --seed "$seed"); [ -f "$run/checkpoints/latest.safetensors" ] && resume=(--resume)
  # --eval-every 0: the Parzen validation would count in the minutes.
  rc=0; "$cgan" train "${resume[@]}" --out "$run" --threads "${THREADS:-2}" "${data[@]}" --stop-at-goal --eval-every 0 "$@" || rc=$?
  case $rc in
    0) touch "$run/finished" ;;
    130) echo "$0: interrupted; run it again to continue seed $seed" >&2; exit 130 ;;
    *) echo "$0: seed $seed failed (exit $rc); the others go on" >&2; mkdir -p "$run"; touch "$run/failed"; status=1 ;;
  esac
done
echo "seed | epochs to the goal | training minutes | label accuracy | FID / floor"
for seed in ${SEEDS:-1 2 3}; do
  python3 - "$out/seed-$seed" "$seed" <<'EOF'
import csv, os, sys
run, seed = sys.argv[1], sys.argv[2]
csv_path = os.path.join(run, "quality.csv")
try:
    rows = list(csv.DictReader(open(csv_path, errors="replace"))) if os.path.exists(csv_path) else []
    if not os.path.exists(os.path.join(run, "finished")) or not rows:
        print(f"{seed} | failed, running or not scored | | |"); sys.exit()
    met = [r for r in rows if r.get("goal_met") == "1"]
    r = met[0] if met else rows[-1]
    print(f'{seed} | {r["epoch"]}{"" if met else " (not met)"} | {float(r["wall_s"]) / 60:.1f} | '
          f'{float(r["label_accuracy"]):.4f} | {float(r["fid_over_floor"]):.2f}x')
except (KeyError, TypeError, ValueError, csv.Error):
    print(f"{seed} | quality.csv unreadable | | |")
EOF
done
exit $status
