"""The search service: ``search(session, query) -> SearchResult`` for pages, the API and benchmarks.

Ranking is defined here, the same for both backends: a hit's tier is the number of query terms
found in its title (the first three terms count), higher tiers first; within a tier, newer
documents first (rowid descending: record id, then type). Every hit contains every term.
Each tier is its own index query that stops after one page, so a frequent word never makes us
score every match.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections import Counter
from dataclasses import dataclass
from itertools import combinations

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from app.catalogue import classification
from app.catalogue.search import crosslang, documents
from app.catalogue.search.attrs import ATTR_MASK, DOC_TYPES, Attrs, field_codes
from app.catalogue.search.backends import Condition, FacetFilter, backend_for, chunked
from app.catalogue.search.expr import TEXT_COLUMNS, And, Node, Not, Or, Tok, and_, in_column, or_
from app.catalogue.search.lookup import query_number_tokens, split_codes
from app.catalogue.search.models import SearchDocument
from app.catalogue.search.query import MAX_PAGE, Hit, SearchQuery, SearchResult
from app.catalogue.search.snippets import highlight, snippet, term_pattern
from app.catalogue.search.tokens import Term, owner_phrase, parse_query

TIERED_TERMS = 3
# Counting stops here: past it the page says "more than 10,000" and facets count the newest 10,000
# hits. This bounds every search's cost; a frequent word otherwise means counting a third of the index.
# A backend may stop sooner (its ``count_cap``: PostgreSQL 1,000), but never before the hits a page
# asks for (API pages, exports), so a total shown is never below a hit that exists.
COUNT_CAP = 10_000
# Up to this many hits, tiers are read from the hits' stored titles (one indexed read of a few
# rows) instead of one engine query per tier: the same tokens and phrase rule, the same order.
# The check costs about TITLE_CHECK_COST seconds a hit; it is used when that is less than the
# tier queries would cost (about one walk of the hits each, timed on the count pass).
TITLE_CHECK_LIMIT = 300
TITLE_CHECK_COST = 0.0001
TYPE_MASK = 3  # the document type's bits in a rowid (attrs.py)
MIN_YEAR, MAX_YEAR = 1900, 2100
FACETS = ("jurisdiction", "patent_type", "legal_status", "section", "main_class")


def search(session: Session, query: SearchQuery) -> SearchResult:
    """Run one search; the query must come from ``SearchQuery.from_args`` or be built in code."""
    backend = backend_for(session)
    plan = _plan_text(query.text)
    filters, conditions, facets = _filters(query)
    filters += [_classification_node(code, "c") for code in plan.codes]
    text_nodes = [plan.node] if plan.node is not None else []
    # Common facet values are tested on rowid bits instead of intersecting long token lists;
    # some index node must still bound the walk (the rarest facet filter if nothing else).
    anchored = bool(text_nodes or filters)
    if not anchored:
        facets = sorted(facets, key=backend.share)
    for facet in facets:
        bits = backend.bits_condition(facet) if anchored else None
        if bits is None:
            filters.append(facet.node)
            anchored = True
        else:
            conditions.append(bits)
    base = and_(*text_nodes, *filters) if (text_nodes or filters) else Tok(("_all",))
    types = _types_node(query.types)
    if types is not None:
        facet = FacetFilter(types, (("doc_type", field_codes("doc_type", query.types)),))
        bits = backend.bits_condition(facet)
        if bits is not None:
            types, hit_conditions = None, [*conditions, bits]
        else:
            hit_conditions = conditions
    else:
        hit_conditions = conditions
    result = SearchResult(query=query)
    result.translations = tuple((u.typed, u.translations) for u in plan.units if u.translations)

    # One pass gives the count, the facets and, when it is not capped, every hit.
    started = time.perf_counter()
    cap = min(COUNT_CAP, max(backend.count_cap, query.page * query.per_page))
    newest = backend.newest(base, conditions, cap + 1)
    walk = time.perf_counter() - started  # what one more pass over these hits costs, roughly
    _fill_counts(result, Counter(r & ATTR_MASK for r in newest), query)
    result.capped = len(newest) > cap
    if query.page > MAX_PAGE:
        result.message = "too_deep"
        return result
    if not result.total and not result.capped:  # capped: the tab's hits may lie past the cap
        return result
    offset = (query.page - 1) * query.per_page
    needed = offset + query.per_page
    rows: dict[int, Row] = {}
    codes = {DOC_TYPES.index(t) for t in query.types}
    candidates = [r for r in newest if r & TYPE_MASK in codes]
    known = not result.capped and query.sort == "relevance"  # every hit is in ``newest``
    node = and_(base, types)
    if known and not plan.ranked:
        rowids = candidates[offset:needed]
    elif (
        known
        and len(candidates) <= TITLE_CHECK_LIMIT
        and len(candidates) * TITLE_CHECK_COST < len(_levels(node, plan)) * walk
    ):
        rowids, rows = _ranked_known(session, backend, node, candidates, plan, needed)
        rowids = rowids[offset:]
    elif query.sort == "relevance" and plan.ranked:
        rowids = backend.first(_levels(node, plan), hit_conditions, needed)[offset:]
    elif not result.capped and query.sort == "newest" and backend.sorts_known:
        rowids = backend.newest_of(candidates, query.per_page, offset)
    else:
        order = None if query.sort == "relevance" else query.sort
        rowids = backend.rowids(node, hit_conditions, order, query.per_page, offset)
    result.hits = _hits(session, rowids, plan.highlight, rows)
    return result


# --- the text: words, their translations, numbers and codes --------------------------------


@dataclass(frozen=True)
class _Unit:
    """One required part of the query: a term (or an English phrase the dictionary knows as one),
    matched as typed or by any of its translations."""

    original: Node
    node: Node  # original OR translations
    terms: tuple[Term, ...]  # typed and translated terms, for highlighting
    typed: str = ""
    translations: tuple[str, ...] = ()  # what the typed words were also searched as


@dataclass(frozen=True)
class _TextPlan:
    """What the search box text asks for, and how its hits are ranked."""

    units: tuple[_Unit, ...] = ()
    pinned: Node | None = None  # the patents the whole text is the number of: ranked first
    codes: tuple[str, ...] = ()  # IPC/CPC codes typed as words: classification filters
    highlight: tuple[Term, ...] = ()

    @property
    def original(self) -> Node | None:
        """The text as typed, without translations; None when nothing was translated."""
        if all(u.node is u.original for u in self.units):
            return None
        return and_(*(u.original for u in self.units))

    @property
    def text(self) -> Node:
        """Every word (as typed or translated) in the record's own text, not only in a name."""
        return and_(*(in_column(u.node, TEXT_COLUMNS) for u in self.units))

    @property
    def node(self) -> Node | None:
        words = and_(*(u.node for u in self.units)) if self.units else None
        if self.pinned is None:
            return words
        return or_(self.pinned, words) if words is not None else self.pinned

    @property
    def ranked(self) -> bool:
        return bool(self.units or self.pinned)


def _plan_text(text: str) -> _TextPlan:
    numbers = query_number_tokens(text)
    codes: list[str] = []
    if not numbers:
        codes, text = split_codes(text)
    terms = parse_query(text)
    units = _units(terms)
    pinned = or_(*(Tok((t,)) for t in numbers)) if numbers else None
    highlight = tuple(dict.fromkeys(t for u in units for t in u.terms))
    return _TextPlan(tuple(units), pinned, tuple(codes), highlight)


def _is_word(term: Term) -> bool:
    return len(term.tokens) == 1 and not term.prefix and crosslang.language(term.text) == crosslang.EN


def _units(terms: list[Term]) -> list[_Unit]:
    """Terms with their translations; English words the dictionary knows as a phrase
    ("fuel cell", "lithium battery") become one unit."""
    units, i = [], 0
    while i < len(terms):
        size, found = 1, []
        if _is_word(terms[i]):
            for size in range(min(crosslang.MAX_WORDS, len(terms) - i), 0, -1):
                span = terms[i : i + size]
                if all(map(_is_word, span)):
                    found = crosslang.translations(" ".join(t.text for t in span), crosslang.EN)
                    if found:
                        break
            size = size if found else 1
        else:
            found = crosslang.translations(terms[i].text)
        span = terms[i : i + size]
        original = and_(*(_term_node(t) for t in span))
        alternatives_all = [_translated(t) for t in found]
        alternatives = [a for a in alternatives_all if a is not None]
        node = or_(original, *(a[0] for a in alternatives)) if alternatives else original
        used = tuple(text for text, a in zip(found, alternatives_all, strict=True) if a is not None)
        typed = " ".join(t.text for t in span)
        units.append(_Unit(original, node, (*span, *(t for a in alternatives for t in a[1])), typed, used))
        i += size
    return units


def _translated(text: str) -> tuple[Node, tuple[Term, ...]] | None:
    """A translation as an index node: its words, all required, in any order, in the record's own
    text (titles, abstracts, claims), never in names."""
    terms = [t for t in parse_query(text) if t.text not in crosslang.EN_STOP]
    if not terms:
        return None
    return in_column(and_(*(_term_node(t) for t in terms)), TEXT_COLUMNS), tuple(terms)


def _term_node(term: Term) -> Node:
    return Tok(term.tokens, term.prefix)


def _types_node(types: tuple[str, ...]) -> Node | None:
    if set(types) >= set(DOC_TYPES):
        return None
    return or_(*(Tok((f"_t_{t}",)) for t in types))


# --- ranking --------------------------------------------------------------------------------


def _tiers(plan: _TextPlan) -> list[list[tuple[list[Node], list[Node]]]]:
    """A hit's strength: per tier, most title units first, the (present, absent) choices of the
    first units in the title that make up that tier."""
    tiered = [in_column(u.node, "title") for u in plan.units[:TIERED_TERMS]]
    conditions: list = []
    for k in range(len(tiered), -1, -1):
        options = []
        for chosen in combinations(range(len(tiered)), k):
            present = [tiered[i] for i in chosen]
            absent = [tiered[i] for i in range(len(tiered)) if i not in chosen]
            options.append((present, absent))
        conditions.append(options)
    return conditions


def _restrict(node: Node, options: list[tuple[list[Node], list[Node]]]) -> Node:
    """Hits of ``node`` with exactly the given title units present (one option per subset)."""
    if len(options) == 1 and not options[0][0]:  # no unit in the title
        return Not(node, or_(*options[0][1])) if options[0][1] else node
    parts = []
    for present, absent in options:
        part = and_(*present)
        parts.append(Not(part, or_(*absent)) if absent else part)
    return and_(node, or_(*parts))


def _levels(node: Node, plan: _TextPlan) -> list[Node]:
    """Mutually exclusive parts of the hits, best first: the patents the text numbers; then by
    strength (title tier); among hits with no word in the title, those with every word in their
    own text (abstract, claims) before those found by a name (owner, inventor); within each part,
    hits matching the text as typed before hits found only through a translation."""
    levels = [and_(node, plan.pinned)] if plan.pinned is not None else []
    others = Not(node, plan.pinned) if plan.pinned is not None else node
    original = plan.original
    for options in _tiers(plan):
        tier = _restrict(others, options)
        no_title_word = not options[0][0]
        parts = [and_(tier, plan.text), Not(tier, plan.text)] if no_title_word and plan.units else [tier]
        for part in parts:
            levels += [part] if original is None else [and_(part, original), Not(part, original)]
    return levels


def _title_tokens(row: Row) -> list[str]:
    return documents.title_tokens(documents.unpack_source(row.source))


def _among(backend, node: Node, hits: list[int]) -> set[int]:
    """Which of some hits (a short list) also match ``node``: one indexed query."""
    within = Condition(f"{{rowid}} IN ({', '.join(str(int(r)) for r in hits)})", {}, document=False)
    return set(backend.rowids(node, [within], None, len(hits)))


def _ranked_known(
    session: Session, backend, node: Node, hits: list[int], plan: _TextPlan, needed: int
) -> tuple[list[int], dict[int, Row]]:
    """``backend.first`` over the ranking levels, for a short, complete list of hits (newest
    first), with each hit's tier read from its stored title tokens: the same tokens and phrase
    rule as the engine's title query."""
    tiered = [u.node for u in plan.units[:TIERED_TERMS]]
    pinned = _among(backend, and_(node, plan.pinned), hits) if plan.pinned is not None else set()
    original = plan.original
    typed = _among(backend, and_(node, original), hits) if original is not None else set(hits)
    in_text = _among(backend, and_(node, plan.text), hits) if plan.units else set(hits)
    rows = _rows(session, hits)
    key = {}
    for r in hits:
        tokens = _title_tokens(rows[r]) if r in rows else []
        titled = sum(_matches(tokens, n) for n in tiered)
        key[r] = (r not in pinned, -titled, not titled and r not in in_text, r not in typed)
    ordered = sorted(hits, key=key.__getitem__)  # stable: newest first within a level
    return ordered[:needed], rows


def _matches(tokens: list[str], node: Node) -> bool:
    """Whether a token list satisfies an expression as the index would."""
    if isinstance(node, Tok):
        return _contains(tokens, Term(node.tokens, node.prefix))
    if isinstance(node, And):
        return all(_matches(tokens, child) for child in node.children)
    if isinstance(node, Or):
        return any(_matches(tokens, child) for child in node.children)
    return _matches(tokens, node.positive) and not _matches(tokens, node.negative)


def _contains(tokens: list[str], term: Term) -> bool:
    """Whether a token list holds a term as the index matches it (a phrase; a prefix)."""
    wanted = term.tokens
    if term.prefix:
        head, last = wanted[:-1], wanted[-1]
        n = len(head)
        return any(
            tokens[i + n].startswith(last) and tuple(tokens[i : i + n]) == head
            for i in range(len(tokens) - n)
        )
    n = len(wanted)
    if n == 1:
        return wanted[0] in tokens
    return any(tuple(tokens[i : i + n]) == wanted for i in range(len(tokens) - n + 1))


# --- filters ------------------------------------------------------------------------------


def _choice(marker: str, values: tuple[str, ...]) -> Node | None:
    if not values:
        return None
    return or_(*(Tok((f"_{marker}_{v.lower()}",)) for v in values))


def _facet(marker: str, field: str, values: tuple[str, ...]) -> Node | FacetFilter | None:
    """A filter on a packed field: a FacetFilter (tokens or bits), or plain tokens for values
    without a code of their own."""
    node = _choice(marker, values)
    codes = field_codes(field, values)
    if node is None or codes is None:
        return node
    return FacetFilter(node, ((field, codes),))


def _main_class_filter(main_class: str) -> FacetFilter | Node:
    node = Tok((f"_m_{main_class.lower()}",))
    section = field_codes("section", (main_class[0],))
    if section is None or len(main_class) not in (1, 3) or not main_class[1:].isdigit():
        return node
    fields = [("section", section)]
    if len(main_class) == 3:
        number = int(main_class[1:3])
        if not 0 < number < 128:
            return node
        fields.append(("class_number", (number,)))
    return FacetFilter(node, tuple(fields))


def _classification_node(code: str, marker: str) -> Node:
    parsed = classification.parse(code, "cpc")
    if parsed.main_group is None:
        return Tok((f"_{marker}_{str(parsed).lower()}",))
    group = f"_{marker}_{parsed.subclass.lower()}{parsed.main_group.zfill(4)}"
    if not parsed.subgroup or parsed.subgroup == "00":
        return Tok((group,))
    return Tok((f"{group}_{parsed.subgroup}",), prefix=True)


def _years(marker: str, start: dt.date | None, end: dt.date | None) -> Node:
    """Year and decade tokens covering [start, end]: a coarse filter the index can intersect."""
    low = start.year if start else MIN_YEAR
    high = end.year if end else MAX_YEAR
    tokens, year = [], low
    while year <= high:
        if year % 10 == 0 and year + 9 <= high:
            tokens.append(f"_{marker}d{year // 10}")
            year += 10
        else:
            tokens.append(f"_{marker}y{year}")
            year += 1
    return or_(*(Tok((t,)) for t in tokens))


def _date_range(marker: str, column: str, start: dt.date | None, end: dt.date | None):
    """Index node for whole years, plus an exact condition when a bound falls inside a year."""
    if start is None and end is None:
        return None, []
    conditions = []
    if start and (start.month, start.day) != (1, 1):
        conditions.append(Condition(f"d.{column} >= :{column}_from", {f"{column}_from": start}))
    if end and (end.month, end.day) != (12, 31):
        conditions.append(Condition(f"d.{column} <= :{column}_to", {f"{column}_to": end}))
    return _years(marker, start, end), conditions


def _filters(query: SearchQuery) -> tuple[list[Node], list[Condition], list[FacetFilter]]:
    """Index nodes, exact conditions, and facet filters (the backend picks tokens or bits)."""
    choices = [
        _facet("j", "jurisdiction", query.jurisdictions),
        _facet("k", "patent_type", query.kinds),
        _facet("s", "legal_status", query.statuses),
    ]
    if query.main_class:
        choices.append(_main_class_filter(query.main_class))
    facets = [c for c in choices if isinstance(c, FacetFilter)]
    nodes: list[Node | None] = [c for c in choices if c is not None and not isinstance(c, FacetFilter)]
    conditions: list[Condition] = []
    if query.classification:
        nodes.append(_classification_node(query.classification, "c"))
    if query.owner:
        nodes.append(_owner_node(query.owner))
    for marker, column, start, end in (
        ("f", "filing_date", query.filed_from, query.filed_to),
        ("g", "grant_date", query.granted_from, query.granted_to),
        ("e", "expiry_date", _remaining_from(query), None),
    ):
        node, exact = _date_range(marker, column, start, end)
        nodes.append(node)
        conditions += exact
    conditions += _market_conditions(query)
    return [n for n in nodes if n is not None], conditions, facets


def _owner_node(owner: str) -> Node | None:
    """An owner's or applicant's name beginning with the words typed ("浙江大学" finds
    "浙江大学技术转移中心"), or with the name in the other language ("Zhejiang University")."""
    names = [owner, *crosslang.translations(owner)]
    phrases = [p for p in map(owner_phrase, names) if p is not None]
    if not phrases:
        return None
    return or_(*(in_column(Tok(tokens, prefix), "parties") for tokens, prefix in phrases))


def _remaining_from(query: SearchQuery) -> dt.date | None:
    if query.min_remaining_years is None:
        return None
    today = query.today or dt.datetime.now(dt.UTC).date()
    try:
        return today.replace(year=today.year + query.min_remaining_years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + query.min_remaining_years, day=28)


def _market_conditions(query: SearchQuery) -> list[Condition]:
    """Listing and valuation filters, on columns that the market and valuation enrichers fill."""
    conditions = []
    if query.listed or query.deal_type:  # a listing without an asking price ("on request") counts
        conditions.append(Condition("d.deal_types IS NOT NULL", {}))
    if query.price_min is not None or query.price_max is not None:
        conditions.append(Condition("d.price_cny IS NOT NULL", {}))
    if query.deal_type:
        conditions.append(Condition("d.deal_types LIKE :deal", {"deal": f"%,{query.deal_type},%"}))
    for name, column, op, value in (
        ("price_min", "price_cny", ">=", query.price_min),
        ("price_max", "price_cny", "<=", query.price_max),
        ("value_min", "value_cny", ">=", query.value_min),
        ("value_max", "value_cny", "<=", query.value_max),
    ):
        if value is not None:
            # Decimal as text and cast in SQL: sqlite3 cannot bind Decimal, and money stays exact.
            conditions.append(Condition(f"d.{column} {op} CAST(:{name} AS NUMERIC)", {name: str(value)}))
    return conditions


# --- counts and hits ----------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _unpack(bits: int) -> Attrs:
    return Attrs.unpack(bits)


def _fill_counts(result: SearchResult, counts: dict[int, int], query: SearchQuery) -> None:
    """Type counts over every type; the other facets over the selected types only."""
    from app.catalogue.search.query import FacetValue

    by_type: Counter = Counter()
    facets: dict[str, Counter] = {name: Counter() for name in FACETS}
    for bits, count in counts.items():
        attrs = _unpack(bits)
        by_type[attrs.doc_type] += count
        if attrs.doc_type not in query.types:
            continue
        values = {
            "jurisdiction": attrs.jurisdiction,
            "patent_type": attrs.patent_type,
            "legal_status": attrs.legal_status,
            "section": attrs.section,
            "main_class": attrs.main_class if attrs.main_class and len(attrs.main_class) == 3 else None,
        }
        for name, value in values.items():
            if value:
                facets[name][value] += count
    result.type_counts = {t: by_type.get(t, 0) for t in DOC_TYPES}
    result.total = sum(by_type[t] for t in query.types)
    selected = {
        "jurisdiction": set(query.jurisdictions),
        "patent_type": set(query.kinds),
        "legal_status": set(query.statuses),
        "section": {query.main_class[0]} if query.main_class else set(),
        "main_class": {query.main_class} if query.main_class else set(),
    }
    result.facets = {
        name: [
            FacetValue(value, count, value in selected[name])
            for value, count in sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        ]
        for name, counter in facets.items()
    }


_ROW_COLUMNS = (
    SearchDocument.fts_rowid,
    SearchDocument.doc_type,
    SearchDocument.record_id,
    SearchDocument.filing_date,
    SearchDocument.grant_date,
    SearchDocument.expiry_date,
    SearchDocument.source,
)


def _rows(session: Session, rowids: list[int]) -> dict[int, Row]:
    """The documents of some hits (plain rows, no ORM objects), by rowid."""
    rows: dict[int, Row] = {}
    for chunk in chunked(rowids, 500):
        statement = select(*_ROW_COLUMNS).where(SearchDocument.fts_rowid.in_(chunk))
        rows.update((row.fts_rowid, row) for row in session.execute(statement))
    return rows


def _hits(
    session: Session, rowids: list[int], terms: tuple[Term, ...], rows: dict[int, Row] | None = None
) -> list[Hit]:
    if not rowids:
        return []
    if not rows or any(r not in rows for r in rowids):
        rows = _rows(session, rowids)
    pattern = term_pattern(list(terms))
    hits = []
    for rowid in rowids:
        row = rows.get(rowid)
        if row is None:
            continue
        data = documents.unpack_source(row.source)
        attrs = _unpack(rowid & ATTR_MASK)
        title = " / ".join(t for t in data["titles"] if t) or (data.get("label") or "")
        hits.append(
            Hit(
                doc_type=row.doc_type,
                record_id=row.record_id,
                title=title,
                title_html=highlight(title, pattern),
                snippet=snippet(list(data["bodies"]), pattern),
                label=data.get("label"),
                jurisdiction=attrs.jurisdiction,
                legal_status=attrs.legal_status,
                patent_type=attrs.patent_type,
                main_class=attrs.main_class,
                filing_date=row.filing_date,
                grant_date=row.grant_date,
                expiry_date=row.expiry_date,
            )
        )
    return hits
