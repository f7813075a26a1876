"""Datasets of the book: downloaded and cached (PTB, analogy sets, the book's addition and date files, the
book's trained weights, WordNet 3.0 for appendix B) or generated.

Files are downloaded on first use into a cache folder, verified by SHA-256 and then used offline; see
:mod:`scratchnlp.datasets.downloader`. WordNet is opened with NLTK's reader (:func:`load_wordnet`); NLTK is an
optional dependency (the ``book`` extra), imported only by that function.
"""

from . import sequence, spiral
from .book_weights import BOOK_WEIGHTS, load_book_weights
from .downloader import (
    ArchiveError,
    ChecksumError,
    DatasetUnavailableError,
    SizeMismatchError,
    cache_dir,
    download,
    fetch,
)
from .ptb import load_ptb
from .wordnet import load_wordnet, nltk_data_dir, wordnet_root

__all__ = [
    "load_ptb",
    "load_book_weights",
    "load_wordnet",
    "wordnet_root",
    "nltk_data_dir",
    "BOOK_WEIGHTS",
    "spiral",
    "sequence",
    "download",
    "fetch",
    "cache_dir",
    "DatasetUnavailableError",
    "ChecksumError",
    "SizeMismatchError",
    "ArchiveError",
]
