"""Keep the translations' message catalogs in step with the English pages.

    python book/_ext/catalogs.py update ko book/appendix_a_sigmoid_tanh   # create or refresh that page's catalog
    python book/_ext/catalogs.py update ko                                # refresh every catalog of the edition
    python book/_ext/catalogs.py check ko                                 # fail on anything stale (make test)

Both read the English pages' messages from ``_build/messages/_build/gettext/<page>.pot`` (``make gettext``). A page
of an edition is translated when its catalog ``locales/<lang>/LC_MESSAGES/<page>.po`` exists, and then it must be
complete: ``check`` fails on a message of the page that the catalog lacks or leaves untranslated, on a fuzzy entry
(its English changed since it was translated; ``update`` marks those), on an entry whose English is no longer on
the page, and on a translation that drops or adds a glued value, a cross-reference, a citation or a link target
of its English message, on a translation that renders a required glossary term (``locales/<lang>/glossary.tsv``)
otherwise, and on one that uses a rendering the glossary lists as not the book's (그래디언트 for 기울기). Display
math and messages made only of math, code and references need no translation: ``update`` makes each its own
translation.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from scratchnlp._site.glossary import Term, misused, read_glossary

ROOT = Path(__file__).resolve().parents[2]
POT_DIR = ROOT / "_build" / "messages" / "_build" / "gettext"
LOCALES = ROOT / "locales"

# Inline markup whose target a translation must keep: MyST roles ({glue:text}`k`, {numref}`fig`, {cite}`key`, ...)
# and Markdown link targets ([text](target)).
_ROLE = re.compile(r"\{(?P<role>[\w:.-]+)\}`(?P<target>[^`]*)`")
_LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")
# What carries no words to translate: math, code spans, roles, link targets, HTML entities.
_NO_WORDS = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|\{[\w:.-]+\}`[^`]*`|\]\([^)]*\)|&\w+;", re.S)
_WORD = re.compile(r"[A-Za-z]{2,}")


def references(text: str) -> Counter[str]:
    """The glued values, cross-references, citations and link targets in a message, with their counts.

    The text of a reference with an explicit title (``{numref}`Fig. %s <fig-x>```) is the translator's; only its
    target is compared."""
    found: Counter[str] = Counter()
    for m in _ROLE.finditer(text):
        target = m["target"]
        if "<" in target and target.endswith(">"):
            target = target[target.rindex("<") + 1:-1]
        found[f"{{{m['role']}}}`{target}`"] += 1
    for m in _LINK.finditer(text):
        found[f"({m['target']})"] += 1
    return found


def needs_translation(msgid: str) -> bool:
    """Whether a message has words a reader of another language needs translated (display math, and messages
    made only of math, code, references and numbers, read the same in every language)."""
    if msgid.startswith("\n"):  # a display-math block: the message is its LaTeX
        return False
    return bool(_WORD.search(_NO_WORDS.sub(" ", msgid)))


def glossary(lang: str) -> list[Term]:
    """The edition's glossary (``locales/<lang>/glossary.tsv``, read by :mod:`scratchnlp._site.glossary`)."""
    path = LOCALES / lang / "glossary.tsv"
    return read_glossary(path) if path.is_file() else []


def glossary_misses(msgid: str, msgstr: str, terms: list[Term]) -> list[str]:
    """The required glossary terms whose English is in ``msgid`` (outside math, code and references) while the
    translation ``msgstr`` lacks the edition's term."""
    words = _NO_WORDS.sub(" ", msgid)
    return [f"{t.english} -> {t.korean}" for t in terms
            if t.required and re.search(rf"\b{re.escape(t.english)}(s|es)?\b", words, re.I) and t.korean not in msgstr]


def _template(docname: str) -> Catalog:
    path = POT_DIR / f"{docname}.pot"
    if not path.is_file():
        raise SystemExit(f"no message template {path.relative_to(ROOT)}: run `make gettext` first")
    with path.open("rb") as f:
        return read_po(f)


def _catalog_path(lang: str, docname: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{docname}.po"


def translated_pages(lang: str) -> list[str]:
    """The pages of edition ``lang`` that have a catalog (their document names)."""
    base = LOCALES / lang / "LC_MESSAGES"
    return sorted(str(p.relative_to(base).with_suffix("")) for p in base.rglob("*.po"))


def update(lang: str, docnames: list[str]) -> None:
    """Create or refresh the catalogs of ``docnames`` (all of the edition's when empty) from the templates."""
    for docname in docnames or translated_pages(lang):
        template = _template(docname)
        path = _catalog_path(lang, docname)
        if path.is_file():
            with path.open("rb") as f:
                catalog = read_po(f, locale=lang)
            # a translation kept aside (obsolete) comes back when its English is on the page again
            for message in list(catalog.obsolete.values()):
                if message.id not in catalog:
                    catalog[message.id] = message
        else:
            catalog = Catalog(locale=lang, project="scratchnlp", fuzzy=False)
        catalog.update(template, no_fuzzy_matching=False)
        catalog.obsolete.clear()
        catalog.project, catalog.version = "scratchnlp", "main"
        catalog.language_team = catalog.last_translator = "the scratchnlp developers"
        catalog.header_comment = (f"# The {lang} edition of the scratchnlp site: messages of the page {docname}.\n"
                                  "# How to translate: CONTRIBUTING.md, \"Translations\".")
        for message in catalog:  # Babel guesses Python format flags from braces in MyST roles; they mean nothing here
            message.flags.discard("python-format")
            message.flags.discard("python-brace-format")
            if message.id and not needs_translation(message.id):
                # math, code and references read the same in every language: the message is its own
                # translation (Sphinx leaves such a message as it is), so the catalog is complete for any tool,
                # and a fuzzy match from a neighbouring message can never put the wrong reference there
                message.string = message.id
                message.flags.discard("fuzzy")
        buffer = BytesIO()
        # no "#| msgid" lines of the previous English: Babel wraps them onto lines without the "#|", and reading the
        # catalog back turns those into translator comments that outlive the translation
        write_po(buffer, catalog, width=0, no_location=True, sort_output=False, include_previous=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".po.partial")
        partial.write_bytes(buffer.getvalue())
        partial.replace(path)  # a catalog is replaced whole or not at all
        print(f"{path.relative_to(ROOT)}: {sum(1 for m in catalog if m.id)} messages")


def problems(lang: str, docname: str) -> list[str]:
    """What is stale or wrong in the catalog of ``docname`` (empty: complete and in step)."""
    template = _template(docname)
    with _catalog_path(lang, docname).open("rb") as f:
        catalog = read_po(f, locale=lang)
    found = []
    terms = glossary(lang)
    english = {m.id for m in template if m.id}
    for message in template:
        if not message.id or not needs_translation(message.id):
            continue
        entry = catalog.get(message.id)
        if entry is None or not entry.string:
            found.append(f"untranslated: {message.id[:90]!r}")
        elif entry.fuzzy:
            found.append(f"fuzzy (the English changed): {message.id[:90]!r}")
    for entry in catalog:
        if not entry.id:
            continue
        if entry.id not in english:
            found.append(f"no longer on the page: {entry.id[:90]!r}")
        elif entry.string and references(entry.id) != references(entry.string):
            missing = references(entry.id) - references(entry.string)
            extra = references(entry.string) - references(entry.id)
            found.append(f"references differ (missing {sorted(missing)}, extra {sorted(extra)}): {entry.id[:70]!r}")
        if any(comment.startswith("| msgid") for comment in entry.user_comments):
            found.append(f"a previous English kept as a comment ('# | msgid ...'): {entry.id[:70]!r}")
        if not needs_translation(entry.id):
            continue  # display math and code read the same in every language (\text{perplexity} stays English)
        if entry.string and (misses := glossary_misses(entry.id, entry.string, terms)):
            found.append(f"glossary terms missing ({', '.join(misses)}): {entry.id[:70]!r}")
        if entry.string and (wrong := misused(_NO_WORDS.sub(" ", entry.string), terms)):
            found.append(f"not the book's words ({', '.join(f'{w} -> {t}' for w, t in wrong)}): {entry.id[:70]!r}")
    return found


def check(lang: str) -> int:
    pages = translated_pages(lang)
    failed = 0
    for docname in pages:
        found = problems(lang, docname)
        failed += bool(found)
        for problem in found:
            print(f"{_catalog_path(lang, docname).relative_to(ROOT)}: {problem}")
    print(f"{lang}: {len(pages)} translated pages, {failed} with problems")
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("update", "check"):
        raise SystemExit(__doc__)
    command, lang, *docnames = argv
    if command == "update":
        update(lang, docnames)
        return 0
    return check(lang)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
