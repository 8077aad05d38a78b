"""Claim this listing: an organization that runs a listed place asks to manage its listing.

The public form (a page of the ``search`` blueprint, so the chosen language follows the person
there) files a claim through ``directory.operations.claims``; an admin decides it in the
moderation queue. Like "report a problem", the form uses the session only for its CSRF token,
so the location page that links to it sets no cookie.
"""
