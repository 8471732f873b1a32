#!/usr/bin/env bash
# Build the engine images of the server-version matrix offline, from Debian's package archive
# only (no image registry): mmdebstrap a minimal root filesystem, apt-get the server into it,
# add an entrypoint that follows the official image's conventions, `docker import` it.
#
#   scripts/images/build.sh [--list] [NAME...]      NAME: pg15 pg17 mariadb1011 mariadb118 mysql9
#
# Prints one line per image, "NAME REFERENCE".  Each image is tagged by a hash of what built
# it (this script, the entrypoint, my.cnf, the suite, extra sources and packages), so a rebuild
# is skipped while none of those changed; --list prints the references without building.
# Root filesystems and downloaded .debs are cached under $CONTRACT_IMAGE_CACHE
# (default /var/cache/adapter-contracts) and reused by later builds.  Each image's build root
# lives on a tmpfs of the build's own (mounted at $cache/scratch for the build, removed after
# it) when the machine has 8 GiB of memory available, else on disk beside the cache.
# Needs root (mmdebstrap, chroot, mount) and a Docker engine ($DOCKER_HOST).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${CONTRACT_IMAGE_CACHE:-/var/cache/adapter-contracts}
repo=${CONTRACT_IMAGE_REPO:-adapter-contracts}

# name | engine | version in the tag | suite | extra suite (apt -t) | packages | entrypoint
specs=(
    "pg15|postgres|15|bookworm||postgresql-15|postgres-entrypoint.sh"
    "pg17|postgres|17|trixie||postgresql-17|postgres-entrypoint.sh"
    "mariadb1011|mariadb|10.11|bookworm||mariadb-server|mysql-entrypoint.sh"
    "mariadb118|mariadb|11.8|trixie||mariadb-server|mysql-entrypoint.sh"
    # Oracle MySQL is only in unstable; its archive's Release file has expired (hence
    # Check-Valid-Until=false), and sid is added to a trixie root rather than bootstrapped.
    "mysql9|mysql|9|trixie|sid|mysql-server-core|mysql-entrypoint.sh"
)

mirror() {
    # The machine's own Debian mirror: the first URIs: line of the deb822 sources, else sources.list.
    local uri=""
    if [ -r /etc/apt/sources.list.d/debian.sources ]; then
        uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    fi
    if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
        uri=$(awk '$1 == "deb" && $0 !~ /security/ {print ($2 ~ /^\[/ ? $3 : $2); exit}' /etc/apt/sources.list)
    fi
    echo "${uri:-http://deb.debian.org/debian}"
}

content_hash() {  # the spec line and every file that shapes the image
    local spec=$1 entry=$2
    { printf '%s\n' "$spec"; cat "$here/build.sh" "$here/$entry" "$here/my.cnf"; } | sha256sum | cut -c1-12
}

reference() {
    local spec=$1 name engine version suite extra packages entry
    IFS='|' read -r name engine version suite extra packages entry <<<"$spec"
    echo "$repo/$engine:$version-$(content_hash "$spec" "$entry")"
}

rootfs_tarball() {  # a cached minbase root filesystem of $1 (mmdebstrap only on the first run)
    local suite=$1 tarball="$cache/rootfs/$1-minbase.tar"
    mkdir -p "$cache/rootfs"
    # Two chains may need the same suite (trixie, and trixie with sid): one bootstraps it.
    exec 8>"$cache/rootfs/$suite.lock"
    flock 8
    if [ ! -s "$tarball" ]; then
        local step=$SECONDS
        # mmdebstrap, not debootstrap: it downloads in parallel and writes the tarball itself
        # (bookworm 42 -> 16 s, trixie 37 -> 13 s here, cold).
        mmdebstrap --variant=minbase --format=tar --quiet "$suite" "$tarball.tmp" "$(mirror)" >"$tarball.log" 2>&1 \
            || { tail -20 "$tarball.log" >&2; rm -f "$tarball.tmp" "$tarball.log"; return 1; }
        echo "mmdebstrap $suite from $(mirror): $((SECONDS - step)) s" >&2
        mv "$tarball.tmp" "$tarball"
        rm -f "$tarball.log"
    fi
    exec 8>&-
    echo "$tarball"
}

root=""
cleanup_root() {
    if [ -n "$root" ]; then
        # Lazily when busy: a killed build's chroot may still be exiting.
        umount "$root/var/cache/apt/archives" 2>/dev/null || umount -l "$root/var/cache/apt/archives" 2>/dev/null || true
        umount "$root/proc" 2>/dev/null || umount -l "$root/proc" 2>/dev/null || true
        rm -rf "$root" 2>/dev/null || true
        rm -f "$root.apt.log"
        root=""
    fi
}
trap cleanup_root EXIT

build() {
    local spec=$1 name engine version suite extra packages entry ref
    IFS='|' read -r name engine version suite extra packages entry <<<"$spec"
    ref=$(reference "$spec")
    if docker image inspect "$ref" >/dev/null 2>&1; then
        echo "$name $ref"
        return
    fi
    local began=$SECONDS tarball
    tarball=$(rootfs_tarball "$suite")
    root=$(mktemp -d "$scratch/build.$name.XXXXXX")
    tar -C "$root" -xf "$tarball"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    mount -t proc proc "$root/proc"
    # .debs survive between builds: a rebuild downloads only what changed in the archive.
    mkdir -p "$cache/debs/$suite${extra:+-$extra}" "$root/var/cache/apt/archives"
    mount --bind "$cache/debs/$suite${extra:+-$extra}" "$root/var/cache/apt/archives"
    # No service may start inside the chroot (mariadb-server's postinst tries).
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod +x "$root/usr/sbin/policy-rc.d"
    # Debian's postgresql-common would create a "main" cluster: the entrypoint makes its own.
    mkdir -p "$root/etc/postgresql-common"
    echo "create_main_cluster = false" >"$root/etc/postgresql-common/createcluster.conf"
    local apt=(apt-get -o Acquire::Check-Valid-Until=false -o APT::Sandbox::User=root -o Dpkg::Use-Pty=0)
    if [ -n "$extra" ]; then
        echo "deb $(mirror) $extra main" >"$root/etc/apt/sources.list.d/$extra.list"
    fi
    # Throwaway build root: dpkg need not fsync every file it unpacks (the tarball is the product).
    echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/contract-unsafe-io"
    local step=$SECONDS
    chroot "$root" "${apt[@]}" -o Acquire::Languages=none -qq update
    # shellcheck disable=SC2086 # the package list is words
    DEBIAN_FRONTEND=noninteractive chroot "$root" "${apt[@]}" -qq -y --no-install-recommends \
        -o Dpkg::Options::=--force-confold ${extra:+-t $extra} install $packages >"$root.apt.log" 2>&1 \
        || { tail -30 "$root.apt.log" >&2; rm -f "$root.apt.log"; return 1; }
    rm -f "$root.apt.log" "$root/etc/dpkg/dpkg.cfg.d/contract-unsafe-io"
    echo "$name: apt-get $((SECONDS - step)) s" >&2
    umount "$root/var/cache/apt/archives"
    umount "$root/proc"
    rm -rf "$root/var/lib/apt/lists"/* "$root/usr/share/doc"/* "$root/usr/share/man"/* "$root/usr/sbin/policy-rc.d"

    local changes=()
    if [ "$engine" = postgres ]; then
        rm -rf "$root/var/lib/postgresql"/* "$root/etc/postgresql"/*
        mkdir -p "$root/var/lib/postgresql/data"
        chroot "$root" chown -R postgres:postgres /var/lib/postgresql
        changes+=(--change "ENV PATH=/usr/lib/postgresql/$version/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
                  --change "ENV PGDATA=/var/lib/postgresql/data"
                  --change "EXPOSE 5432" --change 'CMD ["postgres"]')
    else
        # Debian's packages leave an initialised data directory and a conf.d tree behind: the
        # entrypoint initialises on first start, with one my.cnf of ours.
        rm -rf "$root/var/lib/mysql" "$root/etc/mysql"
        mkdir -p "$root/var/lib/mysql" "$root/etc/mysql" "$root/var/lib/mysql-files" "$root/run/mysqld"
        cp "$here/my.cnf" "$root/etc/mysql/my.cnf"
        chroot "$root" sh -c 'getent passwd mysql >/dev/null || useradd --system --no-create-home mysql'
        chroot "$root" chown mysql:mysql /var/lib/mysql /var/lib/mysql-files /run/mysqld
        changes+=(--change "EXPOSE 3306" --change 'CMD ["mysqld"]')
    fi
    install -m 0755 "$here/$entry" "$root/usr/local/bin/docker-entrypoint.sh"
    step=$SECONDS
    tar -C "$root" -c . | docker import \
        --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' "${changes[@]}" \
        --change "LABEL org.adapter-contracts.content=$(content_hash "$spec" "$entry")" \
        - "$ref" >/dev/null
    echo "$name: docker import $((SECONDS - step)) s" >&2
    cleanup_root
    echo "built $ref in $((SECONDS - began)) s" >&2
    echo "$name $ref"
}

list=0
wanted=()
for arg in "$@"; do
    case "$arg" in
        --list) list=1 ;;
        -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
        *) wanted+=("$arg") ;;
    esac
done
known=" $(for s in "${specs[@]}"; do printf '%s ' "${s%%|*}"; done)"
for name in "${wanted[@]}"; do
    [[ "$known" == *" $name "* ]] || { echo "unknown image $name; known:$known" >&2; exit 2; }
done

mkdir -p "$cache"
exec 9>"$cache/build.lock"
[ "$list" = 1 ] || flock 9  # one build.sh at a time: they share the cache
unmount_below() {  # every mount below $1 (deepest first), then $1 itself if it is one
    { grep -o " $1/[^ ]*" /proc/mounts || true; } | sort -r | while read -r mounted; do
        umount "$mounted" 2>/dev/null || umount -l "$mounted" 2>/dev/null || true
    done
    if grep -q " $1 " /proc/mounts; then umount "$1" 2>/dev/null || umount -l "$1" 2>/dev/null || true; fi
}
scratch="$cache"
pids=()
release_scratch() {
    if [ "$scratch" != "$cache" ]; then
        unmount_below "$scratch"
        rmdir "$scratch" 2>/dev/null || true
        scratch="$cache"
    fi
}
if [ "$list" = 0 ]; then
    # Build roots of a build that was killed (its EXIT trap cannot unmount what a chroot still
    # used), and its tmpfs: holding the lock, none of them is in use.
    for stale in "$cache"/build.* "$cache/scratch"; do
        [ -e "$stale" ] && [ "$stale" != "$cache/build.lock" ] || continue
        unmount_below "$stale"
        rm -rf "$stale"
    done
    # A build root is a root filesystem unpacked, its server's packages installed, then imported
    # (up to 0.6 GB, three chains at a time): on a disk the kernel's side of those writes cost
    # a cold build 35 of its 140 CPU-s, on a tmpfs next to nothing (docs/performance.md).  A
    # mount of its own: /dev/shm may be noexec or nodev, and a chroot needs both.
    available_kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
    if [ "${available_kb:-0}" -ge $((8 * 1024 * 1024)) ] && mkdir -p "$cache/scratch" \
        && mount -t tmpfs -o size=6g,mode=0755 adapter-contracts-build "$cache/scratch" 2>/dev/null; then
        scratch="$cache/scratch"
    fi
    # A signal ends the chains too, so that the tmpfs is not held (lazily unmounted) by a chroot.
    trap 'cleanup_root; for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done; release_scratch' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
fi
selected=()
for spec in "${specs[@]}"; do
    name=${spec%%|*}
    if [ ${#wanted[@]} -gt 0 ] && [[ " ${wanted[*]} " != *" $name "* ]]; then continue; fi
    selected+=("$spec")
done
if [ "$list" = 1 ]; then
    for spec in "${selected[@]}"; do echo "${spec%%|*} $(reference "$spec")"; done
    exit 0
fi
# One chain per set of sources (bookworm, trixie, trixie with sid), the chains side by side:
# part of a cold build waits on the mirror (mmdebstrap, apt downloads).
# Images of one chain share its .deb cache, so they build one after the other.
out=$(mktemp -d)
chain_of() { local s e; IFS='|' read -r _ _ _ s e _ <<<"$1"; echo "$s${e:+-$e}"; }
for chain in $(for spec in "${selected[@]}"; do chain_of "$spec"; done | sort -u); do
    (
        trap cleanup_root EXIT
        for spec in "${selected[@]}"; do
            [ "$(chain_of "$spec")" = "$chain" ] && build "$spec"
        done
        exit 0
    ) >"$out/$chain" &
    pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
# The references in the specs' order, whichever chain finished first.
for spec in "${selected[@]}"; do grep -h "^${spec%%|*} " "$out"/* || true; done
rm -rf "$out"
exit "$failed"
