"""Shared render helpers for the pages (`from app import ui; ui.x`): the page frame (app/ui/page.py: language,
URL state, banner, header, source line), numbers and tables (app/ui/format.py) and tables and charts with their
downloads (app/ui/downloads.py)."""
from app.i18n import t
from app.ui.downloads import MAX_TABLE_ROWS, brief_download, chart_with_downloads, table_with_downloads
from app.ui.format import export_frame, fmt, is_true, labelled_frame, md_escape, metric_kind, seps, text_or
from app.ui.page import (APP_CSS, LANG_KEY, PLOTLY_CONFIG, build_row, current_lang, demo_banner, footer, guarded,
                         is_demo, language_switch, lazy_expander, page_chrome, page_header, require_warehouse,
                         select_param, show_db_error, source_line, source_text, text_param)

__all__ = ["APP_CSS", "LANG_KEY", "MAX_TABLE_ROWS", "PLOTLY_CONFIG", "brief_download", "build_row",
           "chart_with_downloads", "current_lang", "demo_banner", "export_frame", "fmt", "footer", "guarded",
           "is_demo", "is_true", "labelled_frame", "language_switch", "lazy_expander", "md_escape", "metric_kind",
           "page_chrome", "page_header", "require_warehouse", "select_param", "seps", "show_db_error",
           "source_line", "source_text", "t", "table_with_downloads", "text_or", "text_param"]
