"""Edit a DOCX the way a colleague does, in LibreOffice driven through UNO (run with Debian's
/usr/bin/python3, which has python3-uno): change recording on, a word replaced, a sentence
deleted, a paragraph inserted, a paragraph made Heading 2; saved as DOCX.
(A comment added through UNO crashes LibreOffice 7.4 headless: its comment sidebar
builds a window; comments are tested on hand-made Word XML.)

    /usr/bin/python3 edit_docx.py PORT IN.docx OUT.docx
"""

import contextlib
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


def paragraphs(doc):
    out = []
    enum = doc.Text.createEnumeration()
    while enum.hasMoreElements():
        p = enum.nextElement()
        if p.supportsService("com.sun.star.text.Paragraph"):
            out.append(p)
    return out


def main():
    port, source, target = sys.argv[1:4]
    ctx = connect(port)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(source), "_blank", 0, (prop("Hidden", True),)
    )
    doc.RecordChanges = True
    body = [p for p in paragraphs(doc) if len(p.getString()) > 60]
    text = doc.Text
    # 1. replace a word in the first body paragraph
    search = doc.createSearchDescriptor()
    search.SearchString = "担负着"
    found = doc.findFirst(search)
    found.setString("承担着")
    # 2. delete the first sentence of the second body paragraph (up to the first 。 inclusive)
    second = body[1]
    s = second.getString()
    cut = s.index("，") + 1
    cursor = text.createTextCursorByRange(second.getStart())
    cursor.goRight(cut, True)
    cursor.setString("")
    # 3. insert a paragraph after the third body paragraph
    third = body[2]
    cursor = text.createTextCursorByRange(third.getEnd())
    text.insertControlCharacter(cursor, 0, False)  # PARAGRAPH_BREAK
    text.insertString(cursor, "这是同事新加的一段。", False)
    # 4. the fourth body paragraph becomes Heading 2
    body[3].ParaStyleName = "Heading 2"
    doc.storeToURL(uno.systemPathToFileUrl(target), (prop("FilterName", "MS Word 2007 XML"),))
    doc.close(True)
    with contextlib.suppress(Exception):  # the bridge drops as soffice quits
        desktop.terminate()


main()
