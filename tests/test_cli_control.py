"""restart and re-export as a user runs them: bad input and confirmation."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from gim_export.cli import cli


def config(tmp_path: Path, connection: str = "host=127.0.0.1 port=1 dbname=gim") -> str:
    path = tmp_path / "gimexport.toml"
    path.write_text(
        '[gim-export]\noutput-directory = "out"\n'
        f'[infomart]\nconnection = "{connection}"\n',
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["restart", "--from", "2026-13-01"],
            "Error: Invalid value for --from: '2026-13-01' is not a date of the "
            "form YYYY-MM-DD or YYYY-MM-DD HH:MM:SS[+HH:MM]; --from also takes "
            "'beginning'",
        ),
        (
            ["re-export", "--since", "yesterday"],
            "Error: Invalid value for --since: 'yesterday' is not a date of the "
            "form YYYY-MM-DD or YYYY-MM-DD HH:MM:SS[+HH:MM]",
        ),
        (["re-export"], "Error: give exactly one of --since and --last"),
        (
            ["re-export", "--since", "2026-11-01", "--last", "2"],
            "Error: give exactly one of --since and --last",
        ),
    ],
    ids=["restart-date", "re-export-date", "re-export-none", "re-export-both"],
)
def test_bad_input_is_a_usage_error(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(cli, ["--config", config(tmp_path), *args])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == message
    assert not (tmp_path / "out").exists()


def test_restart_needs_yes_off_a_terminal(infomart_dsn: str, tmp_path: Path) -> None:
    path = config(tmp_path, infomart_dsn)
    result = CliRunner().invoke(
        cli, ["--config", path, "restart", "--from", "beginning"]
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: not on a terminal: pass --yes to confirm"
    )
    assert not (tmp_path / "out" / ".gim" / "state.toml").exists()

    result = CliRunner().invoke(
        cli, ["--config", path, "restart", "--from", "beginning", "--yes"]
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "restarted: generation 1 begins at 1"


def test_re_export_before_any_export_is_refused(
    infomart_dsn: str, tmp_path: Path
) -> None:
    path = config(tmp_path, infomart_dsn)
    result = CliRunner().invoke(cli, ["--config", path, "re-export", "--last", "3"])
    assert result.exit_code == 1
    assert "nothing was exported to" in result.stderr
