"""float16 is a storage dtype: ``set_default_dtype("float16")`` computes in float32 and stores in float16."""

import numpy as np
import pytest

from scratchnlp import backend
from scratchnlp.checkpoint import load_params, read_checkpoint, save_params
from scratchnlp.models import Rnnlm, TwoLayerNet


@pytest.fixture
def restore_dtype():
    yield
    backend.set_default_dtype(np.float32)


def test_default_storage_is_each_parameters_own_dtype():
    assert backend.get_storage_dtype() is None


def test_float16_default_computes_in_float32_and_stores_float16(restore_dtype, tmp_path):
    backend.set_default_dtype("float16")
    assert backend.get_default_dtype() == np.float32
    assert backend.get_storage_dtype() == np.float16
    assert backend.asarray([1.0, 2.0]).dtype == np.float32
    src = TwoLayerNet(2, 8, 3, seed=0)
    assert {p.dtype for p in src.params} == {np.dtype(np.float32)}
    path = save_params(tmp_path / "net.npz", src)
    header, arrays = read_checkpoint(path)
    assert all(a.dtype == np.float16 for a in arrays)
    assert {e["dtype"] for e in header["params"]} == {"float16"}
    dst = TwoLayerNet(2, 8, 3, seed=1)
    load_params(path, dst)
    for a, b in zip(src.params, dst.params):
        assert b.dtype == np.float32
        np.testing.assert_array_equal(b, a.astype(np.float16).astype(np.float32))


def test_explicit_dtype_overrides_the_storage_default(restore_dtype, tmp_path):
    backend.set_default_dtype(np.float16)
    _, arrays = read_checkpoint(save_params(tmp_path / "net.npz", TwoLayerNet(2, 4, 3), dtype=np.float32))
    assert all(a.dtype == np.float32 for a in arrays)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_full_precision_defaults_store_as_computed(restore_dtype, tmp_path, dtype):
    backend.set_default_dtype(np.float16)
    backend.set_default_dtype(dtype)  # leaving float16 also ends float16 storage
    assert backend.get_default_dtype() == dtype
    assert backend.get_storage_dtype() is None
    _, arrays = read_checkpoint(save_params(tmp_path / "net.npz", TwoLayerNet(2, 4, 3)))
    assert all(a.dtype == dtype for a in arrays)


def test_a_model_asked_for_float16_still_computes_in_float16(restore_dtype):
    backend.set_default_dtype(np.float16)
    model = Rnnlm(20, 4, 4, seed=0, dtype=np.float16)
    assert {p.dtype for p in model.params} == {np.dtype(np.float16)}
    assert Rnnlm(20, 4, 4, seed=0).params[0].dtype == np.float32


def test_float16_softmax_loss_shifts_scores_that_would_overflow():
    """exp(x) overflows float16 at x = 11.1 and a row's sum sooner: the loss layer must shift such rows."""
    from scratchnlp.layers import TimeSoftmaxWithLoss

    rng = np.random.default_rng(0)
    xs = (rng.standard_normal((2, 3, 1000)) * 3 + 5).astype(np.float32)  # maxima near 15-20: exp overflows
    ts = rng.integers(0, 1000, (2, 3))
    full = TimeSoftmaxWithLoss()
    half = TimeSoftmaxWithLoss()
    loss32 = full.forward(xs, ts)
    with np.errstate(over="raise", invalid="raise"):
        loss16 = half.forward(xs.astype(np.float16), ts)
    assert np.isfinite(loss16) and abs(loss16 - loss32) < 0.02
    np.testing.assert_allclose(half.backward().astype(np.float32), full.backward(), atol=2e-4)
