"""IPC/CPC validation, normalisation, levels and prefix search."""

import pytest

from app.catalogue.classification import (
    InvalidClassification,
    from_ipc7_fixed,
    from_parts,
    like_pattern,
    matches_prefix,
    normalise,
    parse,
    search_key,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("H01M 10/0525", "H01M 10/0525"),
        ("H01M10/0525", "H01M 10/0525"),
        ("h01m  10/0525", "H01M 10/0525"),
        ("H01M0010/0525", "H01M 10/0525"),
        ("h01m 10/525", "H01M 10/525"),  # subgroup digits are kept, never padded
        ("H01M 10/0525 (2010.01) I", "H01M 10/0525"),
        ("G01N", "G01N"),
        ("C12N 15/09 A", "C12N 15/09"),
        ("G06F2119/14", "G06F 2119/14"),
        ("H01M 10", "H01M 10"),
        ("H01", "H01"),
        ("H", "H"),
    ],
)
def test_normalise_accepts_common_spellings(raw, expected):
    assert normalise(raw) == expected


def test_levels_and_accessors():
    code = parse("H01M 10/0525")
    assert (code.section, code.class_, code.subclass, code.group) == ("H", "H01", "H01M", "H01M 10/00")
    assert code.level == "subgroup"
    assert [parse(p).level for p in ("H", "H01", "H01M", "H01M 10")] == [
        "section",
        "class",
        "subclass",
        "main_group",
    ]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("Z01M 10/00", "section 'Z'"),
        ("H1M", "class must be two digits"),
        ("H01", None),
        ("H019", "subclass must be a letter"),
        ("H01M 10/5", "subgroup 2-6 digits"),
        ("H01M 12345/00", "group 1-4 digits"),
        ("", "is empty"),
    ],
)
def test_unknown_formats_are_refused(raw, reason):
    if reason is None:
        assert normalise(raw) == "H01"
        return
    with pytest.raises(InvalidClassification, match=reason):
        parse(raw)


def test_section_y_is_cpc_only():
    assert normalise("Y10T 74/18288", "cpc") == "Y10T 74/18288"
    with pytest.raises(InvalidClassification, match="only in CPC"):
        normalise("Y10T 74/18288", "ipc")


def test_search_key_makes_every_level_a_string_prefix():
    key = search_key("H01M 10/0525")
    assert key == "H01M0010/0525"
    for prefix in ("H", "H01", "H01M", "H01M 10", "H01M 10/00", "H01M 10/05"):
        assert key.startswith(like_pattern(prefix).rstrip("%")), prefix


@pytest.mark.parametrize(
    ("code", "prefix", "expected"),
    [
        ("H01M 10/0525", "H01M 10", True),
        ("H01M 10/0525", "H01M 10/00", True),
        ("H01M 100/05", "H01M 10", False),  # padding keeps 10 and 100 apart
        ("H01M 4/00", "H01M 10", False),
        ("H01M 10/0525", "h01", True),
        ("H02J 7/00", "H01", False),
    ],
)
def test_matches_prefix(code, prefix, expected):
    assert matches_prefix(code, prefix) is expected


def test_like_patterns():
    assert like_pattern("H01M 10") == "H01M0010/%"
    assert like_pattern("H01M 10/00") == "H01M0010/%"
    assert like_pattern("H01M") == "H01M%"


@pytest.mark.parametrize(
    ("fixed", "expected"),
    [
        ("A45F  504", "A45F 5/04"),
        ("H01L 21302", "H01L 21/302"),
        ("C07C24900", "C07C 249/00"),
        ("A61B005/00", "A61B 5/00"),
    ],
)
def test_old_uspto_fixed_width_ipc(fixed, expected):
    assert from_ipc7_fixed(fixed) == expected


def test_from_parts_of_xml_fields():
    assert from_parts("A", "61", "B", "5", "0205", "cpc") == "A61B 5/0205"
