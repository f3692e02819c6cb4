"""Import adapters for external Chinese medical benchmarks (DESIGN.md, "External benchmark
formats").

One module per format; each turns its input into validated `Item`s with errors that name
file:row:field. `import_benchmark` is the single entry point the CLI and the Python API use.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from medaudit.bench.adapters import cmexam, generic, medes, medethiceval, safetybench
from medaudit.bench.adapters.common import ImportOptions
from medaudit.bench.schema import Item
from medaudit.errors import MedauditError

Adapter = Callable[[Path, ImportOptions], list[Item]]

ADAPTERS: dict[str, Adapter] = {
    "medethiceval": medethiceval.load,
    "safetybench": safetybench.load,
    "cmexam": cmexam.load,
    "medes": medes.load,
    "generic": generic.load,
}
SPLITS = ("train", "dev", "test")

__all__ = ["ADAPTERS", "Adapter", "ImportOptions", "import_benchmark"]


def import_benchmark(fmt: str, input: Path, answers: Path | None = None,
                     mapping: dict[str, str] | None = None, dimension: str | None = None, *,
                     id_prefix: str | None = None, split: str | None = None,
                     encoding: str = "utf-8") -> list[Item]:
    """Read `input` in format `fmt` and return its items, validated and with unique ids."""
    adapter = ADAPTERS.get(fmt)
    if adapter is None:
        raise MedauditError(f"unknown format '{fmt}'; use one of {', '.join(ADAPTERS)}")
    if answers is not None and fmt != "safetybench":
        raise MedauditError("--answers is only used by --format safetybench (answers in a "
                            "separate file)")
    if split is not None and split not in SPLITS:
        raise MedauditError(f"--split '{split}' is not one of {', '.join(SPLITS)}")
    opts = ImportOptions(answers=Path(answers) if answers else None, mapping=mapping,
                         dimension=dimension, id_prefix=id_prefix, split=split,
                         encoding=encoding)
    items = adapter(Path(input), opts)
    if not items:
        raise MedauditError(f"{input}: no items found; check the file and --format {fmt}")
    return items
