#!/usr/bin/env bash
# The server-version matrix through the container provider: PostgreSQL 15 and 17, MariaDB 10.11
# and 11.8, MySQL 9, each its own target with its own verdict, every one required CERTIFIED.
#
# For machines (and air-gapped CI) with Docker but no image registry: the images are built
# from Debian's package archive by scripts/images/build.sh.  When no Docker engine answers,
# docker.io is installed and a private dockerd started for this run (its images kept under
# $CONTRACT_DOCKER_ROOT for the next run); it is stopped again at the end, and every container
# of this run is removed, on every exit path.  Extra arguments go to pytest.
#
# With CONTRACT_MATRIX_GO=PATH it prepares (packages, dockerd, images), then waits until PATH
# exists before it runs the contracts, at most CONTRACT_MATRIX_GO_SECONDS (1800): .ci/run starts
# it in the background so that the image build, mostly downloads and unpacking, overlaps the
# suite's own steps, and lets it go once they are done.
set -euo pipefail
cd "$(dirname "$0")/.."
began=$SECONDS

if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
state=$(mktemp -d /tmp/contract-matrix.XXXXXX)
CONTRACT_RUN_ID="matrix-$(hostname)-$$-$(date +%s)"
export CONTRACT_RUN_ID
daemon_pid=""

cleanup() {
    local status=$?
    trap - EXIT INT TERM HUP
    if docker info >/dev/null 2>&1; then
        # The harness removes its containers itself; this is the net for a run killed outright.
        ids=$(docker ps -aq --filter "label=org.adapter-contracts.run=$CONTRACT_RUN_ID" || true)
        if [ -n "$ids" ]; then
            echo "removing leftover containers of this run: $ids" >&2
            # shellcheck disable=SC2086 # ids are words
            docker rm -f -v $ids >/dev/null || true
        fi
    fi
    if [ -n "$daemon_pid" ]; then
        $SUDO kill "$daemon_pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
        $SUDO kill -9 "$daemon_pid" 2>/dev/null || true
        echo "private dockerd stopped" >&2
    fi
    # A container on the host's network leaves dockerd's bind mount of that namespace in its
    # exec root (netns/default); a stopped dockerd does not unmount it.
    { grep -o " $state/[^ ]*" /proc/mounts 2>/dev/null || true; } | sort -r | while read -r mounted; do
        $SUDO umount "$mounted" 2>/dev/null || $SUDO umount -l "$mounted" 2>/dev/null || true
    done
    $SUDO rm -rf "$state" || echo "could not remove $state" >&2
    echo "container matrix: $((SECONDS - began)) s in all, exit $status" >&2
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

need=()
command -v dockerd >/dev/null || [ -x /usr/sbin/dockerd ] || need+=(docker.io)
command -v docker >/dev/null || need+=(docker.io)
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
if ! docker info >/dev/null 2>&1; then
    if [ ${#need[@]} -gt 0 ]; then
        step=$SECONDS
        echo "installing Debian packages: ${need[*]}" >&2
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
        echo "packages installed in $((SECONDS - step)) s" >&2
        need=()
    fi
    # No iptables here (no NAT rules needed: published ports go through docker-proxy on this host);
    # the image store persists so that the next run finds its images built.
    root=${CONTRACT_DOCKER_ROOT:-/var/lib/adapter-contracts/docker}
    $SUDO mkdir -p "$root"
    export DOCKER_HOST="unix://$state/docker.sock"
    $SUDO "$(command -v dockerd || echo /usr/sbin/dockerd)" --iptables=false --storage-driver=overlay2 \
        -H "$DOCKER_HOST" --data-root "$root" --exec-root "$state/exec" --pidfile "$state/docker.pid" \
        >"$state/dockerd.log" 2>&1 &
    daemon_pid=$!
    for _ in $(seq 300); do
        docker info >/dev/null 2>&1 && break
        kill -0 "$daemon_pid" 2>/dev/null || { tail -20 "$state/dockerd.log" >&2; exit 1; }
        sleep 0.1
    done
    docker info >/dev/null 2>&1 || { tail -20 "$state/dockerd.log" >&2; echo "dockerd did not answer" >&2; exit 1; }
    echo "private dockerd $(docker version --format '{{.Server.Version}}') at $DOCKER_HOST" >&2
elif [ ${#need[@]} -gt 0 ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

step=$SECONDS
declare -A ref
while read -r name image; do ref[$name]=$image; done < <($SUDO env DOCKER_HOST="${DOCKER_HOST:-}" bash scripts/images/build.sh)
for name in pg15 pg17 mariadb1011 mariadb118 mysql9; do
    [ -n "${ref[$name]:-}" ] || { echo "image $name was not built (scripts/images/build.sh said why above)" >&2; exit 1; }
done
echo "images ready in $((SECONDS - step)) s: ${ref[*]}" >&2

if [ -n "${CONTRACT_MATRIX_GO:-}" ]; then
    step=$SECONDS
    limit=${CONTRACT_MATRIX_GO_SECONDS:-1800}
    echo "waiting for $CONTRACT_MATRIX_GO (at most $limit s)" >&2
    # Short sleeps: a TERM from .ci/run is handled between two of them.
    while [ ! -e "$CONTRACT_MATRIX_GO" ] && [ $((SECONDS - step)) -lt "$limit" ]; do sleep 0.2; done
    [ -e "$CONTRACT_MATRIX_GO" ] || { echo "no go within $limit s: the contracts do not run" >&2; exit 1; }
    echo "go after $((SECONDS - step)) s" >&2
fi

# The engine runs on this machine, so its published ports are on this host: connect there
# (testcontainers would otherwise take the bridge gateway inside a container, where /.dockerenv
# exists, and a MySQL server's self-signed certificate then fails the adapter's TLS check).
export TESTCONTAINERS_CONNECTION_MODE=${TESTCONTAINERS_CONNECTION_MODE:-docker_host}
report="${CONTRACT_MATRIX_REPORT:-$state/matrix}"
step=$SECONDS
# --container-network host: no docker-proxy in each round trip (SELECT 1 through the published
# port took 0.235 ms here, 0.110 ms straight to the server; a PostgreSQL certification 27 -> 23 s).
python3 -m pytest -n 2 adapter_contracts/contracts -p no:cacheprovider \
    --engine postgres,mysql,postgres-async,mysql-async \
    --provider postgres=container,mysql=container,postgres-async=container,mysql-async=container \
    --container-network host \
    --postgres-image "${ref[pg15]}" --postgres-image "${ref[pg17]}" \
    --mysql-image "${ref[mariadb1011]}" --mysql-image "${ref[mariadb118]}" --mysql-image "${ref[mysql9]}" \
    --require-engine all --conformance-report "$report" "$@"
echo "contracts on five servers, sync and async adapters, in $((SECONDS - step)) s" >&2

python3 - "$report.json" <<'PY'
import json
import sys

report = json.load(open(sys.argv[1], encoding="utf-8"))
engines = report["engines"]
sync = ["postgres-15", "postgres-17", "mysql-mariadb-10.11", "mysql-mariadb-11.8", "mysql-9"]
# Each image is also a target of the sync engine's async twin, which takes the twin's --*-image.
expected = sync + [t.replace("postgres-", "postgres-async-", 1).replace("mysql-", "mysql-async-", 1) for t in sync]
for target in expected:
    facts = engines.get(target) or {}
    print(f"{target:22} {facts.get('server_version', '?'):18} via {facts.get('provider')}: {facts.get('verdict')}")
bad = [t for t in expected if not (engines.get(t) or {}).get("certified")]
if bad or not report.get("complete"):
    sys.exit(f"container matrix: not certified: {', '.join(bad) or 'incomplete run'}")
print(f"container matrix: five server versions, {len(expected)} targets (sync and async adapters) CERTIFIED")
PY

# The harness's own test of the container provider (image choice, one verdict per version,
# containers removed without Ryuk) needs a Docker engine, so it runs here, where one answers.
step=$SECONDS
CONTRACT_REQUIRE_DOCKER=1 python3 -m pytest -p no:cacheprovider -q tests/test_engine_images.py
echo "the container provider's own tests in $((SECONDS - step)) s" >&2
