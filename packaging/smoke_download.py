"""Smoke test of the frozen app's download path: a loopback hub (tests/hub_server.py) serves a
generated tiny GGUF; the built program downloads it (resume-capable downloader, sha256 check,
no hf_xet in the bundle) and then chats with it.

Usage: python packaging/smoke_download.py PATH/TO/smallwise
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from ggufs import write_tiny_model  # noqa: E402
from hub_server import FakeHub  # noqa: E402

REPO = "acme/tiny-GGUF"


def run(app: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run([app, *args], env=env, capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def main(app: str) -> None:
    with tempfile.TemporaryDirectory(prefix="smallwise-smoke-") as tmp, FakeHub() as hub:
        model = write_tiny_model(Path(tmp) / "tiny-chat.gguf")
        hub.add(REPO, "tiny-chat.gguf", model)
        env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
        env.update(
            HF_ENDPOINT=hub.url, SMALLWISE_HOME=str(Path(tmp) / "home"), QT_QPA_PLATFORM="offscreen"
        )
        run(app, env, "models", "download", f"{REPO}/tiny-chat.gguf")
        answer = json.loads(
            run(app, env, "chat", "hello", "--model", "tiny-chat", "--json", "--max-tokens", "4")
        )
        assert answer["completion_tokens"] == 4, answer
        print(f"download smoke test passed: {hub.url} → {answer['model']}, 4 tokens")


if __name__ == "__main__":
    main(sys.argv[1])
