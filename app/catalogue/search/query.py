"""The search interface: what a caller asks (``SearchQuery``) and gets back (``SearchResult``).

Pages, the JSON API and benchmarks build a ``SearchQuery`` (pages through ``from_args``, which
turns every bad input into a message instead of an error) and call ``service.search``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.catalogue import classification
from app.catalogue.records import LEGAL_STATUSES, PATENT_TYPES
from app.catalogue.search.attrs import DOC_TYPES, JURISDICTION_CODES
from app.catalogue.search.tokens import MAX_QUERY_LENGTH, QueryTooLong, parse_query
from app.core.http import parse_bounded_int
from app.core.money import MoneyError, parse_money

SORTS = ("relevance", "newest", "remaining_term", "value")
PER_PAGE = 20
MAX_PAGE = 50  # 1,000 results: past that, a narrower query serves people better
DEAL_TYPES = ("assignment", "licence")


@dataclass(frozen=True)
class SearchQuery:
    """One search; every field is optional. Filters within one field are OR, across fields AND."""

    text: str = ""
    types: tuple[str, ...] = DOC_TYPES
    jurisdictions: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # patent types: invention, utility_model, design
    statuses: tuple[str, ...] = ()  # legal statuses
    classification: str | None = None  # IPC/CPC prefix at any level: "H", "H01", "H01M", "H01M 10/05"
    main_class: str | None = None  # main IPC/CPC section or class ("H", "H01"): the facet's filter
    filed_from: dt.date | None = None
    filed_to: dt.date | None = None
    granted_from: dt.date | None = None
    granted_to: dt.date | None = None
    owner: str | None = None  # words of an owner's or applicant's name
    min_remaining_years: int | None = None
    # Market and valuation filters: documents carry these once listings and valuations exist.
    listed: bool = False  # has an active listing
    deal_type: str | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    value_min: Decimal | None = None
    value_max: Decimal | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE
    today: dt.date | None = None  # "remaining term" is measured from this day (default: today, UTC)

    def with_(self, **changes) -> SearchQuery:
        return replace(self, **changes)

    @classmethod
    def from_args(cls, args: Mapping) -> tuple[SearchQuery, dict[str, str]]:
        """A query from URL arguments, and a message per argument that could not be used."""
        return _QueryArgs(args).build()


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    count: int
    selected: bool = False


@dataclass(frozen=True, slots=True)
class Hit:
    doc_type: str
    record_id: int
    title: str
    title_html: Markup  # title with the query's words marked
    snippet: Markup  # original text around the first match, escaped, matches in <mark>
    label: str | None
    jurisdiction: str | None = None
    legal_status: str | None = None
    patent_type: str | None = None
    main_class: str | None = None
    filing_date: dt.date | None = None
    grant_date: dt.date | None = None
    expiry_date: dt.date | None = None


@dataclass
class SearchResult:
    query: SearchQuery
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    type_counts: dict[str, int] = field(default_factory=dict)  # per record type, whatever the tab
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    message: str | None = None  # why there are no hits though there may be matches (page too deep)
    capped: bool = (
        False  # counting stopped at the count cap (service.COUNT_CAP): totals and facets are lower bounds
    )
    translations: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (typed words, also searched as)

    # The interface of flask_sqlalchemy's Pagination that macros/ui.html `pagination` uses.
    @property
    def page(self) -> int:
        return self.query.page

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, math.ceil(self.total / self.query.per_page)) if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def iter_pages(self, left_edge=2, left_current=2, right_current=5, right_edge=2):
        last = 0
        for number in range(1, self.pages + 1):
            if (
                number <= left_edge
                or self.page - left_current - 1 < number < self.page + right_current
                or number > self.pages - right_edge
            ):
                if last + 1 != number:
                    yield None
                yield number
                last = number


class _QueryArgs:
    """Reads URL arguments leniently: a bad value is dropped with a message, never a crash."""

    def __init__(self, args: Mapping) -> None:
        self.args = args
        self.errors: dict[str, str] = {}

    def get(self, name: str) -> str:
        value = self.args.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    def getlist(self, name: str) -> list[str]:
        values = self.args.getlist(name) if hasattr(self.args, "getlist") else [self.args.get(name, "")]
        return [v.strip() for value in values if value for v in str(value).split(",") if v.strip()]

    def choices(self, name: str, allowed: tuple[str, ...], upper: bool = False) -> tuple[str, ...]:
        values = [v.upper() if upper else v.lower() for v in self.getlist(name)]
        bad = [v for v in values if v not in allowed]
        if bad:
            self.errors[name] = str(_l("Unknown value: %(values)s", values=", ".join(bad)))
        return tuple(dict.fromkeys(v for v in values if v in allowed))

    def date(self, name: str) -> dt.date | None:
        value = self.get(name)
        if not value:
            return None
        try:
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            self.errors[name] = str(_l("Not a date: use the form 2024-03-31."))
            return None
        if not 1900 <= parsed.year <= 2100:
            self.errors[name] = str(_l("Dates must lie between 1900 and 2100."))
            return None
        return parsed

    def integer(self, name: str, low: int, high: int) -> int | None:
        value = self.get(name)
        if not value:
            return None
        number = parse_bounded_int(value, low, high)
        if number is None:
            self.errors[name] = str(_l("Enter a whole number from %(low)s to %(high)s.", low=low, high=high))
        return number

    def money(self, name: str) -> Decimal | None:
        value = self.get(name)
        if not value:
            return None
        try:
            amount = parse_money(value).amount
        except MoneyError:
            amount = None
        if amount is None or amount > Decimal("1e15"):
            self.errors[name] = str(_l("Enter an amount in yuan, e.g. 500000."))
            return None
        return amount

    def code(self, name: str) -> str | None:
        value = self.get(name)
        if not value:
            return None
        try:
            return classification.normalise(value, "cpc")
        except classification.InvalidClassification as error:
            self.errors[name] = str(
                _l("Not an IPC/CPC code (%(reason)s), e.g. H01M or H01M 10/05.", reason=error.reason)
            )
            return None

    def range(self, low: str, high: str) -> tuple:
        start, end = self.date(low), self.date(high)
        if start and end and start > end:
            self.errors[high] = str(_l("The end date is before the start date."))
            return start, None
        return start, end

    def build(self) -> tuple[SearchQuery, dict[str, str]]:
        text = self.get("q")
        try:
            parse_query(text)
        except QueryTooLong:
            self.errors["q"] = str(
                _l("Search text is limited to %(limit)s characters.", limit=MAX_QUERY_LENGTH)
            )
            text = text[:MAX_QUERY_LENGTH]
        type_name = self.get("type").lower()
        types = DOC_TYPES
        if type_name in DOC_TYPES:
            types = (type_name,)
        elif type_name not in ("", "all"):
            self.errors["type"] = str(_l("Unknown value: %(values)s", values=type_name))
        sort = self.get("sort") or "relevance"
        if sort not in SORTS:
            self.errors["sort"] = str(_l("Unknown value: %(values)s", values=sort))
            sort = "relevance"
        page = self.get("page") or "1"
        filed, granted = self.range("filed_from", "filed_to"), self.range("granted_from", "granted_to")
        deal = self.choices("deal", DEAL_TYPES)
        main_class = self.code("main_class")
        if main_class and len(main_class) > 3:
            main_class = main_class[:3]
        query = SearchQuery(
            text=text,
            types=types,
            jurisdictions=self.choices("jurisdiction", JURISDICTION_CODES, upper=True),
            kinds=self.choices("kind", PATENT_TYPES),
            statuses=self.choices("status", LEGAL_STATUSES),
            classification=self.code("ipc"),
            main_class=main_class,
            filed_from=filed[0],
            filed_to=filed[1],
            granted_from=granted[0],
            granted_to=granted[1],
            owner=self.get("owner")[:100] or None,
            min_remaining_years=self.integer("remaining", 0, 30),
            listed=self.get("listed") in ("1", "true", "on"),
            deal_type=deal[0] if deal else None,
            price_min=self.money("price_min"),
            price_max=self.money("price_max"),
            value_min=self.money("value_min"),
            value_max=self.money("value_max"),
            sort=sort,
            page=parse_bounded_int(page, 1, 10_000) or 1,
        )
        return query, self.errors
