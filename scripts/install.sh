#!/usr/bin/env bash
# Install what the suite needs on a fresh Debian/Ubuntu machine: the PostgreSQL
# and MariaDB server binaries (only when missing; the harness starts its own
# throwaway servers from them) and the Python package with its dev tools.
set -euo pipefail
cd "$(dirname "$0")/.."

have_postgres() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null; }
have_mysql() { command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || command -v mysqld >/dev/null || [ -x /usr/sbin/mysqld ]; }

missing=()
have_postgres || missing+=(postgresql)
have_mysql || missing+=(mariadb-server)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    echo "installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python3 -m pip install --quiet --disable-pip-version-check -e ".[dev]"
