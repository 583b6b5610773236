"""Password hashing with Argon2. Hashing is CPU-heavy, so callers run it off the event loop."""

from anyio import to_thread
from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()


async def hash_password(password: str) -> str:
    return await to_thread.run_sync(_hasher.hash, password)


async def verify_password(password: str, hashed: str) -> bool:
    return await to_thread.run_sync(_hasher.verify, password, hashed)
