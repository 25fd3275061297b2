#!/usr/bin/env bash
# macOS: sign Smallwise.app (hardened runtime), put it in a DMG, notarize and staple.
# Runs on macOS only (codesign, hdiutil, notarytool and stapler exist nowhere else), after
#   python -m PyInstaller --noconfirm --distpath build/dist --workpath build/pyi packaging/smallwise.spec
# Without SMALLWISE_CODESIGN_IDENTITY the app is signed ad hoc (runs on this Mac; Gatekeeper asks
# elsewhere: right-click → Open); without the notary variables the DMG is not notarized.
#
#   SMALLWISE_CODESIGN_IDENTITY  "Developer ID Application: Example Ltd (TEAMID1234)"
#   SMALLWISE_NOTARY_PROFILE     a keychain profile made once with
#                                xcrun notarytool store-credentials smallwise-notary \
#                                  --apple-id you@example.com --team-id TEAMID1234
#                                (CI: --key AuthKey.p8 --key-id … --issuer … instead)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(uname -s)" = Darwin ] || { echo "build_dmg.sh runs on macOS only" >&2; exit 2; }
PY=${PY:-.venv/bin/python}
VERSION=$("$PY" -c "import desktop_app; print(desktop_app.__version__)")
ARCH=$(uname -m)  # arm64 or x86_64: each is built on its own runner
APP=build/dist/Smallwise.app
DMG=build/Smallwise-${VERSION}-macos-${ARCH}.dmg
ENTITLEMENTS=packaging/macos/entitlements.plist
IDENTITY=${SMALLWISE_CODESIGN_IDENTITY:--}
[ -d "$APP" ] || { echo "$APP is missing: run PyInstaller with packaging/smallwise.spec" >&2; exit 1; }

# Inside out: every nested library and executable first, the bundle last (no --deep, which
# Apple discourages and which signs nested code with the bundle's entitlements).
sign() {
  codesign --force --timestamp --options runtime --entitlements "$ENTITLEMENTS" \
    --sign "$IDENTITY" "$@"
}
[ "$IDENTITY" = - ] && sign() { codesign --force --sign - "$@"; }
while IFS= read -r -d '' file; do
  if file -b "$file" | grep -q 'Mach-O'; then sign "$file"; fi
done < <(find "$APP/Contents/Frameworks" "$APP/Contents/Resources" -type f -print0)
sign "$APP/Contents/MacOS/smallwise"
sign "$APP"
codesign --verify --strict --verbose=2 "$APP"

# Self-test of the signed app before it is packed (offscreen, a fresh profile).
SMALLWISE_HOME=$(mktemp -d) QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/smallwise" \
  self-test --model "${SMOKE_MODEL:?set SMOKE_MODEL to a .gguf (tests/ggufs.py writes one)}"

# The DMG: the app (copied with ditto, which keeps the framework symlinks notarization needs)
# and a link to /Applications to drag it onto.
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
ditto "$APP" "$STAGE/Smallwise.app"
ln -s /Applications "$STAGE/Applications"
rm -f "$DMG"
hdiutil create -volname "Smallwise $VERSION" -srcfolder "$STAGE" -fs HFS+ -format ULFO "$DMG"
[ "$IDENTITY" = - ] || codesign --force --timestamp --sign "$IDENTITY" "$DMG"

if [ -n "${SMALLWISE_NOTARY_PROFILE:-}" ] && [ "$IDENTITY" != - ]; then
  xcrun notarytool submit "$DMG" --keychain-profile "$SMALLWISE_NOTARY_PROFILE" --wait
  xcrun stapler staple "$DMG"
  xcrun stapler validate "$DMG"
  spctl --assess --type open --context context:primary-signature --verbose=2 "$DMG"
fi
echo "$DMG"
