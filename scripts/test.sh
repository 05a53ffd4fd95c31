#!/usr/bin/env bash
# Runs the whole test suite on SQLite and on PostgreSQL, the two at once (each is one process
# and the machine has two cores): SQLite's output as it comes, PostgreSQL's after it.
# PostgreSQL is used when it answers on 127.0.0.1:5432 (override with TEST_POSTGRES_URL);
# with CI=true or MANYI_REQUIRE_POSTGRES=1 a missing PostgreSQL is a failure, not a skip.
# Each run keeps its files (analysis datasets, demo password, media) in a folder of its own.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/manyi}
runs=$(mktemp -d)
trap '[ -n "${pg_pid:-}" ] && kill "$pg_pid" 2>/dev/null; rm -rf "$runs"' EXIT
mkdir -p "$runs/sqlite" "$runs/postgres"

pg_answers() {
  "$BIN/python" - "$PG_URL" <<'PY'
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
except Exception as error:
    print(f"PostgreSQL does not answer: {error}", file=sys.stderr)
    sys.exit(1)
PY
}

pg_pid=""
if pg_answers; then
  # Tests whose result the database cannot change run in one of the two runs only: those that
  # never reach a database and the pages' accessibility (marked `once`) on SQLite, the browser
  # tests shared out between the two (conftest.py, MANYI_TEST_RUN).
  DATABASE_URL=$PG_URL MANYI_VAR_DIR="$runs/postgres" MANYI_TEST_RUN=second \
    "$BIN/pytest" -p no:cacheprovider --durations=15 "$@" > "$runs/postgres.log" 2>&1 &
  pg_pid=$!
elif [ "${CI:-}" = "true" ] || [ "${MANYI_REQUIRE_POSTGRES:-}" = "1" ]; then
  echo "PostgreSQL is required here but does not answer at $PG_URL" >&2
  pg_missing=1
fi

echo "=== Test suite on SQLite"
test_run=first
[ -n "$pg_pid" ] || test_run=""  # no PostgreSQL run beside it: SQLite runs every test
env -u DATABASE_URL MANYI_VAR_DIR="$runs/sqlite" MANYI_TEST_RUN=$test_run "$BIN/pytest" --durations=15 "$@"
sqlite_status=$?

if [ -n "$pg_pid" ]; then
  echo "=== Test suite on PostgreSQL (ran alongside)"
  wait "$pg_pid"
  pg_status=$?
  cat "$runs/postgres.log"
elif [ "${pg_missing:-0}" = 1 ]; then
  pg_status=1
else
  echo "=== PostgreSQL not available: skipped the PostgreSQL run (CI runs it)."
  pg_status=0
fi

if [ $sqlite_status -ne 0 ] || [ $pg_status -ne 0 ]; then
  echo "FAILED: sqlite exit $sqlite_status, postgresql exit $pg_status" >&2
  exit 1
fi
