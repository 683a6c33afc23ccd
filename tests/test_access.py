"""Roles from a claim, rights per role, and the address the server binds to (contract, section 9)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from jamstalldhet.base import access
from jamstalldhet.base.access import AccessConfigError, Right, Role

# a cookie_secret that passes access.cookie_secret_problem (a weak one is refused: issue 23)
STRONG_SECRET = "9f1c2e7a4b8d03f6e5a1c9b72d4e8f0a3b6c1d9e2f7a05b8c4d1e6f3a9b2c7d0"
AUTH = {"redirect_uri": "https://uppfoljning.example.se/oauth2callback", "cookie_secret": STRONG_SECRET,
        "client_id": "id", "client_secret": "s", "server_metadata_url": "https://idp.example.se/.well-known/openid-configuration"}
ROLLER = {"claim": "groups", "analytiker": ["jamstalldhet-analytiker"], "forvaltare": ["jamstalldhet-forvaltare"]}


def test_rights_per_role_as_in_the_contract() -> None:
    assert access.RIGHTS[Role.LASARE] == {Right.VIEW}
    assert access.RIGHTS[Role.ANALYTIKER] == {Right.VIEW, Right.INTERNAL, Right.IMPORT, Right.TEXT, Right.PLAN}
    assert access.RIGHTS[Role.FORVALTARE] == set(Right)
    assert {Right.REPLACE, Right.REMOVE, Right.EVENTLOG}.isdisjoint(access.RIGHTS[Role.ANALYTIKER])


@pytest.mark.parametrize(("groups", "role"), [
    (None, Role.LASARE),
    ([], Role.LASARE),
    (["någon-annan"], Role.LASARE),
    (["jamstalldhet-analytiker"], Role.ANALYTIKER),
    (["jamstalldhet-forvaltare"], Role.FORVALTARE),
    (["jamstalldhet-analytiker", "jamstalldhet-forvaltare"], Role.FORVALTARE),  # the highest role wins
    ("jamstalldhet-analytiker", Role.ANALYTIKER),  # one group as a string
    (["JAMSTALLDHET-ANALYTIKER"], Role.LASARE),  # group names are compared exactly
])
def test_role_from_the_groups_claim(groups: object, role: Role) -> None:
    claims = {"sub": "u1", "email": "a@example.se"} | ({} if groups is None else {"groups": groups})
    assert access.role_of(claims, access.role_map({"roller": ROLLER})) == role


def test_other_claim_and_spelling_with_o_umlaut() -> None:
    roles = access.role_map({"roller": {"claim": "roles", "förvaltare": "Admins"}})
    assert roles.claim == "roles"
    assert access.role_of({"roles": ["Admins"], "groups": ["jamstalldhet-forvaltare"]}, roles) == Role.FORVALTARE
    assert access.role_of({"groups": ["Admins"]}, roles) == Role.LASARE  # only the named claim counts


def test_without_roller_every_signed_in_user_is_reader() -> None:
    roles = access.role_map({"auth": AUTH})
    assert roles.claim == "groups"
    u = access.signed_in_user({"sub": "u2", "email": "b@example.se", "groups": ["jamstalldhet-forvaltare"]}, roles)
    assert (u.sub, u.email, u.role) == ("u2", "b@example.se", Role.LASARE)
    assert u.may(Right.VIEW) and not u.may(Right.INTERNAL)


@pytest.mark.parametrize("roller", [
    {"analytiker": 5},
    {"analytiker": ["ok", 3]},
    {"claim": ""},
    {"forvaltar": ["typo"]},
    "inte en sektion",
])
def test_bad_roller_is_refused_in_swedish(roller: object) -> None:
    with pytest.raises(AccessConfigError, match=r"\[roller\]"):
        access.role_map({"roller": roller})


def test_local_user_has_every_right() -> None:
    u = access.local_user("anna")
    assert u.sub == "lokal:anna" and u.role == Role.FORVALTARE
    assert all(u.may(r) for r in Right)


def test_auth_configured_and_provider() -> None:
    assert not access.auth_configured({})
    assert not access.auth_configured({"roller": ROLLER})
    assert not access.auth_configured({"auth": {}})
    assert access.auth_configured({"auth": AUTH})
    assert access.login_provider({"auth": AUTH}) is None  # client_id in [auth]: Streamlit's default provider
    named = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "x", "microsoft": {"client_id": "id"}}
    assert access.login_provider({"auth": named}) == "microsoft"


def test_bind_address_is_local_without_sign_in() -> None:
    assert access.bind_address({}) == "127.0.0.1"
    assert access.bind_address({"roller": ROLLER}) == "127.0.0.1"
    assert access.bind_address({"auth": AUTH}) == "0.0.0.0"
    assert access.bind_address({"auth": AUTH}, "127.0.0.1") == "127.0.0.1"  # behind a proxy on the same host
    assert access.bind_address({}, "::1") == "::1"
    with pytest.raises(AccessConfigError, match="bara på 127.0.0.1"):
        access.bind_address({}, "0.0.0.0")
    with pytest.raises(AccessConfigError):
        access.bind_address({}, "192.168.1.20")


@pytest.mark.parametrize(("address", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("", False), (None, False), ("10.0.0.1", False), ("värd", False),
])
def test_is_loopback(address: str | None, loopback: bool) -> None:
    assert access.is_loopback(address) is loopback


def test_secrets_files_merge_and_main(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    home, cwd = tmp_path / "home", tmp_path / "proj"
    files = access.secrets_files(cwd=cwd, home=home)
    assert files == [home / ".streamlit" / "secrets.toml", cwd / ".streamlit" / "secrets.toml"]
    assert access.load_secrets(files) == {}
    files[1].parent.mkdir(parents=True)
    files[1].write_text(f'[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\ncookie_secret = "{STRONG_SECRET}"\n'
                        '[roller]\nanalytiker = ["a"]\n', encoding="utf-8")
    loaded = access.load_secrets(files)
    assert access.auth_configured(loaded) and access.role_map(loaded).groups[Role.ANALYTIKER] == {"a"}

    monkeypatch.chdir(cwd)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv(access.ADDRESS_ENV, raising=False)
    assert access.main() == 0 and capsys.readouterr().out.strip() == "0.0.0.0"
    files[1].unlink()
    assert access.main() == 0 and capsys.readouterr().out.strip() == "127.0.0.1"
    monkeypatch.setenv(access.ADDRESS_ENV, "0.0.0.0")
    assert access.main() == 2 and "bara på 127.0.0.1" in capsys.readouterr().err

    files[1].write_text("[auth\n", encoding="utf-8")
    with pytest.raises(AccessConfigError, match="TOML"):
        access.load_secrets(files)


def test_the_example_secrets_file_is_a_valid_configuration() -> None:
    from tests.conftest import ROOT

    example = access.load_secrets([ROOT / ".streamlit" / "secrets.example.toml"])
    assert access.auth_configured(example) and access.login_provider(example) is None
    assert {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"} <= set(example["auth"])
    assert example["auth"]["redirect_uri"].endswith("/oauth2callback")
    roles = access.role_map(example)
    assert access.role_of({"groups": ["jamstalldhet-analytiker"]}, roles) == Role.ANALYTIKER
    assert access.role_of({"groups": ["jamstalldhet-forvaltare"]}, roles) == Role.FORVALTARE


# --- pages/_auth.py with AppTest: a forged session state or URL does not give a right --------------

SECRETS = {"auth": AUTH, "roller": ROLLER}


def _app(page: str, groups: list[str] | None, **state: object) -> AppTest:
    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=90)
    at.secrets = dict(SECRETS)
    at.user = ({"is_logged_in": False} if groups is None else
               {"is_logged_in": True, "sub": "u", "email": "u@kommun.example.se", "groups": groups, "iat": int(time.time())})
    for key, value in state.items():
        at.session_state[key] = value
    return at


def _errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def test_reader_with_forged_internal_state_sees_published_figures() -> None:
    reader = _app("oversikt.py", ["alla"], ar=2018, internt=True).run()
    assert not reader.exception
    assert "Internt läge" not in _errors(reader) and not [t for t in reader.toggle if t.label == "Internt läge"]
    analyst = _app("oversikt.py", ["jamstalldhet-analytiker"], ar=2018, internt=True).run()
    assert "Internt läge" in _errors(analyst) and [t for t in analyst.toggle if t.label == "Internt läge"]


def test_reader_with_internal_query_parameter_is_refused() -> None:
    at = _app("oversikt.py", ["alla"], ar=2018)
    at.query_params["internt"] = "1"
    at.run()
    assert "Du saknar behörighet att slå på internt läge" in _errors(at)
    assert not at.title  # nothing of the page


def test_import_page_needs_the_import_right_and_removal_the_manager() -> None:
    reader = _app("importera.py", ["alla"]).run()
    assert "Du saknar behörighet att importera" in _errors(reader)
    assert not reader.get("file_uploader") and not reader.title
    analyst = _app("importera.py", ["jamstalldhet-analytiker"]).run()
    assert not analyst.error and analyst.get("file_uploader") and not [e for e in analyst.expander if "Händelselogg" in e.label]
    manager = _app("importera.py", ["jamstalldhet-forvaltare"]).run()
    assert [e for e in manager.expander if "Händelselogg" in e.label]


def test_signed_out_gets_the_sign_in_view_on_a_page() -> None:
    at = _app("importera.py", None).run()
    assert [b for b in at.button if b.label == "Logga in"] and not at.get("file_uploader")


def test_only_a_manager_may_replace_an_import_and_it_is_logged() -> None:
    import os

    from jamstalldhet.base import eventlog
    from jamstalldhet.intake import importing
    from tests.conftest import ROOT

    corpus = ROOT / "tests" / "data" / "import"
    target = Path(os.environ["JAMSTALLDHET_STORE"])
    first = importing.preview(corpus / "cp1252_semikolon.csv", target, "cp1252_semikolon.csv", {})
    assert importing.commit(first, target) is not None  # 2016–2019 stored

    def upload(groups: list[str]) -> AppTest:
        at = _app("importera.py", groups).run()
        name = "utf8_komma.csv"  # covers 2018 too: storing it replaces the first import
        at.file_uploader[0].set_value((name, (corpus / name).read_bytes(), "text/csv"))
        return at.run()

    analyst = upload(["jamstalldhet-analytiker"])
    assert any("Bara en förvaltare kan ersätta" in i.value for i in analyst.info)
    assert not analyst.checkbox and next(b for b in analyst.button if b.label == "Lagra").disabled
    manager = upload(["jamstalldhet-forvaltare"])
    manager.checkbox[0].check()
    manager.run()
    next(b for b in manager.button if b.label == "Lagra").click()
    manager.run()
    assert manager.success, [e.value for e in manager.error]
    events = eventlog.read(target)
    assert [e.event for e in events] == [eventlog.IMPORT, eventlog.REPLACE]
    assert all(e.sub == "u" for e in events) and events[1].object.startswith("cp1252_semikolon.csv (")
