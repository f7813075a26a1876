"""The wording of chapter 2's page (count-based methods): the sentence that reads the timings of the two SVDs.

Not part of the library's API; see :mod:`scratchnlp._pages` for what every page shares.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["crossover_sentence"]


def crossover_sentence(sizes: Sequence[int], faster: Sequence[bool], method: str, other: str) -> str:
    """From which measured size on ``method`` was faster than ``other`` at every larger size too.

    ``faster[k]`` says whether ``method`` was faster at ``sizes[k]`` (sizes in increasing order).
    """
    if len(sizes) != len(faster) or not sizes:
        raise ValueError("need one flag per size, and at least one size")
    first = next((k for k in range(len(sizes)) if all(faster[k:])), None)
    if first == 0:
        return f"The {method} was the faster of the two at every size measured."
    if first is None:
        return f"On the largest size measured, the {other} was still not slower than the {method}."
    return (f"On the smallest sizes the {other} is still the faster one; the {method} was faster from "
            f"{sizes[first]:,} words on.")
