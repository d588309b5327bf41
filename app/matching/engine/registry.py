"""A dict registry of scoring strategies: built-ins plus plugins found through entry points."""

from __future__ import annotations

from importlib.metadata import entry_points

ENTRY_POINT_GROUP = "ipex.matching_strategies"
_STRATEGIES: dict[str, object] = {}
_state = {"discovered": False}


class UnknownStrategyError(LookupError):
    """Raised for a strategy name nobody registered: a typo in weights must not score silently."""


def register(strategy: object, *, replace: bool = False) -> object:
    """Add a strategy (anything with ``name``, ``version`` and ``score(need, candidates, ctx)``)."""
    name = getattr(strategy, "name", "")
    if not name or not callable(getattr(strategy, "score", None)) or not getattr(strategy, "version", ""):
        raise ValueError(f"not a strategy: {strategy!r}")
    if name in _STRATEGIES and not replace and _STRATEGIES[name] is not strategy:
        raise ValueError(f"strategy {name!r} is already registered")
    _STRATEGIES[name] = strategy
    return strategy


def discover() -> dict[str, str]:
    """Load plugins from the entry-point group once; returns load errors by entry-point name."""
    errors: dict[str, str] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in _STRATEGIES:
            continue
        try:
            loaded = ep.load()
            register(loaded() if isinstance(loaded, type) else loaded)
        except Exception as exc:  # noqa: BLE001  (a broken plugin must not break matching)
            errors[ep.name] = f"{type(exc).__name__}: {exc}"
    _state["discovered"] = True
    return errors


def _ensure_loaded() -> None:
    from . import strategies

    strategies.register_builtins()
    if not _state["discovered"]:
        discover()


def get(name: str) -> object:
    """The strategy registered under ``name``; fails loudly when there is none."""
    _ensure_loaded()
    try:
        return _STRATEGIES[name]
    except KeyError:
        raise UnknownStrategyError(f"no matching strategy {name!r}; known: {sorted(_STRATEGIES)}") from None


def available() -> list[str]:
    """Names of every registered strategy, sorted."""
    _ensure_loaded()
    return sorted(_STRATEGIES)
