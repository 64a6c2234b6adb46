#!/usr/bin/env bash
# Times `cgan bench` and the PyTorch reference (../shared/bench/torch_cgan.py) side by side on this machine:
# for each model and thread count, Swift and PyTorch run alternately (ROUNDS times each), and the table
# reports the median images/s of each and their ratio. PRECISIONS="fp32 bf16" adds bf16 rows: `cgan bench
# --precision bf16` against torch.autocast("cpu", dtype=torch.bfloat16) (torch_cgan.py --amp-bf16).
#
#   PYTHON=/tmp/torchenv/bin/python Scripts/compare-with-pytorch.sh        # install: see ../shared/bench/README.md
#
# ARCHS may also name dcgan32: the dcgan at 32x32 RGB (`cgan bench --arch dcgan --image-size 32 --channels 3`
# against `torch_cgan.py --arch dcgan32`).
#
# IMPLS=swift times this tool alone (no PyTorch needed): with PRECISIONS="fp32 bf16" the last column gives
# bf16's speed over this tool's own fp32 at the same thread count, both measured in the same rounds.
#
# Settings (environment): ARCHS="paper mlp mlp-bn dcgan" THREADS="1 2" PRECISIONS=fp32 ROUNDS=2 STEPS=200 REPEATS=2
# IMPLS="swift torch" OUT=bench-results.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/tmp/torchenv/bin/python}
TORCH_SCRIPT=${TORCH_SCRIPT:-../shared/bench/torch_cgan.py}
ARCHS=${ARCHS:-"paper mlp mlp-bn dcgan"}
THREADS=${THREADS:-"1 2"}
PRECISIONS=${PRECISIONS:-fp32}
ROUNDS=${ROUNDS:-2}
STEPS=${STEPS:-200}
REPEATS=${REPEATS:-2}
OUT=${OUT:-bench-results.jsonl}
IMPLS=${IMPLS:-"swift torch"}
case " $IMPLS " in *" torch "*) with_torch=1 ;; *) with_torch=0 ;; esac

if [ "$with_torch" = 1 ]; then
  "$PYTHON" -c 'import torch' 2>/dev/null || { echo "error: $PYTHON cannot import torch (see ../shared/bench/README.md)" >&2; exit 1; }
fi
swift build -c release --product cgan >&2
: > "$OUT"
# Precisions alternate inside each round, and Swift with PyTorch inside each precision, so that a drift of
# the machine's speed falls on both sides of every ratio.
for threads in $THREADS; do
  for arch in $ARCHS; do
    for round in $(seq "$ROUNDS"); do
      for precision in $PRECISIONS; do
        amp=""; [ "$precision" = bf16 ] && amp="--amp-bf16"
        echo "[$arch, $threads thread(s), $precision, round $round] swift" >&2
        shape=(--arch "$arch"); [ "$arch" = dcgan32 ] && shape=(--arch dcgan --image-size 32 --channels 3)
        .build/release/cgan bench "${shape[@]}" --threads "$threads" --precision "$precision" --steps "$STEPS" --repeats "$REPEATS" 2>/dev/null \
          | tail -n 1 | sed 's/^/{"impl":"swift","arch":"'"$arch"'","result":/; s/$/}/' >> "$OUT"
        [ "$with_torch" = 1 ] || continue
        echo "[$arch, $threads thread(s), $precision, round $round] pytorch" >&2
        "$PYTHON" "$TORCH_SCRIPT" --arch "$arch" --threads "$threads" $amp --steps "$STEPS" --repeats "$REPEATS" --no-flops --quiet 2>/dev/null \
          | tail -n 1 | sed 's/^/{"impl":"torch","precision":"'"$precision"'","result":/; s/$/}/' >> "$OUT"
      done
    done
  done
done

python3 - "$OUT" <<'PY'
import json, statistics, sys, platform
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
print(f"machine: {cpu}, {len(open('/proc/cpuinfo').read().split('processor')) - 1} cores")
print("| model | precision | threads | Swift images/s | PyTorch images/s | ratio | Swift GFLOP/s | fraction of the 2048² product's peak | fraction of the step's own shapes' peak | own speed over own fp32 |")
print("|---|---|---|---|---|---|---|---|---|---|")
def key(r):
    res = r["result"]
    return (r.get("arch", res["arch"]), res.get("precision") or r.get("precision", "fp32"), res["threads"])
keys = []
for r in rows:
    if key(r) not in keys: keys.append(key(r))
def swift_median(arch, precision, threads, field="medianImagesPerSecond"):
    sw = [r["result"][field] for r in rows if r["impl"] == "swift" and key(r) == (arch, precision, threads)]
    return statistics.median(sw) if sw else None
for arch, precision, threads in keys:
    to = [r["result"]["median_images_per_s"] for r in rows if r["impl"] == "torch" and key(r) == (arch, precision, threads)]
    s = swift_median(arch, precision, threads)
    if s is None: continue
    t = statistics.median(to) if to else None
    fp32 = swift_median(arch, "fp32", threads)
    g, f, fs = (swift_median(arch, precision, threads, k) for k in ("gflopsPerSecond", "fractionOfSquarePeak", "fractionOfStepShapesPeak"))
    torch_cells = f"{t:.0f} | {s / t:.2f}x" if t else "- | -"
    own = f"{s / fp32:.2f}x" if fp32 else "-"
    print(f"| {arch} | {precision} | {threads} | {s:.0f} | {torch_cells} | {g:.1f} | {100 * f:.0f}% | {100 * fs:.0f}% | {own} |")
PY
