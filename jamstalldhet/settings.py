"""Settings in one place: where data lives and the disclosure threshold."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
DATA_DIR: Final = ROOT / "data"
STORE_ENV: Final = "JAMSTALLDHET_STORE"
K_ENV: Final = "JAMSTALLDHET_K"
TEXTS_ENV: Final = "JAMSTALLDHET_TEXTS"


def store_dir() -> Path:
    """The default store: ``$JAMSTALLDHET_STORE`` when set, else ``data/store/``."""
    env = os.environ.get(STORE_ENV)
    return Path(env) if env else DATA_DIR / "store"


def texts_dir() -> Path:
    """Where the narrative follow-up texts live: ``$JAMSTALLDHET_TEXTS`` or ``data/uppfoljning/``."""
    env = os.environ.get(TEXTS_ENV)
    return Path(env) if env else DATA_DIR / "uppfoljning"


def default_k() -> int:
    """Disclosure threshold k (``$JAMSTALLDHET_K``, default 5)."""
    from .disclosure import DEFAULT_K

    try:
        return int(os.environ.get(K_ENV, DEFAULT_K))
    except ValueError:
        return DEFAULT_K


MAX_MB_ENV: Final = "JAMSTALLDHET_MAX_MB"


def max_file_bytes() -> int:
    """Largest file accepted for reading or upload (``$JAMSTALLDHET_MAX_MB``, default 200 MB)."""
    try:
        return int(float(os.environ.get(MAX_MB_ENV, 200)) * 1_000_000)
    except ValueError:
        return 200_000_000


def max_xlsx_unpacked_bytes() -> int:
    """An xlsx may unpack to at most 10 × the file size limit (real sheets compress about 5–10 ×)."""
    return 10 * max_file_bytes()
