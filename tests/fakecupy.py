"""A NumPy-backed stand-in for the parts of CuPy that scratchnlp uses, so its GPU code paths run in tests
on machines without a GPU (the ``fakecupy`` parameter of the ``xp`` fixture installs it into
:mod:`scratchnlp.backend`).

Its arrays (:class:`ndarray`) wrap a NumPy array -- they are *not* a ``numpy.ndarray`` subclass, which NumPy
would accept silently -- and treat NumPy the way CuPy's arrays do, only stricter:

* no implicit conversion: ``numpy.asarray(a)`` raises ``TypeError`` (``__array__``), and so does any NumPy
  function or ufunc given one (``numpy.tanh(a)``, ``numpy.concatenate([a])``): the library must take the
  namespace from its inputs (``xp = backend.xp(a)``) or copy explicitly (``backend.to_cpu``, ``a.get()``);
* an operation mixing a device array with a non-scalar NumPy array (``a + numpy_array``, ``xp.matmul(a, n)``)
  raises ``TypeError``, and ``a[...] = numpy_array`` raises ``ValueError``, as CuPy does (indices may be NumPy
  arrays or lists, and advanced-index assignment may take a NumPy value: CuPy copies those to the device);
* ``float(a)``, ``int(a)``, ``bool(a)`` and ``a.item()`` work as CuPy's (a synchronising copy of one value);
* :func:`no_copies_to_host` refuses every copy of a device array to the host while a loop runs;
* random numbers come only from seeded generators (``random.default_rng(seed)``): there is no global
  unseeded ``random.random``. Their stream differs from NumPy's for the same seed, as CuPy's does.

Everything is computed by NumPy on the wrapped arrays, and views stay views, so in-place updates through a
reshape, a slice or a transpose reach the original array as they do on a GPU.
"""

from __future__ import annotations

import builtins
import contextlib
import copy as _copy
import sys
import types
from collections.abc import Iterator
from typing import Any

import numpy as _np

_MESSAGE = ("Implicit conversion to a NumPy array is not allowed. "
            "Please use `.get()` to construct a NumPy array explicitly.")
_SCALARS = (bool, int, float, complex, _np.generic)
_copies_to_host_allowed = True


@contextlib.contextmanager
def no_copies_to_host() -> Iterator[None]:
    """Inside, copying a device array to the host (``get()``, ``asnumpy``, so ``backend.to_cpu``) raises
    ``AssertionError``: what a training loop must never need. Reading one value (``float(a)``, ``a.item()``)
    is still allowed, as it must be to report a loss."""
    global _copies_to_host_allowed
    before, _copies_to_host_allowed = _copies_to_host_allowed, False
    try:
        yield
    finally:
        _copies_to_host_allowed = before


def _unwrap(x: Any) -> Any:
    """The NumPy array inside a device array; refuses NumPy arrays (CuPy's "Unsupported type")."""
    if isinstance(x, ndarray):
        return x._a
    if isinstance(x, _np.ndarray):
        raise TypeError(f"Unsupported type {type(x)}")
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap(e) for e in x)
    return x


def _unwrap_index(key: Any) -> Any:
    """Indices may hold device arrays, NumPy arrays and lists (CuPy copies the latter two to the device)."""
    if isinstance(key, ndarray):
        return key._a
    if isinstance(key, tuple):
        return tuple(_unwrap_index(k) for k in key)
    return key


def _wrap(r: Any) -> Any:
    """NumPy results as device arrays (NumPy scalars become 0-d arrays, as CuPy's reductions return)."""
    if isinstance(r, _np.ndarray):
        return ndarray._of(r)
    if isinstance(r, _np.generic):
        return ndarray._of(_np.asarray(r))
    if isinstance(r, tuple):
        return tuple(_wrap(e) for e in r)
    if isinstance(r, list):
        return [_wrap(e) for e in r]
    return r


def _operand(x: Any) -> Any:
    if isinstance(x, ndarray):
        return x._a
    if isinstance(x, _SCALARS):
        return x
    if isinstance(x, _np.ndarray):
        raise TypeError(f"Unsupported type {type(x)}")
    return NotImplemented


def _binary(op: Any, reflected: bool = False) -> Any:
    def method(self: ndarray, other: Any) -> Any:
        o = _operand(other)
        if o is NotImplemented:
            return NotImplemented
        return _wrap(op(o, self._a) if reflected else op(self._a, o))

    return method


def _inplace(op: Any) -> Any:
    def method(self: ndarray, other: Any) -> Any:
        o = _operand(other)
        if o is NotImplemented:
            return NotImplemented
        op(self._a, o, out=self._a, casting="same_kind")
        return self

    return method


def _method(name: str) -> Any:
    def method(self: ndarray, *args: Any, **kwargs: Any) -> Any:
        out = kwargs.get("out")
        r = getattr(self._a, name)(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})
        if isinstance(out, ndarray):
            return out
        if r is self._a:
            return self
        return ndarray._of(r, self) if isinstance(r, _np.ndarray) else _wrap(r)

    method.__name__ = name
    return method


class _Pointer:
    def __init__(self, ptr: int) -> None:
        self.ptr = ptr


class ndarray:  # noqa: N801 - CuPy's name
    """A "device" array: a NumPy array that refuses to be treated as one (see the module docstring)."""

    __slots__ = ("_a", "_root")
    #: NumPy's ufuncs refuse this type, and NumPy's operators defer to ours (which refuse NumPy arrays)
    __array_ufunc__ = None
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, shape: Any, dtype: Any = float) -> None:
        self._a, self._root = _np.empty(shape, dtype), None

    @classmethod
    def _of(cls, a: _np.ndarray, parent: ndarray | None = None) -> ndarray:
        obj = object.__new__(cls)
        obj._a, obj._root = a, None
        if parent is not None and a.base is not None and a.base is (parent._a.base if parent._a.base is not None
                                                                     else parent._a):
            obj._root = parent._root if parent._root is not None else parent  # a view: CuPy's base is the root
        return obj

    # --- no implicit conversion ---------------------------------------------------------------------------

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(_MESSAGE)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        raise TypeError(f"numpy.{func.__name__} was called on a device array: use the array's own namespace "
                        f"(xp = backend.xp(a)) or copy it to the host explicitly. {_MESSAGE}")

    def get(self, stream: Any = None, out: Any = None) -> _np.ndarray:
        """An explicit copy to the host (CuPy's ``ndarray.get``); refused inside :func:`no_copies_to_host`."""
        if not _copies_to_host_allowed:
            raise AssertionError(f"a device array of shape {self.shape} was copied to the host inside a loop that "
                                 "must keep its arrays on the device")
        return self._a.copy()

    def set(self, arr: Any) -> None:
        """Copy a host array into this one (CuPy's ``ndarray.set``)."""
        self._a[...] = arr

    # --- attributes ---------------------------------------------------------------------------------------

    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: self._a.flags)
    T = property(lambda self: ndarray._of(self._a.T, self))
    data = property(lambda self: _Pointer(self._a.__array_interface__["data"][0]))

    @property
    def base(self) -> Any:
        """The array this one is a view of (the root, as in CuPy), or None."""
        if self._root is not None:
            return self._root
        b = self._a.base
        return None if b is None else (ndarray._of(b) if isinstance(b, _np.ndarray) else b)

    # --- Python protocols as CuPy has them ----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self) -> Any:
        if self._a.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self._a.shape[0]))

    def __bool__(self) -> bool:
        return bool(self._a)

    def __float__(self) -> float:
        return float(self._a)

    def __int__(self) -> int:
        return int(self._a)

    def __complex__(self) -> complex:
        return complex(self._a)

    def __format__(self, spec: str) -> str:
        return format(self._a, spec)

    def __repr__(self) -> str:
        return repr(self._a)

    def __str__(self) -> str:
        return str(self._a)

    def __copy__(self) -> ndarray:
        return ndarray._of(self._a.copy())

    def __deepcopy__(self, memo: dict) -> ndarray:
        return ndarray._of(_copy.deepcopy(self._a, memo))

    def __getitem__(self, key: Any) -> ndarray:
        key = _unwrap_index(key)
        key = key if isinstance(key, tuple) else (key,)
        if Ellipsis not in [k for k in key if not isinstance(k, _np.ndarray)]:
            key = key + (Ellipsis,)  # an integer index gives a 0-d array (a view), never a scalar
        return ndarray._of(self._a[key], self)

    def __setitem__(self, key: Any, value: Any) -> None:
        key = _unwrap_index(key)
        advanced = builtins.any(isinstance(k, (list, _np.ndarray)) for k in (key if isinstance(key, tuple) else (key,)))
        if isinstance(value, _np.ndarray) and value.ndim and not advanced:
            raise ValueError("non-scalar numpy.ndarray cannot be used for fill")
        self._a[key] = value._a if isinstance(value, ndarray) else value

    # --- operators ----------------------------------------------------------------------------------------

    __add__, __radd__, __iadd__ = _binary(_np.add), _binary(_np.add, True), _inplace(_np.add)
    __sub__, __rsub__, __isub__ = _binary(_np.subtract), _binary(_np.subtract, True), _inplace(_np.subtract)
    __mul__, __rmul__, __imul__ = _binary(_np.multiply), _binary(_np.multiply, True), _inplace(_np.multiply)
    __truediv__, __rtruediv__ = _binary(_np.true_divide), _binary(_np.true_divide, True)
    __itruediv__ = _inplace(_np.true_divide)
    __floordiv__, __rfloordiv__ = _binary(_np.floor_divide), _binary(_np.floor_divide, True)
    __ifloordiv__ = _inplace(_np.floor_divide)
    __mod__, __rmod__, __imod__ = _binary(_np.mod), _binary(_np.mod, True), _inplace(_np.mod)
    __pow__, __rpow__, __ipow__ = _binary(_np.power), _binary(_np.power, True), _inplace(_np.power)
    __matmul__, __rmatmul__ = _binary(_np.matmul), _binary(_np.matmul, True)
    __and__, __rand__, __iand__ = _binary(_np.bitwise_and), _binary(_np.bitwise_and, True), _inplace(_np.bitwise_and)
    __or__, __ror__, __ior__ = _binary(_np.bitwise_or), _binary(_np.bitwise_or, True), _inplace(_np.bitwise_or)
    __xor__, __rxor__, __ixor__ = _binary(_np.bitwise_xor), _binary(_np.bitwise_xor, True), _inplace(_np.bitwise_xor)
    __lt__, __le__ = _binary(_np.less), _binary(_np.less_equal)
    __gt__, __ge__ = _binary(_np.greater), _binary(_np.greater_equal)
    __eq__, __ne__ = _binary(_np.equal), _binary(_np.not_equal)  # type: ignore[assignment]

    def __neg__(self) -> ndarray:
        return ndarray._of(-self._a)

    def __pos__(self) -> ndarray:
        return ndarray._of(+self._a)

    def __abs__(self) -> ndarray:
        return ndarray._of(_np.abs(self._a))

    def __invert__(self) -> ndarray:
        return ndarray._of(~self._a)

    # --- methods (CuPy's, computed by NumPy) --------------------------------------------------------------

    for _name in ("reshape", "transpose", "swapaxes", "squeeze", "ravel", "flatten", "view", "astype", "copy",
                  "fill", "sum", "prod", "mean", "var", "std", "max", "min", "argmax", "argmin", "all", "any",
                  "cumsum", "clip", "round", "dot", "take", "repeat", "nonzero", "sort", "argsort", "item",
                  "tolist", "conj"):
        locals()[_name] = _method(_name)
    del _name


# --------------------------------------------------------------------------------------------------------
# the module's functions
# --------------------------------------------------------------------------------------------------------


def _function(fn: Any) -> Any:
    def f(*args: Any, **kwargs: Any) -> Any:
        out = kwargs.get("out")
        r = fn(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})
        return out if isinstance(out, ndarray) else _wrap(r)

    f.__name__ = getattr(fn, "__name__", "function")
    return f


_FUNCTIONS = (
    # elementwise (ufuncs, with out=)
    "add subtract multiply divide true_divide floor_divide negative power square sqrt exp expm1 log log1p log2 "
    "tanh sin cos abs absolute sign maximum minimum fmax fmin clip floor ceil rint isfinite isnan isinf "
    "equal not_equal less less_equal greater greater_equal logical_and logical_or logical_not logical_xor "
    "bitwise_and bitwise_or reciprocal "
    # creation from shapes, and like other arrays
    "zeros ones empty full zeros_like ones_like empty_like full_like arange linspace eye identity "
    # products
    "matmul dot vdot inner outer einsum tensordot "
    # shapes and joins
    "reshape transpose swapaxes moveaxis expand_dims squeeze ravel broadcast_to broadcast_arrays concatenate "
    "stack vstack hstack split tile repeat flip roll atleast_1d atleast_2d "
    # selection, reductions, sorting, counting
    "where take take_along_axis choose sum prod mean var std max min amax amin argmax argmin all any cumsum "
    "sort argsort partition argpartition count_nonzero nonzero flatnonzero argwhere unique bincount "
    "searchsorted diff array_equal allclose isclose copyto"
).split()
for _name in _FUNCTIONS:  # (some shadow builtins here: this module's own code calls builtins.any etc.)
    globals()[_name] = _function(getattr(_np, _name))
del _name

# the dtypes and constants are NumPy's, as in CuPy
for _name in ("bool_ int8 int16 int32 int64 intp uint8 uint32 uint64 float16 float32 float64 dtype iinfo finfo "
              "inf nan pi e newaxis").split():
    globals()[_name] = getattr(_np, _name)
del _name


def asarray(a: Any, dtype: Any = None, order: Any = None) -> ndarray:
    """A device array from anything array-like (a NumPy array is copied to the "device"); a device array of
    the right dtype is returned as it is."""
    if isinstance(a, ndarray):
        r = a._a if dtype is None else a._a.astype(dtype, copy=False)
        return a if r is a._a else ndarray._of(r)
    return ndarray._of(_np.array(_unwrap_index(a), dtype=dtype, order=order or "K", copy=True))


def array(a: Any, dtype: Any = None, copy: bool = True, order: str = "K") -> ndarray:
    if isinstance(a, ndarray):
        return ndarray._of(_np.array(a._a, dtype=dtype, copy=copy, order=order))
    return ndarray._of(_np.array(_unwrap_index(a), dtype=dtype, order=order, copy=True))


def ascontiguousarray(a: Any, dtype: Any = None) -> ndarray:
    a = asarray(a)
    r = _np.ascontiguousarray(a._a, dtype=dtype)
    return a if r is a._a else ndarray._of(r)


def asnumpy(a: Any, stream: Any = None, out: Any = None) -> _np.ndarray:
    """An explicit copy to the host (refused inside :func:`no_copies_to_host`)."""
    return a.get() if isinstance(a, ndarray) else _np.asarray(a)


def get_array_module(*args: Any) -> Any:
    return sys.modules[__name__] if builtins.any(isinstance(a, ndarray) for a in args) else _np


linalg = types.SimpleNamespace(**{n: _function(getattr(_np.linalg, n)) for n in ("norm", "svd", "qr", "inv", "solve")})


class Generator:
    """A seeded generator on the "device" (CuPy's ``cupy.random.Generator``): its draws are device arrays.

    Backed by NumPy's Philox, so the same seed gives another stream than ``numpy.random.default_rng``, as
    with CuPy's XORWOW.
    """

    def __init__(self, seed: Any = None) -> None:
        self._rng = _np.random.Generator(_np.random.Philox(seed))

    def random(self, size: Any = None, dtype: Any = _np.float64, out: Any = None) -> ndarray:
        return _wrap(_np.asarray(self._rng.random(size, dtype=dtype)))

    def integers(self, low: Any, high: Any = None, size: Any = None, dtype: Any = _np.int64,
                 endpoint: bool = False) -> ndarray:
        return _wrap(_np.asarray(self._rng.integers(low, high, size=size, dtype=dtype, endpoint=endpoint)))

    def standard_normal(self, size: Any = None, dtype: Any = _np.float64, out: Any = None) -> ndarray:
        return _wrap(_np.asarray(self._rng.standard_normal(size, dtype=dtype)))

    def uniform(self, low: float = 0.0, high: float = 1.0, size: Any = None, dtype: Any = _np.float64) -> ndarray:
        return _wrap(_np.asarray(self._rng.uniform(low, high, size)).astype(dtype, copy=False))


random = types.SimpleNamespace(Generator=Generator, default_rng=Generator)

cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=lambda: 1))


def _scatter_add(a: ndarray, slices: Any, value: Any) -> None:
    """``cupyx.scatter_add``: ``a[slices] += value`` with repeated indices summed."""
    _np.add.at(a._a, _unwrap_index(slices), _unwrap(value))


#: The ``cupyx`` module the backend takes its scatter-add from.
cupyx = types.SimpleNamespace(scatter_add=_scatter_add)
