"""The sending side's commands as a user runs them: exit codes and messages."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from gim_export import db
from gim_export.cli import cli
from tests.conftest import Server


def config_file(tmp_path: Path, connection: str, extra: str = "") -> Path:
    path = tmp_path / "gimexport.toml"
    path.write_text(
        "[gim-export]\n"
        'output-directory = "out"\n'
        "retry-delay-seconds = 0\n"
        "max-retries = 1\n"
        f"{extra}"
        f"[infomart]\nconnection = {connection!r}\n",
        encoding="utf-8",
    )
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_unknown_option_is_a_usage_error_naming_the_key(tmp_path: Path) -> None:
    path = config_file(tmp_path, "dbname=gim", extra="chunk-seconds = 60\n")
    code, out, err = run("--config", str(path), "export")
    assert code == 2
    assert err == "Error: unknown option 'chunk-seconds' in [gim-export]\n"
    assert not (tmp_path / "out").exists()


def test_missing_config_file_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("--config", str(tmp_path / "none.toml"), "export")
    assert code == 2
    assert err.startswith("Error: configuration file ")
    assert err.count("\n") == 1


def test_unreachable_database_fails_without_writing_anything(tmp_path: Path) -> None:
    connection = "host=127.0.0.1 port=1 dbname=gim user=gim password=s3cr3t-pw"
    path = config_file(tmp_path, connection)
    code, _, err = run("--config", str(path), "-q", "export")
    assert code == 1
    assert err == (
        "Error: cannot connect to 'dbname=gim host=127.0.0.1 port=1 user=gim': "
        "Connection refused\n"
    )
    assert "s3cr3t-pw" not in err
    output = tmp_path / "out"
    assert [p.name for p in output.iterdir()] == [".gim"]
    assert not (output / ".gim" / "state.toml").exists()


def test_init_writes_a_config_that_loads_and_refuses_to_overwrite(
    tmp_path: Path,
) -> None:
    path = tmp_path / "gimexport.toml"
    code, out, _ = run("--config", str(path), "init", "--connection", "service=gim")
    assert (code, out) == (0, f"wrote {path}\n")
    assert 'connection = "service=gim"' in path.read_text()
    code, _, err = run("--config", str(path), "init")
    assert code == 2
    assert "exists; pass --force" in err


def _commands(group: click.Group) -> list[str]:
    return sorted(group.commands)


@pytest.mark.parametrize("command", _commands(cli))
def test_commands_have_help(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    assert cli.commands[command].help
    assert "Example:" in out


def test_if_scheduled_does_nothing_while_run_export_is_false(tmp_path: Path) -> None:
    path = config_file(tmp_path, "host=127.0.0.1 port=1 dbname=gim")
    code, out, err = run("--config", str(path), "export", "--if-scheduled")
    assert (code, out, err) == (0, "", "")
    assert not (tmp_path / "out").exists()


def test_if_scheduled_exports_when_due(tmp_path: Path) -> None:
    path = config_file(tmp_path, "host=127.0.0.1 port=1 dbname=gim")
    path.write_text(
        '[schedule]\nrun-export = true\nexport-schedule = "* *"\n' + path.read_text()
    )
    code, _, err = run("--config", str(path), "-q", "export", "--if-scheduled")
    assert code == 1
    assert "cannot connect" in err
    assert (tmp_path / "out" / ".gim" / "schedule-last-run").exists()


def test_missing_database_is_not_retried(pg_server: Server, tmp_path: Path) -> None:
    connection = pg_server.dsn("gimtest_no_such_db")
    path = tmp_path / "gimexport.toml"
    path.write_text(
        '[gim-export]\noutput-directory = "out"\nretry-delay-seconds = 30\n'
        f"[infomart]\nconnection = {connection!r}\n",
        encoding="utf-8",
    )
    code, _, err = run("--config", str(path), "export")
    assert code == 1
    assert err.splitlines() == [
        f"Error: cannot connect to {db.describe(connection)!r}: FATAL: database "
        '"gimtest_no_such_db" does not exist'
    ]


@pytest.mark.parametrize(
    ("connection", "reason"),
    [
        (
            "host=127.0.0.1 port=abc",
            'invalid integer value "abc" for connection option "port"',
        ),
        ("host=127.0.0.1 sslmode=bogus", 'invalid sslmode value: "bogus"'),
        ("host=127.0.0.1 connect_timeout=x", "bad value for connect_timeout: 'x'"),
    ],
    ids=["port", "sslmode", "connect_timeout"],
)
def test_malformed_connection_options_are_configuration_errors(
    tmp_path: Path, connection: str, reason: str
) -> None:
    path = tmp_path / "gimexport.toml"
    path.write_text(
        '[gim-export]\noutput-directory = "out"\nretry-delay-seconds = 30\n'
        f"max-retries = 1\n[infomart]\nconnection = {connection!r}\n",
        encoding="utf-8",
    )
    code, _, err = run("--config", str(path), "export")
    assert code == 2
    assert err.splitlines() == [
        f"Error: cannot connect to {db.describe(connection)!r}: {reason}"
    ]
    assert not list((tmp_path / "out").glob("export_*"))


def test_a_bad_schedule_stops_every_command(tmp_path: Path) -> None:
    path = tmp_path / "gimexport.toml"
    path.write_text(
        '[schedule]\nrun-export = false\nexport-schedule = "20 0/8 *"\n'
        '[gim-export]\noutput-directory = "out"\n'
        '[infomart]\nconnection = "host=127.0.0.1 port=1"\n',
        encoding="utf-8",
    )
    for command in ("export", "status"):
        code, _, err = run("--config", str(path), command)
        assert (code, err) == (
            2,
            "Error: export-schedule '20 0/8 *' has 3 fields; give two, minutes "
            "and hours, such as '20 0/8'\n",
        )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("codec", ["base64", "rot13", "idna", "undefined"])
def test_non_text_encodings_are_refused(tmp_path: Path, codec: str) -> None:
    path = config_file(
        tmp_path, "dbname=gim", extra=f'output-files-encoding = "{codec}"\n'
    )
    code, _, err = run("--config", str(path), "export")
    assert code == 2
    assert err == (
        f"Error: [gim-export] output-files-encoding {codec!r} is not a text encoding\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch"], "Error: No such command 'nosuch'."),
        (["restart"], "Error: Missing option '--from'."),
        (["export", "--bogus"], "Error: No such option '--bogus'."),
    ],
    ids=["command", "missing-option", "unknown-option"],
)
def test_usage_errors_are_one_line(args: list[str], message: str) -> None:
    code, out, err = run(*args)
    assert (code, out, err) == (2, "", message + "\n")
