"""Download, verify and cache the book's data files (used from chapter 2 on).

Every file the project can download is listed in ``REGISTRY`` with its public URL and SHA-256 sum.
:func:`~scratchnlp.datasets.fetch` returns the path of a cached, verified copy, downloading it on first use:

1. ``<cache>/<dataset>/<file>`` if it is there and its SHA-256 is right (checked once per process);
2. else ``$SCRATCHNLP_MIRROR/<dataset>/<file>`` when ``SCRATCHNLP_MIRROR`` is set (an ``https://``,
   ``http://`` or ``file://`` base, or a local folder), for mirrors, air-gapped machines and CI;
3. else the public origin.

A download goes to a temporary file in the cache folder, is checked against its SHA-256 and only then
renamed into place (:func:`os.replace`, atomic), so an interrupted or corrupt download never leaves a file
that looks complete. The cache folder is ``$SCRATCHNLP_DATA``, else the platform's cache folder
(see :func:`~scratchnlp.datasets.cache_dir`).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

__all__ = [
    "RemoteFile",
    "REGISTRY",
    "DatasetUnavailableError",
    "ChecksumError",
    "cache_dir",
    "fetch",
    "download",
    "sha256sum",
]

DEFAULT_TIMEOUT = 30.0
_CHUNK = 1 << 20


@dataclass(frozen=True)
class RemoteFile:
    """One downloadable file: where it comes from and the SHA-256 it must have."""

    url: str
    sha256: str


_PTB = "https://raw.githubusercontent.com/tomsercu/lstm/master/data/"
_GENSIM = "https://raw.githubusercontent.com/piskvorky/gensim/develop/gensim/test/test_data/"
_BOOK = "https://raw.githubusercontent.com/oreilly-japan/deep-learning-from-scratch-2/master/dataset/"

#: dataset name -> file name -> :class:`RemoteFile`. Sums from each mirror folder's ``SHA256SUMS``.
REGISTRY: dict[str, dict[str, RemoteFile]] = {
    "ptb": {
        "ptb.train.txt": RemoteFile(
            _PTB + "ptb.train.txt", "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf"
        ),
        "ptb.valid.txt": RemoteFile(
            _PTB + "ptb.valid.txt", "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2"
        ),
        "ptb.test.txt": RemoteFile(
            _PTB + "ptb.test.txt", "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0"
        ),
    },
    "analogy": {
        "questions-words.txt": RemoteFile(
            _GENSIM + "questions-words.txt", "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36"
        ),
        "wordsim353.tsv": RemoteFile(
            _GENSIM + "wordsim353.tsv", "f92a022fc2537793a15bc3a8c162ebcd74990e033a228bb6388cb71e4c0b1e1d"
        ),
        "simlex999.txt": RemoteFile(
            _GENSIM + "simlex999.txt", "d5e0501971478a511430ee880bd0121e94ac701ba86d90544d83e6d2ba3db05d"
        ),
    },
    "sequence": {
        "addition.txt": RemoteFile(
            _BOOK + "addition.txt", "34e0746f5014c11311c9452ee9050bf14e38eca44ec4aaf4d81eba2b38674009"
        ),
        "date.txt": RemoteFile(_BOOK + "date.txt", "62e66a301ce8537868e725512d2a45663fc366526b7e42028cb703bda2b1c79a"),
    },
}


class DatasetUnavailableError(OSError):
    """A data file is not cached and could not be downloaded from any source.

    The message names the file, every URL tried with its error, and how to provide the file.
    """


class ChecksumError(OSError):
    """A downloaded file does not have the SHA-256 sum the registry expects; it has been deleted.

    Attributes
    ----------
    filename, expected, actual, url : str
    """

    def __init__(self, filename: str, expected: str, actual: str, url: str) -> None:
        self.filename, self.expected, self.actual, self.url = filename, expected, actual, url
        super().__init__(
            f"checksum mismatch for {filename} downloaded from {url}: expected SHA-256 {expected}, "
            f"got {actual}; the download was deleted (the source may be corrupt or truncated)"
        )

    def __str__(self) -> str:
        return self.args[0]

    def __reduce__(self) -> tuple[type, tuple[str, str, str, str]]:
        # OSError would pickle only the message, which __init__ cannot take back
        return (type(self), (self.filename, self.expected, self.actual, self.url))


# Cached files whose sum was checked in this process, keyed by (path, size, mtime) so that a file replaced
# behind our back is checked again.
_verified: set[tuple[str, int, int]] = set()


def cache_dir(dataset: str | None = None) -> Path:
    """The folder data files are cached in (created on first download, not here).

    ``$SCRATCHNLP_DATA`` if set; else ``$XDG_CACHE_HOME/scratchnlp`` or ``~/.cache/scratchnlp`` on Linux
    and other Unix systems, ``~/Library/Caches/scratchnlp`` on macOS, and ``%LOCALAPPDATA%\\scratchnlp\\Cache``
    on Windows.

    Parameters
    ----------
    dataset : str, optional
        Return the dataset's subfolder ``<cache>/<dataset>`` instead.
    """
    env = os.environ.get("SCRATCHNLP_DATA", "").strip()
    if env:
        base = Path(env).expanduser()
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches" / "scratchnlp"
    elif sys.platform.startswith("win"):
        local = os.environ.get("LOCALAPPDATA", "").strip()
        base = (Path(local) if local else Path.home() / "AppData" / "Local") / "scratchnlp" / "Cache"
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        # the XDG spec says to ignore a relative path
        root = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
        base = root / "scratchnlp"
    return base / dataset if dataset else base


def _remote(dataset: str, filename: str) -> RemoteFile:
    if dataset not in REGISTRY:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {sorted(REGISTRY)}")
    files = REGISTRY[dataset]
    if filename not in files:
        raise ValueError(f"unknown file {filename!r} in dataset {dataset!r}; expected one of {list(files)}")
    return files[filename]


def _mirror_url(dataset: str, filename: str) -> str | None:
    """``$SCRATCHNLP_MIRROR/<dataset>/<file>``, or None when no mirror is set."""
    mirror = os.environ.get("SCRATCHNLP_MIRROR", "").strip()
    if not mirror:
        return None
    scheme = urllib.parse.urlsplit(mirror).scheme.lower()
    if scheme not in ("http", "https", "file"):
        # a bare folder is a convenience; anything else with a scheme (ftp:, s3:) is a mistake
        if scheme and len(scheme) > 1:
            raise ValueError(
                f"SCRATCHNLP_MIRROR must be an https://, http:// or file:// URL or a folder, got {mirror!r}"
            )
        mirror = Path(mirror).expanduser().resolve().as_uri()
    quoted = "/".join(urllib.parse.quote(part) for part in (dataset, filename))
    return mirror.rstrip("/") + "/" + quoted


def sha256sum(path: str | os.PathLike[str]) -> str:
    """The hex SHA-256 digest of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _stat_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path), st.st_size, st.st_mtime_ns)


def _cached_ok(path: Path, expected: str) -> bool:
    """True if ``path`` exists with the right sum; a bad copy is deleted (with a warning) so it is fetched again."""
    if not path.is_file():
        return False
    key = _stat_key(path)
    if key in _verified:
        return True
    actual = sha256sum(path)
    if actual == expected:
        _verified.add(key)
        return True
    warnings.warn(
        f"cached {path} has SHA-256 {actual}, expected {expected}; deleting it and downloading again",
        stacklevel=3,
    )
    path.unlink()
    return False


def _show_progress(progress: bool | None) -> bool:
    if progress is not None:
        return bool(progress)
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


def _download_to(url: str, folder: Path, filename: str, timeout: float, progress: bool) -> tuple[Path, str]:
    """Stream ``url`` into a temporary file in ``folder``; return its path and SHA-256. Deletes it on failure."""
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{filename}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            length = response.headers.get("Content-Length") if response.headers else None
            total = int(length) if length and length.isdigit() else None
            with tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=filename,
                disable=not progress,
                leave=False,
            ) as bar:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, digest.hexdigest()


def _describe_error(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


def fetch(
    dataset: str,
    filename: str,
    progress: bool | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> Path:
    """Return the path of a verified local copy of one data file, downloading it if needed.

    Parameters
    ----------
    dataset : str
        A key of ``REGISTRY``: ``"ptb"``, ``"analogy"`` or ``"sequence"``.
    filename : str
        A file of that dataset, e.g. ``"ptb.train.txt"``.
    progress : bool, optional
        Show a tqdm progress bar on stderr. By default only when stderr is a terminal.
    timeout : float, default 30
        Seconds to wait on each network operation (connect, each read).

    Returns
    -------
    pathlib.Path
        ``<cache>/<dataset>/<filename>``.

    Raises
    ------
    ValueError
        For an unknown dataset or file name, or a malformed ``SCRATCHNLP_MIRROR``.
    ChecksumError
        If a downloaded file has the wrong SHA-256 (the bad download is deleted).
    DatasetUnavailableError
        If the file is not cached and no source could be reached.
    """
    remote = _remote(dataset, filename)
    folder = cache_dir(dataset)
    target = folder / filename
    if _cached_ok(target, remote.sha256):
        return target

    urls = [u for u in (_mirror_url(dataset, filename), remote.url) if u]
    show = _show_progress(progress)
    failures: list[str] = []
    folder.mkdir(parents=True, exist_ok=True)
    for url in urls:
        try:
            tmp, actual = _download_to(url, folder, filename, timeout, show)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            # ValueError: urllib rejects a malformed URL; HTTPException: a connection cut mid-body
            failures.append(f"{url} ({_describe_error(exc)})")
            continue
        if actual != remote.sha256:
            tmp.unlink(missing_ok=True)
            raise ChecksumError(filename, remote.sha256, actual, url)
        os.replace(tmp, target)
        _verified.add(_stat_key(target))
        return target

    raise DatasetUnavailableError(
        f"cannot get {dataset}/{filename}: not in the cache and no source answered; tried "
        + "; ".join(failures)
        + f". To provide it, set SCRATCHNLP_MIRROR to a folder or URL holding {dataset}/{filename} "
        f"(e.g. file:///path/to/mirror), or copy the file to {target}"
    )


def download(dataset: str, progress: bool | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> list[Path]:
    """Fetch every file of a dataset (see :func:`~scratchnlp.datasets.fetch`); return their paths in registry order."""
    if dataset not in REGISTRY:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {sorted(REGISTRY)}")
    return [fetch(dataset, name, progress, timeout=timeout) for name in REGISTRY[dataset]]
