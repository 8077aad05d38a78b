"""Whatever a search's query string holds, the answer is a result or a clear 4xx, never a 500."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import LocationFactory, ScheduleFactory, ServiceFactory
from tests.hardening.conftest import SEARCH_PARAMETERS

# The HSDS proximity search and the page language come on top of the search's own.
FUZZED_PARAMETERS = [*SEARCH_PARAMETERS, "lang", "postcode", "proximity", "search"]
ENDPOINTS = ["/api/v1/search", "/search", "/hsds/service_at_locations"]

names = st.one_of(st.sampled_from(FUZZED_PARAMETERS), st.text(max_size=12))
values = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["10001", "New York, NY", "NY", "naloxone", "40.75", "-73.99", "1e309"]),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.datetimes().map(lambda d: d.isoformat()),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
)
query_strings = st.one_of(
    st.lists(st.tuples(names, values), max_size=8).map(
        lambda pairs: "&".join(f"{quote(n, safe='')}={quote(v, safe='')}" for n, v in pairs)
    ),
    # Raw, unencoded garbage: stray %, unpaired surrogates' escapes, '&&==', control bytes.
    st.text(alphabet=st.characters(codec="latin-1"), max_size=120).map(
        lambda text: quote(text, safe="&=%+;,/?:@!$'()*")
    ),
)


@pytest.fixture
def listing(app):
    location = LocationFactory()
    ServiceFactory(categories=["naloxone", "free"], locations=[location])
    ScheduleFactory(location=location)
    return location


@pytest.mark.slow
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=query_strings)
def test_arbitrary_query_strings_never_cause_a_server_error(client, listing, endpoint, query):
    response = client.get(f"{endpoint}?{query}")
    assert response.status_code < 500, (query, response.get_data(as_text=True)[:500])
    if endpoint.startswith(("/api/", "/hsds")):
        assert response.is_json
        if response.status_code >= 400:
            assert {"code", "message"} <= set(response.json)
    else:
        assert response.mimetype == "text/html"
