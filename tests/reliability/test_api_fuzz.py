"""Schemathesis against the service's own OpenAPI document: every route, every parameter, over real HTTP.

No 5xx, and every response conforms to the document (status code, content type, body schema, headers).
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES_PER_OPERATION = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def operations(base: str):
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


def test_every_route_answers_within_its_documented_contract(service):
    checked = []
    for operation in operations(service):

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            case.call_and_validate(checks=CHECKS, timeout=30)

        fuzz()
        checked.append(operation.label)
    assert len(checked) >= 20, checked  # every route of the document was fuzzed
