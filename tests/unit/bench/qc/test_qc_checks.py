"""Each QC check passes on a clean synthetic set and fails on a set broken in exactly its way."""

from __future__ import annotations

import random
from typing import Any

import pytest

from medaudit.bench.qc import pii as pii_check
from medaudit.bench.qc import run_qc
from medaudit.bench.qc.base import load_thresholds
from medaudit.bench.qc.dedup import item_text, jaccard, near_duplicate_pairs, shingles
from medaudit.bench.schema import Item

NO_PII = ["schema", "dedup", "leakage", "balance", "shortcuts", "lengths"]


def results(items: list[Item], families: list[str] | None = None, th: Any = None) -> dict[str, Any]:
    report = run_qc(items, th, families=families or NO_PII)
    return {r.name: r for r in report.results}


def statuses(res: dict[str, Any], status: str) -> set[str]:
    return {name for name, r in res.items() if r.status == status}


def test_clean_synthetic_set_passes_every_check(items: list[Item]) -> None:
    res = results(items)
    assert statuses(res, "fail") == set()
    assert statuses(res, "skipped") == set()
    assert len(res) >= 30


def test_all_keys_a_fails_letter_balance_and_letter_baseline(items: list[Item]) -> None:
    broken = [it.model_copy(update={"answer": "A"}) if it.type == "single" else it for it in items]
    res = results(broken, ["balance", "shortcuts"])
    assert res["balance.key_letters.overall"].status == "fail"
    assert res["balance.key_letters.overall"].value == pytest.approx(0.8)
    assert res["balance.key_letters.per_dimension"].status == "fail"
    assert res["shortcuts.most_frequent_letter"].status == "fail"
    assert res["shortcuts.most_frequent_letter"].value == pytest.approx(1.0)


def test_one_skewed_dimension_fails_per_dimension_but_not_overall(items: list[Item]) -> None:
    # In E01, turn 6 "E" keys into "A": E01 has A 28.6%, E 11.4% of 70; overall A 22.1%.
    changed = 0
    broken = []
    for it in items:
        if it.dimension == "E01" and it.type == "single" and it.answer == "E" and changed < 6:
            it = it.model_copy(update={"answer": "A"})
            changed += 1
        broken.append(it)
    res = results(broken, ["balance"])
    assert res["balance.key_letters.overall"].status == "pass"
    assert res["balance.key_letters.per_dimension"].status == "fail"
    assert res["balance.key_letters.per_dimension"].offenders[0].startswith("E01")


def _lengthen_key(item: Item, extra: str) -> Item:
    if item.type != "single":
        return item
    options = dict(item.options)
    options[item.answer] = options[item.answer] + extra
    return item.model_copy(update={"options": options})


def test_key_always_longest_fails_longest_baseline_and_length_ratio(items: list[Item]) -> None:
    broken = [_lengthen_key(it, "并按规定如实记录在病历中") for it in items]
    res = results(broken, ["shortcuts", "lengths"])
    assert res["shortcuts.always_longest"].status == "fail"
    assert res["shortcuts.always_longest"].value == pytest.approx(1.0)
    assert res["lengths.single_median_ratio"].status == "fail"
    assert res["lengths.single_extreme_share"].status == "fail"
    assert res["shortcuts.always_shortest"].status == "pass"


def test_key_always_shortest_fails_shortest_baseline(items: list[Item]) -> None:
    def shorten(it: Item) -> Item:
        if it.type != "single":
            return it
        options = dict(it.options)
        options[it.answer] = options[it.answer][:6]
        return it.model_copy(update={"options": options})

    res = results([shorten(it) for it in items], ["shortcuts"])
    assert res["shortcuts.always_shortest"].status == "fail"
    assert res["shortcuts.always_longest"].status == "pass"


def test_key_echoing_the_stem_fails_overlap_baseline(items: list[Item]) -> None:
    def echo(it: Item) -> Item:
        if it.type != "single":
            return it
        options = dict(it.options)
        options[it.answer] = it.question[:12]
        return it.model_copy(update={"options": options})

    res = results([echo(it) for it in items], ["shortcuts"])
    assert res["shortcuts.stem_overlap"].status == "fail"


def test_absolutes_in_distractors_fail_cue_word_baseline(items: list[Item]) -> None:
    def cue(it: Item) -> Item:
        if it.type != "single":
            return it
        options = {k: (v if k == it.answer else "一定" + v[2:]) for k, v in it.options.items()}
        return it.model_copy(update={"options": options})

    res = results([cue(it) for it in items], ["shortcuts"])
    assert res["shortcuts.avoid_cue_words"].status == "fail"
    assert res["shortcuts.avoid_cue_words"].value == pytest.approx(1.0)


def test_options_classifier_learns_a_wording_cue(items: list[Item]) -> None:
    # The key always contains "知情同意" at a random place, same length: only the words give it
    # away, so the length baselines stay at chance and the classifier must catch it.
    rng = random.Random(3)

    def plant(it: Item) -> Item:
        if it.type != "single":
            return it
        options = dict(it.options)
        text = options[it.answer]
        at = rng.randint(0, len(text) - 4)
        options[it.answer] = text[:at] + "知情同意" + text[at + 4:]
        return it.model_copy(update={"options": options})

    res = results([plant(it) for it in items], ["shortcuts"])
    assert res["shortcuts.options_classifier"].status == "fail"
    assert res["shortcuts.options_classifier"].value > 0.8
    assert res["shortcuts.always_longest"].status == "pass"
    # the variant with other n-grams is its own check, with its own features, and catches it too
    variant = res["shortcuts.options_classifier_2to4grams"]
    assert variant.status == "fail" and variant.value > 0.8
    assert variant.data["n_features"] != res["shortcuts.options_classifier"].data["n_features"]
    words = res["shortcuts.options_classifier_words"]
    assert words.status == "fail" and words.value > 0.8


def test_word_analyzer_sees_jieba_words_not_characters() -> None:
    from medaudit.bench.qc.classifier import ClassifierConfig, features

    words = features("患者本人签署知情同意书", ClassifierConfig(analyzer="word", ngram_max=2))
    assert {"患者", "签署", "患者|本人"} <= words
    assert "患" not in words
    with pytest.raises(ValueError, match="analyzer"):
        features("患者", ClassifierConfig(analyzer="bpe"))


def test_word_classifier_is_skipped_not_crashed_without_jieba(
        items: list[Item], monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "jieba", None)  # import jieba now raises ImportError
    res = results(items, ["shortcuts"])
    words = res["shortcuts.options_classifier_words"]
    assert words.status == "skipped" and "jieba is not installed" in words.detail
    assert res["shortcuts.options_classifier"].status == "pass"


def test_clean_items_pass_every_options_classifier(items: list[Item]) -> None:
    res = results(items, ["shortcuts"])
    names = [n for n in res if n.startswith("shortcuts.options_classifier")]
    assert names == ["shortcuts.options_classifier", "shortcuts.options_classifier_2to4grams",
                     "shortcuts.options_classifier_words"]
    assert all(res[n].status == "pass" for n in names)


def test_near_duplicate_across_splits_fails_dedup(items: list[Item]) -> None:
    src = next(it for it in items if it.split == "train" and it.type == "single")
    copy = src.model_copy(update={"id": "cmes-E01-09999", "family": "E01-f9999",
                                  "split": "test", "question": src.question[:-2] + "是："})
    res = results([*items, copy], ["dedup"])
    assert res["dedup.near_across_splits"].status == "fail"
    assert "cmes-E01-09999" in res["dedup.near_across_splits"].offenders[0]
    assert res["dedup.exact"].status == "pass"


def test_exact_duplicate_with_shuffled_options_is_found(items: list[Item]) -> None:
    src = next(it for it in items if it.type == "single")
    letters = list(src.options)
    rotated = dict(zip(letters, [src.options[k] for k in letters[1:] + letters[:1]], strict=True))
    copy = src.model_copy(update={"id": "cmes-E01-09998", "options": rotated})
    res = results([*items, copy], ["dedup"])
    assert res["dedup.exact"].status == "fail"
    assert res["dedup.near_within_split"].status == "fail"


def test_minhash_lsh_finds_every_pair_that_brute_force_finds(items: list[Item]) -> None:
    rng = random.Random(11)
    pool = items[:150]
    planted = []
    for it in pool[:20]:  # copies with 1-3 characters of the question changed
        q = list(it.question)
        for _ in range(rng.randint(1, 3)):
            q[rng.randrange(len(q))] = "某"
        planted.append(it.model_copy(update={"id": it.id + "x", "question": "".join(q)}))
    everything = pool + planted
    th = load_thresholds()
    sets = [shingles(item_text(it), 3) for it in everything]
    brute = {(i, j) for i in range(len(sets)) for j in range(i + 1, len(sets))
             if jaccard(sets[i], sets[j]) >= 0.8}
    found = {(i, j) for i, j, _ in near_duplicate_pairs(everything, th)}
    assert brute, "the planted copies must be near duplicates"
    assert found == brute


def test_family_cut_across_splits_fails_leakage(items: list[Item]) -> None:
    a, b = items[0], items[9]
    assert a.split != b.split
    broken = [it.model_copy(update={"family": a.family}) if it.id == b.id else it for it in items]
    res = results(broken, ["leakage"])
    assert res["leakage.families"].status == "fail"
    assert a.family in res["leakage.families"].offenders[0]


def test_shared_vignette_in_other_family_and_split_fails_leakage(items: list[Item]) -> None:
    a = next(it for it in items if it.split == "train")
    b = next(it for it in items if it.split == "test")
    vignette = ("患者女性三十五岁因反复头痛两周来神经内科门诊就诊"
                "既往体健无特殊用药史查体未见明显异常医生")
    broken = [it.model_copy(update={"question": vignette + it.question}) if it.id in (a.id, b.id)
              else it for it in items]
    res = results(broken, ["leakage"])
    assert res["leakage.shared_vignette"].status == "fail"


def test_generator_fact_in_two_splits_fails_leakage(items: list[Item]) -> None:
    a = next(it for it in items if it.split == "train")
    b = next(it for it in items if it.split == "test")
    broken = [it.model_copy(update={"source": "generated:preg@drug-0007"})
              if it.id in (a.id, b.id) else it for it in items]
    res = results(broken, ["leakage"])
    assert res["leakage.generator_facts"].status == "fail"


def test_items_without_split_skip_split_checks_instead_of_passing(make: Any) -> None:
    res = results(make(with_splits=False))
    for name in ("leakage.families", "leakage.shared_vignette", "leakage.generator_facts",
                 "dedup.near_across_splits", "shortcuts.options_classifier", "schema.splits"):
        assert res[name].status == "skipped", name
        assert "no splits" in res[name].detail
    assert "in-sample" in res["shortcuts.most_frequent_letter"].detail


def test_partial_splits_fail_the_schema_check(items: list[Item]) -> None:
    broken = [items[0].model_copy(update={"split": None}), *items[1:]]
    res = results(broken, ["schema", "leakage"])
    assert res["schema.splits"].status == "fail"
    assert res["leakage.families"].status == "skipped"


def test_schema_rules(items: list[Item]) -> None:
    first, second, third = items[0], items[1], items[2]
    broken = [
        first.model_copy(update={"references": [], "id": "cmes-S01-00001x"}),
        second.model_copy(update={"options": {**second.options, "E": "以上都对"}}),
        third.model_copy(update={"source": "copied", "family": None, "explanation": "因为"}),
        *items[3:],
    ]
    res = results(broken, ["schema"])
    assert res["schema.references"].offenders == [broken[0].id]
    assert res["schema.id_format"].status == "fail"
    assert res["schema.catch_all_options"].offenders == [f"{second.id}:E"]
    assert res["schema.source"].offenders == [third.id]
    assert res["schema.family"].offenders == [third.id]
    assert res["schema.explanation"].offenders == [third.id]


def test_type_mix_and_generated_share(items: list[Item]) -> None:
    no_judge = [it for it in items if not (it.dimension == "S02" and it.type == "judge")]
    gen = [it.model_copy(update={"source": f"generated:g@f{i}"})
           if it.dimension == "E02" and i % 2 else it for i, it in enumerate(no_judge)]
    res = results(gen, ["balance"])
    assert res["balance.type_share.judge"].status == "fail"
    assert res["balance.type_share.judge"].offenders == ["S02: 0.0%"]
    assert res["balance.generated_share"].status == "fail"
    assert res["balance.type_share.multi"].status == "pass"


def test_small_dimensions_are_reported_not_judged(make: Any) -> None:
    res = results(make(per_dim=20), ["balance"])
    assert res["balance.key_letters.per_dimension"].status == "skipped"
    assert res["balance.type_share.multi"].status == "skipped"


def test_thresholds_file_overrides_one_key(tmp_path: Any, items: list[Item]) -> None:
    broken = [_lengthen_key(it, "并如实记录") for it in items]
    user = tmp_path / "th.yaml"
    user.write_text("shortcuts:\n  margin: 0.9\n", encoding="utf-8")
    th = load_thresholds(user)
    assert th["shortcuts"]["chance"] == 0.2  # untouched keys come from the shipped file
    assert results(broken, ["shortcuts"], th)["shortcuts.always_longest"].status == "pass"


def test_pii_fallback_regexes_find_phone_email_id_and_record_number(items: list[Item]) -> None:
    th = load_thresholds()
    th["pii"]["fallback_patterns"] = dict(th["pii"]["fallback_patterns"])
    conf = th["pii"]
    import re

    patterns = {k: re.compile(v) for k, v in conf["fallback_patterns"].items()}

    def scan(text: str) -> list[tuple[str, int, int]]:
        return [(k, m.start(), m.end()) for k, rx in patterns.items() for m in rx.finditer(text)]

    planted = {
        0: "联系电话13812345678",
        1: "邮箱 zhang.san@example.com",
        2: "身份证号110101199003071234",
        3: "住院号：ZY2023001",
    }
    broken = [it.model_copy(update={"question": it.question + planted[i]}) if i in planted else it
              for i, it in enumerate(items)]
    opts = dict(broken[5].options)
    opts["C"] = opts["C"] + "电话010-87654321"
    broken[5] = broken[5].model_copy(update={"options": opts})
    res = pii_check.run(broken, th, scanner=(scan, "test regexes"))[0]
    assert res.status == "fail"
    assert {o.split(": ")[1] for o in res.offenders} == {"PHONE", "EMAIL", "CN_ID_CARD",
                                                         "MEDICAL_RECORD_NUMBER"}
    assert f"{broken[5].id} options.C: PHONE" in res.offenders  # mapped back to its field
    assert all("13812345678" not in o for o in res.offenders)  # values are never shown


def test_pii_falls_back_to_regexes_when_privacy_is_missing(monkeypatch: Any,
                                                           items: list[Item]) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "medaudit.privacy":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    broken = [items[0].model_copy(update={"question": "电话 139-1234-5678 " + items[0].question}),
              *items[1:]]
    res = pii_check.run(broken, load_thresholds())[0]
    assert res.status == "fail"
    assert "fallback" in res.detail


@pytest.mark.slow
def test_pii_with_the_privacy_scanner(items: list[Item]) -> None:
    pytest.importorskip("presidio_analyzer")
    phone, bed = "患者电话13812345678。", "护士为3床患者测量血压后，"
    broken = [items[0].model_copy(update={"question": phone + items[0].question}),
              items[1].model_copy(update={"question": bed + items[1].question}),
              *items[2:40]]
    res = pii_check.run(broken, load_thresholds())[0]
    assert res.detail == "scanner: medaudit.privacy.scan_text"
    assert res.offenders == [f"{items[0].id} question: PHONE"]  # "3床" is not a record number
