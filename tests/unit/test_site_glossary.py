"""Unit tests of scratchnlp._site.glossary: the terminology file, the glossary page's table, and the check that the
Korean edition uses the book's words."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from scratchnlp._site import glossary
from scratchnlp._site.glossary import Term, misused, read_glossary, table_rows

ROOT = Path(__file__).resolve().parents[2]
HEADER = "\t".join(glossary.COLUMNS)


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "glossary.tsv"
    path.write_text("# a comment\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_glossary_holds_the_books_terms_in_three_languages() -> None:
    terms = read_glossary(glossary.glossary_path(ROOT))
    book = [t for t in terms if t.from_book]
    assert len(book) >= 80, f"only {len(book)} of the book's terms"
    assert all(t.chapter not in ("", "site") for t in book), [t.english for t in book if t.chapter in ("", "site")]
    assert all(t.japanese for t in book), [t.english for t in book if not t.japanese]
    assert {t.chapter for t in book} >= set("12345678")
    by_english = {t.english: t for t in terms}
    assert by_english["gradient"].korean == "기울기" and "그래디언트" in by_english["gradient"].not_the_books
    assert by_english["corpus"].japanese == "コーパス"


def test_read_glossary_takes_three_to_seven_columns(tmp_path) -> None:
    path = _write(tmp_path, HEADER, "corpus\t말뭉치\tcode\trequired", "epoch\t에폭\tcode\t\tエポック\t1\t에포크;에포치",
                  "node\t노드\tbook")
    corpus, epoch, node = read_glossary(path)
    assert node == Term("node", "노드", "book", False)
    assert corpus == Term("corpus", "말뭉치", "code", True)
    assert epoch.chapter == "1" and epoch.not_the_books == ("에포크", "에포치") and not epoch.required


@pytest.mark.parametrize(("lines", "message"), [
    (["english\tkorean"], "first line must name the columns"),
    ([HEADER, "corpus\t말뭉치"], "expected 3 to 7"),
    ([HEADER, "corpus\t\tcode\t"], "must not be empty"),
    ([HEADER, "corpus\t말뭉치\tcode\t", "Corpus\t코퍼스\tcode\t"], "listed twice"),
    ([HEADER, "corpus\t말뭉치\tcode\tyes"], "check must be empty or 'required'"),
    ([HEADER, "corpus\t말뭉치\tcode\t\tコーパス\t9"], "chapter must be one of"),
])
def test_read_glossary_refuses_a_bad_file(tmp_path, lines, message) -> None:
    with pytest.raises(ValueError, match=message):
        read_glossary(_write(tmp_path, *lines))


def test_misused_finds_renderings_that_are_not_the_books() -> None:
    terms = [Term("gradient", "기울기", "code", True, not_the_books=("그래디언트",)),
             Term("layer", "계층", "code", False, not_the_books=("레이어",))]
    assert misused("그래디언트를 구하고 레이어를 쌓는다", terms) == [("그래디언트", "기울기"), ("레이어", "계층")]
    assert misused("기울기를 구하고 계층을 쌓는다", terms) == []
    assert misused("플레이어", terms) == []  # only where a word starts


def test_no_korean_wording_of_the_pages_uses_a_rendering_that_is_not_the_books() -> None:
    terms = read_glossary(glossary.glossary_path(ROOT))
    wrong = []
    for path in sorted((ROOT / "src" / "scratchnlp" / "_site").glob("*.py")):
        module = importlib.import_module(f"scratchnlp._site.{path.stem}")
        for key, template in getattr(module, "TEMPLATES", {}).get("ko", {}).items():
            wrong += [f"{path.stem}.{key}: {w} (the book: {t})" for w, t in misused(template, terms)]
    assert not wrong, "\n".join(wrong)


def test_table_rows_follow_the_chapters_and_link_them(tmp_path) -> None:
    (tmp_path / "ch02_count_based.md").write_text("", encoding="utf-8")
    (tmp_path / "appendix_b_wordnet.md").write_text("", encoding="utf-8")
    terms = [Term("synset", "synset", "site", True, "synset", "B"),
             Term("corpus", "말뭉치", "code", True, "コーパス", "2"),
             Term("closed form", "닫힌 형식", "site", True, "", "site")]
    assert table_rows(terms, tmp_path, lang="en") == [
        ["corpus", "말뭉치", "コーパス", "[chapter 2](ch02_count_based.md)"],
        ["synset", "synset", "synset", "[appendix B](appendix_b_wordnet.md)"],
        ["closed form", "닫힌 형식", "—", "this site"],
    ]
    assert table_rows(terms, tmp_path, lang="ko")[0][3] == "[2장](ch02_count_based.md)"


def test_templates_match_across_languages() -> None:
    fields = {lang: {k: sorted(re.findall(r"\{(\w+)", v)) for k, v in t.items()}
              for lang, t in glossary.TEMPLATES.items()}
    assert fields["en"] == fields["ko"]
