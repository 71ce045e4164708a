#!/usr/bin/env bash
# Runs govulncheck on the module graph against the Go vulnerability database,
# built locally: vuln.go.dev is not reachable from the machines this project
# is built on, but the database's source, golang.org/x/vulndb (one OSV JSON
# file per report under data/osv), is a Go module and comes through the module
# proxy. vulndb's own indexdb command turns those files into the layout
# `govulncheck -db file://` reads (index/db.json, index/modules.json, ID/*.json).
#
#   GOVULNCHECK_VERSION=v… VULNDB_VERSION=v0.0.0-… scripts/vulncheck.sh [govulncheck args]
#
# (`make vulncheck` passes the pinned versions.) Without arguments it scans
# ./...; it fails when code of this module reaches a vulnerable function of a
# dependency or of the standard library. The scan runs with the toolchain
# go.mod names (GOTOOLCHAIN=auto), which is the one CI and releases build with,
# so the standard library scanned is the one shipped. A newer VULNDB_VERSION
# (`go list -m golang.org/x/vulndb@latest`) is a newer database; the cache
# keeps one per version.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${GOVULNCHECK_VERSION:?set GOVULNCHECK_VERSION (make vulncheck does)}"
: "${VULNDB_VERSION:?set VULNDB_VERSION (make vulncheck does)}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-labelstudio"
BIN="$CACHE/bin"
DB="$CACHE/vulndb/$VULNDB_VERSION"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

log() { printf 'vulncheck: %s\n' "$*" >&2; }

# go install into a private directory, then rename to a versioned name, so a
# version bump installs anew.
install_tool() {
	local package="$1" version="$2" target="$3" tmp
	[[ -x "$target" ]] && return
	log "installing $package@$version"
	tmp="$(mktemp -d)"
	GOBIN="$tmp" go install "$package@$version"
	mkdir -p "$BIN"
	mv "$tmp/$(basename "$package")" "$target"
	rm -rf "$tmp"
}

govulncheck="$BIN/govulncheck-$GOVULNCHECK_VERSION"
install_tool golang.org/x/vuln/cmd/govulncheck "$GOVULNCHECK_VERSION" "$govulncheck"

if [[ ! -f "$DB/index/db.json" ]]; then
	indexdb="$BIN/vulndb-indexdb-$VULNDB_VERSION"
	install_tool golang.org/x/vulndb/cmd/indexdb "$VULNDB_VERSION" "$indexdb"
	download="$(go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION")"
	source_dir="$(jq -r .Dir <<<"$download")"
	# The OSV files in the repository carry no dates (vulndb's deploy fills them
	# in from git history), so the database is dated by the vulndb commit.
	commit_time="$(jq -r .Time "$(jq -r .Info <<<"$download")")"
	log "building the database from golang.org/x/vulndb@$VULNDB_VERSION ($(find "$source_dir/data/osv" -name '*.json' | wc -l) reports, $commit_time)"
	rm -rf "$DB.tmp"
	mkdir -p "$(dirname "$DB")"
	"$indexdb" -vulns "$source_dir/data/osv" -out "$DB.tmp"
	printf '{"modified":"%s"}\n' "$commit_time" >"$DB.tmp/index/db.json"
	gzip -c "$DB.tmp/index/db.json" >"$DB.tmp/index/db.json.gz"
	rm -rf "$DB"
	mv "$DB.tmp" "$DB"
fi

if [[ $# -eq 0 ]]; then
	set -- ./...
fi
GOTOOLCHAIN=auto "$govulncheck" -db "file://$DB" "$@"
