"""Shared fixtures: every test gets its own MEDAUDIT_HOME (store, model cache pointers), and
store tests run against SQLite and, when MEDAUDIT_TEST_PG_URL is set, a real PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
REQUIRE_SERVICES = os.environ.get("MEDAUDIT_REQUIRE_SERVICES") == "1"


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path_factory.mktemp("medaudit-home")
    monkeypatch.setenv("MEDAUDIT_HOME", str(home))
    monkeypatch.delenv("MEDAUDIT_DB_URL", raising=False)
    # Models are assembled once per machine, not once per test.
    monkeypatch.setenv(
        "MEDAUDIT_MODELS_DIR",
        os.environ.get("MEDAUDIT_MODELS_DIR", str(Path("~/.medaudit/models").expanduser())),
    )


def _pg_url() -> str | None:
    return os.environ.get("MEDAUDIT_TEST_PG_URL")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema-isolated database URL on the test PostgreSQL server."""
    base = _pg_url()
    if not base:
        if REQUIRE_SERVICES:
            pytest.fail("MEDAUDIT_TEST_PG_URL is not set but CI requires PostgreSQL")
        pytest.skip("no PostgreSQL: set MEDAUDIT_TEST_PG_URL (.ci/run starts Debian's postgresql)")
    import sqlalchemy as sa

    url = "postgresql+psycopg://" + base.split("://", 1)[1]
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def mini_items() -> Path:
    return DATA / "mini.jsonl"


@pytest.fixture
def stub_server() -> Iterator[object]:
    """`start(*args, env=None) -> base_url`: real stub-server processes, stopped after the
    test."""
    from medaudit.devtools.launch import start_stub_server, stop_stub_server

    procs = []

    def start(*args: str, env: dict[str, str] | None = None) -> str:
        proc, url = start_stub_server(*args, env=env)
        procs.append(proc)
        return url

    yield start
    for proc in procs:
        stop_stub_server(proc)
