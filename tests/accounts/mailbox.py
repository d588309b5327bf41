"""Reading the development mailbox in tests: the last message to an address and the link in it."""

import re

from sqlalchemy import select

from app.core.mail import DevMailboxMessage
from app.extensions import db

LINK = re.compile(r"https?://[^/\s]+(/\S+)")


def messages_to(address: str) -> list[DevMailboxMessage]:
    query = select(DevMailboxMessage).where(DevMailboxMessage.recipient == address)
    return list(db.session.scalars(query.order_by(DevMailboxMessage.id)))


def last_message(address: str) -> DevMailboxMessage:
    messages = messages_to(address)
    assert messages, f"no e-mail to {address}"
    return messages[-1]


def link_in(message: DevMailboxMessage) -> str:
    """The path of the first link in the text body."""
    match = LINK.search(message.text_body)
    assert match, message.text_body
    return match.group(1)
