#!/bin/sh
# Entrypoint of the MariaDB and MySQL images built by scripts/images/build.sh.  It follows
# the official mysql/mariadb images' conventions so that testcontainers' stock
# MySqlContainer works unchanged: MYSQL_ROOT_PASSWORD (or MYSQL_ALLOW_EMPTY_PASSWORD),
# MYSQL_DATABASE, MYSQL_USER / MYSQL_PASSWORD (the MARIADB_* names too), the data directory
# initialised on first start only, and arguments that start with "-" are options to the
# server (e.g. --default-time-zone=+05:45).  Readiness is signalled the official way:
# a temporary server without networking logs "ready for connections", applies the
# accounts, stops, and the real server logs it again; MySqlContainer waits for the second.
set -eu

if [ -x /usr/sbin/mariadbd ]; then server=/usr/sbin/mariadbd; else server=/usr/sbin/mysqld; fi
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
    set -- "$server" "$@"
fi
case "$1" in mysqld | mariadbd | /usr/sbin/mysqld | /usr/sbin/mariadbd) ;; *) exec "$@" ;; esac

datadir=/var/lib/mysql
root_password=${MYSQL_ROOT_PASSWORD:-${MARIADB_ROOT_PASSWORD:-}}
allow_empty=${MYSQL_ALLOW_EMPTY_PASSWORD:-${MARIADB_ALLOW_EMPTY_ROOT_PASSWORD:-}}
database=${MYSQL_DATABASE:-${MARIADB_DATABASE:-}}
user=${MYSQL_USER:-${MARIADB_USER:-}}
password=${MYSQL_PASSWORD:-${MARIADB_PASSWORD:-}}

# A SQL string literal: backslashes and quotes doubled (the init file runs with the server's
# default sql_mode, where a backslash escapes).
literal() { printf "'%s'" "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/''/g")"; }
identifier() { printf '`%s`' "$(printf '%s' "$1" | sed -e 's/`/``/g')"; }

mkdir -p /run/mysqld "$datadir" /var/lib/mysql-files
chown mysql:mysql /run/mysqld "$datadir" /var/lib/mysql-files

if [ ! -d "$datadir/mysql" ]; then
    if [ -z "$root_password" ] && [ -z "$allow_empty" ]; then
        echo "error: MYSQL_ROOT_PASSWORD is not set (or set MYSQL_ALLOW_EMPTY_PASSWORD=yes)" >&2
        exit 1
    fi
    echo "Initializing database files"
    if [ "$server" = /usr/sbin/mariadbd ]; then
        mariadb-install-db --user=mysql --datadir="$datadir" --auth-root-authentication-method=normal \
            --skip-test-db --skip-name-resolve >/dev/null
    else
        "$server" --initialize-insecure --user=mysql --datadir="$datadir" 2>&1 | grep -v '^$' || true
    fi
    init=$(mktemp /run/mysqld/init.XXXXXX.sql)
    {
        # One statement per line: older servers read --init-file line by line.
        pw=$(literal "$root_password")
        echo "CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY $pw;"
        echo "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;"
        echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $pw;"
        # mariadb-install-db --skip-name-resolve also makes root@127.0.0.1 and root@::1 without a
        # password; they match a TCP client on the container's own host before root@'%' does (the
        # official images keep only root@localhost and root@'%' too).
        echo "DROP USER IF EXISTS 'root'@'127.0.0.1';"
        echo "DROP USER IF EXISTS 'root'@'::1';"
        if [ -n "$database" ]; then
            echo "CREATE DATABASE IF NOT EXISTS $(identifier "$database");"
        fi
        if [ -n "$user" ] && [ "$user" != root ]; then
            echo "CREATE USER IF NOT EXISTS $(literal "$user")@'%' IDENTIFIED BY $(literal "$password");"
            if [ -n "$database" ]; then
                echo "GRANT ALL PRIVILEGES ON $(identifier "$database").* TO $(literal "$user")@'%';"
            fi
        fi
        echo "FLUSH PRIVILEGES;"
    } >"$init"
    chown mysql:mysql "$init"
    chmod 600 "$init"
    log=$(mktemp /run/mysqld/init.XXXXXX.log)
    chown mysql:mysql "$log"
    "$server" --user=mysql --skip-networking --init-file="$init" --log-error="$log" &
    pid=$!
    # The init file has run once the server says it is ready.
    tries=0
    until grep -q 'ready for connections' "$log" 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null || [ "$tries" -ge 600 ]; then
            cat "$log" >&2
            echo "error: the initialisation server did not come up" >&2
            exit 1
        fi
        tries=$((tries + 1))
        sleep 0.1
    done
    rm -f "$init"
    grep 'ready for connections' "$log" >&2
    kill -TERM "$pid"
    wait "$pid" || true
    rm -f "$log"
    echo "MySQL init process done. Ready for start up." >&2
fi

exec "$@" --user=mysql
