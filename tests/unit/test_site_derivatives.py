"""Appendix A's helpers: the sigmoid and tanh chains (values, drawing), the derivative checks, large |x|."""

import decimal
import inspect
import itertools
import math
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402

from scratchnlp._site import derivatives  # noqa: E402
from scratchnlp.functions import sigmoid  # noqa: E402
from scratchnlp.layers import Sigmoid  # noqa: E402

GRID = np.linspace(-20, 20, 801)


def _reference_sigmoid(x):
    """Exact in float64 on both sides: exp of a non-positive number only."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


# --- the chains as data --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "graph, reference", [(derivatives.sigmoid_graph(), _reference_sigmoid), (derivatives.tanh_graph(), np.tanh)],
    ids=["sigmoid", "tanh"],
)
def test_chain_computes_the_function_and_its_derivative(graph, reference):
    values = derivatives.evaluate_chain(graph, GRID)
    np.testing.assert_allclose(values.y, reference(GRID), rtol=1e-12, atol=1e-15)
    # the backward pass against central differences of an independent implementation of the function
    np.testing.assert_allclose(values.dx, _central(reference, GRID), rtol=0, atol=1e-9)
    assert len(values.forward) == len(values.backward) == len(graph.nodes) + 1


@pytest.mark.parametrize("graph", [derivatives.sigmoid_graph(), derivatives.tanh_graph()], ids=lambda g: g.name)
def test_the_formulas_drawn_on_the_edges_are_the_node_by_node_values(graph):
    values = derivatives.evaluate_chain(graph, GRID, dout=-1.7)
    assert values.max_formula_gap() < 1e-11
    for k, (node, out) in enumerate(zip(graph.nodes, values.forward[1:])):
        np.testing.assert_allclose(node.forward(values.forward[k]), out)


@pytest.mark.parametrize("graph, closed", [
    (derivatives.sigmoid_graph(), lambda y: y * (1 - y)),
    (derivatives.tanh_graph(), lambda y: 1 - y**2),
], ids=["sigmoid", "tanh"])
def test_the_input_gradient_is_the_closed_form_times_dout(graph, closed):
    values = derivatives.evaluate_chain(graph, GRID, dout=2.5)
    np.testing.assert_allclose(values.dx, 2.5 * closed(values.y), rtol=0, atol=1e-14)
    assert values.dout == 2.5


def test_a_wrong_local_derivative_is_caught_by_the_formulas_and_by_differences():
    good = derivatives.sigmoid_graph()
    wrong_reciprocal = derivatives.ChainNode("/", lambda v: 1 / v, lambda v, out: out**2)  # sign lost
    broken = derivatives.ChainGraph("broken", good.nodes[:3] + (wrong_reciprocal,), good.edges)
    values = derivatives.evaluate_chain(broken, GRID)
    assert values.max_formula_gap() > 0.5
    assert np.abs(values.dx - _central(_reference_sigmoid, GRID)).max() > 0.1


def test_scalar_input_gives_scalar_values():
    values = derivatives.evaluate_chain(derivatives.sigmoid_graph(), 0.0)
    assert values.y.shape == () and float(values.y) == 0.5 and float(values.dx) == 0.25


def test_chain_graph_and_evaluation_refuse_bad_input():
    g = derivatives.sigmoid_graph()
    with pytest.raises(ValueError, match="5 edges"):
        derivatives.ChainGraph("short", g.nodes, g.edges[:3])
    with pytest.raises(ValueError, match="at least one node"):
        derivatives.ChainGraph("empty", (), ())
    with pytest.raises(TypeError, match="ChainGraph"):
        derivatives.evaluate_chain([1, 2], 0.0)


# --- drawing -------------------------------------------------------------------------------------------------


def _labels(graph):
    return graph.node_labels, graph.edge_labels


def test_layout_fits_the_width_and_wraps_when_it_must():
    nodes, edges = _labels(derivatives.tanh_graph())
    wide = derivatives.chain_layout(nodes, edges, width=20.0, fontsize=10)
    narrow = derivatives.chain_layout(nodes, edges, width=5.0, fontsize=10)
    assert len(wide.rows) == 1 and wide.width <= 20.0
    assert len(narrow.rows) > 1 and narrow.width <= 5.0
    assert list(itertools.chain(*narrow.rows)) == list(range(len(nodes)))
    assert len(narrow.channels) == len(narrow.rows) - 1
    # rows go down the page, and the joining line runs between them
    row_y = [narrow.node_y[row[0]] for row in narrow.rows]
    assert all(a < c < b for a, c, b in zip(row_y, narrow.channels, row_y[1:]))
    # every edge ends at a node's circle (or at the end of the chain) and starts after the previous node
    r = narrow.radius
    for k, (x0, x1, y) in enumerate(narrow.edge_spans[:-1]):
        assert x1 == pytest.approx(narrow.node_x[k] - r) and y == narrow.node_y[k]
        assert x1 - x0 >= 0.45
    x0, _, _ = narrow.edge_spans[-1]
    assert x0 == pytest.approx(narrow.node_x[-1] + r)


def test_layout_refuses_what_cannot_fit_and_bad_arguments():
    nodes, edges = _labels(derivatives.sigmoid_graph())
    with pytest.raises(ValueError, match="more than width"):
        derivatives.chain_layout(nodes, edges, width=1.0)
    with pytest.raises(ValueError, match="more than width"):
        derivatives.chain_layout(nodes, edges, width=5.0, n_rows=1, fontsize=14)
    with pytest.raises(ValueError, match="n_rows"):
        derivatives.chain_layout(nodes, edges, n_rows=9)
    with pytest.raises(ValueError, match="5 edges"):
        derivatives.chain_layout(nodes, edges[:-1])
    with pytest.raises(TypeError, match="label strings"):
        derivatives.chain_layout("abc", edges)
    with pytest.raises(TypeError, match="edge 2"):
        derivatives.chain_layout(nodes, edges[:2] + [("only one",)] + edges[3:])
    with pytest.raises(ValueError, match="positive"):
        derivatives.chain_layout(nodes, edges, fontsize=0)


@pytest.mark.parametrize("graph", [derivatives.sigmoid_graph(), derivatives.tanh_graph()], ids=lambda g: g.name)
def test_chain_figure_draws_every_node_and_label_without_overlaps(graph):
    nodes, edges = _labels(graph)
    fig = derivatives.chain_figure(nodes, edges, width=6.4, fontsize=11)
    try:
        width, height = fig.get_size_inches()
        assert width <= 6.4
        ax = fig.axes[0]
        circles = [p for p in ax.patches if isinstance(p, Circle)]
        assert len(circles) == len(nodes)
        texts = ax.texts
        assert len(texts) == len(nodes) + 2 * len(edges)
        assert all(t.get_fontsize() >= 9 for t in texts)
        shown = {t.get_text() for t in texts}
        assert set(nodes) <= shown and {f for f, _ in edges} <= shown and {b for _, b in edges} <= shown
        colors = {t.get_text(): t.get_color() for t in texts}
        assert colors[edges[1][0]] == derivatives.FORWARD_COLOR and colors[edges[1][1]] == derivatives.BACKWARD_COLOR
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        boxes = [t.get_window_extent(renderer) for t in texts]
        page = fig.bbox
        for box in boxes:  # inside the figure
            assert box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1 and box.y0 >= page.y0 - 1 and box.y1 <= page.y1 + 1
        node_boxes = boxes[len(edges) * 2:]  # node labels are drawn last
        edge_boxes = boxes[:len(edges) * 2]
        for a, b in itertools.combinations(edge_boxes, 2):  # no two edge labels overlap
            assert not a.overlaps(b.shrunk(0.98, 0.98)), (a, b)
        for a, b in itertools.product(edge_boxes, node_boxes):  # and none covers a node's label
            assert not a.overlaps(b), (a, b)
    finally:
        plt.close(fig)


def test_draw_chain_on_given_axes_sets_inch_limits():
    nodes, edges = _labels(derivatives.sigmoid_graph())
    fig, ax = plt.subplots()
    try:
        layout = derivatives.draw_chain(ax, nodes, edges, width=6.0, fontsize=10, n_rows=2)
        assert ax.get_xlim() == (0.0, layout.width) and ax.get_ylim() == (layout.height, 0.0)
        assert len(ax.lines) == 1  # one line joins the two rows
    finally:
        plt.close(fig)


# --- closed forms and central differences ----------------------------------------------------------------------


def test_closed_forms():
    x = np.linspace(-8, 8, 33)
    np.testing.assert_allclose(derivatives.sigmoid_grad(x), _central(_reference_sigmoid, x), atol=1e-9)
    np.testing.assert_allclose(derivatives.tanh_grad(x), _central(np.tanh, x), atol=1e-9)


def test_central_difference_check_passes_right_and_fails_wrong_derivatives():
    x = np.linspace(-10, 10, 2001)
    right = derivatives.central_difference_check(sigmoid, derivatives.sigmoid_grad, x)
    assert right.max_abs_error < 1e-10 and right.max_rel_error < 1e-5
    assert right.n_points == 2001 and right.x_min == -10 and right.x_max == 10 and right.step == 1e-5
    assert right.n_rel_points == 2001 and right.smallest_derivative == pytest.approx(4.5e-5, rel=0.01)
    wrong = derivatives.central_difference_check(sigmoid, derivatives.tanh_grad, x)
    assert wrong.max_abs_error > 0.5 and wrong.x_at_max_abs == pytest.approx(0.0, abs=0.02)
    assert wrong.max_rel_error > 1


def test_relative_error_only_above_the_floor():
    far = np.linspace(40, 50, 11)
    check = derivatives.central_difference_check(sigmoid, derivatives.sigmoid_grad, far)
    assert check.max_abs_error == 0 and check.n_rel_points == 0
    assert check.max_rel_error is None and check.x_at_max_rel is None
    some = derivatives.central_difference_check(np.tanh, derivatives.tanh_grad, np.linspace(0, 20, 201),
                                                rel_floor=1e-3)
    assert 0 < some.n_rel_points < 201 and some.x_at_max_rel <= 4


@pytest.mark.parametrize("x", [np.linspace(-1, 1, 5, dtype=np.float32), [0.0, 1.0], np.zeros(0), np.zeros((2, 2))])
def test_central_difference_check_wants_a_float64_grid(x):
    with pytest.raises(TypeError, match="float64"):
        derivatives.central_difference_check(sigmoid, derivatives.sigmoid_grad, x)


def test_central_difference_check_wants_positive_step():
    with pytest.raises(ValueError, match="positive"):
        derivatives.central_difference_check(sigmoid, derivatives.sigmoid_grad, np.zeros(3), step=0.0)


# --- large |x| -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype, x", [(np.float32, -100.0), (np.float64, -1000.0)])
def test_naive_sigmoid_overflows_and_the_warning_is_caught_not_shown(dtype, x):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning escaping would fail the test
        with np.errstate(all="raise"):  # and the caught call must not raise either
            naive = derivatives.call_catching_warnings(derivatives.naive_sigmoid, np.asarray(x, dtype=dtype))
            library = derivatives.call_catching_warnings(sigmoid, np.asarray(x, dtype=dtype))
    assert naive.warned and naive.categories == ("RuntimeWarning",) and "overflow" in naive.messages[0]
    assert float(naive.value) == 0.0
    assert not library.warned and library.value.dtype == dtype and 0.0 <= float(library.value) <= 1.0


def test_naive_sigmoid_is_accurate_where_it_does_not_overflow():
    x = np.linspace(-700, 30, 731)
    caught = derivatives.call_catching_warnings(derivatives.naive_sigmoid, x)
    assert not caught.warned
    np.testing.assert_allclose(caught.value, _reference_sigmoid(x), rtol=1e-13)


def test_sigmoid_decimal_reference():
    assert derivatives.sigmoid_decimal(0.0) == decimal.Decimal("0.5")
    tiny = derivatives.sigmoid_decimal(-1000.0)
    assert tiny > 0 and tiny.adjusted() == math.floor(-1000 / math.log(10))  # exp(-1000) = 5.08e-435
    for x in (-30.0, -1.5, 2.0, 700.0):
        total = derivatives.sigmoid_decimal(x) + derivatives.sigmoid_decimal(-x)
        assert abs(total - 1) < decimal.Decimal("1e-38")
        if abs(x) < 700:
            assert float(derivatives.sigmoid_decimal(x)) == pytest.approx(float(_reference_sigmoid(x)), rel=1e-14)
    with pytest.raises(TypeError, match="finite"):
        derivatives.sigmoid_decimal(float("nan"))
    with pytest.raises(TypeError, match="finite"):
        derivatives.sigmoid_decimal("1")
    with pytest.raises(ValueError, match="digits"):
        derivatives.sigmoid_decimal(1.0, digits=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_largest_zero_of_the_library_sigmoid(dtype):
    a = derivatives.largest_zero(sigmoid, dtype)
    x = np.asarray(a, dtype=dtype)
    assert sigmoid(x) == 0 and sigmoid(np.nextafter(x, dtype(0))) > 0
    assert -60 < a < -10


def test_largest_zero_refuses_bad_brackets_and_dtypes():
    with pytest.raises(ValueError, match="0 at lo"):
        derivatives.largest_zero(sigmoid, np.float64, lo=-5.0)
    with pytest.raises(TypeError, match="float type"):
        derivatives.largest_zero(sigmoid, np.int32)


@pytest.mark.parametrize("value, text", [
    (2.0611536e-09, "2.061e-9"), (decimal.Decimal("5.0759588975e-435"), "5.076e-435"), (0.0, "0"),
    (np.float32(0.5), "5.000e-1"), (float("inf"), "inf"),
])
def test_scientific(value, text):
    assert derivatives.scientific(value) == text


def test_scientific_refuses_what_is_not_a_number():
    with pytest.raises(TypeError):
        derivatives.scientific("1.0")
    with pytest.raises(ValueError):
        derivatives.scientific(1.0, digits=-1)


# --- source lines ----------------------------------------------------------------------------------------------


def test_matching_source_lines_point_at_the_library_code():
    found = derivatives.matching_source_lines(Sigmoid.backward, r"1\.0 - self\.out")
    assert len(found) == 1
    line = found[0]
    assert line.path == "scratchnlp/layers/basic.py"
    file_lines = Path(inspect.getsourcefile(Sigmoid)).read_text(encoding="utf-8").splitlines()
    assert file_lines[line.lineno - 1].strip() == line.text
    assert "(1.0 - self.out) * self.out" in line.text


def test_matching_source_lines_skip_comment_only_lines_and_keep_trailing_comments():
    from scratchnlp.layers import TimeLSTM

    found = derivatives.matching_source_lines(TimeLSTM.backward, r"y \(1 - y\)")
    assert found and all(not f.text.startswith("#") for f in found)
    assert any("#" in f.text for f in found)  # the code line with its comment
    assert derivatives.matching_source_lines(TimeLSTM.backward, r"no such text anywhere") == []


def test_matching_source_lines_needs_source():
    with pytest.raises(TypeError, match="source"):
        derivatives.matching_source_lines(np.tanh, "x")


# --- wording -----------------------------------------------------------------------------------------------------

PAGE = Path(__file__).resolve().parents[2] / "book" / "appendix_a_sigmoid_tanh.md"


def _fields(template):
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_template_exists_in_every_language_with_the_same_placeholders():
    assert set(derivatives.TEMPLATES) == {"en", "ko"}
    assert derivatives.TEMPLATES["en"].keys() == derivatives.TEMPLATES["ko"].keys()
    for key, english in derivatives.TEMPLATES["en"].items():
        assert _fields(derivatives.TEMPLATES["ko"][key]) == _fields(english), key


def test_every_template_is_a_column_or_used_by_the_page():
    page = PAGE.read_text(encoding="utf-8")
    columns = {f"{table}.{column}" for table, cols in derivatives.COLUMNS.items() for column in cols}
    assert columns <= derivatives.TEMPLATES["en"].keys()
    for table in derivatives.COLUMNS:
        assert f'derivatives.header("{table}")' in page, table
    for key in derivatives.TEMPLATES["en"].keys() - columns:
        assert f'derivatives.words("{key}"' in page, f"template {key!r} is never used"


def test_words_and_headers_follow_the_page_language(monkeypatch):
    monkeypatch.delenv("SCRATCHNLP_LANG", raising=False)
    assert derivatives.header("usage") == ["layer", "file and line", "code"]
    assert derivatives.words("figure.derivative", formula="1 − y²") == "derivative 1 − y²"
    assert derivatives.words("check.caption", step=1e-5, points=4002, floor=1e-8).startswith(
        "Closed-form derivatives against central differences (step 1e-05, float64), by band of |x|, 4,002 points")
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert derivatives.header("usage") == ["계층", "파일과 행", "코드"]
    assert derivatives.words("figure.derivative", formula="1 − y²") == "미분 1 − y²"
    assert "4,002개" in derivatives.words("check.caption", step=1e-5, points=4002, floor=1e-8)
    assert derivatives.words("large.none", lang="en") == "none"  # an explicit language wins
    for table, cols in derivatives.COLUMNS.items():
        assert len(derivatives.header(table)) == len(cols)


def test_wording_refuses_unknown_tables_keys_and_languages():
    with pytest.raises(ValueError, match="no table 'other'"):
        derivatives.header("other")
    with pytest.raises(ValueError, match="no wording 'nothing' for language 'en'"):
        derivatives.words("nothing", lang="en")
    with pytest.raises(ValueError, match="no wording 'large.none' for language 'xx'"):
        derivatives.words("large.none", lang="xx")
