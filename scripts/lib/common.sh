# Shared steps of scripts/up and scripts/test. Source it; every step is idempotent and quick when done.

say() { printf '\033[1mcapstan:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mcapstan:\033[0m %s\n' "$*" >&2; exit 1; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
mkdir -p .capstan-build

_apt_updated=0
apt_install() { # packages...
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    die "needs these Debian packages: $* — install them (as root: apt-get install $*) and run again."
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [[ $_apt_updated == 0 ]]; then
    apt-get update -q -o DPkg::Lock::Timeout=600 >/dev/null || die "apt-get update failed"
    _apt_updated=1
  fi
  say "installing $* (Debian packages)"
  apt-get install -y -q -o DPkg::Lock::Timeout=600 "$@" >/dev/null || die "apt-get install $* failed"
}

ensure_node() {
  command -v node >/dev/null || die "Node.js 20.9 or newer is needed (https://nodejs.org)."
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  ((major >= 20)) || die "Node.js 20.9 or newer is needed; this is $(node --version)."
}

# npm ci when package-lock.json changed since the last install.
ensure_node_deps() {
  ensure_node
  local stamp=node_modules/.capstan-lock-hash want
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then return 0; fi
  say "installing npm dependencies (npm ci: exactly what package-lock.json says)"
  npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed"
  echo "$want" >"$stamp"
}

ensure_docker() {
  # shellcheck source=ensure-docker.sh
  source "$ROOT/scripts/lib/ensure-docker.sh" || die "no Docker engine (see above)."
}

ensure_sample_images() {
  "$ROOT/scripts/build-sample-images" || die "building the sample images failed"
}

# Production build of Next.js, redone only when a source file changed.
ensure_build() {
  local want
  want=$( (git ls-files -co --exclude-standard -- app components server db public next.config.js postcss.config.mjs tsconfig.json package-lock.json instrumentation.ts 2>/dev/null || true) | sort | xargs -r sha256sum 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [[ -f .next/BUILD_ID && -f .next/capstan-source-hash && $(cat .next/capstan-source-hash) == "$want" ]]; then
    return 0
  fi
  say "building Capstan (production build)"
  NEXT_TELEMETRY_DISABLED=1 npx next build || die "next build failed"
  echo "$want" >.next/capstan-source-hash
}

# The reverse proxy in front of every service's replicas.
ensure_haproxy() {
  if [[ -x /usr/sbin/haproxy ]]; then return 0; fi
  apt_install haproxy
  # Capstan runs its own HAProxy; the packaged system service is not needed.
  if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then systemctl disable --now haproxy >/dev/null 2>&1 || true; fi
}

ensure_chromium() {
  if [[ -x /usr/bin/chromium ]]; then return 0; fi
  apt_install chromium
}

# A throwaway PostgreSQL server for the tests, on 127.0.0.1:${CAPSTAN_TEST_PG_PORT:-55432}.
ensure_test_postgres() {
  local port=${CAPSTAN_TEST_PG_PORT:-55432} dir="${CAPSTAN_TEST_PG_DIR:-/tmp/capstan-test-pg}" bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [[ -z $bin || ! -x $bin/initdb ]]; then
    apt_install postgresql
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  local run=()
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql --shell /bin/bash postgres
    run=(runuser -u postgres --)
  fi
  export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then return 0; fi
  if [[ ! -f $dir/PG_VERSION ]]; then
    rm -rf "$dir" && mkdir -p "$dir"
    [[ ${#run[@]} -gt 0 ]] && chown postgres "$dir"
    "${run[@]}" "$bin/initdb" -D "$dir" -A trust -U postgres >/dev/null || die "initdb failed"
  fi
  say "starting PostgreSQL for the tests on 127.0.0.1:$port"
  "${run[@]}" "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off" start >/dev/null ||
    { tail -20 "$dir/server.log" >&2; die "PostgreSQL did not start"; }
}
