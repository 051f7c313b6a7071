"""What LibreOffice makes of a DOCX's contents (run with Debian's /usr/bin/python3, which has
python3-uno): how many document indexes its import found, and the first one's text as
imported and after "Update index", as JSON.

    /usr/bin/python3 contents.py PORT IN.docx
"""

import json
import os
import sys

from office import connect, prop

import uno  # type: ignore[import-not-found]


def main():
    port, source = sys.argv[1:3]
    ctx = connect(port)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    url = uno.systemPathToFileUrl(os.path.abspath(source))
    # Through the desktop: an index is laid out (and so updated to page numbers) in a view.
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
    indexes = doc.getDocumentIndexes()
    out = {"indexes": indexes.getCount(), "services": [], "imported": "", "updated": ""}
    if indexes.getCount():
        index = indexes.getByIndex(0)
        out["services"] = list(index.getSupportedServiceNames())
        out["imported"] = index.getAnchor().getString()
        index.update()
        out["updated"] = index.getAnchor().getString()
    doc.close(True)
    print(json.dumps(out, ensure_ascii=False))


main()
