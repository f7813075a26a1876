"""Save and load parameters as ``.npz`` with a JSON header — never pickle.

The book stores weights with :mod:`pickle`, which runs arbitrary code on load and breaks when classes move.
A checkpoint here is a plain NumPy ``.npz`` archive: one array per (unshared) parameter plus ``__header__``,
a JSON document with the names, shapes, dtypes and SHA-256 of every array, the tied-weight structure, the
library version and free-form metadata. Files are written to a temporary file and renamed, so a crash never
leaves half a checkpoint; loading verifies everything before it touches a single parameter.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__, backend
from .optim import shared_structure

__all__ = ["CheckpointError", "save_params", "load_params", "read_checkpoint", "FORMAT"]

FORMAT = "scratchnlp-params"
FORMAT_VERSION = 1
_HEADER_KEY = "__header__"


class CheckpointError(ValueError):
    """A checkpoint file is missing, truncated, corrupted, or does not fit the model."""


def _params_of(model_or_params: Any) -> tuple[list[Any], list[str]]:
    if isinstance(model_or_params, (list, tuple)):
        params = list(model_or_params)
        names = [f"params[{i}]" for i in range(len(params))]
    else:
        params = list(model_or_params.params)
        names = list(getattr(model_or_params, "param_names", [])) or [f"params[{i}]" for i in range(len(params))]
    if len(names) != len(params):
        raise ValueError(f"model has {len(params)} params but {len(names)} param_names")
    return params, names


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _sha256(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def save_params(
    path: str | os.PathLike[str],
    model_or_params: Any,
    *,
    dtype: Any = None,
    metadata: dict[str, Any] | None = None,
) -> Path:
    """Write the parameters of a model (or a list of arrays) to ``path`` atomically.

    Parameters
    ----------
    path : destination file (conventionally ``*.npz``); its folder must exist
    model_or_params : an object with ``params`` (and optionally ``param_names``), or a list of arrays
    dtype : store the arrays in this dtype (e.g. ``float16`` halves the size, chapter 1.5.2); loading casts
        back to the model's dtype
    metadata : JSON-serialisable extra information stored in the header (config, vocabulary size, ...)

    Returns
    -------
    The path written.
    """
    path = Path(path)
    params, names = _params_of(model_or_params)
    owners = shared_structure(params)
    arrays: dict[str, np.ndarray] = {}
    entries = []
    tied = []
    for i, (owner, transposed) in enumerate(owners):
        if owner != i:
            tied.append({"name": names[i], "same_as": names[owner], "transposed": transposed})
            continue
        a = backend.to_cpu(params[i])
        if dtype is not None:
            a = a.astype(dtype)
        key = f"p{len(entries)}"
        arrays[key] = np.ascontiguousarray(a)
        entries.append({"key": key, "name": names[i], "shape": list(a.shape), "dtype": str(a.dtype),
                        "sha256": _sha256(arrays[key])})
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "params": entries,
        "tied": tied,
        "metadata": metadata or {},
    }
    try:
        header_text = json.dumps(header)
    except TypeError as exc:
        raise ValueError(f"checkpoint metadata must be JSON-serialisable: {exc}") from exc
    arrays[_HEADER_KEY] = np.array(header_text)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot save checkpoint {path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_current_umask())  # mkstemp makes the file private; give it normal permissions
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def read_checkpoint(path: str | os.PathLike[str]) -> tuple[dict[str, Any], list[np.ndarray]]:
    """Read and verify a checkpoint: returns its header and the stored arrays (unshared parameters, in order).

    Raises
    ------
    CheckpointError
        If the file is missing, is not a valid ``.npz``, lacks the header, or an array's shape, dtype or
        SHA-256 differs from the header (truncation or corruption).
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} does not exist")
    try:
        # open the file here: np.load leaks its own handle when the archive is unreadable
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as npz:
            if _HEADER_KEY not in npz.files:
                raise CheckpointError(f"{path} is not a scratchnlp checkpoint (no {_HEADER_KEY} entry)")
            header = json.loads(str(npz[_HEADER_KEY]))
            if header.get("format") != FORMAT:
                raise CheckpointError(f"{path} has format {header.get('format')!r}, expected {FORMAT!r}")
            if header.get("format_version", 0) > FORMAT_VERSION:
                raise CheckpointError(
                    f"{path} has format version {header['format_version']}; this library reads up to "
                    f"{FORMAT_VERSION} (upgrade scratchnlp)"
                )
            arrays = []
            for entry in header["params"]:
                a = npz[entry["key"]]
                if list(a.shape) != entry["shape"] or str(a.dtype) != entry["dtype"]:
                    raise CheckpointError(
                        f"{path}: array {entry['name']!r} is {a.dtype}{list(a.shape)} but the header says "
                        f"{entry['dtype']}{entry['shape']} (corrupted file)"
                    )
                if _sha256(a) != entry["sha256"]:
                    raise CheckpointError(
                        f"{path}: SHA-256 of {entry['name']!r} does not match its header (corrupted file)"
                    )
                arrays.append(a)
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{path} is not a readable checkpoint (truncated or corrupted): {exc}") from exc
    return header, arrays


def load_params(path: str | os.PathLike[str], model_or_params: Any) -> dict[str, Any]:
    """Load a checkpoint into a model's parameters (in place), all or nothing.

    Every stored array is verified (SHA-256, shape, tied structure) and cast to the model's dtype *before* any
    parameter is written, so a bad file leaves the model exactly as it was.

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
    params, names = _params_of(model_or_params)
    owners = shared_structure(params)
    targets = [(names[i], params[i]) for i, (o, _) in enumerate(owners) if o == i]
    if len(targets) != len(arrays):
        raise CheckpointError(
            f"{path} holds {len(arrays)} parameter arrays but the model has {len(targets)} (different architecture)"
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
