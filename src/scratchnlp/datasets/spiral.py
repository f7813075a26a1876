"""The spiral toy dataset of chapter 1.4.3: three interleaved arms, one class each."""

from __future__ import annotations

import numpy as np

from .._checks import Seed, as_generator, check_positive_int, describe

__all__ = ["load_data"]


def load_data(
    seed: Seed = 1984, *, n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2
) -> tuple[np.ndarray, np.ndarray]:
    """Generate the spiral dataset in the book's format.

    Class ``j`` is the arm ``r (sin θ, cos θ)`` with radius ``r`` from 0 to 1 and angle
    ``θ = 4 j + 4 r`` plus Gaussian noise of scale ``noise`` on the angle. With the default arguments the
    data have the book's sizes (300 points, 3 classes); the default seed is the book's.

    Returns
    -------
    x : (n_classes * n_per_class, 2) float32 coordinates
    t : (n_classes * n_per_class, n_classes) int32 one-hot labels
    """
    n_per_class = check_positive_int(n_per_class, "n_per_class")
    n_classes = check_positive_int(n_classes, "n_classes")
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating)) or not (
            np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = as_generator(seed)
    n = n_per_class * n_classes
    x = np.empty((n, 2), dtype=np.float32)
    t = np.zeros((n, n_classes), dtype=np.int32)
    rate = np.arange(n_per_class) / n_per_class  # radius, (n_per_class,)
    for j in range(n_classes):
        theta = j * 4.0 + 4.0 * rate + rng.standard_normal(n_per_class) * noise
        rows = slice(j * n_per_class, (j + 1) * n_per_class)
        x[rows, 0] = rate * np.sin(theta)
        x[rows, 1] = rate * np.cos(theta)
        t[rows, j] = 1
    if not np.isfinite(x).all():  # pragma: no cover - guards a bad noise argument
        raise ValueError(f"noise={noise!r} gave non-finite points ({describe(x)})")
    return x, t
