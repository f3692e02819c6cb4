"""`bench build` (splits), `bench review` (blind workflow) and `bench export`, on a temp root."""

from __future__ import annotations

import csv
import json
import random
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from medaudit.bench import build as b
from medaudit.bench.export import export
from medaudit.bench.io import read_items
from medaudit.bench.qc import run_qc
from medaudit.bench.review import apply_log, compare, export_blind
from medaudit.bench.review_log import content_hash, read_log, review_currency
from medaudit.cli.bench_cmes import app
from medaudit.errors import InputError, MedauditError

CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能"
runner = CliRunner()


def _text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(CHARS) for _ in range(n))


def make_dim(dim: str, n: int = 60, seed: int = 1) -> list[dict[str, Any]]:
    """n items of one dimension; families of 1-3 items sharing a vignette; 70/18/12 types."""
    rng = random.Random(seed + hash(dim) % 1000)
    rows: list[dict[str, Any]] = []
    fam = 0
    while len(rows) < n:
        fam += 1
        vignette = _text(rng, 30)
        for _ in range(min(rng.choice([1, 1, 2, 3]), n - len(rows))):
            num = len(rows) + 1
            roll = rng.random()
            typ = "single" if roll < 0.7 else "multi" if roll < 0.88 else "judge"
            if typ == "judge":
                options, answer = {"A": "正确", "B": "错误"}, rng.choice("AB")
            else:
                options = {k: _text(rng, 12) for k in "ABCDE"}
                answer = rng.choice("ABCDE") if typ == "single" else rng.choice(["AB", "CDE"])
            rows.append({"id": f"cmes-{dim}-{num:05d}", "dimension": dim, "type": typ,
                         "question": vignette + _text(rng, 15), "options": options,
                         "answer": answer, "explanation": _text(rng, 30),
                         "references": [{"title": "中华人民共和国医师法", "locator": "第二十三条"}],
                         "family": f"{dim}-f{fam:04d}", "source": "authored"})
    return rows


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for dim in ("E01", "S03"):
        write_jsonl(tmp_path / "items" / f"{dim}.jsonl", make_dim(dim))
    return tmp_path


# ---- build ---------------------------------------------------------------------------------

def test_build_assigns_stratified_splits_without_cutting_families(root: Path) -> None:
    result = b.build(root, seed=5)
    items = result.items
    assert [it.id for it in items] == sorted(it.id for it in items)
    families: dict[str, set[str]] = defaultdict(set)
    for it in items:
        assert it.split in ("train", "dev", "test")
        families[it.family or it.id].add(it.split or "")
    assert all(len(s) == 1 for s in families.values())
    for dim in ("E01", "S03"):
        group = [it for it in items if it.dimension == dim]
        shares = Counter(it.split for it in group)
        assert abs(shares["train"] / len(group) - 0.6) <= 0.06, shares
        assert abs(shares["test"] / len(group) - 0.3) <= 0.06, shares
        assert shares["dev"] >= 3
    splits = result.splits
    assert splits["seed"] == 5 and splits["n_items"] == 120
    assert sum(splits["counts"].values()) == 120
    assert splits["by_dimension_type"]["E01"]["single"]["train"] > 0
    qc = {r.name: r for r in run_qc(items, families=["leakage"]).results}
    assert qc["leakage.families"].status == "pass"


def test_build_is_deterministic_and_depends_on_the_seed(root: Path) -> None:
    first = [(it.id, it.split) for it in b.build(root, seed=5).items]
    again = [(it.id, it.split) for it in b.build(root, seed=5).items]
    other = [(it.id, it.split) for it in b.build(root, seed=6).items]
    assert first == again
    assert first != other


def test_build_keeps_items_of_one_generator_fact_together(root: Path) -> None:
    rows = make_dim("S01", 40)
    for i, row in enumerate(rows):
        row["family"] = f"S01-tpl{i}"  # 40 separate templates ...
        row["source"] = f"generated:preg@fact-{i % 4}"  # ... over 4 facts
    write_jsonl(root / "items" / "S01.jsonl", rows)
    items = b.build(root, seed=1).items
    by_fact: dict[str, set[str]] = defaultdict(set)
    for it in items:
        if it.dimension == "S01":
            by_fact[it.source].add(it.split or "")
    assert all(len(s) == 1 for s in by_fact.values())


def test_build_writes_files_and_drops_reviewed_items(root: Path) -> None:
    log = [{"id": "cmes-E01-00001", "author": "a", "reviewer": "r", "blind_answer": None,
            "key": "A", "agree": False, "verdict": "dropped", "change": "two defensible keys",
            "adjudicator": "x"}]
    write_jsonl(root / "review_log.jsonl", log)
    res = runner.invoke(app, ["build", "--root", str(root), "--seed", "3"])
    assert res.exit_code == 0, res.output
    assert "1 dropped by review" in res.output
    built = read_items(root / "items.jsonl")
    assert "cmes-E01-00001" not in {it.id for it in built}
    meta = json.loads((root / "splits.json").read_text("utf-8"))
    assert meta["dropped"] == ["cmes-E01-00001"] and meta["seed"] == 3
    check = ["build", "--root", str(root), "--check", "--seed"]
    assert runner.invoke(app, [*check, "3"]).exit_code == 0
    assert runner.invoke(app, [*check, "4"]).exit_code == 1


def test_build_rejects_an_item_in_the_wrong_dimension_file(root: Path) -> None:
    rows = make_dim("E02", 3)
    write_jsonl(root / "items" / "E01.jsonl", rows)
    with pytest.raises(InputError, match=r"move it to E02\.jsonl"):
        b.build(root)


def test_build_rejects_bad_ratios(root: Path) -> None:
    res = runner.invoke(app, ["build", "--root", str(root), "--ratios", "60,40"])
    assert res.exit_code == 2
    assert "three numbers" in res.output


# ---- review --------------------------------------------------------------------------------

def _answers(root: Path, dim: str, wrong: set[str]) -> None:
    items = read_items(root / "items" / f"{dim}.jsonl")
    lines = []
    for it in items:
        answer = it.answer
        if it.id in wrong:
            answer = "B" if it.answer != "B" else "A"
        lines.append({"id": it.id, "blind_answer": " , ".join(answer.lower()), "note": "n"})
    write_jsonl(root / "review" / f"blind_{dim}.answers.jsonl", lines)


def test_export_blind_hides_key_explanation_and_references(root: Path) -> None:
    res = runner.invoke(app, ["review", "export-blind", "--all", "--root", str(root)])
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in
            (root / "review" / "blind_E01.input.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) == 60
    assert set(rows[0]) == {"id", "dimension", "type", "question", "options"}


def test_review_round_trip_from_blind_answers_to_a_covering_log(root: Path) -> None:
    wrong = {"cmes-E01-00002", "cmes-E01-00005"}
    _answers(root, "E01", wrong)
    _answers(root, "S03", set())
    cmp = compare(root, "E01", author="author-1", reviewer="reader-2")
    assert {e.id for e in cmp.disagreements} == wrong
    assert cmp.agreement == pytest.approx(58 / 60)
    draft = root / "review" / "draft_E01.log.jsonl"
    with pytest.raises(InputError, match="not adjudicated"):
        apply_log(root, [draft])
    rows = [json.loads(x) for x in draft.read_text("utf-8").splitlines()]
    for row in rows:
        if row["id"] in wrong:
            row.update(verdict="kept_after_adjudication", adjudicator="ethicist-3",
                       change="")
    write_jsonl(draft, rows)
    check = apply_log(root, [draft])
    assert check.merged == 60
    assert not check.ok  # S03 not reviewed yet
    assert all("S03" in p for p in check.problems)
    compare(root, "S03", author="author-1", reviewer="reader-2")
    res = runner.invoke(app, ["review", "apply-log", str(root / "review" / "draft_S03.log.jsonl"),
                              "--root", str(root)])
    assert res.exit_code == 0, res.output
    assert "E01: 60 logged, blind agreement 96.7%" in res.output
    assert len(read_log(root / "review_log.jsonl")) == 120


def test_changed_key_after_review_is_a_problem(root: Path) -> None:
    _answers(root, "E01", set())
    _answers(root, "S03", set())
    for dim in ("E01", "S03"):
        compare(root, dim, author="a", reviewer="r")
        apply_log(root, [root / "review" / f"draft_{dim}.log.jsonl"])
    rows = [json.loads(x) for x in (root / "items" / "E01.jsonl").read_text("utf-8").splitlines()]
    single = next(r for r in rows if r["type"] == "single")
    single["answer"] = "B" if single["answer"] != "B" else "C"
    write_jsonl(root / "items" / "E01.jsonl", rows)
    check = apply_log(root)
    assert len(check.problems) == 1
    assert check.problems[0].startswith(f"{single['id']}: key is {single['answer']} but the log")
    assert check.problems[0].endswith("log the change")


def test_compare_refuses_the_author_as_reviewer_and_bad_letters(root: Path) -> None:
    _answers(root, "E01", set())
    with pytest.raises(MedauditError, match="second reader"):
        compare(root, "E01", author="Li", reviewer="li")
    path = root / "review" / "blind_E01.answers.jsonl"
    write_jsonl(path, [{"id": "cmes-E01-00001", "blind_answer": "F", "note": ""}])
    with pytest.raises(InputError, match="blind_answer"):
        compare(root, "E01", author="a", reviewer="b")


def _round_one(root: Path) -> None:
    export_blind(root)
    for dim in ("E01", "S03"):
        _answers(root, dim, set())
        compare(root, dim, author="a", reviewer="r")
        apply_log(root, [root / "review" / f"draft_{dim}.log.jsonl"])


def test_a_second_round_rereads_only_the_rewritten_items(root: Path) -> None:
    _round_one(root)
    rows = [json.loads(x) for x in (root / "items" / "E01.jsonl").read_text("utf-8").splitlines()]
    rewritten = [r["id"] for r in rows if r["type"] == "single"][:3]
    ids = root / "rewritten.txt"
    ids.write_text("# rewritten to remove cues\n" + "\n".join(rewritten) + "\n", "utf-8")
    res = runner.invoke(app, ["review", "export-blind", "--all", "--round", "2", "--ids", str(ids),
                              "--root", str(root)])
    assert res.exit_code == 0, res.output
    assert "E01: 3 items -> review/blind_E01.r2.input.jsonl" in res.output
    assert not (root / "review" / "blind_S03.r2.input.jsonl").exists()
    round1 = (root / "review" / "blind_E01.input.jsonl").read_text("utf-8")
    # the second reader disagrees on one item; round 1's files are untouched
    answers = {r["id"]: r["answer"] for r in rows}
    wrong = rewritten[0]
    write_jsonl(root / "review" / "blind_E01.r2.answers.jsonl",
                [{"id": i, "blind_answer": answers[i] if i != wrong else
                  ("B" if answers[i] != "B" else "A")} for i in rewritten])
    cmp = compare(root, "E01", author="rewriter", reviewer="reader-3", round_=2)
    assert cmp.n_items == 3 and not cmp.missing
    assert [e.id for e in cmp.disagreements] == [wrong]
    draft = root / "review" / "draft_E01.r2.log.jsonl"
    drafted = [json.loads(x) for x in draft.read_text("utf-8").splitlines()]
    for row in drafted:
        if row["id"] == wrong:
            row.update(verdict="dropped", adjudicator="ethicist-4",
                       change="two defensible answers after the rewrite")
    write_jsonl(draft, drafted)
    res = runner.invoke(app, ["review", "apply-log", str(draft), "--round", "2",
                              "--root", str(root)])
    assert res.exit_code == 0, res.output
    assert "E01: 3 logged, blind agreement 66.7%" in res.output
    assert (root / "review" / "blind_E01.input.jsonl").read_text("utf-8") == round1
    assert len(read_log(root / "review_log.jsonl")) == 120
    assert len(read_log(root / "review_log.r2.jsonl")) == 3
    assert wrong in b.build(root).dropped


def test_a_second_round_that_misses_an_exported_item_fails(root: Path) -> None:
    _round_one(root)
    rows = [json.loads(x) for x in (root / "items" / "S03.jsonl").read_text("utf-8").splitlines()]
    rewritten = [r["id"] for r in rows[:2]]
    ids = root / "ids.txt"
    ids.write_text("\n".join(rewritten), "utf-8")
    assert runner.invoke(app, ["review", "export-blind", "S03", "--round", "2", "--ids", str(ids),
                               "--root", str(root)]).exit_code == 0
    write_jsonl(root / "review" / "blind_S03.r2.answers.jsonl",
                [{"id": rows[0]["id"], "blind_answer": rows[0]["answer"]}])
    cmp = compare(root, "S03", author="a", reviewer="r2", round_=2)
    assert cmp.missing == [rewritten[1]]
    check = apply_log(root, [root / "review" / "draft_S03.r2.log.jsonl"], round_=2)
    assert check.problems == [f"{rewritten[1]}: no review log entry"]


def _edit_question(root: Path, dim: str, index: int) -> str:
    path = root / "items" / f"{dim}.jsonl"
    rows = [json.loads(x) for x in path.read_text("utf-8").splitlines()]
    rows[index]["question"] += "（改写）"
    write_jsonl(root / "items" / f"{dim}.jsonl", rows)
    return str(rows[index]["id"])


def test_sign_off_records_item_hashes_and_build_reports_items_edited_since(root: Path) -> None:
    _round_one(root)
    log = read_log(root / "review_log.jsonl")
    items = {it.id: it for it in read_items(root / "items" / "E01.jsonl")}
    assert all(e.item_hash == content_hash(items[e.id]) for e in log if e.id in items)
    assert review_currency(root, b.build(root).items).verified == 120
    edited = _edit_question(root, "E01", 4)
    res = runner.invoke(app, ["build", "--root", str(root)])
    assert res.exit_code == 0, res.output
    assert "119 items signed off in their current form" in res.output
    assert "1 changed since their last review" in res.output
    assert f"{edited} (round 1)" in res.output
    # a new round that re-reads the edited item makes it current again
    (root / "ids.txt").write_text(edited + "\n", "utf-8")
    export_blind(root, round_=2, ids={edited})
    write_jsonl(root / "review" / "blind_E01.r2.answers.jsonl",
                [{"id": edited, "blind_answer": items[edited].answer}])
    compare(root, "E01", author="rewriter", reviewer="reader-2", round_=2)
    assert apply_log(root, [root / "review" / "draft_E01.r2.log.jsonl"], round_=2).ok
    cur = review_currency(root, b.build(root).items)
    assert (cur.verified, cur.stale, cur.unrecorded) == (120, [], 0)


def test_an_item_edited_between_blind_read_and_sign_off_is_not_signed_as_read(root: Path) -> None:
    export_blind(root)
    _answers(root, "E01", set())
    compare(root, "E01", author="a", reviewer="r")
    edited = _edit_question(root, "E01", 0)  # edited after the blind read, logged as "agree"
    check = apply_log(root, [root / "review" / "draft_E01.log.jsonl"])
    assert any(p.startswith(f"{edited}: changed after its blind read") for p in check.problems)
    cur = review_currency(root, read_items(root / "items" / "E01.jsonl"))
    assert cur.stale == [f"{edited} (round 1)"] and cur.verified == 59


def test_an_item_fixed_in_adjudication_is_signed_in_its_fixed_form(root: Path) -> None:
    export_blind(root)
    _answers(root, "E01", {"cmes-E01-00003"})
    compare(root, "E01", author="a", reviewer="r")
    draft = root / "review" / "draft_E01.log.jsonl"
    rows = [json.loads(x) for x in draft.read_text("utf-8").splitlines()]
    for row in rows:
        if row["id"] == "cmes-E01-00003":
            row.update(verdict="item_fixed", adjudicator="ethicist", change="stem clarified")
    write_jsonl(draft, rows)
    _edit_question(root, "E01", 2)
    assert not [p for p in apply_log(root, [draft]).problems if "E01" in p]
    fixed = next(e for e in read_log(root / "review_log.jsonl") if e.id == "cmes-E01-00003")
    item = next(it for it in read_items(root / "items" / "E01.jsonl") if it.id == fixed.id)
    assert fixed.item_hash == content_hash(item)


def test_logs_from_before_hashes_count_as_unrecorded_not_verified(root: Path) -> None:
    _round_one(root)
    path = root / "review_log.jsonl"
    rows = [json.loads(x) for x in path.read_text("utf-8").splitlines()]
    write_jsonl(path, [{k: v for k, v in r.items() if k != "item_hash"} for r in rows])
    cur = review_currency(root, b.build(root).items)
    assert (cur.verified, cur.unrecorded, cur.stale) == (0, 120, [])


def test_ids_file_with_a_bad_line_names_the_line(root: Path) -> None:
    ids = root / "ids.txt"
    ids.write_text("cmes-E01-00001\nE01-2\n", "utf-8")
    res = runner.invoke(app, ["review", "export-blind", "--all", "--round", "2", "--ids", str(ids),
                              "--root", str(root)])
    assert res.exit_code == 2
    assert "ids.txt:2" in res.output and "not a CMES item id" in res.output


def test_log_entry_rules(root: Path) -> None:
    bad = {"id": "cmes-E01-00001", "author": "a", "reviewer": "b", "blind_answer": "B",
           "key": "A", "agree": False, "verdict": "key_fixed", "change": "", "adjudicator": "c"}
    write_jsonl(root / "review_log.jsonl", [bad])
    with pytest.raises(InputError, match="change"):
        apply_log(root)


# ---- export --------------------------------------------------------------------------------

@pytest.fixture
def built(root: Path) -> list[Any]:
    return b.build(root, seed=2).items


def test_export_jsonl_csv_xlsx(tmp_path: Path, built: list[Any]) -> None:
    export(built, "jsonl", tmp_path / "test.jsonl", split="test")
    back = read_items(tmp_path / "test.jsonl")
    assert back and all(it.split == "test" for it in back)
    export(built, "csv", tmp_path / "all.csv")
    with open(tmp_path / "all.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(built)
    assert rows[0]["references"] == "《中华人民共和国医师法》第二十三条"
    judge = next(r for r in rows if r["type"] == "judge")
    assert judge["A"] == "正确" and judge["C"] == ""
    export(built, "xlsx", tmp_path / "all.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "all.xlsx")["items"]
    assert sheet.max_row == len(built) + 1
    with pytest.raises(MedauditError, match="format"):
        export(built, "parquet", tmp_path / "x")


def test_export_hf_directory_loads_with_datasets(tmp_path: Path, built: list[Any]) -> None:
    out = tmp_path / "hf"
    res = runner.invoke(app, ["export", "-f", "hf", "-o", str(out), "-i", "/dev/null"])
    assert res.exit_code == 2  # an empty input is a user error, one line
    export(built, "hf", out)
    card = (out / "README.md").read_text("utf-8")
    front = yaml.safe_load(card.split("---")[1])
    assert [f["split"] for f in front["configs"][0]["data_files"]] == ["train", "dev", "test"]
    assert front["license"] == "cc-by-4.0"
    datasets = pytest.importorskip("datasets")
    files = {f["split"]: str(out / f["path"]) for f in front["configs"][0]["data_files"]}
    ds = datasets.load_dataset("json", data_files=files, cache_dir=str(tmp_path / "cache"))
    counts = Counter(it.split for it in built)
    assert {k: len(v) for k, v in ds.items()} == {s: counts[s] for s in ("train", "dev", "test")}
    assert ds["test"][0]["references"][0]["title"] == "中华人民共和国医师法"


def test_export_hf_needs_splits(tmp_path: Path, root: Path) -> None:
    items = read_items(root / "items" / "E01.jsonl")
    with pytest.raises(MedauditError, match="bench build"):
        export(items, "hf", tmp_path / "hf")


def test_adding_a_dimension_never_moves_another_dimensions_items() -> None:
    from medaudit.bench.build import assign_splits
    from medaudit.bench.schema import Item

    def items(dim: str, n: int) -> list[Item]:
        return [Item(id=f"cmes-{dim}-{i:05d}", dimension=dim, type="single", question=f"题{i}",
                     options={k: f"{k}{i}" for k in "ABCDE"}, answer="A", family=f"{dim}-f{i:04d}")
                for i in range(n)]

    alone = assign_splits(items("S01", 40), seed=7)
    together = assign_splits(items("S01", 40) + items("E05", 40), seed=7)
    assert {k: v for k, v in together.items() if "-S01-" in k} == alone


def test_reviewed_only_builds_just_the_logged_items(tmp_path) -> None:
    import json

    from medaudit.bench.build import build

    (tmp_path / "items").mkdir()
    rows = [{"id": f"cmes-E01-{i:05d}", "dimension": "E01", "type": "single",
             "question": f"第{i}题？", "options": {k: f"选项{k}{i}" for k in "ABCDE"},
             "answer": "A", "family": f"E01-f{i:04d}", "explanation": "因为……所以选A。",
             "references": [{"title": "中华人民共和国医师法", "locator": "第二十三条"}]}
            for i in range(1, 4)]
    (tmp_path / "items" / "E01.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    log = [{"id": r["id"], "author": "a", "reviewer": "b", "blind_answer": "A", "key": "A",
            "agree": True, "verdict": "agree"} for r in rows[:2]]
    (tmp_path / "review_log.jsonl").write_text(
        "".join(json.dumps(e) + "\n" for e in log), "utf-8")
    result = build(tmp_path, reviewed_only=True)
    assert [it.id for it in result.items] == ["cmes-E01-00001", "cmes-E01-00002"]
    assert result.splits["left_out_unreviewed"] == 1
    assert len(build(tmp_path).items) == 3
