"""Meeting reports: the plan's status and the shared aggregates as .xlsx, .docx, .pdf or .html.

``collect`` gathers the figures (a ``ReportContent``, which a snapshot freezes as JSON); ``render``
turns them into a file's bytes; ``write_report``/``report_bytes`` do both for the stored data now
or for a snapshot, and audit the export. ``safe.inert`` keeps uploaded text from ever becoming a
spreadsheet formula.
"""
from .gather import collect, current_content
from .export import (FORMATS, ReportError, format_of, render, report_bytes,
                     write_report)
from .content import ReportContent, ReportSettings
from .safe import inert

__all__ = ["FORMATS", "ReportContent", "ReportError", "ReportSettings", "collect", "current_content",
           "format_of", "inert", "render", "report_bytes", "write_report"]
