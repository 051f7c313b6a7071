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
- what WeasyPrint paints apart from the flow (a list item's outside marker is a positioned box,
  an image clips its overflow: each a graphics-state group of its own, drawn after the page's
  text) is moved back to its place in the tag tree's order, so that a reader that follows the
  content stream (copy and paste, Preview, Chrome) reads "1. item", not the items and then
  all their numbers;
- a PDF/A image (and its soft mask) says ``/Interpolate false``: PDF/A-2 and -3 forbid the
  smoothing request (ISO 19005-2, 6.2.8), which WeasyPrint writes for every image whose
  ``image-rendering`` is ``auto``; a viewer may still smooth what it shows;
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
            _no_empty_items(objects)
            _list_bodies(objects)
            _paint_in_tree_order(objects)
        if variant in ("a-2b", "a-3b"):
            _no_interpolation(objects)
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


def _no_empty_items(objects: _Objects) -> None:
    """No list item without content: WeasyPrint can tag an item that paints nothing on a page
    (seen on a 28-character measure), and an empty ``/LI`` is one with no ``/LBody`` (PDF/UA's
    LST-002). Such an element is taken out of its parent's kids."""
    for obj in list(objects.all()):
        if isinstance(obj, pydyf.Dictionary) and obj.get("S") == "/LI" and not _kids(obj):
            parent = objects.get(obj["P"])
            parent["K"] = pydyf.Array(kid for kid in _kids(parent) if kid != obj.reference)


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


def _no_interpolation(objects: _Objects) -> None:
    """Every image XObject and its soft mask (which pydyf holds inline) without smoothing."""
    for obj in objects.all():
        while isinstance(obj, pydyf.Stream) and obj.extra.get("Subtype") == "/Image":
            if "Interpolate" in obj.extra:
                obj.extra["Interpolate"] = "false"
            obj = obj.extra.get("SMask")


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


# --- painting in the tag tree's order ------------------------------------------------------

_STATE_OPERATORS = frozenset(
    b"gs w J j M d ri i cs CS sc SC scn SCN g G rg RG k K Tc Tw Tz TL Tf Tr Ts".split()
)
"""Operators that set graphics or text state that lasts beyond the operation (``Tm``/``Td``
last only to the end of their text object, so they are not among them)."""
_PLACE_OPERATORS = frozenset({b"cm", b"W", b"W*"})
"""Operators that change where or through what later operations paint: nothing moves across
one of them."""


def _operator(item: Any) -> bytes:
    return item.rsplit(None, 1)[-1] if isinstance(item, bytes) and item.strip() else b""


def _page_numbers(objects: _Objects) -> dict[int, int]:
    """Each page object's number -> the page's index."""
    return {number: index for index, number in enumerate(objects.pdf.pages["Kids"][::3])}


_PAINTED_APART = frozenset({"/Lbl", "/Figure"})
"""The structure elements whose content WeasyPrint paints apart from the flow: a list item's
label (an outside marker is a positioned box) and an image (the UA stylesheet's ``overflow:
hidden`` makes it a stacking context of its own)."""


def _tree_order(objects: _Objects) -> dict[int, list[tuple[int, bool]]]:
    """Each page's MCIDs in the tag tree's order (depth first), by page index, each with
    whether it is content painted apart (inside a ``_PAINTED_APART`` element). An MCID is an
    integer among its element's kids, on the element's page (``Pg``)."""
    root = objects.struct_root()
    if root is None:
        return {}
    pages = _page_numbers(objects)
    order: dict[int, list[tuple[int, bool]]] = {}
    stack: list[tuple[Any, int | None, bool]] = [
        (objects.get(kid), None, False) for kid in reversed(_kids(root)) if _is_reference(kid)
    ]
    while stack:
        element, page, apart = stack.pop()
        apart = apart or element.get("S") in _PAINTED_APART
        if _is_reference(element.get("Pg")):
            page = pages.get(int(element["Pg"].split()[0]), page)
        children = []
        for kid in _kids(element):
            if isinstance(kid, int) and page is not None:
                order.setdefault(page, []).append((kid, apart))
            elif _is_reference(kid):
                child = objects.get(kid)
                if isinstance(child, pydyf.Dictionary) and child.get("Type") != "/OBJR":
                    children.append((child, page, apart))
        stack.extend(reversed(children))
    return order


def _paint_in_tree_order(objects: _Objects) -> None:
    """On each page, a graphics-state group (``q`` … ``Q``) of content painted apart from the
    flow (``_PAINTED_APART``) that comes after content later in the tag tree is moved to just
    before that content, at the same nesting level, with the graphics and text state it was
    painted in: its own state and clip go with it, and it overlaps nothing painted between
    (a marker sits beside its item, an image in its own box), so the page looks the same and
    its content stream reads in the tree's order."""
    order = _tree_order(objects)
    for index, page in enumerate(objects.pages()):
        mcids = order.get(index, [])
        ranks = {mcid: rank for rank, (mcid, _) in enumerate(mcids)}
        apart = {mcid for mcid, painted_apart in mcids if painted_apart}
        if apart:
            stream = objects.get(page["Contents"])
            stream.stream = _reorder_level(list(stream.stream), ranks, apart)


def _units(items: list[Any]) -> list[list[Any]]:
    """One nesting level of a content stream as units: a ``q`` … ``Q`` group, a marked-content
    sequence (tag, properties, ``BDC`` … ``EMC``, or tag ``BMC`` … ``EMC``), or one other
    operation."""
    units: list[list[Any]] = []
    index = 0
    while index < len(items):
        ahead = [_operator(item) for item in items[index : index + 3]]
        if ahead[0] in (b"q", b"BMC") or b"BDC" in ahead[2:] or b"BMC" in ahead[1:2]:
            depth, end = 0, index
            for end in range(index, len(items)):
                op = _operator(items[end])
                if op in (b"q", b"BDC", b"BMC"):
                    depth += 1
                elif op in (b"Q", b"EMC"):
                    depth -= 1
                    if depth == 0:
                        break
            units.append(items[index : end + 1])
            index = end + 1
        else:
            units.append([items[index]])
            index += 1
    return units


def _mcids(unit: list[Any]) -> list[int]:
    return [
        item["MCID"]
        for item in unit
        if isinstance(item, pydyf.Dictionary) and isinstance(item.get("MCID"), int)
    ]


def _reorder_level(items: list[Any], ranks: dict[int, int], apart: set[int]) -> list[Any]:
    """``items`` (one nesting level) with its late-painted groups of ``apart`` content moved
    into place, and the same done inside each group."""
    units = _units(items)
    for position, unit in enumerate(units):
        if _operator(unit[0]) == b"q" and len(unit) > 1:
            units[position] = [unit[0], *_reorder_level(unit[1:-1], ranks, apart), unit[-1]]
    placed: list[list[Any]] = []
    for unit in units:
        mcids = [mcid for mcid in _mcids(unit) if mcid in ranks]
        target = None
        if _operator(unit[0]) == b"q" and mcids and apart.issuperset(mcids):
            last = max(ranks[mcid] for mcid in mcids)
            target = next(
                (
                    position
                    for position, earlier in enumerate(placed)
                    if any(ranks.get(mcid, -1) > last for mcid in _mcids(earlier))
                ),
                None,
            )
        if target is None:
            placed.append(unit)
            continue
        between = [item for each in placed[target:] for item in each]
        if any(_operator(item) in _PLACE_OPERATORS for item in _outside_groups(between)):
            placed.append(unit)
            continue
        state = [item for item in _outside_groups(between) if _operator(item) in _STATE_OPERATORS]
        placed.insert(target, [unit[0], *_last_of_each(state), *unit[1:]])
    return [item for unit in placed for item in unit]


def _outside_groups(items: list[Any]) -> list[Any]:
    """The operations of ``items`` not inside a ``q`` … ``Q`` group: a group restores what it
    sets, so only these leave state set after ``items``."""
    outside, depth = [], 0
    for item in items:
        op = _operator(item)
        depth += (op == b"q") - (op == b"Q")
        if depth == 0 and op != b"Q":
            outside.append(item)
    return outside


def _last_of_each(operations: list[Any]) -> list[Any]:
    """The last operation of each operator, in their order."""
    last = {_operator(item): position for position, item in enumerate(operations)}
    return [operations[position] for position in sorted(last.values())]
