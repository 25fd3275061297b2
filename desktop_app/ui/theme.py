"""Every colour of the window, in one place: named roles with a light and a dark value, the
Fusion QPalette of each scheme, and the style sheet made from them (resources/style.qss, with
$role placeholders). The scheme follows the system's (QStyleHints.colorScheme, and its
changes) unless the user picked one: View → Theme, or the `theme` setting (system, light,
dark). Text contrast is at least 4.5:1 for every pair in TEXT_PAIRS (tests/ui/test_theme.py).

What a view needs per scheme (the transcript included):
  - current() is the scheme in use; current().colour(role) a colour from ROLES;
    ThemeController.scheme_changed(Scheme) says when it changes: re-render then.
  - Message backgrounds: the style sheet paints QFrame#message-user and
    QFrame#message-assistant (roles user_bubble, assistant_bubble and their borders) over the
    transcript background (role transcript); text inside takes the palette's text colour.
  - Small notes: a QLabel with the dynamic property tone = "muted", "error", "warning" or
    "success" is coloured by the style sheet (set_tone() changes it on a shown widget);
    hard-coded colours in setStyleSheet calls override it and break the dark scheme.
  - Code blocks and formulas: core.render.render_markdown(text, dark=current().dark). The code
    background, the Pygments style and the formula ink of each scheme are core.render.LOOKS
    (core imports no UI, so they are defined there; current().look is the one in use). The
    formula images are cached per ink, so a scheme change draws them again in its colour.
  - The memory bar of the model manager: roles bar_weights … bar_free.
No business logic here.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from string import Template

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from desktop_app.core.render import LOOKS, Look

CHOICES = ("system", "light", "dark")
ROLES: dict[str, tuple[str, str]] = {  # role: (light, dark)
    "window": ("#f3f4f6", "#1e1f22"),
    "panel": ("#eceef1", "#25272b"),  # the conversation list
    "base": ("#ffffff", "#2b2d31"),  # inputs, lists, the model manager's tree
    "alternate": ("#f6f7f9", "#303237"),
    "text": ("#1f2328", "#e6e7e9"),
    "muted": ("#5b616b", "#a9aeb6"),
    "placeholder": ("#62676f", "#9da2aa"),
    "border": ("#c7ccd3", "#4a4e55"),
    "button": ("#e9ebee", "#36393e"),
    "highlight": ("#1f5fbf", "#8ab4f8"),
    "highlighted_text": ("#ffffff", "#10131a"),
    "selection": ("#d3e3fd", "#2f4a78"),  # the chosen conversation
    "selection_text": ("#0b1a33", "#ffffff"),
    "link": ("#0b57d0", "#8ab4f8"),
    "error": ("#b00020", "#ff8a80"),
    "warning": ("#8a5a00", "#f2c14e"),
    "success": ("#1a7f37", "#7ee2a8"),
    "tooltip": ("#2b2d31", "#f3f4f6"),
    "tooltip_text": ("#ffffff", "#1f2328"),
    "transcript": ("#f6f7f9", "#1b1c1f"),
    "user_bubble": ("#e8f0fe", "#233250"),
    "user_border": ("#c9d8f5", "#35507e"),
    "assistant_bubble": ("#ffffff", "#2a2c30"),
    "assistant_border": ("#dde1e6", "#3c3f45"),
    "bar_weights": ("#4c78a8", "#6d9bd3"),
    "bar_kv_cache": ("#f58518", "#f5a04a"),
    "bar_compute": ("#9d9da1", "#8a8a90"),
    "bar_overhead": ("#c7c7cc", "#5d5d63"),
    "bar_free": ("#d8f0d2", "#2f4d34"),
}
# (text, background): each must reach 4.5:1 (WCAG AA for normal text).
TEXT_PAIRS = [
    *[("text", bg) for bg in ("window", "panel", "base", "alternate", "button")],
    *[("text", bg) for bg in ("transcript", "user_bubble", "assistant_bubble", "selection")],
    *[("muted", bg) for bg in ("window", "panel", "base", "transcript", "assistant_bubble")],
    ("muted", "user_bubble"),
    ("placeholder", "base"),
    ("selection_text", "selection"),
    ("highlighted_text", "highlight"),
    ("tooltip_text", "tooltip"),
    *[("link", bg) for bg in ("base", "assistant_bubble", "window")],
    *[(tone, bg) for tone in ("error", "warning", "success") for bg in ("window", "base")],
    *[(tone, "assistant_bubble") for tone in ("error", "warning", "success")],
]


@dataclass(frozen=True)
class Scheme:
    dark: bool

    @property
    def name(self) -> str:
        return "dark" if self.dark else "light"

    def colour(self, role: str) -> str:
        return ROLES[role][self.dark]

    @property
    def look(self) -> Look:
        """Code blocks and formulas in this scheme (core.render)."""
        return LOOKS[self.dark]


LIGHT, DARK = Scheme(False), Scheme(True)
_current = LIGHT


def current() -> Scheme:
    return _current


def palette(scheme: Scheme) -> QPalette:
    """The Fusion palette of a scheme."""
    c = {role: QColor(scheme.colour(role)) for role in ROLES}
    p = QPalette()
    r = QPalette.ColorRole
    for role, colour in (
        (r.Window, c["window"]),
        (r.WindowText, c["text"]),
        (r.Base, c["base"]),
        (r.AlternateBase, c["alternate"]),
        (r.Text, c["text"]),
        (r.PlaceholderText, c["placeholder"]),
        (r.Button, c["button"]),
        (r.ButtonText, c["text"]),
        (r.BrightText, c["error"]),
        (r.Highlight, c["highlight"]),
        (r.HighlightedText, c["highlighted_text"]),
        (r.ToolTipBase, c["tooltip"]),
        (r.ToolTipText, c["tooltip_text"]),
        (r.Link, c["link"]),
        (r.LinkVisited, c["link"]),
        (r.Light, c["button"].lighter(130)),
        (r.Midlight, c["button"].lighter(110)),
        (r.Mid, c["border"]),
        (r.Dark, c["border"].darker(130)),
        (r.Shadow, QColor("#000000")),
    ):
        p.setColor(role, colour)
    for role in (r.WindowText, r.Text, r.ButtonText):  # inactive controls: dimmed on purpose
        p.setColor(QPalette.ColorGroup.Disabled, role, c["muted"])
    return p


def style_sheet(scheme: Scheme) -> str:
    template = resources.files("desktop_app.resources").joinpath("style.qss").read_text()
    return Template(template).substitute({role: scheme.colour(role) for role in ROLES})


def set_tone(widget: QWidget, tone: str) -> None:
    """Colour a label as muted, error, warning or success text ("" for plain), now."""
    widget.setProperty("tone", tone)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class ThemeController(QObject):
    """Applies the chosen scheme to the application and follows the system's changes."""

    scheme_changed = Signal(object)  # Scheme
    choice_changed = Signal(str)  # system, light or dark
    _owner: ThemeController | None = None  # the newest one: it follows the system's changes

    def __init__(self, app: QApplication, choice: str = "system", parent: QObject | None = None):
        super().__init__(parent)
        self.app = app
        self.choice = choice if choice in CHOICES else "system"
        self.system = QGuiApplication.styleHints().colorScheme()  # Unknown: taken as light
        self.applied: Scheme | None = None
        ThemeController._owner = self
        app.setStyle("Fusion")  # the one style that draws every palette colour, everywhere
        app.styleHints().colorSchemeChanged.connect(self._system_changed)
        self.apply()

    def scheme(self) -> Scheme:
        if self.choice == "system":
            return DARK if self.system == Qt.ColorScheme.Dark else LIGHT
        return DARK if self.choice == "dark" else LIGHT

    def set_choice(self, choice: str) -> None:
        self.choice = choice if choice in CHOICES else "system"
        self.apply()
        self.choice_changed.emit(self.choice)

    def apply(self) -> None:
        global _current
        scheme = self.scheme()
        _current = scheme  # first: widgets repainted by the change below read it
        changed, self.applied = scheme != self.applied, scheme
        self.app.setPalette(palette(scheme))
        self.app.setStyleSheet(style_sheet(scheme))
        if changed:
            self.scheme_changed.emit(scheme)

    def _system_changed(self, scheme: Qt.ColorScheme) -> None:
        self.system = scheme
        # One scheme per application: the newest controller owns it (an older window that is
        # not yet deleted must not undo the user's choice in the newer one).
        if self.choice == "system" and ThemeController._owner is self:
            self.apply()

    def menu(self, parent: QWidget, on_choice) -> QMenu:
        """Theme ▸ System / Light / Dark; `on_choice(choice)` remembers the user's pick."""
        menu = QMenu(self.tr("&Theme"), parent)
        group = QActionGroup(menu, exclusive=True)
        names = {"system": self.tr("System"), "light": self.tr("Light"), "dark": self.tr("Dark")}
        for choice in CHOICES:
            action = QAction(names[choice], menu, checkable=True)
            action.setChecked(choice == self.choice)
            action.setData(choice)
            action.triggered.connect(lambda _on=False, c=choice: on_choice(c))
            group.addAction(action)
            menu.addAction(action)
        self.choice_changed.connect(lambda choice: _check(group, choice))
        return menu


def _check(group: QActionGroup, choice: str) -> None:
    for action in group.actions():
        action.setChecked(action.data() == choice)
