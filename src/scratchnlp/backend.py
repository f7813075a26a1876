"""Array backend: NumPy by default, CuPy on request (the book's chapter 1.5 and appendix on GPU speed-up).

This is the only module that imports :mod:`cupy`. Everything else asks for the array namespace of its inputs
with :func:`xp`, so the same code runs on NumPy and CuPy arrays without global monkey-patching.

Choose the GPU with the environment variable ``SCRATCHNLP_DEVICE=gpu`` (read at import) or with
``set_device("gpu")``. Asking for the GPU where CuPy or a CUDA device is missing raises one clear
:class:`RuntimeError`.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

__all__ = [
    "xp",
    "array_module",
    "get_device",
    "set_device",
    "to_cpu",
    "to_gpu",
    "asarray",
    "scatter_add",
    "get_default_dtype",
    "set_default_dtype",
    "is_gpu_array",
]

_DEVICES = ("cpu", "gpu")
_device = "cpu"
_default_dtype = np.dtype(np.float32)
_cupy: Any = None


def _import_cupy() -> Any:
    """Import CuPy and check that a CUDA device is usable, or raise one clear error."""
    global _cupy
    if _cupy is not None:
        return _cupy
    try:
        import cupy  # noqa: PLC0415  (the only cupy import in the package)
    except ImportError as exc:
        raise RuntimeError(
            "GPU requested (SCRATCHNLP_DEVICE=gpu or set_device('gpu')) but CuPy is not installed; "
            "install it with `pip install 'scratchnlp[gpu]'` (CuPy for CUDA 12) or use the CPU"
        ) from exc
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDA driver missing or broken: CuPy raises its own runtime errors
        raise RuntimeError(f"GPU requested but CUDA is not usable: {exc}") from exc
    if count < 1:
        raise RuntimeError("GPU requested but CuPy found no CUDA device")
    _cupy = cupy
    return cupy


def set_device(device: str) -> None:
    """Select where new arrays live: ``"cpu"`` (NumPy) or ``"gpu"`` (CuPy).

    Raises
    ------
    ValueError
        If ``device`` is not ``"cpu"`` or ``"gpu"``.
    RuntimeError
        If ``"gpu"`` is asked for and CuPy or a CUDA device is missing.
    """
    global _device
    if device not in _DEVICES:
        raise ValueError(f"device must be one of {_DEVICES}, got {device!r}")
    if device == "gpu":
        _import_cupy()
    _device = device


def get_device() -> str:
    """Return the current device, ``"cpu"`` or ``"gpu"``."""
    return _device


def array_module() -> Any:
    """Return the namespace for *new* arrays on the current device: :mod:`numpy` or :mod:`cupy`."""
    return _import_cupy() if _device == "gpu" else np


def is_gpu_array(a: Any) -> bool:
    """True when ``a`` is a CuPy array (checked without importing CuPy)."""
    return type(a).__module__.startswith("cupy")


def xp(*arrays: Any) -> Any:
    """Return the array namespace of the inputs: :mod:`cupy` if any is a CuPy array, else :mod:`numpy`.

    Functions call ``xp = backend.xp(x)`` so they run unchanged on either library.
    """
    for a in arrays:
        if is_gpu_array(a):
            return _import_cupy()
    return np


def to_cpu(a: Any) -> np.ndarray:
    """Return ``a`` as a NumPy array (copying from the GPU when needed)."""
    if is_gpu_array(a):
        return a.get()
    return np.asarray(a)


def to_gpu(a: Any) -> Any:
    """Return ``a`` as a CuPy array on the current CUDA device."""
    cp = _import_cupy()
    return cp.asarray(a)


def asarray(a: Any, dtype: Any = None) -> Any:
    """Convert ``a`` to an array on the current device (float inputs default to the default dtype)."""
    mod = array_module()
    arr = mod.asarray(a)
    if dtype is None and arr.dtype.kind == "f":
        dtype = _default_dtype
    return arr if dtype is None else arr.astype(dtype, copy=False)


def get_default_dtype() -> np.dtype:
    """The float dtype new parameters are created in: float32 unless changed (chapter 1.5.2)."""
    return _default_dtype


def set_default_dtype(dtype: Any) -> None:
    """Set the float dtype for new parameters: ``float16``, ``float32`` or ``float64``."""
    global _default_dtype
    d = np.dtype(dtype)
    if d.kind != "f":
        raise ValueError(f"default dtype must be a float dtype, got {d}")
    _default_dtype = d


def scatter_add(target: Any, indices: Any, values: Any) -> None:
    """Add ``values`` into ``target`` at ``indices`` along axis 0, summing over repeated indices, in place.

    ``target[indices[i]] += values[i]`` for every ``i``, the way ``np.add.at`` does it, but fast: on NumPy the
    repeated rows are summed with a sort and :func:`numpy.add.reduceat` (``np.add.at`` is unbuffered and
    slow for wide rows); on CuPy, :func:`cupyx.scatter_add` does it with atomics.

    Parameters
    ----------
    target : (V, ...) array, modified in place
    indices : (N,) integer array of row numbers in ``[0, V)``
    values : (N, ...) array, rows added to ``target``
    """
    indices = indices.ravel() if indices.ndim != 1 else indices
    values = values.reshape((indices.shape[0],) + target.shape[1:])
    if is_gpu_array(target):
        import cupyx  # noqa: PLC0415

        cupyx.scatter_add(target, indices, values)
        return
    if indices.shape[0] == 0:
        return
    order = np.argsort(indices, kind="stable")
    sorted_idx = indices[order]
    # first position of each run of equal indices
    starts = np.flatnonzero(np.concatenate(([True], sorted_idx[1:] != sorted_idx[:-1])))
    sums = np.add.reduceat(values[order], starts, axis=0)
    target[sorted_idx[starts]] += sums.astype(target.dtype, copy=False)


_env_device = os.environ.get("SCRATCHNLP_DEVICE", "cpu").strip().lower() or "cpu"
if _env_device not in _DEVICES:
    raise ValueError(f"SCRATCHNLP_DEVICE must be 'cpu' or 'gpu', got {_env_device!r}")
if _env_device == "gpu":
    set_device("gpu")
