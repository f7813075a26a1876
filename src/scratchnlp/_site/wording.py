"""How the pages' helpers turn a decision into a sentence: a template per language, keyed by name.

Each helper module keeps its own ``TEMPLATES`` (``{"en": {key: template}, "ko": {...}}``); :func:`say` fills one
in, and a missing language or key is one clear error rather than a ``KeyError`` deep in a page.

Which language a page is executed in is the build's choice, not the page's: the Korean edition executes the
same pages with ``SCRATCHNLP_LANG=ko`` in the environment (see ``CONTRIBUTING.md``, "Translations"), and every
wording function whose ``lang`` is left as ``None`` follows :func:`page_language`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

__all__ = ["LANGUAGES", "page_language", "say"]

#: The languages the site is published in; the first is the one the pages are written in.
LANGUAGES = ("en", "ko")

#: The environment variable that selects the language of the sentences a page computes.
LANGUAGE_VARIABLE = "SCRATCHNLP_LANG"


def page_language() -> str:
    """The language the page being executed is published in: ``SCRATCHNLP_LANG``, or ``"en"`` when unset.

    Raises
    ------
    ValueError
        When the variable names a language the site is not published in.
    """
    lang = os.environ.get(LANGUAGE_VARIABLE, "").strip() or LANGUAGES[0]
    if lang not in LANGUAGES:
        raise ValueError(f"{LANGUAGE_VARIABLE}={lang!r} is not one of the site's languages {LANGUAGES}")
    return lang


def say(templates: Mapping[str, Mapping[str, str]], key: str, lang: str | None = None, **values: Any) -> str:
    """``templates[lang][key]`` with ``values`` filled in (``str.format``); ``lang=None``: :func:`page_language`.

    A module whose templates have no set at all for one of the site's languages (its pages are not translated
    yet) speaks English, as the untranslated page around it does; a module that has a set for ``lang`` must have
    every key in it, and a language the site is not published in is an error.

    Raises
    ------
    ValueError
        When ``templates`` has no wording ``key`` for ``lang``.
    """
    lang = page_language() if lang is None else lang
    if lang in LANGUAGES and lang not in templates and LANGUAGES[0] in templates:
        lang = LANGUAGES[0]
    try:
        template = templates[lang][key]
    except KeyError:
        raise ValueError(f"no wording {key!r} for language {lang!r}") from None
    return template.format(**values)
