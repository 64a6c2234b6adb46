#!/usr/bin/env bash
# Keeps an experiment folder's evaluated (or diverged) runs without their checkpoints: copies each run's config.json,
# metrics.csv, validation.csv and evaluation.json or diverged.json (tens of kilobytes, where a run's checkpoints take
# megabytes) from OUT/runs/ to DEST/runs/, e.g. into a repository. Copied back into an experiment folder that does not
# hold those runs (`cp -r DEST/runs NEW_OUT/`), such a run counts as finished at the epochs it was evaluated at (or as
# diverged where it diverged): `cgan experiment --collect` reports it (without a sample grid) and `cgan experiment` does
# not train it again.
#
#   Scripts/archive-experiment-runs.sh OUT DEST
set -euo pipefail
[ $# -eq 2 ] && [ -n "$1" ] && [ -n "$2" ] || { echo "usage: $0 OUT DEST (two non-empty directories)" >&2; exit 1; }
out=$1 dest=$2
[ -d "$out/runs" ] || { echo "$0: no runs under $out/runs" >&2; exit 1; }
# DEST inside OUT's runs (or OUT itself) would copy runs into runs, or onto themselves.
out_abs=$(realpath -e -- "$out") dest_abs=$(realpath -m -- "$dest")
case "$dest_abs/" in
  "$out_abs/"|"$out_abs/runs/"*) echo "$0: DEST $dest is OUT or lies inside $out/runs; give a directory outside them" >&2; exit 1 ;;
esac
if [ "$(realpath -m -- "$dest_abs/runs")" = "$(realpath -e -- "$out_abs/runs")" ]; then
  echo "$0: $dest/runs is $out/runs (a link?); give another DEST" >&2; exit 1
fi
mkdir -p -- "$dest_abs"
count=0
for run in "$out_abs"/runs/*/seed-*; do
  [ -d "$run" ] && [ -f "$run/config.json" ] && [ -f "$run/metrics.csv" ] || continue
  [ -f "$run/evaluation.json" ] || [ -f "$run/diverged.json" ] || continue
  # A run being trained now may change its files while they are copied: left for a later archive.
  if [ -f "$run/.cgan.lock" ] && ! flock -n "$run/.cgan.lock" true; then echo "$0: $run is in use; skipped" >&2; continue; fi
  if [ -f "$run/evaluation.json" ]; then
    grep -q '"position"' "$run/evaluation.json" || { echo "$0: $run/evaluation.json names no position; skipped" >&2; continue; }
  fi
  target="$dest_abs/runs/${run#"$out_abs"/runs/}"
  # Into a fresh (hidden) folder, then in place of the old copy, so that no file of an earlier archive stays
  # beside these and a failed copy leaves no folder that looks like a run.
  parent=$(dirname -- "$target")
  mkdir -p -- "$parent"
  fresh=$(mktemp -d -- "$parent/.archive.XXXXXX")
  trap 'rm -rf -- "$fresh"' EXIT
  for f in config.json metrics.csv validation.csv evaluation.json diverged.json; do
    if [ -f "$run/$f" ]; then cp -- "$run/$f" "$fresh/$f"; fi
  done
  old=""
  if [ -e "$target" ]; then old=$(mktemp -d -- "$parent/.old.XXXXXX"); mv -- "$target" "$old/"; fi
  mv -- "$fresh" "$target"
  trap - EXIT
  [ -z "$old" ] || rm -rf -- "$old"
  count=$((count + 1))
done
[ "$count" -eq 1 ] && s="" || s="s"
echo "archived $count evaluated or diverged run$s from $out/runs into $dest/runs"
