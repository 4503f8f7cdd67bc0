#!/usr/bin/env bash
# Regenerates crds/ from the Swift schema (Sources/FederationAPI/CRD) through `concord crds`.
# Run it after changing a federation type or its schema; the golden test in
# Tests/FederationAPITests fails until crds/ matches the Swift again.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

swift build --product concord >/dev/null
bin="$(swift build --show-bin-path)/concord"

rm -f crds/federation.concord.dev_*.yaml
"$bin" crds --output-dir crds
