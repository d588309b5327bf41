"""The authorization matrix: what each role gets from every route, as a table.

Every (endpoint, method) in app.url_map must appear in MATRIX: a new route fails this test until
someone decides who may use it. Pages are called with a session, the API with the role's bearer
token; writes send an empty body (authorization is decided before the input is read).
"""

import os

import pytest

from tests.conftest import DEFAULT_PASSWORD
from tests.security.conftest import ROLES
from tests.security.matrix import FORBIDDEN, LOGIN, MISSING, OK, outcome, requests
from tests.security.routes import route_keys

# Authorization is decided in Python, the same on both databases: one pass (SQLite) keeps CI fast.
pytestmark = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
    and not os.environ.get("IPEX_SLOW_CHECKS_ON_POSTGRES"),
    reason="runs on the SQLite pass (set IPEX_SLOW_CHECKS_ON_POSTGRES=1 to run it here too)",
)


def row(anonymous, admin, assessor, rights_holder, buyer) -> dict[str, str]:
    return dict(zip(ROLES, (anonymous, admin, assessor, rights_holder, buyer), strict=True))


PUBLIC = row(OK, OK, OK, OK, OK)
SIGNED_IN = row(LOGIN, OK, OK, OK, OK)
ADMINS = row(LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)
ASSESSORS = row(LOGIN, OK, OK, FORBIDDEN, FORBIDDEN)  # administrators too
RECORD_OWNERS = row(LOGIN, OK, FORBIDDEN, OK, FORBIDDEN)  # the rights-holder owns the world's records
# Editing someone's visible record through the API: the token's owner, or an administrator.
API_OWNERS = row(LOGIN, OK, FORBIDDEN, OK, FORBIDDEN)
UPLOADER_AND_ADMINS = row(LOGIN, OK, MISSING, OK, MISSING)  # an import job is private to its uploader
ADMINS_NO_SUCH_RECORD = row(LOGIN, MISSING, FORBIDDEN, FORBIDDEN, FORBIDDEN)  # nothing uploaded or mailed yet
NO_SUCH_RECORD = row(LOGIN, MISSING, FORBIDDEN, MISSING, FORBIDDEN)  # a fact that does not exist
# Market: the rights-holder sells, the buyer made the offers and is the other party to the deal; the
# assessor has no part in anything, so a deal, an offer or an enquiry is hidden from them (404).
LISTING_MANAGERS = row(LOGIN, OK, FORBIDDEN, OK, FORBIDDEN)  # the seller, or an administrator
PARTIES = row(LOGIN, OK, MISSING, OK, OK)  # the deal's (offer's, thread's) two sides; admins look on
PARTIES_ACT = row(LOGIN, FORBIDDEN, MISSING, OK, OK)  # an administrator sees the offer but takes no side
SELLER_SIDE = row(LOGIN, OK, MISSING, OK, FORBIDDEN)  # filing facts: the seller or an administrator
# The API reads the body after the login check but before the record: an empty body is refused (422)
# for anyone signed in. Who may act on the record is in tests/market (test_deals_api, test_auction_api).
SIGNED_IN_BODY_FIRST = SIGNED_IN
NEED_MANAGERS = row(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK)  # the buyer who posted the need, or an admin
SEARCH_OWNER = row(
    LOGIN, MISSING, MISSING, MISSING, OK
)  # a saved search is private to the buyer who saved it

MATRIX: dict[tuple[str, str], dict[str, str]] = {
    ("main.index", "GET"): PUBLIC,
    ("main.health", "GET"): PUBLIC,
    ("static", "GET"): PUBLIC,
    # accounts
    ("accounts.login", "GET"): PUBLIC,
    ("accounts.login", "POST"): PUBLIC,
    ("accounts.register", "GET"): PUBLIC,
    ("accounts.register", "POST"): PUBLIC,
    ("accounts.logout", "POST"): PUBLIC,
    ("accounts.set_language", "POST"): PUBLIC,
    ("accounts.profile", "GET"): SIGNED_IN,
    ("accounts.profile", "POST"): SIGNED_IN,
    ("accounts.password", "GET"): SIGNED_IN,
    ("accounts.password", "POST"): SIGNED_IN,
    ("accounts.create_token", "POST"): SIGNED_IN,
    ("accounts.revoke_token", "POST"): SIGNED_IN,
    ("accounts.registered", "GET"): PUBLIC,
    ("accounts.resend_verification", "POST"): SIGNED_IN,
    ("accounts.verify_email_page", "GET"): PUBLIC,
    ("accounts.verify_email_page", "POST"): PUBLIC,
    ("accounts.forgot_password", "GET"): PUBLIC,
    ("accounts.forgot_password", "POST"): PUBLIC,
    ("accounts.reset_sent", "GET"): PUBLIC,
    ("accounts.reset_password_page", "GET"): PUBLIC,
    ("accounts.reset_password_page", "POST"): PUBLIC,
    ("accounts.organisation", "GET"): SIGNED_IN,
    ("accounts.organisation", "POST"): SIGNED_IN,
    # administration
    ("admin.users", "GET"): ADMINS,
    ("admin.user_detail", "GET"): ADMINS,
    ("admin.change_active", "POST"): ADMINS,
    ("admin.change_role", "POST"): ADMINS,
    ("admin.organisations", "GET"): ADMINS,
    ("admin.change_verification", "POST"): ADMINS,
    ("admin.audit", "GET"): ADMINS,
    ("admin.mailbox", "GET"): ADMINS,
    ("admin.mailbox_message", "GET"): ADMINS_NO_SUCH_RECORD,
    ("admin.organisation_licence", "GET"): ADMINS_NO_SUCH_RECORD,
    ("catalogue.moderation", "GET"): ADMINS,
    ("catalogue.moderate", "POST"): ADMINS,
    # catalogue pages
    ("catalogue.search", "GET"): PUBLIC,
    ("catalogue.search_home", "GET"): PUBLIC,
    ("catalogue.export", "GET"): PUBLIC,
    ("catalogue.experts", "GET"): PUBLIC,
    ("catalogue.expert_detail", "GET"): PUBLIC,
    ("catalogue.patent_detail", "GET"): PUBLIC,
    ("catalogue.project_detail", "GET"): PUBLIC,
    ("catalogue.patent_document_file", "GET"): row(MISSING, MISSING, MISSING, MISSING, MISSING),
    ("catalogue.my_records", "GET"): SIGNED_IN,
    ("catalogue.expert_new", "GET"): SIGNED_IN,
    ("catalogue.expert_new", "POST"): SIGNED_IN,
    ("catalogue.expert_edit", "GET"): RECORD_OWNERS,
    ("catalogue.expert_edit", "POST"): RECORD_OWNERS,
    ("catalogue.patent_new", "GET"): RECORD_OWNERS,
    ("catalogue.patent_new", "POST"): RECORD_OWNERS,
    ("catalogue.patent_edit", "GET"): RECORD_OWNERS,
    ("catalogue.patent_edit", "POST"): RECORD_OWNERS,
    ("catalogue.project_new", "GET"): RECORD_OWNERS,
    ("catalogue.project_new", "POST"): RECORD_OWNERS,
    ("catalogue.project_edit", "GET"): RECORD_OWNERS,
    ("catalogue.project_edit", "POST"): RECORD_OWNERS,
    ("catalogue.legal_fact_new", "GET"): RECORD_OWNERS,
    ("catalogue.legal_fact_new", "POST"): RECORD_OWNERS,
    ("catalogue.legal_fact_edit", "GET"): NO_SUCH_RECORD,
    ("catalogue.legal_fact_edit", "POST"): NO_SUCH_RECORD,
    ("catalogue.legal_fact_delete", "POST"): NO_SUCH_RECORD,
    ("catalogue.import_upload", "GET"): RECORD_OWNERS,
    ("catalogue.import_upload", "POST"): RECORD_OWNERS,
    ("catalogue.import_jobs_list", "GET"): SIGNED_IN,
    ("catalogue.import_columns", "GET"): PUBLIC,  # the file format is no secret
    ("catalogue.import_template", "GET"): PUBLIC,
    ("catalogue.import_job", "GET"): UPLOADER_AND_ADMINS,
    ("catalogue.import_job_status", "GET"): UPLOADER_AND_ADMINS,
    # valuation
    ("valuation.report", "GET"): PUBLIC,
    ("valuation.print_report", "GET"): PUBLIC,
    ("valuation.chart", "GET"): PUBLIC,
    ("valuation.revalue", "POST"): ASSESSORS,
    ("valuation.workbench", "GET"): ASSESSORS,
    ("valuation.backtest", "GET"): ASSESSORS,
    ("valuation.model_detail", "GET"): ASSESSORS,
    ("valuation.new_draft", "POST"): ASSESSORS,
    ("valuation.set_detail", "GET"): ASSESSORS,
    ("valuation.edit_set", "GET"): ASSESSORS,
    ("valuation.edit_set", "POST"): ASSESSORS,
    ("valuation.preview", "GET"): ASSESSORS,
    ("valuation.act", "POST"): ASSESSORS,
    # JSON API (bearer tokens)
    ("api-docs.openapi_json", "GET"): PUBLIC,
    ("api_docs.index", "GET"): PUBLIC,
    ("api_docs.assets", "GET"): PUBLIC,
    ("api_docs.reader_spec", "GET"): PUBLIC,
    ("api_me.me", "GET"): SIGNED_IN,
    ("api_me.update_me", "PATCH"): SIGNED_IN,
    ("api_catalogue.list_patents", "GET"): PUBLIC,
    ("api_catalogue.get_patent", "GET"): PUBLIC,
    ("api_catalogue.create_patent", "POST"): RECORD_OWNERS,
    ("api_catalogue.update_patent", "PATCH"): API_OWNERS,
    ("api_catalogue.list_projects", "GET"): PUBLIC,
    ("api_catalogue.get_project", "GET"): PUBLIC,
    ("api_catalogue.create_project", "POST"): RECORD_OWNERS,
    ("api_catalogue.update_project", "PATCH"): API_OWNERS,
    ("api_catalogue.list_experts", "GET"): PUBLIC,
    ("api_catalogue.get_expert", "GET"): PUBLIC,
    ("api_catalogue.create_expert", "POST"): SIGNED_IN,
    ("api_catalogue.update_expert", "PATCH"): API_OWNERS,
    ("api_valuation.list_models", "GET"): PUBLIC,
    ("api_valuation.patent_valuation", "GET"): PUBLIC,
    ("api_valuation.run", "POST"): PUBLIC,
    ("api_listings.list_listings", "GET"): PUBLIC,
    ("api_listings.get_listing", "GET"): PUBLIC,
    ("api_listings.create_listing", "POST"): SIGNED_IN_BODY_FIRST,
    ("api_listings.update_listing", "PATCH"): LISTING_MANAGERS,
    ("api_listings.submit_listing", "POST"): LISTING_MANAGERS,
    ("api_listings.withdraw_listing", "POST"): LISTING_MANAGERS,
    ("api_listings.accept_nda", "POST"): row(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),  # buyers (seller: 409)
    ("api_listings.accept_licence", "POST"): SIGNED_IN,  # 409: not an open-licence listing
    ("api_listings.buy_listing", "POST"): SIGNED_IN,  # 409: not a fixed-price listing
    ("api_deals.list_offers", "GET"): SIGNED_IN,  # each caller sees only their own offers
    ("api_deals.create_offer", "POST"): SIGNED_IN_BODY_FIRST,
    ("api_deals.counter", "POST"): SIGNED_IN_BODY_FIRST,
    ("api_deals.accept", "POST"): PARTIES_ACT,  # the buyer may not accept their own offer: 409
    ("api_deals.reject", "POST"): PARTIES_ACT,
    ("api_deals.withdraw", "POST"): PARTIES_ACT,
    ("api_deals.list_deals", "GET"): SIGNED_IN,  # each caller sees only their own deals
    ("api_deals.get_deal", "GET"): PARTIES,
    ("api_deals.draft", "POST"): PARTIES,
    ("api_deals.sign", "POST"): SIGNED_IN_BODY_FIRST,
    ("api_deals.cancel", "POST"): SIGNED_IN_BODY_FIRST,
    ("api_deals.record", "POST"): SELLER_SIDE,
    ("api_auctions.list_auctions", "GET"): PUBLIC,
    ("api_auctions.get_auction", "GET"): PUBLIC,
    ("api_auctions.list_bids", "GET"): PUBLIC,  # bidders appear under aliases
    ("api_auctions.post_bid", "POST"): SIGNED_IN_BODY_FIRST,
    ("api_auctions.put_auction", "PUT"): SIGNED_IN_BODY_FIRST,
    ("api_notifications.api_notifications", "GET"): SIGNED_IN,
    # core: the inbox (each user's own) and the audit-log export
    ("core.notifications", "GET"): SIGNED_IN,
    ("core.read_all", "POST"): SIGNED_IN,
    ("core.read_one", "POST"): SIGNED_IN,  # marks only the caller's own notification
    ("audit_log.export", "GET"): ADMINS,
    # market pages: listings
    ("market.listings", "GET"): PUBLIC,
    ("market.listing_detail", "GET"): PUBLIC,
    ("market.listing_seen", "POST"): PUBLIC,
    ("market.listing_new", "GET"): SIGNED_IN,
    ("market.listing_new", "POST"): SIGNED_IN,  # the form names what is missing (422)
    ("market.listing_edit", "GET"): LISTING_MANAGERS,
    ("market.listing_edit", "POST"): LISTING_MANAGERS,
    ("market.listing_action", "POST"): LISTING_MANAGERS,
    ("market.listing_dashboard", "GET"): LISTING_MANAGERS,
    ("market.listing_buy", "POST"): SIGNED_IN,  # refused with a message: not a fixed-price listing
    ("market.listing_watch", "POST"): SIGNED_IN,
    ("market.patent_watch", "POST"): SIGNED_IN,
    ("market.watch_list", "GET"): SIGNED_IN,
    ("market.my_listings", "GET"): SIGNED_IN,
    ("market.my_market", "GET"): SIGNED_IN,
    ("market.moderation_queue", "GET"): ADMINS,
    ("market.moderate_listing", "POST"): ADMINS,
    ("market.moderation_policy", "POST"): ADMINS,
    # market pages: data room (the document list is public, confidential files need the NDA)
    ("market.data_room", "GET"): PUBLIC,
    ("market.data_room", "POST"): row(FORBIDDEN, OK, FORBIDDEN, OK, FORBIDDEN),
    ("market.accept_nda", "POST"): SIGNED_IN,  # refused with a message for the seller and non-buyers
    ("market.document_delete", "POST"): LISTING_MANAGERS,
    # a confidential document: the buyer accepted the NDA (api_listings.accept_nda runs first); others
    # are sent back to the data room; the seller's side downloads it
    ("market.document_download", "POST"): PUBLIC,
    ("market.open_licence_accept", "POST"): SIGNED_IN,  # refused with a message: not an open licence
    ("market.open_licence_certificate", "GET"): PARTIES,
    # market pages: enquiries
    ("market.enquiries_list", "GET"): SIGNED_IN,
    ("market.enquiry_thread", "GET"): PARTIES,
    ("market.enquiry_thread", "POST"): PARTIES,
    ("market.enquiry_reveal", "POST"): PARTIES,
    ("market.enquiry_attachment", "POST"): PARTIES,
    ("market.listing_enquire", "GET"): SIGNED_IN,
    ("market.listing_enquire", "POST"): SIGNED_IN,
    ("market.project_enquire", "GET"): SIGNED_IN,
    ("market.project_enquire", "POST"): SIGNED_IN,
    # market pages: offers and deals
    ("market.listing_offers", "GET"): SIGNED_IN,  # each caller sees only the offers they are party to
    ("market.make_offer", "POST"): SIGNED_IN,
    ("market.offer_action", "POST"): PARTIES,  # the form names what is missing; others are refused
    ("market.deal_list", "GET"): SIGNED_IN,
    ("market.deal_detail", "GET"): PARTIES,
    ("market.contract_print", "GET"): PARTIES,
    ("market.deal_draft_contract", "POST"): PARTIES,
    ("market.deal_sign", "POST"): PARTIES,
    ("market.deal_reason_action", "POST"): PARTIES,
    ("market.deal_filing", "POST"): PARTIES,
    ("market.deal_registration", "POST"): PARTIES,
    ("market.deal_mark_paid", "POST"): row(LOGIN, OK, MISSING, FORBIDDEN, FORBIDDEN),  # admins only
    # market pages: auctions
    ("market.auction_index", "GET"): PUBLIC,
    ("market.auction_detail", "GET"): PUBLIC,
    ("market.auction_bid", "POST"): SIGNED_IN,
    ("market.auction_settings", "GET"): row(LOGIN, OK, MISSING, OK, MISSING),
    ("market.auction_settings", "POST"): row(LOGIN, OK, MISSING, OK, MISSING),
    ("market.auction_second_chance", "POST"): SIGNED_IN,  # refused with a message until reserve not met
    ("market.auction_retract", "POST"): ADMINS,
    ("market.auction_cancel", "POST"): ADMINS,  # an empty reason re-renders the page (422)
    # needs: the buyer's public, open need is on the board; its buyer (or an administrator) manages it
    ("matching.board", "GET"): PUBLIC,
    ("matching.mine", "GET"): SIGNED_IN,
    ("matching.new", "GET"): SIGNED_IN,
    ("matching.new", "POST"): SIGNED_IN,  # the form names what is missing (422)
    ("matching.detail", "GET"): PUBLIC,
    ("matching.edit", "GET"): NEED_MANAGERS,
    ("matching.edit", "POST"): NEED_MANAGERS,
    ("matching.act", "POST"): NEED_MANAGERS,
    ("matching.invite", "POST"): NEED_MANAGERS,
    ("api_needs.list_needs", "GET"): PUBLIC,
    ("api_needs.get_need", "GET"): PUBLIC,
    ("api_needs.need_matches", "GET"): PUBLIC,
    ("api_needs.listing_needs", "GET"): PUBLIC,
    ("api_needs.create_need", "POST"): SIGNED_IN_BODY_FIRST,
    ("api_needs.update_need", "PATCH"): NEED_MANAGERS,
    # marks on a need's matches (the buyer), experts for a patent (assessors and its owner), weights
    ("matching.mark_listing", "POST"): NEED_MANAGERS,
    ("matching.mark_patent", "POST"): NEED_MANAGERS,
    ("matching.ask_owner", "POST"): NEED_MANAGERS,
    ("api_needs.mark_match", "POST"): SIGNED_IN_BODY_FIRST,  # "mark" is required: 422 when signed in
    ("api_needs.patent_experts", "GET"): row(LOGIN, OK, OK, OK, FORBIDDEN),
    ("api_needs.need_experts", "GET"): NEED_MANAGERS,
    ("matching_admin.weights_page", "GET"): ADMINS,
    ("matching_admin.weights_create", "POST"): ADMINS,  # an empty form re-renders with messages (422)
    ("matching_admin.weights_act", "POST"): ADMINS_NO_SUCH_RECORD,
    ("matching_admin.record_conflict", "POST"): RECORD_OWNERS,  # the expert's maintainer, or an admin
    ("saved_searches.mine", "GET"): SIGNED_IN,
    ("saved_searches.create", "POST"): SIGNED_IN,  # nothing to save: the page says so (422)
    ("saved_searches.open_search", "GET"): SEARCH_OWNER,
    ("saved_searches.rename", "POST"): SEARCH_OWNER,  # an empty name: 422 for the owner
    ("saved_searches.delete", "POST"): SEARCH_OWNER,
    ("api_saved_searches.list_saved_searches", "GET"): SIGNED_IN,
    ("api_saved_searches.create_saved_search", "POST"): SIGNED_IN_BODY_FIRST,
    ("api_saved_searches.delete_saved_search", "DELETE"): SEARCH_OWNER,
    # payments: the deal's buyer pays; administrators record receipts, payouts and refunds
    ("payments.stripe_webhook", "POST"): PUBLIC,  # no valid signature: 400
    ("payments.start", "POST"): PARTIES,  # refused with a message for all but the buyer
    ("payments.confirm", "POST"): PARTIES,
    ("payments.refresh", "POST"): PARTIES,
    ("payments.admin_payments", "GET"): ADMINS,
    ("payments.admin_action", "POST"): ADMINS,
    # auction deposits: any signed-in bidder opens the page (the world's auction needs none: 409);
    # a deposit is its bidder's alone, and the world has none (404)
    ("payments.deposit_page", "GET"): SIGNED_IN,
    ("payments.deposit_start", "POST"): SIGNED_IN,
    ("payments.deposit_confirm", "POST"): row(LOGIN, MISSING, MISSING, MISSING, MISSING),
    ("payments.deposit_refresh", "POST"): row(LOGIN, MISSING, MISSING, MISSING, MISSING),
    ("payments.admin_deposits", "GET"): ADMINS,
    ("payments.admin_deposit_action", "POST"): ADMINS_NO_SUCH_RECORD,
    ("api_deposits.get_deposit", "GET"): SIGNED_IN,
    ("api_deposits.start_deposit", "POST"): SIGNED_IN,  # the world's auction requires none: 409
    # running royalties: the world's deals are not recorded with the office, so none has a royalty
    # schedule (404 for all); who reads, reports and pays is in tests/payments/test_royalty_pages_and_api.py
    ("payments.royalties_page", "GET"): row(LOGIN, MISSING, MISSING, MISSING, MISSING),
    ("payments.royalty_report", "POST"): row(LOGIN, MISSING, MISSING, MISSING, MISSING),
    ("payments.royalty_pay", "POST"): row(LOGIN, MISSING, MISSING, MISSING, MISSING),
    ("api_royalties.get_royalties", "GET"): row(LOGIN, MISSING, MISSING, MISSING, MISSING),
    ("api_royalties.post_report", "POST"): SIGNED_IN_BODY_FIRST,  # an empty body: 422 before the deal
    ("api_royalties.pay_invoice", "POST"): row(LOGIN, MISSING, MISSING, MISSING, MISSING),
    ("payments.fees_admin", "GET"): ADMINS,
    ("payments.fees_save", "POST"): ADMINS,  # an empty form saves nothing (422)
    ("payments.fees_activate", "POST"): ADMINS_NO_SUCH_RECORD,
    ("api_payments.list_payments", "GET"): PARTIES,
    ("api_payments.start_payment", "POST"): row(LOGIN, FORBIDDEN, MISSING, FORBIDDEN, OK),  # only the buyer
    ("api_payments.fee_quote", "GET"): PUBLIC,  # no listing named: 422
    # payouts: everyone signed in manages where their own payouts go and sees their own payouts
    ("payments.payout_settings", "GET"): SIGNED_IN,
    ("payments.payout_onboard", "POST"): SIGNED_IN,  # offline provider: told to enter bank details
    ("payments.payout_refresh", "POST"): SIGNED_IN,
    ("payments.payout_bank", "POST"): SIGNED_IN,  # an empty form: 422 with field messages
    ("payments.admin_payouts", "GET"): ADMINS,
    ("payments.admin_retry_payout", "POST"): ADMINS_NO_SUCH_RECORD,
    ("payments.admin_bank_payout", "POST"): ADMINS_NO_SUCH_RECORD,
    ("payments.payout_shares", "POST"): PARTIES,  # refused with a message for all but the seller side
    ("api_payouts.list_payouts", "GET"): SIGNED_IN,
    # valuation: income inputs for the patent's owner or an assessor; AHP weights for assessors
    ("valuation.income_inputs", "GET"): row(LOGIN, OK, OK, OK, FORBIDDEN),
    ("valuation.income_inputs", "POST"): row(LOGIN, OK, OK, OK, FORBIDDEN),
    ("valuation.ahp", "GET"): ASSESSORS,
    ("valuation.ahp", "POST"): ASSESSORS,
    # valuation: the dated exchange-rate table
    ("fx.rates", "GET"): ADMINS,
    ("fx.rates", "POST"): ADMINS,
    ("valuation.ahp_indicators", "GET"): ASSESSORS,
    ("valuation.ahp_indicators", "POST"): ASSESSORS,
    # engagements: written by the patent's owner or an assessor; signed only by an assessor who does
    # not own the patent (administrators sign nothing: the role is the assessor's)
    ("valuation.engagement", "GET"): row(LOGIN, OK, OK, OK, FORBIDDEN),
    ("valuation.engagement", "POST"): row(LOGIN, OK, OK, OK, FORBIDDEN),
    ("valuation.sign_engagement", "POST"): row(LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN),
}


def test_every_route_is_classified(app):
    unclassified = sorted(route_keys(app) - MATRIX.keys())
    assert unclassified == [], f"add these routes to MATRIX with who may use them: {unclassified}"
    assert sorted(MATRIX.keys() - route_keys(app)) == []  # and no stale rows


def call(client, endpoint: str, method: str, url: str, token: str | None):
    if endpoint.startswith(("api_", "api-docs")):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.open(url, method=method, json={} if method != "GET" else None, headers=headers)
    return client.open(url, method=method, data={} if method != "GET" else None)


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(app, client, world, role):
    user = world["users"].get(role)
    if user is not None:
        client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    token = world["tokens"].get(role)
    differences = {}
    for endpoint, method, url in requests(app, world["ids"]):
        response = call(client, endpoint, method, url, token)
        response.close()
        expected = MATRIX.get((endpoint, method), {}).get(role)
        if expected is not None and outcome(response) != expected:
            differences[f"{method} {endpoint}"] = (
                f"expected {expected}, got {outcome(response)} ({response.status_code})"
            )
    assert differences == {}
