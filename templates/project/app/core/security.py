"""Password hashing with Argon2, bounded: a flood of sign-ups or logins waits in line instead of
exhausting the server's memory and CPUs."""

import math
import os
from pathlib import Path

import anyio
from anyio import to_thread
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pydantic import BaseModel, ConfigDict

from app.core.config import Settings
from app.schemas.common import Id


class Account(BaseModel):
    """What signing in checks about a user, read from a stored user; never part of a response."""

    model_config = ConfigDict(from_attributes=True)

    id: Id
    hashed_password: str
    is_active: bool
    password_version: int = 0  # counts what ended the user's sessions; a token carries the version it was issued for
    email_verified: bool = True  # false for a user who signed up and has not followed the link mailed to them


def cpu_quota(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """The CPUs this process may use: the container's CPU quota (cgroup v2 `cpu.max`, or v1
    `cpu.cfs_quota_us` / `cpu.cfs_period_us`) rounded up, or else the CPUs it may run on; at least 1.
    `os.cpu_count()` would count the node's CPUs, not the container's."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        quota, period = (cgroup / "cpu.max").read_text().split()[:2]
    except (OSError, ValueError):
        quota, period = "max", "1"
        for v1 in (cgroup / "cpu", cgroup / "cpu,cpuacct"):
            try:
                quota = (v1 / "cpu.cfs_quota_us").read_text().strip()
                period = (v1 / "cpu.cfs_period_us").read_text().strip()
                break
            except OSError:
                continue
    try:
        if quota != "max" and int(quota) > 0 and int(period) > 0:
            cpus = min(cpus, math.ceil(int(quota) / int(period)))
    except ValueError:
        pass  # unreadable: the CPUs it may run on
    return max(cpus, 1)


class Passwords:
    """Hashes and checks passwords off the event loop, at most PASSWORD_HASH_CONCURRENCY at a time (by
    default one per CPU of the container's quota).

    One Argon2 hash takes tens of milliseconds of CPU and PASSWORD_HASH_MEMORY_KIB of memory (64 MiB by
    default, as pwdlib recommends): unbounded, a few dozen concurrent requests would take the server down,
    so the memory limit of the server must cover slots x PASSWORD_HASH_MEMORY_KIB besides the app itself.
    A hash stores its own parameters, so changing the settings never invalidates stored passwords.
    """

    def __init__(self, settings: Settings) -> None:
        memory, iterations = settings.password_hash_memory_kib, settings.password_hash_iterations
        self._hash = PasswordHash((Argon2Hasher(memory_cost=memory, time_cost=iterations),))
        self._slots = settings.password_hash_concurrency or cpu_quota()
        self._limiter: anyio.CapacityLimiter | None = None
        self._unknown: str | None = None

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        if self._limiter is None:  # made on first use, inside the event loop that uses it
            self._limiter = anyio.CapacityLimiter(self._slots)
        return self._limiter

    async def hash(self, password: str) -> str:
        return await to_thread.run_sync(self._hash.hash, password, limiter=self.limiter)

    async def new_password(self, password: str) -> dict[str, object]:
        """The values that give a stored user a new password: its hash. UserRepository.update counts up the
        user's password version with it, which ends every session issued before."""
        return {"hashed_password": await self.hash(password)}

    async def verify(self, password: str, hashed: str | None) -> bool:
        """Whether the password matches the hash. Without a hash (no such user) a hash is still checked, so
        that an unknown email takes as long to refuse as a wrong password."""
        if hashed is None:
            if self._unknown is None:
                self._unknown = await self.hash(os.urandom(16).hex())
            await to_thread.run_sync(self._hash.verify, password, self._unknown, limiter=self.limiter)
            return False
        return await to_thread.run_sync(self._hash.verify, password, hashed, limiter=self.limiter)
