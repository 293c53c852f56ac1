"""Commands for an administrator after an incident: restart and re-export."""

from __future__ import annotations

import datetime as dt

import click

from gim_export.cli import cli, on_terminal, settings_of
from gim_export.cli.progress import progress_for
from gim_export.config import parse_start_date


def _date(value: str, option: str, alternative: str = "") -> dt.datetime:
    try:
        return parse_start_date(value)
    except ValueError as error:
        raise click.BadParameter(str(error) + alternative, param_hint=option) from None


@cli.command()
@click.option(
    "--from",
    "from_text",
    required=True,
    metavar="DATE|beginning",
    help="YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS', UTC unless an offset such as "
    "+01:00 follows; or 'beginning' for the oldest audit key.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--allow-skip",
    is_flag=True,
    help="Allow a restart beyond the stream's position, skipping audit keys "
    "that were never exported.",
)
@click.pass_context
def restart(ctx: click.Context, from_text: str, yes: bool, allow_skip: bool) -> None:
    """Restart the stream from a date; the next export is marked as a restart.

    No folder is deleted. Folders of the new stream generation that repeat
    audit keys already exported carry `_restart_N` in their names.

    \b
    Example:
        gimexport restart --from "2026-11-20 00:00:00" --yes
    """
    from gim_export.control import apply_restart, plan_restart

    from_date = None
    if from_text != "beginning":
        from_date = _date(from_text, "--from", "; --from also takes 'beginning'")
    settings = settings_of(ctx)
    plan = plan_restart(settings, from_date, allow_skip)
    click.echo(
        f"the stream stands at audit key {plan.current_hwm}; "
        f"the next export would start at audit key {plan.first_key}"
    )
    if not yes:
        if not on_terminal():
            raise click.UsageError("not on a terminal: pass --yes to confirm")
        click.confirm("restart the stream there?", abort=True)
    apply_restart(settings, plan)
    click.echo(f"restarted: generation {plan.generation} begins at {plan.first_key}")


@cli.command(name="re-export")
@click.option("--since", "since_text", metavar="DATE", help="Re-send from DATE on.")
@click.option("--last", type=click.IntRange(1, 3660), help="Re-send the last N days.")
@click.pass_context
def re_export(ctx: click.Context, since_text: str | None, last: int | None) -> None:
    """Write folders that re-send every row changed since a date.

    The regular stream does not move; the folders sort after the newest
    folder and before the next regular one.

    \b
    Example:
        gimexport re-export --last 2
    """
    from gim_export.control import re_export as run_re_export

    if (since_text is None) == (last is None):
        raise click.UsageError("give exactly one of --since and --last")
    if since_text is not None:
        since = _date(since_text, "--since")
    else:
        since = dt.datetime.now(dt.UTC) - dt.timedelta(days=last or 0)
    settings = settings_of(ctx)
    with progress_for(on_terminal()) as progress:
        folders = run_re_export(settings, since, progress)
    for folder in folders:
        meta = folder.metadata
        click.echo(
            f"{folder.path.name}: audit keys {meta.hwm_from + 1}..{meta.hwm_to}, "
            f"{folder.rows} rows"
        )
    if not folders:
        click.echo(
            f"nothing to re-export: no exported audit key holds data at or after "
            f"{since:%Y-%m-%d %H:%M:%S} UTC"
        )
