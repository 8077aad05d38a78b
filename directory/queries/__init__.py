"""The read side: one search shared by the pages, the JSON API and the HSDS API."""

from directory.queries.results import (
    DEFAULT_PER_PAGE,
    DEFAULT_RADIUS_MILES,
    MAX_PER_PAGE,
    MAX_RADIUS_MILES,
    RemoteHit,
    SearchFilters,
    SearchHit,
    SearchResult,
)
from directory.queries.search import search
from directory.queries.taxonomy import TaxonomyIndex, taxonomy_index

__all__ = [
    "DEFAULT_PER_PAGE",
    "DEFAULT_RADIUS_MILES",
    "MAX_PER_PAGE",
    "MAX_RADIUS_MILES",
    "RemoteHit",
    "SearchFilters",
    "SearchHit",
    "SearchResult",
    "TaxonomyIndex",
    "search",
    "taxonomy_index",
]
