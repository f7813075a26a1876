"""How the pages' helpers turn a decision into a sentence: a template per language, keyed by name.

Each helper module keeps its own ``TEMPLATES`` (``{"en": {key: template}, "ko": {...}}``); :func:`say` fills one
in, and a missing language or key is one clear error rather than a ``KeyError`` deep in a page.

Which language a page is executed in is the build's choice, not the page's: the Korean edition executes the
same pages with ``SCRATCHNLP_LANG=ko`` in the environment (see ``CONTRIBUTING.md``, "Translations"), and every
wording function whose ``lang`` is left as ``None`` follows :func:`page_language`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["LANGUAGES", "page_language", "say", "table_header", "particle"]

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

    A Korean template attaches a particle to a value with ``{name|을/를}`` (a format spec may come first:
    ``{acc:.2%|이/가}``): the value is formatted, then :func:`particle` picks the form that fits its last sound, so
    the same placeholders serve both languages and no sentence has to be bent around a number's reading.

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
    return _fill(template, values)


def table_header(templates: Mapping[str, Mapping[str, str]], columns: Mapping[str, Sequence[str]], table: str,
                 lang: str | None = None, **values: Any) -> list[str]:
    """The column headers of a page's table ``table`` (a key of ``columns``): the templates ``"<table>.<column>"``
    in ``lang``, each filled with ``values`` (see :func:`say`); the ``header`` of every page's module.

    Raises
    ------
    ValueError
        When ``table`` is not one of ``columns``, or a header has no wording in ``lang``.
    """
    if table not in columns:
        raise ValueError(f"no table {table!r}; known: {sorted(columns)}")
    return [say(templates, f"{table}.{column}", lang, **values) for column in columns[table]]


# {name|pair} or {name:spec|pair}, where pair is one of PARTICLES ("을/를", ...)
_PARTICLE_FIELD = re.compile(r"\{(\w+)(?::([^{}|]*))?\|([^{}|]+)\}")


def _fill(template: str, values: Mapping[str, Any]) -> str:
    """``template.format(**values)``, after each ``{name|pair}`` field became its value with the particle that fits
    (see :func:`say`)."""

    def with_particle(m: re.Match[str]) -> str:
        name, spec, pair = m.group(1), m.group(2) or "", m.group(3)
        if pair not in PARTICLES:
            raise ValueError(f"no particle pair {pair!r} in the field {m.group(0)!r}; known: {sorted(PARTICLES)}")
        if name not in values:
            raise KeyError(name)
        return particle(format(values[name], spec), pair).replace("{", "{{").replace("}", "}}")

    return _PARTICLE_FIELD.sub(with_particle, template).format(**values)


#: Korean particles that change with the sound before them: (after a final consonant, after a vowel).
PARTICLES = {"은/는": ("은", "는"), "이/가": ("이", "가"), "을/를": ("을", "를"), "과/와": ("과", "와"),
             "으로/로": ("으로", "로"), "이다/다": ("이다", "다"), "이라는/라는": ("이라는", "라는")}

# How the last character of a number or a Latin word is read aloud in Korean: True where the reading ends in a
# final consonant (받침). Digits as read in Sino-Korean (영 일 이 삼 사 오 육 칠 팔 구), "%" as 퍼센트.
_DIGIT_CLOSED = {"0": True, "1": True, "2": False, "3": True, "4": False, "5": False, "6": True, "7": True,
                 "8": True, "9": False}
_LATIN_CLOSED = {"l": True, "m": True, "n": True, "r": False, "k": True, "p": True, "t": True, "b": True}
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3


def _closed(word: str) -> bool:
    """Whether ``word`` is read with a final consonant at its end (Hangul syllable, digit, or Latin letter)."""
    text = re.sub(r"[\s`*_)\]}'\".,;:!?\u201d\u2019]+$", "", word)
    if not text:
        raise ValueError(f"no word to attach a particle to: {word!r}")
    last = text[-1]
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        return (ord(last) - _HANGUL_FIRST) % 28 != 0
    if last in _DIGIT_CLOSED:
        return _DIGIT_CLOSED[last]
    if last == "%":
        return False
    return _LATIN_CLOSED.get(last.lower(), False)


def particle(word: object, pair: str) -> str:
    """``word`` followed by the Korean particle of ``pair`` that fits its last sound: ``particle("모델", "은/는")``
    is ``"모델은"``, ``particle("98.76%", "을/를")`` ``"98.76%를"``, ``particle(3, "이/가")`` ``"3이"``.

    Numbers are read as Korean reads digits (the last digit decides; "%" is 퍼센트), Latin words by their last
    letter (a heuristic: "LSTM을", "GRU를"). ``"으로/로"`` takes 로 after ㄹ as well as after a vowel.

    Raises
    ------
    ValueError
        When ``pair`` is not one of :data:`PARTICLES` or ``word`` is empty.
    """
    if pair not in PARTICLES:
        raise ValueError(f"no particle pair {pair!r}; known: {sorted(PARTICLES)}")
    text = str(word)
    closed = _closed(text)
    if pair == "으로/로" and closed:
        last = re.sub(r"[\s`*_)\]}'\".,;:!?\u201d\u2019]+$", "", text)[-1]
        rieul = (_HANGUL_FIRST <= ord(last) <= _HANGUL_LAST and (ord(last) - _HANGUL_FIRST) % 28 == 8) or (
            last in "178" or last.lower() == "l")
        closed = not rieul
    after_consonant, after_vowel = PARTICLES[pair]
    return text + (after_consonant if closed else after_vowel)
