#!/usr/bin/env bash
# Runs the test suite while every core is kept busy by CPU-bound processes, a few times in a row, on PGlite and (when
# DATABASE_URL is set) on Postgres: a test that depends on timing fails here before it fails in a CI run on a busy
# machine. Run it before a large change: `npm run test:under-load` (ROUNDS=3, BURNERS=<cores>, SUITE=test by default;
# SUITE=test:system for the system tests; BACKENDS="pglite postgres" by default, e.g. BACKENDS=postgres for one).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-3}
burners=${BURNERS:-$(nproc)}
suite=${SUITE:-test}
logs=$(mktemp -d)
pids=()
stop_burners() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop_burners EXIT

for _ in $(seq "$burners"); do
  node -e 'for (;;) Math.sqrt(Math.random());' &
  pids+=($!)
done
echo "test-under-load: $burners CPU-bound processes running; $rounds round(s) of 'npm run $suite'; logs in $logs"

backends=()
for backend in ${BACKENDS:-pglite postgres}; do
  case $backend in
    pglite) backends+=(pglite) ;;
    postgres) [ -n "${DATABASE_URL:-}" ] && backends+=(postgres) ;;
    *) echo "test-under-load: unknown back-end \"$backend\" in BACKENDS (pglite, postgres)" >&2; exit 2 ;;
  esac
done
[ ${#backends[@]} -gt 0 ] || { echo "test-under-load: no back-end to run (BACKENDS=postgres needs DATABASE_URL)" >&2; exit 2; }
failures=0
for round in $(seq "$rounds"); do
  for backend in "${backends[@]}"; do
    log="$logs/$backend-$round.log"
    started=$SECONDS
    if [ "$backend" = pglite ]; then env DATABASE_URL= npm run --silent "$suite" >"$log" 2>&1 && rc=0 || rc=$?
    else npm run --silent "$suite" >"$log" 2>&1 && rc=0 || rc=$?; fi
    summary=$(grep -E '^ *[0-9]+ (passing|failing|pending)' "$log" | tr -s ' ' | tr '\n' ' ')
    echo "round $round, $backend: exit $rc in $((SECONDS - started)) s — $summary"
    if [ "$rc" -ne 0 ]; then
      failures=$((failures + 1))
      grep -A12 -E '^  [0-9]+\) ' "$log" | head -60 || true
    fi
  done
done
echo "test-under-load: $failures failed run(s) of $((rounds * ${#backends[@]}))"
[ "$failures" -eq 0 ]
