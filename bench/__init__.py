"""Benchmarks, run by ``make bench`` (``python -m bench``): figures printed as a table.

``bench.database`` prepares a database with the national seed and 250,000 synthetic listings
(a copy, never the one ``make run`` serves); ``bench.search`` times the search against a naive
full scan; ``bench.pages`` and ``bench.hsds_export`` time the results page and the HSDS export.
"""
