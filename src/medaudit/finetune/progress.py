"""The training progress bar: step, loss, dev accuracy, rate and ETA (rich)."""

from __future__ import annotations

from types import TracebackType

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from medaudit.finetune.checkpoint import TrainState


class TrainProgress:
    """A context manager around one rich task; `update(state)` shows the latest loss and dev."""

    def __init__(self, total: int, *, enabled: bool = True) -> None:
        self.progress = Progress(TextColumn("lora"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("loss {task.fields[loss]}"),
                                 TextColumn("dev {task.fields[dev]}"), TimeElapsedColumn(),
                                 TextColumn("ETA"), TimeRemainingColumn(), disable=not enabled)
        self.task = self.progress.add_task("lora", total=total, loss="…", dev="…")

    def __enter__(self) -> TrainProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.progress.__exit__(kind, err, tb)

    def update(self, state: TrainState) -> None:
        loss = f"{state.losses[-1]:.3f}" if state.losses else "…"
        dev = (f"{100 * state.dev_history[-1]['accuracy']:.1f}%" if state.dev_history else "…")
        self.progress.update(self.task, completed=state.step, loss=loss, dev=dev)
