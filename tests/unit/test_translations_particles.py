"""The Korean edition fits the particle after a value the build fills in (``book/_ext/translations.py``):
a translator writes "{numref}`tbl-x`은" without knowing the table's number.

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
