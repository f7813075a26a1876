"""The chapter pages as notebooks that read like the pages: MyST turned into Markdown that Jupyter renders.

A page's MyST source, read with Jupytext, is a notebook whose Markdown cells still hold MyST: ``{glue:text}``
placeholders, ``{cite}`` and ``{numref}`` roles, ``{exercise}`` and admonition directives, which Jupyter and
Colab show as raw text. This module turns them into what the site shows:

- glued values written in as the build computed them (``{glue:text}`` with its format spec, ``{glue:md}`` as
  Markdown, ``{glue}`` and ``{glue:figure}`` as Markdown, text or an image attachment);
- citations as the site's author-year text, and the works cited listed in a closing "References" cell;
- cross-references (``{numref}``, ``{ref}``, ``{doc}``, ``{eq}``, ``{term}``) as the text the site shows, linked to
  the other chapter's notebook where there is one; ``{py:class}`` and friends as code;
- exercises and solutions as headed Markdown, admonitions and dropdowns as block quotes with a bold title,
  ``{table}`` directives as a bold "Table 4.1" line over a Markdown table, ``{math}`` as ``$$`` blocks;
- the outputs of the build's execution copied into the code cells (matched by source), except where the page
  removes them, and each figure's caption as a Markdown cell under its cell.

Everything that needs the Sphinx build (glue data, numbers, citations, cross-references) comes in through a
:class:`Context`, so the converters are plain functions of text; :func:`sphinx_context` makes the context of a
page during the build. The words the conversion adds ("Exercise", "Solution to", "References", admonition
titles) are in :data:`LABELS`.
"""

from __future__ import annotations

import base64
import copy
import posixpath
import re
from ast import literal_eval
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: The words the conversion adds to a notebook (one language; another edition brings its own).
LABELS: dict[str, str] = {
    "figure": "Figure",
    "table": "Table",
    "exercise": "Exercise",
    "solution": "Solution",
    "solution_to": "Solution to {exercise}",
    "references": "References",
    "references_intro": "The works cited in this notebook:",
    "note": "Note",
    "warning": "Warning",
    "tip": "Tip",
    "hint": "Hint",
    "important": "Important",
    "caution": "Caution",
    "attention": "Attention",
    "danger": "Danger",
    "error": "Error",
    "seealso": "See also",
    "dropdown": "Details",
}

#: The same labels in the other editions' notebooks.
LABELS_BY_LANGUAGE: dict[str, dict[str, str]] = {
    "en": LABELS,
    "ko": {
        "figure": "그림",
        "table": "표",
        "exercise": "연습 문제",
        "solution": "해답",
        "solution_to": "{exercise}의 해답",
        "references": "참고 문헌",
        "references_intro": "이 노트북에서 인용한 문헌:",
        "note": "노트",
        "warning": "경고",
        "tip": "팁",
        "hint": "힌트",
        "important": "중요",
        "caution": "주의",
        "attention": "주의",
        "danger": "위험",
        "error": "오류",
        "seealso": "참고",
        "dropdown": "자세히",
    },
}

#: Cell tags whose outputs the site does not show, so the notebook carries none either.
REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "remove-cell"})
#: Cell tags that hide a cell's source on the site (the notebook collapses it, JupyterLab's ``source_hidden``).
HIDE_SOURCE_TAGS = frozenset({"hide-input", "remove-input", "hide-cell", "remove-cell"})
#: Cell tags that hide a cell's outputs on the site until clicked.
HIDE_OUTPUT_TAGS = frozenset({"hide-output", "hide-cell"})

_ADMONITIONS = frozenset(
    {"note", "warning", "tip", "hint", "important", "caution", "attention", "danger", "error", "seealso"}
)
_TITLED_BLOCKS = frozenset({"admonition", "dropdown", "topic", "sidebar", "margin", "card", "epigraph"})
_PY_ROLES = frozenset({"mod", "func", "data", "const", "class", "meth", "attr", "exc", "obj", "type", "module"})
_XREF_ROLES = frozenset({"numref", "ref", "doc", "eq", "term", "any", "keyword", "option", "envvar", "token"})
# index entries only feed the site's search and general index; a notebook has neither
_DROPPED_DIRECTIVES = frozenset(
    {"bibliography", "toctree", "tableofcontents", "nb-exec-table", "solution-end", "index"}
)
_AMSMATH = "equation|multline|gather|align|alignat|flalign|eqnarray"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>$|~])")
_LINE_START = re.compile(r"^(?:\d+[.)]|[#+-])(?=\s|$)")


# --------------------------------------------------------------------------------------------------------
# The context: what a page's conversion needs from the build
# --------------------------------------------------------------------------------------------------------


def _default_cite(role: str, keys: Sequence[str]) -> str:
    return ", ".join(keys)


def _default_xref(role: str, target: str, title: str | None) -> str:
    return escape_markdown(title if title is not None else target)


def _default_number(figtype: str, label: str) -> str | None:
    return None


def _default_references(keys: Sequence[str]) -> list[str]:
    return [escape_markdown(key) for key in keys]


@dataclass
class Context:
    """What converting one page needs from the build, and what the conversion collects on the way.

    Parameters
    ----------
    glue : mapping
        Glue key -> the glued value's MIME bundle (``{"text/plain": "0.25", "text/markdown": ...}``).
    cite : callable ``(role, keys) -> str``
        The site's text of a citation, e.g. ``("t", ["saito2018"]) -> "Saito (2018)"``; ``role`` is the
        part after ``cite:`` (``"p"`` for a bare ``{cite}``).
    xref : callable ``(role, target, title) -> str``
        Markdown for a cross-reference role (``numref``, ``ref``, ``doc``, ``eq``, ``term``...): the text the site
        shows, possibly as a link. ``title`` is the explicit title of ``title <target>``, else None.
    number : callable ``(figtype, label) -> str | None``
        The caption number the site gives a figure, table or exercise with this label ("Fig. 4.2",
        "Table 4.1", "Exercise 4.3"), or None when it has none.
    references : callable ``(keys) -> list[str]``
        One Markdown entry per cited key, in the order the bibliography lists them.
    cited : list of str
        The citation keys met so far, in order of first citation (filled by the conversion).
    attachments : dict or None
        Attachments of the Markdown cell being converted (filled by the conversion when a glued image is
        pasted into it); None while converting an output, where images are written as data URIs instead.
    translate : callable ``(message) -> str | None``, optional
        The translation of one of the page's messages (a paragraph, heading, list item, table cell or caption,
        as Sphinx's message catalogs key them), or None when it has none: the notebook of a translated edition
        reads in its language (:func:`translate_markdown`). None: the page's own language.
    labels : mapping
        The words the conversion adds (figure, table, exercise, references...): :data:`LABELS` or another
        language's set from :data:`LABELS_BY_LANGUAGE`.
    """

    glue: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    cite: Callable[[str, Sequence[str]], str] = _default_cite
    xref: Callable[[str, str, str | None], str] = _default_xref
    number: Callable[[str, str], str | None] = _default_number
    references: Callable[[Sequence[str]], list[str]] = _default_references
    cited: list[str] = field(default_factory=list)
    attachments: dict[str, dict[str, str]] | None = None
    translate: Callable[[str], str | None] | None = None
    labels: Mapping[str, str] = field(default_factory=lambda: LABELS)

    def glued(self, key: str) -> Mapping[str, Any]:
        """The MIME bundle glued under ``key``; KeyError naming the key when the page glued no such value."""
        if "::" in key:
            raise KeyError(f"glue key {key!r} refers to another page's glue, which a notebook cannot show")
        try:
            return self.glue[key]
        except KeyError:
            raise KeyError(f"the page glued no value named {key!r}") from None


# --------------------------------------------------------------------------------------------------------
# Inline: roles
# --------------------------------------------------------------------------------------------------------

_INLINE = re.compile(
    r"(?P<role>\{(?P<name>[A-Za-z][\w:.+-]*)\}(?P<ticks>`+)(?P<content>.+?)(?P=ticks)(?!`))"
    r"|(?P<code>(?<!`)(?P<cticks>`+)(?!`).+?(?<!`)(?P=cticks)(?!`))",
    re.DOTALL,
)
_EXPLICIT_TITLE = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)


def escape_markdown(text: str) -> str:
    """``text`` with the characters Markdown (and Jupyter's ``$`` math) would interpret backslash-escaped, so that
    a glued word such as ``<unk>`` or ``$`` shows as itself, also at the start of a line ("3. word2vec" is not a
    list item, "# 1" not a heading)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
    m = _LINE_START.match(escaped)
    return escaped if m is None else f"{escaped[:m.end() - 1]}\\{escaped[m.end() - 1:]}"


def split_title(content: str) -> tuple[str | None, str]:
    """``"Fig. %s <fig-x>"`` -> ``("Fig. %s", "fig-x")``; ``"fig-x"`` -> ``(None, "fig-x")``."""
    m = _EXPLICIT_TITLE.match(content.strip())
    if m and m["title"]:
        return m["title"], m["target"].strip()
    return None, content.strip()


def format_glue_text(plain: str, fmt_spec: str) -> str:
    """A glued ``text/plain`` value with a ``{glue:text}`` format spec applied, as MyST-NB does on the site
    (the value is read back with :func:`ast.literal_eval`, so ``'word'`` loses its quotes and ``0.25`` formats
    as a number; the spec's last letter says which type to format it as)."""
    try:
        value: Any = literal_eval(plain)
    except (SyntaxError, ValueError):
        value = plain
    if fmt_spec == "":
        return str(value)
    kind = fmt_spec[-1]
    if kind == "s":
        value = str(value)
    elif kind in "bcdoxX":
        value = int(value)
    elif kind in "eEfFgGn%":
        value = float(value)
    return format(value, fmt_spec)


def _image_markdown(key: str, bundle: Mapping[str, Any], ctx: Context) -> str | None:
    for mime in ("image/png", "image/jpeg", "image/gif", "image/svg+xml"):
        if mime not in bundle:
            continue
        data = bundle[mime]
        if isinstance(data, list):
            data = "".join(data)
        if mime == "image/svg+xml":
            data = base64.b64encode(data.encode("utf-8")).decode("ascii")
        name = f"{key}.{mime.split('/')[1].split('+')[0]}"
        if ctx.attachments is not None:
            ctx.attachments[name] = {mime: data}
            return f"![{escape_markdown(key)}](attachment:{name})"
        return f"![{escape_markdown(key)}](data:{mime};base64,{data})"
    return None


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def glue_markdown(key: str, ctx: Context, *, inline: bool = True) -> str:
    """Markdown for the value glued under ``key`` as the ``{glue}`` role or directive pastes it: its Markdown
    (converted, since it may hold MyST roles), an image, LaTeX as math, or its plain text."""
    bundle = ctx.glued(key)
    if "text/markdown" in bundle:
        return convert_markdown(_text(bundle["text/markdown"]), ctx).strip()
    image = _image_markdown(key, bundle, ctx)
    if image is not None:
        return image
    if "text/latex" in bundle:
        latex = _text(bundle["text/latex"]).strip()
        return latex if latex.startswith("$") else (f"${latex}$" if inline else f"$$\n{latex}\n$$")
    if "text/plain" in bundle:
        return escape_markdown(format_glue_text(_text(bundle["text/plain"]), ""))
    raise KeyError(f"the value glued as {key!r} has no Markdown, image, LaTeX or plain text to show")


def _glue_text_role(content: str, ctx: Context) -> str:
    key, fmt = content.rsplit(":", 1) if ":" in content else (content, "s")
    bundle = ctx.glued(key.strip())
    if "text/plain" not in bundle:
        raise KeyError(f"the value glued as {key!r} has no text/plain for {{glue:text}}")
    return escape_markdown(format_glue_text(_text(bundle["text/plain"]), fmt))


def _glue_md_role(content: str, ctx: Context) -> str:
    key = content.rsplit(":", 1)[0] if re.search(r":(myst|commonmark|gfm)$", content) else content
    bundle = ctx.glued(key.strip())
    if "text/markdown" not in bundle:
        raise KeyError(f"the value glued as {key!r} has no text/markdown for {{glue:md}}")
    return convert_markdown(_text(bundle["text/markdown"]), ctx).strip()


def _py_role(content: str) -> str:
    title, target = split_title(content)
    if title is not None:
        text = title
    else:
        target = target.lstrip("!")
        text = target.lstrip("~.").rsplit(".", 1)[-1] if target.startswith("~") else target.lstrip(".")
    return f"`{text}`" if "`" not in text else f"`` {text} ``"


def _cite_role(role: str, content: str, ctx: Context) -> str:
    keys = [k.strip() for k in content.split(",") if k.strip()]
    for key in keys:
        if key not in ctx.cited:
            ctx.cited.append(key)
    return escape_markdown(ctx.cite(role or "p", keys))


def convert_role(name: str, content: str, ctx: Context) -> str:
    """Markdown for one MyST role ``{name}`content```, as the site shows it."""
    domain, _, role = name.rpartition(":")
    if name == "glue:text":
        return _glue_text_role(content, ctx)
    if name == "glue:md":
        return _glue_md_role(content, ctx)
    if name in ("glue", "glue:", "glue:any"):
        return glue_markdown(content.strip(), ctx)
    if name == "cite" or domain == "cite":
        return _cite_role(role if domain == "cite" else "p", content, ctx)
    if name == "math":
        return f"${content}$"
    if name in ("sub", "sup"):
        return f"<{name}>{escape_markdown(content)}</{name}>"
    if name == "kbd":
        return f"<kbd>{escape_markdown(content)}</kbd>"
    if name == "abbr":
        return escape_markdown(re.sub(r"\s*\(.*\)\s*$", "", content, flags=re.DOTALL))
    if domain in ("py", "") and role in _PY_ROLES:
        return _py_role(content)
    if domain in ("", "std", "math") and role in _XREF_ROLES:
        title, target = split_title(content)
        return ctx.xref(role, target, title)
    if name in ("code", "literal", "samp", "file", "command", "program"):
        return f"`{content}`" if "`" not in content else f"`` {content} ``"
    # a role with no meaning outside the site (download, index, ...): its text
    title, target = split_title(content)
    return escape_markdown(title if title is not None else target)


def convert_inline(text: str, ctx: Context) -> str:
    """``text`` with every MyST role replaced by its Markdown; code spans are left as they are."""

    def _replace(m: re.Match[str]) -> str:
        if m["code"] is not None:
            return m["code"]
        return convert_role(m["name"], m["content"], ctx)

    return _INLINE.sub(_replace, text)


# --------------------------------------------------------------------------------------------------------
# Blocks: directives, fences, targets, math
# --------------------------------------------------------------------------------------------------------

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
_DIRECTIVE_INFO = re.compile(r"^\{(?P<name>[\w:.+-]+)\}\s*(?P<args>.*)$")
_TARGET = re.compile(r"^\s*\([^()\s]+\)=\s*$")
_COMMENT = re.compile(r"^\s*%")
_BLOCK_BREAK = re.compile(r"^\s*\+\+\+")
_MATH_LABEL = re.compile(r"^(?P<close>.*\$\$)\s*\([^()\s]+\)\s*$")
_AMS_BEGIN = re.compile(rf"^\s*\\begin\{{({_AMSMATH})\*?\}}")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")


@dataclass
class Directive:
    """A MyST directive read from a fence: ``name``, its argument line, its options and its body."""

    name: str
    args: str
    options: dict[str, str]
    body: str


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def parse_directive(name: str, args: str, lines: Sequence[str]) -> Directive:
    """A directive from its name, argument line and the lines inside its fence (options first: ``:key: value``
    lines or a ``---`` YAML block, then the body)."""
    options: dict[str, str] = {}
    k = 0
    if lines and lines[0].strip() == "---":
        end = next((j for j in range(1, len(lines)) if lines[j].strip() == "---"), None)
        if end is not None:
            import yaml  # noqa: PLC0415

            loaded = yaml.safe_load("\n".join(lines[1:end])) or {}
            options = {str(key): "" if value is None else str(value) for key, value in loaded.items()}
            k = end + 1
    else:
        while k < len(lines):
            m = _OPTION.match(lines[k])
            if not m:
                break
            options[m["key"]] = m["value"].strip()
            k += 1
    body = "\n".join(lines[k:]).strip("\n")
    return Directive(name=name, args=args.strip(), options=options, body=body)


def blockquote(title: str, body: str) -> str:
    """A block quote whose first line is ``title`` in bold, then ``body``."""
    lines = [f"> **{title}**"] if title else []
    if body.strip():
        if lines:
            lines.append(">")
        lines += [f"> {line}" if line.strip() else ">" for line in body.splitlines()]
    return "\n".join(lines)


def _captioned(number: str | None, fallback: str, caption: str) -> str:
    label = number or fallback
    return f"**{label}** {caption}".rstrip() if caption else f"**{label}**"


def _exercise_heading(d: Directive, ctx: Context) -> str:
    label = d.options.get("label", "")
    number = ctx.number("exercise", label) if label else None
    heading = number or ctx.labels["exercise"]
    if d.args:
        heading += f" ({convert_inline(d.args, ctx)})"
    return f"### {heading}"


def _solution_heading(label: str, ctx: Context) -> str:
    number = ctx.number("exercise", label) if label else None
    return f"#### {ctx.labels['solution_to'].format(exercise=number) if number else ctx.labels['solution']}"


def convert_directive(d: Directive, ctx: Context) -> str:
    """Markdown for one MyST directive, as the site shows it."""
    body = convert_markdown(d.body, ctx) if d.body else ""
    name = d.name
    if name in _DROPPED_DIRECTIVES:
        return ""
    if name == "exercise":
        return "\n\n".join(part for part in (_exercise_heading(d, ctx), body) if part)
    if name == "solution-start" or name == "solution":
        return "\n\n".join(part for part in (_solution_heading(d.args, ctx), body) if part)
    if name in _ADMONITIONS:
        # these take no title: text on the directive's line is the first line of the body
        if d.args:
            body = convert_markdown(d.args + "\n" + d.body, ctx)
        return blockquote(ctx.labels[name], body)
    if name in _TITLED_BLOCKS:
        return blockquote(convert_inline(d.args, ctx) if d.args else ctx.labels.get(name, ""), body)
    if name == "table":
        number = ctx.number("table", d.options["name"]) if "name" in d.options else None
        return _captioned(number, ctx.labels["table"], convert_inline(d.args, ctx)) + "\n\n" + body
    if name in ("figure", "image"):
        alt = d.options.get("alt", "")
        image = f"![{escape_markdown(alt)}]({d.args})"
        if name == "image":
            return image
        number = ctx.number("figure", d.options["name"]) if "name" in d.options else None
        return image + "\n\n" + _captioned(number, ctx.labels["figure"], body)
    if name in ("math", "glue:math"):
        latex = d.body if name == "math" else _text(ctx.glued(d.args).get("text/latex", "")).strip().strip("$")
        return f"$$\n{latex.strip()}\n$$"
    if name in ("code-block", "code", "sourcecode", "code-cell"):
        language = d.args.split()[0] if d.args else ""
        fence = "```"
        while fence in d.body:
            fence += "`"
        return f"{fence}{language}\n{d.body}\n{fence}"
    if name in ("glue", "glue:", "glue:any", "glue:md", "glue:figure"):
        pasted = glue_markdown(d.args, ctx, inline=False)
        if name != "glue:figure":
            return pasted
        number = ctx.number("figure", d.options["name"]) if "name" in d.options else None
        return pasted + ("\n\n" + _captioned(number, ctx.labels["figure"], body) if body or number else "")
    if name == "raw":
        return d.body if d.args.strip().lower() == "html" else ""
    # any other directive: its content, under its argument as a title
    return blockquote(convert_inline(d.args, ctx), body) if d.args else body


def _take_fence(lines: Sequence[str], start: int, fence: str) -> int:
    """Index of the line closing the fence opened at ``start`` (len(lines) when it runs to the end)."""
    for j in range(start + 1, len(lines)):
        if _closes(lines[j], fence):
            return j
    return len(lines)


def convert_markdown(text: str, ctx: Context) -> str:
    """A MyST Markdown text (a cell, a glued value, a Markdown output) as Markdown that Jupyter renders."""
    lines = text.splitlines()
    out: list[str] = []
    prose: list[str] = []

    def flush() -> None:
        if prose:
            out.append(convert_inline("\n".join(prose), ctx))
            prose.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        m = _FENCE.match(line)
        if m:
            fence = m["fence"]
            end = _take_fence(lines, i, fence)
            directive = _DIRECTIVE_INFO.match(m["info"].strip()) if fence[0] != "~" else None
            flush()
            if directive:
                d = parse_directive(directive["name"], directive["args"], lines[i + 1:end])
                out.append(convert_directive(d, ctx))
            elif fence[0] == ":":  # a colon fence without a directive is not a fence
                prose.append(line)
                i += 1
                continue
            else:
                out.append("\n".join(lines[i:end + 1]))
            i = end + 1
            continue
        if _TARGET.match(line) or _COMMENT.match(line) or _BLOCK_BREAK.match(line):
            i += 1
            continue
        if _AMS_BEGIN.match(line) and not _in_display_math(prose):
            env = _AMS_BEGIN.match(line)[1]
            end = next((j for j in range(i, len(lines)) if re.search(rf"\\end\{{{env}\*?\}}", lines[j])), len(lines))
            prose += ["$$", *lines[i:end + 1], "$$"]
            i = end + 1
            continue
        label = _MATH_LABEL.match(line)
        prose.append(label["close"] if label else line)
        i += 1
    flush()
    return re.sub(r"\n{3,}", "\n\n", "\n\n".join(part.strip("\n") for part in out if part.strip())).strip("\n")


# --------------------------------------------------------------------------------------------------------
# Translation: a page's Markdown in another edition's language, message by message
# --------------------------------------------------------------------------------------------------------

_HEADING = re.compile(r"^(?P<marks>#{1,6})\s+(?P<title>.*?)\s*$")
_ITEM = re.compile(r"^(?P<indent>\s*)(?P<marker>[-*+]|\d+[.)])\s+(?P<text>.*)$")
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
# directives whose content is Markdown prose (the others hold code, math or data and are left as they are)
_PROSE_DIRECTIVES = {"exercise", "solution", "solution-start", "admonition", "note", "warning", "tip", "hint",
                     "important", "caution", "attention", "danger", "error", "seealso", "dropdown", "table",
                     "figure", "margin", "sidebar", "topic"}


def _translate_block(block: Sequence[str], translate: Callable[[str], str | None]) -> list[str]:
    """One block of Markdown lines (a heading, a table, a list or a paragraph) with each of its messages replaced
    by its translation where there is one."""
    heading = _HEADING.match(block[0])
    if len(block) == 1 and heading:
        title = translate(heading["title"])
        return [f"{heading['marks']} {title}" if title else block[0]]
    if all(line.lstrip().startswith("|") for line in block):
        rows = []
        for line in block:
            if _TABLE_RULE.match(line):
                rows.append(line)
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows.append("| " + " | ".join(translate(c) or c for c in cells) + " |")
        return rows
    if _ITEM.match(block[0]):
        items: list[tuple[str, str, list[str]]] = []
        for line in block:
            item = _ITEM.match(line)
            if item:
                items.append((item["indent"], item["marker"], [item["text"]]))
            else:
                items[-1][2].append(line.strip())
        return [f"{indent}{marker} {translate(' '.join(texts)) or ' '.join(texts)}" for indent, marker, texts in items]
    text = " ".join(line.strip() for line in block)  # a paragraph is one message, its lines joined
    translated = translate(text)
    return [translated] if translated else list(block)


def translate_markdown(text: str, translate: Callable[[str], str | None]) -> str:
    """A MyST Markdown cell with every message that ``translate`` knows replaced by its translation: headings,
    paragraphs, list items and table cells, also inside prose directives (exercises, solutions, admonitions) and
    their titles, keyed as Sphinx's message catalogs key them (a paragraph's lines joined by spaces). Code, math,
    labels and directive options are left as they are, and so is a message without a translation."""
    lines = text.splitlines()
    out: list[str] = []
    block: list[str] = []

    def flush() -> None:
        if block:
            out.extend(_translate_block(block, translate))
            block.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        m = _FENCE.match(line)
        if m:
            flush()
            fence = m["fence"]
            directive = _DIRECTIVE_INFO.match(m["info"].strip()) if fence[0] != "~" else None
            if fence[0] == ":" and not directive:  # not a fence
                block.append(line)
                i += 1
                continue
            end = _take_fence(lines, i, fence)
            if directive and directive["name"] in _PROSE_DIRECTIVES:
                args = directive["args"].strip()
                title = translate(args) if args else None
                out.append(line.replace(args, title) if title else line)
                body = lines[i + 1:end]
                options = 0
                while options < len(body) and _OPTION.match(body[options]):
                    options += 1
                out.extend(body[:options])
                if body[options:]:
                    out.extend(translate_markdown("\n".join(body[options:]), translate).split("\n"))
                out.extend(lines[end:end + 1])
            else:
                out.extend(lines[i:end + 1])
            i = end + 1
            continue
        if not line.strip() or _TARGET.match(line) or _COMMENT.match(line) or _BLOCK_BREAK.match(line):
            flush()
            out.append(line)
            i += 1
            continue
        if line.lstrip().startswith("$$"):  # display math, to its closing $$
            flush()
            j, count = i, 0
            while j < len(lines):
                count += lines[j].count("$$")
                if count % 2 == 0:
                    break
                j += 1
            out.extend(lines[i:j + 1])
            i = j + 1
            continue
        block.append(line)
        i += 1
    flush()
    return "\n".join(out)


def _in_display_math(prose: Sequence[str]) -> bool:
    return sum(line.count("$$") for line in prose) % 2 == 1


# --------------------------------------------------------------------------------------------------------
# Notebooks: outputs from the executed notebook, captions, references
# --------------------------------------------------------------------------------------------------------


def glue_from_outputs(notebook: Any) -> dict[str, dict[str, Any]]:
    """The values a notebook glued, read from its outputs (MyST-NB's ``glue`` stores each as an output with
    ``metadata.scrapbook.name``; a ``display=False`` one has its MIME types prefixed, which are removed here):
    glue key -> MIME bundle."""
    glued: dict[str, dict[str, Any]] = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            scrapbook = (output.get("metadata") or {}).get("scrapbook")
            if not scrapbook or "name" not in scrapbook:
                continue
            prefix = scrapbook.get("mime_prefix", "")
            glued[scrapbook["name"]] = {
                mime[len(prefix):] if prefix and mime.startswith(prefix) else mime: value
                for mime, value in (output.get("data") or {}).items()
            }
    return glued


def has_outputs(notebook: Any) -> bool:
    """Whether any code cell of ``notebook`` has an output (MyST-NB writes the notebook of a page it took from
    its execution cache without them)."""
    return any(cell.get("outputs") for cell in notebook.get("cells", []) if cell.get("cell_type") == "code")


def _source(cell: Mapping[str, Any]) -> str:
    return _text(cell.get("source", "")).strip()


def match_outputs(cells: Sequence[Mapping[str, Any]], executed: Sequence[Mapping[str, Any]]) -> list[int | None]:
    """For each cell of ``cells``, the index of the executed code cell with the same source (taken in order,
    so a source that occurs twice matches its own occurrence), or None for Markdown cells and unmatched ones."""
    code = [(k, _source(c)) for k, c in enumerate(executed) if c.get("cell_type") == "code"]
    found: list[int | None] = []
    position = 0
    for cell in cells:
        if cell.get("cell_type") != "code":
            found.append(None)
            continue
        source = _source(cell)
        hit = next((j for j in range(position, len(code)) if code[j][1] == source), None)
        if hit is None:
            found.append(None)
            continue
        found.append(code[hit][0])
        position = hit + 1
    return found


def _tags(cell: Mapping[str, Any]) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []) or [])


def site_outputs(cell: Mapping[str, Any], executed_cell: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The outputs the site shows for ``cell``: those of its executed twin, none where the page removes them,
    and none that only carry a glued value for the text (MyST-NB's ``display=False`` glue)."""
    if executed_cell is None or _tags(cell) & REMOVE_OUTPUT_TAGS:
        return []
    kept = []
    for output in executed_cell.get("outputs", []):
        data = output.get("data", {})
        if data and all(mime.startswith("application/papermill.record/") for mime in data):
            continue
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            continue
        kept.append(copy.deepcopy(dict(output)))
    return kept


def convert_outputs(outputs: Sequence[dict[str, Any]], ctx: Context) -> list[dict[str, Any]]:
    """Outputs with their MyST Markdown (tables, library listings in dropdowns) made plain Markdown."""
    converted = []
    for output in outputs:
        data = output.get("data")
        if data and "text/markdown" in data:
            output = {**output, "data": {**data, "text/markdown": convert_markdown(_text(data["text/markdown"]), ctx)}}
        converted.append(output)
    return converted


def figure_caption(cell: Mapping[str, Any], ctx: Context) -> str | None:
    """The Markdown caption of a code cell's figure (``mystnb.figure`` metadata), numbered as on the site."""
    figure = (cell.get("metadata", {}).get("mystnb") or {}).get("figure") or {}
    caption = str(figure.get("caption") or "").strip()
    if not caption and not figure.get("name"):
        return None
    number = ctx.number("figure", str(figure["name"])) if figure.get("name") else None
    if ctx.translate is not None:
        caption = ctx.translate(caption) or caption
    return _captioned(number, ctx.labels["figure"], convert_inline(caption, ctx))


def collapse_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """Cell metadata with JupyterLab's ``jupyter.source_hidden`` / ``outputs_hidden`` set where the site's tags
    hide the source or the outputs; the tags stay."""
    tags = set(metadata.get("tags", []) or [])
    hidden = {}
    if tags & HIDE_SOURCE_TAGS:
        hidden["source_hidden"] = True
    if tags & HIDE_OUTPUT_TAGS:
        hidden["outputs_hidden"] = True
    if hidden:
        metadata = {**metadata, "jupyter": {**metadata.get("jupyter", {}), **hidden}}
    return metadata


def references_markdown(ctx: Context) -> str | None:
    """The closing "References" cell: the works cited in the notebook, or None when it cites none."""
    if not ctx.cited:
        return None
    entries = ctx.references(ctx.cited)
    return (f"## {ctx.labels['references']}\n\n{ctx.labels['references_intro']}\n\n"
            + "\n".join(f"- {e}" for e in entries))


def export_notebook(notebook: Any, executed: Any | None, ctx: Context) -> Any:
    """The page's notebook (Jupytext's reading of its MyST source) made to read like the page.

    Markdown cells are converted (:func:`convert_markdown`) and dropped when nothing is left of them (a cell that
    only closed a solution); code cells get the outputs of their twin in ``executed`` (the notebook the build
    executed) and collapse where the site hides them; a figure's caption follows its cell; a "References" cell
    ends a notebook that cites. Returns a new notebook; ``notebook`` is not changed.
    """
    import nbformat  # noqa: PLC0415

    result = copy.deepcopy(notebook)
    executed_cells = list(executed.cells) if executed is not None else []
    twins = match_outputs(result.cells, executed_cells)
    cells = []
    for cell, twin in zip(result.cells, twins):
        if cell.cell_type == "markdown":
            ctx.attachments = {}
            source = _text(cell.source)
            if ctx.translate is not None:
                source = translate_markdown(source, ctx.translate)
            cell.source = convert_markdown(source, ctx)
            if ctx.attachments:
                cell["attachments"] = ctx.attachments
            ctx.attachments = None
            if cell.source.strip():
                cells.append(cell)
            continue
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        executed_cell = executed_cells[twin] if twin is not None else None
        cell.outputs = [nbformat.from_dict(o) for o in convert_outputs(site_outputs(cell, executed_cell), ctx)]
        cell.execution_count = executed_cell.get("execution_count") if executed_cell is not None else None
        cell.metadata = nbformat.from_dict(collapse_metadata(dict(cell.metadata)))
        cells.append(cell)
        caption = figure_caption(cell, ctx)
        if caption:
            cells.append(nbformat.v4.new_markdown_cell(caption))
    references = references_markdown(ctx)
    if references:
        cells.append(nbformat.v4.new_markdown_cell(references, metadata={"tags": ["references"]}))
    result.cells = cells
    return result


# --------------------------------------------------------------------------------------------------------
# The context of a page during the Sphinx build
# --------------------------------------------------------------------------------------------------------


def notebook_link(fromdoc: str, todoc: str) -> str:
    """The relative path from ``fromdoc``'s notebook to ``todoc``'s (``book/ch04_x`` -> ``book/ch03_y``:
    ``ch03_y.ipynb``), valid on the notebooks branch, in Jupyter and in Colab alike."""
    return posixpath.relpath(f"{todoc}.ipynb", posixpath.dirname(fromdoc) or ".")


def sphinx_context(app: Any, docname: str, glue: Mapping[str, Mapping[str, Any]],
                   has_notebook: Callable[[str], bool]) -> Context:
    """The :class:`Context` of page ``docname`` in a running Sphinx build (after the environment is complete):
    citations formatted by sphinxcontrib-bibtex with the site's reference style, cross-references resolved by
    Sphinx's own domains, numbers from the build's per-chapter numbering. A reference to another page that has
    a notebook (``has_notebook(docname)``) links to it."""
    from docutils import nodes  # noqa: PLC0415
    from sphinx import addnodes  # noqa: PLC0415

    env = app.env
    builder = app.builder
    std = env.get_domain("std")

    def pending(domain: str, role: str, target: str, title: str | None) -> tuple[Any, Any]:
        contnode = nodes.inline(title or target, title or target)
        node = addnodes.pending_xref(
            "", contnode, refdomain=domain, reftype=role, reftarget=target, refexplicit=title is not None,
            refdoc=docname, refwarn=False,
        )
        return node, contnode

    def cite(role: str, keys: Sequence[str]) -> str:
        domain = env.get_domain("cite")
        target = ",".join(keys)
        node, contnode = pending("cite", role, target, None)
        resolved = domain.resolve_xref(env, docname, builder, role, target, node, contnode)
        return resolved.astext() if resolved is not None else target

    def target_doc(role: str, target: str) -> str | None:
        if role == "doc":
            from sphinx.util import docname_join  # noqa: PLC0415

            return docname_join(docname, target)
        for table in (std.labels, std.anonlabels):
            if target in table:
                return table[target][0]
        return None

    def xref(role: str, target: str, title: str | None) -> str:
        if role in ("ref", "numref", "term"):
            target = target.lower() if role != "term" else target
        domain = env.get_domain("math") if role == "eq" else std
        node, contnode = pending(domain.name, role, target, title)
        resolved = domain.resolve_xref(env, docname, builder, role, target, node, contnode)
        text = resolved.astext() if resolved is not None else (title or target)
        todoc = target_doc(role, target)
        if todoc and todoc != docname and has_notebook(todoc):
            return f"[{escape_markdown(text)}]({notebook_link(docname, todoc)})"
        return escape_markdown(text)

    def number(figtype: str, label: str) -> str | None:
        where = std.anonlabels.get(label) or std.labels.get(label)
        doc, labelid = (where[0], where[1]) if where else (docname, label)
        numbers = env.toc_fignumbers.get(doc, {}).get(figtype, {}).get(labelid)
        if numbers is None:
            return None
        fmt = app.config.numfig_format.get(figtype, f"{LABELS.get(figtype, figtype.title())} %s")
        return fmt % ".".join(str(n) for n in numbers)

    def references(keys: Sequence[str]) -> list[str]:
        from pybtex.plugin import find_plugin  # noqa: PLC0415

        markdown = find_plugin("pybtex.backends", "markdown")()
        wanted = set(keys)
        entries: dict[str, str] = {}  # in the order of the site's bibliography
        for citation in env.get_domain("cite").citations:
            if citation.key in wanted and citation.key not in entries:
                entries[citation.key] = " ".join(citation.formatted_entry.text.render(markdown).split())
        return list(entries.values()) + [escape_markdown(key) for key in keys if key not in entries]

    return Context(glue=glue, cite=cite, xref=xref, number=number, references=references)
