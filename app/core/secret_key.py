"""The session-signing key: from the environment, or generated once per instance and kept there.

A key written in the source would let anyone who reads the repository sign an administrator's
session cookie, so the embedded default makes its own random key on first start and keeps it in
the instance folder (outside git), readable by the owner only.
"""

import contextlib
import os
import secrets
from pathlib import Path

from flask import Flask

KEY_FILE_NAME = "secret_key"
KEY_BYTES = 48


def configure_secret_key(app: Flask, required: bool) -> None:
    """Use the configured key; without one, refuse (production) or load the instance's own key."""
    # The environment is read here as well as in config.py: it may be set after config was imported.
    configured = app.config.get("SECRET_KEY") or os.environ.get("SECRET_KEY")
    if configured:
        app.config["SECRET_KEY"] = configured
        return
    if required:
        from config import ConfigurationError

        raise ConfigurationError("SECRET_KEY must be set in the environment for this configuration")
    app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))


def instance_secret_key(instance: Path) -> str:
    """Read the instance's key, creating it atomically the first time (several workers may race)."""
    path = instance / KEY_FILE_NAME
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        _create_key_file(path)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < KEY_BYTES:
        from config import ConfigurationError

        raise ConfigurationError(f"{path} is too short to be a secret key; delete it to make a new one")
    return key


def _create_key_file(path: Path) -> None:
    """Write a fresh key under a temporary name, then link it into place: the first worker wins."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(KEY_BYTES) + "\n")
        with contextlib.suppress(FileExistsError):  # another worker created it first: use theirs
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
