"""A schemathesis check, loaded by the CLI through SCHEMATHESIS_HOOKS (tests/smoke/test_access.py): no
operation that the access policies forbid to the caller may succeed.

The forbidden operations come in DBGEN_FORBIDDEN, a JSON list of "METHOD /path/{template}" as the OpenAPI
document names them; the test computes it from the project's .dbgen.toml. Any 2xx to one of them fails.
Each forbidden operation that was called is written to DBGEN_POLICY_LOG, one line each, so that the test knows
the check ran and reached every one of them.
"""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis

FORBIDDEN = frozenset(json.loads(os.environ.get("DBGEN_FORBIDDEN", "[]")))
LOG = os.environ.get("DBGEN_POLICY_LOG", os.devnull)


@schemathesis.check
def policy_is_kept(ctx: Any, response: Any, case: Any) -> None:
    operation = f"{case.operation.method.upper()} {case.operation.path}"
    if operation not in FORBIDDEN:
        return
    with open(LOG, "a") as log:
        log.write(f"{operation} {response.status_code}\n")
    if 200 <= response.status_code < 300:
        raise AssertionError(f"{operation} answered {response.status_code} to a caller whom the policy forbids it")
