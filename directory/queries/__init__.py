"""The read side: one search shared by the pages, the JSON API, HSDS, SMS and resource sheets.

Design (what is kept, and why it is never stale):
- **One owner.** Each app has one ``SearchEngine`` (``app.extensions["search_engine"]``,
  ``queries.engine``): no module globals, so two apps in one process never share state.
- **One version.** Every transaction that changes what a search shows takes the next number of
  a one-row counter just before it commits and stamps its change rows with it
  (``queries.changes``). The counter's row lock is held until the commit, so versions follow
  commit order: a process that has seen version N reads exactly the rows after N, however long
  a transaction ran or how many rows it wrote.
- **The invariant.** Everything the engine keeps is a function of (database, version): the
  ranking index (``queries.index``), the taxonomy, every state's legality notes (a
  ``Snapshot``), and the result cards, kept by (id, version of the id's last change). A search
  reads the version (one row); when it moved, the snapshot advances by the change rows in
  between, or is built anew after a bulk write or a taxonomy change.
- **One search.** ``search(filters)`` ranks with the index, asks a ``Matcher`` which services
  matched at the page's places (the index; SQL checks keywords and opening hours on the pairs
  it found, and lists a whole state by name) and reads only the page's cards.
"""

from directory.queries.engine import snapshot
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
from directory.queries.search import matches, search
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
    "matches",
    "search",
    "snapshot",
    "taxonomy_index",
]
