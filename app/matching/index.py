"""The matching index: follows listing, patent and need writes, and answers text and field queries.

Writes: every flush notes the listings, patents and needs it touched; just before the session
commits, their documents (term counts from the engine's tokenizer, classification codes, whether
they are matchable now) are written to ``matching_documents`` in the same transaction, the way
the catalogue search index follows catalogue writes. A rolled-back change leaves the index as it was.

Reads: each process keeps the index of one kind (listing, patent, need) as postings segments:
a base segment written by ``flask matching rebuild`` (memory-mapped .npy files under
``MATCHING_INDEX_DIR``, shared by the workers) plus a small in-memory segment of the documents
changed since, read from the table on every query. So an edit counts at once, without a rebuild.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.catalogue.models import PUBLISHED as RECORD_PUBLISHED
from app.catalogue.models import Patent
from app.catalogue.search import crosslang
from app.core.clock import clock
from app.extensions import db
from app.market import listing_states
from app.market.listing_models import Listing, ListingPatent
from app.matching import states
from app.matching.alert_models import MatchingDocument
from app.matching.engine.postings import Doc, Postings, Segment
from app.matching.engine.postings import shortlist as postings_shortlist
from app.matching.engine.strategies import INFER_SHARE, INFER_TOP, levels
from app.matching.engine.text import tokens
from app.matching.models import Need

KINDS = ("listing", "patent", "need")
PENDING = "ipex_matching_pending"
CHANGED = "ipex_matching_changed"  # {kind: ids} written by the last commit (for the alerts)
MARGIN = dt.timedelta(seconds=60)  # rows committed late with an older stamp are read again
BATCH = 500


# ---- documents -------------------------------------------------------------------------------


def patent_texts(patent: Patent) -> list[str | None]:
    return [patent.title_zh, patent.title_en, patent.abstract_zh, patent.abstract_en]


def listing_document(listing: Listing) -> Doc:
    """The text ``services.listing_candidate`` gives the engine, so scores agree with it."""
    patents = [link.patent for link in listing.patent_links]
    texts = [listing.title_zh, listing.title_en, listing.summary_zh, listing.summary_en]
    for p in patents:
        texts += patent_texts(p)
    codes = [c.code for p in patents for c in p.classifications]
    return _doc(listing.id, listing.status == listing_states.PUBLISHED, texts, codes)


def patent_document(patent: Patent) -> Doc:
    texts = [*patent_texts(patent), getattr(patent, "first_claim", None)]
    codes = [c.code for c in patent.classifications]
    return _doc(patent.id, patent.moderation_status == RECORD_PUBLISHED, texts, codes)


def need_document(need: Need) -> Doc:
    return _doc(need.id, need.status in states.MATCHED_STATUSES, [need.text], list(need.codes or ()))


def _doc(record_id: int, active: bool, texts: Iterable[str | None], codes: list[str]) -> Doc:
    text = "\n".join(t for t in texts if t)
    return Doc(record_id, active, dict(Counter(tokens(text, crosslang))), tuple(dict.fromkeys(codes)))


LOADERS: dict[str, tuple[type, Callable[[object], Doc]]] = {
    "listing": (Listing, listing_document),
    "patent": (Patent, patent_document),
    "need": (Need, need_document),
}


def write_documents(session: Session, kind: str, ids: Iterable[int]) -> int:
    """(Re)write the documents of these records in the session's transaction; gone records go inactive."""
    model, make = LOADERS[kind]
    ids = sorted(set(ids))
    now = clock.now()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        records = {r.id: r for r in session.scalars(select(model).where(model.id.in_(chunk)))}
        rows = {
            d.record_id: d
            for d in session.scalars(
                select(MatchingDocument).where(
                    MatchingDocument.kind == kind, MatchingDocument.record_id.in_(chunk)
                )
            )
        }
        for record_id in chunk:
            doc = make(records[record_id]) if record_id in records else Doc(record_id, False, {})
            row = rows.get(record_id) or MatchingDocument(kind=kind, record_id=record_id)
            row.active, row.terms, row.codes = doc.active, dict(doc.terms), list(doc.codes)
            row.length, row.updated_at = int(sum(doc.terms.values())), now
            session.add(row)
    return len(ids)


# ---- following writes ------------------------------------------------------------------------


def mark(session: Session, kind: str, record_id: int) -> None:
    session.info.setdefault(PENDING, {}).setdefault(kind, set()).add(record_id)


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context) -> None:
    changed = [o for o in session.dirty if session.is_modified(o, include_collections=False)]
    for obj in [*session.new, *changed, *session.deleted]:
        if isinstance(obj, Listing):
            mark(session, "listing", obj.id)
        elif isinstance(obj, Patent):
            mark(session, "patent", obj.id)
        elif isinstance(obj, Need):
            mark(session, "need", obj.id)
        elif isinstance(obj, ListingPatent):
            mark(session, "listing", obj.listing_id)


@event.listens_for(Session, "before_commit")
def _write_marked(session: Session) -> None:
    if not has_app_context() or session is not db.session.registry():
        session.info.pop(PENDING, None)  # scripts' own sessions: `flask matching rebuild` catches up
        return
    session.flush()  # changes not flushed yet are noted by the flush
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    patents = pending.get("patent", set())
    if patents:  # a listing's document carries its patents' text
        listed = session.scalars(
            select(ListingPatent.listing_id).where(ListingPatent.patent_id.in_(sorted(patents)))
        )
        pending.setdefault("listing", set()).update(listed)
    for kind in KINDS:
        if pending.get(kind):
            write_documents(session, kind, pending[kind])
    session.flush()
    session.info.pop(PENDING, None)  # our own rows are not records to index
    from app.matching import alerts  # the alerts decide, in this transaction, what to look at later

    alerts.changes_committing(session, pending)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(PENDING, None)


# ---- reading ---------------------------------------------------------------------------------


class KindIndex:
    """One kind's index in this process: the base segment plus the documents changed since."""

    def __init__(self, kind: str, folder: Path | None) -> None:
        self.kind = kind
        self.lock = threading.Lock()
        self.base, meta = Segment.empty(), {}
        if folder is not None and (folder / kind / "meta.json").exists():
            self.base, meta = Segment.load(folder / kind)
        self.base_live = np.array(self.base.active, dtype=bool)
        self.watermark: dt.datetime | None = (
            dt.datetime.fromisoformat(meta["watermark"]) if meta.get("watermark") else None
        )
        self.changed: dict[int, Doc] = {}
        self.delta: Segment | None = Segment.empty()
        self.delta_live = np.zeros(0, dtype=bool)
        self.built_at = meta.get("built_at")
        self._postings: Postings | None = None  # kept until the delta changes

    def refresh(self, session: Session) -> None:
        """Read the documents written since we last looked (and a margin before)."""
        query = select(MatchingDocument).where(MatchingDocument.kind == self.kind)
        if self.watermark is not None:
            query = query.where(MatchingDocument.updated_at >= self.watermark - MARGIN)
        rows = session.scalars(query).all()
        with self.lock:
            for row in rows:
                doc = Doc(row.record_id, row.active, row.terms or {}, tuple(row.codes or ()))
                if self.changed.get(row.record_id) != doc:
                    self.changed[row.record_id] = doc
                    self.delta = None
                if self.watermark is None or row.updated_at > self.watermark:
                    self.watermark = row.updated_at
            if self.delta is None:
                ids = np.fromiter(self.changed, dtype=np.int64, count=len(self.changed))
                replaced = self.base.row_of(ids)
                self.base_live = np.array(self.base.active, dtype=bool)
                self.base_live[replaced[replaced >= 0]] = False
                self.delta = Segment.build(self.changed.values())
                self.delta_live = np.array(self.delta.active, dtype=bool)
                self._postings = None

    def postings(self) -> Postings:
        """The segments with their live rows (counting them at a million rows costs milliseconds:
        done once per change, not once per query)."""
        with self.lock:
            if self._postings is None:
                self._postings = Postings([self.base, self.delta], [self.base_live, self.delta_live])
            return self._postings

    def codes_of(self, record_id: int, session: Session) -> tuple[str, ...]:
        if record_id in self.changed:
            return tuple(self.changed[record_id].codes)
        return tuple(
            session.scalar(
                select(MatchingDocument.codes).where(
                    MatchingDocument.kind == self.kind, MatchingDocument.record_id == record_id
                )
            )
            or ()
        )


def index_folder() -> Path | None:
    folder = current_app.config.get("MATCHING_INDEX_DIR")
    return Path(folder) if folder else None


def kind_index(kind: str, session: Session) -> KindIndex:
    """This process's index of ``kind``, brought up to date with the table."""
    cache = current_app.extensions.setdefault("matching_index", {})
    folder = index_folder()
    stamp = _stamp(folder, kind)
    entry = cache.get(kind)
    if entry is None or entry[0] != stamp:
        entry = (stamp, KindIndex(kind, folder))
        cache[kind] = entry
    entry[1].refresh(session)
    return entry[1]


def _stamp(folder: Path | None, kind: str) -> float | None:
    """A new rebuild replaces the folder: its meta file's time tells workers to load it."""
    if folder is None:
        return None
    meta = folder / kind / "meta.json"
    return meta.stat().st_mtime_ns if meta.exists() else None


@dataclass(frozen=True)
class Shortlist:
    """The records worth ranking fully for one query, with the pool's BM25 of each."""

    record_ids: list[int]
    text: dict[int, float]  # raw BM25 over the whole pool
    scale: float  # what the engine divides BM25 by (text.text_scale over the whole pool)
    ideal: float  # the query's ideal BM25 over the whole pool (text.ideal_score)
    telling: dict[str, float]  # each query term the pool holds: weight x idf (names the reasons)


def shortlist(
    kind: str,
    session: Session,
    weighted_terms: dict[str, float],
    codes: tuple[str, ...],
    size: int,
    text_weight: float = 0.4,
    class_weight: float = 0.4,
) -> Shortlist:
    """The ``size`` records best by the text and field factors (the others are at most the rest).

    A query without codes borrows the subclasses of its best text matches, as the engine does."""
    index = kind_index(kind, session)
    postings = index.postings()
    ids = postings.record_ids()

    def infer(rows: list[tuple[int, int]]) -> tuple[str, ...]:
        votes: Counter[str] = Counter()
        for s, r in rows:
            for sub in {levels(c)["subclass"] for c in index.codes_of(int(ids[s][r]), session)}:
                votes[sub] += 1
        return tuple(s for s, n in votes.items() if n >= INFER_SHARE * INFER_TOP)

    found = postings_shortlist(
        postings,
        weighted_terms,
        codes,
        size,
        text_weight=text_weight,
        class_weight=class_weight,
        infer_codes=infer,
    )
    record_ids = [int(ids[s][r]) for s, r in found.rows]
    return Shortlist(
        record_ids, dict(zip(record_ids, found.text, strict=True)), found.scale, found.ideal, found.telling
    )


# ---- rebuilding ------------------------------------------------------------------------------


def rebuild(session: Session, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Rewrite every document from its record, then (with MATCHING_INDEX_DIR) the base segments."""
    counts = {}
    for kind in KINDS:
        model, _ = LOADERS[kind]
        ids = list(session.scalars(select(model.id).order_by(model.id)))
        for start in range(0, len(ids), BATCH):
            write_documents(session, kind, ids[start : start + BATCH])
            session.flush()
            if progress:
                progress(kind, len(ids[start : start + BATCH]))
        counts[kind] = len(ids)
    session.commit()
    folder = index_folder()
    if folder is not None:
        for kind in KINDS:
            write_segment(session, kind, folder / kind)
    current_app.extensions.pop("matching_index", None)
    return counts


def rebuild_job() -> dict[str, int]:
    """The rebuild as a background job (``flask matching rebuild --background``)."""
    return rebuild(db.session)


def write_segment(session: Session, kind: str, target: Path) -> None:
    """The kind's documents as a memory-mappable base segment, stamped with the newest row's time."""
    rows = session.execute(
        select(
            MatchingDocument.record_id,
            MatchingDocument.active,
            MatchingDocument.terms,
            MatchingDocument.codes,
            MatchingDocument.updated_at,
        ).where(MatchingDocument.kind == kind)
    ).all()
    watermark = max((r.updated_at for r in rows), default=None)
    segment = Segment.build(Doc(r.record_id, r.active, r.terms or {}, tuple(r.codes or ())) for r in rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    segment.save(
        target,
        {"watermark": watermark.isoformat() if watermark else None, "built_at": clock.now().isoformat()},
    )
