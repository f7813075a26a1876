"""Save and load parameters as ``.npz`` with a JSON header — never pickle.

The book stores weights with :mod:`pickle`, which runs arbitrary code on load and breaks when classes move.
A checkpoint here is a plain NumPy ``.npz`` archive: one array per (unshared) parameter plus ``__header__``,
a JSON document with the names, shapes, dtypes and SHA-256 of every array, the tied-weight structure, the
library version and free-form metadata. Files are written to a temporary file and renamed, so a crash never
leaves half a checkpoint; loading verifies everything before it touches a single parameter.

The only pickles this module reads are the book's own weight files (:func:`load_book_params`), through an
unpickler that can build float arrays and nothing else; ``scratchnlp convert-book-weights`` turns them into
checkpoints.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import pickle
import pickletools
import re
import stat
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__, backend
from ._io import atomic_write
from .optim import shared_structure

__all__ = [
    "CheckpointError", "save_params", "load_params", "read_checkpoint", "load_book_params", "assign_params", "FORMAT",
    "BOOK_FILE_SHAPES",
]

FORMAT = "scratchnlp-params"
FORMAT_VERSION = 1
_HEADER_KEY = "__header__"
_NUMERIC_KINDS = "biuf"  # bool, ints, floats: everything a parameter can be, nothing that needs pickle
_GENERIC_NAME = re.compile(r"params\[\d+\]\Z")  # the names given to a plain list's arrays
_SHA256 = re.compile(r"[0-9a-f]{64}\Z")
_DEFLATE_MAX_RATIO = 1100  # deflate cannot expand more than ~1032:1; a larger claim is corruption


class CheckpointError(ValueError):
    """A checkpoint file is missing, truncated, corrupted, or does not fit the model."""


def _as_path(path: Any, what: str) -> Path:
    """``path`` as a :class:`~pathlib.Path`, or a ``TypeError`` in the library's words for anything else."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{what} must be a file path (str or os.PathLike), got {type(path).__name__}")
    return Path(path)


def _params_of(model_or_params: Any) -> tuple[list[Any], list[str], bool]:
    """The parameters, their names, and whether those names are real (a model's) or made up (a list's)."""
    if isinstance(model_or_params, (list, tuple)):
        params = list(model_or_params)
        names = [f"params[{i}]" for i in range(len(params))]
        named = False
    else:
        if not hasattr(model_or_params, "params"):
            raise TypeError(
                f"expected a model (with params) or a list of arrays, got {type(model_or_params).__name__}"
            )
        params = list(model_or_params.params)
        given = list(getattr(model_or_params, "param_names", None) or [])
        named = bool(given)
        names = given or [f"params[{i}]" for i in range(len(params))]
    if len(names) != len(params):
        raise ValueError(f"model has {len(params)} params but {len(names)} param_names")
    for name, p in zip(names, params):
        if not hasattr(p, "shape") or not hasattr(p, "dtype"):
            raise TypeError(f"parameter {name!r} must be a NumPy or CuPy array, got {type(p).__name__}")
    return params, names, named


def _sha256(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def _storage_dtype(dtype: Any) -> np.dtype | None:
    if dtype is None:
        return None
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt.kind != "f":
        raise ValueError(f"dtype must be a float dtype such as np.float16 or np.float32, got {dtype!r}")
    return dt


def _stored_array(p: Any, name: str, dtype: np.dtype | None, allow_nonfinite: bool) -> np.ndarray:
    """``p`` on the CPU, cast to ``dtype``, after refusing what a checkpoint must not hold."""
    a = np.asarray(backend.to_cpu(p))
    if a.dtype.kind not in _NUMERIC_KINDS:
        raise ValueError(
            f"parameter {name!r} has dtype {a.dtype}: a checkpoint holds numeric arrays only (bool, int, float); "
            "object or string arrays would need pickle"
        )
    finite = np.isfinite(a) if a.dtype.kind == "f" else np.ones(a.shape, dtype=bool)
    if not allow_nonfinite and not finite.all():
        bad = a.size - int(np.count_nonzero(finite))
        raise ValueError(
            f"parameter {name!r} holds {bad} NaN/inf value(s) out of {a.size} (did training diverge?); "
            "refusing to save it. Pass allow_nonfinite=True to save it anyway"
        )
    if dtype is not None and a.dtype != dtype:
        with np.errstate(over="ignore", invalid="ignore"):
            cast = a.astype(dtype)
        overflow = finite & ~np.isfinite(cast)
        if overflow.any():
            largest = float(np.abs(a[overflow]).max())
            raise ValueError(
                f"parameter {name!r} has values up to {largest:.6g} in magnitude, beyond the range of {dtype} "
                f"(at most {float(np.finfo(dtype).max):.6g}): storing it as {dtype} would turn them into inf. "
                "Save in float32 (dtype=np.float32) instead"
            )
        a = cast
    return np.ascontiguousarray(a)


def save_params(
    path: str | os.PathLike[str],
    model_or_params: Any,
    *,
    dtype: Any = None,
    metadata: dict[str, Any] | None = None,
    allow_nonfinite: bool = False,
) -> Path:
    """Write the parameters of a model (or a list of arrays) to ``path`` atomically.

    Parameters
    ----------
    path : destination file (conventionally ``*.npz``); its folder must exist
    model_or_params : an object with ``params`` (and optionally ``param_names``), or a list of arrays
    dtype : store the arrays in this float dtype (e.g. ``float16`` halves the size, chapter 1.5.2); loading
        casts back to the model's dtype. Default: :func:`scratchnlp.backend.get_storage_dtype`, which is
        float16 after ``backend.set_default_dtype("float16")`` and otherwise None (each array's own dtype).
        A value outside the dtype's range (``|w| > 65504`` for float16) is refused rather than stored as inf.
    metadata : JSON-serialisable extra information stored in the header (config, vocabulary size, ...)
    allow_nonfinite : store parameters holding NaN or inf (by default they are refused: a diverged model)

    Returns
    -------
    The path written.

    Raises
    ------
    ValueError
        For a non-numeric parameter (object or string arrays would need pickle), a NaN/inf value (unless
        ``allow_nonfinite``), a value that does not fit ``dtype``, or metadata that is not JSON-serialisable.
        Nothing is written then.
    OSError
        If the file cannot be written (the message names it); an existing file is left untouched.
    """
    path = _as_path(path, "save_params path")
    params, names, _ = _params_of(model_or_params)
    store = _storage_dtype(dtype if dtype is not None else backend.get_storage_dtype())
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict, got {type(metadata).__name__}")
    owners = shared_structure(params)
    arrays: dict[str, np.ndarray] = {}
    entries = []
    tied = []
    for i, (owner, transposed) in enumerate(owners):
        if owner != i:
            tied.append({"name": names[i], "same_as": names[owner], "transposed": transposed})
            continue
        key = f"p{len(entries)}"
        a = arrays[key] = _stored_array(params[i], names[i], store, allow_nonfinite)
        entries.append({"key": key, "name": names[i], "shape": list(a.shape), "dtype": str(a.dtype),
                        "sha256": _sha256(a)})
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "params": entries,
        "tied": tied,
        "metadata": metadata or {},
    }
    try:
        header_text = json.dumps(header, allow_nan=False)  # strict JSON: NaN and Infinity are not JSON
    except (TypeError, ValueError) as exc:
        raise ValueError(f"checkpoint metadata must be JSON-serialisable, without NaN or infinity: {exc}") from exc
    arrays[_HEADER_KEY] = np.array(header_text)
    with atomic_write(path) as f:
        np.savez(f, **arrays)
    return path


# --------------------------------------------------------------------------------------------------------
# Reading: everything is validated before an array is allocated
# --------------------------------------------------------------------------------------------------------


def _json_kind(x: Any) -> str:
    if isinstance(x, dict):
        return "an object"
    if isinstance(x, list):
        return "a list"
    if isinstance(x, str):
        return f"the string {x!r}"
    if x is None:
        return "null"
    return repr(x)


def _regular_file_size(path: Path, what: str = "checkpoint", expected: str = "a .npz file written by save_params"
                       ) -> int:
    """The size of the regular file ``path``; ``what`` the file is and the ``expected`` one, for the errors."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise CheckpointError(f"{what} {path} does not exist") from None
    except OSError as exc:
        raise CheckpointError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise CheckpointError(f"{what} {path} is a folder; give the path of {expected}")
    if not stat.S_ISREG(st.st_mode):
        raise CheckpointError(f"{what} {path} is not a regular file (a device, pipe or socket)")
    return st.st_size


def _not_an_archive(path: Path, start: bytes) -> CheckpointError:
    if not start:
        what = "the file is empty"
    elif start[:1] == b"\x80":
        what = "it is a pickle, which scratchnlp never loads as a checkpoint"
    elif start.startswith(b"\x93NUMPY"):
        what = "it is a single .npy array, not an .npz archive"
    elif all(32 <= c < 127 or c in b"\t\r\n" for c in start):
        what = "it is a text file"
    else:
        what = "it is not an .npz (zip) archive"
    return CheckpointError(f"{path} is not a scratchnlp checkpoint: {what}")


def _read_npy(path: Path, zf: zipfile.ZipFile, member: str, archive_size: int, what: str) -> np.ndarray:
    """One ``.npy`` member, its declared shape and dtype checked against its byte size before allocating."""
    try:
        info = zf.getinfo(member)
    except KeyError:
        raise CheckpointError(f"{path}: the archive has no {member} for {what} (truncated or corrupted)") from None
    if info.compress_size > archive_size or (
        info.file_size != info.compress_size
        if info.compress_type == zipfile.ZIP_STORED
        else info.file_size > _DEFLATE_MAX_RATIO * info.compress_size + 1024
    ):
        raise CheckpointError(
            f"{path}: {what} claims {info.file_size} bytes, more than the {archive_size}-byte file can hold "
            "(corrupted)"
        )
    with zf.open(info) as fp:
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
        else:
            raise CheckpointError(f"{path}: {what} is in .npy format version {version}, which is not supported")
        if dtype.hasobject:
            raise CheckpointError(f"{path}: {what} holds Python objects (a pickle); checkpoints never do")
        nbytes = math.prod(shape) * dtype.itemsize
        available = info.file_size - fp.tell()
        if nbytes != available:
            raise CheckpointError(
                f"{path}: {what} declares shape {tuple(shape)} of {dtype} ({nbytes} bytes) but holds {available} "
                "bytes (corrupted or truncated)"
            )
        buffer = bytearray(nbytes)
        view = memoryview(buffer)
        done = 0
        while done < nbytes:
            n = fp.readinto(view[done:])
            if not n:
                raise CheckpointError(f"{path}: {what} is truncated")
            done += n
    return np.frombuffer(buffer, dtype=dtype).reshape(shape, order="F" if fortran else "C")


def _refuse_json_constant(name: str) -> Any:
    """``json.loads`` accepts NaN, Infinity and -Infinity, which are not JSON; a header must not hold them."""
    raise ValueError(f"{name} is not a JSON value")


def _validate_header(path: Path, header: Any, members: set[str]) -> dict[str, Any]:
    def bad(problem: str) -> CheckpointError:
        return CheckpointError(f"{path}: malformed checkpoint header: {problem}")

    if not isinstance(header, dict):
        raise bad(f"expected a JSON object, got {_json_kind(header)}")
    if header.get("format") != FORMAT:
        raise CheckpointError(
            f"{path} is not a scratchnlp checkpoint: its header's format is {header.get('format')!r}, "
            f"expected {FORMAT!r}"
        )
    version = header.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise bad(f"format_version must be a positive integer, got {_json_kind(version)}")
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"{path} has format version {version}; this library reads up to {FORMAT_VERSION} (upgrade scratchnlp)"
        )
    entries = header.get("params")
    if not isinstance(entries, list):
        raise bad(f"'params' must be a list of parameter entries, got {_json_kind(entries)}")
    keys = set()
    for i, entry in enumerate(entries):
        where = f"params[{i}]"
        if not isinstance(entry, dict):
            raise bad(f"{where} must be an object, got {_json_kind(entry)}")
        for field in ("key", "name", "dtype", "sha256"):
            if not isinstance(entry.get(field), str):
                raise bad(f"{where} needs a string {field!r}, got {_json_kind(entry.get(field))}")
        shape = entry.get("shape")
        if not isinstance(shape, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape
        ):
            raise bad(f"{where} ({entry['name']!r}) needs a 'shape' list of non-negative integers, got "
                      f"{_json_kind(shape)}")
        try:
            dtype = np.dtype(entry["dtype"])
        except TypeError:
            dtype = None
        if dtype is None or dtype.kind not in _NUMERIC_KINDS:
            raise bad(f"{where} ({entry['name']!r}) has dtype {entry['dtype']!r}; expected a numeric dtype")
        if not _SHA256.match(entry["sha256"]):
            raise bad(f"{where} ({entry['name']!r}) has a malformed sha256 {entry['sha256']!r}")
        if entry["key"] in keys or f"{entry['key']}.npy" not in members or entry["key"] == _HEADER_KEY:
            raise bad(f"{where} ({entry['name']!r}) names array {entry['key']!r}, which the archive does not hold "
                      "(or which is used twice)")
        keys.add(entry["key"])
    tied = header.setdefault("tied", [])
    if not isinstance(tied, list) or not all(
        isinstance(t, dict) and isinstance(t.get("name"), str) and isinstance(t.get("same_as"), str)
        and isinstance(t.get("transposed"), bool)
        for t in tied
    ):
        raise bad(f"'tied' must be a list of {{name, same_as, transposed}} objects, got {_json_kind(tied)}")
    metadata = header.setdefault("metadata", {})
    if not isinstance(metadata, dict):
        raise bad(f"'metadata' must be an object, got {_json_kind(metadata)}")
    return header


def read_checkpoint(path: str | os.PathLike[str]) -> tuple[dict[str, Any], list[np.ndarray]]:
    """Read and verify a checkpoint: returns its header and the stored arrays (unshared parameters, in order).

    Nothing in the file is trusted: the header is validated, and each array's declared shape and dtype are
    checked against its byte size before it is allocated (so a corrupt shape cannot exhaust memory).
    Pickled data is never loaded.

    Raises
    ------
    CheckpointError
        If the path does not exist, is a folder or not a regular file, is not a valid ``.npz`` checkpoint,
        lacks or has a malformed header, or an array's shape, dtype or SHA-256 differs from the header
        (truncation or corruption). The message names the file and the problem.
    """
    path = _as_path(path, "checkpoint path")
    size = _regular_file_size(path)
    try:
        with open(path, "rb") as fh:
            start = fh.read(64)
            if not start.startswith(b"PK"):
                raise _not_an_archive(path, start)
            fh.seek(0)
            with zipfile.ZipFile(fh) as zf:
                members = set(zf.namelist())
                if f"{_HEADER_KEY}.npy" not in members:
                    raise CheckpointError(f"{path} is not a scratchnlp checkpoint (no {_HEADER_KEY} entry)")
                text = _read_npy(path, zf, f"{_HEADER_KEY}.npy", size, "the header")
                if text.dtype.kind != "U" or text.shape != ():
                    raise CheckpointError(f"{path}: the header is {text.dtype}{text.shape}, expected a JSON string")
                try:
                    header = json.loads(str(text[()]), parse_constant=_refuse_json_constant)
                except ValueError as exc:
                    raise CheckpointError(f"{path}: the checkpoint header is not valid JSON ({exc})") from None
                header = _validate_header(path, header, members)
                arrays = []
                for entry in header["params"]:
                    what = f"array {entry['name']!r}"
                    a = _read_npy(path, zf, f"{entry['key']}.npy", size, what)
                    if list(a.shape) != entry["shape"] or a.dtype != np.dtype(entry["dtype"]):
                        raise CheckpointError(
                            f"{path}: {what} is {a.dtype}{list(a.shape)} but the header says "
                            f"{entry['dtype']}{entry['shape']} (corrupted file)"
                        )
                    if _sha256(a) != entry["sha256"]:
                        raise CheckpointError(
                            f"{path}: SHA-256 of {entry['name']!r} does not match its header (corrupted file)"
                        )
                    arrays.append(a)
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError, NotImplementedError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise CheckpointError(f"{path} is not a readable checkpoint (truncated or corrupted): {message}") from exc
    return header, arrays


def load_params(path: str | os.PathLike[str], model_or_params: Any) -> dict[str, Any]:
    """Load a checkpoint into a model's parameters (in place), all or nothing.

    Every stored array is verified (SHA-256, shape, names, tied structure) and cast to the model's dtype
    *before* any parameter is written, so a bad file leaves the model exactly as it was. Names are compared
    when both the checkpoint and the model have them (a model's ``param_names``); a plain list of arrays has
    none, and then only the count and the shapes must match.

    Returns
    -------
    The checkpoint header (with its ``metadata``).

    Raises
    ------
    CheckpointError
        For an unreadable file or one whose parameters do not fit the model (the message names the first
        mismatch: count, name or shape).
    """
    header, arrays = read_checkpoint(path)
    params, names, named = _params_of(model_or_params)
    owners = shared_structure(params)
    targets = [(names[i], params[i]) for i, (o, _) in enumerate(owners) if o == i]
    if len(targets) != len(arrays):
        raise CheckpointError(
            f"{path} holds {len(arrays)} parameter arrays but the model has {len(targets)} (different architecture)"
        )
    stored_named = not all(_GENERIC_NAME.match(e["name"]) for e in header["params"])
    compare_names = named and stored_named
    if compare_names:
        for k, ((name, _), entry) in enumerate(zip(targets, header["params"])):
            if entry["name"] != name:
                raise CheckpointError(
                    f"{path}: stored parameter {k} is {entry['name']!r} but the model's parameter {k} is {name!r} "
                    f"(different architecture or parameter order); the checkpoint holds "
                    f"{[e['name'] for e in header['params']]}, the model has {[n for n, _ in targets]}"
                )
    model_tied = [(names[i], names[o], t) for i, (o, t) in enumerate(owners) if o != i]
    stored_tied = [(t["name"], t["same_as"], t["transposed"]) for t in header["tied"]]
    if compare_names:
        tied_differs = model_tied != stored_tied
    else:
        tied_differs = [t for _, _, t in model_tied] != [t for _, _, t in stored_tied]
    if tied_differs:
        raise CheckpointError(
            f"{path}: the checkpoint's tied (shared) weights {stored_tied} differ from the model's {model_tied}"
        )
    ready = []
    for (name, p), entry, a in zip(targets, header["params"], arrays):
        if tuple(a.shape) != tuple(p.shape):
            raise CheckpointError(
                f"{path}: parameter {entry['name']!r} has shape {tuple(a.shape)} but the model's {name!r} has "
                f"shape {tuple(p.shape)}"
            )
        ready.append(a.astype(p.dtype, copy=False))
    for (_, p), a in zip(targets, ready):
        p[...] = backend.xp(p).asarray(a)
    return header


# --------------------------------------------------------------------------------------------------------
# The book's own weight files: pickles, read through an unpickler that can build float arrays and nothing else
# --------------------------------------------------------------------------------------------------------

#: The largest book weight file :func:`load_book_params` reads (the published ones are 1 MB and 4 MB).
BOOK_PARAMS_MAX_BYTES = 2 * 1024**3

#: The weight files published with the book, by name, with the shapes of the arrays they hold, in order
#: (``Rnnlm(10000, 100, 100)`` of chapter 6 and ``AttentionSeq2seq(59, 16, 256)`` of chapter 8). The shapes
#: identify a file whatever it is called; the SHA-256 it must then have is the download registry's
#: (``scratchnlp.datasets.REGISTRY["book-weights"]``), the one source of those sums.
BOOK_FILE_SHAPES: dict[str, tuple[tuple[int, ...], ...]] = {
    "Rnnlm.pkl": ((10000, 100), (100, 400), (100, 400), (400,), (100, 10000), (10000,)),
    "AttentionSeq2seq.pkl": ((59, 16), (16, 1024), (256, 1024), (1024,), (59, 16), (16, 1024), (256, 1024),
                             (1024,), (512, 59), (59,)),
}
_PUBLISHED = "published"

# The only globals a pickled list of NumPy arrays references: NumPy pickles an array as
# ``_reconstruct(ndarray, (0,), b"b")`` followed by a BUILD with ``(1, shape, dtype, is_fortran, raw_bytes)``,
# and its dtype as ``dtype("f2", False, True)`` followed by a BUILD with its byte order. NumPy 2 writes
# ``numpy._core.multiarray``; the book's files (NumPy 1) say ``numpy.core.multiarray``.
_BOOK_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): "reconstruct",
    ("numpy._core.multiarray", "_reconstruct"): "reconstruct",
    ("numpy", "ndarray"): "ndarray",
    ("numpy", "dtype"): "dtype",
}
_ALLOWED_TEXT = "numpy.ndarray, numpy.dtype and numpy.core.multiarray._reconstruct"


class _Refused(Exception):
    """Something in the pickle that a file of NumPy weights never holds; the message says what."""


class _RefusedGlobal(_Refused):
    """A global (a function or class of some module) outside :data:`_BOOK_GLOBALS`; it is never imported."""


class _NdarrayType:
    """Stands for ``numpy.ndarray`` inside the pickle: only :func:`_reconstruct` accepts it; it builds nothing."""

    __slots__ = ()


_NDARRAY = _NdarrayType()


class _DtypeSpec:
    """A float dtype named by the pickle; its BUILD state may set the byte order and nothing else."""

    __slots__ = ("dtype",)

    def __init__(self, dtype: np.dtype) -> None:
        self.dtype = dtype

    def __setstate__(self, state: Any) -> None:
        # (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])
        if not (isinstance(state, tuple) and len(state) in (8, 9) and state[0] in (3, 4)):
            raise _Refused(f"a dtype state {_short(state)} that is not a plain float dtype's")
        _, byteorder, subarray, names, fields = state[:5]
        if (subarray, names, fields) != (None, None, None) or (len(state) == 9 and state[8] is not None):
            raise _Refused("a structured or sub-array dtype (a weight file holds plain float arrays)")
        if byteorder not in ("<", ">", "=", "|"):
            raise _Refused(f"a dtype with byte order {byteorder!r}")
        if byteorder in "<>":
            self.dtype = self.dtype.newbyteorder(byteorder)


def _make_dtype(code: Any, align: Any = False, copy: Any = False) -> _DtypeSpec:
    del align, copy  # a fresh dtype object is made whatever the pickle asks
    if not isinstance(code, str) or len(code) > 8:
        raise _Refused(f"a dtype named by {_short(code)}")
    try:
        dtype = np.dtype(code)
    except TypeError:
        raise _Refused(f"an unknown dtype {code!r}") from None
    if dtype.kind != "f":
        raise _Refused(f"an array of dtype {dtype} ({code!r}); a weight file holds float arrays only")
    return _DtypeSpec(dtype)


class _ArraySpec:
    """An array named by the pickle, built from its BUILD state once shape, dtype and byte count agree."""

    __slots__ = ("array",)

    def __init__(self) -> None:
        self.array: np.ndarray | None = None

    def __setstate__(self, state: Any) -> None:
        if not (isinstance(state, tuple) and len(state) == 5 and state[0] == 1):
            raise _Refused(f"an array state {_short(state)} that is not NumPy's")
        _, shape, spec, fortran, raw = state
        if not (
            isinstance(shape, tuple) and len(shape) <= 32
            and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)
        ):
            raise _Refused(f"an array shape {_short(shape)}")
        if not isinstance(spec, _DtypeSpec):
            raise _Refused(f"an array whose dtype is {_short(spec)}")
        if not isinstance(fortran, bool):
            raise _Refused(f"an array order flag {_short(fortran)}")
        if not isinstance(raw, (bytes, bytearray)):
            raise _Refused(f"array data of type {type(raw).__name__} (object arrays need pickle)")
        nbytes = math.prod(shape) * spec.dtype.itemsize
        if len(raw) != nbytes:
            raise _Refused(
                f"an array of shape {shape} and dtype {spec.dtype} ({nbytes} bytes) with {len(raw)} bytes of data"
            )
        flat = np.frombuffer(raw, dtype=spec.dtype)
        self.array = flat.reshape(shape, order="F" if fortran else "C").copy(order="C")  # writable, own memory


def _reconstruct(subtype: Any, shape: Any, typecode: Any) -> _ArraySpec:
    # NumPy always writes _reconstruct(ndarray, (0,), b"b"): an empty placeholder that BUILD fills in
    if subtype is not _NDARRAY or shape != (0,) or typecode not in (b"b", "b"):
        raise _Refused(f"_reconstruct called with {_short((subtype, shape, typecode))} instead of NumPy's arguments")
    return _ArraySpec()


_BOOK_CALLABLES = {"reconstruct": _reconstruct, "ndarray": _NDARRAY, "dtype": _make_dtype}


def _short(x: Any) -> str:
    """A short description of something the pickle built (our stand-ins by what they stand for)."""
    if isinstance(x, _ArraySpec):
        return "an array" if x.array is not None else "an incomplete array"
    if isinstance(x, _DtypeSpec):
        return f"a dtype ({x.dtype})"
    if isinstance(x, _NdarrayType):
        return "the ndarray type"
    if isinstance(x, (dict, list, tuple, set)):
        return f"a {type(x).__name__} of {len(x)} item(s)"
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


class _BookUnpickler(pickle.Unpickler):
    """Resolves exactly the globals of :data:`_BOOK_GLOBALS`, each to an inert stand-in; refuses every other."""

    def find_class(self, module: str, name: str) -> Any:
        key = _BOOK_GLOBALS.get((module, name))
        if key is None:
            raise _RefusedGlobal(f"{module}.{name}")
        return _BOOK_CALLABLES[key]

    def persistent_load(self, pid: Any) -> Any:
        raise _Refused(f"a persistent id {_short(pid)}")


def _read_bounded(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, checked before reading (and while reading)."""
    # a folder, device or pipe is refused before it is opened
    size = _regular_file_size(path, "book weight file", "the book's .pkl file itself (e.g. .../Rnnlm.pkl)")
    if size > max_bytes:
        raise CheckpointError(
            f"{path} is {size} bytes, more than the {max_bytes} bytes a file of the book's weights may have"
        )
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise CheckpointError(f"cannot read {path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced since the check above
            raise CheckpointError(f"{path} is not a regular file")
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise CheckpointError(f"{path} grew past {max_bytes} bytes while being read")
    return data


def _unpickle_arrays(path: Path, data: bytes) -> list[np.ndarray]:
    if not data:
        raise CheckpointError(f"{path} is empty; expected a pickled list of NumPy arrays (the book's weights)")
    if data.startswith(b"PK"):
        raise CheckpointError(f"{path} is an .npz archive, not a pickle: read it with checkpoint.load_params")
    try:
        # a dry read of the opcodes first: a damaged length field (a flipped bit can turn an opcode into one
        # that announces 2**60 bytes) fails here against the bytes there are, where the unpickler would first
        # try to allocate them (MemoryError)
        for _ in pickletools.genops(io.BytesIO(data)):
            pass
    except Exception as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise CheckpointError(f"{path} is not a readable pickle (truncated or corrupted): {message}") from None
    try:
        obj = _BookUnpickler(io.BytesIO(data)).load()
    except _RefusedGlobal as exc:
        raise CheckpointError(
            f"refusing to load {path}: it references the global {exc}, and a file of the book's weights needs "
            f"only {_ALLOWED_TEXT}; the load stopped before anything in the file was called"
        ) from None
    except _Refused as exc:
        raise CheckpointError(f"{path} is not a file of the book's weights: it holds {exc}") from None
    except MemoryError:
        raise
    except Exception as exc:  # truncated or corrupted: pickle raises many types; only our stand-ins ran
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise CheckpointError(f"{path} is not a readable pickle (truncated or corrupted): {message}") from None
    if not isinstance(obj, (list, tuple)):
        raise CheckpointError(
            f"{path} holds {_short(obj)}; expected a list of NumPy arrays (the book's BaseModel.save_params format)"
        )
    if not obj:
        raise CheckpointError(f"{path} holds an empty list; expected the model's parameter arrays")
    arrays = []
    for i, item in enumerate(obj):
        if not isinstance(item, _ArraySpec) or item.array is None:
            raise CheckpointError(f"{path}: item {i} of the list is {_short(item)}, not a NumPy float array")
        arrays.append(item.array)
    return arrays


def assign_params(model: Any, arrays: Any, *, source: str = "the weights") -> None:
    """Copy a list of arrays into ``model.params`` in order (in place), all or nothing.

    This is how weights that come as a plain list in the book's parameter order -- the book's own trained
    weights (:func:`load_book_params`), a checkpoint converted from them -- go into our models (chapters 6.4
    and 8.2 save and load such lists). The list may hold every entry of ``model.params`` (the book's format: a
    tied weight and its transpose are both stored, and must then agree) or only the distinct ones (tied
    duplicates left out; ties are found by :func:`scratchnlp.optim.shared_structure`).

    Every array is checked before any parameter is written, so weights that do not fit leave the model exactly
    as it was: the count, the shape of each, that it is numeric and finite, that tied entries agree, and that
    casting it to the parameter's dtype loses nothing but precision (no float into an int parameter, no value
    that overflows the parameter's float type).

    Parameters
    ----------
    model : an object with ``params`` (and ``param_names``) in the book's order
    arrays : sequence of NumPy or CuPy arrays
    source : str
        What the arrays are, for the error messages (e.g. the file they came from).

    Raises
    ------
    CheckpointError
        Naming the first array that does not fit: the count, its shape, a non-numeric dtype, NaN or inf, a
        lossy cast, or tied entries that differ. (A ``ValueError``, like every checkpoint error.)
    """
    params, names, _ = _params_of(model)
    model_name = type(model).__name__ if not isinstance(model, (list, tuple)) else "the model"
    owners = shared_structure(params)
    distinct = [i for i, (o, _) in enumerate(owners) if o == i]
    if not isinstance(arrays, (list, tuple)):
        raise TypeError(f"arrays must be a list of arrays in the model's params order, got {type(arrays).__name__}")
    arrays = list(arrays)
    if len(arrays) == len(params):
        slots = list(range(len(params)))
    elif len(arrays) == len(distinct):
        slots = distinct
    else:
        tied = "" if len(distinct) == len(params) else f" ({len(distinct)} without the tied duplicates)"
        raise CheckpointError(
            f"{source} holds {len(arrays)} arrays but {model_name} has {len(params)} parameters{tied}: "
            f"{', '.join(names)} (a different architecture?)"
        )
    ready: dict[int, np.ndarray] = {}
    for k, (i, a) in enumerate(zip(slots, arrays)):
        name, p = names[i], params[i]
        a = backend.to_cpu(a) if hasattr(a, "shape") else np.asarray(a)
        if a.dtype.kind not in "fiu":
            raise CheckpointError(f"{source}: array {k}, for {name!r}, is not numeric (dtype {a.dtype})")
        if tuple(a.shape) != tuple(p.shape):
            raise CheckpointError(
                f"{source}: array {k}, for {name!r}, has shape {tuple(a.shape)} but {model_name}'s {name!r} has "
                f"shape {tuple(p.shape)} (a model of another size?); its parameters are "
                + ", ".join(f"{n} {tuple(q.shape)}" for n, q in zip(names, params))
            )
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            raise CheckpointError(f"{source}: array {k}, for {name!r}, holds NaN or inf")
        target = np.dtype(p.dtype)
        if a.size and target.kind in "iu":
            info = np.iinfo(target)
            integral = a.dtype.kind in "iu" or bool((a == np.round(a)).all())
            exact = integral and info.min <= a.min() and a.max() <= info.max
            if not exact:
                raise CheckpointError(
                    f"{source}: array {k}, for {name!r}, holds values that {target} cannot represent exactly "
                    f"(dtype {a.dtype}); refusing a lossy cast"
                )
        elif a.size and target.kind == "f" and float(np.abs(a).max()) > float(np.finfo(target).max):
            raise CheckpointError(
                f"{source}: array {k}, for {name!r}, holds values beyond the range of {target}, the parameter's "
                "dtype"
            )
        cast = a.astype(target, copy=False)
        ready[i] = cast
    for i, (owner, transposed) in enumerate(owners):
        if owner == i or i not in ready:
            continue
        expected = ready[owner].T if transposed else ready[owner]
        if not np.array_equal(ready[i], expected):
            raise CheckpointError(
                f"{source}: {model_name} ties {names[i]!r} to {names[owner]!r}{' (transposed)' if transposed else ''} "
                "but the arrays for them differ (weights of an untied model?)"
            )
    for i in distinct:
        params[i][...] = backend.xp(params[i]).asarray(ready[i])


def _published_sha256(name: str) -> str:
    from .datasets.downloader import REGISTRY  # noqa: PLC0415 - the datasets package imports this module

    return REGISTRY["book-weights"][name].sha256


def _verify_book_file(path: Path, data: bytes, arrays: list[np.ndarray], expected_sha256: str | None) -> None:
    """The check of :func:`load_book_params`'s ``expected_sha256`` (see there)."""
    if expected_sha256 is None:
        return
    shapes = tuple(tuple(a.shape) for a in arrays)
    if expected_sha256 == _PUBLISHED:
        name = next((n for n, s in BOOK_FILE_SHAPES.items() if s == shapes), None)
        if name is None:
            return  # not one of the book's files: there is no sum to compare with
        expected, which = _published_sha256(name), f"the book's published {name}"
    else:
        expected, which = expected_sha256, "expected_sha256"
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        how = (
            "download it again (scratchnlp download book-weights), or, for weights you trained yourself with the "
            "book's code, pass expected_sha256=None (convert-book-weights --no-verify)"
            if expected_sha256 == _PUBLISHED else "check that it is the file you meant"
        )
        raise CheckpointError(
            f"{path} is damaged or modified: its SHA-256 is {actual} but {which} has {expected}; {how}"
        )


def load_book_params(
    path: str | os.PathLike[str],
    model: Any = None,
    *,
    max_bytes: int = BOOK_PARAMS_MAX_BYTES,
    expected_sha256: str | None = _PUBLISHED,
) -> list[np.ndarray]:
    """Read a weight file published with the book (``Rnnlm.pkl``, ``AttentionSeq2seq.pkl``) safely.

    The book's ``BaseModel.save_params`` (chapter 6.4 and 8.2) pickles the list of a model's parameters, cast
    to float16. A pickle can run any code when loaded, so this reads it with an unpickler that knows exactly
    three globals -- ``numpy.ndarray``, ``numpy.dtype`` and ``numpy.core.multiarray._reconstruct`` (or
    ``numpy._core.multiarray._reconstruct``) -- each replaced by a stand-in that can only describe a float
    array; the arrays are then built here from their validated shape, dtype and bytes. Any other global
    (``os.system``, ``builtins.eval``, a class of some module) stops the load before it is called.

    Parameters
    ----------
    path : a ``.pkl`` file holding a pickled list of float NumPy arrays (e.g. from
        ``scratchnlp.datasets.fetch("book-weights", "Rnnlm.pkl")``)
    model : optional; an object with ``params`` (and ``param_names``) in the book's order. When given, the
        arrays are copied into ``model.params`` by :func:`assign_params`, all or nothing: a file that does not
        fit (count, shapes, NaN, tied entries that differ) leaves the model untouched.
    max_bytes : the largest file read (default 2 GiB); a larger one is refused before it is read
    expected_sha256 : ``"published"`` (default), a SHA-256 as 64 hex digits, or None
        What the file's content must be. ``"published"``: a file whose arrays have exactly the shapes of one of
        the book's published files (:data:`BOOK_FILE_SHAPES`) must be that file, byte for byte (its SHA-256 is
        the download registry's); other files are not checked. A hex digest: the file must have it. None: no
        check, for weights a reader trained with the book's code at the published sizes.

    Returns
    -------
    list of numpy.ndarray
        The arrays as stored (float16 in the published files; the caller casts), writable and C-contiguous.

    Raises
    ------
    CheckpointError
        One clear error naming the file: a refused global (nothing in the file is run), a folder, a device or
        pipe, a file over ``max_bytes``, an empty, truncated or corrupt pickle, a pickle holding anything but a
        list of float arrays, a file that has the shapes of one of the book's files but not its SHA-256 (damaged
        or modified), or (with ``model``) a count or shape that does not fit the model's parameters.

    Notes
    -----
    Why the shapes decide, and not the name: a damaged copy of ``Rnnlm.pkl`` is still damaged when renamed, so
    the content must identify it; a flipped byte in the data leaves every shape as it was (a damaged header
    makes the pickle unreadable and is refused as such), so the shapes find every such copy. The name would
    add nothing and would flag the reader's own files, since the book's ``save_params`` names every file after
    its model class (``Rnnlm.pkl`` for an ``Rnnlm`` of any size). The price is that weights a reader trained
    at the published sizes need ``expected_sha256=None``.
    """
    path = _as_path(path, "load_book_params path")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValueError(f"max_bytes must be a positive int, got {max_bytes!r}")
    if expected_sha256 is not None and expected_sha256 != _PUBLISHED and (
            not isinstance(expected_sha256, str) or not _SHA256.match(expected_sha256)):
        raise ValueError(f"expected_sha256 must be 'published', 64 lower-case hex digits or None, got "
                         f"{expected_sha256!r}")
    data = _read_bounded(path, max_bytes)
    arrays = _unpickle_arrays(path, data)
    _verify_book_file(path, data, arrays, expected_sha256)
    if model is not None:
        assign_params(model, arrays, source=str(path))
    return arrays
