"""The real Penn Treebank files, through $SCRATCHNLP_MIRROR (or an existing cache), and `scratchnlp download`."""

from __future__ import annotations

import hashlib
import importlib
import os
import urllib.request

import numpy as np
import pytest

from scratchnlp import cli
from scratchnlp.datasets import cache_dir, load_ptb
from scratchnlp.datasets import downloader as dl

ptb = importlib.import_module("scratchnlp.datasets.ptb")

pytestmark = pytest.mark.slow

MIRROR = os.environ.get("SCRATCHNLP_MIRROR", "").strip()
FILES = ("ptb.train.txt", "ptb.valid.txt", "ptb.test.txt")
CACHED = all((cache_dir("ptb") / name).is_file() for name in FILES)
needs_ptb = pytest.mark.skipif(
    not MIRROR and not CACHED,
    reason="needs the PTB files: set SCRATCHNLP_MIRROR to a mirror holding ptb/ptb.*.txt "
    "(or download them once with `scratchnlp download ptb`)",
)
needs_mirror = pytest.mark.skipif(not MIRROR, reason="needs SCRATCHNLP_MIRROR to test downloading from it")


@pytest.fixture(scope="module")
def ptb_data(tmp_path_factory):
    """All three splits, loaded once. With a mirror, into a fresh cache folder so the download is tested too."""
    env = pytest.MonkeyPatch()
    if MIRROR:
        env.setenv("SCRATCHNLP_DATA", str(tmp_path_factory.mktemp("ptb-cache")))
    # start from an empty in-memory cache so this module sees a full load
    env.setattr(ptb, "_vocab", None)
    env.setattr(ptb, "_corpora", {})
    try:
        yield {split: load_ptb(split) for split in ("train", "valid", "test")}
    finally:
        env.undo()


@needs_ptb
def test_token_counts_and_vocabulary_size(ptb_data):
    counts = {split: len(corpus) for split, (corpus, _, _) in ptb_data.items()}
    assert counts == {"train": 929_589, "valid": 73_760, "test": 82_430}
    corpus, word_to_id, id_to_word = ptb_data["train"]
    assert len(word_to_id) == len(id_to_word) == 10_000
    assert corpus.dtype == np.int32


@needs_ptb
def test_book_conventions(ptb_data):
    corpus, word_to_id, id_to_word = ptb_data["train"]
    # ids in order of first appearance in train: the first sentence starts "aer banknote berlitz"
    assert [id_to_word[i] for i in range(3)] == ["aer", "banknote", "berlitz"]
    np.testing.assert_array_equal(corpus[:3], [0, 1, 2])
    assert "<eos>" in word_to_id and "<unk>" in word_to_id and "N" in word_to_id
    assert id_to_word[int(corpus[-1])] == "<eos>"
    assert all(word_to_id[w] == i for i, w in id_to_word.items())


@needs_ptb
def test_valid_and_test_share_the_training_vocabulary(ptb_data):
    _, w2i, i2w = ptb_data["train"]
    for split in ("valid", "test"):
        corpus, word_to_id, id_to_word = ptb_data[split]
        assert word_to_id is w2i and id_to_word is i2w
        assert corpus.min() >= 0 and corpus.max() < len(w2i)
        assert id_to_word[int(corpus[-1])] == "<eos>"


@needs_ptb
def test_repeated_loads_return_the_same_vocabulary_and_fresh_arrays(ptb_data):
    corpus, word_to_id, id_to_word = ptb_data["test"]
    again, w2i, i2w = load_ptb("test")
    assert w2i is word_to_id and i2w is id_to_word
    np.testing.assert_array_equal(again, corpus)
    again[:] = 0  # a caller's edits do not reach the cache
    assert load_ptb("test")[0][0] == corpus[0]
    np.testing.assert_array_equal(load_ptb("val")[0], ptb_data["valid"][0])


def test_bad_split_name():
    with pytest.raises(ValueError, match=r"split must be one of \('train', 'valid', 'test'\).*got 'dev'"):
        load_ptb("dev")


@needs_mirror
def test_registry_sums_match_the_mirror():
    """The sums in the registry are the ones published next to the files in the mirror."""
    for dataset, files in dl.REGISTRY.items():
        url = dl._mirror_url(dataset, "SHA256SUMS")
        with urllib.request.urlopen(url, timeout=30) as response:
            lines = response.read().decode().split("\n")
        published = {name: digest for digest, name in (line.split() for line in lines if line.strip())}
        assert {name: f.sha256 for name, f in files.items()} == published


@needs_mirror
def test_registry_sizes_match_the_mirror():
    """Each registered size is the size of the file the mirror serves (downloads are capped at it)."""
    for dataset, files in dl.REGISTRY.items():
        for name, remote in files.items():
            with urllib.request.urlopen(dl._mirror_url(dataset, name), timeout=30) as response:
                assert len(response.read()) == remote.size, f"{dataset}/{name}"


@needs_mirror
def test_cli_download_ptb_into_a_fresh_cache(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SCRATCHNLP_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(dl, "_verified", set())
    assert cli.main(["download", "ptb"]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(tmp_path / "data" / "ptb" / name) for name in FILES]
    for name in FILES:
        path = tmp_path / "data" / "ptb" / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == dl.REGISTRY["ptb"][name].sha256
    assert sorted(p.name for p in (tmp_path / "data" / "ptb").iterdir()) == sorted(FILES)
    mask = os.umask(0)
    os.umask(mask)
    for name in FILES:  # normal permissions, not mkstemp's owner-only 0o600
        assert (tmp_path / "data" / "ptb" / name).stat().st_mode & 0o777 == 0o666 & ~mask
