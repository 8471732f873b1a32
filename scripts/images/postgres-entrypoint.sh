#!/bin/sh
# Entrypoint of the PostgreSQL images built by scripts/images/build.sh.  It follows the
# official postgres image's conventions so that testcontainers' stock PostgresContainer
# works unchanged: POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB (and
# POSTGRES_HOST_AUTH_METHOD), PGDATA initialised on first start only, arguments that start
# with "-" are options to postgres, and the server listens on TCP only once initialisation
# is over (the init server has listen_addresses=''), because PostgresContainer's readiness
# check is `psql --host 127.0.0.1` run inside the container.
set -eu

PGDATA=${PGDATA:-/var/lib/postgresql/data}
export PGDATA

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
    set -- postgres "$@"
fi

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
    # The server refuses to run as root: prepare its directories, then drop to its account.
    mkdir -p "$PGDATA" /var/run/postgresql
    chown postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
    user=${POSTGRES_USER:-postgres}
    database=${POSTGRES_DB:-$user}
    method=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
    if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$method" != trust ]; then
        echo "error: POSTGRES_PASSWORD is not set (or set POSTGRES_HOST_AUTH_METHOD=trust)" >&2
        exit 1
    fi
    pwfile=$(mktemp)
    printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
    # C.UTF-8 ships with libc, so the image needs no locales package; the harness gives its
    # own database the hostile ICU collation anyway.
    initdb --username="$user" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host="$method" --no-sync >/dev/null
    rm -f "$pwfile"
    printf 'host all all all %s\n' "$method" >>"$PGDATA/pg_hba.conf"
    printf "listen_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start >/dev/null
    if [ "$database" != postgres ]; then
        # A psql variable quotes the name as an identifier: no SQL is built from the environment.
        echo 'CREATE DATABASE :"db";' | psql -v ON_ERROR_STOP=1 -q --username="$user" --dbname=postgres \
            -v db="$database"
    fi
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"
