"""Renders the app icon (resources/smallwise.svg) for every installer:

    OUT/hicolor/NxN/apps/smallwise.png   Linux (the hicolor theme)
    OUT/smallwise.ico                    Windows (16–256 px, PNG-compressed entries)
    OUT/smallwise.icns                   macOS (16–1024 px, PNG entries)

Usage: python packaging/render_icons.py resources/smallwise.svg build/icons
"""

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HICOLOR = (16, 24, 32, 48, 64, 128, 256, 512)
ICO = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, by pixel size (Apple's "icns" format; the @2x types
# share sizes with larger 1x ones, so each size is written once under its 1x type).
ICNS = {
    16: b"icp4",
    32: b"icp5",
    64: b"icp6",
    128: b"ic07",
    256: b"ic08",
    512: b"ic09",
    1024: b"ic10",
}


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def ico(pngs: dict[int, bytes]) -> bytes:
    """ICONDIR + one ICONDIRENTRY per size + the PNG data (Windows Vista and later)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def icns(pngs: dict[int, bytes]) -> bytes:
    body = b"".join(
        ICNS[size] + struct.pack(">I", 8 + len(png)) + png for size, png in sorted(pngs.items())
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main(svg: Path, out: Path) -> None:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    pngs = {size: png_bytes(render(renderer, size)) for size in set(HICOLOR) | set(ICO) | set(ICNS)}
    for size in HICOLOR:
        folder = out / "hicolor" / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "smallwise.png").write_bytes(pngs[size])
    (out / "smallwise.ico").write_bytes(ico({s: pngs[s] for s in ICO}))
    (out / "smallwise.icns").write_bytes(icns({s: pngs[s] for s in ICNS}))


if __name__ == "__main__":
    app = QGuiApplication(["render", "-platform", "offscreen"])
    main(Path(sys.argv[1]), Path(sys.argv[2]))
