"""decrypt, and the --key options of the commands that read encrypted folders."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from gim_export.cli import cli
from gim_export.crypto import RSAPrivateKey, decrypt_file, load_private_key

F = TypeVar("F", bound=Callable[..., object])


def key_options(command: F) -> F:
    """Add --key and --key-password-env to a command that reads folders."""
    command = click.option(
        "--key-password-env",
        metavar="NAME",
        help="Environment variable that holds the passphrase of --key.",
    )(command)
    return click.option(
        "--key",
        "key_path",
        metavar="PATH",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Private key (PEM or DER) of the certificate the folders are "
        "encrypted to; without it an encrypted zip is checked by its .sha1 only.",
    )(command)


def private_key(
    key_path: Path | None, password_env: str | None
) -> RSAPrivateKey | None:
    """The key that --key names, or None."""
    if key_path is None:
        if password_env:
            raise click.UsageError("--key-password-env goes with --key")
        return None
    return load_private_key(key_path, password_env)


@cli.command()
@click.argument(
    "source",
    metavar="FILE",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the zip (default: FILE's name less .p7m, in the "
    "current directory).",
)
@click.option("--force", is_flag=True, help="Replace an existing output file.")
@key_options
def decrypt(
    source: Path,
    output: Path | None,
    force: bool,
    key_path: Path | None,
    key_password_env: str | None,
) -> None:
    """Decrypt an export_*.zip.p7m with the recipient's private key.

    The zip is written readable by its owner only. The default output lies
    outside the export folder, so that verify-chain still finds only the
    folder's own files there.

    \b
    Example:
        gimexport decrypt --key recipient.key received/export_X/export_X.zip.p7m
    """
    key = private_key(key_path, key_password_env)
    if key is None:
        raise click.UsageError("decrypt needs --key")
    plain_name = source.name.removesuffix(".p7m")
    if plain_name == source.name:
        plain_name += ".decrypted"
    target = output or Path(plain_name)
    if target.resolve() == source.resolve():
        raise click.UsageError("the output would replace FILE itself")
    if target.exists() or target.is_symlink():
        if not force:
            raise click.UsageError(
                f"{str(target)!r} exists; pass --force to replace it"
            )
        os.unlink(target)
    decrypt_file(source, target, key)
    click.echo(f"wrote {target}")
