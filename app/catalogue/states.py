"""Catalogue lifecycles as data: moderation of records, and background import jobs."""

from flask_babel import lazy_gettext as _l

from app.catalogue.import_models import DONE, FAILED, QUEUED, RUNNING
from app.catalogue.patent_models import HIDDEN, PUBLISHED
from app.core.lifecycle import Lifecycle

# Publishing a published record or hiding a hidden one is allowed: it records a new reason.
MODERATION = Lifecycle(
    name="moderation",
    attribute="moderation_status",
    transitions={
        (PUBLISHED, "hide"): HIDDEN,
        (PUBLISHED, "publish"): PUBLISHED,
        (HIDDEN, "publish"): PUBLISHED,
        (HIDDEN, "hide"): HIDDEN,
    },
    status_labels={PUBLISHED: _l("Published"), HIDDEN: _l("Hidden")},
    action_labels={"publish": _l("Publish"), "hide": _l("Hide")},
)

IMPORT_JOB = Lifecycle(
    name="import_job",
    transitions={
        (QUEUED, "start"): RUNNING,
        (QUEUED, "fail"): FAILED,
        (RUNNING, "finish"): DONE,
        (RUNNING, "fail"): FAILED,
    },
    status_labels={
        QUEUED: _l("Waiting"),
        RUNNING: _l("Running"),
        DONE: _l("Finished"),
        FAILED: _l("Failed"),
    },
    action_labels={"start": _l("Start"), "finish": _l("Finish"), "fail": _l("Fail")},
)
