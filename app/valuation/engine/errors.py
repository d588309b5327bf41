"""Typed engine errors: every bad input names the field it is about."""

from __future__ import annotations

from collections.abc import Mapping


class Msg(str):
    """A field message: the str value is the English text, ``zh`` the Chinese one.

    Being a str, it reads as English wherever a plain message is expected; callers that know the
    reader's language pick with ``in_language``.
    """

    zh: str

    def __new__(cls, en: str, zh: str | None = None) -> Msg:
        obj = super().__new__(cls, en)
        obj.zh = en if zh is None else zh
        return obj

    @property
    def en(self) -> str:
        return str.__str__(self)

    def wrap(self, en: str, zh: str) -> Msg:
        """This message inside a context, e.g. wrap("item 3: {}", "第 3 项：{}")."""
        return Msg(en.format(self.en), zh.format(self.zh))

    def __reduce__(self) -> tuple:
        return (Msg, (self.en, self.zh))


def msg(raw: str) -> Msg:
    """A message as Msg (plain str from plugins: the same text in both languages)."""
    return raw if isinstance(raw, Msg) else Msg(str(raw))


def in_language(message: str, lang: str | None) -> str:
    """The message in a language ('zh...' picks Chinese, anything else English)."""
    return msg(message).zh if str(lang or "").startswith("zh") else msg(message).en


class EngineError(Exception):
    """Base class so callers can map every engine failure to a clean message."""


class FieldErrors(EngineError):
    """Errors collected per field, so a form can show all of them at once."""

    kind = "field"
    kind_zh = "字段"

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, Msg] = {k: msg(v) for k, v in errors.items()}
        super().__init__(self.message("en"))

    def messages(self, lang: str | None) -> dict[str, str]:
        """Every field's message in the reader's language (zh or en)."""
        return {k: in_language(v, lang) for k, v in self.errors.items()}

    def message(self, lang: str | None) -> str:
        """One line naming every bad field, in the reader's language."""
        if str(lang or "").startswith("zh"):
            return f"{self.kind_zh}无效：" + "；".join(f"{k}：{v.zh}" for k, v in self.errors.items())
        return f"invalid {self.kind}s: " + "; ".join(f"{k}: {v.en}" for k, v in self.errors.items())

    @property
    def field(self) -> str:
        """First offending field, for callers that show a single message."""
        return next(iter(self.errors))

    @classmethod
    def single(cls, field: str, message: str, zh: str | None = None) -> FieldErrors:
        """Build the error for one field (English message, and its Chinese text)."""
        return cls({field: Msg(message, zh) if zh is not None else message})


class ParameterError(FieldErrors):
    """Model parameters out of bounds, of the wrong type or not finite."""

    kind = "parameter"
    kind_zh = "参数"


class InputError(FieldErrors):
    """Patent facts missing or malformed."""

    kind = "input"
    kind_zh = "输入"


class RequestError(ParameterError, InputError):
    """Parameters and inputs both refused: every bad field of both, in one error.

    It is a ParameterError and an InputError, so callers that catch either still catch it. An input
    whose name is also a parameter's (e.g. ``revenue``) is keyed ``inputs.<name>``.
    """

    kind = "field"
    kind_zh = "参数与输入"

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
