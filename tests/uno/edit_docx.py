"""Edit a DOCX the way a colleague does, in LibreOffice driven through UNO (run with Debian's
/usr/bin/python3, which has python3-uno): change recording on, a word replaced, a sentence
deleted, a paragraph inserted, a paragraph made Heading 2, a comment added; saved as DOCX.

The document is loaded as a model with no view (``com.sun.star.text.TextDocument`` through
``XLoadable``), not through the desktop: a comment shown in a view builds its sidebar window
from a .ui file that libreoffice-writer-nogui does not ship, and LibreOffice 7.4 aborts. With no
view there is no window, and search needs a layout, so text is found by its paragraph.

    /usr/bin/python3 edit_docx.py PORT IN.docx OUT.docx
"""

import contextlib
import sys

from office import connect, prop

import uno  # type: ignore[import-not-found]

DOCX = "MS Word 2007 XML"


def paragraphs(doc):
    out = []
    enum = doc.Text.createEnumeration()
    while enum.hasMoreElements():
        p = enum.nextElement()
        if p.supportsService("com.sun.star.text.Paragraph"):
            out.append(p)
    return out


def select(doc, paragraph, words):
    """A cursor over ``words`` in ``paragraph``."""
    cursor = doc.Text.createTextCursorByRange(paragraph.getStart())
    cursor.goRight(paragraph.getString().index(words), False)
    cursor.goRight(len(words), True)
    return cursor


def main():
    port, source, target = sys.argv[1:4]
    ctx = connect(port)
    doc = ctx.ServiceManager.createInstanceWithContext("com.sun.star.text.TextDocument", ctx)
    doc.load((prop("URL", uno.systemPathToFileUrl(source)), prop("FilterName", DOCX)))
    doc.RecordChanges = True
    body = [p for p in paragraphs(doc) if len(p.getString()) > 60]
    text = doc.Text
    # 1. a word replaced in the first body paragraph
    select(doc, body[0], "担负着").setString("承担着")
    # 2. the first sentence of the second body paragraph deleted (up to its 。)
    second = body[1]
    select(doc, second, second.getString()[: second.getString().index("。") + 1]).setString("")
    # 3. a paragraph inserted after the third body paragraph
    cursor = text.createTextCursorByRange(body[2].getEnd())
    text.insertControlCharacter(cursor, 0, False)  # PARAGRAPH_BREAK
    text.insertString(cursor, "这是同事新加的一段。", False)
    # 4. the fourth body paragraph made Heading 2
    body[3].ParaStyleName = "Heading 2"
    # 5. a comment on a word of the fifth body paragraph
    comment = doc.createInstance("com.sun.star.text.textfield.Annotation")
    comment.Author = "李审读"
    comment.Content = "课题组的名称要写全。"
    when = uno.createUnoStruct("com.sun.star.util.DateTime")
    when.Year, when.Month, when.Day, when.Hours = 2026, 12, 1, 10
    comment.DateTimeValue = when
    text.insertTextContent(select(doc, body[4], "课题组"), comment, True)
    doc.storeToURL(uno.systemPathToFileUrl(target), (prop("FilterName", DOCX),))
    doc.close(True)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    with contextlib.suppress(Exception):  # the bridge drops as soffice quits
        desktop.terminate()


main()
