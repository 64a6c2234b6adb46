#!/usr/bin/env bash
# Where `cgan bench`'s time goes inside oneDNN: runs the benchmark with ONEDNN_VERBOSE=1 and sums the
# execution times oneDNN reports, per primitive kind, pass and problem shape, for each precision given,
# one after the other. The bench's GEMM-ceiling products (2048x2048) are left out; times are per call.
#
#   Scripts/onednn-primitive-times.sh .build/release/cgan            # dcgan, fp32 then bf16
#
# Settings (environment): ARCH=dcgan THREADS=1 STEPS=3 PRECISIONS="fp32 bf16" TOP=12
set -euo pipefail
[ $# -eq 1 ] && [ -x "$1" ] || { echo "usage: $0 CGAN (an executable)" >&2; exit 1; }
log=$(mktemp); trap 'rm -f "$log"' EXIT
for precision in ${PRECISIONS:-fp32 bf16}; do
  ONEDNN_VERBOSE=1 "$1" bench --arch "${ARCH:-dcgan}" --threads "${THREADS:-1}" --steps "${STEPS:-3}" --repeats 1 \
    --precision "$precision" > "$log" 2>&1 || { echo "$precision: cgan bench failed:" >&2; tail -n 1 "$log" >&2; exit 1; }
  echo "== $precision: total ms, calls, ms per call, primitive, pass, implementation, shape"
  grep '^onednn_verbose,exec' "$log" | grep -v '2048x2048' | awk -F, -v top="${TOP:-12}" '
    { key = $4 " " $6 " " $5 " " $(NF - 1); t[key] += $NF; n[key]++; total += $NF }
    END { for (k in t) printf "%9.1f %6d %7.2f %s\n", t[k], n[k], t[k] / n[k], k
          printf "%9.1f total\n", total }' | sort -rn | head -n $(( ${TOP:-12} + 1 ))
done
