"""Chapters 1 to 3's page helpers: finite-difference errors, the network without its sigmoid, the scaled loss,
AdaGrad's step multipliers, word vectors against human scores, the SVD's growth, the toy word2vec's groups and
timings, every decision and every branch of its wording."""

from __future__ import annotations

import math
import re
import string

import numpy as np
import pytest

from scratchnlp import functions, optim
from scratchnlp._site import foundations as site
from scratchnlp.datasets import spiral
from scratchnlp.layers import Sigmoid
from scratchnlp.models import SimpleCBOW, SimpleSkipGram, TwoLayerNet
from scratchnlp.text import create_contexts_target, preprocess


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch):
    monkeypatch.delenv("SCRATCHNLP_LANG", raising=False)


@pytest.fixture(scope="module")
def spiral_data():
    x, t = spiral.load_data(seed=1984)
    return x[::5], t[::5]  # 60 points: quick runs


@pytest.fixture(scope="module")
def toy():
    corpus, word_to_id, id_to_word = preprocess("You say goodbye and I say hello.")
    contexts, target = create_contexts_target(corpus, window_size=1)
    return contexts, target, word_to_id, id_to_word


# --- chapter 1: finite differences -------------------------------------------------------------------------------


def test_difference_errors_have_the_textbook_shape():
    steps = np.logspace(-12, -1, 23)
    s = float(functions.sigmoid(np.float64(0.5)))
    exact = s * (1 - s)
    forward = site.difference_errors(functions.sigmoid, exact, 0.5, steps, scheme="forward")
    central = site.difference_errors(functions.sigmoid, exact, 0.5, steps)
    central32 = site.difference_errors(functions.sigmoid, exact, 0.5, steps, dtype=np.float32)
    assert forward.shape == central.shape == steps.shape
    assert central.min() < forward.min() / 10  # the central difference is the more accurate one
    assert np.nanmin(central32) > 100 * central.min()  # float32 loses most digits
    # at large steps the truncation error dominates: forward ~ h, central ~ h^2
    assert forward[-1] > 1e-3 and central[-1] < forward[-1] / 10


def test_difference_errors_reject_bad_input():
    with pytest.raises(ValueError, match="scheme"):
        site.difference_errors(np.sin, 1.0, 0.0, [1e-3], scheme="backward")
    with pytest.raises(ValueError, match="steps"):
        site.difference_errors(np.sin, 1.0, 0.0, [1e-3, 0.0])
    with pytest.raises(ValueError, match="float dtype"):
        site.difference_errors(np.sin, 1.0, 0.0, [1e-3], dtype=np.int32)


def test_error_window_reports_the_neighbourhood_of_the_best_step():
    steps = np.array([1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    errors = np.array([5.0, 2.0, 0.1, 3.0, 9.0])  # a lucky point at 1e-2
    w = site.error_window(steps, errors, factor=10)
    assert (w.best_step, w.best, w.high, w.n_points) == (1e-2, 0.1, 3.0, 3)
    narrow = site.error_window(steps, errors, factor=2)
    assert (narrow.high, narrow.n_points) == (0.1, 1)
    assert site.error_window(steps, [np.nan, 2.0, np.nan, 1.0, 4.0], factor=10).best == 1.0


@pytest.mark.parametrize(("steps", "errors", "factor", "message"), [
    ([1, 2], [1.0], 3, "same length"),
    ([1, 2], [1.0, 2.0], 0.5, ">= 1"),
    ([1, 2], [np.nan, np.nan], 3, "no finite"),
])
def test_error_window_rejects_bad_input(steps, errors, factor, message):
    with pytest.raises(ValueError, match=message):
        site.error_window(steps, errors, factor)


# --- chapter 1: the network without its sigmoid -------------------------------------------------------------------


def test_without_activation_makes_the_network_affine():
    net = site.without_activation(TwoLayerNet(2, 4, 3, seed=0, weight_init_std=1.0))
    assert not any(isinstance(layer, Sigmoid) for layer in net.layers)
    assert any(isinstance(layer, site.Identity) for layer in net.layers)
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((5, 2)).astype(np.float32), rng.standard_normal((5, 2)).astype(np.float32)
    # an affine map f satisfies f((a + b) / 2) = (f(a) + f(b)) / 2
    np.testing.assert_allclose(net.predict((a + b) / 2), (net.predict(a) + net.predict(b)) / 2, atol=1e-5)
    sigmoid_net = TwoLayerNet(2, 4, 3, seed=0, weight_init_std=1.0)
    assert not np.allclose(sigmoid_net.predict((a + b) / 2), (sigmoid_net.predict(a) + sigmoid_net.predict(b)) / 2,
                           atol=1e-3)


def test_identity_layer_passes_gradients_through():
    layer = site.Identity()
    with pytest.raises(Exception, match="before forward"):
        layer.backward(np.ones(3))
    x = np.arange(6.0).reshape(2, 3)
    assert layer.forward(x) is x
    dout = np.ones((2, 3))
    assert layer.backward(dout) is dout
    with pytest.raises(ValueError, match="shape"):
        layer.backward(np.ones(3))


def test_without_activation_rejects_models_it_cannot_change():
    class NoLayers:
        pass

    with pytest.raises(TypeError, match="layers"):
        site.without_activation(NoLayers())
    net = site.without_activation(TwoLayerNet(2, 4, 3))
    with pytest.raises(ValueError, match="no Sigmoid"):
        site.without_activation(net)


def test_accuracy_takes_one_hot_or_ids():
    class Fixed:
        def predict(self, x):
            return np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])

    assert site.accuracy(Fixed(), None, np.array([0, 1, 1])) == pytest.approx(2 / 3)
    assert site.accuracy(Fixed(), None, np.eye(2)[[0, 1, 0]]) == 1.0
    with pytest.raises(ValueError, match="expected scores"):
        site.accuracy(Fixed(), None, np.array([0, 1]))


def test_train_spiral_learns_and_returns_none_when_it_diverges(spiral_data):
    x, t = spiral_data
    run = site.train_spiral(TwoLayerNet(2, 10, 3, seed=0), optim.SGD(lr=1.0), x, t, max_epoch=30, batch_size=10,
                            threshold=10.0)
    assert run is not None and run.trainer.loss_list[-1] < run.trainer.loss_list[0]
    assert run.first_below == run.trainer.history["iteration"][0]  # every loss is below 10
    assert 0 <= run.accuracy <= 1 and run.final_loss == pytest.approx(np.mean(run.trainer.loss_list[-10:]))

    class Diverging:
        params, grads = [np.zeros(2, np.float32)], [np.zeros(2, np.float32)]

        def forward(self, x, t):
            return float("nan")

        def backward(self, dout=1.0):
            return None

    assert site.train_spiral(Diverging(), optim.SGD(lr=1.0), x, t, max_epoch=5, batch_size=10) is None


def test_scaled_loss_scales_the_loss_and_every_gradient(spiral_data):
    x, t = spiral_data
    plain, scaled_net = TwoLayerNet(2, 5, 3, seed=0), TwoLayerNet(2, 5, 3, seed=0)
    scaled = site.ScaledLoss(scaled_net, 100.0)
    assert scaled.params is scaled_net.params and scaled.grads is scaled_net.grads
    loss = plain.forward(x, t)
    plain.backward()
    assert scaled.forward(x, t) == pytest.approx(100 * loss, rel=1e-5)
    scaled.backward()
    for g, g100 in zip(plain.grads, scaled_net.grads, strict=True):
        np.testing.assert_allclose(g100 / 100, g, rtol=1e-3, atol=1e-5)
    np.testing.assert_array_equal(scaled.predict(x), scaled_net.predict(x))
    with pytest.raises(ValueError, match="scale"):
        site.ScaledLoss(plain, 0.0)
    with pytest.raises(TypeError, match="params"):
        site.ScaledLoss(object(), 1.0)


def test_adam_ignores_the_scale_and_sgd_does_not(spiral_data):
    x, t = spiral_data
    moved = {}
    for name, cls, lr in [("SGD", optim.SGD, 1.0), ("Adam", optim.Adam, 0.01)]:
        for scale in (0.01, 1.0):
            net = TwoLayerNet(2, 10, 3, seed=0, weight_init_std=1.0)
            start = [p.copy() for p in net.params]
            site.train_spiral(site.ScaledLoss(net, scale), cls(lr=lr), x, t, max_epoch=2, batch_size=10)
            moved[name, scale] = np.concatenate([(p - p0).ravel() for p, p0 in zip(net.params, start, strict=True)])
    # Adam: the same steps up to its epsilon; SGD: steps 100 times smaller
    assert np.linalg.norm(moved["Adam", 0.01] - moved["Adam", 1.0]) < 0.05 * np.linalg.norm(moved["Adam", 1.0])
    assert np.linalg.norm(moved["SGD", 1.0]) > 5 * np.linalg.norm(moved["SGD", 0.01])


def test_scale_verdict_and_its_wording():
    same = site.scale_verdict("Adam", {1.0: (0.1, 0.99), 0.01: (0.12, 0.99), 100.0: (0.11, 0.99)})
    assert same.outcome == "indifferent" and same.scales == (0.01, 1.0, 100.0) and same.diverged == ()
    close = site.scale_verdict("Adam", {1.0: (0.1, 0.99), 0.01: (0.12, 0.985)})
    assert close.outcome == "indifferent"
    apart = site.scale_verdict("SGD", {0.01: (1.1, 0.45), 1.0: (0.12, 0.96), 100.0: None})
    assert apart.outcome == "sensitive" and apart.diverged == (100.0,)
    assert site.scale_verdict("SGD", {1.0: (0.1, 0.99), 2.0: None}).outcome == "sensitive"
    text = site.scale_text([apart, same, close])
    assert "SGD's result depends on the scale: × 0.01 gives 45.0% (loss 1.100)" in text
    assert "× 100 makes the loss infinite" in text
    assert "99.0% at every scale" in text and "98.5% to 99.0%" in text
    for bad, message in [({}, "at least one"), ({-1.0: (0.1, 0.9)}, "scale")]:
        with pytest.raises(ValueError, match=message):
            site.scale_verdict("SGD", bad)
    with pytest.raises(ValueError, match="at least one"):
        site.scale_text([])


# --- chapter 1: AdaGrad's step multipliers ------------------------------------------------------------------------


def test_step_size_trace_reads_adagrads_h_and_matches_the_trainer(spiral_data):
    x, t = spiral_data
    opt = optim.AdaGrad(lr=0.5)
    net = TwoLayerNet(2, 10, 3, seed=0)
    trace = site.step_size_trace("AdaGrad", net, opt, x, t, max_epoch=4, batch_size=10)
    assert trace.values.shape == (24, 3) and list(trace.iterations) == list(range(1, 25))
    median = trace.quantile(0.5)
    assert np.all(np.diff(median) <= 1e-12)  # AdaGrad's h only grows
    assert np.all(trace.quantile(0.1) <= median) and np.all(median <= trace.quantile(0.9))
    h = np.concatenate([s["h"].ravel() for s in opt.state])
    assert median[-1] == pytest.approx(np.median(0.5 / (np.sqrt(h) + opt.eps)))
    # the same batches as the Trainer with the same seed: the same weights at the end
    reference = TwoLayerNet(2, 10, 3, seed=0)
    site.train_spiral(reference, optim.AdaGrad(lr=0.5), x, t, max_epoch=4, batch_size=10)
    for a, b in zip(net.params, reference.params, strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="no quantile"):
        trace.quantile(0.25)


def test_step_size_trace_rejects_what_it_cannot_trace(spiral_data):
    x, t = spiral_data
    with pytest.raises(ValueError, match="keeps no running h"):
        site.step_size_trace("SGD", TwoLayerNet(2, 3, 3), optim.SGD(), x, t, max_epoch=1, batch_size=10)
    with pytest.raises(ValueError, match="keeps no running h"):
        site.step_size_trace("Adam", TwoLayerNet(2, 3, 3), optim.Adam(), x, t, max_epoch=1, batch_size=10)
    with pytest.raises(ValueError, match="quantiles"):
        site.step_size_trace("AdaGrad", TwoLayerNet(2, 3, 3), optim.AdaGrad(), x, t, max_epoch=1, batch_size=10,
                             quantiles=(1.5,))
    with pytest.raises(ValueError, match="batch_size"):
        site.step_size_trace("AdaGrad", TwoLayerNet(2, 3, 3), optim.AdaGrad(), x, t, max_epoch=1, batch_size=1000)


def test_step_trend_every_outcome_and_the_wording():
    it = np.arange(1, 101)
    shrinks = site.step_trend("AdaGrad", it, 10 / np.sqrt(it))
    assert shrinks.outcome == "shrinks" and shrinks.fall == pytest.approx(10) and shrinks.low_iteration == 100
    assert shrinks.slope == pytest.approx(-0.5)
    dip = np.concatenate([np.linspace(8, 1, 50), np.linspace(1, 6, 50)])
    recovers = site.step_trend("RMSprop", it, dip)
    assert recovers.outcome == "recovers" and recovers.low_iteration == 50
    assert 5.5 < recovers.rise < 6  # the level of the last 5 iterations, not the last value alone
    steady = site.step_trend("RMSprop", it, np.full(100, 3.0))
    assert steady.outcome == "steady"
    text = site.step_trend_text(shrinks, recovers)
    assert text.startswith("AdaGrad's median multiplier fell by a factor of 10.0 from the first iteration")
    assert "RMSprop's median multiplier fell by a factor of 8.0 until iteration 50 and then rose again by a " \
           f"factor of {recovers.rise:.1f}" in text
    spike = site.step_trend("RMSprop", it, np.concatenate([np.full(99, 3.0), [30.0]]))
    assert spike.outcome == "steady"  # one noisy last iteration does not make a recovery
    assert "RMSprop's h forgets old gradients" in text and "t^-0.50" in text
    plain = site.step_trend_text(shrinks, steady)
    assert "stayed within a factor of 2" in plain and "forgets" not in plain
    for bad, message in [(([1, 2, 3], [1, 2, 3]), "at least 4"), (([1, 2, 3, 4], [1, 2, 0, 4]), "> 0")]:
        with pytest.raises(ValueError, match=message):
            site.step_trend("x", *bad)
    with pytest.raises(ValueError, match=">= 1"):
        site.step_trend("x", it, dip, factor=0.5)


# --- chapter 1: hidden sizes and the activation ---------------------------------------------------------------------


def test_hidden_size_verdict_every_branch_and_wording():
    accs = {2: [0.7, 0.75, 0.66], 5: [0.93, 0.95, 0.93], 10: [0.96, 0.97, 0.98], 30: [0.96, 0.97, 0.96]}
    v = site.hidden_size_verdict(accs)
    assert v.rising and v.beyond == ((30, "level"),) and v.n_seeds == 3
    text = site.hidden_size_text(v, n_points=300)
    assert text.startswith("Over 3 seeds, the mean training accuracy rises from 70.3% with 2 units to 97.0% with 10.")
    assert "30 units reach 96.3% (96.0% to 97.0% over the seeds), level with" in text
    assert "-0.7 percentage points" in text and "these 300 points" in text
    above = site.hidden_size_verdict({**accs, 30: [0.99, 0.99, 0.99], 50: [0.9, 0.9, 0.9]})
    assert above.beyond == ((30, "above"), (50, "below"))
    text = site.hidden_size_text(above, n_points=300)
    assert "more than the 10-unit network's 97.0%" in text and "less than the 10-unit network's" in text
    falling = site.hidden_size_verdict({2: [0.9], 5: [0.8], 10: [0.95]})
    assert not falling.rising
    assert "does not rise steadily up to 10 units: 90.0% with 2, 80.0% with 5, 95.0% with 10." in \
        site.hidden_size_text(falling, n_points=300)
    with pytest.raises(ValueError, match="reference"):
        site.hidden_size_verdict({2: [0.9]}, reference=10)
    with pytest.raises(ValueError, match="same number of seeds"):
        site.hidden_size_verdict({2: [0.9], 10: [0.9, 0.8]})


def test_activation_verdict_every_branch_and_wording():
    ahead = site.activation_verdict([0.53, 0.54], [0.96, 0.98], chance=1 / 3)
    assert ahead.outcome == "sigmoid_ahead"
    assert site.activation_text(ahead) == ("Without the sigmoid, the network classifies 53.0% to 54.0% of the points "
                                           "over 2 seeds (guessing would give 33.3%), against 96.0% to 98.0% with it.")
    overlap = site.activation_verdict([0.5, 0.9], [0.8, 0.95], chance=0.5)
    assert overlap.outcome == "overlap" and "the ranges overlap" in site.activation_text(overlap)
    behind = site.activation_verdict([0.9], [0.8], chance=0.5)
    assert behind.outcome == "identity_ahead" and "more than the 80.0%" in site.activation_text(behind)
    with pytest.raises(ValueError, match="chance"):
        site.activation_verdict([0.5], [0.9], chance=1.5)


# --- chapter 2: word vectors against human scores ------------------------------------------------------------------


@pytest.fixture
def word_pairs():
    vocab = {w: i for i, w in enumerate(["cat", "dog", "car", "bus", "tea"])}
    raw = [("cat", "dog", 8.0), ("car", "bus", 7.0), ("cat", "car", 2.0), ("dog", "tea", 1.0), ("cat", "zebra", 5.0)]
    return site.known_pairs("toy set", raw, vocab)


def test_known_pairs_keeps_the_pairs_the_vocabulary_covers(word_pairs):
    assert (word_pairs.n, word_pairs.total) == (4, 5)
    assert list(word_pairs.first) == [0, 2, 0, 1] and list(word_pairs.human) == [8.0, 7.0, 2.0, 1.0]
    with pytest.raises(ValueError, match="only 1 of the 2 pairs"):
        site.known_pairs("tiny", [("cat", "dog", 1.0), ("cat", "emu", 2.0)], {"cat": 0, "dog": 1})


def test_pair_cosines_and_rho(word_pairs):
    M = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1], [0, 0, 0]], dtype=np.int32)  # integer counts work
    cos = site.pair_cosines(M, word_pairs)
    np.testing.assert_allclose(cos, [1 / np.sqrt(2), 1 / np.sqrt(2), 0.0, 0.0])  # tea's zero row gives 0
    assert site.rho(M, word_pairs) == pytest.approx(np.corrcoef([3.5, 3.5, 1.5, 1.5], [4, 3, 2, 1])[0, 1])
    with pytest.raises(ValueError, match="rows"):
        site.pair_cosines(M[:3], word_pairs)
    with pytest.raises(ValueError, match="matrix"):
        site.pair_cosines(np.ones(5), word_pairs)


def test_prefix_rhos_equal_the_rho_of_each_truncation(word_pairs):
    U = np.random.default_rng(0).standard_normal((5, 4))
    rhos = site.prefix_rhos(U, [1, 2, 4], word_pairs)
    for k, r in zip([1, 2, 4], rhos, strict=True):
        assert r == pytest.approx(site.rho(U[:, :k], word_pairs))
    with pytest.raises(ValueError, match="every k"):
        site.prefix_rhos(U, [5], word_pairs)


def test_rho_difference_separates_a_real_gain_from_noise():
    rng = np.random.default_rng(1)
    human = rng.standard_normal(300)
    good = human + 0.3 * rng.standard_normal(300)
    poor = human + 3.0 * rng.standard_normal(300)
    d = site.rho_difference(good, poor, human, n_boot=200)
    assert d.outcome == "ahead" and d.low > 0 and d.value == pytest.approx(d.rho_a - d.rho_b)
    assert site.rho_difference(poor, good, human, n_boot=200).outcome == "behind"
    other = poor + 0.01 * rng.standard_normal(300)
    assert site.rho_difference(other, poor, human, n_boot=200).outcome == "unclear"
    assert site.rho_difference(good, poor, human, n_boot=50, seed=3) == \
        site.rho_difference(good, poor, human, n_boot=50, seed=3)
    for kwargs, message in [({"n_boot": 5}, "n_boot"), ({"level": 1.0}, "level")]:
        with pytest.raises(ValueError, match=message):
            site.rho_difference(good, poor, human, **kwargs)
    with pytest.raises(ValueError, match="same length"):
        site.rho_difference(good[:10], poor, human)


def _difference(low, high, a=0.3, b=0.2):
    return site.RhoDifference(a, b, low, high, 0.9)


def _verdict(word_pairs, rhos, *, ppmi_vs_raw=None, svd_vs_ppmi=None, reference_k=100, ks=(10, 30, 100, 300)):
    return site.dimension_verdict(
        word_pairs, list(ks), rhos, raw=0.15, ppmi=0.25,
        ppmi_vs_raw=ppmi_vs_raw or _difference(-0.01, 0.21, 0.25, 0.15),
        svd_vs_ppmi=svd_vs_ppmi or _difference(-0.09, 0.1, 0.26, 0.25), reference_k=reference_k, vocab_size=10_000)


def test_dimension_verdict_finds_the_plateau(word_pairs):
    v = _verdict(word_pairs, [[0.2, 0.28, 0.26, 0.25], [0.2, 0.27, 0.28, 0.26]])
    assert (v.plateau_k, v.best_k, v.reference_position) == (30, 30, "on_plateau")
    assert v.plateau_low == pytest.approx(0.255) and v.wiggle == pytest.approx(0.02)
    assert v.seed_spread == pytest.approx(0.02)
    assert v.mean[1] == pytest.approx(0.275) and v.low[2] == pytest.approx(0.26) and v.high[2] == pytest.approx(0.28)
    late = _verdict(word_pairs, [0.1, 0.15, 0.2, 0.3])
    assert (late.plateau_k, late.reference_position) == (300, "before_plateau")
    with pytest.raises(ValueError, match="reference_k"):
        _verdict(word_pairs, [0.1, 0.2, 0.3, 0.3], reference_k=50)
    with pytest.raises(ValueError, match="shape"):
        _verdict(word_pairs, [[0.1, 0.2]])
    with pytest.raises(ValueError, match="increasing"):
        _verdict(word_pairs, [0.1, 0.2, 0.3, 0.3], ks=(30, 10, 100, 300))


def test_ppmi_and_dimension_wording_every_branch(word_pairs):
    rhos = [0.2, 0.28, 0.26, 0.25]
    unclear = _verdict(word_pairs, rhos)
    text = site.ppmi_gain_text(unclear)
    assert text.startswith("On the 4 pairs of toy set whose two words are in the vocabulary (of 5)")
    assert "includes zero" in text and "-0.01 to +0.21" in text
    assert "lies above zero" in site.ppmi_gain_text(_verdict(word_pairs, rhos, ppmi_vs_raw=_difference(0.03, 0.2)))
    assert "raw counts agree better" in site.ppmi_gain_text(
        _verdict(word_pairs, rhos, ppmi_vs_raw=_difference(-0.2, -0.03)))
    text = site.dimension_text(unclear)
    assert text.startswith("The SVD vectors' ρ rises with k up to about 30 dimensions; from there to 300 it stays "
                           "between 0.25 and 0.28 (the best, at k = 30).")
    assert "level with the full PPMI rows within the noise (+0.01, interval -0.09 to +0.10)" in text
    assert "in 1% of the numbers" in text and "10,000-long rows" in text
    assert "they are ahead of" in site.dimension_text(_verdict(word_pairs, rhos, svd_vs_ppmi=_difference(0.02, 0.1)))
    assert "fall below" in site.dimension_text(_verdict(word_pairs, rhos, svd_vs_ppmi=_difference(-0.1, -0.02)))
    assert "still rising at the largest k tried, 300" in site.dimension_text(_verdict(word_pairs, [0.1, 0.15, 0.2,
                                                                                                    0.3]))


def test_compromise_wording(word_pairs):
    flat = _verdict(word_pairs, [[0.2, 0.28, 0.26, 0.25], [0.2, 0.26, 0.26, 0.27]])
    also_flat = _verdict(word_pairs, [0.05, 0.13, 0.15, 0.15])
    assert also_flat.plateau_k == 30
    text = site.compromise_text([flat, also_flat])
    assert text.startswith("By the similarity scores of toy set and toy set, 100 is not a balance point")
    assert "from about 30 dimensions" in text and "at most 0.02" in text and "(0.02)" in text
    uneven = _verdict(word_pairs, [[0.2, 0.28, 0.26, 0.24], [0.2, 0.28, 0.26, 0.24]])
    assert "still moves by up to 0.04, more than the seeds" in site.compromise_text([uneven])
    late = _verdict(word_pairs, [0.1, 0.15, 0.2, 0.3])
    assert "fewer than the curves need: they level off only at about 300" in site.compromise_text([flat, late])
    with pytest.raises(ValueError, match="at least one"):
        site.compromise_text([])
    with pytest.raises(ValueError, match="reference_k"):
        site.compromise_text([flat, _verdict(word_pairs, [0.1, 0.2, 0.3, 0.3], reference_k=30)])


def test_svd_products_make_the_randomized_svds_products():
    M = np.random.default_rng(0).standard_normal((40, 40)).astype(np.float32)
    out = site.svd_products(M, 7, 2)
    assert out.shape == (7, 40) and out.dtype == np.float32
    with pytest.raises(ValueError, match="square"):
        site.svd_products(M[:, :30], 7, 2)
    with pytest.raises(ValueError, match="columns"):
        site.svd_products(M, 41, 2)
    with pytest.raises(ValueError, match="n_iter"):
        site.svd_products(M, 7, -1)


def test_growth_verdict_every_branch_and_wording():
    ns = [500, 1000, 2000]
    # products ~ n^2, the rest ~ n: the total grows more slowly than n^2 while the rest dominates
    products = [1e-9 * n**2 for n in ns]
    slower = site.growth_verdict(ns, [p + 1e-4 * n for p, n in zip(products, ns, strict=True)], products)
    assert slower.outcome == "slower" and slower.product_exponent == pytest.approx(2.0)
    assert slower.rest_exponent == pytest.approx(1.0) and slower.share_small < slower.share_large
    text = site.growth_text(slower, columns=110)
    assert "grows like n^1." in text and "n × 110 blocks" in text and "n = 500" in text
    faster = site.growth_verdict(ns, [1e-9 * n**2.6 for n in ns], [0.9e-9 * n**2.6 for n in ns])
    assert faster.outcome == "faster" and "no longer fits in the processor's caches" in site.growth_text(faster,
                                                                                                          columns=110)
    expected = site.growth_verdict(ns, [1e-9 * n**2 for n in ns], [0.8e-9 * n**2 for n in ns])
    assert expected.outcome == "as_expected" and "close to the n²" in site.growth_text(expected, columns=110)
    # a product timed slower than the whole (a busy machine) does not break the fit of the rest
    assert math.isfinite(site.growth_verdict(ns, [1.0, 2.0, 4.0], [1.2, 2.0, 3.0]).rest_exponent)
    # times that do not grow with n say that the machine was too busy to fit anything
    noisy = site.growth_verdict(ns, [9.1, 8.9, 9.5], [0.1, 0.2, 0.5])
    assert noisy.outcome == "noisy"
    assert "times, 9.10, 8.90 and 9.50 s, do not grow steadily" in site.growth_text(noisy, columns=110)
    assert site.growth_verdict(ns, [1.0, 2.0, 4.0], [0.5, 0.4, 2.0]).outcome == "noisy"
    with pytest.raises(ValueError, match="same length"):
        site.growth_verdict(ns, [1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="> 0"):
        site.growth_verdict(ns, [1.0, 0.0, 3.0], [1.0, 2.0, 3.0])


# --- chapter 3 ---------------------------------------------------------------------------------------------------


def test_loss_floor_is_the_conditional_entropy():
    # condition a: outcomes x, y (one each): entropy 2 log 2 summed; condition b: always z
    assert site.loss_floor([("a", "x"), ("a", "y"), ("b", "z")], 3) == pytest.approx(2 * math.log(2) / 3)
    assert site.loss_floor([("a", "x"), ("a", "x")], 2) == 0.0
    with pytest.raises(ValueError, match="n_samples"):
        site.loss_floor([("a", "x")], 0)
    with pytest.raises(ValueError, match="at least one"):
        site.loss_floor([], 1)


def test_context_roles_and_groups_of_the_toy_sentence(toy):
    contexts, target, word_to_id, id_to_word = toy
    roles = site.context_roles(contexts, target, len(word_to_id))
    assert roles.sum() == contexts.size
    assert roles[word_to_id["you"], word_to_id["say"]] == 1
    groups = site.role_groups(roles)
    named = {k: {frozenset((id_to_word[a], id_to_word[b])) for a, b in v} for k, v in groups.groups().items()}
    assert named["identical"] == {frozenset(("you", "hello")), frozenset(("goodbye", "i"))}
    assert frozenset(("say", "and")) in named["shared"] and frozenset(("you", "say")) in named["disjoint"]
    assert sum(len(v) for v in named.values()) == 21  # every pair of the seven words
    with pytest.raises(ValueError, match="word ids"):
        site.context_roles(contexts, target, 3)
    with pytest.raises(ValueError, match="expected contexts"):
        site.context_roles(contexts[:, 0], target, 7)


def test_role_groups_leave_out_words_that_are_never_contexts():
    roles = np.array([[1, 0, 0], [2, 0, 0], [0, 0, 0]])
    groups = site.role_groups(roles)
    assert groups.identical == ((0, 1),) and groups.shared == () and groups.disjoint == ()


def test_group_cosines_average_each_group():
    groups = site.RoleGroups(identical=((0, 1),), shared=((0, 2),), disjoint=())
    W = np.array([[1.0, 0.0], [2.0, 0.0], [1.0, 1.0]])
    cos = site.group_cosines(W, groups)
    assert cos["identical"] == pytest.approx(1.0) and cos["shared"] == pytest.approx(1 / np.sqrt(2))
    assert math.isnan(cos["disjoint"])


def test_identical_roles_give_identical_cbow_vectors(toy):
    """The page's claim: words with identical roles end together whatever the hidden size."""
    contexts, target, word_to_id, _ = toy
    from scratchnlp.optim import Adam
    from scratchnlp.training import Trainer

    groups = site.role_groups(site.context_roles(contexts, target, len(word_to_id)))
    model = SimpleCBOW(len(word_to_id), 20, seed=0)
    Trainer(model, Adam(), seed=0).fit(contexts, target, max_epoch=300, batch_size=3, progress=False)
    assert site.group_cosines(model.word_vecs, groups)["identical"] > 0.99


def test_grouping_verdict_every_branch_and_wording():
    sizes = [2, 10, 50]
    cos = {"identical": [[1.0, 1.0, 0.999]], "shared": [[0.8, 0.5, 0.36]], "disjoint": [[-0.7, -0.4, -0.3]]}
    v = site.grouping_verdict(sizes, cos)
    assert v.together and v.shared_outcome == "falls"
    text = site.grouping_text(v)
    assert "at least 0.999 at every hidden size from 2 to 50" in text
    assert "falls from 0.80 at H = 2 to 0.36 at H = 50" in text
    rises = site.grouping_verdict(sizes, {**cos, "shared": [[0.3, 0.5, 0.6]], "identical": [[0.9, 1, 1]]})
    assert not rises.together and rises.shared_outcome == "rises"
    text = site.grouping_text(rises)
    assert "are not always merged" in text and "rises from 0.30" in text
    flat = site.grouping_verdict(sizes, {**cos, "shared": [[0.5, 0.5, 0.55]]})
    assert flat.shared_outcome == "flat" and "the width matters little" in site.grouping_text(flat)
    with pytest.raises(ValueError, match="needs 'disjoint'"):
        site.grouping_verdict(sizes, {"identical": cos["identical"], "shared": cos["shared"]})
    with pytest.raises(ValueError, match="shape"):
        site.grouping_verdict(sizes, {**cos, "shared": [[0.5, 0.5]]})


def test_step_seconds_times_a_forward_backward_pass(toy):
    contexts, target, word_to_id, _ = toy
    for cls in (SimpleCBOW, SimpleSkipGram):
        model = cls(len(word_to_id), 5, seed=0)
        assert site.forward_backward(model, contexts, target) == pytest.approx(np.log(len(word_to_id)) *
                                                                                (2 if cls is SimpleSkipGram else 1),
                                                                                rel=0.01)
        assert 0 < site.step_seconds(model, contexts, target, repeat=2, number=3) < 1
    with pytest.raises(ValueError, match="repeat"):
        site.step_seconds(model, contexts, target, repeat=0)


def test_speed_verdict_every_branch_and_wording():
    toy_faster = site.speed_comparison("SimpleCBOW", 0.39, "SimpleSkipGram", 0.34)
    assert toy_faster.outcome == "b_faster"
    large_slower = site.speed_comparison("SimpleCBOW", 0.1, "SimpleSkipGram", 0.25)
    assert large_slower.outcome == "a_faster" and large_slower.ratio == pytest.approx(2.5)
    v = site.speed_verdict(toy_faster, large_slower)
    assert v.outcome == "size_dependent"
    text = site.speed_text(v, vocab_size=100_000, batch_size=100, n_contexts=2)
    assert "SimpleSkipGram's training took 0.34 s against SimpleCBOW's 0.39 s" in text
    assert "With 100,000 words and mini-batches of 100, it is the other way round" in text
    assert "250.0 ms against SimpleCBOW's 100.0 ms (2.5 times as long)" in text
    always = site.speed_verdict(site.speed_comparison("SimpleCBOW", 0.3, "SimpleSkipGram", 0.4), large_slower)
    assert always.outcome == "always_slower"
    assert "1.33 times as long" in site.speed_text(always, vocab_size=10, batch_size=1, n_contexts=2)
    level = site.speed_comparison("SimpleCBOW", 0.3, "SimpleSkipGram", 0.31)
    when_large = site.speed_verdict(level, large_slower)
    assert when_large.outcome == "slower_when_large"
    text = site.speed_text(when_large, vocab_size=100_000, batch_size=100, n_contexts=2)
    assert "took about as long" in text and "skip-gram is the slower one" in text and "other way round" not in text
    never = site.speed_verdict(level, site.speed_comparison("SimpleCBOW", 0.2, "SimpleSkipGram", 0.2))
    assert never.outcome == "never_slower"
    text = site.speed_text(never, vocab_size=10, batch_size=1, n_contexts=2)
    assert "took about as long" in text and "was not the slower one" in text
    with pytest.raises(ValueError, match="same two models"):
        site.speed_verdict(toy_faster, site.speed_comparison("CBOW", 1.0, "SkipGram", 2.0))
    with pytest.raises(ValueError, match="seconds_a"):
        site.speed_comparison("a", 0.0, "b", 1.0)


# --- the templates -----------------------------------------------------------------------------------------------


def test_every_template_is_well_formed():
    formatter = string.Formatter()
    for key, template in site.TEMPLATES["en"].items():
        fields = [name for _, name, _, _ in formatter.parse(template) if name is not None]
        assert all(re.fullmatch(r"[A-Za-z_]+", name) for name in fields), (key, fields)


def test_wording_follows_the_page_language(monkeypatch):
    verdict = site.activation_verdict([0.5], [0.9], chance=1 / 3)
    english = site.activation_text(verdict, lang="en")
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    korean = site.activation_text(verdict)
    assert korean == site.activation_text(verdict, lang="ko") != english
    assert "시그모이드" in korean and "50.0%" in korean
    with pytest.raises(ValueError, match="no wording"):
        site.activation_text(verdict, lang="fr")


def _fields(template):
    return sorted(name for _, name, _, _ in string.Formatter().parse(template) if name is not None)


def test_every_template_has_korean_with_the_same_placeholders():
    assert set(site.TEMPLATES) == {"en", "ko"}
    assert site.TEMPLATES["en"].keys() == site.TEMPLATES["ko"].keys()
    for key, english in site.TEMPLATES["en"].items():
        assert _fields(site.TEMPLATES["ko"][key]) == _fields(english), key
        assert not re.search(r"습니다|[^ ]요[.)]", site.TEMPLATES["ko"][key]), key


def _hangul(text):
    return bool(re.search(r"[\uac00-\ud7a3]", text)) and "{" not in text


def test_every_branch_speaks_korean(word_pairs):
    ko = "ko"
    # chapter 1
    accs = {2: [0.7, 0.75, 0.66], 5: [0.93, 0.95, 0.93], 10: [0.96, 0.97, 0.98], 30: [0.96, 0.97, 0.96]}
    text = site.hidden_size_text(site.hidden_size_verdict(accs), n_points=300, lang=ko)
    assert _hangul(text) and "70.3%" in text and "-0.7%p" in text and "300개의 점" in text
    above = site.hidden_size_verdict({**accs, 30: [0.99, 0.99, 0.99], 50: [0.9, 0.9, 0.9]})
    text = site.hidden_size_text(above, n_points=300, lang=ko)
    assert "97.0%보다 높다" in text and "97.0%보다 낮다" in text
    falling = site.hidden_size_verdict({2: [0.9], 5: [0.8], 10: [0.95]})
    assert "(2개에서 90.0%, 5개에서 80.0%, 10개에서 95.0%)" in site.hidden_size_text(falling, n_points=3, lang=ko)
    for ids, sig, chance in [([0.53, 0.54], [0.96, 0.98], 1 / 3), ([0.5, 0.9], [0.8, 0.95], 0.5), ([0.9], [0.8], 0.5)]:
        assert _hangul(site.activation_text(site.activation_verdict(ids, sig, chance=chance), lang=ko))
    same = site.scale_verdict("Adam", {1.0: (0.1, 0.99), 0.01: (0.12, 0.99), 100.0: (0.11, 0.99)})
    close = site.scale_verdict("Adam", {1.0: (0.1, 0.99), 0.01: (0.12, 0.985)})
    apart = site.scale_verdict("SGD", {0.01: (1.1, 0.45), 1.0: (0.12, 0.96), 100.0: None})
    text = site.scale_text([apart, same, close], lang=ko)
    assert "× 0.01에서는 45.0%(손실 1.100)" in text and "× 100에서는 손실이 무한대가 된다" in text
    assert "모든 스케일에서 99.0%" in text and "98.5%~99.0%" in text
    it = np.arange(1, 101)
    shrinks = site.step_trend("AdaGrad", it, 10 / np.sqrt(it))
    recovers = site.step_trend("RMSprop", it, np.concatenate([np.linspace(8, 1, 50), np.linspace(1, 6, 50)]))
    steady = site.step_trend("RMSprop", it, np.full(100, 3.0))
    text = site.step_trend_text(shrinks, recovers, lang=ko)
    assert text.startswith("AdaGrad의 배율 중앙값은") and "50번째 반복까지" in text and "t^-0.50" in text
    assert _hangul(site.step_trend_text(shrinks, steady, lang=ko))
    # chapter 2
    rhos = [0.2, 0.28, 0.26, 0.25]
    for diff in [None, _difference(0.03, 0.2), _difference(-0.2, -0.03)]:
        v = _verdict(word_pairs, rhos) if diff is None else _verdict(word_pairs, rhos, ppmi_vs_raw=diff)
        text = site.ppmi_gain_text(v, lang=ko)
        assert _hangul(text) and "toy set의 쌍 5개" in text
    for diff in [None, _difference(0.02, 0.1), _difference(-0.1, -0.02)]:
        v = _verdict(word_pairs, rhos) if diff is None else _verdict(word_pairs, rhos, svd_vs_ppmi=diff)
        assert _hangul(site.dimension_text(v, lang=ko))
    assert "여전히 오르고" in site.dimension_text(_verdict(word_pairs, [0.1, 0.15, 0.2, 0.3]), lang=ko)
    flat = _verdict(word_pairs, [[0.2, 0.28, 0.26, 0.25], [0.2, 0.26, 0.26, 0.27]])
    uneven = _verdict(word_pairs, [[0.2, 0.28, 0.26, 0.24], [0.2, 0.28, 0.26, 0.24]])
    late = _verdict(word_pairs, [0.1, 0.15, 0.2, 0.3])
    assert site.compromise_text([flat, flat], lang=ko).startswith("toy set 및 toy set의 유사도 점수로 보면")
    assert _hangul(site.compromise_text([uneven], lang=ko)) and "300차원에 이르러서야" in site.compromise_text(
        [flat, late], lang=ko)
    ns = [500, 1000, 2000]
    products = [1e-9 * n**2 for n in ns]
    verdicts = [site.growth_verdict(ns, [p + 1e-4 * n for p, n in zip(products, ns, strict=True)], products),
                site.growth_verdict(ns, [1e-9 * n**2.6 for n in ns], [0.9e-9 * n**2.6 for n in ns]),
                site.growth_verdict(ns, [1e-9 * n**2 for n in ns], [0.8e-9 * n**2 for n in ns]),
                site.growth_verdict(ns, [9.1, 8.9, 9.5], [0.1, 0.2, 0.5])]
    assert [v.outcome for v in verdicts] == ["slower", "faster", "as_expected", "noisy"]
    texts = [site.growth_text(v, columns=110, lang=ko) for v in verdicts]
    assert all(_hangul(t) for t in texts) and "n × 110 블록" in texts[0] and "(9.10, 8.90 및 9.50초)" in texts[3]
    # chapter 3
    sizes = [2, 10, 50]
    cos = {"identical": [[1.0, 1.0, 0.999]], "shared": [[0.8, 0.5, 0.36]], "disjoint": [[-0.7, -0.4, -0.3]]}
    for variant in [cos, {**cos, "shared": [[0.3, 0.5, 0.6]], "identical": [[0.9, 1, 1]]},
                    {**cos, "shared": [[0.5, 0.5, 0.55]]}]:
        assert _hangul(site.grouping_text(site.grouping_verdict(sizes, variant), lang=ko))
    assert "0.80에서 H = 50일 때의 0.36까지" in site.grouping_text(site.grouping_verdict(sizes, cos), lang=ko)
    large_slower = site.speed_comparison("SimpleCBOW", 0.1, "SimpleSkipGram", 0.25)
    level = site.speed_comparison("SimpleCBOW", 0.3, "SimpleSkipGram", 0.31)
    for toy, large in [(site.speed_comparison("SimpleCBOW", 0.39, "SimpleSkipGram", 0.34), large_slower),
                       (site.speed_comparison("SimpleCBOW", 0.3, "SimpleSkipGram", 0.4), large_slower),
                       (level, large_slower),
                       (level, site.speed_comparison("SimpleCBOW", 0.2, "SimpleSkipGram", 0.2))]:
        text = site.speed_text(site.speed_verdict(toy, large), vocab_size=100_000, batch_size=100, n_contexts=2,
                               lang=ko)
        assert _hangul(text) and "단어 100,000개, 미니배치 크기 100" in text
