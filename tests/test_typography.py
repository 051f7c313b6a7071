"""Which characters are Chinese: one definition, which the reader, the importer and the
verifiers all use."""

from __future__ import annotations

import pytest

from report_export.typography import is_cjk, is_han


@pytest.mark.parametrize(
    ("char", "han", "cjk"),
    [
        ("中", True, True),
        ("㐀", True, True),  # Extension A
        ("﨑", True, True),  # a compatibility ideograph
        ("。", False, True),
        ("，", False, True),  # full-width forms
        ("“", False, True),
        ("—", False, True),
        ("あ", False, True),
        ("a", False, False),
        ("1", False, False),
        (" ", False, False),
        ("", False, False),
    ],
)
def test_han_and_cjk_characters(char: str, han: bool, cjk: bool) -> None:
    assert (is_han(char), is_cjk(char)) == (han, cjk)
