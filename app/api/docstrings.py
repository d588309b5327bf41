"""API endpoint summaries in the reader's language.

flask-smorest takes an endpoint's summary and description from its view's docstring, and a group's
description from its blueprint, in English. ``extract`` is a Babel extraction method (see
app/translations/babel.cfg) that adds those texts to the catalogue, docstrings split exactly as
flask-smorest splits them, besides the usual ``_()`` strings; ``translated_info`` looks them up for
the API docs page. The docstring and the blueprint stay the one source.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from babel.messages.extract import extract_python
from flask_babel import gettext
from flask_smorest.utils import load_info_from_docstring

INFO_KEYS = ("summary", "description")


def extract(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel method: the ``_()`` strings of a Python file, plus its API views' docstring texts."""
    source = fileobj.read()
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and _is_api_view(node):
            yield from _docstring_messages(node)
        elif isinstance(node, ast.Call) and (description := _blueprint_description(node)):
            yield node.lineno, None, description, []


def _blueprint_description(call: ast.Call) -> str | None:
    """The ``description`` of a ``Blueprint(...)``: flask-smorest's text for its group of endpoints."""
    if not (isinstance(call.func, ast.Name) and call.func.id.endswith("Blueprint")):
        return None
    for keyword in call.keywords:
        if keyword.arg == "description" and isinstance(keyword.value, ast.Constant):
            return keyword.value.value
    return None


def _is_api_view(view: ast.FunctionDef) -> bool:
    """Decorated with ``<blueprint>.route(...)`` and ``<blueprint>.response(...)``: an endpoint
    flask-smorest documents (plain Flask views have no ``response`` decorator)."""
    called = {
        decorator.func.attr
        for decorator in view.decorator_list
        if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
    }
    return {"route", "response"} <= called


def _docstring_messages(view: ast.FunctionDef) -> Iterator[tuple]:
    docstring = ast.get_docstring(view, clean=False)
    if not docstring:
        return
    info = load_info_from_docstring(docstring)
    for key in INFO_KEYS:
        if info.get(key):
            yield view.body[0].lineno, None, info[key], []


def translated_info(operation: dict) -> None:
    """Replace an OpenAPI operation's summary and description by their translations, in place."""
    for key in INFO_KEYS:
        if operation.get(key):
            operation[key] = gettext(operation[key])
