"""The HSDS-shaped data model, one module per aggregate; import models from here."""

from directory.models.accounts import ApiKey, IdempotentRequest, User
from directory.models.base import Base, utcnow
from directory.models.details import Language, Phone, Schedule
from directory.models.foreign import ForeignTaxonomy, ForeignTerm, LinkedAttribute
from directory.models.locations import Accessibility, Address, Location
from directory.models.organizations import Organization
from directory.models.revisions import Revision, Suggestion
from directory.models.search_changes import SearchChange, SearchVersion
from directory.models.services import CostOption, Service, ServiceArea, ServiceAtLocation
from directory.models.sources import Source, SourceRecord
from directory.models.states import LegalityNote, State
from directory.models.taxonomy import Attribute, Taxonomy, TaxonomyTerm

__all__ = [
    "Accessibility",
    "Address",
    "ApiKey",
    "Attribute",
    "Base",
    "CostOption",
    "ForeignTaxonomy",
    "ForeignTerm",
    "IdempotentRequest",
    "Language",
    "LegalityNote",
    "LinkedAttribute",
    "Location",
    "Organization",
    "Phone",
    "Revision",
    "Schedule",
    "SearchChange",
    "SearchVersion",
    "Service",
    "ServiceArea",
    "ServiceAtLocation",
    "Source",
    "SourceRecord",
    "State",
    "Suggestion",
    "Taxonomy",
    "TaxonomyTerm",
    "User",
    "utcnow",
]
