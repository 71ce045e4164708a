#!/usr/bin/env bash
# Installs, starts and stops the real storage servers the tests run against:
# MinIO (S3), fake-gcs-server (GCS), Azurite (Azure Blob) and redis-server,
# plus versitygw, an S3 server with the bucket CORS API MinIO lacks.
#
#   scripts/services.sh install   install what is missing into the cache
#   scripts/services.sh start     install, start what is not running, write $SERVICES_DIR/env
#   scripts/services.sh stop      stop what start started (by recorded PID)
#   scripts/services.sh env       print the export lines of the running servers
#
# Every server listens on a free port of $SERVICES_HOST (default 127.0.0.1;
# CI sets the Docker host's address so that a Label Studio container reaches
# them). Install output goes to $CACHE/install.log, one line per step here.
# State, logs and PIDs live in
# $SERVICES_DIR (default: .services in the repository, gitignored), so a
# second instance can run beside the first with another SERVICES_DIR.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-labelstudio"
BIN="$CACHE/bin"
AZURITE_DIR="$CACHE/azurite"
SERVICES_DIR="${SERVICES_DIR:-$REPO_DIR/.services}"
PID_DIR="$SERVICES_DIR/pids"
PORT_DIR="$SERVICES_DIR/ports"
LOG_DIR="$SERVICES_DIR/logs"
DATA_DIR="$SERVICES_DIR/data"
ENV_FILE="$SERVICES_DIR/env"
SECRETS_FILE="$SERVICES_DIR/secrets"
READY_TIMEOUT_SECONDS="${READY_TIMEOUT_SECONDS:-60}"
SERVICES_HOST="${SERVICES_HOST:-127.0.0.1}"
INSTALL_LOG="$CACHE/install.log"

MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
FAKE_GCS_VERSION="v1.56.1"
VERSITYGW_VERSION="v1.8.0"
AZURITE_VERSION="3.37.0"
# Azurite's built-in account and its public, well-known development key.
AZURE_ACCOUNT_NAME="devstoreaccount1"
AZURE_ACCOUNT_KEY="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

SERVICES=(minio fakegcs azurite redis versitygw)

export GOFLAGS="${GOFLAGS:--buildvcs=false}" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

log() { printf 'services: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

azurite_bin() { echo "$AZURITE_DIR/node_modules/.bin/azurite-blob"; }

redis_bin() {
	command -v redis-server 2>/dev/null || { [[ -x /usr/bin/redis-server ]] && echo /usr/bin/redis-server; } || true
}

as_root() {
	if [[ "$(id -u)" == 0 ]]; then
		"$@"
	else
		sudo "$@"
	fi
}

# installing WHAT CMD... runs one install step with its output in the
# install log, and shows the log's end when the step fails.
installing() {
	local what="$1"
	shift
	log "installing $what (log: $INSTALL_LOG)"
	printf '\n== %s: installing %s\n' "$(date -u +%FT%TZ)" "$what" >>"$INSTALL_LOG"
	if ! "$@" >>"$INSTALL_LOG" 2>&1; then
		tail -n 20 "$INSTALL_LOG" >&2
		die "installing $what failed; the full output is in $INSTALL_LOG"
	fi
}

install_services() {
	mkdir -p "$BIN"
	# Two test runs on one machine must not install into the cache at once
	# (npm and apt-get fail when they do); the second waits for the first.
	exec 9>"$CACHE/install.lock"
	flock 9
	if [[ -x "$BIN/minio" ]]; then
		log "minio already installed"
	else
		installing "minio with go install (first time only, takes a few minutes)" \
			env GOBIN="$BIN" go install "github.com/minio/minio@$MINIO_VERSION"
	fi
	if [[ -x "$BIN/fake-gcs-server" ]]; then
		log "fake-gcs-server already installed"
	else
		installing "fake-gcs-server with go install (first time only)" \
			env GOBIN="$BIN" go install "github.com/fsouza/fake-gcs-server@$FAKE_GCS_VERSION"
	fi
	if [[ -x "$BIN/versitygw" ]]; then
		log "versitygw already installed"
	else
		installing "versitygw with go install (first time only)" \
			env GOBIN="$BIN" go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
	fi
	if [[ -x "$(azurite_bin)" ]]; then
		log "azurite already installed"
	else
		mkdir -p "$AZURITE_DIR"
		installing "azurite with npm (first time only)" \
			npm install --prefix "$AZURITE_DIR" --no-audit --no-fund --loglevel=error "azurite@$AZURITE_VERSION"
	fi
	if [[ -n "$(redis_bin)" ]]; then
		log "redis-server already installed"
	else
		installing "the apt package lists (for redis-server)" as_root apt-get update -qq
		installing "redis-server with apt-get" \
			as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server
	fi
	exec 9>&- # release the lock; the servers started next must not inherit it
}

free_port() {
	python3 -c 'import socket, sys; s = socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1]); s.close()' "$SERVICES_HOST"
}

random_secret() { openssl rand -hex 16; }

# running NAME succeeds when the PID recorded for NAME is alive.
running() {
	local pid_file="$PID_DIR/$1.pid" pid
	[[ -f "$pid_file" ]] || return 1
	pid="$(cat "$pid_file")"
	[[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

port_of() { cat "$PORT_DIR/$1.port"; }

port_open() { (exec 3<>"/dev/tcp/$SERVICES_HOST/$1") 2>/dev/null; }

# wait_ready NAME CHECK... polls CHECK until it succeeds, the process dies or
# READY_TIMEOUT_SECONDS pass. Checks are silent: a refused connection while
# a server starts is expected, not news.
wait_ready() {
	local name="$1" deadline=$((SECONDS + READY_TIMEOUT_SECONDS))
	shift
	until "$@"; do
		if ! running "$name"; then
			die "$name exited during startup; see $LOG_DIR/$name.log"
		fi
		if ((SECONDS >= deadline)); then
			die "$name not ready after ${READY_TIMEOUT_SECONDS}s; see $LOG_DIR/$name.log"
		fi
		sleep 0.2
	done
}

# launch NAME CMD... starts CMD in its own session, detached from this shell,
# and records its PID.
launch() {
	local name="$1"
	shift
	setsid "$@" >"$LOG_DIR/$name.log" 2>&1 </dev/null &
	echo $! >"$PID_DIR/$name.pid"
}

load_secrets() {
	if [[ ! -f "$SECRETS_FILE" ]]; then
		(
			umask 077
			printf 'MINIO_USER=%s\nMINIO_PASSWORD=%s\nREDIS_PASSWORD=%s\nVERSITYGW_USER=%s\nVERSITYGW_PASSWORD=%s\n' \
				"lstest$(openssl rand -hex 4)" "$(random_secret)" "$(random_secret)" \
				"lstest$(openssl rand -hex 4)" "$(random_secret)" >"$SECRETS_FILE"
		)
	fi
	# shellcheck source=/dev/null
	source "$SECRETS_FILE"
	if [[ -z "${VERSITYGW_USER:-}" ]]; then
		# A secrets file written before versitygw joined.
		VERSITYGW_USER="lstest$(openssl rand -hex 4)" VERSITYGW_PASSWORD="$(random_secret)"
		printf 'VERSITYGW_USER=%s\nVERSITYGW_PASSWORD=%s\n' "$VERSITYGW_USER" "$VERSITYGW_PASSWORD" >>"$SECRETS_FILE"
	fi
}

minio_healthy() { curl -fs -o /dev/null "http://$SERVICES_HOST:$(port_of minio)/minio/health/live" 2>/dev/null; }
fakegcs_healthy() { curl -fs -o /dev/null "http://$SERVICES_HOST:$(port_of fakegcs)/storage/v1/b" 2>/dev/null; }
azurite_healthy() { port_open "$(port_of azurite)"; }
versitygw_healthy() { port_open "$(port_of versitygw)"; }
redis_healthy() {
	[[ "$(REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h "$SERVICES_HOST" -p "$(port_of redis)" ping 2>/dev/null)" == PONG ]]
}

start_minio() {
	local port console
	port="$(free_port)"
	console="$(free_port)"
	echo "$port" >"$PORT_DIR/minio.port"
	mkdir -p "$DATA_DIR/minio"
	# Credentials travel in the environment, never on a command line.
	MINIO_ROOT_USER="$MINIO_USER" MINIO_ROOT_PASSWORD="$MINIO_PASSWORD" MINIO_BROWSER=off MINIO_UPDATE=off \
		launch minio "$BIN/minio" server "$DATA_DIR/minio" --address "$SERVICES_HOST:$port" --console-address "$SERVICES_HOST:$console"
}

start_fakegcs() {
	local port
	port="$(free_port)"
	echo "$port" >"$PORT_DIR/fakegcs.port"
	launch fakegcs "$BIN/fake-gcs-server" -scheme http -host "$SERVICES_HOST" -port "$port" -backend memory \
		-public-host "$SERVICES_HOST:$port" -external-url "http://$SERVICES_HOST:$port" -log-level warn
}

start_azurite() {
	local port
	port="$(free_port)"
	echo "$port" >"$PORT_DIR/azurite.port"
	launch azurite "$(azurite_bin)" --blobHost "$SERVICES_HOST" --blobPort "$port" --inMemoryPersistence \
		--skipApiVersionCheck --disableTelemetry --silent
}

start_redis() {
	local port
	port="$(free_port)"
	echo "$port" >"$PORT_DIR/redis.port"
	# The password goes into a private config file, so it never shows in the
	# process list.
	printf 'requirepass %s\n' "$REDIS_PASSWORD" >"$SERVICES_DIR/redis.conf.tmp"
	chmod 600 "$SERVICES_DIR/redis.conf.tmp"
	mv "$SERVICES_DIR/redis.conf.tmp" "$SERVICES_DIR/redis.conf"
	launch redis "$(redis_bin)" "$SERVICES_DIR/redis.conf" --port "$port" --bind "$SERVICES_HOST" \
		--save '' --appendonly no --daemonize no --dir "$DATA_DIR"
}

start_versitygw() {
	local port
	port="$(free_port)"
	echo "$port" >"$PORT_DIR/versitygw.port"
	mkdir -p "$DATA_DIR/versitygw"
	ROOT_ACCESS_KEY="$VERSITYGW_USER" ROOT_SECRET_KEY="$VERSITYGW_PASSWORD" \
		launch versitygw "$BIN/versitygw" --port "$SERVICES_HOST:$port" posix "$DATA_DIR/versitygw"
}

write_env() {
	local tmp="$ENV_FILE.tmp"
	(
		umask 077
		cat >"$tmp" <<EOF
export LSTEST_S3_ENDPOINT=http://$SERVICES_HOST:$(port_of minio)
export LSTEST_S3_ACCESS_KEY=$MINIO_USER
export LSTEST_S3_SECRET_KEY=$MINIO_PASSWORD
export LSTEST_GCS_ENDPOINT=http://$SERVICES_HOST:$(port_of fakegcs)
export LSTEST_AZURE_ENDPOINT='http://$SERVICES_HOST:$(port_of azurite)/{account}'
export LSTEST_AZURE_ACCOUNT_NAME=$AZURE_ACCOUNT_NAME
export LSTEST_AZURE_ACCOUNT_KEY=$AZURE_ACCOUNT_KEY
export LSTEST_REDIS_HOST=$SERVICES_HOST
export LSTEST_REDIS_PORT=$(port_of redis)
export LSTEST_REDIS_PASSWORD=$REDIS_PASSWORD
export LSTEST_S3CORS_ENDPOINT=http://$SERVICES_HOST:$(port_of versitygw)
export LSTEST_S3CORS_ACCESS_KEY=$VERSITYGW_USER
export LSTEST_S3CORS_SECRET_KEY=$VERSITYGW_PASSWORD
export LSTEST_REQUIRE_SERVICES=1
EOF
	)
	mv "$tmp" "$ENV_FILE"
}

start_services() {
	install_services
	mkdir -p "$PID_DIR" "$PORT_DIR" "$LOG_DIR" "$DATA_DIR"
	load_secrets
	local name
	for name in "${SERVICES[@]}"; do
		if running "$name"; then
			log "$name already running (pid $(cat "$PID_DIR/$name.pid"), port $(port_of "$name"))"
			continue
		fi
		log "starting $name"
		"start_$name"
	done
	for name in "${SERVICES[@]}"; do
		wait_ready "$name" "${name}_healthy"
	done
	write_env
	log "ready; variables in $ENV_FILE"
}

stop_services() {
	local name pid_file pid deadline
	for name in "${SERVICES[@]}"; do
		pid_file="$PID_DIR/$name.pid"
		[[ -f "$pid_file" ]] || continue
		pid="$(cat "$pid_file")"
		if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
			log "stopping $name (pid $pid)"
			kill "$pid" 2>/dev/null || true
			deadline=$((SECONDS + 15))
			while kill -0 "$pid" 2>/dev/null; do
				if ((SECONDS >= deadline)); then
					log "$name ignored SIGTERM; sending SIGKILL"
					kill -9 "$pid" 2>/dev/null || true
				fi
				sleep 0.2
			done
		fi
		rm -f "$pid_file" "$PORT_DIR/$name.port"
	done
	rm -f "$ENV_FILE"
}

print_env() {
	[[ -f "$ENV_FILE" ]] || die "no servers running; run: $0 start"
	cat "$ENV_FILE"
}

case "${1:-}" in
install) install_services ;;
start) start_services ;;
stop) stop_services ;;
env) print_env ;;
*)
	echo "usage: $0 {install|start|stop|env}" >&2
	exit 2
	;;
esac
