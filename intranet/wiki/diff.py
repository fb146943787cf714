"""A side-by-side diff of two versions of a page, line by line (difflib), as rows a
template shows in an accessible table: each row an old and a new line with their
numbers and what happened to them."""

import difflib
from dataclasses import dataclass
from itertools import takewhile

# Long unchanged stretches fold into one "n unchanged lines" row.
CONTEXT = 3


@dataclass(frozen=True)
class Row:
    kind: str  # "equal", "delete", "insert", "replace", "skip"
    old_number: int | None = None
    old_text: str = ""
    new_number: int | None = None
    new_text: str = ""


def diff_rows(old: str, new: str) -> list[Row]:
    a, b = old.splitlines(), new.splitlines()
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for group in matcher.get_grouped_opcodes(CONTEXT):
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
    removed, added = [], []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
        if line.startswith(("+++", "---", "@@")):
            continue
        (removed if line.startswith("-") else added).append(line[1:])
    a, b = "\n".join(removed), "\n".join(added)
    prefix = _shared(a, b)
    a, b = a[prefix:], b[prefix:]
    suffix = _shared(a[::-1], b[::-1])
    return max(len(a), len(b)) - suffix


def _shared(a: str, b: str) -> int:
    """How many characters a and b share at their start."""
    return sum(1 for _ in takewhile(lambda pair: pair[0] == pair[1], zip(a, b, strict=False)))
