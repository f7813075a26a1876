"""Appendix C's and chapter 5's page helpers: the recurrent model and the delayed echo, reading the memory gate,
training with probes (the same weights as one ``fit``), the decisions and every branch of their wording."""

from __future__ import annotations

import math
import re
import string

import numpy as np
import pytest

from scratchnlp._site import memory as site
from scratchnlp.layers import TimeGRU, TimeLSTM, TimeRNN
from scratchnlp.models import SimpleRnnlm
from scratchnlp.optim import SGD, Adam
from scratchnlp.training import RnnlmTrainer, eval_perplexity


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch):
    """The wording follows SCRATCHNLP_LANG when no language is given: these tests ask for English by default."""
    monkeypatch.delenv("SCRATCHNLP_LANG", raising=False)


# --- the model and the task ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "blocks"), [("RNN", 1), ("LSTM", 4), ("GRU", 3)])
def test_recurrent_lm_sizes_and_loss(name, blocks):
    V, D, H = 5, 3, 4
    model = site.RecurrentLM(name, V, D, H, seed=0)
    assert isinstance(model.rnn, site.LAYERS[name])
    assert [p.shape for p in model.params] == [(V, D), (D, blocks * H), (H, blocks * H), (blocks * H,), (H, V), (V,)]
    assert all(p.dtype == np.float32 for p in model.params)
    xs = np.array([[0, 1, 2], [3, 4, 0]])
    loss = model.forward(xs, xs)
    assert abs(loss - math.log(V)) < 0.1  # small initial weights: nearly uniform predictions
    model.backward()
    assert all(np.abs(g).sum() > 0 for g in model.grads)


def test_recurrent_lm_same_seed_same_weights_and_keep_bias():
    a, b = site.RecurrentLM(TimeLSTM, 5, 3, 4, seed=1), site.RecurrentLM("LSTM", 5, 3, 4, seed=1)
    assert all(np.array_equal(p, q) for p, q in zip(a.params, b.params))
    lstm = site.RecurrentLM("LSTM", 5, 3, 4, keep_bias=2.0)
    assert np.all(lstm.rnn.params[2][:4] == 2.0) and np.all(lstm.rnn.params[2][4:] == 0.0)  # forget gate first
    gru = site.RecurrentLM("GRU", 5, 3, 4, keep_bias=2.0)
    assert np.all(gru.rnn.params[2][:4] == -2.0) and np.all(gru.rnn.params[2][4:] == 0.0)  # update gate first


def test_recurrent_lm_refuses_bad_input():
    with pytest.raises(ValueError, match="one of"):
        site.RecurrentLM("CNN", 5, 3, 4)
    with pytest.raises(TypeError, match="TimeRNN, TimeLSTM or TimeGRU"):
        site.RecurrentLM(int, 5, 3, 4)
    with pytest.raises(ValueError, match="no gate"):
        site.RecurrentLM("RNN", 5, 3, 4, keep_bias=1.0)
    with pytest.raises(ValueError, match="hidden_size"):
        site.RecurrentLM("GRU", 5, 3, 0)


def test_echo_stream_targets_are_the_delayed_inputs():
    inputs, targets = site.echo_stream(4, 3, 100, seed=0)
    assert inputs.shape == targets.shape == (100,)
    assert np.array_equal(targets[3:], inputs[:-3])
    assert inputs.min() >= 0 and inputs.max() < 4
    again, _ = site.echo_stream(4, 3, 100, seed=0)
    assert np.array_equal(inputs, again)
    with pytest.raises(ValueError, match="delay"):
        site.echo_stream(4, 0, 100)


class Echoer:
    """A stand-in model whose best guess at every step is the symbol ``delay`` steps back (or ``wrong``)."""

    def __init__(self, delay, V, wrong_from=None):
        self.delay, self.V, self.wrong_from, self.resets = delay, V, wrong_from, 0

    def reset_state(self):
        self.resets += 1

    def predict(self, xs):
        N, L = xs.shape
        scores = np.zeros((N, L, self.V))
        for t in range(L):
            guess = xs[:, t - self.delay] if t >= self.delay else np.zeros(N, int)
            if self.wrong_from is not None and t >= self.wrong_from:
                guess = (guess + 1) % self.V
            scores[np.arange(N), t, guess] = 1.0
        return scores


def test_echo_accuracy_counts_only_the_steps_with_something_to_echo():
    seqs = np.random.default_rng(0).integers(0, 5, size=(4, 20))
    model = Echoer(3, 5)
    assert site.echo_accuracy(model, seqs, 3) == 1.0
    assert model.resets == 2
    assert site.echo_accuracy(Echoer(3, 5, wrong_from=11), seqs, 3) == pytest.approx(8 / 17)
    with pytest.raises(ValueError, match="L > delay"):
        site.echo_accuracy(model, seqs, 20)


def test_memory_gate_reads_f_of_the_lstm_and_z_of_the_gru():
    rng = np.random.default_rng(0)
    D, H, N, T = 3, 4, 2, 5
    xs = rng.standard_normal((N, T, D)).astype(np.float32)
    for cls, blocks, bias in [(TimeLSTM, 4, 3.0), (TimeGRU, 3, -3.0)]:
        b = np.zeros(blocks * H, np.float32)
        b[:H] = bias
        layer = cls(np.zeros((D, blocks * H), np.float32), np.zeros((H, blocks * H), np.float32), b)
        with pytest.raises(ValueError, match="forward first"):
            site.memory_gate(layer)
        layer.forward(xs)
        gate = site.memory_gate(layer)
        assert gate.shape == (N, T, H)
        np.testing.assert_allclose(gate, 1 / (1 + np.exp(-bias)), rtol=1e-5)  # zero weights: the bias alone
    with pytest.raises(TypeError, match="TimeLSTM's or TimeGRU's"):
        site.memory_gate(TimeRNN(np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)))


def test_memory_gate_mean_starts_at_a_half_and_leaves_no_state():
    model = site.RecurrentLM("GRU", 6, 4, 8, seed=0)
    seqs = np.random.default_rng(1).integers(0, 6, size=(3, 12))
    mean = site.memory_gate_mean(model, seqs)
    assert abs(mean - 0.5) < 0.05  # zero biases, small inputs: sigmoid(about 0)
    assert model.rnn.h is None


# --- training with probes ------------------------------------------------------------------------------------


def test_fit_probed_trains_exactly_as_one_fit_call():
    corpus = np.random.default_rng(0).integers(0, 30, size=1003)
    xs, ts = corpus[:-1], corpus[1:]
    one = SimpleRnnlm(30, 8, 8, seed=0)
    one_trainer = RnnlmTrainer(one, SGD(0.1)).fit(xs, ts, 3, 4, 5, eval_interval=7, progress=False)
    staged = SimpleRnnlm(30, 8, 8, seed=0)
    trainer = RnnlmTrainer(staged, SGD(0.1))
    seen = []
    probes = site.fit_probed(trainer, xs, ts, 3, 4, 5, eval_interval=7, probe_every=10,
                             probe=lambda m: seen.append(m) or len(seen))
    assert [i for i, _ in probes] == list(range(0, 3 * 50 + 1, 10))
    assert [v for _, v in probes] == list(range(1, 17))
    assert all(np.array_equal(p, q) for p, q in zip(one.params, staged.params))
    assert trainer.ppl_list == one_trainer.ppl_list
    assert all(m is not staged for m in seen)  # copies: the probes cannot disturb the training


def test_fit_probed_with_a_stateful_gated_model_and_clipping():
    inputs, targets = site.echo_stream(5, 2, 4 * 6 * 20, seed=0)
    a, b = site.RecurrentLM("GRU", 5, 3, 6, seed=0), site.RecurrentLM("GRU", 5, 3, 6, seed=0)
    RnnlmTrainer(a, Adam(0.01)).fit(inputs, targets, 2, 4, 6, max_grad=0.5, progress=False)
    site.fit_probed(RnnlmTrainer(b, Adam(0.01)), inputs, targets, 2, 4, 6, max_grad=0.5, probe_every=5,
                    probe=lambda m: m.reset_state())
    assert all(np.array_equal(p, q) for p, q in zip(a.params, b.params))


def test_fit_probed_refuses_stages_that_split_epochs_unevenly():
    trainer = RnnlmTrainer(SimpleRnnlm(30, 4, 4), SGD(0.1))
    xs = np.zeros(1000, int)
    with pytest.raises(ValueError, match="must divide the 50 iterations"):
        site.fit_probed(trainer, xs, xs, 1, 4, 5, probe=print, probe_every=7)
    with pytest.raises(ValueError, match="same|one length"):
        site.fit_probed(trainer, xs, xs[:-1], 1, 4, 5, probe=print, probe_every=5)
    with pytest.raises(ValueError, match="max_epoch"):
        site.fit_probed(trainer, xs, xs, -1, 4, 5, probe=print, probe_every=5)


def test_train_echo_learns_a_short_echo_and_records_the_gate():
    run = site.train_echo("GRU", delay=1, seed=0, n_symbols=4, hidden_size=8, wordvec_size=4, batch_size=8,
                          time_size=5, updates=200, probe_every=50, n_fresh=10, fresh_length=30)
    assert run.layer == "GRU" and run.updates == 200 and run.delay == 1
    assert run.accuracy > 0.9
    assert [i for i, _ in run.gate] == [0, 50, 100, 150, 200]
    assert abs(run.gate[0][1] - 0.5) < 0.05
    again = site.train_echo("GRU", delay=1, seed=0, n_symbols=4, hidden_size=8, wordvec_size=4, batch_size=8,
                            time_size=5, updates=200, n_fresh=10, fresh_length=30)
    assert again.accuracy == run.accuracy and again.perplexity == run.perplexity and again.gate == []
    rnn = site.train_echo("RNN", delay=1, seed=0, n_symbols=4, hidden_size=8, wordvec_size=4, batch_size=8,
                          time_size=5, updates=20, probe_every=10, n_fresh=10, fresh_length=30)
    assert rnn.gate == []
    with pytest.raises(ValueError, match="seed"):
        site.train_echo("RNN", delay=1, seed=-1)


# --- decisions and wording ------------------------------------------------------------------------------------


def test_rank_by_delay_level_and_leaders():
    ranking = site.rank_by_delay({
        "RNN": {8: [1.0, 0.98], 12: [0.6, 0.7], 16: [0.5, 0.6]},
        "LSTM": {8: [0.96, 0.95], 12: [0.3, 0.3], 16: [0.1, 0.1]},
        "GRU": {8: [1.0, 1.0], 12: [0.4, 0.4], 16: [0.56, 0.55]},
    })
    assert ranking.delays == (8, 12, 16)
    assert ranking.level == {8: True, 12: False, 16: False}
    assert ranking.leader == {8: None, 12: "RNN", 16: "GRU"}
    assert ranking.order[12] == ("RNN", "GRU", "LSTM") and ranking.mean["RNN"][12] == pytest.approx(0.65)
    assert site.ranking_text(ranking) == (
        "At a delay of 8, all are level, between 96% and 100%. At a delay of 12, RNN leads with 65%, ahead of GRU "
        "(40%) and LSTM (30%). At a delay of 16, GRU leads with 56%, ahead of RNN (55%) and LSTM (10%).")
    two = site.rank_by_delay({"RNN": {4: [0.9]}, "GRU": {4: [0.5]}}, close=0.0)
    assert site.ranking_text(two) == "At a delay of 4, RNN leads with 90%, ahead of GRU (50%)."


def test_rank_by_delay_refuses_bad_input():
    with pytest.raises(ValueError, match="same delays"):
        site.rank_by_delay({"RNN": {4: [1.0]}, "GRU": {8: [1.0]}})
    with pytest.raises(ValueError, match="accuracies in"):
        site.rank_by_delay({"RNN": {4: [95.0]}, "GRU": {4: [1.0]}})
    with pytest.raises(ValueError, match="accuracies in"):
        site.rank_by_delay({"RNN": {4: []}, "GRU": {4: [1.0]}})
    with pytest.raises(ValueError, match="two or more"):
        site.rank_by_delay({"RNN": {4: [1.0]}})
    with pytest.raises(ValueError, match="close"):
        site.rank_by_delay({"RNN": {4: [1.0]}, "GRU": {4: [1.0]}}, close=5)


def test_gate_drift_in_what_the_gate_keeps():
    lstm = site.gate_drift("LSTM", [[0.5, 0.6, 0.8], [0.5, 0.7, 0.9]])
    assert (lstm.start, lstm.end, lstm.end_low, lstm.end_high) == pytest.approx((0.5, 0.85, 0.8, 0.9))
    assert lstm.direction == "keeps more"
    assert site.drift_text(lstm) == ("The LSTM's forget gate went from keeping 0.50 of the state per step to 0.85 "
                                     "(mean over seeds; 0.80 to 0.90): training taught it to keep more.")
    gru = site.gate_drift("GRU", [[0.5, 0.8], [0.5, 0.9]])  # z rises: 1 - z falls
    assert gru.end == pytest.approx(0.15) and gru.direction == "keeps less"
    assert site.drift_text(gru) == ("The GRU's update gate went from keeping 0.50 of the state per step to 0.15 "
                                    "(mean over seeds; 0.10 to 0.20): training taught it to keep less, and to "
                                    "write more.")
    flat = site.gate_drift("GRU", [[0.5, 0.51]])
    assert flat.direction == "flat"
    assert site.drift_text(flat).startswith("The GRU's update gate hardly moved: it kept 0.50")
    with pytest.raises(ValueError, match="'LSTM' or 'GRU'"):
        site.gate_drift("RNN", [[0.5, 0.5]])
    with pytest.raises(ValueError, match="two or more"):
        site.gate_drift("LSTM", [[0.5]])


def test_decay_factor_every_verdict():
    norms = [0.5 ** 10 * 1.2 ** 10, 1.0]  # a factor of 0.6 per step over 10 steps
    norms = [norms[0]] + [1.0] * 9 + [1.0]
    slower = site.decay_factor(norms, 0.5)
    assert slower.steps == 10 and slower.measured == pytest.approx(0.6) and slower.verdict == "slower"
    assert slower.reached == pytest.approx(0.6 ** 10)
    assert site.decay_text(slower) == ("The gradient shrinks by a factor of 0.60 per step on average, not by the "
                                       "0.50 of the direct path alone: the paths through the candidate state and "
                                       "the gates carry part of it back too.")
    faster = site.decay_factor([0.4 ** 4, 1, 1, 1, 1], 0.5)
    assert faster.verdict == "faster" and "partly cancel" in site.decay_text(faster)
    same = site.decay_factor([0.51 ** 2, 1, 1], 0.5)
    assert same.verdict == "as predicted" and site.decay_text(same).endswith("alone predicts (0.50).")
    with pytest.raises(ValueError, match="positive finite"):
        site.decay_factor([1.0, 0.0], 0.5)
    with pytest.raises(ValueError, match="direct"):
        site.decay_factor([1.0, 2.0], 1.5)


def test_head_start_every_branch():
    head = site.head_start({"LSTM": [0.1, 0.2], "GRU": [0.3, 0.3]}, {"LSTM": [0.3, 0.4], "GRU": [0.2, 0.2]},
                           [0.5, 0.5])
    assert head.before == pytest.approx({"LSTM": 0.15, "GRU": 0.3}) and head.after["LSTM"] == pytest.approx(0.35)
    assert head.change == {"LSTM": "up", "GRU": "down"} and head.reference_ahead
    assert site.head_start_text(head, 16) == (
        "With the head start, the mean accuracy at a delay of 16 changes as follows: the LSTM's from 15% to 35% "
        "and the GRU's from 30% down to 20%. The start explains part of the gap, not all of it: the plain RNN, at "
        "50%, stays ahead.")
    caught = site.head_start({"GRU": [0.30]}, {"GRU": [0.31]}, [0.305])
    assert caught.change == {"GRU": "same"} and not caught.reference_ahead
    assert site.head_start_text(caught, 8) == (
        "With the head start, the mean accuracy at a delay of 8 changes as follows: the GRU's hardly at all (30% and "
        "31%). The plain RNN's 30% is not ahead of them all, with or without the start.")
    closed = site.head_start({"GRU": [0.30]}, {"GRU": [0.6]}, [0.5])
    assert site.head_start_text(closed, 8).endswith("The start explains the gap: the plain RNN's 50% is no longer "
                                                    "ahead of them all.")
    useless = site.head_start({"GRU": [0.30]}, {"GRU": [0.30]}, [0.5])
    assert site.head_start_text(useless, 8).endswith("The start does not explain the gap: the plain RNN, at 50%, "
                                                     "stays ahead.")
    with pytest.raises(ValueError, match="same layers"):
        site.head_start({"GRU": [0.3]}, {"LSTM": [0.3]}, [0.5])
    with pytest.raises(ValueError, match="reference"):
        site.head_start({"GRU": [0.3]}, {"GRU": [0.3]}, [])


# --- chapter 5 -------------------------------------------------------------------------------------------------


def test_history_keys_equal_histories_equal_keys():
    ids = np.array([1, 2, 3, 1, 2, 3, 0])
    keys = site.history_keys(ids, 2, 4)
    assert keys.tolist() == [1 * 4 + 2, 2 * 4 + 3, 3 * 4 + 1, 1 * 4 + 2, 2 * 4 + 3]
    with pytest.raises(ValueError, match="int64"):
        site.history_keys(np.arange(30), 20, 10_000)
    with pytest.raises(ValueError, match="lie in"):
        site.history_keys(ids, 2, 3)
    with pytest.raises(ValueError, match="longer than k"):
        site.history_keys(ids, 7, 4)


def test_map_unknown_and_unigram_perplexity():
    ids, share = site.map_unknown(np.array([0, 5, 2, 9]), 4, 1)
    assert ids.tolist() == [0, 1, 2, 1] and share == 0.5
    with pytest.raises(ValueError, match="unk_id"):
        site.map_unknown(np.array([0]), 4, 4)
    with pytest.raises(ValueError, match="1-D"):
        site.map_unknown(np.array([0.5]), 4, 1)
    train = np.array([0, 0, 1, 2])  # shares 1/2, 1/4, 1/4
    assert site.unigram_perplexity(train, np.array([0, 1]), 3) == pytest.approx(math.sqrt(8))
    assert site.unigram_perplexity(train, np.array([3]), 4) == math.inf
    with pytest.raises(ValueError, match="ids must"):
        site.unigram_perplexity(train, np.array([5]), 4)


def test_perplexities_scores_every_text_like_eval_perplexity():
    model = SimpleRnnlm(6, 4, 4, seed=0)
    texts = {"a": np.arange(61) % 6, "b": np.random.default_rng(0).integers(0, 6, 61)}
    scores = site.perplexities(model, texts, 2, 5)
    assert list(scores) == ["a", "b"]
    assert scores["b"] == eval_perplexity(model, texts["b"], 2, 5)
    with pytest.raises(ValueError, match="at least one"):
        site.perplexities(model, {}, 2, 5)


def test_generalisation_every_branch():
    worse = site.generalisation([300, 100, 8], [60, 40, 150], unigram=42, unigram_train=180)
    assert (worse.best_epoch, worse.best, worse.rising) == (2, 40, True)
    assert worse.versus_unigram == "worse" and worse.best_versus_unigram == "level"
    assert site.generalisation_text(worse) == (
        "On its training text the model's perplexity ends at 8.0, against 180 for the unigram model; on the "
        "held-out text it ends at 150, against 42: it has learned its training text rather than how the language "
        "goes on. Its held-out perplexity was lowest after epoch 2, at 40, about the unigram model's level, and "
        "rose from there while the training perplexity kept falling.")
    better = site.generalisation([300, 100, 80], [60, 30, 30.5], unigram=42, unigram_train=180)
    assert better.versus_unigram == "better" and better.best_versus_unigram == "better" and not better.rising
    text = site.generalisation_text(better)
    assert "part of what it learned carries over" in text and "below the unigram model's" in text
    assert text.endswith("and stayed near that level to the end.")
    level = site.generalisation([300, 100, 80], [60, 70, 43], unigram=42, unigram_train=180)
    assert level.versus_unigram == "level" and level.best_versus_unigram == "level"
    assert "about as well as the unigram model, and no better" in site.generalisation_text(level)
    above = site.generalisation([300, 100, 80], [60, 70, 80], unigram=42, unigram_train=180)
    assert above.best_versus_unigram == "worse" and "still above the unigram model's" in site.generalisation_text(above)
    with pytest.raises(ValueError, match="one value per epoch"):
        site.generalisation([1.0, 2.0], [1.0], unigram=2.0, unigram_train=2.0)
    with pytest.raises(ValueError, match=">= 1"):
        site.generalisation([0.5], [1.0], unigram=2.0, unigram_train=2.0)


def test_every_template_key_is_used_by_a_wording_function():
    used = {"rank_level", "rank_lead", "rank_other", "drift_more",
            "drift_less", "drift_flat", "gate_LSTM", "gate_GRU", "decay_slower", "decay_faster",
            "decay_as predicted", "head_up", "head_down", "head_same", "head_changes", "head_part",
            "head_all", "head_none", "head_none_behind", "gen_train", "gen_worse", "gen_better", "gen_level",
            "gen_best_worse", "gen_best_better", "gen_best_level", "gen_rising", "gen_flat",
            # appendix C's figure labels, table headers and caption, through words()
            "reach.xlabel", "reach.ylabel", "gates.ylabel", "gates.title", "gates.xlabel", "echo.layer",
            "echo.params", "echo.delay", "echo.head", "echo.seconds", "echo.caption"}
    assert set(site.TEMPLATES["en"]) == used
    with pytest.raises(ValueError, match="no wording"):
        site.drift_text(site.gate_drift("LSTM", [[0.5, 0.9]]), lang="xx")


# --- the wording in Korean ---------------------------------------------------------------------------------------


def _fields(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_template_exists_in_every_language_with_the_same_placeholders():
    assert set(site.TEMPLATES) == {"en", "ko"}
    assert site.TEMPLATES["en"].keys() == site.TEMPLATES["ko"].keys()
    for key, english in site.TEMPLATES["en"].items():
        assert _fields(site.TEMPLATES["ko"][key]) == _fields(english), key


# A Korean particle whose form depends on the sound before it cannot follow a placeholder, whose last sound is
# unknown; after a percentage (read 퍼센트) 로, 는 and 가 are always right, after a gate's name (… 게이트) 가 and
# 는 are, and 의, 에, 에서, 까지 take every word.
_VARIABLE_PARTICLE = re.compile(r"(?<!%)(?<!gate)\}(은|는|가|을|를|와|과|으로|로|이(?![다고며]))")


def test_korean_templates_put_no_variable_particle_after_a_placeholder():
    assert all(site.TEMPLATES["ko"][f"gate_{layer}"].endswith("게이트") for layer in ("LSTM", "GRU"))
    for key, template in site.TEMPLATES["ko"].items():
        assert not _VARIABLE_PARTICLE.search(template), (key, template)
        assert not re.search(r"(습니다|어요|아요|세요)", template), key


def test_words_follow_the_page_language(monkeypatch):
    assert site.words("gates.title", delay=8) == "delay 8"
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert site.words("gates.title", delay=8) == "지연 8"
    assert site.words("echo.caption", symbols=8, updates=1000, batch=8, steps=30).startswith(
        "기호 8개로 된 지연 메아리. 스트림 8개가 30단계씩 읽는 갱신을 1,000번 한 뒤의 결과다.")
    assert site.words("gates.title", "en", delay=8) == "delay 8"  # an explicit language wins


def test_ranking_and_drift_in_korean(monkeypatch):
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    ranking = site.rank_by_delay({
        "RNN": {8: [1.0, 0.98], 12: [0.6, 0.7]},
        "LSTM": {8: [0.96, 0.95], 12: [0.3, 0.3]},
        "GRU": {8: [1.0, 1.0], 12: [0.4, 0.4]},
    })
    assert site.ranking_text(ranking) == (
        "지연 8에서는 모든 계층이 96%에서 100% 사이로 비슷하다. 지연 12에서는 RNN의 정확도가 65%로 가장 높고, "
        "그 뒤로 GRU(40%), LSTM(30%) 순이다.")
    assert site.ranking_text(ranking, lang="en").startswith("At a delay of 8, all are level")
    more = site.drift_text(site.gate_drift("LSTM", [[0.5, 0.6, 0.8], [0.5, 0.7, 0.9]]))
    assert more == ("LSTM의 forget 게이트가 단계마다 유지하는 상태의 비율은 0.50에서 0.85까지 올라갔다(시드 평균, "
                    "마지막 값은 시드별로 0.80~0.90). 학습을 거치며 상태를 더 많이 유지하게 된 것이다.")
    less = site.drift_text(site.gate_drift("GRU", [[0.5, 0.8], [0.5, 0.9]]))
    assert less.startswith("GRU의 update 게이트가") and "0.50에서 0.15까지 내려갔다" in less
    assert less.endswith("더 많이 새로 쓰게 된 것이다.")
    flat = site.drift_text(site.gate_drift("GRU", [[0.5, 0.51]]))
    assert flat.startswith("GRU의 update 게이트는 거의 움직이지 않았다.") and "0.50에서 마지막 0.49까지" in flat


def test_decay_in_korean():
    slower = site.decay_factor([0.6 ** 10] + [1.0] * 10, 0.5)
    assert site.decay_text(slower, lang="ko") == (
        "기울기는 단계마다 평균 0.60배가 된다. 직접 경로만 있을 때의 0.50배보다 덜 줄어드는 것은 후보 상태와 게이트를 "
        "지나는 경로도 기울기의 일부를 되돌려 보내기 때문이다.")
    faster = site.decay_factor([0.4 ** 4, 1, 1, 1, 1], 0.5)
    assert "0.50배보다 빠르게 줄어든다" in site.decay_text(faster, lang="ko")
    same = site.decay_factor([0.51 ** 2, 1, 1], 0.5)
    assert site.decay_text(same, lang="ko").endswith("직접 경로만으로 예측한 값(0.50)과 같다.")


def test_head_start_in_korean_every_branch():
    head = site.head_start({"LSTM": [0.1, 0.2], "GRU": [0.3, 0.3]}, {"LSTM": [0.3, 0.4], "GRU": [0.2, 0.2]},
                           [0.5, 0.5])
    assert site.head_start_text(head, 16, lang="ko") == (
        "유리한 출발점을 주자 지연 16에서의 평균 정확도가 다음과 같이 달라졌다. LSTM의 정확도는 15%에서 35%로 "
        "올랐다. GRU의 정확도는 30%에서 20%로 떨어졌다. 출발점이 격차의 일부는 설명하지만 전부는 아니다. 기본 RNN은 "
        "50%로 여전히 앞선다.")
    caught = site.head_start({"GRU": [0.30]}, {"GRU": [0.31]}, [0.305])
    assert site.head_start_text(caught, 8, lang="ko") == (
        "유리한 출발점을 주자 지연 8에서의 평균 정확도가 다음과 같이 달라졌다. GRU의 정확도는 거의 그대로였다(30%, "
        "31%). 출발점이 있든 없든 기본 RNN의 30%가 모두를 앞서지는 않는다.")
    closed = site.head_start({"GRU": [0.30]}, {"GRU": [0.6]}, [0.5])
    assert site.head_start_text(closed, 8, lang="ko").endswith(
        "출발점이 격차를 설명한다. 기본 RNN의 50%는 더 이상 모두를 앞서지 않는다.")
    useless = site.head_start({"GRU": [0.30]}, {"GRU": [0.30]}, [0.5])
    assert site.head_start_text(useless, 8, lang="ko").endswith(
        "출발점은 격차를 설명하지 못한다. 기본 RNN은 50%로 여전히 앞선다.")


def test_generalisation_in_korean_every_branch():
    worse = site.generalisation([300, 100, 8], [60, 40, 150], unigram=42, unigram_train=180)
    assert site.generalisation_text(worse, lang="ko") == (
        "훈련 텍스트에서 모델의 퍼플렉서티는 8.0에서 끝나고(유니그램 모델은 180), 홀드아웃 텍스트에서는 150에서 "
        "끝난다(유니그램 모델은 42). 모델은 언어가 어떻게 이어지는지가 아니라 훈련 텍스트 자체를 익힌 것이다. "
        "홀드아웃 텍스트의 퍼플렉서티는 에폭 2 뒤에 가장 낮은 값 40에 이르러 유니그램 모델과 비슷한 수준이었고, "
        "그 뒤로는 훈련 퍼플렉서티가 계속 떨어지는 동안 오히려 올라갔다.")
    better = site.generalisation_text(site.generalisation([300, 100, 80], [60, 30, 30.5], unigram=42,
                                                          unigram_train=180), lang="ko")
    assert "학습한 것의 일부가 읽지 않은 텍스트에도 통한다." in better and "유니그램 모델보다 낮았고" in better
    assert better.endswith(", 끝까지 그 수준 근처에 머물렀다.")
    level = site.generalisation([300, 100, 80], [60, 70, 43], unigram=42, unigram_train=180)
    assert "유니그램 모델과 비슷할 뿐, 그보다 낫지 않다." in site.generalisation_text(level, lang="ko")
    above = site.generalisation([300, 100, 80], [60, 70, 80], unigram=42, unigram_train=180)
    assert "여전히 유니그램 모델보다 높았고" in site.generalisation_text(above, lang="ko")
    with pytest.raises(ValueError, match="no wording"):
        site.ranking_text(site.rank_by_delay({"RNN": {4: [0.9]}, "GRU": {4: [0.5]}, "LSTM": {4: [0.1]}}), lang="fr")
