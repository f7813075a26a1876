"""Download, verify and cache the book's data files (used from chapter 2 on).

Every file the project can download is listed in ``REGISTRY`` with its public URL, SHA-256 sum and size.
:func:`~scratchnlp.datasets.fetch` returns the path of a cached, verified copy, downloading it on first use:

1. ``<cache>/<dataset>/<file>`` if it is there and its SHA-256 is right (checked once per process);
2. else ``$SCRATCHNLP_MIRROR/<dataset>/<file>`` when ``SCRATCHNLP_MIRROR`` is set (an ``https://``,
   ``http://`` or ``file://`` base, or a local folder), for mirrors, air-gapped machines and CI;
3. else the public origin: the file itself, or, for data published only as an archive (WordNet 3.0), the
   archive, from which the registered files are extracted (see ``RemoteArchive``).

A download goes to a temporary file in the cache folder (``scratchnlp._io.atomic_write``), is checked
against its size and SHA-256 and only then renamed into place (:func:`os.replace`, atomic), so an interrupted
(Ctrl-C, SIGTERM) or corrupt download never leaves a file that looks complete, nor a temporary file. A source
that sends more bytes than the registry's size is cut off at once. A cached copy with a wrong sum is deleted
and fetched again (logged on the ``scratchnlp.datasets.downloader`` logger). The cache folder is
``$SCRATCHNLP_DATA``, else the platform's cache folder (see :func:`~scratchnlp.datasets.cache_dir`).

An archive origin is read with the same care: the download is capped at a stated bound, every member name is
checked before anything is written (no absolute paths, no ``..``, no links where a file is expected), each
registered member is read up to its registry size and checked against its own SHA-256, and the files are
renamed into the cache only when all of them passed, so a hostile or corrupt archive leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import logging
import lzma
import os
import re
import stat
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .._io import atomic_write, check_writable_dir, sha256_file, sigterm_as_interrupt
from .._progress import progress_bar, progress_enabled

__all__ = [
    "RemoteFile",
    "RemoteArchive",
    "REGISTRY",
    "DatasetUnavailableError",
    "ChecksumError",
    "SizeMismatchError",
    "ArchiveError",
    "cache_dir",
    "fetch",
    "download",
]

DEFAULT_TIMEOUT = 30.0
_CHUNK = 1 << 20
_log = logging.getLogger(__name__)


_DRIVE = re.compile(r"^[A-Za-z]:")


def _unsafe_member(name: str) -> bool:
    """Whether an archive member's path could point outside the folder it is extracted to.

    Absolute paths, Windows drives, backslashes (a separator on Windows), NUL bytes and ``..`` components are
    unsafe. An honest archive has none of them, so one such member makes the whole archive suspect.
    """
    if not name or "\x00" in name or "\\" in name or name.startswith("/") or _DRIVE.match(name):
        return True
    return ".." in name.split("/")


@dataclass(frozen=True)
class RemoteArchive:
    """A public archive (zip, or tar, plain or compressed with gzip, bzip2 or xz) that holds registry files.

    Some data is published only as an archive. When the archive's own SHA-256 and size are known they can be
    given; otherwise ``sha256`` is None and the download is only capped at ``max_size``, a generous bound, while
    every file taken from it is still checked against its own size and SHA-256 in the registry. The archive
    itself is never kept: it goes to an anonymous temporary file next to the cache and is gone once read.
    """

    url: str
    max_size: int
    sha256: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.max_size, int) or self.max_size <= 0:
            raise ValueError(f"max_size must be a positive number of bytes, got {self.max_size!r}")
        if self.sha256 is not None and not re.fullmatch(r"[0-9a-f]{64}", self.sha256):
            raise ValueError(f"sha256 must be 64 lower-case hex digits or None, got {self.sha256!r}")


@dataclass(frozen=True)
class RemoteFile:
    """One downloadable file: where it comes from, the SHA-256 it must have and its size in bytes.

    A download is cut off as soon as it delivers more than ``size`` bytes, so a wrong or hostile source cannot
    fill the disk, and refused if it delivers fewer.

    A file published only inside an archive has ``archive`` (whose ``url`` is then also ``url``) and ``member``,
    its path inside the archive (``"wordnet/data.noun"``); a mirror still serves it as a single file.
    """

    url: str
    sha256: str
    size: int
    archive: RemoteArchive | None = None
    member: str | None = None

    def __post_init__(self) -> None:
        if (self.archive is None) != (self.member is None):
            raise ValueError("archive and member go together: give both or neither")
        if self.archive is not None and self.archive.url != self.url:
            raise ValueError(f"url must be the archive's url {self.archive.url!r}, got {self.url!r}")
        if self.member is not None and _unsafe_member(self.member):
            raise ValueError(f"member must be a relative path inside the archive, got {self.member!r}")


_PTB = "https://raw.githubusercontent.com/tomsercu/lstm/master/data/"
_GENSIM = "https://raw.githubusercontent.com/piskvorky/gensim/develop/gensim/test/test_data/"
# the book's official code, pinned to the commits the mirror's copies come from (see each folder's SOURCE.md)
_BOOK = "https://raw.githubusercontent.com/WegraLee/deep-learning-from-scratch-2/7c414a9a72b0d8f5faff332d0c3da6c1dd1cf18b/dataset/"
_BOOK_CODE = "https://raw.githubusercontent.com/oreilly-japan/deep-learning-from-scratch-2/842ae31c2bb070f5116275606ed90396626a2c17/"

#: Princeton WordNet 3.0 (appendix B) is published only as archives. NLTK's data package holds the database files
#: as ``wordnet/<file>``. Its own size and sum are not recorded here (they could not be checked when the registry
#: was written): the download is capped at 64 MiB, several times its size, and each member is checked by its own
#: size and SHA-256 below. This origin is exercised only where the internet is reachable; builds and tests take
#: the files from a mirror.
WORDNET_ARCHIVE = RemoteArchive(
    "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/wordnet.zip", max_size=64 << 20
)


def _wordnet(name: str, sha256: str, size: int) -> RemoteFile:
    return RemoteFile(WORDNET_ARCHIVE.url, sha256, size, archive=WORDNET_ARCHIVE, member=f"wordnet/{name}")


# the WordNet 3.0 files, with the sums of the mirror's SHA256SUMS and the files' sizes
_WORDNET_FILES = (
    ("LICENSE", "7731175a77952e259390b496fab905e57118b8d19ad3a8383c67eee724ff443f", 1625),
    ("README", "adad8d28ddea1db05b67ba1ac23506b025d29e0bcbf23bb35dde346089d8808d", 4129),
    ("adj.exc", "8824cc24bbedd797b9702316b27f07cd4c2b76b629539f0a1276f03926758016", 23019),
    ("adv.exc", "e7291461b629abfe63301bbe1998cee09fd575ed7107abd7ea9763adb05bf0a8", 85),
    ("citation.bib", "cd931cfe73536463c1decce60005a55d6b0c605fc7c5f89aaff7a38b5aedfa79", 212),
    ("cntlist.rev", "a198580b8f705fa02797bba8b13e5cbe4a9f9f40cb1697e774c7fc6a5865b035", 911244),
    ("data.adj", "f24b635368be441501c9b8001e9271fd3b30b203f00d91e332979e6f8fe35646", 3155426),
    ("data.adv", "e66dbbda0e0359e41b7f225bff71dd0c263dc7c66c1b61abc9ba334973d92979", 516696),
    ("data.noun", "489f145e0f68877c0be5bd0eb4117adaaac52f38f6204eb8d85dbe2158b614cc", 15300280),
    ("data.verb", "29cc96ed80c9f47d94fe75e332a9df80f4b1c737205f92d2f433d63c6da2ab51", 2772517),
    ("index.adj", "42f58dda2c7cff66eb8fa55ba62e0a873a9b3f43c878e8201108f5dab6dcff28", 824127),
    ("index.adv", "6f5465ed5758fe9c8a2f7ec17b1300f3aa875756c70ff7cba162f7e71bcf88ea", 162816),
    ("index.noun", "a490d99d93d017bf4822fe2f0ffa51fd73911ce271dc7535fade21f8814b5a04", 4786655),
    ("index.sense", "68b3a468cddfd8e92134b9b0624339a02a1b837159243c297c5f138a3d618392", 7294043),
    ("index.verb", "c7c79b558d787f1e31c6f8b3eeadb8fcbb26a64545ecc1241e21d9b61f95ee8e", 523980),
    ("lexnames", "4767e2a1c6e68c1a93aa6b7c4ef7ebe9a815b50d7d5aac2788696f2cf3633bf1", 803),
    ("noun.exc", "2b5d675c380b39ecf595af9fa9d4e7feb1d58c643b0bff08c40ed5bfe41fab7a", 38301),
    ("verb.exc", "dbbcf9a601b2d77e934e413b91d90e88ec7f933a8b77cfc00602a923b891b42c", 38033),
)

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
    # Princeton WordNet 3.0's dict/ files, for appendix B through NLTK (see WORDNET_ARCHIVE)
    "wordnet": {name: _wordnet(name, sha256, size) for name, sha256, size in _WORDNET_FILES},
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


class ArchiveError(OSError):
    """An archive origin could not be used; nothing was extracted from it and nothing of it was kept.

    Raised when the download is not a zip or tar archive or is corrupt, when it is larger than the stated bound,
    when a member's path is unsafe (absolute, with ``..``, a drive or a backslash), or when a file the registry
    expects is missing, appears twice, is a link or other non-regular entry, or has another size.
    """


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


class _TooLong(Exception):
    """A source sent, or announced, more than the most bytes a download may have."""

    def __init__(self, received: int, announced: bool) -> None:
        super().__init__(received, announced)
        self.received, self.announced = received, announced


def _stream(url: str, out: IO[bytes], limit: int, timeout: float, progress: bool, *, desc: str,
            total: int | None) -> tuple[int, str]:
    """Copy the body of ``url`` into ``out``, never reading more than ``limit + 1`` bytes.

    Returns the number of bytes copied and their SHA-256. Raises ``_SourceError`` when the source cannot be read
    and ``_TooLong`` when it announces (``Content-Length``) or sends more than ``limit`` bytes.
    """
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except _SOURCE_ERRORS as exc:
        raise _SourceError(_describe_error(exc)) from exc
    with response:
        length = response.headers.get("Content-Length") if response.headers else None
        announced = int(length) if length and length.strip().isdigit() else None
        if announced is not None and announced > limit:
            raise _TooLong(announced, announced=True)
        digest = hashlib.sha256()
        received = 0
        bar_options = {"unit_scale": True, "unit_divisor": 1024, "desc": desc}
        with progress_bar(total if total is not None else announced, progress, unit="B", **bar_options) as bar:
            while True:
                try:
                    # never ask for more than one byte past the limit: that byte is the proof
                    chunk = response.read(min(_CHUNK, limit - received + 1))
                except _SOURCE_ERRORS as exc:
                    raise _SourceError(_describe_error(exc)) from exc
                if not chunk:
                    break
                received += len(chunk)
                if received > limit:
                    raise _TooLong(received, announced=False)
                out.write(chunk)
                digest.update(chunk)
                bar.update(len(chunk))
    return received, digest.hexdigest()


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
            received, actual = _stream(url, out, remote.size, timeout, progress, desc=name, total=remote.size)
        except _TooLong as exc:
            raise SizeMismatchError(name, remote.size, exc.received, url, announced=exc.announced) from None
        if received < remote.size:
            raise SizeMismatchError(name, remote.size, received, url)
        if actual != remote.sha256:
            raise ChecksumError(name, remote.sha256, actual, url)


# --------------------------------------------------------------------------------------------------------
# Archive origins
# --------------------------------------------------------------------------------------------------------

# what a corrupt or truncated archive raises while it is listed or read (bz2 and gzip raise OSError subclasses;
# reads from an archive never write, so an OSError there is the archive's fault)
_ARCHIVE_READ_ERRORS = (
    zipfile.BadZipFile, zipfile.LargeZipFile, tarfile.TarError, zlib.error, lzma.LZMAError, EOFError, OSError,
    NotImplementedError, RuntimeError, ValueError,
)


@dataclass(frozen=True)
class _Entry:
    """One entry of an archive: its index, its path (a leading ``./`` dropped), what it is, its declared size."""

    index: int
    name: str
    kind: str  # "file", "folder", "symbolic link", "hard link" or "special file"
    size: int
    handle: Any  # the ZipInfo or TarInfo


def _zip_kind(info: zipfile.ZipInfo) -> str:
    mode = info.external_attr >> 16
    if info.is_dir():
        return "folder"
    if stat.S_ISLNK(mode):
        return "symbolic link"
    if mode and not stat.S_ISREG(mode) and stat.S_IFMT(mode):
        return "special file"
    return "file"


def _tar_kind(info: tarfile.TarInfo) -> str:
    if info.isreg():
        return "file"
    if info.isdir():
        return "folder"
    if info.issym():
        return "symbolic link"
    if info.islnk():
        return "hard link"
    return "special file"


def _entry_name(raw: str) -> str:
    name = raw
    while name.startswith("./"):
        name = name[2:]
    return name


@contextlib.contextmanager
def _open_archive(f: IO[bytes], url: str) -> Iterator[tuple[list[_Entry], Callable[[_Entry], IO[bytes]]]]:
    """List a downloaded zip or tar archive; yield its entries and a function that opens one for reading."""

    def refused(problem: str) -> ArchiveError:
        return ArchiveError(f"{url} cannot be read as an archive ({problem}); nothing was extracted from it")

    try:
        is_zip = zipfile.is_zipfile(f)
        f.seek(0)
        if is_zip:
            archive: Any = zipfile.ZipFile(f)
            entries = [_Entry(i, _entry_name(info.filename), _zip_kind(info), info.file_size, info)
                       for i, info in enumerate(archive.infolist())]
        else:
            archive = tarfile.open(fileobj=f, mode="r:*")
            entries = [_Entry(i, _entry_name(info.name), _tar_kind(info), info.size, info)
                       for i, info in enumerate(archive.getmembers())]
    except tarfile.ReadError as exc:
        raise refused(f"neither a zip nor a tar file: {exc}") from exc
    except _ARCHIVE_READ_ERRORS as exc:
        raise refused(_describe_error(exc)) from exc
    with archive:
        if is_zip:
            yield entries, lambda entry: archive.open(entry.handle)
        else:
            yield entries, lambda entry: archive.extractfile(entry.handle)


def _plan_extraction(entries: list[_Entry], wanted: dict[str, RemoteFile], url: str) -> list[tuple[str, _Entry]]:
    """Check the archive's entries before anything is written; return (file name, entry) in archive order."""
    unsafe = [e.name for e in entries if _unsafe_member(e.name)]
    if unsafe:
        shown = ", ".join(repr(n) for n in unsafe[:3]) + (f" and {len(unsafe) - 3} more" if len(unsafe) > 3 else "")
        raise ArchiveError(
            f"{url} has members whose paths point outside the folder they would be extracted to ({shown}); "
            "the archive was refused and nothing was extracted from it"
        )
    by_name: dict[str, list[_Entry]] = {}
    for entry in entries:
        by_name.setdefault(entry.name.rstrip("/"), []).append(entry)
    missing = [remote.member for remote in wanted.values() if remote.member not in by_name]
    if missing:
        raise ArchiveError(
            f"{url} lacks {len(missing)} of the files it should hold ({', '.join(str(m) for m in missing)}); "
            "nothing was extracted from it"
        )
    plan = []
    for name, remote in wanted.items():
        found = by_name[str(remote.member)]
        if len(found) > 1:
            raise ArchiveError(f"{url} holds {remote.member} {len(found)} times; nothing was extracted from it")
        entry = found[0]
        if entry.kind != "file":
            raise ArchiveError(
                f"{remote.member} in {url} is a {entry.kind}, not a regular file; nothing was extracted from it"
            )
        if entry.size != remote.size:
            raise ArchiveError(
                f"{remote.member} in {url} has {entry.size} bytes, but the file has {remote.size}; nothing was "
                "extracted from the archive (it is a different or damaged copy)"
            )
        plan.append((name, entry))
    return sorted(plan, key=lambda item: item[1].index)  # one forward pass through a compressed tar


def _copy_member(reader: IO[bytes], out: IO[bytes], name: str, remote: RemoteFile, where: str) -> None:
    """Copy one archive member into ``out``, reading at most its size + 1 bytes; check its size and SHA-256."""
    digest = hashlib.sha256()
    received = 0
    while True:
        try:
            chunk = reader.read(min(_CHUNK, remote.size - received + 1))
        except _ARCHIVE_READ_ERRORS as exc:
            raise ArchiveError(f"{where} cannot be read ({_describe_error(exc)}); nothing was extracted") from exc
        if not chunk:
            break
        received += len(chunk)
        if received > remote.size:
            raise SizeMismatchError(name, remote.size, received, where)
        out.write(chunk)
        digest.update(chunk)
    if received < remote.size:
        raise SizeMismatchError(name, remote.size, received, where)
    actual = digest.hexdigest()
    if actual != remote.sha256:
        raise ChecksumError(name, remote.sha256, actual, where)


def _fetch_archive(dataset: str, archive: RemoteArchive, folder: Path, timeout: float, progress: bool) -> None:
    """Download ``archive`` and place every file of ``dataset`` it holds that is not cached yet.

    The archive goes to an anonymous temporary file in ``folder`` (gone when closed, or when the process dies).
    Every member is checked before anything is written (:func:`_plan_extraction`); each wanted member is then
    copied into its own temporary file and checked against its size and SHA-256, and only when all of them
    passed are they renamed into place. Any failure removes every temporary file.

    Raises
    ------
    _SourceError
        The archive cannot be downloaded (the caller reports it with the other sources).
    ArchiveError, SizeMismatchError, ChecksumError
        The archive is refused (see :class:`ArchiveError`), or a member has the wrong size or sum.
    """
    wanted = {name: r for name, r in REGISTRY[dataset].items() if r.archive == archive}
    pending = {name: r for name, r in wanted.items() if not _check_cached(folder / name, r)[0]}
    if not pending:
        return
    url = archive.url
    label = urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1] or url
    with sigterm_as_interrupt(), tempfile.TemporaryFile(dir=folder, prefix=f".{label}.", suffix=".tmp") as f:
        try:
            _, actual = _stream(url, f, archive.max_size, timeout, progress, desc=label, total=None)
        except OSError as exc:  # reads are _SourceError: this is the temporary file (disk full, ...)
            message = f"cannot write a temporary copy of {url} in {folder}: {exc.strerror or exc}"
            raise (type(exc)(exc.errno, message) if exc.errno is not None else OSError(message)) from exc
        except _TooLong as exc:
            size = f"announces {exc.received} bytes" if exc.announced else "sent more bytes"
            raise ArchiveError(
                f"{url} {size}, more than the {archive.max_size} bytes allowed for this archive; the download was "
                "stopped and nothing of it was kept"
            ) from None
        if archive.sha256 is not None and actual != archive.sha256:
            raise ChecksumError(label, archive.sha256, actual, url)
        f.seek(0)
        with _open_archive(f, url) as (entries, open_member):
            plan = _plan_extraction(entries, pending, url)
            with contextlib.ExitStack() as placed:  # every rename happens here, after the last check
                for name, entry in plan:
                    remote = pending[name]
                    out = placed.enter_context(atomic_write(folder / name))
                    try:
                        reader = open_member(entry)
                    except _ARCHIVE_READ_ERRORS as exc:
                        raise ArchiveError(f"{remote.member} in {url} cannot be read ({_describe_error(exc)}); "
                                           "nothing was extracted") from exc
                    with reader:
                        _copy_member(reader, out, name, remote, f"{url} (member {remote.member})")
    for name in pending:
        _verified.add(_stat_key(folder / name))


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
        A key of ``REGISTRY``: ``"ptb"``, ``"analogy"``, ``"sequence"``, ``"book-weights"`` or ``"wordnet"``.
    filename : str
        A file of that dataset, e.g. ``"ptb.train.txt"``. For a file whose origin is an archive, fetching it from
        the origin extracts every file of the dataset that the archive holds and the cache lacks, so one
        download serves them all.
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
    ArchiveError
        If the origin is an archive that is refused: corrupt, too large, with unsafe member paths, or without
        the expected regular files (nothing is extracted).
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

    # a file published only inside an archive comes from a mirror as itself, else from the archive
    urls = [u for u in (mirror, None if remote.archive else remote.url) if u]
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
    if remote.archive is not None:
        try:
            _fetch_archive(dataset, remote.archive, folder, timeout, show)
        except _SourceError as exc:
            failures.append(f"{remote.archive.url} (the archive holding {remote.member}: {exc})")
        else:
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
