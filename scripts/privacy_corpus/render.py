"""Template expansion and slot filling with offsets recorded at insertion time.

A template is YAML data: a list of parts joined in order; inside a part a list means "choose one",
`{p: 0.4, text: ...}` means "include with probability p" and `{seq: [...]}` joins several parts.
The chosen text may contain three kinds of marks:

* `((a||b||c))` inline choice of one alternative.
* `[[name]]` macro: replaced by text from a pool (clinical phrases, hard negatives); the text may
  itself contain marks. Macros are expanded before any value is inserted.
* `{{expr}}` unlabelled value (hospital, department, an age under 90, a lab value).
* `<<TYPE:expr>>` labelled value: the span [start, end) is recorded as the value is appended, so
  the offsets are exact by construction and never found by searching the text afterwards.
  `<<AGE:expr>>` is labelled AGE_OVER_89 only when the age is 90 or more.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from typing import Any

SLOT = re.compile(r"<<([A-Z_0-9]+):([^<>]+)>>|\{\{([^{}]+)\}\}")
MACRO = re.compile(r"\[\[([A-Za-z_0-9.]+)\]\]")
CHOICE = re.compile(r"\(\(([^()]*)\)\)")
HZ_DIGITS = "〇一二三四五六七八九"
MAX_MACRO_DEPTH = 6


@dataclass(frozen=True)
class Phone:
    """A phone number kept as parts so each mention can be written in a different style."""

    number: str
    area: str = ""  # empty for mobiles


@dataclass(frozen=True)
class Span:
    """A labelled character span in Python string indices."""

    start: int
    end: int
    type: str


def hz_number(n: int) -> str:
    """Chinese numerals for 1..199 as used in ages, months and days (十二, 二十一, 一百零二)."""
    if n >= 100:
        rest = n - 100
        if rest == 0:
            return "一百"
        return "一百" + ("零" + HZ_DIGITS[rest] if rest < 10 else hz_number(rest))
    tens, ones = divmod(n, 10)
    if tens == 0:
        return HZ_DIGITS[ones]
    head = "" if tens == 1 else HZ_DIGITS[tens]
    return head + "十" + (HZ_DIGITS[ones] if ones else "")


def format_date(d: dt.date, style: str) -> str:
    """Write a date in one of the forms clinicians and patients use."""
    y, m, dd = d.year, d.month, d.day
    forms = {
        "cn": f"{y}年{m}月{dd}日",
        "cn0": f"{y}年{m:02d}月{dd:02d}日",
        "iso": f"{y}-{m:02d}-{dd:02d}",
        "iso1": f"{y}-{m}-{dd}",
        "slash": f"{y}/{m}/{dd}",
        "slash0": f"{y}/{m:02d}/{dd:02d}",
        "dot": f"{y}.{m:02d}.{dd:02d}",
        "dot1": f"{y}.{m}.{dd}",
        "hanzi": "".join(HZ_DIGITS[int(c)] for c in str(y))
        + f"年{hz_number(m)}月{hz_number(dd)}日",
        "hanzi_ling": "".join("零" if c == "0" else HZ_DIGITS[int(c)] for c in str(y))
        + f"年{hz_number(m)}月{hz_number(dd)}日",
        "md": f"{m}月{dd}日",
        "md_hao": f"{m}月{dd}号",
        "compact": f"{y}{m:02d}{dd:02d}",
        "yy": f"{y % 100:02d}年{m}月{dd}日",
        "ym": f"{y}年{m}月",
        "ym_iso": f"{y}-{m:02d}",
        "ym_dot": f"{y}.{m:02d}",
    }
    return forms[style]


def format_phone(p: Phone, style: str) -> str:
    """Write a mobile or landline number with or without separators and country code."""
    if p.area:
        local = p.number
        half = len(local) // 2
        forms = {"dash": f"{p.area}-{local}", "paren": f"({p.area}){local}",
                 "space": f"{p.area} {local[:half]} {local[half:]}",
                 "intl": f"+86-{p.area[1:]}-{local}", "plain": f"{p.area}{local}"}
        return forms.get(style, forms["dash"])
    n = p.number
    forms = {"plain": n, "dash": f"{n[:3]}-{n[3:7]}-{n[7:]}", "space": f"{n[:3]} {n[3:7]} {n[7:]}",
             "intl": f"+86 {n[:3]} {n[3:7]} {n[7:]}", "intl_plain": f"+86{n}",
             "intl_dash": f"+86-{n}", "paren": f"(+86){n}"}
    return forms.get(style, n)


PHONE_STYLES = ("plain", "plain", "plain", "dash", "space", "intl", "intl_plain", "intl_dash",
                "paren")


def group4(s: str) -> str:
    """Group a card number in fours, as printed on claim forms."""
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def expand(node: Any, rng: random.Random) -> str:
    """Resolve the choose/optional/sequence structure of a template into one string."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return expand(rng.choice(node), rng)
    if isinstance(node, dict):
        if "seq" in node:
            return "".join(expand(part, rng) for part in node["seq"])
        if "p" in node:
            return expand(node.get("text"), rng) if rng.random() < float(node["p"]) else \
                expand(node.get("else"), rng)
    raise ValueError(f"bad template node: {node!r}")


def expand_macros(text: str, macros: dict[str, Any], rng: random.Random, depth: int = 0) -> str:
    """Replace ((a||b)) inline choices and [[name]] marks by pool text, recursively."""
    if depth > MAX_MACRO_DEPTH:
        raise ValueError(f"macro recursion too deep in: {text[:80]}")
    text = CHOICE.sub(lambda m: rng.choice(m.group(1).split("||")), text)

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in macros:
            raise KeyError(f"unknown macro [[{name}]]")
        return expand_macros(expand(macros[name], rng), macros, rng, depth + 1)

    return MACRO.sub(sub, text)


class Renderer:
    """Fills the value slots of one document from its context and records labelled spans."""

    def __init__(self, ctx: dict[str, Any], rng: random.Random) -> None:
        self.ctx = ctx
        self.rng = rng

    def lookup(self, path: str) -> Any:
        """Follow a dotted path through dicts and attributes of the document context."""
        if path.startswith("num:"):
            _, lo, hi, dec = path.split(":")
            value = self.rng.uniform(float(lo), float(hi))
            return f"{value:.{int(dec)}f}"
        if path.startswith("int:"):
            _, lo, hi = path.split(":")
            return str(self.rng.randint(int(lo), int(hi)))
        cur: Any = self.ctx
        for key in path.split("."):
            cur = cur[key] if isinstance(cur, dict) else getattr(cur, key)
        return cur() if callable(cur) else cur

    def write(self, value: Any, fmt: str | None) -> str:
        """Turn a context value into text, in the slot's format or a per-document style."""
        rng = self.rng
        if isinstance(value, dt.date):
            return format_date(value, fmt or self.ctx["date_style"]())
        if isinstance(value, Phone):
            return format_phone(value, fmt or rng.choice(PHONE_STYLES))
        if isinstance(value, int):
            if fmt == "hz":
                return hz_number(value)
            return str(value)
        text = str(value)
        if fmt == "group4":
            return group4(text)
        if fmt == "maybe_group4":
            return group4(text) if rng.random() < 0.35 else text
        if fmt:
            raise ValueError(f"unknown format '{fmt}' for value {text!r}")
        return text

    def render(self, template: str) -> tuple[str, list[Span]]:
        """Fill every slot left to right; a labelled slot records (start, end) as it is written."""
        out: list[str] = []
        pos = 0
        spans: list[Span] = []
        last = 0
        for m in SLOT.finditer(template):
            literal = template[last:m.start()]
            out.append(literal)
            pos += len(literal)
            last = m.end()
            label, expr = (m.group(1), m.group(2)) if m.group(1) else (None, m.group(3))
            path, _, fmt = expr.partition("|")
            value = self.lookup(path.strip())
            text = self.write(value, fmt.strip() or None)
            if label == "AGE":
                label = "AGE_OVER_89" if int(value) >= 90 else None
            if label:
                if not text:
                    raise ValueError(f"empty value for <<{label}:{expr}>>")
                spans.append(Span(pos, pos + len(text), label))
            out.append(text)
            pos += len(text)
        out.append(template[last:])
        return "".join(out), spans
