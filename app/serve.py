"""Start the dashboard: `python -m app.serve [streamlit run options]` (what `make run` uses).

Streamlit decides once per process whether the app uses its old v1 multipage mode, by looking for a `pages/` folder
beside the entry point; until the entry point has called `st.navigation`, every script run (for example a shared
deep link opened first after a restart) would run a page script on its own, without `dashboard.py` — no language
switch, raw file names in the sidebar. Our pages are declared with `st.navigation` in dashboard.py, so the flag is
set to "no pages directory" before the server starts.

No supported way exists in Streamlit 1.67 (looked up again for issue 9): there is no config option for it
(`client.showSidebarNavigation` only hides the v1 menu, the v1 mode still runs), the detection is
`Path(<entry point folder> / "pages").exists()` in `PagesManager.__init__` whatever the folder holds, and the
documentation says only that the `pages/` folder is ignored "as soon as any session executes st.navigation", which
is the gap a first deep link falls into. A `pages/` that is not detected would need the entry point elsewhere than
beside it, against the layout of the design card. So the patch stays, pinned to STREAMLIT_VERSION:
tests/test_serve.py fails when the installed Streamlit differs or the internals it relies on change.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

import streamlit
from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

ENTRY = Path(__file__).resolve().parent.parent / "dashboard.py"
STREAMLIT_VERSION = "1.67.0"     # the version whose internals the patch below was checked against


def disable_v1_pages_detection() -> None:
    """Idempotent. Also holds when something (e.g. AppTest) resets the flag: it is re-set after every init."""
    if streamlit.__version__ != STREAMLIT_VERSION:
        logging.getLogger(__name__).warning(
            "Streamlit %s, the pages/ patch was checked on %s: check first deep links (tests/test_serve.py)",
            streamlit.__version__, STREAMLIT_VERSION)
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
