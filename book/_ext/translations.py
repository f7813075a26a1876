"""The site's editions in other languages: Sphinx's gettext catalogs, one per page, with the pages executed again.

How an edition is made (``make book-ko``; CONTRIBUTING.md, "Translations", says how to translate):

- the prose is translated by message catalogs, ``locales/<lang>/LC_MESSAGES/<page>.po`` (Sphinx's
  internationalisation: every paragraph, heading, caption and alt text of the English page is one message);
- the pages are executed again with ``SCRATCHNLP_LANG=<lang>``, so the sentences and tables that a page computes
  (``scratchnlp._site.wording``) come out in that language, with the same numbers;
- a translated message keeps the English message's ``{glue:...}`` values. Sphinx parses a translated message as a
  document of its own, where MyST-NB's glue roles cannot see the page's values; this extension gives those roles a
  fallback that reads the values the page's execution stored (MyST-NB's glue file of the page being translated);
- every page links to the same page in the other edition, and a page whose catalog is missing says so.

The English edition is built from the repository root as the site's root; an edition in another language is
built into the folder named after its language code under it (``ko/``).
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from companion import fill_text
from docutils import nodes
from myst_nb.core.variables import format_plain_text
from myst_nb.ext.glue.crossref import read_glue_cache
from myst_nb.ext.glue.roles import PasteMarkdownRole, PasteTextRole
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from scratchnlp._io import atomic_write

LOGGER = logging.getLogger(__name__)

#: The edition's language code -> (its name in its own language, its folder under the English site's root).
EDITIONS = {"en": ("English", ""), "ko": ("한국어", "ko")}

_WORDS = {
    "en": {
        "switch": "Read this page in {name}",
        "names": {"ko": "Korean"},
        "editions": "This page in other languages",
        "untranslated": "",
        "api": "",
        "solution_title": "",
    },
    "ko": {
        "switch": "이 페이지를 {name}로 읽기",
        "names": {"en": "영어"},
        "editions": "이 페이지의 다른 언어판",
        "untranslated": "이 페이지는 아직 번역되지 않았다. 아래는 영어 원문이다.",
        "api": "API 참조는 라이브러리의 docstring에서 만들어지며, docstring은 영어로만 쓰여 있다. "
               "영어판의 <a href=\"{url}\" hreflang=\"en\" lang=\"en\">이 페이지</a>와 내용이 같다.",
        # sphinx-exercise writes "Solution to" and then the exercise's link, in English word order
        "solution_title": "{exercise}의 해답",
    },
}


def _page_glue(role: Any, key: str) -> dict[str, Any] | None:
    """The glued value ``key`` of the page being translated, from the glue file its execution wrote."""
    env = role.document.settings.env
    data = read_glue_cache(env.mystnb_config.output_folder, env.docname)
    return data.get(key)


class TranslatedGlueText(PasteTextRole):
    """``{glue:text}`` that also works inside a translated message (see the module's docstring)."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        if "nb_renderer" in self.document or "::" in self.text:
            return super().run()
        key, _, fmt = self.text.partition(":")
        value = _page_glue(self, key)
        if value is None or "text/plain" not in value.get("data", {}):
            message = f"translated message: no text value {key!r} glued on page {self.document.settings.env.docname!r}"
            return [], [self.document.reporter.warning(message, line=self.line)]
        text = format_plain_text(value["data"]["text/plain"], fmt or "s")
        node = nodes.inline(text, text, classes=["pasted-text"])
        self.set_source_info(node)
        return [node], []


class TranslatedGlueMarkdown(PasteMarkdownRole):
    """``{glue:md}`` that also works inside a translated message (see the module's docstring)."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        if "nb_renderer" in self.document:
            return super().run()
        key = self.text.partition(":")[0]
        value = _page_glue(self, key)
        if value is None or "text/markdown" not in value.get("data", {}):
            message = (f"translated message: no Markdown value {key!r} glued on page "
                       f"{self.document.settings.env.docname!r}")
            return [], [self.document.reporter.warning(message, line=self.line)]
        return self.inliner.parse(value["data"]["text/markdown"], self.line, None, nodes.inline())


class KeepOutputsOutOfCatalogs(SphinxTransform):
    """What a page's code printed (its tables, its computed sentences) is not a message of the page's catalog.

    Computed text changes with every run that changes a number, so a catalog keyed on it would go stale at once;
    it gets its language from the page's execution instead (``SCRATCHNLP_LANG``). The captions of the figures a
    cell draws are written in the page's source (the cell's metadata) and stay messages, as do alt texts.
    Runs before Sphinx's translation (priority 20) and before the gettext builder collects messages.
    """

    default_priority = 10

    def apply(self, **kwargs: Any) -> None:
        for output in self.document.findall(nodes.container):
            if "cell_output" not in output.get("classes", []):
                continue
            for node in output.findall(nodes.TextElement):
                if isinstance(node, nodes.Inline):
                    # never a message on its own, and Sphinx deletes an inline marked untranslatable (a link's text)
                    continue
                if isinstance(node, nodes.caption) and isinstance(node.parent, nodes.figure):
                    continue
                if any(isinstance(a, nodes.caption) for a in _ancestors(node, output)):
                    continue
                node["translatable"] = False


class TableCellsAreMessages(SphinxTransform):
    """The paragraphs of a table written in a page's source become messages like any paragraph.

    MyST gives them no source position, and Sphinx leaves text without one out of the catalogs (it takes it for
    text a directive made up); they get their table's. Runs before Sphinx's translation (priority 20)."""

    default_priority = 11

    def apply(self, **kwargs: Any) -> None:
        for table in self.document.findall(nodes.table):
            source = table.source or self.document.get("source")
            for paragraph in table.findall(nodes.paragraph):
                if not paragraph.source:
                    paragraph.source, paragraph.line = source, table.line or 0


def _ancestors(node: nodes.Node, stop: nodes.Node) -> list[nodes.Node]:
    found = []
    while node.parent is not None and node is not stop:
        node = node.parent
        found.append(node)
    return found


def _language(app: Any) -> str:
    return app.config.language or "en"


#: Where the translations' catalogs are kept, under the repository root.
CATALOGS = "locales"


def _has_catalog(app: Any, pagename: str) -> bool:
    return (Path(app.srcdir) / CATALOGS / _language(app) / "LC_MESSAGES" / f"{pagename}.po").is_file()


_LIST_MARKER = re.compile(r"^(\d+)\. ")


def _as_written(translation: str) -> str:
    """A translation as Sphinx must parse it: Sphinx parses each translated message again on its own, and a heading
    such as "1. 신경망 복습" (a chapter's title) would then start an ordered list, which Sphinx refuses as a title and
    leaves the English one in place; the number's dot is escaped so the message stays text."""
    return _LIST_MARKER.sub(r"\1\\. ", translation, count=1)


def compile_catalogs(app: Any, config: Any) -> None:
    """config-inited: compile the edition's catalogs into the build folder, and translate from there.

    The repository placeholders (``{{ repository_url }}`` ...) stay in the catalogs as they are in the pages'
    sources, and are filled here as ``companion.py`` fills them in the pages, so a fork's build keeps matching
    its messages; nothing is written into the source tree."""
    lang = config.language or "en"
    if lang == "en":
        return
    source = Path(app.srcdir) / CATALOGS / lang / "LC_MESSAGES"
    target_root = Path(app.doctreedir).parent / "locale"
    if target_root.exists():
        shutil.rmtree(target_root)
    for po in sorted(source.rglob("*.po")):
        with po.open("rb") as f:
            catalog = read_po(f, locale=lang)
        compiled = Catalog(locale=lang)
        for message in catalog:
            if message.id and message.string and not message.fuzzy:
                compiled.add(fill_text(app, message.id), _as_written(fill_text(app, message.string)))
        mo = target_root / lang / "LC_MESSAGES" / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as f:
            write_mo(f, compiled)
    config.locale_dirs = [str(target_root)]
    _add_frame_words(app, lang)


#: The gettext domains of the site's frame: Sphinx's and pydata-sphinx-theme's templates (``sphinx``) and
#: sphinx-book-theme's buttons (``booktheme``).
FRAME_DOMAINS = ("sphinx", "booktheme")


def _frame_words(app: Any, lang: str) -> dict[str, str]:
    """The edition's translated, non-fuzzy words for the site's frame (``locales/<lang>/ui.po``), by English
    word; empty when the edition has no such file."""
    po = Path(app.srcdir) / CATALOGS / lang / "ui.po"
    if not po.is_file():
        return {}
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def _add_frame_words(app: Any, lang: str) -> None:
    """The edition's words for the site's frame (``locales/<lang>/ui.po``), which the installed Sphinx and themes
    lack in ``lang``: compiled into the build folder once per domain and added to Sphinx's translations, where
    they come after the translations already loaded (Sphinx's own), so they fill only what is missing."""
    words = _frame_words(app, lang)
    if not words:
        return
    compiled = Catalog(locale=lang)
    for english, translation in words.items():
        compiled.add(english, translation)
    frame_root = Path(app.doctreedir).parent / "locale-frame"
    for domain in FRAME_DOMAINS:
        mo = frame_root / lang / "LC_MESSAGES" / f"{domain}.mo"
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as f:
            write_mo(f, compiled)
        app.add_message_catalog(domain, str(frame_root))


#: Frame words that no gettext call reaches: sphinx-book-theme's templates write the sidebar buttons' tooltips
#: and the navigation landmarks ("Main", "Page") as literal text, myst-nb writes the label of a hidden cell's
#: summary, and sphinx-togglebutton's script the label of a dropdown's button. After the build they are replaced
#: in the edition's pages and in that script, as the attribute values they are, by their ``ui.po`` translations.
LITERAL_FRAME_WORDS = ("Toggle primary sidebar", "Toggle secondary sidebar", "Main", "Page",
                       "Toggle hidden content")
_LITERAL_ATTRIBUTES = ("title", "aria-label")


def replace_literal_frame_words(text: str, words: dict[str, str]) -> str:
    """``text`` (a page or a script) with every ``title`` or ``aria-label`` whose value is one of
    :data:`LITERAL_FRAME_WORDS` set to its translation in ``words``; other text is left as it is."""
    for english in LITERAL_FRAME_WORDS:
        if english not in words:
            continue
        translation = html.escape(words[english], quote=True)
        for attribute in _LITERAL_ATTRIBUTES:
            text = text.replace(f'{attribute}="{english}"', f'{attribute}="{translation}"')
    return text


def put_literal_frame_words(app: Any, exception: BaseException | None) -> None:
    """build-finished: the edition's words for :data:`LITERAL_FRAME_WORDS` in the written pages and scripts."""
    lang = _language(app)
    if exception is not None or lang == "en" or app.builder.format != "html":
        return
    words = _frame_words(app, lang)
    missing = [w for w in LITERAL_FRAME_WORDS if w not in words]
    if missing:
        LOGGER.warning(f"locales/{lang}/ui.po has no translation of {missing}; the built pages show them in English")
    outdir = Path(app.outdir)
    for path in [*outdir.rglob("*.html"), outdir / "_static" / "togglebutton.js"]:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        translated = replace_literal_frame_words(text, words)
        if translated != text:
            with atomic_write(path, "w", encoding="utf-8") as f:
                f.write(translated)


def translate_toctree_captions(app: Any, doctree: nodes.document) -> None:
    """doctree-read: the navigation's captions ("Start here", "Chapters", ...) in the edition's language.

    Jupyter Book inserts the table of contents' toctrees into the root page after Sphinx has translated the page,
    so their captions would stay English; they are messages of the root page's catalog, looked up here."""
    lang = _language(app)
    if lang == "en":
        return
    from babel.messages.mofile import read_mo  # noqa: PLC0415
    from sphinx import addnodes  # noqa: PLC0415

    mo = Path(app.doctreedir).parent / "locale" / lang / "LC_MESSAGES" / f"{app.env.docname}.mo"
    toctrees = [t for t in doctree.findall(addnodes.toctree) if t.get("caption")]
    if not toctrees or not mo.is_file():
        return
    with mo.open("rb") as f:
        messages = {m.id: m.string for m in read_mo(f) if m.id and m.string}
    for toctree in toctrees:
        caption = messages.get(toctree["caption"])
        if caption:
            toctree["caption"] = toctree["rawcaption"] = caption


# A Korean particle that starts the text right after a value the build fills in (a cross-reference such as
# "표 5.2", a glued number, a code name): its form depends on how that value ends, which the translator of a
# message cannot see. Only the pairs whose two forms cannot start another word are fitted.
_KOREAN_PARTICLE = re.compile(r"^(은|는|을|를|과|와|으로|로|이|가)(?![\uac00-\ud7a3])")
_PAIR_OF = {"은": "은/는", "는": "은/는", "을": "을/를", "를": "을/를", "과": "과/와", "와": "과/와",
            "으로": "으로/로", "로": "으로/로", "이": "이/가", "가": "이/가"}
_FILLED_IN = (nodes.reference, nodes.inline, nodes.literal)


def fit_korean_particles(app: Any, doctree: nodes.document, docname: str) -> None:
    """doctree-resolved: in the Korean edition, the particle after a filled-in value takes the form that fits the
    value as the reader sees it ("표 5.2는", "98.76%를", "LSTM을"), whatever form the translation wrote."""
    if _language(app) != "ko":
        return
    from scratchnlp._site.wording import particle  # noqa: PLC0415

    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or isinstance(parent, (nodes.literal_block, nodes.raw)):
            continue
        index = parent.index(text)
        if index == 0 or not isinstance(parent[index - 1], _FILLED_IN):
            continue
        m = _KOREAN_PARTICLE.match(str(text))
        value = parent[index - 1].astext().strip()
        if not m or not value or not re.search(r"[0-9A-Za-z%\uac00-\ud7a3]$", value):
            continue
        fitted = particle(value, _PAIR_OF[m.group(1)])[len(value):]
        if fitted != m.group(1):
            parent.replace(text, nodes.Text(fitted + str(text)[m.end():]))


def detach_message_documents(app: Any, doctree: nodes.document) -> None:
    """doctree-read: every node of a translated page belongs to the page's own document again.

    Sphinx parses each translated message as a small document of its own and moves its nodes into the page; the
    nodes below the first level keep pointing at that message's document, whose settings hold the whole build
    environment. The page's saved doctree then carried every message document and the environment with it (4.6
    MB for the glossary against 0.17 MB in English), and each of the hundreds of times the writing phase reads a
    doctree back (numbered references, the notebook export) unpickled all of it.
    """
    if _language(app) == "en":
        return
    for node in doctree.findall():
        if getattr(node, "_document", doctree) is not doctree:
            node.document = doctree


def other_edition_url(lang: str, pagename: str, target: str) -> str:
    """The address of page ``pagename`` in edition ``target``, relative to the same page in edition ``lang``."""
    to_root = "../" * pagename.count("/") + ("../" if EDITIONS[lang][1] else "")
    folder = EDITIONS[target][1]
    return f"{to_root}{folder + '/' if folder else ''}{pagename}.html"


def add_edition_links(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """html-page-context: a link to the same page in each other edition (at the top of the page, and as
    ``<link rel="alternate" hreflang>`` for search engines); a notice on an untranslated page of a translated
    edition."""
    lang = _language(app)
    if lang not in EDITIONS or doctree is None or "body" not in context:
        return
    links, alternates = [], []
    for target, (name, _) in EDITIONS.items():
        if target == lang:
            continue
        url = html.escape(other_edition_url(lang, pagename, target))
        title = html.escape(_WORDS[lang]["switch"].format(name=_WORDS[lang]["names"][target]))
        links.append(f'<a href="{url}" hreflang="{target}" lang="{target}" title="{title}">{html.escape(name)}</a>')
        alternates.append(f'<link rel="alternate" hreflang="{target}" href="{url}" />')
    label = html.escape(_WORDS[lang]["editions"])
    switch = f'<nav class="edition-switch" aria-label="{label}">{" · ".join(links)}</nav>'
    notice = ""
    if lang != "en" and pagename.startswith("book/api/"):
        # the API reference is made from the library's docstrings, which are English only: say so, and link it
        english = html.escape(other_edition_url(lang, pagename, "en"))
        notice = f'<div class="admonition note api-in-english"><p>{_WORDS[lang]["api"].format(url=english)}</p></div>'
    elif lang != "en" and not _has_catalog(app, pagename):
        notice = f'<div class="admonition note untranslated"><p>{html.escape(_WORDS[lang]["untranslated"])}</p></div>'
    context["body"] = switch + notice + context["body"]
    context["metatags"] = context.get("metatags", "") + "\n".join(alternates)


class SolutionTitlesInWordOrder(SphinxPostTransform):
    """A solution's title in the edition's word order: sphinx-exercise writes its translated "Solution to" and
    then the link to the exercise ("해답 연습 6.1"); where the edition's ``solution_title`` template says
    otherwise, the words are put around the link as it says ("연습 6.1의 해답"). Runs after sphinx-exercise has
    written the titles (priority 21)."""

    default_priority = 25

    def run(self, **kwargs: Any) -> None:
        template = _WORDS.get(self.config.language or "en", {}).get("solution_title")
        if not template:
            return
        from sphinx_exercise.nodes import solution_node  # noqa: PLC0415

        before, after = template.split("{exercise}")
        for solution in self.document.findall(solution_node):
            title = solution.children[0] if solution.children else None
            if not isinstance(title, nodes.title) or len(title.children) != 2:
                continue
            lead, link = title.children
            if not isinstance(lead, nodes.Text) or not isinstance(link, nodes.reference) or not link.children:
                continue
            first = link.children[0]
            if isinstance(first, nodes.Text):  # the link's text starts with the space that followed "Solution to"
                link.replace(first, nodes.Text(first.astext().lstrip()))
            title.remove(lead)
            if before:
                title.insert(0, nodes.Text(before))
            if after:
                title.append(nodes.Text(after))
            solution["title"] = title.astext()


def setup(app: Any) -> dict[str, Any]:
    app.setup_extension("myst_nb")
    app.add_role_to_domain("glue", "text", TranslatedGlueText(), override=True)
    app.add_role_to_domain("glue", "md", TranslatedGlueMarkdown(), override=True)
    app.add_transform(KeepOutputsOutOfCatalogs)
    app.add_transform(TableCellsAreMessages)
    app.add_post_transform(SolutionTitlesInWordOrder)
    app.connect("config-inited", compile_catalogs, priority=600)  # after companion.py settled the repository URL
    app.connect("html-page-context", add_edition_links, priority=650)
    app.connect("build-finished", put_literal_frame_words)
    app.connect("doctree-resolved", fit_korean_particles)
    app.connect("doctree-read", translate_toctree_captions, priority=400)  # before Sphinx collects the toctrees
    app.connect("doctree-read", detach_message_documents, priority=900)  # last: after every change to the tree
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
