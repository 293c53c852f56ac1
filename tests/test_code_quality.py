"""The project's habits, checked by the same tools a developer runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "gim_export", "tests", "bench"],
        ["ruff", "format", "--check", "gim_export", "tests", "bench"],
        ["mypy", "--cache-dir", "/dev/null", "gim_export"],
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict"],
)
def test_tool_passes(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_modules_never_import_click_or_rich() -> None:
    offenders = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "gim_export").glob("*.py"))
        if any(
            line.startswith(("import click", "from click", "import rich", "from rich"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert offenders == []
