"""The book's runnable experiments, by name, with the book's hyperparameters as defaults.

The package has the runner and the registry, and one module per chapter that registers that chapter's
experiments:

* :mod:`scratchnlp.experiments.registry` — :class:`Experiment`, :func:`register`, :func:`get_experiment`;
* :mod:`scratchnlp.experiments.runner` — :func:`run_experiment` (checkpoint and results written as one pair),
  :func:`load_results` (how pages read committed results), :func:`summary` / :func:`summarize`;
* :mod:`scratchnlp.experiments.word2vec` — chapter 4: ``cbow-ptb``, ``skipgram-ptb`` and their ``-fast``
  variants.

``scratchnlp experiments`` lists them; ``scratchnlp run NAME`` runs one.
"""

from . import word2vec as _word2vec  # noqa: F401  (registers chapter 4's experiments)
from .registry import (
    EXPERIMENTS,
    Experiment,
    RunContext,
    TrainOutput,
    experiment_name,
    get_experiment,
    list_experiments,
    register,
)
from .runner import RESULTS_FORMAT, ResultsError, load_results, run_experiment, summarize, summary
from .word2vec import load_word_vectors, similar_words

__all__ = [
    "EXPERIMENTS",
    "Experiment",
    "RunContext",
    "TrainOutput",
    "ResultsError",
    "RESULTS_FORMAT",
    "experiment_name",
    "get_experiment",
    "list_experiments",
    "register",
    "run_experiment",
    "load_results",
    "summary",
    "summarize",
    "load_word_vectors",
    "similar_words",
]
