"""Encrypted export zips: CMS enveloped data for the holder of a certificate.

With ``encrypt-certificate`` set, each folder's zip is replaced by
``export_XXX.zip.p7m``: a DER ``ContentInfo`` holding ``EnvelopedData``
(RFC 5652) with one recipient, the certificate's RSA key, which wraps a
fresh AES-256 key with RSAES-OAEP (SHA-256, RFC 3560); the zip itself is
encrypted with AES-256-CBC. ``openssl cms -decrypt -inform DER -binary``
reads it, and so does :func:`decrypt_file`.

Both directions stream in fixed-size blocks: the ciphertext's length is
known before the first byte is written, so every length is definite and no
file is held in memory. The decrypting side reads files from strangers: it
caps every length before it reads, and streams the content without keeping
it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import (
    MGF1,
    OAEP,
    AsymmetricPadding,
    PKCS1v15,
)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from gim_export.config import Settings
from gim_export.errors import ConfigError, GimExportError
from gim_export.package import open_with_mode

logger = logging.getLogger(__name__)

ENCRYPTED_SUFFIX = ".zip.p7m"
ENCRYPTED_SUM_SUFFIX = ".zip.p7m.sha1"
CIPHER_NAME = "aes-256-cbc"
KEY_TRANSPORT_NAME = "rsaes-oaep-sha256"
MIN_RSA_BITS = 2048
BLOCK = 1024 * 1024

# Caps on what is read into memory from a received file: the recipient
# list and the algorithm parameters are small; the content is streamed.
MAX_RECIPIENTS_BYTES = 1024 * 1024
MAX_SMALL_BYTES = 4096

Detail = tuple[str, tuple[tuple[str, str], ...]]
RSAPrivateKey = rsa.RSAPrivateKey


class DecryptionError(GimExportError):
    """An encrypted file cannot be decrypted: damaged, not CMS or another key."""


def _oid(dotted: str) -> bytes:
    """The DER content octets of an object identifier."""
    numbers = [int(part) for part in dotted.split(".")]
    out = bytearray([40 * numbers[0] + numbers[1]])
    for number in numbers[2:]:
        chunk = [number & 0x7F]
        while number := number >> 7:
            chunk.append(0x80 | (number & 0x7F))
        out += bytes(reversed(chunk))
    return bytes(out)


OID_DATA = _oid("1.2.840.113549.1.7.1")
OID_ENVELOPED_DATA = _oid("1.2.840.113549.1.7.3")
OID_RSA_ENCRYPTION = _oid("1.2.840.113549.1.1.1")
OID_RSAES_OAEP = _oid("1.2.840.113549.1.1.7")
OID_MGF1 = _oid("1.2.840.113549.1.1.8")
OID_AES_256_CBC = _oid("2.16.840.1.101.3.4.1.42")
_HASHES: dict[bytes, Callable[[], hashes.HashAlgorithm]] = {
    _oid("1.3.14.3.2.26"): hashes.SHA1,
    _oid("2.16.840.1.101.3.4.2.1"): hashes.SHA256,
    _oid("2.16.840.1.101.3.4.2.2"): hashes.SHA384,
    _oid("2.16.840.1.101.3.4.2.3"): hashes.SHA512,
}
OID_SHA256 = _oid("2.16.840.1.101.3.4.2.1")


# ---------------------------------------------------------------------------
# DER writing


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def _tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _length(len(content)) + content


def _integer(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True))


def _wrap(tag: int, prefix: bytes, tail: int) -> bytes:
    """A header and the first bytes of an element whose last ``tail`` bytes
    (the ciphertext) are written after it."""
    return bytes([tag]) + _length(len(prefix) + tail) + prefix


# ---------------------------------------------------------------------------
# The recipient certificate


@dataclass(frozen=True)
class Recipient:
    """The certificate export zips are encrypted to."""

    path: Path
    certificate: x509.Certificate

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        """The RSA key the content key is wrapped with."""
        key = self.certificate.public_key()
        assert isinstance(key, rsa.RSAPublicKey)
        return key

    @property
    def subject(self) -> str:
        """The certificate's subject, as RFC 4514 writes it."""
        return self.certificate.subject.rfc4514_string()

    @property
    def fingerprint(self) -> str:
        """The SHA-256 of the certificate's DER form, in hex."""
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    def detail(self) -> Detail:
        """The ``<encryption>`` element of the folder's metadata."""
        attributes = {
            "scheme": "cms",
            "cipher": CIPHER_NAME,
            "key-transport": KEY_TRANSPORT_NAME,
            "recipient": self.subject,
            "certificate-sha256": self.fingerprint,
        }
        return ("encryption", tuple(sorted(attributes.items())))

    def encryptor(self, file_mode: int) -> Callable[[Path], Path]:
        """A function that encrypts a zip into ``.zip.p7m`` and removes the zip."""

        def encrypt(plain: Path) -> Path:
            return encrypt_file(plain, self, file_mode)

        return encrypt


def load_recipient(path: Path, now: dt.datetime | None = None) -> Recipient:
    """Read and check ``encrypt-certificate``; every refusal names the file.

    The certificate must parse (PEM or DER), be valid now, hold an RSA key
    of at least MIN_RSA_BITS bits and, when it restricts key usage, allow
    key encipherment.
    """
    where = f"encrypt-certificate {str(path)!r}"
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{where} cannot be read: {error.strerror}") from None
    try:
        if b"-----BEGIN" in data:
            certificate = x509.load_pem_x509_certificate(data)
        else:
            certificate = x509.load_der_x509_certificate(data)
    except ValueError:
        raise ConfigError(
            f"{where} is not an X.509 certificate in PEM or DER form"
        ) from None

    now = now or dt.datetime.now(dt.UTC)
    if now < certificate.not_valid_before_utc:
        raise ConfigError(
            f"{where} is not valid before {certificate.not_valid_before_utc:%Y-%m-%d}"
        )
    if now > certificate.not_valid_after_utc:
        raise ConfigError(
            f"{where} expired on {certificate.not_valid_after_utc:%Y-%m-%d}"
        )

    try:
        key = certificate.public_key()
    except (ValueError, UnsupportedAlgorithm):
        raise ConfigError(f"{where} holds a public key this tool cannot read") from None
    if not isinstance(key, rsa.RSAPublicKey):
        kind = (
            "an elliptic-curve" if isinstance(key, ec.EllipticCurvePublicKey) else "a"
        )
        raise ConfigError(
            f"{where} holds {kind} key that cannot receive a key by transport; "
            "encryption needs a certificate with an RSA key"
        )
    if key.key_size < MIN_RSA_BITS:
        raise ConfigError(
            f"{where} holds a {key.key_size}-bit RSA key; "
            f"at least {MIN_RSA_BITS} bits are needed"
        )
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is not None and not usage.key_encipherment:
        raise ConfigError(f"{where} does not allow key encipherment (key usage)")
    return Recipient(path, certificate)


def recipient_for(settings: Settings) -> Recipient | None:
    """The checked recipient of ``settings``, or None when nothing is encrypted."""
    if settings.encrypt_certificate is None:
        return None
    return load_recipient(settings.encrypt_certificate)


# ---------------------------------------------------------------------------
# Encrypting


def _recipient_info(recipient: Recipient, content_key: bytes) -> bytes:
    """A KeyTransRecipientInfo: issuer and serial, RSAES-OAEP, the wrapped key."""
    certificate = recipient.certificate
    wrapped = recipient.public_key.encrypt(
        content_key, OAEP(MGF1(hashes.SHA256()), hashes.SHA256(), None)
    )
    sha256 = _tlv(0x30, _tlv(0x06, OID_SHA256))
    oaep_parameters = _tlv(
        0x30,
        _tlv(0xA0, sha256) + _tlv(0xA1, _tlv(0x30, _tlv(0x06, OID_MGF1) + sha256)),
    )
    return _tlv(
        0x30,
        _integer(0)
        + _tlv(
            0x30,
            certificate.issuer.public_bytes() + _integer(certificate.serial_number),
        )
        + _tlv(0x30, _tlv(0x06, OID_RSAES_OAEP) + oaep_parameters)
        + _tlv(0x04, wrapped),
    )


def envelope_head(
    recipient: Recipient, content_key: bytes, iv: bytes, size: int
) -> bytes:
    """Every byte of the DER envelope that comes before ``size`` bytes of
    ciphertext; nothing comes after them."""
    algorithm = _tlv(0x30, _tlv(0x06, OID_AES_256_CBC) + _tlv(0x04, iv))
    content = _wrap(
        0x30, _tlv(0x06, OID_DATA) + algorithm + _wrap(0x80, b"", size), size
    )
    recipients = _tlv(0x31, _recipient_info(recipient, content_key))
    enveloped = _wrap(0x30, _integer(0) + recipients + content, size)
    return _wrap(
        0x30, _tlv(0x06, OID_ENVELOPED_DATA) + _wrap(0xA0, enveloped, size), size
    )


def encrypt_file(plain: Path, recipient: Recipient, file_mode: int = 0o600) -> Path:
    """Encrypt ``plain`` into ``<plain>.p7m`` (created with ``file_mode``),
    then remove ``plain``; return the new file's path."""
    target = plain.with_name(plain.name + ".p7m")
    content_key, iv = os.urandom(32), os.urandom(16)
    size = (plain.stat().st_size // 16 + 1) * 16
    encryptor = Cipher(algorithms.AES(content_key), modes.CBC(iv)).encryptor()
    padder = padding.PKCS7(128).padder()

    head = envelope_head(recipient, content_key, iv, size)
    fd = open_with_mode(target, file_mode)
    with open(plain, "rb") as source, os.fdopen(fd, "wb") as out:
        out.write(head)
        while block := source.read(BLOCK):
            out.write(encryptor.update(padder.update(block)))
        out.write(encryptor.update(padder.finalize()) + encryptor.finalize())
        written = out.tell()
    if written != len(head) + size:
        target.unlink()
        raise GimExportError(f"{plain.name} changed while it was being encrypted")
    plain.unlink()
    logger.debug("encrypted %s to %s", plain.name, recipient.subject)
    return target


# ---------------------------------------------------------------------------
# Decrypting


def load_private_key(path: Path, password_env: str | None = None) -> rsa.RSAPrivateKey:
    """Read the recipient's RSA private key (PEM or DER, PKCS#1 or PKCS#8).

    A key protected by a passphrase needs ``password_env``: the name of the
    environment variable that holds the passphrase.
    """
    where = f"key {str(path)!r}"
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{where} cannot be read: {error.strerror}") from None
    password = None
    if password_env:
        text = os.environ.get(password_env)
        if text is None:
            raise ConfigError(
                f"--key-password-env names {password_env!r}, which is not set"
            )
        password = text.encode()
    load = (
        serialization.load_pem_private_key
        if b"-----BEGIN" in data
        else serialization.load_der_private_key
    )
    try:
        key = load(data, password)
    except TypeError:
        raise ConfigError(
            f"{where} is protected by a passphrase; name the environment "
            "variable that holds it with --key-password-env"
            if password is None
            else f"{where} is not protected by a passphrase; drop --key-password-env"
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise ConfigError(
            f"{where} is not a private key in PEM or DER form, or its "
            "passphrase is wrong"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigError(f"{where} is not an RSA private key")
    return key


class _Reader:
    """Reads DER or BER headers and contents from a file, never past a cap."""

    def __init__(self, handle: BinaryIO, name: str) -> None:
        self.handle = handle
        self.name = name
        self.position = 0

    def fail(self, reason: str) -> DecryptionError:
        """The error for a file that is not what it should be."""
        return DecryptionError(f"{self.name} {reason}")

    def exact(self, size: int) -> bytes:
        """Exactly ``size`` bytes, or an error when the file ends first."""
        data = self.handle.read(size)
        if len(data) != size:
            raise self.fail("ends early: it is cut short or not CMS")
        self.position += size
        return data

    def header(self) -> tuple[int, int | None]:
        """The next tag and its length; None for an indefinite length."""
        tag, first = self.exact(2)
        if tag & 0x1F == 0x1F:
            raise self.fail("uses a tag number this reader does not know")
        if first < 0x80:
            return tag, first
        if first == 0x80:
            return tag, None
        if first - 0x80 > 8:
            raise self.fail("declares a length of more than 8 bytes")
        return tag, int.from_bytes(self.exact(first - 0x80), "big")

    def expect(self, tag: int, what: str) -> int | None:
        """Read a header that must carry ``tag``; return its length."""
        found, length = self.header()
        if found != tag:
            raise self.fail(f"is not CMS enveloped data (no {what})")
        return length

    def element(self, tag: int, what: str, limit: int = MAX_SMALL_BYTES) -> bytes:
        """The content of a definite-length element of at most ``limit`` bytes."""
        length = self.expect(tag, what)
        if length is None or length > limit:
            raise self.fail(f"has a {what} of unexpected size")
        return self.exact(length)

    def blocks(self, size: int) -> Iterator[bytes]:
        """``size`` bytes in blocks of at most BLOCK."""
        while size > 0:
            block = self.exact(min(size, BLOCK))
            size -= len(block)
            yield block


def _elements(data: bytes, reader: _Reader) -> Iterator[tuple[int, bytes]]:
    """The definite-length elements one after another in ``data``."""
    at = 0
    while at < len(data):
        if at + 2 > len(data):
            raise reader.fail("holds a truncated element")
        tag, first = data[at], data[at + 1]
        at += 2
        if first < 0x80:
            length = first
        elif 0x80 < first <= 0x84:
            count = first - 0x80
            length = int.from_bytes(data[at : at + count], "big")
            at += count
        else:
            raise reader.fail("holds an element of indefinite or huge length")
        if at + length > len(data):
            raise reader.fail("holds an element longer than its container")
        yield tag, data[at : at + length]
        at += length


def _padding_of(algorithm: bytes, reader: _Reader) -> AsymmetricPadding | None:
    """The RSA padding a recipient's key-encryption algorithm names."""
    parts = list(_elements(algorithm, reader))
    if not parts or parts[0][0] != 0x06:
        return None
    if parts[0][1] == OID_RSA_ENCRYPTION:
        return PKCS1v15()
    if parts[0][1] != OID_RSAES_OAEP:
        return None
    digest: Callable[[], hashes.HashAlgorithm] = hashes.SHA1
    mask: Callable[[], hashes.HashAlgorithm] = hashes.SHA1
    parameters = parts[1][1] if len(parts) > 1 and parts[1][0] == 0x30 else b""
    for tag, value in _elements(parameters, reader):
        inner = list(_elements(value, reader))
        if tag == 0xA0 and inner:
            digest = _hash_of(inner[0][1], reader)
        elif tag == 0xA1 and inner:
            mgf = list(_elements(inner[0][1], reader))
            if len(mgf) == 2 and mgf[0][1] == OID_MGF1:
                mask = _hash_of(mgf[1][1], reader)
        elif tag == 0xA2:
            return None  # a label: never written by gimexport or openssl
    return OAEP(MGF1(mask()), digest(), None)


def _hash_of(identifier: bytes, reader: _Reader) -> Callable[[], hashes.HashAlgorithm]:
    parts = list(_elements(identifier, reader))
    if not parts or parts[0][1] not in _HASHES:
        raise reader.fail("names a hash this tool does not know")
    return _HASHES[parts[0][1]]


def _content_key(recipients: bytes, key: rsa.RSAPrivateKey, reader: _Reader) -> bytes:
    """Unwrap the AES key from the first recipient that ``key`` opens."""
    tried = 0
    for tag, info in _elements(recipients, reader):
        parts = list(_elements(info, reader)) if tag == 0x30 else []
        if len(parts) != 4 or parts[2][0] != 0x30 or parts[3][0] != 0x04:
            continue  # not a key-transport recipient
        tried += 1
        scheme = _padding_of(parts[2][1], reader)
        if scheme is None:
            continue
        try:
            content_key = key.decrypt(parts[3][1], scheme)
        except ValueError:
            continue
        if len(content_key) == 32:
            return content_key
    raise reader.fail(f"is not encrypted to this key ({tried} RSA recipient(s) tried)")


def _ciphertext(reader: _Reader) -> Iterator[bytes]:
    """The encrypted content: one primitive string, or BER chunks."""
    tag, length = reader.header()
    if tag == 0x80 and length is not None:
        yield from reader.blocks(length)
        return
    if tag != 0xA0:
        raise reader.fail("holds no encrypted content")
    left = length
    while left is None or left > 0:
        chunk_tag, size = reader.header()
        if chunk_tag == 0 and size == 0 and left is None:
            return
        if chunk_tag != 0x04 or size is None:
            raise reader.fail("holds encrypted content in a form this tool cannot read")
        if left is not None:
            left -= 2 + len(_length(size)) + size
            if left < 0:
                raise reader.fail("holds encrypted content longer than declared")
        yield from reader.blocks(size)


def _decrypted_blocks(reader: _Reader, key: rsa.RSAPrivateKey) -> Iterator[bytes]:
    """Parse the envelope up to its content, then yield the plain bytes."""
    length = reader.expect(0x30, "ContentInfo")
    end = None if length is None else reader.position + length
    if reader.element(0x06, "content type") != OID_ENVELOPED_DATA:
        raise reader.fail("is CMS, but not enveloped data")
    reader.expect(0xA0, "content")
    reader.expect(0x30, "EnvelopedData")
    reader.element(0x02, "version")
    tag, length = reader.header()
    if tag == 0xA0:  # originatorInfo: certificates the receiver does not need
        if length is None or length > MAX_RECIPIENTS_BYTES:
            raise reader.fail("has originator information of unexpected size")
        reader.exact(length)
        tag, length = reader.header()
    if tag != 0x31 or length is None or length > MAX_RECIPIENTS_BYTES:
        raise reader.fail("has no readable recipient list")
    recipients = reader.exact(length)

    reader.expect(0x30, "EncryptedContentInfo")
    reader.element(0x06, "content type")
    algorithm = list(_elements(reader.element(0x30, "algorithm"), reader))
    if (
        len(algorithm) != 2
        or algorithm[0][1] != OID_AES_256_CBC
        or algorithm[1][0] != 0x04
        or len(algorithm[1][1]) != 16
    ):
        raise reader.fail(f"is not encrypted with {CIPHER_NAME}")
    content_key = _content_key(recipients, key, reader)

    decryptor = Cipher(
        algorithms.AES(content_key), modes.CBC(algorithm[1][1])
    ).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    size = 0
    for block in _ciphertext(reader):
        size += len(block)
        yield unpadder.update(decryptor.update(block))
    if size % 16:
        raise reader.fail("holds encrypted content cut short")
    if end is not None and (reader.position != end or reader.handle.read(1)):
        raise reader.fail("is not as long as its envelope declares")
    try:
        yield unpadder.update(decryptor.finalize()) + unpadder.finalize()
    except ValueError:
        raise reader.fail(
            "does not decrypt cleanly: it is damaged, or the key is not its recipient's"
        ) from None


def decrypt_file(
    source: Path, target: Path, key: rsa.RSAPrivateKey, file_mode: int = 0o600
) -> None:
    """Decrypt ``source`` into a new file ``target`` created with ``file_mode``.

    Nothing is left at ``target`` when decryption fails.
    """
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, file_mode)
    try:
        with open(source, "rb") as handle, os.fdopen(fd, "wb") as out:
            for block in _decrypted_blocks(_Reader(handle, source.name), key):
                out.write(block)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    logger.debug("decrypted %s", source.name)


@contextmanager
def decrypted(source: Path, key: rsa.RSAPrivateKey, name: str) -> Iterator[Path]:
    """Decrypt ``source`` into a private temporary directory as ``name``.

    The directory (mode 0700, under $TMPDIR) and the file (0600) are
    removed on leaving, whatever happened.
    """
    with tempfile.TemporaryDirectory(prefix="gimexport-") as directory:
        plain = Path(directory) / name
        decrypt_file(source, plain, key)
        yield plain


def encrypted_zip(folder: Path) -> Path | None:
    """The folder's ``.zip.p7m`` when it holds one, else None."""
    path = folder / f"{folder.name}{ENCRYPTED_SUFFIX}"
    return path if path.is_file() else None
