#!/bin/sh
# Runs once, when the primary's data directory is created (/docker-entrypoint-initdb.d): the role
# the replica streams WAL with, its physical replication slot (the primary keeps the WAL the
# replica has not received yet, so a replica that was away catches up instead of needing a new
# base backup), and the pg_hba line that lets it connect for replication.
set -eu
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD}"
psql -v ON_ERROR_STOP=1 -v password="$REPLICATION_PASSWORD" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
create role replicator with replication login password :'password';
select pg_create_physical_replication_slot('replica_1');
SQL
# "all" in pg_hba does not match replication connections: they need a line of their own.
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
