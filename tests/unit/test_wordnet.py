"""WordNet 3.0 through the downloader (appendix B): the registry, the archive origin, the NLTK layout and reader.

The archive origin is tested with zip and tar files built in a temporary folder and read through ``file://``
URLs, honest ones and hostile ones (``..`` and absolute member paths, links, oversized and corrupt members, wrong
sums); public URLs are replaced by closed local ports, and NLTK by a small stand-in where only the wiring is under
test. The last tests read the real WordNet from ``SCRATCHNLP_MIRROR`` with the real NLTK, when both are available
(skipped otherwise, or failed with ``SCRATCHNLP_REQUIRE_DATA=1``).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import socket
import stat
import subprocess
import sys
import tarfile
import types
import warnings
import zipfile
from pathlib import Path

import pytest

from scratchnlp.datasets import (
    ArchiveError,
    ChecksumError,
    DatasetUnavailableError,
    SizeMismatchError,
    fetch,
    load_wordnet,
    nltk_data_dir,
    wordnet_root,
)
from scratchnlp.datasets import downloader as dl
from scratchnlp.datasets import wordnet as wn_module

FILES = {"alpha.txt": b"alpha " * 300, "beta.txt": b"beta\n" * 50, "gamma.dat": bytes(range(256)) * 4}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def closed_port_url(path: str = "") -> str:
    """An http URL on a local port nobody listens on: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/{path}"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder, no mirror, fresh 'already verified' memories."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("SCRATCHNLP_DATA", str(folder))
    monkeypatch.delenv("SCRATCHNLP_MIRROR", raising=False)
    monkeypatch.setattr(dl, "_verified", set())
    monkeypatch.setattr(wn_module, "_placed", set())
    return folder


def register_archive(monkeypatch, url: str, *, prefix: str = "pack/", max_size: int = 1 << 20,
                     archive_sha: str | None = None, files: dict[str, bytes] = FILES) -> dl.RemoteArchive:
    """Register a dataset 'toy' whose files come from the archive at ``url``, as ``<prefix><name>``."""
    archive = dl.RemoteArchive(url, max_size=max_size, sha256=archive_sha)
    monkeypatch.setitem(dl.REGISTRY, "toy", {
        name: dl.RemoteFile(url, sha(data), len(data), archive=archive, member=prefix + name)
        for name, data in files.items()
    })
    return archive


def make_zip(path: Path, members: list[tuple[str, bytes]], *, links: dict[str, str] | None = None) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names, which one test wants
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in members:
                zf.writestr(name, data)
            for name, target in (links or {}).items():
                info = zipfile.ZipInfo(name)
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(info, target)
    return path


def make_tar(path: Path, members: list[tuple[str, bytes]], *, mode: str = "w:gz",
             special: list[tarfile.TarInfo] = ()) -> Path:
    with tarfile.open(path, mode) as tf:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for info in special:
            tf.addfile(info)
    return path


def honest(prefix: str = "pack/") -> list[tuple[str, bytes]]:
    return [(prefix + name, data) for name, data in FILES.items()] + [(prefix + "unrelated.txt", b"not wanted")]


def contents(folder: Path) -> list[str]:
    """Every path under ``folder``, temporary files included."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


# --- the registry -------------------------------------------------------------------------------------------


def test_wordnet_is_registered_file_by_file_with_its_archive():
    files = dl.REGISTRY["wordnet"]
    assert len(files) == 18
    assert {"LICENSE", "README", "citation.bib", "lexnames", "index.sense", "cntlist.rev"} <= set(files)
    for pos in ("noun", "verb", "adj", "adv"):
        assert {f"data.{pos}", f"index.{pos}", f"{pos}.exc"} <= set(files)
    assert wn_module.WORDNET_FILES == tuple(files)
    archive = dl.WORDNET_ARCHIVE
    assert archive.url == "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/wordnet.zip"
    assert archive.sha256 is None  # not known, so not invented: members are checked one by one instead
    assert archive.max_size == 64 << 20
    for name, remote in files.items():
        assert remote.archive == archive and remote.url == archive.url
        assert remote.member == f"wordnet/{name}"
        assert re.fullmatch(r"[0-9a-f]{64}", remote.sha256)
        assert 0 < remote.size < archive.max_size
    assert sum(r.size for r in files.values()) > 30_000_000  # the whole database, not a sample
    assert files["data.noun"].size == 15_300_280


def test_remote_file_and_archive_refuse_inconsistent_entries():
    archive = dl.RemoteArchive("https://example.org/a.zip", max_size=10)
    with pytest.raises(ValueError, match="archive and member go together"):
        dl.RemoteFile(archive.url, "0" * 64, 1, archive=archive)
    with pytest.raises(ValueError, match="archive and member go together"):
        dl.RemoteFile(archive.url, "0" * 64, 1, member="a/b")
    with pytest.raises(ValueError, match="url must be the archive's url"):
        dl.RemoteFile("https://example.org/b.zip", "0" * 64, 1, archive=archive, member="a/b")
    with pytest.raises(ValueError, match="member must be a relative path"):
        dl.RemoteFile(archive.url, "0" * 64, 1, archive=archive, member="../b")
    with pytest.raises(ValueError, match="max_size must be a positive number"):
        dl.RemoteArchive("https://example.org/a.zip", max_size=0)
    with pytest.raises(ValueError, match="sha256 must be 64 lower-case hex digits"):
        dl.RemoteArchive("https://example.org/a.zip", max_size=10, sha256="abc")


@pytest.mark.parametrize(("name", "unsafe"), [
    ("wordnet/data.noun", False), ("a", False), ("a/b/c.txt", False), ("a..b/c", False),
    ("../evil", True), ("a/../../evil", True), ("/etc/passwd", True), ("C:/evil", True), ("c:evil", True),
    ("a\\..\\evil", True), ("a\x00b", True), ("", True), ("..", True),
])
def test_unsafe_member_names(name, unsafe):
    assert dl._unsafe_member(name) is unsafe


# --- the archive origin: honest archives ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["zip", "tar.gz", "tar.bz2", "tar.xz", "tar"])
def test_one_fetch_extracts_every_file_of_the_archive(cache, tmp_path, monkeypatch, kind):
    path = tmp_path / f"pack.{kind}"
    if kind == "zip":
        make_zip(path, honest())
    else:
        make_tar(path, honest("./pack/"), mode="w:" + kind.partition(".")[2] if "." in kind else "w")
    register_archive(monkeypatch, path.as_uri())
    got = fetch("toy", "beta.txt")
    assert got == cache / "toy" / "beta.txt"
    # one download placed all the registered files, and nothing else: no archive, no temporary file
    assert contents(cache) == ["toy", *(f"toy/{n}" for n in sorted(FILES))]
    for name, data in FILES.items():
        assert (cache / "toy" / name).read_bytes() == data
    path.unlink()  # the archive is gone: the cache serves every file from now on
    monkeypatch.setattr(dl, "_verified", set())
    assert [p.name for p in dl.download("toy")] == list(FILES)


def test_the_mirror_comes_first_and_the_archive_is_the_fallback(cache, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    (mirror / "toy").mkdir(parents=True)
    (mirror / "toy" / "alpha.txt").write_bytes(FILES["alpha.txt"])
    monkeypatch.setenv("SCRATCHNLP_MIRROR", mirror.as_uri())
    register_archive(monkeypatch, closed_port_url("pack.zip"))  # would fail if it were tried
    assert fetch("toy", "alpha.txt").read_bytes() == FILES["alpha.txt"]
    assert contents(cache) == ["toy", "toy/alpha.txt"]

    path = make_zip(tmp_path / "pack.zip", honest())
    register_archive(monkeypatch, path.as_uri())
    assert fetch("toy", "gamma.dat").read_bytes() == FILES["gamma.dat"]  # not in the mirror: from the archive
    assert contents(cache) == ["toy", *(f"toy/{n}" for n in sorted(FILES))]


def test_cached_files_are_kept_and_only_missing_ones_extracted(cache, tmp_path, monkeypatch):
    path = make_zip(tmp_path / "pack.zip", honest())
    register_archive(monkeypatch, path.as_uri())
    fetch("toy", "alpha.txt")
    before = (cache / "toy" / "alpha.txt").stat()
    (cache / "toy" / "beta.txt").write_bytes(b"damaged")
    (cache / "toy" / "gamma.dat").unlink()
    monkeypatch.setattr(dl, "_verified", set())
    fetch("toy", "gamma.dat")
    assert (cache / "toy" / "alpha.txt").stat().st_ino == before.st_ino  # untouched
    assert (cache / "toy" / "beta.txt").read_bytes() == FILES["beta.txt"]  # the damaged copy was replaced
    assert (cache / "toy" / "gamma.dat").read_bytes() == FILES["gamma.dat"]


def test_a_known_archive_sum_is_checked(cache, tmp_path, monkeypatch):
    path = make_zip(tmp_path / "pack.zip", honest())
    register_archive(monkeypatch, path.as_uri(), archive_sha=sha(path.read_bytes()))
    fetch("toy", "alpha.txt")
    for name in FILES:
        (cache / "toy" / name).unlink()
    register_archive(monkeypatch, path.as_uri(), archive_sha="0" * 64)
    with pytest.raises(ChecksumError, match=r"checksum mismatch for pack\.zip"):
        fetch("toy", "alpha.txt")
    assert contents(cache) == ["toy"]


def test_an_unreachable_archive_is_one_clear_error(cache, tmp_path, monkeypatch):
    url = (tmp_path / "nowhere" / "pack.zip").as_uri()
    register_archive(monkeypatch, url)
    with pytest.raises(DatasetUnavailableError) as info:
        fetch("toy", "beta.txt")
    message = str(info.value)
    assert "cannot get toy/beta.txt" in message
    assert f"{url} (the archive holding pack/beta.txt" in message
    assert "set SCRATCHNLP_MIRROR to a folder or URL holding toy/beta.txt" in message
    assert contents(cache) == ["toy"]


# --- the archive origin: hostile and broken archives leave nothing behind ---------------------------------------


def hostile_cases(tmp_path: Path) -> dict[str, tuple[Path, type, str]]:
    """name -> (archive, the error it must raise, a pattern of its message)."""
    good = honest()
    link = tarfile.TarInfo("pack/beta.txt")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    hard = tarfile.TarInfo("pack/beta.txt")
    hard.type, hard.linkname = tarfile.LNKTYPE, "pack/alpha.txt"
    fifo = tarfile.TarInfo("pack/beta.txt")
    fifo.type = tarfile.FIFOTYPE
    without_beta = [m for m in good if m[0] != "pack/beta.txt"]
    outside = str(tmp_path / "outside.txt")
    bigger = [(n, d + b"!" if n == "pack/beta.txt" else d) for n, d in good]
    altered = [(n, d.upper() if n == "pack/beta.txt" else d) for n, d in good]
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(make_zip(tmp_path / "whole.zip", good).read_bytes()[:-200])
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"<html>not found</html>" * 20)
    bad_crc = tmp_path / "bad_crc.zip"
    with zipfile.ZipFile(bad_crc, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in good:
            zf.writestr(name, data)
    raw = bytearray(bad_crc.read_bytes())
    at = raw.find(FILES["gamma.dat"][:64])
    raw[at + 10] ^= 0xFF  # flip a byte of a stored member: the zip's own CRC check fails
    bad_crc.write_bytes(bytes(raw))
    return {
        "dot-dot member": (make_tar(tmp_path / "dotdot.tar.gz", [*good, ("pack/../../outside.txt", b"x")]),
                           ArchiveError, r"paths point outside.*'pack/\.\./\.\./outside\.txt'"),
        "absolute member": (make_zip(tmp_path / "absolute.zip", [*good, (outside, b"x")]),
                            ArchiveError, "paths point outside"),
        "absolute tar member": (make_tar(tmp_path / "absolute.tar", [*good, (outside, b"x")], mode="w"),
                                ArchiveError, "paths point outside"),
        "symlink in tar": (make_tar(tmp_path / "symlink.tar.gz", without_beta, special=[link]),
                           ArchiveError, r"pack/beta\.txt in .* is a symbolic link, not a regular file"),
        "symlink in zip": (make_zip(tmp_path / "symlink.zip", without_beta, links={"pack/beta.txt": "/etc/passwd"}),
                           ArchiveError, "is a symbolic link, not a regular file"),
        "hard link": (make_tar(tmp_path / "hard.tar.gz", without_beta, special=[hard]),
                      ArchiveError, "is a hard link, not a regular file"),
        "fifo": (make_tar(tmp_path / "fifo.tar", without_beta, mode="w", special=[fifo]),
                 ArchiveError, "is a special file, not a regular file"),
        "oversized member": (make_zip(tmp_path / "bigger.zip", bigger),
                             ArchiveError, rf"pack/beta\.txt in .* has {len(FILES['beta.txt']) + 1} bytes, but"),
        "wrong sum": (make_zip(tmp_path / "altered.zip", altered),
                      ChecksumError, r"checksum mismatch for beta\.txt .*\(member pack/beta\.txt\)"),
        "missing member": (make_zip(tmp_path / "missing.zip", without_beta),
                           ArchiveError, r"lacks 1 of the files it should hold \(pack/beta\.txt\)"),
        "duplicate member": (make_zip(tmp_path / "twice.zip", [*good, ("pack/beta.txt", FILES["beta.txt"])]),
                             ArchiveError, r"holds pack/beta\.txt 2 times"),
        "not an archive": (garbage, ArchiveError, "cannot be read as an archive"),
        "truncated archive": (truncated, ArchiveError, "cannot be read as an archive"),
        "corrupt member": (bad_crc, ArchiveError, r"cannot be read \(.*CRC"),
    }


CASES = ["dot-dot member", "absolute member", "absolute tar member", "symlink in tar", "symlink in zip", "hard link",
         "fifo", "oversized member", "wrong sum", "missing member", "duplicate member", "not an archive",
         "truncated archive", "corrupt member"]


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_or_broken_archive_is_refused_and_leaves_nothing(cache, tmp_path, monkeypatch, case):
    path, error, pattern = hostile_cases(tmp_path)[case]
    register_archive(monkeypatch, path.as_uri())
    (cache / "toy").mkdir(parents=True)
    (cache / "toy" / "keep.me").write_bytes(b"unrelated")
    with pytest.raises(error, match=pattern):
        fetch("toy", "alpha.txt")
    # not even the members that were fine: all or nothing; nothing outside the cache either
    assert contents(cache) == ["toy", "toy/keep.me"]
    assert not (tmp_path / "outside.txt").exists()


def test_an_archive_past_its_bound_is_cut_off(cache, tmp_path, monkeypatch):
    path = make_zip(tmp_path / "pack.zip", honest())
    register_archive(monkeypatch, path.as_uri(), max_size=path.stat().st_size - 1)
    with pytest.raises(ArchiveError, match=rf"more than the {path.stat().st_size - 1} bytes allowed"):
        fetch("toy", "alpha.txt")
    assert contents(cache) == ["toy"]


def test_a_member_that_sends_more_than_its_size_is_cut_off():
    data = b"abc" * 10
    remote = dl.RemoteFile("https://example.org/a.zip", sha(data), len(data),
                           archive=dl.RemoteArchive("https://example.org/a.zip", max_size=100), member="a")
    endless = io.BytesIO(data + b"more")
    with pytest.raises(SizeMismatchError, match="sent more than the 30 bytes of a"):
        dl._copy_member(endless, io.BytesIO(), "a", remote, "a.zip (member a)")
    with pytest.raises(SizeMismatchError, match="sent only 29 of the 30 bytes of a"):
        dl._copy_member(io.BytesIO(data[:-1]), io.BytesIO(), "a", remote, "a.zip (member a)")
    out = io.BytesIO()
    dl._copy_member(io.BytesIO(data), out, "a", remote, "a.zip (member a)")
    assert out.getvalue() == data


# --- the NLTK layout and reader, with a stand-in for the real files and for NLTK -------------------------------


@pytest.fixture
def fake_wordnet(cache, tmp_path, monkeypatch):
    """The registry's 18 WordNet names with small contents, served by a file:// mirror."""
    mirror = tmp_path / "mirror"
    (mirror / "wordnet").mkdir(parents=True)
    files = {name: f"{name} of a stand-in WordNet\n".encode() for name in wn_module.WORDNET_FILES}
    for name, data in files.items():
        (mirror / "wordnet" / name).write_bytes(data)
    archive = dl.RemoteArchive(closed_port_url("wordnet.zip"), max_size=1 << 20)
    monkeypatch.setitem(dl.REGISTRY, "wordnet", {
        name: dl.RemoteFile(archive.url, sha(data), len(data), archive=archive, member=f"wordnet/{name}")
        for name, data in files.items()
    })
    monkeypatch.setenv("SCRATCHNLP_MIRROR", mirror.as_uri())
    return files


def test_wordnet_root_lays_the_files_out_for_nltk(cache, fake_wordnet):
    root = wordnet_root()
    assert root == cache / "nltk_data" / "corpora" / "wordnet" == nltk_data_dir() / "corpora" / "wordnet"
    assert sorted(p.name for p in root.iterdir()) == sorted(fake_wordnet)
    for name, data in fake_wordnet.items():
        assert (root / name).read_bytes() == data
        assert (cache / "wordnet" / name).read_bytes() == data  # the downloader's cache, as for every dataset
        assert (root / name).stat().st_nlink == 1  # a copy: NLTK refuses files with several hard links
        assert not (root / name).is_symlink()


def test_wordnet_root_repairs_a_damaged_or_linked_copy(cache, fake_wordnet, monkeypatch):
    root = wordnet_root()
    kept = (root / "data.noun").stat().st_ino
    (root / "lexnames").write_bytes(b"damaged")
    (root / "index.sense").unlink()
    os.link(root / "README", root / "README.extra")
    monkeypatch.setattr(wn_module, "_placed", set())
    wordnet_root()
    assert (root / "data.noun").stat().st_ino == kept  # a good copy is kept
    assert (root / "lexnames").read_bytes() == fake_wordnet["lexnames"]
    assert (root / "index.sense").read_bytes() == fake_wordnet["index.sense"]
    assert (root / "README").stat().st_nlink == 1
    assert not [p.name for p in root.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_wordnet_root_refuses_a_folder_where_a_file_goes(cache, fake_wordnet):
    root = nltk_data_dir() / "corpora" / "wordnet"
    (root / "data.verb").mkdir(parents=True)
    with pytest.raises(DatasetUnavailableError, match=r"data\.verb is not a regular file"):
        wordnet_root()


def test_missing_wordnet_names_the_files_and_how_to_provide_them(cache, fake_wordnet, monkeypatch, tmp_path):
    monkeypatch.setenv("SCRATCHNLP_MIRROR", (tmp_path / "empty").as_uri())
    with pytest.raises(DatasetUnavailableError) as info:
        wordnet_root()
    message = str(info.value)
    assert "WordNet 3.0 is not available" in message
    assert all(name in message for name in fake_wordnet)
    assert "scratchnlp download wordnet" in message and "SCRATCHNLP_MIRROR" in message
    assert "cannot get wordnet/" in message  # the downloader's own error, with the URLs it tried
    assert not (cache / "nltk_data").exists()


def install_fake_nltk(monkeypatch) -> types.SimpleNamespace:
    """Put a minimal stand-in for NLTK into sys.modules; return a record of what the reader was given."""
    record = types.SimpleNamespace(calls=[])

    class WordNetCorpusReader:
        def __init__(self, root, omw_reader):
            # the real reader warns so when it gets no multilingual reader; tests turn warnings into errors
            warnings.warn("The multilingual functions are not available with this Wordnet version", stacklevel=2)
            record.calls.append((root, omw_reader))

    modules = {name: types.ModuleType(name) for name in
               ("nltk", "nltk.data", "nltk.corpus", "nltk.corpus.reader", "nltk.corpus.reader.wordnet")}
    modules["nltk.data"].path = ["/somewhere/else"]
    modules["nltk"].data = modules["nltk.data"]
    modules["nltk.corpus.reader.wordnet"].WordNetCorpusReader = WordNetCorpusReader
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
    record.path = modules["nltk.data"].path
    return record


def test_load_wordnet_builds_the_reader_on_the_layout_and_adds_the_folder_once(cache, fake_wordnet, monkeypatch):
    record = install_fake_nltk(monkeypatch)
    load_wordnet()
    load_wordnet()
    root = str(cache / "nltk_data" / "corpora" / "wordnet")
    assert record.calls == [(root, None), (root, None)]
    assert record.path == ["/somewhere/else", str(cache / "nltk_data")]  # appended once, nothing else changed


def test_load_wordnet_without_nltk_says_to_install_the_book_extra(cache, fake_wordnet, monkeypatch):
    monkeypatch.setitem(sys.modules, "nltk", None)  # what an interpreter without NLTK sees
    with pytest.raises(ModuleNotFoundError, match=r"needs NLTK.*install the book extra.*scratchnlp\[book\]"):
        load_wordnet()
    assert not (cache / "wordnet").exists()  # checked before any download


def test_importing_the_datasets_does_not_import_nltk():
    code = "import sys, scratchnlp.datasets, scratchnlp.datasets.wordnet; print('nltk' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# --- the real WordNet 3.0 with the real NLTK -------------------------------------------------------------------


@pytest.fixture(scope="module")
def wordnet(tmp_path_factory):
    """NLTK's reader over the real files from the mirror, in a fresh cache; a skip (or, with
    SCRATCHNLP_REQUIRE_DATA, a failure) when NLTK or the files are missing."""
    pytest.importorskip("nltk", reason="NLTK is not installed (the book extra)")
    import nltk

    if not os.environ.get("SCRATCHNLP_MIRROR"):  # a fresh cache would download the archive: never in tests
        message = "WordNet is read from SCRATCHNLP_MIRROR into a fresh cache, and SCRATCHNLP_MIRROR is not set"
        if os.environ.get("SCRATCHNLP_REQUIRE_DATA"):
            pytest.fail(f"WordNet is required here (SCRATCHNLP_REQUIRE_DATA is set): {message}")
        pytest.skip(message)

    mp = pytest.MonkeyPatch()
    mp.setenv("SCRATCHNLP_DATA", str(tmp_path_factory.mktemp("wordnet-cache")))
    mp.setattr(dl, "_verified", set())
    mp.setattr(wn_module, "_placed", set())
    mp.setattr(nltk.data, "path", list(nltk.data.path))
    try:
        yield load_wordnet(progress=False)
    except DatasetUnavailableError as exc:
        if os.environ.get("SCRATCHNLP_REQUIRE_DATA"):
            pytest.fail(f"WordNet is required here (SCRATCHNLP_REQUIRE_DATA is set) but unavailable: {exc}")
        pytest.skip(f"WordNet unavailable (set SCRATCHNLP_MIRROR or run `scratchnlp download wordnet`): {exc}")
    finally:
        mp.undo()


def test_the_books_path_similarities(wordnet):
    car = wordnet.synset("car.n.01")
    assert wordnet.get_version() == "3.0"
    assert car.path_similarity(wordnet.synset("novel.n.01")) == pytest.approx(0.0556, abs=5e-5)
    assert car.path_similarity(wordnet.synset("dog.n.01")) == pytest.approx(0.0769, abs=5e-5)
    assert car.path_similarity(wordnet.synset("motorcycle.n.01")) == pytest.approx(0.3333, abs=5e-5)
    assert [s.name() for s in wordnet.synsets("car")] == ["car.n.01", "car.n.02", "car.n.03", "car.n.04",
                                                          "cable_car.n.01"]
    assert car.lemma_names() == ["car", "auto", "automobile", "machine", "motorcar"]


def test_the_database_has_wordnet_30s_117659_synsets(wordnet):
    # one line per synset in the data files, after the licence header (lines starting with two spaces)
    root = Path(wordnet.root.path)
    count = 0
    for pos in ("noun", "verb", "adj", "adv"):
        with open(root / f"data.{pos}", "rb") as f:
            count += sum(1 for line in f if not line.startswith(b"  "))
    assert count == 117_659
    assert len(wordnet.synsets("dog", pos="n")) == 7
