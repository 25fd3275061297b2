#!/usr/bin/env bash
# Compiles the Windows installer script here, with makensis from Debian, against a dummy
# payload (the real one is built by PyInstaller on Windows): catches script errors offline.
# Warnings are errors (-WX).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
VERSION=$("$PY" -c "import desktop_app; print(desktop_app.__version__)")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/payload/_internal"
printf 'MZ dummy\n' > "$WORK/payload/Smallwise.exe"
printf 'MZ dummy\n' > "$WORK/payload/smallwise-cli.exe"
printf 'dummy\n' > "$WORK/payload/_internal/python311.dll"
[ -f build/icons/smallwise.ico ] || QT_QPA_PLATFORM=offscreen "$PY" packaging/render_icons.py \
  resources/smallwise.svg build/icons
OUT=build/Smallwise-${VERSION}-setup-dummy.exe
makensis -V2 -WX -DVERSION="$VERSION" -DPAYLOAD="$WORK/payload" -DICON="$PWD/build/icons/smallwise.ico" \
  -DOUTFILE="$PWD/$OUT" packaging/windows/smallwise.nsi
file "$OUT" | grep -q 'PE32 executable (GUI)'
# What it packs, where the installed app expects it.
7z l "$OUT" | grep -q ' _internal/python311.dll$'
7z l "$OUT" | grep -q ' smallwise-cli.exe$'
# A payload without the app is refused at compile time, not shipped.
if makensis -V1 -DVERSION="$VERSION" -DPAYLOAD="$WORK/none" -DICON="$PWD/build/icons/smallwise.ico" \
  -DOUTFILE="$WORK/x.exe" packaging/windows/smallwise.nsi >/dev/null 2>&1; then exit 1; fi
echo "NSIS script compiles: $OUT ($(du -k "$OUT" | cut -f1) KB with a dummy payload)"
