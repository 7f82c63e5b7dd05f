#!/usr/bin/env bash
# Starts the machine's PostgreSQL (Debian's postgresql package, one
# cluster from pg_lsclusters) when it is down, makes sure the test role
# and database exist, and prints the line that points the tests at it:
#
#   eval "$(scripts/postgres-test.sh)"   # exports SHARDKEEPER_TEST_POSTGRES
#
# The role (shardkeeper, password shardkeeper, CREATEDB: every test makes
# its own database) reaches the server over 127.0.0.1 only. PostgreSQL
# refuses to run as root: the cluster runs as the postgres user.
set -euo pipefail

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "postgres-test: PostgreSQL is not installed: apt-get install postgresql (scripts/deps.sh does)" >&2
  exit 1
fi
if [[ -z "$(pg_lsclusters --no-header)" ]]; then
  # The package made none (create_main_cluster = false): make the usual one.
  newest=$(ls /usr/lib/postgresql | sort -n | tail -n1)
  pg_createcluster "$newest" main >&2
fi
read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n1)
if [[ "$status" != online* ]]; then
  pg_ctlcluster "$version" "$cluster" start >&2
fi

as_postgres=(runuser -u postgres --)
[[ $(id -u) -eq 0 ]] || as_postgres=(sudo -u postgres)
psql() { "${as_postgres[@]}" psql -p "$port" -X -q -v ON_ERROR_STOP=1 "$@"; }

# The server accepts connections a little after it says it started.
for _ in $(seq 1 100); do
  psql -c 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.1
done
psql <<'SQL' >&2
SELECT 'CREATE ROLE shardkeeper LOGIN CREATEDB PASSWORD ''shardkeeper'''
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shardkeeper') \gexec
SELECT 'CREATE DATABASE shardkeeper OWNER shardkeeper'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'shardkeeper') \gexec
SQL
echo "export SHARDKEEPER_TEST_POSTGRES=postgres://shardkeeper:shardkeeper@127.0.0.1:${port}/shardkeeper"
