"""Every path the app reads or writes comes from here.

User data lives in the platformdirs locations, or under one folder when SMALLWISE_HOME is set
(tests, portable installs, several profiles side by side). Folders are created user-only (0700).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from desktop_app import APP_NAME
from desktop_app.core.errors import DataFolderError


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    config_dir: Path
    log_dir: Path

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def database(self) -> Path:
        return self.data_dir / "smallwise.db"

    @property
    def last_good_catalog(self) -> Path:
        return self.data_dir / "catalog.last-good.json"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "smallwise.log"

    def ensure(self) -> AppPaths:
        for folder in (self.data_dir, self.config_dir, self.log_dir, self.models_dir):
            make_private_dir(folder)
        return self


def make_private_dir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(folder, 0o700)
        if not os.access(folder, os.W_OK | os.X_OK):
            raise PermissionError(13, "Permission denied", str(folder))
    except OSError as exc:
        raise DataFolderError(
            f"Smallwise cannot use its folder {folder} ({exc.strerror or exc}). Make it "
            "writable by you (for example `chmod u+rwx` on it), free some disk space if it is "
            "full, or start Smallwise with SMALLWISE_HOME set to another folder."
        ) from exc


def app_paths(home: str | os.PathLike | None = None) -> AppPaths:
    """Paths for this profile: `home` or $SMALLWISE_HOME if given, else platform defaults."""
    home = home or os.environ.get("SMALLWISE_HOME")
    if home:
        root = Path(home).expanduser().resolve()
        return AppPaths(root / "data", root / "config", root / "logs")
    return AppPaths(
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
    )
