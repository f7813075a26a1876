"""Sphinx extension: what turns the executed pages into a companion a reader can get from to running code.

- **Repository.** The repository URL lives in one place, ``repository.url`` in ``_config.yml``; the environment
  variable ``SCRATCHNLP_REPOSITORY_URL`` overrides it (the GitHub workflow sets it to the repository it runs in),
  so the published site always points at its own source. The theme's repository, source and issue buttons use it.
- **Notebooks.** Every chapter page is also written as a Jupyter notebook, generated from its MyST source with
  Jupytext, to ``_notebooks/<page>.ipynb`` in the built site. Its first cell installs ``scratchnlp`` from the
  repository when the notebook runs outside a checkout. The notebook reads like the page (``notebook_export``):
  the glued numbers, citations, cross-references, exercises and admonitions are written in as the build made
  them, and the code cells carry the outputs of the build's execution (``_build/jupyter_execute``). Each
  chapter page gets an ``.ipynb`` entry in the download menu and "Open in Colab" / "Binder" launch buttons.
  Colab and Binder open notebooks from a GitHub branch, so the workflow publishes ``_notebooks/`` to the branch
  named by ``SCRATCHNLP_NOTEBOOKS_BRANCH`` (default ``notebooks``), and the launch links point there.
- **Numbering.** Figures, tables and exercises are numbered per chapter, as in the book: "Fig. 2.1" is chapter
  2's first figure. Pages outside the chapters number their own from 1.
- **Figures.** Every figure's image links to the full-size file, so a phone reader can open it.
- **Placeholders.** ``{{ repository_url }}``, ``{{ source_url }}`` (the repository's files on its main branch,
  for links such as ``{{ source_url }}/results``) and ``{{ notebooks_branch }}`` in a page's source (prose or
  code blocks) are replaced by their values when the page is read, and in the generated notebooks, so no page
  types the address.
- **Build stamp.** Every page ends with the date, the commit, the Python / NumPy / scratchnlp versions of the
  build, and (for executed pages) how long the page's code ran and whether it came from the execution cache.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
import platform
import re
import subprocess
from pathlib import Path
from typing import Any

from notebook_export import (
    LABELS_BY_LANGUAGE,
    Context,
    export_notebook,
    glue_from_outputs,
    has_outputs,
    sphinx_context,
)
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)

NOTEBOOK_DIR = "_notebooks"
_CHAPTER_DOC = re.compile(r"^book/ch(\d{2})_[\w-]+$")
_APPENDIX_DOC = re.compile(r"^book/appendix_([a-z])_[\w-]+$")
#: Teaching pages that are neither a chapter nor an appendix of the book (the site's expansion of the book's
#: section 1.5): numbered on their own, without a chapter prefix, and published as notebooks like the chapters.
_TEACHING_DOCS = frozenset({"book/speedup"})
_GITHUB = re.compile(r"^https://github\.com/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+?)(?:\.git)?/?$")


# --------------------------------------------------------------------------------------------------------
# Repository and build facts
# --------------------------------------------------------------------------------------------------------


# What the site's own chrome says, per edition language (book/_ext/translations.py makes the editions).
_WORDS = {
    "en": {
        "download": "Download this page as a Jupyter notebook",
        "colab": "Open this page as a notebook in Google Colab",
        "binder": "Open this page as a notebook on Binder",
        "run": "Run this page as a notebook",
        "full_size": "Open the figure at full size",
        "unknown_time": "an unknown time",
        "from_cache": " This page's outputs came from the execution cache, filled {when}, when its code ran in {took}.",
        "ran": " This page's code ran in {took} during this build.",
        "stamp_label": "Build information",
        "outside_git": "a source tree outside git",
        "uncommitted": " with uncommitted changes",
        "stamp": "Built {date} from {commit}, with Python {python}, NumPy {numpy} and scratchnlp {scratchnlp}.",
        "statistics": 'See the <a href="{stats}">execution statistics</a> of every page.',
    },
    "ko": {
        "download": "이 페이지를 주피터 노트북으로 내려받기",
        "colab": "이 페이지를 구글 코랩에서 노트북으로 열기",
        "binder": "이 페이지를 바인더에서 노트북으로 열기",
        "run": "이 페이지를 노트북으로 실행하기",
        "full_size": "그림을 원래 크기로 열기",
        "unknown_time": "알 수 없는 시간",
        "from_cache": " 이 페이지의 출력은 {when}에 채워진 실행 캐시에서 왔고, 그때 코드는 {took} 동안 실행되었다.",
        "ran": " 이 페이지의 코드는 이번 빌드에서 {took} 동안 실행되었다.",
        "stamp_label": "빌드 정보",
        "outside_git": "git 밖의 소스 트리",
        "uncommitted": "(커밋되지 않은 변경 포함)",
        "stamp": "{date}에 {commit}에서 Python {python}, NumPy {numpy}, scratchnlp {scratchnlp_by} 빌드했다.",
        "statistics": '모든 페이지의 <a href="{stats}">실행 통계</a>를 보라.',
    },
}


def _say(app: Any, key: str, **values: Any) -> str:
    """The site's chrome text ``key`` in the build's language (English where the language has none)."""
    words = _WORDS.get(app.config.language or "en", _WORDS["en"])
    return words.get(key, _WORDS["en"][key]).format(**values)



def _git(srcdir: str, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", srcdir, *args], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def repository_url(configured: str | None) -> str:
    """The repository's web address: ``$SCRATCHNLP_REPOSITORY_URL``, else the one in ``_config.yml``."""
    url = os.environ.get("SCRATCHNLP_REPOSITORY_URL", "").strip() or (configured or "").strip()
    return url.rstrip("/")


def chapter_key(docname: str) -> str | None:
    """``"2"`` for ``book/ch02_...``, ``"A"`` for ``book/appendix_a_...``, None for other pages."""
    m = _CHAPTER_DOC.match(docname)
    if m:
        return str(int(m.group(1)))
    m = _APPENDIX_DOC.match(docname)
    return m.group(1).upper() if m else None


def has_notebook(docname: str) -> bool:
    """Whether the page is published as a notebook: the chapters, the appendices and :data:`_TEACHING_DOCS`."""
    return chapter_key(docname) is not None or docname in _TEACHING_DOCS


def _build_facts(app: Any) -> dict[str, str]:
    import numpy  # noqa: PLC0415

    import scratchnlp  # noqa: PLC0415

    commit = os.environ.get("SCRATCHNLP_SOURCE_COMMIT") or os.environ.get("GITHUB_SHA") or _git(
        app.srcdir, "rev-parse", "HEAD"
    )
    dirty = False
    if commit and not os.environ.get("GITHUB_SHA"):
        status = _git(app.srcdir, "status", "--porcelain", "--untracked-files=no")
        dirty = bool(status)
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit or "",
        "dirty": "yes" if dirty else "",
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scratchnlp": scratchnlp.__version__,
    }


def configure(app: Any, config: Any) -> None:
    """config-inited: settle the repository URL and branches, and turn the theme's repository buttons on."""
    options = config.html_theme_options
    url = repository_url(options.get("repository_url"))
    if not _GITHUB.match(url):
        LOGGER.warning(
            f"repository URL {url!r} is not a https://github.com/OWNER/REPO address: the Colab and Binder "
            "buttons need one (set repository.url in _config.yml or SCRATCHNLP_REPOSITORY_URL)"
        )
    options["repository_url"] = url
    options.setdefault("repository_branch", "main")
    options["use_repository_button"] = True
    options["use_source_button"] = True
    options["use_issues_button"] = True
    app.config.companion_notebooks_branch = os.environ.get("SCRATCHNLP_NOTEBOOKS_BRANCH", "").strip() or str(
        app.config.companion_notebooks_branch
    )


_CODE_CELL = re.compile(r"^```\{code-cell\}.*?^```[ \t]*$", re.M | re.S)


def fill_placeholders(app: Any, docname: str, source: list[str]) -> None:
    """source-read: replace the repository placeholders in a page's source. When extracting the messages to
    translate, only in the code cells: the catalogs keep the placeholders (``translations.py`` fills them in as it
    compiles), while the code must read as in the site's build, or the execution cache would not know it and
    the extraction would run those pages again."""
    if app.builder.name != "gettext":
        source[0] = fill_text(app, source[0])
    else:
        source[0] = _CODE_CELL.sub(lambda m: fill_text(app, m.group(0)), source[0])


def fill_text(app: Any, text: str) -> str:
    """``text`` with the repository placeholders (``{{ repository_url }}``, ``{{ source_url }}``,
    ``{{ notebooks_branch }}``) replaced by this build's values."""
    options = app.config.html_theme_options
    url = options.get("repository_url", "")
    values = {
        "{{ repository_url }}": url,
        "{{ source_url }}": f"{url}/blob/{options.get('repository_branch', 'main')}",
        "{{ notebooks_branch }}": str(app.config.companion_notebooks_branch),
    }
    for token, value in values.items():
        text = text.replace(token, value)
    return text


def collect_facts(app: Any) -> None:
    """builder-inited: read the build's date, commit and versions once."""
    app.companion_facts = _build_facts(app)
    app.companion_build_start = _dt.datetime.now().timestamp()


# --------------------------------------------------------------------------------------------------------
# Per-chapter numbering of figures, tables and exercises
# --------------------------------------------------------------------------------------------------------


def number_per_chapter(app: Any, env: Any) -> list[str]:
    """env-get-updated (after Sphinx numbered everything across the site): restart the numbers on each page,
    prefixed with the chapter's number on chapter pages ("Fig. 2.1", "Table 2.3", "Exercise 2.1")."""
    changed = []
    for docname, by_type in env.toc_fignumbers.items():
        key = chapter_key(docname)
        new: dict[str, dict[str, tuple[Any, ...]]] = {}
        for figtype, numbers in by_type.items():
            ordered = sorted(numbers, key=lambda target: numbers[target])
            prefix = (key,) if key is not None else ()
            new[figtype] = {target: (*prefix, k) for k, target in enumerate(ordered, start=1)}
        if new != by_type:
            env.toc_fignumbers[docname] = new
            changed.append(docname)
    return changed


# --------------------------------------------------------------------------------------------------------
# Notebooks
# --------------------------------------------------------------------------------------------------------


def _install_source(app: Any) -> str:
    url = app.config.html_theme_options.get("repository_url", "")
    commit = app.companion_facts.get("commit") or ""
    ref = commit if commit and not app.companion_facts.get("dirty") else app.config.html_theme_options.get(
        "repository_branch", "main"
    )
    return f"scratchnlp @ git+{url}@{ref}"


def _first_cells(app: Any, docname: str) -> list[Any]:
    import nbformat  # noqa: PLC0415

    url = app.config.html_theme_options.get("repository_url", "")
    page = f"{docname}.html"
    intro = (
        f"*This notebook is generated from the page `{docname}.md` of the scratchnlp companion site "
        f"({page} on the site; source: {url}). The numbers in its text and the outputs under its cells are the "
        f"ones the site shows, as the site's build of {app.companion_facts['date']} computed them. The cells that "
        "compute them are all here, hidden ones included: running the notebook from the top recomputes every "
        "number, and timings and other machine-dependent results will differ from the ones written in the text.*"
    )
    install = (
        "# Outside a checkout of the scratchnlp repository (in Colab, Binder or a fresh environment), install the\n"
        "# package from the commit the site was built from. Inside the repository this does nothing.\n"
        "import importlib\n"
        "import importlib.util\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        'if importlib.util.find_spec("scratchnlp") is None:\n'
        f'    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "{_install_source(app)}"], '
        "check=True)\n"
        "    importlib.invalidate_caches()"
    )
    return [
        nbformat.v4.new_markdown_cell(intro),
        nbformat.v4.new_code_cell(install, metadata={"tags": ["scratchnlp-install"]}),
    ]


def _cached(app: Any, notebook: Any) -> Any | None:
    """The executed notebook that MyST-NB's execution cache (jupyter-cache) holds for ``notebook``, or None."""
    from jupyter_cache import get_cache  # noqa: PLC0415

    folder = app.env.mystnb_config.execution_cache_path
    if not folder or not Path(folder).is_dir():
        return None
    cache = get_cache(folder)
    try:
        return cache.get_cache_bundle(cache.match_cache_notebook(notebook).pk).nb
    except KeyError:
        return None


def _executed(app: Any, docname: str) -> tuple[Any | None, dict[str, Any]]:
    """The notebook the build executed for the page, with its outputs, and the values the page glued.

    MyST-NB writes the page's notebook to ``jupyter_execute/<docname>.ipynb`` and its glued values to
    ``.glue.json`` beside it; when the page came from the execution cache that notebook has no outputs, and they
    are read from the cache's copy instead."""
    import nbformat  # noqa: PLC0415

    folder = Path(app.env.mystnb_config.output_folder)
    path = folder / f"{docname}.ipynb"
    if not path.is_file():
        LOGGER.warning(f"{docname}: no executed notebook at {path}; its notebook is written without outputs")
        return None, {}
    executed = nbformat.read(path, as_version=4)
    if not has_outputs(executed):
        executed = _cached(app, executed) or executed
    glue_path = folder / f"{docname}.glue.json"
    glue = json.loads(glue_path.read_text(encoding="utf-8")) if glue_path.is_file() else {}
    return executed, {**glue_from_outputs(executed), **{key: out.get("data", {}) for key, out in glue.items()}}


def notebook_context(app: Any, docname: str, glue: dict[str, Any]) -> Context:
    """How the page's notebook resolves glue, citations, references and numbers: as this build did; in an edition
    in another language, its Markdown is translated by the page's compiled catalog, as the page was."""
    ctx = sphinx_context(app, docname, glue, has_notebook=has_notebook)
    lang = app.config.language or "en"
    if lang != "en":
        ctx.labels = LABELS_BY_LANGUAGE.get(lang, ctx.labels)
        ctx.translate = _catalog_lookup(app, lang, docname)
    return ctx


def _catalog_lookup(app: Any, lang: str, docname: str) -> Any:
    """The translations of page ``docname``'s messages from the catalog the build compiled (``translations.py``
    compiles them, with the repository placeholders filled, under the doctrees' sibling ``locale``), or None."""
    from babel.messages.mofile import read_mo  # noqa: PLC0415

    mo = Path(app.doctreedir).parent / "locale" / lang / "LC_MESSAGES" / f"{docname}.mo"
    if not mo.is_file():
        return None
    with mo.open("rb") as f:
        catalog = read_mo(f)
    messages = {m.id: m.string for m in catalog if m.id and m.string}
    return messages.get


def write_notebook(app: Any, docname: str) -> Path | None:
    """Convert a chapter's MyST source to ``_notebooks/<docname>.ipynb`` in the output folder, reading like the
    page: MyST written out as Markdown, and the build's outputs in the code cells."""
    import jupytext  # noqa: PLC0415
    import nbformat  # noqa: PLC0415

    source = Path(app.env.doc2path(docname))
    notebook = jupytext.reads(fill_text(app, source.read_text(encoding="utf-8")), fmt="md:myst")
    executed, glue = _executed(app, docname)
    try:
        notebook = export_notebook(notebook, executed, notebook_context(app, docname, glue))
    except KeyError as exc:
        LOGGER.warning(f"{docname}: the page's notebook cannot be written: {exc.args[0]}")
        return None
    notebook.cells[:0] = _first_cells(app, docname)
    notebook.metadata.pop("jupytext", None)
    notebook.metadata.setdefault("language_info", {"name": "python"})
    target = Path(app.outdir) / NOTEBOOK_DIR / f"{docname}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(notebook)
    target.write_text(nbformat.writes(notebook), encoding="utf-8")
    return target


def write_notebook_branch_files(app: Any, exception: Exception | None) -> None:
    """build-finished: the files Binder needs on the notebooks branch (its environment, built by repo2docker
    from ``requirements.txt``; no Docker image of ours) and a README saying where the notebooks come from."""
    if exception is not None or app.builder.format != "html":
        return
    folder = Path(app.outdir) / NOTEBOOK_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "requirements.txt").write_text(f"{_install_source(app)}\n", encoding="utf-8")
    url = app.config.html_theme_options.get("repository_url", "")
    facts = app.companion_facts
    (folder / "README.md").write_text(
        "# scratchnlp notebooks\n\n"
        f"Generated by the site build from the pages of {url} (commit {facts.get('commit') or 'unknown'}, "
        f"built {facts['date']}). Do not edit: the next build replaces this branch. `requirements.txt` is what "
        "Binder installs.\n",
        encoding="utf-8",
    )


def _colab_url(app: Any, docname: str) -> str | None:
    m = _GITHUB.match(app.config.html_theme_options.get("repository_url", ""))
    if not m:
        return None
    branch = app.config.companion_notebooks_branch
    return f"https://colab.research.google.com/github/{m['owner']}/{m['repo']}/blob/{branch}/{docname}.ipynb"


def _binder_url(app: Any, docname: str) -> str | None:
    m = _GITHUB.match(app.config.html_theme_options.get("repository_url", ""))
    if not m:
        return None
    branch = app.config.companion_notebooks_branch
    return f"https://mybinder.org/v2/gh/{m['owner']}/{m['repo']}/{branch}?urlpath=lab/tree/{docname}.ipynb"


def add_notebook_buttons(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """html-page-context, after the theme made its buttons: the chapter's notebook, to download and to launch."""
    if not has_notebook(pagename) or doctree is None:
        return
    write_notebook(app, pagename)
    href = f"{context['pathto'](NOTEBOOK_DIR, 1)}/{pagename}.ipynb"
    buttons = context.get("header_buttons", [])
    for group in buttons:
        if group.get("label") == "download-buttons":
            group["buttons"].insert(0, {
                "type": "link",
                "url": href,
                "text": ".ipynb",
                "tooltip": _say(app, "download"),
                "icon": "fas fa-code",
                "label": "download-notebook-button",
            })
    launch = []
    colab = _colab_url(app, pagename)
    if colab:
        launch.append({
            "type": "link",
            "url": colab,
            "text": "Colab",
            "tooltip": _say(app, "colab"),
            "icon": "_static/images/logo_colab.png",
            "label": "launch-colab-button",
        })
    binder = _binder_url(app, pagename)
    if binder:
        launch.append({
            "type": "link",
            "url": binder,
            "text": "Binder",
            "tooltip": _say(app, "binder"),
            "icon": "_static/images/logo_binder.svg",
            "label": "launch-binder-button",
        })
    if launch:
        buttons.insert(0, {
            "type": "group",
            "tooltip": _say(app, "run"),
            "icon": "fas fa-rocket",
            "buttons": launch,
            "label": "launch-buttons",
        })


# --------------------------------------------------------------------------------------------------------
# Page body: full-size figure links and the build stamp
# --------------------------------------------------------------------------------------------------------

_FIGURE = re.compile(r"<figure\b[^>]*>.*?</figure>", re.DOTALL)
_IMG = re.compile(r"<img\b[^>]*?\bsrc=\"(?P<src>[^\"]+)\"[^>]*>")


def _link_images(block: str, title: str) -> str:
    if "<a " in block.split("<figcaption", 1)[0]:
        return block
    return _IMG.sub(lambda m: f'<a class="figure-full-size" href="{m["src"]}" title="{title}">{m[0]}</a>', block)


def link_figures_to_full_size(body: str, title: str = _WORDS["en"]["full_size"]) -> str:
    """Wrap each figure's image in a link to the image file (``title``: the link's tooltip)."""
    return _FIGURE.sub(lambda m: _link_images(m[0], html.escape(title)), body)


def _execution_note(app: Any, pagename: str) -> str:
    metadata = getattr(app.env, "nb_metadata", {}) or {}
    data = (metadata.get(pagename) or {}).get("exec_data")
    if not data:
        return ""
    runtime = data.get("runtime")
    took = f"{runtime:.1f} s" if isinstance(runtime, (int, float)) else _say(app, "unknown_time")
    if (data.get("mtime") or 0.0) < app.companion_build_start:
        when = _dt.datetime.fromtimestamp(data["mtime"], _dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        return _say(app, "from_cache", when=when, took=took)
    return _say(app, "ran", took=took)


def build_stamp(app: Any, pagename: str, context: dict[str, Any]) -> str:
    facts = app.companion_facts
    url = app.config.html_theme_options.get("repository_url", "")
    if facts["commit"]:
        short = html.escape(facts["commit"][:10])
        commit = f'commit <a href="{html.escape(url)}/commit/{html.escape(facts["commit"])}"><code>{short}</code></a>'
        if facts["dirty"]:
            commit += _say(app, "uncommitted")
    else:
        commit = _say(app, "outside_git")
    stats = context["pathto"]("book/build")
    from scratchnlp._site.wording import particle  # noqa: PLC0415

    stamp = _say(app, "stamp", date=html.escape(facts["date"]), commit=commit, python=html.escape(facts["python"]),
                 numpy=html.escape(facts["numpy"]), scratchnlp=html.escape(facts["scratchnlp"]),
                 scratchnlp_by=html.escape(particle(facts["scratchnlp"], "으로/로")))  # "0.1.0으로" (영으로)
    return (
        f'<aside class="build-stamp" aria-label="{_say(app, "stamp_label")}"><p>'
        f"{stamp}{html.escape(_execution_note(app, pagename))} {_say(app, 'statistics', stats=stats)}</p></aside>"
    )


def finish_body(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """html-page-context: link figures to their full-size images and stamp the page."""
    if doctree is None or "body" not in context:
        return
    context["body"] = (link_figures_to_full_size(context["body"], _say(app, "full_size"))
                       + build_stamp(app, pagename, context))


def setup(app: Any) -> dict[str, Any]:
    app.add_config_value("companion_notebooks_branch", "notebooks", "html")
    app.connect("config-inited", configure)
    app.connect("builder-inited", collect_facts)
    app.connect("source-read", fill_placeholders)
    app.connect("env-get-updated", number_per_chapter, priority=900)
    # after the theme's own header buttons (priority 501)
    app.connect("html-page-context", add_notebook_buttons, priority=600)
    app.connect("html-page-context", finish_body, priority=600)
    app.connect("build-finished", write_notebook_branch_files)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": False}
