#!/usr/bin/env bash
# Smoke test of what was built: the .deb unpacked into a temporary root runs `self-test`
# (offscreen, a generated tiny GGUF: the starter model is not bundled) in a fresh profile.
set -euo pipefail
cd "$(dirname "$0")/.."
DEB=${1:?usage: packaging/smoke_test.sh build/smallwise_VERSION_ARCH.deb}
ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
dpkg-deb -x "$DEB" "$ROOT"
.venv/bin/python -c "import sys; sys.path.insert(0, 'tests'); from ggufs import write_tiny_model; \
from pathlib import Path; write_tiny_model(Path('$ROOT/tiny.gguf'))"
export SMALLWISE_HOME="$ROOT/profile" QT_QPA_PLATFORM=offscreen
"$ROOT/opt/smallwise/smallwise" self-test --model "$ROOT/tiny.gguf"
"$ROOT/opt/smallwise/smallwise" models list >/dev/null
test -f "$ROOT/usr/share/applications/smallwise.desktop"
test -f "$ROOT/usr/share/icons/hicolor/256x256/apps/smallwise.png"
echo "smoke test passed: $DEB"
