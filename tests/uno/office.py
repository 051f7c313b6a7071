"""What the UNO scripts beside this file share (run with Debian's /usr/bin/python3, which has
python3-uno): a property value, and the connection to a listening soffice."""

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
