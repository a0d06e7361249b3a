"""The top-level data/ folder exists in a fresh clone through its README, and everything the commands write into
it stays out of git."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ["data/raw/ptv/services/page_0001.json", "data/raw/statfi/x.json.meta.json", "data/demo/DEMO.json",
             "data/cache/ptv/abc.json", "data/warehouse.duckdb", "data/warehouse.duckdb.wal",
             "data/.warehouse.duckdb.1234.tmp"]


def _git(*args: str) -> subprocess.CompletedProcess:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30)


def test_data_readme_is_committed_and_not_ignored():
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    for part in ("raw/", "demo/", "cache/", "warehouse.duckdb", "ignored by git"):
        assert part in readme, f"data/README.md does not describe {part}"
    assert _git("check-ignore", "-q", "data/README.md").returncode == 1, ".gitignore ignores data/README.md"
    assert _git("ls-files", "--error-unmatch", "data/README.md").returncode == 0, "data/README.md is not committed"


def test_everything_the_commands_write_into_data_is_ignored():
    r = _git("check-ignore", "--no-index", *GENERATED)
    assert sorted(r.stdout.split()) == sorted(GENERATED), f"not ignored: {set(GENERATED) - set(r.stdout.split())}"
