"""Tests of the `scratchnlp` command through cli.main(); no network (a file:// mirror in tmp_path)."""

from __future__ import annotations

import hashlib
import socket

import pytest

from scratchnlp import cli
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
    registry = {"toy": {"a.txt": dl.RemoteFile(closed_port_url(), hashlib.sha256(CONTENT).hexdigest())}}
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
    (tmp_path / "mirror" / "toy" / "a.txt").write_bytes(b"corrupt")
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
