#!/usr/bin/env bash
# Benchmarks, recorded in BENCHMARKS.md:
#   1. plan and apply at 1, 200, 1000 and 3000 resources: terraform_data (up
#      to 1000), the peer time_offset (hashicorp/terraform-provider-time,
#      installed into the cache) and labelstudio_local_import_storage,
#      interleaved in one run; wall time, CPU time and peak RSS of the
#      provider processes (GNU time around each) and the stand-in's CPU time;
#      in the same runs, the apply and plan of 200 and 1000 storages in 10
#      projects against a remote server (the stand-in over TLS with 50 ms per
#      response), with the requests and TLS handshakes each costs; every
#      target with whether it holds;
#   2. the requests an apply and a plan of one project's storages cost;
#   3. the sync engine (scripts/bench-sync.sh).
# Usage: scripts/bench.sh [--no-write]   (--no-write: print, leave BENCHMARKS.md alone)
#   BENCH_SIZES=1,200,1000,3000 BENCH_RUNS=3 BENCH_REMOTE_SIZES=200,1000
#   BENCH_LARGE_RUNS (runs of the sizes above 1000; default BENCH_RUNS)
#   override the sizes and repetitions (BENCH_REMOTE_SIZES= leaves out the
#   remote runs); a quick smoke run:
#   BENCH_SIZES=1,20 BENCH_RUNS=1 BENCH_REMOTE_SIZES=20 BENCH_SYNC=0 scripts/bench.sh --no-write
#   BENCH_PROVIDER=/path/to/terraform-provider-labelstudio measures that
#   binary (an earlier build, say) instead of building this tree's;
#   BENCH_SYNC=0 leaves out the sync benchmark (several minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

export GOFLAGS=-buildvcs=false GOTOOLCHAIN=local
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

write=1
[ "${1:-}" = "--no-write" ] && write=0
sizes=${BENCH_SIZES:-1,200,1000,3000}
runs=${BENCH_RUNS:-3}
remote_sizes=${BENCH_REMOTE_SIZES-200,1000}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-labelstudio
time_provider_version=v0.14.2

for tool in terraform python3 openssl curl /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed" >&2; exit 1; }
done

echo "== building the provider and the stand-in"
go build -o bin/labelstudio-devserver ./cmd/labelstudio-devserver
peer_dir=$cache/time-provider-$time_provider_version
if [ ! -x "$peer_dir/terraform-provider-time" ]; then
  echo "== installing the peer, terraform-provider-time $time_provider_version"
  GOBIN=$peer_dir go install "github.com/hashicorp/terraform-provider-time@$time_provider_version"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/labelstudio-bench.XXXXXX")
cleanup() {
  local pid_file pid
  for pid_file in "$work"/*.pid; do
    [ -f "$pid_file" ] || continue
    pid=$(cat "$pid_file")
    kill "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  done
  rm -rf "$work"
}
trap cleanup EXIT

provider_dir=$repo/bin
if [ -n "${BENCH_PROVIDER:-}" ]; then
  provider_dir=$work/provider
  mkdir -p "$provider_dir"
  ln -s "$(realpath "$BENCH_PROVIDER")" "$provider_dir/terraform-provider-labelstudio"
  echo "== measuring $BENCH_PROVIDER"
else
  go build -o bin/terraform-provider-labelstudio .
fi

docroot="$work/files"
mkdir -p "$docroot/images"
echo '{"text": "hello"}' >"$docroot/images/task-1.json"
token=bench-$(date +%s%N | sha256sum | cut -c1-32)

# start_standin NAME ARGS... starts a stand-in (PID in $work/NAME.pid) and
# prints its URL.
start_standin() {
  local name=$1 url="" pid
  shift
  LABEL_STUDIO_USER_TOKEN=$token LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true \
    LOCAL_FILES_SERVING_ENABLED=true LOCAL_FILES_DOCUMENT_ROOT="$docroot" \
    bin/labelstudio-devserver --addr 127.0.0.1:0 --dev-hooks "$@" >"$work/$name.log" 2>&1 &
  pid=$!
  echo "$pid" >"$work/$name.pid"
  for _ in $(seq 1 100); do
    url=$(sed -n 's/^.*listening on \(https\{0,1\}:\/\/[^ ]*\).*$/\1/p' "$work/$name.log" | head -n1)
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/$name.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$url" ] || { echo "error: the stand-in did not start" >&2; cat "$work/$name.log" >&2; exit 1; }
  echo "$url"
}

echo "== starting the stand-ins (plain, and over TLS with 50 ms per response)"
url=$(start_standin plain)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=labelstudio-bench \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.pem" 2>/dev/null
tls_url=$(start_standin tls --tls-cert "$work/tls.pem" --tls-key "$work/tls.key" --response-delay 50ms)
export LABEL_STUDIO_URL=$url LABEL_STUDIO_API_KEY=$token

echo "== plan and apply, side by side with the peer (sizes $sizes, remote $remote_sizes, $runs runs; a long while)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
providers_report=$(python3 scripts/bench_providers.py --work "$work" --bin "$provider_dir" --time-bin "$peer_dir" \
  --url "$url" --docroot "$docroot" --sizes "$sizes" --runs "$runs" --standin-pid "$(cat "$work/plain.pid")" \
  --tls-url "$tls_url" --tls-ca "$work/tls.pem" --remote-sizes "$remote_sizes" --large-runs "${BENCH_LARGE_RUNS:-$runs}")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
if [ -n "${BENCH_PROVIDER:-}" ]; then
  measured_provider="the provider binary $BENCH_PROVIDER"
else
  measured_provider="the provider at $(git rev-parse --short HEAD 2>/dev/null || echo "this tree")$(git diff --quiet HEAD -- . ':!BENCHMARKS.md' 2>/dev/null || echo ' (with local changes)')"
fi
providers_report="Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores ($cpu), $(terraform version | head -n1), terraform-provider-time $time_provider_version, $measured_provider. Load average (1, 5, 15 min) $load_before at the start, $load_after at the end: the machine is shared, so ratios from the same run count, not absolute times.

$providers_report"
echo
echo "$providers_report"

# The requests an apply and a plan of 200 storages cost.
mkdir -p "$work/requests"
cat >"$work/requests/main.tf" <<EOF
terraform {
  required_providers {
    labelstudio = { source = "labelstudio-tf/labelstudio" }
  }
}
resource "labelstudio_project" "bench" {
  title = "Benchmark"
}
resource "labelstudio_local_import_storage" "bench" {
  count   = 200
  project = labelstudio_project.bench.id
  title   = "storage \${count.index}"
  path    = "$docroot/images"
}
EOF
counts() { curl -fsS "$url/_dev/requests"; }
reset_counts() { curl -fsS -X DELETE "$url/_dev/requests" >/dev/null; }
# summarize prints "total method-route=count ..." for one counts document.
summarize() {
  python3 -c 'import json,sys
c=json.load(sys.stdin)["counts"]
print(sum(c.values()), " ".join("%s=%d" % (k.replace(" ", ":"), v) for k, v in sorted(c.items())))'
}
tf() { (cd "$1" && shift && TF_CLI_CONFIG_FILE="$work/cli.tfrc" terraform "$@" -no-color -input=false >/dev/null); }
echo "== requests of an apply and a plan of 200 storages"
reset_counts
tf "$work/requests" apply -auto-approve
apply_counts=$(counts | summarize)
reset_counts
tf "$work/requests" plan -detailed-exitcode
plan_counts=$(counts | summarize)
tf "$work/requests" destroy -auto-approve

requests_report="Requests counted by the stand-in (\`/_dev/requests\`), total and per route:

| operation | requests |
|---|---|
| apply creating 1 project + 200 storages | ${apply_counts%% *}: ${apply_counts#* } |
| plan of the same, no changes | ${plan_counts%% *}: ${plan_counts#* } |

Targets: a refresh reads each project's storages of one kind and direction with one list request,
shared by all of them (no GET per storage); one POST per create (Label Studio's create tests the
connection itself). The requests of a plan of 200 and 1000 storages in 10 projects are counted in
the remote runs above."
echo
echo "$requests_report"

if [ "$write" = 1 ]; then
  python3 scripts/benchmarks-section.py providers "Plan and apply, side by side with a peer" "$providers_report"
  python3 scripts/benchmarks-section.py requests "Requests per operation" "$requests_report"
  echo "BENCHMARKS.md updated"
fi

if [ "${BENCH_SYNC:-1}" != 0 ]; then
  echo "== sync benchmark"
  # The sync benchmark starts its own in-process stand-in.
  env -u LABEL_STUDIO_URL -u LABEL_STUDIO_API_KEY bash scripts/bench-sync.sh $([ "$write" = 0 ] && echo --no-write)
fi
