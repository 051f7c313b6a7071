"""The words the formats add around the report's own (the contents' heading, the notes'),
in the report's language."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Labels:
    """Text a format adds around the report's own, in the report's language."""

    contents: str
    landmarks: str
    notes: str
    summary: str
    """The EPUB's accessibility summary."""
    images: str
    skip_to_text: str
    """A web page's first link, for keyboard and screen-reader users."""
    table: str
    """The name of a web page's table frame (a narrow screen scrolls a wide table in it)."""


_LABELS = {
    "zh": Labels(
        contents="目录",
        landmarks="导览",
        notes="注释",
        summary=(
            "本书为可重排的文字电子书，可调整字号与版式。目录收录全部各级标题，"
            "阅读顺序与原文一致；注释作为尾注集中于书末，正文与注释之间可双向跳转。"
            "不含闪烁、声音或动画等可能引起不适的内容。"
        ),
        images="图片均附有替代文字。",
        skip_to_text="跳到正文",
        table="表格",
    ),
    "en": Labels(
        contents="Contents",
        landmarks="Landmarks",
        notes="Notes",
        summary=(
            "A reflowable text e-book: text size and layout follow the reader's settings. "
            "The table of contents lists every heading, the reading order is the original's, "
            "and the notes are endnotes at the end of the book, linked both ways. "
            "No flashing, sound or motion."
        ),
        images="Every image has a text alternative.",
        skip_to_text="Skip to the text",
        table="Table",
    ),
}


def labels_for(lang: str) -> Labels:
    """The labels for a BCP 47 language tag (English for a language without its own)."""
    return _LABELS.get(lang.split("-")[0].lower(), _LABELS["en"])
