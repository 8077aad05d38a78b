"""The taxonomy and the states with their legality notes, under /api/v1.

Public, cacheable and rate limited like every read (see ``public.py``); names and legality
notes follow the request's language (``?lang=es`` or Accept-Language; English by default).
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory.api import record_examples as examples
from directory.api.public import documented_errors, one_or_404, public_reads
from directory.api.record_schemas import (
    LangArgsSchema,
    StateListSchema,
    StateSchema,
    TaxonomySchema,
)
from directory.extensions import db
from directory.models import State, TaxonomyTerm

reference = Blueprint(
    "reference",
    __name__,
    description="The service taxonomy, and the states with what their law says about each "
    "kind of service.",
)
public_reads(reference)

STATE_CODE = [
    {
        "in": "path",
        "name": "code",
        "description": "Two-letter USPS code of a state, DC or Puerto Rico (any case)",
        "example": "NY",
    }
]


@reference.route("/taxonomy")
class Taxonomy(MethodView):
    @reference.etag
    @reference.response(200, TaxonomySchema, example=examples.TAXONOMY)
    @documented_errors(reference)
    def get(self):
        """The service taxonomy

        Every service category and attribute (cost, access, population) with its stable code,
        its English and Spanish names, and its parent category.
        """
        terms = db.session.scalars(
            select(TaxonomyTerm)
            .options(selectinload(TaxonomyTerm.parent))
            .order_by(TaxonomyTerm.sort_order, TaxonomyTerm.code)
        ).all()
        return {"terms": terms}


def states_with_notes():
    return select(State).options(selectinload(State.legality_notes))


@reference.route("/states")
class States(MethodView):
    @reference.etag
    @reference.arguments(LangArgsSchema, location="query")
    @reference.response(200, StateListSchema, example=examples.STATES)
    @documented_errors(reference, 422)
    def get(self, args: dict):
        """Every state and territory with its legality notes, in the request's language."""
        return {"states": db.session.scalars(states_with_notes().order_by(State.code)).all()}


@reference.route("/states/<string(length=2):code>", parameters=STATE_CODE)
class StateRecord(MethodView):
    @reference.etag
    @reference.arguments(LangArgsSchema, location="query")
    @reference.response(200, StateSchema, example=examples.STATE)
    @documented_errors(reference, 404, 422)
    def get(self, args: dict, code: str):
        """One state with its legality notes

        What the law of the state (two-letter code, e.g. NY) says about naloxone, test strips,
        syringe services, Good Samaritan protection, overdose prevention centers and drug
        possession, in the request's language (English where no translation exists).
        """
        return one_or_404(states_with_notes().where(State.code == code.upper()), "state")
