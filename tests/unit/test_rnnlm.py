"""The language models of chapters 5 and 6, RnnlmTrainer and eval_perplexity: book order, gradients, bad input;
the models and trainers on every array namespace (``xp``: the models' weights live on its device)."""

import math
import pickle

import numpy as np
import pytest

from scratchnlp import backend, checkpoint, optim
from scratchnlp.checkpoint import assign_params
from scratchnlp.gradcheck import check_model
from scratchnlp.layers import TimeDropout, TimeLSTM, TimeRNN
from scratchnlp.models import BaseModel, BetterRnnlm, Rnnlm, SimpleRnnlm
from scratchnlp.training import NonFiniteLossError, RnnlmTrainer, eval_perplexity

BOOK_NAMES = {
    SimpleRnnlm: ["embed_W", "rnn_Wx", "rnn_Wh", "rnn_b", "affine_W", "affine_b"],
    Rnnlm: ["embed_W", "lstm_Wx", "lstm_Wh", "lstm_b", "affine_W", "affine_b"],
    BetterRnnlm: ["embed_W", "lstm_Wx1", "lstm_Wh1", "lstm_b1", "lstm_Wx2", "lstm_Wh2", "lstm_b2", "affine_W",
                  "affine_b"],
}


def test_params_are_in_the_books_order_with_the_books_shapes(xp):
    V, D, H = 11, 3, 5
    m = SimpleRnnlm(V, D, H)
    assert m.param_names == BOOK_NAMES[SimpleRnnlm]
    assert [p.shape for p in m.params] == [(V, D), (D, H), (H, H), (H,), (H, V), (V,)]
    m = Rnnlm(V, D, H)
    assert m.param_names == BOOK_NAMES[Rnnlm]
    assert [p.shape for p in m.params] == [(V, D), (D, 4 * H), (H, 4 * H), (4 * H,), (H, V), (V,)]
    assert all(p.dtype == np.float32 and backend.xp(p) is xp for p in m.params)
    assert len(m.grads) == len(m.params) and all(g.shape == p.shape for g, p in zip(m.grads, m.params))
    m = BetterRnnlm(V, H, H)
    assert m.param_names == BOOK_NAMES[BetterRnnlm]
    assert [p.shape for p in m.params] == [(V, H), (H, 4 * H), (H, 4 * H), (4 * H,), (H, 4 * H), (H, 4 * H),
                                           (4 * H,), (H, V), (V,)]
    assert m.params[7].base is m.params[0]  # weight tying: a view of the embedding
    defaults = Rnnlm()
    assert defaults.params[0].shape == (10000, 100)
    assert BetterRnnlm.__init__.__defaults__ == (10000, 650, 650, 0.5)


def test_initialisation_follows_the_book_and_the_seed(xp):
    m = Rnnlm(2000, 50, 80, seed=3)
    embed, Wx, Wh, b, W, bias = (backend.to_cpu(p).astype(np.float64) for p in m.params)
    assert embed.std() == pytest.approx(0.01, rel=0.05)
    assert Wx.std() == pytest.approx(1 / np.sqrt(50), rel=0.05)
    assert Wh.std() == pytest.approx(1 / np.sqrt(80), rel=0.05)
    assert W.std() == pytest.approx(1 / np.sqrt(80), rel=0.05)
    assert not b.any() and not bias.any()
    again = Rnnlm(2000, 50, 80, seed=3)
    assert all(np.array_equal(backend.to_cpu(p), backend.to_cpu(q)) for p, q in zip(m.params, again.params))
    assert not np.array_equal(backend.to_cpu(Rnnlm(2000, 50, 80, seed=4).params[1]), backend.to_cpu(m.params[1]))


class _FromCarriedState(BaseModel):
    """Runs a first block, then restarts every forward from the state that block left (truncated BPTT)."""

    def __init__(self, model, xs0, ts0):
        super().__init__()
        self.model = model
        model.forward(xs0, ts0)
        self.states = [(layer, layer.h.copy(), None if layer.c is None else layer.c.copy())
                       for layer in model.walk() if isinstance(layer, (TimeRNN, TimeLSTM))]
        assert self.states and all(float(abs(h).sum()) > 0 for _, h, _ in self.states)
        self.params, self.grads, self.param_names = model.params, model.grads, model.param_names

    def forward(self, xs, ts):
        for layer, h, c in self.states:
            layer.set_state(h) if c is None else layer.set_state(h, c)
        return self.model.forward(xs, ts)

    def backward(self, dout=1):
        return self.model.backward(dout)


@pytest.mark.parametrize("cls", [SimpleRnnlm, Rnnlm, BetterRnnlm])
def test_model_gradients_through_several_steps_with_carried_state(xp, rng, cls, assert_grads_ok):
    V, D, N, T = 7, 3, 2, 4
    kwargs = {"dropout_ratio": 0.3} if cls is BetterRnnlm else {}
    model = cls(V, D, D, seed=1, dtype=np.float64, **kwargs)
    for p in model.params:  # larger than the book's initialisation, so every gradient is well above round-off
        p[...] = xp.asarray(rng.standard_normal(p.shape) * 0.5)
    xs0, ts0 = rng.integers(0, V, (N, T)), rng.integers(0, V, (N, T))
    xs, ts = rng.integers(0, V, (N, T)), rng.integers(0, V, (N, T))
    xs[0, :2] = 3  # a repeated id: its embedding gradient is summed
    xs0, ts0, xs, ts = (xp.asarray(a) for a in (xs0, ts0, xs, ts))
    errors = check_model(_FromCarriedState(model, xs0, ts0), xs, ts)
    assert set(errors) == set(BOOK_NAMES[cls]) - ({"affine_W"} if cls is BetterRnnlm else set())
    assert_grads_ok(errors)


def test_better_rnnlm_dropout_follows_the_mode_and_train_flg(xp, rng):
    model = BetterRnnlm(13, 4, 4, dropout_ratio=0.5)
    xs = xp.asarray(rng.integers(0, 13, (2, 5)))
    drop = [layer for layer in model.walk() if isinstance(layer, TimeDropout)]
    assert len(drop) == 3
    model.eval()
    a = backend.to_cpu(model.predict(xs))
    model.reset_state()
    np.testing.assert_array_equal(backend.to_cpu(model.predict(xs)), a)
    model.reset_state()
    assert not np.allclose(backend.to_cpu(model.predict(xs, train_flg=True)), a)
    assert not model.training and all(not d.training for d in drop)  # a per-call flag does not change the mode
    model.train()
    model.reset_state()
    assert not np.allclose(backend.to_cpu(model.predict(xs)), a)
    model.reset_state()
    np.testing.assert_array_equal(backend.to_cpu(model.predict(xs, train_flg=False)), a)


def test_reset_state_forgets_every_recurrent_layer(xp, rng):
    for model in (SimpleRnnlm(9, 3, 4), Rnnlm(9, 3, 4), BetterRnnlm(9, 4, 4)):
        model.eval()
        xs = xp.asarray(rng.integers(0, 9, (2, 3)))
        first = backend.to_cpu(model.predict(xs))
        assert not np.allclose(backend.to_cpu(model.predict(xs)), first)
        model.reset_state()
        np.testing.assert_allclose(backend.to_cpu(model.predict(xs)), first)


def test_uniform_model_has_perplexity_equal_to_the_vocabulary_size(xp, rng):
    V = 37
    model = Rnnlm(V, 5, 6)
    model.params[4][...] = 0  # affine W
    model.params[5][...] = 0  # affine b: every word equally likely
    corpus = rng.integers(0, V, 500)
    assert eval_perplexity(model, corpus, batch_size=4, time_size=7) == pytest.approx(V, rel=1e-5)
    xs, ts = xp.asarray(corpus[:30].reshape(3, 10)), xp.asarray(corpus[1:31].reshape(3, 10))
    assert model.forward(xs, ts) == pytest.approx(math.log(V))


def test_eval_perplexity_turns_dropout_off_restores_the_mode_and_resets_state(xp, rng):
    model = BetterRnnlm(20, 4, 4)
    assert backend.xp(model.params[0]) is xp
    corpus = rng.integers(0, 20, 300)
    model.train()
    first = eval_perplexity(model, corpus, 3, 5)
    assert model.training
    assert all(layer.h is None for layer in model.lstm_layers)
    assert eval_perplexity(model, corpus, 3, 5) == first  # deterministic: no dropout, fresh state
    model.eval()
    eval_perplexity(model, corpus, 3, 5)
    assert not model.training


def test_eval_perplexity_reads_the_books_blocks(rng):
    """Our vectorised block layout equals the book's double loop (util.eval_perplexity)."""
    corpus = rng.integers(0, 50, 203)
    seen = []

    class Recorder(BaseModel):
        vocab_size = 50

        def forward(self, xs, ts):
            seen.append((xs.copy(), ts.copy()))
            return 1.0

    assert eval_perplexity(Recorder(), corpus, batch_size=4, time_size=6) == pytest.approx(math.e)
    corpus_size, batch_size, time_size = len(corpus), 4, 6
    max_iters = (corpus_size - 1) // (batch_size * time_size)
    jump = (corpus_size - 1) // batch_size
    assert len(seen) == max_iters
    for iters in range(max_iters):
        xs = np.zeros((batch_size, time_size), dtype=np.int32)
        ts = np.zeros((batch_size, time_size), dtype=np.int32)
        offsets = [iters * time_size + i * jump for i in range(batch_size)]
        for t in range(time_size):
            for i, offset in enumerate(offsets):
                xs[i, t] = corpus[(offset + t) % corpus_size]
                ts[i, t] = corpus[(offset + t + 1) % corpus_size]
        np.testing.assert_array_equal(seen[iters][0], xs)
        np.testing.assert_array_equal(seen[iters][1], ts)


def test_trainer_batches_are_the_books_parallel_streams(rng):
    trainer = RnnlmTrainer(Rnnlm(30, 3, 3), optim.SGD(0.1))
    x = rng.integers(0, 30, 97)
    t = np.roll(x, -1)
    trainer.time_idx = 0
    batch_size, time_size = 4, 5
    for _ in range(3):
        bx, bt = trainer.get_batch(x, t, batch_size, time_size)
        data_size = len(x)
        jump = data_size // batch_size
        offsets = [i * jump for i in range(batch_size)]
        for time in range(time_size):
            for i, offset in enumerate(offsets):
                assert bx[i, time] == x[(offset + trainer.time_idx - time_size + time) % data_size]
                assert bt[i, time] == t[(offset + trainer.time_idx - time_size + time) % data_size]
    assert trainer.time_idx == 15


def test_trainer_records_perplexity_windows_and_epochs(xp, rng):
    model = Rnnlm(20, 4, 4)
    assert backend.xp(model.params[0]) is xp
    corpus = rng.integers(0, 20, 401)
    trainer = RnnlmTrainer(model, optim.SGD(0.5))
    trainer.fit(corpus[:-1], corpus[1:], max_epoch=2, batch_size=4, time_size=5, max_grad=1.0, eval_interval=5)
    assert trainer.iteration == 2 * 20 and trainer.current_epoch == 2
    assert len(trainer.ppl_list) == 8
    np.testing.assert_allclose(trainer.ppl_list, np.exp(trainer.loss_list))
    assert len(trainer.history["epoch_perplexity"]) == 2 and len(trainer.history["grad_norm"]) == 40
    assert trainer.ppl_list[-1] < 20 * 1.2
    assert model.training


def test_trainer_is_deterministic_and_fit_restarts_the_streams(xp, rng):
    corpus = rng.integers(0, 15, 301)
    runs = []
    for _ in range(2):
        model = BetterRnnlm(15, 4, 4, seed=5)
        trainer = RnnlmTrainer(model, optim.SGD(1.0))
        trainer.fit(corpus[:-1], corpus[1:], max_epoch=1, batch_size=3, time_size=4, max_grad=0.5)
        trainer.fit(corpus[:-1], corpus[1:], max_epoch=1, batch_size=3, time_size=4, max_grad=0.5)
        runs.append((backend.to_cpu(model.params[0]), list(trainer.history["epoch_loss"])))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1] and len(runs[0][1]) == 2


def test_trainer_stops_on_a_non_finite_loss_before_the_update(xp, rng):
    model = Rnnlm(10, 3, 3)
    corpus = rng.integers(0, 10, 200)
    model.params[5][...] = np.nan
    before = [backend.to_cpu(p) for p in model.params]
    with pytest.raises(NonFiniteLossError, match="epoch 1, iteration 1"):
        RnnlmTrainer(model, optim.SGD(0.1)).fit(corpus[:-1], corpus[1:], 1, 2, 5)
    for p, q in zip(model.params, before):
        np.testing.assert_array_equal(backend.to_cpu(p), q)


def test_trainer_and_eval_bad_input(xp, rng):
    model = Rnnlm(10, 3, 3)
    trainer = RnnlmTrainer(model, optim.SGD(0.1))
    corpus = rng.integers(0, 10, 100)
    with pytest.raises(ValueError, match=r"20 x 35 = 700 words is larger than the corpus \(99 words\)"):
        trainer.fit(corpus[:-1], corpus[1:], 1, 20, 35)
    with pytest.raises(ValueError, match=r"word ids in \[0, 10\).*got 10"):
        trainer.fit(np.append(corpus[:-1], 10), np.append(corpus[1:], 0), 1, 2, 5)
    with pytest.raises(ValueError, match=r"got -1"):
        trainer.fit(corpus[:-1], np.append(corpus[1:-1], -1), 1, 2, 5)
    with pytest.raises(ValueError, match="same length"):
        trainer.fit(corpus[:-1], corpus[2:], 1, 2, 5)
    with pytest.raises(ValueError, match="1-D array of integer"):
        trainer.fit(corpus[:-1].astype(float), corpus[1:], 1, 2, 5)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        trainer.fit(corpus[:-1], corpus[1:], 1, 0, 5)
    with pytest.raises(ValueError, match="max_grad"):
        trainer.fit(corpus[:-1], corpus[1:], 1, 2, 5, max_grad=-1)
    with pytest.raises(TypeError, match="Optimizer"):
        RnnlmTrainer(model, object())
    with pytest.raises(ValueError, match=r"10 x 35 = 350 words is larger than the corpus less its last word"):
        eval_perplexity(model, corpus)
    with pytest.raises(ValueError, match=r"word ids in \[0, 10\)"):
        eval_perplexity(model, np.arange(400) % 11)
    with pytest.raises(ValueError, match=r"ids in \[0, 10\), got 12"):
        model.forward(xp.full((2, 3), 12), xp.zeros((2, 3), dtype=np.int32))
    with pytest.raises(ValueError, match=r"labels ts must be \(2, 3\)"):
        model.forward(xp.zeros((2, 3), dtype=np.int32), xp.zeros((3, 2), dtype=np.int32))


def test_model_constructor_bad_input():
    with pytest.raises(ValueError, match="vocab_size must be a positive int"):
        Rnnlm(0)
    with pytest.raises(ValueError, match="hidden_size must be a positive int"):
        SimpleRnnlm(10, 3, 2.5)
    with pytest.raises(ValueError, match="wordvec_size must equal hidden_size"):
        BetterRnnlm(10, 4, 5)
    with pytest.raises(ValueError, match=r"dropout_ratio must be in \[0, 1\)"):
        BetterRnnlm(10, 4, 4, dropout_ratio=1.5)


# --- the book's weights -------------------------------------------------------------------------------------


def test_assign_params_checks_everything_before_writing(xp, rng):
    model = Rnnlm(12, 3, 4)
    before = [backend.to_cpu(p) for p in model.params]
    good = [rng.standard_normal(p.shape).astype(np.float16) for p in model.params]
    bad_shape = list(good)
    bad_shape[4] = np.zeros((5, 12), dtype=np.float16)
    with pytest.raises(ValueError,
                       match=r"'affine_W', has shape \(5, 12\) but Rnnlm's 'affine_W' has shape \(4, 12\)"):
        assign_params(model, bad_shape, source="Rnnlm.pkl")
    with pytest.raises(ValueError, match="holds 5 arrays but Rnnlm has 6 parameters"):
        assign_params(model, good[:5])
    nan = list(good)
    nan[5] = np.full(12, np.nan)
    with pytest.raises(ValueError, match="for 'affine_b', holds NaN"):
        assign_params(model, nan)
    for p, q in zip(model.params, before):
        np.testing.assert_array_equal(backend.to_cpu(p), q)
    assign_params(model, good)
    for p, a in zip(model.params, good):
        assert p.dtype == np.float32 and backend.xp(p) is xp
        np.testing.assert_array_equal(backend.to_cpu(p), a.astype(np.float32))


def test_assign_params_into_a_tied_model(xp, rng):
    model = BetterRnnlm(12, 4, 4)
    arrays = [rng.standard_normal(p.shape) for p in model.params]
    arrays[7] = arrays[0].T.copy()
    assign_params(model, arrays)
    np.testing.assert_allclose(backend.to_cpu(model.params[7]), arrays[0].T.astype(np.float32))
    arrays[7] = arrays[7] + 1
    with pytest.raises(ValueError, match=r"ties 'affine_W' to 'embed_W' \(transposed\) but the arrays for them differ"):
        assign_params(model, arrays)


def test_assign_params_takes_the_distinct_arrays_of_a_tied_model(xp, rng):
    model = BetterRnnlm(12, 4, 4)
    arrays = [rng.standard_normal(p.shape) for p in model.params]
    del arrays[7]  # the tied affine_W left out
    assign_params(model, arrays)
    np.testing.assert_allclose(backend.to_cpu(model.params[7]), arrays[0].T.astype(np.float32))


def test_assign_params_refuses_lossy_casts():
    class IntModel:
        params = [np.zeros(2, dtype=np.int64)]
        param_names = ["counts"]

    with pytest.raises(ValueError, match="'counts', holds values that int64 cannot represent exactly"):
        assign_params(IntModel(), [np.array([0.7, 1.9])])
    np.testing.assert_array_equal(IntModel.params[0], [0, 0])
    assign_params(IntModel(), [np.array([3.0, 4.0])])  # integral floats are exact
    np.testing.assert_array_equal(IntModel.params[0], [3, 4])

    class HalfModel:
        params = [np.zeros(2, dtype=np.float16)]
        param_names = ["w"]

    with pytest.raises(ValueError, match="beyond the range of float16"):
        assign_params(HalfModel(), [np.array([1.0, 1e6])])


needs_reader = pytest.mark.skipif(not hasattr(checkpoint, "load_book_params"),
                                  reason="scratchnlp.checkpoint.load_book_params is not there yet")


@needs_reader
def test_book_rnnlm_weights_load_in_order(tmp_path):
    from scratchnlp.datasets import DatasetUnavailableError, fetch

    try:
        path = fetch("book-weights", "Rnnlm.pkl", progress=False)
    except (DatasetUnavailableError, ValueError, KeyError) as exc:
        pytest.skip(f"the book's weights are unavailable: {exc}")
    model = Rnnlm()
    model.load_book_params(path)
    arrays = checkpoint.load_book_params(path)
    assert [a.shape for a in arrays] == [p.shape for p in model.params]
    for p, a in zip(model.params, arrays):
        np.testing.assert_array_equal(p, a.astype(np.float32))
    with pytest.raises(ValueError, match="shape"):
        Rnnlm(10000, 100, 50).load_book_params(path)


@needs_reader
def test_hostile_pickle_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps([np.zeros(3), Evil()]))
    model = Rnnlm(10, 3, 3)
    before = [p.copy() for p in model.params]
    with pytest.raises(Exception, match=r"(?i)print|not allowed|refus|forbidden|unsafe"):
        model.load_book_params(path)
    for p, q in zip(model.params, before):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("cls", [SimpleRnnlm, Rnnlm, BetterRnnlm])
def test_forward_equals_predict_then_the_loss(xp, rng, cls):
    from scratchnlp.layers import TimeSoftmaxWithLoss

    model = cls(15, 4, 4)
    model.eval()
    model.params[-1][...] = xp.asarray(rng.standard_normal(15))  # a non-zero output bias
    xs, ts = xp.asarray(rng.integers(0, 15, (3, 6))), xp.asarray(rng.integers(0, 15, (3, 6)))
    want = TimeSoftmaxWithLoss().forward(model.predict(xs), ts)
    model.reset_state()
    assert model.forward(xs, ts) == pytest.approx(want, rel=1e-6)


def test_eval_perplexity_refuses_nan_weights_and_seq2seq_models(rng):
    from scratchnlp.models import Seq2seq
    from scratchnlp.training import NonFiniteLossError

    corpus = rng.integers(0, 20, 200)
    model = Rnnlm(20, 4, 5)
    model.params[4][0, 0] = np.nan
    with pytest.raises(NonFiniteLossError, match="loss of block 1 of .* is nan; the model's weights probably hold"):
        eval_perplexity(model, corpus, 2, 5)
    with pytest.raises(TypeError, match="got Seq2seq, an encoder-decoder; score a seq2seq model with"):
        eval_perplexity(Seq2seq(20, 4, 5), corpus, 2, 5)
