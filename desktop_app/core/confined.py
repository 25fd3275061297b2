"""File names from outside (catalogs, hub paths, imported files) and the one rule for writing
them: a plain file name, and a path that resolves inside the models folder. Every write into
the models folder goes through `confined`. No Qt here.
"""

from __future__ import annotations

import re
from pathlib import Path

from desktop_app.core.errors import UnsafePath

MAX_NAME_BYTES = 200  # well under every file system's 255, leaving room for ".part.json"
# Windows refuses these as file names whatever the extension ("CON.gguf" is the console).
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_FORBIDDEN = set('/\\:<>"|?*') | {chr(c) for c in range(32)} | {"\x7f"}
# The hub's rules for a repository id: org/name, letters, digits, "-", "_", ".", no "--"/"..",
# neither part starting or ending with "-" or ".", at most 96 characters each.
_REPO_PART = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$")


def name_problem(name: object) -> str | None:
    """Why `name` is not one plain file name, or None when it is."""
    if not isinstance(name, str) or not name:
        return "it is empty"
    if _FORBIDDEN.intersection(name):
        return "it holds a folder separator, a drive or a control character"
    if name.startswith(".") or name.endswith((" ", ".")):
        return "it starts with a dot or ends with a dot or a space"
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        return f"it is longer than {MAX_NAME_BYTES} bytes"
    if _RESERVED.match(name):
        return "it is a device name on Windows"
    return None


def repo_problem(repo: object) -> str | None:
    """Why `repo` is not a hub repository id (org/name), or None when it is."""
    if not isinstance(repo, str):
        return "it is not text"
    parts = repo.split("/")
    if len(parts) != 2 or not all(_REPO_PART.match(p) for p in parts):
        return "it is not ORG/NAME made of letters, digits, '-', '_' and '.'"
    if "--" in repo or ".." in repo:
        return "it holds '--' or '..'"
    return None


def check_name(name: str, what: str = "file") -> str:
    """`name` itself when it is one plain file name; UnsafePath otherwise."""
    problem = name_problem(name)
    if problem is not None:
        raise UnsafePath(
            f"Refused {what} name {name!r}: it is not a plain file name ({problem}). "
            "Nothing was written; fix the catalog or the name and try again."
        )
    return name


def confined(models_dir: Path, name: str, within: str | None = None) -> Path:
    """models_dir/[within/]name, refused unless `name` is a plain file name and the path
    resolves to exactly that place inside models_dir: no link along the way, the file itself
    included. `within` is one of the app's own subfolders (".partial"); the models folder
    itself may be a link (a models folder on another disk)."""
    check_name(name)
    parts = (within, name) if within else (name,)
    path = models_dir.joinpath(*parts)
    if path.resolve() != models_dir.resolve().joinpath(*parts) or path.is_symlink():
        raise UnsafePath(
            f"{path} leads outside the models folder (a link). Nothing was written; "
            f"remove the link and try again."
        )
    return path


def local_name(path_in_repo: str) -> str:
    """The name a hub file gets in the models folder: the last part of its path in the
    repository. A path with an empty, '.' or '..' part is refused whatever its last part."""
    parts = path_in_repo.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise UnsafePath(
            f"Refused file name {path_in_repo!r}: it is not a plain file name (it is absolute "
            "or climbs out of its folder). Nothing was written; fix the catalog or the name."
        )
    return check_name(parts[-1])
