"""One table of providers: name -> ("module:Class", pip extra). Imported on first use.

A backend class is constructed as `Class(spec)`; a missing optional package becomes a one-line
`MissingExtraError` naming the extra to install.
"""

from __future__ import annotations

import importlib

from medaudit.errors import MissingExtraError, ModelSpecError
from medaudit.models.base import ModelBackend
from medaudit.models.spec import ModelSpec, parse_spec

PROVIDERS: dict[str, tuple[str, str | None]] = {
    "mock": ("medaudit.models.mock:MockBackend", None),
    "llamacpp": ("medaudit.models.llamacpp:LlamaCppBackend", "llama"),
    "openai": ("medaudit.models.openai_compat:OpenAICompatBackend", None),
    "hf": ("medaudit.models.hf:HFBackend", "hf"),
}


def backend_class(provider: str) -> type:
    if provider not in PROVIDERS:
        raise ModelSpecError(
            f"unknown model provider '{provider}'; known: {', '.join(sorted(PROVIDERS))}"
        )
    target, extra = PROVIDERS[provider]
    module_name, class_name = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if extra and err.name and not err.name.startswith("medaudit"):
            raise MissingExtraError(err.name, extra) from None
        raise
    cls: type = getattr(module, class_name)
    return cls


def load_model(spec: str | ModelSpec) -> ModelBackend:
    """Build the backend for a spec string such as `llamacpp/gemma3-270m` or `mock/gold`."""
    parsed = parse_spec(spec) if isinstance(spec, str) else spec
    backend: ModelBackend = backend_class(parsed.provider)(parsed)
    return backend
