"""The report's calibration section: how each score became money, in the page's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.valuation.calibration import source_parts
from app.valuation.engine.calibration import MIN_COHORT

LEVEL_LABELS = {
    "class": _l("same office, IPC class and age band"),
    "section": _l("same office, IPC section and age band"),
    "office": _l("same office"),
    "all": _l("all scored patents"),
}
DEAL_TYPE_LABELS = {"assignment": _l("assignments"), "licence": _l("licences"), "all": _l("all deal types")}


def _keys_text(keys: Mapping[str, Any]) -> str:
    parts = []
    if keys.get("office"):
        parts.append(_("office %(o)s", o=keys["office"]))
    if keys.get("ipc"):
        parts.append(_("IPC %(c)s", c=keys["ipc"]))
    if keys.get("age"):
        parts.append(_("filed %(band)s years ago", band=keys["age"]))
    return ", ".join(parts)


def _source_text(text: str) -> str:
    parts = source_parts(text)
    if parts.get("kind") != "platform_deals":
        return text
    return _(
        "closed deals on the platform (%(type)s; %(generated)s of them generated for the demo; latest %(latest)s)",
        type=DEAL_TYPE_LABELS.get(parts.get("deal_type", "all"), _("all deal types")),
        generated=parts.get("generated", "0"),
        latest=parts.get("latest", "—"),
    )


def calibration_rows(head_result: Mapping[str, Any], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """One row per score approach: the cohort used and its size, the deal fit and its source."""
    rows = []
    defaulted = {
        w["code"].removeprefix("mostly_defaulted_")
        for w in head_result.get("warnings") or []
        if w.get("code", "").startswith("mostly_defaulted_")
    }
    for component in head_result.get("components") or []:
        described = component.get("calibration") or {}
        if described.get("method") != "empirical percentile":
            continue
        model_id = component["model"].split("@")[0]
        cohort, deals = described["cohort"], described["deals"]
        rows.append(
            {
                "name": names.get(model_id, model_id),
                "evidence": True,
                "level": LEVEL_LABELS.get(cohort["level"], cohort["level"]),
                "cohort_keys": _keys_text(cohort["keys"]),
                "n": cohort["n"],
                "small": cohort["n"] < MIN_COHORT,
                "percentile": described.get("percentile"),
                "median": deals["median"],
                "sigma": deals["sigma"],
                "rho": deals["rho"],
                "deals": deals["n"],
                "source": _source_text(deals["source"]),
                "date": deals["date"],
                "defaulted": model_id in defaulted,
            }
        )
    for warning in head_result.get("warnings") or []:
        code = warning.get("code", "")
        if code.startswith("no_calibration_evidence_"):
            model_id = code.removeprefix("no_calibration_evidence_")
            rows.append({"name": names.get(model_id, model_id), "evidence": False})
    return rows
