#!/usr/bin/env bash
# Builds Concord's container image as an OCI image layout, without Docker, a daemon or a registry.
# The image holds the `concord` binary, exactly the shared libraries `ldd` says it loads, the CA
# certificates bundle, and /etc/passwd and /etc/group entries for user 65532, who runs it. umoci
# (installed with apt when missing) writes the layout from one layer archive made with GNU tar.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'EOF'
usage: hack/image.sh [--binary PATH] [--output DIR] [--tag TAG] [--scratch-path DIR] [--no-strip]

  --binary PATH        put this concord binary in the image instead of building one
                       (also CONCORD_IMAGE_BINARY; the end-to-end test passes the debug build)
  --output DIR         the OCI image layout to write (default .build-image/oci; replaced)
  --tag TAG            the image's tag in the layout (default latest)
  --scratch-path DIR   SwiftPM's build directory for the release build (default .build)
  --no-strip           keep the binary's symbols (stripped by default)

Without --binary it runs `swift build -c release --product concord --static-swift-stdlib`.
EOF
}

binary="${CONCORD_IMAGE_BINARY:-}"
output=".build-image/oci"
tag="latest"
scratch=".build"
strip_binary=true
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
    --binary=*) binary="${1#*=}"; shift ;;
    --output) output="${2:?--output needs a directory}"; shift 2 ;;
    --output=*) output="${1#*=}"; shift ;;
    --tag) tag="${2:?--tag needs a name}"; shift 2 ;;
    --tag=*) tag="${1#*=}"; shift ;;
    --scratch-path) scratch="${2:?--scratch-path needs a directory}"; shift 2 ;;
    --scratch-path=*) scratch="${1#*=}"; shift ;;
    --no-strip) strip_binary=false; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "hack/image.sh: unknown argument '$1'; see hack/image.sh --help" >&2; exit 2 ;;
  esac
done

# Debian's tools: umoci writes the layout, ca-certificates provides the bundle, binutils strips.
need_apt=()
command -v umoci >/dev/null 2>&1 || need_apt+=(umoci)
[ -f /etc/ssl/certs/ca-certificates.crt ] || need_apt+=(ca-certificates)
command -v strip >/dev/null 2>&1 || need_apt+=(binutils)
# Building the binary here: GRDB links the system SQLite.
if [ -z "$binary" ] && [ ! -f /usr/include/sqlite3.h ]; then need_apt+=(libsqlite3-dev); fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "hack/image.sh: installing ${need_apt[*]} with apt-get" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ -z "$binary" ]; then
  if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then export PATH="/opt/swift/usr/bin:$PATH"; fi
  command -v swift >/dev/null 2>&1 || { echo "hack/image.sh: the Swift 6 toolchain is required (swift not on PATH), or pass --binary PATH" >&2; exit 1; }
  echo "hack/image.sh: building the release binary (swift build -c release --static-swift-stdlib)" >&2
  swift build -c release --product concord --static-swift-stdlib --scratch-path "$scratch"
  binary="$scratch/release/concord"
fi
[ -x "$binary" ] || { echo "hack/image.sh: $binary is not an executable; build it or pass --binary PATH" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/concord-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
# Debian's merged /usr: /lib and /lib64 are links into /usr, so ldd's paths land in one tree.
mkdir -p "$root/usr/lib" "$root/usr/lib64" "$root/usr/local/bin" "$root/etc/ssl/certs" "$root/var/lib/concord" "$root/tmp"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"

if $strip_binary; then
  strip -o "$root/usr/local/bin/concord" "$binary"
else
  cp "$binary" "$root/usr/local/bin/concord"
fi
chmod 0755 "$root/usr/local/bin/concord"

# Every library the dynamic loader resolves for the binary (ldd lists them transitively), at the same
# path as on this machine, so the binary's interpreter and RUNPATH find them unchanged.
libraries="$(ldd "$binary")"
if grep -q "not found" <<<"$libraries"; then
  echo "hack/image.sh: $binary needs libraries this machine lacks:" >&2
  grep "not found" <<<"$libraries" >&2
  exit 1
fi
while read -r path; do
  mkdir -p "$root$(dirname "$path")"
  cp -L "$path" "$root$path"
  chmod 0755 "$root$path"
done < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$libraries" | sort -u)

cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nconcord:x:65532:65532:concord:/var/lib/concord:/usr/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nconcord:x:65532:\n' >"$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
chmod 0644 "$root"/etc/passwd "$root"/etc/group "$root"/etc/nsswitch.conf "$root/etc/ssl/certs/ca-certificates.crt"
chmod 1777 "$root/tmp"
chmod 0755 "$root/var/lib/concord"

# One layer, owned by root except the data directory (65532), with the commit's time on every file,
# so the same binary gives the same layer.
epoch="$(git log -1 --format=%ct 2>/dev/null || echo 0)"
layer="$work/layer.tar"
tar_options=(--sort=name --numeric-owner --mtime="@$epoch" --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)
mapfile -t top < <(cd "$root" && find . -mindepth 1 -maxdepth 1 | sort)
tar -C "$root" "${tar_options[@]}" --owner=0 --group=0 --exclude=./var/lib/concord -cf "$layer" "${top[@]}"
tar -C "$root" "${tar_options[@]}" --owner=65532 --group=65532 -rf "$layer" ./var/lib/concord

version="$("$root/usr/local/bin/concord" version 2>/dev/null | sed -n 's/^Concord Version: //p' || true)"
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
created="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)"
rm -rf "$output"
mkdir -p "$(dirname "$output")"
umoci init --layout "$output"
umoci new --image "$output:$tag"
umoci raw add-layer --image "$output:$tag" --history.created "$created" --history.created_by "hack/image.sh" "$layer"
umoci config --image "$output:$tag" --created "$created" --history.created "$created" --history.created_by "hack/image.sh" \
  --os linux --config.user 65532:65532 --config.entrypoint /usr/local/bin/concord --config.workingdir /var/lib/concord \
  --config.env PATH=/usr/local/bin:/usr/bin:/bin \
  --config.label org.opencontainers.image.title=concord \
  --config.label "org.opencontainers.image.revision=$revision" \
  --config.label "org.opencontainers.image.version=${version:-unknown}"
umoci gc --layout "$output"

uncompressed="$(du -sb --apparent-size "$root" | cut -f1)"
compressed="$(du -sb --apparent-size "$output/blobs" | cut -f1)"
echo "hack/image.sh: wrote $output:$tag ($(basename "$binary"), $(grep -c . <<<"$(find "$root" -type f -name '*.so*')") shared libraries)"
echo "hack/image.sh: image size $((compressed / 1024 / 1024)) MiB compressed ($compressed bytes of blobs), $((uncompressed / 1024 / 1024)) MiB unpacked ($uncompressed bytes)"
