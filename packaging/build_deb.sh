#!/usr/bin/env bash
# Builds the Linux .deb: PyInstaller one-folder app under /opt/smallwise, /usr/bin/smallwise,
# a .desktop entry and hicolor icons. Version from desktop_app.__version__ (the single source).
# BUNDLE_STARTER=1 builds the variant that carries the starter model and the Gemma terms
# (build/smallwise-offline_VERSION_ARCH.deb): it chats on a machine that never goes online.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
VERSION=$("$PY" -c "import desktop_app; print(desktop_app.__version__)")
DEPENDS="libc6, libegl1, libgl1, libfontconfig1, libfreetype6, libglib2.0-0, libdbus-1-3, \
libxkbcommon0, libxkbcommon-x11-0, libx11-xcb1, libxcb-cursor0, libxcb-icccm4, libxcb-image0, \
libxcb-keysyms1, libxcb-randr0, libxcb-render-util0, libxcb-shape0, libxcb-xinerama0, \
libxcb-xkb1, sensible-utils"
ARCH=$(dpkg --print-architecture)
NAME=smallwise
if [ "${BUNDLE_STARTER:-0}" = 1 ]; then NAME=smallwise-offline; fi
SMALLWISE_BUNDLE_STARTER=${BUNDLE_STARTER:-0} "$PY" -m PyInstaller --noconfirm --log-level WARN --distpath build/dist --workpath build/pyi \
  packaging/smallwise.spec
STAGE=build/deb/${NAME}_${VERSION}_${ARCH}
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/icons/hicolor/scalable/apps" "$STAGE/usr/share/doc/smallwise"
cp -a build/dist/smallwise "$STAGE/opt/smallwise"
ln -s /opt/smallwise/smallwise "$STAGE/usr/bin/smallwise"
install -m 644 packaging/smallwise.desktop "$STAGE/usr/share/applications/smallwise.desktop"
install -m 644 resources/smallwise.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/"
cp -r build/icons/hicolor/. "$STAGE/usr/share/icons/hicolor/"  # rendered by the spec
cat > "$STAGE/usr/share/doc/smallwise/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: smallwise

Files: *
Copyright: Smallwise developers
License: Apache-2.0
 On Debian systems the full text is in /usr/share/common-licenses/Apache-2.0.
COPYRIGHT
STARTER=opt/smallwise/_internal/desktop_app/resources/starter
if [ -d "$STAGE/$STARTER" ]; then
  cat >> "$STAGE/usr/share/doc/smallwise/copyright" <<COPYRIGHT

Files: ${STARTER}/*
Copyright: Google LLC
License: Gemma-Terms-of-Use
 The starter model (Gemma 3 270M, Q4_K_M GGUF) is provided under and subject to the Gemma
 Terms of Use, installed as /usr/share/doc/smallwise/GEMMA_TERMS.txt, and its notice as
 /usr/share/doc/smallwise/GEMMA_NOTICE.md.
COPYRIGHT
  install -m 644 "$STAGE/$STARTER/GEMMA_TERMS.txt" "$STAGE/usr/share/doc/smallwise/"
  install -m 644 "$STAGE/$STARTER/NOTICE.md" "$STAGE/usr/share/doc/smallwise/GEMMA_NOTICE.md"
fi
# Libraries are data, not programs.
find "$STAGE/opt/smallwise" -name '*.so*' -type f -exec chmod 644 {} +
install -d "$STAGE/usr/share/lintian/overrides"
install -m 644 packaging/lintian-overrides "$STAGE/usr/share/lintian/overrides/smallwise"
printf 'smallwise (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- Smallwise developers <dev@smallwise.invalid>  %s\n' \
  "$VERSION" "$VERSION" "$(date -R)" | gzip -9n > "$STAGE/usr/share/doc/smallwise/changelog.gz"
SIZE=$(du -sk "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: smallwise
Version: ${VERSION}
Architecture: ${ARCH}
Maintainer: Smallwise developers <dev@smallwise.invalid>
Installed-Size: ${SIZE}
Depends: ${DEPENDS}
Section: utils
Priority: optional
Homepage: https://smallwise.invalid
Description: private AI assistants that run entirely on this computer
 Smallwise chats with small open language models through llama.cpp, offline,
 with specialists for tutoring, math and support, and keeps every conversation
 in a local SQLite file.
CONTROL
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "build/${NAME}_${VERSION}_${ARCH}.deb" >/dev/null
echo "build/${NAME}_${VERSION}_${ARCH}.deb"
