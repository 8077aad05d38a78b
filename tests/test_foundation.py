"""The app starts only when configured safely, reports its health, and answers errors clearly."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.exc import IntegrityError

from directory import create_app
from directory.config import ConfigError, load_config
from directory.extensions import db
from directory.models import Location, ServiceArea
from tests.factories import LocationFactory, OrganizationFactory, ServiceFactory


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("FLASK_ENV_NAME", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app()


def test_development_runs_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("FLASK_ENV_NAME", "development")
    assert load_config()["SECRET_KEY"]


def test_heroku_style_postgres_urls_are_accepted(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://user@db/directory")
    config = load_config({"TESTING": True})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql://user@db/directory"


def test_healthz_reports_a_reachable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_says_503_when_the_database_is_unreachable():
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_api_errors_are_json_with_the_documented_shape(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.is_json
    assert set(response.json) >= {"code", "status", "message"}
    assert response.json["code"] == 404


def test_page_errors_are_html(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Not Found" in response.get_data(as_text=True)


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas apply to SQLite only")
    with db.engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() == 5000


class TestModelConstraints:
    def test_a_location_needs_both_coordinates_or_neither(self, session):
        location = LocationFactory.build(latitude=40.7, longitude=None)
        session.add(location)
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()

    def test_latitude_must_be_on_earth(self, session):
        session.add(LocationFactory.build(latitude=91.0, longitude=0.0))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()

    def test_a_service_status_must_be_known(self, session):
        session.add(ServiceFactory.build(status="maybe"))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()

    def test_a_nationwide_area_has_no_code_and_a_state_area_has_one(self, session):
        service = ServiceFactory()
        session.add(ServiceArea(service=service, extent_type="state", code=None, reach="mail"))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()

    def test_an_organization_with_locations_cannot_be_deleted(self, session):
        organization = OrganizationFactory()
        LocationFactory(organization=organization)
        session.delete(organization)
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()

    def test_ids_are_uuids_and_timestamps_are_utc(self, session):
        location = LocationFactory()
        fresh = session.get(Location, location.id)
        assert len(str(fresh.id)) == 36
        assert fresh.created_at.utcoffset().total_seconds() == 0


def test_migrations_build_the_same_schema_as_the_models(tmp_path):
    """`flask db upgrade` on an empty database yields every table and column of the models."""
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        migrated = inspect(create_engine(url))
        for table in db.metadata.sorted_tables:
            columns = {column["name"] for column in migrated.get_columns(table.name)}
            assert columns == {column.name for column in table.columns}, table.name
