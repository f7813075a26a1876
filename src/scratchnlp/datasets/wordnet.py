"""Princeton WordNet 3.0 for NLTK, through the project's downloader (appendix B, "A taste of WordNet").

The book's appendix B installs NLTK and calls ``nltk.download("wordnet")``. This module gets the same WordNet 3.0
database files through :func:`scratchnlp.datasets.fetch` instead (dataset ``"wordnet"``: verified by SHA-256,
cached, taken from ``$SCRATCHNLP_MIRROR`` when it is set, so offline builds work), lays them out the way NLTK
expects its data, ``<cache>/nltk_data/corpora/wordnet/<file>``, and opens them with NLTK's own reader.
NLTK's downloader is never called, and nothing is read from the caller's ``NLTK_DATA``.

NLTK is an optional dependency (the ``book`` extra): importing this module does not import it; only
:func:`~scratchnlp.datasets.load_wordnet` needs it.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path
from typing import Any

from .._io import atomic_write, sha256_file
from .downloader import DEFAULT_TIMEOUT, REGISTRY, DatasetUnavailableError, cache_dir, fetch

__all__ = ["WORDNET_FILES", "wordnet_root", "nltk_data_dir", "load_wordnet"]

#: The files of WordNet 3.0's ``dict/`` folder (with its LICENSE, README and citation) that NLTK's reader uses.
WORDNET_FILES: tuple[str, ...] = tuple(REGISTRY["wordnet"])

# copies in the NLTK layout whose content was checked in this process, keyed by (path, size, mtime)
_placed: set[tuple[str, int, int]] = set()


def nltk_data_dir() -> Path:
    """The NLTK data folder this module fills: ``<cache>/nltk_data`` (see :func:`~scratchnlp.datasets.cache_dir`).

    It is the folder to put on ``nltk.data.path`` (or in ``NLTK_DATA``) for ``from nltk.corpus import wordnet``
    to find the same files; :func:`load_wordnet` needs neither.
    """
    return cache_dir() / "nltk_data"


def _stat_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path), st.st_size, st.st_mtime_ns)


def _place(source: Path, target: Path, sha256: str) -> None:
    """Make ``target`` a verified copy of ``source``, written atomically.

    A copy, not a link: NLTK (3.9 and later) refuses to read a file with several hard links, and resolves
    symbolic links, which would lead outside its data folder. An existing ``target`` that is a regular file with
    one link and the right SHA-256 is kept.
    """
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise DatasetUnavailableError(
            f"{target} is not a regular file, where WordNet's file {target.name} should go; remove it, or set "
            "SCRATCHNLP_DATA to another cache folder"
        )
    if target.is_file():
        key = _stat_key(target)
        if key in _placed:
            return
        if target.stat().st_nlink == 1 and sha256_file(target) == sha256:
            _placed.add(key)
            return
    with atomic_write(target) as out, open(source, "rb") as src:
        shutil.copyfileobj(src, out, 1 << 20)
    _placed.add(_stat_key(target))


def wordnet_root(progress: bool | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Fetch WordNet 3.0 and lay it out for NLTK; return the folder that holds its files (appendix B).

    Every file of the ``"wordnet"`` dataset is fetched and verified (:func:`scratchnlp.datasets.fetch`: the cache,
    else ``$SCRATCHNLP_MIRROR/wordnet/<file>``, else the public archive), then placed in
    ``<cache>/nltk_data/corpora/wordnet/`` as a copy (NLTK refuses linked files), which is where NLTK looks for
    its ``wordnet`` corpus under a data folder. The copies are checked by SHA-256 once per process, like the
    cached files.

    Parameters
    ----------
    progress : bool, optional
        Show download progress bars (by default only when stderr is a terminal).
    timeout : float, default 30
        Seconds to wait on each network operation.

    Returns
    -------
    pathlib.Path
        ``<cache>/nltk_data/corpora/wordnet``, holding the files of ``WORDNET_FILES``.

    Raises
    ------
    scratchnlp.datasets.DatasetUnavailableError
        If the files are not cached and no source can provide them; the message lists the files and says how to
        provide them.
    scratchnlp.datasets.ChecksumError, scratchnlp.datasets.SizeMismatchError, scratchnlp.datasets.ArchiveError
        If a source sends something else than WordNet 3.0's files (nothing of it is kept).
    OSError
        If the cache folder cannot be written.
    """
    try:
        cached = {name: fetch("wordnet", name, progress, timeout=timeout) for name in WORDNET_FILES}
    except DatasetUnavailableError as exc:
        raise DatasetUnavailableError(
            f"WordNet 3.0 is not available: it takes the {len(WORDNET_FILES)} files {', '.join(WORDNET_FILES)} of "
            f"the dataset 'wordnet' (run `scratchnlp download wordnet` where the internet is reachable, or point "
            f"SCRATCHNLP_MIRROR at a folder holding wordnet/<file>). {exc}"
        ) from exc
    root = nltk_data_dir() / "corpora" / "wordnet"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(exc.errno, f"cannot create {root}: {exc.strerror or exc}; set SCRATCHNLP_DATA to a "
                      "writable folder") from exc
    for name, path in cached.items():
        _place(path, root / name, REGISTRY["wordnet"][name].sha256)
    return root


def load_wordnet(progress: bool | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> Any:
    """NLTK's WordNet 3.0 reader over the project's verified copy of the files (appendix B).

    The same object as the book's ``from nltk.corpus import wordnet``: ``synsets("car")``,
    ``synset("car.n.01").hypernym_paths()``, ``path_similarity``, ... It is built directly on the folder of
    :func:`wordnet_root`, so neither ``NLTK_DATA`` nor NLTK's downloader is involved. NLTK 3.9 and later only
    read data under a folder of ``nltk.data.path``; :func:`nltk_data_dir` is appended to it once (calling this
    again does not add it twice). The multilingual functions of NLTK's WordNet (Open Multilingual Wordnet) are
    not available, since that is another data package.

    Parameters
    ----------
    progress : bool, optional
        Show download progress bars (by default only when stderr is a terminal).
    timeout : float, default 30
        Seconds to wait on each network operation.

    Returns
    -------
    nltk.corpus.reader.wordnet.WordNetCorpusReader

    Raises
    ------
    ModuleNotFoundError
        If NLTK is not installed: install the ``book`` extra (``pip install "scratchnlp[book]"``) or ``nltk``.
    scratchnlp.datasets.DatasetUnavailableError
        If WordNet's files cannot be had (see :func:`wordnet_root`).
    """
    try:
        import nltk  # noqa: PLC0415 - an optional dependency, imported only when asked for
        from nltk.corpus.reader.wordnet import WordNetCorpusReader  # noqa: PLC0415
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(
            "load_wordnet needs NLTK, which is not installed: install the book extra "
            '(pip install "scratchnlp[book]") or NLTK itself (pip install nltk)',
            name="nltk",
        ) from exc
    root = wordnet_root(progress, timeout=timeout)
    data_dir = str(nltk_data_dir())
    if data_dir not in nltk.data.path:
        nltk.data.path.append(data_dir)
    with warnings.catch_warnings():
        # passing no Open Multilingual Wordnet reader is deliberate (see the docstring)
        warnings.filterwarnings("ignore", message="The multilingual functions are not available", category=UserWarning)
        return WordNetCorpusReader(str(root), None)
