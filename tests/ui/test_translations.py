"""Translations (issue 14, point 6): every visible string of the window goes through Qt's
translation system; the German file is complete and current; the window speaks the chosen
language, the system's by default; the .qm files are found in a frozen layout too. Real parts:
pyside6-lupdate/lrelease from the PySide6 wheel, the app built as it runs, Qt offscreen."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale

from desktop_app.app import build
from desktop_app.paths import app_paths
from desktop_app.settings import Settings
from desktop_app.ui import language

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import translations  # noqa: E402

UI = ROOT / "desktop_app" / "ui"
# Calls and keywords whose string arguments a user reads.
VISIBLE_CALLS = {
    "setText", "setToolTip", "setWindowTitle", "addMenu", "setPlaceholderText", "setStatusTip",
    "setInformativeText", "showMessage", "setSpecialValueText", "addRow", "setTitle",
    "QLabel", "QPushButton", "QAction", "QMenu", "QCheckBox", "QRadioButton", "QGroupBox",
    "QToolButton", "show_notice", "say", "setAccessibleName", "setAccessibleDescription",
    "announce",
}
VISIBLE_KEYWORDS = {"text", "toolTip", "placeholderText", "windowTitle", "title", "statusTip"}
# Literals that are not words in any language (markup, symbols, format skeletons).
EXEMPT = {"‹", "›", "%", "<b>", "</b>", "…"}


def _messages(ts: Path) -> list[ET.Element]:
    return [m for c in ET.parse(ts).getroot() for m in c.findall("message")]


def _pairs(ts: Path) -> set[tuple[str, str]]:
    root = ET.parse(ts).getroot()
    return {
        (c.findtext("name") or "", m.findtext("source") or "")
        for c in root
        for m in c.findall("message")
    }


def _forms(message: ET.Element) -> list[str]:
    translation = message.find("translation")
    assert translation is not None
    if message.get("numerus") == "yes":
        return [f.text or "" for f in translation.findall("numerusform")]
    return [translation.text or ""]


@pytest.mark.parametrize("lang", translations.LANGUAGES)
def test_every_message_is_translated_with_its_placeholders(lang: str) -> None:
    ts = translations.ts_file(lang)
    messages = _messages(ts)
    assert messages
    for message in messages:
        source = message.findtext("source") or ""
        kind = message.find("translation").get("type")  # type: ignore[union-attr]
        assert kind not in ("unfinished", "vanished", "obsolete"), (lang, source, kind)
        forms = _forms(message)
        assert forms and all(f.strip() for f in forms), (lang, source)
        for form in forms:  # a lost {name} would raise KeyError in .format; a lost %n hides n
            assert set(re.findall(r"{\w+}", form)) == set(re.findall(r"{\w+}", source)), form
            assert ("%n" in form) == ("%n" in source) or message.get("numerus") != "yes", form
    if lang == "de":  # the German file translates everything, not just the plurals
        assert len(messages) > 150


def test_the_ts_files_hold_exactly_the_strings_of_the_source(tmp_path: Path) -> None:
    """lupdate run afresh finds no string the committed .ts lacks, and none it has extra."""
    fresh = translations.update(tmp_path)
    for lang, ts in zip(translations.LANGUAGES, fresh, strict=True):
        assert _pairs(ts) == _pairs(translations.ts_file(lang)), lang
        unfinished = [
            m.findtext("source")
            for m in _messages(ts)
            if m.find("translation").get("type") == "unfinished"  # type: ignore[union-attr]
        ]
        assert not unfinished, (lang, unfinished)


class Wrapped(ast.NodeVisitor):
    """Collects (context, text) of tr()/translate() calls, where lupdate could miss them, and
    visible strings not wrapped at all."""

    def __init__(self, name: str) -> None:
        self.name, self.classes = name, [""]
        self.found: set[tuple[str, str]] = set()
        self.problems: list[str] = []

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.classes.append(node.name)
        self.generic_visit(node)
        self.classes.pop()

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        where = f"{self.name}:{node.lineno}"
        if name == "tr" and isinstance(func, ast.Attribute) and node.args:
            self._tr(self.classes[-1], node.args[0], where)
        elif name in ("translate", "QT_TRANSLATE_NOOP") and len(node.args) >= 2:
            context = node.args[0]
            if isinstance(context, ast.Constant):
                self._tr(str(context.value), node.args[1], where)
        elif name in VISIBLE_CALLS or (
            isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "QMessageBox"
        ):
            values = [*node.args, *(k.value for k in node.keywords if k.arg in VISIBLE_KEYWORDS)]
            for value in values:
                for text in _bare_words(value):
                    self.problems.append(f"{where}: {text!r} is shown but not translated")
        else:
            for k in node.keywords:
                if k.arg in VISIBLE_KEYWORDS:
                    for text in _bare_words(k.value):
                        self.problems.append(f"{where}: {text!r} is shown but not translated")
        self.generic_visit(node)

    def _tr(self, context: str, text: ast.expr, where: str) -> None:
        if isinstance(text, ast.Constant) and isinstance(text.value, str):
            self.found.add((context, text.value))
        elif isinstance(text, ast.JoinedStr | ast.BinOp):
            self.problems.append(f"{where}: an f-string or + in tr() cannot be extracted")


def _bare_words(node: ast.expr) -> list[str]:
    """String literals in `node` with letters in them, outside any call (a tr() call is a
    call; so is str.join on words that come from data)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
        return [text] if re.search(r"[^\W\d_]", text) and text not in EXEMPT else []
    if isinstance(node, ast.JoinedStr):
        parts = [v for v in node.values if isinstance(v, ast.Constant)]
        return [t for p in parts for t in _bare_words(p) if re.search(r"[^\W\d_]{2,}", t)]
    if isinstance(node, ast.BinOp):
        return _bare_words(node.left) + _bare_words(node.right)
    if isinstance(node, ast.IfExp):
        return _bare_words(node.body) + _bare_words(node.orelse)
    return []


def _scan() -> Wrapped:
    every = Wrapped("")
    for path in translations.sources():
        scan = Wrapped(str(path.relative_to(ROOT)))
        scan.visit(ast.parse(path.read_text(encoding="utf-8")))
        every.found |= scan.found
        if path.parent == UI:
            every.problems += scan.problems
    return every


def test_every_wrapped_string_is_in_the_ts_under_its_class() -> None:
    """Independent of lupdate: self.tr's context is the class it is written in (a parser slip
    there would leave a string untranslated at run time)."""
    scan = _scan()
    german = _pairs(translations.ts_file("de"))
    assert scan.found and not scan.found - german, sorted(scan.found - german)


def test_every_visible_string_in_the_window_is_wrapped() -> None:
    problems = _scan().problems
    assert not problems, "\n".join(problems)


def test_the_check_catches_an_unwrapped_label() -> None:
    scan = Wrapped("example")
    scan.visit(ast.parse('class A:\n    def f(self):\n        QLabel("Hello")\n'
                         '        self.tr(f"Hi {x}")\n        self.b.setText(self.tr("Yes"))\n'))
    assert len(scan.problems) == 2 and scan.found == {("A", "Yes")}


# -- the window in a language ------------------------------------------------------------------
def _start(qtbot, lang: str):
    paths = app_paths().ensure()
    saved = Settings(paths.settings_file)
    saved["language"] = lang
    saved.save()
    smallwise = build(paths)
    qtbot.addWidget(smallwise.window)
    return smallwise


def _menu_titles(window) -> list[str]:
    return [action.text().replace("&", "") for action in window.menuBar().actions()]


@pytest.fixture
def built(qtbot):
    started = []

    def start(lang: str):
        started.append(_start(qtbot, lang))
        return started[-1]

    yield start
    for smallwise in started:
        smallwise.shutdown()


def test_the_window_in_german(qtbot, built) -> None:
    smallwise = built("de")
    window = smallwise.window
    assert "Einstellungen…" in [a.text().replace("&", "") for a in _all_actions(window)]
    assert window.composer.send_button.text() == "Senden"
    assert {"Datei", "Ansicht", "Modelle"} <= set(_menu_titles(window))
    window.show_first_run()
    page = window.first_run
    assert page.windowTitle() == "Willkommen bei Smallwise"
    assert page.skip_button.text() == "Überspringen"
    assert QLocale().toString(1.5, "f", 1) == "1,5"  # numbers as German writes them


def test_the_window_in_english(qtbot, built) -> None:
    window = built("en").window
    assert window.composer.send_button.text() == "Send"
    assert {"File", "View", "Models"} <= set(_menu_titles(window))
    window.show_first_run()
    assert window.first_run.skip_button.text() == "Skip"


def _all_actions(window) -> list:
    found = []
    for menu_action in window.menuBar().actions():
        if menu_action.menu() is not None:
            found += menu_action.menu().actions()
    return found


SYSTEM_START = """
from PySide6.QtWidgets import QApplication
from desktop_app.app import build
from desktop_app.paths import app_paths
app = QApplication([])
smallwise = build(app_paths().ensure())
print("|".join(a.text().replace("&", "") for a in smallwise.window.menuBar().actions()))
print(smallwise.window.composer.send_button.text())
smallwise.shutdown()
"""


@pytest.mark.parametrize(("lang", "expected"), [("de_DE.UTF-8", "Senden"), ("C.UTF-8", "Send")])
def test_the_system_language_is_followed(tmp_path: Path, lang: str, expected: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env.update(LANG=lang, SMALLWISE_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", SYSTEM_START], env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout.splitlines()
    assert out[-1] == expected
    assert ("Datei" in out[-2].split("|")) == (expected == "Senden")


def test_the_choice_of_language() -> None:
    assert language.chosen_language("de", QLocale("en_US")) == "de"
    assert language.chosen_language("en", QLocale("de_DE")) == "en"
    assert language.chosen_language("system", QLocale("de_AT")) == "de"
    assert language.chosen_language("system", QLocale("fr_FR")) == "en"  # not shipped


def test_a_missing_translation_file_starts_in_english(qapp, monkeypatch) -> None:
    monkeypatch.setattr(language, "app_translation", lambda lang: None)
    assert language.install(qapp, "de") == "en"
    assert not language.installed(qapp)


FROZEN_CHECK = """
import sys
sys.frozen = True
from PySide6.QtCore import QCoreApplication, QTranslator
from desktop_app.ui import language
app = QCoreApplication([])
print(language.app_translation("de"))
print(language.install(app, "de"))
print(QCoreApplication.translate("SettingsDialog", "Settings"))
"""


def test_the_translation_is_found_in_a_frozen_layout(tmp_path: Path) -> None:
    """PyInstaller's one-folder layout: the package under _internal/, resources/ carried as
    desktop_app/resources (packaging/smallwise.spec's datas); nothing from the source tree."""
    internal = tmp_path / "smallwise" / "_internal"
    package = internal / "desktop_app"
    (package / "ui").mkdir(parents=True)
    shutil.copy(ROOT / "desktop_app" / "__init__.py", package)
    for name in ("__init__.py", "language.py"):
        shutil.copy(UI / name, package / "ui")
    shutil.copytree(ROOT / "resources", package / "resources",
                    ignore=shutil.ignore_patterns("*.ts"))
    env = {**os.environ, "PYTHONPATH": str(internal), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", FROZEN_CHECK], env=env, capture_output=True,
                         text=True, timeout=60, check=True, cwd=tmp_path).stdout.splitlines()
    assert Path(out[0]) == package / "resources" / "i18n" / "smallwise_de.qm"
    assert out[1:] == ["de", "Einstellungen"]
