"""The offline provider's bank-details form (the service validates; the form carries messages)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField


class BankDetailsForm(FlaskForm):
    account_name = StringField(_l("Account holder"), description=_l("As the bank has it."))
    bank_name = StringField(_l("Bank and branch"))
    account_number = StringField(_l("Account number"), description=_l("Digits only; spaces are fine."))
