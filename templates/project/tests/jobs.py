"""Jobs for tests: a real broker (Redis at TEST_JOBS_BROKER_URL) on a queue of the test run's own, and a real
SAQ worker running in the tests' process."""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from redis.asyncio import Redis
from redis.exceptions import RedisError
from saq import Queue, Worker
from saq.job import TERMINAL_STATUSES

from app.worker import worker_settings
from tests.apps import TestSettings

# One queue per test run, so that runs side by side never take each other's jobs.
QUEUE = f"test-{uuid.uuid4().hex[:12]}"


async def broker_settings(settings: TestSettings, **changes: Any) -> TestSettings:
    """The settings with the test broker as JOBS_BROKER_URL; the test is skipped if Redis does not answer (a
    failure when CI=true: CI must run it)."""
    url = settings.test_jobs_broker_url
    try:
        async with Redis.from_url(url, socket_connect_timeout=2) as redis:
            await redis.ping()  # type: ignore[misc]  # redis-py types it for its sync and async clients at once
    except (RedisError, OSError) as error:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            raise
        pytest.skip(f"no Redis at {url} ({type(error).__name__}); set TEST_JOBS_BROKER_URL")
    return settings.model_copy(update={"jobs_broker_url": SecretStr(url), "jobs_queue": QUEUE, **changes})


@asynccontextmanager
async def running_worker(app: FastAPI) -> AsyncIterator[Queue]:
    """A SAQ worker of the app's queue, as `python -m app.worker` runs it, on this app (and its database)."""
    options = worker_settings(app.state.settings, app)
    worker = Worker(**options | {"timers": {"schedule": 1, "worker_info": 10, "sweep": 60, "abort": 1}})
    worker.SIGNALS = []  # the test process keeps its own signal handlers
    await worker.queue.connect()
    task = asyncio.create_task(worker.start())
    try:
        yield worker.queue
    finally:
        await worker.stop()
        task.cancel()
        await worker.queue.disconnect()


async def wait_for(queue: Queue, key: str, seconds: float = 10.0) -> Any:
    """The job with this key once it has finished (completed or failed for good)."""
    for _ in range(int(seconds * 20)):
        job = await queue.job(key)
        if job is not None and job.status in TERMINAL_STATUSES:
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {key} did not finish in {seconds} s")
