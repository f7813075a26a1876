"""``train_step``, the one training iteration every loop runs: its results, its checks, and that the loops,
the pages' timing and the word2vec-style loop go through it without changing a single number."""

import math

import numpy as np
import pytest

from scratchnlp import backend, optim, training
from scratchnlp.datasets.spiral import load_data
from scratchnlp.models import CBOW, AttentionSeq2seq, BetterRnnlm, Rnnlm, TwoLayerNet
from scratchnlp.optim import SGD, Adam, FusedAdam, clip_grads, grad_norm, merge_shared
from scratchnlp.training import NonFiniteLossError, RnnlmTrainer, StepResult, Trainer, train_step


def _corpus():
    return np.random.default_rng(0).integers(0, 30, 400)


def _seq_data():
    x = np.random.default_rng(1).integers(1, 6, (64, 3))
    return x, np.concatenate([np.zeros((64, 1), x.dtype), x[:, ::-1]], axis=1)


# --------------------------------------------------------------------------------------------------------
# The numbers of the loops before train_step existed
# --------------------------------------------------------------------------------------------------------

# Recorded with the loops as they were before they shared train_step (each loop had its own forward,
# backward, clipping and checks). float32 BLAS results may differ in the last bits between machines, hence
# the tolerance; the exact comparison is the next test's, against the old loop body run here.
_RECORDED = {
    "trainer_two_layer_sgd_clip": [1.1415620565414428, 1.1159530639648438, 1.1189657688140868, 1.163004183769226],
    "trainer_two_layer_grad_norm": [0.3093258709025181, 0.533079939422965, 0.30418862752942805],
    "rnnlm_trainer_better_ppl": [30.406491702777487, 30.222468812708225, 30.35769614154075, 30.313899868809436,
                                 30.205757959676685, 30.107879904667602, 30.109391220904783],
    "trainer_attention_adam_clip": [1.7912814349595665, 1.7904229154720717, 1.788894586590756, 1.7868240323320235],
}


def test_the_loops_give_the_numbers_recorded_before_they_shared_the_step():
    sx, st = load_data()
    tr = Trainer(TwoLayerNet(2, 10, 3, seed=0), SGD(1.0), seed=0).fit(sx, st, 2, 30, max_grad=1.0, eval_interval=5,
                                                                     progress=False)
    np.testing.assert_allclose(tr.loss_list, _RECORDED["trainer_two_layer_sgd_clip"], rtol=1e-5)
    np.testing.assert_allclose(tr.history["grad_norm"][:3], _RECORDED["trainer_two_layer_grad_norm"], rtol=1e-5)
    corpus = _corpus()
    tr = RnnlmTrainer(BetterRnnlm(30, 8, 8, seed=0), SGD(1.0)).fit(corpus[:-1], corpus[1:], 2, 4, 5, max_grad=0.25,
                                                                   eval_interval=5, progress=False)
    np.testing.assert_allclose(tr.ppl_list, _RECORDED["rnnlm_trainer_better_ppl"], rtol=1e-5)
    x, t = _seq_data()
    tr = Trainer(AttentionSeq2seq(6, 8, 8, seed=0), Adam(), seed=0).fit(x, t, 2, 16, max_grad=0.1, eval_interval=2,
                                                                       progress=False)
    np.testing.assert_allclose(tr.loss_list, _RECORDED["trainer_attention_adam_clip"], rtol=1e-5)


def _old_iteration(model, optimizer, bx, bt, max_grad):
    """The body of the loops before train_step: forward, backward, merge, clip_grads, update."""
    loss = float(model.forward(bx, bt))
    model.backward()
    params, grads = merge_shared(model.params, model.grads)
    norm = clip_grads(grads, max_grad) if max_grad is not None else None
    optimizer.update(params, grads)
    return loss, norm


@pytest.mark.parametrize("case", ["two_layer_sgd_clip", "cbow_fused_adam", "attention_adam_clip"])
def test_trainer_equals_the_old_loop_bit_for_bit(xp, case):
    x, t = load_data()
    if case == "two_layer_sgd_clip":
        make, opt, max_grad, bs = (lambda: TwoLayerNet(2, 10, 3, seed=0)), (lambda: SGD(1.0)), 1.0, 30
    elif case == "cbow_fused_adam":
        from scratchnlp.text import create_contexts_target

        corpus = _corpus()
        x, t = create_contexts_target(corpus, 2)
        make, opt, max_grad, bs = (lambda: CBOW(30, 8, 2, corpus, seed=0)), FusedAdam, None, 50
    else:
        x, t = _seq_data()
        make, opt, max_grad, bs = (lambda: AttentionSeq2seq(6, 8, 8, seed=0)), Adam, 0.1, 16
    model = make()
    trainer = Trainer(model, opt(), seed=4)
    trainer.fit(x, t, max_epoch=2, batch_size=bs, max_grad=max_grad, eval_interval=1, progress=False)
    ref, ref_opt, rng = make(), opt(), np.random.default_rng(4)
    losses, norms = [], []
    for _ in range(2):
        order = rng.permutation(len(x))
        for it in range(len(x) // bs):
            idx = order[it * bs:(it + 1) * bs]
            loss, norm = _old_iteration(ref, ref_opt, backend.to_gpu(x[idx]) if xp is not np else x[idx],
                                        backend.to_gpu(t[idx]) if xp is not np else t[idx], max_grad)
            losses.append(loss)
            norms.append(norm)
    assert trainer.loss_list == losses
    if max_grad is not None:
        assert trainer.history["grad_norm"] == norms
    for p, q in zip(model.params, ref.params):
        np.testing.assert_array_equal(backend.to_cpu(p), backend.to_cpu(q))


def test_rnnlm_trainer_equals_the_old_loop_bit_for_bit(xp):
    corpus = _corpus()
    model, ref = BetterRnnlm(30, 8, 8, seed=0), BetterRnnlm(30, 8, 8, seed=0)
    trainer = RnnlmTrainer(model, SGD(1.0))
    trainer.fit(corpus[:-1], corpus[1:], max_epoch=2, batch_size=4, time_size=5, max_grad=0.25, eval_interval=1,
                progress=False)
    getter, ref_opt, losses, norms = RnnlmTrainer(ref, SGD(1.0)), SGD(1.0), [], []
    ref.train()
    getter.time_idx = 0  # once per fit: the streams go on reading where the last epoch stopped
    for _ in range(2):
        for _ in range(len(corpus[:-1]) // 20):
            bx, bt = getter.get_batch(corpus[:-1], corpus[1:], 4, 5)
            if xp is not np:
                bx, bt = backend.to_gpu(bx), backend.to_gpu(bt)
            loss, norm = _old_iteration(ref, ref_opt, bx, bt, 0.25)
            losses.append(loss)
            norms.append(norm)
    assert trainer.ppl_list == [math.exp(v) for v in losses]
    assert trainer.history["grad_norm"] == norms
    for p, q in zip(model.params, ref.params):
        np.testing.assert_array_equal(backend.to_cpu(p), backend.to_cpu(q))


# --------------------------------------------------------------------------------------------------------
# train_step itself
# --------------------------------------------------------------------------------------------------------


def test_train_step_returns_the_loss_and_the_norm_before_clipping(xp):
    x, t = load_data()
    bx, bt = backend.to_gpu(x[:30]) if xp is not np else x[:30], backend.to_gpu(t[:30]) if xp is not np else t[:30]
    model = TwoLayerNet(2, 10, 3, seed=0)
    before = [backend.to_cpu(p).copy() for p in model.params]
    result = train_step(model, SGD(1.0), (bx, bt), max_grad=1e-3)
    assert isinstance(result, StepResult) and isinstance(result.loss, float)
    ref = TwoLayerNet(2, 10, 3, seed=0)
    expected_loss = float(ref.forward(bx, bt))
    ref.backward()
    expected_norm = grad_norm(ref.grads)
    assert result.loss == expected_loss and result.grad_norm == expected_norm > 1e-3
    # the step was clipped to 1e-3 and applied with lr 1: the parameters moved by a vector of that norm
    moved = np.sqrt(sum(float(((backend.to_cpu(p) - b).astype(np.float64) ** 2).sum())
                        for p, b in zip(model.params, before)))
    assert moved == pytest.approx(1e-3, rel=1e-3)
    loss, norm = train_step(model, SGD(1.0), (bx, bt))  # no clipping, an optimizer that checks NaN itself
    assert norm is None and loss < expected_loss


def test_train_step_updates_a_tied_weight_once(xp):
    corpus = _corpus()
    xs, ts = corpus[:20].reshape(4, 5), corpus[1:21].reshape(4, 5)
    if xp is not np:
        xs, ts = backend.to_gpu(xs), backend.to_gpu(ts)
    model, ref = BetterRnnlm(30, 8, 8, seed=0), BetterRnnlm(30, 8, 8, seed=0)
    train_step(model, SGD(0.5), (xs, ts), 0.25)
    ref.forward(xs, ts)
    ref.backward()
    params, grads = merge_shared(ref.params, ref.grads)
    assert len(params) < len(ref.params)  # the embedding and the output weight are one array
    clip_grads(grads, 0.25)
    for p, g in zip(params, grads):
        p -= 0.5 * g
    for p, q in zip(model.params, ref.params):
        np.testing.assert_allclose(backend.to_cpu(p), backend.to_cpu(q), rtol=1e-6, atol=1e-7)


def test_train_step_refuses_bad_arguments():
    model = TwoLayerNet(2, 10, 3)
    x, t = load_data()
    with pytest.raises(TypeError, match="batch must be a tuple"):
        train_step(model, SGD(), x[:4])
    with pytest.raises(TypeError, match="model must have params, grads, forward and backward"):
        train_step(object(), SGD(), (x, t))
    with pytest.raises(TypeError, match="optimizer must be a scratchnlp.optim.Optimizer"):
        train_step(model, "sgd", (x, t))
    for bad in (0, -1.0, float("nan"), float("inf"), True, "1"):
        with pytest.raises(ValueError, match="max_grad must be a positive finite number or None"):
            train_step(model, SGD(), (x, t), bad)


class _NanGrad(TwoLayerNet):
    def backward(self, dout=1.0):
        out = super().backward(dout)
        self.grads[2][1, 0] = np.inf
        return out


class _UncheckedSGD(SGD):
    checks_finite_grads = False

    def update(self, params, grads):  # applies whatever it gets, as a user's optimizer might
        for p, g in zip(params, grads):
            p -= self.lr * g


@pytest.mark.parametrize("opt", [SGD, Adam, FusedAdam, _UncheckedSGD])
@pytest.mark.parametrize("max_grad", [None, 1.0])
def test_a_nan_gradient_is_named_and_changes_nothing(xp, opt, max_grad):
    x, t = load_data()
    bx, bt = x[:30], t[:30]
    if xp is not np:
        bx, bt = backend.to_gpu(bx), backend.to_gpu(bt)
    model, optimizer = _NanGrad(2, 10, 3, seed=0), opt(lr=0.1)
    before = [backend.to_cpu(p).copy() for p in model.params]
    calls = []

    def where():
        calls.append(1)
        return "the third batch"

    with pytest.raises(NonFiniteLossError, match=r"^the gradient of W2 holds NaN or inf at the third batch; the "
                                                 r"parameters keep their values from before this batch\."):
        train_step(model, optimizer, (bx, bt), max_grad, where=where)
    assert calls == [1]
    for p, b in zip(model.params, before):
        np.testing.assert_array_equal(backend.to_cpu(p), b)
    assert getattr(optimizer, "iter", 0) == 0 and all(not s for s in optimizer.state)


def test_a_nan_loss_stops_before_backward(xp):
    x, t = load_data()
    bx = np.full_like(x[:30], np.nan)
    bt = t[:30]
    if xp is not np:
        bx, bt = backend.to_gpu(bx), backend.to_gpu(bt)
    model = TwoLayerNet(2, 10, 3, seed=0)
    with pytest.raises(NonFiniteLossError, match=r"^the loss is not finite at batch 7: SoftmaxWithLoss scores x "
                                                 r"hold NaN.*; the parameters keep their values"):
        train_step(model, SGD(), (bx, bt), where="batch 7")
    assert all(not bool((g != 0).any()) for g in model.grads)  # backward never ran


class _InfLoss(TwoLayerNet):
    def forward(self, x, t):
        super().forward(x, t)
        return float("inf")


def test_an_infinite_loss_stops_before_backward(xp):
    x, t = load_data()
    bx, bt = x[:30], t[:30]
    if xp is not np:
        bx, bt = backend.to_gpu(bx), backend.to_gpu(bt)
    model = _InfLoss(2, 10, 3, seed=0)
    with pytest.raises(NonFiniteLossError, match=r"^loss became inf; the parameters keep their values"):
        train_step(model, SGD(), (bx, bt))
    assert all(not bool((g != 0).any()) for g in model.grads)


def test_every_loop_runs_train_step(monkeypatch):
    from scratchnlp._site import speedup
    from scratchnlp.text import create_contexts_target

    calls = []
    real = training.train_step

    def counting(*args, **kwargs):
        calls.append(type(args[0]).__name__)
        return real(*args, **kwargs)

    monkeypatch.setattr(training, "train_step", counting)
    x, t = load_data()
    Trainer(TwoLayerNet(2, 10, 3), SGD()).fit(x, t, 1, 100, progress=False)
    assert calls == ["TwoLayerNet"] * 3
    corpus = _corpus()
    contexts, target = create_contexts_target(corpus, 2)
    calls.clear()
    Trainer(CBOW(30, 8, 2, corpus), Adam()).fit(contexts, target, 1, 100, progress=False)
    assert calls == ["CBOW"] * 3
    calls.clear()
    RnnlmTrainer(Rnnlm(30, 8, 8), SGD()).fit(corpus[:-1], corpus[1:], 1, 4, 5, progress=False)
    assert calls == ["Rnnlm"] * (399 // 20)
    calls.clear()
    speedup.training_step_time(Rnnlm(30, 8, 8), SGD(), corpus[:20].reshape(4, 5), corpus[1:21].reshape(4, 5),
                              max_grad=0.25, repeats=2, warmup=1)
    assert calls == ["Rnnlm"] * 3


def test_train_step_copies_nothing_to_the_host_but_scalars(device_xp):
    import fakecupy

    if device_xp is not fakecupy:
        pytest.skip("only the CuPy stand-in sees the copies")
    x, t = _seq_data()
    model = AttentionSeq2seq(6, 8, 8, seed=0)
    bx, bt = backend.to_gpu(x[:16]), backend.to_gpu(t[:16])
    with fakecupy.no_copies_to_host():
        for max_grad in (None, 5.0):
            loss, _ = train_step(model, Adam(), (bx, bt), max_grad)
            assert np.isfinite(loss)


# --------------------------------------------------------------------------------------------------------
# train_fast shares the checks, before anything changes
# --------------------------------------------------------------------------------------------------------


def test_train_fast_stops_on_a_non_finite_loss_with_the_weights_untouched():
    from scratchnlp.word2vec_fast import train_fast

    corpus = _corpus()
    model = CBOW(30, 8, 2, corpus, seed=0)
    model.params[0][3] = np.inf  # every batch that reads word 3 scores inf
    before = [p.copy() for p in model.params]
    with np.errstate(all="ignore"), pytest.raises(NonFiniteLossError,
                                                  match=r"^loss became nan at epoch 1 \(iteration 1 overall\); lower"):
        train_fast(model, corpus, epochs=1, batch_size=100)
    for p, b in zip(model.params, before):
        np.testing.assert_array_equal(p, b)


def test_train_fast_stops_on_a_non_finite_update_naming_the_matrix(monkeypatch):
    from scratchnlp import word2vec_fast

    corpus = _corpus()
    model = CBOW(30, 8, 2, corpus, seed=0)
    W_in, W_out = model.params
    before = [p.copy() for p in model.params]
    rows = np.ones((2, 8), np.float32)
    bad = rows.copy()
    bad[1, 4] = np.nan
    monkeypatch.setattr(word2vec_fast, "_cbow_batch",
                        lambda *args: (0.5, [(W_out, np.array([1, 2]), rows), (W_in, np.array([3, 4]), bad)]))
    with pytest.raises(NonFiniteLossError, match=r"^the gradient of W_in holds NaN or inf at epoch 1 \(iteration 1 "
                                                 r"overall\); the parameters keep their values"):
        word2vec_fast.train_fast(model, corpus, epochs=1, batch_size=100)
    for p, b in zip(model.params, before):  # W_out's update was not applied either
        np.testing.assert_array_equal(p, b)


def test_optim_module_is_what_train_step_clips_with():
    """train_step's clipping is the book's clip_grads: same scale, same norm returned."""
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal((5, 4)).astype(np.float32) for _ in range(3)]
    copy = [g.copy() for g in grads]
    norm = optim.clip_grads(copy, 0.5)
    assert training._checked_grads(grads, 0.5) == norm
    for g, c in zip(grads, copy):
        np.testing.assert_array_equal(g, c)


def test_the_norm_on_the_device_is_one_transfer_and_the_same_number(device_xp, monkeypatch):
    """On the GPU the clipping norm and the NaN checks read one scalar per step, not one per gradient."""
    import fakecupy

    from scratchnlp.optim import _first_non_finite

    if device_xp is not fakecupy:
        pytest.skip("only the CuPy stand-in counts the transfers")
    rng = np.random.default_rng(0)
    host = [rng.standard_normal(shape).astype(dtype) for shape, dtype in
            (((30, 8), np.float32), ((8,), np.float32), ((8, 32), np.float16), ((5, 5), np.float64))]
    host.append(np.full(4, 3e20, np.float32))  # finite, but its float32 sum of squares overflows
    device = [backend.to_gpu(h) for h in host]
    reads = []
    real = fakecupy.ndarray.__float__
    monkeypatch.setattr(fakecupy.ndarray, "__float__", lambda self: reads.append(1) or real(self))
    assert grad_norm(device[:4]) == grad_norm(host[:4]) and len(reads) == 1
    assert _first_non_finite(device[:4]) is None and len(reads) == 2
    assert grad_norm(device) == grad_norm(host) and np.isfinite(grad_norm(device))  # the float64 redo
    device[2][1, 3] = np.nan
    assert _first_non_finite(device) == 2 and np.isnan(grad_norm(device))
