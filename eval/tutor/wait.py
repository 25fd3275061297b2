"""What the learner waits for the Tutor's first reply, with and without the guard, measured
back to back on the same questions (alternating which goes first, so a busy machine weighs on
both alike): from sending to the first text shown, through the app's own turn.

    .venv/bin/python eval/tutor/wait.py --model PATH.gguf [--split report] [--limit 12]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import ask, load_items, tutor_for  # noqa: E402

# Imported up front: the first tutor turn of a session pays for sympy's import once (~1 s);
# that is not what this measures.
from desktop_app.core.assistants import tutor_answer  # noqa: E402, F401
from desktop_app.core.conversation import Conversations, Turn  # noqa: E402
from desktop_app.core.engine.client import EngineClient  # noqa: E402
from desktop_app.core.model_choice import resolve_model  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from desktop_app.settings import Settings  # noqa: E402


def measure(model_path: str, split: str, limit: int, chat_format: str | None) -> dict[str, Any]:
    items = load_items(split)[: limit or None]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "wait.sqlite")
        settings = Settings(Path(folder) / "settings.json")
        settings["n_threads"], settings["n_ctx"] = 1, 2048
        client = EngineClient()
        conversations = Conversations(store, client, settings)
        model = resolve_model(model_path, store, {}, chat_format)
        conversations._worked[model.id] = replace(model.load_request(settings), n_threads_batch=1)
        conversations.prepare(model, lambda text: None)
        try:
            for n, item in enumerate(items):
                order = ("bare", "guarded") if n % 2 == 0 else ("guarded", "bare")
                row: dict[str, Any] = {"id": item["id"]}
                for mode in order:
                    cid = store.create_conversation()
                    sampling = {"max_tokens": 160, "seed": 1}
                    tutor = tutor_for(mode)
                    turn = Turn(cid, item["question"], model, tutor, item["level"], sampling)
                    reply = ask(conversations, turn)
                    row[mode] = reply["first_text_s"]
                    row[f"{mode}_gate"] = (reply["tutor"] or {}).get("gate")
                rows.append(row)
                print(json.dumps(row), flush=True)
        finally:
            client.shutdown()
            store.close()
    return {"model": Path(model_path).name, "rows": rows, "summary": _summary(rows)}


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mode in ("bare", "guarded"):
        waits = sorted(r[mode] for r in rows if r[mode] is not None)
        out[mode] = {
            "median_s": round(statistics.median(waits), 2),
            "p90_s": round(waits[int(0.9 * (len(waits) - 1))], 2),
        }
    extra = [r["guarded"] - r["bare"] for r in rows if r["guarded"] and r["bare"]]
    out["added_median_s"] = round(statistics.median(extra), 2)
    gates = [r["guarded_gate"] for r in rows]
    out["gate"] = {g: gates.count(g) for g in sorted(set(gates), key=str)}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--chat-format")
    parser.add_argument("--split", default="report")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    report = measure(args.model, args.split, args.limit, args.chat_format)
    if args.out:
        args.out.write_text(json.dumps(report, indent=1))
    print(json.dumps(report["summary"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
