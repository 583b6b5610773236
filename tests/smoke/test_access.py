"""Roles and per-model access policies, end to end, over HTTP against the served app: the story a user tells
(`dbgen add-role`, `add-model --read/--write`, grants and revocations by a superuser) on PostgreSQL and MongoDB,
then schemathesis as an anonymous client, a member and a superuser, with a check that no operation the
policies forbid to that caller succeeds.

Black-box: the project is generated and driven as its users would; what each caller may do is computed here
from the project's .dbgen.toml with the rules of the design (audiences and their defaults), not read from dbgen.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest

from dbgen.naming import ModelNames
from tests.smoke.servers import fresh_database, require
from tests.smoke.test_fuzz import EXAMPLES, schemathesis, served, superuser_token
from tests.smoke.test_generated_projects import Project
from tests.smoke.test_grow_project import dbgen

pytestmark = pytest.mark.smoke

API = "/api/v1"
PASSWORD = "a quiet river at dawn, 42"  # not common, and holds no account's email
COMMANDS = [
    ["add-role", "editor"],
    ["add-model", "Product", "name:str", "price:decimal", "--read", "anyone", "--write", "editor"],
    ["add-model", "Category", "name:str:unique"],  # the defaults: read users, write superusers
]
# The role endpoints (superusers only) and the added models' six operations each: what the policy runs fuzz.
FUZZED = rf"^{API}/(products|categories)|/roles"
FUZZED_OPERATIONS = 3 + 6 * 2
ROLE_OPERATIONS = [
    f"GET {API}/users/{{user_id}}/roles",
    f"PUT {API}/users/{{user_id}}/roles/{{role}}",
    f"DELETE {API}/users/{{user_id}}/roles/{{role}}",
]


@dataclass
class Shop:
    project: Project
    base: str  # the served app's URL
    superuser: str  # a superuser's token

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base + API, headers=headers, timeout=60)

    def member(self, email: str) -> tuple[int | str, str]:
        """A user the superuser creates (no role, not a superuser), signed in: their id and token."""
        with self.client(self.superuser) as admin:
            created = admin.post("/users", json={"email": email, "password": PASSWORD})
            assert created.status_code == 201, created.text
        with self.client() as anonymous:
            signed_in = anonymous.post("/auth/token", data={"username": email, "password": PASSWORD})
            assert signed_in.status_code == 200, signed_in.text
        return created.json()["id"], signed_in.json()["access_token"]


@pytest.fixture(scope="module", params=["postgres", "mongo"])
def shop(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    """`dbgen new shop`, a role and two models with policies (COMMANDS), migrated and served, with a superuser
    made by the project's own command."""
    db: str = request.param
    require(db)
    folder = tmp_path_factory.mktemp(f"access-{db}")
    root = folder / "shop"
    subprocess.run(
        [sys.executable, "-m", "dbgen", "new", "shop", "--db", db, "--dir", str(root), "--no-input"],
        check=True,
        capture_output=True,
    )
    with fresh_database(db) as urls:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_DATABASE_URL"))}
        project = Project(root, db, env | urls | {"NO_COLOR": "1"})
        for command in COMMANDS:
            result = dbgen(project, *command)
            assert result.returncode == 0, f"dbgen {' '.join(command)}: {result.stdout}{result.stderr}"
        with served(project, folder / "uvicorn.log") as base:  # on SQL, after `alembic upgrade head`
            yield Shop(project, base, superuser_token(project, base))


def test_the_acceptance_scenario(shop: Shop) -> None:
    """Fails if any step of the story answers otherwise: a public list that needs a token or a write open to
    anyone, an editor who cannot create, a member without the role or a member changing a superuser's
    category who can, a revocation that the revoked token outlives, a public list without an ETag or whose
    If-None-Match is not a 304, a deactivated user's token that still reads a category (or that the public list
    refuses: it reads no token), or an OpenAPI document that puts a lock on the public list or none on the
    editors' create."""
    editor_id, editor = shop.member("editor@example.com")
    other_id, other = shop.member("other@example.com")
    product = {"name": "Lamp", "price": "19.90"}
    with shop.client(shop.superuser) as admin, shop.client() as anonymous:
        with shop.client(editor) as as_editor, shop.client(other) as as_other:
            assert admin.put(f"/users/{editor_id}/roles/editor").status_code == 204
            assert admin.get(f"/users/{editor_id}/roles").json() == ["editor"]
            assert admin.get(f"/users/{editor_id}").json()["roles"] == ["editor"]
            assert as_editor.get("/users/me").json()["roles"] == ["editor"]

            assert anonymous.get("/products").status_code == 200
            assert anonymous.post("/products", json=product).status_code == 401
            created = as_editor.post("/products", json=product)
            assert created.status_code == 201, created.text
            assert as_other.post("/products", json=product).status_code == 403

            category = admin.post("/categories", json={"name": "Lighting"})
            assert category.status_code == 201, category.text
            url = f"/categories/{category.json()['id']}"
            assert as_other.get(url).status_code == 200  # read: users
            assert as_other.patch(url, json={"name": "Mine"}).status_code == 403  # write: superusers
            assert as_other.delete(url).status_code == 403
            assert admin.get(url).json()["name"] == "Lighting"
            assert "public" not in as_other.get("/categories").headers.get("cache-control", "")

            assert admin.delete(f"/users/{editor_id}/roles/editor").status_code == 204
            assert admin.get(f"/users/{editor_id}/roles").json() == []
            assert as_editor.post("/products", json=product).status_code == 403  # the same token, next request

            listed = anonymous.get("/products")
            assert listed.status_code == 200 and "Lamp" in listed.text
            etag = listed.headers.get("etag")
            assert etag, listed.headers
            cached = anonymous.get("/products", headers={"If-None-Match": etag})
            assert cached.status_code == 304 and cached.content == b""

            # A deactivated user's token is refused wherever a token is read; a public list reads none.
            assert admin.patch(f"/users/{other_id}", json={"is_active": False}).status_code == 200
            assert as_other.get("/products").status_code == 200
            assert as_other.get(url).status_code == 401

        document = anonymous.get(shop.base + "/openapi.json").json()
    products = document["paths"][f"{API}/products"]
    assert not products["get"].get("security") and not document.get("security")
    assert "401" not in products["get"]["responses"]
    assert products["post"].get("security")
    assert {"401", "403"} <= set(products["post"]["responses"])


def audiences(spec: dict[str, object]) -> tuple[str, str]:
    """A model's read and write audiences: as recorded, or the default of its kind (the design's)."""
    owned = bool(spec.get("owned", False))
    read, write = spec.get("read", "owner" if owned else "users"), spec.get("write", "owner" if owned else "superusers")
    return str(read), str(write)


def admits(caller: str, audience: str) -> bool:
    """Whether the caller (anonymous; member: signed in, no role; superuser) is in the audience. A member may
    act on what they own, so an `owner` operation is open to them (on their own records)."""
    return caller == "superuser" or audience == "anyone" or (caller == "member" and audience in {"users", "owner"})


def forbidden(root: Path, caller: str) -> list[str]:
    """The operations ("METHOD /path") the policies of the project's added models, and the superusers-only role
    endpoints, forbid to the caller."""
    answers = tomllib.loads((root / ".dbgen.toml").read_text())
    operations = [] if caller == "superuser" else list(ROLE_OPERATIONS)
    for name, spec in answers.get("added", {}).items():
        names = ModelNames.of(name)
        listing, one = f"{API}{names.route}", f"{API}{names.route}/{{{names.module}_id}}"
        read, write = audiences(spec)
        if not admits(caller, read):
            operations += [f"GET {listing}", f"GET {one}"]
        if not admits(caller, write):
            operations += [f"POST {listing}", f"POST {listing}/bulk", f"PATCH {one}", f"DELETE {one}"]
    return sorted(operations)


def test_schemathesis_keeps_to_the_policies(shop: Shop, tmp_path: Path) -> None:
    """Fails if, fuzzed as an anonymous client, a member without roles or a superuser, an operation the policies
    forbid to that caller answers 2xx, any answers 5xx, or one answers a status or body its schema does not
    document (a 403 left out of an operation that can refuse it, say)."""
    assert forbidden(shop.project.root, "anonymous") == sorted(
        [*ROLE_OPERATIONS, f"POST {API}/products", f"POST {API}/products/bulk", f"PATCH {API}/products/{{product_id}}",
         f"DELETE {API}/products/{{product_id}}", f"GET {API}/categories", f"GET {API}/categories/{{category_id}}",
         f"POST {API}/categories", f"POST {API}/categories/bulk", f"PATCH {API}/categories/{{category_id}}",
         f"DELETE {API}/categories/{{category_id}}"]
    )  # fmt: skip
    _, member = shop.member("fuzzed.member@example.com")
    hooks = str(Path(__file__).with_name("policy_check.py"))
    callers = [("anonymous", None, "2"), ("member", member, EXAMPLES), ("superuser", shop.superuser, EXAMPLES)]
    for caller, token, examples in callers:
        refused, log = forbidden(shop.project.root, caller), tmp_path / f"{caller}.log"
        env = {"SCHEMATHESIS_HOOKS": hooks, "DBGEN_FORBIDDEN": json.dumps(refused), "DBGEN_POLICY_LOG": str(log)}
        target = replace(shop.project, env=shop.project.env | env)
        options = [f"--include-path-regex={FUZZED}"] + ([f"--header=Authorization: Bearer {token}"] if token else [])
        schemathesis(target, shop.base, tmp_path / f"{caller}.xml", examples, *options, operations=FUZZED_OPERATIONS)
        # The check ran, and every operation forbidden to this caller was called at least once.
        called = {line.rsplit(" ", 1)[0] for line in log.read_text().splitlines()} if refused else set()
        assert called == set(refused), (caller, sorted(set(refused) - called))
