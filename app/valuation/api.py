"""/api/v1/valuation: the model list, running one model (the CLI's contract), a patent's valuation."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import get_locale
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import login_required
from app.api.schemas import ErrorSchema
from app.catalogue.models import Patent
from app.core.errors import DomainError, NotFound
from app.extensions import db
from app.valuation import engine, report_fx, services
from app.valuation.engine import EngineError, UnknownModelError
from app.valuation.engine.errors import FieldErrors
from app.valuation.models import ENSEMBLE_ROW

blp = Blueprint("api_valuation", __name__, description="Valuation models and results")


class EngineRefused(DomainError):
    """The engine refused the parameters or inputs; fields name what to fix."""

    status_code = 422


class FieldSpecSchema(ma.Schema):
    name = ma.fields.String()
    type = ma.fields.String()
    unit = ma.fields.String()
    default = ma.fields.Raw(allow_none=True)
    bounds = ma.fields.List(ma.fields.Float(), allow_none=True)
    choices = ma.fields.List(ma.fields.String())
    required = ma.fields.Boolean()
    description_zh = ma.fields.String()
    description_en = ma.fields.String()
    relative = ma.fields.String(
        metadata={
            "description": "distributions: offset or multiplier around the point estimate; empty = absolute"
        }
    )


class ModelSchema(ma.Schema):
    id = ma.fields.String()
    version = ma.fields.String()
    name_zh = ma.fields.String()
    name_en = ma.fields.String()
    kind = ma.fields.String(metadata={"description": "monetary or score"})
    stochastic = ma.fields.Boolean()
    params = ma.fields.List(ma.fields.Nested(FieldSpecSchema))
    inputs = ma.fields.List(ma.fields.Nested(FieldSpecSchema))
    limitations_zh = ma.fields.String()
    limitations_en = ma.fields.String()


class RunSchema(ma.Schema):
    model = ma.fields.String(required=True, metadata={"description": "Model id, e.g. rfr"})
    params = ma.fields.Dict(keys=ma.fields.String(), required=True)
    inputs = ma.fields.Dict(keys=ma.fields.String(), load_default=dict)
    seed = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=2**31 - 1))


class RowSchema(ma.Schema):
    model = ma.fields.String(attribute="model_tag")
    parameter_set_version = ma.fields.Integer()
    value = ma.fields.Decimal(as_string=True, allow_none=True)
    low = ma.fields.Decimal(as_string=True, allow_none=True)
    mid = ma.fields.Decimal(as_string=True, allow_none=True)
    high = ma.fields.Decimal(as_string=True, allow_none=True)
    currency = ma.fields.String(allow_none=True)
    result_form = ma.fields.String()
    created_at = ma.fields.DateTime()


class PatentValuationSchema(ma.Schema):
    patent_id = ma.fields.Integer()
    range = ma.fields.Nested(
        RowSchema, allow_none=True, metadata={"description": "P10/P50/P90 fair value range"}
    )
    components = ma.fields.List(ma.fields.Dict())
    models = ma.fields.List(ma.fields.Nested(RowSchema))
    code_version = ma.fields.String(allow_none=True)
    seed = ma.fields.Integer(allow_none=True)
    conclusion = ma.fields.Decimal(
        as_string=True,
        allow_none=True,
        metadata={"description": "The P50 of the combined distribution (CNY)"},
    )
    mean = ma.fields.Decimal(
        as_string=True, allow_none=True, metadata={"description": "Mean of the combined distribution (CNY)"}
    )
    original = ma.fields.Dict(
        allow_none=True,
        metadata={
            "description": "low/mid/high/mean in the patent's currency; null for CNY or without a rate"
        },
    )
    fx = ma.fields.Dict(
        allow_none=True,
        metadata={
            "description": "The rate used: currency, rate (CNY per unit), effective_on, source; or missing"
        },
    )


@blp.route("/valuation/models")
@blp.response(200, ModelSchema(many=True))
def list_models():
    """Every registered valuation model with its parameter and input schemas."""
    return [m.describe() for m in engine.available()]


@blp.route("/valuation/run", methods=["POST"])
@blp.arguments(RunSchema)
@blp.response(200, description="The engine's result (Decimals as strings)")
@blp.alt_response(422, schema=ErrorSchema, description="Parameters or inputs refused; fields name them")
@blp.alt_response(404, schema=ErrorSchema, description="Unknown model")
@blp.doc(security=[{"bearerAuth": []}])
@login_required
def run(body: dict):
    """Run one model on given parameters and inputs (same contract as `flask valuation run`)."""
    try:
        return services.run_model(body["model"], body["params"], body["inputs"], body["seed"])
    except UnknownModelError as error:
        raise NotFound(str(error), {"model": str(error)}) from None
    except FieldErrors as error:
        locale = str(get_locale() or "zh")
        raise EngineRefused(error.message(locale), error.messages(locale)) from None
    except EngineError as error:
        raise EngineRefused(str(error), {"params": str(error)}) from None


@blp.route("/patents/<id:patent_id>/valuation")
@blp.response(200, PatentValuationSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such patent")
def patent_valuation(patent_id: int):
    """The patent's current fair value range and the model results behind it."""
    patent = db.session.get(Patent, patent_id)
    if patent is None or not patent.can_view(current_user):
        raise NotFound("No such patent.")
    rows = services.shown_valuation(patent, None, full=False)
    head = next((r for r in rows if r.kind == ENSEMBLE_ROW), None)
    return {
        "patent_id": patent.id,
        "range": head,
        "components": head.result["components"] if head else [],
        "models": [r for r in rows if r.kind != ENSEMBLE_ROW],
        "code_version": head.code_version if head else None,
        "seed": head.seed if head else None,
        **_currencies(head),
    }


def _currencies(head) -> dict:
    """The conclusion and mean in CNY, the same figures in the patent's currency and the rate used."""
    if head is None or head.mid is None:
        return {"conclusion": None, "mean": None, "original": None, "fx": None}
    fact = (head.input_snapshot.get("facts") or {}).get("fx")
    view = report_fx.currency_view(head)
    original = None
    if view is not None and not view.missing_message:
        original = {"currency": view.currency} | {k: _text(v) for k, v in view.figures.items()}
    return {"conclusion": head.mid, "mean": report_fx.stored_mean(head), "original": original, "fx": fact}


def _text(value) -> str | None:
    return None if value is None else str(value)
