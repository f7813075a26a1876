"""The built site, tested as a reader sees it (needs `make book` first; `make test` runs these after the build).

- the landing page, every chapter page and every API page load in Chromium with no console error,
  uncaught exception, failed request or request to another origin;
- every image has non-empty alt text, every figure a caption;
- the site search finds chapter 1 for "softmax", and lists first the page teaching each of the book's terms;
- every internal link and asset reference on every built page resolves, fragments included;
- every chapter is also published as a notebook: an ``.ipynb`` download whose first code cell installs scratchnlp,
  and an "Open in Colab" link pointing at that notebook on the repository's notebooks branch; the notebook
  reads like the page (no MyST left in its Markdown, the build's outputs, figure captions, a references list);
- on a phone (390 px) no page scrolls sideways, every figure is at least 90% of the column wide, and its smallest
  text is at least 9 CSS px high;
- every chapter ends with at least three exercises whose solutions are hidden until clicked;
- figures and tables are numbered per chapter (Fig. 2.1 is chapter 2's first figure), sections as in the book;
- every page carries a build stamp, and the execution statistics page lists every chapter.
"""

from __future__ import annotations

import html
import json
import os
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

import pytest

# The built site; SCRATCHNLP_SITE_DIR points at one built elsewhere (the same override as in conftest.py).
HTML_DIR = Path(os.environ.get("SCRATCHNLP_SITE_DIR") or Path(__file__).parents[2] / "_build" / "html").resolve()

pytestmark = pytest.mark.site

CHAPTER_1 = "book/ch01_neural_network_review.html"
KEY_PAGES = [
    "index.html",
    "book/intro.html",
    CHAPTER_1,
    "book/references.html",
    "book/api/index.html",
    "book/build.html",
]
PHONE = 390  # CSS pixels: a phone's viewport width


# --- static HTML helpers ------------------------------------------------------------------------------


class _PageParser(HTMLParser):
    """Collects element ids, link/asset references, images and figures of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str]] = []  # (tag.attr, value)
        self.images: list[dict[str, str | None]] = []
        self.figures = 0
        self.figcaptions = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key) and (key == "id" or tag == "a"):
                self.ids.add(a[key])
        if tag == "a" and a.get("href") is not None:
            self.refs.append(("a.href", a["href"]))
        elif tag == "link" and a.get("href") and a.get("rel") not in ("preconnect", "dns-prefetch"):
            self.refs.append(("link.href", a["href"]))
        elif tag in ("script", "img", "source", "iframe") and a.get("src"):
            self.refs.append((f"{tag}.src", a["src"]))
        if tag == "img":
            self.images.append(a)
        elif tag == "figure":
            self.figures += 1
        elif tag == "figcaption":
            self.figcaptions += 1

    handle_startendtag = handle_starttag


@cache
def _parse(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def _built_pages() -> list[Path]:
    return sorted(p for p in HTML_DIR.rglob("*.html") if "_static" not in p.relative_to(HTML_DIR).parts)


def _rel(path: Path) -> str:
    return path.relative_to(HTML_DIR).as_posix()


#: Teaching pages that are neither a chapter nor an appendix of the book, tested like the chapters: the site's
#: expansion of the book's section 1.5.
EXPANSION_PAGES = ("book/speedup.html",)


def _chapter_pages(site_dir: Path) -> list[str]:
    chapters = [_rel(p) for p in (site_dir / "book").glob("*.html") if p.name.startswith(("ch", "appendix"))]
    return sorted(chapters + [p for p in EXPANSION_PAGES if (site_dir / p).is_file()])


def _api_pages(site_dir: Path) -> list[str]:
    return sorted(_rel(p) for p in (site_dir / "book" / "api").glob("*.html"))


# --- the site exists and has its pages ----------------------------------------------------------------


def test_site_has_its_pages(site_dir: Path) -> None:
    for page in KEY_PAGES + ["search.html", "genindex.html"]:
        assert (site_dir / page).is_file(), f"{page} is missing from the built site"
    assert _chapter_pages(site_dir), "no chapter page was built"
    assert len(_api_pages(site_dir)) >= 2, "the API reference pages were not built"
    assert (site_dir / "_static" / "favicon.svg").is_file(), "the favicon was not copied"


# --- pages load cleanly in the browser ----------------------------------------------------------------


def _assert_clean(opened) -> None:
    assert not opened.errors, f"{opened.url} reported problems while loading:\n" + "\n".join(opened.errors)
    assert not opened.external_requests, (
        f"{opened.url} requested resources from other origins (the site must be self-contained):\n"
        + "\n".join(opened.external_requests)
    )


@pytest.mark.parametrize("path", KEY_PAGES)
def test_key_page_loads_without_errors(open_page, path: str) -> None:
    opened = open_page(path)
    _assert_clean(opened)
    title = opened.page.title()
    assert title and "404" not in title


def test_every_chapter_page_loads_without_errors(open_page, site_dir: Path) -> None:
    for path in _chapter_pages(site_dir):
        _assert_clean(open_page(path))


def test_every_api_page_loads_without_errors(open_page, site_dir: Path) -> None:
    for path in _api_pages(site_dir):
        opened = open_page(path)
        _assert_clean(opened)
        n_entries = opened.page.locator("dl.py").count()
        if not path.endswith("index.html"):
            assert n_entries > 0, f"{path} documents no Python object"


def test_landing_page_redirects_to_the_introduction(open_page) -> None:
    opened = open_page("index.html")
    opened.page.wait_for_url("**/book/intro.html")
    assert opened.page.locator("h1").first.inner_text().strip()


def test_chapter_1_renders_math_and_figures(open_page) -> None:
    opened = open_page(CHAPTER_1)
    page = opened.page
    page.wait_for_selector("#main-content mjx-container", state="attached", timeout=15_000)  # MathJax, served locally
    figures = page.locator("figure")
    assert figures.count() >= 4, "chapter 1 should show the data, the loss curve, the boundary and the optimizers"
    for i in range(figures.count()):
        fig = figures.nth(i)
        assert fig.locator("img").count() >= 1, f"figure {i} has no image"
        assert fig.locator("figcaption").inner_text().strip(), f"figure {i} has no caption"
        natural_width = fig.locator("img").first.evaluate("img => img.complete ? img.naturalWidth : 0")
        assert natural_width > 0, f"the image of figure {i} did not load"
    _assert_clean(opened)


def test_images_in_the_browser_have_alt_text(open_page) -> None:
    opened = open_page(CHAPTER_1)
    images = opened.page.eval_on_selector_all("img", "els => els.map(e => [e.currentSrc || e.src, e.alt])")
    assert images, "chapter 1 shows no image"
    missing = [src for src, alt in images if not (alt or "").strip()]
    assert not missing, f"images without alt text: {missing}"


def test_search_finds_chapter_1(open_page) -> None:
    opened = open_page("search.html?q=softmax")
    page = opened.page
    page.wait_for_function("() => document.querySelectorAll('#search-results ul.search li').length > 0", timeout=20_000)
    hrefs = page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(e => e.href)")
    assert any("ch01_neural_network_review" in h for h in hrefs), f"search results: {hrefs}"
    _assert_clean(opened)


# --- static checks over every built page --------------------------------------------------------------


def test_every_image_has_alt_text(site_dir: Path) -> None:
    missing = []
    for path in _built_pages():
        for img in _parse(path).images:
            if not (img.get("alt") or "").strip():
                missing.append(f"{_rel(path)}: {img.get('src')}")
    assert not missing, "images without alt text:\n" + "\n".join(missing)


def test_every_figure_has_a_caption(site_dir: Path) -> None:
    bad = [_rel(p) for p in _built_pages() if _parse(p).figures > _parse(p).figcaptions]
    assert not bad, f"pages with figures lacking a caption: {bad}"


def _target(page: Path, ref: str) -> tuple[Path | None, str]:
    """The file and fragment an internal reference points at, or (None, "") for an external one."""
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or ref.startswith(("mailto:", "javascript:", "data:", "tel:")):
        return None, ""
    if not parts.path:
        return page, unquote(parts.fragment)
    target = (page.parent / unquote(parts.path)).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def test_internal_links_resolve(site_dir: Path) -> None:
    root = site_dir.resolve()
    broken: list[str] = []
    for page in _built_pages():
        for kind, ref in _parse(page).refs:
            target, fragment = _target(page.resolve(), ref)
            if target is None:
                continue
            where = f"{_rel(page)} ({kind}={ref})"
            if root not in target.parents and target != root:
                broken.append(f"{where}: points outside the site")
            elif not target.is_file():
                broken.append(f"{where}: {target.relative_to(root).as_posix()} does not exist")
            elif fragment and target.suffix == ".html" and fragment not in _parse(target).ids:
                broken.append(f"{where}: no element with id {fragment!r}")
    assert not broken, f"{len(broken)} broken internal references:\n" + "\n".join(broken[:50])


# --- from the site to running code -------------------------------------------------------------------------

_COLAB = re.compile(r"^https://colab\.research\.google\.com/github/([\w.-]+)/([\w.-]+)/blob/([\w./-]+?)/(book/.+\.ipynb)$")


def _hrefs(path: Path) -> list[str]:
    return [ref for kind, ref in _parse(path).refs if kind == "a.href"]


def test_every_chapter_has_a_notebook_download_and_a_colab_link(site_dir: Path) -> None:
    chapters = _chapter_pages(site_dir)
    assert chapters
    for chapter in chapters:
        page = site_dir / chapter
        stem = Path(chapter).with_suffix("").as_posix()  # book/chNN_name
        downloads = [h for h in _hrefs(page) if h.endswith(f"_notebooks/{stem}.ipynb")]
        assert downloads, f"{chapter} offers no .ipynb download"
        notebook_file = (page.parent / downloads[0]).resolve()
        assert notebook_file.is_file(), f"{chapter}: {downloads[0]} does not exist"
        notebook = json.loads(notebook_file.read_text(encoding="utf-8"))
        assert notebook["nbformat"] == 4
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        first = "".join(code[0]["source"])
        assert "pip" in first and "scratchnlp @ git+https://github.com/" in first, (
            f"the first code cell of {notebook_file.name} does not install scratchnlp from the repository"
        )
        colab = [m for m in (_COLAB.match(h) for h in _hrefs(page)) if m]
        assert colab, f"{chapter} has no Colab link"
        assert colab[0].group(4) == f"{stem}.ipynb", (
            f"{chapter}: the Colab link opens {colab[0].group(4)}, not the page's notebook {stem}.ipynb"
        )
        # the notebooks branch holds the _notebooks folder: the Colab path is the download's path inside it
        assert notebook_file == (site_dir / "_notebooks" / colab[0].group(4)).resolve()


def test_every_page_links_the_repository_and_carries_a_build_stamp(site_dir: Path) -> None:
    for page in [site_dir / p for p in KEY_PAGES[1:]] + [site_dir / c for c in _chapter_pages(site_dir)]:
        html = page.read_text(encoding="utf-8")
        assert 'class="build-stamp"' in html, f"{_rel(page)} has no build stamp"
        stamp = html[html.index('class="build-stamp"'):]
        assert "Python" in stamp and "NumPy" in stamp and "commit" in stamp
        assert any(h.startswith("https://github.com/") for h in _hrefs(page)), f"{_rel(page)} links no repository"


def test_the_korean_build_stamp_fits_its_particle_to_the_version(site_dir: Path) -> None:
    from scratchnlp._site.wording import particle  # noqa: PLC0415

    html_text = (site_dir / "ko" / "book" / "ch05_rnn.html").read_text(encoding="utf-8")
    stamp = re.sub(r"<[^>]+>", "", html_text[html_text.index('class="build-stamp"'):])
    found = re.search(r"scratchnlp (\d[\w.+]*?)(으로|로) 빌드했다", stamp)
    assert found, "the Korean build stamp does not say which scratchnlp built it"
    assert found.group(1) + found.group(2) == particle(found.group(1), "으로/로")


def test_the_statistics_page_lists_every_chapter(site_dir: Path) -> None:
    page = site_dir / "book" / "build.html"
    html = page.read_text(encoding="utf-8")
    for chapter in _chapter_pages(site_dir):
        assert Path(chapter).name in html, f"the execution statistics do not list {chapter}"
    assert "Run Time" in html


# --- numbering as in the book --------------------------------------------------------------------------------


def test_figures_tables_and_exercises_are_numbered_per_chapter(site_dir: Path) -> None:
    for chapter in _chapter_pages(site_dir):
        number = str(int(re.match(r"book/ch(\d+)_", chapter).group(1))) if "/ch" in chapter else None
        if number is None:
            if chapter in EXPANSION_PAGES:  # numbered on their own, without a chapter's prefix
                html = (site_dir / chapter).read_text(encoding="utf-8")
                figures = re.findall(r'<span class="caption-number">Fig\. ([\d.]+)', html)
                assert figures and figures[0] == "1" and all("." not in n for n in figures), f"{chapter}: {figures}"
            continue
        html = (site_dir / chapter).read_text(encoding="utf-8")
        numbers = re.findall(r'<span class="caption-number">(?:Fig\.|Table) ([\d.]+)', html)
        assert numbers, f"{chapter} has no numbered figure or table"
        assert all(n.startswith(f"{number}.") for n in numbers), f"{chapter}: {numbers}"
        figures = [n for n in re.findall(r'<span class="caption-number">Fig\. ([\d.]+)', html)]
        assert figures[0] == f"{number}.1", f"{chapter}: the first figure is Fig. {figures[0]}"


def test_section_headings_carry_the_books_numbers_in_order(site_dir: Path) -> None:
    for chapter in _chapter_pages(site_dir):
        html = (site_dir / chapter).read_text(encoding="utf-8")
        appendix = chapter.startswith("book/appendix_")
        # chapters number their sections 5.2.1, appendices C.1 (the letter dropped before comparing the order)
        pattern = r"<h[23][^>]*>\s*[A-Z]\.([\d.–]+) " if appendix else r"<h[23][^>]*>\s*([\d.–]+) "
        headings = re.findall(pattern, html)
        assert headings, f"{chapter} has no numbered section"
        firsts = [tuple(int(p) for p in h.split("–")[0].strip(".").split(".")) for h in headings]
        assert firsts == sorted(firsts), f"{chapter}: sections out of the book's order: {headings}"
        if not appendix and chapter not in EXPANSION_PAGES:  # the book's appendices have no summary
            assert re.search(r"<h2[^>]*>\s*\d+\.\d+ Summary", html), f"{chapter}: the summary is not numbered"


# --- exercises ------------------------------------------------------------------------------------------------


def test_every_chapter_ends_with_exercises_and_hidden_solutions(open_page, site_dir: Path) -> None:
    for chapter in _chapter_pages(site_dir):
        opened = open_page(chapter)
        page = opened.page
        n_exercises = page.locator("div.exercise").count()
        solutions = page.locator("div.solution")
        assert n_exercises >= 3, f"{chapter} has {n_exercises} exercises"
        assert solutions.count() >= n_exercises, f"{chapter}: {solutions.count()} solutions for {n_exercises}"
        for i in range(solutions.count()):
            solution = solutions.nth(i)
            body = solution.locator(".admonition-title ~ *").first
            assert not body.is_visible(), f"{chapter}: solution {i + 1} is visible before it is clicked"
            solution.locator(".admonition-title").first.click()
            body.wait_for(state="visible", timeout=5_000)
        # at least one solution runs library code at build time, and its output is on the page
        assert page.locator("div.solution .cell_output").count() >= 1, f"{chapter}: no solution shows executed code"
        _assert_clean(opened)


# --- on a phone ----------------------------------------------------------------------------------------------

_NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
_FIGURE_WIDTHS = """() => Array.from(document.querySelectorAll('#main-content figure img')).map(img => {
    const column = img.closest('section') || img.closest('article');
    const style = getComputedStyle(column);
    const inner = column.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return [img.getAttribute('src'), img.getBoundingClientRect().width, inner];
})"""


def _phone_pages(site_dir: Path) -> list[str]:
    """Every page a reader reaches: the key pages, chapters, the book map, the API reference, the library's
    highlighted source (``_modules``) and the general and module indexes."""
    source = sorted(_rel(p) for p in (site_dir / "_modules").rglob("*.html"))
    indexes = [p for p in ("genindex.html", "py-modindex.html", "book/book_map.html") if (site_dir / p).is_file()]
    return [p for p in KEY_PAGES[1:]] + [c for c in _chapter_pages(site_dir) if c not in KEY_PAGES] + [
        p for p in _api_pages(site_dir) if p not in KEY_PAGES
    ] + source + indexes + [f"ko/{c}" for c in _chapter_pages(site_dir)]


def test_no_page_scrolls_sideways_on_a_phone(open_page, site_dir: Path) -> None:
    wide = []
    for path in _phone_pages(site_dir):
        opened = open_page(path, width=PHONE)
        opened.page.wait_for_timeout(300)  # MathJax typesets after load
        if not opened.page.evaluate(_NO_SIDEWAYS_SCROLL):
            width = opened.page.evaluate("document.documentElement.scrollWidth")
            wide.append(f"{path}: {width} px wide at a {PHONE} px viewport")
    assert not wide, "pages that scroll sideways on a phone:\n" + "\n".join(wide)


_TABLES_ON_A_PHONE = """() => {
    const out = [];
    for (const table of document.querySelectorAll('#main-content table')) {
        const box = table.parentElement, caption = table.querySelector('caption');
        const name = table.id || (caption ? caption.textContent.slice(0, 40) : 'a table');
        // a value such as 16+75 stays on one line (code of several words may wrap between them: each word is a
        // span.pre of its own)
        for (const code of table.querySelectorAll('td code')) {
            const words = code.querySelectorAll('span.pre');
            for (const word of (words.length ? words : [code])) {
                if (new Set(Array.from(word.getClientRects()).map(r => Math.round(r.top))).size > 1)
                    out.push(`${name}: ${word.textContent} is split across lines`);
            }
        }
        for (const end of [0, box.scrollWidth]) {  // the caption is readable however far the table is scrolled
            box.scrollLeft = end;
            const r = caption ? caption.getBoundingClientRect() : null;
            if (r && (r.left < -1 || r.right > window.innerWidth + 1))
                out.push(`${name}: its caption runs from ${Math.round(r.left)} to ${Math.round(r.right)} px`);
        }
        box.scrollLeft = 0;
    }
    return out;
}"""


def test_tables_on_a_phone_keep_values_whole_and_captions_in_view(open_page, site_dir: Path) -> None:
    """A table wider than a phone scrolls in its box: its caption stays in view, as wide as the screen, and a code
    value in a cell is never broken in the middle (the Korean headers wrap; an answer such as 16+75 must not)."""
    bad = []
    chapters = _chapter_pages(site_dir)
    for chapter in chapters + [f"ko/{c}" for c in chapters]:
        opened = open_page(chapter, width=PHONE)
        bad += [f"{chapter}: {problem}" for problem in opened.page.evaluate(_TABLES_ON_A_PHONE)]
    assert not bad, "tables that a phone shows badly:\n" + "\n".join(bad)


def test_figures_fill_the_column_on_a_phone(open_page, site_dir: Path) -> None:
    narrow = []
    for chapter in _chapter_pages(site_dir):
        opened = open_page(chapter, width=PHONE)
        widths = opened.page.evaluate(_FIGURE_WIDTHS)
        assert widths, f"{chapter} shows no figure"
        narrow += [f"{chapter}: {src} is {w:.0f} of {col:.0f} px" for src, w, col in widths if w < 0.9 * col]
    assert not narrow, "figures narrower than 90% of the column at 390 px:\n" + "\n".join(narrow)


_FIGURE_SIZES = """() => Array.from(document.querySelectorAll('#main-content figure img')).map(img =>
    [img.getAttribute('src'), img.naturalWidth, img.getBoundingClientRect().width])"""


def test_figure_text_is_readable_on_a_phone(open_page, site_dir: Path) -> None:
    """Every figure's smallest text, as the browser draws the figure at 390 px, is at least 9 CSS px high.

    The figure's PNG records the height of its smallest text in image pixels (see ``scratchnlp._site.figures``);
    the browser gives the image's natural and drawn widths."""
    from scratchnlp._site.figures import MIN_PHONE_TEXT_PX, TEXT_SIZE_KEY, png_text_chunks

    small, measured = [], 0
    chapters = _chapter_pages(site_dir)
    for chapter in chapters + [f"ko/{c}" for c in chapters]:  # the Korean edition's figures carry other words
        opened = open_page(chapter, width=PHONE)
        for src, natural, drawn in opened.page.evaluate(_FIGURE_SIZES):
            image = (site_dir / chapter).parent / unquote(src)
            width, chunks = png_text_chunks(image.read_bytes())
            record = chunks.get(TEXT_SIZE_KEY)
            name = f"{chapter}: {src.rsplit('/', 1)[-1][:12]}"
            if record is None:
                small.append(f"{name} carries no text-size record (not drawn through the pages' set-up)")
                continue
            assert width == natural, f"{name}: the browser's natural width {natural} is not the file's {width}"
            measured += 1
            if record != "none" and float(record) * drawn / natural < MIN_PHONE_TEXT_PX:
                small.append(f"{name}: smallest text {float(record) * drawn / natural:.1f} CSS px "
                             f"({natural} px image drawn {drawn:.0f} px wide)")
    assert measured >= 30, f"only {measured} figures were measured"
    assert not small, f"figure text below {MIN_PHONE_TEXT_PX:g} CSS px at {PHONE} px:\n" + "\n".join(small)


def test_figures_open_at_full_size(site_dir: Path) -> None:
    html = (site_dir / CHAPTER_1).read_text(encoding="utf-8")
    figures = re.findall(r"<figure\b.*?</figure>", html, re.S)
    assert figures
    for figure in figures:
        link = re.search(r'<a class="figure-full-size" href="([^"]+)"[^>]*>\s*<img[^>]*src="([^"]+)"', figure)
        assert link and link.group(1) == link.group(2), "a figure's image does not link to its full-size file"


# LaTeX markup that a bibliography style or a figure label can leave in text a reader sees. Math on the pages is
# typeset by MathJax from \( \) and \[ \] spans and stays out of this check: those spans are removed first.
_RAW_LATEX = re.compile(r"\\(emph|textit|textbf|texttt|cite|citep|citet|ref|url)\b|\{\\(em|it|bf)\b")
_MATH_SPAN = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]|\$\$.*?\$\$", re.S)
_TAGS = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S)


def test_no_raw_latex_in_what_a_reader_sees(site_dir: Path) -> None:
    """No page shows LaTeX commands as text, in its body or in an attribute such as a citation's hover text."""
    found = []
    for page in _built_pages():
        html = page.read_text(encoding="utf-8")
        if "_modules" in page.relative_to(site_dir).parts:  # highlighted library source: code, not prose
            continue
        titles = " ".join(re.findall(r'title="([^"]*)"', html))
        text = _MATH_SPAN.sub(" ", _TAGS.sub(" ", html))
        for where, content in (("text", text), ("title attribute", titles)):
            m = _RAW_LATEX.search(content)
            if m:
                found.append(f"{_rel(page)} ({where}): ...{content[max(0, m.start() - 40):m.end() + 20]!r}...")
    assert not found, "raw LaTeX shown to readers:\n" + "\n".join(found[:20])


# --- site search: the page that teaches a term comes first --------------------------------------------

# The book's terms and the page teaching each (two where the book teaches the term in both). The first result
# of the site search must be that page, not an API object named like the term and not a page that only
# mentions it. The ranking is book/_static/scorer.js; the pages mark what they teach with `{index}` entries.
TAUGHT_IN = {
    "attention": ("book/ch08_attention.html",),
    "softmax": (CHAPTER_1,),
    "weight tying": ("book/ch06_gated_rnn.html",),
    "gradient clipping": ("book/ch06_gated_rnn.html",),
    "negative sampling": ("book/ch04_word2vec_speedup.html",),
    "perplexity": ("book/ch05_rnn.html", "book/ch06_gated_rnn.html"),
    "co-occurrence matrix": ("book/ch02_count_based.html",),
    "PPMI": ("book/ch02_count_based.html",),
    "skip-gram": ("book/ch03_word2vec.html",),
    "CBOW": ("book/ch03_word2vec.html",),
    "truncated BPTT": ("book/ch05_rnn.html",),
    "LSTM": ("book/ch06_gated_rnn.html",),
    "GRU": ("book/appendix_c_gru.html",),
    "seq2seq": ("book/ch07_seq2seq.html",),
    "peeky": ("book/ch07_seq2seq.html",),
    "WordNet": ("book/appendix_b_wordnet.html",),
    "computational graph": (CHAPTER_1, "book/appendix_a_sigmoid_tanh.html"),
    "backpropagation": (CHAPTER_1,),
    "cross-entropy": (CHAPTER_1,),
    "distributional hypothesis": ("book/ch02_count_based.html",),
    "cosine similarity": ("book/ch02_count_based.html",),
    "SVD": ("book/ch02_count_based.html",),
    "word2vec": ("book/ch03_word2vec.html",),
    "RNN": ("book/ch05_rnn.html",),
    "language model": ("book/ch05_rnn.html",),
    "BPTT": ("book/ch05_rnn.html",),
    "bidirectional RNN": ("book/ch08_attention.html",),
    "Transformer": ("book/ch08_attention.html",),
}

# searchtools.js fills the status line under the heading once every result is listed.
_SEARCH_FINISHED = """() => {
    const status = document.querySelector('#search-results p.search-summary');
    return status !== null && status.textContent.trim() !== '';
}"""


@pytest.mark.parametrize("query", sorted(TAUGHT_IN))
def test_search_lists_the_teaching_page_first(open_page, query: str) -> None:
    opened = open_page("search.html?" + urlencode({"q": query}))
    page = opened.page
    page.wait_for_function(_SEARCH_FINISHED, timeout=20_000)
    results = page.eval_on_selector_all(
        "#search-results ul.search li > a",
        "els => els.map(e => [e.getAttribute('href'), e.textContent, e.dataset.score])",
    )
    assert results, f"the search for {query!r} found nothing"
    first = urlsplit(results[0][0]).path
    listing = "\n".join(f"  {href}  {title!r}  score {score}" for href, title, score in results[:6])
    assert first in TAUGHT_IN[query], (
        f"the first result for {query!r} is {first}, not the page teaching it ({' or '.join(TAUGHT_IN[query])}); "
        f"first results:\n{listing}"
    )
    _assert_clean(opened)


# --- the exported notebooks read like the page -------------------------------------------------------------

# MyST that a notebook reader would see as raw text in a Markdown cell: a role, a directive fence, a label target.
_MYST_IN_MARKDOWN = re.compile(
    r"\{[A-Za-z][\w:.+-]*\}`|```\{|:::\{|\{glue|\{cite|\{numref|\{ref\}|\{doc\}|\{exercise|\{solution|^\s*\([\w-]+\)=\s*$",
    re.M,
)
_HIDES_OUTPUT = {"remove-output", "remove-cell"}


def _shown_on_the_page(output: dict) -> bool:
    """False for a value glued with ``display=False`` (MyST-NB prefixes its MIME types): it is kept for the text."""
    data = output.get("data") or {}
    return not data or not all(mime.startswith("application/papermill.record/") for mime in data)


def _exported_notebooks(site_dir: Path) -> list[Path]:
    return sorted((site_dir / "_notebooks").rglob("*.ipynb"))


def _code_source(cell: dict) -> str:
    source = cell["source"]
    return ("".join(source) if isinstance(source, list) else source).strip()


def _executed_notebook(site_dir: Path, name: str):
    """The notebook the build executed for a page, with its outputs: MyST-NB's ``jupyter_execute`` copy, or,
    for a page it took from its execution cache (whose copy it writes without outputs), the cache's."""
    import nbformat

    notebook = nbformat.read(site_dir.parent / "jupyter_execute" / name, as_version=4)
    if any(c.outputs for c in notebook.cells if c.cell_type == "code"):
        return notebook
    cache_dir = site_dir.parent / ".jupyter_cache"
    if cache_dir.is_dir():
        from jupyter_cache import get_cache

        cache = get_cache(str(cache_dir))
        try:
            return cache.get_cache_bundle(cache.match_cache_notebook(notebook).pk).nb
        except KeyError:
            pass
    return notebook


def test_exported_notebooks_read_like_the_page(site_dir: Path) -> None:
    """Every chapter's notebook: no MyST left in its Markdown, the outputs of every code cell the build executed
    (except where the page removes them, and glued values kept for the text), each figure's caption under its
    cell, and the works it cites listed."""
    import nbformat

    executed_dir = site_dir.parent / "jupyter_execute"
    notebooks = _exported_notebooks(site_dir)
    assert notebooks, "no notebook under _notebooks/"
    assert {Path(c).with_suffix(".ipynb").as_posix() for c in _chapter_pages(site_dir)} <= {
        p.relative_to(site_dir / "_notebooks").as_posix() for p in notebooks
    }, "a chapter page has no exported notebook"
    problems: list[str] = []
    for path in notebooks:
        name = path.relative_to(site_dir / "_notebooks").as_posix()
        notebook = nbformat.read(path, as_version=4)
        markdown = [c.source for c in notebook.cells if c.cell_type == "markdown"]
        for text in markdown:
            m = _MYST_IN_MARKDOWN.search(text)
            if m:
                problems.append(f"{name}: MyST left in Markdown: ...{text[max(0, m.start() - 60):m.end() + 40]!r}...")
        # outputs: each executed code cell with outputs has a twin (same source, in order) that carries outputs
        assert (executed_dir / name).is_file(), f"the build's executed notebook of {name} is missing"
        executed = [c for c in _executed_notebook(site_dir, name).cells if c.cell_type == "code"]
        if not any(c.outputs for c in executed):
            problems.append(f"{name}: no outputs of the build's execution found (jupyter_execute, execution cache)")
        exported = [c for c in notebook.cells if c.cell_type == "code"]
        position = 0
        for cell in executed:
            source = _code_source(cell)
            twin = next((k for k in range(position, len(exported)) if _code_source(exported[k]) == source), None)
            if twin is None:
                problems.append(f"{name}: the executed cell {source[:60]!r} is not in the notebook")
                continue
            position = twin + 1
            removed = set(exported[twin].metadata.get("tags", [])) & _HIDES_OUTPUT
            if any(_shown_on_the_page(o) for o in cell.outputs) and not removed and not exported[twin].outputs:
                problems.append(f"{name}: the cell {source[:60]!r} ran with outputs, but has none in the notebook")
        # the page's figure numbers head the captions under the figures' cells
        html = (site_dir / Path(name).with_suffix(".html")).read_text(encoding="utf-8")
        for number in re.findall(r'<figcaption>\s*<p><span class="caption-number">(Fig\. [\d.A-Z]+)', html):
            if not any(text.startswith(f"**{number}**") for text in markdown):
                problems.append(f"{name}: no caption of {number} under its figure")
        # citations: the page cites, so the notebook ends with the works it cites
        if "bibtex-citation" in html:
            last = markdown[-1] if markdown else ""
            if not (last.startswith("## References") and "\n- " in last):
                problems.append(f"{name}: the page cites, but the notebook does not end with its references")
    assert not problems, f"{len(problems)} problems in the exported notebooks:\n" + "\n".join(problems[:40])


# --- the Korean edition -------------------------------------------------------------------------------

KO = "ko"
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
_CODE_AND_MATH = re.compile(
    r'<div class="cell_output.*?</div>\s*</div>|<pre\b.*?</pre>|<code\b.*?</code>|\\\(.*?\\\)|\\\[.*?\\\]'
    r'|<span class="math.*?</span>|<div class="math.*?</div>|<nav class="edition-switch.*?</nav>'
    r'|<aside class="build-stamp.*?</aside>|<div class="cell docutils container">.*?</div>\s*</div>'
    # the works cited are listed under their own titles, and the build's execution table names the pages' files
    r'|<script\b.*?</script>|<div class="citation" .*?</div>'
    r'|<table\b(?:(?!</table>).)*?Run Time(?:(?!</table>).)*</table>',
    re.S,
)


def _article(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    start, end = text.find("<article"), text.find("</article>")
    return text[start:end]


def _translated_pages() -> list[str]:
    base = Path(__file__).parents[2] / "locales" / KO / "LC_MESSAGES"
    return sorted(p.relative_to(base).with_suffix(".html").as_posix() for p in base.rglob("*.po"))


def _catalog_translation(page: str, message: str) -> str:
    """The Korean catalog's translation of one message of ``page`` (the message itself when it has none)."""
    from babel.messages.pofile import read_po  # noqa: PLC0415

    po = Path(__file__).parents[2] / "locales" / KO / "LC_MESSAGES" / Path(page).with_suffix(".po")
    with po.open("rb") as f:
        entry = read_po(f).get(message)
    return entry.string if entry is not None and entry.string else message


def test_the_korean_edition_has_every_page(site_dir: Path) -> None:
    missing = [p for p in _chapter_pages(site_dir) + ["book/intro.html", "book/book_map.html"]
               if not (site_dir / KO / p).is_file()]
    assert not missing, f"pages missing from the Korean edition: {missing}"
    for page in ["book/intro.html", *_chapter_pages(site_dir)]:
        assert '<html lang="ko"' in (site_dir / KO / page).read_text(encoding="utf-8"), f"{KO}/{page} is not Korean"
    # the navigation's part captions (Start here, Chapters, ...) are in Korean too
    nav = (site_dir / KO / "book" / "intro.html").read_text(encoding="utf-8")
    nav = nav[nav.find('bd-docs-nav'):]
    captions = re.findall(r'<p aria-level="2" class="caption" role="heading"><span class="caption-text">([^<]*)', nav)
    assert captions and all(_HANGUL.search(c) for c in captions), f"navigation captions: {captions}"


def test_korean_api_pages_say_they_are_english_and_link_the_english_page(site_dir: Path) -> None:
    """The API reference is made from English docstrings: each Korean API page says so in one sentence (Korean),
    linking the same page of the English edition."""
    pages = sorted((site_dir / KO / "book" / "api").glob("*.html"))
    assert pages, "the Korean edition has no API pages"
    for path in pages:
        html = path.read_text(encoding="utf-8")
        notice = re.search(r'<div class="admonition note api-in-english"><p>(.*?)</p></div>', html, re.S)
        assert notice and _HANGUL.search(notice.group(1)), f"{path.name}: no Korean note on the English API"
        link = re.search(r'href="([^"]+)"', notice.group(1))
        english = site_dir / path.relative_to(site_dir / KO)
        assert link and (path.parent / link.group(1)).resolve() == english.resolve(), f"{path.name}: {link}"


def test_every_page_links_the_same_page_in_the_other_edition(site_dir: Path) -> None:
    wrong = []
    for page in ["book/intro.html", *_chapter_pages(site_dir)]:
        for here, there in ((page, f"{KO}/{page}"), (f"{KO}/{page}", page)):
            html = (site_dir / here).read_text(encoding="utf-8")
            switch = re.search(r'<nav class="edition-switch"[^>]*>.*?href="([^"]+)"', html, re.S)
            target = (site_dir / here).parent / switch.group(1) if switch else None
            if target is None or target.resolve() != (site_dir / there).resolve():
                wrong.append(f"{here}: links {switch.group(1) if switch else 'nothing'}, not {there}")
    assert not wrong, "edition links that do not lead to the same page:\n" + "\n".join(wrong)


def test_translated_pages_read_in_korean(site_dir: Path) -> None:
    """A page with a catalog reads in Korean (outside code, math and outputs at most a few Latin words per
    hundred Hangul syllables: names such as LSTM, NumPy or WordNet), keeps every glued value of its English page,
    and carries no untranslated-page notice; a page without one carries the notice."""
    translated = _translated_pages()
    assert translated, "no page of the Korean edition has a catalog"
    for page in translated:
        ko_html = _article(site_dir / KO / page)
        prose = _TAGS.sub(" ", _CODE_AND_MATH.sub(" ", ko_html))
        hangul, latin = len(_HANGUL.findall(prose)), len(_LATIN_WORD.findall(prose))
        assert hangul > 0 and latin / hangul < 0.08, f"{KO}/{page}: {latin} Latin words to {hangul} Hangul syllables"
        # emphasis that Markdown did not close (`**값**에` after punctuation) shows its asterisks
        assert "**" not in prose and "__" not in prose, f"{KO}/{page} shows raw emphasis markers"
        en_glued = len(re.findall(r'class="pasted-text"', _article(site_dir / page)))
        ko_glued = len(re.findall(r'class="pasted-text"', ko_html))
        assert ko_glued == en_glued, f"{KO}/{page} shows {ko_glued} glued values, the English page {en_glued}"
        assert 'class="admonition note untranslated"' not in ko_html
        # the title is the catalog's translation of the English one: a title such as "1. 신경망 복습" must not be
        # re-read as a list by Sphinx's translation, which then keeps the English title
        en_title = html.unescape(re.search(r"<h1>(.*?)<", _article(site_dir / page), re.S).group(1)).strip()
        ko_title = html.unescape(re.search(r"<h1>(.*?)<", ko_html, re.S).group(1)).strip()
        expected = _catalog_translation(page, en_title).replace("\\.", ".")
        assert ko_title == expected, f"{KO}/{page}: the title is {ko_title!r}, its translation {expected!r}"
    untranslated = [p for p in _chapter_pages(site_dir) if p not in translated]
    for page in untranslated:
        assert 'class="admonition note untranslated"' in _article(site_dir / KO / page), f"{KO}/{page}: no notice"


def test_the_korean_frame_reads_in_korean(site_dir: Path) -> None:
    """The words around the pages (the links beside headings, the previous and next page, back to top, the colour
    mode, the search box, the sidebars' buttons and the navigation landmarks) are those of ``locales/ko/ui.po`` or
    the themes' own Korean, never the English."""
    from babel.messages.pofile import read_po

    with (Path(__file__).parents[2] / "locales" / KO / "ui.po").open("rb") as f:
        frame = {m.id: m.string for m in read_po(f) if m.id}
    assert frame and all(frame.values()), "locales/ko/ui.po has an untranslated entry"
    english_words = list(frame) + ["Search this book..."]
    for page in [KO + "/book/intro.html"] + [f"{KO}/{c}" for c in _chapter_pages(site_dir)]:
        text = (site_dir / page).read_text(encoding="utf-8")
        left = [w for w in english_words if f'"{w}"' in text or f">{w}<" in text]
        assert not left, f"{page} shows the frame's English words {left}"
        solutions = [t for t in re.findall(r'<p class="admonition-title">(.*?)</p>', text) if "해답" in t]
        assert all(t.endswith("의 해답") for t in solutions), f"{page}: a solution's title in English word order"
    assert "이전 페이지" in (site_dir / KO / "book" / "ch06_gated_rnn.html").read_text(encoding="utf-8")
    # a dropdown's button is written by sphinx-togglebutton's script, in the browser
    script = (site_dir / KO / "_static" / "togglebutton.js").read_text(encoding="utf-8")
    assert f'aria-label="{frame["Toggle hidden content"]}"' in script and "Toggle hidden content" not in script


def test_korean_notebooks_read_in_korean(site_dir: Path) -> None:
    """The notebook of a translated page (download, Colab) carries the page's Korean text, not the English source."""
    import json  # noqa: PLC0415

    checked = 0
    for page in _translated_pages():
        notebook = site_dir / KO / "_notebooks" / Path(page).with_suffix(".ipynb")
        if not notebook.is_file():
            continue  # a page without a notebook (the map, the glossary)
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        markdown = " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        # math, code, and the targets of links and images are not prose
        markdown = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|\]\([^)]*\)", " ", markdown, flags=re.S)
        hangul, latin = len(_HANGUL.findall(markdown)), len(_LATIN_WORD.findall(markdown))
        assert hangul and latin / hangul < 0.15, f"{KO} notebook of {page}: {latin} Latin words to {hangul} Hangul"
        checked += 1
    assert checked, "no Korean notebook was checked"


def test_korean_figures_draw_hangul(site_dir: Path) -> None:
    """The Korean edition's figures come from its own execution (they differ from the English ones where they carry
    words) and record their smallest text like every figure."""
    from scratchnlp._site.figures import TEXT_SIZE_KEY, png_text_chunks

    images = sorted((site_dir / KO / "_images").glob("*.png"))
    assert images, "the Korean edition has no figures"
    english = {p.read_bytes() for p in (site_dir / "_images").glob("*.png")}
    assert any(p.read_bytes() not in english for p in images), "every Korean figure is byte-identical to an English one"
    assert all(TEXT_SIZE_KEY in png_text_chunks(p.read_bytes())[1] for p in images)


# The Korean edition's search (book/_ext/korean_search.py indexes Hangul by syllable bigrams): the book's Korean
# terms and the page teaching each; a query is tested once its page is translated (has a catalog).
TAUGHT_IN_KO = {
    "어텐션": ("book/ch08_attention.html",),
    "말뭉치": ("book/ch02_count_based.html",),
    "순환 신경망": ("book/ch05_rnn.html",),
    "네거티브 샘플링": ("book/ch04_word2vec_speedup.html",),
    "퍼플렉서티": ("book/ch05_rnn.html", "book/ch06_gated_rnn.html"),
    "기울기 클리핑": ("book/ch06_gated_rnn.html",),
    "맥락": ("book/ch03_word2vec.html",),
    "생성": ("book/ch07_seq2seq.html",),
    "시그모이드": ("book/appendix_a_sigmoid_tanh.html", CHAPTER_1),
    "시소러스": ("book/appendix_b_wordnet.html", "book/ch02_count_based.html"),
}


def _korean_queries() -> list[str]:
    translated = set(_translated_pages())
    return sorted(q for q, pages in TAUGHT_IN_KO.items() if translated & set(pages))


@pytest.mark.parametrize("query", _korean_queries())
def test_korean_search_lists_the_teaching_page_first(open_page, query: str) -> None:
    opened = open_page(f"{KO}/search.html?" + urlencode({"q": query}))
    page = opened.page
    page.wait_for_function(_SEARCH_FINISHED, timeout=20_000)
    results = page.eval_on_selector_all("#search-results ul.search li > a",
                                        "els => els.map(e => e.getAttribute('href'))")
    assert results, f"the Korean search for {query!r} found nothing"
    first = urlsplit(results[0]).path
    assert first in TAUGHT_IN_KO[query], f"the first result for {query!r} is {first}; results: {results[:6]}"
    _assert_clean(opened)


def test_korean_search_splits_queries_as_the_index_was_split(open_page) -> None:
    """The browser's splitQuery (language_data.js) and the index's Python splitter give the same terms."""
    import importlib.util  # noqa: PLC0415

    source = Path(__file__).parents[2] / "book" / "_ext" / "korean_search.py"
    spec = importlib.util.spec_from_file_location("korean_search", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    opened = open_page(f"{KO}/search.html")
    for text in ["말뭉치를 읽는다", "LSTM을 word2vec로 층 수", "어텐션(attention)과 float16", "순환 신경망"]:
        in_browser = opened.page.evaluate("t => splitQuery(t)", text)
        assert in_browser == module.split_korean(text), text


_EMPTY_LINK = re.compile(r'<a\b[^>]*href="[^"]+"[^>]*>(?:\s|<span[^>]*>\s*</span>)*</a>')


def test_no_link_is_empty(site_dir: Path) -> None:
    """Every link in a page's article shows text (a cross-reference that lost its text is still a working link,
    which no link check notices)."""
    empty = []
    for page in _built_pages():
        for m in _EMPTY_LINK.finditer(_article(page)):
            if 'class="headerlink"' not in m[0] and "figure-full-size" not in m[0]:
                empty.append(f"{_rel(page)}: {m[0][:100]}")
    assert not empty, "links without text:\n" + "\n".join(empty[:20])
