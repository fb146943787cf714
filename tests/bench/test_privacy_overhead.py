"""bench/privacy/overhead.py's statistics: per-pair ratios, the bootstrap interval of
their median and the verdict against the 5 % target."""

from bench.privacy.overhead import bootstrap_ci, pairs_run, ratios, verdict


def test_ratios_are_per_pair_candidate_over_baseline():
    rounds = [
        {"base": ([1.0, 1.0], [0.5, 0.5]), "cand": ([1.1, 1.1], [0.5, 0.5])},
        {"base": ([2.0], [1.0]), "cand": ([1.0], [1.5])},
    ]
    assert [round(r, 3) for r in ratios(rounds, 0)] == [0.1, -0.5]
    assert [round(r, 3) for r in ratios(rounds, 1)] == [0.0, 0.5]


def test_the_interval_holds_the_median_and_narrows_with_agreeing_pairs():
    noisy = [0.02, -0.4, 0.5, 0.03, 0.01, -0.2, 0.3, 0.04, 0.0, 0.02]
    low, high = bootstrap_ci(noisy)
    assert low <= 0.02 <= high and high - low > 0.02
    steady = [0.01, 0.012, 0.009, 0.011, 0.01, 0.013, 0.008, 0.01, 0.011, 0.01]
    low, high = bootstrap_ci(steady)
    assert 0.008 <= low <= high <= 0.013
    assert bootstrap_ci(noisy) == bootstrap_ci(noisy)  # seeded


def test_the_verdict_needs_the_whole_interval():
    assert verdict(-0.01, 0.04) == "met"
    assert verdict(0.06, 0.09) == "missed"
    assert verdict(-0.02, 0.08).startswith("not shown")


def test_pairs_alternate_their_order():
    calls = []
    rounds = pairs_run(lambda: calls.append("A"), lambda: calls.append("B"), requests=1, pairs=4)
    assert calls == ["A", "B", "A", "B", "B", "A", "A", "B", "B", "A"]
    assert len(rounds) == 4 and all(len(p["base"][0]) == 1 for p in rounds)
