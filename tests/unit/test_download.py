"""Tests of the downloader. They never touch the internet: a local file:// mirror, an http.server on
127.0.0.1, and public URLs replaced by closed local ports."""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import http.server
import logging
import os
import pickle
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from scratchnlp import _io
from scratchnlp.datasets import ChecksumError, DatasetUnavailableError, SizeMismatchError, cache_dir, fetch

# the package re-exports the function download(), which hides the submodule of the same name
from scratchnlp.datasets import downloader as dl

CONTENT = b"the quick brown fox\n" * 1000
SHA = hashlib.sha256(CONTENT).hexdigest()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the stdlib's signature)
        pass


@contextlib.contextmanager
def serve(root: Path):
    """Serve ``root`` over HTTP on 127.0.0.1 in a background thread; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url() -> str:
    """An http URL on a local port nobody listens on: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder, no mirror, and a fresh 'already verified' memory."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("SCRATCHNLP_DATA", str(folder))
    monkeypatch.delenv("SCRATCHNLP_MIRROR", raising=False)
    monkeypatch.setattr(dl, "_verified", set())
    return folder


def register(monkeypatch, url: str, sha: str = SHA, name: str = "a.txt", size: int = len(CONTENT)) -> None:
    monkeypatch.setitem(dl.REGISTRY, "toy", {name: dl.RemoteFile(url, sha, size)})


def make_mirror(root: Path, content: bytes = CONTENT, name: str = "a.txt") -> Path:
    (root / "toy").mkdir(parents=True, exist_ok=True)
    (root / "toy" / name).write_bytes(content)
    return root


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


# ---------------------------------------------------------------------------------------------------------


def test_registry_is_complete_and_well_formed():
    assert set(dl.REGISTRY) == {"ptb", "analogy", "sequence", "book-weights", "wordnet"}
    assert set(dl.REGISTRY["ptb"]) == {"ptb.train.txt", "ptb.valid.txt", "ptb.test.txt"}
    assert set(dl.REGISTRY["analogy"]) == {"questions-words.txt", "wordsim353.tsv", "simlex999.txt"}
    assert set(dl.REGISTRY["sequence"]) == {"addition.txt", "date.txt"}
    assert set(dl.REGISTRY["book-weights"]) == {"Rnnlm.pkl", "AttentionSeq2seq.pkl"}
    for dataset in ("sequence", "book-weights"):  # the book's repositories, pinned to the mirrored commit
        for remote in dl.REGISTRY[dataset].values():
            assert re.search(r"/deep-learning-from-scratch-2/[0-9a-f]{40}/", remote.url), remote.url
    for files in dl.REGISTRY.values():
        for name, remote in files.items():
            assert remote.url.startswith("https://raw.githubusercontent.com/")
            # a file published only inside an archive (WordNet) is named by its path in the archive
            assert (remote.url if remote.archive is None else remote.member).endswith("/" + name)
            assert re.fullmatch(r"[0-9a-f]{64}", remote.sha256)
            assert isinstance(remote.size, int) and remote.size > 0


def _local_mirror():
    mirror = os.environ.get("SCRATCHNLP_MIRROR", "")
    if mirror.startswith("file://"):
        folder = Path(urllib.request.url2pathname(urllib.parse.urlsplit(mirror).path))
    else:
        folder = Path(mirror) if mirror and "://" not in mirror else None
    if folder is None or not folder.is_dir():
        pytest.skip("needs SCRATCHNLP_MIRROR pointing at a local mirror folder")
    return folder


def test_registry_agrees_with_the_mirrors_sha256sums():
    mirror = _local_mirror()
    for dataset, files in dl.REGISTRY.items():
        sums_file = mirror / dataset / "SHA256SUMS"
        if not sums_file.is_file():
            continue
        sums = dict(reversed(line.split()) for line in sums_file.read_text().splitlines() if line.strip())
        assert set(sums) == set(files), dataset
        for name, remote in files.items():
            assert remote.sha256 == sums[name], f"{dataset}/{name}"
            assert remote.size == (mirror / dataset / name).stat().st_size, f"{dataset}/{name}"


def test_served_file_is_cached_then_reused_offline(cache, tmp_path, monkeypatch):
    root = make_mirror(tmp_path / "www")
    with serve(root) as base:
        register(monkeypatch, f"{base}/toy/a.txt")
        path = fetch("toy", "a.txt")
    assert path == cache / "toy" / "a.txt"
    assert path.read_bytes() == CONTENT
    assert leftovers(cache) == ["a.txt", "toy"]  # no temporary file left behind

    # the server is gone and the public URL is unreachable: the cached copy is used
    register(monkeypatch, closed_port_url())
    monkeypatch.setattr(dl, "_verified", set())  # a new process would check the sum again
    assert fetch("toy", "a.txt") == path


def test_wrong_checksum_leaves_nothing_and_says_why(cache, tmp_path, monkeypatch):
    corrupt = CONTENT.replace(b"fox", b"cat")  # same size, different bytes
    root = make_mirror(tmp_path / "www", content=corrupt)
    with serve(root) as base:
        url = f"{base}/toy/a.txt"
        register(monkeypatch, url)
        with pytest.raises(ChecksumError) as info:
            fetch("toy", "a.txt")
    err = info.value
    message = str(err)
    actual = hashlib.sha256(corrupt).hexdigest()
    assert "a.txt" in message and SHA in message and actual in message and url in message
    assert (err.expected, err.actual, err.url) == (SHA, actual, url)
    assert str(pickle.loads(pickle.dumps(err))) == message
    assert not (cache / "toy" / "a.txt").exists()
    assert leftovers(cache / "toy") == []


def test_file_mirror_is_tried_first(cache, tmp_path, monkeypatch):
    mirror = make_mirror(tmp_path / "mirror")
    register(monkeypatch, closed_port_url())
    monkeypatch.setenv("SCRATCHNLP_MIRROR", mirror.as_uri())
    assert fetch("toy", "a.txt").read_bytes() == CONTENT


def test_http_mirror_and_bare_folder_mirror(cache, tmp_path, monkeypatch):
    mirror = make_mirror(tmp_path / "mirror")
    register(monkeypatch, closed_port_url())
    with serve(mirror) as base:
        monkeypatch.setenv("SCRATCHNLP_MIRROR", base + "/")
        assert fetch("toy", "a.txt").read_bytes() == CONTENT

    (cache / "toy" / "a.txt").unlink()
    monkeypatch.setenv("SCRATCHNLP_MIRROR", str(mirror))
    assert fetch("toy", "a.txt").read_bytes() == CONTENT


def test_mirror_without_the_file_falls_back_to_the_origin(cache, tmp_path, monkeypatch):
    empty_mirror = tmp_path / "empty"
    empty_mirror.mkdir()
    monkeypatch.setenv("SCRATCHNLP_MIRROR", empty_mirror.as_uri())
    with serve(make_mirror(tmp_path / "www")) as base:
        register(monkeypatch, f"{base}/toy/a.txt")
        assert fetch("toy", "a.txt").read_bytes() == CONTENT


def test_offline_with_nothing_cached_is_one_clear_error(cache, tmp_path, monkeypatch):
    public = closed_port_url()
    register(monkeypatch, public)
    missing_mirror = (tmp_path / "nowhere").as_uri()
    monkeypatch.setenv("SCRATCHNLP_MIRROR", missing_mirror)
    with pytest.raises(DatasetUnavailableError) as info:
        fetch("toy", "a.txt")
    message = str(info.value)
    assert "toy/a.txt" in message
    assert f"{missing_mirror}/toy/a.txt (" in message
    assert f"{public} (" in message
    assert "SCRATCHNLP_MIRROR" in message
    assert str(cache / "toy" / "a.txt") in message
    assert "\n" not in message
    assert leftovers(cache / "toy") == []


def test_http_404_is_reported(cache, tmp_path, monkeypatch):
    with serve(tmp_path) as base:
        register(monkeypatch, f"{base}/toy/a.txt")
        with pytest.raises(DatasetUnavailableError, match="HTTP 404"):
            fetch("toy", "a.txt")


def test_a_silent_server_times_out(cache, monkeypatch):
    # a listening socket that never accepts: the connection opens, no reply ever comes
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        register(monkeypatch, f"http://127.0.0.1:{silent.getsockname()[1]}/a.txt")
        with pytest.raises(DatasetUnavailableError, match="timed out"):
            fetch("toy", "a.txt", timeout=0.3)


def test_corrupt_cached_file_is_downloaded_again(cache, tmp_path, monkeypatch, caplog):
    target = cache / "toy" / "a.txt"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"corrupt")
    monkeypatch.setenv("SCRATCHNLP_MIRROR", make_mirror(tmp_path / "mirror").as_uri())
    register(monkeypatch, closed_port_url())
    with caplog.at_level(logging.WARNING, logger="scratchnlp.datasets.downloader"):
        path = fetch("toy", "a.txt")  # no Python warning (pytest turns warnings into errors)
    assert path.read_bytes() == CONTENT
    assert "had SHA-256" in caplog.text and "downloading it again" in caplog.text


def test_corrupt_cached_file_offline_says_it_was_deleted(cache, tmp_path, monkeypatch):
    target = cache / "toy" / "a.txt"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"corrupt")
    register(monkeypatch, closed_port_url())
    with pytest.raises(DatasetUnavailableError, match=r"the cached copy .*a\.txt had SHA-256 .* was deleted"):
        fetch("toy", "a.txt")


def test_unknown_dataset_and_file(cache):
    with pytest.raises(ValueError, match=r"unknown dataset 'nope'; expected one of \['analogy', 'book-weights', 'ptb'"):
        fetch("nope", "a.txt")
    with pytest.raises(ValueError, match=r"unknown file 'ptb.txt' in dataset 'ptb'; expected one of"):
        fetch("ptb", "ptb.txt")
    with pytest.raises(ValueError, match="unknown dataset"):
        dl.download("nope")


def test_bad_mirror_scheme(cache, monkeypatch):
    register(monkeypatch, closed_port_url())
    monkeypatch.setenv("SCRATCHNLP_MIRROR", "ftp://example.org/data")
    with pytest.raises(ValueError, match="SCRATCHNLP_MIRROR must be .*'ftp://example.org/data'.*unsupported scheme"):
        fetch("toy", "a.txt")


@pytest.mark.parametrize(
    ("mirror", "problem"),
    [("http://[::1", "not a valid URL"), ("https://", "names no host"), ("http://host:99999/", "not a valid URL")],
)
def test_malformed_mirror_names_the_variable_and_value(cache, monkeypatch, mirror, problem):
    register(monkeypatch, closed_port_url())
    monkeypatch.setenv("SCRATCHNLP_MIRROR", mirror)
    with pytest.raises(ValueError) as info:
        fetch("toy", "a.txt")
    message = str(info.value)
    assert message.startswith("SCRATCHNLP_MIRROR must be")
    assert repr(mirror) in message and problem in message
    assert leftovers(cache) == []


def test_download_fetches_every_file(cache, tmp_path, monkeypatch):
    mirror = make_mirror(tmp_path / "mirror")
    make_mirror(mirror, content=b"second", name="b.txt")
    monkeypatch.setitem(
        dl.REGISTRY,
        "toy",
        {
            "a.txt": dl.RemoteFile(closed_port_url(), SHA, len(CONTENT)),
            "b.txt": dl.RemoteFile(closed_port_url(), hashlib.sha256(b"second").hexdigest(), 6),
        },
    )
    monkeypatch.setenv("SCRATCHNLP_MIRROR", mirror.as_uri())
    paths = dl.download("toy")
    assert [p.name for p in paths] == ["a.txt", "b.txt"]
    assert paths[1].read_bytes() == b"second"


def test_progress_bar_only_when_asked(cache, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SCRATCHNLP_MIRROR", make_mirror(tmp_path / "mirror").as_uri())
    register(monkeypatch, closed_port_url())
    fetch("toy", "a.txt")  # stderr is captured, not a terminal: quiet
    assert capsys.readouterr().err == ""
    (cache / "toy" / "a.txt").unlink()
    fetch("toy", "a.txt", progress=True)
    assert "a.txt" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------------------
# hostile or broken sources, interrupted downloads, unwritable caches
# ---------------------------------------------------------------------------------------------------------


class _EndlessHandler(http.server.BaseHTTPRequestHandler):
    """Sends an endless body without a Content-Length (a wrong or hostile mirror)."""

    def do_GET(self):  # noqa: N802 (the stdlib's name)
        self.send_response(200)
        self.end_headers()
        block = b"x" * 65536
        try:
            while True:
                self.wfile.write(block)
        except OSError:  # the client hung up: what we want
            pass

    def log_message(self, format, *args):  # noqa: A002
        pass


@contextlib.contextmanager
def serve_handler(handler):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_endless_body_is_cut_off_at_the_expected_size(cache, monkeypatch):
    with serve_handler(_EndlessHandler) as base:
        url = f"{base}/toy/a.txt"
        register(monkeypatch, url)
        with pytest.raises(SizeMismatchError) as info:
            fetch("toy", "a.txt")
    message = str(info.value)
    assert url in message and f"more than the {len(CONTENT)} bytes of a.txt" in message
    assert info.value.received == len(CONTENT) + 1  # stopped one byte past the size
    assert str(pickle.loads(pickle.dumps(info.value))) == message
    assert leftovers(cache / "toy") == []


def test_announced_oversized_body_is_refused_before_reading(cache, tmp_path, monkeypatch):
    root = make_mirror(tmp_path / "www", content=CONTENT * 100)
    with serve(root) as base:
        url = f"{base}/toy/a.txt"
        register(monkeypatch, url)
        with pytest.raises(SizeMismatchError, match=rf"{re.escape(url)} announces {len(CONTENT) * 100} bytes"):
            fetch("toy", "a.txt")
    assert leftovers(cache / "toy") == []


def test_short_body_is_refused(cache, tmp_path, monkeypatch):
    mirror = make_mirror(tmp_path / "mirror", content=b"truncated")
    register(monkeypatch, closed_port_url())
    monkeypatch.setenv("SCRATCHNLP_MIRROR", mirror.as_uri())
    with pytest.raises(SizeMismatchError, match=rf"sent only 9 of the {len(CONTENT)} bytes of a\.txt"):
        fetch("toy", "a.txt")
    assert leftovers(cache / "toy") == []


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_cached_file_has_normal_permissions(cache, tmp_path, monkeypatch, mask, mode):
    monkeypatch.setenv("SCRATCHNLP_MIRROR", make_mirror(tmp_path / "mirror").as_uri())
    register(monkeypatch, closed_port_url())
    old = os.umask(mask)
    try:
        path = fetch("toy", "a.txt")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == mode


def test_failed_rename_leaves_no_file(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("SCRATCHNLP_MIRROR", make_mirror(tmp_path / "mirror").as_uri())
    register(monkeypatch, closed_port_url())

    def denied(src, dst):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(_io.os, "replace", denied)
    with pytest.raises(PermissionError, match=r"cannot write .*toy/a\.txt: Permission denied"):
        fetch("toy", "a.txt")
    monkeypatch.undo()
    assert leftovers(cache / "toy") == []


def test_disk_full_names_the_cached_file(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("SCRATCHNLP_MIRROR", make_mirror(tmp_path / "mirror").as_uri())
    register(monkeypatch, closed_port_url())

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_io.os, "fsync", full)
    with pytest.raises(OSError, match=r"cannot write .*toy/a\.txt: No space left on device") as info:
        fetch("toy", "a.txt")
    assert info.value.errno == errno.ENOSPC
    assert not isinstance(info.value, DatasetUnavailableError)  # not blamed on the source
    monkeypatch.undo()
    assert leftovers(cache / "toy") == []


def test_cache_folder_that_is_a_file(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("oops")
    monkeypatch.setenv("SCRATCHNLP_DATA", str(not_a_folder))
    monkeypatch.delenv("SCRATCHNLP_MIRROR", raising=False)
    monkeypatch.setattr(dl, "_verified", set())
    register(monkeypatch, closed_port_url())
    with pytest.raises(NotADirectoryError, match=r"cache folder .*data.*is a file.*SCRATCHNLP_DATA"):
        fetch("toy", "a.txt")
    assert not_a_folder.read_text() == "oops"


def test_cache_path_that_is_a_folder(cache, monkeypatch):
    (cache / "toy" / "a.txt").mkdir(parents=True)
    register(monkeypatch, closed_port_url())
    with pytest.raises(DatasetUnavailableError, match=r"cache path .*a\.txt is not a regular file"):
        fetch("toy", "a.txt")


def test_sigterm_during_download_leaves_no_temporary_file(tmp_path):
    started = threading.Event()
    release = threading.Event()

    class Stalling(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", str(len(CONTENT)))
            self.end_headers()
            try:
                self.wfile.write(CONTENT[:100])
                self.wfile.flush()
                started.set()
                release.wait(30)
            except OSError:
                pass

        def log_message(self, format, *args):  # noqa: A002
            pass

    cache = tmp_path / "cache"
    env = {**os.environ, "SCRATCHNLP_DATA": str(cache)}
    env.pop("SCRATCHNLP_MIRROR", None)
    with serve_handler(Stalling) as base:
        script = textwrap.dedent(
            f"""
            from scratchnlp.datasets import downloader as dl
            dl.REGISTRY["toy"] = {{"a.txt": dl.RemoteFile({base + "/toy/a.txt"!r}, {SHA!r}, {len(CONTENT)})}}
            dl.fetch("toy", "a.txt", progress=False)
            """
        )
        proc = subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.PIPE)
        try:
            assert started.wait(30), "the download never started"
            deadline = time.monotonic() + 30
            while not [p for p in leftovers(cache / "toy") if p.endswith(".tmp")]:
                assert time.monotonic() < deadline, "no temporary file appeared"
                time.sleep(0.02)
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)
        finally:
            release.set()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode != 0
    assert b"Terminated" in err
    assert leftovers(cache / "toy") == []


# ---------------------------------------------------------------------------------------------------------
# cache folder
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def no_cache_env(monkeypatch, tmp_path):
    for var in ("SCRATCHNLP_DATA", "XDG_CACHE_HOME", "LOCALAPPDATA"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_cache_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SCRATCHNLP_DATA", str(tmp_path / "data"))
    assert cache_dir() == tmp_path / "data"
    assert cache_dir("ptb") == tmp_path / "data" / "ptb"


@pytest.mark.skipif(sys.platform.startswith("win"), reason="HOME does not set the home folder on Windows")
def test_cache_dir_per_platform(no_cache_env, monkeypatch, tmp_path):
    home = no_cache_env
    monkeypatch.setattr(sys, "platform", "linux")
    assert cache_dir() == home / ".cache" / "scratchnlp"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "scratchnlp"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert cache_dir() == home / ".cache" / "scratchnlp"

    monkeypatch.setattr(sys, "platform", "darwin")
    assert cache_dir() == home / "Library" / "Caches" / "scratchnlp"

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert cache_dir() == tmp_path / "local" / "scratchnlp" / "Cache"
