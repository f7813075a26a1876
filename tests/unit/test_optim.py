"""Optimizers against updates computed by hand, tied parameters, and clip_grads, on every array namespace (``xp``)
except for FusedAdam's CPU forms."""

import math

import numpy as np
import pytest

from scratchnlp import backend
from scratchnlp.optim import (
    SGD,
    AdaGrad,
    Adam,
    FusedAdam,
    Momentum,
    Nesterov,
    RMSprop,
    clip_grads,
    grad_norm,
    merge_shared,
)
from scratchnlp.training import NonFiniteLossError


def run(opt, steps, p0=1.0, grads=(0.5, -1.0, 2.0), xp=np):
    p = xp.asarray([p0])
    for g in grads[:steps]:
        opt.update([p], [xp.asarray([g])])
    return float(p[0])


def test_sgd(xp):
    assert run(SGD(lr=0.1), 2, xp=xp) == pytest.approx(1.0 - 0.1 * 0.5 + 0.1 * 1.0)


def test_momentum_two_steps(xp):
    # v1 = -0.1*0.5 = -0.05; p1 = 0.95; v2 = 0.9*-0.05 - 0.1*(-1) = 0.055; p2 = 1.005
    assert run(Momentum(lr=0.1, momentum=0.9), 2, xp=xp) == pytest.approx(1.005)


def test_nesterov_two_steps(xp):
    # step 1: v = -0.05; p = 1 + 0.81*(-0.05) - 1.9*0.05 = 0.8645
    # step 2: v = 0.9*(-0.05) + 0.1 = 0.055; p = 0.8645 + 0.81*0.055 + 1.9*0.1 = 1.09905
    assert run(Nesterov(lr=0.1, momentum=0.9), 2, xp=xp) == pytest.approx(1.09905)


def test_adagrad_two_steps(xp):
    p1 = 1.0 - 0.1 * 0.5 / (math.sqrt(0.25) + 1e-7)
    p2 = p1 + 0.1 * 1.0 / (math.sqrt(1.25) + 1e-7)
    assert run(AdaGrad(lr=0.1), 2, xp=xp) == pytest.approx(p2)


def test_rmsprop_two_steps(xp):
    h1 = 0.01 * 0.25
    p1 = 1.0 - 0.1 * 0.5 / (math.sqrt(h1) + 1e-7)
    h2 = 0.99 * h1 + 0.01 * 1.0
    p2 = p1 + 0.1 * 1.0 / (math.sqrt(h2) + 1e-7)
    assert run(RMSprop(lr=0.1, decay_rate=0.99), 2, xp=xp) == pytest.approx(p2)


def test_adam_two_steps(xp):
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-7
    p, m, v = 1.0, 0.0, 0.0
    for t, g in enumerate((0.5, -1.0), start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        # the book folds the bias correction into the step size, which divides eps by sqrt(1 - b2^t)
        p -= lr * m_hat / (math.sqrt(v_hat) + eps / math.sqrt(1 - b2**t))
    assert run(Adam(lr=lr), 2, xp=xp) == pytest.approx(p, rel=1e-9)


def test_first_adam_step_has_size_lr(xp):
    # with bias correction the first step is lr * sign(g), whatever the gradient's scale
    assert run(Adam(lr=0.01), 1, grads=(1234.5,), xp=xp) == pytest.approx(1.0 - 0.01, rel=1e-6)


@pytest.mark.parametrize("opt_cls", [SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam])
def test_tied_parameter_updated_once_with_summed_gradient(xp, opt_cls):
    shared = xp.asarray([1.0, 2.0])
    alone = xp.asarray([1.0, 2.0])
    g1, g2 = xp.asarray([0.3, -0.2]), xp.asarray([0.1, 0.5])
    opt_tied, opt_ref = opt_cls(lr=0.1), opt_cls(lr=0.1)
    for _ in range(3):
        opt_tied.update([shared, shared], [g1.copy(), g2.copy()])
        opt_ref.update([alone], [g1 + g2])
    np.testing.assert_allclose(backend.to_cpu(shared), backend.to_cpu(alone), rtol=1e-12)


def test_transposed_tie_is_merged(xp):
    W = xp.arange(6.0).reshape(2, 3)
    gW, gWT = xp.ones((2, 3)), xp.full((3, 2), 2.0)
    params, grads = merge_shared([W, W.T], [gW, gWT])
    assert len(params) == 1 and params[0] is W
    np.testing.assert_array_equal(backend.to_cpu(grads[0]), np.full((2, 3), 3.0))
    np.testing.assert_array_equal(backend.to_cpu(gW), 1.0)  # the layer's own buffer is untouched


def test_equal_but_distinct_arrays_are_not_tied(xp):
    a, b = xp.zeros((2, 2)), xp.zeros((2, 2))
    params, _ = merge_shared([a, b], [a, b])
    assert len(params) == 2


def test_clip_grads_scales_to_stated_norm(xp):
    grads = [xp.asarray([3.0, 0.0]), xp.asarray([[0.0], [4.0]])]
    norm = clip_grads(grads, 1.0)
    assert norm == pytest.approx(5.0)
    total = math.sqrt(sum(float((g**2).sum()) for g in grads))
    assert total == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(backend.to_cpu(grads[0]), [0.6, 0.0], rtol=1e-5)


def test_clip_grads_leaves_small_gradients_alone(xp):
    grads = [xp.asarray([0.3, 0.4])]
    assert clip_grads(grads, 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(backend.to_cpu(grads[0]), [0.3, 0.4])


def test_bad_optimizer_inputs(xp):
    with pytest.raises(ValueError, match="positive"):
        SGD(lr=0)
    opt = SGD()
    with pytest.raises(ValueError, match="does not match"):
        opt.update([xp.zeros(2)], [xp.zeros(3)])
    opt.update([xp.zeros(2)], [xp.zeros(2)])
    with pytest.raises(ValueError, match="one optimizer per model"):
        opt.update([xp.zeros(3)], [xp.zeros(3)])
    with pytest.raises(ValueError, match="positive"):
        clip_grads([xp.zeros(2)], 0)


# --------------------------------------------------------------------------------------------------------
# Bad input: hyperparameters, (param, grad) pairs, NaN gradients; all-or-nothing updates
# --------------------------------------------------------------------------------------------------------

ALL = [SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam, FusedAdam]


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda v: SGD(lr=v), "lr"),
        (lambda v: Momentum(momentum=v), "momentum"),
        (lambda v: Nesterov(momentum=v), "momentum"),
        (lambda v: AdaGrad(eps=v), "eps"),
        (lambda v: RMSprop(decay_rate=v), "decay_rate"),
        (lambda v: Adam(beta1=v), "beta1"),
        (lambda v: Adam(beta2=v), "beta2"),
        (lambda v: FusedAdam(eps=v), "eps"),
    ],
)
@pytest.mark.parametrize("bad", [float("inf"), float("nan"), -5, 1.0, 0])
def test_hyperparameters_out_of_range_are_refused_naming_the_argument(make, name, bad):
    in_unit = name in ("momentum", "decay_rate", "beta1", "beta2")
    if (in_unit and bad == 0) or (not in_unit and bad == 1.0):
        make(bad)  # 0 is a valid momentum/decay/beta; 1.0 a valid lr/eps
        return
    with pytest.raises(ValueError, match=name) as err:
        make(bad)
    assert ("[0, 1)" if in_unit else "> 0") in str(err.value)


@pytest.mark.parametrize("bad", ["0.1", True, None, [0.1], 1 + 2j])
def test_hyperparameters_of_the_wrong_type_raise_type_error(bad):
    with pytest.raises(TypeError, match="lr must be a real number"):
        SGD(bad)
    with pytest.raises(TypeError, match="momentum"):
        Momentum(0.1, momentum=bad)
    with pytest.raises(TypeError, match="beta1"):
        Adam(beta1=bad)


def test_book_signatures_and_numpy_scalars_are_accepted():
    assert SGD(lr=np.float32(0.5)).lr == 0.5 and type(SGD(lr=np.float32(0.5)).lr) is float
    Momentum(lr=0.01, momentum=0.9)
    AdaGrad(lr=0.01)
    RMSprop(lr=0.01, decay_rate=0.99)
    Adam(lr=0.001, beta1=0.9, beta2=0.999)
    Momentum(momentum=0)  # [0, 1) includes 0


@pytest.mark.parametrize("opt_cls", ALL)
def test_a_bad_later_pair_leaves_every_parameter_and_the_state_untouched(xp, opt_cls):
    rng = np.random.default_rng(0)
    params = [rng.standard_normal((20, 3)).astype(np.float32), rng.standard_normal(4).astype(np.float32)]
    grads = [rng.standard_normal((20, 3)).astype(np.float32), rng.standard_normal(4).astype(np.float32)]
    params, grads = [xp.asarray(p) for p in params], [xp.asarray(g) for g in grads]
    opt = opt_cls()
    opt.update(params, grads)  # one good step, so the state exists
    before = [backend.to_cpu(p) for p in params]
    state = [{k: backend.to_cpu(v) for k, v in s.items() if hasattr(v, "copy")} for s in opt.state]
    steps = getattr(opt, "iter", None)
    bad_grads = [
        [grads[0], grads[1].astype(np.complex64)],  # not a float dtype
        [grads[0], grads[1].astype(np.float64)],  # float64 into float32: not a safe cast
        [grads[0], xp.zeros(5, np.float32)],  # wrong shape
        [grads[0], [0.0, 0.0, 0.0, 0.0]],  # not an array
    ]
    for bad in bad_grads:
        with pytest.raises((TypeError, ValueError), match=r"grads\[1\]|gradient shape"):
            opt.update(params, bad)
    if xp is np:  # (CuPy arrays are always writeable)
        read_only = params[1].copy()
        read_only.setflags(write=False)
        with pytest.raises(ValueError, match=r"params\[1\] is read-only"):
            opt.update([params[0], read_only], grads)
    else:  # a host gradient for a device parameter
        with pytest.raises(ValueError, match=r"params\[1\] is on the GPU but grads\[1\] is on the CPU"):
            opt.update(params, [grads[0], np.zeros(4, np.float32)])
    with pytest.raises(ValueError, match="same length"):
        opt.update(params, grads[:1])
    for p, b in zip(params, before):
        np.testing.assert_array_equal(backend.to_cpu(p), b)
    for s, saved in zip(opt.state, state):
        for k, v in saved.items():
            np.testing.assert_array_equal(backend.to_cpu(s[k]), v)
    assert getattr(opt, "iter", None) == steps


@pytest.mark.parametrize("opt_cls", ALL)
@pytest.mark.parametrize("bad_value", [np.nan, np.inf, -np.inf])
def test_non_finite_gradient_raises_before_any_change(xp, opt_cls, bad_value):
    rng = np.random.default_rng(1)
    params = [rng.standard_normal((30, 4)).astype(np.float32), rng.standard_normal((30, 4)).astype(np.float32)]
    good = [np.zeros((30, 4), np.float32), np.zeros((30, 4), np.float32)]
    good[0][3] = 1.0
    good[1][7] = -2.0
    params, good = [xp.asarray(p) for p in params], [xp.asarray(g) for g in good]
    opt = opt_cls(lr=0.1)
    opt.update(params, good)
    before = [backend.to_cpu(p) for p in params]
    bad = [good[0].copy(), good[1].copy()]
    bad[1][11, 2] = bad_value  # in the second parameter, in a row that is otherwise zero
    with pytest.raises(NonFiniteLossError, match=r"grads\[1\].*NaN or inf") as err:
        opt.update(params, bad)
    assert err.value.index == 1
    for p, b in zip(params, before):
        np.testing.assert_array_equal(backend.to_cpu(p), b)
    assert opt.checks_finite_grads


def test_huge_but_finite_gradients_are_not_mistaken_for_inf(xp):
    g = xp.full((4, 3), 3e38, dtype=np.float32)  # finite; its float32 sum of squares overflows
    assert math.isfinite(grad_norm([g]))
    p = xp.zeros((20, 3), np.float32)
    g = xp.full((20, 3), 3e38, dtype=np.float32)
    SGD(lr=1e-40).update([p], [g])  # no NonFiniteLossError
    with np.errstate(over="ignore", invalid="ignore"):  # Adam's own g * g overflows; the check must not
        FusedAdam().update([p], [g])


def test_clip_grads_refuses_nan_gradients_and_scales_nothing(xp):
    grads = [xp.asarray([3.0, 0.0]), xp.asarray([np.nan, 1.0])]
    with pytest.raises(NonFiniteLossError, match=r"grads\[1\]"):
        clip_grads(grads, 1.0)
    np.testing.assert_array_equal(backend.to_cpu(grads[0]), [3.0, 0.0])
    with pytest.raises(ValueError, match="max_norm"):
        clip_grads(grads, float("nan"))


def test_tied_parameter_with_nan_gradient_names_its_first_occurrence(xp):
    W, b = xp.ones((3, 2)), xp.ones(2)
    g_nan = xp.zeros((3, 2))
    g_nan[0, 0] = np.nan
    with pytest.raises(NonFiniteLossError) as err:
        SGD().update([b, W, W], [xp.zeros(2), xp.zeros((3, 2)), g_nan])
    assert err.value.index == 1
    np.testing.assert_array_equal(backend.to_cpu(W), 1.0)


# --------------------------------------------------------------------------------------------------------
# FusedAdam
# --------------------------------------------------------------------------------------------------------


def _sparse_grads(rng, params, steps, frac, dtype):
    for _ in range(steps):
        grads = [rng.standard_normal(p.shape).astype(dtype) for p in params]
        for g in grads:
            if g.ndim >= 2:
                zero = rng.random(g.shape[0]) > frac
                g[zero] = 0
                g[zero & (rng.random(g.shape[0]) < 0.5)] = -0.0  # signed zeros too
        yield grads


@pytest.mark.parametrize("frac", [0.05, 0.9])
def test_fused_adam_exact_is_bitwise_equal_to_adam(frac):
    rng = np.random.default_rng(2)
    params = [rng.standard_normal((300, 7)).astype(np.float32), rng.standard_normal(11).astype(np.float32)]
    plain, fused = [p.copy() for p in params], [p.copy() for p in params]
    a, b = Adam(0.01), FusedAdam(0.01, chunk_size=256, exact=True)  # several chunks, a shorter last one
    for grads in _sparse_grads(rng, params, 5, frac, np.float32):
        a.update(plain, [g.copy() for g in grads])
        b.update(fused, [g.copy() for g in grads])
    for p, q in zip(plain, fused):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("frac", [0.05, 0.3, 0.9])
def test_fused_adam_equals_adam_to_round_off(dtype, frac):
    """The scaled-moment form, across several folds of beta1^t into the state (every 263 steps)."""
    rng = np.random.default_rng(3)
    params = [rng.standard_normal((200, 5)).astype(dtype), rng.standard_normal(6).astype(dtype),
              rng.standard_normal((40, 2, 3)).astype(dtype)]
    plain, fused = [p.copy() for p in params], [p.copy() for p in params]
    ref = [p.astype(np.float64) for p in params]
    a, b, r = Adam(0.01), FusedAdam(0.01, chunk_size=128), Adam(0.01)
    for grads in _sparse_grads(rng, params, 600, frac, dtype):
        a.update(plain, [g.copy() for g in grads])
        b.update(fused, [g.copy() for g in grads])
        r.update(ref, [g.astype(np.float64) for g in grads])
    tol = 2e-5 if dtype == np.float32 else 1e-13
    for p0, p, q, x in zip(params, plain, fused, ref):
        move = float(np.abs(x - p0).max())
        # no further from a float64 Adam than the plain Adam in the same dtype is, give or take round-off
        assert float(np.abs(q - x).max()) <= max(2 * float(np.abs(p - x).max()), tol * move)


def test_fused_adam_options():
    with pytest.raises(ValueError, match="chunk_size"):
        FusedAdam(chunk_size=0)
    with pytest.raises(TypeError, match="exact"):
        FusedAdam(exact="yes")
    p = np.ones((4, 3))
    FusedAdam(beta1=0.0).update([p], [np.ones((4, 3))])  # beta1 < 0.5: the exact form, still works
    assert np.isfinite(p).all()


class _NanGradModel:
    """Finite loss, NaN gradient from the given iteration on."""

    def __init__(self, bad_from: int) -> None:
        xp = backend.array_module()
        self.params = [xp.ones((20, 3), np.float32)]
        self.grads = [xp.zeros((20, 3), np.float32)]
        self.param_names = ["W"]
        self.calls, self.bad_from = 0, bad_from

    def forward(self, x, t):
        return 1.0

    def backward(self, dout=1.0):
        self.calls += 1
        self.grads[0][...] = 0.5
        if self.calls >= self.bad_from:
            self.grads[0][4, 1] = np.nan


@pytest.mark.parametrize("opt_cls", [SGD, Adam, FusedAdam])
@pytest.mark.parametrize("max_grad", [None, 1.0])
def test_trainer_stops_on_a_nan_gradient_naming_it_with_parameters_untouched(xp, opt_cls, max_grad):
    from scratchnlp.training import Trainer  # noqa: PLC0415

    model = _NanGradModel(bad_from=3)
    trainer = Trainer(model, opt_cls(lr=0.1))
    x, t = np.zeros((8, 1), np.float32), np.zeros(8, np.int64)
    with pytest.raises(NonFiniteLossError, match=r"gradient of W holds NaN or inf at epoch 1, iteration 3"):
        trainer.fit(x, t, max_epoch=1, batch_size=2, max_grad=max_grad)
    assert trainer.iteration == 2
    # W is where two good steps took it: the third, NaN one changed nothing
    expected, opt = [np.ones((20, 3), np.float32)], opt_cls(lr=0.1)
    for _ in range(2):
        g = [np.full((20, 3), 0.5, np.float32)]
        if max_grad is not None:
            clip_grads(g, max_grad)
        opt.update(expected, g)
    np.testing.assert_array_equal(backend.to_cpu(model.params[0]), expected[0])


@pytest.mark.parametrize("cls", [SGD, Adam])
def test_an_optimizer_refuses_the_parameters_of_another_model_of_the_same_shapes(xp, cls):
    first = [xp.ones(3), xp.ones((2, 2))]
    other = [xp.ones(3), xp.ones((2, 2))]
    grads = [xp.full(3, 0.5), xp.full((2, 2), 0.5)]
    opt = cls(lr=0.1)
    opt.update(first, grads)
    opt.update(list(first), grads)  # the same arrays in a new list: fine
    before = [backend.to_cpu(p).copy() for p in other]
    with pytest.raises(ValueError, match="holds the state .* of other parameter arrays of the same shapes"):
        opt.update(other, grads)
    for p, b in zip(other, before):
        np.testing.assert_array_equal(backend.to_cpu(p), b)
