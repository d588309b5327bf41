"""A small dict registry of models: built-ins plus plugins found through entry points."""

from __future__ import annotations

import re
from importlib.metadata import entry_points
from typing import Any

from .base import MONETARY, SCORE_KIND, Model
from .errors import EngineError, UnknownModelError
from .schema import schema_errors

ENTRY_POINT_GROUP = "ipex.valuation_models"
_SEMVER = re.compile(r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")

_MODELS: dict[str, Model] = {}  # the current version of each id
_VERSIONS: dict[tuple[str, str], Model] = {}  # every registered version, current and earlier
_PLUGIN_ERRORS: dict[str, str] = {}
_state = {"builtins": False}


def register(model: Model | type[Model], *, replace: bool = False, current: bool = True) -> Model:
    """Add a model; refuses malformed models and silent id clashes.

    ``current=False`` adds an earlier version that only ``get(id, version)`` returns, so results
    stored with it replay exactly after the model's semantics changed.
    """
    instance = model() if isinstance(model, type) else model
    problems = _model_problems(instance)
    if problems:
        raise EngineError(f"cannot register model {instance.id!r}: {'; '.join(problems)}")
    if current:
        if instance.id in _MODELS and not replace and _MODELS[instance.id] is not instance:
            raise EngineError(f"model id {instance.id!r} is already registered")
        _MODELS[instance.id] = instance
    _VERSIONS[(instance.id, instance.version)] = instance
    return instance


def _model_problems(model: Model) -> list[str]:
    problems = schema_errors(model.params_schema) + schema_errors(model.input_schema)
    if not model.id or not re.fullmatch(r"[a-z][a-z0-9_]*", model.id):
        problems.append("id must be lower_snake_case")
    if not _SEMVER.match(model.version):
        problems.append(f"version {model.version!r} is not semantic (x.y.z)")
    if model.kind not in (MONETARY, SCORE_KIND):
        problems.append(f"kind must be {MONETARY} or {SCORE_KIND}")
    if not (model.name_zh and model.name_en):
        problems.append("needs name_zh and name_en")
    return problems


def discover() -> dict[str, str]:
    """Load plugins from the entry-point group; returns load errors by entry-point name."""
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if any(m.id == ep.name for m in _MODELS.values()):
            continue
        try:
            loaded: Any = ep.load()
            items = loaded() if callable(loaded) and not isinstance(loaded, type) else loaded
            for item in items if isinstance(items, list | tuple) else [items]:
                register(item, replace=True)
            _PLUGIN_ERRORS.pop(ep.name, None)
        except Exception as exc:  # a broken plugin must not take the built-ins down
            _PLUGIN_ERRORS[ep.name] = f"{type(exc).__name__}: {exc}"
    return dict(_PLUGIN_ERRORS)


def _ensure_builtins() -> None:
    if not _state["builtins"]:
        from .models import BUILTIN_MODELS, LEGACY_MODELS

        for cls in BUILTIN_MODELS:
            if cls.id not in _MODELS:
                register(cls)
        for cls in LEGACY_MODELS:
            register(cls, current=False)
        _state["builtins"] = True
        discover()


def get(model_id: str, version: str | None = None) -> Model:
    """The model for an id (and optionally an exact version); fails loudly when unknown."""
    _ensure_builtins()
    if model_id not in _MODELS:
        discover()
    model = _MODELS.get(model_id)
    if model is None:
        raise UnknownModelError(model_id, sorted(_MODELS), _PLUGIN_ERRORS.get(model_id, ""))
    if version is not None and model.version != version:
        earlier = _VERSIONS.get((model_id, version))
        if earlier is not None:
            return earlier
        raise UnknownModelError(
            f"{model_id}@{version}",
            [m.tag for m in _MODELS.values()],
            f"installed version is {model.version}",
        )
    return model


def available() -> list[Model]:
    """All registered models, built-ins and plugins, sorted by id."""
    _ensure_builtins()
    discover()
    return [_MODELS[k] for k in sorted(_MODELS)]


def unregister(model_id: str) -> None:
    """Remove a model (used by tests and plugin reloads)."""
    _MODELS.pop(model_id, None)
    for key in [k for k in _VERSIONS if k[0] == model_id]:
        del _VERSIONS[key]
