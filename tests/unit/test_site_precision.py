"""The speed-up page's helpers (``scratchnlp._site.precision``): float16 storage, weight noise, rounding errors in
sums, lost SGD updates, the batch-size measurements, their decisions and wording, and the figures."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from scratchnlp._site import precision
from scratchnlp.models import Rnnlm, TwoLayerNet
from scratchnlp.optim import SGD


def _net(seed: int = 0) -> TwoLayerNet:
    return TwoLayerNet(2, 5, 3, seed=seed)


# --- storage ---------------------------------------------------------------------------------------------


def test_stored_as_rounds_through_the_dtype(tmp_path):
    net = _net()
    copy = precision.stored_as(net, np.float16, lambda: _net(seed=1), tmp_path)
    for a, b in zip(net.params, copy.params):
        assert b.dtype == np.float32
        np.testing.assert_array_equal(b, a.astype(np.float16).astype(np.float32))
    exact = precision.stored_as(net, np.float32, lambda: _net(seed=2), tmp_path)
    for a, b in zip(net.params, exact.params):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="existing folder"):
        precision.stored_as(net, np.float16, _net, tmp_path / "missing")


# --- weight noise ------------------------------------------------------------------------------------------


def _sum_of_squares(model) -> float:
    return float(sum(float(np.sum(p.astype(np.float64) ** 2)) for p in model.params))


def test_noise_curve_perturbs_by_the_level_and_restores_the_weights():
    net = _net()
    before = [p.copy() for p in net.params]
    seen = []

    def score(model):
        seen.append(max(float(np.max(np.abs(p / w - 1))) for p, w in zip(model.params, before) if np.all(w != 0)))
        return _sum_of_squares(model)

    curve = precision.noise_curve(net, score, [1e-3, 1e-1], seeds=[0, 1])
    assert curve.scores.shape == (2, 2) and curve.levels == (1e-3, 1e-1) and curve.seeds == (0, 1)
    assert curve.baseline == pytest.approx(_sum_of_squares(net))
    # the scores are computed without noise first, then each seed over every level
    assert seen[0] == 0 and seen[1] <= 1e-3 * (1 + 1e-6) and 1e-2 < seen[2] <= 1e-1 * (1 + 1e-6)
    for p, w in zip(net.params, before):
        np.testing.assert_array_equal(p, w)
    again = precision.noise_curve(net, _sum_of_squares, [1e-3, 1e-1], seeds=[0, 1])
    np.testing.assert_array_equal(again.scores, curve.scores)  # the same seeds, the same noise


def test_noise_curve_restores_the_weights_when_scoring_fails():
    net = _net()
    before = [p.copy() for p in net.params]
    calls = []

    def failing(model):
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("boom")
        return 1.0

    with pytest.raises(RuntimeError, match="boom"):
        precision.noise_curve(net, failing, [0.5])
    for p, w in zip(net.params, before):
        np.testing.assert_array_equal(p, w)


@pytest.mark.parametrize("levels, message", [([], "increasing"), ([1e-2, 1e-3], "increasing"),
                                             ([0.0, 1e-3], "positive"), ([1e-3, math.inf], "positive")])
def test_noise_curve_refuses_bad_levels(levels, message):
    with pytest.raises(ValueError, match=message):
        precision.noise_curve(_net(), _sum_of_squares, levels)


def test_noise_curve_wants_seeds_and_numbers():
    with pytest.raises(ValueError, match="at least one seed"):
        precision.noise_curve(_net(), _sum_of_squares, [1e-3], seeds=[])
    with pytest.raises(TypeError, match="a number"):
        precision.noise_curve(_net(), _sum_of_squares, ["0.1"])


def _curve(means, levels=(1e-4, 1e-3, 1e-2, 1e-1), higher=False, baseline=100.0):
    worse = np.asarray(means, dtype=float)[:, None] + np.array([[-0.0001, 0.0, 0.0001]])
    scores = baseline * (1 - worse) if higher else baseline * (1 + worse)
    return precision.NoiseCurve(tuple(levels), (0, 1, 2), scores, baseline, higher)


def test_noise_tolerance_finds_the_crossing_on_a_log_axis():
    tol = precision.noise_tolerance(_curve([0.0, 0.0, 0.005, 0.02]), rise=0.01, reference=1e-3)
    assert tol.verdict == "below"
    assert tol.threshold == pytest.approx(10 ** (-2 + 1 / 3))  # a third of the way from 0.005 to 0.02
    assert tol.margin == pytest.approx(tol.threshold / 1e-3)
    assert tol.at_reference == pytest.approx(0.0)
    assert tol.spread == pytest.approx((-0.0001, 0.0001))
    text = precision.noise_text(tol, "perplexity")
    assert text.startswith("At float16's rounding level (1.0e-03) the noise makes the perplexity worse by 0.000%")
    assert "it takes relative noise of 2.2e-02, 22 times as large, to make it 1% worse." in text


def test_noise_tolerance_never_and_above():
    never = precision.noise_tolerance(_curve([0.0, 0.0, 0.001, 0.004]), reference=1e-3)
    assert never.verdict == "never" and never.threshold is None and never.margin == pytest.approx(100)
    assert "even the largest noise tried (1e-01, 100 times float16's rounding) makes it only 0.40% worse" in (
        precision.noise_text(never, "perplexity"))
    above = precision.noise_tolerance(_curve([0.0, 0.02, 0.05, 0.1]), reference=1e-3)
    assert above.verdict == "above"
    assert precision.noise_text(above, "perplexity").endswith("float16 storage is not harmless for this model.")
    # an accuracy that falls is a worsening too
    acc = precision.noise_tolerance(_curve([0.0, 0.0, 0.005, 0.02], higher=True, baseline=0.9), reference=1e-3)
    assert acc.verdict == "below" and acc.threshold == pytest.approx(10 ** (-2 + 1 / 3))


def test_noise_tolerance_refuses_a_reference_outside_the_levels():
    with pytest.raises(ValueError, match="outside the levels"):
        precision.noise_tolerance(_curve([0, 0, 0, 0]), reference=1.0)
    with pytest.raises(ValueError, match="positive"):
        precision.noise_tolerance(_curve([0, 0, 0, 0]), rise=0)


def test_noise_curve_of_a_language_model_moves_less_with_less_noise():
    model = Rnnlm(50, 8, 8, seed=0)
    corpus = np.random.default_rng(0).integers(0, 50, 400)
    from functools import partial

    from scratchnlp.training import eval_perplexity

    curve = precision.noise_curve(model, partial(eval_perplexity, corpus=corpus), [1e-4, 1e-1], seeds=[0])
    assert 0 < abs(curve.worsening[0, 0]) < abs(curve.worsening[1, 0]) / 10


# --- rounding errors in sums -----------------------------------------------------------------------------------


def test_fan_in_errors_stay_flat_for_zero_mean_terms_and_fall_for_same_sign_terms():
    fan_ins = [10, 100, 1000, 10000]
    zero = precision.fan_in_errors(fan_ins, terms="zero_mean", trials=100, seed=0)
    same = precision.fan_in_errors(fan_ins, terms="same_sign", trials=100, seed=0)
    assert zero.shape == same.shape == (4,)
    assert np.all((zero > 1e-4) & (zero < precision.FLOAT16_ROUNDING))  # the size of one weight's rounding
    assert same[-1] < same[0] / 10
    np.testing.assert_array_equal(zero, precision.fan_in_errors(fan_ins, terms="zero_mean", trials=100, seed=0))
    flat = precision.fan_in_trend(fan_ins, zero, terms="zero_mean")
    falls = precision.fan_in_trend(fan_ins, same, terms="same_sign")
    assert flat.verdict == "flat" and falls.verdict == "falls_sqrt"
    assert precision.fan_in_text(flat).startswith("For zero-mean terms the relative error stays flat")
    assert precision.fan_in_text(falls).startswith("For same-sign terms it falls like 1/√n, from")


def test_fan_in_trend_every_verdict():
    n = [10, 100, 1000]
    assert precision.fan_in_trend(n, [1e-4, 1e-4, 1e-4], terms="zero_mean").verdict == "flat"
    assert precision.fan_in_trend(n, [1e-2, 1e-3, 1e-4], terms="same_sign").verdict == "falls"
    rises = precision.fan_in_trend(n, [1e-4, 1e-3, 1e-2], terms="same_sign")
    assert rises.verdict == "rises" and rises.slope == pytest.approx(1.0)
    assert precision.fan_in_text(rises) == ("For same-sign terms it rises from 1.0e-04 at a fan-in of 10 to 1.0e-02 "
                                            "at 1,000 (slope +1.00).")
    assert "falls from 1.0e-02" in precision.fan_in_text(precision.fan_in_trend(n, [1e-2, 1e-3, 1e-4],
                                                                                terms="same_sign"))


def test_fan_in_checks():
    with pytest.raises(ValueError, match="'zero_mean' or 'same_sign'"):
        precision.fan_in_errors([10], terms="positive")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="increasing"):
        precision.fan_in_errors([100, 10], terms="zero_mean")
    with pytest.raises(ValueError, match="trials"):
        precision.fan_in_errors([10], terms="zero_mean", trials=1)
    with pytest.raises(ValueError, match="one error per fan-in"):
        precision.fan_in_trend([10, 100], [1e-4], terms="zero_mean")
    with pytest.raises(ValueError, match="positive errors"):
        precision.fan_in_trend([10, 100], [1e-4, 0.0], terms="zero_mean")


# --- lost updates --------------------------------------------------------------------------------------------


def test_float16_stored_sgd_rounds_the_weights_after_each_update():
    w = np.array([1.0, 1.0, 0.5], dtype=np.float32)
    g = np.array([-0.0001, -0.01, 0.0], dtype=np.float32)  # the first step is below half float16's spacing at 1
    precision.Float16StoredSGD(1.0).update([w], [g])
    assert w.dtype == np.float32
    np.testing.assert_array_equal(w, np.array([1.0, 1.0 + 0.01, 0.5], dtype=np.float16).astype(np.float32))
    plain = np.array([1.0, 1.0, 0.5], dtype=np.float32)
    SGD(1.0).update([plain], [g])
    assert plain[0] != 1.0  # float32 keeps the small step


def test_lost_updates_counts_the_updates_rounding_throws_away():
    p = np.array([1.0, 1.0, 1.0, 1.0], dtype=np.float32)
    # at lr 1, from a weight of 1 (float16 spacing 2**-11 below it, 2**-10 above): lost, kept, none, kept
    g = np.array([1e-4, 1e-2, 0.0, -6e-4], dtype=np.float32)
    lost = precision.lost_updates([p], [g], 1.0)
    assert lost.n == 3 and lost.lost == pytest.approx(1 / 3)
    assert lost.length_lost == pytest.approx(1e-4 / math.sqrt(1e-8 + 1e-4 + 3.6e-7), rel=1e-5)
    assert precision.lost_updates_text(lost) == ("At a learning rate of 1, 33% of the 3 nonzero updates are rounded "
                                                 "away, but they carry only 1.00% of the update's length.")
    small = precision.lost_updates([p], [g], 0.01)  # every step below 2**-11
    assert small.lost == 1.0 and small.length_lost == pytest.approx(1.0)
    assert precision.lost_updates_text(small).endswith("and they carry 100% of the update's length.")


def test_lost_updates_checks():
    p = np.ones(3, np.float32)
    with pytest.raises(ValueError, match="pair up"):
        precision.lost_updates([p], [], 1.0)
    with pytest.raises(ValueError, match="shape"):
        precision.lost_updates([p], [np.ones(2, np.float32)], 1.0)
    with pytest.raises(ValueError, match="every gradient is zero"):
        precision.lost_updates([p], [np.zeros(3, np.float32)], 1.0)
    with pytest.raises(ValueError, match="positive"):
        precision.lost_updates([p], [p], -1.0)


def test_clipped_gradients_are_copies_clipped_to_the_norm():
    model = Rnnlm(30, 4, 4, seed=0)
    xs = np.random.default_rng(0).integers(0, 30, (2, 5))
    params, grads = precision.clipped_gradients(model, (xs, xs), max_grad=1e-3)
    assert len(params) == len(grads) and all(g is not m for g, m in zip(grads, model.grads))
    norm = math.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads))
    assert norm == pytest.approx(1e-3, rel=1e-3)
    _, raw = precision.clipped_gradients(model, (xs, xs))
    assert math.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in raw)) > 1e-3


def test_compare_runs_every_verdict():
    same = precision.compare_runs([5.0, 4.0, 3.0, 3.0, 3.0], [5.0, 4.0, 3.0, 3.02, 3.01])
    assert same.verdict == "same" and same.reference == pytest.approx(3.0)
    assert precision.runs_text(same, 140) == (
        "After 140 iterations the loss of the run with float16 weights is 3.010 against 3.000 in float32 (mean of "
        "the last 3 records): the lost updates did not slow this training down.")
    behind = precision.compare_runs([3.0] * 3, [3.5] * 3)
    assert behind.verdict == "behind" and "fell behind" in precision.runs_text(behind, 10)
    ahead = precision.compare_runs([3.0] * 3, [2.5] * 3)
    assert ahead.verdict == "ahead" and "happens to be lower" in precision.runs_text(ahead, 10)
    assert precision.compare_runs([3.0] * 3, [math.nan] * 3).verdict == "behind"
    with pytest.raises(ValueError, match="at least 3 points"):
        precision.compare_runs([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="window"):
        precision.compare_runs([1.0], [1.0], window=0)


# --- batch size ----------------------------------------------------------------------------------------------


def test_matmul_rates_measures_every_batch_size():
    here = precision.matmul_rates([1, 4, 16], 8, repeats=1, min_seconds=1e-4, blas_threads=None)
    assert list(here) == [1, 4, 16] and all(r > 0 and math.isfinite(r) for r in here.values())
    cold = precision.matmul_rates([1, 2], 8, from_memory=True, repeats=1, min_seconds=1e-4, blas_threads=None)
    assert list(cold) == [1, 2] and all(r > 0 for r in cold.values())
    apart = precision.matmul_rates([1, 4], 8, repeats=1, min_seconds=1e-4)  # in a process with one BLAS thread
    assert list(apart) == [1, 4] and all(r > 0 and math.isfinite(r) for r in apart.values())


@pytest.mark.parametrize("kwargs, message", [
    ({"batch_sizes": [4, 1]}, "increasing"), ({"hidden": 0}, "hidden"), ({"repeats": 0}, "repeats"),
    ({"seed": -1}, "seed"), ({"blas_threads": 0}, "blas_threads"), ({"min_seconds": 0.0}, "positive"),
])
def test_matmul_rates_checks(kwargs, message):
    args = {"batch_sizes": [1], "hidden": 8, **kwargs}
    with pytest.raises(ValueError, match=message):
        precision.matmul_rates(args.pop("batch_sizes"), args.pop("hidden"), **args)


def test_rate_gain_every_verdict():
    rises = precision.rate_gain({1: 2.0, 4: 10.0, 16: 40.0, 64: 50.0})
    assert rises.verdict == "rises" and rises.gain == pytest.approx(25.0) and rises.half_batch == 16
    assert precision.rate_gain_text(rises, 100, from_memory=True) == (
        "With the weights read from main memory at H = 100, the product does 25.0 times as many GFLOP/s at batch 64 "
        "as at batch 1 (2 against 50), and half its peak from batch 16 on.")
    flat = precision.rate_gain({1: 10.0, 8: 12.0})
    assert flat.verdict == "flat"
    assert precision.rate_gain_text(flat, 8, from_memory=False).startswith(
        "With the weights in the cache at H = 8, the product runs at about the same speed")
    falls = precision.rate_gain({1: 10.0, 8: 2.0})
    assert falls.verdict == "falls" and "fewer GFLOP/s at batch 8" in precision.rate_gain_text(falls, 8,
                                                                                               from_memory=True)
    assert precision.rates_explanation([rises]).startswith("With one row, each weight read serves one multiplication "
                                                           "and one addition, so the product runs at the speed")
    assert "Not every curve with the weights read from main memory rises here" in precision.rates_explanation(
        [rises, flat])
    with pytest.raises(ValueError, match="at least one"):
        precision.rates_explanation([])
    with pytest.raises(ValueError, match="empty"):
        precision.rate_gain({})
    with pytest.raises(ValueError, match="positive and finite"):
        precision.rate_gain({1: 0.0})
    with pytest.raises(ValueError, match="at least 1"):
        precision.rate_gain({1: 1.0}, same=0.5)


def _runs():
    # batch 10: learns most per epoch but slowly; batch 100: fast but learns little per epoch
    losses = {10: [[1.0, 0.5, 0.2], [1.0, 0.6, 0.3]], 30: [[1.0, 0.8, 0.6], [1.0, 0.7, 0.5]],
              100: [[1.0, 0.95, 0.9], [1.0, 0.9, 0.9]]}
    seconds = {10: [[1.0, 1.0, 1.0]] * 2, 30: [[0.3, 0.3, 0.3]] * 2, 100: [[0.1, 0.1, 0.1]] * 2}
    return losses, seconds


def test_compare_batches_per_epoch_and_per_second():
    losses, seconds = _runs()
    c = precision.compare_batches(losses, seconds)
    assert c.epochs == 3 and c.best_per_epoch == 10
    assert c.final == pytest.approx({10: 0.25, 30: 0.55, 100: 0.9})
    assert c.spread[10] == pytest.approx((0.2, 0.3))
    assert c.seconds == pytest.approx({10: 1.0, 30: 0.3, 100: 0.1})
    assert c.budget == pytest.approx(0.3)  # the fastest run, batch 100, took 0.3 s
    # batch 10 had not finished its first epoch (counted at its loss), batch 30 had just finished its first
    assert c.within_budget == pytest.approx({10: 1.0, 30: 1.0, 100: 0.9})
    assert c.per_second == "differ" and c.best_per_second == 100  # 1.0 is 11% above 0.9, beyond the 10% allowed
    assert precision.batches_text(c) == (
        "After 3 epochs the smallest batch, 10, reaches the lowest loss (0.250, against 0.900 for batch 100), but an "
        "epoch takes it 10 times as long as with batch 100. In the time the fastest run needed for its epochs "
        "(0.3 s), batch 100 got furthest (loss 0.900; the others from 1.000 to 1.000).")
    assert precision.compare_batches(*_runs(), tolerance=0.2).per_second == "same"
    losses[30] = [[1.0, 0.3, 0.1], [1.0, 0.3, 0.1]]
    other = precision.compare_batches(losses, seconds)
    assert other.best_per_epoch == 30
    assert precision.batches_text(other).startswith("After 3 epochs batch 30 reaches the lowest loss (0.100, against")


def test_compare_batches_per_second_verdicts():
    losses = {10: [[1.0, 0.5, 0.2]], 100: [[1.0, 0.9, 0.8]]}
    seconds = {10: [[0.1, 0.1, 0.1]], 100: [[0.05, 0.1, 0.15]]}  # both take 0.3 s in all
    differ = precision.compare_batches(losses, seconds)
    assert differ.budget == pytest.approx(0.3) and differ.within_budget == pytest.approx({10: 0.2, 100: 0.8})
    assert differ.per_second == "differ" and differ.best_per_second == 10
    assert precision.batches_text(differ).endswith(
        "In the time the fastest run needed for its epochs (0.3 s), batch 10 got furthest (loss 0.200; the others "
        "from 0.800 to 0.800).")
    same = precision.compare_batches({10: [[1.0, 0.5, 0.2]], 100: [[1.0, 0.6, 0.21]]}, seconds)
    assert same.per_second == "same"
    assert precision.batches_text(same).endswith(
        "every batch size got about equally far (losses from 0.200 to 0.210).")
    with pytest.raises(ValueError, match="negative"):
        precision.compare_batches(losses, {10: [[0.1, -0.1, 0.1]], 100: seconds[100]})


def test_compare_batches_checks():
    losses, seconds = _runs()
    with pytest.raises(ValueError, match="same, non-empty, batch sizes"):
        precision.compare_batches(losses, {10: seconds[10]})
    losses[10] = [[1.0, 0.5]] * 2
    with pytest.raises(ValueError, match="same seeds and epochs"):
        precision.compare_batches(losses, seconds)


def test_storage_effect_every_verdict_and_its_words():
    same = precision.storage_effect(95.0, 95.0, higher_is_better=True)
    assert same.verdict == "same"
    assert precision.storage_text(same, "AttentionSeq2seq", unit="%") == (
        "For the chapter 8 date reader, float16 storage leaves the share of test dates answered right exactly as it "
        "was: 95.0%.")
    tiny = precision.storage_effect(200.0, 200.004, higher_is_better=False, tolerance=0.01)
    assert tiny.verdict == "negligible"
    assert precision.storage_text(tiny, "Rnnlm", digits=2) == (
        "For the chapter 6 language model, float16 storage changes the test perplexity by 0.004, which is nothing "
        "(200.00 with float32 weights and 200.00 with float16 weights).")
    worse = precision.storage_effect(200.0, 210.0, higher_is_better=False)
    assert worse.verdict == "worse" and worse.relative == pytest.approx(0.05)
    assert "makes the test perplexity worse by 10.0, 5% of it (200.0 with float32" in precision.storage_text(
        worse, "Rnnlm")
    lower_acc = precision.storage_effect(90.0, 80.0, higher_is_better=True)
    assert lower_acc.verdict == "worse"
    assert "worse by 10.0 percentage points, 11% of it (90.0% with float32" in precision.storage_text(
        lower_acc, "CBOW", unit="%")
    better = precision.storage_effect(90.0, 91.0, higher_is_better=True)
    assert better.verdict == "better"
    assert "happens to improve the share of analogies answered right by 1.0 percentage points" in (
        precision.storage_text(better, "CBOW", unit="%"))
    lower_ppl = precision.storage_effect(200.0, 190.0, higher_is_better=False)
    assert lower_ppl.verdict == "better"
    broken = precision.storage_effect(200.0, math.inf, higher_is_better=False)
    assert broken.verdict == "broken"
    assert precision.storage_text(broken, "Rnnlm") == ("For the chapter 6 language model, float16 storage broke the "
                                                       "model: its test perplexity is inf against 200.0.")


def test_throughput_text_and_headers():
    gains = {"Rnnlm": precision.rate_gain({1: 100.0, 64: 500.0}, same=1.2),
             "AttentionSeq2seq": precision.rate_gain({1: 100.0, 256: 110.0}, same=1.2)}
    assert precision.throughput_text(gains) == (
        "From batch 1 to batch 64, the language model processes 5.0 times as many words per second. From batch 1 "
        "to batch 256, the date reader processes about as many dates per second (1.10 times as many).")
    fewer = {"Rnnlm": precision.rate_gain({1: 100.0, 64: 50.0}, same=1.2)}
    assert "processes fewer words per second (0.50 times as many)" in precision.throughput_text(fewer)
    with pytest.raises(ValueError, match="at least one"):
        precision.throughput_text({})
    assert precision.header("lost") == ["learning rate", "updates rounded away",
                                        "share of the update's length they carry"]
    for table, columns in precision.COLUMNS.items():
        assert len(precision.header(table)) == len(columns)
        assert "{source}" not in precision.words(f"{table}.caption", source="S", vocab=1, batches=2)
    with pytest.raises(ValueError, match="no table 'nope'"):
        precision.header("nope")


def test_source_text_both_branches():
    assert precision.source_text(True) == "Computed when this page was built."
    assert precision.source_text(False, "benchmarks/results/x.json") == (
        "Read from the committed file benchmarks/results/x.json, not recomputed when this page was built.")
    with pytest.raises(ValueError, match="path"):
        precision.source_text(False)
    assert precision.source_text(True, lang="ko") == "이 페이지를 빌드할 때 계산했다."
    assert precision.source_text(False, "x.json", lang="ko").startswith("저장소에 커밋된 파일 x.json에서 읽었으며")
    with pytest.raises(ValueError, match="no wording 'source.built' for language 'fr'"):
        precision.source_text(True, lang="fr")


# --- figures -----------------------------------------------------------------------------------------------------


def test_the_figures_draw_what_they_are_given():
    import matplotlib.pyplot as plt

    curve = _curve([0.0, 0.0, 0.005, 0.02])
    fig = precision.draw_noise_curve(curve, "perplexity")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_ylabel() == "perplexity"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["each noise draw", "mean", "no noise",
                                                                    "float16 rounding"]
    plt.close(fig)
    fig = precision.draw_fan_in([10, 100], {"zero_mean": [2e-4, 2e-4], "same_sign": [7e-5, 2e-5]})
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:2] == ["zero-mean terms", "same-sign terms"]
    plt.close(fig)
    fig = precision.draw_matmul_rates({(100, True): {1: 2.0, 4: 8.0}, (100, False): {1: 4.0, 4: 9.0},
                                       (650, True): {1: 1.0, 4: 5.0}})
    lines = fig.axes[0].get_lines()
    assert len(lines) == 3 and lines[0].get_color() == lines[1].get_color() != lines[2].get_color()
    assert lines[0].get_label() == "H = 100, read from main memory"
    plt.close(fig)
    losses, seconds = _runs()
    fig = precision.draw_batch_runs(losses, seconds)
    assert len(fig.axes) == 2 and len(fig.axes[0].get_lines()) == 3
    plt.close(fig)
    fig = precision.draw_throughput({"Rnnlm": {1: 10.0, 4: 30.0}, "AttentionSeq2seq": {1: 5.0, 4: 9.0}})
    assert len(fig.axes) == 2 and fig.axes[0].get_ylabel() == "words per second"
    plt.close(fig)
    fig = precision.draw_runs([10, 20], {"float32": [3.0, 2.0], "float16": [3.0, 2.1]})
    assert len(fig.axes[0].get_lines()) == 2
    plt.close(fig)
    with pytest.raises(ValueError, match="named 'float32' and 'float16'"):
        precision.draw_runs([10], {"bfloat16": [1.0]})
    with pytest.raises(ValueError, match="2 points for 1 iterations"):
        precision.draw_runs([10], {"float32": [1.0, 2.0]})


# --- Korean -------------------------------------------------------------------------------------------------------


def _fields(template):
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _hangul(text):
    return any("\uac00" <= c <= "\ud7a3" for c in text)


def test_every_template_exists_in_every_language_with_the_same_placeholders():
    assert set(precision.TEMPLATES) == {"en", "ko"}
    assert precision.TEMPLATES["en"].keys() == precision.TEMPLATES["ko"].keys()
    for key, english in precision.TEMPLATES["en"].items():
        assert _fields(precision.TEMPLATES["ko"][key]) == _fields(english), key


def test_words_and_headers_follow_the_page_language(monkeypatch):
    monkeypatch.delenv("SCRATCHNLP_LANG", raising=False)
    assert precision.words("noise.metric") == "perplexity"
    assert precision.words("times", ratio=12.34) == "12.3x"
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert precision.words("noise.metric") == "퍼플렉서티"
    assert precision.words("times", ratio=12.34) == "12.3배"
    assert precision.header("lost") == ["학습률", "반올림으로 사라진 갱신", "그 갱신이 차지하는 갱신 길이의 몫"]
    for table, columns in precision.COLUMNS.items():
        assert len(precision.header(table)) == len(columns)
        caption = precision.words(f"{table}.caption", source="S", vocab=10000, batches=3)
        assert _hangul(caption) and caption.endswith(" S")
    assert precision.words("memory.caption", source="S", vocab=10000).startswith("6장 언어 모델의")
    assert precision.header("bench", lang="en")[0] == "what"  # an explicit language wins


def test_storage_text_every_verdict_in_korean():
    same = precision.storage_effect(95.0, 95.0, higher_is_better=True)
    assert precision.storage_text(same, "AttentionSeq2seq", unit="%", lang="ko") == (
        "8장 날짜 변환 모델에서는 float16으로 저장해도 테스트 날짜 정답률 값이 95.0% 그대로다.")
    tiny = precision.storage_effect(200.0, 200.004, higher_is_better=False, tolerance=0.01)
    assert "값이 0.004만큼 바뀌는데" in precision.storage_text(tiny, "Rnnlm", digits=2, lang="ko")
    lower_acc = precision.storage_effect(90.0, 80.0, higher_is_better=True)
    assert "값이 10.0퍼센트포인트, 즉 11%만큼 나빠진다(float32 가중치로 90.0%, float16 가중치로 80.0%)" in (
        precision.storage_text(lower_acc, "CBOW", unit="%", lang="ko"))
    better = precision.storage_effect(90.0, 91.0, higher_is_better=True)
    assert "우연히 1.0퍼센트포인트, 즉 1.1%만큼 좋아진다" in precision.storage_text(better, "CBOW", unit="%",
                                                                                  lang="ko")
    broken = precision.storage_effect(200.0, math.inf, higher_is_better=False)
    assert precision.storage_text(broken, "Rnnlm", lang="ko") == (
        "6장 언어 모델에서는 float16으로 저장하자 모델이 망가졌다(테스트 퍼플렉서티 값이 float32 가중치로 200.0, "
        "float16 가중치로 inf).")


def test_throughput_text_every_verdict_in_korean():
    gains = {"Rnnlm": precision.rate_gain({1: 100.0, 64: 500.0}, same=1.2),
             "AttentionSeq2seq": precision.rate_gain({1: 100.0, 256: 110.0}, same=1.2)}
    assert precision.throughput_text(gains, lang="ko") == (
        "배치를 1에서 64까지 키우면 언어 모델이 1초에 처리하는 단어 수가 5.0배로 늘어난다. 배치를 1에서 256까지 "
        "키워도 날짜 변환 모델이 1초에 처리하는 날짜 수는 거의 그대로다(1.10배).")
    fewer = {"Rnnlm": precision.rate_gain({1: 100.0, 64: 50.0}, same=1.2)}
    assert "단어 수가 오히려 줄어든다(0.50배)" in precision.throughput_text(fewer, lang="ko")


def _noise_tolerance(cls, verdict, fields):
    return cls(verdict=verdict, threshold=None if verdict != "below" else fields["threshold"],
               **{k: v for k, v in fields.items() if k != "threshold"})


def _fan_in_trend(verdict, terms):
    return precision.FanInTrend(terms=terms, verdict=verdict, slope=-0.5, first_n=10, last_n=10_000, first=2e-4,
                                last=1.9e-4)


def _run_comparison(verdict):
    return precision.RunComparison(verdict=verdict, reference=5.0, other=5.2, difference=0.04, window=3,
                                   tolerance=0.01)


def test_every_sentence_in_korean():
    """Every verdict of every sentence function, in Korean: filled in, no placeholder left, no English word."""
    import re

    def check(text):
        assert _hangul(text) and "{" not in text, text
        assert not re.search(r"\b(the|of|and|with|at)\b", text), text

    nt = precision.NoiseTolerance
    fields = dict(reference=4.9e-4, at_reference=0.0001, spread=(-0.0001, 0.0003), threshold=0.02, margin=40.0,
                  rise=0.01, largest_level=0.1, largest_change=0.004)
    for verdict in ("below", "never", "above"):
        tolerance = _noise_tolerance(nt, verdict, fields)
        check(precision.noise_text(tolerance, "퍼플렉서티", lang="ko"))
    for verdict in ("flat", "falls_sqrt", "falls", "rises"):
        for terms in ("zero_mean", "same_sign"):
            trend = _fan_in_trend(verdict, terms)
            check(precision.fan_in_text(trend, lang="ko"))
    check(precision.lost_updates_text(precision.LostUpdates(20.0, 1000, 0.3, 0.01), lang="ko"))
    check(precision.lost_updates_text(precision.LostUpdates(0.02, 1000, 0.9, 0.8), lang="ko"))
    for verdict in ("same", "behind", "ahead"):
        check(precision.runs_text(_run_comparison(verdict), 60, lang="ko"))
    rises = precision.rate_gain({1: 1.0, 256: 20.0})
    check(precision.rates_explanation([rises], lang="ko"))
    check(precision.rates_explanation([rises, precision.rate_gain({1: 1.0, 256: 1.0})], lang="ko"))
    for curve in ({1: 1.0, 256: 20.0}, {1: 1.0, 256: 1.05}, {1: 2.0, 256: 1.0}):
        for from_memory in (True, False):
            check(precision.rate_gain_text(precision.rate_gain(curve), 100, from_memory=from_memory, lang="ko"))
    import dataclasses

    losses, seconds = _runs()
    comparison = precision.compare_batches(losses, seconds)
    for best in (10, 30):
        for per_second in ("same", "differ"):
            text = precision.batches_text(dataclasses.replace(comparison, best_per_epoch=best, per_second=per_second),
                                          lang="ko")
            check(text)
            assert ("가장 작은 배치인 배치 10" in text) == (best == 10)


def test_the_figures_draw_korean_labels():
    import matplotlib.pyplot as plt

    fig = precision.draw_noise_curve(_curve([0.0, 0.0, 0.005, 0.02]), "퍼플렉서티", lang="ko")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "퍼플렉서티" and ax.get_xlabel() == "상대 가중치 잡음 r"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["잡음 표본 하나", "평균", "잡음 없음",
                                                                    "float16 반올림"]
    plt.close(fig)
    fig = precision.draw_matmul_rates({(100, True): {1: 2.0, 4: 8.0}, (100, False): {1: 4.0, 4: 9.0}}, lang="ko")
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["H = 100, 주 메모리", "H = 100, 캐시"]
    plt.close(fig)
    fig = precision.draw_throughput({"Rnnlm": {1: 10.0, 4: 30.0}}, lang="ko")
    assert fig.axes[0].get_ylabel() == "초당 처리한 단어 수"
    plt.close(fig)
