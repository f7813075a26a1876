"""Tests for scratchnlp._io: checksums, atomic writes, writable folders, SIGTERM as an interrupt."""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from scratchnlp import _io
from scratchnlp._io import Terminated, atomic_write, check_writable_dir, sha256_file, sigterm_as_interrupt


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def umask():
    def set_mask(mask):
        old = os.umask(mask)
        restore.append(old)

    restore: list[int] = []
    yield set_mask
    for old in reversed(restore):
        os.umask(old)


def test_sha256_file_matches_hashlib(tmp_path):
    data = os.urandom(3 * (1 << 20) + 17)  # more than one chunk
    p = tmp_path / "f.bin"
    p.write_bytes(data)
    assert sha256_file(p) == hashlib.sha256(data).hexdigest()
    assert sha256_file(str(p)) == hashlib.sha256(data).hexdigest()


def test_atomic_write_binary_and_text(tmp_path):
    p = tmp_path / "out.bin"
    with atomic_write(p) as f:
        f.write(b"abc")
    assert p.read_bytes() == b"abc"
    q = tmp_path / "out.txt"
    with atomic_write(q, "w", encoding="utf-8") as f:
        f.write("héllo")
    assert q.read_text(encoding="utf-8") == "héllo"
    assert _leftovers(tmp_path) == []


def test_atomic_write_temp_file_is_hidden_in_same_folder(tmp_path):
    p = tmp_path / "out.bin"
    with atomic_write(p) as f:
        f.write(b"x")
        tmp_names = _leftovers(tmp_path)
        assert len(tmp_names) == 1 and tmp_names[0].startswith(".out.bin.")
        assert not p.exists()
    assert _leftovers(tmp_path) == []


def test_atomic_write_exception_keeps_old_file_and_removes_temp(tmp_path):
    p = tmp_path / "out.bin"
    p.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_write(p) as f:
            f.write(b"new, partial")
            raise RuntimeError("boom")
    assert p.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_atomic_write_keyboard_interrupt_removes_temp(tmp_path):
    p = tmp_path / "out.bin"
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(p) as f:
            f.write(b"partial")
            raise KeyboardInterrupt
    assert not p.exists()
    assert _leftovers(tmp_path) == []


def test_atomic_write_refuses_a_folder_before_writing(tmp_path):
    d = tmp_path / "results"
    d.mkdir()
    body_ran = False
    with pytest.raises(IsADirectoryError, match=r"results.*is a folder"):
        with atomic_write(d):
            body_ran = True
    assert not body_ran
    assert d.is_dir() and list(d.iterdir()) == []
    assert _leftovers(tmp_path) == []


def test_atomic_write_missing_folder_is_named(tmp_path):
    p = tmp_path / "nope" / "out.bin"
    with pytest.raises(FileNotFoundError, match=r"folder .*nope does not exist"):
        with atomic_write(p):
            pass


def test_atomic_write_rejects_read_modes(tmp_path):
    with pytest.raises(ValueError, match="write mode"):
        with atomic_write(tmp_path / "x", "rb"):
            pass


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600), (0o002, 0o664)])
def test_atomic_write_permissions_honour_umask(tmp_path, umask, mask, expected):
    umask(mask)
    p = tmp_path / "out.bin"
    with atomic_write(p) as f:
        f.write(b"x")
    assert p.stat().st_mode & 0o777 == expected


def test_atomic_write_enospc_in_fsync_names_path(tmp_path, monkeypatch):
    p = tmp_path / "out.bin"
    p.write_bytes(b"old")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_io.os, "fsync", full)
    with pytest.raises(OSError, match=r"cannot write .*out\.bin: No space left on device") as info:
        with atomic_write(p) as f:
            f.write(b"new")
    assert info.value.errno == errno.ENOSPC
    monkeypatch.undo()
    assert p.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_atomic_write_enospc_in_body_names_path(tmp_path):
    p = tmp_path / "out.bin"
    with pytest.raises(OSError, match=r"cannot write .*out\.bin: No space left on device") as info:
        with atomic_write(p):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert info.value.errno == errno.ENOSPC
    assert _leftovers(tmp_path) == []


def test_atomic_write_permission_denied_names_path(tmp_path, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(_io.tempfile, "mkstemp", denied)
    with pytest.raises(PermissionError, match=r"cannot write .*out\.bin: Permission denied"):
        with atomic_write(tmp_path / "out.bin"):
            pass


def test_atomic_write_failed_rename_removes_temp(tmp_path, monkeypatch):
    p = tmp_path / "out.bin"

    def broken(src, dst):
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

    monkeypatch.setattr(_io.os, "replace", broken)
    with pytest.raises(OSError):
        with atomic_write(p) as f:
            f.write(b"data")
    monkeypatch.undo()
    assert not p.exists()
    assert _leftovers(tmp_path) == []


def test_atomic_write_does_not_rename_other_oserrors(tmp_path):
    class NetworkError(OSError):
        pass

    with pytest.raises(NetworkError, match="^connection reset$"):
        with atomic_write(tmp_path / "out.bin"):
            raise NetworkError("connection reset")


def test_sigterm_mid_write_leaves_old_file_and_no_temp(tmp_path):
    p = tmp_path / "out.bin"
    p.write_bytes(b"old")
    script = textwrap.dedent(
        f"""
        import sys, time
        from scratchnlp._io import atomic_write
        with atomic_write({str(p)!r}) as f:
            f.write(b"new, partial")
            f.flush()
            print("ready", flush=True)
            time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline().strip() == b"ready"
        assert len(_leftovers(tmp_path)) == 1  # the temp file exists mid-write
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    assert b"Terminated" in err
    assert p.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_sigterm_as_interrupt_raises_and_restores(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt) as info:
        with sigterm_as_interrupt():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler interrupts the sleep at once
    assert isinstance(info.value, Terminated)
    assert signal.getsignal(signal.SIGTERM) is before


def test_sigterm_as_interrupt_is_noop_outside_main_thread():
    before = signal.getsignal(signal.SIGTERM)
    seen = []

    def worker():
        with sigterm_as_interrupt():
            seen.append(signal.getsignal(signal.SIGTERM))

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen == [before]
    assert signal.getsignal(signal.SIGTERM) is before


def test_check_writable_dir_creates_parents(tmp_path):
    d = tmp_path / "a" / "b"
    assert check_writable_dir(d) == d
    assert d.is_dir()
    assert list(d.iterdir()) == []


def test_check_writable_dir_refuses_a_file(tmp_path):
    f = tmp_path / "results.json"
    f.write_text("{}")
    with pytest.raises(NotADirectoryError, match=r"output folder .*results\.json is a file, but a folder is expected"):
        check_writable_dir(f)
    with pytest.raises(NotADirectoryError, match=r"cache folder .*results\.json.*is a file"):
        check_writable_dir(f / "sub", what="cache folder")
    assert f.read_text() == "{}"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write anywhere")
def test_check_writable_dir_refuses_read_only_folder(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o555)
    try:
        with pytest.raises(PermissionError, match=r"output folder .*ro is not writable"):
            check_writable_dir(d)
    finally:
        d.chmod(0o755)


def test_check_writable_dir_not_writable_simulated(tmp_path, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(_io.tempfile, "mkstemp", denied)
    with pytest.raises(PermissionError, match=r"output folder .* is not writable: Permission denied"):
        check_writable_dir(tmp_path)
