"""The figures the companion site draws: loss curves, the spiral data and decision regions of chapter 1,
co-occurrence / PPMI heatmaps and word-vector scatter plots of chapter 2, and attention maps of chapter 8.

Every function draws on a Matplotlib :class:`~matplotlib.axes.Axes` passed as ``ax`` and returns it, so a page
can put several plots side by side; with ``ax=None`` a new figure and axes are created. Only Matplotlib's object
API is used (pyplot is imported lazily, and only to create a figure), and CuPy inputs are copied to the host
first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from . import backend

__all__ = [
    "loss_curve",
    "spiral_scatter",
    "decision_boundary",
    "heatmap",
    "word_scatter",
    "label_points",
    "moving_average",
    "rank_frequency",
    "zipf_fit",
]

# One colour and marker per class, shared by the scatter and the decision regions.
_CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
_CLASS_MARKERS = ("o", "x", "^", "s", "D", "v", "P", "*")


def _axes(ax: Any, figsize: tuple[float, float] = (5.0, 3.5)) -> Any:
    """Return ``ax``, or the axes of a new figure when ``ax`` is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # noqa: PLC0415  (lazy: importing pyplot picks a backend)

    _, new_ax = plt.subplots(figsize=figsize, layout="constrained")
    return new_ax


def _host(a: Any, name: str) -> np.ndarray:
    """``a`` as a NumPy array on the host, with a clear error for things that are not array-like."""
    try:
        return np.asarray(backend.to_cpu(a))
    except Exception as exc:  # pragma: no cover - depends on exotic inputs
        raise TypeError(f"{name} must be array-like, got {type(a).__name__}") from exc


def _labels(t: Any) -> np.ndarray:
    """Class ids from one-hot ``(N, C)`` or id ``(N,)`` targets."""
    t = _host(t, "t")
    if t.ndim == 2:
        return t.argmax(axis=1)
    if t.ndim == 1:
        return t.astype(np.int64, copy=False)
    raise ValueError(f"t must be one-hot (N, C) or class ids (N,), got shape {t.shape}")


def _check_points(x: Any, t: Any) -> tuple[np.ndarray, np.ndarray]:
    x = _host(x, "x")
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"x must be (N, 2) points, got shape {x.shape}")
    labels = _labels(t)
    if labels.shape[0] != x.shape[0]:
        raise ValueError(f"x and t must have the same number of rows, got {x.shape[0]} and {labels.shape[0]}")
    return x, labels


def moving_average(values: Sequence[float] | np.ndarray, window: int) -> np.ndarray:
    """Trailing moving average, used to smooth noisy loss curves (chapter 1.4.3 onwards).

    Parameters
    ----------
    values : (L,) sequence of floats
        The curve.
    window : int
        Number of points averaged; the first ``window - 1`` outputs average the points seen so far.

    Returns
    -------
    (L,) float64 array
        The smoothed curve, as long as the input.
    """
    v = _host(values, "values").astype(np.float64).ravel()
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    csum = np.cumsum(v)
    out = np.empty_like(v)
    k = min(window, v.size)
    out[:k] = csum[:k] / np.arange(1, k + 1)
    if v.size > window:
        out[window:] = (csum[window:] - csum[:-window]) / window
    return out


def loss_curve(
    ax: Any,
    losses: Sequence[float] | np.ndarray,
    *,
    label: str | None = None,
    smooth: int | None = None,
    xlabel: str = "iteration",
    ylabel: str = "loss",
    x: Sequence[float] | np.ndarray | None = None,
    logy: bool = False,
    color: Any = None,
) -> Any:
    """Plot a training curve, as in the book's loss plots (chapter 1.4.3, and every training chapter after).

    Parameters
    ----------
    ax : Axes or None
        Where to draw; a new figure is made when None.
    losses : (L,) sequence of floats
        The values to plot, e.g. ``Trainer.loss_list``.
    label : str, optional
        Legend entry; a legend is drawn when given.
    smooth : int, optional
        Window of a trailing moving average. The raw curve is then drawn faintly behind the smoothed one.
    xlabel, ylabel : str
        Axis labels.
    x : (L,) sequence, optional
        Positions on the x axis (default ``1, 2, ..., L``). Pass ``eval_interval * (i + 1)`` to label the axis in
        iterations when each loss averages ``eval_interval`` iterations.
    logy : bool
        Use a logarithmic y axis (useful for perplexities).
    color : optional
        Any Matplotlib colour; by default the axes' colour cycle picks one.

    Returns
    -------
    Axes
        The axes drawn on.
    """
    ax = _axes(ax)
    y = _host(losses, "losses").astype(np.float64).ravel()
    if y.size == 0:
        raise ValueError("losses is empty: nothing to plot")
    xs = np.arange(1, y.size + 1) if x is None else _host(x, "x").ravel()
    if xs.shape != y.shape:
        raise ValueError(f"x must have the same length as losses, got {xs.shape[0]} and {y.shape[0]}")
    if smooth is not None and smooth > 1:
        (raw,) = ax.plot(xs, y, alpha=0.25, linewidth=1.0, color=color)
        ax.plot(xs, moving_average(y, smooth), label=label, color=raw.get_color(), linewidth=1.6)
    else:
        ax.plot(xs, y, label=label, color=color, linewidth=1.4)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if label is not None:
        ax.legend()
    ax.grid(True, alpha=0.3)
    return ax


def spiral_scatter(ax: Any, x: Any, t: Any, *, markersize: float = 25.0, class_label: str = "class {}") -> Any:
    """Scatter plot of 2-D points coloured and marked by class: the spiral data of chapter 1.4.1.

    Parameters
    ----------
    ax : Axes or None
        Where to draw; a new figure is made when None.
    x : (N, 2) array
        Points.
    t : (N, C) one-hot or (N,) integer array
        Their classes.
    markersize : float
        Marker area in points squared.

    class_label : str, default "class {}"
        The legend entry of each class, ``str.format``-ted with the class number.

    Returns
    -------
    Axes
        The axes drawn on, with a legend naming the classes.
    """
    ax = _axes(ax, figsize=(4.5, 4.5))
    x, labels = _check_points(x, t)
    for c in np.unique(labels):
        sel = labels == c
        ax.scatter(
            x[sel, 0],
            x[sel, 1],
            s=markersize,
            c=_CLASS_COLORS[int(c) % len(_CLASS_COLORS)],
            marker=_CLASS_MARKERS[int(c) % len(_CLASS_MARKERS)],
            label=class_label.format(int(c)),
            linewidths=1.2,
        )
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="upper right", fontsize="small")
    return ax


def decision_boundary(
    ax: Any,
    predict_fn_or_model: Callable[[Any], Any] | Any,
    x: Any,
    t: Any,
    h: float = 0.01,
    *,
    batch_size: int = 8192,
    margin: float = 0.1,
) -> Any:
    """Colour the plane by the class a classifier predicts, with the data on top (chapter 1.4.3).

    The grid is evaluated in float32, in batches of ``batch_size`` points, so a fine grid does not need a
    large temporary array.

    Parameters
    ----------
    ax : Axes or None
        Where to draw; a new figure is made when None.
    predict_fn_or_model : callable or model
        Either a function mapping ``(M, 2)`` points to ``(M, C)`` scores, or an object with such a
        ``predict`` method (a :class:`~scratchnlp.models.TwoLayerNet`).
    x : (N, 2) array
        The data points; they also set the plotted range.
    t : (N, C) one-hot or (N,) integer array
        Their classes.
    h : float
        Grid spacing.
    batch_size : int
        Grid points scored per call.
    margin : float
        Space added around the data's bounding box.

    Returns
    -------
    Axes
        The axes drawn on.
    """
    from matplotlib.colors import ListedColormap  # noqa: PLC0415

    ax = _axes(ax, figsize=(4.5, 4.5))
    x, labels = _check_points(x, t)
    if h <= 0:
        raise ValueError(f"h must be positive, got {h}")
    predict = getattr(predict_fn_or_model, "predict", predict_fn_or_model)
    if not callable(predict):
        raise TypeError(
            f"predict_fn_or_model must be a function or have a predict method, got {type(predict_fn_or_model).__name__}"
        )
    x_min, y_min = x.min(axis=0) - margin
    x_max, y_max = x.max(axis=0) + margin
    xx, yy = np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))
    grid = np.column_stack([xx.ravel(), yy.ravel()]).astype(np.float32)
    classes = np.empty(grid.shape[0], dtype=np.int64)
    xp_mod = backend.array_module()
    for start in range(0, grid.shape[0], batch_size):
        chunk = xp_mod.asarray(grid[start : start + batch_size])
        scores = _host(predict(chunk), "scores")
        if scores.ndim != 2 or scores.shape[0] != chunk.shape[0]:
            raise ValueError(f"the classifier must return (M, C) scores for (M, 2) points, got {scores.shape}")
        classes[start : start + batch_size] = scores.argmax(axis=1)
    n_classes = int(max(classes.max(), labels.max())) + 1
    cmap = ListedColormap([_CLASS_COLORS[i % len(_CLASS_COLORS)] for i in range(n_classes)])
    ax.contourf(
        xx,
        yy,
        classes.reshape(xx.shape),
        levels=np.arange(n_classes + 1) - 0.5,
        cmap=cmap,
        alpha=0.25,
    )
    spiral_scatter(ax, x, labels)
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    return ax


def heatmap(
    ax: Any,
    M: Any,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    fmt: str | None = None,
    cmap: str = "viridis",
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    colorbar: bool = True,
    vmin: float | None = None,
    vmax: float | None = None,
) -> Any:
    """A labelled matrix: co-occurrence and PPMI matrices (chapter 2.3), attention weights (chapter 8.1).

    Parameters
    ----------
    ax : Axes or None
        Where to draw; a new figure is made when None.
    M : (R, C) array
        The matrix; row ``i`` is drawn at the top-to-bottom position ``i``.
    row_labels : sequence of R str
        Tick labels of the rows (words, output characters, ...).
    col_labels : sequence of C str
        Tick labels of the columns, drawn above the matrix.
    fmt : str, optional
        A format spec such as ``".2f"`` or ``"d"``; when given, each cell is annotated with its value.
    cmap : str
        Matplotlib colour map name.
    title, xlabel, ylabel : str, optional
        Axes title and axis labels.
    colorbar : bool
        Draw a colour bar beside the matrix.
    vmin, vmax : float, optional
        Colour scale limits (default: the data's range).

    Returns
    -------
    Axes
        The axes drawn on.
    """
    M = _host(M, "M")
    if M.ndim != 2:
        raise ValueError(f"M must be a 2-D matrix, got shape {M.shape}")
    if len(row_labels) != M.shape[0] or len(col_labels) != M.shape[1]:
        raise ValueError(
            f"need one label per row and column: M is {M.shape}, got {len(row_labels)} row labels and "
            f"{len(col_labels)} column labels"
        )
    ax = _axes(ax, figsize=(0.5 * M.shape[1] + 2.5, 0.45 * M.shape[0] + 1.5))
    values = M.astype(np.float64)
    im = ax.imshow(values, cmap=cmap, aspect="auto", vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_xticks(np.arange(M.shape[1]), labels=[str(c) for c in col_labels])
    ax.set_yticks(np.arange(M.shape[0]), labels=[str(r) for r in row_labels])
    ax.tick_params(top=True, bottom=False, labeltop=True, labelbottom=False)
    if M.shape[1] > 6:
        for lab in ax.get_xticklabels():
            lab.set_rotation(45)
            lab.set_ha("left")
    if fmt is not None:
        lo, hi = im.get_clim()
        mid = (lo + hi) / 2.0
        for i in range(M.shape[0]):
            for j in range(M.shape[1]):
                colour = "white" if values[i, j] < mid else "black"
                ax.text(j, i, format(M[i, j], fmt), ha="center", va="center", color=colour, fontsize="small")
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    if title is not None:
        ax.set_title(title)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
        ax.xaxis.set_label_position("top")
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    return ax


def word_scatter(
    ax: Any,
    vectors2d: Any,
    words: Sequence[str],
    *,
    fontsize: float = 9.0,
    colors: Sequence[Any] | None = None,
    xlabel: str = "component 1",
    ylabel: str = "component 2",
) -> Any:
    """Words placed at their 2-D coordinates, e.g. the first two SVD components (chapter 2.4.4).

    The labels are placed by :func:`label_points`, so they do not overlap one another, even for words that land
    on the same point.

    Parameters
    ----------
    ax : Axes or None
        Where to draw; a new figure is made when None.
    vectors2d : (V, 2) array
        One point per word.
    words : sequence of V str
        The words, written next to their points.
    fontsize : float
        Size of the word labels.
    colors : sequence of V colours, optional
        One colour per word, for its point and its label (default: the axes' first colour, black labels).

    xlabel, ylabel : str
        Axis labels.

    Returns
    -------
    Axes
        The axes drawn on.
    """
    ax = _axes(ax, figsize=(5.0, 4.5))
    v = _host(vectors2d, "vectors2d")
    if v.ndim != 2 or v.shape[1] != 2:
        raise ValueError(f"vectors2d must be (V, 2), got shape {v.shape}")
    if len(words) != v.shape[0]:
        raise ValueError(f"need one word per row: vectors2d has {v.shape[0]} rows, got {len(words)} words")
    if colors is not None and len(colors) != v.shape[0]:
        raise ValueError(f"need one colour per word: got {len(colors)} colours for {v.shape[0]} words")
    ax.scatter(v[:, 0], v[:, 1], s=18, alpha=0.7, c=None if colors is None else list(colors))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    label_points(ax, v, [str(w) for w in words], fontsize=fontsize, colors=colors)
    return ax


# Candidate label positions around a point, tried in this order: direction (dx, dy) and the text alignment
# that puts the label on that side of the point.
_LABEL_DIRECTIONS = (
    (1, 1, "left", "bottom"),
    (1, -1, "left", "top"),
    (-1, 1, "right", "bottom"),
    (-1, -1, "right", "top"),
    (1, 0, "left", "center"),
    (-1, 0, "right", "center"),
    (0, 1, "center", "bottom"),
    (0, -1, "center", "top"),
)


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Overlap area of two boxes (x0, y0, x1, y1)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return float(w * h) if w > 0 and h > 0 else 0.0


def label_points(
    ax: Any,
    xy: Any,
    labels: Sequence[str],
    *,
    fontsize: float = 9.0,
    colors: Sequence[Any] | None = None,
    distances: Sequence[float] = (3.0, 10.0, 18.0, 28.0),
    marker_radius: float = 3.0,
) -> list[Any]:
    """Write each label next to its point so that no two labels overlap and no label covers a point.

    A small, deterministic placement: for each point (in the order given) the label is tried on eight sides of
    the point, at growing distances (in points), and the first position that overlaps no label placed so far,
    covers no other point and stays inside the axes wins; if none does, the position with the least overlap is
    used. Labels moved away from their point get a thin leader line. Points that coincide get their labels on
    different sides. The placement is computed for the figure's current layout, so call this after the axes'
    limits are final.

    Parameters
    ----------
    ax : Axes
        The axes the points are drawn on.
    xy : (P, 2) array
        The points, in data coordinates.
    labels : sequence of P str
        One label per point.
    fontsize : float
        Size of the labels.
    colors : sequence of P colours, optional
        One colour per label (default: black).
    distances : sequence of float
        Distances from the point, in points, tried from the nearest.
    marker_radius : float
        Radius of the drawn markers, in points; no label covers a marker.

    Returns
    -------
    list of matplotlib.text.Annotation
        The labels, in the order of the points.
    """
    pts = _host(xy, "xy").astype(np.float64)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(f"xy must be (P, 2) points, got shape {pts.shape}")
    if len(labels) != pts.shape[0]:
        raise ValueError(f"need one label per point: got {len(labels)} labels for {pts.shape[0]} points")
    if colors is not None and len(colors) != pts.shape[0]:
        raise ValueError(f"need one colour per label: got {len(colors)} colours for {pts.shape[0]} points")
    fig = ax.figure
    fig.draw_without_rendering()  # settle the layout, so that display coordinates are final
    renderer = fig.canvas.get_renderer()
    px_per_pt = fig.dpi / 72.0
    anchors = ax.transData.transform(pts)
    frame = ax.get_window_extent(renderer)
    r = marker_radius * px_per_pt
    point_boxes = np.column_stack([anchors - r, anchors + r])

    sizes = []
    for label in labels:
        probe = ax.text(0, 0, str(label), fontsize=fontsize)
        extent = probe.get_window_extent(renderer)
        sizes.append((extent.width, extent.height))
        probe.remove()

    placed: list[np.ndarray] = []
    annotations = []
    for k, (label, (w, h)) in enumerate(zip(labels, sizes, strict=True)):
        best: tuple[float, float, float, str, str] | None = None
        best_cost = np.inf
        for distance in distances:
            d = distance * px_per_pt
            for dx, dy, ha, va in _LABEL_DIRECTIONS:
                ox, oy = dx * d, dy * d
                x0 = anchors[k, 0] + ox - {"left": 0.0, "center": w / 2, "right": w}[ha]
                y0 = anchors[k, 1] + oy - {"bottom": 0.0, "center": h / 2, "top": h}[va]
                box = np.array([x0, y0, x0 + w, y0 + h])
                cost = sum(_overlap(box, other) for other in placed)
                cost += sum(_overlap(box, pb) for j, pb in enumerate(point_boxes) if j != k)
                outside = (max(frame.x0 - box[0], 0) + max(box[2] - frame.x1, 0)
                           + max(frame.y0 - box[1], 0) + max(box[3] - frame.y1, 0))
                cost += outside * h
                if cost < best_cost - 1e-9:
                    best_cost, best = cost, (ox, oy, distance, ha, va)
                    best_box = box
                if cost == 0.0:
                    break
            if best_cost == 0.0:
                break
        assert best is not None
        ox, oy, distance, ha, va = best
        placed.append(best_box)
        arrow = None
        if distance > distances[0]:
            arrow = {"arrowstyle": "-", "linewidth": 0.5, "color": "0.5", "shrinkA": 0, "shrinkB": 2}
        annotations.append(ax.annotate(
            str(label), tuple(pts[k]), xytext=(ox / px_per_pt, oy / px_per_pt), textcoords="offset points",
            ha=ha, va=va, fontsize=fontsize, color="black" if colors is None else colors[k], arrowprops=arrow,
        ))
    return annotations


def _sorted_counts(counts: Any) -> np.ndarray:
    """The positive entries of a 1-D count vector, largest first, as float64; checks the input."""
    c = _host(counts, "counts")
    if c.ndim != 1:
        raise ValueError(f"counts must be a 1-D vector of word counts, got shape {c.shape}")
    if c.dtype.kind not in "iuf":
        raise ValueError(f"counts must be numeric, got dtype {c.dtype}")
    c = c.astype(np.float64)
    if not np.all(np.isfinite(c)) or np.any(c < 0):
        raise ValueError("counts must be finite and non-negative")
    c = np.sort(c[c > 0])[::-1]
    if c.size < 2:
        raise ValueError(f"need at least two words with a positive count to fit a line, got {c.size}")
    return c


def zipf_fit(counts: Sequence[float] | np.ndarray, *, n_points: int = 50) -> tuple[float, float]:
    """Fit Zipf's law ``f(r) = A / r**s`` to word counts, the straight line of a rank-frequency plot (chapter 2.4.4).

    The counts are sorted into ranks (1 = most frequent; zero counts are dropped) and a least-squares line is
    fitted to ``log f`` against ``log r``. A rank-frequency curve has a handful of points in its first decade
    and thousands in its last, so an ordinary fit over every rank is decided by the rarest words. Instead the
    fit uses ``n_points`` ranks spaced evenly on the logarithmic axis, which weights each decade of ranks
    equally, as the eye does when it reads the plot.

    Parameters
    ----------
    counts : (V,) array of non-negative numbers
        How often each word occurs, in any order (e.g. ``numpy.bincount(corpus)``).
    n_points : int, default 50
        Number of log-spaced ranks used for the fit (fewer if there are fewer distinct ranks).

    Returns
    -------
    exponent : float
        ``s``; Zipf's law in its original form has ``s = 1``.
    amplitude : float
        ``A``, the count the line predicts at rank 1.

    Raises
    ------
    ValueError
        If ``counts`` is not 1-D, holds negative or non-finite values, has fewer than two positive entries,
        or ``n_points`` is below 2.
    """
    if isinstance(n_points, bool) or not isinstance(n_points, (int, np.integer)) or n_points < 2:
        raise ValueError(f"n_points must be an int >= 2, got {n_points!r}")
    c = _sorted_counts(counts)
    ranks = np.unique(np.geomspace(1, c.size, int(n_points)).round().astype(np.int64))
    slope, intercept = np.polyfit(np.log(ranks), np.log(c[ranks - 1]), 1)
    return float(-slope), float(np.exp(intercept))


def rank_frequency(
    ax: Any,
    counts: Sequence[float] | np.ndarray,
    *,
    words: Sequence[str] | None = None,
    n_labels: int = 5,
    fit: bool = True,
    n_points: int = 50,
    words_label: str = "words",
    fit_label: str = "Zipf fit",
    xlabel: str = "rank $r$ (1 = most frequent)",
    ylabel: str = "count $f(r)$",
) -> Any:
    """Word counts against their frequency rank on log-log axes, with Zipf's line fitted (chapter 2.4.4).

    The most frequent word has rank 1. On log-log axes a corpus that follows Zipf's law gives a straight
    line of slope ``-s``; the dashed line is the fit of :func:`zipf_fit`, and its exponent is written in the
    legend.

    Parameters
    ----------
    ax : Axes or None
        Where to draw; a new figure is made when None.
    counts : (V,) array of non-negative numbers
        How often each word occurs, in any order; words with a zero count are left out.
    words : sequence of V str, optional
        ``words[i]`` is the word counted by ``counts[i]`` (e.g. the vocabulary in id order). When given, the
        ``n_labels`` most frequent words are written next to their points.
    n_labels : int, default 5
        How many of the most frequent words to label (only with ``words``).
    fit : bool, default True
        Draw the fitted Zipf line.
    n_points : int, default 50
        Passed to :func:`zipf_fit`.

    words_label, fit_label : str
        Legend entries of the counts and of the fitted line (the fit's formula is added to ``fit_label``).
    xlabel, ylabel : str
        Axis labels.

    Returns
    -------
    Axes
        The axes drawn on.
    """
    c = _sorted_counts(counts)
    raw = _host(counts, "counts").astype(np.float64)
    if words is not None and len(words) != raw.shape[0]:
        raise ValueError(f"need one word per count: got {len(words)} words for {raw.shape[0]} counts")
    ax = _axes(ax, figsize=(5.0, 3.8))
    ranks = np.arange(1, c.size + 1)
    ax.loglog(ranks, c, marker=".", markersize=3, linewidth=1.0, label=words_label)
    if fit:
        s, amplitude = zipf_fit(counts, n_points=n_points)
        label = f"{fit_label}: $f \\propto r^{{-{s:.2f}}}$"
        ax.loglog(ranks, amplitude * ranks ** (-s), linestyle="--", color="black", linewidth=1.2, label=label)
        ax.legend()
    if words is not None and n_labels > 0:
        top = np.argsort(-raw, kind="stable")[: min(int(n_labels), c.size)]
        # the first ranks crowd together on a log axis, so the labels go in a column below the curve, to the
        # right of the labelled points, each joined to its point by a thin line; the most frequent word gets the
        # lowest label, so that the lines do not cross
        column = min(3 * top.size, c.size)
        for rank, i in enumerate(top, start=1):
            ax.annotate(
                str(words[int(i)]),
                (rank, raw[i]),
                xytext=(column, c[column - 1] * 10.0 ** (-0.5 - 0.3 * (top.size + 1 - rank))),
                textcoords="data",
                fontsize="small",
                va="center",
                arrowprops={"arrowstyle": "-", "linewidth": 0.5, "color": "0.5", "shrinkA": 2, "shrinkB": 1},
            )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    return ax


# --------------------------------------------------------------------------------------------------------
# Chapter 5: the unrolled RNN and the mini-batch layout of truncated BPTT
# --------------------------------------------------------------------------------------------------------

__all__ += ["rnn_unrolled", "tbptt_layout"]


def rnn_unrolled(
    ax: Any,
    tokens: Sequence[str],
    *,
    states: Any = None,
    cmap: str = "RdBu_r",
) -> Any:
    """The RNN unrolled over a few time steps (chapter 5.2.2), with the actual input words and, optionally,
    the actual hidden states.

    One box per step ``t``: the word ``tokens[t]`` enters from below as ``x_t``, the hidden state ``h_t``
    leaves upwards (the output) and to the right (into step ``t + 1``); every box is the same layer, with the
    same weights. With ``states`` each ``h_t`` is drawn as a strip of coloured cells, one per unit (blue
    negative, red positive, on the scale of tanh's range ``[-1, 1]``).

    Parameters
    ----------
    ax : Axes or None
        Where to draw; a new figure is made when None.
    tokens : sequence of str
        The input words, one per step (1 to 12 of them).
    states : (T, K) array, optional
        ``K`` units of the hidden state at each of the ``T = len(tokens)`` steps, values in ``[-1, 1]``.
    cmap : str
        The colormap of the state cells.

    Returns
    -------
    Axes
        The axes drawn on.
    """
    from matplotlib.patches import FancyBboxPatch, Rectangle  # noqa: PLC0415

    words = [str(w) for w in tokens]
    T = len(words)
    if not 1 <= T <= 12:
        raise ValueError(f"tokens must hold 1 to 12 words (one box per step), got {T}")
    h = None
    if states is not None:
        h = _host(states, "states").astype(np.float64)
        if h.ndim != 2 or h.shape[0] != T or h.shape[1] == 0:
            raise ValueError(f"states must be (T, K) = ({T}, K) with K >= 1, one row per token, got shape {h.shape}")
    ax = _axes(ax, figsize=(6.5, 3.0))
    step, box_w, box_h = 1.0, 0.56, 0.5
    arrow = {"arrowstyle": "-|>", "color": "0.25", "linewidth": 1.0, "shrinkA": 0, "shrinkB": 0}
    colormap = _colormap(cmap)
    for t, word in enumerate(words):
        x = t * step
        ax.add_patch(FancyBboxPatch((x - box_w / 2, -box_h / 2), box_w, box_h, boxstyle="round,pad=0.02",
                                    facecolor="#dce9f5", edgecolor="#1f4e79", linewidth=1.2))
        ax.text(x, 0, "RNN", ha="center", va="center", fontsize="small")
        ax.text(x, -1.05, word, ha="center", va="top", fontsize="small", rotation=30 if len(word) > 6 else 0,
                rotation_mode="anchor")
        ax.annotate("", (x, -box_h / 2), xytext=(x, -0.95), arrowprops=arrow)
        ax.text(x + 0.04, -0.62, f"$x_{{{t}}}$", ha="left", va="center", fontsize="x-small")
        top = box_h / 2 + 0.45
        ax.annotate("", (x, top), xytext=(x, box_h / 2), arrowprops=arrow)
        ax.text(x + 0.04, box_h / 2 + 0.2, f"$h_{{{t}}}$", ha="left", va="center", fontsize="x-small")
        if h is not None:
            K = h.shape[1]
            cell = min(0.07, 0.8 / K)
            for k in range(K):
                value = float(np.clip(h[t, k], -1.0, 1.0))
                ax.add_patch(Rectangle((x - cell / 2, top + 0.02 + k * cell), cell, cell,
                                       facecolor=colormap((value + 1.0) / 2.0), edgecolor="0.6", linewidth=0.3))
        if t + 1 < T:
            ax.annotate("", (x + step - box_w / 2, 0), xytext=(x + box_w / 2, 0), arrowprops=arrow)
    height = box_h / 2 + 0.5 + (0.8 if h is not None else 0.1)
    ax.set_xlim(-0.6, (T - 1) * step + 0.6)
    ax.set_ylim(-1.45, height)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _colormap(name: str) -> Any:
    import matplotlib  # noqa: PLC0415

    return matplotlib.colormaps[name]


def tbptt_layout(
    ax: Any,
    positions: Any,
    corpus_size: int,
    *,
    cmap: str = "viridis",
    first_iteration: int = 1,
    colorbar: bool = True,
    xlabel: str = "position in the corpus",
    ylabel: str = "stream (row of the batch)",
    colorbar_label: str = "iteration",
) -> Any:
    """Which words of the corpus each stream of a truncated-BPTT mini-batch reads, iteration by iteration
    (chapter 5.2.5).

    One row per stream (row 0 on top); along the row, the corpus positions that stream read, coloured by the
    iteration that read them. Positions are taken modulo ``corpus_size`` (a block that runs past the end of
    the corpus continues at its start, as in :meth:`scratchnlp.training.RnnlmTrainer.get_batch`); positions
    no iteration read stay white.

    Parameters
    ----------
    ax : Axes or None
        Where to draw; a new figure is made when None.
    positions : (I, B, T) integer array
        ``positions[i, b]`` are the ``T`` corpus positions that stream ``b`` read in iteration ``i`` (e.g. the
        positions behind ``I`` calls of ``get_batch``).
    corpus_size : int
        The length of the corpus the positions index.
    cmap : str
        The colormap of the iterations.
    first_iteration : int, default 1
        The number the colour bar gives the first of the ``I`` iterations.
    colorbar : bool, default True
        Draw a colour bar of the iteration numbers.

    xlabel, ylabel, colorbar_label : str
        Axis labels and the colour bar's label.

    Returns
    -------
    Axes
        The axes drawn on.
    """
    from matplotlib.cm import ScalarMappable  # noqa: PLC0415
    from matplotlib.colors import Normalize  # noqa: PLC0415

    pos = _host(positions, "positions")
    if pos.ndim != 3 or 0 in pos.shape:
        raise ValueError(f"positions must be a non-empty (I, B, T) array of corpus positions, got shape {pos.shape}")
    if pos.dtype.kind not in "iu":
        raise ValueError(f"positions must be integers, got dtype {pos.dtype}")
    if isinstance(corpus_size, bool) or not isinstance(corpus_size, (int, np.integer)) or corpus_size < 1:
        raise ValueError(f"corpus_size must be an int >= 1, got {corpus_size!r}")
    n_iter, batch, _ = pos.shape
    pos = pos.astype(np.int64) % int(corpus_size)
    ax = _axes(ax, figsize=(6.5, 3.2))
    colormap = _colormap(cmap)
    norm = Normalize(first_iteration - 0.5, first_iteration + n_iter - 0.5)
    for i in range(n_iter):
        color = colormap(norm(first_iteration + i))
        for b in range(batch):
            cells = np.sort(np.unique(pos[i, b]))
            breaks = np.flatnonzero(np.diff(cells) != 1) + 1  # split into runs of consecutive positions
            runs = [(int(run[0]), int(run.size)) for run in np.split(cells, breaks)]
            ax.broken_barh(runs, (b - 0.4, 0.8), facecolors=color, edgecolors="none")
    ax.set_xlim(0, corpus_size)
    ax.set_ylim(batch - 0.5, -0.5)
    ax.set_yticks(range(batch))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if colorbar:
        from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

        bar = ax.figure.colorbar(ScalarMappable(norm=norm, cmap=colormap), ax=ax, label=colorbar_label)
        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()
    return ax


# --------------------------------------------------------------------------------------------------------
# Chapter 7: test accuracy of seq2seq runs, epoch by epoch
# --------------------------------------------------------------------------------------------------------

__all__ += ["accuracy_curves"]


def accuracy_curves(
    ax: Any,
    curves: Mapping[str, Sequence[float] | np.ndarray],
    *,
    reference: Mapping[str, tuple[float, float]] | None = None,
    reference_label: str = "{}: the book's figure",
    percent: bool = True,
    xlabel: str = "epoch",
    ylabel: str | None = None,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    positions: Mapping[str, Sequence[float] | np.ndarray] | None = None,
) -> Any:
    """Accuracy after every epoch for several runs in one plot (chapter 7.4's comparison of seq2seq variants).

    Parameters
    ----------
    ax : Axes or None
        Where to draw; a new figure is made when None.
    curves : mapping of label to (E,) accuracies in [0, 1]
        One line per run, the value after epoch ``1, 2, ..., E``; ``None`` / NaN entries are gaps.
    reference : mapping of label to (epoch, accuracy), optional
        Single values to compare with (e.g. what the book reports after its last epoch), drawn as hollow
        diamonds in the colour of the curve of the same label (or a colour of their own for a label that has
        no curve).
    reference_label : str
        Legend entry of a reference point, ``{}`` replaced by its label.
    percent : bool, default True
        Plot the accuracies as percentages (0 to 100) rather than fractions.
    xlabel, ylabel : str
        Axis labels (``ylabel`` default: "test accuracy (%)" or "test accuracy").
    styles : mapping of label to keyword arguments, optional
        Extra Matplotlib line options per curve (e.g. ``{"build": {"linestyle": "--"}}``).
    positions : mapping of label to (E,) x positions, optional
        Where a curve's points go on the x axis, for a run whose epochs are not those of the others (e.g. a
        short run over part of the training set: ``k * part / whole``); default ``1, 2, ..., E``.

    Returns
    -------
    Axes
        The axes drawn on.
    """
    if not curves and not reference:
        raise ValueError("nothing to plot: give at least one curve or reference point")
    scale = 100.0 if percent else 1.0
    ax = _axes(ax)
    colors: dict[str, Any] = {}
    for label, values in curves.items():
        y = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64).ravel()
        if y.size == 0:
            raise ValueError(f"the curve {label!r} is empty")
        finite = y[np.isfinite(y)]
        if finite.size and (finite.min() < 0 or finite.max() > 1):
            raise ValueError(f"accuracies are fractions in [0, 1]; the curve {label!r} holds values outside")
        options = {"marker": "o", "markersize": 3.5, "linewidth": 1.5, **dict((styles or {}).get(label, {}))}
        x = np.arange(1, y.size + 1, dtype=np.float64)
        if positions is not None and label in positions:
            x = np.asarray([float(v) for v in positions[label]], dtype=np.float64).ravel()
            if x.shape != y.shape:
                raise ValueError(f"the curve {label!r} has {y.size} values but {x.size} positions")
        (line,) = ax.plot(x, scale * y, label=label, **options)
        colors[label] = line.get_color()
    for label, point in (reference or {}).items():
        epoch, value = point
        if not 0 <= value <= 1:
            raise ValueError(f"the reference {label!r} is {value}, not a fraction in [0, 1]")
        ax.plot([epoch], [scale * value], linestyle="none", marker="D", markersize=7, markerfacecolor="none",
                markeredgewidth=1.6, color=colors.get(label), label=reference_label.format(label))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel if ylabel is not None else ("test accuracy (%)" if percent else "test accuracy"))
    ax.set_ylim(-0.03 * scale, 1.03 * scale)
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax


__all__ += ["perplexity_by_epoch", "norms_by_distance"]


def perplexity_by_epoch(
    ax: Any,
    perplexities: Sequence[float] | np.ndarray,
    *,
    best_epoch: int | None = None,
    label: str | None = None,
    reference: float | None = None,
    reference_label: str | None = None,
    ylabel: str = "validation perplexity",
    xlabel: str = "epoch",
    best_label: str = "best epoch ({})",
) -> Any:
    """Perplexity after every epoch, with the best epoch ringed and an optional reference level (chapter 6.5).

    Parameters
    ----------
    ax : Axes or None
        Where to draw; a new figure is made when None.
    perplexities : (E,) sequence of floats
        One perplexity per epoch (epoch ``k`` is drawn at ``x = k``, counting from 1).
    best_epoch : int, optional
        The epoch to ring and annotate (e.g. the one whose parameters a run kept), in ``1 .. E``.
    label : str, optional
        Legend entry of the curve.
    reference : float, optional
        A level to draw as a dashed horizontal line (e.g. a figure the book reports).
    reference_label : str, optional
        Legend entry of the reference line.
    ylabel : str
        The y axis' label.

    xlabel : str
        The x axis label.
    best_label : str
        The legend entry of the ringed best epoch, ``str.format``-ted with its number.

    Returns
    -------
    Axes
    """
    y = _host(perplexities, "perplexities").astype(np.float64).ravel()
    if y.size == 0:
        raise ValueError("perplexities is empty: nothing to plot")
    if best_epoch is not None and not 1 <= int(best_epoch) <= y.size:
        raise ValueError(f"best_epoch must be between 1 and {y.size}, got {best_epoch}")
    ax = _axes(ax)
    epochs = np.arange(1, y.size + 1)
    ax.plot(epochs, y, marker="o", markersize=3.5, linewidth=1.5, label=label)
    if best_epoch is not None:
        b = int(best_epoch)
        ax.plot([b], [y[b - 1]], linestyle="none", marker="o", markersize=11, markerfacecolor="none",
                markeredgewidth=1.6, color="C3", label=best_label.format(b))
    if reference is not None:
        ax.axhline(float(reference), linestyle="--", color="0.35", linewidth=1.2, label=reference_label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)
    if label is not None or best_epoch is not None or reference_label is not None:
        ax.legend()
    return ax


def norms_by_distance(
    ax: Any,
    curves: dict[str, Sequence[float] | np.ndarray],
    *,
    xlabel: str = "time steps back",
    ylabel: str = "gradient norm (relative)",
    styles: dict[str, dict[str, Any]] | None = None,
) -> Any:
    """Gradient norms against how many time steps they travelled back, on a log scale (chapter 6.1-6.2).

    Parameters
    ----------
    ax : Axes or None
        Where to draw; a new figure is made when None.
    curves : mapping of label to (K + 1,) sequence
        Value ``k`` of each curve is the norm ``k`` steps back (``k = 0`` is where the gradient starts).
        Every value must be positive and finite (a log axis cannot show zero).
    xlabel, ylabel : str
        Axis labels.
    styles : mapping of label to Matplotlib line options, optional
        E.g. ``{"RNN": {"linestyle": "--"}}``.

    Returns
    -------
    Axes
    """
    if not curves:
        raise ValueError("nothing to plot: give at least one curve")
    ax = _axes(ax)
    for name, values in curves.items():
        y = _host(values, f"curve {name!r}").astype(np.float64).ravel()
        if y.size == 0:
            raise ValueError(f"the curve {name!r} is empty")
        if not (np.isfinite(y).all() and (y > 0).all()):
            raise ValueError(f"the curve {name!r} must hold positive finite norms for a log axis")
        ax.semilogy(np.arange(y.size), y, label=name, linewidth=1.6, **dict((styles or {}).get(name, {})))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
    return ax


__all__ += ["attention_map"]

#: What :func:`attention_map` shows for a space character by default (U+2423 OPEN BOX, in DejaVu Sans).
_SPACE_MARK = "\u2423"


def _tick_chars(chars: Any, name: str, space: str | None) -> list[str]:
    """Tick labels from a string or a sequence of one-character strings, spaces made visible."""
    if isinstance(chars, str):
        items = list(chars)
    else:
        try:
            items = [str(c) for c in chars]
        except TypeError:
            raise TypeError(f"{name} must be a string or a sequence of characters, got {type(chars).__name__}") \
                from None
    if space is not None:
        items = [space if c == " " else c for c in items]
    return items


def attention_map(
    weights: Any,
    question_chars: Sequence[str] | str,
    answer_chars: Sequence[str] | str,
    ax: Any = None,
    *,
    colorbar: bool = True,
    cmap: str = "Greys_r",
    space: str | None = _SPACE_MARK,
    title: str | None = None,
    xlabel: str | None = "question",
    ylabel: str | None = "answer",
) -> Any:
    """The attention weights of one decoding as a grey-scale map (chapter 8.3.3, the book's Figure 8-28).

    Row ``s`` is answer character ``s``; its cells show how much that step attended to each question
    character (white: all of the weight, black: none), so a date read correctly shows the answer's year
    looking at the question's year, its month at the month, and so on.

    Parameters
    ----------
    weights : (A, Q) array
        ``weights[s, q]``: attention of answer character ``s`` on question character ``q``, e.g. one row of
        ``AttentionSeq2seq.generate(..., return_attention=True)[1]`` or of ``decoder.attention.weights``
        after ``forward``. For a model fed reversed questions, pass ``weights[:, ::-1]`` with the question in
        reading order.
    question_chars : str or sequence of Q strings
        The question's characters, left to right (the x axis, labelled below the map).
    answer_chars : str or sequence of A strings
        The answer's characters, top to bottom (the y axis).
    ax : Axes or None
        Where to draw; a new figure sized to the question and answer (about 7 inches wide for the 29
        characters of a ``date.txt`` question) is made when None.
    colorbar : bool, default True
        Draw a colour bar (0 to 1) beside the map.
    cmap : str, default ``"Greys_r"``
        Matplotlib colour map (the book's grey scale); the scale is fixed to [0, 1], the range of a weight.
    space : str or None, default ``"␣"``
        Label shown for a space character (padding and the gaps between words would otherwise be blank
        ticks); None keeps the space.
    title, xlabel, ylabel : str, optional
        Axes title and axis labels (``None``: none).

    Returns
    -------
    Axes
        The axes drawn on; its x tick labels are the question's characters and its y tick labels the
        answer's, one per cell.

    Raises
    ------
    ValueError
        If ``weights`` is not 2-D or its shape is not (len(answer_chars), len(question_chars)).
    """
    W = _host(weights, "weights")
    if W.ndim != 2:
        hint = "; for a batch from generate(..., return_attention=True) pass one question's weights[i]" \
            if W.ndim == 3 else ""
        raise ValueError(f"weights must be a 2-D (answer length, question length) array, got shape {W.shape}{hint}")
    xticks = _tick_chars(question_chars, "question_chars", space)
    yticks = _tick_chars(answer_chars, "answer_chars", space)
    if W.shape != (len(yticks), len(xticks)):
        raise ValueError(
            f"weights must be (len(answer_chars), len(question_chars)) = ({len(yticks)}, {len(xticks)}), got "
            f"shape {W.shape}; rows are answer characters and columns question characters (transposed?)"
        )
    A, Q = W.shape
    ax = _axes(ax, figsize=(min(max(3.0, 0.21 * Q + 1.6), 9.0), max(2.0, 0.24 * A + 1.1)))
    im = ax.imshow(W.astype(np.float64), cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto", interpolation="nearest")
    ax.set_xticks(np.arange(Q), labels=xticks, fontfamily="monospace")
    ax.set_yticks(np.arange(A), labels=yticks, fontfamily="monospace")
    ax.tick_params(length=0, labelsize="small")
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.03, pad=0.02).ax.tick_params(labelsize="small")
    if title is not None:
        ax.set_title(title)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    return ax
