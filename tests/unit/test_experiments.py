"""The experiment registry and run_experiment: files written atomically, loaded back, bad settings."""

import json
import signal
import subprocess
import sys

import numpy as np
import pytest

from scratchnlp import experiments
from scratchnlp._io import sha256_file
from scratchnlp.checkpoint import read_checkpoint
from scratchnlp.experiments import (
    EXPERIMENTS,
    Experiment,
    TrainOutput,
    experiment_name,
    get_experiment,
    list_experiments,
    load_results,
    load_word_vectors,
    run_experiment,
    similar_words,
    summarize,
    summary,
)
from scratchnlp.text import UnknownWordError


class _Toy:
    """A 'model' with one (3, 2) parameter and word vectors."""

    param_names = ["W_in"]

    def __init__(self, scale: float = 1.0) -> None:
        self.params = [np.arange(6, dtype=np.float32).reshape(3, 2) * np.float32(scale)]
        self.word_vecs = self.params[0]


def _toy_train(ctx):
    config = ctx.config
    if config["fail"]:
        raise RuntimeError("training failed")
    return TrainOutput(
        model=_Toy(config["rate"]),
        history={"loss": [2.0, 1.0], "epoch_loss": [1.5] * config["epochs"]},
        metadata={"word_vecs": "W_in", "vocabulary": ["a", "b", "c"]},
        info={"note": np.float32(0.5)},
    )


def _toy_evaluate(output, config):
    if config["eval_error"]:
        raise OSError("evaluation data unavailable")
    if config["diverge"]:
        return {"score": np.float64(0.25), "test_perplexity": float("inf")}
    return {"score": np.float64(0.25), "nan": float("nan")}


@pytest.fixture
def toy(monkeypatch):
    defaults = {"epochs": 2, "fail": False, "eval_error": False, "diverge": False, "rate": 1.0, "batch": 4}
    experiment = Experiment("toy", "a toy experiment", "0", defaults, _toy_train, _toy_evaluate,
                            summarize=lambda results: {"score": results["evaluation"].get("score")})
    monkeypatch.setitem(EXPERIMENTS, "toy", experiment)
    return experiment


def test_registry_has_the_word2vec_experiments():
    names = [e.name for e in list_experiments()]
    for name in ("cbow-ptb", "skipgram-ptb", "cbow-ptb-fast", "skipgram-ptb-fast"):
        assert name in names
    book = get_experiment("cbow-ptb").defaults
    assert (book["window_size"], book["hidden_size"], book["batch_size"], book["epochs"]) == (5, 100, 100, 10)
    assert experiment_name("cbow-ptb", fast=True) == "cbow-ptb-fast"
    assert experiment_name("cbow-ptb-fast", fast=True) == "cbow-ptb-fast"
    assert experiment_name("skipgram-ptb") == "skipgram-ptb"
    with pytest.raises(ValueError, match="unknown experiment 'nope'.*cbow-ptb"):
        get_experiment("nope")
    with pytest.raises(ValueError, match="already registered"):
        experiments.register(get_experiment("cbow-ptb"))


def test_run_writes_results_and_checkpoint_atomically(toy, tmp_path):
    out = tmp_path / "runs"
    results = run_experiment("toy", out_dir=out, epochs=3, rate=1.0)
    assert sorted(p.name for p in out.iterdir()) == ["toy.json", "toy.npz"]  # no temporary file left
    saved = json.loads((out / "toy.json").read_text())
    assert saved["config"] == {"epochs": 3, "fail": False, "eval_error": False, "diverge": False, "rate": 1.0,
                               "batch": 4}
    assert saved["history"]["epoch_loss"] == [1.5, 1.5, 1.5]
    assert saved["evaluation"] == {"score": 0.25, "nan": None}  # strict JSON: NaN becomes null
    assert saved["note"] == 0.5 and saved["checkpoint"] == "toy.npz"
    assert set(saved["machine"]) >= {"platform", "cpu_count", "numpy"}
    assert saved["package"]["name"] == "scratchnlp" and saved["wall_time"]["total_s"] >= 0
    assert results["paths"]["results"].endswith("toy.json")
    header, arrays = read_checkpoint(out / "toy.npz")
    assert arrays[0].dtype == np.float16 and header["metadata"]["config"]["epochs"] == 3
    W, word_to_id, id_to_word = load_word_vectors(out / "toy.npz")
    np.testing.assert_array_equal(W, np.arange(6).reshape(3, 2))
    assert word_to_id == {"a": 0, "b": 1, "c": 2} and id_to_word[2] == "c"
    assert similar_words("a", out / "toy.npz", top=1)[0][0] in {"b", "c"}
    with pytest.raises(UnknownWordError):
        similar_words("zzz", out / "toy.npz")
    assert "toy: a toy experiment" in summarize(results)


def test_failed_training_writes_nothing(toy, tmp_path):
    with pytest.raises(RuntimeError, match="training failed"):
        run_experiment("toy", out_dir=tmp_path, fail=True)
    assert list(tmp_path.iterdir()) == []


def test_unavailable_evaluation_data_keeps_the_run(toy, tmp_path):
    results = run_experiment("toy", out_dir=tmp_path, eval_error=True)
    assert results["evaluation"] == {"error": "evaluation data unavailable"}
    assert (tmp_path / "toy.json").is_file()
    assert "evaluation skipped" in summarize(results)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"colour": 1}, "unknown setting 'colour'"),
        ({"fail": 1}, "True or False"),
        ({"batch": 2.5}, "must be an int"),
        ({"rate": "fast"}, "must be a finite number"),
        ({"rate": float("nan")}, "must be a finite number"),
    ],
)
def test_bad_settings(toy, tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        run_experiment("toy", out_dir=tmp_path, **kwargs)


def test_bad_epochs(toy, tmp_path):
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        run_experiment("toy", out_dir=tmp_path, epochs=0)


def test_load_word_vectors_rejects_other_checkpoints(tmp_path):
    from scratchnlp.checkpoint import save_params

    save_params(tmp_path / "p.npz", [np.zeros((2, 2), dtype=np.float32)])
    with pytest.raises(ValueError, match="no word vectors"):
        load_word_vectors(tmp_path / "p.npz")


def test_results_are_read_back_through_load_results_and_summary(toy, tmp_path):
    run_experiment("toy", out_dir=tmp_path)
    data = load_results("toy", tmp_path, verify_checkpoint=True)
    assert data["evaluation"]["score"] == 0.25
    assert summary(data) == {"epochs": 2, "training time (s)": data["wall_time"]["train_s"], "score": 0.25}
    assert "score: 0.25" in summarize(data)
    with pytest.raises(experiments.ResultsError, match="does not exist.*scratchnlp run other"):
        load_results("other", tmp_path)
    (tmp_path / "other.json").write_text("[1, 2]")
    with pytest.raises(experiments.ResultsError, match="not a scratchnlp results file"):
        load_results("other", tmp_path)
    (tmp_path / "other.json").write_text("{not json")
    with pytest.raises(experiments.ResultsError, match="cannot read"):
        load_results("other", tmp_path)
    (tmp_path / "toy.npz").write_bytes(b"another checkpoint")
    with pytest.raises(experiments.ResultsError, match="not the checkpoint"):
        load_results("toy", tmp_path, verify_checkpoint=True)


def test_an_interrupted_run_keeps_the_previous_pair_whole(toy, tmp_path, monkeypatch):
    from scratchnlp.experiments import runner

    run_experiment("toy", out_dir=tmp_path, rate=1.0)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def interrupted(*args, **kwargs):  # Ctrl-C (or SIGTERM) while the new results are being written
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "atomic_write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_experiment("toy", out_dir=tmp_path, rate=2.0)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before  # the old pair, whole, and no staged or temporary file
    load_results("toy", tmp_path, verify_checkpoint=True)


def test_a_sigterm_during_a_run_leaves_the_previous_pair(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(f"""
        import os, signal, time
        import numpy as np
        from scratchnlp import experiments
        from scratchnlp.experiments import Experiment, TrainOutput

        class M:
            param_names = ["W"]
            def __init__(self, v):
                self.params = [np.full((2, 2), v, dtype=np.float32)]

        def train(ctx):
            if ctx.config["slow"]:
                print("training", flush=True)
                time.sleep(60)
            return TrainOutput(model=M(ctx.config["v"]), history={{}})

        experiments.register(Experiment("t", "t", "0", {{"slow": False, "v": 1.0}}, train))
        experiments.run_experiment("t", out_dir={str(tmp_path)!r}, v=1.0)
        print("first done", flush=True)
        experiments.run_experiment("t", out_dir={str(tmp_path)!r}, slow=True, v=2.0)
    """)
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout.readline().strip() == "first done"
        assert proc.stdout.readline().strip() == "training"
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.json", "t.npz"]
    load_results("t", tmp_path, verify_checkpoint=True)


def test_an_unwritable_output_is_refused_before_training(toy, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setitem(EXPERIMENTS, "toy", Experiment("toy", "toy", "0", dict(toy.defaults),
                                                       lambda ctx: calls.append(ctx) or _toy_train(ctx)))
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(OSError, match="is a file, but a folder is expected"):
        run_experiment("toy", out_dir=a_file)
    (tmp_path / "out" / "toy.json").mkdir(parents=True)
    with pytest.raises(IsADirectoryError, match="toy.json: it is a folder"):
        run_experiment("toy", out_dir=tmp_path / "out")
    assert calls == []


def test_a_weight_beyond_float16_is_stored_in_float32(toy, tmp_path):
    results = run_experiment("toy", out_dir=tmp_path, rate=1e5)  # weights up to 5e5 > 65504
    assert results["checkpoint_dtype"] == "float32"
    _, arrays = read_checkpoint(tmp_path / "toy.npz")
    assert np.isfinite(arrays[0]).all() and arrays[0].max() == 5e5


def test_resume_is_refused_for_experiments_that_cannot(toy, tmp_path):
    with pytest.raises(ValueError, match="cannot resume"):
        run_experiment("toy", out_dir=tmp_path, resume=True)


def test_source_revision_names_the_checkout_or_nothing():
    from scratchnlp.experiments.runner import provenance, source_revision

    revision = source_revision()
    assert revision is None or (len(revision.split("+")[0]) == 40 and revision.split("+")[1:] in ([], ["dirty"]))
    facts = provenance()
    assert facts["source_revision"] == revision and facts["machine"]["numpy"] == np.__version__


def test_a_diverged_evaluation_fails_and_keeps_the_existing_results(toy, tmp_path):
    run_experiment("toy", out_dir=tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(FloatingPointError, match="toy diverged: its evaluation test_perplexity is inf; nothing was "
                                                 "written and the results in .* were kept"):
        run_experiment("toy", out_dir=tmp_path, diverge=True)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


_SIGNAL_AT_COMMIT = r"""
import os, signal, sys, threading, time
import numpy as np
# Ctrl-C raises KeyboardInterrupt, as in a terminal: a shell that started the tests in the background hands its
# children SIGINT ignored, and Python then leaves it ignored
signal.signal(signal.SIGINT, signal.default_int_handler)
from scratchnlp.experiments import run_experiment
from scratchnlp.experiments.registry import EXPERIMENTS, Experiment, TrainOutput

class Toy:
    param_names = ["W"]
    def __init__(self, value):
        self.params = [np.full((3, 2), value, dtype=np.float32)]

def train(ctx):
    return TrainOutput(model=Toy(ctx.config["value"]), history={"loss": [1.0]}, metadata={})

EXPERIMENTS["toy-signal"] = Experiment("toy-signal", "toy", "0", {"value": 0.0}, train, None)
out, value, signum = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
real_replace = os.replace

def replace(src, dst):
    real_replace(src, dst)
    if str(dst).endswith(".npz"):  # the moment between the pair's two renames: a signal from another thread
        t = threading.Thread(target=os.kill, args=(os.getpid(), signum))
        t.start()
        t.join()
        time.sleep(0.05)  # let the main thread pass bytecode boundaries where a handler could run

os.replace = replace
try:
    run_experiment("toy-signal", out_dir=out, value=value)
except KeyboardInterrupt:
    print("interrupted after the commit")
    sys.exit(3)
print("not interrupted")
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_between_the_pair_s_renames_waits_until_both_are_done(tmp_path, signum):
    """SIGINT or SIGTERM at the commit moment, received by another thread, never leaves a mismatched pair."""
    script = tmp_path / "child.py"
    script.write_text(_SIGNAL_AT_COMMIT)
    out = tmp_path / "out"
    for attempt in range(4):
        value = float(attempt + 1)
        child = subprocess.run([sys.executable, str(script), str(out), str(value), str(int(signum))],
                               capture_output=True, text=True, timeout=120)
        assert child.returncode == 3, child.stdout + child.stderr  # the signal was delivered, after the commit
        results = json.loads((out / "toy-signal.json").read_text())
        assert results["checkpoint_sha256"] == sha256_file(out / "toy-signal.npz")  # the pair matches
        _, arrays = read_checkpoint(out / "toy-signal.npz")
        assert float(arrays[0][0, 0]) == value  # and it is the new pair
        assert sorted(p.name for p in out.iterdir()) == ["toy-signal.json", "toy-signal.npz"]
