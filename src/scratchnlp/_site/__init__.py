"""What the companion site's pages share, split by concern; private, not part of the library's API.

This package is where page helpers go from now on (``scratchnlp._pages`` is the older, single module; its
contents move here by concern). Each module serves one concern or one page:

- ``derivatives``: appendix A (the computational graphs of sigmoid and tanh, numerical checks);
- ``wordnet``: appendix B (WordNet through NLTK, and the word-similarity comparison);
- ``book_map``: the book's table of contents and where each section lives on the site.

A helper that decides something from computed numbers returns the decision and its numbers (a small
dataclass or dict, language-neutral, tested once); the sentence a page shows is made from it by a separate
wording function, so that each language can bring its own template.
"""
