from datetime import datetime
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from app.core.security import Passwords, cpu_quota
from app.repositories.user import UserRepository
from app.schemas import common
from app.schemas.user import UserSort
from tests import database
from tests.apps import PASSWORD, TestSettings, stored_password_hash
from tests.conftest import assert_pages_in_order, create_user, every_page

URL = "/api/v1/users"
NOT_SUPERUSERS = {"is_superuser": "false"}  # leaves out the superuser whose client makes the requests


async def test_create_returns_201_without_password(client: AsyncClient) -> None:
    user = await create_user(client, email="Grace@Example.com")
    assert user["email"] == "Grace@example.com"  # the domain part is normalised
    assert user["is_active"] is True
    assert "password" not in user and "hashed_password" not in user
    assert user["created_at"] and user["updated_at"]


async def test_duplicate_email_is_409(client: AsyncClient, engine: Any) -> None:
    """Fails if the 409 does not name the field, in either case (on SQL, the lower-case one is an index on an
    expression, whose columns the database does not name). The field comes from what the database reports,
    which the test server of a MongoDB project does not (database.names_duplicate_fields)."""
    field = "email" if database.names_duplicate_fields(engine) else "value"
    await create_user(client)
    for email in ["ada@example.com", "ADA@example.com"]:
        response = await client.post(URL, json={"email": email, "password": "another password"})
        assert response.status_code == 409
        assert response.json() == {"detail": f"a user with this {field} already exists"}


async def test_emails_that_differ_only_in_case_are_one_user(client: AsyncClient) -> None:
    await create_user(client, email="Ann@Example.com")
    response = await client.post(URL, json={"email": "ann@example.com", "password": "another password"})
    assert response.status_code == 409
    other = await create_user(client, email="bob@example.com")
    renamed = await client.patch(f"{URL}/{other['id']}", json={"email": "ANN@example.com"})
    assert renamed.status_code == 409
    twice = [{"email": f"{name}@example.com", "password": "long enough"} for name in ("cy", "CY")]
    assert (await client.post(f"{URL}/bulk", json=twice)).status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "password": "long enough"},
        {"email": "a@example.com", "password": "short"},
        {"email": "a@example.com"},
        {"email": "a@example.com", "password": "long enough", "full_name": "x" * 256},
    ],
)
async def test_invalid_body_is_422(client: AsyncClient, body: dict[str, str]) -> None:
    assert (await client.post(URL, json=body)).status_code == 422


async def test_a_field_the_schema_does_not_know_is_422(client: AsyncClient) -> None:
    """Refused by name, not dropped in silence: `role` or a misspelt `is_admin` is the client's mistake."""
    body = {"email": "a@example.com", "password": "long enough", "role": "admin"}
    created = await client.post(URL, json=body)
    assert created.status_code == 422
    assert [error["loc"] for error in created.json()["detail"]] == [["body", "role"]]
    bulk = await client.post(f"{URL}/bulk", json=[{"email": "b@example.com", "password": "long enough", "x": 1}])
    assert [error["loc"] for error in bulk.json()["detail"]] == [["body", 0, "x"]]
    user = await create_user(client)
    changed = await client.patch(f"{URL}/{user['id']}", json={"full_name": "Ada", "is_admin": True})
    assert changed.status_code == 422
    assert [error["loc"] for error in changed.json()["detail"]] == [["body", "is_admin"]]
    assert (await client.get(f"{URL}/{user['id']}")).json() == user  # nothing changed


async def test_read_and_404(client: AsyncClient, missing_id: object) -> None:
    user = await create_user(client)
    response = await client.get(f"{URL}/{user['id']}")
    assert response.status_code == 200
    assert response.json() == user
    missing = await client.get(f"{URL}/{missing_id}")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "User not found"}


async def test_malformed_id_is_422(client: AsyncClient) -> None:
    assert (await client.get(f"{URL}/not-an-id")).status_code == 422


async def test_list_paginates_with_total(client: AsyncClient) -> None:
    for n in range(5):
        await create_user(client, email=f"user{n}@example.com")
    page = (await client.get(URL, params={"limit": 2, "offset": 2, "count": "true", **NOT_SUPERUSERS})).json()
    assert page["total"] == 5
    assert [u["email"] for u in page["items"]] == ["user2@example.com", "user3@example.com"]
    assert (await client.get(URL, params={"limit": 2})).json()["total"] is None  # counted only when asked


async def test_totals_are_counted_up_to_the_count_limit(client: AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails if a total of exactly COUNT_LIMIT is reported as capped (`>=` for `>`)."""
    monkeypatch.setattr(common, "COUNT_LIMIT", 3)
    bodies = [{"email": f"thing{n}@example.com", "password": "long enough"} for n in range(5)]
    assert (await client.post(f"{URL}/bulk", json=bodies[:3])).status_code == 201
    page = (await client.get(URL, params={"limit": 2, "count": "true", **NOT_SUPERUSERS})).json()
    assert (page["total"], page["total_capped"]) == (3, False)
    assert (await client.post(f"{URL}/bulk", json=bodies[3:])).status_code == 201
    page = (await client.get(URL, params={"limit": 2, "count": "true", **NOT_SUPERUSERS})).json()
    assert (page["total"], page["total_capped"], len(page["items"])) == (3, True, 2)
    page = (await client.get(URL, params={"limit": 2, "offset": 4, "count": "true", **NOT_SUPERUSERS})).json()
    assert (page["total"], page["total_capped"], len(page["items"])) == (3, True, 1)
    page = (await client.get(URL, params={"limit": 2, "q": "thing1@", "count": "true"})).json()
    assert (page["total"], page["total_capped"]) == (1, False)


async def test_cursor_pages_through_every_user_once(client: AsyncClient) -> None:
    """Fails if a cursor of another sort is read as one of this sort (the 422 must say which mistake it is)."""
    emails = [f"user{n}@example.com" for n in range(5)]
    for email in reversed(emails):
        await create_user(client, email=email)
    assert [u["email"] for u in await every_page(client, URL, sort_by="email", limit=2, **NOT_SUPERUSERS)] == emails
    # full_name may be empty: the empty ones sort together, and paging still reaches every user once
    by_name = await every_page(client, URL, sort_by="full_name", order="desc", limit=2, **NOT_SUPERUSERS)
    assert sorted(u["email"] for u in by_name) == emails
    cursor = (await client.get(URL, params={"sort_by": "email", "limit": 2})).json()["next"]
    other_sort = await client.get(URL, params={"sort_by": "id", "after": cursor})
    assert other_sort.status_code == 422
    (error,) = other_sort.json()["detail"]
    assert (error["loc"], error["msg"]) == (
        ["query"],
        "Value error, `after` is a cursor of another sort: send the same sort_by and order as before",
    )
    assert (await client.get(URL, params={"after": "not a cursor"})).status_code == 422


@pytest.mark.parametrize("sort_by", get_args(UserSort))
async def test_every_sort_key_pages_in_order(client: AsyncClient, sort_by: str) -> None:
    """Distinct, tied and empty values: page after page by `next`, in both orders, every user once, in order.

    Fails if a sort key sorts by another column: emails, names and ids each order the users differently."""
    for n, name in enumerate(["bravo", None, "alpha", "bravo", None, "charlie", "alpha"]):
        await create_user(client, email=f"{'dcbafge'[n]}{n}@example.com", full_name=name)
    await assert_pages_in_order(client, URL, sort_by, datetime.fromisoformat if sort_by == "created_at" else None)


async def test_cursor_pages_newest_first(client: AsyncClient) -> None:
    bodies = [{"email": f"thing{n}@example.com", "password": "long enough"} for n in range(5)]
    created = (await client.post(f"{URL}/bulk", json=bodies)).json()
    await create_user(client, email="newest@example.com")
    seen = await every_page(client, URL, sort_by="created_at", order="desc", limit=2, **NOT_SUPERUSERS)
    assert seen[0]["email"] == "newest@example.com"
    assert sorted(u["id"] for u in seen[1:]) == sorted(u["id"] for u in created)


async def test_search_is_case_insensitive_and_literal(client: AsyncClient) -> None:
    await create_user(client, email="ada@example.com", full_name="Ada Lovelace")
    await create_user(client, email="grace@example.com", full_name="Grace Hopper")
    await create_user(client, email="percent@example.com", full_name="100% sure_thing")
    found = (await client.get(URL, params={"q": "LOVELACE"})).json()
    assert [u["email"] for u in found["items"]] == ["ada@example.com"]
    assert len((await client.get(URL, params={"q": "%"})).json()["items"]) == 1
    assert len((await client.get(URL, params={"q": "e_t"})).json()["items"]) == 1  # "_" is not a wildcard
    assert (await client.get(URL, params={"q": "' OR 1=1 --"})).json()["items"] == []


async def test_filter_by_active(client: AsyncClient) -> None:
    await create_user(client, email="on@example.com")
    await create_user(client, email="off@example.com", is_active=False)
    page = (await client.get(URL, params={"is_active": "false"})).json()
    assert [u["email"] for u in page["items"]] == ["off@example.com"]


async def test_sort_by_whitelisted_field(client: AsyncClient) -> None:
    for name in ["b", "c", "a"]:
        await create_user(client, email=f"{name}@example.com")
    page = (await client.get(URL, params={"sort_by": "email", "order": "desc", **NOT_SUPERUSERS})).json()
    assert [u["email"] for u in page["items"]] == ["c@example.com", "b@example.com", "a@example.com"]


@pytest.mark.parametrize(
    "params",
    [
        {"sort_by": "hashed_password"},
        {"order": "sideways"},
        {"limit": 0},
        {"limit": 1000},
        {"offset": -1},
        {"offset": 10_001},
    ],
)
async def test_bad_list_parameters_are_422(client: AsyncClient, params: dict[str, str | int]) -> None:
    assert (await client.get(URL, params=params)).status_code == 422


def test_sort_whitelist_matches_repository() -> None:
    assert set(get_args(UserSort)) == set(UserRepository.sortable)


async def test_partial_update(client: AsyncClient) -> None:
    user = await create_user(client)
    response = await client.patch(f"{URL}/{user['id']}", json={"full_name": "Countess of Lovelace"})
    assert response.status_code == 200
    assert response.json()["full_name"] == "Countess of Lovelace"
    assert response.json()["email"] == user["email"]
    unchanged = await client.patch(f"{URL}/{user['id']}", json={})
    assert (unchanged.status_code, unchanged.json()) == (200, response.json())


async def test_update_errors(client: AsyncClient, missing_id: object) -> None:
    ada = await create_user(client)
    grace = await create_user(client, email="grace@example.com")
    taken = await client.patch(f"{URL}/{grace['id']}", json={"email": ada["email"]})
    assert taken.status_code == 409
    emptied = await client.patch(f"{URL}/{ada['id']}", json={"email": None})
    assert emptied.status_code == 422
    assert [(e["loc"], e["msg"]) for e in emptied.json()["detail"]] == [
        (["body", "email"], "Value error, may be left out, but not null")
    ]
    assert (await client.patch(f"{URL}/{missing_id}", json={"full_name": "x"})).status_code == 404


async def test_password_change_is_stored_and_kept_hidden(app: FastAPI, client: AsyncClient) -> None:
    """Fails if an update drops the new password: the new one must match the stored hash, the old one not."""
    user = await create_user(client)
    response = await client.patch(f"{URL}/{user['id']}", json={"password": "a brand new password"})
    assert response.status_code == 200
    assert "password" not in response.text
    hashed = await stored_password_hash(app, user["id"])
    assert await app.state.passwords.verify("a brand new password", hashed)
    assert not await app.state.passwords.verify(PASSWORD, hashed)


async def test_delete(client: AsyncClient) -> None:
    user = await create_user(client)
    assert (await client.delete(f"{URL}/{user['id']}")).status_code == 204
    assert (await client.get(f"{URL}/{user['id']}")).status_code == 404
    assert (await client.delete(f"{URL}/{user['id']}")).status_code == 404


async def test_bulk_create_is_all_or_nothing(client: AsyncClient) -> None:
    """Fails if the repository's create_many (every model's) stores the rows it can and skips the others."""
    bodies = [{"email": f"bulk{n}@example.com", "password": "long enough"} for n in range(3)]
    response = await client.post(f"{URL}/bulk", json=bodies)
    assert response.status_code == 201
    assert [u["email"] for u in response.json()] == [b["email"] for b in bodies]
    clash = [{"email": "new@example.com", "password": "long enough"}, bodies[0]]
    assert (await client.post(f"{URL}/bulk", json=clash)).status_code == 409
    assert (await client.get(URL, params={"q": "new@"})).json()["items"] == []
    assert (await client.post(f"{URL}/bulk", json=[])).status_code == 422


COMMON = "Value error, is one of the most common passwords; choose another"
SPACES = "Value error, must not be only spaces"
EMAIL_IN_IT = "Value error, must not contain the account's email or the part before its @"


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("ada.lovelace@example.com", "12345678", COMMON),
        ("ada.lovelace@example.com", "Password", COMMON),
        ("ada.lovelace@example.com", " " * 8, SPACES),
        ("ada.lovelace@example.com", "ada.lovelace@example.com", EMAIL_IN_IT),
        ("ada.lovelace@example.com", "I am ada.lovelace", EMAIL_IN_IT),
        ("ada@example.com", "I am ADA@example.com", EMAIL_IN_IT),  # a local part too short alone: the whole email
        ("ADA@EXAMPLE.COM", "I am ada@example.com", EMAIL_IN_IT),
        ("adal@example.com", "I am Adal, hello", EMAIL_IN_IT),  # 4 characters: the local part alone
    ],
)
async def test_common_and_email_derived_passwords_are_refused_without_repeating_them(
    client: AsyncClient, email: str, password: str, message: str
) -> None:
    """NIST SP 800-63B: no password attackers try first (zxcvbn's list of common passwords), none of only
    spaces, none made of the account's email or of a local part of 4 characters or more, in any case; the 422
    says which and does not echo the password.

    Fails if a message is lost or changed, if the email is compared in another case, or if a 4-character local
    part is let through (`> 4`)."""
    refused = await client.post(URL, json={"email": email, "password": password})
    assert refused.status_code == 422, password
    assert [(e["loc"], e["msg"]) for e in refused.json()["detail"]] == [(["body", "password"], message)]
    assert all("input" not in error for error in refused.json()["detail"]), password


async def test_password_rules_hold_on_update_and_allow_a_short_local_part(client: AsyncClient) -> None:
    """A local part of 3 characters may be part of a password (it would refuse too many), the whole email not."""
    assert (await client.post(URL, json={"email": "ada@example.com", "password": "I am ada, hello"})).status_code == 201
    user = await create_user(client, email="ada.lovelace@example.com")
    assert (await client.patch(f"{URL}/{user['id']}", json={"password": "qwertyuiop"})).status_code == 422
    assert (await client.patch(f"{URL}/{user['id']}", json={"password": "ada.lovelace!!"})).status_code == 422
    assert (await client.patch(f"{URL}/{user['id']}", json={"password": "a long unusual phrase"})).status_code == 200


def test_hash_slots_follow_the_containers_cpu_quota(tmp_path: Path, settings: TestSettings) -> None:
    """The node's CPUs are not the container's: a pod limited to 250m gets one slot, whatever the node has."""
    cpus = cpu_quota(tmp_path)  # no cgroup files: the CPUs this process may run on
    assert cpus >= 1
    (tmp_path / "cpu.max").write_text("25000 100000\n")  # cgroup v2, 250m
    assert cpu_quota(tmp_path) == 1
    (tmp_path / "cpu.max").write_text(f"{200_000 * cpus} 100000\n")  # more than the CPUs it may run on
    assert cpu_quota(tmp_path) == cpus
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert cpu_quota(tmp_path) == cpus
    (tmp_path / "cpu.max").unlink()
    (tmp_path / "cpu").mkdir()  # cgroup v1
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("50000\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert cpu_quota(tmp_path) == 1
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")  # no quota
    assert cpu_quota(tmp_path) == cpus
    explicit = Passwords(settings.model_copy(update={"password_hash_concurrency": 3}))
    assert explicit.limiter.total_tokens == 3
