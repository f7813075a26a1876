"""The build steps of the translated editions (``book/_ext/translations.py``): the Korean edition fits the
particle after a value the build fills in (a translator writes "{numref}`tbl-x`은" without knowing the table's
number), and the frame words that the themes write without gettext are replaced in the built pages.

``book/_ext`` is not a package (Sphinx puts it on ``sys.path`` as a local extension folder), so the module is
loaded from its file here, with that folder on the path for its sibling imports.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

EXT = Path(__file__).resolve().parents[2] / "book" / "_ext"


@pytest.fixture(scope="module")
def translations():
    sys.path.insert(0, str(EXT))
    try:
        spec = importlib.util.spec_from_file_location("translations", EXT / "translations.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(EXT))


def _paragraph(value_node: nodes.Node, after: str) -> tuple[nodes.document, nodes.paragraph]:
    document = new_document("test", get_default_settings(Parser))
    paragraph = nodes.paragraph("", "", nodes.Text("앞 "), value_node, nodes.Text(after))
    document += paragraph
    return document, paragraph


@pytest.mark.parametrize(("value", "written", "fitted"), [
    ("표 5.2", "은 보여 준다", "는 보여 준다"),
    ("표 5.3", "는 보여 준다", "은 보여 준다"),
    ("98.76%", "을 맞힌다", "를 맞힌다"),
    ("float16", "로 저장한다", "으로 저장한다"),
    ("LSTM", "가 낫다", "이 낫다"),
    ("그림 8.1", "과 같다", "과 같다"),
    ("그림 8.2", "과 같다", "와 같다"),
    ("표 5.2", "이다.", "이다."),  # the copula is not a particle pair fitted here
])
def test_the_particle_after_a_filled_in_value_fits_it(translations, value, written, fitted) -> None:
    document, paragraph = _paragraph(nodes.reference("", value), written)
    translations.fit_korean_particles(SimpleNamespace(config=SimpleNamespace(language="ko")), document, "x")
    assert paragraph.astext() == f"앞 {value}{fitted}"


def test_the_english_edition_is_left_alone(translations) -> None:
    document, paragraph = _paragraph(nodes.literal("", "LSTM"), "가 낫다")
    translations.fit_korean_particles(SimpleNamespace(config=SimpleNamespace(language="en")), document, "x")
    assert paragraph.astext() == "앞 LSTM가 낫다"


def test_literal_frame_words_are_replaced_only_as_whole_attribute_values(translations) -> None:
    words = {"Main": "책 목차", "Toggle hidden content": 'a "quoted" <word>'}
    page = ('<nav aria-label="Main"><a title="Main">Main</a><nav aria-label="Main menu">'
            '<summary aria-label="Toggle hidden content"><b title="Page">')
    assert translations.replace_literal_frame_words(page, words) == (
        '<nav aria-label="책 목차"><a title="책 목차">Main</a><nav aria-label="Main menu">'
        '<summary aria-label="a &quot;quoted&quot; &lt;word&gt;"><b title="Page">')


def test_the_built_korean_pages_and_script_get_the_frame_words(translations, tmp_path) -> None:
    outdir = tmp_path / "out"
    (outdir / "_static").mkdir(parents=True)
    page = outdir / "book" / "intro.html"
    page.parent.mkdir()
    page.write_text('<button title="Toggle primary sidebar"></button><nav aria-label="Main">', encoding="utf-8")
    script = outdir / "_static" / "togglebutton.js"
    script.write_text('var b = `<button aria-label="Toggle hidden content">`;', encoding="utf-8")
    untouched = outdir / "_static" / "other.js"
    untouched.write_text('x = `aria-label="Main"`;', encoding="utf-8")
    app = SimpleNamespace(config=SimpleNamespace(language="ko"), srcdir=str(EXT.parents[1]), outdir=str(outdir),
                          builder=SimpleNamespace(format="html"))

    translations.put_literal_frame_words(app, RuntimeError("the build failed"))
    assert "Toggle primary sidebar" in page.read_text(encoding="utf-8")

    translations.put_literal_frame_words(app, None)
    text = page.read_text(encoding="utf-8")
    assert "Toggle primary sidebar" not in text and 'aria-label="책 목차"' in text
    assert 'aria-label="숨긴 내용 펼치기/접기"' in script.read_text(encoding="utf-8")
    assert untouched.read_text(encoding="utf-8") == 'x = `aria-label="Main"`;'
    assert sorted(p.name for p in outdir.rglob("*.partial")) == []


def test_every_literal_frame_word_has_a_korean_translation(translations) -> None:
    app = SimpleNamespace(srcdir=str(EXT.parents[1]))
    words = translations._frame_words(app, "ko")
    assert all(words.get(w) for w in translations.LITERAL_FRAME_WORDS)


def _solution_document(language: str) -> tuple[nodes.document, nodes.title]:
    from sphinx_exercise.nodes import solution_node

    document = new_document("test", get_default_settings(Parser))
    document.settings.env = SimpleNamespace(config=SimpleNamespace(language=language))
    link = nodes.reference("", "", nodes.Text(" 연습 6.1"), refid="ex-ch06-clip")
    title = nodes.title("", "", nodes.Text("해답"), link)
    document += solution_node("", title, nodes.paragraph("", "Done."))
    return document, title


def test_a_korean_solution_title_names_the_exercise_first(translations) -> None:
    document, title = _solution_document("ko")
    translations.SolutionTitlesInWordOrder(document).run()
    assert title.astext() == "연습 6.1의 해답"
    assert isinstance(title.children[0], nodes.reference) and title.children[0]["refid"] == "ex-ch06-clip"
    english, title = _solution_document("en")
    translations.SolutionTitlesInWordOrder(english).run()
    assert title.astext() == "해답 연습 6.1"  # the English edition keeps sphinx-exercise's order
