#!/usr/bin/env bash
# How fast `cgan serve` draws and how it holds up under load, on this machine:
#  1. the time to generate and encode a 100-image grid, from the Server-Timing header of 50 requests
#     (median and 90th percentile, one request at a time);
#  2. wrk on loopback for DURATION seconds with CONNECTIONS connections, each request a 16-image grid with
#     its own seed: requests/s, p99 latency, errors, and the server's resident memory before and after.
# Usage: Scripts/serve-load.sh RUNS_DIR RUN_NAME [DURATION=60] [CONNECTIONS=8]   (needs wrk and curl)
set -euo pipefail
RUNS=${1:?runs directory}; RUN=${2:?run name under it}; DURATION=${3:-60}; CONNECTIONS=${4:-8}
PORT=${PORT:-8177}
cd "$(dirname "$0")/.."
swift build -c release --product cgan >/dev/null 2>&1
.build/release/cgan serve --runs "$RUNS" --port "$PORT" >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/api/runs" >/dev/null && break; sleep 0.2; done
BASE="http://127.0.0.1:$PORT/api/generate?run=$RUN"
curl -sf "$BASE&label=0&count=100" >/dev/null   # load the checkpoint once
for seed in $(seq 50); do
    curl -s -D - -o /dev/null "$BASE&label=$((seed % 10))&count=100&seed=$seed" | tr -d '\r' | grep -i '^server-timing' \
        | sed -E 's/.*generate;dur=([0-9.]+), encode;dur=([0-9.]+).*/\1 \2/'
done | awk '{ printf "%.3f %.3f %.3f\n", $1 + $2, $1, $2 }' > /tmp/cgan-timings
pick() { cut -d' ' -f"$1" /tmp/cgan-timings | sort -n | awk -v q="$2" '{ v[NR] = $1 } END { i = int(NR * q) + 1; if (i > NR) i = NR; print v[i] }'; }
echo "100-image grid, generate + encode: median $(pick 1 0.5) ms, p90 $(pick 1 0.9) ms" \
     "(generate median $(pick 2 0.5) ms, encode median $(pick 3 0.5) ms), $(wc -l < /tmp/cgan-timings) requests"
rss() { awk '/VmRSS/ { print $2 / 1024 }' /proc/$SERVER/status; }
echo "server memory before load: $(rss) MiB"
cat > /tmp/cgan-wrk.lua <<LUA
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/api/generate?run=$RUN&label=" .. (counter % 10) .. "&count=16&seed=" .. counter)
end
LUA
# Resident memory every 10 s under load: it should level off once each core's copy of the model is loaded.
( for _ in $(seq $((DURATION / 10))); do sleep 10; printf "%.1f " "$(rss)"; done; echo ) > /tmp/cgan-rss &
SAMPLER=$!
wrk -t 2 -c "$CONNECTIONS" -d "${DURATION}s" --latency -s /tmp/cgan-wrk.lua "http://127.0.0.1:$PORT" \
    | grep -E "Requests/sec|99%|Non-2xx|Socket errors|requests in"
wait $SAMPLER
echo "server memory every 10 s under load (MiB): $(cat /tmp/cgan-rss)"
echo "server memory after load: $(rss) MiB"
