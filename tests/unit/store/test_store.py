"""The store against SQLite and a real PostgreSQL (db_url is parametrised in conftest)."""

from medaudit.eval.records import Outcome, SampleRecord
from medaudit.store.db import Store, redact_url


def _rec(item_id: str, outcome: Outcome) -> SampleRecord:
    return SampleRecord(
        id=item_id, dimension="E01", type="single", answer="A", outcome=outcome, prompt_hash="h"
    )


def test_results_upsert_never_duplicates(db_url: str) -> None:
    store = Store(db_url)
    store.start_run(
        "r1",
        model="mock/gold",
        benchmark="b",
        split=None,
        method="logprob",
        n_items=2,
        output_dir="runs/r1",
        config={"k": 1},
    )
    store.save_results("r1", [(0, _rec("a", Outcome.ERROR)), (1, _rec("b", Outcome.CORRECT))])
    store.save_results("r1", [(0, _rec("a", Outcome.WRONG))])
    assert store.outcomes("r1") == {"a": "wrong", "b": "correct"}
    assert [r.id for r in store.load_results("r1")] == ["a", "b"]
    store.finish_run("r1", "completed")
    assert store.get_run("r1")["status"] == "completed"
    store.close()


def test_delete_results_and_cache_round_trip(db_url: str) -> None:
    store = Store(db_url)
    store.save_results("r2", [(0, _rec("a", Outcome.ERROR))])
    assert store.delete_results("r2", ["a"]) == 1
    assert store.outcomes("r2") == {}
    assert store.cache_get("k") is None
    store.cache_put("k", {"text": "答案：A"})
    store.cache_put("k", {"text": "答案：B"})
    assert store.cache_get("k") == {"text": "答案：B"}
    store.close()


def test_reopening_migrated_store_keeps_runs(db_url: str) -> None:
    store = Store(db_url)
    store.start_run(
        "r3",
        model="m",
        benchmark="b",
        split="test",
        method="generate",
        n_items=1,
        output_dir="o",
        config={},
    )
    store.close()
    again = Store(db_url)
    assert [r["run_id"] for r in again.list_runs()] == ["r3"]
    again.close()


def test_redact_url_hides_password() -> None:
    assert redact_url("postgresql://u:secret@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert redact_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_concurrent_first_opens_do_not_fail(db_url: str) -> None:
    """Several processes creating the same fresh store at once: all succeed (the race seen
    when a run and its observer open ~/.medaudit/medaudit.db together)."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        results = pool.map(_open_and_count, [db_url] * 4)
    assert results == [0, 0, 0, 0]


def _open_and_count(url: str) -> int:
    store = Store(url)
    n = len(store.list_runs())
    store.close()
    return n
