"""medaudit: audit large language models for medical ethics and safety, Chinese first.

The public API is loaded lazily so `import medaudit` stays fast and pulls in no model library:

    from medaudit import load_benchmark, evaluate
    result = evaluate(model="mock/gold", benchmark="cmes-sample", limit=20, progress=False)
    print(result.summary.accuracy)
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = [
    "EvalConfig",
    "Item",
    "RunResult",
    "compare_runs",
    "evaluate",
    "load_benchmark",
    "load_model",
    "load_taxonomy",
    "read_items",
]

_EXPORTS = {
    "EvalConfig": "medaudit.eval.runner",
    "RunResult": "medaudit.eval.runner",
    "evaluate": "medaudit.eval.runner",
    "compare_runs": "medaudit.eval.compare",
    "load_benchmark": "medaudit.bench.registry",
    "Item": "medaudit.bench.schema",
    "read_items": "medaudit.bench.io",
    "load_taxonomy": "medaudit.bench.taxonomy",
    "load_model": "medaudit.models.registry",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'medaudit' has no attribute {name!r}")
