"""What a valuation report shows, built from stored rows: figures, texts in the page's language, SVG charts."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from app.core.i18n import days_for_reader, format_money, locale_code, pairs_text
from app.core.page_cache import versioned_memo
from app.extensions import db
from app.valuation import charts, engine, report_fx
from app.valuation.engine import EngineError
from app.valuation.engine.calibration import MIN_COHORT
from app.valuation.models import ENSEMBLE_ROW, FULL_FORM, ParameterSet, StoredValuation
from app.valuation.report_calibration import calibration_rows
from app.valuation.weights import DISAGREEMENT_KEY, FLOOR_MODEL

DISAGREEMENT_FACTOR = 3.0  # approaches whose P50s differ by more than this get a plain sentence


def svg(text: str) -> Markup:
    """Mark chart output safe: charts.py escapes every text it places in the SVG."""
    return Markup(text)  # noqa: S704


def lang() -> str:
    return "zh" if locale_code().startswith("zh") else "en"


def pick(obj: Any, base: str) -> str:
    """obj[base_zh] or obj[base_en] by page language (dicts or objects)."""
    key = f"{base}_{lang()}" if base else lang()
    return obj.get(key, "") if isinstance(obj, dict) else getattr(obj, key, "")


def money_text(value: float) -> str:
    return format_money(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def score_text(value: float) -> str:
    return f"{value:.2f}"


@dataclass
class ModelSection:
    """One model's part of the report."""

    row: StoredValuation
    name: str
    kind: str
    limitations: str
    drivers: list[tuple[str, Decimal]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    waterfall: Markup | None = None
    tornado: Markup | None = None
    histogram: Markup | None = None

    @property
    def is_money(self) -> bool:
        return self.kind == engine.MONETARY


@dataclass
class Report:
    head: StoredValuation | None
    sections: list[ModelSection]
    floor: StoredValuation | None
    range_chart: Markup | None = None
    components_chart: Markup | None = None
    warnings: list[str] = field(default_factory=list)
    approaches: list[dict[str, Any]] = field(default_factory=list)  # side by side, with the weight used
    used_weights: dict[str, float] = field(default_factory=dict)  # after models without a value dropped
    spread: float | None = None  # largest P50 / smallest P50 among the approaches used
    disagreement_factor: float = DISAGREEMENT_FACTOR
    rights: dict[str, Any] = field(default_factory=dict)  # the right's standing stored with the facts
    provenance: list[str] = field(default_factory=list)  # flags: generated demo facts, owner-entered ...
    income_currency: list[str] = field(default_factory=list)  # how income entered in USD etc. became CNY
    rights_notes: list[str] = field(default_factory=list)  # why not in force; partial or pending invalidation
    currency: report_fx.CurrencyView | None = None  # the range in the patent's own currency
    mean: Decimal | None = None  # of the combined distribution; the conclusion is the P50
    asks: list[report_fx.AskStat] = field(default_factory=list)  # P(value < ask) per published ask
    refused: list[str] = field(default_factory=list)  # models the batch refused for this patent, and why
    calibrations: list[dict[str, Any]] = field(default_factory=list)  # how each score became money
    min_cohort: int = MIN_COHORT  # below it a calibration cohort is widened

    @property
    def has_range(self) -> bool:
        return self.head is not None and self.head.low is not None

    @property
    def disagree(self) -> bool:
        return self.spread is not None and self.spread > self.disagreement_factor


def _labels_range() -> dict[str, str]:
    return {
        "title": _("Fair value range"),
        "low": "P10",
        "mid": "P50",
        "high": "P90",
        "floor": _("Cost floor"),
        "ask": _("Ask"),
    }


TORNADO_CACHE_SIZE = 1024  # per process; the engine is pure, so the key is the model and what it read
_TORNADO: OrderedDict[str, tuple[list, float]] = OrderedDict()
_TORNADO_LOCK = threading.Lock()


def _sensitivity(model_id: str, model_version: str, prov: dict[str, Any]) -> tuple[list, float]:
    """The tornado bars and base value of a stored result, computed once per model, inputs and params
    (every report view and chart download would otherwise re-run the model about twenty times)."""
    inputs, params = prov.get("inputs", {}), prov.get("params", {})
    key = hashlib.sha256(
        json.dumps([model_id, model_version, inputs, params], sort_keys=True, default=str).encode()
    ).hexdigest()
    found = _TORNADO.get(key)
    if found is None:
        model = engine.get(model_id, model_version)
        bars = engine.tornado(model, inputs, params)
        base = model.point_value(engine.validate_inputs(model, inputs), engine.validate_params(model, params))
        found = (bars, base)
        with _TORNADO_LOCK:
            _TORNADO[key] = found
            while len(_TORNADO) > TORNADO_CACHE_SIZE:
                _TORNADO.popitem(last=False)
    return found


def _tornado(section: ModelSection, fmt: Any) -> Markup | None:
    prov = section.row.result.get("provenance", {})
    try:
        bars, base = _sensitivity(section.row.model_id, section.row.model_version, prov)
    except EngineError:
        return None
    if not bars:
        return None
    rows = [(pick(b, "label"), b.low_value, b.high_value) for b in bars]
    text = charts.tornado(
        f"tornado-{section.row.model_id}",
        rows,
        base,
        fmt,
        _("Sensitivity: value when each input moves down or up by a fifth"),
        _("Low setting"),
        _("High setting"),
        pairs_text,
    )
    return svg(text)


def _section(row: StoredValuation) -> ModelSection:
    try:
        model = engine.get(row.model_id)
        name, limitations = pick(model, "name"), pick(model, "limitations")
    except EngineError:
        name, limitations = row.model_id, ""
    result = row.result
    section = ModelSection(row, name, result.get("kind", engine.MONETARY), limitations)
    if row.result_form != FULL_FORM:
        return section
    fmt = money_text if section.is_money else score_text
    section.drivers = [(pick(d, "label"), Decimal(d["contribution"])) for d in result["drivers"]]
    section.steps = [{"text": pick(s, ""), "value": s["value"], "unit": s["unit"]} for s in result["steps"]]
    section.assumptions = [pick(t, "") for t in result["assumptions"]]
    section.warnings = [pick(t, "") for t in result["warnings"]]
    section.details = result.get("details", {})
    if section.drivers and result["value"] is not None:
        section.waterfall = svg(
            charts.waterfall(
                f"waterfall-{row.model_id}",
                [(k, float(v)) for k, v in section.drivers],
                _("Value") if section.is_money else _("Score"),
                fmt,
                _("Drivers of the value"),
                pairs_text,
                other_label=_("Others"),
            )
        )
    section.tornado = _tornado(section, fmt)
    hist = section.details.get("histogram")
    pct = result.get("percentiles") or {}
    if hist and pct:
        markers = {k.upper(): float(pct[k]) for k in ("p10", "p50", "p90") if k in pct}
        section.histogram = svg(
            charts.histogram(
                f"hist-{row.model_id}",
                [float(e) for e in hist["edges"]],
                [int(c) for c in hist["counts"]],
                money_text,
                _("Monte Carlo distribution of the value"),
                markers,
                _("draws"),
            )
        )
    return section


def build_report(rows: Sequence[StoredValuation]) -> Report:
    """Sections in weight order (largest first), the range chart and the component waterfall."""
    head = next((r for r in rows if r.kind == ENSEMBLE_ROW), None)
    models = [r for r in rows if r.kind != ENSEMBLE_ROW]
    floor = next((r for r in models if r.model_id == FLOOR_MODEL), None)
    weights = head.result.get("weights", {}) if head else {}
    models.sort(key=lambda r: (-weights.get(r.model_id, 0.0), r.model_id))
    report = Report(head, [_section(r) for r in models], floor)
    if report.has_range:
        report.range_chart = svg(
            charts.range_chart(
                "range",
                float(head.low),
                float(head.mid),
                float(head.high),
                money_text,
                _labels_range(),
                floor=float(floor.value) if floor is not None and floor.value is not None else None,
            )
        )
        parts = [
            (c["model"].split("@")[0], float(c["weight"]) * float(c["mid"]))
            for c in head.result["components"]
        ]
        names = {s.row.model_id: s.name for s in report.sections}
        report.components_chart = svg(
            charts.waterfall(
                "components",
                [
                    (f"{names.get(m, m)} × {w:.0%}", v)
                    for (m, v), w in zip(
                        parts, [float(c["weight"]) for c in head.result["components"]], strict=True
                    )
                ],
                _("Fair value (P50)"),
                money_text,
                _("How the models make the midpoint"),
                pairs_text,
            )
        )
        report.warnings = [pick(w, "") for w in head.result.get("warnings", [])]
    if head is not None:
        _reconcile(report, head)
    return report


class LazyReport:
    """A report page's `report`, built on first use, so a page whose report parts are shared fragments
    never reads the valuation. What every view needs of the head row (whether there is one, and the
    fingerprint of its figures for the engagement) is kept once per data version and ``key``: it is the
    same for every viewer."""

    def __init__(self, load_rows: Callable[[], Sequence[StoredValuation]], key: tuple) -> None:
        self._load_rows = load_rows
        self._key = key
        self._rows: Sequence[StoredValuation] | None = None
        self._built: Report | None = None

    @property
    def rows(self) -> Sequence[StoredValuation]:
        if self._rows is None:
            self._rows = self._load_rows()
        return self._rows

    @property
    def head(self) -> StoredValuation | None:
        return next((r for r in self.rows if r.kind == ENSEMBLE_ROW), None)

    @property
    def has_head(self) -> bool:
        return self._head_summary()[0]

    @property
    def figures_hash(self) -> str | None:
        """The fingerprint a signature would cover (None without a head row or a range)."""
        return self._head_summary()[1]

    def _head_summary(self) -> tuple[bool, str | None]:
        def read() -> tuple[bool, str | None]:
            from app.valuation.engagements import figures_hash, figures_of

            head = self.head
            if head is None:
                return False, None
            return True, figures_hash(figures_of(head)) if head.low is not None else None

        return versioned_memo("valuation.report_head", self._key, read)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._built is None:
            self._built = build_report(self.rows)
        return getattr(self._built, name)


def _reconcile(report: Report, head: StoredValuation) -> None:
    """Each approach's range beside the others, the weights actually used and how far they disagree."""
    names = {s.row.model_id: s.name for s in report.sections}
    for c in head.result.get("components", []):
        model_id = c["model"].split("@")[0]
        report.used_weights[model_id] = float(c["weight"])
        report.approaches.append(
            {
                "name": names.get(model_id, model_id),
                "low": Decimal(c["low"]),
                "mid": Decimal(c["mid"]),
                "high": Decimal(c["high"]),
                "weight": float(c["weight"]),
                "calibration": c.get("calibration"),
            }
        )
    mids = [float(a["mid"]) for a in report.approaches if a["weight"] > 0 and a["mid"] > 0]
    if len(mids) >= 2:
        report.spread = max(mids) / min(mids)
    ensemble = db.session.get(ParameterSet, head.parameter_set_id) if head.parameter_set_id else None
    report.disagreement_factor = float(
        (ensemble.params if ensemble else {}).get(DISAGREEMENT_KEY) or DISAGREEMENT_FACTOR
    )
    report.calibrations = calibration_rows(head.result, names)
    facts = head.input_snapshot.get("facts", {})
    rights = facts.get("rights") or {}
    report.rights = rights
    # Older snapshots hold ISO dates inside the sentence: shown in the reader's format.
    notes = [rights.get("reason"), *rights.get("warnings", [])]
    report.rights_notes = [days_for_reader(pick(t, "")) for t in notes if t]
    report.provenance = _provenance(facts)
    report.income_currency = _income_currency_notes((facts.get("income") or {}).get("currency") or {})
    report.currency = report_fx.currency_view(head)
    report.mean = report_fx.stored_mean(head)
    report.asks = report_fx.ask_stats(head)
    report.refused = [pick(why, "") for why in (head.input_snapshot.get("refused") or {}).values()]


def _currency_plural(code: str) -> str:
    """US dollars / 美元: amounts are entered "in" a currency, so the name takes the plural."""
    from babel.numbers import get_currency_name

    return get_currency_name(code, count=2, locale=locale_code())


def _income_currency_notes(currency: dict[str, Any]) -> list[str]:
    """How amounts entered in another currency became CNY, or why they could not."""
    code = currency.get("currency")
    if not code or code == "CNY":
        return []
    name = _currency_plural(code)
    if currency.get("missing"):
        return [
            _(
                "The income amounts were entered in %(currency)s, but no exchange rate on or before the "
                "valuation date is on record: the income approaches use platform defaults until an "
                "administrator adds one.",
                currency=name,
            )
        ]
    return [
        _(
            "The income amounts were entered in %(currency)s and converted at %(rate)s yuan per unit, the "
            "rate effective %(day)s (%(source)s).",
            currency=name,
            rate=currency["rate"],
            day=report_fx.iso_day(currency.get("effective_on")),
            source=_("demo rate") if currency.get("demo") else currency.get("source", ""),
        )
    ]


def _provenance(facts: dict[str, Any]) -> list[str]:
    out = [
        _("Patent facts come from the IPEX catalogue and have not been verified against the office register.")
    ]
    if facts.get("generated"):
        out.append(_("Some facts of this patent (dates, status, fees, family) were generated for the demo."))
    own = facts.get("income")
    if own:
        who = _("the owner") if own.get("entered_as") == "owner" else _("an assessor")
        out.append(_("Income inputs were entered by %(who)s and are not verified by the platform.", who=who))
        out.extend(_income_currency_notes(own.get("currency") or {}))
    else:
        out.append(_("No patent-specific income inputs: the income approaches use platform defaults."))
    return out
