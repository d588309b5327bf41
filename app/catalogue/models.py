"""Catalogue models: patents with their facts, innovation projects, experts, change history."""

from app.catalogue.import_models import ImportJob
from app.catalogue.patent_models import (
    DOCUMENT_KINDS,
    EVENT_TYPES,
    EXCLUSIVE_LICENCE_TYPES,
    HIDDEN,
    LICENCE_TYPES,
    MODERATION_STATUSES,
    PARTY_ROLES,
    PUBLISHED,
    Patent,
    PatentClassification,
    PatentDocument,
    PatentEvent,
    PatentLicence,
    PatentParty,
    PatentPledge,
)
from app.catalogue.people_models import (
    CatalogueChange,
    Expert,
    ExpertConflict,
    ExpertSpecialty,
    InnovationProject,
    project_patents,
)

__all__ = [
    "DOCUMENT_KINDS",
    "EVENT_TYPES",
    "EXCLUSIVE_LICENCE_TYPES",
    "HIDDEN",
    "LICENCE_TYPES",
    "MODERATION_STATUSES",
    "PARTY_ROLES",
    "PUBLISHED",
    "CatalogueChange",
    "Expert",
    "ExpertConflict",
    "ExpertSpecialty",
    "ImportJob",
    "InnovationProject",
    "Patent",
    "PatentClassification",
    "PatentDocument",
    "PatentEvent",
    "PatentLicence",
    "PatentParty",
    "PatentPledge",
    "project_patents",
]
