"""The Streamlit layer: the only package of ytsupport that imports streamlit.

``app`` (the router's work), ``state`` (language, caches, filters), ``login`` (logins, roles,
audit), ``widgets`` (CSS, cards, grids, tables), ``models`` (what each page shows, as plain data),
``charts`` (plotly figure builders) and ``upload`` (the upload page's glue). ``dashboard.py`` and
the files of ``pages/`` call these; see docs/architecture.md.
"""
from .. import formatting as fmt
from ..i18n import t

__all__ = ["fmt", "t"]
