"""Shared fixtures: random arrays, gradient-check assertions, the array namespace, and the data checks.

* ``rng``: a fixed NumPy Generator.
* ``assert_grads_ok``: the one assertion of a gradient check (max relative error below 1e-6).
* ``xp``: the array namespace a test runs on: NumPy; ``fakecupy``, the NumPy-backed CuPy stand-in of
  ``tests/fakecupy.py``, on every machine; and CuPy when a GPU is usable (tests marked ``gpu`` run only then).
  For the last two the backend's device is the GPU for the test's duration, so models build their weights
  there. Tests written once with ``xp`` cover all three; ``device_xp`` gives the last two only.
* ``ptb_files``: skips a test unless the PTB files can be had (cached, or from ``SCRATCHNLP_MIRROR``); it
  never touches the network while pytest collects tests.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from scratchnlp import backend

GRAD_TOLERANCE = 1e-6


def _gpu_usable() -> bool:
    try:
        import cupy  # noqa: F401

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # no CuPy, no driver, no device
        return False


GPU = _gpu_usable()


def pytest_collection_modifyitems(config, items):
    skip_gpu = pytest.mark.skip(reason="needs CuPy and a CUDA device")
    for item in items:
        if "gpu" in item.keywords and not GPU:
            item.add_marker(skip_gpu)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def _use(name: str, monkeypatch):
    """Make ``name`` ("numpy", "fakecupy" or "cupy") the backend's array module for one test; returns it."""
    if name == "numpy":
        return np
    if name == "fakecupy":
        import fakecupy

        monkeypatch.setattr(backend, "_cupy", fakecupy)
        monkeypatch.setattr(backend, "_cupyx", fakecupy.cupyx)
    else:
        monkeypatch.setattr(backend, "_cupy", None)  # import the real one (restored afterwards)
    monkeypatch.setattr(backend, "_device", "gpu")
    return backend.array_module()


_DEVICES = ["fakecupy", pytest.param("cupy", marks=pytest.mark.gpu)]


@pytest.fixture(params=["numpy", *_DEVICES])
def xp(request, monkeypatch):
    """The array namespace under test: ``numpy``, the CuPy stand-in, and ``cupy`` where a GPU is usable.

    For the stand-in and CuPy the backend's device is ``"gpu"`` until the test ends; the stand-in is installed
    where the backend keeps its CuPy modules, and everything is restored afterwards.
    """
    return _use(request.param, monkeypatch)


@pytest.fixture(params=_DEVICES)
def device_xp(request, monkeypatch):
    """As ``xp``, without NumPy: for tests whose NumPy run is another test already."""
    return _use(request.param, monkeypatch)


def _check_grads(errors: dict[str, float], tolerance: float = GRAD_TOLERANCE) -> None:
    assert errors, "the gradient check compared nothing"
    bad = {k: v for k, v in errors.items() if not v < tolerance}
    assert not bad, f"relative errors above {tolerance}: {bad} (all: {errors})"


@pytest.fixture
def assert_grads_ok():
    """``assert_grads_ok(errors)``: every relative error of a gradient check is below 1e-6."""
    return _check_grads


@pytest.fixture(scope="session")
def ptb_files():
    """The paths of the three PTB files, or a skip naming what to set (checked once, at first use)."""
    from scratchnlp.datasets import DatasetUnavailableError, fetch

    try:
        return {split: fetch("ptb", f"ptb.{split}.txt", progress=False) for split in ("train", "valid", "test")}
    except DatasetUnavailableError as exc:
        if os.environ.get("SCRATCHNLP_REQUIRE_DATA"):
            pytest.fail(f"PTB is required here (SCRATCHNLP_REQUIRE_DATA is set) but unavailable: {exc}")
        pytest.skip(f"PTB unavailable (set SCRATCHNLP_MIRROR or run `scratchnlp download ptb`): {exc}")


@pytest.fixture
def ax():
    """A fresh Matplotlib axes (Agg backend), closed after the test."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots()
    yield axes
    plt.close(fig)
