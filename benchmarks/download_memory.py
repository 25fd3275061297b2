"""What a 1 GB model download costs in memory: a loopback server (the test suite's fake hub)
serves a 1 GiB file; a fresh process downloads it with the app's downloader (sha256 while
writing, atomic install) and reports its peak RSS next to its RSS before the download.

Run: .venv/bin/python benchmarks/download_memory.py [--mib 1024]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

CHILD = """
import json, resource, sys, time
from pathlib import Path
import psutil
from desktop_app.core.downloads import Download, resolve
before = psutil.Process().memory_info().rss
remote = resolve("acme/big-GGUF", "big.gguf")
started = time.perf_counter()
Download(remote, Path(sys.argv[1])).run()
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"before": before, "peak": peak, "seconds": elapsed, "size": remote.size}))
"""


def main() -> None:
    from hub_server import FakeHub

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mib", type=int, default=1024)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="smallwise-dl-") as tmp:
        big = Path(tmp) / "big.gguf"
        block = os.urandom(1 << 20)
        with big.open("wb") as fh:
            for _ in range(args.mib):
                fh.write(block)
        models = Path(tmp) / "models"
        models.mkdir()
        with FakeHub() as hub:
            hub.add("acme/big-GGUF", "big.gguf", big)
            env = {**os.environ, "HF_ENDPOINT": hub.url}
            env.pop("HF_HUB_OFFLINE", None)
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(models)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
                timeout=900,
            )
        r = json.loads(out.stdout)
        assert (models / "big.gguf").stat().st_size == r["size"]
    mb = 2**20
    print(
        f"downloaded {r['size'] / mb:.0f} MiB over loopback in {r['seconds']:.1f} s "
        f"({r['size'] / mb / r['seconds']:.0f} MiB/s, sha256 included)"
    )
    print(
        f"downloader process RSS: {r['before'] / mb:.0f} MiB before, peak {r['peak'] / mb:.0f} "
        f"MiB during: +{(r['peak'] - r['before']) / mb:.0f} MiB for a {r['size'] / mb:.0f} MiB "
        "file (it streams 1 MiB blocks; the file is never held in memory)"
    )


if __name__ == "__main__":
    main()
