"""The fine-tune part of a comparison: lineage of each side and the general-ability guard.

Why here: `medaudit compare` is generic (any two runs); when one side is a fine-tune, a reviewer
also needs to see what it was tuned from (the manifest's `lineage`) and whether general medical
knowledge survived. The guard compares two runs on the shipped general set
(`data/general/medknowledge.jsonl`) with the same paired statistics as the main comparison and
calls it a collapse on a significant drop or a drop over the limit in `guard.yaml`.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from medaudit.finetune.summary import lineage_rows


def general_set_path() -> Path:
    """The shipped general medical-knowledge guard set (evaluate it with `medaudit eval -b`)."""
    return Path(str(resources.files("medaudit") / "data" / "general" / "medknowledge.jsonl"))


@lru_cache(maxsize=1)
def guard_limits() -> dict[str, float]:
    text = resources.files("medaudit.finetune").joinpath("guard.yaml").read_text("utf-8")
    data: dict[str, float] = yaml.safe_load(text)
    return data


def _manifest_lineage(run_dir: Path) -> dict[str, Any] | None:
    path = run_dir / "manifest.json"
    if not path.exists():
        return None
    lineage = json.loads(path.read_text("utf-8")).get("lineage")
    return lineage if isinstance(lineage, dict) else None


def guard_verdict(overall: dict[str, Any]) -> dict[str, Any]:
    """collapsed / held, with the reason, from an overall paired-difference row."""
    limits = guard_limits()
    diff, p = overall.get("diff"), overall.get("p")
    if diff is None:
        return {"verdict": "unknown", "reason": "no paired items"}
    significant_drop = diff < 0 and p is not None and p < limits["alpha"]
    large_drop = -diff * 100 > limits["max_drop_pp"]
    if significant_drop or large_drop:
        why = []
        if significant_drop:
            why.append(f"significant drop (p={p:.3g} < {limits['alpha']})")
        if large_drop:
            why.append(f"drop over {limits['max_drop_pp']} pp")
        return {"verdict": "collapsed", "reason": "; ".join(why)}
    return {"verdict": "held", "reason": f"no significant drop (p={p:.3g}) and within "
                                          f"{limits['max_drop_pp']} pp"}


def finetune_section(a_dir: Path, b_dir: Path, guard_a: str | None = None,
                     guard_b: str | None = None) -> dict[str, Any] | None:
    """Lineage of each side and, when both guard runs are given, the guard comparison."""
    from medaudit.eval.compare import compare_runs

    lineages = {"a": _manifest_lineage(a_dir), "b": _manifest_lineage(b_dir)}
    if not any(lineages.values()) and not (guard_a and guard_b):
        return None
    section: dict[str, Any] = {"lineage": lineages, "guard": None}
    if guard_a and guard_b:
        guard = compare_runs(guard_a, guard_b)
        section["guard"] = {"a_run": guard["a"], "b_run": guard["b"], "rows": guard["rows"],
                            "overall": guard["overall"], "n_shared": guard["n_shared"],
                            **guard_verdict(guard["overall"])}
    return section


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:.1f}%"


def _pp(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:+.1f} pp"


def _guard_rows(guard: dict[str, Any]) -> list[list[str]]:
    rows = []
    for r in [*guard["rows"], guard["overall"]]:
        ci = r.get("diff_ci95")
        rows.append([str(r["dimension"]), str(r["n"]), _pct(r["acc_a"]), _pct(r["acc_b"]),
                     _pp(r["diff"]), "—" if not ci else f"[{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]",
                     f"{r['p']:.3g}" if r.get("p") is not None else "—"])
    return rows


GUARD_HEAD = ["学科 discipline", "n", "A", "B", "B−A", "95% CI", "p"]


def finetune_markdown(section: dict[str, Any]) -> str:
    out = ["", "## 微调谱系 fine-tune lineage", ""]
    for side in ("a", "b"):
        lineage = section["lineage"].get(side)
        if not lineage:
            out += [f"- {side.upper()}: no lineage (not a fine-tune, or evaluated without "
                    "--lineage)", ""]
            continue
        out += [f"**{side.upper()}** · `{lineage.get('path')}`", "", "| field | value |",
                "|---|---|"]
        out += [f"| {k} | `{v}` |" for k, v in lineage_rows(lineage) if k != "packages"]
        out.append("")
    guard = section.get("guard")
    if guard:
        out += ["## 通用能力守护 general-ability guard", "",
                f"Runs: A `{guard['a_run']['run_id']}` · B `{guard['b_run']['run_id']}` "
                f"({guard['n_shared']} shared items). Verdict: **{guard['verdict']}** — "
                f"{guard['reason']}.", "",
                "| " + " | ".join(GUARD_HEAD) + " |", "|" + "---|" * len(GUARD_HEAD)]
        out += ["| " + " | ".join(row) + " |" for row in _guard_rows(guard)]
        out.append("")
    return "\n".join(out)


def finetune_html(section: dict[str, Any]) -> str:
    """A self-contained HTML section (escaped text only, no scripts) for compare.html."""
    e = html.escape
    parts = ['<section id="finetune"><h2>微调谱系<small>fine-tune lineage</small></h2>']
    for side in ("a", "b"):
        lineage = section["lineage"].get(side)
        if not lineage:
            parts.append(f"<p class=\"note\">{side.upper()}: no lineage</p>")
            continue
        parts.append(f"<h3>{side.upper()} · <code>{e(str(lineage.get('path')))}</code></h3>"
                     "<table class=\"runs\">")
        parts += [f"<tr><th>{e(k)}</th><td><code>{e(v)}</code></td></tr>"
                  for k, v in lineage_rows(lineage) if k != "packages"]
        parts.append("</table>")
    guard = section.get("guard")
    if guard:
        parts.append(f"<h2>通用能力守护<small>general-ability guard</small></h2><p>Verdict: "
                     f"<b>{e(guard['verdict'])}</b> — {e(guard['reason'])}</p>"
                     "<table class=\"cmp\"><thead><tr>"
                     + "".join(f"<th>{e(h)}</th>" for h in GUARD_HEAD) + "</tr></thead><tbody>")
        parts += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>"
                  for row in _guard_rows(guard)]
        parts.append("</tbody></table>")
    parts.append("</section>")
    return "".join(parts)


def inject_html(page: str, section_html: str) -> str:
    """Put the section before the page's footer (or at the end of <main>)."""
    for marker in ("<footer>", "</main>", "</body>"):
        if marker in page:
            return page.replace(marker, section_html + "\n" + marker, 1)
    return page + section_html
