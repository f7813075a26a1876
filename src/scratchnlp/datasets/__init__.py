"""Datasets of the book: downloaded and cached (PTB, analogy sets, the book's addition and date files, the
book's trained weights) or generated.

Files are downloaded on first use into a cache folder, verified by SHA-256 and then used offline; see
:mod:`scratchnlp.datasets.downloader`.
"""

from . import sequence, spiral
from .book_weights import BOOK_WEIGHTS, load_book_weights
from .downloader import ChecksumError, DatasetUnavailableError, SizeMismatchError, cache_dir, download, fetch
from .ptb import load_ptb

__all__ = [
    "load_ptb",
    "load_book_weights",
    "BOOK_WEIGHTS",
    "spiral",
    "sequence",
    "download",
    "fetch",
    "cache_dir",
    "DatasetUnavailableError",
    "ChecksumError",
    "SizeMismatchError",
]
