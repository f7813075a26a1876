"""Sphinx extension: link each API entry to the site page that teaches it.

Every public docstring in scratchnlp names the book chapter it implements ("chapter 1.3.4", "section 4.2.6",
"appendix C").
When autodoc renders a module, class or function, this extension finds those mentions and appends a
"Taught in" note linking to the site's page for each chapter that has one (pages are named
``book/chNN_*.md`` and ``book/appendix_X_*.md``). Chapters without a page yet get no link, so the
reference never points at a missing page, and the links appear by themselves as pages are written.
"""

from __future__ import annotations

import re
from typing import Any

_CHAPTER = re.compile(r"\b[Cc]hapters?\s+(\d{1,2})(?![\d])")
# "section 4.2.6" names chapter 4 too (a bare "section 4" could be a section of anything, so a dot is required)
_SECTION = re.compile(r"(?:\b[Ss]ections?|§)\s*(\d{1,2})\.\d")
_APPENDIX = re.compile(r"\b[Aa]ppendix\s+([A-Da-d])\b")
_CHAPTER_PAGE = re.compile(r"^book/ch(\d{2})_[\w-]+$")
_APPENDIX_PAGE = re.compile(r"^book/appendix_([a-d])_[\w-]+$")
_LINKED_KINDS = {"module", "class", "function", "exception"}


def _teaching_pages(app: Any) -> dict[str, str]:
    """Map ``"1"``, ``"2"``, ..., ``"A"`` to the docname of the page teaching that chapter."""
    pages: dict[str, str] = {}
    for docname in sorted(app.env.found_docs):
        m = _CHAPTER_PAGE.match(docname)
        if m:
            pages.setdefault(str(int(m.group(1))), docname)
            continue
        m = _APPENDIX_PAGE.match(docname)
        if m:
            pages.setdefault(m.group(1).upper(), docname)
    return pages


def _mentioned(lines: list[str]) -> list[str]:
    """The chapters and appendices a docstring names, in order of first mention."""
    text = "\n".join(lines)
    found: list[tuple[int, str]] = []
    found += [(m.start(), str(int(m.group(1)))) for m in _CHAPTER.finditer(text)]
    found += [(m.start(), str(int(m.group(1)))) for m in _SECTION.finditer(text)]
    found += [(m.start(), m.group(1).upper()) for m in _APPENDIX.finditer(text)]
    keys: list[str] = []
    for _, key in sorted(found):
        if key not in keys:
            keys.append(key)
    return keys


def add_teaching_links(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    if what not in _LINKED_KINDS:
        return
    pages = _teaching_pages(app)
    targets = [pages[key] for key in _mentioned(lines) if key in pages]
    if not targets:
        return
    links = ", ".join(f":doc:`/{docname}`" for docname in targets)
    lines.extend(["", f".. seealso:: Taught in {links}.", ""])


def setup(app: Any) -> dict[str, Any]:
    # After napoleon (priority 500) has turned the NumPy sections into reST.
    app.connect("autodoc-process-docstring", add_teaching_links, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
