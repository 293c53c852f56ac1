"""gim_export.crypto with real certificates: CMS that openssl reads and writes."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from gim_export import crypto
from gim_export.errors import ConfigError

NOW = dt.datetime.now(dt.UTC)
DAY = dt.timedelta(days=1)


def openssl_certificate(directory: Path, name: str = "recipient") -> tuple[Path, Path]:
    """A self-signed RSA certificate and its key, made by ``openssl req``."""
    certificate, key = directory / f"{name}.crt", directory / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
         "-keyout", str(key), "-out", str(certificate), "-days", "2",
         "-subj", f"/CN={name}/O=gimexport tests"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


def built_certificate(
    path: Path,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None = None,
    *,
    not_before: dt.datetime = NOW - DAY,
    not_after: dt.datetime = NOW + DAY,
    usage: x509.KeyUsage | None = None,
    der: bool = False,
) -> Path:
    """A self-signed certificate with the given key, validity and key usage."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "built")])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    certificate = builder.sign(key, hashes.SHA256())
    encoding = serialization.Encoding.DER if der else serialization.Encoding.PEM
    path.write_bytes(certificate.public_bytes(encoding))
    return path


def _usage(**allowed: bool) -> x509.KeyUsage:
    flags = dict.fromkeys(
        (
            "digital_signature", "content_commitment", "key_encipherment",
            "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign",
            "encipher_only", "decipher_only",
        ),
        False,
    )  # fmt: skip
    return x509.KeyUsage(**(flags | allowed))


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The recipient's certificate and private key, from openssl."""
    return openssl_certificate(tmp_path_factory.mktemp("pki"))


def openssl_decrypt(source: Path, pair: tuple[Path, Path]) -> bytes:
    certificate, key = pair
    return subprocess.run(
        ["openssl", "cms", "-decrypt", "-binary", "-inform", "DER",
         "-in", str(source), "-recip", str(certificate), "-inkey", str(key)],
        check=True,
        capture_output=True,
    ).stdout  # fmt: skip


def encrypted(tmp_path: Path, pair: tuple[Path, Path], data: bytes) -> Path:
    plain = tmp_path / "export_1.zip"
    plain.write_bytes(data)
    return crypto.encrypt_file(plain, crypto.load_recipient(pair[0]))


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, crypto.BLOCK + 5])
def test_round_trip_and_openssl_reads_it(
    tmp_path: Path, pair: tuple[Path, Path], size: int
) -> None:
    data = os.urandom(size)
    sealed = encrypted(tmp_path, pair, data)
    assert sealed.name == "export_1.zip.p7m"
    assert not (tmp_path / "export_1.zip").exists()
    assert sealed.stat().st_mode & 0o777 == 0o600
    assert openssl_decrypt(sealed, pair) == data

    crypto.decrypt_file(sealed, tmp_path / "plain", crypto.load_private_key(pair[1]))
    assert (tmp_path / "plain").read_bytes() == data
    assert (tmp_path / "plain").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["-stream"],
        ["-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256"],
    ],
    ids=["pkcs1", "ber-stream", "oaep-sha256"],
)
def test_decrypts_what_openssl_writes(
    tmp_path: Path, pair: tuple[Path, Path], options: list[str]
) -> None:
    data = os.urandom(100_000)
    (tmp_path / "plain").write_bytes(data)
    subprocess.run(
        ["openssl", "cms", "-encrypt", "-binary", "-aes256", "-outform", "DER",
         "-in", str(tmp_path / "plain"), "-out", str(tmp_path / "sealed"),
         "-recip", str(pair[0]), *options],
        check=True,
        capture_output=True,
    )  # fmt: skip
    key = crypto.load_private_key(pair[1])
    crypto.decrypt_file(tmp_path / "sealed", tmp_path / "out", key)
    assert (tmp_path / "out").read_bytes() == data


def test_the_key_of_another_certificate_opens_nothing(
    tmp_path: Path, pair: tuple[Path, Path]
) -> None:
    sealed = encrypted(tmp_path, pair, b"zip bytes")
    _, other_key = openssl_certificate(tmp_path, "other")
    with pytest.raises(crypto.DecryptionError) as caught:
        crypto.decrypt_file(
            sealed, tmp_path / "out", crypto.load_private_key(other_key)
        )
    assert str(caught.value) == (
        "export_1.zip.p7m is not encrypted to this key (1 RSA recipient(s) tried)"
    )
    assert not (tmp_path / "out").exists()


def _cut(data: bytes) -> bytes:
    return data[:-10]


def _flip_last(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 0xFF])


def _huge_length(data: bytes) -> bytes:
    # The outer SEQUENCE claims 2**62 bytes.
    return b"\x30\x88" + (2**62).to_bytes(8, "big") + data[4:]


def _not_cms(data: bytes) -> bytes:
    return b"PK\x03\x04" + data[4:]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_cut, "ends early: it is cut short or not CMS"),
        (
            _flip_last,
            "does not decrypt cleanly: it is damaged, or the key is not its "
            "recipient's",
        ),
        (_huge_length, "is not as long as its envelope declares"),
        (_not_cms, "is not CMS enveloped data (no ContentInfo)"),
    ],
    ids=["truncated", "flipped", "huge-length", "a-zip"],
)
def test_damaged_or_hostile_files_are_refused(
    tmp_path: Path, pair: tuple[Path, Path], damage: object, message: str
) -> None:
    sealed = encrypted(tmp_path, pair, os.urandom(5000))
    sealed.write_bytes(damage(sealed.read_bytes()))  # type: ignore[operator]
    with pytest.raises(crypto.DecryptionError) as caught:
        crypto.decrypt_file(sealed, tmp_path / "out", crypto.load_private_key(pair[1]))
    assert str(caught.value) == f"export_1.zip.p7m {message}"
    assert not (tmp_path / "out").exists()


def test_recipient_is_described_for_the_metadata(pair: tuple[Path, Path]) -> None:
    recipient = crypto.load_recipient(pair[0])
    tag, attributes = recipient.detail()
    assert tag == "encryption"
    assert dict(attributes) == {
        "scheme": "cms",
        "cipher": "aes-256-cbc",
        "key-transport": "rsaes-oaep-sha256",
        "recipient": "O=gimexport tests,CN=recipient",
        "certificate-sha256": recipient.fingerprint,
    }


def test_der_certificate_is_accepted(tmp_path: Path) -> None:
    path = built_certificate(tmp_path / "c.der", der=True)
    assert crypto.load_recipient(path).subject == "CN=built"


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _small_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p, "cannot be read: No such file or directory"),
        (
            lambda p: _written(p, b"-----BEGIN CERTIFICATE-----\nnonsense\n"),
            "is not an X.509 certificate in PEM or DER form",
        ),
        (
            lambda p: built_certificate(p, not_after=NOW - DAY),
            f"expired on {(NOW - DAY):%Y-%m-%d}",
        ),
        (
            lambda p: built_certificate(p, not_before=NOW + DAY),
            f"is not valid before {(NOW + DAY):%Y-%m-%d}",
        ),
        (
            lambda p: built_certificate(p, _ec_key()),
            "holds an elliptic-curve key that cannot receive a key by transport; "
            "encryption needs a certificate with an RSA key",
        ),
        (
            lambda p: built_certificate(p, _small_key()),
            "holds a 1024-bit RSA key; at least 2048 bits are needed",
        ),
        (
            lambda p: built_certificate(p, usage=_usage(digital_signature=True)),
            "does not allow key encipherment (key usage)",
        ),
    ],
    ids=["missing", "garbage", "expired", "not-yet-valid", "ec", "small", "usage"],
)
def test_unusable_certificates_are_refused(
    tmp_path: Path, make: object, reason: str
) -> None:
    path = make(tmp_path / "recipient.crt")  # type: ignore[operator]
    with pytest.raises(ConfigError) as caught:
        crypto.load_recipient(path)
    assert str(caught.value) == f"encrypt-certificate {str(path)!r} {reason}"


def test_key_usage_with_key_encipherment_is_accepted(tmp_path: Path) -> None:
    usage = _usage(digital_signature=True, key_encipherment=True)
    crypto.load_recipient(built_certificate(tmp_path / "c.pem", usage=usage))


def test_key_with_a_passphrase(
    tmp_path: Path, pair: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked.key"
    subprocess.run(
        ["openssl", "pkey", "-in", str(pair[1]), "-out", str(locked), "-aes256",
         "-passout", "pass:correct horse"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    where = f"key {str(locked)!r}"
    with pytest.raises(ConfigError) as caught:
        crypto.load_private_key(locked)
    assert str(caught.value) == (
        f"{where} is protected by a passphrase; name the environment variable "
        "that holds it with --key-password-env"
    )

    monkeypatch.setenv("GIMTEST_PASSPHRASE", "wrong horse")
    with pytest.raises(ConfigError) as caught:
        crypto.load_private_key(locked, "GIMTEST_PASSPHRASE")
    assert "horse" not in str(caught.value)

    monkeypatch.setenv("GIMTEST_PASSPHRASE", "correct horse")
    assert crypto.load_private_key(locked, "GIMTEST_PASSPHRASE").key_size == 2048


def test_decrypted_leaves_nothing_behind(
    tmp_path: Path, pair: tuple[Path, Path]
) -> None:
    sealed = encrypted(tmp_path, pair, b"zip bytes")
    key = crypto.load_private_key(pair[1])
    with crypto.decrypted(sealed, key, "export_1.zip") as plain:
        assert plain.read_bytes() == b"zip bytes"
        assert plain.parent.stat().st_mode & 0o777 == 0o700
        assert plain.stat().st_mode & 0o777 == 0o600
    assert not plain.parent.exists()
