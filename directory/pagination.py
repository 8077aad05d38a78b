"""One page of a list, for every list the API and HSDS answer in pages.

A ``Page`` knows which rows it holds (``start``/``stop``, or ``window`` on a statement) and says
so in each shape a route documents: the API's ``pagination`` object and its RFC 8288 ``Link``
header, or HSDS's page envelope (``total_items`` … ``contents``, as HSDS 3.0 defines them).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Page:
    """Page ``number`` (from 1) of ``per_page`` rows out of ``total``."""

    number: int
    per_page: int
    total: int

    @classmethod
    def of_statement(
        cls, session: Session, statement: Select, number: int, per_page: int
    ) -> tuple[Page, list[Any]]:
        """The page of ``statement``'s rows, counted and read with offset and limit."""
        counted = select(func.count()).select_from(statement.order_by(None).subquery())
        page = cls(number, per_page, session.scalar(counted))
        return page, list(session.scalars(page.window(statement)))

    @property
    def start(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def stop(self) -> int:
        return self.start + self.per_page

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total / self.per_page)

    def window(self, statement: Select) -> Select:
        return statement.offset(self.start).limit(self.per_page)

    def rows(self, ranked: Sequence[Any]) -> Sequence[Any]:
        """This page's part of rows already in order."""
        return ranked[self.start : self.stop]

    def pagination(self) -> dict[str, int]:
        """The API's ``pagination`` object."""
        return {
            "total": self.total,
            "total_pages": self.total_pages,
            "page": self.number,
            "per_page": self.per_page,
        }

    def links(self, url_of: Callable[[int], str], rels: Sequence[str]) -> str:
        """RFC 8288 ``Link`` header value to the pages named in ``rels`` that exist, in that order
        (``first``, ``prev``, ``next``, ``last``); an empty list's only page is page 1."""
        last = max(self.total_pages, 1)
        targets = {
            "first": 1,
            "prev": min(self.number - 1, last) if self.number > 1 else None,
            "next": self.number + 1 if self.number < self.total_pages else None,
            "last": last,
        }
        return ", ".join(
            f'<{url_of(targets[rel])}>; rel="{rel}"' for rel in rels if targets[rel] is not None
        )

    def hsds_envelope(self, contents: list[dict]) -> dict[str, Any]:
        """The HSDS 3.0 page: ``contents`` are this page's items."""
        return {
            "total_items": self.total,
            "total_pages": self.total_pages,
            "page_number": self.number,
            "size": len(contents),
            "first_page": self.number == 1,
            "last_page": self.number >= self.total_pages,
            "empty": not contents,
            "contents": contents,
        }
