"""Compare medaudit's Chinese PHI scanner with Presidio's default configuration and scrubadub.

Usage: python benchmarks/privacy_compare.py [--corpus data/privacy/test.jsonl] [--out FILE.md]

All three run on the same split and are scored by `medaudit.privacy.evaluate` (strict span and
type match; lenient overlap; "any type" overlap that ignores the label). Presidio's default
engine wants the English model en_core_web_lg, which cannot be installed here (not on PyPI), so it
runs its default predefined recognizers for English over a blank spaCy English pipeline: every
pattern recognizer works, the spaCy NER recognizer finds nothing. Foreign entity names are mapped
to ours where one exists; the rest count only in the "any type" row.

The script also de-identifies the split with `mask` and `tag` and rescans the output: the issue
asks that a rescan after deid finds nothing.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from medaudit.privacy.evaluate import EvalResult, Span, evaluate_docs, load_corpus

PRESIDIO_MAP = {"EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE", "CREDIT_CARD": "BANK_CARD",
                "IP_ADDRESS": "IP_ADDRESS", "URL": "URL", "DATE_TIME": "DATE",
                "PERSON": "PERSON", "LOCATION": "ADDRESS", "US_PASSPORT": "PASSPORT",
                "ORGANIZATION": "ORGANIZATION"}
SCRUBADUB_MAP = {"email": "EMAIL", "phone": "PHONE", "url": "URL", "credit_card": "BANK_CARD",
                 "vehicle_licence_plate": "LICENSE_PLATE", "twitter": "SOCIAL_HANDLE",
                 "name": "PERSON", "address": "ADDRESS", "date_of_birth": "DATE"}


def medaudit_predict() -> Callable[[str], list[Span]]:
    from medaudit.privacy import scan_text

    return lambda text: [Span(f.start, f.end, f.type) for f in scan_text(text)]


def presidio_predict() -> Callable[[str], list[Span]]:
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    class BlankEnglish(SpacyNlpEngine):
        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}

    nlp = BlankEnglish(models=[{"lang_code": "en", "model_name": "blank_en"}])
    nlp.load()
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp)
    engine = AnalyzerEngine(registry=registry, nlp_engine=nlp)

    def predict(text: str) -> list[Span]:
        res = engine.analyze(text, language="en")
        return [Span(r.start, r.end, PRESIDIO_MAP.get(r.entity_type, "OTHER:" + r.entity_type))
                for r in res]

    return predict


def scrubadub_predict() -> Callable[[str], list[Span]]:
    import scrubadub

    scrubber = scrubadub.Scrubber()

    def predict(text: str) -> list[Span]:
        return [Span(f.beg, f.end, SCRUBADUB_MAP.get(f.type, "OTHER:" + f.type))
                for f in scrubber.iter_filth(text)]

    return predict


def table(results: dict[str, EvalResult], mode: str) -> list[str]:
    names = list(results)
    head = "| type | gold | " + " | ".join(f"{n} P | {n} R | {n} F1" for n in names) + " |"
    lines = [head, "|" + "---|" * (2 + 3 * len(names))]
    types = list(next(iter(results.values())).modes[mode])
    for t in types:
        cells = []
        gold = 0
        for n in names:
            m = results[n].modes[mode][t].metrics()
            gold = m["n_gold"]

            def f(x: float | None) -> str:
                return "–" if x is None else f"{x:.3f}"

            cells.append(f"{f(m['precision'])} | {f(m['recall'])} | {f(m['f1'])}")
        if gold:
            lines.append(f"| {t} | {gold} | " + " | ".join(cells) + " |")
    return lines


def rescan(corpus: Path) -> list[str]:
    from medaudit.privacy import deidentify_text, scan_text

    docs = load_corpus(corpus)
    lines = ["| strategy | documents | findings after deid | documents with findings |",
             "|---|---|---|---|"]
    for strategy in ("mask", "tag", "surrogate"):
        total = dirty = 0
        for doc in docs:
            new, _ = deidentify_text(doc.text, strategy, seed=0)
            n = len(scan_text(new))
            total += n
            dirty += n > 0
        lines.append(f"| {strategy} | {len(docs)} | {total} | {dirty} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("data/privacy/test.jsonl"))
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    docs = load_corpus(args.corpus)
    results: dict[str, EvalResult] = {}
    timings: dict[str, float] = {}
    for name, make in (("medaudit", medaudit_predict), ("presidio-default", presidio_predict),
                       ("scrubadub", scrubadub_predict)):
        predict = make()
        t0 = time.perf_counter()
        results[name] = evaluate_docs(docs, predict, None, str(args.corpus))
        timings[name] = time.perf_counter() - t0
    out = [f"corpus: {args.corpus} ({len(docs)} documents)", ""]
    for mode in ("strict", "lenient", "any_type"):
        out += [f"#### {mode}", "", *table(results, mode), ""]
    out += ["#### time on this machine (scoring included)", "",
            "| system | seconds | documents/s |", "|---|---|---|"]
    out += [f"| {n} | {t:.1f} | {len(docs) / t:.1f} |" for n, t in timings.items()]
    out += ["", "#### rescan after deid", "", *rescan(args.corpus)]
    text = "\n".join(out)
    print(text)
    if args.out:
        from medaudit.fsutil import atomic_writer

        with atomic_writer(args.out) as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
