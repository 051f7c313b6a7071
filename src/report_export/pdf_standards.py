"""The PDF standards a report's PDF claims (PDF/UA-1 for readers with assistive technology,
PDF/A-2b or PDF/A-3b for archives) and what WeasyPrint 70 leaves for us to do for them.

WeasyPrint writes the identification, the XMP metadata and (for PDF/A) the output intent;
``finisher`` repairs its tag tree where PDF/UA-1 asks for more, on the PDF objects before they
are written (WeasyPrint's public ``finisher`` hook). No library does these repairs; each is
small and says which of WeasyPrint's shortcomings it answers:

- page-margin content (running head, page number) is marked as content with no place in the
  structure tree (WeasyPrint issue 1836): it becomes a pagination artifact;
- a link with inline markup inside (``<a><sup>1</sup></a>``) gets one annotation a box, and
  the inner boxes' annotations hang off a non-Link element: they join their link's element;
- a list item's children other than its label go into a list body (WeasyPrint makes one only
  for anonymous boxes, so a ``<p>`` in an item stands beside the label);
- link annotations get the Print flag (WeasyPrint sets it for PDF/A only);
- a PDF/A file also declares PDF/UA-1, which it then meets as well (tagged, titled, with its
  language), so an archive copy loses nothing for a screen reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import pydyf
from lxml import etree

PdfVariant = Literal["ua-1", "a-2b", "a-3b", "none"]
"""The ``pdf-variant`` option's values."""

WEASYPRINT_VARIANTS: dict[str, str | None] = {
    "ua-1": "pdf/ua-1",
    "a-2b": "pdf/a-2b",
    "a-3b": "pdf/a-3b",
    "none": None,
}
"""Our variant names -> WeasyPrint's ``pdf_variant``."""

PDFUA_SCHEMA = Path(__file__).with_name("pdfua-extension-schema.xmp")
"""The XMP extension schema that describes ``pdfuaid`` to a PDF/A reader: PDF/A-2 and -3 allow
only the XMP specification's own schemas undescribed."""
PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"
PDFAID_NS = "http://www.aiim.org/pdfa/ns/id/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC_NS = "http://purl.org/dc/elements/1.1/"
_PRINT_FLAG = 4  # annotation flag bit 3: shown when printed, and by readers that follow print

Finisher = Callable[[Any, Any], None]


def finisher(variant: PdfVariant, tagged: bool, source: str = "") -> Finisher:
    """WeasyPrint's ``finisher`` for a PDF of ``variant``: ``(document, pydyf.PDF) -> None``;
    ``source``, when given, goes into the XMP packet as ``dc:source`` (WeasyPrint writes no
    such field)."""

    def finish(_document: Any, pdf: Any) -> None:
        objects = _Objects(pdf)
        _print_annotations(objects)
        if tagged:
            _margin_content_as_artifacts(objects)
            _annotations_into_links(objects)
            _list_bodies(objects)
        if variant in ("a-2b", "a-3b"):
            _declare_pdfua(objects)
        if source and "Metadata" in objects.pdf.catalog:
            _xmp_source(objects, source)

    return finish


class _Objects:
    """The PDF's objects by reference, as WeasyPrint's pydyf holds them."""

    def __init__(self, pdf: Any) -> None:
        self.pdf = pdf

    def get(self, item: Any) -> Any:
        """The object a reference (``b"12 0 R"``) points at; any other item as it is (pydyf
        holds some arrays and dictionaries inline)."""
        return self.pdf.objects[int(item.split()[0])] if _is_reference(item) else item

    def add(self, obj: Any) -> Any:
        self.pdf.add_object(obj)
        return obj

    def all(self) -> Iterator[Any]:
        return iter(self.pdf.objects)

    def pages(self) -> Iterator[Any]:
        for number in self.pdf.pages["Kids"][::3]:
            yield self.pdf.objects[number]

    def struct_root(self) -> Any:
        reference = self.pdf.catalog.get("StructTreeRoot")
        return None if reference is None else self.get(reference)


def _is_reference(item: Any) -> bool:
    return isinstance(item, bytes) and item.endswith(b" R")


def _kids(obj: Any) -> list[Any]:
    kids = obj.get("K", [])
    return kids if isinstance(kids, list) else [kids]


def _print_annotations(objects: _Objects) -> None:
    for page in objects.pages():
        for reference in page.get("Annots", []):
            annotation = objects.get(reference)
            annotation["F"] = annotation.get("F", 0) | _PRINT_FLAG


def _reachable(objects: _Objects, root: Any) -> set[int]:
    """The numbers of the structure elements reachable from the structure tree's root."""
    seen: set[int] = set()
    pending = [root]
    while pending:
        obj = pending.pop()
        for kid in _kids(obj):
            if _is_reference(kid):
                number = int(kid.split()[0])
                if number not in seen:
                    seen.add(number)
                    pending.append(objects.get(kid))
    return seen


def _margin_content_as_artifacts(objects: _Objects) -> None:
    """Marked content whose structure element is outside the tree (page-margin boxes) becomes
    ``/Artifact <</Type /Pagination>>``; its parent-tree entries become null."""
    root = objects.struct_root()
    if root is None:
        return
    reachable = _reachable(objects, root)
    nums = objects.get(root["ParentTree"])["Nums"]
    mapping = dict(zip(nums[::2], nums[1::2], strict=True))
    for page in objects.pages():
        if "StructParents" not in page:
            continue
        by_mcid = objects.get(mapping[page["StructParents"]])
        orphans = {
            mcid
            for mcid, element in enumerate(by_mcid)
            if _is_reference(element) and int(element.split()[0]) not in reachable
        }
        if not orphans:
            continue
        content = objects.get(page["Contents"]).stream
        for index, item in enumerate(content):
            if isinstance(item, dict) and item.get("MCID") in orphans:
                by_mcid[item["MCID"]] = "null"
                content[index - 1] = "/Artifact"
                content[index] = pydyf.Dictionary({"Type": "/Pagination"})


def _annotations_into_links(objects: _Objects) -> None:
    """An annotation whose structure element is not a Link moves to its nearest Link ancestor
    (its object reference and its parent-tree entry both)."""
    root = objects.struct_root()
    if root is None:
        return
    nums = objects.get(root["ParentTree"])["Nums"]
    for index in range(1, len(nums), 2):
        element_ref = nums[index]
        element = objects.get(element_ref)
        if not isinstance(element, pydyf.Dictionary) or element.get("S") == "/Link":
            continue
        annotation_refs = [
            kid
            for kid in _kids(element)
            if _is_reference(kid) and objects.get(kid).get("Type") == "/OBJR"
        ]
        link = _link_ancestor(objects, element)
        if link is None or not annotation_refs:
            continue
        element["K"] = pydyf.Array(kid for kid in _kids(element) if kid not in annotation_refs)
        link["K"].extend(annotation_refs)
        nums[index] = link.reference


def _link_ancestor(objects: _Objects, element: Any) -> Any:
    while "P" in element:
        element = objects.get(element["P"])
        if element.get("S") == "/Link":
            return element
    return None


def _list_bodies(objects: _Objects) -> None:
    """Every list item: its label, then one list body holding everything else."""
    for obj in list(objects.all()):
        if not isinstance(obj, pydyf.Dictionary) or obj.get("S") != "/LI":
            continue
        kids = _kids(obj)
        loose = [
            kid
            for kid in kids
            if _is_reference(kid) and objects.get(kid).get("S") not in ("/Lbl", "/LBody")
        ]
        if not loose:
            continue
        bodies = [
            kid for kid in kids if _is_reference(kid) and objects.get(kid).get("S") == "/LBody"
        ]
        if bodies:
            body = objects.get(bodies[0])
        else:
            body = objects.add(
                pydyf.Dictionary(
                    {"Type": "/StructElem", "S": "/LBody", "K": pydyf.Array(), "P": obj.reference}
                )
            )
            if "Pg" in obj:
                body["Pg"] = obj["Pg"]
        for kid in loose:
            objects.get(kid)["P"] = body.reference
        body["K"].extend(loose)
        kept = [kid for kid in kids if kid not in loose]
        if not bodies:
            kept.append(body.reference)
        obj["K"] = pydyf.Array(kept)


def _xmp_source(objects: _Objects, source: str) -> None:
    """A ``dc:source`` description in the XMP packet's ``rdf:RDF``."""
    stream = objects.get(objects.pdf.catalog["Metadata"])
    packet = b"".join(
        part if isinstance(part, bytes) else str(part).encode() for part in stream.stream
    )
    tree = etree.fromstring(packet).getroottree()
    rdf = next(tree.iter(f"{{{RDF_NS}}}RDF"))
    description = etree.SubElement(rdf, f"{{{RDF_NS}}}Description", {f"{{{RDF_NS}}}about": ""})
    etree.SubElement(description, f"{{{DC_NS}}}source").text = source
    etree.cleanup_namespaces(tree, top_nsmap={"dc": DC_NS})
    stream.stream = [etree.tostring(tree, encoding="utf-8", xml_declaration=False)]


def _declare_pdfua(objects: _Objects) -> None:
    """Adds ``pdfuaid:part="1"`` beside the PDF/A identification in the XMP packet, and the
    extension schema that describes it."""
    stream = objects.get(objects.pdf.catalog["Metadata"])
    packet = b"".join(
        part if isinstance(part, bytes) else str(part).encode() for part in stream.stream
    )
    tree = etree.fromstring(packet).getroottree()
    for description in tree.iter(f"{{{RDF_NS}}}Description"):
        if description.get(f"{{{PDFAID_NS}}}part"):
            description.set(f"{{{PDFUA_NS}}}part", "1")
            # Declared with the prefix the standard's examples use, on the rdf:RDF beside the
            # others (lxml would invent "ns0" on the element).
            etree.cleanup_namespaces(tree, top_nsmap={"pdfuaid": PDFUA_NS})
            description.addnext(etree.fromstring(PDFUA_SCHEMA.read_bytes()))
            break
    stream.stream = [etree.tostring(tree, encoding="utf-8", xml_declaration=False)]
