"""Light and dark: every text colour readable (WCAG contrast from the palette and the colours the
app defines), the system's scheme followed and its changes too, a manual choice that wins and is
kept, and a dark variant for every custom colour (style sheet, memory bar, code, formulas)."""

from __future__ import annotations

import re

import pytest
from pygments.styles import get_style_by_name
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication
from test_model_manager import WAIT, open_manager

from desktop_app.core.render import LOOKS, render_markdown
from desktop_app.settings import Settings
from desktop_app.ui import theme
from desktop_app.ui.theme import DARK, LIGHT, ROLES, TEXT_PAIRS

AA = 4.5


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    q = QColor(colour)
    return 0.2126 * channel(q.redF()) + 0.7152 * channel(q.greenF()) + 0.0722 * channel(q.blueF())


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_is_computed_as_wcag_says() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # a known near miss


@pytest.mark.parametrize("scheme", [LIGHT, DARK], ids=["light", "dark"])
def test_palette_text_contrast(scheme) -> None:
    p, r = theme.palette(scheme), QPalette.ColorRole
    pairs = [
        (r.WindowText, r.Window),
        (r.Text, r.Base),
        (r.Text, r.AlternateBase),
        (r.ButtonText, r.Button),
        (r.HighlightedText, r.Highlight),
        (r.ToolTipText, r.ToolTipBase),
        (r.PlaceholderText, r.Base),
        (r.Link, r.Base),
        (r.Link, r.Window),
        (r.BrightText, r.Window),
    ]
    for text, background in pairs:
        ratio = contrast(p.color(text).name(), p.color(background).name())
        assert ratio >= AA, f"{scheme.name}: {text.name} on {background.name} is {ratio:.2f}:1"


@pytest.mark.parametrize("scheme", [LIGHT, DARK], ids=["light", "dark"])
def test_every_defined_text_pair_and_the_transcript_colours(scheme) -> None:
    pairs = [(scheme.colour(t), scheme.colour(b), f"{t} on {b}") for t, b in TEXT_PAIRS]
    look = scheme.look
    pairs += [(look.code_label, look.code_bg, "code label"), (look.ink, look.code_bg, "code")]
    for bubble in ("user_bubble", "assistant_bubble", "transcript"):
        pairs.append((look.ink, scheme.colour(bubble), f"formula ink on {bubble}"))
    for token, style in get_style_by_name(look.pygments_style):
        if style["color"]:
            background = f"#{style['bgcolor']}" if style["bgcolor"] else look.code_bg
            pairs.append((f"#{style['color']}", background, f"{look.pygments_style} {token}"))
    assert len(pairs) > 60
    for text, background, what in pairs:
        ratio = contrast(text, background)
        assert ratio >= AA, f"{scheme.name}: {what} is {ratio:.2f}:1"


def test_every_custom_colour_has_a_dark_variant() -> None:
    light, dark = theme.style_sheet(LIGHT), theme.style_sheet(DARK)
    assert "$" not in light and "$" not in dark and light != dark
    defined = {value.lower() for pair in ROLES.values() for value in pair}
    for sheet in (light, dark):
        used = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", sheet)}
        assert used <= defined  # no colour in the style sheet outside the theme's roles
    differ = [role for role, (a, b) in ROLES.items() if a.lower() == b.lower()]
    assert differ == []
    assert LOOKS[False] != LOOKS[True]


def test_code_and_formulas_are_drawn_for_the_scheme() -> None:
    text = "```python\nprint('hi')  # greet\n```\n\n$$x^2 + 1$$"
    light, dark = render_markdown(text), render_markdown(text, dark=True)
    assert LOOKS[False].code_bg in light and LOOKS[True].code_bg not in light
    assert LOOKS[True].code_bg in dark and LOOKS[False].code_bg not in dark
    import base64

    def svg_fills(html: str) -> set[str]:
        data = re.search(r"base64,([A-Za-z0-9+/=]+)", html).group(1)
        return set(re.findall(r'fill="([^"]+)"', base64.b64decode(data).decode()))

    assert svg_fills(light) == {LOOKS[False].ink}
    assert svg_fills(dark) == {LOOKS[True].ink}  # not the light drawing from the cache
    assert svg_fills(render_markdown(text)) == {LOOKS[False].ink}


@pytest.fixture
def app_in(qtbot, manager_app):
    smallwise, _ = manager_app
    yield smallwise
    smallwise.window.theme.set_choice("light")  # the next test starts light


def window_colour() -> str:
    return QApplication.instance().palette().color(QPalette.ColorRole.Window).name()


def test_follows_the_system_scheme_and_its_changes(qtbot, app_in) -> None:
    controller = app_in.window.theme
    assert controller.choice == "system" and window_colour() == LIGHT.colour("window")
    hints = QGuiApplication.styleHints()
    # The offscreen platform has no desktop scheme to change: its signal is sent as a desktop
    # would send it when the user switches to dark.
    with qtbot.waitSignal(controller.scheme_changed, timeout=WAIT) as changed:
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert changed.args == [DARK] and window_colour() == DARK.colour("window")
    assert theme.current() is DARK
    assert DARK.colour("transcript") in QApplication.instance().styleSheet()
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert window_colour() == LIGHT.colour("window")


def test_a_manual_choice_wins_over_the_system_and_is_kept(qtbot, app_in) -> None:
    window = app_in.window
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    themes = next(a.menu() for a in view.actions() if a.menu())
    dark = next(a for a in themes.actions() if a.text() == "Dark")
    dark.trigger()
    assert window_colour() == DARK.colour("window") and dark.isChecked()
    assert Settings(app_in.paths.settings_file)["theme"] == "dark"  # saved at once
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert window_colour() == DARK.colour("window")  # the user's choice wins
    manager = open_manager(qtbot, app_in)
    manager.select("llama-3.2-3b-instruct")
    details = manager.details.text()
    assert DARK.colour("bar_weights") in details and LIGHT.colour("bar_weights") not in details
    window.apply_settings({"theme": "light"})  # the Settings dialog's way
    assert window_colour() == LIGHT.colour("window")
    assert [a.text() for a in themes.actions() if a.isChecked()] == ["Light"]
    assert LIGHT.colour("bar_weights") in manager.details.text()  # redrawn on the change


def test_the_settings_dialog_offers_the_three_choices(qtbot, app_in) -> None:
    from desktop_app.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(app_in.settings, app_in.window)
    qtbot.addWidget(dialog)
    box = dialog.editors["theme"]
    assert [box.itemData(i) for i in range(box.count())] == ["system", "light", "dark"]
    box.setCurrentIndex(2)
    assert dialog.values()["theme"] == "dark"
    with pytest.raises(ValueError):
        app_in.settings["theme"] = "purple"


def test_the_transcript_renders_code_in_the_scheme_in_use(qtbot) -> None:
    from desktop_app.core.render import LOOKS
    from desktop_app.ui.message_view import ChatView

    view = ChatView()
    qtbot.addWidget(view)
    code = "```python\nprint('hi')\n```"
    rows = [{"id": 1, "role": "assistant", "status": "complete", "content": code}]
    view.show_messages(rows)
    assert LOOKS[False].code_bg in view.widgets[1].body.toHtml().lower()
    view.set_dark(True)  # what the window does on scheme_changed
    qtbot.waitUntil(lambda: 1 in view.widgets)
    html = view.widgets[1].body.toHtml().lower()
    assert LOOKS[True].code_bg in html and LOOKS[False].code_bg not in html
