import asyncio
import importlib

import pytest

from medaudit.errors import ModelSpecError
from medaudit.models import registry
from medaudit.models.base import GenerateRequest
from medaudit.models.registry import PROVIDERS, load_model
from medaudit.models.spec import parse_spec


def test_spec_parses_provider_name_and_string_params() -> None:
    spec = parse_spec("openai/qwen2.5-7b?base_url=http://127.0.0.1:8000/v1&timeout=3.10")
    assert (spec.provider, spec.name) == ("openai", "qwen2.5-7b")
    assert spec.params == {"base_url": "http://127.0.0.1:8000/v1", "timeout": "3.10"}
    assert parse_spec("llamacpp/./models/x.gguf").name == "./models/x.gguf"


@pytest.mark.parametrize("bad", ["gemma", "Open AI/x", "openai/", "mock/gold?novalue"])
def test_bad_specs_raise_one_line_errors(bad: str) -> None:
    with pytest.raises(ModelSpecError) as err:
        parse_spec(bad)
    assert "\n" not in str(err.value)


def test_unknown_provider_and_unknown_option_are_errors() -> None:
    with pytest.raises(ModelSpecError, match="unknown model provider"):
        load_model("nosuch/x")
    with pytest.raises(ModelSpecError, match="unknown option"):
        load_model("mock/gold?temprature=1")


def test_registry_table_points_at_real_classes() -> None:
    """Every provider entry names a module:Class that exists (when its extra is installed)."""
    for provider, (target, _extra) in PROVIDERS.items():
        module_name, class_name = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name == module_name:
                pytest.fail(f"{provider}: module {module_name} does not exist")
            continue  # optional dependency missing
        cls = getattr(module, class_name)
        assert hasattr(cls, "generate") and hasattr(cls, "choice_logprobs"), provider
    assert registry.backend_class("mock").__name__ == "MockBackend"


def test_mock_random_is_deterministic_per_seed() -> None:
    prompt = "题目\nA. 甲\nB. 乙\nC. 丙\n答案："
    first = asyncio.run(load_model("mock/random?seed=3").generate(GenerateRequest(prompt)))
    again = asyncio.run(load_model("mock/random?seed=3").generate(GenerateRequest(prompt)))
    assert first.text == again.text
