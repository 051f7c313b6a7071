"""``python -m report_export``: the same command line as the ``report-export`` script."""

import sys

from .cli import main

sys.exit(main())
