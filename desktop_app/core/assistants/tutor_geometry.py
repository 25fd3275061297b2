"""Plain geometry formulas for the tutor's answer check: area, perimeter, circumference,
volume, hypotenuse and angle sums, only when the question names what it asks for and labels
every number it gives ("area of a rectangle 7 cm long and 4 cm wide"). Anything less clear
returns None: a wrong answer would steer the tutor wrong. Reads normalised text (lower case,
see tutor_answer.normalise); regexes only, bounded input. No Qt here.
"""

from __future__ import annotations

import re
from typing import Any

import sympy

NUM = r"(\d+(?:\.\d+)?)"
UNIT = r"(?:\s*(?:cm|mm|m|km|in|inches|ft|feet|units?|°|degrees?))?"
ASKED = re.compile(
    r"(?:what is|what's|find|calculate|compute|work out|determine|how long is|how big is)"
    r"\s+(?:the|its)\s+(?:total\s+)?(area|perimeter|circumference|volume|hypotenuse)"
)
POLYGONS = {
    "triangle": 3, "quadrilateral": 4, "pentagon": 5, "hexagon": 6, "heptagon": 7,
    "octagon": 8, "nonagon": 9, "decagon": 10,
}  # fmt: skip


def _given(text: str, *names: str) -> sympy.Rational | None:
    """The number labelled by one of `names`: 'radius 5', 'radius of 5 cm', '7 cm long'."""
    for name in names:
        after = re.search(rf"\b{name}\s*(?:of|=|is|length)?\s*(?:of\s*)?{NUM}", text)
        if after:
            return sympy.Rational(after.group(1))
        before = re.search(rf"{NUM}{UNIT}\s*{name}\b", text)
        if before:
            return sympy.Rational(before.group(1))
    return None


def _by(text: str) -> tuple[sympy.Rational, sympy.Rational] | None:
    match = re.search(rf"{NUM}{UNIT}\s*by\s*{NUM}", text)
    return (sympy.Rational(match.group(1)), sympy.Rational(match.group(2))) if match else None


def value_for(text: str) -> tuple[sympy.Expr, str] | None:
    """(value, 'geometry') for a clear geometry question in normalised text, else None."""
    text = text[:600]
    angle = _angles(text)
    if angle is not None:
        return angle, "geometry"
    asked = ASKED.search(text)
    if not asked:
        return None
    shapes = [s for s in ("rectangle", "square", "triangle", "circle", "cube") if s in text]
    if len(shapes) != 1:
        return None
    value = _formula(asked.group(1), shapes[0], text)
    return (value, "geometry") if value is not None else None


def _formula(asked: str, shape: str, text: str) -> Any:
    # Each formula below is used only when the values it needs were found (None otherwise).
    sides = _by(text) or (_given(text, "length", "long"), _given(text, "width", "wide"))
    length: Any = sides[0]
    width: Any = sides[1]
    side: Any = _given(text, "sides?", "side length", "edges?")
    radius: Any = _given(text, "radius")
    diameter: Any = _given(text, "diameter")
    if radius is None and diameter is not None:
        radius = diameter / 2
    base: Any = _given(text, "base")
    height: Any = _given(text, "height", "high", "tall")
    table = {
        ("area", "rectangle"): (length, width, lambda: length * width),
        ("perimeter", "rectangle"): (length, width, lambda: 2 * (length + width)),
        ("area", "square"): (side, side, lambda: side**2),
        ("perimeter", "square"): (side, side, lambda: 4 * side),
        ("area", "triangle"): (base, height, lambda: base * height / 2),
        ("area", "circle"): (radius, radius, lambda: sympy.pi * radius**2),
        ("circumference", "circle"): (radius, radius, lambda: 2 * sympy.pi * radius),
        ("volume", "cube"): (side, side, lambda: side**3),
    }
    if asked == "hypotenuse":
        legs = re.search(rf"legs?\s*(?:of\s*)?(?:length\s*)?{NUM}{UNIT}\s*and\s*{NUM}", text)
        if legs:
            a, b = sympy.Rational(legs.group(1)), sympy.Rational(legs.group(2))
            return sympy.sqrt(a**2 + b**2)
        return None
    entry = table.get((asked, shape))
    if entry is None or entry[0] is None or entry[1] is None:
        return None
    return entry[2]()


def _angles(text: str) -> sympy.Expr | None:
    """Third angle of a triangle, supplementary/complementary angles, polygon angle sums."""
    numbers = [sympy.Rational(n) for n in re.findall(NUM, text)]
    if re.search(r"\b(third|missing|remaining) angle\b", text) and "triangle" in text:
        return 180 - numbers[0] - numbers[1] if len(numbers) == 2 else None
    for word, total in (("supplementary", 180), ("complementary", 90)):
        if word in text and len(numbers) == 1:
            return total - numbers[0]
    polygon = [n for name, n in POLYGONS.items() if re.search(rf"\b{name}\b", text)]
    if len(polygon) != 1 or numbers or "interior angle" not in text:
        return None
    total = (polygon[0] - 2) * 180
    if re.search(r"\beach\b|\bone\b|\bevery\b", text) and "regular" in text:
        return sympy.Rational(total, polygon[0])
    if re.search(r"\bsum\b|\btotal\b|\baltogether\b|\badd up\b", text):
        return sympy.Integer(total)
    return None
