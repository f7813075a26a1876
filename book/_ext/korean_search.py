"""Sphinx extension: site search for the Korean edition.

Sphinx has no Korean search language; with ``language = "ko"`` it falls back to its English splitter, which keeps
the particles on Korean words (말뭉치를, 말뭉치의 and 말뭉치 are three different words to it). A query then finds a
word only through Sphinx's partial matching, which it applies to queries of three characters or more, and
two-syllable words, most of the book's (행렬, 계층, 맥락, 학습, 생성), are never found.

This language indexes Hangul by syllable bigrams instead: 말뭉치를 is indexed as 말뭉, 뭉치 and 치를, and a query
is split the same way in the browser (``splitQuery`` below), so 말뭉치 (말뭉 + 뭉치, both required) finds every
page that says 말뭉치를 or 말뭉치의, and 날짜 finds 날짜의, whatever particle follows. A word of one syllable standing
alone (층, 수) is indexed as itself. Runs of Latin letters and digits (LSTM, word2vec, float16) are indexed as
words, lower-cased and not stemmed; English stop words are left out, as the English edition leaves them out.
The Python splitter and the JavaScript one must agree; ``tests/unit/test_korean_search.py`` checks the Python one
and the site tests search the built Korean edition in a browser.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.search import SearchLanguage
from sphinx.search.en import english_stopwords

_HANGUL = "\uac00-\ud7a3"
_TOKEN = re.compile(rf"[{_HANGUL}]+|[^\W{_HANGUL}]+")
_WORD = re.compile(r"\w+")


def split_korean(text: str) -> list[str]:
    """The search terms of ``text``: syllable bigrams of each Hangul run, a lone syllable that is a whole word, and
    each run of other word characters (lower-cased)."""
    terms: list[str] = []
    for word in _WORD.findall(text):
        for run in _TOKEN.findall(word):
            if "\uac00" <= run[0] <= "\ud7a3":
                if len(run) == 1:
                    if run == word:  # a one-syllable word, not a particle stuck to a Latin word or a number
                        terms.append(run)
                else:
                    terms.extend(run[i:i + 2] for i in range(len(run) - 1))
            else:
                terms.append(run.lower())
    return terms


# The same split in the browser; searchtools.js calls splitQuery(query) and stems each term with Stemmer.
_JS_SPLITTER = r"""
function splitQuery(query) {
  const terms = [];
  for (const word of query.match(/[\p{L}\p{N}_]+/gu) || []) {
    for (const run of word.match(/[\uac00-\ud7a3]+|[^\uac00-\ud7a3]+/g) || []) {
      if (/^[\uac00-\ud7a3]/.test(run)) {
        if (run.length === 1) {
          if (run === word) terms.push(run);
        } else {
          for (let i = 0; i + 1 < run.length; i++) terms.push(run.slice(i, i + 2));
        }
      } else {
        terms.push(run.toLowerCase());
      }
    }
  }
  return terms;
}
"""

_JS_STEMMER = """
/* Korean terms are syllable bigrams and Latin words are kept whole: nothing to stem. */
var Stemmer = function() {
  this.stemWord = function(w) {
    return w.toLowerCase();
  }
}
"""


class SearchKorean(SearchLanguage):
    """Korean: Hangul indexed by syllable bigrams, other words whole (see the module's docstring)."""

    lang = "ko"
    language_name = "Korean"
    stopwords = english_stopwords
    js_splitter_code = _JS_SPLITTER
    js_stemmer_code = _JS_STEMMER

    def split(self, input: str) -> list[str]:  # noqa: A002 (Sphinx's name)
        return split_korean(input)

    def stem(self, word: str) -> str:
        return word.lower()

    def word_filter(self, word: str) -> bool:
        return bool(word) and word not in self.stopwords


def setup(app: Any) -> dict[str, Any]:
    app.add_search_language(SearchKorean)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
