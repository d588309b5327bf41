"""Navigation entries for the listings side of the market."""

from flask_babel import lazy_gettext as _l

from app.accounts.permissions import is_admin, is_authenticated
from app.core.navigation import NavItem, add_nav_item


def register() -> None:
    add_nav_item(NavItem("market.listings", _l("Market"), lambda user: True, menu="main", order=20))
    add_nav_item(NavItem("market.my_listings", _l("My listings"), is_authenticated, menu="account", order=40))
    add_nav_item(NavItem("market.watch_list", _l("Watch list"), is_authenticated, menu="account", order=41))
    add_nav_item(
        NavItem("market.enquiries_list", _l("Enquiries"), is_authenticated, menu="account", order=42)
    )
    add_nav_item(
        NavItem("market.moderation_queue", _l("Listing moderation"), is_admin, menu="admin", order=35)
    )
