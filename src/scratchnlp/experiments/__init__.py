"""The book's runnable experiments, by name, with the book's hyperparameters as defaults.

The package has the runner and the registry, and one module per chapter that registers that chapter's
experiments:

* :mod:`scratchnlp.experiments.registry` — :class:`~scratchnlp.experiments.registry.Experiment`,
  :func:`~scratchnlp.experiments.registry.register`, :func:`~scratchnlp.experiments.registry.get_experiment`;
* :mod:`scratchnlp.experiments.runner` — :func:`~scratchnlp.experiments.runner.run_experiment` (checkpoint and
  results written as one pair), :func:`~scratchnlp.experiments.runner.load_results` (how pages read committed
  results), :func:`~scratchnlp.experiments.runner.summary` / :func:`~scratchnlp.experiments.runner.summarize`;
* :mod:`scratchnlp.experiments.word2vec` — chapter 4: ``cbow-ptb``, ``skipgram-ptb`` and their ``-fast``
  variants;
* :mod:`scratchnlp.experiments.language_models` — chapters 5 and 6: ``simple-rnnlm-ptb``, ``rnnlm-ptb``,
  ``better-rnnlm-ptb``;
* :mod:`scratchnlp.experiments.seq2seq` — chapter 7: ``seq2seq-addition``, ``seq2seq-addition-reverse``,
  ``peeky-seq2seq-addition``;
* :mod:`scratchnlp.experiments.attention` — chapter 8: ``attention-date``, and chapter 7's models on the same
  dates for comparison, ``seq2seq-date`` and ``peeky-seq2seq-date``.

Every public name is also importable from the package itself (``from scratchnlp.experiments import
run_experiment``). ``scratchnlp experiments`` lists them; ``scratchnlp run NAME`` runs one.
"""

from . import attention as _attention  # noqa: F401  (registers chapter 8's experiments)
from . import language_models as _language_models  # noqa: F401  (registers chapters 5 and 6's experiments)
from . import seq2seq as _seq2seq  # noqa: F401  (registers chapter 7's experiments)
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
