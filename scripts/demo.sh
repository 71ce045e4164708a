#!/usr/bin/env bash
# Newcomer demo: builds the provider and the Label Studio stand-in (with
# local-files storage only: the localfiles_only build tag leaves out the
# cloud SDKs, which make most of a first build's time), starts the stand-in
# with a temporary document root, applies examples/quickstart with
# the freshly built provider (dev_overrides), checks that a second plan is
# empty, and destroys everything again. Needs Go and Terraform (>= 1.11) on
# PATH; nothing else, and no network beyond the Go module proxy.
#
# Usage: scripts/demo.sh
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

step() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nDEMO FAILED: %s\n' "$*" >&2; exit 1; }

# building LABEL CMD... runs a build with its output in the build log,
# printing a line every 30 s so that a long first build is not silent.
# The build's PID is global so that cleanup stops it on an interrupt.
build_pid=""
building() {
	local label="$1" start=$SECONDS next=$((SECONDS + 30))
	shift
	echo "building $label"
	"$@" >>"$build_log" 2>&1 &
	build_pid=$!
	while kill -0 "$build_pid" 2>/dev/null; do
		sleep 1
		if kill -0 "$build_pid" 2>/dev/null && ((SECONDS >= next)); then
			echo "  still building $label ($((SECONDS - start)) s)"
			next=$((next + 30))
		fi
	done
	local pid=$build_pid
	build_pid=""
	if ! wait "$pid"; then
		tail -n 30 "$build_log" >&2
		fail "building $label failed; see above"
	fi
	echo "  built in $((SECONDS - start)) s"
}

# without_override_warning drops Terraform's "Provider development
# overrides are in effect" box, which the first command has already shown.
without_override_warning() {
	awk '
		/╷/ { box = $0 "\n"; inbox = 1; next }
		inbox { box = box $0 "\n" }
		inbox && /╵/ { if (box !~ /development overrides/) printf "%s", box; inbox = 0; box = ""; next }
		!inbox { print }
	'
}

for tool in go terraform; do
	command -v "$tool" >/dev/null 2>&1 || fail "$tool is not on PATH"
done

work="$(mktemp -d "${TMPDIR:-/tmp}/labelstudio-demo.XXXXXX")"
server_pid=""
cleanup() {
	local status=$?
	if [[ -n "$build_pid" ]] && kill -0 "$build_pid" 2>/dev/null; then
		kill "$build_pid" 2>/dev/null || true
		wait "$build_pid" 2>/dev/null || true
	fi
	if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "Building the provider into bin/ and a local-files-only Label Studio stand-in"
echo "The first build on a machine compiles the Terraform plugin framework and its"
echo "dependencies and takes a few minutes; later builds take seconds. The stand-in is"
echo "built without the cloud storage SDKs, which the demo does not need."
build_log="$work/build.log"
mkdir -p "$repo/bin"
cd "$repo"
building "the provider (bin/terraform-provider-labelstudio)" go build -o bin/terraform-provider-labelstudio .
building "the stand-in (local files only)" go build -tags localfiles_only -o "$work/labelstudio-devserver" ./cmd/labelstudio-devserver

step "Preparing a document root with sample tasks in $work/docroot"
docroot="$work/docroot"
mkdir -p "$docroot/tasks" "$docroot/annotations"
i=0
for review in "Great battery life, would buy again." "Arrived late and the box was damaged." "It does what it says."; do
	i=$((i + 1))
	printf '{"data": {"text": "%s"}}\n' "$review" >"$docroot/tasks/review-$i.json"
done
ls "$docroot/tasks"

step "Starting the stand-in on a free loopback port"
token="$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')"
LABEL_STUDIO_USER_TOKEN="$token" \
	LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true \
	LOCAL_FILES_SERVING_ENABLED=true \
	LOCAL_FILES_DOCUMENT_ROOT="$docroot" \
	"$work/labelstudio-devserver" --addr 127.0.0.1:0 >"$work/server.log" 2>&1 &
server_pid=$!

url=""
for _ in $(seq 1 100); do
	kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; fail "the stand-in exited during start-up"; }
	url="$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$work/server.log" | head -n 1)"
	[[ -n "$url" ]] && break
	sleep 0.1
done
[[ -n "$url" ]] || { cat "$work/server.log" >&2; fail "the stand-in did not report its address within 10 s"; }
echo "Label Studio stand-in at $url (PID $server_pid)"
export LABEL_STUDIO_URL="$url" LABEL_STUDIO_API_KEY="$token"

step "Configuring Terraform to use bin/terraform-provider-labelstudio (dev_overrides)"
cat >"$work/dev.tfrc" <<EOF
provider_installation {
  dev_overrides {
    "labelstudio-tf/labelstudio" = "$repo/bin"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$work/dev.tfrc"
config="$work/quickstart"
cp -R "$repo/examples/quickstart" "$config"
export TF_VAR_document_root="$docroot"
# No terraform init: it fails under dev_overrides, and nothing else is needed.

step "terraform apply"
terraform -chdir="$config" apply -auto-approve -input=false

step "terraform output"
terraform -chdir="$config" output

step "Second plan (must be empty)"
set +e
terraform -chdir="$config" plan -input=false -detailed-exitcode | without_override_warning
plan_status=$?
set -e
case "$plan_status" in
0) echo "second plan is empty" ;;
2) fail "the second plan is not empty: the provider reports a difference right after apply" ;;
*) fail "terraform plan failed (exit $plan_status)" ;;
esac

step "terraform destroy"
terraform -chdir="$config" destroy -auto-approve -input=false | without_override_warning

step "Done: the demo passed"
