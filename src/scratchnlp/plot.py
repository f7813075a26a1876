"""The figures the companion site draws: loss curves, the spiral data and decision regions of chapter 1,
co-occurrence / PPMI heatmaps and word-vector scatter plots of chapter 2, and attention maps of chapter 8.

Every function draws on a Matplotlib :class:`~matplotlib.axes.Axes` passed as ``ax`` and returns it, so a page
can put several plots side by side; with ``ax=None`` a new figure and axes are created. Only Matplotlib's object
API is used (pyplot is imported lazily, and only to create a figure), and CuPy inputs are copied to the host
first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


def spiral_scatter(ax: Any, x: Any, t: Any, *, markersize: float = 25.0) -> Any:
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
            label=f"class {int(c)}",
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
    ax.set_xlabel("component 1")
    ax.set_ylabel("component 2")
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
    ax.loglog(ranks, c, marker=".", markersize=3, linewidth=1.0, label="words")
    if fit:
        s, amplitude = zipf_fit(counts, n_points=n_points)
        label = f"Zipf fit: $f \\propto r^{{-{s:.2f}}}$"
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
    ax.set_xlabel("rank $r$ (1 = most frequent)")
    ax.set_ylabel("count $f(r)$")
    ax.grid(True, which="major", alpha=0.3)
    return ax
