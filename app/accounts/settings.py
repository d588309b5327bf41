"""Account settings with their defaults, overridable from the environment or the config class.

They live here rather than in config.py because only accounts read them; a config class that sets
one (TestingConfig, a test's overrides) wins over the environment.
"""

import os

from flask import Flask

# name: (default, converter)
ACCOUNT_SETTINGS = {
    # Failed logins per typed e-mail address, from any client: stops password guessing on one account.
    "LOGIN_ACCOUNT_RATE_LIMIT": ("5 per minute;30 per hour", str),
    # Accounts created per client address.
    "REGISTER_RATE_LIMIT": ("10 per hour", str),
    # Password-reset requests per client address, and per typed e-mail address.
    "RESET_RATE_LIMIT": ("5 per minute;20 per hour", str),
    "RESET_ACCOUNT_RATE_LIMIT": ("3 per hour", str),
    # New verification links a logged-in user may ask for.
    "VERIFY_RESEND_RATE_LIMIT": ("3 per hour", str),
    # Seconds a password-reset link and an address-verification link stay valid.
    "PASSWORD_RESET_MAX_AGE": ("3600", int),
    "EMAIL_VERIFY_MAX_AGE": (str(7 * 24 * 3600), int),
    # Largest business licence upload in bytes.
    "LICENCE_MAX_BYTES": (str(5 * 1024 * 1024), int),
}


def configure_account_settings(app: Flask) -> None:
    for name, (default, convert) in ACCOUNT_SETTINGS.items():
        if name not in app.config:
            app.config[name] = convert(os.environ.get(name, default))
