"""The math checker's evaluation: before (v1) and after (v2), on the tuning and held-out halves.

    .venv/bin/python eval/math/run.py                 # recorded answers, offline, ~1 min
    .venv/bin/python eval/math/run.py --json
    .venv/bin/python eval/math/run.py --model PATH    # first record PATH's answers (slow)

What the figures mean: README.md beside this file.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from desktop_app.core.assistants.math_check.evaluation import HALVES, evaluate  # noqa: E402


def _baseline():
    spec = importlib.util.spec_from_file_location("baseline_v1", HERE / "baseline_v1.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_v1"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module.check_with_kinds


def _fmt(value) -> str:
    return "  -  " if value is None else f"{value:.2f}"


def print_table(name: str, result: dict) -> None:
    notes = result["annotated"]
    print(f"\n== {name}, {result['half']} half: {notes['answers']} hand-annotated answers")
    print("   kind        slips caught recall | flags right precision")
    for kind, row in notes["per_kind"].items():
        print(
            f"   {kind:10s} {row['slips']:6d} {row['caught']:6d}  {_fmt(row['recall'])} |"
            f" {row['flags']:5d} {row['right_flags']:5d}   {_fmt(row['precision'])}"
        )
    print(
        f"   all: precision {_fmt(notes['precision'])}, recall {_fmt(notes['recall'])}; "
        f"answers with slips flagged {notes['answers_with_slips_flagged']}; "
        f"false alarms on clean answers {notes['false_alarms_on_clean_answers']}"
    )
    for kind, row in notes["by_problem_kind"].items():
        print(f"   {kind} problems: slips caught {row['slips caught']}, "
              f"answers with slips flagged {row['answers with slips flagged']}")
    for set_name, row in result["answer_level"].items():
        print(
            f"   {set_name}: {row['answers']} answers, {row['wrong_answers']} wrong, "
            f"{row['flagged']} flagged; precision {_fmt(row['precision'])}, "
            f"recall {_fmt(row['recall'])}; false alarms {row['false_alarms_on_right_answers']}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a GGUF file: record its answers first (slow)")
    parser.add_argument("--half", choices=[*HALVES, "both"], default="both")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    halves = HALVES if args.half == "both" else (args.half,)
    results = {}
    for which in halves:
        results[f"before/{which}"] = evaluate(which=which, checker=_baseline())
        results[f"after/{which}"] = evaluate(
            model_path=args.model, which=which, progress=lambda line: print(line, file=sys.stderr)
        )
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name, result in results.items():
            print_table(name.split("/")[0], result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
