#!/usr/bin/env bash
# Runs the whole test suite on SQLite, then on PostgreSQL.
# PostgreSQL is used when it answers on 127.0.0.1:5432 (override with TEST_POSTGRES_URL);
# with CI=true or MANYI_REQUIRE_POSTGRES=1 a missing PostgreSQL is a failure, not a skip.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/manyi}

echo "=== Test suite on SQLite"
env -u DATABASE_URL "$BIN/pytest" "$@"
sqlite_status=$?

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

if pg_answers; then
  echo "=== Test suite on PostgreSQL"
  # Checks the database cannot change (marked `once`: the pages' accessibility) ran on SQLite.
  DATABASE_URL=$PG_URL "$BIN/pytest" -m "not once" "$@"
  pg_status=$?
elif [ "${CI:-}" = "true" ] || [ "${MANYI_REQUIRE_POSTGRES:-}" = "1" ]; then
  echo "PostgreSQL is required here but does not answer at $PG_URL" >&2
  pg_status=1
else
  echo "=== PostgreSQL not available: skipped the PostgreSQL run (CI runs it)."
  pg_status=0
fi

if [ $sqlite_status -ne 0 ] || [ $pg_status -ne 0 ]; then
  echo "FAILED: sqlite exit $sqlite_status, postgresql exit $pg_status" >&2
  exit 1
fi
