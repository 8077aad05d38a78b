"""The taxonomy and the states load from seed files, idempotently."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from directory.models import State, TaxonomyTerm
from directory.seeding import reference


def test_every_state_dc_and_puerto_rico_is_present_with_fips_and_time_zone(session):
    states = session.scalars(select(State)).all()
    assert len(states) == 52
    by_code = {state.code: state for state in states}
    assert by_code["DC"].fips == "11"
    assert by_code["PR"].timezone == "America/Puerto_Rico"
    assert by_code["NY"].name_es == "Nueva York"


def test_the_taxonomy_has_parent_categories_and_spanish_labels(session):
    terms = {term.code: term for term in session.scalars(select(TaxonomyTerm))}
    assert terms["buprenorphine"].parent.code == "moud"
    assert terms["moud"].parent.code == "treatment"
    assert terms["fentanyl_test_strips"].parent.code == "drug_checking"
    assert all(term.name_es for term in terms.values())
    kinds = {term.kind for term in terms.values()}
    assert kinds == {"category", "cost", "access", "population"}


def test_loading_the_reference_data_twice_changes_nothing(session):
    assert reference.load_taxonomy(session) == 0
    assert reference.load_states(session) == 0
    in_file = len(json.loads((reference.SEED_DIR / "taxonomy.json").read_text())["terms"])
    assert session.scalar(select(func.count()).select_from(TaxonomyTerm)) == in_file


def test_legality_notes_load_for_every_state_topic_and_language_once(session):
    from directory.models import LegalityNote
    from directory.models.states import LEGALITY_TOPICS

    assert reference.load_legality_notes(session) == 52 * len(LEGALITY_TOPICS) * 2
    session.commit()
    notes = session.scalars(select(LegalityNote)).all()
    assert {(n.state_code, n.topic, n.locale) for n in notes} == {
        (state, topic, locale)
        for state in {n.state_code for n in notes}
        for topic in LEGALITY_TOPICS
        for locale in ("en", "es")
    }
    assert len({n.state_code for n in notes}) == 52
    assert reference.load_legality_notes(session) == 0


def test_every_copy_of_the_directory_gives_a_term_the_same_id(session):
    # Derived from the code, not drawn at random: an HSDS package or an API client that names a
    # term by id means the same term in any other copy (an export imported into an empty one).
    terms = session.scalars(select(TaxonomyTerm)).all()
    assert terms
    assert all(term.id == reference.term_id(term.code) for term in terms)
    assert reference.term_id("naloxone") != reference.term_id("methadone")
