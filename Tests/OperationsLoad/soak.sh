#!/usr/bin/env bash
# Memory soak: the controller as a daemon resyncing every second against its own simulator, with the examples'
# grants, policies and bundles; prints its VmRSS (kB) every 30 s for DURATION seconds (default 1260).
#   Tests/OperationsLoad/soak.sh .build/release/grafana-jit [DURATION]
# A binary from before 0.2 reads policies from --grants: pass SOAK_OLD_FLAGS=1 to give it the whole folder.
set -euo pipefail
binary=$(realpath "$1")
duration=${2:-1260}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/repo" && chmod 700 "$work"
cp -r "$root/examples/grants" "$root/examples/policies" "$root/examples/bundles" "$work/repo/"
port=$((39000 + RANDOM % 1000))
"$binary" simulate --fixture "$root/examples/grafana-fixture.yaml" --listen "127.0.0.1:$port" >/dev/null 2>&1 &
sleep 1
if [ "${SOAK_OLD_FLAGS:-0}" = 1 ]; then
  sources=(--grants "$work/repo")
else
  sources=(--grants "$work/repo/grants" --policies "$work/repo/policies" --policies "$work/repo/bundles")
fi
GRAFANA_TOKEN=glsa_simulator_controller_token "$binary" run "${sources[@]}" --state "$work/state" \
  --grafana-url "http://127.0.0.1:$port" --resync 1s --discover-interval 0 --log-level error &
pid=$!
echo "seconds rss_kB"
for ((t = 0; t <= duration; t += 30)); do
  echo "$t $(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
  sleep 30
done
