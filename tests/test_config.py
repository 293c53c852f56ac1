"""The configuration file: defaults, checks and messages that name the key."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from gim_export.config import load_settings, parse_start_date
from gim_export.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gimexport.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_file_gets_the_original_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[infomart]\nconnection = "dbname=gim"\n'))
    assert settings.export_schedule == "20 0/8"
    assert settings.run_export is False
    assert settings.chunk_size_seconds == 86400
    assert settings.output_files_encoding == "utf8"
    assert (settings.max_retries, settings.retry_delay_seconds) == (3, 30)
    assert settings.days_to_keep_output_files == 14
    assert settings.output_directory == Path("output")


def test_relative_output_directory_follows_the_config_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[gim-export]\noutput-directory = "exports"\n'
        '[infomart]\nconnection = "dbname=gim"\n',
    )
    assert load_settings(path).output_directory == tmp_path / "exports"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[gim-export]\nchunk-size = 5\n",
            "unknown option 'chunk-size' in [gim-export]",
        ),
        ("[gimexport]\n", "unknown section [gimexport]"),
        (
            "[gim-export]\nchunk-size-seconds = 90000\n",
            "[gim-export] chunk-size-seconds must be from 1 to 86400, not 90000",
        ),
        (
            '[gim-export]\nmax-retries = "3"\n',
            "[gim-export] max-retries must be an integer, not '3'",
        ),
        (
            '[gim-export]\noutput-files-encoding = "utf-99"\n',
            "[gim-export] output-files-encoding 'utf-99' is not a known encoding",
        ),
        (
            '[gim-export]\nstart-date = "2026-02-30"\n',
            "[gim-export] start-date: '2026-02-30' is not a date of the form "
            "YYYY-MM-DD or YYYY-MM-DD HH:MM:SS[+HH:MM]",
        ),
        ("[schedule]\nrun-export = 1\n", "[schedule] run-export must be true or false"),
        (
            "[gim-export]\nmax-retries = true\n",
            "[gim-export] max-retries must be an integer, not true",
        ),
        (
            '[schedule]\ntime-zone = "Europe/Berln"\n',
            "[schedule] time-zone 'Europe/Berln' is not a time zone of the IANA "
            "database, such as 'Europe/Berlin' or 'UTC'",
        ),
        ("[schedule]\ntime-zone = 1\n", "[schedule] time-zone must be a string"),
        (
            '[gim-export]\nfile-mode = "07777"\n',
            "[gim-export] file-mode '07777' holds setuid, setgid or sticky bits; "
            "give permission bits only, such as '0640'",
        ),
        (
            '[gim-export]\nfile-mode = "-0640"\n',
            "[gim-export] file-mode must be an octal mode such as '0600', not '-0640'",
        ),
        (
            '[gim-export]\nfile-mode = "0400"\n',
            "[gim-export] file-mode '0400' must keep read and write for the owner",
        ),
        (
            '[gim-export]\nfile-mode = "0666"\n',
            "[gim-export] file-mode '0666' lets any user change the export files; "
            "drop write for others, as in '0644'",
        ),
    ],
    ids=[
        "unknown-key",
        "unknown-section",
        "range",
        "type",
        "encoding",
        "date",
        "bool",
        "bool-for-integer",
        "time-zone",
        "time-zone-type",
        "file-mode-special-bits",
        "file-mode-negative",
        "file-mode-owner",
        "file-mode-others-write",
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text + '[infomart]\nconnection = "dbname=gim"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(message)


def test_missing_connection_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="has no \\[infomart\\] connection"):
        load_settings(write(tmp_path, "[schedule]\nrun-export = false\n"))


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-03", dt.datetime(2026, 11, 3, tzinfo=dt.UTC)),
        ("2026-11-03 08:20:00", dt.datetime(2026, 11, 3, 8, 20, tzinfo=dt.UTC)),
        ("2026-11-03 08:20:00+01:00", dt.datetime(2026, 11, 3, 7, 20, tzinfo=dt.UTC)),
    ],
)
def test_start_dates_are_utc_unless_zoned(text: str, expected: dt.datetime) -> None:
    assert parse_start_date(text) == expected


def test_starter_config_spells_out_every_default(tmp_path: Path) -> None:
    from dataclasses import fields

    from gim_export.config import _OPTIONS, Settings, starter_config

    text = starter_config('host=db dbname="gim x"', 'exports "today"')
    path = tmp_path / "gimexport.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load_settings(path)
    assert loaded.connection == 'host=db dbname="gim x"'
    assert loaded.output_directory == tmp_path / 'exports "today"'
    given = {"config_path", "connection", "output_directory"}
    for option in fields(Settings):
        if option.name not in given:
            assert getattr(loaded, option.name) == getattr(Settings(), option.name)

    # Every option is there, set or shown in a comment, and every commented
    # example is a valid value.
    for section, options in _OPTIONS.items():
        assert f"[{section}]\n" in text
        for option in options:
            assert f"\n{option} = " in text or f"\n# {option} = " in text, option
    uncommented = re.sub(r"^# (?=[a-z-]+ = )", "", text, flags=re.MULTILINE)
    path.write_text(uncommented, encoding="utf-8")
    examples = load_settings(path)
    assert examples.schedule_time_zone == "Europe/Berlin"
    assert examples.start_date is not None
    assert examples.encrypt_certificate is not None
    assert examples.password_env == "GIM_EXPORT_PASSWORD"


def test_init_writes_the_starter_config(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from gim_export.cli import cli

    path = tmp_path / "gimexport.toml"
    args = ["--config", str(path), "init", "--connection", "service=gim"]
    result = CliRunner().invoke(cli, args)
    assert (result.exit_code, result.output) == (0, f"wrote {path}\n")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# gimexport configuration.")
    assert load_settings(path).connection == "service=gim"
