"""Hostile input gets a clear 4xx, never a 500, on every backend: the same file runs against each of them."""

import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Any, get_args

import pytest
from httpx import AsyncClient, Response

from app.api.routes.users import MAX_BULK_USERS
from app.core.config import get_settings
from app.schemas.common import MAX_OFFSET, MAX_PAGE_SIZE, Cursor
from app.schemas.user import UserSort
from tests.conftest import create_user, tampered
from tests.database import MISSING_ID

USERS = "/api/v1/users"
JSON = {"content-type": "application/json"}


def error_at(response: Response, *loc: str | int) -> str:
    """The message of a 422 in FastAPI's shape, for the field at `loc` (or inside it: a union names its branch)."""
    assert response.status_code == 422, response.text
    errors: list[dict[str, Any]] = response.json()["detail"]
    for error in errors:
        assert {"loc", "msg", "type"} <= error.keys()
    messages = [error["msg"] for error in errors if tuple(error["loc"][: len(loc)]) == loc]
    assert messages, errors
    return str(messages[0])


@pytest.mark.parametrize("q", ["%", "_", "\\", "'", '"', ".*", "^", "$", "[", "(", "|", "+", "?", "{1}", "$where"])
async def test_search_metacharacters_match_literally(client: AsyncClient, q: str) -> None:
    """SQL LIKE wildcards and regex syntax in a search are plain text: nothing matches them here."""
    await create_user(client, full_name="Plain Name")
    response = await client.get(USERS, params={"q": q})
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


async def test_search_finds_metacharacters_as_text(client: AsyncClient) -> None:
    odd = "a.*b (c) [d] {2} \\e $f ^g | h? 100%_"
    await create_user(client, full_name=odd)
    await create_user(client, email="other@example.com", full_name="a-b c d")
    for q in (odd, ".*b (c) [d]", "\\e $f ^g", "100%_", "' OR 1=1 --"):
        found = (await client.get(USERS, params={"q": q})).json()
        assert len(found["items"]) == (0 if q.startswith("'") else 1), q


@pytest.mark.parametrize(
    "params",
    [
        {"limit": MAX_PAGE_SIZE + 1},
        {"limit": 10**9},
        {"limit": 10**30},
        {"limit": -1},
        {"limit": "all"},
        {"offset": -1},
        {"offset": 10**30},
        {"offset": "1e3"},
    ],
)
async def test_page_size_is_capped_and_offsets_are_checked(client: AsyncClient, params: dict[str, Any]) -> None:
    response = await client.get(USERS, params=params)
    (name,) = params
    assert error_at(response, "query", name)


async def test_largest_page_is_allowed(client: AsyncClient) -> None:
    response = await client.get(USERS, params={"limit": MAX_PAGE_SIZE, "offset": MAX_OFFSET})
    assert response.status_code == 200
    assert response.json()["items"] == []


TEXT: list[dict[str, Any]] = [{"value": "nul\x00"}, {"value": "\ud800"}, {"value": True}, {"value": 1}]
DATETIMES = [
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:00:00-05:00",
    "2024-01-02T03:04:05",
    "2024-01-02T03:04:05+00:00",
]
# Cursor values that no page of this API gives out, by sort key (full_name may be empty: null is one of its values).
FORGED_VALUES: dict[str, list[dict[str, Any]]] = {
    "id": [{"value": 2**31}, {"value": 0}, {"value": True}, {"value": "1"}, {"value": None}],
    "email": [*TEXT, {"value": None}],
    "title": [*TEXT, {"value": None}],
    "full_name": TEXT,
    "created_at": [*({"value": text} for text in DATETIMES), {"value": 1704164645}, {"value": None}],
}
# And the same for any sort key: an id out of range, an offset (a cursor holds none: `offset=` is capped at MAX_OFFSET).
FORGED_ANY: list[dict[str, Any]] = [
    {"id": 2**31},
    {"id": True},
    {"id": "1"},
    {"id": None},
    {"offset": -5},
    {"offset": 2**63},
    {"offset": 10**6},
]


async def assert_forged_cursors_are_422(client: AsyncClient, url: str, sort_by: str) -> None:
    """A cursor comes back from the client: every field of it is checked against what this API could have given
    out before any of it reaches the database. A forged one is a 422 at `after`, never a 500, never a page.
    The list at `url` must hold two records or more."""
    params: dict[str, Any] = {"sort_by": sort_by, "limit": 1}
    cursor = (await client.get(url, params=params)).json()["next"]
    assert cursor is not None
    assert (await client.get(url, params=params | {"after": cursor})).status_code == 200
    for changes in FORGED_VALUES[sort_by] + FORGED_ANY:
        response = await client.get(url, params=params | {"after": tampered(cursor, **changes)})
        assert response.status_code == 422, (changes, response.text)
        assert error_at(response, "query", "after")


@pytest.mark.parametrize("sort_by", get_args(UserSort))
async def test_forged_cursors_are_422(client: AsyncClient, sort_by: str) -> None:
    await create_user(client, full_name="Ada")
    await create_user(client, email="bob@example.com", full_name="Bob")
    await assert_forged_cursors_are_422(client, USERS, sort_by)


def test_cursors_are_url_safe_and_read_back() -> None:
    """A cursor travels in a URL: base64url without its `=` padding, which `decode` puts back (values of six
    lengths, so that the text needs no padding, one `=` or two).

    Fails if the padding is kept (`lstrip` or `rstrip(None)` for `rstrip("=")`)."""
    for n in range(6):
        cursor = Cursor(sort_by="email", order="asc", value="x" * n, id=MISSING_ID)
        text = cursor.encode()
        assert re.fullmatch(r"[A-Za-z0-9_-]+", text), text
        assert Cursor.decode(text) == cursor, text


# An integer id is read as a number, spaces and all: " 2147483647" is an id that no row has. An ObjectId is
# exactly 24 hex characters. Anything else (below 1, past the id column's range, not a number): a 422.
NOT_IDS = ["not-an-id", "0", "-1", "1.5", "1e3", "2147483648", str(2**64), "0x1f", "١٢", "%00", "ab" * 30]
SPACED = 404 if isinstance(MISSING_ID, int) else 422


@pytest.mark.parametrize(("bad_id", "expected"), [*((bad_id, 422) for bad_id in NOT_IDS), (" 2147483647", SPACED)])
async def test_bad_ids_are_refused(client: AsyncClient, bad_id: str, expected: int) -> None:
    """Fails if IdPath lets a value that is not an id through to a lookup (a 404, or a 500 from the database)."""
    for method in ("GET", "PATCH", "DELETE"):
        response = await client.request(method, f"{USERS}/{bad_id}", json={} if method == "PATCH" else None)
        assert response.status_code == expected, (method, bad_id, response.text)


async def test_oversized_body_is_413(client: AsyncClient) -> None:
    limit = get_settings().max_body_bytes
    body = b'{"email": "big@example.com", "password": "' + b"x" * limit + b'"}'
    response = await client.post(USERS, content=body, headers=JSON)
    assert response.status_code == 413
    assert f"limit is {limit} bytes" in response.json()["detail"]


async def test_oversized_streamed_body_is_413(client: AsyncClient) -> None:
    """Without a Content-Length (chunked), the body is counted as it arrives."""
    limit = get_settings().max_body_bytes

    async def chunks() -> AsyncIterator[bytes]:
        yield b'[{"email": "big@example.com", "password": "'
        for _ in range(limit // 65_536 + 1):
            yield b"x" * 65_536
        yield b'"}]'

    response = await client.post(f"{USERS}/bulk", content=chunks(), headers=JSON)
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


async def test_body_under_the_limit_is_read(client: AsyncClient) -> None:
    limit = get_settings().max_body_bytes
    body = json.dumps({"email": "big@example.com", "password": "long enough", "full_name": "y" * 255}).encode()
    response = await client.post(USERS, content=body.ljust(limit), headers=JSON)  # padded to the limit exactly
    assert response.status_code == 201
    assert response.json()["full_name"] == "y" * 255


async def test_bulk_users_are_capped(client: AsyncClient) -> None:
    """Every user is a password hash to compute: a bulk request is refused before any is computed."""
    bodies = [{"email": f"bulk{n}@example.com", "password": "long enough"} for n in range(MAX_BULK_USERS + 1)]
    assert error_at(await client.post(f"{USERS}/bulk", json=bodies), "body")
    assert (await client.post(f"{USERS}/bulk", json=bodies[:MAX_BULK_USERS])).status_code == 201
    twice = await client.post(f"{USERS}/bulk", json=[bodies[0] | {"email": "twice@example.com"}] * 2)
    assert twice.status_code == 409 and "more than once" in twice.json()["detail"]


@pytest.mark.parametrize(
    ("field", "value"), [("is_active", 0), ("is_active", "true"), ("full_name", 42), ("password", ["long enough"])]
)
async def test_body_values_must_have_their_json_type(client: AsyncClient, field: str, value: object) -> None:
    """Bodies are strict: 0 is not false and "true" is not true, as the schema says."""
    body = {"email": "typed@example.com", "password": "long enough"} | {field: value}
    assert error_at(await client.post(USERS, json=body), "body", field)
    user = await create_user(client)
    assert error_at(await client.patch(f"{USERS}/{user['id']}", json={field: value}), "body", field)


@pytest.mark.parametrize("field", ["full_name", "password", "email"])
async def test_nul_bytes_in_text_are_422(client: AsyncClient, field: str) -> None:
    body = {"email": "nul@example.com", "password": "long enough", "full_name": "Ada"}
    body[field] = body[field][:2] + "\x00" + body[field][2:]
    assert error_at(await client.post(USERS, json=body), "body", field)


NUL = "Value error, must not contain NUL characters (\\u0000)"


async def test_nul_bytes_in_updates_and_searches_are_422(client: AsyncClient) -> None:
    """Fails if the 422 of a NUL loses its message."""
    user = await create_user(client)
    renamed = await client.patch(f"{USERS}/{user['id']}", json={"full_name": "a\x00"})
    assert error_at(renamed, "body", "full_name") == NUL
    bulk = [{"email": "nul@example.com", "password": "long enough", "full_name": "a\x00"}]
    assert error_at(await client.post(f"{USERS}/bulk", json=bulk), "body", 0, "full_name") == NUL
    assert error_at(await client.get(USERS, params={"q": "a\x00b"}), "query", "q") == NUL
    assert (await client.get(f"{USERS}/{user['id']}")).json()["full_name"] == user["full_name"]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"email": "s@example.com", "password": "long enough", "full_name": "\\ud800"}',
        b'{"email": "s@example.com", "password": "long enough", "full_name": "x\\udfff' + b"y" * 300 + b'"}',
        b'{"email": "s@example.com\\ud83d", "password": "long enough"}',
    ],
)
async def test_unpaired_surrogates_are_422(client: AsyncClient, raw: bytes) -> None:
    """JSON escapes can spell a lone UTF-16 surrogate, which no database stores; the 422 itself must render."""
    response = await client.post(USERS, content=raw, headers=JSON)
    assert response.status_code == 422
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b'{"email": "\xc3\x28@example.com", "password": "long enough"}', 400),  # not UTF-8
        (b'{"email": "pen@example.com", "password": ', 422),  # cut short
        (b'{"email": NaN, "password": Infinity}', 422),  # JavaScript, not JSON
        (b'{"email": "pen@example.com", "password": 1' + b"0" * 5000 + b"}", 400),  # a number too long to parse
        (b"[]", 422),
        (b"null", 422),
        (b"", 422),
    ],
)
async def test_malformed_json_is_4xx_with_a_message(client: AsyncClient, raw: bytes, status: int) -> None:
    response = await client.post(USERS, content=raw, headers=JSON)
    assert response.status_code == status, response.text
    assert response.json()["detail"]


async def test_body_that_is_not_json_is_422(client: AsyncClient) -> None:
    """Bytes sent as another media type are echoed in the 422 only if they are text; these are not."""
    response = await client.post(USERS, content=b"\xff\xfe\x00", headers={"content-type": "application/octet-stream"})
    assert error_at(response, "body")


@pytest.mark.parametrize(
    "name",
    [
        "Zoë Ñandú",  # accents
        "😀🚀👩‍👩‍👧",  # 4-byte UTF-8 and a joined emoji
        "שלום עולם",  # right to left
        "e\u0301\u0301\u0301",  # combining marks
        "\u200b\u200d\ufeff",  # zero-width characters
        "𠜎𠜱𠝹𠱓" * 64,  # the maximum length (255, cut below) in astral characters
        "tab\there\nnewline\u2028line separator",
    ],
)
async def test_odd_but_valid_unicode_round_trips(client: AsyncClient, name: str) -> None:
    user = await create_user(client, full_name=name[:255])
    assert user["full_name"] == name[:255]
    assert (await client.get(f"{USERS}/{user['id']}")).json()["full_name"] == name[:255]


async def test_over_long_text_is_422_not_truncated(client: AsyncClient) -> None:
    user = await create_user(client)
    assert error_at(await client.patch(f"{USERS}/{user['id']}", json={"full_name": "é" * 256}), "body", "full_name")
    too_long = {"email": "long@example.com", "password": "long enough", "full_name": "😀" * 256}
    assert error_at(await client.post(USERS, json=too_long), "body", "full_name")


async def test_password_hash_is_never_returned(client: AsyncClient) -> None:
    user = await create_user(client, password="a secret password")
    responses = [
        await client.get(f"{USERS}/{user['id']}"),
        await client.get(USERS),
        await client.patch(f"{USERS}/{user['id']}", json={"password": "another secret"}),
        await client.post(USERS, json={"email": user["email"], "password": "a third secret"}),  # the 409
    ]
    for response in responses:
        assert "password" not in response.text and "$argon2" not in response.text, response.text
        assert "secret" not in response.text


async def test_password_hash_is_never_logged(client: AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    """Even with INFO logging on (what DB_ECHO turns on for the database's logger), nothing logs a password
    or its hash."""
    caplog.set_level(logging.INFO)
    for name in ("sqlalchemy", "app.db"):  # the SQL engine's and the MongoDB client's command log
        caplog.set_level(logging.INFO, logger=name)
    user = await create_user(client, password="a secret password")
    await client.patch(f"{USERS}/{user['id']}", json={"password": "another secret"})
    assert "$argon2" not in caplog.text and "secret" not in caplog.text
