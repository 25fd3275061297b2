"""LaTeX formulas drawn by ziamath as SVG images, within a bound: the drawer lays out every row
twice per level of nesting (8 s for ten nested fractions), so a formula whose layout would cost
too much is shown as written. The images drawn here are the only pictures the window shows from
an answer; `own_image` tells them apart from any other address. No Qt here.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any
from xml.etree import ElementTree as ET

SVG_PREFIX = "data:image/svg+xml;base64,"
MAX_FORMULA_CHARS = 1000
# Units of layout work: one per MathML node, doubled below each <mrow>/<mfenced> (the drawer
# builds their children twice). Measured 0.3-0.9 ms a unit here; common formulas cost 20-200.
MAX_FORMULA_COST = 800
_OWN_LIMIT = 4096
_own: OrderedDict[str, None] = OrderedDict()  # sha256 of each SVG drawn, newest last


def layout_cost(root: ET.Element, limit: int = MAX_FORMULA_COST) -> int:
    """The drawer's work for a MathML tree, counted up to just past `limit`."""
    total, stack = 0, [(root, 1)]
    while stack and total <= limit:
        element, weight = stack.pop()
        total += weight
        doubled = element.tag.rsplit("}", 1)[-1] in ("mrow", "mfenced")
        stack.extend((child, weight * 2 if doubled else weight) for child in element)
    return total


# Drawings the app's renderer process made (services/rendering.py) and handed over: shown as
# this process's own, and not drawn again here (an answer that streams a formula seen before).
Drawing = tuple[str, str, int, int, str, str]  # LaTeX, MathML, layout cost, size, ink, SVG
_ADOPTED_LIMIT = 512
_adopted_mathml: OrderedDict[str, tuple[str, int]] = OrderedDict()
_adopted_svg: OrderedDict[tuple[str, int, str], str] = OrderedDict()
_journals: list[list[Drawing]] = []


@contextmanager
def journal() -> Iterator[list[Drawing]]:
    """The formulas drawn inside, for handing over to another process (adopt)."""
    drawn: list[Drawing] = []
    _journals.append(drawn)
    try:
        yield drawn
    finally:
        _journals.remove(drawn)


def adopt(drawn: list[Drawing]) -> None:
    """Take drawings made by the app's own renderer process as made here."""
    for latex, markup, work, size, ink, svg in drawn:
        _bounded(_adopted_mathml, latex, (markup, work))
        _bounded(_adopted_svg, (markup, size, ink), svg)
        _remember(svg)


def _bounded(cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > _ADOPTED_LIMIT:
        cache.popitem(last=False)


def mathml(latex: str) -> tuple[str, int] | None:
    """(MathML, layout cost) of a formula, or None when it cannot be read."""
    return _adopted_mathml.get(latex) or _mathml(latex)


@lru_cache(maxsize=512)
def _mathml(latex: str) -> tuple[str, int] | None:
    if len(latex) > MAX_FORMULA_CHARS:
        return None
    try:
        from ziamath.tex import tex2mml

        markup = tex2mml(latex)
        return markup, layout_cost(ET.fromstring(markup))
    except Exception:  # any LaTeX the converter cannot handle (RecursionError included)
        return None


@lru_cache(maxsize=512)
def _svg(markup: str, size: int, ink: str) -> str | None:
    """Drawn in `ink` (the scheme's text colour: the cache holds each scheme's drawing)."""
    try:
        import ziamath

        ziamath.config.svg2 = False  # plain SVG 1.1: Qt's renderer skips <symbol>/<use>
        root = ET.fromstring(markup)
        root.set("mathcolor", ink)  # MathML's own colour attribute: every glyph and rule
        return ziamath.Math(root, size=size).svg()
    except Exception:  # a formula the drawer cannot lay out is shown as written
        return None


def cost(latex: str) -> int | None:
    """The layout work a formula would take; None if it cannot be drawn at all."""
    found = mathml(latex)
    return found[1] if found else None


INK = "#000000"  # on a light background; the dark scheme passes its own (core/render.LOOKS)


def latex_image(latex: str, display: bool, ink: str = INK) -> str:
    """An <img> with the formula as an SVG data URL, drawn in `ink` (a #rrggbb colour); the
    source as code if it cannot be drawn or would take too long."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", ink):
        raise ValueError(f"ink must be #rrggbb, not {ink!r}")
    found = mathml(latex)
    size = 20 if display else 16
    svg = None
    if found and found[1] <= MAX_FORMULA_COST:
        svg = _adopted_svg.get((found[0], size, ink)) or _svg(found[0], size, ink)
    if svg is None:
        return as_code(latex)
    _remember(svg)
    if found:
        for drawn in _journals:
            drawn.append((latex, found[0], found[1], size, ink, svg))
    data = base64.b64encode(svg.encode()).decode()
    image = f'<img src="{SVG_PREFIX}{data}" alt="{html.escape(latex)}"/>'
    return f'<p align="center">{image}</p>' if display else image


def as_code(latex: str) -> str:
    return f"<code>{html.escape(latex)}</code>"


def own_image(url: str) -> bytes | None:
    """The SVG behind a data URL this module made; None for any other address."""
    if not url.startswith(SVG_PREFIX):
        return None
    try:
        svg = base64.b64decode(url[len(SVG_PREFIX) :], validate=True)
    except ValueError:
        return None
    return svg if hashlib.sha256(svg).hexdigest() in _own else None


def _remember(svg: str) -> None:
    key = hashlib.sha256(svg.encode()).hexdigest()
    _own[key] = None
    _own.move_to_end(key)
    while len(_own) > _OWN_LIMIT:
        _own.popitem(last=False)
