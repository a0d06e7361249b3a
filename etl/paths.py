"""Every path the project uses, from this file's location and environment overrides.

Imports nothing from the project. Environment variables (documented in README.md):

- ``JARJESTOKARTTA_DB``: the warehouse file (default ``data/warehouse.duckdb``).
- ``JARJESTOKARTTA_OFFLINE_DIR``: an input directory laid out like ``shared/data/raw`` (one folder per source,
  e.g. ``statfi/``). Default: ``data/raw`` when it holds ``statfi/``, else ``../shared/data/raw`` beside the
  checkout when that exists.
- ``JARJESTOKARTTA_REFERENCE_DIR``: reference data (``need/``, ``taxonomy/``, ``sources/``, ``geo/``).
  Default: the parent of the offline directory when it has ``taxonomy/``, else ``../shared/data``.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
RAW_DIR = DATA_DIR / "raw"            # where `python -m etl fetch` writes
DEMO_DIR = DATA_DIR / "demo"          # where `python -m etl demo` writes (synthetic, labelled)
CACHE_DIR = DATA_DIR / "cache"        # resumable HTTP page cache
SQL_DIR = ROOT / "etl" / "sql"
LOCALES_DIR = ROOT / "locales"
STATIC_DIR = ROOT / "static"
TOPOJSON_DIR = STATIC_DIR / "topojson"
SHARED_DATA_GUESS = ROOT.parent / "shared" / "data"


def db_path() -> Path:
    return Path(os.environ.get("JARJESTOKARTTA_DB", DATA_DIR / "warehouse.duckdb")).resolve()


def offline_dir() -> Path:
    env = os.environ.get("JARJESTOKARTTA_OFFLINE_DIR")
    if env:
        return Path(env).resolve()
    if (RAW_DIR / "statfi").is_dir():
        return RAW_DIR
    return (SHARED_DATA_GUESS / "raw").resolve()


def reference_dir() -> Path:
    env = os.environ.get("JARJESTOKARTTA_REFERENCE_DIR")
    if env:
        return Path(env).resolve()
    parent = offline_dir().parent
    if (parent / "taxonomy").is_dir():
        return parent
    return SHARED_DATA_GUESS.resolve()
