"""The TOML configuration file and the settings it yields.

Section and option names follow the original Job_ExportGIM so that an Info Mart
administrator recognises them. An unknown key, a wrong type or a value out of
range is a :class:`ConfigError` that names the key.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomli_w

from gim_export.errors import ConfigError

DEFAULT_CONFIG_NAME = "gimexport.toml"
CONFIG_ENV_VAR = "GIMEXPORT_CONFIG"
MAX_CHUNK_SECONDS = 86400

# The PostgreSQL advisory lock that Info Mart maintenance and the export share;
# its bytes spell "GIMEXPT" in ASCII. docs/scheduling.md shows how to take it.
DEFAULT_MAINTENANCE_LOCK_KEY = 0x47494D45585054


@dataclass(frozen=True)
class Settings:
    """Every option of gimexport, with the defaults of the original job."""

    config_path: Path | None = None
    # [schedule]
    run_export: bool = False
    export_schedule: str = "20 0/8"
    schedule_time_zone: str | None = None
    # [gim-export]
    output_directory: Path = Path("output")
    chunk_size_seconds: int = MAX_CHUNK_SECONDS
    use_export_views: bool = False
    output_files_encoding: str = "utf8"
    max_retries: int = 3
    retry_delay_seconds: int = 30
    thread_pool_size: int = 4
    start_date: dt.datetime | None = None
    days_to_keep_output_files: int = 14
    encrypt_certificate: Path | None = None
    compression_level: int = 5
    file_mode: int = 0o600
    maintenance_lock_key: int = DEFAULT_MAINTENANCE_LOCK_KEY
    maintenance_lock_wait_seconds: int = 300
    # [infomart]
    connection: str = ""
    password_env: str | None = None
    schema: str = "public"
    include: tuple[str, ...] = ("*",)
    exclude: tuple[str, ...] = ()
    views_schema: str = "gim_export_views"
    schema_version_table: str = "ctl_schema_info"
    extra: Mapping[str, Any] = field(default_factory=dict)

    def with_overrides(self, **changes: Any) -> Settings:
        """Return a copy with some settings replaced (used by tests and demo)."""
        return replace(self, **changes)


def _toml(value: object) -> str:
    """A value as TOML spells it, for an error message: true, 3, 'text'."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return repr(value)


def _boolean(key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{key} must be true or false, not {_toml(value)}")
    return value


def _string(key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{key} must be a string, not {_toml(value)}")
    return value


def _connection(key: str, value: object) -> str:
    # Never echo the value: a connection string may hold a password.
    if not isinstance(value, str):
        raise ConfigError(f"{key} must be a string (a libpq connection string)")
    return value


def _integer(low: int, high: int | None = None) -> Callable[[str, object], int]:
    def check(key: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key} must be an integer, not {_toml(value)}")
        if value < low or (high is not None and value > high):
            bound = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise ConfigError(f"{key} must be {bound}, not {_toml(value)}")
        return value

    return check


def _encoding(key: str, value: object) -> str:
    name = _string(key, value)
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ConfigError(f"{key} {name!r} is not a known encoding") from None
    # Codecs such as base64 or rot13 transform bytes or text, not text to bytes.
    if not getattr(info, "_is_text_encoding", True) or not _round_trips(name):
        raise ConfigError(f"{key} {name!r} is not a text encoding")
    return name


def _round_trips(encoding: str) -> bool:
    """Whether CSV text survives the encoding, or fails loudly where it cannot."""
    for text in ('id,name\n1,"Ab c"\n', "\u0416"):
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            continue
        except (UnicodeError, LookupError, TypeError):
            return False
        try:
            if not isinstance(data, bytes) or data.decode(encoding) != text:
                return False
        except (UnicodeError, LookupError, TypeError):
            return False
    return True


def _patterns(key: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            f"{key} must be a list of table-name patterns, not {_toml(value)}"
        )
    return tuple(value)


def _file_mode(key: str, value: object) -> int:
    text = _string(key, value)
    try:
        mode = int(text, 8)
        if mode < 0:
            raise ValueError(text)
    except ValueError:
        raise ConfigError(
            f"{key} must be an octal mode such as '0600', not {text!r}"
        ) from None
    if mode & ~0o777:
        raise ConfigError(
            f"{key} {text!r} holds setuid, setgid or sticky bits; give permission "
            "bits only, such as '0640'"
        )
    if mode & 0o600 != 0o600:
        raise ConfigError(f"{key} {text!r} must keep read and write for the owner")
    if mode & 0o002:
        raise ConfigError(
            f"{key} {text!r} lets any user change the export files; drop write "
            "for others, as in '0644'"
        )
    return mode


def parse_start_date(text: str) -> dt.datetime:
    """Parse ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM:SS`` (optional zone) as UTC."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date of the form YYYY-MM-DD or "
            "YYYY-MM-DD HH:MM:SS[+HH:MM]"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    if moment.year < 1970:
        raise ValueError(f"{text!r} lies before 1970")
    return moment.astimezone(dt.UTC)


def _start_date(key: str, value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        value = value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        value = value.isoformat()
    text = _string(key, value)
    if not text.strip():
        return None
    try:
        return parse_start_date(text)
    except ValueError as error:
        raise ConfigError(f"{key}: {error}") from None


def _schedule(key: str, value: object) -> str:
    # Checked whatever the command, so that a typo shows before scheduling
    # is switched on; gim_export.schedule imports this module.
    from gim_export.schedule import parse_schedule

    expression = _string(key, value)
    parse_schedule(expression)
    return expression


def _time_zone(key: str, value: object) -> str | None:
    name = _string(key, value).strip()
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ValueError, OSError, ZoneInfoNotFoundError):
        raise ConfigError(
            f"{key} {name!r} is not a time zone of the IANA database, "
            "such as 'Europe/Berlin' or 'UTC'"
        ) from None
    return name


def _optional_path(key: str, value: object) -> Path | None:
    text = _string(key, value)
    return Path(text) if text.strip() else None


_Check = Callable[[str, object], Any]

# section -> option -> (Settings field, check)
_OPTIONS: dict[str, dict[str, tuple[str, _Check]]] = {
    "schedule": {
        "run-export": ("run_export", _boolean),
        "export-schedule": ("export_schedule", _schedule),
        "time-zone": ("schedule_time_zone", _time_zone),
    },
    "gim-export": {
        "output-directory": ("output_directory", _string),
        "chunk-size-seconds": ("chunk_size_seconds", _integer(1, MAX_CHUNK_SECONDS)),
        "use-export-views": ("use_export_views", _boolean),
        "output-files-encoding": ("output_files_encoding", _encoding),
        "max-retries": ("max_retries", _integer(0, 100)),
        "retry-delay-seconds": ("retry_delay_seconds", _integer(0, 86400)),
        "thread-pool-size": ("thread_pool_size", _integer(1, 64)),
        "start-date": ("start_date", _start_date),
        "days-to-keep-output-files": ("days_to_keep_output_files", _integer(1)),
        "encrypt-certificate": ("encrypt_certificate", _optional_path),
        "compression-level": ("compression_level", _integer(0, 9)),
        "file-mode": ("file_mode", _file_mode),
        "maintenance-lock-key": ("maintenance_lock_key", _integer(-(2**63))),
        "maintenance-lock-wait-seconds": (
            "maintenance_lock_wait_seconds",
            _integer(0, 86400),
        ),
    },
    "infomart": {
        "connection": ("connection", _connection),
        "password-env": ("password_env", _string),
        "schema": ("schema", _string),
        "include": ("include", _patterns),
        "exclude": ("exclude", _patterns),
        "views-schema": ("views_schema", _string),
        "schema-version-table": ("schema_version_table", _string),
    },
}


def settings_from_mapping(
    data: Mapping[str, Any], base: Path | None = None
) -> Settings:
    """Build settings from parsed TOML; relative paths resolve against ``base``."""
    values: dict[str, Any] = {}
    for section, options in data.items():
        known = _OPTIONS.get(section)
        if known is None:
            raise ConfigError(f"unknown section [{section}]")
        if not isinstance(options, Mapping):
            raise ConfigError(f"[{section}] must be a table of options")
        for option, value in options.items():
            if option not in known:
                raise ConfigError(f"unknown option {option!r} in [{section}]")
            name, check = known[option]
            values[name] = check(f"[{section}] {option}", value)

    if "output_directory" in values:
        directory = Path(values["output_directory"]).expanduser()
        if base is not None and not directory.is_absolute():
            directory = base / directory
        values["output_directory"] = directory
    certificate = values.get("encrypt_certificate")
    if base is not None and certificate is not None and not certificate.is_absolute():
        values["encrypt_certificate"] = base / certificate
    if values.get("maintenance_lock_key", 0) >= 2**63:
        raise ConfigError("[gim-export] maintenance-lock-key must fit in a bigint")
    return Settings(**values)


def find_config(path: str | os.PathLike[str] | None) -> Path:
    """The configuration path: the argument, $GIMEXPORT_CONFIG or ./gimexport.toml."""
    if path is None:
        path = os.environ.get(CONFIG_ENV_VAR) or DEFAULT_CONFIG_NAME
    return Path(path)


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read and check the TOML configuration file."""
    config_path = find_config(path)
    try:
        with open(config_path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(
            f"configuration file {str(config_path)!r} not found; "
            "create one with `gimexport init` or pass --config"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"configuration file {str(config_path)!r}: {error}") from None
    except OSError as error:
        raise ConfigError(
            f"cannot read configuration file {str(config_path)!r}: {error.strerror}"
        ) from None

    settings = settings_from_mapping(data, base=config_path.resolve().parent)
    if not settings.connection:
        raise ConfigError(
            f"{str(config_path)!r} has no [infomart] connection; "
            "give a libpq DSN such as 'host=dbhost dbname=gim user=gim_export'"
        )
    return replace(settings, config_path=config_path)


def starter_config(connection: str, output_directory: str) -> str:
    """The text of a starter configuration file: every option, with comments.

    It is ``gim_export/starter.toml``, every default spelled out, with the
    given connection string and output directory.
    """
    text = resources.files("gim_export").joinpath("starter.toml").read_text("utf-8")
    values = {"output-directory": output_directory, "connection": connection}
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        key = line.split(" = ", 1)[0]
        if key in values:
            lines[index] = tomli_w.dumps({key: values.pop(key)})
    return "".join(lines)
