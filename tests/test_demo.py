"""``gimexport demo``, the README's first command, on its embedded server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from exporting import folders, sha1sum_check

from gim_export import package
from gim_export.config import load_settings


def demo(workdir: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Run ``gimexport demo`` in a new process, as the README does."""
    command = [sys.executable, "-m", "gim_export", "demo", "--workdir", str(workdir)]
    return subprocess.run(
        [*command, *options], capture_output=True, text=True, timeout=600
    )


def test_demo_exports_and_verifies_on_its_embedded_server(tmp_path: Path) -> None:
    workdir = tmp_path / "demo"
    result = demo(workdir, "--days", "4")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "verify-chain: all folders intact, chain unbroken" in lines
    output = workdir / "output"
    published = folders(output)
    assert lines.count(f"exported {len(published)} folders to {output}") == 1
    chain = [package.read_metadata(folder) for folder in published]
    assert chain[0].hwm_from == 0
    for earlier, later in zip(chain, chain[1:], strict=False):
        assert later.hwm_from == earlier.hwm_to
    for folder in published:
        assert sha1sum_check(folder).returncode == 0, folder.name
        zip_test = ["unzip", "-tq", str(folder / f"{folder.name}.zip")]
        assert subprocess.run(zip_test, capture_output=True).returncode == 0

    # The server stopped with the demo; the configuration it wrote is usable.
    assert not (workdir / "pgdata" / "postmaster.pid").exists()
    settings = load_settings(workdir / "gimexport.toml")
    assert settings.output_directory == output
    assert "dbname=gimexport_demo" in settings.connection


def test_demo_runs_again_in_the_same_folder(tmp_path: Path) -> None:
    workdir = tmp_path / "demo"
    first = demo(workdir, "--days", "1")
    assert first.returncode == 0, first.stderr
    before = [folder.name for folder in folders(workdir / "output")]

    again = demo(workdir, "--days", "1")
    assert again.returncode == 0, again.stderr
    assert [folder.name for folder in folders(workdir / "output")] == before


def test_demo_names_a_server_it_cannot_reach(tmp_path: Path) -> None:
    result = demo(tmp_path / "demo", "--dsn", "host=127.0.0.1 port=1 user=nobody")
    assert result.returncode != 0
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: cannot reach the demo server: ")
    assert not (tmp_path / "demo" / "output").exists()
