"""Deciding when two rows are the same place (no database needed)."""

from __future__ import annotations

import uuid

from directory.sources.matching import Candidate, MatchIndex, names_alike


def candidate(name, address, lat=40.0, lng=-75.0, precision="exact", postal_code="19134"):
    return Candidate(
        id=uuid.uuid4(),
        organization_id=uuid.uuid4(),
        name=name,
        address_1=address,
        city="Philadelphia",
        postal_code=postal_code,
        latitude=lat,
        longitude=lng,
        precision=precision,
        source_id=None,
    )


def find(index, name, address, lat=40.0, lng=-75.0, precision="exact", postal_code="19134"):
    return index.find(name, address, "Philadelphia", postal_code, lat, lng, precision)


def test_the_same_name_and_street_spelt_differently_is_one_place():
    index = MatchIndex()
    index.add(candidate("Able Recovery 1 LLC", "4901 South Pennsylvania Avenue"))

    match = find(index, "Able Recovery 1, LLC", "4901 S Pennsylvania Ave", lat=40.01)

    assert match is not None
    assert match.how == "name and address"


def test_a_similar_name_within_fifty_metres_is_one_place():
    index = MatchIndex()
    index.add(candidate("Four County Mental Health Center Inc", "1601 West 4th Street"))

    match = find(index, "Four County Mental Health Center", "1601 W. Fourth St", lat=40.0002)

    assert match is not None
    assert match.how.endswith("similar name")


def test_neighbours_with_different_house_numbers_stay_apart():
    index = MatchIndex()
    index.add(candidate("Pharmacy — 616 White Horse Pike", "616 White Horse Pike"))

    assert find(index, "Pharmacy — 603 White Horse Pike", "603 White Horse Pike", 40.0001) is None


def test_two_part_house_numbers_must_agree_in_full():
    index = MatchIndex()
    index.add(candidate("Access Capabilities Inc", "15-2874 Pahoa Road"))

    assert find(index, "ACCESS Capabilities", "15-2714 Pahoa Road") is None
    assert find(index, "ACCESS Capabilities", "15-2874 Pahoa Rd") is not None


def test_zip_centre_points_are_never_matched_by_distance():
    index = MatchIndex()
    index.add(candidate("CVS Pharmacy", "10 Main Street", precision="approximate"))

    assert find(index, "CVS Pharmacy", "99 Broad Street", precision="approximate") is None


def test_one_name_without_a_published_address_is_one_listing_in_its_zip():
    index = MatchIndex()
    index.add(candidate("Akeela Inc", "- - -"))

    assert find(index, "Akeela Inc", "- - -", lat=40.3) is not None
    assert find(index, "Akeela Inc", "- - -", lat=40.3, postal_code="19104") is None
    assert find(index, "Other Clinic", "- - -") is None


def test_an_archived_location_takes_no_more_rows():
    index = MatchIndex()
    gone = candidate("Harbor Clinic", "10 Main Street")
    index.add(gone)
    index.forget({gone.id})

    assert find(index, "Harbor Clinic", "10 Main Street") is None


def test_unrelated_names_are_not_alike():
    assert not names_alike("Harbor Clinic", "Lakeside Recovery")
    assert names_alike("Adapt", "Adapt Integrated Health Care")
