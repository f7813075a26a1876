"""Figures that a reader can read on a phone.

A page's figure is a PNG that the site scales down to the text column. On a phone (a 390 px viewport) that
column is :data:`PHONE_COLUMN_PX` wide, so a figure drawn 716 px wide is shown at less than half its size and
its 10 pt tick labels end up about 7 CSS px high. The rule the site keeps: every piece of text in a figure is at
least :data:`MIN_PHONE_TEXT_PX` CSS pixels high when the figure fills a phone's column.

To check that rule the build must know each figure's smallest text. :func:`png_with_text_size` renders a figure
the way the inline backend does and writes the height of its smallest text, in the image's pixels, into the
PNG as a text chunk (:data:`TEXT_SIZE_KEY`); :func:`figure_text_sizes` reads it back from an executed
notebook, and the site's browser test reads it from the published image and the size the browser draws it at.
:data:`RC_PARAMS` is the type size the pages start from (the pages' figures are drawn at most about 5.6 inches
wide so that this size passes).
"""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

__all__ = [
    "MIN_PHONE_TEXT_PX",
    "PHONE_COLUMN_PX",
    "RC_PARAMS",
    "KOREAN_FONT",
    "TEXT_SIZE_KEY",
    "FigureText",
    "figure_text_sizes",
    "phone_text_px",
    "png_text_chunks",
    "png_with_text_size",
    "smallest_text_px",
    "use_fonts_for",
]

#: The width of the site's text column, in CSS pixels, at a phone's 390 px viewport (the site tests measure it).
PHONE_COLUMN_PX = 342

#: The smallest text height, in CSS pixels, that a figure may show on a phone.
MIN_PHONE_TEXT_PX = 9.0

#: The PNG text chunk that carries a figure's smallest text height in the image's pixels.
TEXT_SIZE_KEY = "scratchnlp:smallest-text-px"

#: Matplotlib settings the pages start from: 11 pt text, and no size keyword smaller than the body text for
#: tick labels and legends (Matplotlib's defaults draw legends and some labels at ``small``).
RC_PARAMS: Mapping[str, Any] = {
    "font.size": 11.0,
    "xtick.labelsize": "medium",
    "ytick.labelsize": "medium",
    "legend.fontsize": "medium",
    "legend.title_fontsize": "medium",
    "axes.labelsize": "medium",
    "axes.titlesize": "medium",
    "figure.titlesize": "large",
}


#: The font that draws Hangul in the Korean edition's figures (Debian's ``fonts-nanum``; ``make`` installs it).
KOREAN_FONT = "NanumGothic"


def use_fonts_for(lang: str) -> None:
    """Let Matplotlib draw the text of language ``lang``: for Korean, :data:`KOREAN_FONT` after the default font
    (Latin letters, digits and math keep their look; Hangul comes from the fallback).

    Raises
    ------
    RuntimeError
        When the font is not installed, with what to install (a figure would otherwise show empty boxes and
        warn on every glyph).
    """
    import matplotlib  # noqa: PLC0415
    from matplotlib import font_manager  # noqa: PLC0415

    if lang != "ko":
        return
    names = {f.name for f in font_manager.fontManager.ttflist}
    if KOREAN_FONT not in names:
        # a font installed after Matplotlib built its font cache is not in it yet
        for path in font_manager.findSystemFonts():
            if Path(path).name.startswith(KOREAN_FONT):
                font_manager.fontManager.addfont(path)
        names = {f.name for f in font_manager.fontManager.ttflist}
    if KOREAN_FONT not in names:
        raise RuntimeError(f"the Korean edition's figures need the font {KOREAN_FONT} "
                           "(Debian/Ubuntu: apt-get install fonts-nanum)")
    # Matplotlib falls back glyph by glyph only along the families named in font.family
    families = [f for f in matplotlib.rcParams["font.family"] if f != KOREAN_FONT]
    matplotlib.rcParams["font.family"] = [*families, KOREAN_FONT]


def _visible_texts(artist: Any) -> Iterator[Any]:
    """Every ``Text`` under ``artist`` that is drawn: visible itself and below visible parents, not empty, and
    not part of an axis that ``axis("off")`` hid."""
    from matplotlib.axes import Axes  # noqa: PLC0415
    from matplotlib.axis import Axis  # noqa: PLC0415
    from matplotlib.text import Text  # noqa: PLC0415

    if not artist.get_visible():
        return
    if isinstance(artist, Text):
        if artist.get_text().strip() and artist.get_alpha() != 0:
            yield artist
        return
    hidden_axes = isinstance(artist, Axes) and not artist.axison
    for child in artist.get_children():
        if hidden_axes and isinstance(child, Axis):
            continue
        yield from _visible_texts(child)


def smallest_text_px(fig: Any, dpi: float | None = None) -> float | None:
    """The height, in the image's pixels, of the smallest text ``fig`` draws at ``dpi`` (the figure's own by
    default); ``None`` when the figure has no text."""
    dpi = fig.dpi if dpi is None else dpi
    fig.draw_without_rendering()  # tick labels get their text when the figure is drawn
    sizes = [text.get_fontsize() for text in _visible_texts(fig)]
    return min(sizes) * dpi / 72.0 if sizes else None


def png_with_text_size(fig: Any) -> bytes | None:
    """``fig`` as the inline backend renders it (a tight PNG at the figure's resolution), with its smallest text
    height written into the file under :data:`TEXT_SIZE_KEY`; ``None`` for an empty figure, as the backend."""
    if not fig.axes and not fig.lines:
        return None
    if fig.canvas is None:  # pragma: no cover - a figure made outside pyplot
        from matplotlib.backend_bases import FigureCanvasBase  # noqa: PLC0415

        FigureCanvasBase(fig)
    smallest = smallest_text_px(fig)
    metadata = {TEXT_SIZE_KEY: "none" if smallest is None else f"{smallest:.3f}"}
    buffer = BytesIO()
    fig.canvas.print_figure(buffer, format="png", dpi=fig.dpi, bbox_inches="tight", metadata=metadata,
                            facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor())
    return buffer.getvalue()


def png_text_chunks(png: bytes) -> tuple[int, dict[str, str]]:
    """The width in pixels and the ``tEXt`` chunks of a PNG file.

    Raises
    ------
    ValueError
        When ``png`` is not a PNG file.
    """
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file: the signature is missing")
    width, chunks, at = 0, {}, 8
    while at + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[at:at + 8])
        body = png[at + 8:at + 8 + length]
        if kind == b"IHDR":
            width = struct.unpack(">I", body[:4])[0]
        elif kind == b"tEXt" and b"\0" in body:
            key, value = body.split(b"\0", 1)
            chunks[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"zTXt" and b"\0" in body:
            key, rest = body.split(b"\0", 1)
            chunks[key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
        elif kind == b"IEND":
            break
        at += 12 + length
    return width, chunks


def phone_text_px(width: int, smallest_px: float, column: float = PHONE_COLUMN_PX) -> float:
    """How high, in CSS pixels, text ``smallest_px`` image pixels high is shown when an image ``width`` pixels
    wide is scaled to fit a column ``column`` CSS pixels wide (images are never drawn larger than they are)."""
    return smallest_px * min(1.0, column / width)


@dataclass(frozen=True)
class FigureText:
    """One figure of an executed page: where it is, its width, and its smallest text in image and phone pixels."""

    cell: int
    width: int
    smallest_px: float | None
    phone_px: float | None

    @property
    def readable(self) -> bool:
        """Whether the figure's smallest text is at least :data:`MIN_PHONE_TEXT_PX` on a phone (a figure without
        the size record is not known to be readable)."""
        return self.phone_px is not None and self.phone_px >= MIN_PHONE_TEXT_PX


def figure_text_sizes(cells: Iterable[Mapping[str, Any]]) -> list[FigureText]:
    """The figures among an executed notebook's cell outputs, each with its smallest text on a phone.

    A figure that carries no size record (it was not rendered through the pages' set-up) is listed with
    ``smallest_px`` and ``phone_px`` of ``None`` and a ``width`` of the image, so a check can refuse it.
    """
    found = []
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            encoded = data.get("image/png")
            if encoded is None:
                continue
            width, chunks = png_text_chunks(base64.b64decode("".join(encoded)))
            record = chunks.get(TEXT_SIZE_KEY)
            if record is None:
                found.append(FigureText(index, width, None, None))
            elif record == "none":
                found.append(FigureText(index, width, float("inf"), float("inf")))
            else:
                smallest = float(record)
                found.append(FigureText(index, width, smallest, phone_text_px(width, smallest)))
    return found


def main(argv: list[str] | None = None) -> int:
    """``python -m scratchnlp._site.figures PAGE.md ...``: execute each page as the build does and list its
    figures with their smallest text on a phone; exit status 1 when one is too small."""
    import argparse  # noqa: PLC0415
    import sys  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    import jupytext  # noqa: PLC0415
    import nbclient  # noqa: PLC0415

    parser = argparse.ArgumentParser(prog="python -m scratchnlp._site.figures", description=main.__doc__)
    parser.add_argument("pages", nargs="+", type=Path, help="MyST Markdown pages under book/")
    args = parser.parse_args(argv)
    failed = False
    for page in args.pages:
        notebook = jupytext.read(page)
        nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": str(page.parent)}}).execute()
        for figure in figure_text_sizes(notebook.cells):
            failed |= not figure.readable
            smallest = "no size record" if figure.smallest_px is None else (
                f"smallest text {figure.smallest_px:.1f} px -> {figure.phone_px:.1f} CSS px on a phone")
            verdict = "ok" if figure.readable else f"TOO SMALL (needs {MIN_PHONE_TEXT_PX:g})"
            print(f"{page.name} cell {figure.cell}: {figure.width} px wide, {smallest}: {verdict}")
    sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
