#!/usr/bin/env bash
# Benchmarks, recorded in BENCHMARKS.md:
#   1. refresh and plan of 200 storages against the stand-in, next to 200
#      terraform_data resources in the same run, with the requests each
#      operation costs as counted by the stand-in;
#   2. the sync engine (go test -bench in internal/syncengine, when present).
# Usage: scripts/bench.sh [--no-write]   (--no-write: print, leave BENCHMARKS.md alone)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

export GOFLAGS=-buildvcs=false GOTOOLCHAIN=local
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

write=1
[ "${1:-}" = "--no-write" ] && write=0
count=${BENCH_STORAGES:-200}
runs=${BENCH_RUNS:-5}

command -v terraform >/dev/null || { echo "error: terraform CLI not on PATH" >&2; exit 1; }
command -v python3 >/dev/null || { echo "error: python3 is needed to read JSON" >&2; exit 1; }

echo "== building the provider and the stand-in"
go build -o bin/terraform-provider-labelstudio .
go build -o bin/labelstudio-devserver ./cmd/labelstudio-devserver

work=$(mktemp -d "${TMPDIR:-/tmp}/labelstudio-bench.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

docroot="$work/files"
mkdir -p "$docroot/images"
echo '{"text": "hello"}' >"$docroot/images/task-1.json"

token=bench-$(date +%s%N | sha256sum | cut -c1-32)
echo "== starting the stand-in"
LABEL_STUDIO_USER_TOKEN=$token LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true \
  LOCAL_FILES_SERVING_ENABLED=true LOCAL_FILES_DOCUMENT_ROOT="$docroot" \
  bin/labelstudio-devserver --addr 127.0.0.1:0 --dev-hooks >"$work/server.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^.*listening on \(http:\/\/[^ ]*\).*$/\1/p' "$work/server.log" | head -n1)
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "error: the stand-in did not start" >&2; cat "$work/server.log" >&2; exit 1; }

cat >"$work/cli.tfrc" <<EOF
provider_installation {
  dev_overrides {
    "labelstudio-tf/labelstudio" = "$repo/bin"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$work/cli.tfrc"
export LABEL_STUDIO_URL=$url LABEL_STUDIO_API_KEY=$token

mkdir -p "$work/storages" "$work/baseline"
cat >"$work/storages/main.tf" <<EOF
terraform {
  required_providers {
    labelstudio = { source = "labelstudio-tf/labelstudio" }
  }
}
resource "labelstudio_project" "bench" {
  title = "Benchmark"
}
resource "labelstudio_local_import_storage" "bench" {
  count   = $count
  project = labelstudio_project.bench.id
  title   = "storage \${count.index}"
  path    = "$docroot/images"
}
EOF
cat >"$work/baseline/main.tf" <<EOF
resource "terraform_data" "bench" {
  count = $count
  input = "storage \${count.index}"
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
now() { date +%s.%N; }
elapsed() { python3 -c "print('%.2f' % ($2 - $1))"; }

tf() { (cd "$1" && shift && terraform "$@" -no-color >/dev/null); }

echo "== applying $count storages and $count terraform_data resources"
reset_counts
tf "$work/storages" apply -auto-approve -input=false
apply_counts=$(counts | summarize)
tf "$work/baseline" apply -auto-approve -input=false

# Median of the runs, alternating the two configurations so that machine
# load affects both alike.
declare -a plan_s plan_b refresh_s refresh_b
for i in $(seq 1 "$runs"); do
  t0=$(now); tf "$work/storages" plan -input=false -detailed-exitcode; t1=$(now)
  plan_s+=("$(elapsed "$t0" "$t1")")
  t0=$(now); tf "$work/baseline" plan -input=false -detailed-exitcode; t1=$(now)
  plan_b+=("$(elapsed "$t0" "$t1")")
  t0=$(now); tf "$work/storages" apply -refresh-only -auto-approve -input=false; t1=$(now)
  refresh_s+=("$(elapsed "$t0" "$t1")")
  t0=$(now); tf "$work/baseline" apply -refresh-only -auto-approve -input=false; t1=$(now)
  refresh_b+=("$(elapsed "$t0" "$t1")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ps=$(median "${plan_s[@]}"); pb=$(median "${plan_b[@]}")
rs=$(median "${refresh_s[@]}"); rb=$(median "${refresh_b[@]}")

reset_counts
tf "$work/storages" plan -input=false -detailed-exitcode
plan_counts=$(counts | summarize)

echo "== destroying"
tf "$work/storages" destroy -auto-approve -input=false
tf "$work/baseline" destroy -auto-approve -input=false

ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
report=$(cat <<EOF
Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($cpu), Terraform $(terraform version | head -n1 | cut -d' ' -f2), median of $runs runs, each configuration alternating with the other.

| operation | $count labelstudio_local_import_storage | $count terraform_data | ratio (target <= 1.30) |
|---|---|---|---|
| \`terraform plan\` (refresh + plan, no changes) | ${ps} s | ${pb} s | $(ratio "$ps" "$pb") |
| \`terraform apply -refresh-only\` | ${rs} s | ${rb} s | $(ratio "$rs" "$rb") |

Requests counted by the stand-in (\`/_dev/requests\`), total and per route:

| operation | requests |
|---|---|
| apply creating 1 project + $count storages | $(echo "$apply_counts" | cut -d' ' -f1): $(echo "$apply_counts" | cut -d' ' -f2-) |
| plan of the same, no changes | $(echo "$plan_counts" | cut -d' ' -f1): $(echo "$plan_counts" | cut -d' ' -f2-) |

Targets: one GET per storage per refresh; create = validate + create.
EOF
)
echo
echo "$report"

if [ "$write" = 1 ]; then
  python3 scripts/benchmarks-section.py refresh-plan "Refresh and plan of 200 storages" "$report"
  echo "BENCHMARKS.md updated"
fi

if [ -x scripts/bench-sync.sh ]; then
  echo "== sync benchmark"
  # The sync benchmark starts its own in-process stand-in.
  env -u LABEL_STUDIO_URL -u LABEL_STUDIO_API_KEY bash scripts/bench-sync.sh $([ "$write" = 0 ] && echo --no-write)
fi
