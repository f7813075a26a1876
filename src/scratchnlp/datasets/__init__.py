"""Datasets of the book: downloaded and cached (PTB, analogy sets) or generated from a seed.

Files are downloaded on first use into a cache folder, verified by SHA-256 and then used offline; see
:mod:`scratchnlp.datasets.downloader`.
"""

from . import spiral
from .downloader import ChecksumError, DatasetUnavailableError, SizeMismatchError, cache_dir, download, fetch
from .ptb import load_ptb

__all__ = [
    "load_ptb",
    "spiral",
    "download",
    "fetch",
    "cache_dir",
    "DatasetUnavailableError",
    "ChecksumError",
    "SizeMismatchError",
]
