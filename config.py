"""Configuration classes, read from the environment with safe defaults.

DevelopmentConfig is the embedded default: a SQLite file in the instance folder, no keys needed.
ProductionConfig refuses to start without SECRET_KEY and DATABASE_URL.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


class ConfigurationError(RuntimeError):
    """Raised when a configuration cannot run safely (e.g. production without secrets)."""


def _normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    # No default: without SECRET_KEY the app uses its instance's own random key (see
    # app/core/secret_key.py), and production refuses to start.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SECRET_KEY_REQUIRED = False
    SQLALCHEMY_DATABASE_URI = _normalise_database_url(os.environ.get("DATABASE_URL", ""))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 16 * 1024 * 1024))

    # Internationalisation: zh first for our users, English as the other language.
    LANGUAGES = ("zh", "en")
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")
    DEFAULT_CURRENCY = "CNY"

    # Sessions and cookies
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session

    # Rate limiting: in memory unless Redis is configured.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")

    # JSON API / OpenAPI (flask-smorest)
    API_TITLE = "IPEX API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    API_PAGE_SIZE_MAX = 100

    ITEMS_PER_PAGE = 20

    # Anonymous public pages kept per worker (app/core/page_cache.py): any committed write retires them
    # all; this bounds what moves with the clock alone (countdowns). 0 turns the cache off.
    PAGE_CACHE_SECONDS = float(os.environ.get("PAGE_CACHE_SECONDS", "15"))
    PAGE_CACHE_ENTRIES = int(os.environ.get("PAGE_CACHE_ENTRIES", "512"))

    # Background work (app.core.jobs) and the periodic market tick (app.core.ticks): the embedded
    # default ticks from a thread in the web process; set 0 when cron runs `flask market tick`.
    JOB_RUNNER = os.environ.get("JOB_RUNNER", "auto")  # auto | rq | thread | inline
    MARKET_TICK_SECONDS = float(os.environ.get("MARKET_TICK_SECONDS", "60"))
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://localhost:5000")
    # Imports without Redis: at most this many at once, each in a child process with this memory cap.
    IMPORT_WORKERS = int(os.environ.get("IMPORT_WORKERS", 1))
    IMPORT_MEMORY_LIMIT_MB = int(os.environ.get("IMPORT_MEMORY_LIMIT_MB", 1024))

    # Matching index (app/matching/index.py): where `flask matching rebuild` writes the base segments,
    # memory-mapped .npy files every worker shares through the page cache. Empty: no segments, each
    # worker reads the whole index from the matching_documents table (fine for the demo's few
    # thousand records; set a folder for a large catalogue, e.g. one under the instance folder).
    MATCHING_INDEX_DIR = os.environ.get("MATCHING_INDEX_DIR", "")

    # Payments: Stripe when a secret key is set, else the embedded offline (bank transfer) provider.
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")  # a test server such as localstripe
    STRIPE_CONNECT_API_BASE = os.environ.get("STRIPE_CONNECT_API_BASE", "")  # Connect calls; "" = as above
    STRIPE_TIMEOUT_SECONDS = float(os.environ.get("STRIPE_TIMEOUT_SECONDS", "30"))  # then a retry is safe
    # PaymentIntents carry the deal's transfer_group (Connect); off only for test servers without Connect.
    STRIPE_INTENT_TRANSFER_GROUP = os.environ.get("STRIPE_INTENT_TRANSFER_GROUP", "1") == "1"
    STRIPE_PAYMENT_METHOD_TYPES = tuple(os.environ.get("STRIPE_PAYMENT_METHOD_TYPES", "card").split(","))
    PAYMENTS_FEE_PERCENT = os.environ.get("PAYMENTS_FEE_PERCENT", "5")  # until a fee schedule is published
    PAYMENTS_FEE_MINIMUM = os.environ.get("PAYMENTS_FEE_MINIMUM", "1000")
    # The account buyers transfer to, shown in the reader's language: *_ZH to zh readers, *_EN to
    # the others; an empty one falls back to the other language. (PAYMENTS_BANK_ACCOUNT_NAME and
    # PAYMENTS_BANK_NAME, the older single settings, still set the English values.)
    PAYMENTS_BANK_ACCOUNT_NAME_ZH = os.environ.get(
        "PAYMENTS_BANK_ACCOUNT_NAME_ZH", "IPEX 知识产权交易平台有限公司"
    )
    PAYMENTS_BANK_ACCOUNT_NAME_EN = os.environ.get(
        "PAYMENTS_BANK_ACCOUNT_NAME_EN", os.environ.get("PAYMENTS_BANK_ACCOUNT_NAME", "IPEX Platform Ltd")
    )
    PAYMENTS_BANK_NAME_ZH = os.environ.get("PAYMENTS_BANK_NAME_ZH", "中国银行")
    PAYMENTS_BANK_NAME_EN = os.environ.get(
        "PAYMENTS_BANK_NAME_EN", os.environ.get("PAYMENTS_BANK_NAME", "Bank of China")
    )
    PAYMENTS_BANK_ACCOUNT_NUMBER = os.environ.get("PAYMENTS_BANK_ACCOUNT_NUMBER", "0000 0000 0000 0000")


class DevelopmentConfig(Config):
    """Embedded default: SQLite in the instance folder, demo-friendly, no keys needed."""

    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    # Random per test process: no key written in the repository can sign a session anywhere.
    SECRET_KEY = secrets.token_urlsafe(32)
    SQLALCHEMY_DATABASE_URI = _normalise_database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_RATE_LIMIT = "1000 per minute"
    PASSWORD_HASH_FAST = True  # tests hash many passwords; production uses full-cost argon2
    FIGURES_CACHE_SECONDS = 0  # every test has its own database
    PAGE_CACHE_SECONDS = 0  # tests that check the page cache turn it on
    JOB_RUNNER = "inline"  # background work runs at once, in its own session, so tests can assert
    MARKET_TICK_SECONDS = 0  # tests run ticks themselves
    MATCHING_INDEX_DIR = ""  # tests that map segments set a folder of their own


class ProductionConfig(Config):
    SECRET_KEY_REQUIRED = True
    # Browsers must keep using HTTPS for a year after their first visit.
    STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls) -> None:
        """Refuse to start without the secrets production must have."""
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise ConfigurationError(
                "ProductionConfig needs these environment variables: " + ", ".join(missing)
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """Pick the config class named by IPEX_CONFIG (development by default)."""
    name = os.environ.get("IPEX_CONFIG", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigurationError(f"IPEX_CONFIG must be one of {sorted(CONFIGS)}, not {name!r}") from None
