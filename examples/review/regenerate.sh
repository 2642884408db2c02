#!/usr/bin/env bash
# Regenerates examples/review/: runs `grafana-jit demo --keep` (about half a minute), copies the demo's audit trail
# and ledger into state/ (its temporary folder trimmed from file paths; no secrets, no status), and writes the review
# of that history as review.html, review.csv and review.json. Standing access is read from a simulator seeded with the
# demo's fixture (the demo's own simulator is gone when it exits). Run from anywhere in a checkout.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product grafana-jit >/dev/null
bin=.build/debug/grafana-jit
out=examples/review

kept=$("$bin" demo --keep 2>/dev/null | sed -n 's/^Kept //p')
if [ -z "$kept" ] || [ ! -d "$kept/state" ]; then
  echo "regenerate.sh: the demo did not keep its folder" >&2
  exit 1
fi
rm -rf "$out/state"
mkdir -p "$out/state"
for file in audit.jsonl ledger.journal; do
  sed "s|$kept/||g" "$kept/state/$file" >"$out/state/$file"
done
rm -rf "$kept"

log=$(mktemp)
"$bin" simulate --fixture examples/grafana-fixture.yaml --listen 127.0.0.1:0 2>"$log" &
simulator=$!
trap 'kill "$simulator" 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 100); do
  url=$(sed -n 's/.*event=simulator.started url=\([^ ]*\).*/\1/p' "$log")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "regenerate.sh: the simulator did not start" >&2; exit 1; }

for format in html csv json; do
  GRAFANA_TOKEN=glsa_simulator_controller_token "$bin" review --state "$out/state" --since 1h \
    --grafana-url "$url" --output "$out/review.$format"
done
