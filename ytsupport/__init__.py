"""ytsupport: reads the branches' monthly reports and measures Plan 114-KH/ĐTN's targets.

Only ``ytsupport/dashboard/`` (with ``dashboard.py`` and ``pages/``) imports streamlit, so the
command line, the tests and the pages share the same code; docs/architecture.md draws the flow.
"""

__version__ = "0.1.0"
