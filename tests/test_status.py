"""gimexport status: where the stream stands, and its warnings."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from exporting import settings_for

from gim_export import sample
from gim_export.cli import cli
from gim_export.exporter import export
from gim_export.status import status


def test_status_before_and_after_catching_up(infomart_dsn: str, tmp_path: Path) -> None:
    settings = settings_for(infomart_dsn, tmp_path / "out")
    before = status(settings)
    assert (before.folders, before.hwm, before.last_folder) == (0, 0, None)
    assert before.waiting_keys > 0
    assert before.behind_seconds is None

    run = export(settings, catch_up=True, gap_wait_seconds=0.1)
    after = status(settings)
    assert after.folders == len(run.folders)
    assert after.last_folder == run.folders[-1].path.name
    assert after.hwm == run.folders[-1].metadata.hwm_to
    assert (after.waiting_keys, after.behind_seconds, after.warnings) == (0, 0, [])


def test_status_warns_about_an_open_audit_key(
    infomart_dsn: str, tmp_path: Path
) -> None:
    settings = settings_for(infomart_dsn, tmp_path / "out")
    export(settings, catch_up=True, gap_wait_seconds=0.1)
    with sample.EtlSimulator(infomart_dsn, seed=9) as simulator:
        held = simulator.open_batch()
        simulator.run_batches(1)
        result = status(settings)
        held.rollback()
    assert result.blocked_at == held.audit_key
    assert result.waiting_keys == 1
    assert any(f"audit key {held.audit_key} is missing" in w for w in result.warnings)


def test_status_json_for_scripts(infomart_dsn: str, tmp_path: Path) -> None:
    config = tmp_path / "gimexport.toml"
    config.write_text(
        f'[gim-export]\noutput-directory = "out"\n'
        f'[infomart]\nconnection = "{infomart_dsn}"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "status", "--json"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["hwm"] == 0
    assert document["waiting_audit_keys"] > 0
    assert set(document) >= {"last_folder", "behind_seconds", "warnings"}


def test_status_after_a_restart_measures_lag_from_the_restart_point(
    infomart_dsn: str, tmp_path: Path
) -> None:
    from gim_export.config import parse_start_date
    from gim_export.control import apply_restart, plan_restart

    settings = settings_for(infomart_dsn, tmp_path / "out")
    export(settings, catch_up=True, gap_wait_seconds=0.1)
    apply_restart(settings, plan_restart(settings, parse_start_date("2026-11-03")))
    result = status(settings)
    assert result.behind_seconds is not None
    assert 0 < result.behind_seconds < 4 * 86400
