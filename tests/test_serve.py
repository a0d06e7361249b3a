"""app/serve.py patches Streamlit's v1 pages/ detection (no supported setting exists): pinned to one version."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import streamlit
from streamlit.runtime import pages_manager
from streamlit.runtime.scriptrunner import script_runner

from app import serve

ROOT = Path(__file__).resolve().parent.parent


def test_streamlit_is_the_version_the_patch_was_checked_on():
    # fails on an upgrade: re-check the internals below and a first deep link in the browser
    # (tests/browser/test_i18n_urls.py), then move STREAMLIT_VERSION
    assert streamlit.__version__ == serve.STREAMLIT_VERSION
    pinned = re.search(r"^streamlit==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M)
    assert pinned and pinned.group(1) == serve.STREAMLIT_VERSION


def test_the_internals_the_patch_relies_on_are_there():
    init = inspect.getsource(pages_manager.PagesManager.__init__)
    if getattr(pages_manager.PagesManager.__init__, "_jk_patched", False):
        init = inspect.getsource(pages_manager.PagesManager.__init__.__closure__[0].cell_contents)
    assert "PagesManager.uses_pages_directory is None" in init and '"pages"' in init
    assert "if PagesManager.uses_pages_directory:" in inspect.getsource(script_runner)
    assert "_mpa_v1(self._main_script_path)" in inspect.getsource(script_runner)


def test_patch_keeps_the_flag_off_for_an_entry_point_beside_pages():
    assert (ROOT / "pages").is_dir()
    serve.disable_v1_pages_detection()
    pages_manager.PagesManager.uses_pages_directory = None        # what AppTest does between runs
    pages_manager.PagesManager(str(serve.ENTRY))
    assert pages_manager.PagesManager.uses_pages_directory is False
    serve.disable_v1_pages_detection()                             # idempotent: still one wrapper
    assert pages_manager.PagesManager.uses_pages_directory is False
