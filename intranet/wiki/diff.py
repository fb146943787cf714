"""A side-by-side diff of two versions of a page, line by line (difflib), as rows a
template shows in an accessible table: each row an old and a new line with their
numbers and what happened to them."""

import difflib
from dataclasses import dataclass
from itertools import takewhile

# Long unchanged stretches fold into one "n unchanged lines" row.
CONTEXT = 3
# difflib's line matching costs up to (changed old lines) x (changed new lines): beyond
# this many pairs the changed stretch is shown as replaced as a whole (a bounded time for
# any two versions, even of the longest pages, rewritten from top to bottom).
MAX_PAIRS = 250_000


@dataclass(frozen=True)
class Row:
    kind: str  # "equal", "delete", "insert", "replace", "skip"
    old_number: int | None = None
    old_text: str = ""
    new_number: int | None = None
    new_text: str = ""


class _Opcodes(difflib.SequenceMatcher):
    """difflib's grouping (context folding) over opcodes computed beforehand."""

    def __init__(self, opcodes):
        super().__init__(None, [], [])
        self.opcodes = opcodes

    def get_opcodes(self):
        return self.opcodes


def opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes from a to b, in bounded time: the unchanged lines at the start
    and the end (most edits touch a few lines) are set aside before matching, and a
    changed stretch too long to match line by line is one replacement."""
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end = 0
    while end < len(a) - start and end < len(b) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a_mid, b_mid = a[start : len(a) - end], b[start : len(b) - end]
    codes = []
    if start:
        codes.append(("equal", 0, start, 0, start))
    if len(a_mid) * len(b_mid) > MAX_PAIRS:
        codes.append(("replace", start, start + len(a_mid), start, start + len(b_mid)))
    elif a_mid or b_mid:
        matcher = difflib.SequenceMatcher(None, a_mid, b_mid, autojunk=False)
        codes += [
            (tag, i1 + start, i2 + start, j1 + start, j2 + start)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        ]
    if end:
        codes.append(("equal", len(a) - end, len(a), len(b) - end, len(b)))
    return codes or [("equal", 0, 0, 0, 0)]


def diff_rows(old: str, new: str) -> list[Row]:
    a, b = old.splitlines(), new.splitlines()
    rows: list[Row] = []
    for group in _Opcodes(opcodes(a, b)).get_grouped_opcodes(CONTEXT):
        first = group[0]
        if rows or first[1] > 0:
            rows.append(Row("skip"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [
                    Row("equal", i + 1, a[i], j + 1, b[j])
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                ]
                continue
            span = max(i2 - i1, j2 - j1)
            for k in range(span):
                i, j = i1 + k, j1 + k
                old_line = (i + 1, a[i]) if i < i2 else (None, "")
                new_line = (j + 1, b[j]) if j < j2 else (None, "")
                kind = (
                    tag
                    if tag != "replace"
                    else ("replace" if i < i2 and j < j2 else ("delete" if i < i2 else "insert"))
                )
                rows.append(Row(kind, old_line[0], old_line[1], new_line[0], new_line[1]))
    return rows


def changed_chars(old: str, new: str) -> int:
    """About how many characters changed between old and new: the changed lines' text,
    less what the removed and added text share at their start and end (a typo fixed in a
    long line counts for a few characters, not the line)."""
    a_lines, b_lines = old.splitlines(), new.splitlines()
    removed, added = [], []
    for tag, i1, i2, j1, j2 in opcodes(a_lines, b_lines):
        if tag != "equal":
            removed += a_lines[i1:i2]
            added += b_lines[j1:j2]
    a, b = "\n".join(removed), "\n".join(added)
    prefix = _shared(a, b)
    a, b = a[prefix:], b[prefix:]
    suffix = _shared(a[::-1], b[::-1])
    return max(len(a), len(b)) - suffix


def _shared(a: str, b: str) -> int:
    """How many characters a and b share at their start."""
    return sum(1 for _ in takewhile(lambda pair: pair[0] == pair[1], zip(a, b, strict=False)))
