#!/usr/bin/env bash
# Builds the newer Terraform and OpenTofu CLIs the tests run on, from their
# source in the Go module proxy, and caches them. The terraform on PATH stays
# the oldest supported CLI; these two are the newest.
#
#   scripts/cli.sh install [terraform|tofu]...   build what is missing (default: both)
#   scripts/cli.sh path terraform|tofu           build if missing, print the binary's path
#
# One line per step on stderr; the build output goes to a log file next to
# the binary. Cache: ${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-labelstudio/cli/.
#
# Neither CLI can be `go install`ed: Terraform's go.mod replaces nested modules
# (optional remote-state backends, internal/legacy) with ./ paths that are not
# in the module zip, and OpenTofu's go.mod has a replace directive. So the
# module source is copied and built as the main module; for Terraform the
# nested backends are dropped first (local, http, inmem, remote and cloud
# stay). Terraform is BUSL-1.1: build it where it is used, never commit it.
set -euo pipefail

TERRAFORM_VERSION="${TERRAFORM_VERSION:-v1.16.4}"
TOFU_VERSION="${TOFU_VERSION:-v1.12.6}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-labelstudio/cli"

export GOFLAGS="${GOFLAGS:--buildvcs=false}" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export CHECKPOINT_DISABLE=1 # else `version` waits for an update check

log() { printf 'cli: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# Per CLI: its Go module, the binary's name, the package to build, its
# version banner, and the version wanted.
module_of() { case $1 in terraform) echo github.com/hashicorp/terraform ;; tofu) echo github.com/opentofu/opentofu ;; esac; }
package_of() { case $1 in terraform) echo . ;; tofu) echo ./cmd/tofu ;; esac; }
banner_of() { case $1 in terraform) echo Terraform ;; tofu) echo OpenTofu ;; esac; }
version_of() { case $1 in terraform) echo "$TERRAFORM_VERSION" ;; tofu) echo "$TOFU_VERSION" ;; esac; }

dir_of() { echo "$CACHE/$1-$(version_of "$1")"; }
bin_of() { echo "$(dir_of "$1")/$1"; }

built() {
	local bin output
	bin="$(bin_of "$1")"
	[[ -x "$bin" ]] || return 1
	# Read the whole output: cutting the pipe early could fail the check.
	output="$(TF_CLI_CONFIG_FILE=/dev/null "$bin" version 2>/dev/null)" || return 1
	[[ "${output%%$'\n'*}" == "$(banner_of "$1") $(version_of "$1")" ]]
}

# Terraform only: drop the remote-state backends that live in nested modules
# (their imports and registrations in init.go, their require/replace lines).
patch_terraform() {
	sed -i -E '/backend(Azure|Consul|Cos|GCS|Kubernetes|OCI|OSS|Pg|S3)\b/d' internal/backend/init/init.go
	sed -i -E '/hashicorp\/terraform\/internal\/(backend\/remote-state\/[a-z0-9]+|legacy)( |$)/d' go.mod
	if grep -q 'remote-state/\(azure\|consul\|cos\|gcs\|kubernetes\|oci\|oss\|pg\|s3\)"' internal/backend/init/init.go; then
		return 1
	fi
	! grep -q '=> \./' go.mod
}

build() {
	local cli="$1" module version dir work src logfile started lock_fd
	module="$(module_of "$cli")"
	version="$(version_of "$cli")"
	dir="$(dir_of "$cli")"
	if built "$cli"; then
		log "$(banner_of "$cli") $version already built: $(bin_of "$cli")"
		return
	fi
	command -v go >/dev/null || die "go is not on PATH"
	mkdir -p "$dir"
	# One build per CLI at a time: a second caller (another worktree, a
	# parallel test run) waits for the first and then finds the binary.
	exec {lock_fd}>"$dir/build.lock"
	if ! flock -n "$lock_fd"; then
		log "$(banner_of "$cli") $version: another build is running; waiting for it"
		flock "$lock_fd"
	fi
	if built "$cli"; then
		log "$(banner_of "$cli") $version built meanwhile: $(bin_of "$cli")"
		exec {lock_fd}>&-
		return
	fi
	logfile="$dir/build.log"
	: >"$logfile"
	work="$(mktemp -d "${TMPDIR:-/tmp}/labelstudio-cli.XXXXXX")"
	WORK_DIRS+=("$work")
	started=$SECONDS

	log "$(banner_of "$cli") $version: downloading $module@$version (log: $logfile)"
	src="$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "$module@$version" 2>>"$logfile" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')" || true
	[[ -n "$src" && -f "$src/go.mod" ]] || die "go mod download $module@$version gave no source; see $logfile"

	mkdir -p "$work/src"
	cp -R "$src"/. "$work/src"/
	chmod -R u+w "$work/src"
	if [[ $cli == terraform ]]; then
		log "$(banner_of "$cli") $version: dropping the remote-state backends in nested modules"
		(cd "$work/src" && patch_terraform) || die "patching Terraform $version failed; its layout changed"
	fi

	log "$(banner_of "$cli") $version: building (5-7 minutes on a cold build cache)"
	(cd "$work/src" && go build -mod=mod -trimpath -ldflags "-s -w -X $module/version.dev=no" \
		-o "$work/$cli" "$(package_of "$cli")") >>"$logfile" 2>&1 ||
		die "building $(banner_of "$cli") $version failed; see $logfile"
	TF_CLI_CONFIG_FILE=/dev/null "$work/$cli" version >>"$logfile" 2>&1 || die "the built $cli does not run; see $logfile"
	mv -f "$work/$cli" "$(bin_of "$cli")"
	exec {lock_fd}>&-
	log "$(banner_of "$cli") $version: built in $((SECONDS - started))s: $(bin_of "$cli")"
}

WORK_DIRS=()
cleanup() {
	local dir
	# Files copied from the read-only module cache must be made writable to go.
	for dir in "${WORK_DIRS[@]}"; do
		chmod -R u+w "$dir" 2>/dev/null || true
		rm -rf "$dir"
	done
}
trap cleanup EXIT

check_cli() {
	case "$1" in
	terraform | tofu) ;;
	*) die "unknown CLI '$1': expected terraform or tofu" ;;
	esac
}

case "${1:-}" in
install)
	shift
	[[ $# -gt 0 ]] || set -- terraform tofu
	for cli in "$@"; do check_cli "$cli"; done
	for cli in "$@"; do build "$cli"; done
	;;
path)
	[[ $# -eq 2 ]] || die "usage: $0 path terraform|tofu"
	check_cli "$2"
	built "$2" || build "$2"
	bin_of "$2"
	;;
*)
	echo "usage: $0 install [terraform|tofu]... | $0 path terraform|tofu" >&2
	exit 2
	;;
esac
