"""Auction forms: a bid, the seller's auction settings, an administrator's retraction.

Amounts are typed as people write them ("12.5万", "125,000.00") and read by core.money; times
are entered in the user's own time zone and stored in UTC.
"""

from __future__ import annotations

import datetime as dt
import secrets
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from app.core.money import Money, MoneyError, parse_money
from app.market import auction_engine as engine
from app.market.auction_services import MAX_SOFT_CLOSE_MINUTES, AuctionSettings

MONEY_HELP = _l("For example 125000, 125,000.00 or 12.5万.")
KIND_LABELS = {"english": _l("English auction"), "sealed": _l("Sealed-bid auction")}


class BidForm(FlaskForm):
    amount = StringField(
        _l("Your bid"),
        validators=[DataRequired(), Length(max=40)],
        description=_l(
            "In an English auction this is your maximum: we bid for you up to it, one increment at a time."
        ),
    )
    SEALED_HELP = _l(
        "Your one sealed bid: nobody sees it before the close, and you may replace it until then."
    )
    # One-time token: a form submitted twice (double click, resend) records one bid.
    request_token = HiddenField(validators=[Optional(), Length(max=64), Regexp(r"^[A-Za-z0-9_-]+$")])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.request_token.data:
            self.request_token.data = secrets.token_urlsafe(18)

    def for_auction(self, sealed: bool) -> BidForm:
        """The form with the help that fits the auction: a proxy maximum, or one sealed bid."""
        if sealed:
            self.amount.description = self.SEALED_HELP
        return self

    def money(self, currency: str) -> Money | None:
        """The amount, or None with the message on the field."""
        try:
            amount = parse_money(self.amount.data, currency)
        except MoneyError as error:
            self.amount.errors = [error.message]
            return None
        if amount.amount <= 0:
            self.amount.errors = [str(_l("Enter a positive amount."))]
            return None
        return amount


class AuctionSettingsForm(FlaskForm):
    start_price = StringField(
        _l("Start price"), validators=[DataRequired(), Length(max=40)], description=MONEY_HELP
    )
    reserve = StringField(
        _l("Reserve price (optional)"),
        validators=[Optional(), Length(max=40)],
        description=_l("Below it the auction does not sell; you may then make the top bidder an offer."),
    )
    reserve_disclosed = BooleanField(_l("Tell bidders whether the reserve is met"))
    starts_at = DateTimeLocalField(_l("Bidding opens"), validators=[InputRequired()], format="%Y-%m-%dT%H:%M")
    ends_at = DateTimeLocalField(_l("Bidding closes"), validators=[InputRequired()], format="%Y-%m-%dT%H:%M")
    hard_end_at = DateTimeLocalField(
        _l("Latest close (optional)"),
        validators=[Optional()],
        format="%Y-%m-%dT%H:%M",
        description=_l("Late bids extend the close up to this time; empty: the close never moves."),
    )
    soft_close_minutes = IntegerField(
        _l("Extension window (minutes)"),
        default=5,
        validators=[InputRequired(), NumberRange(min=0, max=MAX_SOFT_CLOSE_MINUTES)],
        description=_l("A bid in the last minutes moves the close this many minutes after it."),
    )
    deposit = StringField(
        _l("Deposit required to bid (optional)"),
        validators=[Optional(), Length(max=40)],
        description=_l("Bidders pay it before bidding; below the start price. Empty: no deposit."),
    )
    payment_days = IntegerField(
        _l("Days the winner has to pay"),
        default=10,
        validators=[Optional(), NumberRange(min=1, max=90)],
        description=_l("A winner who has not paid by then forfeits the deposit."),
    )
    increments = TextAreaField(
        _l("Increment table"),
        description=_l(
            "One band per line: the price from which it applies, then the step, e.g. “100000 5000”."
        ),
    )

    def fill_increments(self, table: engine.IncrementTable) -> None:
        self.increments.data = "\n".join(f"{lower} {step}" for lower, step in table.to_json())

    def settings(self, kind: str, currency: str, zone: str) -> AuctionSettings | None:
        """Typed settings, or None with messages on the fields."""
        start = self._money(self.start_price, currency)
        reserve = self._money(self.reserve, currency) if self.reserve.data else None
        table = self._increments()
        if start is None or (self.reserve.data and reserve is None) or table is None:
            return None
        tz = ZoneInfo(zone)
        return AuctionSettings(
            kind=kind,
            start_price=start,
            reserve=reserve,
            reserve_disclosed=self.reserve_disclosed.data,
            starts_at=_aware(self.starts_at.data, tz),
            ends_at=_aware(self.ends_at.data, tz),
            hard_end_at=_aware(self.hard_end_at.data, tz) if self.hard_end_at.data else None,
            soft_close_minutes=self.soft_close_minutes.data,
            increments=table,
        )

    def _money(self, field, currency: str) -> Money | None:
        try:
            return parse_money(field.data, currency)
        except MoneyError as error:
            field.errors = [error.message]
            return None

    def _increments(self) -> engine.IncrementTable | None:
        text = (self.increments.data or "").strip()
        if not text:
            return engine.DEFAULT_INCREMENTS
        try:
            rows = [parse_band(line) for line in text.splitlines() if line.strip()]
            return engine.IncrementTable.from_json(rows)
        except (MoneyError, ValueError):
            self.increments.errors = [
                str(
                    _l(
                        "Write one band per line, lowest first from 0: the price it starts at and a positive step, "
                        "e.g. “0 1000”."
                    )
                )
            ]
            return None


def parse_band(line: str) -> tuple[str, str]:
    lower, step = line.split()
    return str(parse_money(lower).amount), str(parse_money(step).amount)


def _aware(value: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return value.replace(tzinfo=tz).astimezone(dt.UTC)


class RetractForm(FlaskForm):
    reason = StringField(_l("Reason (shown to the bidder)"), validators=[DataRequired(), Length(max=1000)])


class SecondChanceForm(FlaskForm):
    price = StringField(
        _l("Price offered to the top bidder"),
        validators=[DataRequired(), Length(max=40)],
        description=MONEY_HELP,
    )
    message = TextAreaField(_l("Message (optional)"), validators=[Optional(), Length(max=2000)])


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the cancellation"),
        validators=[DataRequired(), Length(max=1000)],
        description=_l("Bidders, watchers and the seller receive it with the notice."),
    )
