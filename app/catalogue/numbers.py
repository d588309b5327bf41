"""Validate and normalise patent publication and application numbers per jurisdiction.

Canonical forms are the identity keys of the catalogue, so they leave out the kind code:
a CN application publication (A) and its grant (B) share a number and must update one
row. The kind is kept separately and shown in the display form.

====  ==========================================  ======================  =========================
 cc   publication (accepted forms)                canonical               display
====  ==========================================  ======================  =========================
 US   7,123,456 B2 / 07123456 / D512,345 S1 /     US7123456, USD512345,   US 7,123,456 B2,
      RE41,234 E / PP18,398 P2 / 2005/0123456 A1  USRE41234, US20050123456 US 2005/0123456 A1
 CN   CN 118866379 A / 1234567 / 201234567 U      CN118866379             CN 118866379 A
 EP   EP 1234567 A1                               EP1234567               EP 1234567 A1
 JP   2005-123456 A / H11-123456 / 4123456 B2     JP2005123456, JP4123456 JP 2005-123456 A
 KR   10-2005-0012345 A / 10-0123456 B1           KR1020050012345         KR 10-2005-0012345 A
 WO   WO 2005/012345 A1 / WO 99/12345             WO2005012345            WO 2005/012345 A1
====  ==========================================  ======================  =========================

Applications: US 11/123,456 (series code + serial); CN 201510123456.7 or 95115608.X with
the check digit verified (weights 2..9,2..5 over the digits, sum mod 11, 10 -> X); EP
03012345.6; JP 2005-123456; KR 10-2005-0012345; PCT/CN2005/000123.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from app.catalogue.messages import N_, FieldError, Message, message
from app.catalogue.records import JURISDICTIONS


class InvalidNumber(FieldError):
    """A number that does not match its jurisdiction's format; names the field.

    ``message`` is the translatable reason (``template`` + ``params``), ``reason`` its English text.
    """


@dataclass(frozen=True, slots=True)
class PatentNumber:
    """A validated number: the canonical key, the human form and the kind code."""

    jurisdiction: str
    canonical: str
    display: str
    kind: str | None = None


_CN_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_KIND = r"(?P<kind>[A-Z][0-9]?)?"


def cn_check_digit(digits: str) -> str:
    """CNIPA check digit of an 8- or 12-digit application number (ZC 0006-2003)."""
    if not digits.isdigit() or len(digits) not in (8, 12):
        raise InvalidNumber(
            "application_number", message(N_("%(value)s is not 8 or 12 digits"), value=repr(digits))
        )
    remainder = sum(int(d) * w for d, w in zip(digits, _CN_WEIGHTS, strict=False)) % 11
    return "X" if remainder == 10 else str(remainder)


def _group(digits: str) -> str:
    """Thousands separators, as US numbers are printed."""
    return f"{int(digits):,}"


def _split_country(value: str, jurisdiction: str | None, field: str) -> tuple[str, str]:
    """Return (jurisdiction, rest) from a number that may carry its country prefix."""
    text = re.sub(r"[\s,]", "", unicodedata.normalize("NFKC", value).upper())
    if not text:
        raise InvalidNumber(field, message(N_("is empty")))
    if text.startswith("ZL"):  # a granted CN patent is cited as ZL + application number
        return "CN", text[2:]
    prefix = text[:2]
    if prefix in JURISDICTIONS:
        if jurisdiction and jurisdiction.upper() != prefix:
            raise InvalidNumber(
                field,
                message(
                    N_("%(value)s starts with %(prefix)s but jurisdiction is %(jurisdiction)s"),
                    value=repr(value),
                    prefix=prefix,
                    jurisdiction=jurisdiction,
                ),
            )
        return prefix, text[2:]
    if text.startswith("PCT"):
        return "WO", text
    if not jurisdiction:
        raise InvalidNumber(
            field,
            message(N_("%(value)s has no country prefix and no jurisdiction was given"), value=repr(value)),
        )
    cc = jurisdiction.upper()
    if cc not in JURISDICTIONS:
        raise InvalidNumber(
            "jurisdiction",
            message(
                N_("%(value)s is not one of %(choices)s"),
                value=repr(jurisdiction),
                choices=", ".join(sorted(JURISDICTIONS)),
            ),
        )
    return cc, text


def _merge_kind(found: str | None, given: str | None, field: str) -> str | None:
    """Reconcile a kind code inside the number with one given separately."""
    given = given.strip().upper() if given else None
    if found and given and found != given:
        raise InvalidNumber(
            field,
            message(
                N_("kind %(found)s in the number disagrees with kind code %(given)s"),
                found=found,
                given=given,
            ),
        )
    return found or given or None


def _fail(field: str, cc: str, value: str, expected: str | Message) -> InvalidNumber:
    return InvalidNumber(
        field,
        message(
            N_("%(value)s is not a valid %(jurisdiction)s number (expected %(expected)s)"),
            value=repr(value),
            jurisdiction=cc,
            expected=expected,
        ),
    )


_US_GRANT = re.compile(r"(?P<prefix>D|RE|PP|H|T)?0*(?P<num>[1-9]\d{0,7})" + _KIND)
_US_PUB = re.compile(r"(?P<year>(?:19|20)\d\d)/?(?P<serial>\d{7})" + _KIND)
_US_GRANT_KINDS = {"": ("A", "B1", "B2"), "D": ("S", "S1"), "RE": ("E",), "PP": ("P2", "P3"),
                   "H": ("H",), "T": ("I4",)}  # fmt: skip


def _us_publication(text: str, kind: str | None, field: str) -> PatentNumber:
    if m := _US_PUB.fullmatch(text):
        kind = _merge_kind(m["kind"], kind, field)
        if kind and kind not in ("A1", "A2", "A9", "P1"):
            raise InvalidNumber(
                field,
                message(N_("kind %(kind)s is not an application publication kind (A1, A2, A9)"), kind=kind),
            )
        number = m["year"] + m["serial"]
        return PatentNumber("US", f"US{number}", f"US {m['year']}/{m['serial']}" + _suffix(kind), kind)
    if m := _US_GRANT.fullmatch(text):
        prefix = m["prefix"] or ""
        kind = _merge_kind(m["kind"], kind, field)
        if kind and kind not in _US_GRANT_KINDS[prefix]:
            allowed = ", ".join(_US_GRANT_KINDS[prefix])
            template = (
                N_("kind %(kind)s does not fit %(prefix)s patents (%(allowed)s)")
                if prefix
                else N_("kind %(kind)s does not fit utility patents (%(allowed)s)")
            )
            raise InvalidNumber(field, message(template, kind=kind, prefix=prefix, allowed=allowed))
        display = f"US {prefix}{_group(m['num'])}" + _suffix(kind)
        return PatentNumber("US", f"US{prefix}{m['num']}", display, kind)
    raise _fail(field, "US", text, message(N_("7,123,456 B2, D512,345 S1, RE41,234 E or 2005/0123456 A1")))


def _suffix(kind: str | None) -> str:
    return f" {kind}" if kind else ""


_CN_PUB = re.compile(r"(?P<num>[1-3](?:\d{6}|\d{8}))" + _KIND)
_CN_KINDS = {"1": ("A", "B", "C"), "2": ("U", "Y"), "3": ("S", "D")}


def _cn_publication(text: str, kind: str | None, field: str) -> PatentNumber:
    m = _CN_PUB.fullmatch(text)
    if not m:
        raise _fail(field, "CN", text, message(N_("CN 118866379 A: 7 or 9 digits starting 1, 2 or 3")))
    kind = _merge_kind(m["kind"], kind, field)
    allowed = _CN_KINDS[m["num"][0]]
    if kind and kind[0] not in allowed:
        raise InvalidNumber(
            field,
            message(
                N_("kind %(kind)s does not fit a number starting %(digit)s (%(allowed)s)"),
                kind=kind,
                digit=m["num"][0],
                allowed=", ".join(allowed),
            ),
        )
    return PatentNumber("CN", f"CN{m['num']}", f"CN {m['num']}" + _suffix(kind), kind)


def _simple(cc: str, pattern: str, expected: str | Message) -> Callable[[str, str | None, str], PatentNumber]:
    """Parser for offices whose publication number is plain digits plus a kind."""
    regex = re.compile(pattern + _KIND)

    def parse(text: str, kind: str | None, field: str) -> PatentNumber:
        m = regex.fullmatch(text)
        if not m:
            raise _fail(field, cc, text, expected)
        kind = _merge_kind(m["kind"], kind, field)
        return PatentNumber(cc, f"{cc}{m['num']}", f"{cc} {m['num']}" + _suffix(kind), kind)

    return parse


_JP_PUB = re.compile(r"(?P<era>[HSR]\d{1,2}|(?:19|20)\d\d)-?(?P<serial>\d{6})" + _KIND)
_KR_PUB = re.compile(r"(?:(?P<type>[123]0)-?)?(?P<year>(?:19|20)\d\d)-?(?P<serial>\d{7})" + _KIND)
_KR_REG = re.compile(r"(?P<type>[123]0)-?(?P<serial>\d{7})" + _KIND)
_WO_PUB = re.compile(r"(?P<year>(?:19|20)?\d\d)/?(?P<serial>\d{5,6})" + _KIND)


def _jp_publication(text: str, kind: str | None, field: str) -> PatentNumber:
    if m := _JP_PUB.fullmatch(text):
        kind = _merge_kind(m["kind"], kind, field)
        number = m["era"] + m["serial"]
        return PatentNumber("JP", f"JP{number}", f"JP {m['era']}-{m['serial']}" + _suffix(kind), kind)
    return _jp_grant(text, kind, field)


_jp_grant = _simple("JP", r"(?P<num>\d{7})", message(N_("2005-123456 A, H11-123456 A or 4123456 B2")))


def _kr_publication(text: str, kind: str | None, field: str) -> PatentNumber:
    if m := _KR_PUB.fullmatch(text):
        kind = _merge_kind(m["kind"], kind, field)
        kr_type = m["type"] or ("20" if kind and kind[0] in "UY" else "10")
        number = kr_type + m["year"] + m["serial"]
        display = f"KR {kr_type}-{m['year']}-{m['serial']}" + _suffix(kind)
        return PatentNumber("KR", f"KR{number}", display, kind)
    if m := _KR_REG.fullmatch(text):
        kind = _merge_kind(m["kind"], kind, field)
        display = f"KR {m['type']}-{m['serial']}" + _suffix(kind)
        return PatentNumber("KR", f"KR{m['type']}{m['serial']}", display, kind)
    raise _fail(field, "KR", text, message(N_("10-2005-0012345 A or 10-0123456 B1")))


def _wo_publication(text: str, kind: str | None, field: str) -> PatentNumber:
    m = _WO_PUB.fullmatch(text)
    if not m:
        raise _fail(field, "WO", text, "WO 2005/012345 A1")
    kind = _merge_kind(m["kind"], kind, field)
    year = m["year"] if len(m["year"]) == 4 else ("19" if int(m["year"]) >= 78 else "20") + m["year"]
    serial = m["serial"].zfill(6)
    return PatentNumber("WO", f"WO{year}{serial}", f"WO {year}/{serial}" + _suffix(kind), kind)


_PUBLICATION_PARSERS: dict[str, Callable[[str, str | None, str], PatentNumber]] = {
    "US": _us_publication,
    "CN": _cn_publication,
    "EP": _simple("EP", r"(?P<num>\d{7})", "EP 1234567 A1"),
    "JP": _jp_publication,
    "KR": _kr_publication,
    "WO": _wo_publication,
}


def parse_publication_number(
    value: str, jurisdiction: str | None = None, kind: str | None = None, field: str = "publication_number"
) -> PatentNumber:
    """Validate a publication number so one patent has exactly one catalogue key."""
    cc, text = _split_country(value, jurisdiction, field)
    return _PUBLICATION_PARSERS[cc](text, kind, field)


_US_APP = re.compile(r"(?P<series>0[1-9]|1\d|2\d|3[05]|6[0-3]|9[0056])/?(?P<serial>\d{6})")
_CN_APP = re.compile(r"(?P<body>\d{8}|\d{12})\.?(?P<check>[0-9X])?")
_EP_APP = re.compile(r"(?P<body>\d{8})\.?(?P<check>\d)")
_JP_APP = re.compile(r"(?:特願)?(?P<year>(?:19|20)\d\d|[HSR]\d{1,2})-?(?P<serial>\d{6})")
_KR_APP = re.compile(r"(?P<type>[123]0)-?(?P<year>(?:19|20)\d\d)-?(?P<serial>\d{7})")
_PCT_APP = re.compile(r"PCT/?(?P<cc>[A-Z]{2})(?P<year>(?:19|20)?\d\d)/?(?P<serial>\d{5,6})")


def _us_application(text: str, field: str) -> PatentNumber:
    m = _US_APP.fullmatch(text)
    if not m:
        expected = (
            N_("series code and serial, e.g. 11/123,456 (that looks like a publication number)")
            if _US_PUB.fullmatch(text)
            else N_("series code and serial, e.g. 11/123,456")
        )
        raise _fail(field, "US", text, message(expected))
    display = f"US {m['series']}/{m['serial'][:3]},{m['serial'][3:]}"
    return PatentNumber("US", f"US{m['series']}{m['serial']}", display)


def _cn_application(text: str, field: str) -> PatentNumber:
    m = _CN_APP.fullmatch(text)
    if not m:
        raise _fail(field, "CN", text, message(N_("201510123456.7 or 95115608.X")))
    body = m["body"]
    kind_digit = body[4] if len(body) == 12 else body[2]
    if kind_digit not in "12389":
        raise InvalidNumber(
            field,
            message(
                N_("%(value)s: type digit %(digit)s must be 1, 2, 3, 8 or 9"),
                value=repr(text),
                digit=kind_digit,
            ),
        )
    if len(body) == 12 and not 1985 <= int(body[:4]) <= 2099:
        raise InvalidNumber(
            field, message(N_("%(value)s: year %(year)s is impossible"), value=repr(text), year=body[:4])
        )
    expected = cn_check_digit(body)
    if m["check"] is None:
        raise InvalidNumber(
            field,
            message(
                N_("%(value)s lacks its check digit (expected %(expected)s)"),
                value=repr(text),
                expected=f"{body}.{expected}",
            ),
        )
    if m["check"] != expected:
        raise InvalidNumber(
            field,
            message(
                N_("%(value)s: check digit %(digit)s is wrong (expected %(expected)s)"),
                value=repr(text),
                digit=m["check"],
                expected=expected,
            ),
        )
    return PatentNumber("CN", f"CN{body}.{expected}", f"CN {body}.{expected}")


def _wo_application(text: str, field: str) -> PatentNumber:
    m = _PCT_APP.fullmatch(text if text.startswith("PCT") else "PCT" + text)
    if not m:
        raise _fail(field, "WO", text, "PCT/CN2005/000123")
    year = m["year"] if len(m["year"]) == 4 else ("19" if int(m["year"]) >= 78 else "20") + m["year"]
    number = f"PCT/{m['cc']}{year}/{m['serial'].zfill(6)}"
    return PatentNumber("WO", number, number)


def _regex_application(
    cc: str, regex: re.Pattern[str], expected: str | Message
) -> Callable[[str, str], PatentNumber]:
    """Parser for application numbers that are a year and a serial with separators."""

    def parse(text: str, field: str) -> PatentNumber:
        m = regex.fullmatch(text)
        if not m:
            raise _fail(field, cc, text, expected)
        parts = [p for p in m.groups() if p]
        if cc == "EP":  # the digit after the dot is a check digit, keep it visibly apart
            return PatentNumber(cc, cc + ".".join(parts), f"{cc} " + ".".join(parts))
        return PatentNumber(cc, cc + "".join(parts), f"{cc} " + "-".join(parts))

    return parse


_APPLICATION_PARSERS: dict[str, Callable[[str, str], PatentNumber]] = {
    "US": _us_application,
    "CN": _cn_application,
    "EP": _regex_application("EP", _EP_APP, "03012345.6"),
    "JP": _regex_application("JP", _JP_APP, "2005-123456"),
    "KR": _regex_application("KR", _KR_APP, "10-2005-0012345"),
    "WO": _wo_application,
}


def parse_application_number(
    value: str, jurisdiction: str | None = None, field: str = "application_number"
) -> PatentNumber:
    """Validate an application number; CN check digits catch most typing slips."""
    cc, text = _split_country(value, jurisdiction, field)
    return _APPLICATION_PARSERS[cc](text, field)


def patent_type_for(jurisdiction: str, kind: str | None, canonical: str) -> str:
    """Infer invention / utility model / design from the kind code and number shape."""
    kind = (kind or "").upper()
    if jurisdiction == "US":
        return "design" if canonical.startswith("USD") or kind.startswith("S") else "invention"
    if jurisdiction == "CN" and len(canonical) > 2:
        return {"2": "utility_model", "3": "design"}.get(canonical[2], "invention")
    if kind[:1] in ("U", "Y"):
        return "utility_model"
    return "design" if kind.startswith("S") else "invention"
