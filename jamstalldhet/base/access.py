"""Who may do what: sign-in configuration, roles from a claim, rights per role, the bind address.

Pure functions over the parsed ``.streamlit/secrets.toml`` (a dict); the Streamlit glue is
``pages/_auth.py``. Contract, section 9:

- without ``[auth]`` the dashboard is a single-user tool on the analyst's own computer: it listens
  on 127.0.0.1 only and its one user has every right;
- with ``[auth]`` every page needs a signed-in user, whose role comes from a claim (default
  ``groups``) mapped in ``[roller]``: ``läsare`` (every signed-in user), ``analytiker``,
  ``förvaltare``.

``python -m jamstalldhet.base.access`` prints the address ``make run`` binds the server to.
"""

from __future__ import annotations

import ipaddress
import math
import sys
import tomllib
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from .errors import UserError
from .settings import ADDRESS_ENV, SESSION_HOURS_ENV, TRUSTED_ENV, environment


class Role(StrEnum):
    LASARE = "läsare"
    ANALYTIKER = "analytiker"
    FORVALTARE = "förvaltare"


class Right(StrEnum):
    """One thing a user may do; each is checked where the action happens."""

    VIEW = "se publicerade siffror, ladda ned, årsrapport och rapportläge"
    INTERNAL = "slå på internt läge"
    IMPORT = "importera"
    TEXT = "skriva uppföljningstexter"
    PLAN = "ändra planstatus"
    REPLACE = "ersätta importer"
    REMOVE = "ta bort importer"
    EVENTLOG = "läsa och ladda ned händelseloggen"


RIGHTS: Final[Mapping[Role, frozenset[Right]]] = {
    Role.LASARE: frozenset({Right.VIEW}),
    Role.ANALYTIKER: frozenset({Right.VIEW, Right.INTERNAL, Right.IMPORT, Right.TEXT, Right.PLAN}),
    Role.FORVALTARE: frozenset(Right),
}
DEFAULT_CLAIM: Final = "groups"
LOCAL_ADDRESS: Final = "127.0.0.1"
ALL_ADDRESSES: Final = "0.0.0.0"  # noqa: S104 - only with sign-in configured
DEFAULT_SESSION_HOURS: Final = 8.0
MIN_SECRET_LENGTH: Final = 32
MIN_SECRET_BITS: Final = 80.0  # estimated from the characters' frequencies (a 32-character hex token: 94–125)
EXAMPLE_SECRET_MARK: Final = "BYT-UT"  # .streamlit/secrets.example.toml's placeholders
MAKE_SECRET: Final = 'python3 -c "import secrets; print(secrets.token_hex(32))"'
# The [roller] keys that give a role (förvaltare may be spelled without ö, as in the contract).
_ROLE_KEYS: Final = {Role.ANALYTIKER: ("analytiker",), Role.FORVALTARE: ("forvaltare", "förvaltare")}


class AccessConfigError(UserError, ValueError):
    """The sign-in or role settings cannot be used (message in Swedish)."""


@dataclass(frozen=True)
class RoleMap:
    claim: str
    groups: Mapping[Role, frozenset[str]]


@dataclass(frozen=True)
class User:
    sub: str
    email: str
    role: Role

    def may(self, right: Right) -> bool:
        return right in RIGHTS[self.role]


def auth_configured(secrets: Mapping[str, Any]) -> bool:
    """Sign-in is on as soon as ``[auth]`` is there (an incomplete one fails closed, at sign-in)."""
    return isinstance(secrets.get("auth"), Mapping) and bool(secrets["auth"])


def login_provider(secrets: Mapping[str, Any]) -> str | None:
    """The provider for ``st.login``: None when ``[auth]`` itself holds client_id (Streamlit's
    default provider), else the first ``[auth.<name>]`` section."""
    section = secrets.get("auth")
    if not isinstance(section, Mapping) or "client_id" in section:
        return None
    return next((name for name, value in section.items() if isinstance(value, Mapping)), None)


def _names(value: object, key: str) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return frozenset(value)
    raise AccessConfigError(f"[roller] {key} i secrets.toml ska vara en lista med gruppnamn, t.ex. {key} = [\"grupp\"].")


def role_map(secrets: Mapping[str, Any]) -> RoleMap:
    """The ``[roller]`` section: which claim lists the groups, and which groups give which role."""
    section = secrets.get("roller", {})
    if not isinstance(section, Mapping):
        raise AccessConfigError("[roller] i secrets.toml ska vara en sektion (rubriken [roller]).")
    claim = section.get("claim", DEFAULT_CLAIM)
    if not isinstance(claim, str) or not claim.strip():
        raise AccessConfigError("[roller] claim i secrets.toml ska vara namnet på ett claim, t.ex. claim = \"groups\".")
    known = {"claim"} | {k for keys in _ROLE_KEYS.values() for k in keys}
    unknown = sorted(set(section) - known)
    if unknown:
        raise AccessConfigError(f"Okänd nyckel i [roller] i secrets.toml: {', '.join(unknown)}. "
                                "Tillåtna: claim, analytiker, forvaltare.")
    groups = {role: frozenset().union(*(_names(section[k], k) for k in keys if k in section))
              for role, keys in _ROLE_KEYS.items()}
    return RoleMap(claim.strip(), groups)


def claim_values(claims: Mapping[str, Any], claim: str) -> frozenset[str]:
    """The user's groups: a list claim, or one string (some providers send a single group)."""
    value = claims.get(claim)
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, (list, tuple)):
        return frozenset(str(v) for v in value)
    return frozenset()


def role_of(claims: Mapping[str, Any], roles: RoleMap) -> Role:
    """The highest role any of the user's groups gives; every signed-in user is at least läsare."""
    have = claim_values(claims, roles.claim)
    for role in (Role.FORVALTARE, Role.ANALYTIKER):
        if have & roles.groups[role]:
            return role
    return Role.LASARE


def signed_in_user(claims: Mapping[str, Any], roles: RoleMap) -> User:
    return User(str(claims.get("sub", "")), str(claims.get("email", "") or ""), role_of(claims, roles))


def local_user(login: str) -> User:
    """Without sign-in: the one user of the analyst's own computer, with every right."""
    return User(f"lokal:{login}", "", Role.FORVALTARE)


def is_loopback(address: str | None) -> bool:
    """Whether a server bound to ``address`` is reachable from this computer only."""
    if address is None or address.strip() == "":
        return False  # Streamlit's default: every interface
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip()).is_loopback
    except ValueError:
        return False


def cookie_secret_problem(secrets: Mapping[str, Any]) -> str | None:
    """Why ``[auth] cookie_secret`` cannot protect the sign-in cookie (None: it can, or no sign-in).

    The secret signs the cookie that says who is signed in and in which groups: whoever knows it, or
    can guess it, makes a cookie for any user, a förvaltare included. Refused: missing, the example's,
    shorter than 32 characters, or low in entropy (few distinct characters, or a repeated pattern)."""
    if not auth_configured(secrets):
        return None
    value = secrets["auth"].get("cookie_secret")
    if not isinstance(value, str) or not value.strip():
        why = "saknas"
    elif EXAMPLE_SECRET_MARK in value.upper():
        why = "exemplets platshållare"
    elif len(value) < MIN_SECRET_LENGTH:
        why = f"för kort ({len(value)} tecken, minst {MIN_SECRET_LENGTH})"
    elif secret_bits(value) < MIN_SECRET_BITS or len(zlib.compress(value.encode("utf-8"), 9)) < 0.6 * len(value):
        why = "för förutsägbar (för få olika tecken eller ett upprepat mönster)"
    else:
        return None
    return (f"Inloggningen kan inte användas: cookie_secret i [auth] i .streamlit/secrets.toml är {why}. Den signerar "
            "inloggningskakan, och med en känd eller svag hemlighet kan vem som helst förfalska en inloggning. "
            f"Skapa en ny med {MAKE_SECRET}, skriv in den och starta om servern.")


def secret_bits(value: str) -> float:
    """The secret's entropy estimated from its characters' frequencies (bits for the whole string)."""
    counts = Counter(value)
    n = len(value)
    return -n * sum(c / n * math.log2(c / n) for c in counts.values()) if n else 0.0


def session_max_seconds() -> float:
    """How long a sign-in lasts (``JAMSTALLDHET_INLOGGNING_TIMMAR``, default 8 hours)."""
    raw = environment(SESSION_HOURS_ENV).strip()
    try:
        hours = float(raw) if raw else DEFAULT_SESSION_HOURS
    except ValueError as exc:
        raise AccessConfigError(f"{SESSION_HOURS_ENV} ska vara ett antal timmar, t.ex. 8 (inte {raw!r}).") from exc
    if not 0 < hours <= 24 * 30:
        raise AccessConfigError(f"{SESSION_HOURS_ENV} ska vara mellan 0 och 720 timmar (inte {raw}).")
    return hours * 3600


def sign_in_time(claims: Mapping[str, Any]) -> float | None:
    """When the user signed in: the id token's ``iat`` (issued at), in seconds since 1970."""
    value = claims.get("iat")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def session_expired(claims: Mapping[str, Any], now: float, max_seconds: float) -> bool:
    """A sign-in without a time, from the future, or older than ``max_seconds`` has ended."""
    at = sign_in_time(claims)
    return at is None or at > now + 300 or now - at > max_seconds


def sign_in_parts(claims: Mapping[str, Any]) -> list[str]:
    """What identifies one sign-in (not the person): subject, issue time and the id token's nonce."""
    return [str(claims.get(k, "")) for k in ("sub", "iat", "nonce", "sid")]


def network_trusted() -> bool:
    return environment(TRUSTED_ENV).strip().lower() in ("ja", "1", "true", "yes")


def serving_problem(secrets: Mapping[str, Any], address: str | None, trusted: bool) -> str | None:
    """Why the dashboard must not serve: without sign-in on an address the network reaches."""
    if auth_configured(secrets) or is_loopback(address) or trusted:
        return None
    return (f"Instrumentpanelen visar ingenting: servern lyssnar på {address or 'alla nätverkskort'} utan inloggning, "
            "så alla i nätverket skulle kunna importera och se små tal. Starta den med `make run` (lyssnar bara på "
            f"{LOCAL_ADDRESS}), ställ in inloggning ([auth] i .streamlit/secrets.toml) eller, om nätverket är betrott, "
            f"sätt {TRUSTED_ENV}=ja. Se README, Inloggning, roller och drift.")


def bind_address(secrets: Mapping[str, Any], requested: str | None = None) -> str:
    """The address to listen on: 127.0.0.1 without sign-in; with it every interface (or ``requested``).

    A request for a network address without sign-in is refused, not quietly narrowed (unless the
    network is declared trusted)."""
    problem = cookie_secret_problem(secrets)
    if problem:
        raise AccessConfigError(problem)
    if requested:
        if not auth_configured(secrets) and not is_loopback(requested) and not network_trusted():
            raise AccessConfigError(
                f"Utan inloggning ([auth] i .streamlit/secrets.toml) lyssnar servern bara på {LOCAL_ADDRESS}, "
                f"inte på {requested}. Se README, Inloggning, roller och drift.")
        return requested
    return ALL_ADDRESSES if auth_configured(secrets) else LOCAL_ADDRESS


def secrets_files(cwd: Path | None = None, home: Path | None = None) -> list[Path]:
    """Where Streamlit looks for secrets.toml by default, in its order (later files win)."""
    return [(home or Path.home()) / ".streamlit" / "secrets.toml", (cwd or Path.cwd()) / ".streamlit" / "secrets.toml"]


def load_secrets(files: Iterable[Path]) -> dict[str, Any]:
    """The merged secrets files (top-level keys of later files win, as in Streamlit)."""
    merged: dict[str, Any] = {}
    for f in files:
        if f.is_file():
            try:
                merged.update(tomllib.loads(f.read_text(encoding="utf-8")))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise AccessConfigError(f"{f} kunde inte läsas som TOML: {exc}") from exc
    return merged


def main(argv: list[str] | None = None) -> int:
    """Print the bind address for ``make run`` (``$JAMSTALLDHET_ADDRESS`` may ask for another)."""
    del argv
    try:
        print(bind_address(load_secrets(secrets_files()), environment(ADDRESS_ENV) or None))
    except AccessConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
