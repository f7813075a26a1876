"""Appendix A: the computational graphs of sigmoid and tanh, evaluated node by node and drawn, and the numerical
checks of their derivatives.

A *chain* is a computational graph in which every node has one input and one output, the shape of the graphs
the book draws for ``y = 1 / (1 + exp(-x))``: ``n`` nodes and ``n + 1`` edges (the input edge, the edges
between nodes, the output edge). :class:`ChainGraph` holds such a graph with, for every edge, the symbolic
forward and backward values the figure shows and their formulas as functions, so that the page can evaluate the
graph node by node (:func:`evaluate_chain`) and compare every edge with the formula drawn on it.

The words the page's code shows (table headers and captions, figure legends) come from :data:`TEMPLATES`, one set
per language, through :func:`words` and :func:`header`; ``lang=None`` follows the page's language
(``SCRATCHNLP_LANG``).
"""

from __future__ import annotations

import decimal
import inspect
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..functions import sigmoid
from .wording import say, table_header

__all__ = [
    "ChainNode",
    "ChainEdge",
    "ChainGraph",
    "ChainValues",
    "sigmoid_graph",
    "tanh_graph",
    "evaluate_chain",
    "ChainLayout",
    "chain_layout",
    "draw_chain",
    "chain_figure",
    "FORWARD_COLOR",
    "BACKWARD_COLOR",
    "sigmoid_grad",
    "tanh_grad",
    "DerivativeCheck",
    "central_difference_check",
    "naive_sigmoid",
    "CaughtWarnings",
    "call_catching_warnings",
    "sigmoid_decimal",
    "largest_zero",
    "SourceLine",
    "matching_source_lines",
    "scientific",
    "TEMPLATES",
    "COLUMNS",
    "words",
    "header",
]

#: Colours of the forward and backward values in the graph figures (blue and vermilion of the Okabe-Ito
#: palette, told apart by readers with the common colour-vision deficiencies).
FORWARD_COLOR = "#0072B2"
BACKWARD_COLOR = "#D55E00"

_DL_DY = r"\dfrac{\partial L}{\partial y}"


# --------------------------------------------------------------------------------------------------------
# Graphs as data
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainNode:
    """One node of a chain: its label, its function, and its local derivative.

    ``forward(v)`` maps the node's input to its output; ``local_grad(v, out)`` is ``d out / d v``, given the
    input and the output (the ``exp`` and ``/`` nodes use the output, as the book's layers do).
    """

    label: str
    forward: Callable[[Any], Any]
    local_grad: Callable[[Any, Any], Any]


@dataclass(frozen=True)
class ChainEdge:
    """One edge of a chain: the labels drawn above (forward) and below (backward) it, and their formulas.

    ``forward_value(x)`` is the value on the edge as a function of the graph's input ``x``;
    ``backward_value(x, y, g)`` is the gradient on the edge as a function of ``x``, of the graph's output ``y``
    and of the gradient ``g = dL/dy`` arriving at the output.
    """

    forward_label: str
    backward_label: str
    forward_value: Callable[[Any], Any]
    backward_value: Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class ChainGraph:
    """A chain of ``n`` nodes and ``n + 1`` edges (input edge, edges between nodes, output edge)."""

    name: str
    nodes: tuple[ChainNode, ...]
    edges: tuple[ChainEdge, ...]

    def __post_init__(self) -> None:
        if not self.nodes:
            raise ValueError(f"the chain {self.name!r} needs at least one node")
        if len(self.edges) != len(self.nodes) + 1:
            raise ValueError(
                f"a chain of {len(self.nodes)} nodes has {len(self.nodes) + 1} edges (input, between nodes, "
                f"output), got {len(self.edges)} for {self.name!r}"
            )

    @property
    def node_labels(self) -> list[str]:
        return [node.label for node in self.nodes]

    @property
    def edge_labels(self) -> list[tuple[str, str]]:
        return [(edge.forward_label, edge.backward_label) for edge in self.edges]


def _scale(c: float, label: str) -> ChainNode:
    return ChainNode(label, lambda v: c * v, lambda v, out: np.full_like(v, c))


def _shift(c: float, label: str) -> ChainNode:
    return ChainNode(label, lambda v: v + c, lambda v, out: np.ones_like(v))


_EXP = ChainNode(r"$\exp$", np.exp, lambda v, out: out)  # d exp(v) / dv = exp(v), the output
_RECIPROCAL = ChainNode(r"$/$", lambda v: 1.0 / v, lambda v, out: -(out**2))  # d (1/v) / dv = -1/v^2 = -out^2


def sigmoid_graph() -> ChainGraph:
    """The book's graph of ``y = 1 / (1 + exp(-x))`` (appendix A.1): nodes ``×(-1)``, ``exp``, ``+1``, ``/``.

    The backward values are the book's: ``dL/dy`` on the output, ``-dL/dy y^2`` after the ``/`` node (and
    through ``+1``), ``-dL/dy y^2 exp(-x)`` after ``exp``, and ``dL/dy y^2 exp(-x) = dL/dy y (1 - y)`` on the
    input.
    """
    nodes = (_scale(-1.0, r"$\times(-1)$"), _EXP, _shift(1.0, r"$+1$"), _RECIPROCAL)
    edges = (
        ChainEdge(r"$x$", rf"${_DL_DY}\,y^2\exp(-x)$" + "\n" + rf"$={_DL_DY}\,y(1-y)$",
                  lambda x: x, lambda x, y, g: g * y**2 * np.exp(-x)),
        ChainEdge(r"$-x$", rf"$-{_DL_DY}\,y^2\exp(-x)$",
                  lambda x: -x, lambda x, y, g: -g * y**2 * np.exp(-x)),
        ChainEdge(r"$\exp(-x)$", rf"$-{_DL_DY}\,y^2$",
                  lambda x: np.exp(-x), lambda x, y, g: -g * y**2),
        ChainEdge(r"$1+\exp(-x)$", rf"$-{_DL_DY}\,y^2$",
                  lambda x: 1.0 + np.exp(-x), lambda x, y, g: -g * y**2),
        ChainEdge(r"$y$", rf"${_DL_DY}$", lambda x: 1.0 / (1.0 + np.exp(-x)), lambda x, y, g: g * np.ones_like(x)),
    )
    return ChainGraph("sigmoid", nodes, edges)


def tanh_graph() -> ChainGraph:
    """A chain for ``y = tanh(x)`` written as ``1 - 2 / (1 + exp(2x))`` (appendix A.2).

    That is the book's definition ``(exp(x) - exp(-x)) / (exp(x) + exp(-x))`` with numerator and denominator
    multiplied by ``exp(x)``, so the graph uses the node types of the sigmoid's graph: ``×2``, ``exp``, ``+1``,
    ``/``, ``×(-2)``, ``+1``. With ``u = 1 + exp(2x)`` the gradient on the input is
    ``dL/dy 4 exp(2x) / u^2 = dL/dy (1 - y^2)``.
    """
    nodes = (_scale(2.0, r"$\times 2$"), _EXP, _shift(1.0, r"$+1$"), _RECIPROCAL, _scale(-2.0, r"$\times(-2)$"),
             _shift(1.0, r"$+1$"))

    def u(x: Any) -> Any:
        return 1.0 + np.exp(2.0 * x)

    edges = (
        ChainEdge(r"$x$", rf"$\dfrac{{4\exp(2x)}}{{u^2}}{_DL_DY}$" + "\n" + rf"$=(1-y^2){_DL_DY}$",
                  lambda x: x, lambda x, y, g: 4.0 * g * np.exp(2.0 * x) / u(x) ** 2),
        ChainEdge(r"$2x$", rf"$\dfrac{{2\exp(2x)}}{{u^2}}{_DL_DY}$",
                  lambda x: 2.0 * x, lambda x, y, g: 2.0 * g * np.exp(2.0 * x) / u(x) ** 2),
        ChainEdge(r"$\exp(2x)$", rf"$\dfrac{{2}}{{u^2}}{_DL_DY}$",
                  lambda x: np.exp(2.0 * x), lambda x, y, g: 2.0 * g / u(x) ** 2),
        ChainEdge(r"$u=1+\exp(2x)$", rf"$\dfrac{{2}}{{u^2}}{_DL_DY}$",
                  u, lambda x, y, g: 2.0 * g / u(x) ** 2),
        ChainEdge(r"$1/u$", rf"$-2{_DL_DY}$", lambda x: 1.0 / u(x), lambda x, y, g: -2.0 * g * np.ones_like(x)),
        ChainEdge(r"$-2/u$", rf"${_DL_DY}$", lambda x: -2.0 / u(x), lambda x, y, g: g * np.ones_like(x)),
        ChainEdge(r"$y$", rf"${_DL_DY}$", lambda x: 1.0 - 2.0 / u(x), lambda x, y, g: g * np.ones_like(x)),
    )
    return ChainGraph("tanh", nodes, edges)


@dataclass(frozen=True)
class ChainValues:
    """A chain evaluated at ``x``: every edge's value, forward and backward, node by node and by formula.

    Each tuple has one entry per edge, input edge first; entries have ``x``'s shape. ``forward`` and
    ``backward`` come from running the nodes (forward pass storing each node's output, backward pass
    multiplying the local derivatives from the output edge back to the input); ``forward_formula`` and
    ``backward_formula`` from the symbolic values drawn on the edges.
    """

    x: Any
    dout: float
    forward: tuple[Any, ...]
    backward: tuple[Any, ...]
    forward_formula: tuple[Any, ...]
    backward_formula: tuple[Any, ...]

    @property
    def y(self) -> Any:
        """The output of the chain."""
        return self.forward[-1]

    @property
    def dx(self) -> Any:
        """``dL/dx``: the backward value on the input edge."""
        return self.backward[0]

    def max_formula_gap(self) -> float:
        """The largest relative difference between a node-by-node value and its formula, over all edges."""
        gaps = [
            np.max(np.abs(a - b) / np.maximum(np.abs(b), np.finfo(np.float64).tiny))
            for a, b in zip(self.forward + self.backward, self.forward_formula + self.backward_formula)
        ]
        return float(max(gaps))


def evaluate_chain(graph: ChainGraph, x: Any, dout: float = 1.0) -> ChainValues:
    """Run a chain forward and backward at ``x`` (a float or a float64 array, evaluated element by element).

    Parameters
    ----------
    graph : the chain (:func:`sigmoid_graph`, :func:`tanh_graph`)
    x : input value(s); converted to float64
    dout : the gradient ``dL/dy`` arriving at the output edge

    Returns
    -------
    ChainValues
    """
    if not isinstance(graph, ChainGraph):
        raise TypeError(f"graph must be a ChainGraph, got {type(graph).__name__}")
    x = np.asarray(x, dtype=np.float64)
    values = [x]
    for node in graph.nodes:  # forward: store what each node outputs
        values.append(node.forward(values[-1]))
    grads = [np.full_like(x, float(dout))]
    for k in range(len(graph.nodes) - 1, -1, -1):  # backward: multiply by each node's local derivative
        grads.append(grads[-1] * graph.nodes[k].local_grad(values[k], values[k + 1]))
    grads.reverse()
    y = values[-1]
    return ChainValues(
        x=x,
        dout=float(dout),
        forward=tuple(values),
        backward=tuple(grads),
        forward_formula=tuple(np.asarray(e.forward_value(x), dtype=np.float64) for e in graph.edges),
        backward_formula=tuple(np.asarray(e.backward_value(x, y, float(dout)), dtype=np.float64)
                               for e in graph.edges),
    )


# --------------------------------------------------------------------------------------------------------
# Drawing a chain
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainLayout:
    """Where :func:`draw_chain` puts a chain, in inches from the top-left corner (y grows downwards).

    ``rows`` lists the node indices of each row; ``node_x`` / ``node_y`` are node centres; ``edge_spans`` gives
    for every edge the (x_start, x_end, y) of its labelled horizontal segment; ``channels`` the height of the line
    that joins each row to the next (one fewer than rows); ``width`` and ``height`` are the drawing's size.
    """

    rows: tuple[tuple[int, ...], ...]
    radius: float
    node_x: tuple[float, ...]
    node_y: tuple[float, ...]
    edge_spans: tuple[tuple[float, float, float], ...]
    channels: tuple[float, ...]
    width: float
    height: float


_MARGIN = 0.08  # inches around the drawing
_LABEL_PAD = 0.08  # inches left and right of an edge label
_LABEL_GAP = 0.05  # inches between an edge and its labels
_STUB = 0.14  # inches of line after a row's last node before it turns down
_CHANNEL = 0.16  # inches between rows for the line that joins them
_MIN_EDGE = 0.45  # inches: the shortest edge


def _text_sizes(labels: Sequence[str], fontsize: float) -> list[tuple[float, float]]:
    """(width, height) in inches of each label as Matplotlib renders it at ``fontsize`` points."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    fig = Figure(dpi=72)  # a throwaway figure: one pixel is one point
    renderer = FigureCanvasAgg(fig).get_renderer()
    sizes = []
    for label in labels:
        t = fig.text(0, 0, label, fontsize=fontsize, ha="center", va="center", multialignment="center")
        box = t.get_window_extent(renderer)
        sizes.append((box.width / 72.0, box.height / 72.0))
        t.remove()
    return sizes


def _split_rows(n: int, n_rows: int) -> tuple[tuple[int, ...], ...]:
    """Node indices 0..n-1 in ``n_rows`` rows, as even as possible (longer rows first)."""
    base, extra = divmod(n, n_rows)
    rows, start = [], 0
    for r in range(n_rows):
        size = base + (1 if r < extra else 0)
        rows.append(tuple(range(start, start + size)))
        start += size
    return tuple(rows)


def _check_labels(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> None:
    if isinstance(nodes, str) or not all(isinstance(s, str) for s in nodes) or len(nodes) == 0:
        raise TypeError(f"nodes must be a non-empty sequence of label strings, got {nodes!r}")
    if len(edges) != len(nodes) + 1:
        raise ValueError(
            f"a chain of {len(nodes)} nodes needs {len(nodes) + 1} edges (input, between nodes, output), "
            f"got {len(edges)}"
        )
    for k, edge in enumerate(edges):
        if not (isinstance(edge, (tuple, list)) and len(edge) == 2 and all(isinstance(s, str) for s in edge)):
            raise TypeError(f"edge {k} must be a (forward label, backward label) pair of strings, got {edge!r}")


def chain_layout(nodes: Sequence[str], edges: Sequence[tuple[str, str]], *, width: float = 6.4,
                 fontsize: float = 10.0, n_rows: int | None = None) -> ChainLayout:
    """Place a chain's nodes and edges in rows no wider than ``width`` inches, text at ``fontsize`` points.

    Each edge gets a horizontal segment long enough for its forward label (above) and backward label (below).
    A row that does not end the chain is joined to the next by a line that turns down after its last node and
    runs back to the left margin, where the next row's first edge starts: the edge between the two nodes is one
    line, labelled on its horizontal part in the lower row.

    Parameters
    ----------
    nodes : labels of the n nodes, in order (Matplotlib text; ``$...$`` for math)
    edges : n + 1 pairs (forward label, backward label): the input edge, the edges between nodes, the output
    width : the widest the drawing may be, in inches
    fontsize : text size in points; it is never reduced to fit (rows are added instead)
    n_rows : number of rows; None: the fewest that fit in ``width``

    Returns
    -------
    ChainLayout

    Raises
    ------
    ValueError
        When the chain does not fit in ``width`` even with the requested (or the largest) number of rows.
    """
    _check_labels(nodes, edges)
    if not width > 0 or not fontsize > 0:
        raise ValueError(f"width and fontsize must be positive, got width={width!r}, fontsize={fontsize!r}")
    n = len(nodes)
    node_sizes = _text_sizes(nodes, fontsize)
    forward_sizes = _text_sizes([e[0] for e in edges], fontsize)
    backward_sizes = _text_sizes([e[1] for e in edges], fontsize)
    radius = max(0.2, max(w for w, _ in node_sizes) / 2 + 0.07, max(h for _, h in node_sizes) / 2 + 0.07)
    edge_len = [max(_MIN_EDGE, max(f[0], b[0]) + 2 * _LABEL_PAD) for f, b in zip(forward_sizes, backward_sizes)]

    def row_width(row: tuple[int, ...]) -> float:
        w = sum(edge_len[k] + 2 * radius for k in row)  # each node with the edge coming into it
        return w + (edge_len[n] if row[-1] == n - 1 else _STUB)  # the output edge, or the turn to the next row

    candidates = [n_rows] if n_rows is not None else list(range(1, n + 1))
    if n_rows is not None and (isinstance(n_rows, bool) or not isinstance(n_rows, int) or not 1 <= n_rows <= n):
        raise ValueError(f"n_rows must be an int from 1 to the number of nodes ({n}), got {n_rows!r}")
    for k in candidates:
        rows = _split_rows(n, k)
        needed = max(row_width(r) for r in rows) + 2 * _MARGIN
        if needed <= width:
            break
    else:
        raise ValueError(
            f"the chain needs {needed:.2f} inches at {fontsize} pt in {len(rows)} rows, more than width={width}; "
            "allow more rows, a wider drawing or shorter labels"
        )
    node_x, node_y, spans = [0.0] * n, [0.0] * n, [(0.0, 0.0, 0.0)] * (n + 1)
    channels = []
    top = _MARGIN
    for row in rows:
        row_edges = list(row) + ([n] if row[-1] == n - 1 else [])  # edges drawn in this row
        above = max(radius, _LABEL_GAP + max(forward_sizes[k][1] for k in row_edges))
        below = max(radius, _LABEL_GAP + max(backward_sizes[k][1] for k in row_edges))
        y = top + above
        x = _MARGIN
        for k in row:
            spans[k] = (x, x + edge_len[k], y)
            x += edge_len[k] + radius
            node_x[k], node_y[k] = x, y
            x += radius
        if row[-1] == n - 1:
            spans[n] = (x, x + edge_len[n], y)
            top = y + below
        else:
            channels.append(y + below + _CHANNEL / 2)
            top = y + below + _CHANNEL
    height = top + _MARGIN
    return ChainLayout(rows=rows, radius=radius, node_x=tuple(node_x), node_y=tuple(node_y),
                       edge_spans=tuple(spans), channels=tuple(channels), width=needed, height=height)


def draw_chain(ax: Any, nodes: Sequence[str], edges: Sequence[tuple[str, str]], *, width: float = 6.4,
               fontsize: float = 10.0, n_rows: int | None = None, forward_color: str = FORWARD_COLOR,
               backward_color: str = BACKWARD_COLOR) -> ChainLayout:
    """Draw a chain on ``ax``: circles for the nodes, arrows for the edges, forward values above the arrows and
    backward values below them in a second colour (see :func:`chain_layout` for the arguments).

    The axes get equal aspect and limits in inches, so the text keeps its size only if the axes are
    ``layout.width`` by ``layout.height`` inches: :func:`chain_figure` makes such a figure.
    """
    from matplotlib.patches import Circle, FancyArrowPatch  # noqa: PLC0415

    layout = chain_layout(nodes, edges, width=width, fontsize=fontsize, n_rows=n_rows)
    r = layout.radius
    line = {"color": "black", "lw": 1.1}
    for (x0, x1, y), (fwd, bwd) in zip(layout.edge_spans, edges):
        ax.add_patch(FancyArrowPatch((x0, y), (x1, y), arrowstyle="-|>", mutation_scale=11, shrinkA=0, shrinkB=0,
                                     **line))
        xm = (x0 + x1) / 2
        ax.text(xm, y - _LABEL_GAP, fwd, color=forward_color, fontsize=fontsize, ha="center", va="bottom",
                multialignment="center")
        ax.text(xm, y + _LABEL_GAP, bwd, color=backward_color, fontsize=fontsize, ha="center", va="top",
                multialignment="center")
    for row, channel in zip(layout.rows[1:], layout.channels):  # join each row to the one above it
        k = row[0]  # the edge into this row's first node starts at the last node of the row above
        xa, ya = layout.node_x[k - 1] + r, layout.node_y[k - 1]
        x0, _, y = layout.edge_spans[k]
        ax.plot([xa, xa + _STUB, xa + _STUB, x0, x0], [ya, ya, channel, channel, y], solid_joinstyle="round",
                solid_capstyle="butt", **line)
    for label, x, y in zip(nodes, layout.node_x, layout.node_y):
        ax.add_patch(Circle((x, y), r, facecolor="white", edgecolor="black", lw=1.2, zorder=3))
        ax.text(x, y, label, fontsize=fontsize, ha="center", va="center", zorder=4)
    ax.set_xlim(0, layout.width)
    ax.set_ylim(layout.height, 0)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return layout


def chain_figure(nodes: Sequence[str], edges: Sequence[tuple[str, str]], *, width: float = 6.4,
                 fontsize: float = 10.0, n_rows: int | None = None) -> Any:
    """A pyplot figure ``width`` inches wide holding :func:`draw_chain`'s drawing at its natural size."""
    import matplotlib.pyplot as plt  # noqa: PLC0415

    layout = chain_layout(nodes, edges, width=width, fontsize=fontsize, n_rows=n_rows)
    fig = plt.figure(figsize=(layout.width, layout.height))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    draw_chain(ax, nodes, edges, width=width, fontsize=fontsize, n_rows=len(layout.rows))
    return fig


# --------------------------------------------------------------------------------------------------------
# The closed forms, and numerical checks of them
# --------------------------------------------------------------------------------------------------------


def sigmoid_grad(x: Any) -> Any:
    """The closed form ``y (1 - y)`` of the sigmoid's derivative, with ``y`` = the library's ``sigmoid(x)``."""
    y = sigmoid(x)
    return y * (1 - y)


def tanh_grad(x: Any) -> Any:
    """The closed form ``1 - y^2`` of tanh's derivative, with ``y = tanh(x)``."""
    y = np.tanh(x)
    return 1 - y**2


@dataclass(frozen=True)
class DerivativeCheck:
    """A closed-form derivative against central differences on a grid (all errors in float64).

    ``max_abs_error`` is the largest ``|numerical - closed|`` and ``x_at_max_abs`` where it occurs;
    ``max_rel_error`` the largest ``|numerical - closed| / |closed|`` over the ``n_rel_points`` points where
    ``|closed| >= rel_floor`` (None when there are none), and ``x_at_max_rel`` where it occurs.
    ``smallest_derivative`` is the smallest ``|closed|`` on the grid.
    """

    step: float
    n_points: int
    x_min: float
    x_max: float
    max_abs_error: float
    x_at_max_abs: float
    rel_floor: float
    n_rel_points: int
    max_rel_error: float | None
    x_at_max_rel: float | None
    smallest_derivative: float


def central_difference_check(f: Callable[[Any], Any], derivative: Callable[[Any], Any], x: Any, *,
                             step: float = 1e-5, rel_floor: float = 1e-8) -> DerivativeCheck:
    """Compare ``derivative(x)`` with the central difference ``(f(x + step) - f(x - step)) / (2 step)``.

    Parameters
    ----------
    f : the function, applied element by element to a float64 array
    derivative : its closed-form derivative, same convention
    x : (n,) float64 grid, not empty
    step : the finite-difference step (1e-5 balances truncation, of order step², against rounding, of order
        1e-16 / step, for functions of size about 1)
    rel_floor : relative errors are taken only where ``|derivative| >= rel_floor``: below that the two values of
        ``f`` differ in their last bits only, and a difference quotient has no relative accuracy left

    Returns
    -------
    DerivativeCheck
    """
    if not hasattr(x, "dtype") or x.dtype != np.float64 or x.ndim != 1 or x.size == 0:
        raise TypeError(f"x must be a non-empty 1-D float64 NumPy array, got {x!r:.80}")
    if not (step > 0 and rel_floor > 0):
        raise ValueError(f"step and rel_floor must be positive, got step={step!r}, rel_floor={rel_floor!r}")
    numerical = (np.asarray(f(x + step), dtype=np.float64) - np.asarray(f(x - step), dtype=np.float64)) / (2 * step)
    closed = np.asarray(derivative(x), dtype=np.float64)
    abs_err = np.abs(numerical - closed)
    i = int(np.argmax(abs_err))
    keep = np.abs(closed) >= rel_floor
    if keep.any():
        rel = np.where(keep, abs_err / np.where(keep, np.abs(closed), 1.0), -1.0)
        j = int(np.argmax(rel))
        max_rel, x_rel = float(rel[j]), float(x[j])
    else:
        max_rel, x_rel = None, None
    return DerivativeCheck(step=float(step), n_points=int(x.size), x_min=float(x.min()), x_max=float(x.max()),
                           max_abs_error=float(abs_err[i]), x_at_max_abs=float(x[i]), rel_floor=float(rel_floor),
                           n_rel_points=int(keep.sum()), max_rel_error=max_rel, x_at_max_rel=x_rel,
                           smallest_derivative=float(np.abs(closed).min()))


# --------------------------------------------------------------------------------------------------------
# Large |x|
# --------------------------------------------------------------------------------------------------------


def naive_sigmoid(x: Any) -> Any:
    """``1 / (1 + exp(-x))`` written as it reads, in ``x``'s dtype: ``exp(-x)`` overflows for large negative
    ``x`` (below about -88.7 in float32 and -709.8 in float64). The page compares it with the library's."""
    return 1 / (1 + np.exp(-x))


@dataclass(frozen=True)
class CaughtWarnings:
    """What a call returned and the warnings it raised (category names and messages, in order)."""

    value: Any
    categories: tuple[str, ...]
    messages: tuple[str, ...]

    @property
    def warned(self) -> bool:
        return bool(self.messages)


def call_catching_warnings(fn: Callable[..., Any], *args: Any) -> CaughtWarnings:
    """Call ``fn(*args)`` and record every warning it raises instead of printing it (NumPy's floating-point
    warnings included: they are switched to ``warn`` for the call, whatever ``numpy.errstate`` says around it)."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
        warnings.simplefilter("always")
        value = fn(*args)
    return CaughtWarnings(value=value, categories=tuple(w.category.__name__ for w in caught),
                          messages=tuple(str(w.message) for w in caught))


def sigmoid_decimal(x: float, digits: int = 40) -> decimal.Decimal:
    """``1 / (1 + exp(-x))`` in decimal arithmetic with ``digits`` significant digits: a reference that neither
    overflows nor rounds to 0 or 1 (``exp`` of a Decimal has an exponent range far beyond float64's)."""
    if isinstance(x, bool) or not isinstance(x, (int, float, np.floating, np.integer)) or not np.isfinite(x):
        raise TypeError(f"x must be a finite real number, got {x!r}")
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise ValueError(f"digits must be a positive int, got {digits!r}")
    with decimal.localcontext() as ctx:
        ctx.prec = digits
        ctx.Emin, ctx.Emax = -999_999, 999_999
        return +(1 / (1 + (-decimal.Decimal(float(x))).exp()))


def largest_zero(fn: Callable[[Any], Any], dtype: Any, lo: float = -1000.0, hi: float = 0.0) -> float:
    """The largest ``x`` in ``[lo, hi]`` (of ``dtype``) at which the increasing function ``fn`` returns exactly 0.

    Found by bisection on the floats of ``dtype`` (every float between is tried in the end); ``fn(lo)`` must be 0
    and ``fn(hi)`` positive.
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a float type, got {dtype}")
    a, b = dtype.type(lo), dtype.type(hi)
    if not (fn(a) == 0 and fn(b) > 0):
        raise ValueError(f"fn must be 0 at lo={lo} and positive at hi={hi} in {dtype}")
    while np.nextafter(a, b) != b:  # invariant: fn(a) == 0 < fn(b)
        mid = dtype.type(a / 2 + b / 2)
        if mid in (a, b):
            mid = np.nextafter(a, b)
        if fn(mid) == 0:
            a = mid
        else:
            b = mid
    return float(a)


# --------------------------------------------------------------------------------------------------------
# Where the library uses the derivatives
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceLine:
    """One line of the library's source: its file (relative to the installed package's folder, e.g.
    ``scratchnlp/layers/basic.py``), its line number in that file, and its text without indentation."""

    path: str
    lineno: int
    text: str


def matching_source_lines(obj: Any, pattern: str) -> list[SourceLine]:
    """The lines of ``obj``'s source (a function, method or class of the library) that match the regular
    expression ``pattern`` (``re.search``), with their file and line numbers.

    A line is searched and returned whole, its trailing comment included (the comments name the derivative a
    line computes); lines that are only a comment are skipped, so every line found is code.
    """
    import scratchnlp  # noqa: PLC0415

    try:
        lines, start = inspect.getsourcelines(obj)
        source_file = Path(inspect.getsourcefile(obj) or "")
    except (TypeError, OSError) as exc:
        raise TypeError(f"need a function, method or class with source, got {obj!r}") from exc
    package_root = Path(scratchnlp.__file__).resolve().parent.parent
    try:
        path = source_file.resolve().relative_to(package_root).as_posix()
    except ValueError:
        path = source_file.name
    regex = re.compile(pattern)
    found = []
    for offset, line in enumerate(lines):
        text = line.strip()
        if text and not text.startswith("#") and regex.search(text):
            found.append(SourceLine(path, start + offset, text))
    return found


def scientific(value: Any, digits: int = 3) -> str:
    """``value`` (a float, NumPy float or Decimal) in scientific notation with ``digits`` digits after the point,
    the same way for all three (``2.061e-9``, ``5.076e-435``), and ``0`` for zero."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, decimal.Decimal)):
        raise TypeError(f"value must be a real number or a Decimal, got {value!r}")
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 0:
        raise ValueError(f"digits must be a non-negative int, got {digits!r}")
    d = value if isinstance(value, decimal.Decimal) else decimal.Decimal(float(value))
    if not d.is_finite():
        return str(float(d))
    return "0" if d == 0 else f"{d:.{digits}e}"


# --------------------------------------------------------------------------------------------------------
# Wording (one template set per language)
# --------------------------------------------------------------------------------------------------------

#: The words of appendix A that its code produces (table headers and captions, figure legends), by language.
#: Keys ``"<table>.<column>"`` are the column headers of the tables listed in :data:`COLUMNS`. A figure label
#: filled from here takes its formulas as plain text (``"1 − y²"``), not mathtext: Matplotlib draws a label that
#: contains ``$...$`` wholly with its math fonts, which have no Hangul.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "values.edge": "edge",
        "values.forward": "forward value",
        "values.drawn": "gradient drawn",
        "values.node_by_node": "gradient, node by node",
        "values.formula": "gradient, from the drawn formula",
        "values.caption": "The sigmoid's graph evaluated at x = {x0} with dL/dy = 1, edge by edge from the input to "
                          "the output: the forward value, the gradient the figure shows, and that gradient computed "
                          "node by node and from its formula.",
        "check.function": "function",
        "check.band": "|x|",
        "check.abs": "largest absolute error",
        "check.rel": "largest relative error",
        "check.smallest": "smallest derivative",
        "check.caption": "Closed-form derivatives against central differences (step {step:g}, float64), by band of "
                         "|x|, {points:,} points per band. Relative errors are taken where the closed form is at "
                         "least {floor:g} (none is, where the cell says —); the last column is the smallest "
                         "value of the closed form in the band.",
        "large.dtype": "dtype",
        "large.x": "x",
        "large.exact": "exact σ(x)",
        "large.naive": "1 / (1 + exp(−x))",
        "large.warning": "warning",
        "large.library": "library sigmoid(x)",
        "large.none": "none",
        "large.caption": "The sigmoid of large negative inputs: the exact value (computed in decimal arithmetic), "
                         "the formula written as it reads, the warnings NumPy raised while computing it, and the "
                         "library's sigmoid, which raised none.",
        "usage.layer": "layer",
        "usage.where": "file and line",
        "usage.code": "code",
        "usage.caption": "Lines of the library's backward passes that apply the sigmoid's derivative y(1 − y) or "
                         "tanh's 1 − y², found in its source when this page was built.",
        "figure.derivative": "derivative {formula}",
        "figure.central": "central difference",
    },
    "ko": {
        "values.edge": "에지",
        "values.forward": "순전파 값",
        "values.drawn": "그림의 기울기",
        "values.node_by_node": "기울기(노드별 계산)",
        "values.formula": "기울기(그림의 식)",
        "values.caption": "x = {x0}, dL/dy = 1에서 평가한 시그모이드의 계산 그래프. 입력 쪽 에지부터 출력 쪽 "
                          "에지까지 차례로 순전파 값, 그림에 적힌 기울기, 그 기울기를 노드별로 계산한 값과 그림의 "
                          "식으로 계산한 값이다.",
        "check.function": "함수",
        "check.band": "|x|",
        "check.abs": "최대 절대 오차",
        "check.rel": "최대 상대 오차",
        "check.smallest": "최소 미분값",
        "check.caption": "닫힌 형식의 미분과 중심 차분(간격 {step:g}, float64)의 비교. |x|의 구간마다 {points:,}개 "
                         "점에서 계산했다. 상대 오차는 닫힌 형식의 값이 {floor:g} 이상인 점에서만 구했다(그런 점이 "
                         "없는 칸은 —). 마지막 열은 구간에서 닫힌 형식이 갖는 가장 작은 값이다.",
        "large.dtype": "dtype",
        "large.x": "x",
        "large.exact": "정확한 σ(x)",
        "large.naive": "1 / (1 + exp(−x))",
        "large.warning": "경고",
        "large.library": "라이브러리의 sigmoid(x)",
        "large.none": "없음",
        "large.caption": "큰 음수 입력에 대한 시그모이드. 정확한 값(십진 연산으로 계산), 식을 쓰인 그대로 계산한 "
                         "값, 그 계산 중에 NumPy가 낸 경고, 그리고 경고를 하나도 내지 않은 라이브러리의 sigmoid "
                         "값이다.",
        "usage.layer": "계층",
        "usage.where": "파일과 행",
        "usage.code": "코드",
        "usage.caption": "라이브러리의 역전파 코드 가운데 시그모이드의 미분 y(1 − y)나 tanh의 미분 1 − y²를 "
                         "적용하는 행. 이 페이지를 빌드할 때 라이브러리의 소스에서 찾았다.",
        "figure.derivative": "미분 {formula}",
        "figure.central": "중심 차분",
    },
}

#: The columns of the page's tables, in order: their headers are the ``"<table>.<column>"`` templates.
COLUMNS: dict[str, tuple[str, ...]] = {
    "values": ("edge", "forward", "drawn", "node_by_node", "formula"),
    "check": ("function", "band", "abs", "rel", "smallest"),
    "large": ("dtype", "x", "exact", "naive", "warning", "library"),
    "usage": ("layer", "where", "code"),
}


def words(key: str, lang: str | None = None, **values: Any) -> str:
    """The page's wording ``key`` from :data:`TEMPLATES` with ``values`` filled in (``str.format``);
    ``lang=None``: the page's language (``SCRATCHNLP_LANG``, see :func:`scratchnlp._site.wording.page_language`).

    Raises
    ------
    ValueError
        When there is no wording ``key`` in ``lang``.
    """
    return say(TEMPLATES, key, lang, **values)


def header(table: str, lang: str | None = None) -> list[str]:
    """The column headers of one of the page's tables (a key of :data:`COLUMNS`) in ``lang``.

    Raises
    ------
    ValueError
        When ``table`` is not one of :data:`COLUMNS`.
    """
    return table_header(TEMPLATES, COLUMNS, table, lang)
