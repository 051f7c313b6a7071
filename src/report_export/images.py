"""What an image file must be before any format shows it: whole, of bounded size, and (an SVG)
free of anything that reaches out or runs.

The reader checks every image of a source here, so each format refuses the same files with the
same message, naming the source's line: a PNG that is cut short (which one viewer shows half of
and another not at all), a decompression bomb (a few KB that inflate to gigabytes in a DOCX or
EPUB reader), an SVG with external references, entities or scripts.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ReportExportError

MAX_IMAGE_PIXELS = 40_000_000
"""Pixels an image may have (width x height): 40 megapixels, a 7,300 x 5,500 photograph."""
MAX_SVG_BYTES = 5 * 1024 * 1024
"""Bytes an SVG file may have."""

_SVG_NS = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_REFUSED_ELEMENTS = {"script", "foreignObject", "iframe", "object", "embed"}


def check_image(src: str, path: Path) -> None:
    """Refuse the image file at ``path`` (named ``src`` in the source) unless it is safe."""
    if path.suffix.lower() == ".svg":
        _check_svg(src, path)
    else:
        _check_raster(src, path)


def _check_raster(src: str, path: Path) -> None:
    from PIL import Image, UnidentifiedImageError

    def fail(why: str) -> ReportExportError:
        return ReportExportError(f"image {src!r}: {why}")

    try:
        with Image.open(path) as picture:
            width, height = picture.size
            if width * height > MAX_IMAGE_PIXELS:
                raise fail(
                    f"{width} x {height} pixels is more than {MAX_IMAGE_PIXELS:,} "
                    "(a decompression bomb?)"
                )
            picture.load()  # decodes every pixel: a file cut short fails here
    except ReportExportError:
        raise
    except Image.DecompressionBombError:
        raise fail(f"more than {MAX_IMAGE_PIXELS:,} pixels (a decompression bomb?)") from None
    except UnidentifiedImageError:
        raise fail("not an image file Pillow can read") from None
    except (OSError, SyntaxError, ValueError) as err:
        raise fail(f"damaged or cut short ({err})") from None


def _check_svg(src: str, path: Path) -> None:
    # Imported here, as Pillow is for rasters: a source without SVG images (and a text or
    # DOCX build, which never needs lxml otherwise) does not pay for it.
    from lxml import etree

    def fail(why: str) -> ReportExportError:
        return ReportExportError(f"image {src!r}: SVG refused: {why}")

    if path.stat().st_size > MAX_SVG_BYTES:
        raise fail(f"larger than {MAX_SVG_BYTES:,} bytes")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as err:
        raise fail(f"not well-formed XML ({err})") from None
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise fail("a DOCTYPE (entities can reach files and inflate without bound)")
    root = tree.getroot()
    if root.tag != f"{_SVG_NS}svg":
        raise fail("the root element is not <svg>")
    for element in root.iter():
        if not isinstance(element.tag, str):
            if isinstance(element, etree._Entity):
                raise fail("an entity reference")
            continue
        name = etree.QName(element).localname
        if name in _REFUSED_ELEMENTS:
            raise fail(f"a <{name}> element")
        for key, raw in element.attrib.items():
            attribute, value = str(key), str(raw)
            local = etree.QName(attribute).localname
            if local.lower().startswith("on"):
                raise fail(f"an event handler ({local})")
            if attribute in (_XLINK_HREF, "href") and not _local_reference(value):
                raise fail(f"an external reference ({value[:60]})")
            if "url(" in value.replace(" ", "") and not _only_local_urls(value):
                raise fail(f"an external url() in {local}")
        if name == "style" and element.text and not _only_local_urls(element.text):
            raise fail("an external url() or @import in a <style>")


def _local_reference(value: str) -> bool:
    """A reference inside the same file (``#id``) or an embedded raster (``data:image/``)."""
    value = value.strip()
    return value.startswith("#") or value.lower().startswith(
        ("data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp")
    )


def _only_local_urls(css: str) -> bool:
    if "@import" in css:
        return False
    rest = css
    while (at := rest.find("url(")) != -1:
        target = rest[at + 4 :].lstrip(" \"'")
        if not _local_reference(target):
            return False
        rest = rest[at + 4 :]
    return True
