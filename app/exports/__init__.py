"""Export builders: tables to CSV/XLSX, figures to PNG/SVG, area briefs to PDF (one module a job, below).

Plain functions, data in and bytes out; importable without Streamlit. Every file is meant to be correct on its own
when pasted into a county strategy: title, selection, source line (with licence and data date), build id and time, in
the chosen language (fi, sv, en), and a visible notice when the build uses synthetic demo data.

Decisions (documented here and in docs/exports.md when that exists):

* CSV: UTF-8 with a BOM (Excel detects the encoding), CRLF line ends, header row, then the data rows exactly as in the
  frame. The metadata comes as a *trailing block* after one blank line, one value per line (demo notice first when
  demo, title, selection, source line, definitions, build id and time), as statistical agencies do. The data part
  stays a clean rectangle: read it with ``pd.read_csv`` on the text before the first blank line (see
  :func:`split_csv_export`). No extra column and no leading comment line. ``sep=";"`` gives the Finnish-Excel variant
  with decimal comma.
* XLSX: a data sheet with typed cells, bold frozen header, autofilter and column widths; a second sheet
  "Lähteet"/"Källor"/"Sources" with title, selection, sources (licence, attribution in the chosen language),
  definitions, build id and time. Demo builds get the notice as row 1 of the data sheet (header then on row 2), on top
  of the sources sheet, in the print header, in the workbook properties, and a red sheet tab.
* PNG/SVG: rendered by kaleido in a persistent headless Chromium (:func:`start_export_server`), the caller's figure is
  copied and gets title + subtitle, a source annotation at the bottom and, for demo, a diagonal watermark. Chromium
  runs with a dead proxy so nothing can be fetched from the network; plotly.js comes from the plotly package,
  MathJax is off and geo figures use the local topojson stub. PNG carries iTXt metadata and 300 dpi; SVG carries
  <title> and <desc>.
* PDF: fpdf2 with DejaVuSans; watermark on every page and subject/keywords "synthetic demo data" when demo.

Modules: ``meta`` (ExportMeta, strings, file names), ``tables`` (CSV, CSV ``;``, XLSX, formula-injection guard),
``render`` (kaleido export server, chart decoration, PNG/SVG), ``pdf`` (brief layout). Numbers and dates come from
:mod:`app.formatting`, the formatter the pages use too. Callers import from ``app.exports``.
"""
from __future__ import annotations

from app.exports.meta import (APP_NAME, DEMO_KEYWORD, LANGS, ExportError, ExportMeta, export_filename,
                              format_datetime, format_number)
from app.exports.pdf import BriefData, BriefSection, KeyFigure, brief_pdf
from app.exports.render import (PNG_DPI, RENDER_TIMEOUT_S, TOPOJSON_STUB, decorate_figure, ensure_topojson_stub,
                                export_server_running, figure_to_png, figure_to_svg, start_export_server,
                                stop_export_server)
from app.exports.tables import XLSX_CELL_LIMIT, neutralise_text, split_csv_export, to_csv_bytes, to_xlsx_bytes

__all__ = ["APP_NAME", "DEMO_KEYWORD", "LANGS", "PNG_DPI", "RENDER_TIMEOUT_S", "TOPOJSON_STUB", "XLSX_CELL_LIMIT",
           "BriefData", "BriefSection", "ExportError", "ExportMeta", "KeyFigure", "brief_pdf", "decorate_figure",
           "ensure_topojson_stub", "export_filename", "export_server_running", "figure_to_png", "figure_to_svg",
           "format_datetime", "format_number", "neutralise_text", "split_csv_export", "start_export_server",
           "stop_export_server", "to_csv_bytes", "to_xlsx_bytes"]
