import importlib.util
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from scratchnlp import _checks, backend


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


@pytest.mark.skipif(importlib.util.find_spec("cupy") is not None, reason="CuPy installed: the GPU may exist")
def test_gpu_without_cupy_at_import_is_the_documented_error():
    # SCRATCHNLP_DEVICE=gpu fails the backend's import; the error is still catchable by its own type
    code = textwrap.dedent("""
        try:
            import scratchnlp.backend
        except Exception as exc:
            from scratchnlp._checks import DeviceUnavailableError
            print(type(exc).__name__, isinstance(exc, DeviceUnavailableError), isinstance(exc, RuntimeError))
    """)
    env = {**os.environ, "SCRATCHNLP_DEVICE": "gpu"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120).stdout
    assert out.split() == ["DeviceUnavailableError", "True", "True"]
    assert backend.DeviceUnavailableError is _checks.DeviceUnavailableError


def test_default_dtype_must_be_float():
    with pytest.raises(ValueError, match="float"):
        backend.set_default_dtype(np.int32)
    backend.set_default_dtype(np.float64)
    try:
        assert backend.asarray([1.0]).dtype == np.float64
    finally:
        backend.set_default_dtype(np.float32)


# --- the xp fixture and the CuPy stand-in (tests/fakecupy.py) ----------------------------------------------------


def test_the_cupy_stand_in_refuses_numpy_as_cupy_does():
    import fakecupy as cp

    a = cp.asarray(np.arange(6.0).reshape(2, 3))
    refused = [lambda: np.asarray(a), lambda: np.tanh(a), lambda: np.concatenate([a, a]), lambda: a + np.ones(3),
               lambda: np.ones(3) * a, lambda: cp.matmul(a, np.ones((3, 1))), lambda: float(a)]
    for call in refused:
        with pytest.raises(TypeError):
            call()
    with pytest.raises(ValueError, match="non-scalar numpy.ndarray"):
        a[...] = np.ones((2, 3))
    a[np.array([1])] = np.full((1, 3), 7.0)  # advanced indexing copies a host value over, as CuPy does
    view = a.reshape(-1)
    view += 1  # views stay views
    np.testing.assert_array_equal(a.get(), [[1, 2, 3], [8, 8, 8]])
    assert float(a[0, 0]) == 1.0 and isinstance(a[0, 0], cp.ndarray) and a.T.base is a
    assert np.float32(2) * a is not None and cp.tanh(a, out=a) is a
    assert not hasattr(cp.random, "random")  # only seeded generators


def test_the_xp_fixture_puts_the_backend_on_its_device(xp):
    assert backend.array_module() is xp
    a = backend.asarray([1.0, 2.0])
    assert backend.xp(a) is xp and a.dtype == np.float32 and backend.is_gpu_array(a) == (xp is not np)
    np.testing.assert_array_equal(backend.to_cpu(a), [1.0, 2.0])
    target = xp.zeros((3, 2))
    backend.scatter_add(target, xp.asarray([0, 2, 0]), xp.ones((3, 2)))
    np.testing.assert_array_equal(backend.to_cpu(target), [[2, 2], [0, 0], [1, 1]])
    if xp is not np:
        assert backend.is_gpu_array(backend.to_gpu(np.ones(2)))


def test_random_generator_draws_on_the_device_from_the_owner_s_seed(xp):
    class Owner:
        def __init__(self, seed):
            self.rng = np.random.default_rng(seed)
            self.device_rng = None

    a, b, c = Owner(1), Owner(1), Owner(2)
    draws = [backend.to_cpu(backend.random_generator(o, xp).random(50, dtype=np.float32)) for o in (a, b, c)]
    np.testing.assert_array_equal(draws[0], draws[1])
    assert not np.array_equal(draws[0], draws[2])
    gen = backend.random_generator(a, xp)
    assert gen is (a.rng if xp is np else a.device_rng)
    assert backend.xp(gen.random(3)) is xp
