from flask import Blueprint

bp = Blueprint("valuation", __name__, url_prefix="/valuation")


def valuation_summary(patent):
    return ""


@bp.get("/workbench")
def workbench():
    return ""
