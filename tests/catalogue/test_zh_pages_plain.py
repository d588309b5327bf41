"""Chinese pages speak Chinese: no program identifiers (snake_case words), Python reprs or raw
dicts in the text a reader sees, on the catalogue's main pages with the demo data loaded."""

import re
from html.parser import HTMLParser

from sqlalchemy import select

from app.accounts.seed import seed_accounts
from app.catalogue.models import CatalogueChange, Expert, InnovationProject, Patent
from app.catalogue.seed import DEMO_FACTS_NOTE, seed_catalogue
from app.extensions import db

# snake_case words (not file names such as cn_sample_train.csv, which are data), reprs, dicts, and an
# ASCII colon after Chinese text (a label composed in a template: "估值报告: …" instead of "估值报告：…")
LEAKS = re.compile(
    r"\b[a-z]+(?:_[a-z0-9]+)+\b(?!\.\w)|\{'|\[\'|<[A-Z]\w+ [^>]*>|\bNone\b|\bTrue\b|\bFalse\b"
    r"|[\u4e00-\u9fff）]: |[（，](?:invention|utility_model|design)）"
    r"|\b[A-Z]\d?, (?:CN|US|EP|WO|JP) \d"  # official numbers listed with an ASCII comma, not 、
    r"|\b(?:CN|US)\d{7,}\b"  # a stored number key (CN117151122) instead of its official form
)
VISIBLE_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


class _Visible(HTMLParser):
    """The text and the attributes a reader sees or hears, without scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in (
            "script",
            "style",
            "code",
            "textarea",
        ):  # literal text a user types: a column name, a form's lines
            self.hidden += 1
        self.parts += [value for name, value in attrs if name in VISIBLE_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "textarea"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def _leaks(html: str) -> list[str]:
    reader = _Visible()
    reader.feed(html)
    return sorted({m.group(0) for part in reader.parts for m in LEAKS.finditer(part)})


def _first(query):
    return db.session.scalar(query.limit(1))


def test_main_catalogue_pages_in_chinese_show_no_identifiers(client, auth):
    seed_accounts(lambda _line: None)
    seed_catalogue(lambda _line: None)
    db.session.commit()
    cn = _first(select(Patent.id).where(Patent.jurisdiction == "CN", Patent.legal_status == "granted"))
    us = _first(select(Patent.id).where(Patent.jurisdiction == "US"))
    project, expert = _first(select(InnovationProject.id)), _first(select(Expert.id))
    generated = _first(select(CatalogueChange.record_id).where(CatalogueChange.note == DEMO_FACTS_NOTE))
    public = ["/", "/catalogue/search?q=电池", "/catalogue/search?q=方法&type=patent", f"/patents/{cn}",
              f"/patents/{us}", f"/projects/{project}", "/experts", f"/experts/{expert}"]  # fmt: skip
    own = ["/my/records", f"/patents/{cn}/edit", "/patents/new", "/projects/new", "/experts/new",
           f"/experts/{expert}/edit", "/catalogue/import", "/admin/moderation", "/catalogue/import/columns",
           f"/patents/{generated}", "/admin/audit"]  # fmt: skip
    auth.login("admin@ipex.demo", "demo-pass-2026")
    found = {}
    for path in public + own:
        response = client.get(path, headers={"Accept-Language": "zh-CN"})
        assert response.status_code == 200, path
        if leaks := _leaks(response.get_data(as_text=True)):
            found[path] = leaks
    assert found == {}, found


def test_market_pages_in_chinese_show_no_identifiers(app, client, auth):
    """The trading side with the whole demo loaded (deals, offers, auctions, needs), as its users
    see it: "CN 115982890 A, CN 116755688 A" listed a bundle's numbers with an English comma."""
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    pages = {
        "holder@ipex.demo": [
            "/market/my",
            "/market/deals",
            "/market/listings",
            "/market/auctions",
            "/needs/",
        ],
        "buyer@ipex.demo": ["/market/my", "/market/deals", "/notifications", "/needs/mine"],
    }
    found = {}
    for email, paths in pages.items():
        auth.login(email, "demo-pass-2026")
        for path in paths:
            response = client.get(path, headers={"Accept-Language": "zh-CN"})
            assert response.status_code == 200, path
            if leaks := _leaks(response.get_data(as_text=True)):
                found[(email, path)] = leaks
        auth.logout()
    assert found == {}, found
