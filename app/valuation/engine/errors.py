"""Typed engine errors: every bad input names the field it is about."""

from __future__ import annotations

from collections.abc import Mapping


class EngineError(Exception):
    """Base class so callers can map every engine failure to a clean message."""


class FieldErrors(EngineError):
    """Errors collected per field, so a form can show all of them at once."""

    kind = "field"

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        detail = "; ".join(f"{k}: {v}" for k, v in self.errors.items())
        super().__init__(f"invalid {self.kind}s: {detail}")

    @property
    def field(self) -> str:
        """First offending field, for callers that show a single message."""
        return next(iter(self.errors))

    @classmethod
    def single(cls, field: str, message: str) -> FieldErrors:
        """Build the error for one field."""
        return cls({field: message})


class ParameterError(FieldErrors):
    """Model parameters out of bounds, of the wrong type or not finite."""

    kind = "parameter"


class InputError(FieldErrors):
    """Patent facts missing or malformed."""

    kind = "input"


class RequestError(ParameterError, InputError):
    """Parameters and inputs both refused: every bad field of both, in one error.

    It is a ParameterError and an InputError, so callers that catch either still catch it. An input
    whose name is also a parameter's (e.g. ``revenue``) is keyed ``inputs.<name>``.
    """

    kind = "field"

    def __init__(self, params: FieldErrors, inputs: FieldErrors) -> None:
        self.param_errors = dict(params.errors)
        self.input_errors = dict(inputs.errors)
        merged = dict(self.param_errors)
        for key, message in self.input_errors.items():
            merged[f"inputs.{key}" if key in merged else key] = message
        super().__init__(merged)


def raise_collected(params: FieldErrors | None, inputs: FieldErrors | None) -> None:
    """Raise whatever was refused: one kind alone as itself, both together as a RequestError."""
    if params is not None and inputs is not None:
        raise RequestError(params, inputs)
    if params is not None:
        raise params
    if inputs is not None:
        raise inputs


class UnknownModelError(EngineError, LookupError):
    """A model id (or version) that no registered model answers to."""

    def __init__(self, model_id: str, available: list[str], detail: str = "") -> None:
        self.model_id = model_id
        self.available = available
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"unknown valuation model {model_id!r}{extra}; available: {', '.join(available) or 'none'}"
        )


class InconsistentMatrixError(EngineError, ValueError):
    """AHP judgements too inconsistent to save (CR above the limit)."""

    def __init__(self, cr: float, pair: tuple[int, int], labels: tuple[str, str] | None = None) -> None:
        self.cr = cr
        self.pair = pair
        self.labels = labels
        named = f" ({labels[0]} vs {labels[1]})" if labels else ""
        super().__init__(
            f"AHP consistency ratio {cr:.3f} exceeds 0.10; most inconsistent pair is "
            f"{pair[0]},{pair[1]}{named}"
        )
