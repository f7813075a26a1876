"""The Trainer on the spiral data (chapter 1), its records and non-finite checks, on every array namespace (``xp``:
the models' weights live on its device, the data stays on the host and goes over batch by batch)."""

import numpy as np
import pytest

from scratchnlp import backend
from scratchnlp.datasets.spiral import load_data
from scratchnlp.models import TwoLayerNet
from scratchnlp.optim import SGD
from scratchnlp.training import NonFiniteLossError, Trainer


def test_spiral_is_seeded_and_book_shaped():
    x, t = load_data()
    assert x.shape == (300, 2) and x.dtype == np.float32
    assert t.shape == (300, 3) and (t.sum(axis=1) == 1).all()
    x2, _ = load_data()
    np.testing.assert_array_equal(x, x2)
    x3, _ = load_data(seed=7)
    assert not np.array_equal(x, x3)


def test_trainer_reaches_95_percent_on_spiral(xp):
    x, t = load_data(seed=1984)
    model = TwoLayerNet(2, 10, 3, seed=0)
    trainer = Trainer(model, SGD(lr=1.0), seed=0).fit(x, t, max_epoch=300, batch_size=30, eval_interval=10)
    accuracy = float((backend.to_cpu(model.predict(xp.asarray(x)).argmax(axis=1)) == t.argmax(axis=1)).mean())
    assert accuracy >= 0.95 and backend.xp(model.params[0]) is xp
    assert trainer.loss_list[-1] < trainer.loss_list[0] / 5
    assert len(trainer.history["epoch_loss"]) == 300
    assert trainer.history["iteration"][:2] == [10, 20]


def test_trainer_is_deterministic_for_a_seed(xp):
    x, t = load_data()
    runs = []
    for _ in range(2):
        model = TwoLayerNet(2, 10, 3, seed=1)
        runs.append(Trainer(model, SGD(lr=1.0), seed=5).fit(x, t, max_epoch=3, batch_size=30).loss_list)
    assert runs[0] == runs[1]


def test_nan_loss_stops_training_naming_the_iteration_and_keeps_parameters(xp):
    x, t = load_data()
    model = TwoLayerNet(2, 10, 3, seed=0)
    trainer = Trainer(model, SGD(lr=1.0))
    trainer.fit(x, t, max_epoch=1, batch_size=30)  # 10 good iterations
    before = [backend.to_cpu(p) for p in model.params]
    x_bad = x.copy()
    x_bad[:] = np.nan
    with pytest.raises(NonFiniteLossError, match=r"not finite at epoch 2, iteration 1 \(iteration 11 overall\): "
                                                 r"SoftmaxWithLoss scores x hold NaN.*keep their values"):
        trainer.fit(x_bad, t, max_epoch=1, batch_size=30)
    for p, b in zip(model.params, before):
        np.testing.assert_array_equal(backend.to_cpu(p), b)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_divergence_from_a_huge_learning_rate_is_caught(xp):
    x, t = load_data()
    model = TwoLayerNet(2, 10, 3, weight_init_std=10.0, seed=0)
    with pytest.raises(NonFiniteLossError, match="Lower the learning rate"):
        Trainer(model, SGD(lr=1e38)).fit(x, t, max_epoch=5, batch_size=30)


def test_gradient_clipping_is_recorded(xp):
    x, t = load_data()
    trainer = Trainer(TwoLayerNet(2, 10, 3), SGD(lr=1.0)).fit(x, t, max_epoch=1, batch_size=30, max_grad=1e-3)
    assert len(trainer.history["grad_norm"]) == 10


def test_trainer_bad_input(xp):
    model = TwoLayerNet(2, 10, 3)
    trainer = Trainer(model, SGD())
    x, t = load_data()
    with pytest.raises(ValueError, match="same number of samples"):
        trainer.fit(x, t[:10])
    with pytest.raises(ValueError, match="larger than the data"):
        trainer.fit(x, t, batch_size=1000)
    with pytest.raises(ValueError, match=r"must be \(N, 2\)"):
        trainer.fit(np.zeros((300, 5), dtype=np.float32), t)


def test_two_layer_net_bad_sizes():
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        TwoLayerNet(2, 0, 3)


class _NaNGradient(TwoLayerNet):
    """A model whose backward leaves a NaN in W2's gradient from the ``bad_at``-th call on."""

    def __init__(self, bad_at: int) -> None:
        super().__init__(2, 10, 3, seed=0)
        self.calls, self.bad_at = 0, bad_at

    def backward(self, dout=1.0):
        out = super().backward(dout)
        self.calls += 1
        if self.calls >= self.bad_at:
            self.grads[2][0, 0] = np.nan
        return out


@pytest.mark.parametrize("max_grad", [None, 5.0])
def test_nan_gradients_stop_training_before_the_update(xp, max_grad):
    x, t = load_data()
    x, t = x[:90], t[:90]  # three batches of 30 per epoch
    clean = TwoLayerNet(2, 10, 3, seed=0)
    Trainer(clean, SGD(lr=1.0), seed=3).fit(x, t, max_epoch=1, batch_size=30, max_grad=max_grad)
    model = _NaNGradient(bad_at=4)  # the fourth backward (epoch 2, iteration 1) gives a NaN
    trainer = Trainer(model, SGD(lr=1.0), seed=3)
    with pytest.raises(NonFiniteLossError, match=r"gradient of W2 holds NaN or inf at epoch 2, iteration 1"):
        trainer.fit(x, t, max_epoch=2, batch_size=30, max_grad=max_grad)
    assert trainer.iteration == 3
    for p, q in zip(model.params, clean.params):  # exactly the parameters after the three good updates
        np.testing.assert_array_equal(backend.to_cpu(p), backend.to_cpu(q))


def test_clip_grads_refuses_nan_and_bad_norms(xp):
    from scratchnlp.optim import clip_grads

    grads = [xp.ones(3, dtype=np.float32), xp.asarray([np.nan], dtype=np.float32)]
    with pytest.raises(NonFiniteLossError, match="NaN or inf"):
        clip_grads(grads, 1.0)
    np.testing.assert_array_equal(backend.to_cpu(grads[0]), 1.0)  # nothing was scaled
    for bad in (0, -1.0, float("inf"), float("nan"), "1", True):
        with pytest.raises(ValueError, match="max_norm must be a positive finite number"):
            clip_grads([xp.ones(2)], bad)


def test_train_fast_uses_the_same_error_type(xp, monkeypatch):
    from scratchnlp import word2vec_fast
    from scratchnlp.models import CBOW

    corpus = np.arange(50) % 7
    model = CBOW(7, 4, 1, corpus)
    monkeypatch.setattr(word2vec_fast, "_cbow_batch", lambda *args: (float("inf"), []))
    with pytest.raises(NonFiniteLossError, match="loss became inf at epoch 1 \\(iteration 1 overall\\)"):
        word2vec_fast.train_fast(model, corpus, epochs=1, batch_size=8)


def test_training_log_windows_epochs_and_series():
    from scratchnlp.training import TrainingLog

    log = TrainingLog(eval_interval=2)
    with log.running(total=5, progress=False):
        for loss in (1.0, 3.0, 5.0):
            log.record(loss, lr=0.1)
        log.end_epoch()
        for loss in (7.0, 9.0):
            log.record(loss)
            log.track("grad_norm", loss)
        log.end_epoch()
    assert log.loss_list == [2.0, 6.0]  # windows of two: (1, 3), (5, 7)
    assert log.history["iteration"] == [2, 4] and log.history["lr"] == [0.1]
    assert log.history["epoch_loss"] == [3.0, 8.0] and len(log.history["epoch_time"]) == 2
    assert log.history["grad_norm"] == [7.0, 9.0] and log.epoch == 2 and log.wall_time > 0
    with pytest.raises(ValueError, match="eval_interval must be a positive int"):
        TrainingLog(eval_interval=0)


def _loops():
    """Every training loop of the library, tiny: (name, run) with run() building its model on the device."""
    from scratchnlp.models import CBOW, AttentionSeq2seq, BetterRnnlm, PeekySeq2seq, SkipGram
    from scratchnlp.optim import Adam
    from scratchnlp.text import create_contexts_target
    from scratchnlp.training import RnnlmTrainer, eval_perplexity
    from scratchnlp.word2vec_fast import train_fast

    corpus = np.random.default_rng(0).integers(0, 30, 400)
    contexts, target = create_contexts_target(corpus, 2)
    x = np.random.default_rng(1).integers(1, 6, (64, 3))
    t = np.concatenate([np.zeros((64, 1), x.dtype), x[:, ::-1]], axis=1)
    spiral_x, spiral_t = load_data()
    return {
        "Trainer-TwoLayerNet": lambda: Trainer(TwoLayerNet(2, 10, 3), SGD(1.0)).fit(
            spiral_x, spiral_t, 1, 30, max_grad=1.0, progress=False),
        "Trainer-CBOW": lambda: Trainer(CBOW(30, 8, 2, corpus), Adam()).fit(contexts, target, 1, 50, progress=False),
        "Trainer-SkipGram": lambda: Trainer(SkipGram(30, 8, 2, corpus), Adam()).fit(contexts, target, 1, 50,
                                                                                   progress=False),
        "train_fast": lambda: train_fast(SkipGram(30, 8, 2, corpus), corpus, epochs=1, batch_size=50),
        "RnnlmTrainer-BetterRnnlm": lambda: RnnlmTrainer(BetterRnnlm(30, 8, 8), SGD(1.0)).fit(
            corpus[:-1], corpus[1:], 1, 4, 5, max_grad=0.25, progress=False),
        "eval_perplexity": lambda: eval_perplexity(BetterRnnlm(30, 8, 8), corpus, 4, 5),
        "Trainer-PeekySeq2seq": lambda: Trainer(PeekySeq2seq(6, 8, 8), Adam()).fit(x, t, 1, 16, max_grad=5.0,
                                                                                  progress=False),
        "Trainer-AttentionSeq2seq": lambda: Trainer(AttentionSeq2seq(6, 8, 8, bidirectional=True), Adam()).fit(
            x, t, 1, 16, max_grad=5.0, progress=False),
    }


@pytest.mark.parametrize("loop", list(_loops()))
def test_training_loops_copy_no_array_to_the_host(device_xp, loop):
    """The batches go to the device and nothing comes back but the loss: on the CuPy stand-in any copy of a
    device array to the host (``backend.to_cpu``, ``get()``) raises inside the loop."""
    import fakecupy

    if device_xp is not fakecupy:
        pytest.skip("only the CuPy stand-in sees the copies")
    run = _loops()[loop]
    with fakecupy.no_copies_to_host():
        run()
