"""Array backend: NumPy by default, CuPy on request (the book's chapter 1.5 and appendix on GPU speed-up).

This is the only module that imports :mod:`cupy`. Everything else asks for the array namespace of its inputs
with :func:`xp`, so the same code runs on NumPy and CuPy arrays without global monkey-patching.

Choose the GPU with the environment variable ``SCRATCHNLP_DEVICE=gpu`` (read at import) or with
``set_device("gpu")``. Asking for the GPU where CuPy or a CUDA device is missing raises one clear
:class:`~scratchnlp.training.DeviceUnavailableError` (a ``RuntimeError``).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ._checks import DeviceUnavailableError

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
    "get_storage_dtype",
    "is_gpu_array",
    "random_generator",
]

_DEVICES = ("cpu", "gpu")
_device = "cpu"
_default_dtype = np.dtype(np.float32)
#: The dtype checkpoints store parameters in when ``save_params`` is given none (None: the parameters' own).
_storage_dtype: np.dtype | None = None
#: CuPy and its ``cupyx`` companion once imported (tests may put a stand-in here; nothing else assigns them).
_cupy: Any = None
_cupyx: Any = None


def _import_cupy() -> Any:
    """Import CuPy and check that a CUDA device is usable, or raise one clear error."""
    global _cupy, _cupyx
    if _cupy is not None:
        return _cupy
    try:
        import cupy  # noqa: PLC0415  (the only cupy import in the package)
        import cupyx  # noqa: PLC0415
    except ImportError as exc:
        raise DeviceUnavailableError(
            "GPU requested (SCRATCHNLP_DEVICE=gpu or set_device('gpu')) but CuPy is not installed; "
            "install it with `pip install 'scratchnlp[gpu]'` (CuPy for CUDA 12) or use the CPU"
        ) from exc
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDA driver missing or broken: CuPy raises its own runtime errors
        raise DeviceUnavailableError(
            f"GPU requested but CUDA is not usable ({' '.join(str(exc).split())}); check the NVIDIA driver, or "
            "use the CPU (unset SCRATCHNLP_DEVICE)"
        ) from exc
    if count < 1:
        raise DeviceUnavailableError("GPU requested but CuPy found no CUDA device; use the CPU (unset "
                                     "SCRATCHNLP_DEVICE)")
    _cupy, _cupyx = cupy, cupyx
    return cupy


def set_device(device: str) -> None:
    """Select where new arrays live: ``"cpu"`` (NumPy) or ``"gpu"`` (CuPy).

    Raises
    ------
    ValueError
        If ``device`` is not ``"cpu"`` or ``"gpu"``.
    DeviceUnavailableError
        (a ``RuntimeError``) if ``"gpu"`` is asked for and CuPy or a CUDA device is missing.
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
    return type(a).__module__.startswith("cupy") or (_cupy is not None and isinstance(a, _cupy.ndarray))


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


def random_generator(owner: Any, xp: Any) -> Any:
    """The generator that ``owner`` draws random numbers from for arrays of the namespace ``xp``.

    ``owner.rng`` is a seeded NumPy ``Generator`` (a dropout layer's, a negative sampler's). On NumPy it is
    the answer. On CuPy the answer is a ``cupy.random.Generator``, made at the first draw with a seed drawn
    from ``owner.rng`` and kept in ``owner.device_rng``: masks and samples are drawn on the GPU, nothing is
    copied from the host, and the same seed gives the same run (the GPU's streams differ from NumPy's).
    Setting ``owner.device_rng = None`` makes the next draw seed a new one from ``owner.rng``, which is how
    :mod:`scratchnlp.gradcheck` repeats the same draws after restoring ``owner.rng``. (CuPy's generator
    state cannot be saved, so a run resumed on the GPU from a state file seeds new ones from the restored
    NumPy Generators: reproducible, but not the draws an uninterrupted GPU run makes.)
    """
    if xp is np:
        return owner.rng
    gen = getattr(owner, "device_rng", None)
    if gen is None:
        gen = owner.device_rng = xp.random.default_rng(int(owner.rng.integers(2**63 - 1)))
    return gen


def get_default_dtype() -> np.dtype:
    """The float dtype new parameters are created and computed in: float32 unless changed (chapter 1.5.2).

    Never float16: after ``set_default_dtype("float16")`` this stays float32 and float16 becomes the
    storage dtype (:func:`get_storage_dtype`).
    """
    return _default_dtype


def get_storage_dtype() -> np.dtype | None:
    """The float dtype :func:`scratchnlp.checkpoint.save_params` stores parameters in when given none.

    None (store each parameter in its own dtype) unless ``set_default_dtype("float16")`` asked for float16.
    """
    return _storage_dtype


def set_default_dtype(dtype: Any) -> None:
    """Set the float dtype of new parameters: ``float32`` (the default), ``float64``, or ``float16`` for storage.

    ``float32`` and ``float64`` set the dtype parameters are created and computed in (the book's chapter 1.5.2
    uses float32), and checkpoints store each parameter in its own dtype.

    ``float16`` is honoured the way the book itself uses it: **for storage only**. Parameters are still created
    and computed in float32 (:func:`get_default_dtype` stays float32) and
    :func:`scratchnlp.checkpoint.save_params` stores them in float16 unless told otherwise
    (:func:`get_storage_dtype`); loading casts them back to float32. Computing in float16 is not what it seems
    on a CPU: NumPy has no float16 matrix product in BLAS, so a float16 GEMM converts element by element and
    runs tens to hundreds of times slower than float32, and a float16 training step loses small updates to
    rounding (a weight near 1 cannot change by less than about 0.0005) and overflows past 65504 in the
    softmax's sums. A model built with an explicit ``dtype=np.float16`` still computes in float16, for
    whoever wants to see that happen (the companion site's page on section 1.5 measures it).

    Raises
    ------
    ValueError
        If ``dtype`` is not a float dtype.
    """
    global _default_dtype, _storage_dtype
    d = np.dtype(dtype)
    if d.kind != "f":
        raise ValueError(f"default dtype must be a float dtype, got {d}")
    if d.itemsize < 4:  # half precision: store it, compute in float32
        _default_dtype, _storage_dtype = np.dtype(np.float32), d
    else:
        _default_dtype, _storage_dtype = d, None


def _group_sums(values: np.ndarray, order: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Row sums of groups of ``values``: group ``g`` is the next ``sizes[g]`` entries of ``order``.

    :func:`numpy.add.reduceat` would do it, but it calls its inner loop once per row, which costs far more
    than adding one 100-float row. Instead the groups are split into size classes (width 1, 2, 4, 8, ...),
    each class is gathered as a ``(width, groups, D)`` block (short groups padded with zero rows) and halved
    in place, ``X[:h] += X[h:]``, until one ``(groups, D)`` slab is left: each halving is a single ufunc
    call over a contiguous block. Padding at most doubles the rows read.

    Parameters
    ----------
    values : (M, D) array
    order : (M,) positions into ``values``, grouped
    sizes : (G,) group sizes (>= 1), summing to M

    Returns
    -------
    (G, D) array of the dtype of ``values``
    """
    starts = np.cumsum(sizes) - sizes  # (G,)
    size_class = np.ceil(np.log2(sizes)).astype(np.int64)  # width 2 ** class >= size
    sums = np.empty((sizes.shape[0], values.shape[1]), dtype=values.dtype)
    for c in np.unique(size_class):
        groups = np.flatnonzero(size_class == c)
        offsets = np.arange(1 << int(c))[:, None]  # (width, 1)
        valid = offsets < sizes[groups][None, :]  # (width, groups)
        where = np.minimum(starts[groups][None, :] + offsets, order.shape[0] - 1)
        block = values[order[where]]  # (width, groups, D)
        block[~valid] = 0  # padding contributes nothing
        while block.shape[0] > 1:  # pairwise halving: contiguous adds
            half = block.shape[0] // 2
            block[:half] += block[half:]
            block = block[:half]
        sums[groups] = block[0]
    return sums


def scatter_add(target: Any, indices: Any, values: Any) -> None:
    """Add ``values`` into ``target`` at ``indices`` along axis 0, summing over repeated indices, in place.

    ``target[indices[i]] += values[i]`` for every ``i``, as ``np.add.at`` does it, but fast. This is the
    library's one scatter primitive (the Embedding gradient, the sparse word2vec updates). On NumPy the
    indices are sorted once, the rows of each distinct index are summed by size class with a few large
    vectorised adds (``np.add.at`` is unbuffered and slow for wide rows, ``np.add.reduceat`` loops once per
    row), and the sums go into the distinct rows, which cannot collide, with one fancy-indexed add. On CuPy,
    :func:`cupyx.scatter_add` does it with atomics.

    Parameters
    ----------
    target : (V, ...) array, modified in place
    indices : (N,) integer array of row numbers in ``[0, V)`` (any shape is flattened)
    values : (N, ...) array, rows added to ``target``
    """
    indices = indices.ravel() if indices.ndim != 1 else indices
    values = values.reshape((indices.shape[0],) + target.shape[1:])
    if is_gpu_array(target):
        _import_cupy()
        _cupyx.scatter_add(target, indices, values)
        return
    if indices.shape[0] == 0:
        return
    # an unstable sort is much faster than a stable one; the order of a group's rows is still a fixed function
    # of the input, so results stay reproducible
    order = np.argsort(indices)
    sorted_idx = indices[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_idx[1:] != sorted_idx[:-1])))  # first of each group
    sizes = np.diff(np.append(starts, indices.shape[0]))  # (G,)
    sums = _group_sums(values.reshape(indices.shape[0], -1), order, sizes)  # (G, prod(rest))
    target[sorted_idx[starts]] += sums.reshape((starts.shape[0],) + target.shape[1:]).astype(target.dtype, copy=False)


_env_device = os.environ.get("SCRATCHNLP_DEVICE", "cpu").strip().lower() or "cpu"
if _env_device not in _DEVICES:
    raise ValueError(f"SCRATCHNLP_DEVICE must be 'cpu' or 'gpu', got {_env_device!r}")
if _env_device == "gpu":
    set_device("gpu")
