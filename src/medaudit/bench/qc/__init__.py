"""Quality checks for benchmark item files (`medaudit bench qc`).

One module per check family (schema, dedup, balance, shortcuts, lengths, leakage, pii), every
threshold in `thresholds.yaml`, one `QCReport` out. See docs/benchmark/authoring.md for what
each check protects against.
"""

from medaudit.bench.qc.base import CheckResult, load_thresholds
from medaudit.bench.qc.runner import FAMILIES, QCReport, load_items, run_qc

__all__ = ["FAMILIES", "CheckResult", "QCReport", "load_items", "load_thresholds", "run_qc"]
