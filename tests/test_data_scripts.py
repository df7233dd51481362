"""Tests of data_scripts/download.py: exit codes and one-line reasons."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from test_data import (  # noqa: F401 - fixtures
    evil_archive,
    fake_mnist,
    isolated,
    serve,
)

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "data_scripts" / "download.py"


@pytest.fixture
def cli():
    spec = importlib.util.spec_from_file_location("download_cli", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_download_verify_pack_unpack(
    cli, file_server, monkeypatch, fake_mnist, tmp_path, capsys
):
    _, files = fake_mnist
    serve(file_server, monkeypatch, "mnist", files)
    assert cli(["mnist", "--dir", str(tmp_path / "d")]) == 0
    assert "ok: export COURSE_DATA_DIR=" in capsys.readouterr().out
    assert cli(["--verify", "mnist", "--dir", str(tmp_path / "d")]) == 0
    pack = tmp_path / "pack.tar.gz"
    assert cli(["--pack", str(pack), "--dir", str(tmp_path / "d")]) == 0
    assert cli(["--unpack", str(pack), "--dir", str(tmp_path / "e")]) == 0
    assert "unpacked and verified 4 files" in capsys.readouterr().out


def test_failures_exit_non_zero_with_one_line(
    cli, file_server, monkeypatch, fake_mnist, tmp_path, capsys
):
    _, files = fake_mnist
    first = next(iter(files))
    serve(
        file_server, monkeypatch, "mnist", {**files, first: files[first][:-3] + b"abc"}
    )
    assert cli(["mnist", "--dir", str(tmp_path / "d")]) == 1
    err = capsys.readouterr().err.split("\r")[-1]  # after the progress bar's redraws
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "SHA-256" in err and first in err
    assert cli(["--verify", "cifar10", "--dir", str(tmp_path / "empty")]) == 1
    assert "cifar10 was not found" in capsys.readouterr().err


def test_unknown_dataset_is_a_usage_error(cli):
    with pytest.raises(SystemExit) as exit_info:
        cli(["imagenet", "--dir", "x"])
    assert exit_info.value.code == 2


def test_runs_as_a_script_without_installing():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
    )
    assert result.returncode == 0 and "--pack" in result.stdout


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.split("\r")[-1]  # after the progress bar's redraws
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    return lines[0]


def test_unpack_refusal_names_dir_and_keeps_it(cli, tmp_path, capsys):
    target = tmp_path / "d"
    (target / "mnist").mkdir(parents=True)
    (target / "mnist" / "mine.txt").write_text("mine")
    archive = tmp_path / "evil.tar.gz"
    archive.write_bytes(evil_archive("dotdot"))
    assert cli(["--unpack", str(archive), "--dir", str(target)]) == 1
    line = one_line_error(capsys)
    assert f"outside {target}." in line and ".part" not in line
    assert (target / "mnist" / "mine.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d", "evil.tar.gz"]


def test_pack_of_an_empty_dir_says_how_to_fill_it(cli, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    pack = tmp_path / "p.tar.gz"
    assert cli(["--pack", str(pack), "--dir", str(tmp_path / "empty")]) == 1
    line = one_line_error(capsys)
    assert f"download.py mnist cifar10 --dir {tmp_path / 'empty'}" in line
    assert "mnist or cifar10" not in line and not pack.exists()


def test_a_bad_mirror_only_setting_is_one_line(cli, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("COURSE_DATA_MIRROR", "http://127.0.0.1:9")
    monkeypatch.setenv("COURSE_DATA_MIRROR_ONLY", "maybe")
    assert cli(["mnist", "--dir", str(tmp_path / "d")]) == 1
    assert "COURSE_DATA_MIRROR_ONLY='maybe'" in one_line_error(capsys)
