"""OpenAI chat fine-tuning format rules, checked before a file is written.

Why: OpenAI rejects a whole upload for one malformed line, after the upload. The rules follow
OpenAI's published data-preparation checks: each line is an object with a `messages` list; each
message has a known `role` and a string `content` and no other keys except `name`/`weight`;
every example has at least one assistant message; an example must fit the model's context
(65,536 tokens for the current fine-tunable models; tokens are estimated here as one per CJK
character and one per four other characters, an overestimate for Chinese); and fewer than 10
examples is refused by the API.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

ROLES = {"system", "user", "assistant", "tool"}
MESSAGE_KEYS = {"role", "content", "name", "weight", "tool_calls", "tool_call_id"}
DEFAULT_TOKEN_LIMIT = 65_536
MIN_EXAMPLES = 10
PER_MESSAGE_OVERHEAD = 4


def estimate_tokens(text: str) -> int:
    """Upper-bound token estimate without tiktoken: CJK characters count 1 each."""
    cjk = sum(1 for ch in text if "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"
              or "\uff00" <= ch <= "\uffef")
    return cjk + (len(text) - cjk + 3) // 4


def check_example(example: Any, index: int, token_limit: int) -> list[str]:
    """Problems of one example, each prefixed with its 1-based line number."""
    where = f"line {index + 1}"
    if not isinstance(example, dict):
        return [f"{where}: not a JSON object"]
    unknown = set(example) - {"messages", "tools", "parallel_tool_calls"}
    problems = [f"{where}: unknown key '{k}'" for k in sorted(unknown)]
    messages = example.get("messages")
    if not isinstance(messages, list) or not messages:
        return [*problems, f"{where}: 'messages' must be a non-empty list"]
    tokens = 0
    for pos, msg in enumerate(messages):
        if not isinstance(msg, dict):
            problems.append(f"{where}: message {pos} is not an object")
            continue
        role, content = msg.get("role"), msg.get("content")
        if role not in ROLES:
            problems.append(f"{where}: message {pos} has role {role!r}; use one of "
                            f"{', '.join(sorted(ROLES))}")
        extra = set(msg) - MESSAGE_KEYS
        if extra:
            problems.append(f"{where}: message {pos} has unknown keys {sorted(extra)}")
        if not isinstance(content, str) or (not content.strip() and role != "assistant"):
            problems.append(f"{where}: message {pos} needs a non-empty string 'content'")
        elif role == "assistant" and not content.strip():
            problems.append(f"{where}: assistant message {pos} is empty")
        if "weight" in msg and msg["weight"] not in (0, 1):
            problems.append(f"{where}: message {pos} weight must be 0 or 1")
        text = content if isinstance(content, str) else ""
        tokens += PER_MESSAGE_OVERHEAD + estimate_tokens(text)
    if not any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages):
        problems.append(f"{where}: no assistant message (nothing to learn)")
    if tokens > token_limit:
        problems.append(f"{where}: about {tokens} tokens, over the {token_limit}-token limit")
    return problems


def check_openai_examples(examples: Sequence[Any], token_limit: int | None = None
                          ) -> tuple[list[str], list[str]]:
    """(problems that make OpenAI reject the file, warnings)."""
    limit = token_limit or DEFAULT_TOKEN_LIMIT
    problems: list[str] = []
    for index, example in enumerate(examples):
        problems += check_example(example, index, limit)
    warnings = []
    if len(examples) < MIN_EXAMPLES:
        warnings.append(f"only {len(examples)} examples: OpenAI requires at least {MIN_EXAMPLES}")
    return problems, warnings
