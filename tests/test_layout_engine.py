"""The fixes layout_engine makes to WeasyPrint's libraries keep what the libraries write."""

from __future__ import annotations

import io
from hashlib import md5

from pypdf import PdfReader

from report_export import layout_engine


def _counting_string() -> tuple[object, list[int]]:
    """A pydyf string inside a stream, counting how often the stream is serialised."""
    import pydyf

    made: list[int] = []

    class Counted(pydyf.String):  # type: ignore[misc]
        @property
        def data(self) -> bytes:
            made.append(1)
            return b"(counted) Tj"

    return Counted("counted"), made


def test_a_pdf_is_written_with_each_stream_made_once_and_hashed_as_written() -> None:
    layout_engine.load()
    import pydyf

    counted, made = _counting_string()
    pdf = pydyf.PDF()
    stream = pydyf.Stream([b"BT /F1 12 Tf", counted, b"ET"], compress=True)
    pdf.add_object(stream)
    pdf.add_page(pydyf.Dictionary({"Type": "/Page", "Contents": stream.reference}))
    out = io.BytesIO()
    pdf.write(out, b"1.7", b"fixed", compress=True)
    # pydyf alone deflates the stream twice: to write it and to hash it for the second ID.
    assert made == [1]

    # The ID hashes the objects' bytes as a fresh serialisation makes them (the xref stream,
    # added last, is not hashed).
    hashed = [obj for obj in pdf.objects[:-1] if obj.free != "f"]
    expected = md5(b"".join(obj.data for obj in hashed)).hexdigest().encode()
    assert b"[(fixed) (" + expected + b")]" in out.getvalue()
    written = PdfReader(out).get_object(stream.number)
    assert written.get_data() == b"BT /F1 12 Tf\n(counted) Tj\nET"

    # Outside a write nothing is kept: a stream changed since is serialised as it now is.
    stream.stream.append(b"% changed")
    assert stream.data != pydyf.Stream([b"BT /F1 12 Tf", counted, b"ET"], compress=True).data
