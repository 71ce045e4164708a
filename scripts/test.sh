#!/usr/bin/env bash
# Runs the test suite with every storage server the tests need: installs them
# into the cache when missing, starts a private instance of each, and stops
# exactly those (by PID) when the tests end, passed or failed.
#
# The acceptance tests run once per supported CLI:
#   path       the terraform on PATH (or TF_ACC_TERRAFORM_PATH): the oldest supported, >= 1.11
#   terraform  Terraform 1.16.4, built by scripts/cli.sh (actions, list resources, identity)
#   tofu       OpenTofu 1.12.6, built by scripts/cli.sh
# The first CLI runs every package; the others rerun only ./internal/provider/...,
# the package that drives a CLI.
#
# The CLIs' runs go side by side (TEST_JOBS at a time, default all of them):
# an acceptance test spends most of its time waiting on terraform, so one run
# leaves the cores mostly idle. Each run's output is printed whole when it
# ends; TEST_JOBS=1 runs them one after another with live output.
#
#   scripts/test.sh [go packages...]    (default ./...; then every CLI runs exactly these)
#   TESTS_RUN=regexp scripts/test.sh    (passed to go test -run)
#   TEST_CLIS="tofu" scripts/test.sh    (which CLIs, in order; default "path terraform tofu")
set -euo pipefail
cd "$(dirname "$0")/.."

export GOFLAGS=-buildvcs=false GOTOOLCHAIN=local
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_CLI_CONFIG_FILE=/dev/null

read -r -a clis <<<"${TEST_CLIS:-path terraform tofu}"
[[ ${#clis[@]} -gt 0 ]] || {
	echo "error: TEST_CLIS is empty; name one or more of: path terraform tofu" >&2
	exit 2
}

max_runs=${TEST_JOBS:-${#clis[@]}}
[[ $max_runs =~ ^[1-9][0-9]*$ ]] || {
	echo "error: TEST_JOBS must be a positive number, not '$max_runs'" >&2
	exit 2
}

# cli_path NAME prints the binary of a CLI of the matrix, building it first
# when it is missing (scripts/cli.sh prints one line per step).
cli_path() {
	case $1 in
	path)
		local terraform_path=${TF_ACC_TERRAFORM_PATH:-$(command -v terraform || true)}
		if [[ -z $terraform_path ]]; then
			echo "error: the terraform CLI (>= 1.11) is not on PATH; the acceptance tests need it (or set TF_ACC_TERRAFORM_PATH)." >&2
			return 1
		fi
		echo "$terraform_path"
		;;
	terraform | tofu) bash scripts/cli.sh path "$1" ;;
	*)
		echo "error: unknown CLI '$1' in TEST_CLIS; use path, terraform or tofu." >&2
		return 1
		;;
	esac
}

# Resolve (and build) every CLI before the first test, so that a missing or
# broken one fails in seconds, not after a full test run.
declare -A cli_bin
for cli in "${clis[@]}"; do
	cli_bin[$cli]=$(cli_path "$cli")
done

# A private services directory, so a developer's running servers are left alone.
SERVICES_DIR=$(mktemp -d "${TMPDIR:-/tmp}/labelstudio-test-services.XXXXXX")
export SERVICES_DIR
logs=$(mktemp -d "${TMPDIR:-/tmp}/labelstudio-test-logs.XXXXXX")
cleanup() {
	bash scripts/services.sh stop || true
	rm -rf "$SERVICES_DIR" "$logs"
}
trap cleanup EXIT
bash scripts/services.sh start # installs what is missing first
# shellcheck disable=SC1091
source "$SERVICES_DIR/env"
export LSTEST_REQUIRE_SERVICES=1 TF_ACC=1

# gotestsum runs go test, prints each test as it finishes (so a long package
# shows progress) and closes with a summary and the list of failures.
cache=${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-labelstudio
gotestsum=$cache/bin/gotestsum
[[ -x $gotestsum ]] || GOBIN=$cache/bin go install gotest.tools/gotestsum@v1.13.0

packages=("$@")

# run_cli CLI PACKAGES... runs the tests on one CLI; its exit status and
# duration go to $logs/CLI.result.
run_cli() {
	local cli=$1 bin version started status=0
	shift
	bin=${cli_bin[$cli]}
	version=$(TF_CLI_CONFIG_FILE=/dev/null "$bin" version 2>/dev/null) || true
	version=${version%%$'\n'*}
	echo "== tests on $version ($bin): $*"
	local env_for_cli=(TF_ACC_TERRAFORM_PATH="$bin")
	[[ $version == OpenTofu* ]] && env_for_cli+=(TF_ACC_PROVIDER_HOST=registry.opentofu.org)
	started=$SECONDS
	# The three CLIs' runs share the machine: each gets most of CI's 90 minutes
	# rather than a figure that a loaded machine overruns.
	env "${env_for_cli[@]}" "$gotestsum" --format testname --format-hide-empty-pkg -- \
		-count=1 -timeout 60m ${TESTS_RUN:+-run "$TESTS_RUN"} "$@" || status=$?
	printf '%s\t%s\t%s\n' "$status" "$((SECONDS - started))" "$version" >"$logs/$cli.result"
}

# finish_one waits for a run to end and prints its output whole.
declare -A cli_of_pid=()
finish_one() {
	local pid
	wait -n -p pid || true
	cat "$logs/${cli_of_pid[$pid]}.log"
	unset "cli_of_pid[$pid]"
}

started_all=$SECONDS
first=1
for cli in "${clis[@]}"; do
	run_packages=("${packages[@]}")
	if [[ ${#run_packages[@]} -eq 0 ]]; then
		if ((first)); then run_packages=(./...); else run_packages=(./internal/provider/...); fi
	fi
	first=0
	if ((max_runs == 1)); then
		run_cli "$cli" "${run_packages[@]}"
		continue
	fi
	((${#cli_of_pid[@]} < max_runs)) || finish_one
	echo "== started the tests on $cli: ${run_packages[*]} (output when they end)"
	run_cli "$cli" "${run_packages[@]}" >"$logs/$cli.log" 2>&1 &
	cli_of_pid[$!]=$cli
done
while ((${#cli_of_pid[@]} > 0)); do finish_one; done

failed=()
summary=()
for cli in "${clis[@]}"; do
	IFS=$'\t' read -r status took version <"$logs/$cli.result" || { status=1 took=0 version=$cli; }
	summary+=("$(printf '%-20s %s in %ds' "$version" "$([[ $status -eq 0 ]] && echo passed || echo FAILED)" "$took")")
	[[ $status -eq 0 ]] || failed+=("$version")
done
summary+=("$(printf '%-20s %ds' "every CLI" $((SECONDS - started_all)))")

echo "== summary"
printf '  %s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
	echo "tests failed on: ${failed[*]}" >&2
	exit 1
fi
