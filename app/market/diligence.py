"""Due diligence computed from the catalogue's facts: what a buyer must know before dealing.

Each rule looks at one patent against the rights package on offer and yields findings. A
"block" stops submission (the message says what to fix); a "warn" stays visible on the listing;
an "ok" confirms a check passed, so buyers see what was checked and not only what failed.
Nothing here queries the database: the patents and their facts are passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import gettext as _

from app.catalogue.display import publication_display
from app.catalogue.models import Patent, PatentLicence

BLOCK, WARN, OK = "block", "warn", "ok"
NOT_IN_FORCE = ("lapsed", "expired", "invalidated")
RECENT_EVENT_DAYS = 3 * 365  # invalidation or litigation within this many days is worth a warning
SHORT_TERM_DAYS = 2 * 365  # less remaining term than this deserves a warning
# Rights that need every co-owner's (and a pledgee's) consent under Chinese practice.
NEEDS_CO_OWNERS = ("assignment", "exclusive_licence", "sole_licence")
EXCLUSIVE_RIGHTS = ("exclusive_licence", "sole_licence")
EVERYWHERE = {"", "all", "any", "worldwide", "global", "全部", "全部领域", "不限", "全球", "所有"}


@dataclass(frozen=True)
class Package:
    """What is on offer, as far as diligence needs it."""

    right_type: str
    field_of_use: str | None = None
    territory: str | None = None
    term_months: int | None = None
    seller_organisation: str | None = None
    pledgee_consent: bool = False
    co_owner_consent: bool = False


@dataclass(frozen=True)
class Finding:
    code: str  # stable id of the rule, e.g. "pledge_consent"
    level: str  # BLOCK, WARN or OK
    message: str  # in the reader's language
    patent_id: int | None = None
    patent_label: str | None = None


def overlaps(a: str | None, b: str | None) -> bool:
    """Do two fields of use (or territories) share ground? Empty or "all" covers everything.

    Free text cannot be compared exactly; one containing the other counts as overlapping, which
    errs on the side of telling the buyer.
    """
    left, right = (a or "").strip().lower(), (b or "").strip().lower()
    if left in EVERYWHERE or right in EVERYWHERE:
        return True
    return left in right or right in left


def check_package(patents: Iterable[Patent], package: Package, today: dt.date) -> list[Finding]:
    """Every finding for every patent, blocking ones first."""
    findings: list[Finding] = []
    for patent in patents:
        label = publication_display(patent)
        for rule in RULES:
            for code, level, message in rule(patent, package, today):
                findings.append(Finding(code, level, message, patent.id, label))
    order = {BLOCK: 0, WARN: 1, OK: 2}
    return sorted(findings, key=lambda f: order[f.level])


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.level == BLOCK]


def _legal_status(patent: Patent, package: Package, today: dt.date):
    if patent.legal_status in NOT_IN_FORCE or (patent.expiry_date and patent.expiry_date < today):
        yield (
            "not_in_force",
            BLOCK,
            _("The patent is no longer in force: remove it from the listing."),
        )
    elif patent.legal_status == "pending":
        yield (
            "pending",
            WARN,
            _("This is an application, not yet granted: its claims may still change."),
        )
    else:
        yield "in_force", OK, _("In force according to the recorded legal status.")


def _remaining_term(patent: Patent, package: Package, today: dt.date):
    if patent.expiry_date is None or patent.expiry_date < today or patent.legal_status in NOT_IN_FORCE:
        return
    days = (patent.expiry_date - today).days
    years = round(days / 365.25, 1)
    if package.term_months and package.term_months * 30.4 > days:
        yield (
            "term_beyond_expiry",
            WARN,
            _(
                "The licence term runs past the patent's expiry on %(date)s: the rights end then.",
                date=format_date(patent.expiry_date),
            ),
        )
    if days < SHORT_TERM_DAYS:
        yield "short_term", WARN, _("Only %(years)s years of term remain.", years=years)
    else:
        yield "remaining_term", OK, _("%(years)s years of term remain.", years=years)


def _owner_on_record(patent: Patent, package: Package, today: dt.date):
    owners = patent.party_names("owner") or patent.party_names("applicant")
    organisation = (package.seller_organisation or "").strip()
    if not owners:
        yield "owner_unknown", WARN, _("No owner is on record: ask the seller for proof of title.")
    elif organisation and any(_same_name(organisation, owner) for owner in owners):
        yield "owner_matches", OK, _("The owner on record matches the seller's organisation.")
    else:
        yield (
            "owner_mismatch",
            WARN,
            _(
                "The owner on record (%(owners)s) differs from the seller's organisation "
                "(%(organisation)s): ask for proof of title or a recorded assignment.",
                owners="; ".join(owners),
                organisation=organisation or "—",
            ),
        )


def _same_name(a: str, b: str) -> bool:
    left, right = a.casefold().replace(" ", ""), b.casefold().replace(" ", "")
    return left in right or right in left


def _pledges(patent: Patent, package: Package, today: dt.date):
    active = [p for p in patent.pledges if p.released_on is None or p.released_on > today]
    for pledge in active:
        if package.right_type == "assignment" and not package.pledgee_consent:
            yield (
                "pledge_consent",
                BLOCK,
                _(
                    "A pledge to %(pledgee)s is in force: an assignment needs the pledgee's written "
                    "consent. Obtain it and confirm it on the listing, or have the pledge released.",
                    pledgee=pledge.pledgee,
                ),
            )
        else:
            yield (
                "pledge",
                WARN,
                _("A pledge to %(pledgee)s is in force and is disclosed to buyers.", pledgee=pledge.pledgee),
            )
    if not active:
        yield "no_pledge", OK, _("No pledge in force.")


def _licences(patent: Patent, package: Package, today: dt.date):
    in_force = [lic for lic in patent.licences if lic.in_force(today)]
    found = False
    for licence in in_force:
        if not (
            overlaps(licence.field, package.field_of_use) and overlaps(licence.territory, package.territory)
        ):
            continue
        level, message = _licence_conflict(licence, package)
        if level:
            found = True
            yield "licence_conflict" if level == BLOCK else "licence_in_force", level, message
    if not found:
        yield "no_conflicting_licence", OK, _("No licence in force conflicts with what is offered.")


def _licence_conflict(licence: PatentLicence, package: Package) -> tuple[str | None, str]:
    """How a recorded licence in force bears on the right offered, in the same field and territory."""
    who = licence.licensee or "—"
    right = package.right_type
    if licence.licence_type in ("exclusive", "sole"):
        if right == "assignment":
            return WARN, _(
                "An exclusive or sole licence to %(licensee)s is in force: the buyer takes the patent "
                "subject to it.",
                licensee=who,
            )
        return BLOCK, _(
            "An exclusive or sole licence to %(licensee)s is in force in the same field and territory: "
            "no other licence (and no open licence) can be granted while it runs. Narrow the field or "
            "territory, or wait until it ends.",
            licensee=who,
        )
    if licence.licence_type == "open" and right in EXCLUSIVE_RIGHTS:
        return BLOCK, _(
            "An open licence is in force: an exclusive or sole licence cannot be granted until it is withdrawn."
        )
    if right in EXCLUSIVE_RIGHTS or right == "assignment":
        return WARN, _(
            "A non-exclusive licence to %(licensee)s is in force and continues after this deal.", licensee=who
        )
    return None, ""


def _co_owners(patent: Patent, package: Package, today: dt.date):
    owners = patent.party_names("owner") or patent.party_names("applicant")
    if len(owners) < 2:
        return
    if package.right_type in NEEDS_CO_OWNERS and not package.co_owner_consent:
        yield (
            "co_owner_consent",
            BLOCK,
            _(
                "The patent has %(count)d co-owners on record: all must consent to an assignment or an "
                "exclusive licence. Obtain their consent and confirm it on the listing.",
                count=len(owners),
            ),
        )
    else:
        yield "co_owners", WARN, _("The patent has %(count)d co-owners on record.", count=len(owners))


def _recent_events(patent: Patent, package: Package, today: dt.date):
    since = today - dt.timedelta(days=RECENT_EVENT_DAYS)
    for event in patent.events:
        if event.event_type in ("invalidation", "litigation") and event.occurred_on >= since:
            kind = _("Invalidation request") if event.event_type == "invalidation" else _("Litigation")
            outcome = f" ({event.outcome})" if event.outcome else ""
            yield (
                "recent_" + event.event_type,
                WARN,
                _(
                    "%(kind)s on %(date)s: %(summary)s%(outcome)s",
                    kind=kind,
                    date=format_date(event.occurred_on),
                    summary=event.summary,
                    outcome=outcome,
                ),
            )


RULES = (_legal_status, _remaining_term, _owner_on_record, _pledges, _licences, _co_owners, _recent_events)
