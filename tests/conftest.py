from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import settings
from streamlit.testing.v1 import AppTest

from jamstalldhet.intake import demo
from jamstalldhet.intake.reading import read_file
from jamstalldhet.intake.records import Prepared, prepare

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
TEST_KEY = "testnyckel-inte-hemlig"  # the pseudonym key of every test (never a real installation's)

# Hypothesis profiles: "default" (make test) runs each property test with the examples its
# decorator names; "fast" (make test-fast, HYPOTHESIS_PROFILE=fast) runs FAST_EXAMPLES of them.
FAST_EXAMPLES = 5
settings.register_profile("default", settings())
settings.register_profile("fast", settings(max_examples=FAST_EXAMPLES))
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
settings.load_profile(PROFILE)


def examples(n: int) -> int:
    """A property test's number of examples: ``n`` in the default profile, fewer in "fast"."""
    return min(n, FAST_EXAMPLES) if PROFILE == "fast" else n


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read or write the user's data/store, nor the store a developer has exported in
    ``JAMSTALLDHET_STORE``: each test gets an empty store of its own."""
    monkeypatch.setenv("JAMSTALLDHET_STORE", str(tmp_path_factory.mktemp("store")))


@pytest.fixture(autouse=True)
def _test_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed pseudonym key, so tests never create the user's key file."""
    monkeypatch.setenv("JAMSTALLDHET_KEY", TEST_KEY)


@pytest.fixture(autouse=True)
def _isolated_texts(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Tests write narrative texts to a copy of data/uppfoljning, never to the real one."""
    import shutil

    target = tmp_path_factory.mktemp("uppfoljning") / "uppfoljning"
    shutil.copytree(ROOT / "data" / "uppfoljning", target)
    monkeypatch.setenv("JAMSTALLDHET_TEXTS", str(target))
    return target


@pytest.fixture(scope="session")
def demo_prep() -> Prepared:
    """The demo data, prepared once, with the tests' key (its record keys, and so the published
    noise, are those the pages and the command line give under ``_test_key``)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JAMSTALLDHET_KEY", TEST_KEY)
        return prepare(demo.demo_frame())


def shown(prep: Prepared, year: int = 2018, by: str | None = None, k: int = 5) -> dict[tuple[str, str, str], dict[str, object]]:
    """The published table's row by (indicator, group, gender): what a page, file or report must show
    (with the tests' key, the pages' noise). Tests compare outputs with it instead of typing numbers."""
    from jamstalldhet.disclosure.tables import indicator_table

    frame = indicator_table(prep, year, by=by, k=k).frame
    return {(str(r["indicator"]), str(r["group"]), str(r["gender"])): r for r in frame.to_dict("records")}


def file_tables(name: str, data: bytes) -> list[pd.DataFrame]:
    """The tables in a download: the machine CSV as it is; CSV för Excel above its notes; each xlsx
    sheet below its title block and above its notes."""
    if name.endswith("_punkt.csv"):
        return [pd.read_csv(io.BytesIO(data))]
    if name.endswith(".csv"):
        body = data.decode("utf-8-sig").split("\r\n\r\n")[0]
        return [pd.read_csv(io.StringIO(body), sep=";", decimal=",")]
    out = []
    for raw in pd.read_excel(io.BytesIO(data), sheet_name=None, engine="calamine", header=None).values():
        blank = [i for i in range(len(raw)) if raw.iloc[i].isna().all()]
        head = blank[0] + 1
        end = next((i for i in blank if i > head), len(raw))
        out.append(raw.iloc[head + 1:end].set_axis(raw.iloc[head].tolist(), axis=1))
    return out


def read(name: str) -> pd.DataFrame:
    df, problems = read_file(DATA / name)
    assert df is not None, [str(p) for p in problems]
    return df


def small_unit() -> pd.DataFrame:
    """A small insats in 2018: 3 women, 40 men (the hand-worked example of disclosure control)."""
    from jamstalldhet.base import schema as S
    from jamstalldhet.intake.canonical import canonical

    rows = []
    for i in range(3):
        rows.append((f"w{i}", S.KVINNA, "2018-05-01", "2018-10-01", S.ARBETE))
    for i in range(40):
        rows.append((f"m{i}", S.MAN, "2018-02-01", "2018-11-01" if i < 20 else None, S.ARBETE if i < 8 else S.ANNAT_UTFALL))
    df = pd.DataFrame(rows, columns=[S.PERSON_ID, S.KON, S.STARTDATUM, S.SLUTDATUM, S.AVSLUTSORSAK])
    df[S.INSATS] = "Liten insats"
    return canonical(df)


@pytest.fixture
def small_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A store holding only the small unit; the dashboard and the CLI read it by default."""
    from jamstalldhet.intake import store

    df = small_unit()
    store.commit(tmp_path / "store", df, "liten.csv", store.plan(tmp_path / "store", df, "x" * 64))
    monkeypatch.setenv("JAMSTALLDHET_STORE", str(tmp_path / "store"))
    return tmp_path / "store"


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[str, bytes]]:
    """File name and bytes behind every download button AppTest renders, by the button's URL."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage, get_extension_for_mimetype

    files: dict[str, tuple[str, bytes]] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def recording(self: MemoryMediaFileStorage, path_or_data: str | bytes, mimetype: str, kind: object, filename: str | None = None) -> str:
        file_id = original(self, path_or_data, mimetype, kind, filename)  # type: ignore[arg-type]
        data = path_or_data if isinstance(path_or_data, bytes) else Path(path_or_data).read_bytes()
        files[f"/mock/media/{file_id}{get_extension_for_mimetype(mimetype)}"] = (filename or "", data)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    return files


@pytest.fixture
def deferred(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[str, Callable[[], Any]]]:
    """File name and maker behind every deferred download button (``data=`` a callable: nothing is
    made until the click) AppTest renders, by the button's ``deferred_file_id``; calling the maker
    is the click."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    made: dict[str, tuple[str, Callable[[], Any]]] = {}
    original = MediaFileManager.add_deferred

    def recording(self: MediaFileManager, data_callable: Callable[[], Any], mimetype: str | None, coordinates: str,
                  file_name: str | None = None, **kwargs: Any) -> str:
        file_id = original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)
        made[file_id] = (file_name or "", data_callable)
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", recording)
    return made


def _malomrade_script(mid: str) -> None:
    from pages._malomrade import render_malomrade

    render_malomrade(mid)


def malomrade_app(mid: str, timeout: float = 90) -> AppTest:
    """A målområde page as the dashboard builds it from the catalogue (one page function per målområde)."""
    return AppTest.from_function(_malomrade_script, args=(mid,), default_timeout=timeout)


#: the page files of the first version, by the målområde id of the catalogue that replaced them
MALOMRADE_OF_FILE = {"makt_inflytande.py": "makt-inflytande-ekonomi", "makt_halsa.py": "makt-och-halsa",
                     "vald.py": "mans-vald-mot-kvinnor"}


def page_tables(at: AppTest) -> list[pd.DataFrame]:
    """The tables a page shows (pages._shared.show_table: static tables whose first column heads the rows),
    each with that column back as a column, in the order the page draws them; a figure's no-break spaces
    (which keep "16,8 %" on one line on screen) read as the spaces of the package's formatting."""
    return [t.value.reset_index().replace("\u00a0", " ", regex=True) for t in at.table]
