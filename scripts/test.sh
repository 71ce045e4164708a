#!/usr/bin/env bash
# Runs the test suite with every storage server the tests need: installs them
# into the cache when missing, starts a private instance of each, and stops
# exactly those (by PID) when the tests end, passed or failed.
#   scripts/test.sh [go packages...]    (default ./...)
#   TESTS_RUN=regexp scripts/test.sh    (passed to go test -run)
set -euo pipefail
cd "$(dirname "$0")/.."

export GOFLAGS=-buildvcs=false GOTOOLCHAIN=local
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_CLI_CONFIG_FILE=/dev/null

terraform_path=${TF_ACC_TERRAFORM_PATH:-$(command -v terraform || true)}
if [ -z "$terraform_path" ]; then
  echo "error: the terraform CLI (>= 1.11) is not on PATH; the acceptance tests need it (or set TF_ACC_TERRAFORM_PATH)." >&2
  exit 1
fi
export TF_ACC=1 TF_ACC_TERRAFORM_PATH=$terraform_path

# A private services directory, so a developer's running servers are left alone.
SERVICES_DIR=$(mktemp -d "${TMPDIR:-/tmp}/labelstudio-test-services.XXXXXX")
export SERVICES_DIR
cleanup() {
  bash scripts/services.sh stop || true
  rm -rf "$SERVICES_DIR"
}
trap cleanup EXIT
bash scripts/services.sh start # installs what is missing first
# shellcheck disable=SC1091
source "$SERVICES_DIR/env"
export LSTEST_REQUIRE_SERVICES=1

# gotestsum runs go test and closes with a summary and the list of failures.
cache=${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-labelstudio
gotestsum=$cache/bin/gotestsum
[ -x "$gotestsum" ] || GOBIN=$cache/bin go install gotest.tools/gotestsum@v1.13.0

packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=(./...)
"$gotestsum" --format pkgname-and-test-fails --format-hide-empty-pkg -- \
  -count=1 -timeout 25m ${TESTS_RUN:+-run "$TESTS_RUN"} "${packages[@]}"
