"""What the companion site's pages share, split by concern; private, not part of the library's API.

What every page shares (set-up, glue, tables, showing the library's source, committed results, timing) is in
``scratchnlp._pages``; everything else lives here, one module per page or per concern:

- ``chapter1`` ... ``chapter8``: the sentences a chapter's page builds from its own numbers;
- ``speedup``: the speed-up page's step timings and the committed benchmark results (also read by the map);
- ``foundations`` (chapters 1-3), ``word2vec_why`` (chapter 4), ``memory`` (chapter 5, appendix C),
  ``ablation`` (chapters 6 and 8), ``attention`` (chapter 8), ``precision`` (the speed-up page): the measured
  "why" experiments, each a decision with its numbers and its wording;
- ``glossary``: the book's terms in three languages (the glossary page) and the check of the Korean edition's words;
- ``figures`` and ``wording``: figures sized for a phone, and the language a page is executed in;
- ``derivatives``: appendix A (the computational graphs of sigmoid and tanh, numerical checks);
- ``wordnet``: appendix B (WordNet through NLTK, and the word-similarity comparison);
- ``book_map``: the book's table of contents and where each section lives on the site.

A helper that decides something from computed numbers returns the decision and its numbers (a small
dataclass or dict, language-neutral, tested once); the sentence a page shows is made from it by a separate
wording function, so that each language can bring its own template.
"""
