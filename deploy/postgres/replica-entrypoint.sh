#!/bin/sh
# The replica's entrypoint: on first start (an empty data directory) copy the primary with
# pg_basebackup (-R: standby.signal and primary_conninfo, so it starts as a hot standby streaming
# from slot replica_1), then hand over to the image's own entrypoint, which starts PostgreSQL as
# user postgres. On later starts the data directory is there and it streams from where it stopped.
set -eu
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD}"
PRIMARY_HOST="${PRIMARY_HOST:-db-primary}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
PGDATA="${PGDATA:-/var/lib/postgresql/data}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -q; do
    echo "replica: waiting for the primary at $PRIMARY_HOST"
    sleep 1
  done
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 0700 "$PGDATA"
  echo "replica: base backup from $PRIMARY_HOST"
  PGPASSWORD="$REPLICATION_PASSWORD" gosu postgres pg_basebackup \
    --host="$PRIMARY_HOST" --port="$PRIMARY_PORT" --username=replicator \
    --pgdata="$PGDATA" --wal-method=stream --slot=replica_1 --write-recovery-conf --checkpoint=fast --progress
fi
exec docker-entrypoint.sh postgres -c hot_standby=on "$@"
