#!/usr/bin/env bash
# A streaming hot standby of the local Postgres (for the read-replica tests and bench): `pg_basebackup -R` into a
# second cluster on another port, started with pg_ctl. Idempotent: a running standby that keeps up is left alone, a
# stopped one is started, a missing or broken one (one that cannot catch up included) is (re)built. Run as root (it
# uses the postgres OS user) or as postgres.
#
#   scripts/start-replica.sh [start|stop|status|rebuild]
#
# Environment: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres) of the primary; REPLICA_PORT (5433);
# REPLICA_DIR (/var/lib/postgresql/15/replica-$REPLICA_PORT); PG_BIN (/usr/lib/postgresql/15/bin).
# Prints the replica's URL prefix (postgres://postgres@127.0.0.1:5433/) on success.
set -euo pipefail

action=${1:-start}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_DIR=${REPLICA_DIR:-/var/lib/postgresql/15/replica-$REPLICA_PORT}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

# Runs a command as the postgres OS user (pg_ctl and the server refuse root).
as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else su postgres -s /bin/bash -c "$(printf '%q ' "$@")"; fi
}

primary_sql() { psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -Atqc "$1"; }

replica_running() { as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" status >/dev/null 2>&1; }

# The primary must accept replication connections from 127.0.0.1 (wal_level replica and max_wal_senders are defaults).
ensure_primary_allows_replication() {
  local wal_level senders hba
  wal_level=$(primary_sql 'show wal_level')
  senders=$(primary_sql 'show max_wal_senders')
  if [ "$wal_level" = minimal ] || [ "$senders" -lt 2 ]; then
    echo "the primary has wal_level=$wal_level, max_wal_senders=$senders: set wal_level=replica and max_wal_senders>=2, then restart it" >&2
    exit 1
  fi
  hba=$(primary_sql 'show hba_file')
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$hba"; then
    echo "host replication all 127.0.0.1/32 trust  # added by stakazo-ml scripts/start-replica.sh" >>"$hba"
    primary_sql 'select pg_reload_conf()' >/dev/null
  fi
}

build() {
  ensure_primary_allows_replication
  rm -rf "$REPLICA_DIR"
  # pg_basebackup wants an empty directory owned by the user it runs as, mode 0700.
  mkdir -p "$REPLICA_DIR"
  chmod 700 "$REPLICA_DIR"
  if [ "$(id -un)" != postgres ]; then chown postgres:postgres "$REPLICA_DIR"; fi
  as_postgres "$PG_BIN/pg_basebackup" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -D "$REPLICA_DIR" -R -X stream -c fast
  # NOTE: a Debian cluster keeps its configuration in /etc, so the copy has none: write a minimal one. A hot
  # standby needs these limits at least as high as the primary's.
  local setting conf="$REPLICA_DIR/postgresql.conf"
  {
    echo "# written by scripts/start-replica.sh"
    echo "port = $REPLICA_PORT"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '/tmp'"
    echo "hba_file = '$REPLICA_DIR/pg_hba.conf'"
    echo "hot_standby = on"
    echo "hot_standby_feedback = on"
    echo "fsync = off"
    for setting in max_connections max_worker_processes max_wal_senders max_prepared_transactions max_locks_per_transaction; do
      echo "$setting = $(primary_sql "show $setting")"
    done
  } >"$conf"
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$REPLICA_DIR/pg_hba.conf"
  chown postgres:postgres "$conf" "$REPLICA_DIR/pg_hba.conf" 2>/dev/null || true
}

# Whether the standby replays up to the primary's WAL position of now within CATCH_UP_S seconds (default 60).
catches_up() {
  local target deadline=$((SECONDS + ${CATCH_UP_S:-60}))
  target=$(primary_sql 'select pg_current_wal_lsn()')
  while [ "$SECONDS" -lt "$deadline" ]; do
    if [ "$(psql -h 127.0.0.1 -p "$REPLICA_PORT" -U "$PGUSER" -d postgres -Atqc \
      "select coalesce(pg_last_wal_replay_lsn() >= '$target'::pg_lsn, false)" 2>/dev/null)" = t ]; then
      return 0
    fi
    sleep 0.5
  done
  return 1
}

start() {
  if ! replica_running; then
    if [ ! -f "$REPLICA_DIR/standby.signal" ]; then build; fi
    if ! as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_DIR/server.log" -w -t 60 start >/dev/null; then
      echo "the standby in $REPLICA_DIR did not start; rebuilding it" >&2
      tail -5 "$REPLICA_DIR/server.log" >&2 || true
      build
      as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_DIR/server.log" -w -t 60 start >/dev/null
    fi
  fi
  # NOTE: a standby that runs is not yet one that streams: stopped while the primary wrote a lot, it asks for WAL
  # the primary has since removed and retries forever ("requested WAL segment … has already been removed"). One
  # that does not catch up with the primary is rebuilt.
  if ! catches_up; then
    echo "the standby in $REPLICA_DIR does not catch up with the primary; rebuilding it" >&2
    tail -3 "$REPLICA_DIR/server.log" >&2 || true
    as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >/dev/null || true
    build
    as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_DIR/server.log" -w -t 60 start >/dev/null
    catches_up
  fi
}

case "$action" in
  start) start ;;
  rebuild)
    if replica_running; then as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >/dev/null; fi
    build
    start
    ;;
  stop)
    if replica_running; then as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >/dev/null; fi
    exit 0
    ;;
  status)
    replica_running
    ;;
  *)
    echo "usage: $0 [start|stop|status|rebuild]" >&2
    exit 2
    ;;
esac

if [ "$action" != status ]; then
  in_recovery=$(psql -h 127.0.0.1 -p "$REPLICA_PORT" -U "$PGUSER" -d postgres -Atqc 'select pg_is_in_recovery()')
  if [ "$in_recovery" != t ]; then
    echo "the server on port $REPLICA_PORT is not a standby (pg_is_in_recovery() = $in_recovery)" >&2
    exit 1
  fi
  echo "postgres://$PGUSER@127.0.0.1:$REPLICA_PORT/"
fi
