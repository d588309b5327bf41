"""Import every capability's models so the metadata (and Alembic) sees them all."""

import app.accounts.models  # noqa: F401
import app.catalogue.models  # noqa: F401
import app.catalogue.search.models  # noqa: F401
import app.core.audit_chain  # noqa: F401
import app.core.lifecycle  # noqa: F401
import app.core.mail  # noqa: F401  (the development mailbox)
import app.core.notifications  # noqa: F401
import app.core.outbox  # noqa: F401
import app.core.ticks  # noqa: F401
import app.market.models  # noqa: F401
import app.matching.alert_models  # noqa: F401
import app.matching.experts  # noqa: F401
import app.matching.marks  # noqa: F401
import app.matching.models  # noqa: F401
import app.matching.weights  # noqa: F401
import app.payments.deposit_models  # noqa: F401
import app.payments.models  # noqa: F401
import app.payments.payout_models  # noqa: F401
import app.payments.royalty_models  # noqa: F401
import app.valuation.engagement_models  # noqa: F401
import app.valuation.fx_models  # noqa: F401
import app.valuation.models  # noqa: F401
