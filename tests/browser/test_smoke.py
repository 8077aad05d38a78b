"""The browser harness itself: the local server answers and pages load nothing from elsewhere."""

import pytest

pytestmark = pytest.mark.browser


def test_home_page_loads_in_a_real_browser_with_nothing_from_other_sites(page):
    page.goto("/")
    assert page.locator("h1").inner_text()
    assert page.outside_requests == []
    assert page.csp_violations == []
