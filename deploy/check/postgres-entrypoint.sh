#!/bin/sh
# The official postgres image's contract, as far as docker-compose.yml uses it: POSTGRES_USER,
# POSTGRES_DB and POSTGRES_PASSWORD_FILE create the cluster on first start; password auth over TCP.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    install -d -o postgres -g postgres -m 700 "$PGDATA"
    pwfile=$(mktemp)
    cat "$POSTGRES_PASSWORD_FILE" > "$pwfile"
    chown postgres "$pwfile"
    setpriv --reuid=postgres --regid=postgres --init-groups \
        initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    setpriv --reuid=postgres --regid=postgres --init-groups \
        pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    setpriv --reuid=postgres --regid=postgres --init-groups \
        createdb -U "$POSTGRES_USER" "$POSTGRES_DB"
    setpriv --reuid=postgres --regid=postgres --init-groups \
        pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups \
    postgres -D "$PGDATA" -c listen_addresses='*'
