"""A rights-holder uploads a real USPTO weekly file, watches the import's progress, leaves, and
comes back to the row-level report under "My imports"."""

import threading
from pathlib import Path

from playwright.sync_api import expect

from app.accounts.models import Role
from app.catalogue import import_jobs
from tests.catalogue.conftest import FIXTURES
from tests.conftest import DEFAULT_PASSWORD
from tests.e2e.conftest import log_in, screenshot

WEEKLY = Path(__file__).resolve().parents[2] / "app" / "catalogue" / "demo_data" / "ipg120327.196.zip"


def test_upload_shows_progress_then_the_report(app, make_user, page, monkeypatch, tmp_path):
    app.config["IMPORT_JOB_RUNNER"] = "thread"  # the embedded default when REDIS_URL is not set
    app.instance_path = str(tmp_path / "instance")
    reading = import_jobs.Progress.on_read
    progress_seen = threading.Event()

    def held_read(self, n):  # the import waits after its first documents until the page showed progress
        reading(self, n)
        progress_seen.wait()

    monkeypatch.setattr(import_jobs.Progress, "on_read", held_read)
    monkeypatch.setattr(import_jobs, "PROGRESS_EVERY", 0.2)
    holder = make_user(email="holder@example.com", roles=(Role.RIGHTS_HOLDER,), organisation="浙江大学")
    log_in(page, holder.email, DEFAULT_PASSWORD)

    page.goto("/catalogue/import")
    page.set_input_files("input[name=file]", str(WEEKLY))
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("ipg120327.196.zip")
    text = page.locator(".cat-progress-text")
    try:
        expect(text).to_contain_text("共约 196 篇")  # the script filled in a count from the status JSON
        screenshot(page, "catalogue_import_job_progress")
    finally:
        progress_seen.set()

    report = page.locator(".cat-report")
    expect(report).to_contain_text("全部 196 条记录已导入", timeout=30_000)
    expect(report.locator("dd").nth(2)).to_have_text("196")  # documents read
    screenshot(page, "catalogue_import_job_report")

    page.goto("/catalogue/import")
    page.set_input_files("input[name=file]", str(FIXTURES / "uspto_mixed.xml"))
    page.click("main form button[type=submit]")
    expect(page.locator(".cat-report")).to_contain_text("未导入任何记录", timeout=30_000)
    expect(page.locator(".cat-errors tbody tr").first).to_contain_text("第 4 篇文献")
    screenshot(page, "catalogue_import_job_errors")

    page.goto("/catalogue/imports")
    rows = page.locator("table.cat-jobs tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("uspto_mixed.xml")
    screenshot(page, "catalogue_import_jobs_list")
    page.set_viewport_size({"width": 390, "height": 800})
    rows.nth(1).locator("a").click()
    expect(page.locator(".cat-report")).to_contain_text("全部 196 条记录已导入")
    screenshot(page, "catalogue_import_job_report_phone")
