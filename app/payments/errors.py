"""Typed payment errors, so routes map them to messages and status codes."""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.errors import DomainError


class ProviderUnavailable(DomainError):
    """The payment provider failed or timed out; nothing was recorded, the same request may be retried."""

    status_code = 503

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            _("The payment service is not answering. Nothing was charged twice: try again shortly.")
        )
        self.detail = detail


class CardDeclined(DomainError):
    status_code = 402

    def __init__(self, code: str = "card_declined") -> None:
        super().__init__(_("The card was declined. Try another card or pay by bank transfer."))
        self.code = code


class SignatureRejected(Exception):
    """A webhook whose signature is missing, wrong or stale."""


class ProviderRefused(DomainError):
    """The provider answered and refused the request (4xx): retrying the same request will not help."""

    status_code = 409

    def __init__(self, detail: str = "") -> None:
        super().__init__(_("The payment service refused this payout. An administrator will look into it."))
        self.detail = detail
