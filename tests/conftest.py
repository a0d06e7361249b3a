"""Shared fixtures. Real geography comes from the shared data folder (JARJESTOKARTTA_OFFLINE_DIR /
JARJESTOKARTTA_REFERENCE_DIR, defaulting to ../shared/data beside the checkout)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from etl import paths
from etl.context import BuildContext
from etl.municipality import MunicipalityResolver

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def offline_dir() -> Path:
    d = paths.offline_dir()
    if not (d / "statfi").is_dir():
        pytest.fail(f"offline input directory {d} has no statfi/; set JARJESTOKARTTA_OFFLINE_DIR")
    return d


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return paths.reference_dir()


@pytest.fixture(scope="session")
def municipality_rows(offline_dir: Path) -> list[dict]:
    """(code, name_fi, name_sv, name_en, area_code) for the 308 municipalities, from the classification key."""
    with open(offline_dir / "statfi" / "municipality_key_2025.csv", encoding="utf-8") as f:
        return [{"code": r["municipality_code"], "name_fi": r["municipality_name_fi"],
                 "name_sv": r["municipality_name_sv"], "name_en": r["municipality_name_en"],
                 "area_code": r["hyvinvointialue_code"]} for r in csv.DictReader(f)]


@pytest.fixture(scope="session")
def resolver(municipality_rows: list[dict]) -> MunicipalityResolver:
    return MunicipalityResolver(municipality_rows)


@pytest.fixture()
def make_ctx(offline_dir: Path, reference_dir: Path, resolver: MunicipalityResolver):
    """A BuildContext whose organisation sources are the given folders."""
    def _make(*org_dirs: Path, is_demo: bool = False) -> BuildContext:
        return BuildContext(offline_dir=offline_dir, reference_dir=reference_dir, org_dirs=list(org_dirs),
                            resolver=resolver, is_demo=is_demo, progress=False)
    return _make


DEMO_TEST_SCALE = 0.1
DEMO_TEST_SEED = 7


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory, offline_dir: Path, reference_dir: Path):
    """A small demo build (scale 0.1) in a temp folder; JARJESTOKARTTA_DB points at it for the session."""
    import os

    from etl import demo
    from etl.build import build

    root = tmp_path_factory.mktemp("demo_build")
    demo_dir = root / "demo"
    demo.generate(demo_dir, scale=DEMO_TEST_SCALE, seed=DEMO_TEST_SEED, offline_dir=offline_dir,
                  reference_dir=reference_dir, progress=False)
    db = root / "warehouse.duckdb"
    build(db_path=db, offline_dir=offline_dir, reference_dir=reference_dir, org_dirs=[demo_dir], is_demo=True,
          progress=False, log=lambda *a, **k: None)
    old = os.environ.get("JARJESTOKARTTA_DB")
    os.environ["JARJESTOKARTTA_DB"] = str(db)
    yield db
    if old is None:
        os.environ.pop("JARJESTOKARTTA_DB", None)
    else:
        os.environ["JARJESTOKARTTA_DB"] = old


@pytest.fixture(autouse=True, scope="session")
def _loopback_only():
    """No test may reach a host other than 127.0.0.1: the fetch client refuses others while this is set."""
    import os
    os.environ["JARJESTOKARTTA_FETCH_LOOPBACK_ONLY"] = "1"
    yield


# AppTest runs dashboard.py in this process: switch off Streamlit's v1 pages/ detection as app/serve.py does.
from app.serve import disable_v1_pages_detection  # noqa: E402

disable_v1_pages_detection()
