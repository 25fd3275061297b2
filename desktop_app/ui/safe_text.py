"""Rich text from outside (a model's answer, a document heading) shown without loading anything.

Qt's rich text loads every <img>, background and style sheet it meets, from any local path: a
pipe freezes the window, /dev/zero fills its memory. SafeDocument refuses every resource except
the formula images the app drew itself (core/formulas.py); SafeText is a read-only, borderless
text view that sizes itself to its content and uses that document. Every widget that shows
outside rich text uses SafeText; plain outside text goes in a QLabel with PlainText format.
"""

from __future__ import annotations

import logging
import math
from collections import deque

from PySide6 import QtGui
from PySide6.QtCore import QByteArray, QRectF, QSize, Qt, QUrl
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QTextDocument
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextBrowser, QWidget

from desktop_app.core.formulas import own_image

log = logging.getLogger(__name__)


class SafeDocument(QTextDocument):
    """A document that loads no resource but the app's own formula images."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.refused: deque[QUrl] = deque(maxlen=32)  # the latest addresses turned down
        self.own_images: set[str] = set()
        # Qt asks again at every layout and paint: each formula is drawn once per pixel ratio.
        self._drawn: dict[tuple[str, float], QImage | QByteArray] = {}

    def loadResource(self, kind: int, url: QUrl) -> object:
        address = url.toString()
        image = kind == QTextDocument.ResourceType.ImageResource
        svg = own_image(address) if image else None
        if svg is None:
            log.debug("refused a resource: %.200s", address)
            self.refused.append(QUrl(url))
            # An image Qt gets nothing for, it reads from the file itself: give it a blank one.
            return _blank_image() if image else None
        self.own_images.add(address)
        key = (address, self.pixel_ratio())
        if key not in self._drawn:
            if len(self._drawn) >= 256:
                self._drawn.clear()
            self._drawn[key] = formula_image(svg, key[1])
        return self._drawn[key]

    def pixel_ratio(self) -> float:
        """Device pixels per logical pixel where the text is shown (the highest of all screens
        before it is shown, so the formula is crisp on any of them)."""
        parent = self.parent()
        if isinstance(parent, QWidget) and parent.isVisible():
            return parent.devicePixelRatioF()
        return QGuiApplication.instance().devicePixelRatio()  # type: ignore[union-attr]


def formula_image(svg: bytes, ratio: float) -> QImage | QByteArray:
    """The formula drawn at `ratio` device pixels per logical pixel, sized in logical pixels:
    Qt would otherwise draw the SVG at 1× and stretch it on a 2× screen (blurred)."""
    renderer = QSvgRenderer(QByteArray(svg))
    size = renderer.viewBoxF().size()
    if not renderer.isValid() or size.isEmpty():
        return QByteArray(svg)
    logical = renderer.defaultSize()
    image = QImage(
        math.ceil(logical.width() * ratio),
        math.ceil(logical.height() * ratio),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
    painter.end()
    image.setDevicePixelRatio(ratio)
    return image


def _blank_image() -> QImage:
    blank = QImage(1, 1, QImage.Format.Format_ARGB32)
    blank.fill(0)
    return blank


class SafeText(QTextBrowser):
    """Read-only rich text that loads no resource, follows no link by itself (anchorClicked
    says which was clicked) and is as tall as its content at the width it is given."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._html = ""
        self.width_hint = 0  # the width it will be given, when its owner knows it
        self.setDocument(SafeDocument(self))
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        # Text is selected with the keyboard too (Shift+arrows, Ctrl+C), links reached by Tab.
        flag = Qt.TextInteractionFlag
        self.setTextInteractionFlags(flag.TextBrowserInteraction | flag.TextSelectableByKeyboard)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)
        self.setStyleSheet(
            "QTextBrowser { background: transparent; border: none; }"
            "QTextBrowser:focus { background: palette(alternate-base); }"  # where Tab is
        )
        self.document().setDocumentMargin(2)
        self.document().documentLayout().documentSizeChanged.connect(lambda _s: self._fit())

    def document(self) -> SafeDocument:  # the type, for readers and checkers
        return super().document()  # type: ignore[return-value]

    def setText(self, html: str) -> None:
        """Shows `html` (QLabel's name, so views read alike). The document is laid out once,
        at the width the text will have (QTextEdit.setHtml lays it out again and again)."""
        self._html = html
        self._set_width()
        self.document().setHtml(html)
        self._fit()

    def text(self) -> str:
        """The HTML last given (Qt's toHtml() is its own rewrite of it)."""
        return self._html

    def _set_width(self) -> None:
        # Before its first layout a widget has a stand-in size: the width hint, when known,
        # saves laying the text out at the wrong width first. Qt lays the whole document out
        # again on every setTextWidth, even to the same width.
        resized = self.testAttribute(Qt.WidgetAttribute.WA_Resized)
        width = self.viewport().width() if resized else self.width_hint
        if width > 0 and width != self.document().textWidth():
            self.document().setTextWidth(width)

    def _fit(self) -> None:
        self._set_width()
        height = int(self.document().size().height() + 0.99) + 2 * self.frameWidth()
        if height != self.height():
            self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def keyPressEvent(self, event) -> None:
        # As tall as its text, it has nothing to page through: Page Up/Down go on to the view
        # it sits in (the transcript), which scrolls.
        if event.key() in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            event.ignore()
            return
        super().keyPressEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.height())


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` as written: Qt reads a tooltip that looks like HTML as
    rich text (loading its images), so such text is escaped."""
    return QtGui.Qt.convertFromPlainText(text) if QtGui.Qt.mightBeRichText(text) else text
