#!/usr/bin/env bash
# Install the pgvector extension into the machine's local PostgreSQL cluster.
#
# Debian bookworm ships no pgvector package for PostgreSQL 15, so this script
# builds it from Debian's *trixie* `pgvector` source package, using a private
# apt configuration (sources list + lists/cache dirs in a temp dir) so that the
# system's apt setup is left untouched.
#
# Idempotent: if `vector` is already available to the server it only reports it.
#
# Env overrides:
#   PG_MAJOR       PostgreSQL major version           (default 15)
#   PG_CLUSTER     cluster name for pg_ctlcluster      (default main)
#   PGHOST/PGPORT/PGUSER  connection used for checks   (default 127.0.0.1/5432/postgres)
#   DEBIAN_MIRROR  Debian mirror for the trixie source (default: taken from
#                  /etc/apt/sources.list*, else http://deb.debian.org/debian)
#   PGVECTOR_SUITE Debian suite to take the source from (default trixie)
#
# Must run as root (uses sudo if not root and sudo is available).
set -Eeuo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
PG_CLUSTER="${PG_CLUSTER:-main}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
PGVECTOR_SUITE="${PGVECTOR_SUITE:-trixie}"
export PGHOST PGPORT PGUSER
export DEBIAN_FRONTEND=noninteractive

PG_BINDIR="/usr/lib/postgresql/${PG_MAJOR}/bin"
PG_CONFIG="${PG_BINDIR}/pg_config"
CONTROL_FILE="/usr/share/postgresql/${PG_MAJOR}/extension/vector.control"
CHECK_DB="pgvector_check"

STEP="init"
log() { printf 'install-pgvector: %s\n' "$*"; }
die() { printf 'install-pgvector: ERROR: %s\n' "$*" >&2; exit 1; }
on_err() {
  local rc=$?
  printf 'install-pgvector: ERROR: step "%s" failed (exit %s)\n' "$STEP" "$rc" >&2
  exit "$rc"
}
trap on_err ERR

TMPDIR_PGV=""
cleanup() { if [[ -n "$TMPDIR_PGV" && -d "$TMPDIR_PGV" ]]; then rm -rf "$TMPDIR_PGV"; fi; }
trap cleanup EXIT

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -E)
  else
    die "must run as root (or with sudo available)"
  fi
fi

psql_q() { PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" psql -X -v ON_ERROR_STOP=1 -qAt -d "${1}" -c "${2}"; }

# ---------------------------------------------------------------- 1. server up
STEP="check prerequisites"
command -v psql >/dev/null 2>&1 || die "psql not found (install postgresql-client-${PG_MAJOR})"
command -v pg_isready >/dev/null 2>&1 || die "pg_isready not found"
[[ -d "$PG_BINDIR" ]] || die "PostgreSQL ${PG_MAJOR} server not installed (${PG_BINDIR} missing)"

STEP="start PostgreSQL ${PG_MAJOR}/${PG_CLUSTER}"
if pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
  log "PostgreSQL is accepting connections on ${PGHOST}:${PGPORT}"
else
  log "PostgreSQL not ready on ${PGHOST}:${PGPORT}; starting cluster ${PG_MAJOR}/${PG_CLUSTER}"
  "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" "$PG_CLUSTER" start \
    || die "could not start cluster ${PG_MAJOR}/${PG_CLUSTER} (pg_ctlcluster failed)"
  for _ in $(seq 1 30); do
    pg_isready -q -h "$PGHOST" -p "$PGPORT" && break
    sleep 1
  done
  pg_isready -q -h "$PGHOST" -p "$PGPORT" || die "PostgreSQL did not become ready on ${PGHOST}:${PGPORT}"
  log "PostgreSQL started"
fi

# ------------------------------------------------------------ 2. already there?
STEP="check for existing pgvector"
available_version() {
  psql_q postgres "select coalesce(default_version, '') from pg_available_extensions where name = 'vector'" 2>/dev/null || true
}
existing="$(available_version)"
if [[ -n "$existing" ]]; then
  log "pgvector ${existing} is already available to PostgreSQL ${PG_MAJOR}; nothing to do"
  exit 0
fi
if [[ -f "$CONTROL_FILE" ]]; then
  log "pgvector is already installed (${CONTROL_FILE} exists); nothing to do"
  exit 0
fi
log "pgvector not available; building it from Debian ${PGVECTOR_SUITE} sources"

TMPDIR_PGV="$(mktemp -d -t install-pgvector.XXXXXX)"
chmod 755 "$TMPDIR_PGV"   # apt's _apt sandbox user must be able to read/write below here

# ------------------------------------------------------------- 3. build deps
STEP="apt-get install build dependencies"
build_pkgs=("postgresql-server-dev-${PG_MAJOR}" build-essential dpkg-dev ca-certificates)
missing=()
for p in "${build_pkgs[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  log "apt-get installing: ${missing[*]}"
  aptlog="$TMPDIR_PGV/apt-install.log"
  if ! "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >"$aptlog" 2>&1; then
    log "apt-get install failed; running apt-get update and retrying"
    STEP="apt-get update (system sources)"
    "${SUDO[@]}" apt-get update -q >>"$aptlog" 2>&1 \
      || { tail -n 40 "$aptlog" >&2; die "apt-get update failed (see output above)"; }
    STEP="apt-get install build dependencies"
    "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$aptlog" 2>&1 \
      || { tail -n 40 "$aptlog" >&2; die "apt-get install ${missing[*]} failed (see output above)"; }
  fi
  log "build dependencies installed"
else
  log "build dependencies already installed"
fi
[[ -x "$PG_CONFIG" ]] || die "${PG_CONFIG} missing after installing postgresql-server-dev-${PG_MAJOR}"

# ------------------------------------------------- 4. private apt for trixie src
STEP="configure private apt sources (${PGVECTOR_SUITE})"
keyring=""
for k in /usr/share/keyrings/debian-archive-keyring.gpg \
         "/usr/share/keyrings/debian-archive-${PGVECTOR_SUITE}-stable.gpg" \
         "/usr/share/keyrings/debian-archive-${PGVECTOR_SUITE}-automatic.gpg"; do
  if [[ -s "$k" ]]; then keyring="$k"; break; fi
done
[[ -n "$keyring" ]] || die "no Debian archive keyring found in /usr/share/keyrings (install debian-archive-keyring)"

detect_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    uri="$(awk 'tolower($1)=="uris:" {for (i=2;i<=NF;i++) print $i}' "$f" | grep -E '/debian/?$' | head -n1 || true)"
    [[ -n "$uri" ]] && { echo "${uri%/}"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    uri="$(sed -E 's/\[[^]]*\]//' "$f" | awk '$1=="deb" || $1=="deb-src" {print $2}' | grep -E '/debian/?$' | head -n1 || true)"
    [[ -n "$uri" ]] && { echo "${uri%/}"; return; }
  done
  echo "http://deb.debian.org/debian"
}
mirror="${DEBIAN_MIRROR:-$(detect_mirror)}"
log "using mirror ${mirror} (suite ${PGVECTOR_SUITE}), keyring ${keyring}"

mkdir -p "$TMPDIR_PGV/lists/partial" "$TMPDIR_PGV/cache/archives/partial" "$TMPDIR_PGV/src"
cat >"$TMPDIR_PGV/sources.list" <<EOF
deb-src [signed-by=${keyring}] ${mirror} ${PGVECTOR_SUITE} main
EOF
if id _apt >/dev/null 2>&1; then
  chown -R _apt "$TMPDIR_PGV/lists" "$TMPDIR_PGV/src" 2>/dev/null || true
fi
APT_PRIVATE=(
  -o "Dir::Etc::SourceList=$TMPDIR_PGV/sources.list"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$TMPDIR_PGV/lists"
  -o "Dir::Cache=$TMPDIR_PGV/cache"
  -o "Dir::Cache::pkgcache="
  -o "Dir::Cache::srcpkgcache="
  -o "APT::Get::List-Cleanup=false"
)

STEP="apt-get update (private ${PGVECTOR_SUITE} deb-src list)"
log "fetching ${PGVECTOR_SUITE} source index"
"${SUDO[@]}" apt-get "${APT_PRIVATE[@]}" update -q

STEP="apt-get source pgvector"
log "downloading and unpacking Debian source package pgvector"
( cd "$TMPDIR_PGV/src" && "${SUDO[@]}" apt-get "${APT_PRIVATE[@]}" source -q pgvector )
srcdir="$(find "$TMPDIR_PGV/src" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -n1)"
[[ -n "$srcdir" && -f "$srcdir/Makefile" ]] || die "apt-get source pgvector produced no source tree"
log "source tree: $(basename "$srcdir")"

# ---------------------------------------------------------- 5. build + install
STEP="make (pgvector)"
log "building pgvector against $("$PG_CONFIG" --version)"
# OPTFLAGS="" avoids -march=native so the binary is portable across CPUs.
make -C "$srcdir" -j"$(nproc 2>/dev/null || echo 2)" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >"$TMPDIR_PGV/build.log" 2>&1 \
  || { tail -n 40 "$TMPDIR_PGV/build.log" >&2; die "make failed (see output above)"; }

STEP="make install (pgvector)"
log "installing pgvector"
"${SUDO[@]}" make -C "$srcdir" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" install >"$TMPDIR_PGV/install.log" 2>&1 \
  || { tail -n 40 "$TMPDIR_PGV/install.log" >&2; die "make install failed (see output above)"; }
[[ -f "$CONTROL_FILE" ]] || die "make install did not produce ${CONTROL_FILE}"

# ------------------------------------------------------------------ 6. verify
STEP="verify CREATE EXTENSION vector"
log "verifying in scratch database ${CHECK_DB}"
psql_q postgres "drop database if exists ${CHECK_DB}"
psql_q postgres "create database ${CHECK_DB}"
version="$(psql_q "$CHECK_DB" "create extension if not exists vector; select extversion from pg_extension where extname = 'vector'")" \
  || { psql_q postgres "drop database if exists ${CHECK_DB}" || true; die "CREATE EXTENSION vector failed"; }
psql_q postgres "drop database if exists ${CHECK_DB}"
[[ -n "$version" ]] || die "vector extension created but no version reported"
log "pgvector ${version} installed and working on PostgreSQL ${PG_MAJOR} (${PGHOST}:${PGPORT})"
