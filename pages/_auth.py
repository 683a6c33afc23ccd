"""Streamlit glue for sign-in, roles and the event log (the rules are in jamstalldhet.access).

``gate()`` runs in dashboard.py before the navigation: with ``[auth]`` configured a signed-out
visitor sees the sign-in view and nothing else. ``require(right)`` is called where an action
happens (a page, a button, a toggle): without the right the user gets "Du saknar behörighet" and
the script stops, whatever the widget state, the URL or the session state says.
"""

from __future__ import annotations

import getpass
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from jamstalldhet import access, eventlog
from jamstalldhet.access import Right
from jamstalldhet.settings import store_dir

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
    try:
        roles = access.role_map(secrets)
    except access.AccessConfigError as exc:
        st.error(str(exc))
        st.stop()
    return access.signed_in_user(_claims(), roles)


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


def gate() -> None:
    """Before the navigation: sign-in view for a signed-out visitor, else who is signed in."""
    if not configured():
        st.sidebar.caption(LOCAL_LINE)
        address = st.get_option("server.address")
        if not access.is_loopback(address) and not st.get_option("global.appTest"):
            st.sidebar.warning("Servern kan nås från nätverket utan inloggning. Starta den med `make run`.")
        return
    u = user()
    if u is None:
        return  # menu() turns every page into the sign-in view
    st.sidebar.caption(f"Inloggad: {u.email or u.sub} ({u.role.value})")
    st.sidebar.button("Logga ut", key="_logout", on_click=st.logout, icon=":material/logout:")


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
    try:
        eventlog.append(store_dir(), u.sub, u.email, event, obj)
    except OSError as exc:
        st.warning(f"Händelsen kunde inte skrivas i händelseloggen: {exc}")
