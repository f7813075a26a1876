"""Tests of the `scratchnlp` command through cli.main(); no network (a file:// mirror in tmp_path)."""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from scratchnlp import _io, cli
from scratchnlp.checkpoint import save_params
from scratchnlp.datasets import downloader as dl

CONTENT = b"42+7   _49  \n"


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A registry with one dataset 'toy' whose only source is a file:// mirror in tmp_path."""
    mirror = tmp_path / "mirror"
    (mirror / "toy").mkdir(parents=True)
    (mirror / "toy" / "a.txt").write_bytes(CONTENT)
    registry = {"toy": {"a.txt": dl.RemoteFile(closed_port_url(), hashlib.sha256(CONTENT).hexdigest(), len(CONTENT))}}
    monkeypatch.setattr(dl, "REGISTRY", registry)
    monkeypatch.setattr(dl, "_verified", set())
    monkeypatch.setenv("SCRATCHNLP_DATA", str(tmp_path / "cache"))
    monkeypatch.setenv("SCRATCHNLP_MIRROR", mirror.as_uri())
    return tmp_path / "cache"


def one_error_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert lines[0].startswith("scratchnlp: error: ")
    return lines[0]


def test_download_prints_the_cached_paths(toy, capsys):
    assert cli.main(["download", "toy", "--no-progress"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == str(toy / "toy" / "a.txt")
    assert (toy / "toy" / "a.txt").read_bytes() == CONTENT
    assert str(toy) in err


def test_download_all_and_progress_flag(toy, capsys):
    assert cli.main(["download", "all", "--progress"]) == 0
    out, err = capsys.readouterr()
    assert out.strip().endswith("a.txt")
    assert "a.txt" in err  # the progress bar, forced on although stderr is not a terminal


def test_unknown_dataset_is_a_usage_error(toy, capsys):
    assert cli.main(["download", "toy", "nope"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "unknown dataset 'nope'" in line and "toy" in line


def test_offline_is_exit_1_with_one_line(toy, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SCRATCHNLP_MIRROR", (tmp_path / "nowhere").as_uri())
    assert cli.main(["download", "toy"]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert "toy/a.txt" in line and "SCRATCHNLP_MIRROR" in line


def test_checksum_error_is_exit_1(toy, tmp_path, capsys):
    (tmp_path / "mirror" / "toy" / "a.txt").write_bytes(CONTENT.replace(b"4", b"5"))  # same size, other bytes
    assert cli.main(["download", "toy"]) == 1
    assert "checksum mismatch" in one_error_line(capsys.readouterr().err)
    assert not (toy / "toy" / "a.txt").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "a command is required"),
        (["download"], "the following arguments are required"),
        (["fly"], "invalid choice"),
        (["download", "toy", "--progress", "--no-progress"], "not allowed with argument"),
    ],
)
def test_usage_errors_exit_2_with_one_line(toy, capsys, argv, message):
    assert cli.main(argv) == 2
    assert message in one_error_line(capsys.readouterr().err)


def test_help_and_version(capsys):
    assert cli.main(["--help"]) == 0
    assert "download" in capsys.readouterr().out
    assert cli.main(["download", "--help"]) == 0
    assert "ptb" in capsys.readouterr().out
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("scratchnlp ")


def test_parser_dispatches_to_the_command():
    args = cli.build_parser().parse_args(["download", "ptb", "analogy"])
    assert args.command == "download" and args.names == ["ptb", "analogy"]
    assert args.run is cli.COMMANDS["download"].run
    assert args.progress is None


# ---------------------------------------------------------------------------------------------------------
# one exit-status convention; one line per error, never a traceback
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "nosuch"], "unknown experiment 'nosuch'; choose from cbow-ptb"),
        (["download", "nosuch"], "unknown dataset 'nosuch'"),
        (["run", "cbow-ptb", "--epochs", "0"], "--epochs must be >= 1"),
        (["run", "cbow-ptb", "--seed", "-1", "--out", "never-made"], "--seed must be >= 0, got -1"),
        (["run", "cbow-ptb", "--bogus"], "unrecognized arguments: --bogus"),
        (["similar", "you", "--vectors", "x.npz", "--top", "0"], "--top must be >= 1"),
    ],
)
def test_usage_errors_all_exit_2(toy, tmp_path, capsys, argv, message, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 2
    assert message in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "never-made").exists()  # refused before any folder is made


def test_run_out_naming_a_file_fails_before_training(tmp_path, monkeypatch, capsys):
    import scratchnlp.experiments as experiments

    def must_not_train(*args, **kwargs):
        raise AssertionError("training started although --out is a file")

    monkeypatch.setattr(experiments, "run_experiment", must_not_train)
    out = tmp_path / "results.json"
    out.write_text("{}")
    assert cli.main(["run", "cbow-ptb", "--out", str(out)]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert f"--out folder {out} is a file, but a folder is expected" in line
    assert "File exists" not in line
    assert out.read_text() == "{}"


def _vectors(path, W, vocabulary):
    return save_params(path, [W], allow_nonfinite=True,
                       metadata={"vocabulary": vocabulary, "word_vecs": "params[0]"})


def test_similar_prints_neighbours(tmp_path, capsys):
    W = np.array([[1, 0], [0.9, 0.1], [0, 1]], dtype=np.float32)
    path = _vectors(tmp_path / "v.npz", W, ["cat", "dog", "car"])
    assert cli.main(["similar", "cat", "--vectors", str(path), "--top", "1"]) == 0
    assert capsys.readouterr().out.splitlines() == ["[query] cat", "  dog: 0.994"]


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_similar_on_nonfinite_vectors_is_an_error(tmp_path, capsys, bad):
    W = np.array([[1, 0], [bad, 0.1], [0, 1]], dtype=np.float32)
    path = _vectors(tmp_path / "v.npz", W, ["cat", "dog", "car"])
    assert cli.main(["similar", "cat", "--vectors", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "word vectors contain NaN/inf" in one_error_line(err)
    assert out == ""


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("just text\n"), "is not a scratchnlp checkpoint: it is a text file"),
        (lambda p: None, "does not exist"),
    ],
)
def test_similar_on_files_that_are_not_checkpoints(tmp_path, capsys, make, message):
    path = tmp_path / "v.npz"
    make(path)  # (a folder is a usage error, exit 2: test_a_folder_as_the_model_or_vectors_is_a_usage_error)
    assert cli.main(["similar", "cat", "--vectors", str(path)]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert message in line and "allow_pickle" not in line


def test_unknown_query_word_is_one_line(tmp_path, capsys):
    path = _vectors(tmp_path / "v.npz", np.eye(3, dtype=np.float32), ["cat", "dog", "car"])
    assert cli.main(["similar", "cta", "--vectors", str(path)]) == 1
    assert "query 'cta' is not in the vocabulary; closest entries: 'cat'" in one_error_line(capsys.readouterr().err)


def test_disk_full_names_the_path(toy, monkeypatch, capsys):
    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_io.os, "fsync", full)
    assert cli.main(["download", "toy", "--no-progress"]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert f"cannot write {toy / 'toy' / 'a.txt'}: No space left on device" in line
    assert "[Errno" not in line


def test_bad_mirror_is_one_line(toy, monkeypatch, capsys):
    monkeypatch.setenv("SCRATCHNLP_MIRROR", "http://[::1")
    assert cli.main(["download", "toy"]) == 1
    assert "SCRATCHNLP_MIRROR must be" in one_error_line(capsys.readouterr().err)


@pytest.fixture
def command(monkeypatch):
    """Register a throw-away command 'boom' whose behaviour a test sets."""

    def install(run):
        monkeypatch.setitem(cli.COMMANDS, "boom", cli.Command("test command", lambda parser: None, run))

    return install


@pytest.mark.parametrize(
    ("exc", "status", "message"),
    [
        (OSError(errno.EACCES, "Permission denied", "/x/y"), 1, "Permission denied: /x/y"),
        (MemoryError(), 1, "out of memory"),
        (RuntimeError("bug"), 1, "internal error: RuntimeError: bug (please report this)"),
        (KeyError("k"), 1, "KeyError: 'k'"),
        (ValueError("two\nlines"), 1, "two lines"),
        (KeyboardInterrupt(), 130, "interrupted"),
        (_io.Terminated(), 143, "terminated (SIGTERM)"),
    ],
)
def test_every_error_is_one_line(command, capsys, exc, status, message):
    def run(args):
        raise exc

    command(run)
    assert cli.main(["boom"]) == status
    out, err = capsys.readouterr()
    assert message in one_error_line(err)
    assert "Traceback" not in err and out == ""


def test_broken_pipe_in_process_is_quiet(command, capsys):
    def run(args):
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    command(run)
    assert cli.main(["boom"]) == 141
    assert capsys.readouterr().err == ""


SPAM = textwrap.dedent(
    """
    import sys, time
    from scratchnlp import cli

    def spam(args):
        for i in range(200_000):
            print("line", i)
        return 0

    def wait(args):
        print("ready", flush=True)
        time.sleep(60)
        return 0

    cli.COMMANDS["spam"] = cli.Command("spam", lambda p: None, spam)
    cli.COMMANDS["wait"] = cli.Command("wait", lambda p: None, wait)
    sys.exit(cli.main(sys.argv[1:]))
    """
)


def test_output_piped_into_head_stops_quietly():
    proc = subprocess.Popen([sys.executable, "-c", SPAM, "spam"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline() == b"line 0\n"
    proc.stdout.close()  # what `| head -1` does
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141
    assert err == b""


def test_sigterm_is_one_line_and_exit_143():
    proc = subprocess.Popen([sys.executable, "-c", SPAM, "wait"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline() == b"ready\n"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 143
    assert err.decode().strip().splitlines() == ["scratchnlp: error: terminated (SIGTERM)"]


# ---------------------------------------------------------------------------------------------------------
# run --resume
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def fake_run(tmp_path, monkeypatch):
    """A resumable experiment 'toy-resumable' and a run_experiment that records its arguments."""
    import dataclasses

    import scratchnlp.experiments as experiments

    base = experiments.EXPERIMENTS["cbow-ptb"]
    monkeypatch.setitem(experiments.EXPERIMENTS, "toy-resumable",
                        dataclasses.replace(base, name="toy-resumable", resumable=True))
    calls = []

    def run_experiment(name, **kwargs):
        calls.append((name, kwargs))
        return {"experiment": name, "description": "toy", "paths": {"results": str(tmp_path / f"{name}.json")}}

    monkeypatch.setattr(experiments, "run_experiment", run_experiment)
    monkeypatch.setattr(experiments, "summarize", lambda results: f"{results['experiment']}: done")
    return calls


def test_run_resume_is_passed_to_the_runner(fake_run, tmp_path, capsys):
    assert cli.main(["run", "toy-resumable", "--resume", "--out", str(tmp_path)]) == 0
    assert fake_run == [("toy-resumable", {"out_dir": str(tmp_path), "epochs": None, "progress": None, "seed": 0,
                                           "resume": True, "snapshot": False})]
    assert "toy-resumable: done" in capsys.readouterr().out
    assert cli.main(["run", "toy-resumable", "--out", str(tmp_path)]) == 0
    assert fake_run[-1][1]["resume"] is False


def test_run_snapshot_is_passed_to_the_runner(fake_run, tmp_path):
    assert cli.main(["run", "toy-resumable", "--snapshot", "--out", str(tmp_path)]) == 0
    assert fake_run[-1][1]["snapshot"] is True and fake_run[-1][1]["resume"] is False


def test_run_snapshot_on_an_experiment_that_cannot_is_a_usage_error(fake_run, tmp_path, capsys):
    assert cli.main(["run", "cbow-ptb", "--snapshot", "--out", str(tmp_path)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "experiment 'cbow-ptb' cannot snapshot (--snapshot); resumable: " in line
    assert fake_run == []


def test_run_snapshot_without_a_state_file_is_one_error_line(tmp_path, capsys):
    assert cli.main(["run", "better-rnnlm-ptb", "--snapshot", "--out", str(tmp_path)]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert "nothing to snapshot: there is no state file" in line and "better-rnnlm-ptb.state.npz" in line
    assert list(tmp_path.iterdir()) == []


def test_run_resume_on_an_experiment_that_cannot_is_a_usage_error(fake_run, tmp_path, capsys):
    assert cli.main(["run", "cbow-ptb", "--resume", "--out", str(tmp_path)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "experiment 'cbow-ptb' cannot resume (--resume); resumable: " in line and "toy-resumable" in line
    assert fake_run == []


# ---------------------------------------------------------------------------------------------------------
# convert-book-weights
# ---------------------------------------------------------------------------------------------------------


def _book_pickle(path, arrays):
    import pickle

    path.write_bytes(pickle.dumps(arrays, protocol=3))  # what the book's BaseModel.save_params writes
    return path


@pytest.fixture
def book_file(tmp_path):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float16) for s in ((7, 4), (4, 16), (16,))]
    return _book_pickle(tmp_path / "Rnnlm.pkl", arrays), arrays


def test_convert_book_weights_writes_a_checkpoint(book_file, tmp_path, capsys):
    from scratchnlp.checkpoint import read_checkpoint

    source, arrays = book_file
    out = tmp_path / "rnnlm.npz"
    assert cli.main(["convert-book-weights", str(source), "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out} (3 arrays, float16)"
    header, back = read_checkpoint(out)
    assert [e["name"] for e in header["params"]] == ["params[0]", "params[1]", "params[2]"]
    for a, b in zip(back, arrays):
        assert a.dtype == np.float16
        np.testing.assert_array_equal(a, b)
    assert header["metadata"]["converted_from"] == "Rnnlm.pkl"
    assert header["metadata"]["source_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert sorted(os.listdir(tmp_path)) == ["Rnnlm.pkl", "rnnlm.npz"]  # no temporary file left


def test_convert_book_weights_default_output_in_the_current_folder(book_file, tmp_path, monkeypatch, capsys):
    source, _ = book_file
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert cli.main(["convert-book-weights", str(source)]) == 0
    assert (work / "Rnnlm.npz").is_file()
    assert cli.main(["convert-book-weights", str(work / "Rnnlm.npz")]) == 2
    assert "already ends in .npz; name the output with -o" in one_error_line(capsys.readouterr().err)


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_convert_refuses_a_hostile_pickle_and_writes_nothing(tmp_path, capsys):
    marker = tmp_path / "pwned"
    source = _book_pickle(tmp_path / "evil.pkl", [np.zeros(2, np.float16), _Evil(marker)])
    out = tmp_path / "out.npz"
    out.write_bytes(b"old")
    assert cli.main(["convert-book-weights", str(source), "-o", str(out)]) == 1
    out_text, err = capsys.readouterr()
    line = one_error_line(err)
    assert f"refusing to load {source}: it references the global" in line and "system" in line
    assert out_text == "" and out.read_bytes() == b"old" and not marker.exists()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "does not exist"),
        (lambda p: p.write_bytes(b"\x80\x03]q\x00(cnumpy"), "not a readable pickle (truncated or corrupted)"),
        (lambda p: _book_pickle(p, {"W": np.zeros(2)}), "expected a list of NumPy arrays"),
    ],
)
def test_convert_bad_sources_are_one_line_exit_1(tmp_path, capsys, make, message):
    source = tmp_path / "w.pkl"
    make(source)
    assert cli.main(["convert-book-weights", str(source), "-o", str(tmp_path / "out.npz")]) == 1
    assert message in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "out.npz").exists()


def test_convert_into_a_missing_folder_names_it(book_file, tmp_path, capsys):
    source, _ = book_file
    out = tmp_path / "missing" / "w.npz"
    assert cli.main(["convert-book-weights", str(source), "-o", str(out)]) == 1
    assert str(out) in one_error_line(capsys.readouterr().err)


def test_convert_nonfinite_weights_only_when_allowed(tmp_path, capsys):
    source = _book_pickle(tmp_path / "w.pkl", [np.array([1.0, np.inf], np.float16)])
    out = tmp_path / "w.npz"
    assert cli.main(["convert-book-weights", str(source), "-o", str(out)]) == 1
    assert "NaN/inf" in one_error_line(capsys.readouterr().err)
    assert not out.exists()
    assert cli.main(["convert-book-weights", str(source), "-o", str(out), "--allow-nonfinite"]) == 0


def test_convert_the_books_published_file(tmp_path, capsys):
    from scratchnlp.checkpoint import read_checkpoint
    from scratchnlp.datasets import DatasetUnavailableError, fetch

    try:
        source = fetch("book-weights", "AttentionSeq2seq.pkl", progress=False)
    except DatasetUnavailableError as exc:
        if os.environ.get("SCRATCHNLP_REQUIRE_DATA"):
            pytest.fail(f"the book's weights are required (SCRATCHNLP_REQUIRE_DATA) but unavailable: {exc}")
        pytest.skip(f"book weights unavailable (set SCRATCHNLP_MIRROR): {exc}")
    out = tmp_path / "AttentionSeq2seq.npz"
    assert cli.main(["convert-book-weights", str(source), "-o", str(out)]) == 0
    _, arrays = read_checkpoint(out)
    assert [a.shape for a in arrays][:2] == [(59, 16), (16, 1024)] and len(arrays) == 10


# ---------------------------------------------------------------------------------------------------------
# generate --model FILE.npz --start WORD --length N
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def lm_file(tmp_path):
    from scratchnlp.models import Rnnlm

    words = ["you", "are", "the", "N", "<unk>", "$", "<eos>", "best", "of", "all"]
    model = Rnnlm(len(words), 6, 8, seed=0)
    rng = np.random.default_rng(0)
    for p in model.params:
        p[...] = rng.standard_normal(p.shape)
    path = tmp_path / "lm.npz"
    save_params(path, model, metadata={"vocabulary": words})
    return path


def test_generate_prints_text_repeatably_with_a_seed(lm_file, capsys):
    argv = ["generate", "--model", str(lm_file), "--start", "you", "--length", "30", "--seed", "3"]
    assert cli.main(argv) == 0
    first = capsys.readouterr().out
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == first
    words = first.replace(".\n", " <eos> ").split()
    assert words[0] == "you" and len(words) == 30
    assert not {"N", "<unk>", "$"} & set(words)  # the book's skip words by default
    assert cli.main(argv[:-1] + ["4"]) == 0
    assert capsys.readouterr().out != first


def test_generate_options(lm_file, capsys):
    base = ["generate", "--model", str(lm_file), "--start", "the", "--length", "20"]
    assert cli.main(base + ["--temperature", "0"]) == 0
    greedy = capsys.readouterr().out
    assert cli.main(base + ["--top-k", "1", "--seed", "9"]) == 0
    assert capsys.readouterr().out == greedy
    assert cli.main(base + ["--skip", "are", "--skip", "best", "--seed", "1"]) == 0
    words = capsys.readouterr().out.split()
    assert "are" not in words[1:] and "best" not in words[1:]
    assert cli.main(base + ["--skip", "", "--temperature", "2", "--seed", "1"]) == 0


@pytest.mark.parametrize(("extra", "status", "message"), [
    (["--start", "zebra"], 1, "start word 'zebra' is not in the vocabulary"),
    (["--start", "you", "--length", "0"], 2, "--length must be >= 1"),
    (["--start", "you", "--temperature", "-1"], 2, "--temperature must be a finite number >= 0"),
    (["--start", "you", "--top-k", "0"], 2, "--top-k must be >= 1"),
    (["--start", "you", "--skip", "zebra"], 1, "--skip word 'zebra' is not in the vocabulary"),
])
def test_generate_bad_arguments_are_one_line(lm_file, capsys, extra, status, message):
    assert cli.main(["generate", "--model", str(lm_file)] + extra) == status
    assert message in one_error_line(capsys.readouterr().err)


def test_generate_with_a_model_of_another_architecture_is_one_line(tmp_path, capsys):
    from scratchnlp.models import Seq2seq

    path = tmp_path / "s2s.npz"
    save_params(path, Seq2seq(5, 3, 4), metadata={"vocabulary": list("abcde")})
    assert cli.main(["generate", "--model", str(path), "--start", "a"]) == 1
    assert "not an Rnnlm or BetterRnnlm language model" in one_error_line(capsys.readouterr().err)
    assert cli.main(["generate", "--model", str(tmp_path / "missing.npz"), "--start", "a"]) == 1
    assert "missing.npz" in one_error_line(capsys.readouterr().err)


def test_run_over_an_interrupted_run_s_state_keeps_it(tmp_path, capsys):
    state = tmp_path / "better-rnnlm-ptb.state.npz"
    state.write_bytes(b"hours of training")
    assert cli.main(["run", "better-rnnlm-ptb", "--out", str(tmp_path)]) == 1
    assert "continue it with --resume, or remove that file" in one_error_line(capsys.readouterr().err)
    assert state.read_bytes() == b"hours of training"
    state.unlink()
    state.mkdir()  # a folder where the state file should be: a usage error, found before any work
    assert cli.main(["run", "better-rnnlm-ptb", "--resume", "--out", str(tmp_path)]) == 2
    assert "where the run keeps its resume state file, is a folder" in one_error_line(capsys.readouterr().err)


def test_convert_a_folder_is_a_usage_error_that_names_the_files_in_it(tmp_path, capsys):
    folder = tmp_path / "book-weights"
    folder.mkdir()
    assert cli.main(["convert-book-weights", str(folder), "-o", str(tmp_path / "out.npz")]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert f"FILE.pkl {folder} is a folder; give the path of the file itself, e.g. {folder}/FILE.pkl" in line
    assert ".npz" not in line
    _book_pickle(folder / "Rnnlm.pkl", [np.zeros(2, np.float16)])
    assert cli.main(["convert-book-weights", str(folder), "-o", str(tmp_path / "out.npz")]) == 2
    assert f"(it holds Rnnlm.pkl); give the path of the file itself, e.g. {folder / 'Rnnlm.pkl'}" in (
        one_error_line(capsys.readouterr().err))
    assert not (tmp_path / "out.npz").exists()


def test_convert_into_a_folder_is_a_usage_error(book_file, tmp_path, capsys):
    source, _ = book_file
    assert cli.main(["convert-book-weights", str(source), "-o", str(tmp_path)]) == 2
    assert f"-o {tmp_path} is a folder; name the .npz file to write" in one_error_line(capsys.readouterr().err)


def test_convert_a_damaged_copy_of_the_published_file_only_with_no_verify(tmp_path, capsys):
    from scratchnlp.datasets import DatasetUnavailableError, fetch

    try:
        source = fetch("book-weights", "AttentionSeq2seq.pkl", progress=False)
    except DatasetUnavailableError as exc:
        if os.environ.get("SCRATCHNLP_REQUIRE_DATA"):
            pytest.fail(f"the book's weights are required (SCRATCHNLP_REQUIRE_DATA) but unavailable: {exc}")
        pytest.skip(f"book weights unavailable (set SCRATCHNLP_MIRROR): {exc}")
    data = bytearray(source.read_bytes())
    data[len(data) // 2] ^= 0x10
    damaged = tmp_path / "renamed.pkl"
    damaged.write_bytes(bytes(data))
    out = tmp_path / "w.npz"
    assert cli.main(["convert-book-weights", str(damaged), "-o", str(out)]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert "is damaged or modified" in line and "published AttentionSeq2seq.pkl" in line and "--no-verify" in line
    assert not out.exists()
    assert cli.main(["convert-book-weights", str(damaged), "-o", str(out), "--no-verify"]) == 0
    assert out.exists()


def test_gpu_without_cupy_is_a_one_line_error_not_an_internal_one(monkeypatch, capsys):
    from scratchnlp import backend
    from scratchnlp._checks import DeviceUnavailableError

    def no_gpu(*args, **kwargs):
        raise DeviceUnavailableError("GPU requested but CuPy is not installed; install it or use the CPU")

    monkeypatch.setattr(backend, "_import_cupy", no_gpu)
    monkeypatch.setattr("scratchnlp.experiments.list_experiments", lambda: backend.set_device("gpu") or [])
    assert cli.main(["experiments"]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert line == "scratchnlp: error: GPU requested but CuPy is not installed; install it or use the CPU"


def test_gpu_requested_by_the_environment_without_cupy_exits_1_in_one_line(tmp_path):
    import importlib.util

    if importlib.util.find_spec("cupy") is not None:
        pytest.skip("CuPy installed: the GPU may exist")
    env = {**os.environ, "SCRATCHNLP_DEVICE": "gpu"}
    proc = subprocess.run([sys.executable, "-m", "scratchnlp.cli", "run", "cbow-ptb", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1
    line = one_error_line(proc.stderr)
    assert "CuPy is not installed" in line and "internal error" not in line


@pytest.mark.parametrize("role, filename", [("resume state file", "toy-resumable.state.npz"),
                                            ("checkpoint", "toy-resumable.npz"),
                                            ("results file", "toy-resumable.json")])
@pytest.mark.parametrize("resume", [True, False])
def test_run_with_a_folder_where_it_writes_a_file_is_a_usage_error_before_any_work(fake_run, tmp_path, capsys,
                                                                                    role, filename, resume):
    (tmp_path / filename).mkdir()
    argv = ["run", "toy-resumable", "--out", str(tmp_path)] + (["--resume"] if resume else [])
    assert cli.main(argv) == 2
    line = one_error_line(capsys.readouterr().err)
    assert f"{tmp_path / filename}, where the run keeps its {role}, is a folder; remove it or choose another --out" in (
        line)
    assert fake_run == []  # the runner (and so training) never started


@pytest.mark.parametrize("argv", [["generate", "--start", "you", "--model"], ["similar", "you", "--vectors"]])
def test_a_folder_as_the_model_or_vectors_is_a_usage_error(tmp_path, capsys, argv):
    save_params(tmp_path / "lm.npz", [np.zeros(2)])
    assert cli.main([*argv, str(tmp_path)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert f"{argv[-1]} {tmp_path} is a folder (it holds lm.npz); give the path of the file itself, e.g. " \
        f"{tmp_path / 'lm.npz'}" in line
