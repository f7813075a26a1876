"""The one rule for progress bars: shown on stderr when asked, or by default only when stderr is a terminal.

Training loops and the downloader both use :func:`progress_bar`, so a page built by Sphinx (stderr is not a
terminal) never prints a bar, and ``progress=True`` / ``False`` always wins.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["progress_enabled", "progress_bar"]


def progress_enabled(progress: bool | None) -> bool:
    """``progress`` when given, else whether stderr is an interactive terminal."""
    if progress is not None:
        return bool(progress)
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def progress_bar(total: int | None, progress: bool | None, *, unit: str = "it", **options: Any) -> Any:
    """A tqdm bar on stderr (disabled per :func:`progress_enabled`) that leaves no line behind when done."""
    from tqdm import tqdm  # noqa: PLC0415 - tqdm only where a loop runs

    options.setdefault("leave", False)
    return tqdm(total=total, disable=not progress_enabled(progress), unit=unit, file=sys.stderr, **options)
