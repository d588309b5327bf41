"""A seller's answering record from raw delays: PURE (the service gathers the delays)."""

from __future__ import annotations

from statistics import median


def answer_record(delays_hours: list[float | None]) -> tuple[float | None, float | None]:
    """(share answered, median hours to answer) of offers and enquiries; None for no record.

    ``delays_hours`` holds one entry per offer or enquiry the seller had to answer: the hours it
    took, or None when it went unanswered."""
    if not delays_hours:
        return None, None
    answered = [d for d in delays_hours if d is not None]
    share = len(answered) / len(delays_hours)
    return share, (float(median(answered)) if answered else None)
