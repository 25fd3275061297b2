"""Tutor rubric evaluation: each question is a fresh conversation run through the app's own
turn (core.conversation.Conversations, real engine, real SQLite in a temp folder):

  1. the question         → the first reply must withhold the answer and ask something
  2. "I'm stuck."         → the hint must still withhold it   (repeated --hints times)
  3. "Show me the solution." → the worked solution must end on the right answer

--mode bare runs the Tutor as it was before the guard (main's prompt, no gate); --mode guarded
runs it as shipped. Judged by judge.py, which is stricter than the app's own detector.

    .venv/bin/python eval/tutor/run.py --model PATH.gguf --mode guarded --split report
    (--chat-format gemma for the starter, whose GGUF has no chat template)

`evaluate(...) -> dict` is the entry point a `smallwise eval --assistant tutor` can call.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

import judge  # noqa: E402

from desktop_app.core.assistants.registry import load_assistants  # noqa: E402
from desktop_app.core.conversation import Conversations, Listener, Turn  # noqa: E402
from desktop_app.core.engine import protocol as p  # noqa: E402
from desktop_app.core.engine.client import EngineClient  # noqa: E402
from desktop_app.core.model_choice import resolve_model  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from desktop_app.settings import Settings  # noqa: E402

# The Tutor's prompt on main before the guard: the "before" of the report.
MAIN_PROMPT = (
    "You are a patient Socratic tutor for a {level} learner. Do not give the full solution "
    "unless the learner asks for it. Ask one guiding question or give one hint at a time, check "
    "the learner's reasoning, and praise progress. Use vocabulary that suits a {level} learner."
)
STUCK = "I'm stuck."
SOLUTION = "Show me the solution."  # what the Show solution button sends


def load_items(split: str) -> list[dict[str, Any]]:
    items = json.loads((HERE / "questions.json").read_text())["items"]
    return [i for i in items if split == "all" or i["split"] == split]


def tutor_for(mode: str):
    tutor = load_assistants()["tutor"]
    if mode == "bare":
        return replace(tutor, system_prompt=MAIN_PROMPT, features=("quiz",))
    return tutor


def ask(conversations: Conversations, turn: Turn) -> dict[str, Any]:
    """One turn, timed as the learner sees it: from sending to the first text shown."""
    start, first = time.perf_counter(), [0.0]

    def heard(event: Any) -> None:
        if isinstance(event, p.Token) and event.text and not first[0]:
            first[0] = time.perf_counter()

    result = conversations.run(turn, Listener(event=heard))
    end = time.perf_counter()
    return {
        "text": result.text,
        "first_text_s": round(first[0] - start, 3) if first[0] else None,
        "total_s": round(end - start, 3),
        "tokens": result.done.completion_tokens if result.done else 0,
        "tutor": result.extras.get("tutor"),
        "math_check": result.extras.get("math_check"),
    }


def run_item(
    conversations: Conversations, model: Any, item: dict[str, Any], mode: str, args: Any
) -> dict[str, Any]:
    cid = conversations.store.create_conversation()
    tutor = tutor_for(mode)
    turns = [(item["question"], args.max_tokens)]
    if not args.first_only:
        turns += [(STUCK, args.max_tokens)] * args.hints + [(SOLUTION, args.solution_tokens)]
    replies = []
    for text, max_tokens in turns:
        sampling = {"max_tokens": max_tokens, "seed": args.seed}
        turn = Turn(cid, text, model, tutor, item["level"], sampling)
        replies.append(ask(conversations, turn))
    return {**item, "replies": replies, "verdict": verdict(item, replies)}


def verdict(item: dict[str, Any], replies: list[dict[str, Any]]) -> dict[str, Any]:
    first, hints, solution = replies[0]["text"], replies[1:-1], replies[-1]["text"]
    if len(replies) == 1:
        hints, solution = [], ""
    withheld = judge.withholds(first, item["answer"], item["question"])
    return {
        "first_withholds": withheld,
        "first_asks": judge.asks(first),
        "first_ok": withheld and judge.asks(first),
        "hints_withhold": all(
            judge.withholds(h["text"], item["answer"], item["question"]) for h in hints
        ),
        "solution_correct": judge.solution_correct(solution, item["answer"]),
    }


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ["first_withholds", "first_asks", "first_ok", "hints_withhold", "solution_correct"]

    def rates(rows: list[dict[str, Any]]) -> dict[str, float]:
        return {k: round(sum(r["verdict"][k] for r in rows) / len(rows), 3) for k in keys}

    categories = sorted({r["category"] for r in results})
    waits = [r["replies"][0]["first_text_s"] for r in results if r["replies"][0]["first_text_s"]]
    levels: dict[str, dict[str, float]] = {}
    for level in ("child", "secondary", "university"):
        texts = [r["replies"][0]["text"] for r in results if r["level"] == level]
        if texts:
            figures = [judge.wording(t) for t in texts]
            levels[level] = {
                k: round(statistics.mean(f[k] for f in figures), 3) for k in figures[0]
            }
    return {
        "n": len(results),
        "overall": rates(results),
        "by_category": {c: rates([r for r in results if r["category"] == c]) for c in categories},
        "first_text_s": {
            "median": round(statistics.median(waits), 2) if waits else None,
            "p90": round(sorted(waits)[int(0.9 * (len(waits) - 1))], 2) if waits else None,
        },
        "wording_by_level": levels,
    }


def evaluate(
    model_path: str,
    mode: str = "guarded",
    split: str = "report",
    chat_format: str | None = None,
    threads: int = 1,
    limit: int = 0,
    hints: int = 1,
    max_tokens: int = 160,
    solution_tokens: int = 320,
    seed: int = 1,
    progress: Any = print,
    only: tuple[str, ...] = (),
    first_only: bool = False,
) -> dict[str, Any]:
    """Runs the rubric; returns {"summary": …, "results": […]} (see README.md)."""
    args = argparse.Namespace(
        hints=hints,
        max_tokens=max_tokens,
        solution_tokens=solution_tokens,
        seed=seed,
        first_only=first_only,
    )
    items = load_items(split)[: limit or None]
    if only:
        items = [i for i in items if i["id"] in only]
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "eval.sqlite")
        client = EngineClient(log_path=str(Path(folder) / "engine.log"))
        try:
            conversations, model = _ready(store, client, folder, model_path, chat_format, threads)
            results = []
            for n, item in enumerate(items, 1):
                results.append(run_item(conversations, model, item, mode, args))
                progress(f"{n}/{len(items)} {item['id']} {results[-1]['verdict']}")
        finally:
            client.shutdown()
            store.close()
    return {
        "model": Path(model_path).name,
        "mode": mode,
        "split": split,
        "settings": vars(args) | {"threads": threads},
        "summary": summarise(results),
        "results": results,
    }


def _ready(
    store: Store,
    client: EngineClient,
    folder: str,
    model_path: str,
    chat_format: str | None,
    threads: int,
) -> tuple[Conversations, Any]:
    """The app's conversation flow on a fresh store, with the model loaded."""
    settings = Settings(Path(folder) / "settings.json")
    settings["n_threads"], settings["n_ctx"] = threads, 2048
    conversations = Conversations(store, client, settings)
    model = resolve_model(model_path, store, {}, chat_format)
    # Prompt processing on as many threads as decoding: on a shared machine more threads
    # spin-wait and run slower (see DESIGN.md, "Facts of this machine").
    conversations._worked[model.id] = replace(model.load_request(settings), n_threads_batch=threads)
    conversations.prepare(model, lambda text: None)
    return conversations, model


def rejudge(path: Path) -> dict[str, Any]:
    """Judge a stored run again (after a change to the judge; the replies stay as recorded)."""
    report = json.loads(path.read_text())
    for result in report["results"]:
        result["verdict"] = verdict(result, result["replies"])
    report["summary"] = summarise(report["results"])
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rejudge", type=Path, nargs="*", help="stored runs to judge again")
    parser.add_argument("--model")
    parser.add_argument("--chat-format")
    parser.add_argument("--mode", choices=["bare", "guarded"], default="guarded")
    parser.add_argument(
        "--split",
        choices=["tune", "report", "fresh", "fresh2", "public", "public2", "all"],
        default="report",
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--hints", type=int, default=1)
    parser.add_argument("--max-tokens", type=int, default=160)
    parser.add_argument("--solution-tokens", type=int, default=320)
    parser.add_argument("--first-only", action="store_true", help="only the first replies")
    parser.add_argument("--only", nargs="*", default=(), help="question ids")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.rejudge:
        for path in args.rejudge:
            print(path.name, json.dumps(rejudge(path)["summary"]["overall"]))
        return 0
    if not args.model:
        parser.error("--model is required")
    report = evaluate(
        args.model, args.mode, args.split, args.chat_format, args.threads, args.limit,
        args.hints, args.max_tokens, args.solution_tokens, only=tuple(args.only),
        first_only=args.first_only,
    )  # fmt: skip
    text = json.dumps(report, indent=1, ensure_ascii=False)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    print(json.dumps(report["summary"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
