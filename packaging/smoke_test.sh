#!/usr/bin/env bash
# Smoke test of what was built: the .deb unpacked into a temporary root runs `self-test`
# (offscreen) in a fresh profile — with a generated tiny GGUF, and, when the package carries
# the starter model (BUNDLE_STARTER=1), with that model and no --model at all.
set -euo pipefail
cd "$(dirname "$0")/.."
DEB=${1:?usage: packaging/smoke_test.sh build/smallwise_VERSION_ARCH.deb}
ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
dpkg-deb -x "$DEB" "$ROOT"
APP="$ROOT/opt/smallwise/smallwise"
.venv/bin/python -c "import sys; sys.path.insert(0, 'tests'); from ggufs import write_tiny_model; \
from pathlib import Path; write_tiny_model(Path('$ROOT/tiny.gguf'))"
export SMALLWISE_HOME="$ROOT/profile" QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1
"$APP" self-test --model "$ROOT/tiny.gguf" | tee "$ROOT/self-test.txt"
grep -q '^\[ok\] llama.cpp build: ' "$ROOT/self-test.txt"
"$APP" models list >/dev/null
.venv/bin/python packaging/smoke_download.py "$APP"  # loopback hub → download → chat
test -f "$ROOT/usr/share/applications/smallwise.desktop"
test -f "$ROOT/usr/share/icons/hicolor/256x256/apps/smallwise.png"
if [ -d "$ROOT/opt/smallwise/_internal/desktop_app/resources/starter" ]; then
  grep -q "^## Section 1: DEFINITIONS" "$ROOT/usr/share/doc/smallwise/GEMMA_TERMS.txt"
  "$APP" self-test | tee "$ROOT/starter.txt"  # no --model: the bundled starter, in place
  grep -q '^\[ok\] model: .*/opt/smallwise/_internal/desktop_app/resources/starter/' \
    "$ROOT/starter.txt"
  test -z "$(ls "$SMALLWISE_HOME/data/models" 2>/dev/null)"  # used in place, never copied
else
  # Without it the first run says what to do instead of failing obscurely…
  if "$APP" self-test > "$ROOT/no-model.txt"; then exit 1; fi
  grep -q 'no model yet. Open Models' "$ROOT/no-model.txt"
  # …and the first model the user imports is the one that answers, with no setting touched.
  "$APP" models import "$ROOT/tiny.gguf" 2> "$ROOT/import.txt"
  grep -q 'tiny is now the default model' "$ROOT/import.txt"
  "$APP" chat "Say hi" --json --max-tokens 4 > "$ROOT/chat.json"
  grep -q '"model": "tiny"' "$ROOT/chat.json"
  "$APP" self-test | tee "$ROOT/first-model.txt"
  grep -q '^\[ok\] model: tiny ' "$ROOT/first-model.txt"
  grep -q '^self-test passed' "$ROOT/first-model.txt"
fi
# A bug report starts with `doctor`: every library it lists has a version.
"$APP" doctor --json > "$ROOT/doctor.json"
if grep -q '"not installed"' "$ROOT/doctor.json"; then
  echo "doctor lists a library as not installed:"; grep '"not installed"' "$ROOT/doctor.json"
  exit 1
fi
echo "smoke test passed: $DEB"
