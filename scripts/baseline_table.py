"""Print a Markdown table of per-dimension accuracy (95% Wilson CI) for several runs side by side.

    python scripts/baseline_table.py runs/baseline-gemma runs/baseline-qwen

Reads each run's summary.json; the numbers are exactly what the runs recorded.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from medaudit.bench.taxonomy import default_taxonomy


def cell(group: dict | None) -> str:
    if not group or group.get("accuracy") is None:
        return "—"
    lo, hi = group["ci95"]
    return f"{100 * group['accuracy']:.1f} [{100 * lo:.1f}, {100 * hi:.1f}]"


def main(run_dirs: list[str]) -> None:
    summaries = [json.loads((Path(d) / "summary.json").read_text("utf-8")) for d in run_dirs]
    taxonomy = default_taxonomy()
    dims = sorted({d for s in summaries for d in s["by_dimension"]})
    print("| dimension | n | " + " | ".join(f"{s['model']} ({s['method']})" for s in summaries)
          + " |")
    print("|---|---|" + "---|" * len(summaries))
    for dim in dims:
        n = summaries[0]["by_dimension"].get(dim, {}).get("n", "—")
        print(f"| {taxonomy.label(dim)} | {n} | "
              + " | ".join(cell(s["by_dimension"].get(dim)) for s in summaries) + " |")
    overall = [{"accuracy": s["accuracy"], "ci95": s["ci95"]} for s in summaries]
    print(f"| **overall** | {summaries[0]['n_items']} | "
          + " | ".join(cell(o) for o in overall) + " |")
    print("| macro average | | " + " | ".join(
        "—" if s.get("macro_accuracy") is None else f"{100 * s['macro_accuracy']:.1f}"
        for s in summaries) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    main(sys.argv[1:])
