"""Field extraction from one parsed USPTO grant or application document.

The paths cover the v4.0-v4.5 DTDs: ``parties/applicants`` (inventors were the applicants
until 2012) and ``us-parties/{us-applicants,inventors}`` afterwards; ``classification-ipc``
(IPC 7, fixed width) and ``classifications-ipcr``; ``classifications-cpc`` from 2013;
``references-cited/citation`` and ``us-references-cited/us-citation``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from xml.etree.ElementTree import Element

from app.catalogue import classification as cls
from app.catalogue.importers.text import clean
from app.catalogue.messages import N_, message, reason_of
from app.catalogue.numbers import (
    InvalidNumber,
    parse_application_number,
    parse_publication_number,
    patent_type_for,
)
from app.catalogue.records import Classification, PatentRecord, RowError, SourceRef
from app.catalogue.terms import PatentDates, date_problems, parse_date

_IPCR_PARTS = ("section", "class", "subclass", "main-group", "subgroup")


def _text(element: Element | None) -> str | None:
    """All text under an element (titles carry <i>, <sub>...), whitespace collapsed."""
    return None if element is None else clean("".join(element.itertext()))


def _bibliographic(root: Element) -> Element:
    """The bibliographic block, whose name differs between grants and applications."""
    bib = root.find("us-bibliographic-data-grant")
    return bib if bib is not None else root.find("us-bibliographic-data-application")


def _name(party: Element) -> str | None:
    """An organisation name, or "First Last" for a person."""
    book = party.find("addressbook")
    book = book if book is not None else party
    org = _text(book.find("orgname"))
    if org:
        return org
    person = " ".join(filter(None, (_text(book.find("first-name")), _text(book.find("last-name")))))
    return person or None


def _names(parties: Iterable[Element]) -> tuple[str, ...]:
    """Distinct names in document order."""
    return tuple(dict.fromkeys(n for n in map(_name, parties) if n))


def _parties(bib: Element) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(applicants, inventors) across the old ``parties`` and newer ``us-parties`` forms."""
    old = bib.findall("parties/applicants/applicant")
    if old:
        inventors = [a for a in old if a.get("app-type") == "applicant-inventor"]
        return _names(old), _names(inventors)
    applicants = bib.findall("us-parties/us-applicants/us-applicant")
    inventors = bib.findall("us-parties/inventors/inventor")
    return _names(applicants), _names(inventors)


def _classifications(bib: Element) -> list[Classification]:
    """IPC (IPCR or IPC 7) and CPC codes, the first-position/main one marked."""
    found: list[Classification] = []
    for ipcr in bib.findall("classifications-ipcr/classification-ipcr"):
        code = cls.from_parts(*(ipcr.findtext(p, "") for p in _IPCR_PARTS), scheme="ipc")
        found.append(Classification("ipc", code, ipcr.findtext("symbol-position") == "F"))
    old = bib.find("classification-ipc")
    if old is not None and not found:
        for element in old:
            if (
                element.tag in ("main-classification", "further-classification")
                and (element.text or "").strip()
            ):
                code = cls.from_ipc7_fixed(element.text)
                found.append(Classification("ipc", code, element.tag == "main-classification"))
    for group, is_main in (("main-cpc", True), ("further-cpc", False)):
        for cpc in bib.findall(f"classifications-cpc/{group}/classification-cpc"):
            code = cls.from_parts(*(cpc.findtext(p, "") for p in _IPCR_PARTS), scheme="cpc")
            found.append(Classification("cpc", code, is_main))
    return list(dict.fromkeys(found))


def _claims(root: Element) -> tuple[str | None, int | None, int | None]:
    """(first claim text, total claims, independent claims = those citing no other claim)."""
    claims = root.findall("claims/claim")
    if not claims:
        return None, None, None
    independent = sum(1 for c in claims if c.find(".//claim-ref") is None)
    first = _text(claims[0])
    return (re.sub(r"^1\s*\.\s*", "", first) if first else None), len(claims), independent


def _priority(bib: Element) -> tuple[dt.date | None, tuple[str, ...]]:
    """Earliest priority date and the countries of the priority filings."""
    claims = bib.findall("priority-claims/priority-claim")
    dates = [d for d in (parse_date(c.findtext("date")) for c in claims) if d]
    countries = [clean(c.findtext("country")) for c in claims]
    pct = clean(bib.findtext("pct-or-regional-filing-data/document-id/country"))
    return (min(dates) if dates else None), tuple(c for c in (*countries, pct) if c)


def _citations(bib: Element) -> int | None:
    """Backward citations: every cited patent and non-patent document."""
    block = bib.find("references-cited")
    if block is None:
        block = bib.find("us-references-cited")
    if block is None:
        return None
    return sum(1 for c in block if c.tag in ("citation", "us-citation"))


def document_to_record(root: Element, source: SourceRef) -> PatentRecord | RowError:
    """Build a record from one document, or a RowError naming the field that failed."""
    field = "publication_number"
    try:
        bib = _bibliographic(root)
        pub = bib.find("publication-reference/document-id")
        number = parse_publication_number(pub.findtext("doc-number", ""), "US", pub.findtext("kind"))
        field = "application_number"
        app = bib.find("application-reference")
        application = parse_application_number(app.findtext("document-id/doc-number", ""), "US")
        field = "dates"
        filing, published = parse_date(app.findtext("document-id/date")), parse_date(pub.findtext("date"))
        priority, family = _priority(bib)
        field = "classifications"
        codes = tuple(_classifications(bib))
    except AttributeError:  # an element the DTD requires is missing
        return RowError.of(source.file, source.location, field, message(N_("a required element is missing")))
    except (InvalidNumber, cls.InvalidClassification, ValueError) as exc:
        return RowError.of(source.file, source.location, field, reason_of(exc))
    is_grant = root.tag == "us-patent-grant"
    dates = PatentDates(filing, priority, published, published if is_grant else None)
    problems = date_problems(dates)
    if problems:
        return RowError.of(source.file, source.location, problems[0].field, problems[0].message)
    applicants, inventors = _parties(bib)
    first_claim, claims_count, independent = _claims(root)
    design = app.get("appl-type") == "design"
    return PatentRecord(
        jurisdiction="US",
        publication_number=number.canonical,
        kind_code=number.kind,
        patent_type="design" if design else patent_type_for("US", number.kind, number.canonical),
        source=source,
        application_number=application.canonical,
        title_en=_text(bib.find("invention-title")),
        abstract_en=_text(root.find("abstract")),
        first_claim=first_claim,
        claims_count=claims_count,
        independent_claims_count=independent,
        classifications=codes,
        applicants=applicants,
        owners=_names(bib.findall("assignees/assignee")),
        inventors=inventors,
        filing_date=filing,
        priority_date=priority,
        publication_date=published,
        grant_date=dates.grant_date,
        legal_status="granted" if is_grant else "pending",
        family_countries=tuple(sorted({"US", *family})),
        backward_citations=_citations(bib),
    )
