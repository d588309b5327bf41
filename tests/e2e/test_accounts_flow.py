"""Register, log in, switch language, see real Chinese glyphs, log out; an admin verifies an organisation."""

from playwright.sync_api import expect

from app.accounts.models import Role
from tests.conftest import DEFAULT_PASSWORD
from tests.e2e.conftest import log_in, screenshot


def test_register_switch_language_and_log_out(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    screenshot(page, "home_zh")
    page.click("text=注册")
    page.fill("input[name=email]", "chen.li@example.com")
    page.fill("input[name=display_name]", "陈立")
    page.fill("input[name=organisation]", "杭州示例新材料有限公司")
    page.check("input[value=rights_holder]")
    page.fill("input[name=password]", "short")
    page.fill("input[name=confirm]", "short")
    page.click("main form button[type=submit]")
    expect(page.locator(".error").first).to_be_visible()
    expect(page.locator("input[name=email]")).to_have_value("chen.li@example.com")
    screenshot(page, "register_errors_zh")
    page.fill("input[name=password]", "west-lake-2026")
    page.fill("input[name=confirm]", "west-lake-2026")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("请查收电子邮件")
    log_in(page, "chen.li@example.com", "west-lake-2026")
    expect(page.locator(".flash-success")).to_be_visible()
    page.click("button:has-text('English')")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav#site-nav")).to_contain_text("陈立")
    screenshot(page, "home_en_logged_in")
    page.click("summary:has-text('陈立')")
    page.click("button:has-text('Log out')")
    expect(page.locator("#site-nav a:has-text('Log in')")).to_be_visible()


def test_chinese_text_renders_with_real_glyphs(page):
    """A CJK font must be installed: without it, glyphs render as same-width boxes."""
    page.goto("/")
    widths = page.evaluate(
        """() => {
          const canvas = document.createElement('canvas').getContext('2d');
          canvas.font = '32px ' + getComputedStyle(document.body).fontFamily;
          return ['知', '识', '□'].map((c) => canvas.measureText(c).width);
        }"""
    )
    assert widths[0] > 20
    pixels = page.evaluate(
        """() => {
          const draw = (c) => { const el = document.createElement('canvas'); el.width = 40; el.height = 40;
            const ctx = el.getContext('2d'); ctx.font = '32px ' + getComputedStyle(document.body).fontFamily;
            ctx.fillText(c, 2, 34); return Array.from(ctx.getImageData(0, 0, 40, 40).data).join(','); };
          return [draw('知'), draw('识')];
        }"""
    )
    assert pixels[0] != pixels[1], "two different Chinese characters drew identically: no CJK font"


def test_admin_verifies_an_organisation(page, make_user, app, tmp_path):
    app.instance_path = str(tmp_path / "instance")
    admin = make_user(email="root@example.com", roles=(Role.ADMIN,), organisation=None)
    seller = make_user(email="seller@example.com", roles=(Role.RIGHTS_HOLDER,), organisation="钱塘电池研究院")
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(b"%PDF-1.7\n%%EOF\n")
    log_in(page, seller.email, DEFAULT_PASSWORD)
    page.goto("/account/organisation")
    page.fill("input[name=credit_code]", "91330100799655058B")
    page.set_input_files("input[name=licence]", str(licence))
    page.click("main form button[type=submit]")
    expect(page.locator(".flash-success")).to_be_visible()
    screenshot(page, "organisation_papers_zh")
    page.context.clear_cookies()
    log_in(page, admin.email, DEFAULT_PASSWORD)
    page.goto("/admin/organisations")
    row = page.locator("tr", has_text="钱塘电池研究院")
    expect(row).to_contain_text("待审核")
    expect(row).to_contain_text("91330100799655058B")
    screenshot(page, "admin_verification_zh")
    row.locator("input[placeholder='备注（可选）']").fill("营业执照已核验")
    row.locator("button:has-text('认证')").first.click()
    expect(page.locator(".flash-success")).to_contain_text("钱塘电池研究院")
    page.goto("/admin/organisations?status=verified")
    expect(page.locator("tr", has_text="钱塘电池研究院")).to_contain_text("已认证")
    page.goto("/admin/audit")
    expect(page.locator("table")).to_contain_text("机构认证通过")  # the audit log names the event in words
    screenshot(page, "admin_audit_zh")
