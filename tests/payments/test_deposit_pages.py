"""Deposit pages: the seller sets the deposit, the bidder is sent to pay it, an administrator confirms."""

from datetime import timedelta

from app.extensions import db
from app.payments import deposit_states as ds
from app.payments import deposits
from app.payments.deposit_models import AuctionDeposit
from tests.market.auction_support import make_listing
from tests.payments.deposit_support import deposit_auction


def _settings(listing_id: int, frozen_clock, **extra) -> dict:
    now = frozen_clock.now()
    return {
        "start_price": "50000",
        "starts_at": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "soft_close_minutes": "5",
        "increments": "0 1000",
        **extra,
    }


def test_the_seller_sets_a_deposit_with_the_auction_and_bad_ones_get_field_messages(
    client, auth, make_user, frozen_clock
):
    case = deposit_auction(make_user)
    listing = make_listing(case.seller)
    db.session.commit()
    auth.login(case.seller)
    url = f"/market/listings/{listing.id}/auction"
    page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Deposit required to bid (optional)" in page
    too_big = client.post(url, data=_settings(listing.id, frozen_clock, deposit="50000", payment_days="7"),
                          headers={"Accept-Language": "en"})  # fmt: skip
    assert too_big.status_code == 422
    assert "The deposit must be below the start price." in too_big.get_data(as_text=True)
    unreadable = client.post(url, data=_settings(listing.id, frozen_clock, deposit="lots"))
    assert unreadable.status_code == 422
    ok = client.post(url, data=_settings(listing.id, frozen_clock, deposit="1.5万", payment_days="7"))
    assert ok.status_code == 302
    from app.market.auction_services import auction_for_listing

    terms = deposits.terms_for(auction_for_listing(listing))
    assert (str(terms.amount), terms.payment_days) == ("15000.00", 7)
    assert 'value="15000.00"' in client.get(url).get_data(as_text=True)


def test_a_bidder_follows_the_link_pays_by_transfer_and_bids_once_confirmed(
    client, auth, make_user, frozen_clock
):
    case = deposit_auction(make_user)
    auction_id = case.auction.id
    auth.login(case.winner)
    page = client.get(f"/market/auctions/{auction_id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "This auction requires a deposit of" in page
    assert f'href="/payments/auctions/{auction_id}/deposit"' in page
    assert "Pay the deposit" in page
    refused = client.post(f"/market/auctions/{auction_id}/bids", data={"amount": "10000"})
    assert refused.status_code == 403
    deposit_page = client.get(f"/payments/auctions/{auction_id}/deposit", headers={"Accept-Language": "en"})
    assert "Deposit required" in deposit_page.get_data(as_text=True)
    assert client.post(f"/payments/auctions/{auction_id}/deposit").status_code == 302
    deposit = db.session.scalar(db.select(AuctionDeposit))
    shown = client.get(f"/payments/auctions/{auction_id}/deposit").get_data(as_text=True)
    assert deposit.reference in shown
    auth.logout()
    auth.login(case.admin)
    listed = client.get("/payments/admin/deposits").get_data(as_text=True)
    assert deposit.reference in listed
    recorded = client.post(f"/payments/admin/deposits/{deposit.id}/receipt",
                           data={"bank_reference": "BOC-DEP-1", "amount": "2,000.00"})  # fmt: skip
    assert recorded.status_code == 302
    db.session.refresh(deposit)
    assert deposit.status == ds.HELD
    auth.logout()
    auth.login(case.winner)
    placed = client.post(f"/market/auctions/{auction_id}/bids", data={"amount": "10000"})
    assert placed.status_code == 302


def test_only_the_bidder_sees_and_confirms_their_deposit(client, auth, make_user, frozen_clock):
    case = deposit_auction(make_user)
    deposit = deposits.start_deposit(case.auction, case.winner)
    db.session.commit()
    auth.login(case.loser)
    assert (
        client.post(f"/payments/deposits/{deposit.id}/confirm", data={"payment_method": "x"}).status_code
        == 404
    )
    assert client.post(f"/payments/deposits/{deposit.id}/refresh").status_code == 404
    assert client.post(f"/payments/admin/deposits/{deposit.id}/receipt").status_code == 403


def test_empty_or_bad_administrator_forms_flash_a_message_and_change_nothing(
    client, auth, make_user, frozen_clock
):
    case = deposit_auction(make_user)
    deposit = deposits.start_deposit(case.auction, case.winner)
    db.session.commit()
    auth.login(case.admin)
    url = f"/payments/admin/deposits/{deposit.id}"
    cases = [
        ("receipt", {}, "Enter the bank's reference for this transfer."),
        ("receipt", {"bank_reference": "BOC-1", "amount": "two thousand"}, "Enter an amount such as"),
        (
            "receipt",
            {"bank_reference": "BOC-1", "amount": "1999"},
            "The transfer must match the amount due exactly.",
        ),
        ("refund", {"bank_reference": "BOC-2"}, "This deposit is not due back"),
    ]
    for action, form, message in cases:
        answer = client.post(
            f"{url}/{action}", data=form, headers={"Accept-Language": "en"}, follow_redirects=True
        )
        assert answer.status_code == 422  # the list again, with the reason (beside the field or flashed)
        assert message in answer.get_data(as_text=True).replace("&#39;", "'")
    db.session.refresh(deposit)
    assert deposit.status == ds.REQUIRES_PAYMENT


def test_a_refused_deposit_receipt_keeps_the_input_and_says_why_beside_the_field(client, auth, make_user):
    case = deposit_auction(make_user)
    deposit = deposits.start_deposit(case.auction, case.winner)
    db.session.commit()
    auth.login(case.admin)
    response = client.post(
        f"/payments/admin/deposits/{deposit.id}/receipt",
        data={"bank_reference": "BOC-DEP-77", "amount": "1999"},
        headers={"Accept-Language": "zh"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="BOC-DEP-77"' in page
    assert 'value="1999"' in page
    assert f'id="dreceipt-{deposit.id}-amount-error"' in page
    db.session.refresh(deposit)
    assert deposit.status == ds.REQUIRES_PAYMENT
