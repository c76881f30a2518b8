"""The log's Ed25519 signing key: where it comes from, its id, signing and verifying heads.

Production reads the key from PLENARY_LOG_SIGNING_KEY (base64 of the raw 32-byte seed; the
app's config first, then the environment) and refuses to sign without it. Development and
tests keep a generated key in the instance folder (`log_signing_key`, mode 0600; the folder
is PLENARY_INSTANCE_PATH when set, else the app's instance path). A key is named by its id:
the first 16 hex digits of SHA-256 of its raw public key.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.config import ConfigError

KEY_VARIABLE = "PLENARY_LOG_SIGNING_KEY"
KEY_FILE = "log_signing_key"
ALGORITHM = "ed25519"


class LogKeyMissing(ConfigError):
    """No usable signing key: production without PLENARY_LOG_SIGNING_KEY, or a bad value."""


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    public_key: str  # base64 of the raw 32 bytes
    key_id: str

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.private.sign(message)).decode("ascii")


def key_id_for(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()[:16]


def new_seed() -> str:
    """A fresh key, as PLENARY_LOG_SIGNING_KEY wants it."""
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


@functools.lru_cache(maxsize=8)
def key_from_seed(seed_b64: str) -> SigningKey:
    """The key of a base64 seed; raises LogKeyMissing unless it is base64 of 32 bytes."""
    try:
        seed = base64.b64decode(seed_b64.strip(), validate=True)
    except (binascii.Error, ValueError):
        seed = b""
    if len(seed) != 32:
        raise LogKeyMissing(f"{KEY_VARIABLE} must be the base64 of a 32-byte Ed25519 seed")
    private = Ed25519PrivateKey.from_private_bytes(seed)
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return SigningKey(private, base64.b64encode(public).decode("ascii"), key_id_for(public))


def instance_key(path: Path) -> SigningKey:
    """The development key kept at `path`, created (0600, never overwritten) when absent."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: read theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(new_seed() + "\n")
    return key_from_seed(path.read_text().strip())


def configured_key(
    config: Mapping[str, object], instance_path: str | Path, env: Mapping[str, str] | None = None
) -> SigningKey:
    """The signing key this configuration names (see the module's docstring)."""
    env = os.environ if env is None else env
    seed = config.get(KEY_VARIABLE) or env.get(KEY_VARIABLE)
    if seed:
        return key_from_seed(str(seed))
    if config.get("PLENARY_ENV") == "production":
        raise LogKeyMissing(
            f"PLENARY_ENV=production needs {KEY_VARIABLE} (base64 of a 32-byte Ed25519 seed; "
            "`plenary log keygen` prints one) before the transparency log can sign"
        )
    folder = env.get("PLENARY_INSTANCE_PATH") or str(instance_path)
    return instance_key(Path(folder) / KEY_FILE)


def current_key() -> SigningKey:
    """The key of the running app."""
    from flask import current_app

    return configured_key(current_app.config, current_app.instance_path)


def verify(public_key_b64: str, message: bytes, signature_b64: str) -> bool:
    """Whether `signature_b64` is a valid Ed25519 signature of `message` by that key."""
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        public.verify(base64.b64decode(signature_b64, validate=True), message)
    except (InvalidSignature, ValueError, binascii.Error, TypeError):
        return False
    return True
