"""Engine code version recorded with every result so a replay can tell code changes from data changes."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

ENGINE_VERSION = "1.0.0"


@cache
def code_hash() -> str:
    """sha256 over the engine's source and data files, stable across machines."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in {".py", ".json"}):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def engine_version() -> str:
    """Semantic version plus a short code hash, e.g. '1.0.0+3f2a9c1b0d4e'."""
    return f"{ENGINE_VERSION}+{code_hash()[:12]}"
