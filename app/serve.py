"""Start the dashboard: `python -m app.serve [streamlit run options]` (what `make run` uses).

Streamlit decides once per process whether the app uses its old v1 multipage mode, by looking for a `pages/` folder
beside the entry point; until the entry point has called `st.navigation`, every script run (for example a shared
deep link opened first after a restart) would run a page script on its own, without `dashboard.py` — no language
switch, raw file names in the sidebar. Our pages are declared with `st.navigation` in dashboard.py, so the flag is
set to "no pages directory" before the server starts.
"""
from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

ENTRY = Path(__file__).resolve().parent.parent / "dashboard.py"


def disable_v1_pages_detection() -> None:
    """Idempotent. Also holds when something (e.g. AppTest) resets the flag: it is re-set after every init."""
    if getattr(PagesManager.__init__, "_jk_patched", False):
        PagesManager.uses_pages_directory = False
        return
    original = PagesManager.__init__

    def __init__(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    __init__._jk_patched = True  # type: ignore[attr-defined]
    PagesManager.__init__ = __init__  # type: ignore[method-assign]
    PagesManager.uses_pages_directory = False


def main(argv: list[str] | None = None) -> None:
    disable_v1_pages_detection()
    sys.argv = ["streamlit", "run", str(ENTRY), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
