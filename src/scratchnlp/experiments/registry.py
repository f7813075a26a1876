"""The registry of runnable experiments: what an experiment is, and how to find one by name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Experiment",
    "TrainOutput",
    "RunContext",
    "EXPERIMENTS",
    "register",
    "get_experiment",
    "experiment_name",
    "list_experiments",
]


@dataclass
class RunContext:
    """What :func:`~scratchnlp.experiments.runner.run_experiment` hands to an experiment's ``train`` function.

    Attributes
    ----------
    name : str
        The experiment's name.
    config : dict
        The configuration: the experiment's defaults with the caller's overrides.
    seed : int
        Seeds the weights, the sampling and the batch order.
    progress : bool or None
        Show progress bars (None: only when stderr is a terminal).
    out_dir : pathlib.Path
        The output folder (checked writable before training starts).
    resume : bool
        Continue from the state file of an interrupted run, when there is one.
    snapshot : bool
        Train nothing: report the interrupted run as it stands in its state file (its best epoch so far).
    """

    name: str
    config: dict[str, Any]
    seed: int
    progress: bool | None
    out_dir: Path
    resume: bool = False
    snapshot: bool = False

    @property
    def state_path(self) -> Path:
        """The file a resumable experiment keeps its state in between epochs, ``<out_dir>/<name>.state.npz``."""
        return self.out_dir / f"{self.name}.state.npz"


@dataclass
class TrainOutput:
    """What an experiment's ``train`` function hands back to
    :func:`~scratchnlp.experiments.runner.run_experiment`.

    Attributes
    ----------
    model : object with ``params`` (and ``param_names``)
        Saved as the checkpoint.
    history : dict
        JSON-ready training history (``loss``, ``iteration``, ``epoch_loss``, ...).
    metadata : dict
        JSON-ready facts stored in the checkpoint header (e.g. ``vocabulary``, ``word_vecs``).
    data_files : list of (dataset, filename)
        The downloaded files the run used; their SHA-256 sums go into the results.
    info : dict
        Extra JSON-ready facts for the results file (corpus size, ...).
    context : dict
        Anything the experiment's ``evaluate`` needs (not written anywhere).
    """

    model: Any
    history: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)
    data_files: list[tuple[str, str]] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)


def _no_summary(results: Mapping[str, Any]) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Experiment:
    """A named, runnable experiment.

    Attributes
    ----------
    name : str
        The registry key (``scratchnlp run NAME``).
    description : str
        One line, shown by the CLI.
    chapter : str
        Where the book describes it (e.g. ``"4.3"``).
    defaults : mapping
        The configuration (the book's hyperparameters); ``run_experiment`` overrides may change these keys only.
    train : function (RunContext) -> TrainOutput
    evaluate : function (output: TrainOutput, config: dict) -> dict, optional
        Scores written under ``"evaluation"`` in the results.
    summarize : function (results: mapping) -> dict
        The experiment's own summary of a results file: ordered ``label -> value`` pairs (numbers stay
        numbers), shown by the CLI after a run and by the pages beside committed results.
    data_files : tuple of (dataset, filename)
        Files to fetch before training, so a missing dataset fails before any work is done.
    eval_files : tuple of (dataset, filename)
        Files ``evaluate`` reads; their sums are recorded when the evaluation ran.
    resumable : bool
        Whether ``train`` honours the context's ``resume`` (``scratchnlp run NAME --resume``).
    """

    name: str
    description: str
    chapter: str
    defaults: Mapping[str, Any]
    train: Callable[[RunContext], TrainOutput]
    evaluate: Callable[[TrainOutput, dict[str, Any]], dict[str, Any]] | None = None
    summarize: Callable[[Mapping[str, Any]], dict[str, Any]] = _no_summary
    data_files: tuple[tuple[str, str], ...] = ()
    eval_files: tuple[tuple[str, str], ...] = ()
    resumable: bool = False


#: Every registered experiment, by name.
EXPERIMENTS: dict[str, Experiment] = {}


def register(experiment: Experiment) -> Experiment:
    """Add an experiment to :data:`EXPERIMENTS` (a name may be registered once) and return it."""
    if experiment.name in EXPERIMENTS:
        raise ValueError(f"an experiment named {experiment.name!r} is already registered")
    EXPERIMENTS[experiment.name] = experiment
    return experiment


def experiment_name(name: str, fast: bool = False) -> str:
    """The registry name for ``scratchnlp run NAME [--fast]``: ``NAME-fast`` when ``fast`` (and it exists)."""
    if fast and not name.endswith("-fast"):
        if f"{name}-fast" not in EXPERIMENTS:
            raise ValueError(f"experiment {name!r} has no fast variant; fast variants: "
                             + ", ".join(n for n in EXPERIMENTS if n.endswith("-fast")))
        return f"{name}-fast"
    return name


def get_experiment(name: str) -> Experiment:
    """The experiment registered as ``name``; an unknown name is a ``ValueError`` listing the known ones."""
    try:
        return EXPERIMENTS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown experiment {name!r}; choose from {', '.join(EXPERIMENTS)}") from None


def list_experiments() -> list[Experiment]:
    """All registered experiments, in registration order."""
    return list(EXPERIMENTS.values())
