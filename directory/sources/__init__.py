"""Declarative source imports: a mapping file per source, run by ``flask import source NAME``.

``seed/sources/NAME.toml`` names a data file under ``seed/sources/data/``, its column mapping,
categories, provenance and location precision (see :mod:`directory.sources.spec`);
:func:`run_source` brings the directory in line with it, idempotently, merging the same facility
from several sources into one location (:mod:`directory.sources.matching`).
"""

from directory.sources.importer import run_source, run_sources
from directory.sources.report import ImportReport
from directory.sources.rows import SourceFileError
from directory.sources.spec import SOURCES_DIR, SourceSpec, SpecError, available_specs, load_spec

__all__ = [
    "SOURCES_DIR",
    "ImportReport",
    "SourceFileError",
    "SourceSpec",
    "SpecError",
    "available_specs",
    "load_spec",
    "run_source",
    "run_sources",
]
