#!/usr/bin/env bash
# Make sure a Docker daemon is reachable; install/start one when we can.
#
#   scripts/lib/ensure-docker.sh          # run it
#   source scripts/lib/ensure-docker.sh   # or source it (runs capstan_ensure_docker and
#                                         # returns its status; the function stays defined)
#
# Idempotent: when `docker info` already answers it returns 0 right away.
# Otherwise:
#   * DOCKER_HOST / DOCKER_CONTEXT pointing somewhere else -> explain and fail (we never
#     start a local daemon behind the user's back when they chose another one);
#   * dockerd missing -> as root with apt-get: install Debian's docker.io; else explain;
#   * installed but stopped -> `systemctl start docker` when systemd is PID 1, otherwise
#     `setsid nohup dockerd ...` logging to /var/log/capstan-dockerd.log, then wait for
#     `docker info` (CAPSTAN_DOCKER_WAIT_SECONDS, default 60).
#
# dockerd flags (when /etc/docker/daemon.json does not exist and CAPSTAN_DOCKERD_FLAGS is
# unset): --log-opt max-size=10m --log-opt max-file=3 (crash-looping sample containers
# otherwise grow json logs forever).  Everything else is dockerd's default: overlay2,
# cgroupfs driver (cgroup v1, no systemd), bridge network with iptables (nf_tables backend)
# and docker-proxy, which is what makes `-p 127.0.0.1::8080` reachable from the host.
# If dockerd dies on start, it is retried with --iptables=false (published ports still
# work through docker-proxy) and then additionally with --storage-driver=vfs.
#
# Environment:
#   CAPSTAN_DOCKERD_FLAGS        extra/replacement flags for dockerd (disables fallbacks)
#   CAPSTAN_DOCKERD_LOG          dockerd log file (default /var/log/capstan-dockerd.log)
#   CAPSTAN_DOCKER_WAIT_SECONDS  how long to wait for the daemon (default 60)
#   CAPSTAN_NO_DOCKER_INSTALL=1  never apt-get install docker.io

_capstan_docker_say() { printf 'ensure-docker: %s\n' "$*" >&2; }

_capstan_docker_ok() {
  command -v docker >/dev/null 2>&1 || return 1
  if command -v timeout >/dev/null 2>&1; then
    timeout 20 docker info >/dev/null 2>&1
  else
    docker info >/dev/null 2>&1
  fi
}

_capstan_docker_help() {
  _capstan_docker_say "$1"
  cat >&2 <<'EOF'
ensure-docker: Capstan needs a reachable Docker Engine. Do one of:
  - install Docker (Debian/Ubuntu: `sudo apt-get install docker.io`, or https://docs.docker.com/engine/install/)
  - start it (`sudo systemctl start docker`, or `sudo dockerd &` where there is no systemd)
  - or point the CLI at a running daemon: export DOCKER_HOST=unix:///path/to/docker.sock (or tcp://host:2376)
  - if the daemon runs but you get "permission denied": add yourself to the `docker` group (then log in again) or use sudo
EOF
}

_capstan_docker_wait() { # $1 = seconds, $2 = pid to watch (optional)
  local deadline=$((SECONDS + $1)) pid=${2:-}
  while ((SECONDS < deadline)); do
    _capstan_docker_ok && return 0
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
      return 2 # daemon process died
    fi
    sleep 0.5
  done
  _capstan_docker_ok
}

_capstan_docker_log_tail() { # $1 = log file, $2 = lines; skips grpc chatter
  [[ -f $1 ]] || return 0
  tail -n 400 "$1" | grep -v 'module=grpc' | tail -n "$2" | sed 's/^/    /' >&2
}

_capstan_docker_install() {
  if [[ ${CAPSTAN_NO_DOCKER_INSTALL:-} == 1 ]]; then
    _capstan_docker_help "dockerd is not installed (and CAPSTAN_NO_DOCKER_INSTALL=1)."
    return 1
  fi
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    _capstan_docker_help "Docker is not installed (automatic install needs root and apt-get)."
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  local apt_opts=(-y -q -o DPkg::Lock::Timeout=600)
  # apt-get update only when the package lists do not know docker.io yet
  if ! apt-cache policy docker.io 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    _capstan_docker_say "running apt-get update ..."
    apt-get -q -o DPkg::Lock::Timeout=600 update >&2 || {
      _capstan_docker_say "apt-get update failed"
      return 1
    }
  fi
  _capstan_docker_say "installing Debian's docker.io (apt-get install docker.io) ..."
  if ! apt-get install "${apt_opts[@]}" --no-install-recommends docker.io >&2; then
    _capstan_docker_help "apt-get install docker.io failed."
    return 1
  fi
  hash -r 2>/dev/null || true
}

_capstan_docker_start_nohup() {
  local log=$1 wait_s=$2 flagsets=() rc pid attempt flags
  if [[ -n ${CAPSTAN_DOCKERD_FLAGS+x} ]]; then
    flagsets=("$CAPSTAN_DOCKERD_FLAGS")
  elif [[ -e /etc/docker/daemon.json ]]; then
    # respect the admin's configuration; duplicate flags would make dockerd refuse to start
    flagsets=("" "--iptables=false" "--iptables=false --storage-driver=vfs")
  else
    local base="--log-opt max-size=10m --log-opt max-file=3"
    flagsets=("$base" "$base --iptables=false" "$base --iptables=false --storage-driver=vfs")
  fi
  mkdir -p "$(dirname "$log")" 2>/dev/null || true

  # a dead dockerd leaves its pid file behind and the next one refuses to start
  local pidfile=/var/run/docker.pid
  if [[ -f $pidfile ]]; then
    local old
    old=$(cat "$pidfile" 2>/dev/null || true)
    if [[ -z $old ]] || ! kill -0 "$old" 2>/dev/null; then
      rm -f "$pidfile"
    fi
  fi

  attempt=0
  for flags in "${flagsets[@]}"; do
    attempt=$((attempt + 1))
    printf '\n===== %s capstan ensure-docker: dockerd %s\n' "$(date -u +%FT%TZ)" "$flags" >>"$log"
    _capstan_docker_say "starting dockerd ${flags:+($flags) }in the background, log: $log"
    # setsid: own session, so the daemon survives the shell/job that started it
    # shellcheck disable=SC2086
    setsid nohup dockerd $flags </dev/null >>"$log" 2>&1 &
    pid=$!
    _capstan_docker_wait "$wait_s" "$pid"
    rc=$?
    if ((rc == 0)); then
      _capstan_docker_say "dockerd is up (pid $pid)"
      return 0
    fi
    if ((rc == 2)); then
      _capstan_docker_say "dockerd exited during start-up (attempt $attempt); last log lines:"
      _capstan_docker_log_tail "$log" 8
      rm -f /var/run/docker.pid 2>/dev/null || true
      continue
    fi
    _capstan_docker_say "dockerd (pid $pid) did not answer within ${wait_s}s; last log lines from $log:"
    _capstan_docker_log_tail "$log" 30
    return 1
  done
  _capstan_docker_help "dockerd could not be started; see $log"
  return 1
}

capstan_ensure_docker() {
  local log=${CAPSTAN_DOCKERD_LOG:-/var/log/capstan-dockerd.log}
  local wait_s=${CAPSTAN_DOCKER_WAIT_SECONDS:-60}

  _capstan_docker_ok && return 0

  # The user chose a specific daemon: never start a local one instead.
  local host=${DOCKER_HOST:-}
  if [[ -n $host && $host != unix:///var/run/docker.sock && $host != unix:///run/docker.sock ]]; then
    _capstan_docker_say "DOCKER_HOST=$host is set but that daemon does not answer:"
    docker info 2>&1 | grep -iE 'error|cannot|denied' | head -n 3 | sed 's/^/    /' >&2
    _capstan_docker_help "Start the daemon behind DOCKER_HOST, or unset DOCKER_HOST to use a local one."
    return 1
  fi
  if [[ -n ${DOCKER_CONTEXT:-} && ${DOCKER_CONTEXT} != default ]]; then
    _capstan_docker_help "DOCKER_CONTEXT=$DOCKER_CONTEXT is set but its daemon does not answer."
    return 1
  fi

  if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    _capstan_docker_install || return 1
    _capstan_docker_ok && return 0
    if ! command -v dockerd >/dev/null 2>&1; then
      _capstan_docker_help "dockerd is still not available after installing docker.io."
      return 1
    fi
  fi

  # Socket answers but we may not use it.
  local err
  err=$(docker info 2>&1 >/dev/null | head -n 5)
  if grep -qi 'permission denied' <<<"$err"; then
    _capstan_docker_help "the Docker daemon runs but this user may not use its socket: $(head -n 1 <<<"$err")"
    return 1
  fi

  # A daemon is already starting (e.g. started by someone else a moment ago): wait for it.
  if pgrep -x dockerd >/dev/null 2>&1; then
    _capstan_docker_say "dockerd is running but not answering yet; waiting up to ${wait_s}s ..."
    _capstan_docker_wait "$wait_s" && return 0
    _capstan_docker_say "dockerd (pid $(pgrep -x dockerd | head -n 1)) does not answer; last log lines:"
    _capstan_docker_log_tail "$log" 30
    _capstan_docker_help "the running dockerd is stuck."
    return 1
  fi

  if [[ $(id -u) -ne 0 ]]; then
    _capstan_docker_help "Docker is installed but not running, and starting it needs root."
    return 1
  fi

  if [[ $(cat /proc/1/comm 2>/dev/null) == systemd ]] && command -v systemctl >/dev/null 2>&1; then
    _capstan_docker_say "starting docker with systemctl ..."
    if systemctl start docker && _capstan_docker_wait "$wait_s"; then
      return 0
    fi
    _capstan_docker_say "systemctl start docker failed; recent journal:"
    journalctl -u docker --no-pager -n 30 2>/dev/null | sed 's/^/    /' >&2
    _capstan_docker_help "could not start docker via systemd."
    return 1
  fi

  _capstan_docker_start_nohup "$log" "$wait_s"
}

if [[ ${BASH_SOURCE[0]} != "$0" ]]; then
  capstan_ensure_docker
  return $?
else
  capstan_ensure_docker
  exit $?
fi
