"""Publication and application number rules per jurisdiction."""

import pytest

from app.catalogue.numbers import (
    InvalidNumber,
    cn_check_digit,
    parse_application_number,
    parse_publication_number,
    patent_type_for,
)


@pytest.mark.parametrize(
    ("raw", "jurisdiction", "kind", "canonical", "display"),
    [
        ("US 7,123,456 B2", None, None, "US7123456", "US 7,123,456 B2"),
        ("06859910", "US", "B2", "US6859910", "US 6,859,910 B2"),
        ("9999999", "us", "B2", "US9999999", "US 9,999,999 B2"),
        ("D512,345 S", "US", None, "USD512345", "US D512,345 S"),
        ("D0558934", "US", "S1", "USD558934", "US D558,934 S1"),
        ("RE41,234 E", "US", None, "USRE41234", "US RE41,234 E"),
        ("PP018398", "US", "P2", "USPP18398", "US PP18,398 P2"),
        ("2005/0123456 A1", "US", None, "US20050123456", "US 2005/0123456 A1"),
        ("20050004974", "US", "A1", "US20050004974", "US 2005/0004974 A1"),
        ("CN118866379A", None, None, "CN118866379", "CN 118866379 A"),
        ("cn 1234567 a", None, None, "CN1234567", "CN 1234567 A"),
        ("CN 201234567 U", None, None, "CN201234567", "CN 201234567 U"),
        ("CN305123456S", None, None, "CN305123456", "CN 305123456 S"),
        ("EP 1234567 A1", None, None, "EP1234567", "EP 1234567 A1"),
        ("JP 2005-123456 A", None, None, "JP2005123456", "JP 2005-123456 A"),
        ("JPH11-123456A", None, None, "JPH11123456", "JP H11-123456 A"),
        ("JP4123456B2", None, None, "JP4123456", "JP 4123456 B2"),
        ("KR 10-2005-0012345 A", None, None, "KR1020050012345", "KR 10-2005-0012345 A"),
        ("KR20050012345A", None, None, "KR1020050012345", "KR 10-2005-0012345 A"),
        ("KR 10-0123456 B1", None, None, "KR100123456", "KR 10-0123456 B1"),
        ("WO 2005/012345 A1", None, None, "WO2005012345", "WO 2005/012345 A1"),
        ("WO 99/12345", None, None, "WO1999012345", "WO 1999/012345"),
        ("ＣＮ１１８８６６３７９Ａ", None, None, "CN118866379", "CN 118866379 A"),
    ],
)
def test_publication_numbers_normalise(raw, jurisdiction, kind, canonical, display):
    number = parse_publication_number(raw, jurisdiction, kind)
    assert (number.canonical, number.display) == (canonical, display)


def test_kind_is_not_part_of_the_key_so_a_grant_updates_its_application():
    a = parse_publication_number("CN 107123456 A")
    b = parse_publication_number("CN 107123456 B")
    assert a.canonical == b.canonical
    assert (a.kind, b.kind) == ("A", "B")


@pytest.mark.parametrize(
    ("raw", "jurisdiction", "kind", "reason"),
    [
        ("", "US", None, "is empty"),
        ("123", None, None, "no country prefix"),
        ("12345678901234", "US", None, "not a valid US number"),
        ("D512,345 B2", "US", None, "does not fit D patents"),
        ("2005/0123456 B2", "US", None, "not an application publication kind"),
        ("CN118866379U", None, None, "does not fit a number starting 1"),
        ("CN 4123456 A", None, None, "not a valid CN number"),
        ("US 7,123,456 B2", "CN", None, "starts with US but jurisdiction is CN"),
        ("7123456", "XX", None, "is not one of"),
        ("US 7123456 B2", None, "B1", "disagrees"),
        ("EP 123 A1", None, None, "not a valid EP number"),
    ],
)
def test_malformed_publication_numbers_are_refused_with_a_reason(raw, jurisdiction, kind, reason):
    with pytest.raises(InvalidNumber, match=reason) as caught:
        parse_publication_number(raw, jurisdiction, kind)
    assert caught.value.field in ("publication_number", "jurisdiction")


@pytest.mark.parametrize(
    ("digits", "check"),
    [("201710601862", "3"), ("95115608", "X"), ("201510123456", "1")],
)
def test_cn_check_digit_matches_published_examples(digits, check):
    # 201710601862.3 and ZL95115608.X are the worked examples of the CNIPA rule.
    assert cn_check_digit(digits) == check


@pytest.mark.parametrize(
    ("raw", "jurisdiction", "canonical", "display"),
    [
        ("CN 201710601862.3", None, "CN201710601862.3", "CN 201710601862.3"),
        ("ZL95115608.X", None, "CN95115608.X", "CN 95115608.X"),
        ("2017106018623", "CN", "CN201710601862.3", "CN 201710601862.3"),
        ("11/123,456", "US", "US11123456", "US 11/123,456"),
        ("10339710", "US", "US10339710", "US 10/339,710"),
        ("29/391,891", "US", "US29391891", "US 29/391,891"),
        ("EP03012345.6", None, "EP03012345.6", "EP 03012345.6"),
        ("JP2005-123456", None, "JP2005123456", "JP 2005-123456"),
        ("KR 10-2005-0012345", None, "KR1020050012345", "KR 10-2005-0012345"),
        ("PCT/CN2005/000123", None, "PCT/CN2005/000123", "PCT/CN2005/000123"),
    ],
)
def test_application_numbers_normalise(raw, jurisdiction, canonical, display):
    number = parse_application_number(raw, jurisdiction)
    assert (number.canonical, number.display) == (canonical, display)


@pytest.mark.parametrize(
    ("raw", "jurisdiction", "reason"),
    [
        ("201710601862.4", "CN", "check digit 4 is wrong"),
        ("201710601862", "CN", "lacks its check digit"),
        ("201750601862.3", "CN", "type digit 5"),
        ("2005/0123456", "US", "looks like a publication number"),
        ("00/123,456", "US", "not a valid US number"),
    ],
)
def test_malformed_application_numbers_are_refused(raw, jurisdiction, reason):
    with pytest.raises(InvalidNumber, match=reason) as caught:
        parse_application_number(raw, jurisdiction)
    assert caught.value.field == "application_number"


@pytest.mark.parametrize(
    ("jurisdiction", "kind", "canonical", "expected"),
    [
        ("US", "S1", "USD558934", "design"),
        ("US", "B2", "US7123456", "invention"),
        ("CN", "U", "CN201234567", "utility_model"),
        ("CN", "S", "CN305123456", "design"),
        ("CN", "A", "CN118866379", "invention"),
        ("JP", "U", "JP3123456", "utility_model"),
        ("EP", "B1", "EP1234567", "invention"),
    ],
)
def test_patent_type_follows_kind(jurisdiction, kind, canonical, expected):
    assert patent_type_for(jurisdiction, kind, canonical) == expected
