"""The translation pipeline: `update` extracts every tr()/translate() string of the window into
resources/i18n/smallwise_<lang>.ts (pyside6-lupdate), `release` builds the .qm files the app
loads (pyside6-lrelease). `make translations` runs both; `make setup` runs `release` only (the
.ts files are the committed source, the .qm files build outputs).

    python scripts/translations.py update [--ts-dir DIR]   # DIR: elsewhere (the tests compare)
    python scripts/translations.py release
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "resources" / "i18n"
# English is the language the source is written in: its file holds only the plural forms.
LANGUAGES = ("en", "de")
# Every module whose strings reach the window: the widgets, the composition root, the services'
# notices, and the labels declared with QT_TRANSLATE_NOOP outside Qt (settings, sampling).
SOURCE_GLOBS = (
    "desktop_app/ui/*.py",
    "desktop_app/services/*.py",
    "desktop_app/app.py",
    "desktop_app/settings.py",
    "desktop_app/core/chat_settings.py",
)


def sources() -> list[Path]:
    return sorted(path for pattern in SOURCE_GLOBS for path in ROOT.glob(pattern))


def tool(name: str) -> str:
    """The Qt tool that came with PySide6 in this Python's environment (the pip wheel has it)."""
    found = Path(sys.executable).parent / name
    return str(found) if found.exists() else name


def ts_file(lang: str, folder: Path = I18N) -> Path:
    return folder / f"smallwise_{lang}.ts"


def update(folder: Path = I18N) -> list[Path]:
    """Extract into the .ts files of `folder` (created from the committed ones when elsewhere).
    No line numbers (-locations none): an edited module does not churn the .ts."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for lang in LANGUAGES:
        target = ts_file(lang, folder)
        if folder != I18N and ts_file(lang).exists():
            target.write_bytes(ts_file(lang).read_bytes())
        command = [tool("pyside6-lupdate"), *map(str, sources()), "-no-obsolete",
                   "-locations", "none", "-source-language", "en", "-target-language", lang,
                   *(["-pluralonly"] if lang == "en" else []), "-ts", str(target)]
        subprocess.run(command, check=True, capture_output=True, text=True)
        written.append(target)
    return written


def release() -> list[Path]:
    built = []
    for lang in LANGUAGES:
        qm = ts_file(lang).with_suffix(".qm")
        command = [tool("pyside6-lrelease"), "-removeidentical", str(ts_file(lang)), "-qm", str(qm)]
        subprocess.run(command, check=True, capture_output=True, text=True)
        built.append(qm)
    return built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("update", "release"))
    parser.add_argument("--ts-dir", type=Path, default=I18N)
    args = parser.parse_args()
    done = update(args.ts_dir) if args.step == "update" else release()
    for path in done:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
