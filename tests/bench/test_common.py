"""bench/common.py: the percentile every suite reports and where a run's output goes."""

import json

import pytest

from bench import common


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [(0.5, 50), (0.95, 95), (0.99, 99), (1.0, 100), (0.0, 1), (0.001, 1)],
)
def test_percentile_is_the_nearest_rank(fraction, expected):
    assert common.percentile(list(range(100, 0, -1)), fraction) == expected


def test_percentile_of_nothing_is_none_and_ms_rounds_seconds():
    assert common.percentile([], 0.5) is None
    assert common.percentile_ms([], 0.5) is None
    assert common.percentile_ms([0.0123456, 0.002], 0.99) == 12.35


@pytest.fixture
def results(tmp_path, monkeypatch):
    """RESULTS and its raw folder in a temporary folder, and a fixed commit."""
    monkeypatch.setattr(common, "RESULTS", tmp_path)
    monkeypatch.setattr(common, "RAW", tmp_path / "tmp")
    monkeypatch.setenv("BENCH_COMMIT", "abc1234")
    return tmp_path


def test_a_run_writes_raw_files_apart_and_appends_one_history_line(results):
    for label in ("first", "second"):
        run = common.Run("suite", "S", label=label)
        run.add({"id": "suite.figure", "value": 1.5, "commit": run.commit, "date": run.date})
        run.write("-explain.txt", "plan")
        run.finish("# summary\n", facts={"agents": 10})

    raw = sorted(p.name for p in (results / "tmp").iterdir())
    assert raw == [
        f"suite-S-{run.date}-{label}{suffix}"
        for label in ("first", "second")
        for suffix in ("-explain.txt", ".jsonl", ".md")
    ]
    lines = [json.loads(x) for x in (results / "suite-history.jsonl").read_text().splitlines()]
    assert [line["label"] for line in lines] == ["first", "second"]
    assert lines[0]["commit"] == "abc1234" and lines[0]["facts"] == {"agents": 10}
    assert lines[0]["figures"] == [{"id": "suite.figure", "value": 1.5}]
    assert sorted(p.name for p in results.iterdir()) == ["suite-history.jsonl", "tmp"]


def test_a_trial_run_leaves_the_history_alone(results):
    run = common.Run("suite", "S", history=False)
    run.add({"id": "suite.figure", "value": 1})
    run.finish("# summary\n")
    assert not (results / "suite-history.jsonl").exists()
    assert (results / "tmp" / f"suite-S-{run.date}.jsonl").exists()
