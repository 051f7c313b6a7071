"""Where the built-in styles are: the themes and CSS templates the package ships.

The project keeps them in one folder, the checkout's top-level ``styles/``; building a wheel
copies that folder into the package (``setup.py``), so an installed package finds it among its
own files. An editable install runs from the checkout and has no copy in the package (the build
step copies nothing then), so the checkout's folder is used.
"""

from __future__ import annotations

import functools
from pathlib import Path

from .errors import ReportExportError

# Beside this file rather than through ``importlib.resources``, which names the same folder for
# a package on disk (the only kind supported, below) and costs every build ~5 ms to import.
_PACKAGED_STYLES = Path(__file__).parent / "styles"
_CHECKOUT_STYLES = Path(__file__).resolve().parents[2] / "styles"


@functools.cache
def styles_dir() -> Path:
    """The folder of the built-in themes and CSS templates, as a real folder on disk.

    A real path rather than a ``Traversable``: WeasyPrint, fontconfig and the asset policy
    open theme files by path, so a package imported from a zip file is not supported.
    """
    if _PACKAGED_STYLES.is_dir():
        return _PACKAGED_STYLES
    if _CHECKOUT_STYLES.is_dir():
        return _CHECKOUT_STYLES
    raise ReportExportError(
        "the built-in styles are missing: reinstall report-export", str(_PACKAGED_STYLES)
    )
