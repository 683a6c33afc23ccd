"""Streamlit glue for sign-in, roles and the event log (the rules are in jamstalldhet.base.access).

``gate()`` runs in dashboard.py before the navigation: with ``[auth]`` configured a signed-out
visitor sees the sign-in view and nothing else. ``require(right)`` is called where an action
happens (a page, a button, a toggle): without the right the user gets "Du saknar behörighet" and
the script stops, whatever the widget state, the URL or the session state says.
"""

from __future__ import annotations

import getpass
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from jamstalldhet.base import access, eventlog
from jamstalldhet.base.access import Right
from jamstalldhet.base.settings import store_dir

# Pages (by url_path) that need a right beyond läsare; they stay reachable by URL (and then
# say "Du saknar behörighet") but are not in the menu of a role that may not use them.
PAGE_RIGHTS: dict[str, Right] = {"importera": Right.IMPORT}
LOCAL_LINE = "Lokalt läge – bara på den här datorn"


def _secrets() -> dict[str, Any]:
    """The secrets files as a dict; none is local mode, an unreadable one stops (fails closed)."""
    from streamlit.errors import StreamlitSecretNotFoundError

    try:
        return st.secrets.to_dict()
    except StreamlitSecretNotFoundError as exc:
        files = [Path(f) for f in st.get_option("secrets.files") or []]
        if any(f.exists() for f in files):
            st.error(f"Inställningsfilen secrets.toml kunde inte läsas: {exc}")
            st.stop()
        return {}


def configured() -> bool:
    return access.auth_configured(_secrets())


def _claims() -> dict[str, Any]:
    return {k: st.user[k] for k in st.user}


def _fingerprint(claims: dict[str, Any]) -> str:
    return eventlog.fingerprint(access.sign_in_parts(claims))


_revoked_cache: dict[tuple[str, int], bool] = {}
_seen_sign_ins: set[str] = set()
_seen_lock = threading.Lock()


def _signed_out(fingerprint: str) -> bool:
    """Whether this sign-in has signed out (the store's record, read again when it changes)."""
    target = store_dir() / eventlog.SIGN_OUTS
    try:
        stamp = target.stat().st_mtime_ns
    except OSError:
        return False
    key = (fingerprint, stamp)
    if key not in _revoked_cache:
        if len(_revoked_cache) > 10_000:
            _revoked_cache.clear()
        _revoked_cache[key] = eventlog.signed_out(store_dir(), fingerprint)
    return _revoked_cache[key]


def session_ended(claims: dict[str, Any]) -> str | None:
    """Why a signed-in cookie no longer counts (None: it does): too old, or signed out."""
    try:
        max_seconds = access.session_max_seconds()
    except access.AccessConfigError as exc:
        st.error(str(exc))
        st.stop()
    if access.session_expired(claims, time.time(), max_seconds):
        return "inloggningen har gått ut"
    if _signed_out(_fingerprint(claims)):
        return "utloggad inloggning"
    return None


def user() -> access.User | None:
    """The current user; None when sign-in is configured and nobody is signed in."""
    secrets = _secrets()
    if not access.auth_configured(secrets):
        try:
            login = getpass.getuser()
        except (KeyError, OSError):
            login = "användare"
        return access.local_user(login)
    if not st.user.is_logged_in:
        return None
    claims = _claims()
    if session_ended(claims) is not None:
        return None  # the sign-in view again; a new sign-in gives a new cookie
    try:
        roles = access.role_map(secrets)
    except access.AccessConfigError as exc:
        st.error(str(exc))
        st.stop()
    return access.signed_in_user(claims, roles)


def allowed(right: Right) -> bool:
    u = user()
    return u is not None and u.may(right)


def require(right: Right) -> access.User:
    """Stop the page unless the current user has ``right`` (checked on every run)."""
    u = user()
    if u is None:
        sign_in_view()
        st.stop()
    if not u.may(right):
        _write(u.sub, u.email, eventlog.REFUSED, f"{right.value} · sida {_page()}")
        st.error(f"Du saknar behörighet att {right.value}. Din roll är {u.role.value}. "
                 "Kontakta förvaltaren av uppföljningen om du behöver mer behörighet.", icon="🔒")
        st.stop()
    return u


def sign_in_view() -> None:
    st.title("Jämställdhetsuppföljning")
    st.markdown("Logga in med ditt konto för att se uppföljningen.")
    if st.button("Logga in", type="primary", key="_login"):
        from streamlit.errors import StreamlitAuthError

        try:
            st.login(access.login_provider(_secrets()))
        except StreamlitAuthError as exc:
            st.error(f"Inloggningen är inte rätt inställd i .streamlit/secrets.toml: {exc}")


@st.cache_resource(show_spinner=False)
def _started() -> bool:
    """Once per server process: remove the upload folders a crashed or killed server left behind."""
    from jamstalldhet.intake import importing

    importing.remove_leftover_uploads()
    return True


def refusal() -> str | None:
    """Why this server must not show anything (None: it may): a network address without sign-in, or
    a sign-in whose cookie_secret does not protect."""
    secrets = _secrets()
    if not access.auth_configured(secrets):
        if st.get_option("global.appTest"):
            return None
        return access.serving_problem(secrets, st.get_option("server.address"), access.network_trusted())
    return access.cookie_secret_problem(secrets)


def gate() -> None:
    """Before the navigation: nothing but the reason on a server that must not serve; the sign-in
    view for a signed-out visitor (or an old or signed-out cookie); else who is signed in."""
    _started()
    problem = refusal()
    if problem:
        st.error(problem, icon="🔒")
        st.stop()
    if not configured():
        st.sidebar.caption(LOCAL_LINE)
        return
    if st.user.is_logged_in:
        claims = _claims()
        ended = session_ended(claims)
        if ended is not None and st.session_state.get("_ended") != _fingerprint(claims):
            st.session_state["_ended"] = _fingerprint(claims)
            _write(str(claims.get("sub", "")), str(claims.get("email", "") or ""), eventlog.REFUSED, f"{ended} · sida {_page()}")
    u = user()
    if u is None or not u.may(Right.IMPORT):
        _drop_uploads()
    if u is None:
        return  # menu() turns every page into the sign-in view
    fp = _fingerprint(_claims())
    if st.session_state.get("_signed_in") != fp:  # once per sign-in (not per tab or reload) on this server
        st.session_state["_signed_in"] = fp
        with _seen_lock:
            first = fp not in _seen_sign_ins
            _seen_sign_ins.add(fp)
        if first:
            _write(u.sub, u.email, eventlog.SIGN_IN, f"roll {u.role.value}")
    st.sidebar.caption(f"Inloggad: {u.email or u.sub} ({u.role.value})")
    st.sidebar.button("Logga ut", key="_logout", on_click=_sign_out, icon=":material/logout:")


def _drop_uploads() -> None:
    """Streamlit takes uploads for any open session before a page asks for one: a session that may
    not import (signed out, läsare) has whatever it sent dropped from server memory on every run."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is not None and ctx.uploaded_file_mgr is not None:
        ctx.uploaded_file_mgr.remove_session_files(ctx.session_id)


def _sign_out() -> None:
    """Logga ut: the sign-in is recorded as signed out in the store (a copy of its cookie is
    refused from now on), logged, and Streamlit's sign-out follows."""
    if st.user.is_logged_in:
        claims = _claims()
        try:
            eventlog.sign_out(store_dir(), _fingerprint(claims))
        except OSError as exc:
            st.warning(f"Utloggningen kunde inte sparas: {exc}")
        _write(str(claims.get("sub", "")), str(claims.get("email", "") or ""), eventlog.SIGN_OUT, "")
    st.logout()


def _page() -> str:
    """The page this run draws (its address), for the log."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        if ctx is not None:
            info = ctx.pages_manager.get_pages().get(ctx.pages_manager.current_page_script_hash)
            if info and info.get("url_pathname") is not None:
                return str(info["url_pathname"]) or "/"
        from urllib.parse import urlparse

        return urlparse(st.context.url or "").path.strip("/") or "/"
    except Exception:  # noqa: BLE001 – only a label in the log
        return "?"


def _write(sub: str, email: str, event: str, obj: str) -> None:
    try:
        eventlog.append(store_dir(), sub, email, event, obj)
    except OSError as exc:
        st.warning(f"Händelsen kunde inte skrivas i händelseloggen: {exc}")


def menu(pages: Sequence[Any]) -> list[Any]:
    """The pages for st.navigation: pages the user may not use are left out of the menu (hidden);
    signed out, every address (a deep link too) is the sign-in view, and there is no menu."""
    u = user()
    if u is None:
        return [st.Page(sign_in_view, title="Logga in", url_path=p._url_path, default=p._default,
                        visibility="hidden") for p in pages]
    for p in pages:
        right = PAGE_RIGHTS.get(p.url_path)
        if right is not None and (u is None or not u.may(right)):
            p._visibility = "hidden"  # still reachable by URL, where require() answers
    return list(pages)


def log(event: str, obj: str) -> None:
    """Append an event for the current user to the store's event log."""
    u = user()
    if u is None:
        return
    _write(u.sub, u.email, event, obj)


def current() -> tuple[access.User, str] | None:
    """The current user and the fingerprint of their sign-in ("" without sign-in), for work done
    later outside the script run (a deferred download checks that the sign-in still counts)."""
    u = user()
    if u is None:
        return None
    return u, (_fingerprint(_claims()) if configured() else "")


def still_valid(fingerprint: str) -> bool:
    """Outside a script run: whether the sign-in ``fingerprint`` has not signed out since."""
    return not fingerprint or not eventlog.signed_out(store_dir(), fingerprint)
