"""The run store: runs, per-item results and the response cache, in SQLite or PostgreSQL.

SQLite (WAL) under ~/.medaudit by default; `MEDAUDIT_DB_URL` selects PostgreSQL. The schema is
created and upgraded by Alembic on open, so an old store is migrated, never rebuilt. Results are
upserted by (run_id, item_id): a resumed or retried run can never count an item twice.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError, SQLAlchemyError

from medaudit.errors import MedauditError, MissingExtraError
from medaudit.eval.records import SampleRecord
from medaudit.store.tables import response_cache, results, runs

MIGRATE_ATTEMPTS = 5
MIGRATE_LOCK_KEY = 0x6D6564617564  # "medaud": the advisory lock that serialises migrations


def medaudit_home() -> Path:
    return Path(os.environ.get("MEDAUDIT_HOME", "~/.medaudit")).expanduser()


def default_db_url() -> str:
    url = os.environ.get("MEDAUDIT_DB_URL")
    if url:
        return url
    return f"sqlite:///{medaudit_home() / 'medaudit.db'}"


def _normalise_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def redact_url(url: str) -> str:
    """Hide a password in a database URL before it reaches a message or a log."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    def __init__(self, url: str | None = None) -> None:
        self.url = _normalise_url(url or default_db_url())
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).expanduser().parent.mkdir(
                parents=True, exist_ok=True
            )
        try:
            self.engine: Engine = create_engine(self.url, future=True)
        except ModuleNotFoundError as err:
            raise MissingExtraError(err.name or "psycopg", "pg") from None
        except SQLAlchemyError as err:
            raise MedauditError(
                f"cannot open store {redact_url(self.url)}: {err.__class__.__name__}; "
                "check MEDAUDIT_DB_URL"
            ) from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._migrate()

    def _migrate(self) -> None:
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option(
            "script_location", str(resources.files("medaudit.store") / "migrations")
        )
        # Two processes opening a new store at once (two evals, a test and a run) both see no
        # schema and race to create it; the loser retries and finds the schema at head.
        for attempt in range(MIGRATE_ATTEMPTS):
            try:
                with self.engine.begin() as conn:
                    if self.engine.dialect.name == "postgresql":
                        # Serialise migrations across processes for this transaction.
                        lock = text("SELECT pg_advisory_xact_lock(:k)")
                        conn.execute(lock, {"k": MIGRATE_LOCK_KEY})
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                return
            except (OperationalError, ProgrammingError, IntegrityError) as err:
                first_line = str(getattr(err, "orig", err)).splitlines()[0]
                racing = "already exists" in first_line or "duplicate key" in first_line
                if racing and attempt + 1 < MIGRATE_ATTEMPTS:
                    time.sleep(0.2 * (attempt + 1))
                    continue
                raise MedauditError(
                    f"cannot open store {redact_url(self.url)}: {first_line}; "
                    "check MEDAUDIT_DB_URL"
                ) from None

    def _upsert(self, table: Any, rows: list[dict[str, Any]], keys: Sequence[str]) -> None:
        if not rows:
            return
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
        stmt = dialect_insert(table)
        updates = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
        with self.engine.begin() as conn:
            conn.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=updates), rows)

    # runs -------------------------------------------------------------------------------
    def start_run(
        self,
        run_id: str,
        *,
        model: str,
        benchmark: str,
        split: str | None,
        method: str,
        n_items: int,
        output_dir: str,
        config: dict[str, Any],
    ) -> None:
        now = _now()
        existing = self.get_run(run_id)
        row = {
            "run_id": run_id,
            "created_at": existing["created_at"] if existing else now,
            "updated_at": now,
            "status": "running",
            "model": model,
            "benchmark": benchmark,
            "split": split,
            "method": method,
            "n_items": n_items,
            "output_dir": output_dir,
            "config_json": json.dumps(config, ensure_ascii=False, sort_keys=True),
        }
        self._upsert(runs, [row], ["run_id"])

    def finish_run(self, run_id: str, status: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(runs).where(runs.c.run_id == run_id).values(status=status, updated_at=_now())
            )

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(runs).where(runs.c.run_id == run_id)).mappings().first()
        return dict(row) if row else None

    def list_runs(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(runs).order_by(runs.c.updated_at.desc())).mappings().all()
        return [dict(r) for r in rows]

    # results ----------------------------------------------------------------------------
    def save_results(self, run_id: str, records: Iterable[tuple[int, SampleRecord]]) -> None:
        now = _now()
        rows = [
            {
                "run_id": run_id,
                "item_id": rec.id,
                "seq": seq,
                "outcome": rec.outcome.value,
                "record_json": rec.model_dump_json(),
                "created_at": now,
            }
            for seq, rec in records
        ]
        self._upsert(results, rows, ["run_id", "item_id"])

    def outcomes(self, run_id: str) -> dict[str, str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(results.c.item_id, results.c.outcome).where(results.c.run_id == run_id)
            ).all()
        return {item_id: outcome for item_id, outcome in rows}

    def delete_results(self, run_id: str, item_ids: Iterable[str]) -> int:
        ids = list(item_ids)
        if not ids:
            return 0
        with self.engine.begin() as conn:
            res = conn.execute(
                delete(results).where(results.c.run_id == run_id, results.c.item_id.in_(ids))
            )
        return int(res.rowcount or 0)

    def load_results(self, run_id: str) -> list[SampleRecord]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(results.c.record_json)
                .where(results.c.run_id == run_id)
                .order_by(results.c.seq)
            ).all()
        return [SampleRecord.model_validate_json(r[0]) for r in rows]

    # response cache ---------------------------------------------------------------------
    def cache_get(self, key: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(response_cache.c.payload_json).where(response_cache.c.key == key)
            ).first()
        return json.loads(row[0]) if row else None

    def cache_put(self, key: str, payload: dict[str, Any]) -> None:
        self._upsert(
            response_cache,
            [
                {
                    "key": key,
                    "payload_json": json.dumps(payload, ensure_ascii=False),
                    "created_at": _now(),
                }
            ],
            ["key"],
        )

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
