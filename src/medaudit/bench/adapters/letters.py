"""Option labels and answer keys as Chinese benchmarks write them.

Sources label options "A.", "A、", "A ", "(A)", "（A）", "Ａ．" and write keys as "ACD", "A,C,D",
"ＡＣ" or a 0-based index. Everything here turns those into the schema's plain form (options keyed
A, B, C… in order; keys a sorted letter string) and raises `ValueError` with a short reason when a
text cannot be read; adapters add file, row and column to that reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from medaudit.bench.schema import LETTERS

_WS = r"[ \t\u3000]"
_SEP = r"[.．。、:：]"
_OPEN = r"[(（【\[]"
_CLOSE = r"[)）】\]]"
# Not preceded by a Latin letter, digit or CJK ideograph: "维生素A." is not a label.
_INLINE_GUARD = r"(?<![A-Za-z0-9Ａ-Ｚａ-ｚ０-９\u4e00-\u9fff])"
_KEY_SEPARATORS = re.compile(r"[\s,;/|、和与及]+")


def _letter_class(letter: str) -> str:
    """A character class matching `letter` in half- and full-width form."""
    full = chr(ord(letter) - ord("A") + ord("Ａ"))
    return f"[{letter}{full}]"


def _marker(letter: str, *, allow_space: bool, guard: str = "") -> str:
    """Regex for the label of option `letter`, ending where the option text starts.

    `guard` (a lookbehind) applies to bare-letter labels only: "（B）" is a label wherever it
    stands, "B." only where it does not end a word.
    """
    ch = _letter_class(letter)
    forms = [
        rf"{_OPEN}{_WS}*{ch}{_WS}*{_CLOSE}{_WS}*{_SEP}?",
        rf"{guard}{ch}{_WS}*(?:{_SEP}|{_CLOSE})",
    ]
    if allow_space:
        forms.append(rf"{ch}(?={_WS})")
    return "(?:" + "|".join(forms) + rf"){_WS}*"


_LINE_MARKERS = {x: re.compile(rf"^{_WS}*{_marker(x, allow_space=True)}") for x in LETTERS}
_LIST_MARKERS = {x: re.compile(rf"^{_WS}*{_marker(x, allow_space=False)}") for x in LETTERS}
_INLINE_MARKERS = {x: re.compile(_marker(x, allow_space=False, guard=_INLINE_GUARD))
                   for x in LETTERS}
_ANY_LIST_MARKER = re.compile(
    rf"^{_WS}*(?:{_OPEN}{_WS}*([A-JＡ-Ｊ]){_WS}*{_CLOSE}|([A-JＡ-Ｊ]){_WS}*(?:{_SEP}|{_CLOSE}))"
)


def to_halfwidth(text: str) -> str:
    """NFKC-fold a short label or key (never option or stem text, whose punctuation must stay)."""
    return unicodedata.normalize("NFKC", text)


def strip_label(text: str, letter: str, *, allow_space: bool = False) -> str | None:
    """Return `text` without its label if it starts with the label of `letter`, else None."""
    markers = _LINE_MARKERS if allow_space else _LIST_MARKERS
    match = markers[letter].match(text)
    return text[match.end():] if match else None


def options_from_list(entries: Sequence[object]) -> dict[str, str]:
    """Key a list of option texts A, B, C…, removing labels the texts carry.

    Labels with a space ("A 阿司匹林") are removed only when every entry has one in order, so an
    unlabelled option that happens to start with "A " keeps its text.
    """
    texts = ["" if e is None else str(e) for e in entries]
    if len(texts) > len(LETTERS):
        raise ValueError(f"there are {len(texts)} options; at most {len(LETTERS)} are supported")
    spaced = [strip_label(t, LETTERS[i], allow_space=True) for i, t in enumerate(texts)]
    if texts and all(s is not None for s in spaced):
        return {LETTERS[i]: (s or "").strip() for i, s in enumerate(spaced)}
    options: dict[str, str] = {}
    for i, text in enumerate(texts):
        letter = LETTERS[i]
        body = strip_label(text, letter)
        if body is None:
            other = _ANY_LIST_MARKER.match(text)
            if other:
                found = to_halfwidth(other.group(1) or other.group(2))
                raise ValueError(f"option {i + 1} is labelled '{found}', expected '{letter}'")
            body = text
        options[letter] = body.strip()
    return options


def options_from_mapping(entries: dict[object, object]) -> dict[str, str]:
    """Key a {label: text} mapping; labels may be full-width or lower case but must run A, B, C…."""
    options: dict[str, str] = {}
    for i, (label, text) in enumerate(entries.items()):
        letter = to_halfwidth(str(label)).strip().strip("().:、").upper()
        if i >= len(LETTERS) or letter != LETTERS[i]:
            raise ValueError(f"option labels must be A, B, C… in order, got '{label}' at "
                             f"position {i + 1}")
        options[letter] = "" if text is None else str(text).strip()
    return options


def _scan_lines(text: str) -> tuple[str, dict[str, str]]:
    """Split text whose options each start a line; continuation lines join the option above."""
    preamble: list[str] = []
    bodies: list[list[str]] = []
    for line in text.splitlines():
        expected = LETTERS[len(bodies)] if len(bodies) < len(LETTERS) else None
        body = strip_label(line, expected, allow_space=True) if expected else None
        if body is not None:
            bodies.append([body])
        elif bodies:
            bodies[-1].append(line)
        else:
            preamble.append(line)
    options = {LETTERS[i]: "\n".join(b).strip() for i, b in enumerate(bodies)}
    return "\n".join(preamble).strip(), options


def _scan_inline(text: str) -> tuple[str, dict[str, str]]:
    """Split text whose options run on in one line ("…（ ）A.甲 B.乙 C.丙")."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for letter in LETTERS:
        match = _INLINE_MARKERS[letter].search(text, pos)
        if not match:
            break
        spans.append((match.start(), match.end()))
        pos = match.end()
    if not spans:
        return text.strip(), {}
    options: dict[str, str] = {}
    for i, (_, end) in enumerate(spans):
        stop = spans[i + 1][0] if i + 1 < len(spans) else len(text)
        options[LETTERS[i]] = text[end:stop].strip()
    return text[: spans[0][0]].strip(), options


def split_options_text(text: str) -> tuple[str, dict[str, str]]:
    """Split a text into (text before option A, options), by line labels first, then inline.

    Line labels win because they are unambiguous; the inline scan is the fallback for one-line
    option blocks. Fewer than two options found means the text has no readable options.
    """
    preamble, options = _scan_lines(text)
    if len(options) >= 2:
        return preamble, options
    return _scan_inline(text)


def parse_key(raw: object) -> str:
    """Normalise an answer key to a sorted letter string: "ＡＣ", "a,c", "C、A" → "AC"."""
    text = to_halfwidth("" if raw is None else str(raw)).strip().upper()
    letters = _KEY_SEPARATORS.sub("", text)
    if not letters:
        raise ValueError("is empty; give the key letter(s), e.g. 'B' or 'ACD'")
    if any(ch not in LETTERS for ch in letters):
        raise ValueError(f"'{raw}' is not a letter key like 'B' or 'ACD'")
    if len(set(letters)) != len(letters):
        raise ValueError(f"'{raw}' repeats a letter")
    return "".join(sorted(letters))


def index_to_letter(raw: object, n_options: int) -> str:
    """Turn a 0-based option index (SafetyBench's 0→A, 1→B…) into a letter."""
    if isinstance(raw, bool):
        raise ValueError(f"'{raw}' is not a 0-based option index")
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if not isinstance(raw, int):
        raise ValueError(f"'{raw}' is not a 0-based option index (0→A, 1→B, …)")
    if not 0 <= raw < n_options:
        raise ValueError(f"index {raw} is out of range for {n_options} options (0→A … "
                         f"{n_options - 1}→{LETTERS[n_options - 1]})")
    return LETTERS[raw]


def options_from_cell(value: object) -> dict[str, str]:
    """Options from one cell: a list, a {label: text} mapping, a list literal, or a text block.

    Covers MedEthicEval's Python-list strings ("['A.…', 'B.…']"), JSON lists from JSONL, and
    CMExam's "A xxx\\nB yyy" blocks (an option may continue on the next lines).
    """
    if isinstance(value, list | tuple):
        return options_from_list(value)
    if isinstance(value, dict):
        return options_from_mapping(value)
    text = "" if value is None else str(value)
    stripped = text.strip()
    if not stripped:
        raise ValueError("the options are empty")
    if stripped[0] in "[{":
        parsed = _literal(stripped)
        if isinstance(parsed, list | tuple):
            return options_from_list(parsed)
        if isinstance(parsed, dict):
            return options_from_mapping(parsed)
    preamble, options = split_options_text(text)
    if preamble:
        raise ValueError(f"the options have text before option A ('{preamble[:30]}'); each "
                         "option must start with its label (A. / A、 / (A) / A and a space)")
    return options


def _literal(text: str) -> object:
    """A JSON or Python literal (list/dict of strings); ValueError naming the parse problem."""
    import ast
    import json

    try:
        return json.loads(text)
    except ValueError:
        pass
    # A raw line break inside a quoted option (hand-edited in Excel) is not valid Python, so the
    # second attempt escapes line breaks; the first keeps breaks between elements valid.
    attempts = (text, text.replace("\r\n", "\\n").replace("\n", "\\n"))
    reason = ""
    for attempt in attempts:
        try:
            return ast.literal_eval(attempt)
        except (ValueError, SyntaxError, MemoryError, RecursionError) as err:
            reason = err.msg if isinstance(err, SyntaxError) else type(err).__name__
    raise ValueError(f"the options look like a list but cannot be parsed ({reason}); write "
                     "them as ['A.…', 'B.…'] with matching quotes")
