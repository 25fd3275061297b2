"""Every exception the app raises on purpose, in one hierarchy. str() of each is a message for
the user, written where the error starts: what happened and what to do. Front ends catch
`SmallwiseError` once (the CLI maps it to a message and an exit code, the window to a dialog or
the status line); anything else is a bug and is logged with its traceback. No Qt here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_app.core.engine.protocol import Failed


class SmallwiseError(Exception):
    """Base class: an environment or input problem the user can act on."""

    exit_code = 1  # what the CLI exits with

    @property
    def kind(self) -> str:
        """A stable name for machine-readable output (`--json`)."""
        return type(self).__name__


class UsageError(SmallwiseError):
    """The command was given something it cannot use (a missing file, an unknown id)."""

    exit_code = 2


class DataFolderError(SmallwiseError):
    """The profile folder cannot be created or written."""

    exit_code = 2


class StoreError(SmallwiseError):
    """The database cannot be used; the message says why and what to do."""

    exit_code = 2


class CatalogError(SmallwiseError, ValueError):
    """The model catalog is unusable."""


class NotGGUF(SmallwiseError, ValueError):
    """The file is not a usable GGUF model."""


class DownloadError(SmallwiseError):
    """A download failed; the message says what happened and what to do."""


class Cancelled(DownloadError):
    """The user (or closing the app) stopped a download."""


class DownloadBusy(DownloadError):
    """The same file is being downloaded by another Smallwise (window or terminal)."""


class LibraryError(SmallwiseError):
    """An install, import or removal of a model failed."""


class ModelNotFound(SmallwiseError, LookupError):
    """No installed model or file answers to the name given."""

    exit_code = 2


class StarterMissing(SmallwiseError, RuntimeError):
    """No model at all: the starter is not in this build and nothing is installed."""

    exit_code = 2


class EngineError(SmallwiseError):
    """The engine could not load or run a model; `failed` carries the engine's report."""

    def __init__(self, failed: Failed):
        super().__init__(failed.message)
        self.failed = failed


class UnsafePath(DownloadError, LibraryError, ValueError):
    """A file name from outside (a catalog, a hub path, an imported file) would write outside
    the models folder, or through a link; nothing was written."""


class NotFound(SmallwiseError, LookupError):
    """No conversation or message has the id given."""

    exit_code = 2


class EngineBusy(SmallwiseError):
    """Too many answers are already waiting for the one engine; try again shortly."""

    def __init__(self, message: str, retry_after_s: int = 1):
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ServeError(SmallwiseError):
    """The API server cannot start as asked (an open address without a key, a port in use)."""

    exit_code = 2


class ImportRefused(SmallwiseError, ValueError):
    """A conversations file cannot be imported; the message says where it is wrong. Nothing
    of it was kept."""

    exit_code = 2


class RemoteEngineError(UsageError):
    """A remote engine's address cannot be used (not http or https, no host)."""


class ApiRequestError(UsageError):
    """An API request that cannot be served as sent. `status`, `param`, `code` and `type` fill
    OpenAI's error shape: {"error": {"message", "type", "param", "code"}}."""

    def __init__(
        self,
        message: str,
        status: int = 400,
        param: str | None = None,
        code: str | None = None,
        type: str = "invalid_request_error",  # noqa: A002 - OpenAI's own field name
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.param, self.code, self.type = status, param, code, type
        self.headers = headers or {}


class UnreadableDocument(SmallwiseError):
    """A document cannot be indexed (damaged, encrypted, too many pages, too slow to read);
    str() is the reason, shown beside the file's name."""


class EmbeddingError(SmallwiseError):
    """The embedding model could not be loaded or could not embed; retrieval goes on with word
    matching alone."""


class EvaluationError(SmallwiseError):
    """An evaluation cannot run here (its documents or its model are missing)."""

    exit_code = 2
