"""The window's language: the system's (QLocale.system()) unless the `language` setting names
one. Its translations (resources/i18n/smallwise_<lang>.qm, reached through importlib.resources
so source, wheel and frozen builds agree) and Qt's own (qtbase_<lang>.qm: the standard
buttons, the file dialog) are installed on the application before any window is built; a
change applies at the next start. English is the source language: its file holds only the
plural forms."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"
SHIPPED = ("en", "de")  # the `language` setting's choices besides "system"


def chosen_language(setting: str, system: QLocale | None = None) -> str:
    """The language to show: the setting's, or the first of the system's preferred languages
    (LANGUAGE, LC_MESSAGES, LANG on Linux) that we ship, else English."""
    if setting in SHIPPED:
        return setting
    for name in (system or QLocale.system()).uiLanguages():  # e.g. de-DE, de; C: nothing said
        lang = name.replace("_", "-").split("-")[0].lower()
        if lang in SHIPPED:
            return lang
    return SOURCE_LANGUAGE


def app_translation(lang: str) -> Path | None:
    """The app's compiled translation for `lang`, or None (not built). English has one too:
    the source texts' plural forms ("%n model(s)" → "1 model", "2 models")."""
    found = resources.files("desktop_app.resources").joinpath("i18n", f"smallwise_{lang}.qm")
    return Path(str(found)) if found.is_file() else None


def qt_translation(lang: str) -> Path | None:
    """Qt's own strings in `lang` (qtbase_<lang>.qm from PySide6's translations folder); Qt
    is written in English too."""
    if lang == SOURCE_LANGUAGE:
        return None
    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    found = folder / f"qtbase_{lang}.qm"
    return found if found.is_file() else None


def install(app: QCoreApplication, setting: str) -> str:
    """Installs the translators for the chosen language on `app`, in place of any installed
    before; returns the language shown (English when its file is missing: a half-built install
    still starts)."""
    uninstall(app)
    lang = chosen_language(setting)
    ours = app_translation(lang)
    if ours is None and lang != SOURCE_LANGUAGE:
        log.warning("no translation for %s was built (make setup builds it); showing English", lang)
        lang = SOURCE_LANGUAGE
    set_number_format(setting, lang)
    for path in (ours, qt_translation(lang)):
        if path is None:
            continue
        translator = QTranslator(app)  # parented: lives as long as the application
        if translator.load(str(path)):
            app.installTranslator(translator)
        else:
            log.warning("translation %s could not be loaded", path)
    return lang


def installed(app: QCoreApplication) -> list[QTranslator]:
    """The translators installed by install() (to remove them, e.g. between tests)."""
    return app.findChildren(QTranslator)


def uninstall(app: QCoreApplication) -> None:
    for translator in installed(app):
        app.removeTranslator(translator)
        translator.setParent(None)  # no longer found by installed(); freed with its wrapper
    QLocale.setDefault(QLocale.system())


def set_number_format(setting: str, lang: str) -> None:
    """Numbers as the language writes them when the user chose it; the system's otherwise."""
    QLocale.setDefault(QLocale(lang) if setting in SHIPPED else QLocale.system())
