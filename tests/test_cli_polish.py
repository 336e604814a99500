"""``siamrpn --version`` and "did you mean" for unknown subcommands and options."""
from __future__ import annotations

import importlib.metadata

import pytest

from integration.cli import main


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"siamrpn {importlib.metadata.version('siamrpn-bench')}"


def test_unknown_subcommand_suggests_the_close_one(capsys):
    assert main(["analyse"]) == 2
    assert "did you mean 'analyze'?" in capsys.readouterr().err
    assert main(["zzz"]) == 2
    assert "did you mean" not in capsys.readouterr().err


def test_unknown_option_suggests_the_close_one(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["tune", "--dataset", "x", "--out", "y", "--trails", "3"])
    assert exc.value.code == 2
    assert "did you mean '--trials'?" in capsys.readouterr().err
