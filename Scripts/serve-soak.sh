#!/usr/bin/env bash
# A bounded soak of `cgan serve` on loopback: for DURATION seconds (default 45; the whole script stops by itself
# in about a minute once the program is built), HEAVY clients ask for 100-image grids without pause while LIGHT
# clients poll the cheap routes (/api/runs, /api/status, a run's metrics, the page) and 50 slowloris sockets
# send a header byte a second. It reports p50/p99 latency of light and heavy routes, errors, 503s (load shed
# with Retry-After), how many slow sockets the server closed, and the server's resident memory before, during
# and after.
#
# Usage: Scripts/serve-soak.sh [RUNS_DIR RUN_NAME]
#   Without a runs directory it trains a throwaway 1-epoch mlp run first (needs MNIST: --data-dir from DATA_DIR,
#   e.g. DATA_DIR=data/mnist). CGAN=path/to/cgan picks the program (default: a release build, made if missing).
#   DURATION, HEAVY (default 8), LIGHT (default 2), PORT (default 8178).
# Goal: light routes under 50 ms at p99 while the grids keep every core busy, and memory flat.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-45}; HEAVY=${HEAVY:-8}; LIGHT=${LIGHT:-2}; PORT=${PORT:-8178}
CGAN=${CGAN:-.build/release/cgan}
if [ ! -x "$CGAN" ]; then swift build -c release --product cgan >/dev/null; fi
WORK=$(mktemp -d)
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
if [ $# -ge 2 ]; then
    RUNS=$1; RUN=$2
else
    RUNS=$WORK/runs; RUN=soak
    "$CGAN" train --arch mlp --epochs 1 --train-limit 2000 --eval-every 0 --log-every 5 ${DATA_DIR:+--data-dir "$DATA_DIR"} \
        --out "$RUNS/$RUN" >/dev/null
fi
"$CGAN" serve --runs "$RUNS" --host 127.0.0.1 --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/api/runs" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$PORT/api/generate?run=$RUN&label=0&count=100" >/dev/null   # the model loaded once

python3 - "$PORT" "$RUN" "$SERVER" "$DURATION" "$HEAVY" "$LIGHT" <<'PY'
import http.client, socket, sys, threading, time, urllib.parse

port, run, pid, duration, heavy, light = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
quoted = "/".join(urllib.parse.quote(part, safe="") for part in run.split("/"))

def rss():
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS"))

lock = threading.Lock()
times = {"light": [], "heavy": []}
counts = {"errors": 0, "shed": 0}
stop = time.monotonic() + duration

def client(kind, paths, pause):
    connection, i = None, 0
    while time.monotonic() < stop:
        path = paths(i); i += 1
        start = time.monotonic()
        try:
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
            connection.request("GET", path)
            response = connection.getresponse(); response.read()
            elapsed = time.monotonic() - start
            with lock:
                if response.status == 200: times[kind].append(elapsed)
                elif response.status == 503: counts["shed"] += 1
                else: counts["errors"] += 1
            if response.status == 503: time.sleep(float(response.getheader("Retry-After", "1")) / 4)
        except Exception:
            with lock: counts["errors"] += 1
            connection = None
        time.sleep(pause)

light_paths = ["/api/runs", "/api/status", f"/api/runs/{quoted}/metrics", "/"]
q = urllib.parse.quote(run, safe="")
threads = [threading.Thread(target=client, args=("heavy", lambda i, k=k: f"/api/generate?run={q}&label={i % 10}&count=100&seed={k * 100000 + i}", 0))
           for k in range(heavy)]
threads += [threading.Thread(target=client, args=("light", lambda i: light_paths[i % len(light_paths)], 0.02)) for _ in range(light)]

slow = []
for _ in range(50):
    s = socket.create_connection(("127.0.0.1", int(port)))
    s.sendall(b"GET /api/runs HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    slow.append(s)

def drip():
    closed = set()
    while time.monotonic() < stop:
        for n, s in enumerate(slow):
            if n in closed: continue
            try: s.sendall(b"a")
            except OSError: closed.add(n)
        time.sleep(1)
    counts["slow closed"] = len(closed)

before = rss()
memory = []
threads.append(threading.Thread(target=drip))
for t in threads: t.start()
while time.monotonic() < stop:
    time.sleep(5); memory.append(rss())
for t in threads: t.join()
after = rss()

def pct(values, q):
    values = sorted(values)
    return 1000 * values[min(len(values) - 1, int(len(values) * q))] if values else float("nan")

for kind in ("light", "heavy"):
    v = times[kind]
    print(f"{kind:5}: {len(v)} answered, p50 {pct(v, 0.5):.1f} ms, p99 {pct(v, 0.99):.1f} ms, max {pct(v, 1):.1f} ms")
print(f"errors {counts['errors']}, 503 (shed, Retry-After) {counts['shed']}, slowloris sockets closed by the server {counts.get('slow closed', 0)} of 50")
print(f"server memory: before {before:.1f} MiB, every 5 s: {' '.join(f'{m:.0f}' for m in memory)}, after {after:.1f} MiB")
PY
