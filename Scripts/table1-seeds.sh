#!/usr/bin/env bash
# README's results table over seeds. ARCH=paper (the default): README's main command (the paper's model, G's
# dropout on when sampling, 40 epochs) once per seed, each run's best-validation checkpoint scored by
# `cgan evaluate`; prints one row per seed (test Parzen log-likelihood), the mean ± sd and min-max over seeds,
# and the median over seeds of the validation log-likelihood at each scored epoch.
# ARCH=dcgan: the default dcgan (40 epochs) once per seed, its last checkpoint scored; prints label accuracy,
# FID over its floor, test Parzen LL and the first epoch that met the quality goal (quality.csv) per seed, and
# their mean ± sd. Runs go JOBS at a time with one thread each.
# Resumable: a finished seed is kept, an interrupted one continues from its latest checkpoint.
#
#   Scripts/table1-seeds.sh runs/table1 [cgan train options, e.g. --matmul openblas]
#   ARCH=dcgan SEEDS="1 2 3" Scripts/table1-seeds.sh runs/dcgan-seeds
#
# EPOCHS (default 40) is each run's length; a larger one continues finished runs (remove their `finished`).
#
# Settings (environment): CGAN=.build/release/cgan ARCH=paper SEEDS="1 2 3 4 5" JOBS=2 EPOCHS=40
#                         DATA_DIR=(cgan's default lookup)
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 OUT_DIR [cgan train options]" >&2; exit 1; }
out=$1; shift
cgan=${CGAN:-.build/release/cgan}
[ -x "$cgan" ] || { echo "$0: no executable at $cgan (swift build -c release, or set CGAN)" >&2; exit 1; }
data=(); [ -n "${DATA_DIR:-}" ] && data=(--data-dir "$DATA_DIR")
arch=${ARCH:-paper}
case $arch in
  paper) model=(--arch paper --dropout-at-sampling on); scored=best ;;   # the paper's stopping rule
  dcgan) model=(--arch dcgan); scored=latest ;;                          # the model after its 40 epochs
  *) echo "$0: ARCH must be paper or dcgan, not '$arch'" >&2; exit 1 ;;
esac
mkdir -p "$out"

one_seed() {
  local seed=$1; shift
  local run="$out/seed-$seed"
  [ -f "$run/finished" ] && return 0
  if [ -f "$run/.cgan.lock" ] && ! flock -n "$run/.cgan.lock" true; then
    echo "$0: seed $seed is being trained by another process; skipped" >&2; return 1
  fi
  local start=("${model[@]}" --seed "$seed"); [ -f "$run/checkpoints/latest.safetensors" ] && start=(--resume)
  "$cgan" train "${start[@]}" --epochs "${EPOCHS:-40}" --out "$run" --threads 1 "${data[@]}" "$@" >> "$run.train.log" 2>&1 || return $?
  "$cgan" evaluate --checkpoint "$run/checkpoints/$scored.safetensors" "${data[@]}" > "$run.evaluate.log" 2>&1 || return $?
  touch "$run/finished"
}

# Each seed runs in its own process group (set -m); an interruption is passed on to them, and cgan train
# saves a checkpoint before it exits.
set -m
pids=()
trap 'echo "$0: interrupted; run it again to continue" >&2; for p in "${pids[@]}"; do kill -INT -- -"$p" 2>/dev/null || true; done; wait; exit 130' INT TERM
status=0
for seed in ${SEEDS:-1 2 3 4 5}; do
  while [ "$(jobs -rp | wc -l)" -ge "${JOBS:-2}" ]; do wait -n || true; done
  # A seed interrupted during its last epoch's validation must not go on to be scored and marked finished.
  ( trap 'exit 130' INT TERM
    one_seed "$seed" "$@" || { rc=$?; echo "$0: seed $seed failed (exit $rc; see $out/seed-$seed.*.log)" >&2; exit "$rc"; } ) &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || status=1; done

python3 - "$arch" "$out" ${SEEDS:-1 2 3 4 5} <<'EOF'
import csv, json, math, os, statistics, sys
arch, out, seeds = sys.argv[1], sys.argv[2], sys.argv[3:]

def spread(name, values, digits):
    sd = f"{statistics.stdev(values):.{digits}f}" if len(values) > 1 else "n/a"
    return (f"{name} {statistics.mean(values):.{digits}f} ± {sd} (sd), min {min(values):.{digits}f}, "
            f"max {max(values):.{digits}f}, median {statistics.median(values):.{digits}f}")

def evaluation(seed, columns):
    """The seed's run folder and its evaluate report, or None after printing the row that says what is missing."""
    run = os.path.join(out, f"seed-{seed}")
    blank = " |" * (columns - 2)
    if not os.path.exists(os.path.join(run, "finished")):
        print(f"| {seed} | not finished |{blank}"); return None
    path = os.path.join(run, "evaluation.json")
    try:
        if not os.path.isfile(path) or os.path.getsize(path) > 16 << 20:  # not a FIFO, not huge
            raise ValueError(path)
        doc = json.load(open(path))
        return run, doc, doc["reports"][0]
    except Exception:
        print(f"| {seed} | no scores in evaluation.json |{blank}"); return None

if arch == "dcgan":
    columns = {"acc": [], "fid": [], "ll": [], "goal": [], "minutes": []}
    print("| seed | label accuracy | FID / floor | test Parzen LL (nats) | first epoch at the goal | training minutes |")
    print("|---|---|---|---|---|---|")
    for seed in seeds:
        found = evaluation(seed, 6)
        if found is None:
            continue
        run, _, report = found
        try:
            acc, fid, floor, ll = (float(report["labelAccuracy"]), float(report["fid"]), float(report["fidRealFloor"]),
                                   float(report["parzenTest"]["mean"]))
            if not floor > 0:
                raise ValueError("floor")
        except Exception:
            print(f"| {seed} | no scores in evaluation.json | | | | |"); continue
        goal, minutes, scored = None, None, os.path.exists(os.path.join(run, "quality.csv"))
        try:
            if scored and os.path.isfile(os.path.join(run, "quality.csv")):
                for r in csv.DictReader(open(os.path.join(run, "quality.csv"))):
                    minutes = float(r["wall_s"]) / 60
                    if goal is None and r["goal_met"] == "1":
                        goal = int(r["epoch"])
        except Exception:
            pass
        for key, value in (("acc", acc), ("fid", fid / floor), ("ll", ll), ("goal", goal), ("minutes", minutes)):
            if value is not None:
                columns[key].append(value)
        print(f"| {seed} | {acc:.4f} | {fid / floor:.2f}x ({fid:.2f} / {floor:.2f}) | {ll:.1f} | "
              f"{goal if goal is not None else 'not met' if scored else 'no quality.csv'} | {f'{minutes:.0f}' if minutes is not None else ''} |")
    if columns["acc"]:
        print(f"\n{len(columns['acc'])} seed(s):")
        for key, name, digits in (("acc", "label accuracy", 4), ("fid", "FID / floor", 2), ("ll", "test Parzen LL", 1),
                                  ("goal", "first epoch at the goal", 1), ("minutes", "training minutes", 0)):
            if columns[key]:
                print("  " + spread(name, columns[key], digits))
    sys.exit(0)

rows, curves = [], {}
print("| seed | best epoch | test Parzen LL (nats) | validation LL by epoch |")
print("|---|---|---|---|")
for seed in seeds:
    found = evaluation(seed, 4)
    if found is None:
        continue
    run, doc, report = found
    try:
        ll, se = float(report["parzenTest"]["mean"]), float(report["parzenTest"]["standardError"])
        epoch = int(doc["position"]["epoch"])
    except Exception:
        print(f"| {seed} | no test Parzen LL in evaluation.json | | |"); continue
    curve = []
    try:
        if os.path.isfile(os.path.join(run, "validation.csv")):  # not a FIFO
            for r in csv.DictReader(open(os.path.join(run, "validation.csv"))):
                try:
                    e, v = int(r["epoch"]), float(r["validation_ll"])
                except (TypeError, ValueError, KeyError):
                    continue
                if math.isfinite(v):
                    curve.append(f"{e}: {v:.1f}"); curves.setdefault(e, []).append(v)
    except Exception:
        pass
    rows.append(ll)
    print(f"| {seed} | {epoch} | {ll:.1f} ± {se:.1f} | {', '.join(curve)} |")
if rows:
    print(f"\n{len(rows)} seed(s): " + spread("test Parzen LL", rows, 1))
    print("median validation LL over seeds by epoch: " + ", ".join(f"{e}: {statistics.median(v):.1f} ({len(v)})" for e, v in sorted(curves.items())))
EOF
exit $status
