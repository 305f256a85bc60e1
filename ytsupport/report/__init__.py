"""Meeting reports: the plan's status and the shared aggregates as .xlsx, .docx, .pdf or .html.

``collect`` gathers the figures (a ``ReportContent``, which a snapshot freezes as JSON); ``render``
turns them into a file's bytes; ``write_report``/``report_bytes`` do both for the stored data now
or for a snapshot, and audit the export. ``safe.inert`` keeps uploaded text from ever becoming a
spreadsheet formula.
"""
from importlib import import_module
from typing import Any

_EXPORTS = {"collect": "collect", "FORMATS": "export", "ReportError": "export", "current_content": "export",
            "format_of": "export", "render": "export", "report_bytes": "export", "write_report": "export",
            "ReportContent": "model", "ReportSettings": "model", "inert": "safe"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import the exports on first use, so the command line does not pay for them on every command."""
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(name)
