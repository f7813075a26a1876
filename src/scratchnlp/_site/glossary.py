"""The book's terms in English, Korean and Japanese: the glossary page, and the check that the Korean edition uses
the book's words.

One file holds the terminology, ``locales/ko/glossary.tsv`` (tab-separated, ``#`` lines are comments, the first
other line names the columns): the English term, the Korean term of the book's Korean edition, where the Korean term
is attested (``code``: a comment of the Korean edition's official code; ``book``: its text; ``site``: a term of this
site's own pages, decided once here), ``required`` when every translation of a message with the English term must
use the Korean one (``book/_ext/catalogs.py check``), the Japanese term of the original edition, the chapter that
introduces the term (``1`` ... ``8``, an appendix ``A`` ... ``C``, or ``site``), and the Korean renderings that are
*not* the book's (``;``-separated: other Korean texts write 그래디언트 or 파라미터 where the book writes 기울기 and
매개변수). The last three columns may be left empty.

Not part of the library's API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scratchnlp._site.wording import say

__all__ = ["Term", "read_glossary", "glossary_path", "chapter_order", "misused", "table_rows", "words", "header"]

#: The columns of the glossary file, in order; the first three must be present on every line.
COLUMNS = ("english", "korean", "attested", "check", "japanese", "chapter", "not_the_books")

_CHAPTERS = tuple("12345678") + ("A", "B", "C", "site")


@dataclass(frozen=True)
class Term:
    """One line of the glossary."""

    english: str
    korean: str
    attested: str
    required: bool
    japanese: str = ""
    chapter: str = ""
    not_the_books: tuple[str, ...] = ()

    @property
    def from_book(self) -> bool:
        """Whether the book uses the term (attested by its Korean text or code), not only this site's pages."""
        return self.attested.split()[0] in ("book", "code") if self.attested else False


def glossary_path(root: str | Path | None = None, lang: str = "ko") -> Path:
    """The glossary file of edition ``lang`` in the repository at ``root`` (default: the checkout the page runs in).

    Raises
    ------
    FileNotFoundError
        When ``root`` is None and no checkout of the repository is found (the page runs elsewhere).
    """
    from scratchnlp._pages import repo_root  # noqa: PLC0415

    base = Path(root) if root is not None else repo_root()
    if base is None:
        raise FileNotFoundError("the glossary lives in the repository (locales/ko/glossary.tsv): run from a checkout")
    return base / "locales" / lang / "glossary.tsv"


def read_glossary(path: str | Path | None = None) -> list[Term]:
    """The terms of the glossary file ``path`` (default: the Korean edition's), in the file's order.

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    ValueError
        When the header is not :data:`COLUMNS`, a line has fewer than three or more than seven fields, a term is
        empty or listed twice, ``check`` is neither empty nor ``required``, or ``chapter`` is not a chapter (1-8),
        an appendix (A-C) or ``site``.
    """
    path = Path(path) if path is not None else glossary_path()
    lines = [(n, line) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if line.strip() and not line.startswith("#")]
    if not lines or tuple(lines[0][1].split("\t")) != COLUMNS:
        raise ValueError(f"{path}: the first line must name the columns {'/'.join(COLUMNS)} (tab-separated)")
    terms, seen = [], set()
    for n, line in lines[1:]:
        fields = line.split("\t")
        if not 3 <= len(fields) <= len(COLUMNS):
            raise ValueError(f"{path}:{n}: expected 3 to {len(COLUMNS)} tab-separated fields, got {len(fields)}")
        fields += [""] * (len(COLUMNS) - len(fields))
        english, korean, attested, check, japanese, chapter, avoid = (f.strip() for f in fields)
        if not english or not korean:
            raise ValueError(f"{path}:{n}: the English and Korean terms must not be empty")
        if english.lower() in seen:
            raise ValueError(f"{path}:{n}: {english!r} is listed twice; keep one Korean term per English term")
        if check not in ("", "required"):
            raise ValueError(f"{path}:{n}: check must be empty or 'required', got {check!r}")
        if chapter and chapter not in _CHAPTERS:
            raise ValueError(f"{path}:{n}: chapter must be one of {', '.join(_CHAPTERS)} or empty, got {chapter!r}")
        seen.add(english.lower())
        terms.append(Term(english, korean, attested, check == "required", japanese, chapter,
                          tuple(a.strip() for a in avoid.split(";") if a.strip())))
    return terms


def chapter_order(chapter: str) -> int:
    """Where a chapter key sorts: chapters 1-8, then appendices A-C, then the site's own terms, then none."""
    return _CHAPTERS.index(chapter) if chapter in _CHAPTERS else len(_CHAPTERS)


_HANGUL_WORD = r"[\uac00-\ud7a3]"


def misused(text: str, terms: Iterable[Term]) -> list[tuple[str, str]]:
    """The renderings in ``text`` that the glossary lists as not the book's, each with the book's term:
    ``[("그래디언트", "기울기")]``. A rendering counts where it starts a word (it may carry a particle:
    그래디언트를)."""
    found = []
    for term in terms:
        for wrong in term.not_the_books:
            if re.search(rf"(?<!{_HANGUL_WORD}){re.escape(wrong)}", text):
                found.append((wrong, term.korean))
    return found


# --------------------------------------------------------------------------------------------------------
# The glossary page
# --------------------------------------------------------------------------------------------------------

#: The glossary page's words, by language.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "terms.english": "English",
        "terms.korean": "Korean (한국어)",
        "terms.japanese": "Japanese (日本語)",
        "terms.where": "introduced in",
        "terms.caption": "The book's terms: {n_book} terms that the book introduces and {n_site} that this site's "
                         "own pages add, read from the glossary file when the site was built.",
        "chapter": "chapter {name}",
        "appendix": "appendix {name}",
        "site": "this site",
        "none": "—",
    },
    "ko": {
        "terms.english": "영어(English)",
        "terms.korean": "한국어",
        "terms.japanese": "일본어(日本語)",
        "terms.where": "처음 나오는 곳",
        "terms.caption": "책의 용어. 책이 도입하는 용어 {n_book}개와 이 사이트의 페이지가 더한 용어 {n_site}개로, "
                         "사이트를 빌드할 때 용어집 파일에서 읽었다.",
        "chapter": "{name}장",
        "appendix": "부록 {name}",
        "site": "이 사이트",
        "none": "—",
    },
}

_COLUMNS = ("english", "korean", "japanese", "where")


def words(key: str, lang: str | None = None, **values: Any) -> str:
    """The glossary page's wording ``key`` (:data:`TEMPLATES`) in ``lang`` (``None``: the page's language)."""
    return say(TEMPLATES, key, lang, **values)


def header(lang: str | None = None) -> list[str]:
    """The column headers of the glossary table in ``lang``."""
    return [words(f"terms.{c}", lang) for c in _COLUMNS]


def _where(chapter: str, pages: dict[str, str], lang: str | None) -> str:
    if not chapter:
        return words("none", lang)
    if chapter == "site":
        return words("site", lang)
    label = words("appendix" if chapter.isalpha() else "chapter", lang, name=chapter)
    page = pages.get(chapter)
    return f"[{label}]({page})" if page else label


def chapter_pages(book_dir: str | Path) -> dict[str, str]:
    """The page of each chapter (``"1"`` -> ``ch01_....md``) and appendix (``"A"`` -> ``appendix_a_....md``) in
    ``book_dir``."""
    pages = {}
    for path in sorted(Path(book_dir).glob("*.md")):
        if m := re.match(r"ch0(\d)_", path.name):
            pages[m.group(1)] = path.name
        elif m := re.match(r"appendix_([a-c])_", path.name):
            pages[m.group(1).upper()] = path.name
    return pages


def table_rows(terms: Sequence[Term], book_dir: str | Path, lang: str | None = None) -> list[list[str]]:
    """The glossary table's rows, in the order of the chapters that introduce the terms (then alphabetically):
    English, Korean, Japanese (— for a term of this site only), and where the term is introduced, linked."""
    pages = chapter_pages(book_dir)
    ordered = sorted(terms, key=lambda t: (chapter_order(t.chapter), t.english.lower()))
    return [[t.english, t.korean, t.japanese or words("none", lang), _where(t.chapter, pages, lang)]
            for t in ordered]
