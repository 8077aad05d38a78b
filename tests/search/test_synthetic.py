"""``flask seed synthetic``: fake listings that can never be mistaken for real ones."""

from __future__ import annotations

from sqlalchemy import func, select

from directory.extensions import db
from directory.models import Location, Organization, Schedule, Service, ServiceArea, Source
from directory.queries import SearchFilters, search


def test_synthetic_listings_are_labelled_and_searchable(runner):
    result = runner.invoke(args=["seed", "synthetic", "--count", "300"])
    assert result.exit_code == 0, result.output
    assert "300 synthetic locations added" in result.output
    source = db.session.scalar(select(Source).where(Source.code == "synthetic"))
    assert source.synthetic
    locations = db.session.scalars(select(Location)).all()
    assert len(locations) == 300
    assert all(location.name.startswith("Synthetic listing") for location in locations)
    assert all("Not a real service" in location.description for location in locations)
    assert all(location.source_id == source.id for location in locations)
    services = db.session.scalars(select(Service)).all()
    assert all(service.name.startswith("Synthetic listing") for service in services)
    organizations = db.session.scalars(select(Organization)).all()
    assert all(org.name.startswith("Synthetic listing") for org in organizations)
    spans = {(s.opens_at, s.closes_at) for s in db.session.scalars(select(Schedule))}
    assert any(closes <= opens for opens, closes in spans)  # overnight and 24-hour rows
    assert db.session.scalar(select(func.count()).select_from(ServiceArea)) >= 1
    anywhere = locations[0]
    found = search(SearchFilters(state=anywhere.address.state_province, per_page=100)).total
    assert found >= 1


def test_running_it_twice_adds_more_without_clashing(runner):
    for _ in range(2):
        assert runner.invoke(args=["seed", "synthetic", "--count", "50"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Location)) == 100
