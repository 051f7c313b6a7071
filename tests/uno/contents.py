"""What LibreOffice makes of a DOCX's contents (run with Debian's /usr/bin/python3, which has
python3-uno): how many document indexes its import found, and the first one's text as
imported and after "Update index", as JSON.

    /usr/bin/python3 contents.py PORT IN.docx
"""

import json
import os
import sys
import time

import uno  # type: ignore[import-not-found]


def prop(name, value):
    p = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
    p.Name, p.Value = name, value
    return p


def connect(port):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    for _ in range(120):
        try:
            return resolver.resolve(
                f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
            )
        except Exception:
            time.sleep(0.25)
    raise SystemExit("soffice did not answer")


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
