"""Expert recommendations' reason keys as sentences in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.catalogue.display import label
from app.core.i18n import enumeration
from app.matching.engine import Contribution
from app.matching.engine.experts import Exclusion

FACTOR_LABELS = {
    "specialty": _l("Technical field"),
    "expertise_text": _l("Expertise"),
    "qualifications": _l("Qualifications"),
    "availability": _l("Availability"),
}

REASONS = {
    "specialty_subgroup": _l("Specialises in the same IPC/CPC subgroup %(code)s"),
    "specialty_main_group": _l("Specialises in the same IPC/CPC main group %(code)s"),
    "specialty_subclass": _l("Specialises in the same IPC/CPC subclass %(code)s"),
    "specialty_class": _l("Specialises in the same IPC/CPC class %(code)s"),
    "specialty_none": _l("Specialises in another field"),
    "expertise_text": _l("Experience with: %(terms)s"),
    "expertise_translated": _l("Experience matches across Chinese and English"),
    "expertise_text_none": _l("No shared terms"),
    "qualified": _l("Qualified: %(qualifications)s"),
    "qualifications_none": _l("No qualification on record"),
    "availability_available": _l("Available now"),
    "availability_limited": _l("Limited availability"),
    "availability_unavailable": _l("Unavailable at present"),
    "availability_unknown": _l("Availability not stated"),
}

EXCLUSIONS = {
    "conflict_owner_recorded": _l("Excluded: conflict with the owner (%(reason)s), recorded by %(by)s"),
    "conflict_owner_profile": _l(
        "Excluded: conflict with the owner, named in the expert's profile (%(reason)s)"
    ),
    "conflict_owner_self": _l("Excluded: the expert is the owner"),
    "conflict_buyer_recorded": _l("Excluded: conflict with the buyer (%(reason)s), recorded by %(by)s"),
    "conflict_buyer_profile": _l(
        "Excluded: conflict with the buyer, named in the expert's profile (%(reason)s)"
    ),
    "conflict_buyer_self": _l("Excluded: the expert is the buyer"),
}


def _sentence(templates: dict, key: str, params: dict[str, str], fallback: str) -> str:
    template = templates.get(key)
    if template is None:
        return fallback
    params = dict(params)
    if "qualifications" in params:
        names = [label(q, "qualification") for q in params["qualifications"].split(",") if q]
        params["qualifications"] = enumeration(names)
    return str(template) % params if params else str(template)


def expert_reasons(contributions: tuple[Contribution, ...]) -> list[dict]:
    """The contributions that count, biggest first, as (factor, label, points, reason) rows."""
    rows = [
        {
            "factor": c.factor,
            "label": str(FACTOR_LABELS.get(c.factor, c.factor)),
            "points": round(c.points, 4),
            "reason": _sentence(REASONS, c.reason, c.params, str(FACTOR_LABELS.get(c.factor, c.factor))),
        }
        for c in contributions
        if c.points > 0
    ]
    return sorted(rows, key=lambda r: -r["points"])


def exclusion_reason(exclusion: Exclusion) -> str:
    return _sentence(
        EXCLUSIONS, exclusion.reason, exclusion.params, str(_l("Excluded: conflict of interest"))
    )
