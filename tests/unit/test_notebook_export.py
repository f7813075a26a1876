"""The exported notebooks' converter (``book/_ext/notebook_export.py``): MyST roles and directives become the
Markdown the site shows, outputs come from the executed notebook, captions and references are added.

``book/_ext`` is not a package (Sphinx puts it on ``sys.path`` as a local extension folder), so the module is
loaded from its file here.
"""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"


def _load():
    spec = importlib.util.spec_from_file_location("notebook_export", BOOK / "_ext" / "notebook_export.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("notebook_export", module)
    spec.loader.exec_module(module)
    return module


ne = _load()

# What a reader must not see in a notebook's Markdown: a role, a directive fence, a label target.
LEFTOVER = re.compile(r"\{[A-Za-z][\w:.+-]*\}`|^\s*(`{3,}|:{3,})\{|^\s*\([\w-]+\)=\s*$", re.M)


def _ctx(**kw):
    glue = {
        "n": {"text/plain": "12345"},
        "rate": {"text/plain": "0.1234"},
        "word": {"text/plain": "'<unk>'"},
        "sentence": {"text/plain": "<IPython.core.display.Markdown object>",
                     "text/markdown": "As {cite:t}`mikolov2013` found, **it works**."},
        "pic": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"},
    }
    numbers = {("figure", "fig-x"): "Fig. 4.2", ("table", "tbl-x"): "Table 4.1", ("exercise", "ex-a"): "Exercise 4.3"}
    defaults = dict(
        glue=glue,
        cite=lambda role, keys: f"<{role}:{'+'.join(keys)}>",
        xref=lambda role, target, title: f"[{role}|{target}|{title}]",
        number=lambda figtype, label: numbers.get((figtype, label)),
        references=lambda keys: [f"entry {k}" for k in keys],
    )
    defaults.update(kw)
    return ne.Context(**defaults)


# --- glued values ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plain", "spec", "expected"),
    [
        ("12345", ",d", "12,345"),
        ("0.1234", ".2%", "12.34%"),
        ("0.1234", ".1f", "0.1"),
        ("3.0", "d", "3"),
        ("'word'", "s", "word"),
        ("'word'", "", "word"),
        ("<IPython.core.display.Markdown object>", "s", "<IPython.core.display.Markdown object>"),
        ("1e-05", ".0e", "1e-05"),
    ],
)
def test_glue_text_is_formatted_as_the_site_formats_it(plain, spec, expected) -> None:
    assert ne.format_glue_text(plain, spec) == expected


def test_glue_text_role_uses_the_format_spec_and_escapes_markdown() -> None:
    ctx = _ctx()
    assert ne.convert_inline("{glue:text}`n:,d` steps at {glue:text}`rate:.1%`", ctx) == "12,345 steps at 12.3%"
    assert ne.convert_inline("the word {glue:text}`word`", ctx) == r"the word \<unk\>"


def test_glue_md_role_pastes_converted_markdown_and_collects_its_citations() -> None:
    ctx = _ctx()
    assert ne.convert_inline("{glue:md}`sentence` Next.", ctx) == r"As \<t:mikolov2013\> found, **it works**. Next."
    assert ctx.cited == ["mikolov2013"]


def test_glue_role_pastes_an_image_as_an_attachment_in_a_cell_and_a_data_uri_elsewhere() -> None:
    ctx = _ctx()
    ctx.attachments = {}
    assert ne.convert_inline("{glue}`pic`", ctx) == "![pic](attachment:pic.png)"
    assert ctx.attachments == {"pic.png": {"image/png": "iVBORw0KGgo="}}
    ctx.attachments = None
    assert ne.convert_inline("{glue}`pic`", ctx) == "![pic](data:image/png;base64,iVBORw0KGgo=)"


def test_a_missing_glue_key_is_an_error_naming_it() -> None:
    with pytest.raises(KeyError, match="nope"):
        ne.convert_inline("{glue:text}`nope:d`", _ctx())
    with pytest.raises(KeyError, match="text/markdown"):
        ne.convert_inline("{glue:md}`n`", _ctx())


# --- roles ----------------------------------------------------------------------------------------------------


def test_citations_are_the_sites_text_and_are_collected_in_order_once() -> None:
    ctx = _ctx()
    text = ne.convert_inline("book {cite}`saito2018,saito2019ko`, {cite:t}`mikolov2013`, {cite:p}`saito2018`", ctx)
    assert text == r"book \<p:saito2018+saito2019ko\>, \<t:mikolov2013\>, \<p:saito2018\>"
    assert ctx.cited == ["saito2018", "saito2019ko", "mikolov2013"]


def test_cross_references_go_through_the_context_with_their_explicit_titles() -> None:
    ctx = _ctx()
    assert ne.convert_inline("{numref}`fig-x`", ctx) == "[numref|fig-x|None]"
    assert ne.convert_inline("{numref}`Figure %s <fig-x>`", ctx) == "[numref|fig-x|Figure %s]"
    assert ne.convert_inline("{doc}`api/layers`", ctx) == "[doc|api/layers|None]"
    assert ne.convert_inline("{ref}`the fast way <ch4-fast>`", ctx) == "[ref|ch4-fast|the fast way]"
    assert ne.convert_inline("{eq}`eq-loss`", ctx) == "[eq|eq-loss|None]"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("{py:class}`scratchnlp.layers.Embedding`", "`scratchnlp.layers.Embedding`"),
        ("{py:class}`~scratchnlp.layers.Embedding`", "`Embedding`"),
        ("{py:func}`the function <scratchnlp.text.ppmi>`", "`the function`"),
        ("{class}`Affine`", "`Affine`"),
        ("{math}`x^2`", "$x^2$"),
        ("{sub}`2`", "<sub>2</sub>"),
        ("{abbr}`PTB (Penn Treebank)`", "PTB"),
        ("{download}`the file <data.txt>`", "the file"),
    ],
)
def test_other_roles_become_code_math_or_text(role, expected) -> None:
    assert ne.convert_inline(role, _ctx()) == expected


def test_roles_inside_code_spans_are_left_alone() -> None:
    text = "write `{glue:text}` roles, or ``{cite}`x` `` in a page"
    assert ne.convert_inline(text, _ctx()) == text


def test_escaping_keeps_words_and_line_starts_literal() -> None:
    assert ne.escape_markdown("<unk> costs $5 * 2_b") == r"\<unk\> costs \$5 \* 2\_b"
    assert ne.escape_markdown("3. word2vec") == r"3\. word2vec"
    assert ne.escape_markdown("# 1") == r"\# 1"
    assert ne.escape_markdown("-0.5") == "-0.5"


# --- directives and blocks -----------------------------------------------------------------------------------


def test_exercises_and_solutions_become_headed_markdown() -> None:
    ctx = _ctx()
    text = (
        "## Exercises\n\n```{exercise}\n:label: ex-a\n\nCount the {glue:text}`n:,d` words.\n```\n\n"
        "```{solution-start} ex-a\n:class: dropdown\n```\n\nThe answer.\n\n```{solution-end}\n```\n"
    )
    out = ne.convert_markdown(text, ctx)
    assert out == (
        "## Exercises\n\n### Exercise 4.3\n\nCount the 12,345 words.\n\n#### Solution to Exercise 4.3\n\n"
        "The answer."
    )
    assert ne.convert_markdown("```{solution-end}\n```", ctx) == ""


def test_an_unnumbered_exercise_with_a_title() -> None:
    out = ne.convert_markdown("```{exercise} Softplus\n:label: ex-none\n\nDo it.\n```", _ctx())
    assert out == "### Exercise (Softplus)\n\nDo it."
    assert ne.convert_markdown("```{solution-start} ex-none\n```", _ctx()) == "#### Solution"


def test_admonitions_become_block_quotes_with_a_bold_title() -> None:
    ctx = _ctx()
    assert ne.convert_markdown("```{note}\nBe careful with {cite}`a`.\n```", ctx) == (
        "> **Note**\n>\n> Be careful with \\<p:a\\>."
    )
    assert ne.convert_markdown("```{warning} First line\nsecond line\n```", ctx) == (
        "> **Warning**\n>\n> First line\n> second line"
    )
    titled = ":::{admonition} Why {math}`\\log 2`?\n:class: tip\n\nBecause.\n\nReally.\n:::"
    assert ne.convert_markdown(titled, ctx) == (
        "> **Why $\\log 2$?**\n>\n> Because.\n>\n> Really."
    )


def test_a_library_listing_in_a_dropdown_keeps_its_code_verbatim() -> None:
    listing = "def f(x):\n    return {'a': x}  # {cite}`not-a-role`\n"
    text = f"::::{{dropdown}} Source: `scratchnlp.f` (2 lines)\n:open:\n:class-container: library-source\n\n" \
           f"````python\n{listing}````\n::::"
    out = ne.convert_markdown(text, _ctx())
    assert out == (
        "> **Source: `scratchnlp.f` (2 lines)**\n>\n> ````python\n> def f(x):\n"
        "> " + "    return {'a': x}  # {cite}`not-a-role`\n> ````"
    )


def test_a_table_directive_gets_its_number_and_caption() -> None:
    text = "```{table} Neighbours of {glue:text}`word`.\n:name: tbl-x\n\n| a | b |\n| :--- | :--- |\n| 1 | 2 |\n```"
    assert ne.convert_markdown(text, _ctx()) == (
        "**Table 4.1** Neighbours of \\<unk\\>.\n\n| a | b |\n| :--- | :--- |\n| 1 | 2 |"
    )


def test_math_stays_latex_that_jupyter_renders() -> None:
    ctx = _ctx()
    assert ne.convert_markdown("```{math}\n:label: eq-a\n\nx = {a \\over b}\n```", ctx) == "$$\nx = {a \\over b}\n$$"
    assert ne.convert_markdown("$$\ny = x\n$$ (eq-b)\n\nafter", ctx) == "$$\ny = x\n$$\n\nafter"
    assert ne.convert_markdown("\\begin{align}\na &= b\n\\end{align}", ctx) == (
        "$$\n\\begin{align}\na &= b\n\\end{align}\n$$"
    )
    inside = "$$\n\\begin{aligned}\na &= b\n\\end{aligned}\n$$"
    assert ne.convert_markdown(inside, ctx) == inside


def test_targets_comments_and_code_fences() -> None:
    text = "(ch04)=\n# 4. Title\n\n% a comment\n\n```python\n{cite}`x` stays\n```\n\n+++\n\nText."
    assert ne.convert_markdown(text, _ctx()) == "# 4. Title\n\n```python\n{cite}`x` stays\n```\n\nText."


def test_figure_and_glue_figure_directives() -> None:
    ctx = _ctx()
    ctx.attachments = {}
    out = ne.convert_markdown("```{glue:figure} pic\n:name: fig-x\n\nThe {glue:text}`n:d` points.\n```", ctx)
    assert out == "![pic](attachment:pic.png)\n\n**Fig. 4.2** The 12345 points."
    out = ne.convert_markdown("```{figure} img/a.png\n:alt: A plot\n:name: fig-y\n\nCaption.\n```", ctx)
    assert out == "![A plot](img/a.png)\n\n**Figure** Caption."


def test_unknown_directives_keep_their_content_and_dropped_ones_vanish() -> None:
    ctx = _ctx()
    assert ne.convert_markdown("```{bibliography}\n```", ctx) == ""
    assert ne.convert_markdown("```{epigraph}\nWords.\n```", ctx) == "> Words."
    assert ne.convert_markdown("```{something} Heading\nBody {glue:text}`n:,d`.\n```", ctx) == (
        "> **Heading**\n>\n> Body 12,345."
    )


def test_options_in_a_yaml_block() -> None:
    d = ne.parse_directive("exercise", "", ["---", "label: ex-a", "class: x", "---", "", "Body."])
    assert d.options == {"label": "ex-a", "class": "x"} and d.body == "Body."


# --- every chapter page converts to plain Markdown ------------------------------------------------------------


class _AnyGlue(dict):
    """Any glue key has a value (a number, and a sentence holding a citation), as in a built page."""

    def __missing__(self, key):
        return {"text/plain": "1", "text/markdown": "a sentence {cite}`glued`"}


def _chapter_sources() -> list[Path]:
    # the chapters, the appendices and the site's expansion of the book's section 1.5
    return sorted(p for p in BOOK.glob("*.md") if p.name.startswith(("ch", "appendix_")) or p.name == "speedup.md")


@pytest.mark.parametrize("page", _chapter_sources(), ids=lambda p: p.stem)
def test_every_chapter_page_converts_without_myst_left_in_its_markdown(page: Path) -> None:
    import jupytext

    notebook = jupytext.read(page, fmt="md:myst")
    ctx = _ctx(glue=_AnyGlue())
    exported = ne.export_notebook(notebook, None, ctx)
    nbformat.validate(exported)
    for cell in exported.cells:
        if cell.cell_type == "markdown":
            m = LEFTOVER.search(cell.source)
            where = cell.source[max(0, m.start() - 80):m.end() + 80] if m else ""
            assert m is None, f"{page.name}: MyST left in a Markdown cell: {where!r}"
    code = [c for c in exported.cells if c.cell_type == "code"]
    assert len(code) == sum(1 for c in notebook.cells if c.cell_type == "code"), "a code cell was lost"
    if "{cite" in page.read_text(encoding="utf-8"):
        assert exported.cells[-1].source.startswith("## References")
    headings = [c.source for c in exported.cells if c.cell_type == "markdown" and "### Exercise" in c.source]
    assert len(headings) >= 3, f"{page.name}: the exercises were not turned into headed Markdown"


# --- notebooks -------------------------------------------------------------------------------------------------


def _output(text: str, **data) -> dict:
    if data:
        return nbformat.v4.new_output("display_data", data=data)
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def test_outputs_are_matched_by_source_in_order() -> None:
    md = nbformat.v4.new_markdown_cell("x")
    cells = [nbformat.v4.new_code_cell("a = 1"), md, nbformat.v4.new_code_cell("plt.show()"),
             nbformat.v4.new_code_cell("b = 2"), nbformat.v4.new_code_cell("plt.show()"),
             nbformat.v4.new_code_cell("not executed")]
    executed = [nbformat.v4.new_code_cell("a = 1\n"), nbformat.v4.new_markdown_cell("x"),
                nbformat.v4.new_code_cell("plt.show()"), nbformat.v4.new_code_cell("b = 2"),
                nbformat.v4.new_code_cell("plt.show()")]
    assert ne.match_outputs(cells, executed) == [0, None, 2, 3, 4, None]


def test_site_outputs_drop_removed_glue_only_and_stderr_outputs() -> None:
    executed = nbformat.v4.new_code_cell("x", outputs=[
        _output("hello\n"),
        nbformat.v4.new_output("stream", name="stderr", text="warning\n"),
        _output("", **{"application/papermill.record/text/plain": "1"}),
        _output("", **{"text/plain": "2"}),
    ])
    cell = nbformat.v4.new_code_cell("x")
    kept = ne.site_outputs(cell, executed)
    assert [o.get("text") or o.get("data") for o in kept] == ["hello\n", {"text/plain": "2"}]
    kept[0]["text"] = "changed"
    assert executed.outputs[0]["text"] == "hello\n", "the executed notebook must not be changed"
    cell.metadata["tags"] = ["remove-output"]
    assert ne.site_outputs(cell, executed) == []
    assert ne.site_outputs(nbformat.v4.new_code_cell("x"), None) == []


def test_glued_values_are_read_from_the_outputs_of_glue_calls() -> None:
    hidden = nbformat.v4.new_output("display_data", data={"application/papermill.record/text/plain": "0.25"},
                                    metadata={"scrapbook": {"name": "rate",
                                                            "mime_prefix": "application/papermill.record/"}})
    shown = nbformat.v4.new_output("display_data", data={"text/plain": "'x'", "text/markdown": "*x*"},
                                   metadata={"scrapbook": {"name": "word", "mime_prefix": ""}})
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("text"),
        nbformat.v4.new_code_cell("glue(...)", outputs=[_output("printed\n"), hidden, shown]),
    ])
    assert ne.glue_from_outputs(notebook) == {"rate": {"text/plain": "0.25"},
                                              "word": {"text/plain": "'x'", "text/markdown": "*x*"}}
    assert ne.has_outputs(notebook)
    notebook.cells[1].outputs = []
    assert ne.glue_from_outputs(notebook) == {} and not ne.has_outputs(notebook)


def test_collapse_metadata_follows_the_tags_and_keeps_them() -> None:
    hidden = {"tags": ["hide-input"], "jupyter": {"source_hidden": True}}
    assert ne.collapse_metadata({"tags": ["hide-input"]}) == hidden
    assert ne.collapse_metadata({"tags": ["hide-output"]})["jupyter"] == {"outputs_hidden": True}
    assert ne.collapse_metadata({"tags": ["remove-cell"]})["jupyter"] == {"source_hidden": True}
    assert ne.collapse_metadata({}) == {}


def test_export_notebook_reads_like_the_page() -> None:
    caption = "Loss of {glue:text}`n:,d` steps ({cite}`saito2018`)."
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("(top)=\n# 4. Title\n\nAfter {glue:text}`n:,d` steps {cite:t}`mikolov2013`."),
        nbformat.v4.new_code_cell("import x", metadata={"tags": ["hide-input"]}),
        nbformat.v4.new_code_cell("plot()", metadata={"mystnb": {"figure": {"caption": caption, "name": "fig-x"}}}),
        nbformat.v4.new_code_cell("show_source(f)", metadata={"tags": ["remove-input"]}),
        nbformat.v4.new_code_cell("glue('n', 12345, display=False)", metadata={"tags": ["remove-cell"]}),
        nbformat.v4.new_markdown_cell("```{solution-end}\n```"),
    ])
    executed = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("whatever"),
        nbformat.v4.new_code_cell("import x", execution_count=1),
        nbformat.v4.new_code_cell("plot()", execution_count=2, outputs=[_output("", **{"image/png": "AAAA"})]),
        nbformat.v4.new_code_cell("show_source(f)", execution_count=3, outputs=[nbformat.v4.new_output(
            "execute_result", data={"text/markdown": "```{table} T\n:name: tbl-x\n\n| a |\n| - |\n```",
                                    "text/plain": "<Markdown>"}, execution_count=3)]),
        nbformat.v4.new_code_cell("glue('n', 12345, display=False)", execution_count=4, outputs=[_output("hidden\n")]),
    ])
    before = nbformat.writes(notebook)
    ctx = _ctx()
    out = ne.export_notebook(notebook, executed, ctx)
    nbformat.validate(out)
    assert nbformat.writes(notebook) == before, "the source notebook must not be changed"
    kinds = [c.cell_type for c in out.cells]
    assert kinds == ["markdown", "code", "code", "markdown", "code", "code", "markdown"]
    assert out.cells[0].source == "# 4. Title\n\nAfter 12,345 steps \\<t:mikolov2013\\>."
    assert out.cells[1].metadata == {"tags": ["hide-input"], "jupyter": {"source_hidden": True}}
    assert out.cells[1].execution_count == 1 and out.cells[1].outputs == []
    assert out.cells[2].outputs[0]["data"] == {"image/png": "AAAA"}
    assert out.cells[3].source == "**Fig. 4.2** Loss of 12,345 steps (\\<p:saito2018\\>)."
    assert out.cells[4].outputs[0]["data"]["text/markdown"] == "**Table 4.1** T\n\n| a |\n| - |"
    assert out.cells[5].outputs == [], "a remove-cell cell keeps no output"
    assert out.cells[6].source == (
        "## References\n\nThe works cited in this notebook:\n\n- entry mikolov2013\n- entry saito2018"
    )
    assert out.cells[6].metadata["tags"] == ["references"]


def test_a_notebook_that_cites_nothing_has_no_references_cell() -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Plain.")])
    out = ne.export_notebook(notebook, None, _ctx())
    assert [c.source for c in out.cells] == ["Plain."]


def test_notebook_links_are_relative_between_notebooks() -> None:
    assert ne.notebook_link("book/ch04_x", "book/ch03_y") == "ch03_y.ipynb"
    assert ne.notebook_link("book/ch04_x", "book/api/layers") == "api/layers.ipynb"
    assert ne.notebook_link("book/api/layers", "book/ch03_y") == "../ch03_y.ipynb"


# --- the context of a real Sphinx build ------------------------------------------------------------------------

_BIB = """@book{saito2018,
  author = {Saito, Koki}, title = {Deep Learning from Scratch 2}, publisher = {O'Reilly Japan}, year = {2018},
}
@inproceedings{mikolov2013,
  author = {Mikolov, Tomas and Sutskever, Ilya and Chen, Kai and Corrado, Greg and Dean, Jeff},
  title = {Distributed Representations of Words and Phrases}, booktitle = {NeurIPS}, year = {2013},
}
"""


@pytest.fixture(scope="module")
def sphinx_app(tmp_path_factory):
    from sphinx.application import Sphinx

    src = tmp_path_factory.mktemp("site")
    (src / "conf.py").write_text(
        'extensions = ["sphinxcontrib.bibtex"]\nbibtex_bibfiles = ["refs.bib"]\n'
        'bibtex_reference_style = "author_year"\nbibtex_default_style = "plain"\nnumfig = True\n'
    )
    (src / "refs.bib").write_text(_BIB)
    (src / "index.rst").write_text("Index\n=====\n\n.. toctree::\n\n   book/ch01_a\n   book/ch02_b\n   refs\n")
    (src / "book").mkdir()
    (src / "book" / "ch01_a.rst").write_text(
        "1. First chapter\n================\n\nCites :cite:p:`saito2018` and :cite:t:`mikolov2013`.\n\n"
        ".. _sec-one:\n\n1.1 A section\n-------------\n\n.. figure:: x.png\n   :name: fig-one\n\n   A caption.\n"
    )
    (src / "book" / "ch02_b.rst").write_text("2. Second chapter\n=================\n\nSee :numref:`fig-one`.\n")
    (src / "refs.rst").write_text("References\n==========\n\n.. bibliography::\n")
    (src / "x.png").write_bytes(b"")
    out = tmp_path_factory.mktemp("out")
    app = Sphinx(str(src), str(src), str(out / "html"), str(out / "doctrees"), "html",
                 status=io.StringIO(), warning=io.StringIO(), freshenv=True)
    app.build()
    return app


def test_sphinx_context_writes_citations_as_the_site_shows_them(sphinx_app) -> None:
    ctx = ne.sphinx_context(sphinx_app, "book/ch02_b", {}, has_notebook=lambda doc: doc.startswith("book/ch"))
    assert ctx.cite("p", ["saito2018"]) == "[Saito, 2018]"
    assert ctx.cite("t", ["mikolov2013"]) == "Mikolov et al. [2013]"
    entries = ctx.references(["saito2018", "mikolov2013", "unknown2000"])
    assert entries[0].startswith("Tomas Mikolov, Ilya Sutskever") and "\n" not in entries[0]
    assert "*Deep Learning from Scratch 2*" in entries[1]
    assert entries[2] == "unknown2000"


def test_sphinx_context_resolves_references_numbers_and_links_other_notebooks(sphinx_app) -> None:
    ctx = ne.sphinx_context(sphinx_app, "book/ch02_b", {}, has_notebook=lambda doc: doc.startswith("book/ch"))
    assert ctx.xref("numref", "fig-one", None) == "[Fig. 1](ch01_a.ipynb)"
    assert ctx.xref("numref", "fig-one", "figure %s") == "[figure 1](ch01_a.ipynb)"
    assert ctx.xref("ref", "sec-one", None) == "[1.1 A section](ch01_a.ipynb)"
    assert ctx.xref("doc", "ch01_a", None) == r"[1\. First chapter](ch01_a.ipynb)"
    assert ctx.xref("doc", "../refs", None) == "References", "a page without a notebook is named, not linked"
    same_page = ne.sphinx_context(sphinx_app, "book/ch01_a", {}, has_notebook=lambda doc: True)
    assert same_page.xref("ref", "sec-one", None) == "1.1 A section"
    assert same_page.number("figure", "fig-one") == "Fig. 1"
    assert same_page.number("figure", "no-such-label") is None


def test_index_entries_are_dropped():
    text = "Before.\n\n```{index}\n! softmax\n```\nAfter."
    out = ne.convert_markdown(text, _ctx())
    assert "softmax" not in out and "Before." in out and "After." in out


def test_translate_markdown_replaces_each_message_and_keeps_the_rest() -> None:
    ne = _load()
    messages = {
        "2.1 Counting words": "2.1 단어 세기",
        "A paragraph written on two lines, with {glue:text}`n:d` words.":
            "두 줄로 쓴 문단이며 단어는 {glue:text}`n:d`개다.",
        "first item": "첫째 항목",
        "Why?": "왜인가?",
        "Because the loss falls.": "손실이 줄기 때문이다.",
        "word": "단어",
    }
    source = "\n".join([
        "(sec-count)=",
        "## 2.1 Counting words",
        "",
        "A paragraph written on two lines,",
        "with {glue:text}`n:d` words.",
        "",
        "- first item",
        "- second item",
        "",
        "$$",
        "y = x",
        "$$",
        "",
        "```python",
        "print('Why?')",
        "```",
        "",
        "```{exercise} Why?",
        ":label: ex-why",
        "",
        "Because the loss falls.",
        "```",
        "",
        "| word | count |",
        "| --- | ---: |",
        "| word | 3 |",
    ])
    assert ne.translate_markdown(source, messages.get).split("\n") == [
        "(sec-count)=",
        "## 2.1 단어 세기",
        "",
        "두 줄로 쓴 문단이며 단어는 {glue:text}`n:d`개다.",
        "",
        "- 첫째 항목",
        "- second item",
        "",
        "$$",
        "y = x",
        "$$",
        "",
        "```python",
        "print('Why?')",
        "```",
        "",
        "```{exercise} 왜인가?",
        ":label: ex-why",
        "",
        "손실이 줄기 때문이다.",
        "```",
        "",
        "| 단어 | count |",
        "| --- | ---: |",
        "| 단어 | 3 |",
    ]


def test_a_translated_notebook_uses_its_languages_labels() -> None:
    ne = _load()
    ctx = ne.Context(labels=ne.LABELS_BY_LANGUAGE["ko"], translate={"Why?": "왜인가?"}.get)
    source = ne.translate_markdown("```{exercise} Why?\n:label: ex-x\n\nBody.\n```", ctx.translate)
    out = ne.convert_markdown(source, ctx)
    assert out.startswith("### 연습 문제 (왜인가?)")
