"""Training data: resolve `cmes:train`-style specs to items, and turn items into examples.

Why here: export and LoRA training must show the model exactly the prompt the evaluation
engine builds (same template, same option layout, same "答案：" suffix), followed by the key.
Both go through `example_for`, which calls the engine's `PromptBuilder`, so train and test can
never drift apart in shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from medaudit.bench.registry import load_benchmark, shipped
from medaudit.bench.schema import Item
from medaudit.errors import MedauditError
from medaudit.eval.prompts import ItemView, PromptBuilder
from medaudit.finetune.hashing import file_sha256, ids_sha256

SPLITS = ("train", "dev", "test")
DEFAULT_TEMPLATE = "zh-mcq-v1"


@dataclass(frozen=True)
class DataSet:
    """Items picked by a spec, with what lineage needs to identify them."""

    spec: str
    path: Path
    split: str | None
    items: list[Item]

    def describe(self) -> dict[str, object]:
        return {"spec": self.spec, "path": str(self.path), "split": self.split,
                "file_sha256": file_sha256(self.path), "n_items": len(self.items),
                "item_ids_sha256": ids_sha256(it.id for it in self.items)}


def parse_data_spec(spec: str) -> tuple[str, str | None]:
    """`cmes:train` -> ("cmes", "train"); `data/x.jsonl:dev` -> (path, "dev"); a bare name or
    path -> (it, None). A trailing `:word` that is not a split is part of the path."""
    head, sep, tail = spec.rpartition(":")
    if sep and tail in SPLITS and head:
        return head, tail
    return spec, None


def load_dataset(spec: str, default_split: str | None = None) -> DataSet:
    """Items of a benchmark name or JSONL path, filtered to a split when one is given."""
    name, split = parse_data_spec(spec)
    split = split or default_split
    if name not in shipped() and not Path(name).expanduser().exists():
        raise MedauditError(f"data '{spec}': no shipped benchmark ({', '.join(shipped())}) or file "
                            f"named '{name}'; write e.g. cmes:train or data/items.jsonl:train")
    bench = load_benchmark(name)
    items = [it for it in bench.items if split is None or it.split == split]
    if not items:
        raise MedauditError(f"data '{spec}': benchmark {bench.path} has no items with "
                            f"split={split}; run medaudit bench stats {bench.path}")
    return DataSet(spec=spec, path=bench.path, split=split, items=items)


@dataclass(frozen=True)
class Example:
    """One training example: the evaluation prompt, the key, and the optional rationale."""

    id: str
    system: str
    user: str
    prompt: str
    answer: str
    rationale: str

    def completion(self, with_rationale: bool) -> str:
        """The assistant turn: the key letters, or the explanation then "答案：X"."""
        if with_rationale and self.rationale:
            return f"{self.rationale.strip()}\n答案：{self.answer}"
        return self.answer


def builder_for(template: str = DEFAULT_TEMPLATE, *, with_rationale: bool = False) -> PromptBuilder:
    """The engine's builder: logprob shape (ends in 答案：) for letter-only targets, the
    generate shape (asks for "答案：X") when the target carries a rationale."""
    method = "generate" if with_rationale else "logprob"
    if with_rationale and "cot" not in template:
        # A reasoning target belongs with the chain-of-thought wording of the same version.
        template = template.replace("zh-mcq-", "zh-mcq-cot-")
    return PromptBuilder(template, method)  # type: ignore[arg-type]


def example_for(item: Item, builder: PromptBuilder) -> Example:
    prompt = builder.build(ItemView.of(item))
    system = prompt.request.messages[0].content if prompt.request.messages else ""
    user = prompt.request.messages[1].content if len(prompt.request.messages) > 1 else prompt.text
    return Example(id=item.id, system=system, user=user, prompt=prompt.text, answer=item.answer,
                   rationale=item.explanation)
