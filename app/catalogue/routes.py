"""Catalogue pages: patent, project and expert detail, owners' records, moderation, import, export.

The search engineer registers the search pages on this same blueprint (app/catalogue/search/).
"""

from flask import Blueprint

bp = Blueprint("catalogue", __name__)
