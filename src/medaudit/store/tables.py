"""Store schema (SQLAlchemy Core). Changes go through an Alembic migration in migrations/."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()


runs = Table(
    "runs",
    metadata,
    Column("run_id", String(64), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),
    Column("model", Text, nullable=False),
    Column("benchmark", Text, nullable=False),
    Column("split", String(16)),
    Column("method", String(16), nullable=False),
    Column("n_items", Integer, nullable=False),
    Column("output_dir", Text),
    Column("config_json", Text, nullable=False),
)

results = Table(
    "results",
    metadata,
    Column("run_id", String(64), primary_key=True),
    Column("item_id", String(128), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("record_json", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_results_run_outcome", results.c.run_id, results.c.outcome)

response_cache = Table(
    "response_cache",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("payload_json", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
