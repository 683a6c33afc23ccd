"""Settings in one place: where data lives and the disclosure threshold."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from .errors import UserError

ROOT: Final = Path(__file__).resolve().parents[2]
DATA_DIR: Final = ROOT / "data"
STORE_ENV: Final = "JAMSTALLDHET_STORE"
K_ENV: Final = "JAMSTALLDHET_K"
TEXTS_ENV: Final = "JAMSTALLDHET_TEXTS"
# the other settings, read where they are used, but always through :func:`environment` (the only reader of
# the process environment in the package, so that every variable the tool knows is named here)
KEY_ENV: Final = "JAMSTALLDHET_KEY"
KEY_FILE_ENV: Final = "JAMSTALLDHET_KEY_FILE"
COSTS_ENV: Final = "JAMSTALLDHET_KOSTNADER"
DECISION_ENV: Final = "JAMSTALLDHET_BESLUTSDATUM"
ADDRESS_ENV: Final = "JAMSTALLDHET_ADDRESS"
TRUSTED_ENV: Final = "JAMSTALLDHET_BETRODD_NATVERK"  # "ja": serve a network address without sign-in
SESSION_HOURS_ENV: Final = "JAMSTALLDHET_INLOGGNING_TIMMAR"
CONFIG_HOME_ENV: Final = "XDG_CONFIG_HOME"


def environment(name: str, default: str = "") -> str:
    """The value of one of the variables named above (``default`` when unset): the package reads the
    environment here and nowhere else."""
    return os.environ.get(name, default)


def store_dir() -> Path:
    """The default store: ``$JAMSTALLDHET_STORE`` when set, else ``data/store/``."""
    env = os.environ.get(STORE_ENV)
    return Path(env) if env else DATA_DIR / "store"


def texts_dir() -> Path:
    """Where the narrative follow-up texts live: ``$JAMSTALLDHET_TEXTS`` or ``data/uppfoljning/``."""
    env = os.environ.get(TEXTS_ENV)
    return Path(env) if env else DATA_DIR / "uppfoljning"


DEFAULT_K: Final = 5
MIN_K: Final = 5


class SettingsError(UserError, ValueError):
    """A setting that cannot be used (Swedish message)."""


def default_k() -> int:
    """Disclosure threshold k of published tables (``$JAMSTALLDHET_K``, default 5).

    Refused, with a message, when it is not a whole number of at least :data:`MIN_K` (5): the environment can
    make published tables stricter, never turn their protection off (only internt läge does).
    """
    raw = os.environ.get(K_ENV)
    if raw is None or raw.strip() == "":
        return DEFAULT_K
    try:
        k = int(raw)
    except ValueError:
        raise SettingsError(f"{K_ENV}={raw!r} är inget heltal; ange minst {MIN_K} (standard {DEFAULT_K}).") from None
    if k < MIN_K:
        raise SettingsError(f"{K_ENV}={k} är för lågt: publicerade tabeller kräver minst {MIN_K} personer per cell. "
                            "Små tal visas bara i internt läge.")
    return k


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


CONTACT_EMAIL_ENV: Final = "JAMSTALLDHET_TILLGANGLIGHET_EPOST"
CONTACT_PHONE_ENV: Final = "JAMSTALLDHET_TILLGANGLIGHET_TELEFON"
#: the demo's placeholders, to be replaced in a deployment (README, Drift)
DEMO_CONTACT: Final = ("tillganglighet@kommun.example.se", "000-000 00 00")


def accessibility_contact() -> tuple[str, str, bool]:
    """Where to report an accessibility problem: (e-mail, telephone, whether these are the demo's
    placeholders), from ``JAMSTALLDHET_TILLGANGLIGHET_EPOST`` and ``JAMSTALLDHET_TILLGANGLIGHET_TELEFON``."""
    email = os.environ.get(CONTACT_EMAIL_ENV, "").strip()
    phone = os.environ.get(CONTACT_PHONE_ENV, "").strip()
    if email or phone:
        return email, phone, False
    return DEMO_CONTACT[0], DEMO_CONTACT[1], True

