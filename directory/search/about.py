"""What the About page says about the data: each source, its vintage and how much it lists.

Read from the database at request time, so the page can only describe the data it serves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from directory.extensions import db
from directory.models import Service, Source


@dataclass(frozen=True)
class SourceSummary:
    name: str
    vintage: str | None
    as_of_date: date | None
    url: str | None
    licence: str | None
    synthetic: bool
    services: int


@dataclass(frozen=True)
class DataSummary:
    sources: list[SourceSummary]
    services: int
    confirmed: int  # services a person has vouched for (an assured date)


def data_summary() -> DataSummary:
    """Every source with listed services, largest first, and how many services were confirmed."""
    counts = dict(
        db.session.execute(
            select(Service.source_id, func.count())
            .where(Service.visible)
            .group_by(Service.source_id)
        ).all()
    )
    sources = [
        SourceSummary(
            name=source.name,
            vintage=source.vintage,
            as_of_date=source.as_of_date,
            url=source.url,
            licence=source.licence,
            synthetic=source.synthetic,
            services=counts.get(source.id, 0),
        )
        for source in db.session.scalars(select(Source))
        if counts.get(source.id)
    ]
    sources.sort(key=lambda source: (-source.services, source.name))
    confirmed = db.session.scalar(
        select(func.count())
        .select_from(Service)
        .where(Service.visible, Service.assured_date.is_not(None))
    )
    return DataSummary(sources=sources, services=sum(counts.values()), confirmed=confirmed or 0)
