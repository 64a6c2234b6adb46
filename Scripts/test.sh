#!/usr/bin/env bash
# The project's tests: the test suite, then README's library example built as a separate package that
# depends on this one (and run on a tiny budget where ../shared/data/mnist exists).
set -euo pipefail
cd "$(dirname "$0")/.."
swift test -c release
cd Examples/TrainAndSample
swift build -c release
MNIST=../../../shared/data/mnist
if [ -d "$MNIST" ]; then
    RUN=$(mktemp -d)
    swift run -c release TrainAndSample "$MNIST" "$RUN/run"
    test -s "$RUN/run/sevens.png"
    rm -rf "$RUN"
else
    echo "library example built; not run: no MNIST at $MNIST"
fi
