"""File infrastructure shared by the library: checksums, atomic writes, writable folders, SIGTERM cleanup.

Every file the library writes (downloads, checkpoints, results) goes through :func:`atomic_write`: the data is
written to a temporary file in the destination's folder and renamed onto the destination only when complete,
so a crash, Ctrl-C or ``kill`` never leaves a partial file, and never a stray temporary file either.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = [
    "Terminated", "sha256_file", "atomic_write", "check_writable_dir", "sigterm_as_interrupt", "signals_deferred"
]

_CHUNK = 1 << 20

# errno values that mean "the destination cannot be written" (as opposed to, e.g., a network error raised
# by the code that produces the data); these get the destination's path added to their message.
_WRITE_ERRNOS = frozenset(
    getattr(errno, name)
    for name in ("ENOSPC", "EDQUOT", "EFBIG", "EROFS", "EACCES", "EPERM", "EIO", "ENAMETOOLONG", "EMFILE")
    if hasattr(errno, name)
)


class Terminated(KeyboardInterrupt):
    """Raised in the main thread on SIGTERM inside :func:`sigterm_as_interrupt`, so cleanup runs as on Ctrl-C."""


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The hex SHA-256 digest of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _named(exc: OSError, message: str) -> OSError:
    """A new OSError of the same kind (same errno) whose message is ``message``."""
    if exc.errno is None:
        return OSError(message)
    return OSError(exc.errno, message)


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` (a ``KeyboardInterrupt``) while the block runs.

    ``finally`` blocks and ``except BaseException`` cleanup then run on ``kill`` exactly as on Ctrl-C. The
    previous handler is restored on exit. Outside the main thread (where Python cannot set signal handlers)
    this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(signum: int, frame: Any) -> None:
        raise Terminated(f"terminated by signal {signum} (SIGTERM)")

    try:
        previous = signal.signal(signal.SIGTERM, _raise)
    except (ValueError, OSError):  # e.g. a sub-interpreter, or a platform without SIGTERM handlers
        yield
        return
    try:
        yield
    finally:
        # None means the previous handler was not installed from Python; the default is the best we can do
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Let SIGINT and SIGTERM wait until the block has finished, then deliver them: for steps that must happen
    together (the two renames that replace a results pair).

    Blocking the signals with ``pthread_sigmask`` is not enough: it blocks them in the calling thread only, and
    the kernel hands a process-directed signal to any thread that does not block it (a BLAS worker, say),
    whose delivery then runs Python's handler in the main thread between any two bytecodes. So the Python-level
    handlers are replaced instead (Python runs them in the main thread whichever thread the kernel chose) by one
    that only records the signal; on exit the previous handlers come back and a recorded signal is raised again,
    reaching them as if it had arrived then. Outside the main thread, where Python cannot set handlers (and
    where its handlers never run), the block just runs.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def _record(signum: int, frame: Any) -> None:
        received.append(signum)

    previous = {}
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, _record)
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        if received:
            signal.raise_signal(received[0])


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb", *, encoding: str | None = None) -> Iterator[IO[Any]]:
    """Write ``path`` atomically: yield a file open on a temporary file, rename it onto ``path`` on success.

    The temporary file lives in the same folder (``.<name>.<random>.tmp``). On normal exit the data is flushed
    and fsynced, the file gets normal permissions (``0o666 & ~umask``) and is renamed onto ``path`` with
    :func:`os.replace`. On any exception -- including ``KeyboardInterrupt`` and SIGTERM, which is turned into
    :class:`Terminated` while the block runs -- the temporary file is removed and the exception re-raised, and
    an existing ``path`` is left untouched.

    Parameters
    ----------
    path : the destination file; its folder must exist
    mode : ``"wb"`` (default) or ``"w"`` (text)
    encoding : text encoding for mode ``"w"``

    Raises
    ------
    IsADirectoryError
        If ``path`` is an existing folder (checked before anything is written).
    FileNotFoundError
        If the folder of ``path`` does not exist.
    OSError
        If the file cannot be written (disk full, permission denied, ...): the message names ``path`` and the
        errno is kept.
    """
    if "w" not in mode or any(c in mode for c in "rax"):
        raise ValueError(f"atomic_write mode must be a write mode such as 'wb' or 'w', got {mode!r}")
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, f"cannot write {path}: it is a folder; a file path is expected")
    folder = path.parent
    with sigterm_as_interrupt():
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        except FileNotFoundError as exc:
            raise FileNotFoundError(
                errno.ENOENT, f"cannot write {path}: folder {folder} does not exist"
            ) from exc
        except OSError as exc:
            raise _named(exc, f"cannot write {path}: {exc.strerror or exc}") from exc
        tmp = Path(tmp_name)
        try:
            try:
                f = os.fdopen(fd, mode, encoding=encoding)
            except BaseException:
                os.close(fd)
                raise
            with f:
                yield f
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes the file owner-only; give it normal permissions
            os.replace(tmp, path)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            if (
                isinstance(exc, OSError)
                and type(exc).__module__ == "builtins"
                and exc.errno in _WRITE_ERRNOS
                and str(path) not in str(exc)
            ):
                raise _named(exc, f"cannot write {path}: {exc.strerror or exc}") from exc
            raise


def check_writable_dir(path: str | os.PathLike[str], what: str = "output folder") -> Path:
    """Make sure ``path`` is a folder we can write into, creating it (and its parents) if missing.

    Meant to be called before long work (training) whose results go there, so that a bad ``--out`` fails
    at once rather than after the work.

    Parameters
    ----------
    path : the folder
    what : how to call the folder in error messages

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    NotADirectoryError
        If ``path`` (or one of its parents) is a file.
    OSError
        If the folder cannot be created or written to (the message names it; the errno is kept).
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, f"{what} {p} is a file, but a folder is expected")
    try:
        p.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise NotADirectoryError(
            errno.ENOTDIR, f"cannot create {what} {p}: a part of the path is a file or a broken link"
        ) from exc
    except OSError as exc:
        raise _named(exc, f"cannot create {what} {p}: {exc.strerror or exc}") from exc
    try:
        fd, tmp = tempfile.mkstemp(prefix=".write-test.", suffix=".tmp", dir=p)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise _named(exc, f"{what} {p} is not writable: {exc.strerror or exc}") from exc
    return p
