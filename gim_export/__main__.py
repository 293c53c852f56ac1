"""``python -m gim_export``: the same as the ``gimexport`` command."""

from gim_export.cli import cli

cli(prog_name="gimexport")
