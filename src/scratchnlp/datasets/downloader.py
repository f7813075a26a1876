"""Download, verify and cache the book's data files (used from chapter 2 on).

Every file the project can download is listed in ``REGISTRY`` with its public URL, SHA-256 sum and size.
:func:`~scratchnlp.datasets.fetch` returns the path of a cached, verified copy, downloading it on first use:

1. ``<cache>/<dataset>/<file>`` if it is there and its SHA-256 is right (checked once per process);
2. else ``$SCRATCHNLP_MIRROR/<dataset>/<file>`` when ``SCRATCHNLP_MIRROR`` is set (an ``https://``,
   ``http://`` or ``file://`` base, or a local folder), for mirrors, air-gapped machines and CI;
3. else the public origin.

A download goes to a temporary file in the cache folder (``scratchnlp._io.atomic_write``), is checked
against its size and SHA-256 and only then renamed into place (:func:`os.replace`, atomic), so an interrupted
(Ctrl-C, SIGTERM) or corrupt download never leaves a file that looks complete, nor a temporary file. A source
that sends more bytes than the registry's size is cut off at once. A cached copy with a wrong sum is deleted
and fetched again (logged on the ``scratchnlp.datasets.downloader`` logger). The cache folder is
``$SCRATCHNLP_DATA``, else the platform's cache folder (see :func:`~scratchnlp.datasets.cache_dir`).
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .._io import atomic_write, check_writable_dir, sha256_file
from .._progress import progress_bar, progress_enabled

__all__ = [
    "RemoteFile",
    "REGISTRY",
    "DatasetUnavailableError",
    "ChecksumError",
    "SizeMismatchError",
    "cache_dir",
    "fetch",
    "download",
]

DEFAULT_TIMEOUT = 30.0
_CHUNK = 1 << 20
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RemoteFile:
    """One downloadable file: where it comes from, the SHA-256 it must have and its size in bytes.

    A download is cut off as soon as it delivers more than ``size`` bytes, so a wrong or hostile source cannot
    fill the disk, and refused if it delivers fewer.
    """

    url: str
    sha256: str
    size: int


_PTB = "https://raw.githubusercontent.com/tomsercu/lstm/master/data/"
_GENSIM = "https://raw.githubusercontent.com/piskvorky/gensim/develop/gensim/test/test_data/"
# the book's official code, pinned to the commits the mirror's copies come from (see each folder's SOURCE.md)
_BOOK = "https://raw.githubusercontent.com/WegraLee/deep-learning-from-scratch-2/7c414a9a72b0d8f5faff332d0c3da6c1dd1cf18b/dataset/"
_BOOK_CODE = "https://raw.githubusercontent.com/oreilly-japan/deep-learning-from-scratch-2/842ae31c2bb070f5116275606ed90396626a2c17/"

#: dataset name -> file name -> :class:`RemoteFile`. Sums from each mirror folder's ``SHA256SUMS``, sizes from
#: the files they describe.
REGISTRY: dict[str, dict[str, RemoteFile]] = {
    "ptb": {
        "ptb.train.txt": RemoteFile(
            _PTB + "ptb.train.txt", "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf", 5101618
        ),
        "ptb.valid.txt": RemoteFile(
            _PTB + "ptb.valid.txt", "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2", 399782
        ),
        "ptb.test.txt": RemoteFile(
            _PTB + "ptb.test.txt", "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0", 449945
        ),
    },
    "analogy": {
        "questions-words.txt": RemoteFile(
            _GENSIM + "questions-words.txt",
            "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36",
            603955,
        ),
        "wordsim353.tsv": RemoteFile(
            _GENSIM + "wordsim353.tsv", "f92a022fc2537793a15bc3a8c162ebcd74990e033a228bb6388cb71e4c0b1e1d", 7186
        ),
        "simlex999.txt": RemoteFile(
            _GENSIM + "simlex999.txt", "d5e0501971478a511430ee880bd0121e94ac701ba86d90544d83e6d2ba3db05d", 18126
        ),
    },
    "sequence": {
        "addition.txt": RemoteFile(
            _BOOK + "addition.txt", "34e0746f5014c11311c9452ee9050bf14e38eca44ec4aaf4d81eba2b38674009", 650000
        ),
        "date.txt": RemoteFile(
            _BOOK + "date.txt", "62e66a301ce8537868e725512d2a45663fc366526b7e42028cb703bda2b1c79a", 2050000
        ),
    },
    # the book's published trained weights (pickles: read them only with checkpoint.load_book_params)
    "book-weights": {
        "Rnnlm.pkl": RemoteFile(
            _BOOK_CODE + "ch06/Rnnlm.pkl", "d872e609e328834f86a0de9fea7b2968bd95a22ea748880ccaee96923e9a5903", 4181172
        ),
        "AttentionSeq2seq.pkl": RemoteFile(
            _BOOK_CODE + "ch08/AttentionSeq2seq.pkl",
            "e648820a02cdaccc599ffb2aef65e785f49fb0cfc99d4c461a847fe231fedd54",
            1183052,
        ),
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


class SizeMismatchError(OSError):
    """A source sent more (or fewer) bytes than the registry's size for the file; nothing was kept.

    A download is cut off as soon as it goes past the expected size (or announces a larger
    ``Content-Length``), so a wrong source cannot fill the disk.

    Attributes
    ----------
    filename, url : str
    expected : int
        The registry's size in bytes.
    received : int
        Bytes received before stopping, or the ``Content-Length`` announced when ``announced`` is true.
    announced : bool
    """

    def __init__(self, filename: str, expected: int, received: int, url: str, announced: bool = False) -> None:
        self.filename, self.expected, self.received, self.url = filename, expected, received, url
        self.announced = announced
        if announced:
            problem = f"announces {received} bytes (Content-Length) for {filename}, which has {expected} bytes"
        elif received > expected:
            problem = f"sent more than the {expected} bytes of {filename}"
        else:
            problem = f"sent only {received} of the {expected} bytes of {filename}"
        super().__init__(
            f"{url} {problem}; the download was stopped and deleted (the source serves a different or "
            "truncated file: check the URL or SCRATCHNLP_MIRROR)"
        )

    def __str__(self) -> str:
        return self.args[0]

    def __reduce__(self) -> tuple[type, tuple[str, int, int, str, bool]]:
        return (type(self), (self.filename, self.expected, self.received, self.url, self.announced))


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


def _mirror_base() -> str | None:
    """The validated ``$SCRATCHNLP_MIRROR`` as a URL (a bare folder becomes a ``file://`` URL), or None."""
    mirror = os.environ.get("SCRATCHNLP_MIRROR", "").strip()
    if not mirror:
        return None

    def bad(problem: str) -> ValueError:
        return ValueError(
            f"SCRATCHNLP_MIRROR must be an https://, http:// or file:// URL or a folder holding <dataset>/<file>, "
            f"got {mirror!r} ({problem}); fix or unset the variable"
        )

    try:
        parts = urllib.parse.urlsplit(mirror)
        parts.port  # noqa: B018 - parsing the port raises for a malformed one
    except ValueError as exc:
        raise bad(f"not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not parts.hostname:
            raise bad("the URL names no host")
        return mirror
    if scheme == "file":
        return mirror
    # a bare folder is a convenience (a one-letter scheme is a Windows drive); any other scheme is a mistake
    if scheme and len(scheme) > 1:
        raise bad(f"unsupported scheme {scheme}://")
    return Path(mirror).expanduser().resolve().as_uri()


def _mirror_url(dataset: str, filename: str) -> str | None:
    """``$SCRATCHNLP_MIRROR/<dataset>/<file>``, or None when no mirror is set."""
    mirror = _mirror_base()
    if mirror is None:
        return None
    quoted = "/".join(urllib.parse.quote(part) for part in (dataset, filename))
    return mirror.rstrip("/") + "/" + quoted


def _stat_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path), st.st_size, st.st_mtime_ns)


def _check_cached(path: Path, remote: RemoteFile) -> tuple[bool, str]:
    """Whether ``path`` holds the right file; a bad copy is deleted (and logged) so it is fetched again.

    Returns ``(ok, note)``; ``note`` says what was wrong with a deleted copy (for error messages), else "".
    """
    if not os.path.lexists(path):
        return False, ""
    if not path.is_file():
        raise DatasetUnavailableError(
            f"the cache path {path} is not a regular file (a folder?); remove it so the file can be downloaded "
            "there, or set SCRATCHNLP_DATA to another cache folder"
        )
    key = _stat_key(path)
    if key in _verified:
        return True, ""
    actual = sha256_file(path)
    if actual == remote.sha256:
        _verified.add(key)
        return True, ""
    note = f"the cached copy {path} had SHA-256 {actual} instead of {remote.sha256} and was deleted"
    _log.warning("%s; downloading it again", note)
    path.unlink()
    return False, note


class _SourceError(Exception):
    """A source could not deliver the file (network, HTTP or URL error); the next source is tried."""


_SOURCE_ERRORS = (OSError, http.client.HTTPException, ValueError)  # ValueError: urllib rejects a malformed URL


def _download_to(url: str, target: Path, remote: RemoteFile, timeout: float, progress: bool) -> None:
    """Stream ``url`` into ``target`` atomically, checking its size and SHA-256 before the rename.

    Raises
    ------
    _SourceError
        The source cannot be read (the caller tries the next one).
    SizeMismatchError, ChecksumError
        The source sent the wrong file.
    OSError
        The cache cannot be written (disk full, permissions): the message names the file.
    """
    name = target.name
    with atomic_write(target) as out:
        try:
            response = urllib.request.urlopen(url, timeout=timeout)
        except _SOURCE_ERRORS as exc:
            raise _SourceError(_describe_error(exc)) from exc
        with response:
            length = response.headers.get("Content-Length") if response.headers else None
            if length and length.strip().isdigit() and int(length) > remote.size:
                raise SizeMismatchError(name, remote.size, int(length), url, announced=True)
            digest = hashlib.sha256()
            received = 0
            bar_options = {"unit_scale": True, "unit_divisor": 1024, "desc": name}
            with progress_bar(remote.size, progress, unit="B", **bar_options) as bar:
                while True:
                    try:
                        # never ask for more than one byte past the expected size: that byte is the proof
                        chunk = response.read(min(_CHUNK, remote.size - received + 1))
                    except _SOURCE_ERRORS as exc:
                        raise _SourceError(_describe_error(exc)) from exc
                    if not chunk:
                        break
                    received += len(chunk)
                    if received > remote.size:
                        raise SizeMismatchError(name, remote.size, received, url)
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
        if received < remote.size:
            raise SizeMismatchError(name, remote.size, received, url)
        actual = digest.hexdigest()
        if actual != remote.sha256:
            raise ChecksumError(name, remote.sha256, actual, url)


def _describe_error(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


def _prepare_cache(folder: Path) -> None:
    try:
        check_writable_dir(folder, what="cache folder")
    except OSError as exc:
        message = f"{exc.strerror or exc}; set SCRATCHNLP_DATA to a writable folder"
        raise (type(exc)(exc.errno, message) if exc.errno is not None else OSError(message)) from exc


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
        A key of ``REGISTRY``: ``"ptb"``, ``"analogy"``, ``"sequence"`` or ``"book-weights"``.
    filename : str
        A file of that dataset, e.g. ``"ptb.train.txt"``.
    progress : bool, optional
        Show a progress bar on stderr (the library's one rule for progress bars): by default
        only when stderr is a terminal.
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
    SizeMismatchError
        If a source sends more or fewer bytes than the file has (the download is stopped and deleted).
    DatasetUnavailableError
        If the file is not cached and no source could be reached.
    OSError
        If the cache folder cannot be created or written (the message names the path).
    """
    remote = _remote(dataset, filename)
    mirror = _mirror_url(dataset, filename)  # validates SCRATCHNLP_MIRROR even when the file is cached
    folder = cache_dir(dataset)
    target = folder / filename
    ok, note = _check_cached(target, remote)
    if ok:
        return target

    urls = [u for u in (mirror, remote.url) if u]
    show = progress_enabled(progress)
    failures: list[str] = []
    _prepare_cache(folder)
    for url in urls:
        try:
            _download_to(url, target, remote, timeout, show)
        except _SourceError as exc:
            failures.append(f"{url} ({exc})")
            continue
        _verified.add(_stat_key(target))
        return target

    raise DatasetUnavailableError(
        f"cannot get {dataset}/{filename}: not in the cache and no source answered; tried "
        + "; ".join(failures)
        + (f" ({note})" if note else "")
        + f". To provide it, set SCRATCHNLP_MIRROR to a folder or URL holding {dataset}/{filename} "
        f"(e.g. file:///path/to/mirror), or copy the file to {target}"
    )


def download(dataset: str, progress: bool | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> list[Path]:
    """Fetch every file of a dataset (see :func:`~scratchnlp.datasets.fetch`); return their paths in registry order."""
    if dataset not in REGISTRY:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {sorted(REGISTRY)}")
    return [fetch(dataset, name, progress, timeout=timeout) for name in REGISTRY[dataset]]
