"""Run by tests/ui/test_screens.py at QT_SCALE_FACTOR=2: a formula in a SafeText, grabbed at the
screen's pixel ratio, compared with the same formula drawn at 1× and stretched (what a blurred
formula looks like). Prints one JSON line."""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from desktop_app.core.formulas import own_image
from desktop_app.core.render import render_markdown
from desktop_app.ui.safe_text import SafeText, formula_image

FORMULA = r"$$x = \frac{-b \pm \sqrt{b^2-4ac}}{2a}$$"


def soft_edges(image: QImage) -> float:
    """Share of the inked pixels that are only partly covered: higher when blurred."""
    inked = partial = 0
    for y in range(image.height()):
        for x in range(image.width()):
            alpha = image.pixelColor(x, y).alpha()
            inked += alpha > 25
            partial += 25 < alpha < 230
    return partial / max(inked, 1)


def main() -> dict:
    app = QApplication(sys.argv)
    html = render_markdown(FORMULA)
    view = SafeText()
    view.resize(420, 120)
    view.setText(html)
    view.show()
    app.processEvents()
    address = html.split('src="', 1)[1].split('"', 1)[0]
    svg = own_image(address)
    drawn = formula_image(svg, view.devicePixelRatioF())
    stretched = formula_image(svg, 1.0).scaled(
        drawn.size(),
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    grabbed = view.grab().toImage()
    return {
        "ratio": view.devicePixelRatioF(),
        "drawn_ratio": drawn.devicePixelRatio(),
        "drawn_pixels": [drawn.width(), drawn.height()],
        "logical": [
            round(drawn.deviceIndependentSize().width()),
            round(drawn.deviceIndependentSize().height()),
        ],
        "layout_height": view.document().size().height(),
        "grabbed_soft": soft_edges(grabbed),
        "drawn_soft": soft_edges(drawn),
        "stretched_soft": soft_edges(stretched),
    }


if __name__ == "__main__":
    print(json.dumps(main()), flush=True)
