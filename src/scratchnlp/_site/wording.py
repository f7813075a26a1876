"""How the pages' helpers turn a decision into a sentence: a template per language, keyed by name.

Each helper module keeps its own ``TEMPLATES`` (``{"en": {key: template}}``); :func:`say` fills one in, and a
missing language or key is one clear error rather than a ``KeyError`` deep in a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["say"]


def say(templates: Mapping[str, Mapping[str, str]], key: str, lang: str = "en", **values: Any) -> str:
    """``templates[lang][key]`` with ``values`` filled in (``str.format``).

    Raises
    ------
    ValueError
        When ``templates`` has no wording ``key`` for ``lang``.
    """
    try:
        template = templates[lang][key]
    except KeyError:
        raise ValueError(f"no wording {key!r} for language {lang!r}") from None
    return template.format(**values)
