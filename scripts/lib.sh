# Shared by scripts/run and scripts/test. Source it; it defines functions and sets no traps.
# Every "ensure_*" either makes the thing available (installing Debian packages when run as
# root) or stops with ONE line saying exactly what to install.

HANGAR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export HANGAR_ROOT

# One cargo target directory outside the clone, shared by every clone and script on the
# machine: a second clone (or CI) reuses the build instead of starting cold.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hangar/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

apt_updated=""
# apt_install PKG... : install Debian packages when root, else tell the user.
apt_install() {
  if is_root && command -v apt-get >/dev/null 2>&1; then
    if [ -z "$apt_updated" ]; then
      DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
      apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
      || die "apt-get install $* failed"
  else
    die "missing $*: install it (Debian/Ubuntu: sudo apt-get install -y --no-install-recommends $*)"
  fi
}

ensure_rust() {
  command -v cargo >/dev/null 2>&1 \
    || die "cargo not found: install Rust with rustup (https://rustup.rs), then re-run"
  if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    command -v rustup >/dev/null 2>&1 || die "rustfmt/clippy missing: rustup component add rustfmt clippy"
    rustup component add rustfmt clippy >/dev/null 2>&1 || die "rustup component add rustfmt clippy failed"
  fi
  # diesel's postgres backend links libpq.
  if ! ldconfig -p 2>/dev/null | grep -q 'libpq\.so '; then
    apt_install libpq-dev
  fi
}

# The project-local Python (.venv) with the test tools, pinned here: aiosmtpd (a real SMTP
# server for the mail tests) and Schemathesis (schema-driven fuzzing, tests/schemathesis/run).
SCHEMATHESIS_VERSION=4.32.5
ensure_test_venv() {
  local venv="$HANGAR_ROOT/.venv"
  command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" >/dev/null 2>&1 || { apt_install python3-venv; python3 -m venv "$venv"; } \
      || die "python3 -m venv failed: install python3-venv"
  fi
  if ! "$venv/bin/python" -c 'import aiosmtpd' >/dev/null 2>&1; then
    "$venv/bin/pip" install -q --disable-pip-version-check aiosmtpd==1.4.6 \
      || die "pip install aiosmtpd==1.4.6 failed"
  fi
  if [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null)" \
       != "$SCHEMATHESIS_VERSION" ]; then
    "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" \
      || die "pip install schemathesis==$SCHEMATHESIS_VERSION failed"
  fi
}

# The directory with initdb/pg_ctl/psql, or empty.
pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r) \
           "$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/x)")"; do
    if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  return 1
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local p
  for p in $(seq "${1:-55432}" $(( ${1:-55432} + 200 ))); do
    port_open "$p" || { echo "$p"; return 0; }
  done
  die "no free TCP port found near ${1:-55432}"
}

# Runs a PostgreSQL tool as the cluster owner (postgres refuses to run as root).
as_pg_owner() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts (creating it the first time) a project-local cluster under .data/pg.
start_local_cluster() {
  local bin dir port
  bin="$(pg_bindir)" || return 1
  dir="$HANGAR_ROOT/.data/pg"
  mkdir -p "$dir"
  if is_root; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chown postgres:postgres "$dir"
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    say "Creating a project-local PostgreSQL cluster in .data/pg"
    as_pg_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null \
      || die "initdb failed in $dir"
  fi
  if [ -f "$dir/port" ]; then port="$(cat "$dir/port")"; else port="$(free_port 55432)"; fi
  if ! port_open "$port"; then
    as_pg_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir" start >/dev/null \
      || die "could not start the local PostgreSQL cluster (see .data/pg/server.log)"
    echo "$port" > "$dir/port"
  fi
  PG_ADMIN_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

# Sets PG_ADMIN_URL to a server where databases can be created:
#   $1 if given (an explicit URL); else the server on 127.0.0.1:5432 (started if it is a
#   stopped Debian cluster); else a project-local cluster under .data/pg (PostgreSQL
#   binaries installed first when run as root).
ensure_postgres() {
  if [ -n "${1:-}" ]; then PG_ADMIN_URL="$1"; return 0; fi
  if port_open 5432; then
    PG_ADMIN_URL="postgres://postgres@127.0.0.1:5432/postgres"; return 0
  fi
  if command -v pg_lsclusters >/dev/null 2>&1 && is_root; then
    local ver
    ver="$(pg_lsclusters -h 2>/dev/null | awk '$2=="main" && $3=="5432" {print $1; exit}')"
    if [ -n "$ver" ]; then
      say "Starting the PostgreSQL $ver cluster on port 5432"
      pg_ctlcluster --skip-systemctl-redirect "$ver" main start >/dev/null 2>&1 || true
      local i; for i in $(seq 1 30); do port_open 5432 && break; sleep 0.5; done
      if port_open 5432; then PG_ADMIN_URL="postgres://postgres@127.0.0.1:5432/postgres"; return 0; fi
    fi
  fi
  if ! pg_bindir >/dev/null; then
    apt_install postgresql postgresql-contrib
  fi
  start_local_cluster || die "PostgreSQL not available: install it (apt-get install postgresql) or set DATABASE_URL"
}

# psql from the server's bindir or PATH.
psql_bin() {
  local bin
  if bin="$(pg_bindir)" && [ -x "$bin/psql" ]; then echo "$bin/psql"; return 0; fi
  if ! command -v psql >/dev/null 2>&1; then apt_install postgresql-client; fi
  command -v psql
}

# A PostgreSQL client tool (pg_dump, pg_restore, psql): the server's version when installed
# here (pg_dump must not be older than the server), else the one on PATH.
pg_tool() {
  local bin
  if bin="$(pg_bindir)" && [ -x "$bin/$1" ]; then echo "$bin/$1"; return 0; fi
  if ! command -v "$1" >/dev/null 2>&1; then apt_install postgresql-client; fi
  command -v "$1"
}

# The URL with its password hidden, for messages.
redact_url() { printf '%s' "$1" | sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#'; }

# url_with_database URL NAME: the same server, another database (query string kept).
url_with_database() {
  local url="$1" name="$2" query="" rest scheme
  case "$url" in *\?*) query="?${url#*\?}"; url="${url%%\?*}" ;; esac
  scheme="${url%%://*}://"
  rest="${url#*://}"
  printf '%s%s/%s%s' "$scheme" "${rest%%/*}" "$name" "$query"
}
