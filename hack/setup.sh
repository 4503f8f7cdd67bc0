#!/usr/bin/env bash
# Installs what building and testing Concord needs on a fresh machine that has the Swift toolchain.
# Idempotent: does nothing when everything is present. Debian packages come through apt.
set -euo pipefail

need_apt=()
# GRDB links the system SQLite.
if ! { [ -f /usr/include/sqlite3.h ] && ldconfig -p 2>/dev/null | grep -q libsqlite3.so; }; then
  need_apt+=(libsqlite3-dev)
fi
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
# promtool checks and unit-tests manifests/monitoring; the monitoring end-to-end test runs prometheus.
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
# The control-plane tests run every storage contract on etcd too (Debian's etcd-server).
command -v etcd >/dev/null 2>&1 || need_apt+=(etcd-server)
# hack/image.sh writes the OCI image with umoci; the image end-to-end test unpacks it with umoci.
command -v umoci >/dev/null 2>&1 || need_apt+=(umoci)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "concord setup: installing ${need_apt[*]} with apt-get" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
  if [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
  else
    echo "concord setup: the Swift 6 toolchain is required (swift not on PATH)" >&2
    exit 1
  fi
fi
