import importlib.util

import numpy as np
import pytest

from scratchnlp import backend


def test_default_is_numpy_float32():
    assert backend.get_device() == "cpu"
    assert backend.array_module() is np
    assert backend.get_default_dtype() == np.float32
    assert backend.asarray([1.0, 2.0]).dtype == np.float32


def test_xp_of_numpy_arrays():
    assert backend.xp(np.zeros(3)) is np
    assert backend.xp(np.zeros(3), 1.0) is np


def test_to_cpu_is_identity_for_numpy():
    a = np.arange(3)
    assert backend.to_cpu(a) is a


@pytest.mark.parametrize("n, v", [(0, 5), (1, 5), (50, 3), (1000, 7)])
def test_scatter_add_matches_add_at_with_repeats(n, v):
    rng = np.random.default_rng(0)
    idx = rng.integers(0, v, n)
    vals = rng.standard_normal((n, 4))
    expected = np.ones((v, 4))
    np.add.at(expected, idx, vals)
    got = np.ones((v, 4))
    backend.scatter_add(got, idx, vals)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_unknown_device_is_an_error():
    with pytest.raises(ValueError, match="cpu"):
        backend.set_device("tpu")


@pytest.mark.skipif(importlib.util.find_spec("cupy") is not None, reason="CuPy installed: the GPU may exist")
def test_gpu_without_cupy_is_one_clear_error():
    with pytest.raises(RuntimeError, match="CuPy is not installed"):
        backend.set_device("gpu")
    assert backend.get_device() == "cpu"


def test_default_dtype_must_be_float():
    with pytest.raises(ValueError, match="float"):
        backend.set_default_dtype(np.int32)
    backend.set_default_dtype(np.float64)
    try:
        assert backend.asarray([1.0]).dtype == np.float64
    finally:
        backend.set_default_dtype(np.float32)
