"""The API documentation page renders Swagger UI from the app's own assets, under our CSP."""

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot


def test_api_docs_page_lists_the_endpoints(page):
    blocked = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
    )
    external = []
    page.on(
        "request", lambda request: external.append(request.url) if "127.0.0.1" not in request.url else None
    )
    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/me")
    screenshot(page, "api_docs")
    assert external == [], f"the docs page fetched from outside: {external}"
    assert blocked == []
