"""`medaudit dev`: developer tools (a stub OpenAI-compatible server for tests and benchmarks).

Run directly as ``python -m medaudit.cli.dev stub-server ...`` too, which is how the
integration tests start it as a real process.
"""

from __future__ import annotations

import typer

app = typer.Typer(help="Developer tools: a stub OpenAI-compatible server with injected faults.",
                  no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Developer tools: a stub OpenAI-compatible server with injected faults."""


@app.command("stub-server")
def stub_server(
    port: int = typer.Option(8765, "--port", help="TCP port; 0 picks a free one."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback)."),
    model: str = typer.Option("stub", "--model", help="The only model name it serves."),
    latency: float = typer.Option(0.0, "--latency", help="Seconds added to every completion."),
    jitter: float = typer.Option(0.0, "--jitter", help="Extra random latency, 0..JITTER s."),
    error_rate: float = typer.Option(0.0, "--error-rate", help="Share of requests that fault."),
    errors: str = typer.Option(
        "429,500,timeout", "--errors",
        help="Fault kinds, comma-separated: 429,500,503,timeout,disconnect,html,empty,malformed."),
    policy: str = typer.Option("hash", "--policy", help="Answers: always-A, hash or random."),
    seed: int = typer.Option(0, "--seed", help="Seed of answers and fault draws."),
    retry_after: str = typer.Option("", "--retry-after",
                                    help="Retry-After header sent with 429/503 (empty: none)."),
    hang: float = typer.Option(60.0, "--hang", help="Seconds a 'timeout' fault holds a request."),
    fail_first: int = typer.Option(0, "--fail-first",
                                   help="First N requests of each prompt fail (first fault kind)."),
    require_key: str = typer.Option("", "--require-key", envvar="MEDAUDIT_STUB_API_KEY",
                                    help="Demand this bearer key (env MEDAUDIT_STUB_API_KEY)."),
) -> None:
    """Serve /v1/chat/completions, /v1/completions (logprobs), /v1/models and /stats until Ctrl-C.

    Prints 'stub server listening on http://HOST:PORT/v1' once it accepts connections.
    """
    import asyncio
    import contextlib

    from medaudit.devtools.stub_server import StubConfig, run_stub_server
    from medaudit.errors import MedauditError

    try:
        config = StubConfig(
            host=host, port=port, model=model, latency_s=latency, jitter_s=jitter,
            error_rate=error_rate,
            faults=tuple(f.strip() for f in errors.split(",") if f.strip()),
            policy=policy, seed=seed, retry_after=retry_after or None, hang_s=hang,
            fail_first=fail_first, api_key=require_key or None)
    except ValueError as err:
        raise MedauditError(f"stub-server: {err}") from None
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run_stub_server(config))
    except OSError as err:
        raise MedauditError(f"stub-server: cannot listen on {host}:{port} ({err.strerror}): "
                            "pick another --port, or 0 for a free one") from None


def main() -> None:
    """Entry point for ``python -m medaudit.cli.dev``: a user error is one line and exit 2."""
    import sys

    from medaudit.errors import MedauditError

    try:
        app(standalone_mode=False)
    except MedauditError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(err.exit_code)


if __name__ == "__main__":
    main()
