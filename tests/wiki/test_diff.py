"""The side-by-side diff in bounded time: unchanged lines at both ends set aside, a
changed stretch too long to match line by line shown as one replacement; the opcodes
still rebuild the new text from the old, as difflib's do."""

import random

from intranet.wiki import diff


def _check(old: str, new: str) -> list:
    rows = diff.diff_rows(old, new)
    a, b = old.splitlines(), new.splitlines()
    for row in rows:
        if row.old_number is not None:
            assert a[row.old_number - 1] == row.old_text
        if row.new_number is not None:
            assert b[row.new_number - 1] == row.new_text
        if row.kind == "equal":
            assert row.old_text == row.new_text
    return rows


def test_rows_match_difflib_on_random_small_texts():
    rng = random.Random(19)
    for _ in range(500):
        a = [rng.choice("abcde") for _ in range(rng.randrange(0, 15))]
        b = [rng.choice("abcde") for _ in range(rng.randrange(0, 15))]
        ours = diff.opcodes(a, b)
        changed = [c for c in ours if c[0] != "equal"]
        # The opcodes rebuild b from a, as difflib's do.
        rebuilt = []
        for tag, i1, i2, j1, j2 in ours:
            rebuilt += a[i1:i2] if tag == "equal" else b[j1:j2]
            if tag == "equal":
                assert a[i1:i2] == b[j1:j2]
        assert rebuilt == b and bool(changed) == (a != b)
        _check("\n".join(a), "\n".join(b))


def test_one_changed_line_in_a_long_page_shows_only_its_context():
    lines = [f"ligne {n}" for n in range(20_000)]
    new = list(lines)
    new[10_000] = "ligne changée"
    rows = _check("\n".join(lines), "\n".join(new))
    assert [r.kind for r in rows].count("replace") == 1
    assert len(rows) == 1 + 2 * diff.CONTEXT + 1  # "skipped", context, the line, context


def test_a_page_rewritten_from_top_to_bottom_is_one_replacement():
    rng = random.Random(1)
    old = "\n".join(f"a {rng.random()}" for _ in range(5_000))
    new = "\n".join(f"b {rng.random()}" for _ in range(5_000))
    assert diff.MAX_PAIRS < 5_000 * 5_000
    rows = _check(old, new)
    assert len(rows) == 5_000 and {r.kind for r in rows} == {"replace"}


def test_changed_chars_counts_a_typo_not_the_page():
    body = "\n".join(f"paragraphe {n} " * 20 for n in range(200))
    assert diff.changed_chars(body, body.replace("paragraphe 100 ", "paragrafe 100 ", 1)) < 5
    assert diff.changed_chars(body, body) == 0
