"""Issue 10 end to end: encrypted folders, secrets, file modes, quoted names and
hostile received files, with real certificates, passwords and files."""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import tomli_w
from click.testing import CliRunner, Result
from psycopg import conninfo as pg_conninfo
from psycopg import sql

from gim_export import crypto, package
from gim_export.chain import verify_chain
from gim_export.cli import cli
from gim_export.errors import ConfigError
from gim_export.exporter import export
from gim_export.load import FolderDamaged, LoadError, load
from tests.chain_fixtures import add_zip_entry
from tests.conftest import Server
from tests.exporting import folders, settings_for
from tests.test_crypto import built_certificate, openssl_certificate
from tests.test_load import (  # noqa: F401  (fixtures)
    CONTACT,
    chain,
    contact,
    ledger,
    rows,
    small_target,
    write_folder,
)

NOW_EXPIRED = __import__("datetime").datetime(
    2020, 1, 2, tzinfo=__import__("datetime").UTC
)


@pytest.fixture
def umask_022() -> Iterator[None]:
    """File modes below assume the usual umask."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The receiver's certificate and private key, made by openssl."""
    return openssl_certificate(tmp_path_factory.mktemp("pki"), "receiver")


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def write_config(path: Path, **sections: dict[str, object]) -> Path:
    path.write_text(tomli_w.dumps(sections))
    return path


def exporting_config(path: Path, dsn: str, **gim_export: object) -> Path:
    """A configuration for a test export: no waiting on retries or locks."""
    options = {
        "output-directory": str(path.parent / "out"),
        "retry-delay-seconds": 0,
        "maintenance-lock-wait-seconds": 2,
        **gim_export,
    }
    return write_config(
        path, **{"gim-export": options, "infomart": {"connection": dsn}}
    )


# ---------------------------------------------------------------------------
# Encrypted folders


def test_encrypted_folder_verifies_decrypts_and_loads(
    infomart_dsn: str,
    empty_db: str,
    tmp_path: Path,
    pki: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    certificate, key_file = pki
    output = tmp_path / "out"
    export(settings_for(infomart_dsn, output, encrypt_certificate=certificate))
    folder = folders(output)[0]
    name = folder.name

    # The folder: the encrypted zip, its checksum, the XML; sha1sum -c passes.
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{name}.extracted.xml",
        f"{name}.zip.p7m",
        f"{name}.zip.p7m.sha1",
    ]
    sha1sum = ["sha1sum", "-c", f"{name}.zip.p7m.sha1"]
    assert subprocess.run(sha1sum, cwd=folder).returncode == 0
    metadata = package.read_metadata(folder)
    encryption = metadata.detail("encryption")
    assert encryption is not None
    assert encryption["recipient"] == "O=gimexport tests,CN=receiver"
    assert encryption["cipher"] == "aes-256-cbc"

    # openssl opens it; the XML's checksums describe the plain CSV files.
    plain = tmp_path / "plain.zip"
    subprocess.run(
        ["openssl", "cms", "-decrypt", "-binary", "-inform", "DER",
         "-in", str(folder / f"{name}.zip.p7m"), "-inkey", str(key_file),
         "-out", str(plain)],
        check=True,
    )  # fmt: skip
    assert subprocess.run(["unzip", "-tq", str(plain)]).returncode == 0
    with zipfile.ZipFile(plain) as archive:
        for entry in metadata.tables:
            assert hashlib.sha1(archive.read(entry.file)).hexdigest() == entry.sha1

    # verify-chain without the key checks what it can and says so.
    report = verify_chain(output)
    assert report.ok
    assert report.folders[0].note == "encrypted, contents not checked"
    key = crypto.load_private_key(key_file)
    report = verify_chain(output, key=key)
    assert (report.ok, report.folders[0].note) == (True, "encrypted")

    # load decrypts each zip once, for its checks and its rows, into a private
    # temporary file that is gone afterwards.
    decryptions: list[Path] = []
    decrypt_file = crypto.decrypt_file

    def counted(source: Path, target: Path, key: crypto.RSAPrivateKey) -> None:
        decryptions.append(source)
        decrypt_file(source, target, key)

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(crypto, "decrypt_file", counted)
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    loaded = load(output, empty_db, schema="dwh", create_schema=True, key=key)
    assert loaded.loaded[0].rows == sum(entry.rows for entry in metadata.tables)
    assert decryptions == [folder / f"{name}.zip.p7m"]
    assert list(scratch.iterdir()) == []


def test_encrypted_folder_on_the_command_line(
    tmp_path: Path, pki: tuple[Path, Path]
) -> None:
    certificate, key_file = pki
    out = tmp_path / "received"
    folder = write_folder(out, 0, 100, {"contact": (CONTACT, [contact(1, "Ada", 100)])})
    zip_path = folder / f"{folder.name}.zip"
    crypto.encrypt_file(zip_path, crypto.load_recipient(certificate))
    (folder / f"{folder.name}.zip.sha1").unlink()
    sealed = folder / f"{folder.name}.zip.p7m"
    (folder / f"{sealed.name}.sha1").write_bytes(
        package.sha1_line(package.file_sha1(sealed), sealed.name)
    )

    result = run("verify-chain", str(out))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        f"ok      {folder.name}  regular  0..100  1 tables  1 rows  first  "
        "encrypted, contents not checked"
    )
    result = run("verify-chain", str(out), "--key", str(key_file))
    assert result.stdout.splitlines()[0].endswith("  first  encrypted")

    _, other_key = openssl_certificate(tmp_path, "someone-else")
    result = run("verify-chain", str(out), "--key", str(other_key))
    assert result.exit_code == 1
    assert (
        f"{folder.name}: undecryptable: {sealed.name} is not encrypted to this "
        "key (1 RSA recipient(s) tried)" in result.stdout
    )

    target = tmp_path / "export.zip"
    result = run("decrypt", "--key", str(key_file), "-o", str(target), str(sealed))
    assert (result.exit_code, result.stdout) == (0, f"wrote {target}\n")
    assert target.stat().st_mode & 0o777 == 0o600
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist() == ["contact.csv", "contact.csv.sha1"]


def test_load_refuses_an_encrypted_folder_without_the_key(
    tmp_path: Path,
    small_target: str,  # noqa: F811
    pki: tuple[Path, Path],
) -> None:
    out = tmp_path / "received"
    folder = write_folder(out, 0, 100, {"contact": (CONTACT, [contact(1, "Ada", 100)])})
    crypto.encrypt_file(folder / f"{folder.name}.zip", crypto.load_recipient(pki[0]))
    sealed = folder / f"{folder.name}.zip.p7m"
    (folder / f"{folder.name}.zip.sha1").unlink()
    (folder / f"{sealed.name}.sha1").write_bytes(
        package.sha1_line(package.file_sha1(sealed), sealed.name)
    )
    result = run("load", str(out), "--target", small_target)
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {folder.name} is encrypted; pass --key with the recipient's key\n",
    )
    assert rows(small_target, "contact") == []
    assert ledger(small_target) == []


def test_unusable_certificate_stops_export_before_any_connection(
    tmp_path: Path,
) -> None:
    expired = built_certificate(
        tmp_path / "expired.pem",
        not_before=NOW_EXPIRED.replace(day=1),
        not_after=NOW_EXPIRED,
    )
    # No server listens on this port: reaching it would be another error.
    config = exporting_config(
        tmp_path / "gimexport.toml",
        "host=127.0.0.1 port=1 dbname=nowhere",
        **{"encrypt-certificate": str(expired)},
    )
    result = run("--config", str(config), "export")
    assert (result.exit_code, result.stderr) == (
        2,
        f"Error: encrypt-certificate {str(expired)!r} expired on 2020-01-02\n",
    )
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------
# Secrets


@pytest.fixture
def role(infomart_dsn: str, pg_server: Server) -> Iterator[tuple[str, str]]:
    """A login role with a password, and the DSN that names it (no password)."""
    name = f"gimtest_reader_{uuid.uuid4().hex[:8]}"
    password = f"Visible-{uuid.uuid4().hex}-Secret"
    with pg_server.admin() as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(name), sql.Literal(password)
            )
        )
        conn.execute(
            sql.SQL("GRANT pg_read_all_data, pg_read_all_stats TO {}").format(
                sql.Identifier(name)
            )
        )
    params = pg_conninfo.conninfo_to_dict(infomart_dsn)
    params["user"] = name
    yield pg_conninfo.make_conninfo("", **params), password
    with pg_server.admin() as conn:
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def _everything_written(directory: Path) -> bytes:
    """The bytes of every file under ``directory``: folders, .gim, logs."""
    paths = sorted(directory.rglob("*"))
    return b"".join(path.read_bytes() for path in paths if path.is_file())


@pytest.mark.parametrize("source", ["PGPASSWORD", "password-env", "connection"])
def test_password_never_shows(
    tmp_path: Path, role: tuple[str, str], source: str
) -> None:
    dsn, password = role
    env = {"PGPASSWORD": password} if source == "PGPASSWORD" else {}
    infomart: dict[str, object] = {"connection": dsn}
    if source == "password-env":
        env["GIMTEST_SECRET"] = password
        infomart["password-env"] = "GIMTEST_SECRET"
    if source == "connection":
        infomart["connection"] = f"{dsn} password={password}"
    (tmp_path / "etc").mkdir()
    (tmp_path / "run").mkdir()
    config = write_config(
        tmp_path / "etc" / "gimexport.toml",
        **{
            "gim-export": {
                "output-directory": str(tmp_path / "run" / "out"),
                "retry-delay-seconds": 0,
            },
            "infomart": infomart,
        },
    )
    log = tmp_path / "run" / "export.log"
    args = ["--config", str(config), "-vv", "--log-file", str(log), "export"]
    result = run(*args, env=env)
    assert result.exit_code == 0, result.stderr
    assert "published export_" in log.read_text()

    # The same with a database that does not exist: the error names the server.
    missing = tmp_path / "etc" / "missing.toml"
    missing.write_text(
        config.read_text().replace("dbname=gimtest_im", "dbname=gone_im")
    )
    failed = run("--config", str(missing), "-vv", "export", env=env)
    assert failed.exit_code == 1
    assert "Error: cannot connect to 'dbname=gone_im" in failed.stderr

    commands = [[], *([name] for name in cli.commands)]
    helps = [run(*command, "--help", env=env).stdout for command in commands]
    assert all(text.startswith("Usage: ") for text in helps)
    shown = [result.stdout, result.stderr, failed.stderr, *helps]
    assert [text for text in shown if password in text] == []
    assert password.encode() not in _everything_written(tmp_path / "run")
    warned = "the connection string holds a password" in result.stderr
    assert warned == (source == "connection")


def test_connection_of_the_wrong_type_is_not_echoed(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "gimexport.toml",
        infomart={"connection": ["host=db password=Visible-Secret"]},
    )
    result = run("--config", str(config), "status")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: [infomart] connection must be a string (a libpq connection string)\n",
    )


# ---------------------------------------------------------------------------
# File modes


def _modes(output: Path) -> dict[str, int]:
    folder = folders(output)[0]
    found = {"folder": folder.stat().st_mode & 0o777}
    for path in folder.iterdir():
        found[path.name.removeprefix(folder.name)] = path.stat().st_mode & 0o777
    found["output"] = output.stat().st_mode & 0o777
    found[".gim"] = (output / ".gim").stat().st_mode & 0o777
    found["state"] = (output / ".gim" / "state.toml").stat().st_mode & 0o777
    return found


@pytest.mark.parametrize(
    ("file_mode", "files", "folder"),
    [(None, 0o600, 0o700), (0o640, 0o640, 0o750), (0o644, 0o644, 0o755)],
    ids=["default", "0640", "0644"],
)
def test_files_are_the_owners_unless_widened(
    infomart_dsn: str,
    tmp_path: Path,
    umask_022: None,
    file_mode: int | None,
    files: int,
    folder: int,
) -> None:
    changes = {} if file_mode is None else {"file_mode": file_mode}
    export(settings_for(infomart_dsn, tmp_path / "out", **changes))
    assert _modes(tmp_path / "out") == {
        "folder": folder,
        ".zip": files,
        ".zip.sha1": files,
        ".extracted.xml": files,
        "output": folder,
        ".gim": 0o700,
        "state": 0o600,
    }


def test_file_mode_holds_under_a_narrow_umask(
    infomart_dsn: str, tmp_path: Path, pki: tuple[Path, Path]
) -> None:
    old = os.umask(0o077)
    try:
        settings = settings_for(
            infomart_dsn, tmp_path / "out", file_mode=0o640, encrypt_certificate=pki[0]
        )
        export(settings)
    finally:
        os.umask(old)
    modes = _modes(tmp_path / "out")
    assert modes == {
        "folder": 0o750,
        ".zip.p7m": 0o640,
        ".zip.p7m.sha1": 0o640,
        ".extracted.xml": 0o640,
        "output": 0o750,
        ".gim": 0o700,
        "state": 0o600,
    }


@pytest.mark.parametrize("mode", [0o777, 0o1777, 0o757], ids=["777", "sticky", "o+w"])
def test_output_directory_others_can_write_is_refused(
    tmp_path: Path, mode: int
) -> None:
    output = tmp_path / "out"
    output.mkdir()
    output.chmod(mode)
    config = exporting_config(tmp_path / "gimexport.toml", "host=127.0.0.1 port=1")
    result = run("--config", str(config), "export")
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: output directory {str(output)!r} is writable by any user; "
        "remove that permission (chmod o-w)\n",
    )


def test_internal_folder_others_can_write_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out" / ".gim").mkdir(parents=True)
    (tmp_path / "out" / ".gim").chmod(0o777)
    config = exporting_config(tmp_path / "gimexport.toml", "host=127.0.0.1 port=1")
    result = run("--config", str(config), "export")
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {str(tmp_path / 'out' / '.gim')!r} is not a folder of this user's "
        "that only it can write to; remove it, or chmod 700 it\n",
    )


# ---------------------------------------------------------------------------
# Quoted identifiers

HOSTILE_TABLES = {
    'We"ird; DROP TABLE v;--': "we%22ird%3B%20drop%20table%20v%3B%2D%2D.csv",
    "../../escape": "%2E%2E%2F%2E%2E%2Fescape.csv",
}


@pytest.mark.parametrize("views", [False, True], ids=["tables", "export-views"])
def test_hostile_table_names_export_load_and_inject_nothing(
    infomart_dsn: str, empty_db: str, tmp_path: Path, views: bool
) -> None:
    with psycopg.connect(infomart_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE v (id integer)")
        row = conn.execute("SELECT min(audit_key) FROM ctl_audit_log").fetchone()
        assert row is not None
        for table in HOSTILE_TABLES:
            conn.execute(
                sql.SQL(
                    "CREATE TABLE {} (id integer PRIMARY KEY, {} text, "
                    "create_audit_key numeric(19), update_audit_key numeric(19))"
                ).format(sql.Identifier(table), sql.Identifier('no"te; --'))
            )
            conn.execute(
                sql.SQL("INSERT INTO {} VALUES (1, %s, %s, %s)").format(
                    sql.Identifier(table)
                ),
                ("'); DROP TABLE v; --", row[0], row[0]),
            )
    settings = settings_for(infomart_dsn, tmp_path / "out", use_export_views=views)
    if views:
        from gim_export.views import make_export_views

        make_export_views(settings)
    export(settings)

    folder = folders(tmp_path / "out")[0]
    with zipfile.ZipFile(folder / f"{folder.name}.zip") as archive:
        for file_name in HOSTILE_TABLES.values():
            assert archive.read(file_name) == (
                b'id,"no""te; --",create_audit_key,update_audit_key\n'
                + f"1,'); DROP TABLE v; --,{row[0]},{row[0]}\n".encode()
            )
    listed = {e.name: e.file for e in package.read_metadata(folder).tables}
    assert {k.lower(): v for k, v in HOSTILE_TABLES.items()}.items() <= listed.items()
    assert verify_chain(tmp_path / "out").ok
    with psycopg.connect(infomart_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM v").fetchone() == (0,)

    # The files name the tables in lower case; load finds them all the same.
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA dwh")
        for table in HOSTILE_TABLES:
            conn.execute(
                sql.SQL(
                    "CREATE TABLE {} (id integer PRIMARY KEY, {} text, "
                    "create_audit_key numeric(19), update_audit_key numeric(19))"
                ).format(sql.Identifier("dwh", table), sql.Identifier('no"te; --'))
            )
    load(tmp_path / "out", empty_db, schema="dwh", create_schema=True)
    with psycopg.connect(empty_db) as conn:
        for table in HOSTILE_TABLES:
            query = sql.SQL("SELECT id, {} FROM {}").format(
                sql.Identifier('no"te; --'), sql.Identifier("dwh", table)
            )
            assert conn.execute(query).fetchall() == [(1, "'); DROP TABLE v; --")]


# ---------------------------------------------------------------------------
# Hostile received files: load writes nothing of them


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (
            ("id", 'name"; DROP TABLE contact; --', "create_audit_key"),
            "table contact in the target lacks column "
            "'name\"; DROP TABLE contact; --'; run the target script "
            "(`gimexport target-ddl`) again",
        ),
        (
            ("name", "create_audit_key"),
            "the CSV of contact lacks column 'id', which the merge needs",
        ),
        (
            ("id", "name", "name", "create_audit_key"),
            "the CSV of contact names a column twice",
        ),
        (("id ", "name", "create_audit_key"), "table contact in the target lacks "
         "column 'id '; run the target script (`gimexport target-ddl`) again"),
    ],
    ids=["injection", "no-key", "twice", "space"],
)  # fmt: skip
def test_csv_header_that_does_not_match_the_target_writes_nothing(
    chain: list[Path],  # noqa: F811
    small_target: str,  # noqa: F811
    header: tuple[str, ...],
    reason: str,
) -> None:
    out = chain[0].parent
    hostile = write_folder(out, 300, 400, {"contact": (header, [("9",) * len(header)])})
    with pytest.raises(LoadError) as caught:
        load(out, small_target)
    assert str(caught.value) == f"{hostile.name}: {reason}"
    assert [r[0] for r in ledger(small_target)] == [f.name for f in chain]
    assert [r[1] for r in rows(small_target, "contact")] == ["Ada L.", "Bo", "Cy"]


@pytest.mark.parametrize(
    "entry", ["../../outside.csv", "/etc/cron.d/x.csv"], ids=["climbs", "absolute"]
)
def test_hostile_zip_entry_is_refused_by_load(
    chain: list[Path],  # noqa: F811
    small_target: str,  # noqa: F811
    entry: str,
) -> None:
    add_zip_entry(entry)(chain)
    with pytest.raises(FolderDamaged) as caught:
        load(chain[0].parent, small_target)
    assert str(caught.value).startswith(
        f"{chain[1].name} failed verification: hostile-entry: zip entry {entry!r}"
    )
    assert [r[0] for r in ledger(small_target)] == [chain[0].name]
    assert not (chain[0].parent.parent / "outside.csv").exists()


def test_config_error_for_missing_key_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        crypto.load_private_key(tmp_path / "absent.key")
    assert str(caught.value) == (
        f"key {str(tmp_path / 'absent.key')!r} cannot be read: No such file or "
        "directory"
    )
