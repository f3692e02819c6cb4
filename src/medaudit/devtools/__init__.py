"""Developer tools: a stub OpenAI-compatible server for reliability tests and benchmarks.

Nothing here is imported by `import medaudit`; the CLI reaches it through `medaudit dev`.
"""

from medaudit.devtools.stub_server import StubConfig, StubServer, answer_letter, prompt_key

__all__ = ["StubConfig", "StubServer", "answer_letter", "prompt_key"]
