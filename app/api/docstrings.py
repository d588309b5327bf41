"""API endpoint summaries in the reader's language.

flask-smorest takes an endpoint's summary and description from its view's docstring, in English.
``extract`` is a Babel extraction method (see app/translations/babel.cfg) that adds those two texts
to the catalogue, split exactly as flask-smorest splits them, besides the usual ``_()`` strings;
``translated_info`` looks them up for the API docs page. The docstring stays the one source.
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
    if b".response(" not in source:
        return
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and _is_api_view(node):
            yield from _docstring_messages(node)


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
