"""ytsupport: reads the branches' monthly reports and measures Plan 114-KH/ĐTN's targets.

The package never imports streamlit (only ``dashboard.py``, ``pages/`` and ``ytsupport/ui.py`` do),
so the command line, the tests and the pages share the same code.
"""

__version__ = "0.1.0"
