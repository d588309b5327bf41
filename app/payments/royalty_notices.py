"""Royalty reminders to the licensee: a report or invoice due within a week, then overdue."""

from __future__ import annotations

from flask_babel import force_locale

from app.core.notifications import notify, register_kind
from app.market.deal_notices import money_text, recipient_locale, site_path
from app.payments.royalty_models import RoyaltyPeriod


def N_(message: str) -> str:  # noqa: N802  (marks a message id for extraction; translated when shown)
    return message


KINDS = {
    "royalty_report_due_soon": (
        N_("A royalty report is due soon"),
        N_(
            "Deal %(reference)s: report the net sales of period %(number)s (%(start)s to %(end)s) by %(due)s."
        ),
    ),
    "royalty_report_overdue": (
        N_("A royalty report is overdue"),
        N_("Deal %(reference)s: the net sales of period %(number)s were due by %(due)s. Please report them."),
    ),
    "royalty_invoice_due_soon": (
        N_("A royalty invoice is due soon"),
        N_("Deal %(reference)s: royalty invoice %(invoice)s of %(amount)s is due by %(due)s."),
    ),
    "royalty_invoice_overdue": (
        N_("A royalty invoice is overdue"),
        N_("Deal %(reference)s: royalty invoice %(invoice)s of %(amount)s was due by %(due)s."),
    ),
}
for _name, (_title, _body) in KINDS.items():
    register_kind(_name, _title, _body)


def remind(period: RoyaltyPeriod, kind: str) -> None:
    deal, invoice = period.schedule.deal, period.invoice
    with force_locale(recipient_locale(deal.buyer)):
        params = {
            "reference": deal.reference,
            "number": str(period.number),
            "start": period.starts_on.isoformat(),
            "end": period.ends_on.isoformat(),
            "due": period.due_on.isoformat(),
            "invoice": invoice.reference if invoice else "",
            "amount": money_text(invoice.amount, invoice.currency) if invoice else "",
        }
    notify(deal.buyer, f"royalty_{kind}", params, site_path("payments.royalties_page", deal_id=deal.id),
           dedupe_key=f"royalty:{kind}:{period.id}")  # fmt: skip
