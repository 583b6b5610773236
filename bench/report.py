"""What every benchmark ends with: each goal met or missed, and the numbers written to bench/results/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def report(name: str, numbers: dict[str, Any], goals: dict[str, bool]) -> None:
    """Print the goals, then write `numbers` and the goals to bench/results/<name>.json."""
    for goal, met in goals.items():
        print(f"  {'met ' if met else 'MISSED'}  {goal}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(numbers | {"goals": goals}, indent=2) + "\n")
