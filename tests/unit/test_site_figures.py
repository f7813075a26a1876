"""The phone-readability record of the pages' figures (``scratchnlp._site.figures``)."""

from __future__ import annotations

import base64

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from scratchnlp._site.figures import (  # noqa: E402
    MIN_PHONE_TEXT_PX,
    TEXT_SIZE_KEY,
    figure_text_sizes,
    phone_text_px,
    png_text_chunks,
    png_with_text_size,
    smallest_text_px,
)


@pytest.fixture
def fig():
    figure, ax = plt.subplots(figsize=(4, 3), dpi=100)
    ax.plot([0, 1], [0, 1], label="line")
    ax.tick_params(labelsize=12)
    ax.set_title("title", fontsize=14)
    yield figure
    plt.close(figure)


def test_smallest_text_is_the_smallest_drawn_font_in_pixels(fig) -> None:
    assert smallest_text_px(fig) == pytest.approx(12 * 100 / 72)
    fig.axes[0].text(0.5, 0.5, "note", fontsize=7)
    assert smallest_text_px(fig) == pytest.approx(7 * 100 / 72)
    assert smallest_text_px(fig, dpi=200) == pytest.approx(7 * 200 / 72)


def test_hidden_empty_and_axis_off_text_does_not_count(fig) -> None:
    ax = fig.axes[0]
    ax.text(0.5, 0.5, "hidden", fontsize=5).set_visible(False)
    ax.text(0.5, 0.5, "   ", fontsize=4)
    assert smallest_text_px(fig) == pytest.approx(12 * 100 / 72)
    ax.set_title("")
    ax.axis("off")
    assert smallest_text_px(fig) is None


def test_png_carries_the_record_and_reads_back(fig) -> None:
    png = png_with_text_size(fig)
    width, chunks = png_text_chunks(png)
    assert float(chunks[TEXT_SIZE_KEY]) == pytest.approx(12 * 100 / 72, abs=1e-3)
    assert 300 < width <= 400  # tight bounding box of a 4-inch figure at 100 dpi
    cells = [{"outputs": [{"data": {"image/png": base64.b64encode(png).decode()}}]}, {"outputs": []}]
    (found,) = figure_text_sizes(cells)
    assert found.cell == 0 and found.width == width
    assert found.phone_px == pytest.approx(phone_text_px(width, found.smallest_px))
    assert found.readable == (found.phone_px >= MIN_PHONE_TEXT_PX)


def test_phone_size_scales_only_down() -> None:
    assert phone_text_px(684, 18.0) == pytest.approx(9.0)
    assert phone_text_px(200, 10.0) == 10.0


def test_a_figure_without_a_record_is_not_readable(fig) -> None:
    from io import BytesIO

    buffer = BytesIO()
    fig.savefig(buffer, format="png")
    (found,) = figure_text_sizes([{"outputs": [{"data": {"image/png": base64.b64encode(buffer.getvalue())
                                                        .decode()}}]}])
    assert found.smallest_px is None and not found.readable


def test_not_a_png_is_refused() -> None:
    with pytest.raises(ValueError, match="not a PNG"):
        png_text_chunks(b"GIF89a")


def test_empty_figure_renders_nothing() -> None:
    figure = plt.figure()
    try:
        assert png_with_text_size(figure) is None
    finally:
        plt.close(figure)


def test_korean_text_draws_with_the_korean_font_and_no_warning(recwarn) -> None:
    from scratchnlp._site.figures import KOREAN_FONT, use_fonts_for

    saved = matplotlib.rcParams["font.family"][:]
    try:
        use_fonts_for("ko")
        assert matplotlib.rcParams["font.family"][-1] == KOREAN_FONT
        figure, ax = plt.subplots()
        ax.set_title("퍼플렉서티 −1")
        png_with_text_size(figure)
        plt.close(figure)
        assert not [w for w in recwarn if "Glyph" in str(w.message)], "a Hangul glyph was missing"
        use_fonts_for("ko")  # twice is once
        assert matplotlib.rcParams["font.family"].count(KOREAN_FONT) == 1
    finally:
        matplotlib.rcParams["font.family"] = saved
