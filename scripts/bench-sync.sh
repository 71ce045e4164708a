#!/usr/bin/env bash
# Sync benchmark: syncs that take about 0.5 s, 5 s and 60 s on the stand-in
# (queued mode), measuring the time from the server finishing (meta's
# time_completed) to the sync engine returning, and the status requests the
# wait cost. Writes the "Sync" section of BENCHMARKS.md unless --no-write.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=-buildvcs=false GOTOOLCHAIN=local

write=1
[ "${1:-}" = "--no-write" ] && write=0
iterations=${BENCH_SYNC_ITERATIONS:-3}

out=$(go test -run '^$' -bench BenchmarkSyncWait -benchtime "${iterations}x" -timeout 30m ./internal/syncengine/ | tee /dev/stderr)

report=$(python3 - "$out" "$iterations" <<'PY'
import re, sys
out, iterations = sys.argv[1], sys.argv[2]
rows = []
for line in out.splitlines():
    m = re.match(r"BenchmarkSyncWait/(\S+?)(?:-\d+)?\s+\d+\s+(.*)$", line)
    if not m:
        continue
    metrics = dict((unit, float(value)) for value, unit in re.findall(r"([\d.]+) (\S+)", m.group(2)))
    sync_s = metrics["sync-s"]
    target_ms = max(300.0, 0.1 * sync_s * 1000)
    rows.append("| %s | %.2f s | %.0f ms | %.0f ms | %.0f ms | %.1f |" % (
        m.group(1), sync_s, metrics["latency-ms"], metrics["max-latency-ms"], target_ms, metrics["status-requests"]))
print("Mean of %s runs per duration; queued mode, 10 objects per sync with a per-object delay." % iterations)
print()
print("| sync (stand-in delay) | measured sync duration | latency, mean | latency, max | latency target | status requests (mean) |")
print("|---|---|---|---|---|---|")
print("\n".join(rows))
PY
)
echo
echo "$report"

if [ "$write" = 1 ]; then
  python3 scripts/benchmarks-section.py sync "Sync: waiting for a sync to finish" "$report"
  echo "BENCHMARKS.md updated"
fi
