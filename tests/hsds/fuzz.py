"""Running schemathesis in process against an OpenAPI document, with bounded examples.

Shared by the HSDS conformance test and the API v1 one. Every operation is run in positive and
negative mode; failures are collected so one run reports every operation that misbehaves.
The examples are the same on every run (derandomized), unless ``FUZZ_SEED`` names a seed: then
that seed's examples, e.g. ``for s in 1 2 3; do FUZZ_SEED=$s pytest tests/hsds/test_conformance.py
tests/api/test_openapi.py -k "conforms or honours"; done``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

# A seed to draw other examples with; unset, every run draws the same ones.
FUZZ_SEED = os.environ.get("FUZZ_SEED")


def fuzz(
    schema: Any,
    app: Any,
    *,
    pinned_ids: Callable[[str], dict[str, str]],
    checks: Iterable[Callable],
    max_examples: int = 25,
) -> list[str]:
    """Call every GET operation of ``schema`` on ``app``; return the failures found.

    In positive mode the path parameters are ``pinned_ids(path)`` (real records), because a
    random id can only answer 404; negative mode generates invalid ids as well.
    """
    failures: list[str] = []
    checks = list(checks)
    schema = schema.include(method="GET")
    schema.app = app
    for result in schema.get_all_operations():
        operation = result.ok()
        names = {p.name for p in operation.path_parameters}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            pinned = None
            if mode is GenerationMode.POSITIVE and names:
                pinned = pinned_ids(operation.path)
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=pinned)

            @settings(
                max_examples=max_examples,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
                derandomize=FUZZ_SEED is None,
            )
            @seed(int(FUZZ_SEED or 0))
            @given(case=strategy)
            def run(case):
                # In process, nothing undoes a Content-Encoding as an HTTP client would.
                case.call_and_validate(checks=checks, headers={"Accept-Encoding": "identity"})

            try:
                run()
            except Unsatisfiable:
                # Nothing in this operation can be made invalid (e.g. no parameters at all).
                continue
            except (Exception, BaseExceptionGroup) as error:
                # schemathesis raises a group of every failure it found; report them all.
                failures.append(f"{mode.value} {operation.label}: {error}")
    return failures
